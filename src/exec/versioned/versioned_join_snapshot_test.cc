// Checkpoints of the versioned joins (ASOF, temporal, lookup): random inputs (fixed seeds) run
// without interruption and with Snapshot / Restore into a fresh operator at random points must
// give the same outputs, event for event; damaged state is refused.

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "common/clock.h"
#include "exec/operators/snapshot_test_support.h"
#include "exec/versioned/asof_join_operator.h"
#include "exec/versioned/lookup_join_operator.h"
#include "exec/versioned/temporal_join_operator.h"
#include "exec/versioned/versioned_join_test_support.h"

namespace laminar::exec {
namespace {

using sql::AsofComparison;
using sql::JoinKind;

std::shared_ptr<const Schema> SideSchema(std::string_view prefix) {
  return Schema::Make({{std::string(prefix) + "k", DataType::BigInt(), true},
                       {std::string(prefix) + "t", DataType::Timestamp(), true},
                       {std::string(prefix) + "v", DataType::Varchar(), true}});
}

std::shared_ptr<const Schema> JoinedSchema(const std::shared_ptr<const Schema>& right) {
  return JoinedSchemaOf(*SideSchema("l"), *right);
}

/// Random rows of one side: keys 0 .. keys - 1 (a few NULL), times around `base` (a few NULL,
/// a few behind the side's watermark), string payloads.
ChangeBatch RandomBatch(std::mt19937& random, std::string_view prefix, int64_t base,
                        int64_t* next_payload, int keys = 4) {
  BatchBuilder builder(SideSchema(prefix));
  const int rows = 1 + static_cast<int>(random() % 6);
  for (int i = 0; i < rows; ++i) {
    const Value key = random() % 10 != 0 ? Value::BigInt(static_cast<int64_t>(random() % keys))
                                         : Value::Null(DataType::BigInt());
    const Value time = random() % 16 != 0
                           ? Value::Timestamp(base + static_cast<int64_t>(random() % 8) - 2)
                           : Value::Null(DataType::Timestamp());
    const Value payload = Value::Varchar(fmt::format("{}{}", prefix, (*next_payload)++));
    const std::vector<Value> values = {key, time, payload};
    EXPECT_TRUE(builder.AppendRow(values).ok());
  }
  return ChangeBatch{builder.Finish().value(), {}};
}

/// Random batches on both ports (only port 0 without `with_right`), random watermarks and
/// clock moves, then the right input ends, then the left one.
std::vector<OperatorStep> TwoInputSteps(uint32_t seed, bool with_right = true, int batches = 50,
                                        int keys = 4) {
  std::mt19937 random(seed);
  std::vector<OperatorStep> steps;
  int64_t base[2] = {0, 0};
  int64_t payload = 0;
  for (int step = 0; step < batches; ++step) {
    const int port = with_right ? static_cast<int>(random() % 2) : 0;
    base[port] += static_cast<int64_t>(random() % 3);
    steps.push_back(OperatorStep::Rows(
        port, RandomBatch(random, port == 0 ? "l" : "r", base[port], &payload, keys)));
    if (random() % 3 == 0) {
      const int watermark_port = with_right ? static_cast<int>(random() % 2) : 0;
      steps.push_back(OperatorStep::Watermark(watermark_port, base[watermark_port] - 1));
    }
    if (random() % 5 == 0) steps.push_back(OperatorStep::Clock(step * 100));
  }
  steps.push_back(OperatorStep::Watermark(1, kMaxWatermark));
  steps.push_back(OperatorStep::Watermark(0, kMaxWatermark));
  return steps;
}

std::unique_ptr<AsofJoinOperator> MakeAsofJoin(AsofComparison comparison, JoinKind kind,
                                               std::optional<int64_t> tolerance) {
  return MakeTestAsofJoin(*SideSchema("l"), *SideSchema("r"), comparison, kind, tolerance);
}

std::unique_ptr<TemporalJoinOperator> MakeTemporalJoin(bool event_time, JoinKind kind) {
  return MakeTestTemporalJoin(*SideSchema("l"), *SideSchema("r"), event_time, kind);
}

constexpr AsofComparison kAsofComparisons[] = {AsofComparison::kGreaterEqual,
                                               AsofComparison::kGreater, AsofComparison::kLessEqual,
                                               AsofComparison::kLess, AsofComparison::kNearest};

/// The ASOF join of a random case: a LEFT join for even seeds, a tolerance for every third.
OperatorFactory AsofCase(AsofComparison comparison, uint32_t seed) {
  const JoinKind kind = seed % 2 == 0 ? JoinKind::kLeft : JoinKind::kInner;
  const std::optional<int64_t> tolerance =
      seed % 3 == 0 ? std::optional<int64_t>(seed % 5) : std::nullopt;
  return [=]() -> std::unique_ptr<Operator> { return MakeAsofJoin(comparison, kind, tolerance); };
}

TEST(VersionedJoinSnapshotTest, AsofJoinsRestoredMidStreamGiveTheSameOutput) {
  for (const AsofComparison comparison : kAsofComparisons) {
    for (uint32_t seed = 1; seed <= 12; ++seed) {
      SCOPED_TRACE(fmt::format("comparison {} seed {}", static_cast<int>(comparison), seed));
      const OperatorFactory make = AsofCase(comparison, seed);
      const std::vector<std::string> states =
          ExpectSnapshotsAreTransparent(make, TwoInputSteps(seed), seed);
      if (seed % 6 == 0 && !states.empty()) ExpectDamagedStateRefused(make, states.back(), seed);
    }
  }
}

TEST(VersionedJoinSnapshotTest, IncrementalSnapshotsOfAsofJoinsAreExact) {
  // 40 keys: writing the keys takes many calls, while right rows arrive for keys not written
  // yet, are evicted, keys go and their ids come back, and waiting rows are released.
  size_t interleaved_total = 0;
  for (const AsofComparison comparison : kAsofComparisons) {
    for (uint32_t seed = 1; seed <= 6; ++seed) {
      SCOPED_TRACE(fmt::format("comparison {} seed {}", static_cast<int>(comparison), seed));
      const OperatorFactory make = AsofCase(comparison, seed);
      ExpectIncrementalCaseIsExact(make, TwoInputSteps(seed, true, 300, 40), seed, seed == 4,
                                   &interleaved_total);
    }
  }
  EXPECT_GT(interleaved_total, 1000u);
}

TEST(VersionedJoinSnapshotTest, IncrementalSnapshotsOfAsofJoinsReleaseTheirCopies) {
  // Copies keep batches retained: a completed snapshot releases them as it writes them, an
  // abandoned one when cancelled, and the join goes on as if no snapshot had begun.
  const std::vector<OperatorStep> steps = TwoInputSteps(7, true, 300, 40);
  const size_t third = steps.size() / 3;
  auto reference = MakeAsofJoin(AsofComparison::kGreaterEqual, JoinKind::kLeft, std::nullopt);
  auto join = MakeAsofJoin(AsofComparison::kGreaterEqual, JoinKind::kLeft, std::nullopt);
  RecordingOutput expected;
  RecordingOutput actual;
  ASSERT_TRUE(RunOperatorSteps(*reference, steps, 0, 2 * third, nullptr, expected).ok());
  ASSERT_TRUE(RunOperatorSteps(*join, steps, 0, third, nullptr, actual).ok());
  ASSERT_TRUE(join->BeginSnapshot().value());
  size_t position = third;
  for (;; ++position) {
    ASSERT_TRUE(RunOperatorSteps(*join, steps, position, position + 1, nullptr, actual).ok());
    Result<std::optional<StatePieces>> more = join->ContinueSnapshot(1);
    ASSERT_TRUE(more.ok());
    if (more->has_value()) break;
  }
  ASSERT_GT(position, third + 20);
  ASSERT_LT(position, 2 * third);
  ASSERT_TRUE(RunOperatorSteps(*join, steps, position + 1, 2 * third, nullptr, actual).ok());
  EXPECT_EQ(join->retained_batches(), reference->retained_batches());
  ASSERT_TRUE(join->BeginSnapshot().value());
  ASSERT_TRUE(join->ContinueSnapshot(1).ok());
  ASSERT_TRUE(RunOperatorSteps(*join, steps, 2 * third, 2 * third + 40, nullptr, actual).ok());
  join->CancelSnapshot();
  ASSERT_TRUE(RunOperatorSteps(*join, steps, 2 * third + 40, steps.size(), nullptr, actual).ok());
  ASSERT_TRUE(RunOperatorSteps(*reference, steps, 2 * third, steps.size(), nullptr, expected).ok());
  EXPECT_EQ(FirstDifference(expected.events, actual.events), "");
  EXPECT_EQ(join->MetricsText(), reference->MetricsText());
  EXPECT_EQ(join->retained_batches(), reference->retained_batches());
  // A new snapshot holds the same state as one at the barrier.
  ASSERT_TRUE(join->BeginSnapshot().value());
  const std::string state = FinishSnapshot(*join);
  storage::StateWriter whole;
  ASSERT_TRUE(reference->Snapshot(whole).ok());
  for (const std::string& bytes : {state, whole.data()}) {
    auto restored = MakeAsofJoin(AsofComparison::kGreaterEqual, JoinKind::kLeft, std::nullopt);
    storage::StateReader reader(bytes, "test");
    ASSERT_TRUE(restored->Restore(reader).ok());
    EXPECT_EQ(restored->MetricsText(), reference->MetricsText());
  }
}

Batch SideRows(std::string_view prefix, const std::vector<std::vector<Value>>& values) {
  BatchBuilder builder(SideSchema(prefix));
  for (const std::vector<Value>& row : values) EXPECT_TRUE(builder.AppendRow(row).ok());
  return builder.Finish().value();
}

std::vector<Value> SideRow(std::optional<int64_t> key, int64_t time, std::string_view payload) {
  return {key ? Value::BigInt(*key) : Value::Null(DataType::BigInt()), Value::Timestamp(time),
          Value::Varchar(std::string(payload))};
}

TEST(VersionedJoinSnapshotTest, ForgedAsofJoinStatesFailRestore) {
  // Version 2 by hand: the head, chunks of right rows, chunks of waiting rows. `count` is the
  // row count the right chunk claims.
  auto state = [](const Batch& right, size_t count) {
    storage::StateWriter writer;
    writer.WriteVersion(2);
    for (int i = 0; i < 4; ++i) writer.I64(5);
    for (int i = 0; i < 4; ++i) writer.VarU64(0);
    writer.VarU64(count);
    writer.BatchOf(right);
    writer.VarU64(0);
    writer.VarU64(1);
    writer.BatchOf(SideRows("l", {SideRow(1, 25, "l25")}));
    writer.VarU64(0);
    return writer.Release();
  };
  auto restore = [](const std::string& bytes) {
    auto join = MakeAsofJoin(AsofComparison::kGreaterEqual, JoinKind::kInner, std::nullopt);
    storage::StateReader reader(bytes, "forged");
    Status status = join->Restore(reader);
    if (status.ok()) status = reader.Finish();
    return status;
  };
  const Batch in_order = SideRows("r", {SideRow(1, 10, "a"), SideRow(1, 20, "b")});
  EXPECT_TRUE(restore(state(in_order, 2)).ok());  // The control.
  Status status = restore(state(in_order, 3));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("a chunk of 3 right rows holding 2"), std::string::npos)
      << status;
  status = restore(state(SideRows("r", {SideRow(1, 20, "b"), SideRow(1, 10, "a")}), 2));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("out of time order"), std::string::npos) << status;
  status = restore(state(SideRows("r", {SideRow(1, 10, "a"), SideRow(std::nullopt, 20, "b")}), 2));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("NULL key or time"), std::string::npos) << status;
}

