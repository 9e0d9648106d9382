// Checkpoints and recovery of a durable database (issue "Durability" targets): a checkpoint of
// 1M keyed aggregates end to end (<= 200 ms) and the reactor's longest pause while it is taken
// (<= 1 ms; the aggregation writes its groups incrementally, in slices), the same for 1M
// windowed aggregates under EMIT ON WINDOW CLOSE and under EMIT CHANGES, and the recovery of
// that state from local disk (<= 3 s per GB), reported per MB of checkpoint and per MB of memory
// the recovered database holds (resident set growth). Run from a release build; the data directory
// is a temporary directory under /tmp, removed afterwards.

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "columnar/column_builder.h"
#include "laminar/laminardb.h"

namespace laminar {
namespace {

constexpr std::string_view kSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals AS SELECT k, count(*) AS n, sum(v) AS total FROM events GROUP BY k";
/// kSchema with state_ttl: the aggregation also keeps each key's last update and a TTL index
/// entry per key (an hour: nothing expires while the benchmark runs).
constexpr std::string_view kTtlSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals WITH (state_ttl = '1 hour') AS SELECT k, count(*) AS n, sum(v) AS "
    "total FROM events GROUP BY k";
/// The same keys grouped with their event time, which closes each group once the watermark
/// passes it (EMIT ON WINDOW CLOSE): the aggregation also keeps a closing index entry per
/// group. The watermark lags an hour, so none closes while the benchmark runs.
constexpr std::string_view kClosingSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts - INTERVAL '1' HOUR);"
    "CREATE STREAM totals AS SELECT k, ts, count(*) AS n, sum(v) AS total FROM events "
    "GROUP BY k, ts EMIT ON WINDOW CLOSE";
/// The same keys in session windows with a gap of an hour: a session per key, none closed
/// while the benchmark runs (the state holds the groups, the session ends' index and each
/// key's sessions).
constexpr std::string_view kSessionSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals AS SELECT k, window_start, count(*) AS n, sum(v) AS total FROM events "
    "GROUP BY k, session(ts, INTERVAL '1' HOUR)";
/// The same keys in hopping windows of an hour every 10 minutes: the rows fall in three panes,
/// none of which is freed while the benchmark runs (two windows, of one or two rows, close
/// while it fills).
constexpr std::string_view kWindowedSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals AS SELECT k, window_start, count(*) AS n, sum(v) AS total FROM events "
    "GROUP BY k, hop(ts, INTERVAL '1' HOUR, INTERVAL '10' MINUTE)";
/// The same keys in hourly tumbling windows under EMIT CHANGES: the state also holds the row
/// last emitted for each of the 1M results.
constexpr std::string_view kChangesSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals AS SELECT k, window_start, count(*) AS n, sum(v) AS total FROM events "
    "GROUP BY k, tumble(ts, INTERVAL '1' HOUR) EMIT CHANGES";
/// The same keys in hourly tumbling windows under EMIT EVERY 10 minutes (processing time):
/// right after the fill, the current period has changed all 1M results.
constexpr std::string_view kEverySchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals AS SELECT k, window_start, count(*) AS n, sum(v) AS total FROM events "
    "GROUP BY k, tumble(ts, INTERVAL '1' HOUR) EMIT EVERY INTERVAL '10' MINUTE";
/// A Top-10 per group of a changelog (the counts per key, EMIT CHANGES): a changelog input keeps
/// every live row, so the Top-N holds all 1M counts in 1,000 partitions.
constexpr std::string_view kTopNSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM counts AS SELECT k, count(*) AS n FROM events GROUP BY k EMIT CHANGES;"
    "CREATE STREAM totals AS SELECT g, k, n FROM (SELECT k % 1000 AS g, k, n, ROW_NUMBER() "
    "OVER (PARTITION BY k % 1000 ORDER BY n DESC) AS rn FROM counts) WHERE rn <= 10";
/// An interval join of the events with themselves (each row pairs with itself): with Arg(n),
/// n rows on each side (2n rows of join state), none evicted (the band is a day).
constexpr std::string_view kJoinSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals AS SELECT a.k, a.v, b.v AS w FROM events a JOIN events b ON a.k = b.k "
    "AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' DAY";
/// An ASOF join of the events with themselves: each key keeps its latest right row (1M rows of
/// right state), and the left rows at the latest time (a third) wait for the watermark to pass
/// them.
constexpr std::string_view kAsofSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals AS SELECT a.k, a.v, b.v AS w FROM events a ASOF JOIN events b ON "
    "a.k = b.k AND a.ts >= b.ts";
/// A temporal join of the events with an upsert source receiving the same rows (Fill pushes
/// every batch into `versions` too): a version per key (1M), and the events at the latest time
/// (a third) wait for the versions' watermark to pass them.
constexpr std::string_view kTemporalSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE SOURCE versions (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "PRIMARY KEY (k), WATERMARK FOR ts AS ts);"
    "CREATE STREAM totals AS SELECT e.k, e.v, r.v AS w FROM events e JOIN versions FOR "
    "SYSTEM_TIME AS OF e.ts AS r ON e.k = r.k";
/// OVER with a ROWS frame per k % 1000, the watermark an hour behind: every row (1M in 1,000
/// partitions) waits unreleased.
constexpr std::string_view kOverSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts - INTERVAL '1' HOUR);"
    "CREATE STREAM totals AS SELECT k, v, sum(v) OVER (PARTITION BY k % 1000 ORDER BY ts ROWS "
    "BETWEEN 10 PRECEDING AND CURRENT ROW) AS w FROM events";
/// The keyed aggregates of kSchema kept in a materialized view: the view's table holds a row
/// per key besides the aggregation's state.
constexpr std::string_view kViewSchema =
    "CREATE SOURCE events (k BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
    "WATERMARK FOR ts AS ts);"
    "CREATE MATERIALIZED VIEW totals AS SELECT k, count(*) AS n, sum(v) AS total FROM events "
    "GROUP BY k";
constexpr int64_t kBaseMicros = 1'704'067'200'000'000;  // 2024-01-01.

/// The process's resident memory, after returning what malloc holds free to the system (the
/// recovery runs on several threads, whose malloc arenas mallinfo2 does not count).
size_t ResidentBytes() {
  ::malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0;
  size_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

std::string MakeDirectory() {
  char pattern[] = "/tmp/laminar-checkpoint-bench-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) std::abort();
  return pattern;
}

/// A durable database whose `totals` holds `groups` keys (`schema`: kSchema or
/// kWindowedSchema).
std::unique_ptr<LaminarDB> Fill(const std::string& dir, int64_t groups,
                                std::string_view schema_sql = kSchema) {
  Config config;
  config.data_dir = dir;
  auto db = LaminarDB::Open(config);
  if (!db.ok() || !(*db)->Execute(schema_sql).ok() || !(*db)->Start().ok()) std::abort();
  auto source = (*db)->Source("events");
  if (!source.ok()) std::abort();
  auto versions = (*db)->Source("versions");  // Only in kTemporalSchema.
  const auto schema = Schema::Make({{"k", DataType::BigInt(), false},
                                    {"v", DataType::BigInt(), false},
                                    {"ts", DataType::Timestamp(), false}});
  constexpr int64_t kBatch = 4096;
  constexpr int64_t kTenMinutes = 600'000'000;
  for (int64_t first = 0; first < groups; first += kBatch) {
    BatchBuilder builder(schema);
    for (int64_t k = first; k < std::min(groups, first + kBatch); ++k) {
      const std::vector<Value> row = {Value::BigInt(k), Value::BigInt(k * 7),
                                      Value::Timestamp(kBaseMicros + (k % 3) * kTenMinutes)};
      if (!builder.AppendRow(row).ok()) std::abort();
    }
    auto batch = builder.Finish();
    if (!batch.ok() || !source->PushBatch(*batch).ok()) std::abort();
    if (versions.ok() && !versions->PushBatch(*batch).ok()) std::abort();
  }
  if (!(*db)->Sync().ok()) std::abort();
  return std::move(*db);
}

void CheckpointAggregates(benchmark::State& state, std::string_view schema_sql) {
  const std::string dir = MakeDirectory();
  {
    auto db = Fill(dir, state.range(0), schema_sql);
    double pause = 0;
    double bytes = 0;
    double turns = 0;
    double longest = 0;
    for (auto _ : state) {
      auto id = db->Checkpoint();
      if (!id.ok()) {
        state.SkipWithError(id.status().ToString().c_str());
        break;
      }
      const CheckpointStats stats = db->LastCheckpoint();
      pause += static_cast<double>(stats.pause_micros) / 1000.0;
      longest = std::max(longest, static_cast<double>(stats.pause_micros) / 1000.0);
      turns += static_cast<double>(stats.reactor_turns);
      bytes = static_cast<double>(stats.state_bytes);
    }
    state.counters["reactor_pause_ms"] =
        benchmark::Counter(pause / static_cast<double>(state.iterations()));
    state.counters["reactor_pause_max_ms"] = benchmark::Counter(longest);
    state.counters["reactor_turns"] =
        benchmark::Counter(turns / static_cast<double>(state.iterations()));
    state.counters["state_MB"] = benchmark::Counter(bytes / 1e6);
    (void)db->Shutdown();
  }
  std::filesystem::remove_all(dir);
}

void BM_CheckpointKeyedAggregates(benchmark::State& state) { CheckpointAggregates(state, kSchema); }
BENCHMARK(BM_CheckpointKeyedAggregates)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

void BM_CheckpointKeyedAggregatesWithTtl(benchmark::State& state) {
  CheckpointAggregates(state, kTtlSchema);
}
BENCHMARK(BM_CheckpointKeyedAggregatesWithTtl)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

void BM_CheckpointGroupsClosedByKey(benchmark::State& state) {
  CheckpointAggregates(state, kClosingSchema);
}
BENCHMARK(BM_CheckpointGroupsClosedByKey)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

void BM_CheckpointSessions(benchmark::State& state) { CheckpointAggregates(state, kSessionSchema); }
BENCHMARK(BM_CheckpointSessions)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);

/// The same for 1M keys in hopping windows (each key in one pane, so 1M pane states).
void BM_CheckpointWindowedAggregates(benchmark::State& state) {
  CheckpointAggregates(state, kWindowedSchema);
}
BENCHMARK(BM_CheckpointWindowedAggregates)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

/// The same for 1M results of tumbling windows under EMIT CHANGES.
void BM_CheckpointWindowedChanges(benchmark::State& state) {
  CheckpointAggregates(state, kChangesSchema);
}
BENCHMARK(BM_CheckpointWindowedChanges)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

/// The same for 1M results of tumbling windows under EMIT EVERY, all changed in the period.
void BM_CheckpointWindowedEvery(benchmark::State& state) {
  CheckpointAggregates(state, kEverySchema);
}
BENCHMARK(BM_CheckpointWindowedEvery)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);

