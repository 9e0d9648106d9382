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
  std::vector<Field> fields = SideSchema("l")->fields();
  for (Field field : right->fields()) {
    field.nullable = true;
    fields.push_back(field);
  }
  return Schema::Make(std::move(fields));
}

/// Random rows of one side: keys 0..3 (a few NULL), times around `base` (a few NULL, a few
/// behind the side's watermark), string payloads.
ChangeBatch RandomBatch(std::mt19937& random, std::string_view prefix, int64_t base,
                        int64_t* next_payload) {
  BatchBuilder builder(SideSchema(prefix));
  const int rows = 1 + static_cast<int>(random() % 6);
  for (int i = 0; i < rows; ++i) {
    const Value key =
        random() % 10 != 0 ? Value::BigInt(random() % 4) : Value::Null(DataType::BigInt());
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
std::vector<OperatorStep> TwoInputSteps(uint32_t seed, bool with_right = true) {
  std::mt19937 random(seed);
  std::vector<OperatorStep> steps;
  int64_t base[2] = {0, 0};
  int64_t payload = 0;
  for (int step = 0; step < 50; ++step) {
    const int port = with_right ? static_cast<int>(random() % 2) : 0;
    base[port] += static_cast<int64_t>(random() % 3);
    steps.push_back(
        OperatorStep::Rows(port, RandomBatch(random, port == 0 ? "l" : "r", base[port], &payload)));
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

TEST(VersionedJoinSnapshotTest, AsofJoinsRestoredMidStreamGiveTheSameOutput) {
  for (const AsofComparison comparison :
       {AsofComparison::kGreaterEqual, AsofComparison::kGreater, AsofComparison::kLessEqual,
        AsofComparison::kLess, AsofComparison::kNearest}) {
    for (uint32_t seed = 1; seed <= 12; ++seed) {
      const JoinKind kind = seed % 2 == 0 ? JoinKind::kLeft : JoinKind::kInner;
      const std::optional<int64_t> tolerance =
          seed % 3 == 0 ? std::optional<int64_t>(seed % 5) : std::nullopt;
      SCOPED_TRACE(fmt::format("comparison {} seed {}", static_cast<int>(comparison), seed));
      OperatorFactory make = [&]() -> std::unique_ptr<Operator> {
        AsofJoinDefinition definition;
        definition.kind = kind;
        definition.left_keys = {sql::MakeColumn(0, "lk", DataType::BigInt())};
        definition.right_keys = {sql::MakeColumn(0, "rk", DataType::BigInt())};
        definition.left_time_column = 1;
        definition.right_time_column = 1;
        definition.comparison = comparison;
        definition.tolerance_micros = tolerance;
        definition.output_schema = JoinedSchema(SideSchema("r"));
        definition.left_width = 3;
        return AsofJoinOperator::Make(std::move(definition), {}).value();
      };
      const std::vector<std::string> states =
          ExpectSnapshotsAreTransparent(make, TwoInputSteps(seed), seed);
      if (seed % 6 == 0 && !states.empty()) ExpectDamagedStateRefused(make, states.back(), seed);
    }
  }
}

TEST(VersionedJoinSnapshotTest, TemporalJoinsRestoredMidStreamGiveTheSameOutput) {
  for (const bool event_time : {true, false}) {
    for (const JoinKind kind : {JoinKind::kInner, JoinKind::kLeft}) {
      for (uint32_t seed = 1; seed <= 16; ++seed) {
        SCOPED_TRACE(fmt::format("event time {} kind {} seed {}", event_time,
                                 sql::JoinKindName(kind), seed));
        OperatorFactory make = [&]() -> std::unique_ptr<Operator> {
          TemporalJoinDefinition definition;
          definition.kind = kind;
          definition.left_keys = {sql::MakeColumn(0, "lk", DataType::BigInt())};
          definition.right_keys = {sql::MakeColumn(0, "rk", DataType::BigInt())};
          if (event_time) {
            definition.left_time_column = 1;
            definition.right_time_column = 1;
          }
          definition.output_schema = JoinedSchema(SideSchema("r"));
          return TemporalJoinOperator::Make(std::move(definition), {}).value();
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
  AsofJoinDefinition definition;
  definition.left_keys = {sql::MakeColumn(0, "lk", DataType::BigInt())};
  definition.right_keys = {sql::MakeColumn(0, "rk", DataType::BigInt())};
  definition.left_time_column = 1;
  definition.right_time_column = 1;
  definition.output_schema = JoinedSchema(SideSchema("r"));
  definition.left_width = 3;
  auto join = AsofJoinOperator::Make(std::move(definition), {}).value();
  storage::StateWriter writer;
  writer.WriteVersion(2);
  storage::StateReader reader(writer.data(), "test");
  EXPECT_EQ(join->Restore(reader).code(), ErrorCode::kUnsupportedFormatVersion);
}

}  // namespace
}  // namespace laminar::exec