TEST(VersionedJoinSnapshotTest, AsofJoinStateOfVersionOneIsStillRead) {
  // Version 1 (before chunks): the right rows as one batch, then the waiting rows as one.
  auto rows = SideRows;
  storage::StateWriter writer;
  writer.WriteVersion(1);
  for (const int64_t watermark : {int64_t{5}, int64_t{12}, int64_t{5}, int64_t{5}}) {
    writer.I64(watermark);
  }
  for (const uint64_t counter : {3, 1, 0, 2}) writer.VarU64(counter);
  writer.BatchOf(rows("r", {{Value::BigInt(1), Value::Timestamp(10), Value::Varchar("r10")},
                            {Value::BigInt(1), Value::Timestamp(20), Value::Varchar("r20")},
                            {Value::BigInt(2), Value::Timestamp(15), Value::Varchar("r15")}}));
  writer.BatchOf(rows("l", {{Value::BigInt(1), Value::Timestamp(25), Value::Varchar("l25")},
                            {Value::BigInt(2), Value::Timestamp(14), Value::Varchar("l14")}}));
  auto join = MakeAsofJoin(AsofComparison::kGreaterEqual, JoinKind::kLeft, std::nullopt);
  storage::StateReader reader(writer.data(), "version 1");
  ASSERT_TRUE(join->Restore(reader).ok());
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(join->right_rows(), 3u);
  EXPECT_EQ(join->waiting_rows(), 2u);
  EXPECT_EQ(join->MetricsText(),
            "rows out 3; waiting left rows 2; right rows 3; right rows evicted 2; live keys 2; "
            "late left rows 1; late right rows 0");
  RecordingOutput out;
  ASSERT_TRUE(join->OnWatermark(1, kMaxWatermark, out).ok());
  ASSERT_FALSE(out.events.empty());
  EXPECT_EQ(out.events[0],
            "batch | 1 1970-01-01 00:00:00.000025 l25 1 1970-01-01 00:00:00.00002 r20 @1 | 2 "
            "1970-01-01 00:00:00.000014 l14 NULL NULL NULL @1");
}

