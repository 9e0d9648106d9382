#include "server/nexmark_bench.h"

#include <gtest/gtest.h>

#include "nexmark/generator.h"
#include "server/nexmark_queries.h"
#include "server/output_checksum.h"

namespace laminar::server {
namespace {

constexpr uint64_t kEvents = 20'000;

NexmarkBenchOptions Options(std::string query, bool pregenerate) {
  NexmarkBenchOptions options;
  options.query = std::move(query);
  options.events = kEvents;
  options.pregenerate = pregenerate;
  return options;
}

// The checksum q0 must produce: the generated bids' columns auction, bidder, price, date_time,
// extra, computed here without the engine.
std::string ExpectedQ0Checksum() {
  const Batch bids =
      nexmark::GenerateTable(nexmark::NexmarkConfig(), nexmark::NexmarkTable::kBid, 0, kEvents)
          .value();
  std::vector<Field> fields;
  std::vector<Column> columns;
  for (const char* name : {"auction", "bidder", "price", "date_time", "extra"}) {
    const int index = bids.schema().FieldIndex(name).value();
    fields.push_back(bids.schema().field(index));
    columns.push_back(bids.column(index));
  }
  OutputChecksum checksum;
  checksum.Add(exec::ChangeBatch{Batch::Make(Schema::Make(fields), columns).value(), {}});
  return checksum.Hex();
}

TEST(NexmarkBenchTest, EveryQueryIsBuiltIn) {
  const std::vector<std::string> names = NexmarkQueryNames();
  ASSERT_EQ(names.size(), 23u);
  for (int q = 0; q <= 22; ++q) {
    EXPECT_EQ(names[static_cast<size_t>(q)], fmt::format("q{}", q));
    const std::optional<std::string_view> sql = NexmarkQuerySql(names[static_cast<size_t>(q)]);
    ASSERT_TRUE(sql.has_value());
    EXPECT_NE(sql->find(fmt::format("nexmark_q{}", q)), std::string_view::npos);
  }
  EXPECT_FALSE(NexmarkQuerySql("q23").has_value());
  EXPECT_FALSE(NexmarkQuerySql("../sources").has_value());
  EXPECT_NE(NexmarkSourcesSql().find("CREATE SOURCE bid"), std::string_view::npos);
}

TEST(NexmarkBenchTest, PassThroughEmitsExactlyTheGeneratedBidsInBothModes) {
  const std::string expected = ExpectedQ0Checksum();
  for (const bool pregenerate : {false, true}) {
    Result<NexmarkReport> report = RunNexmarkBench(Options("q0", pregenerate));
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->supported);
    EXPECT_EQ(report->tables, "bid");
    EXPECT_EQ(report->input_rows, nexmark::CountEvents(nexmark::NexmarkTable::kBid, 0, kEvents));
    EXPECT_EQ(report->output_rows, static_cast<int64_t>(report->input_rows));
    EXPECT_EQ(report->checksum, expected) << (pregenerate ? "pregenerate" : "connector");
    EXPECT_GT(report->events_per_sec, 0);
    EXPECT_GT(report->events_per_sec_per_core, 0);
    EXPECT_GT(report->peak_rss_mb, 0);
  }
}

TEST(NexmarkBenchTest, TheChecksumDoesNotDependOnTheBatchSize) {
  NexmarkBenchOptions small = Options("q22", true);
  small.batch_rows = 100;
  NexmarkBenchOptions large = Options("q22", false);
  large.batch_rows = 10'000;
  Result<NexmarkReport> a = RunNexmarkBench(small);
  Result<NexmarkReport> b = RunNexmarkBench(large);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->checksum, b->checksum);
  EXPECT_EQ(a->output_rows, b->output_rows);
}

