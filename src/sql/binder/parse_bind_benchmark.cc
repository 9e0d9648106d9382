// Parse and bind throughput (issue target: >= 20,000 statements per second for a 50-line
// query): a typical 50-line query, the Nexmark queries, a dense stress case (with parsing and
// binding alone measured too), and a 1 MB statement (target: under a second).

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "sql/binder/binder_test_support.h"

namespace laminar::sql {
namespace {

// A stress case: Nexmark q16 three times over in a UNION ALL, 47 lines with 45 aggregates,
// each with a FILTER: about 700 expression nodes to type.
constexpr const char* kDenseQuery = R"sql(CREATE STREAM channel_stats AS
SELECT channel,
       to_char(date_time, 'YYYY-MM-DD') AS day,
       max(to_char(date_time, 'HH24:MI')) AS minute,
       count(*) AS total_bids,
       count(*) FILTER (WHERE price < 10000) AS rank1_bids,
       count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
       count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
       count(DISTINCT bidder) AS total_bidders,
       count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
       count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
       count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
       count(DISTINCT auction) AS total_auctions,
       count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
       count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
       count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
FROM bid
WHERE channel IS NOT NULL AND lower(channel) <> 'test'
GROUP BY channel, to_char(date_time, 'YYYY-MM-DD')
UNION ALL
SELECT channel, to_char(date_time, 'YYYY-MM-DD') AS day, max(to_char(date_time, 'HH24:MI')),
       count(*), count(*) FILTER (WHERE price < 10000),
       count(*) FILTER (WHERE price >= 10000 AND price < 1000000),
       count(*) FILTER (WHERE price >= 1000000), count(DISTINCT bidder),
       count(DISTINCT bidder) FILTER (WHERE price < 10000),
       count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000),
       count(DISTINCT bidder) FILTER (WHERE price >= 1000000), count(DISTINCT auction),
       count(DISTINCT auction) FILTER (WHERE price < 10000),
       count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000),
       count(DISTINCT auction) FILTER (WHERE price >= 1000000)
FROM bid
WHERE url LIKE 'https://%' AND auction % 2 = 0
GROUP BY channel, to_char(date_time, 'YYYY-MM-DD')
UNION ALL
SELECT channel, to_char(date_time, 'YYYY-MM-DD') AS day, max(to_char(date_time, 'HH24:MI')),
       count(*), count(*) FILTER (WHERE price < 10000),
       count(*) FILTER (WHERE price >= 10000 AND price < 1000000),
       count(*) FILTER (WHERE price >= 1000000), count(DISTINCT bidder),
       count(DISTINCT bidder) FILTER (WHERE price < 10000),
       count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000),
       count(DISTINCT bidder) FILTER (WHERE price >= 1000000), count(DISTINCT auction),
       count(DISTINCT auction) FILTER (WHERE price < 10000),
       count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000),
       count(DISTINCT auction) FILTER (WHERE price >= 1000000)
FROM bid
WHERE CAST(price AS DOUBLE) * 0.908 > 10.5 AND bidder BETWEEN 1000 AND 2000000
GROUP BY channel, to_char(date_time, 'YYYY-MM-DD'))sql";

// A typical 50-line continuous query: two CTEs, a window aggregate, an interval join, CASE,
// string and date functions, and a Top-N.
constexpr const char* kTypicalFiftyLineQuery = R"sql(CREATE STREAM hot_auctions
WITH (state_ttl = '1 hour')
AS
WITH recent_bids AS (
    SELECT auction,
           bidder,
           price,
           channel,
           date_time,
           CASE
               WHEN lower(channel) IN ('apple', 'google') THEN 'mobile'
               WHEN channel LIKE 'channel-%' THEN 'partner'
               ELSE 'web'
           END AS channel_kind,
           split_part(url, '/', 4) AS section
    FROM bid
    WHERE price > 100 AND bidder IS NOT NULL
),
per_window AS (
    SELECT auction,
           tumble_end(date_time, INTERVAL '10' SECOND) AS window_end,
           count(*) AS bids,
           count(DISTINCT bidder) AS bidders,
           max(price) AS top_price,
           avg(price) AS mean_price
    FROM recent_bids
    GROUP BY auction, tumble(date_time, INTERVAL '10' SECOND)
)
SELECT w.auction,
       w.window_end,
       w.bids,
       w.bidders,
       w.top_price,
       round(w.mean_price, 2) AS mean_price,
       a.item_name,
       a.category,
       upper(substring(a.description, 1, 20)) AS teaser,
       CASE WHEN w.top_price > a.reserve THEN 'above reserve' ELSE 'below reserve' END AS status,
       date_trunc('minute', w.window_end) AS minute,
       coalesce(a.extra, '') AS extra
FROM per_window AS w
JOIN auction AS a
  ON w.auction = a.id
 AND a.date_time BETWEEN w.window_end - INTERVAL '1' MINUTE AND w.window_end
WHERE w.bids >= 3
  AND a.category IN (10, 11, 12)
  AND a.item_name NOT LIKE 'test%'