TEST(VersionedJoinSnapshotTest, TemporalJoinsRestoredMidStreamGiveTheSameOutput) {
  for (const bool event_time : {true, false}) {
    for (const JoinKind kind : {JoinKind::kInner, JoinKind::kLeft}) {
      for (uint32_t seed = 1; seed <= 16; ++seed) {
        SCOPED_TRACE(fmt::format("event time {} kind {} seed {}", event_time,
                                 sql::JoinKindName(kind), seed));
        OperatorFactory make = [&]() -> std::unique_ptr<Operator> {
          return MakeTemporalJoin(event_time, kind);
        };
        const std::vector<std::string> states =
            ExpectSnapshotsAreTransparent(make, TwoInputSteps(seed), seed);
        if (seed % 8 == 0 && !states.empty()) {
          ExpectDamagedStateRefused(make, states.back(), seed);
        }
      }
    }
  }
}

TEST(VersionedJoinSnapshotTest, IncrementalSnapshotsOfTemporalJoinsAreExact) {
  // 40 keys: writing them takes many calls, while versions arrive for keys not written yet,
  // eviction drops older ones, new keys come, and waiting rows are released.
  size_t interleaved_total = 0;
  for (const bool event_time : {true, false}) {
    for (const JoinKind kind : {JoinKind::kInner, JoinKind::kLeft}) {
      for (uint32_t seed = 1; seed <= 6; ++seed) {
        SCOPED_TRACE(fmt::format("event time {} kind {} seed {}", event_time,
                                 sql::JoinKindName(kind), seed));
        OperatorFactory make = [&]() -> std::unique_ptr<Operator> {
          return MakeTemporalJoin(event_time, kind);
        };
        ExpectIncrementalCaseIsExact(make, TwoInputSteps(seed, true, 300, 40), seed, seed == 3,
                                     &interleaved_total);
      }
    }
  }
  EXPECT_GT(interleaved_total, 1000u);
}