/// The same for a Top-N holding 1M rows (and the 1M groups feeding it).
void BM_CheckpointTopN(benchmark::State& state) { CheckpointAggregates(state, kTopNSchema); }
BENCHMARK(BM_CheckpointTopN)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);

/// The same for an interval join holding 1M rows (500,000 a side).
void BM_CheckpointIntervalJoin(benchmark::State& state) {
  CheckpointAggregates(state, kJoinSchema);
}
BENCHMARK(BM_CheckpointIntervalJoin)->Arg(500'000)->Unit(benchmark::kMillisecond)->Iterations(5);

/// The same for an ASOF join holding 1M right rows and 333,333 waiting left rows.
void BM_CheckpointAsofJoin(benchmark::State& state) { CheckpointAggregates(state, kAsofSchema); }
BENCHMARK(BM_CheckpointAsofJoin)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);

/// The same for a temporal join holding 1M versions and 333,333 waiting rows.
void BM_CheckpointTemporalJoin(benchmark::State& state) {
  CheckpointAggregates(state, kTemporalSchema);
}
BENCHMARK(BM_CheckpointTemporalJoin)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);

/// The same for OVER holding 1M unreleased rows.
void BM_CheckpointOver(benchmark::State& state) { CheckpointAggregates(state, kOverSchema); }
BENCHMARK(BM_CheckpointOver)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);