TEST(NexmarkBenchTest, FilterKeepsTheMatchingBids) {
  const Batch bids =
      nexmark::GenerateTable(nexmark::NexmarkConfig(), nexmark::NexmarkTable::kBid, 0, kEvents)
          .value();
  const int64_t* auctions =
      bids.column(bids.schema().FieldIndex("auction").value()).Values<int64_t>();
  int64_t matching = 0;
  for (int64_t row = 0; row < bids.num_rows(); ++row) matching += auctions[row] % 123 == 0;
  ASSERT_GT(matching, 0);
  Result<NexmarkReport> report = RunNexmarkBench(Options("q2", true));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->output_rows, matching);
}

TEST(NexmarkBenchTest, AChangelogReportsItsNetRowsAndItsChanges) {
  // q15 groups by day; at 1 event per second 20,000 events span 2015-07-15 00:00 to 05:33, one
  // day, whose row is updated (retracted and inserted again) as the batches arrive.
  for (const bool pregenerate : {false, true}) {
    NexmarkBenchOptions options = Options("q15", pregenerate);
    options.rate = 1;
    options.batch_rows = 1000;
    Result<NexmarkReport> report = RunNexmarkBench(options);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->output_rows, 1);
    EXPECT_GT(report->output_changes, 1);
    EXPECT_EQ(report->output_changes % 2, 1) << "each update is a retraction and an insertion";
  }
}

TEST(NexmarkBenchTest, AppendOnlyOutputHasAsManyChangesAsRows) {
  Result<NexmarkReport> report = RunNexmarkBench(Options("q2", true));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->output_changes, report->output_rows);
}

TEST(NexmarkBenchTest, LatencyIsMeasuredOnlyForPushedInput) {
  Result<NexmarkReport> pushed = RunNexmarkBench(Options("q1", true));
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  EXPECT_EQ(pushed->mode, "pregenerate");
  ASSERT_TRUE(pushed->p50_us.has_value());
  ASSERT_TRUE(pushed->p99_us.has_value());
  EXPECT_GT(pushed->latency_samples, 0u);
  EXPECT_LE(*pushed->p50_us, *pushed->p99_us);
  EXPECT_GT(pushed->input_mb, 0);

  Result<NexmarkReport> generated = RunNexmarkBench(Options("q1", false));
  ASSERT_TRUE(generated.ok()) << generated.status();
  EXPECT_EQ(generated->mode, "connector");
  EXPECT_FALSE(generated->p50_us.has_value());
  EXPECT_EQ(generated->checksum, pushed->checksum);
}

TEST(NexmarkBenchTest, AnUnsupportedQueryIsReportedWithItsCode) {
  for (const bool pregenerate : {false, true}) {
    Result<NexmarkReport> report = RunNexmarkBench(Options("q10", pregenerate));
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_FALSE(report->supported);
    EXPECT_EQ(report->error.code(), ErrorCode::kNotSupported) << report->error;
  }
}

TEST(NexmarkBenchTest, BadOptionsAreRefusedWithTheirCodes) {
  NexmarkBenchOptions options = Options("q0", false);
  options.workers = 2;
  EXPECT_EQ(ValidateNexmarkBenchOptions(options).code(), ErrorCode::kNotSupported);
  EXPECT_EQ(RunNexmarkBench(options).status().code(), ErrorCode::kNotSupported);
  options = Options("q99", false);
  EXPECT_EQ(ValidateNexmarkBenchOptions(options).code(), ErrorCode::kInvalidOption);
  options = Options("q0", false);
  options.source_queue_batches = 3;
  EXPECT_EQ(ValidateNexmarkBenchOptions(options).code(), ErrorCode::kInvalidOption);
  options = Options("q0", false);
  options.events = 0;
  EXPECT_EQ(ValidateNexmarkBenchOptions(options).code(), ErrorCode::kInvalidOption);
  options = Options("q0", false);
  options.rate = 0;
  EXPECT_FALSE(ValidateNexmarkBenchOptions(options).ok());
}

}  // namespace
}  // namespace laminar::server