TEST(VersionedJoinSnapshotTest, AnAbandonedIncrementalSnapshotOfATemporalJoinLeavesItAsItWas) {
  const std::vector<OperatorStep> steps = TwoInputSteps(5, true, 200, 40);
  auto reference = MakeTemporalJoin(true, JoinKind::kLeft);
  RecordingOutput expected;
  ASSERT_TRUE(RunOperatorSteps(*reference, steps, 0, steps.size(), nullptr, expected).ok());
  auto join = MakeTemporalJoin(true, JoinKind::kLeft);
  RecordingOutput actual;
  const size_t half = steps.size() / 2;
  ASSERT_TRUE(RunOperatorSteps(*join, steps, 0, half, nullptr, actual).ok());
  ASSERT_TRUE(join->BeginSnapshot().value());
  ASSERT_TRUE(join->ContinueSnapshot(1).ok());
  ASSERT_TRUE(RunOperatorSteps(*join, steps, half, half + 40, nullptr, actual).ok());
  join->CancelSnapshot();
  // A new one after the cancelled one completes.
  ASSERT_TRUE(join->BeginSnapshot().value());
  const std::string state = FinishSnapshot(*join, 3);
  ASSERT_TRUE(RunOperatorSteps(*join, steps, half + 40, steps.size(), nullptr, actual).ok());
  EXPECT_EQ(FirstDifference(expected.events, actual.events), "");
  EXPECT_EQ(join->MetricsText(), reference->MetricsText());
  // The second snapshot is the state before step half + 40: restored, it goes on from there.
  EXPECT_GT(ExpectStateGoesOn([] { return MakeTemporalJoin(true, JoinKind::kLeft); }, steps,
                              half + 40, state),
            0u);
}