ORDER BY w.top_price DESC
LIMIT 100)sql";

constexpr const char* kSource = R"sql(CREATE SOURCE bid (
    auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
    date_time TIMESTAMP, extra VARCHAR,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND))sql";

constexpr const char* kAuctionSource = R"sql(CREATE SOURCE auction (
    id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT,
    date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND))sql";

void BM_ParseDenseQuery(benchmark::State& state) {
  for (auto _ : state) {
    auto statement = ParseStatement(kDenseQuery);
    if (!statement.ok()) state.SkipWithError(statement.status().ToString().c_str());
    benchmark::DoNotOptimize(statement);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseDenseQuery);

void BM_ParseAndBindDenseQuery(benchmark::State& state) {
  ScriptBinder script;
  if (!script.Run(kSource).ok()) state.SkipWithError("source");
  Binder binder(script.catalog(), functions::FunctionRegistry::BuiltIn());
  for (auto _ : state) {
    auto statement = ParseStatement(kDenseQuery);
    if (!statement.ok()) state.SkipWithError(statement.status().ToString().c_str());
    auto bound = binder.Bind(**statement, kDenseQuery);
    if (!bound.ok()) state.SkipWithError(bound.status().ToString().c_str());
    benchmark::DoNotOptimize(bound);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndBindDenseQuery);

void BM_ParseAndBindTypicalFiftyLineQuery(benchmark::State& state) {
  ScriptBinder script;
  if (!script.Run(kSource).ok()) state.SkipWithError("source");
  if (!script.Run(kAuctionSource).ok()) state.SkipWithError("auction");
  Binder binder(script.catalog(), functions::FunctionRegistry::BuiltIn());
  for (auto _ : state) {
    auto statement = ParseStatement(kTypicalFiftyLineQuery);
    if (!statement.ok()) state.SkipWithError(statement.status().ToString().c_str());
    auto bound = binder.Bind(**statement, kTypicalFiftyLineQuery);
    if (!bound.ok()) state.SkipWithError(bound.status().ToString().c_str());
    benchmark::DoNotOptimize(bound);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndBindTypicalFiftyLineQuery);

// The Nexmark queries (q10 excluded: its connector does not exist yet), as a realistic mix.
void BM_ParseAndBindNexmarkQueries(benchmark::State& state) {
  auto read = [](const std::string& relative) {
    std::ifstream file(std::string(LAMINAR_SOURCE_ROOT) + "/" + relative);
    std::stringstream buffer;
    buffer << file.rdbuf();
    return buffer.str();
  };
  BinderOptions options;
  options.available_connectors = {"nexmark"};
  ScriptBinder script(options);
  if (!script.Run(read("bench/nexmark/sources.sql")).ok()) state.SkipWithError("sources");
  std::vector<std::string> queries;
  for (int q = 0; q <= 22; ++q) {
    if (q == 10 || q == 13) continue;  // q13 creates a table first; q10 needs FILES.
    queries.push_back(read("bench/nexmark/queries/q" + std::to_string(q) + ".sql"));
  }
  Binder binder(script.catalog(), functions::FunctionRegistry::BuiltIn(), options);
  for (auto _ : state) {
    for (const std::string& text : queries) {
      auto statement = ParseStatement(text);
      if (!statement.ok()) state.SkipWithError(statement.status().ToString().c_str());
      auto bound = binder.Bind(**statement, text);
      if (!bound.ok()) state.SkipWithError(bound.status().ToString().c_str());
      benchmark::DoNotOptimize(bound);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(queries.size()));
}
BENCHMARK(BM_ParseAndBindNexmarkQueries);

// A 1 MB statement: a WHERE clause of 30,000 conjuncts and an IN list of 20,000 items.
// Parsing is linear; the issue's bound is one second.
void BM_ParseOneMegabyteStatement(benchmark::State& state) {
  std::string text = "SELECT a FROM t WHERE a > 0";
  while (text.size() < 700'000) text += " AND b <> 'some text here'";
  text += " AND c IN (0";
  for (int i = 1; text.size() < 1'000'000; ++i) text += ", " + std::to_string(i);
  text += ")";
  for (auto _ : state) {
    auto statement = ParseStatement(text);
    if (!statement.ok()) state.SkipWithError(statement.status().ToString().c_str());
    benchmark::DoNotOptimize(statement);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseOneMegabyteStatement)->Unit(benchmark::kMillisecond);

void BM_BindDenseQuery(benchmark::State& state) {
  ScriptBinder script;
  if (!script.Run(kSource).ok()) state.SkipWithError("source");
  Binder binder(script.catalog(), functions::FunctionRegistry::BuiltIn());
  auto statement = ParseStatement(kDenseQuery);
  if (!statement.ok()) state.SkipWithError(statement.status().ToString().c_str());
  for (auto _ : state) {
    auto bound = binder.Bind(**statement, kDenseQuery);
    if (!bound.ok()) state.SkipWithError(bound.status().ToString().c_str());
    benchmark::DoNotOptimize(bound);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BindDenseQuery);

}  // namespace
}  // namespace laminar::sql
