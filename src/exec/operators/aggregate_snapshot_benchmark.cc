// Checkpoint cost of the aggregation operator: Snapshot and Restore of
// `SELECT k, count(*), sum(v) FROM s GROUP BY k` (EMIT CHANGES, the default) holding one million
// groups. Items are groups, so the time per item is ns per group; `bytes` is the state's size.
// The target is a checkpoint of a million keyed aggregates within 200 ms end to end.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column_builder.h"
#include "common/check.h"
#include "exec/operators/aggregate_operator.h"
#include "exec/physical_planner.h"
#include "sql/binder/binder_test_support.h"
#include "sql/plan/logical_aggregate.h"
#include "storage/state_io.h"

namespace laminar::exec {
namespace {

constexpr int64_t kGroups = 1'000'000;
constexpr int64_t kBatchRows = 65'536;

/// Discards what the operator emits.
class NullOutput final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch&) override { return Status::Ok(); }
  Status EmitWatermark(int64_t) override { return Status::Ok(); }
};

std::unique_ptr<AggregateOperator> PlanKeyedCount(std::string_view emit = "") {
  sql::ScriptBinder binder;
  LAMINAR_CHECK(binder.Run("CREATE SOURCE s (k BIGINT, v BIGINT, ts TIMESTAMP)").ok());
  auto bound = binder.RunOne(
      "CREATE STREAM q AS SELECT k, count(*) AS n, sum(v) AS total FROM s GROUP BY k " +
      std::string(emit));
  LAMINAR_CHECK(bound.ok());
  const sql::LogicalNode* node = std::get<sql::BoundCreate>(*bound).plan.get();
  while (node->kind() != sql::LogicalNodeKind::kAggregate) node = node->inputs()[0].get();
  static const EvaluatorOptions options;
  auto planned = PlanAggregate(static_cast<const sql::LogicalAggregate&>(*node), options, {});
  LAMINAR_CHECK(planned.ok());
  return std::move(planned->op);
}

/// A batch of `keys` (v random, ts 0).
ChangeBatch KeyBatch(std::span<const int64_t> keys, std::mt19937_64& random) {
  auto schema = Schema::Make(
      {{"k", DataType::BigInt()}, {"v", DataType::BigInt()}, {"ts", DataType::Timestamp()}});
  ColumnBuilder k(DataType::BigInt());
  ColumnBuilder v(DataType::BigInt());
  ColumnBuilder ts(DataType::Timestamp());
  for (int64_t key : keys) {
    k.AppendFixed<int64_t>(key);
    v.AppendFixed<int64_t>(static_cast<int64_t>(random() % 1'000'000));
    ts.AppendFixed<int64_t>(0);
  }
  ChangeBatch batch;
  batch.rows = Batch::Make(schema, {k.Finish(), v.Finish(), ts.Finish()}).value();
  return batch;
}

/// Processes a row of each of `keys`, in order, kBatchRows to a batch.
void PushKeys(AggregateOperator& op, std::span<const int64_t> keys, std::mt19937_64& random) {
  NullOutput out;
  for (size_t start = 0; start < keys.size(); start += kBatchRows) {
    const size_t count = std::min(static_cast<size_t>(kBatchRows), keys.size() - start);
    LAMINAR_CHECK(op.Process(0, KeyBatch(keys.subspan(start, count), random), out).ok());
  }
}

/// Keys 0 .. count - 1 in random order.
std::vector<int64_t> ShuffledKeys(int64_t count, std::mt19937_64& random) {
  std::vector<int64_t> keys(static_cast<size_t>(count));
  std::iota(keys.begin(), keys.end(), 0);
  std::shuffle(keys.begin(), keys.end(), random);
  return keys;
}

/// An operator holding kGroups groups (keys in random order, two rows each).
std::unique_ptr<AggregateOperator> MakeLoadedOperator() {
  std::unique_ptr<AggregateOperator> op = PlanKeyedCount();
  std::mt19937_64 random(42);
  const std::vector<int64_t> keys = ShuffledKeys(kGroups, random);
  for (int pass = 0; pass < 2; ++pass) PushKeys(*op, keys, random);
  return op;
}

const AggregateOperator& LoadedOperator() {
  static const std::unique_ptr<AggregateOperator> op = MakeLoadedOperator();
  return *op;
}

const std::string& LoadedState() {
  static const std::string state = [] {
    storage::StateWriter writer;
    LAMINAR_CHECK(LoadedOperator().Snapshot(writer).ok());
    return writer.Release();
  }();
  return state;
}

void BM_AggregateSnapshot(benchmark::State& state) {
  const AggregateOperator& op = LoadedOperator();
  size_t bytes = 0;
  for (auto _ : state) {
    storage::StateWriter writer;
    Status status = op.Snapshot(writer);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    bytes = writer.size();
    benchmark::DoNotOptimize(writer.data().data());
  }
  state.SetItemsProcessed(state.iterations() * kGroups);
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_group"] = static_cast<double>(bytes) / kGroups;
}
BENCHMARK(BM_AggregateSnapshot)->Unit(benchmark::kMillisecond)->Repetitions(5)->UseRealTime();

void BM_AggregateRestore(benchmark::State& state) {
  const std::string& bytes = LoadedState();
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<AggregateOperator> op = PlanKeyedCount();
    state.ResumeTiming();
    storage::StateReader reader(bytes, "benchmark state");
    Status status = op->Restore(reader);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    state.PauseTiming();
    op.reset();  // Freeing a million groups is not part of a restore.
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kGroups);
  state.counters["bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_AggregateRestore)->Unit(benchmark::kMillisecond)->Repetitions(5)->UseRealTime();

/// Updates of an aggregation holding Arg(0) groups, each row a random existing group: the
/// group-table lookup and the accumulators' random updates, which a state larger than the
/// cache makes a cache (and TLB) miss each. EMIT EVERY an hour: only the first batch is
/// emitted (the period starts with it), so the timed batches only look up and update.
void BM_AggregateUpdateOfManyGroups(benchmark::State& state) {
  const int64_t groups = state.range(0);
  std::unique_ptr<AggregateOperator> op = PlanKeyedCount("EMIT EVERY INTERVAL '1' HOUR");
  std::mt19937_64 random(42);
  PushKeys(*op, ShuffledKeys(groups, random), random);
  std::vector<ChangeBatch> batches;
  for (int b = 0; b < 32; ++b) {
    std::vector<int64_t> picked(static_cast<size_t>(kBatchRows));
    for (int64_t& key : picked) {
      key = static_cast<int64_t>(random() % static_cast<uint64_t>(groups));
    }
    batches.push_back(KeyBatch(picked, random));
  }
  NullOutput out;
  for (const ChangeBatch& batch : batches) LAMINAR_CHECK(op->Process(0, batch, out).ok());
  size_t next = 0;
  for (auto _ : state) {
    Status status = op->Process(0, batches[next], out);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    next = (next + 1) % batches.size();
  }
  state.SetItemsProcessed(state.iterations() * kBatchRows);
}
BENCHMARK(BM_AggregateUpdateOfManyGroups)
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Arg(8'000'000)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(3)
    ->UseRealTime();

}  // namespace
}  // namespace laminar::exec