TEST(VersionedJoinSnapshotTest, TemporalJoinStateOfVersionOneIsStillRead) {
  // Version 1 (before chunks): the number of keys, every key, then a flag and one batch of
  // waiting rows.
  storage::StateWriter writer;
  writer.WriteVersion(1);
  for (const int64_t watermark : {int64_t{5}, int64_t{12}, int64_t{5}}) writer.I64(watermark);
  for (const uint64_t counter : {1, 4, 2}) writer.VarU64(counter);
  writer.VarU64(2);
  auto version = [&](int64_t key, int64_t time, std::string_view payload) {
    writer.VarI64(time);
    writer.VarU64(3);
    writer.ValueOf(Value::BigInt(key));
    writer.ValueOf(Value::Timestamp(time));
    writer.ValueOf(Value::Varchar(std::string(payload)));
  };
  // Keys encoded as the join encodes them.
  JoinKeyEvaluator encoder =
      JoinKeyEvaluator::Make({sql::MakeColumn(0, "k", DataType::BigInt())}, {}).value();
  const Batch keys = SideRows("r", {SideRow(1, 0, ""), SideRow(2, 0, "")});
  ASSERT_TRUE(encoder.Evaluate(keys).ok());
  for (const int64_t key : {1, 2}) {
    writer.Bytes(encoder.key(key - 1));
    writer.VarU64(key == 1 ? 2 : 1);
    version(key, 10, fmt::format("r{}a", key));
    if (key == 1) version(key, 20, "r1b");
  }
  writer.Bool(true);
  writer.BatchOf(SideRows("l", {SideRow(1, 25, "l25"), SideRow(2, 14, "l14")}));
  auto join = MakeTemporalJoin(true, JoinKind::kLeft);
  storage::StateReader reader(writer.data(), "version 1");
  ASSERT_TRUE(join->Restore(reader).ok());
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(join->MetricsText(),
            "rows out 4; late rows 1; waiting rows 2; keys 2; versions 3; versions evicted 2");
  RecordingOutput out;
  ASSERT_TRUE(join->OnWatermark(1, kMaxWatermark, out).ok());
  ASSERT_FALSE(out.events.empty());
  EXPECT_EQ(out.events[0],
            "batch | 1 1970-01-01 00:00:00.000025 l25 1 1970-01-01 00:00:00.00002 r1b @1 | 2 "
            "1970-01-01 00:00:00.000014 l14 2 1970-01-01 00:00:00.00001 r2a @1");
}