/// The same with the aggregates in a materialized view (1M rows in the view's table).
void BM_CheckpointViewOfAggregates(benchmark::State& state) {
  CheckpointAggregates(state, kViewSchema);
}
BENCHMARK(BM_CheckpointViewOfAggregates)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

void BM_RecoverKeyedAggregates(benchmark::State& state) {
  const std::string dir = MakeDirectory();
  uint64_t bytes = 0;
  {
    auto db = Fill(dir, state.range(0));
    if (!db->Shutdown().ok()) std::abort();
    bytes = db->LastCheckpoint().state_bytes;
  }
  double memory = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const size_t heap_before = ResidentBytes();
    state.ResumeTiming();
    Config config;
    config.data_dir = dir;
    auto db = LaminarDB::Open(config);
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      break;
    }
    state.PauseTiming();
    // What the recovered database holds in memory.
    memory = static_cast<double>(ResidentBytes() - heap_before);
    (*db)->SimulateCrash();  // No new checkpoint: every iteration recovers the same one.
    db->reset();
    state.ResumeTiming();
  }
  state.counters["state_MB"] = benchmark::Counter(static_cast<double>(bytes) / 1e6);
  state.counters["MB_per_s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6,
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["memory_MB"] = benchmark::Counter(memory / 1e6);
  state.counters["memory_MB_per_s"] =
      benchmark::Counter(memory / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RecoverKeyedAggregates)
    ->Arg(1'000'000)
    ->Arg(4'000'000)
    ->Arg(9'000'000)   // 0.7 GB in memory once recovered (0.84 GB with 24-byte table entries).
    ->Arg(14'000'000)  // More than 1 GB in memory once recovered.
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

/// BM_RecoverKeyedAggregates with 1 GB of checkpoint: 60M groups, about 1.1 GB on disk and
/// 6.2 GB in memory once recovered. Filling them takes more than a minute and 11 GB, so it
/// runs only when LAMINAR_BENCH_LARGE=1 is set.
void BM_RecoverOneGigabyteOfCheckpoint(benchmark::State& state) {
  const char* large = std::getenv("LAMINAR_BENCH_LARGE");
  if (large == nullptr || std::string_view(large) != "1") {
    state.SkipWithError("set LAMINAR_BENCH_LARGE=1 to run (about 11 GB of memory, 2 minutes)");
    for (auto _ : state) {
    }
    return;
  }
  BM_RecoverKeyedAggregates(state);
}
BENCHMARK(BM_RecoverOneGigabyteOfCheckpoint)
    ->Arg(60'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

}  // namespace
}  // namespace laminar