TEST(VersionedJoinSnapshotTest, ForgedTemporalJoinStatesFailRestore) {
  auto restore = [](const std::string& bytes) {
    auto join = MakeTemporalJoin(true, JoinKind::kInner);
    storage::StateReader reader(bytes, "forged");
    Status status = join->Restore(reader);
    if (status.ok()) status = reader.Finish();
    return status;
  };
  JoinKeyEvaluator encoder =
      JoinKeyEvaluator::Make({sql::MakeColumn(0, "k", DataType::BigInt())}, {}).value();
  const Batch keys = SideRows("r", {SideRow(1, 0, ""), SideRow(2, 0, "")});
  ASSERT_TRUE(encoder.Evaluate(keys).ok());
  // The head, a chunk of keys (`key_rows`: rows of `keys`, each with one version of
  // `version_values` values), then a chunk of waiting rows claiming `count` rows (`narrow`:
  // without their last column).
  auto state = [&](size_t count, const std::vector<int64_t>& key_rows, int version_values = 3,
                   bool narrow = false) {
    storage::StateWriter writer;
    writer.WriteVersion(2);
    for (int i = 0; i < 3; ++i) writer.I64(5);
    for (int i = 0; i < 3; ++i) writer.VarU64(0);
    writer.VarU64(key_rows.size());
    for (const int64_t row : key_rows) {
      writer.Bytes(encoder.key(row));
      writer.VarU64(1);
      writer.VarI64(3);
      writer.VarU64(static_cast<uint64_t>(version_values));
      for (int c = 0; c < version_values; ++c) writer.ValueOf(keys.column(c).GetValue(row));
    }
    if (!key_rows.empty()) writer.VarU64(0);
    writer.VarU64(count);
    const Batch waiting = SideRows("l", {SideRow(1, 25, "l25"), SideRow(2, 26, "l26")});
    writer.BatchOf(
        narrow ? Batch::Make(Schema::Make({waiting.schema().field(0), waiting.schema().field(1)}),
                             {waiting.column(0), waiting.column(1)})
                     .value()
               : waiting);
    writer.VarU64(0);
    return writer.Release();
  };
  EXPECT_TRUE(restore(state(2, {})).ok());  // The controls.
  EXPECT_TRUE(restore(state(2, {0, 1})).ok());
  Status status = restore(state(3, {}));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("a chunk of 3 waiting rows holding 2"), std::string::npos)
      << status;
  status = restore(state(2, {0, 1, 0}));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("a key repeated"), std::string::npos) << status;
  // Versions and waiting rows of other widths than the inputs' (the output takes them as its
  // columns).
  status = restore(state(2, {0}, 0));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("right input"), std::string::npos) << status;
  status = restore(state(2, {}, 3, true));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("left input"), std::string::npos) << status;
}

/// A table keyed by BIGINT whose version (and contents) follow the clock: version = now / 1000,
/// and key k's row exists when (k + version) % 3 != 0, named after the version.
class ClockedLookupSource final : public LookupSource {
 public:
  explicit ClockedLookupSource(const Clock* clock)
      : clock_(clock),
        schema_(Schema::Make(
            {{"id", DataType::BigInt(), false}, {"name", DataType::Varchar(), true}})) {}
  const std::shared_ptr<const Schema>& schema() const override { return schema_; }
  const std::vector<int>& key_columns() const override { return key_columns_; }
  uint64_t version() const override { return static_cast<uint64_t>(clock_->NowMicros() / 1000); }
  Result<LookupResult> Lookup(const LookupRequest& request) override {
    LookupResult result;
    BatchBuilder builder(schema_);
    const uint64_t current = version();
    for (int64_t p = 0; p < request.keys.num_rows(); ++p) {
      const int64_t id = request.keys.column(0).Values<int64_t>()[p];
      if ((static_cast<uint64_t>(id) + current) % 3 == 0) continue;
      LAMINAR_RETURN_IF_ERROR(builder.column(0).AppendValue(Value::BigInt(id)));
      LAMINAR_RETURN_IF_ERROR(builder.column(1).AppendString(fmt::format("v{} {}", current, id)));
      result.probe.push_back(static_cast<int32_t>(p));
    }
    LAMINAR_ASSIGN_OR_RETURN(result.rows, builder.Finish());
    return result;
  }
  std::string Describe() const override { return "clocked"; }

 private:
  const Clock* clock_;
  std::shared_ptr<const Schema> schema_;
  std::vector<int> key_columns_{0};
};

TEST(VersionedJoinSnapshotTest, LookupJoinsRestoredMidStreamGiveTheSameOutputAndCounters) {
  ManualClock clock;
  auto source = std::make_shared<ClockedLookupSource>(&clock);
  for (const JoinKind kind : {JoinKind::kInner, JoinKind::kLeft}) {
    for (uint32_t seed = 1; seed <= 8; ++seed) {
      SCOPED_TRACE(fmt::format("kind {} seed {}", sql::JoinKindName(kind), seed));
      auto make_join = [&] {
        LookupJoinDefinition definition;
        definition.kind = kind;
        definition.source = source;
        definition.key_expressions = {sql::MakeColumn(0, "lk", DataType::BigInt())};
        definition.output_schema = JoinedSchema(source->schema());
        // Small: entries are evicted too.
        definition.cache_capacity_bytes = 600;
        return LookupJoinOperator::Make(std::move(definition), {}).value();
      };
      OperatorFactory make = [&]() -> std::unique_ptr<Operator> { return make_join(); };
      const std::vector<OperatorStep> steps = TwoInputSteps(seed, false);
      ExpectSnapshotsAreTransparent(make, steps, seed, &clock);
      // The counters go on from where they were (the cache itself restarts empty).
      clock.SetNowMicros(0);
      auto original = make_join();
      RecordingOutput out;
      ASSERT_TRUE(RunOperatorSteps(*original, steps, 0, steps.size() / 2, &clock, out).ok());
      storage::StateWriter writer;
      ASSERT_TRUE(original->Snapshot(writer).ok());
      auto restored = make_join();
      storage::StateReader reader(writer.data(), "test");
      ASSERT_TRUE(restored->Restore(reader).ok());
      ASSERT_TRUE(reader.Finish().ok());
      EXPECT_EQ(restored->cache().entries(), 0u);
      EXPECT_EQ(restored->cache().hits(), original->cache().hits());
      EXPECT_EQ(restored->cache().misses(), original->cache().misses());
      EXPECT_EQ(restored->cache().invalidations(), original->cache().invalidations());
      EXPECT_EQ(restored->cache().evictions(), original->cache().evictions());
      if (seed == 1) ExpectDamagedStateRefused(make, writer.data(), seed);
    }
  }
}

TEST(VersionedJoinSnapshotTest, StateOfANewerVersionIsRefused) {
  auto join = MakeAsofJoin(AsofComparison::kGreaterEqual, JoinKind::kInner, std::nullopt);
  storage::StateWriter writer;
  writer.WriteVersion(3);
  storage::StateReader reader(writer.data(), "test");
  EXPECT_EQ(join->Restore(reader).code(), ErrorCode::kUnsupportedFormatVersion);
}

}  // namespace
}  // namespace laminar::exec
