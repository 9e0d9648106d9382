// Stream join throughput: an interval join with about 100,000 live keys, and a regular join of
// append-only inputs bounded by state_ttl (the shape of Nexmark q4/q9/q20: auctions and their
// bids). Baseline, measured in the same run: encoding the same keys and inserting them into a
// GroupTable, the least any keyed join does per row.
//
// Checkpoints: Snapshot and Restore of an interval join holding about 1M rows (both sides), with
// a copy of the state's bytes as the baseline (the least any snapshot costs).

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "common/clock.h"
#include "exec/joins/stream_join_operator.h"
#include "sql/plan/bound_expression.h"
#include "state/group_table.h"
#include "state/key_encoder.h"
#include "storage/state_io.h"

namespace laminar::exec {
namespace {

constexpr int64_t kBatchRows = 1024;
constexpr int64_t kEvents = 1 << 20;
constexpr int64_t kKeys = 100'000;

/// Counts output rows.
class CountingOutput final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    rows += batch.num_rows();
    return Status::Ok();
  }
  Status EmitWatermark(int64_t) override { return Status::Ok(); }
  int64_t rows = 0;
};

std::shared_ptr<const Schema> InputSchema() {
  return Schema::Make({Field{"k", DataType::BigInt(), false}, Field{"v", DataType::BigInt(), false},
                       Field{"t", DataType::BigInt(), false}});
}

/// One input batch per side in turn: random keys, times rising by one per event.
struct Workload {
  std::vector<ChangeBatch> batches;
  std::vector<int> sides;
  std::vector<int64_t> watermarks;  // After each batch, for its side.
};

Workload MakeWorkload(int64_t keys, int64_t watermark_delay) {
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int64_t> key(0, keys - 1);
  Workload workload;
  const auto schema = InputSchema();
  int64_t time = 0;
  for (int64_t start = 0; start < kEvents; start += kBatchRows) {
    ColumnBuilder k(DataType::BigInt());
    ColumnBuilder v(DataType::BigInt());
    ColumnBuilder t(DataType::BigInt());
    for (int64_t i = 0; i < kBatchRows; ++i) {
      k.AppendFixed<int64_t>(key(random));
      v.AppendFixed<int64_t>(i);
      t.AppendFixed<int64_t>(time++);
    }
    ChangeBatch batch;
    batch.rows = Batch::Make(schema, {k.Finish(), v.Finish(), t.Finish()}).value();
    workload.batches.push_back(std::move(batch));
    workload.sides.push_back(static_cast<int>((start / kBatchRows) % 2));
    workload.watermarks.push_back(time - watermark_delay);
  }
  return workload;
}

StreamJoinDefinition Definition(bool interval, int64_t upper) {
  StreamJoinDefinition def;
  def.left_schema = InputSchema();
  def.right_schema = InputSchema();
  def.output_schema = Schema::Make(
      {Field{"lk", DataType::BigInt(), false}, Field{"lv", DataType::BigInt(), false},
       Field{"lt", DataType::BigInt(), false}, Field{"rk", DataType::BigInt(), false},
       Field{"rv", DataType::BigInt(), false}, Field{"rt", DataType::BigInt(), false}});
  def.left_keys.push_back(
      ExpressionEvaluator::Make(sql::MakeColumn(0, "k", DataType::BigInt())).value());
  def.right_keys.push_back(
      ExpressionEvaluator::Make(sql::MakeColumn(0, "k", DataType::BigInt())).value());
  def.key_types.push_back(DataType::BigInt());
  if (interval) def.time_bound = sql::JoinTimeBound{2, 2, -upper, upper};
  return def;
}

// About 100,000 rows per side stay in state (the band spans 200,000 events).
void BM_IntervalJoin(benchmark::State& state) {
  constexpr int64_t kUpper = 200'000;
  const Workload workload = MakeWorkload(kKeys, 1000);
  int64_t live = 0;
  int64_t out_rows = 0;
  for (auto _ : state) {
    StreamJoinOperator op(Definition(true, kUpper));
    CountingOutput out;
    for (size_t i = 0; i < workload.batches.size(); ++i) {
      (void)op.Process(workload.sides[i], workload.batches[i], out);
      (void)op.OnWatermark(workload.sides[i], workload.watermarks[i], out);
    }
    live = op.live_rows(0) + op.live_rows(1);
    out_rows = out.rows;
  }
  state.counters["live_rows"] = static_cast<double>(live);
  state.counters["output_rows"] = static_cast<double>(out_rows);
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_IntervalJoin)->Unit(benchmark::kMillisecond);

// A regular join with state_ttl over append-only inputs: every row stays (the TTL is not
// reached), 1M keys.
void BM_RegularTtlJoin(benchmark::State& state) {
  const Workload workload = MakeWorkload(1 << 20, 0);
  ManualClock clock(0);
  int64_t out_rows = 0;
  for (auto _ : state) {
    StreamJoinDefinition def = Definition(false, 0);
    def.state_ttl_micros = int64_t{3600} * 1'000'000;
    def.clock = &clock;
    StreamJoinOperator op(std::move(def));
    CountingOutput out;
    for (size_t i = 0; i < workload.batches.size(); ++i) {
      (void)op.Process(workload.sides[i], workload.batches[i], out);
    }
    out_rows = out.rows;
  }
  state.counters["output_rows"] = static_cast<double>(out_rows);
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_RegularTtlJoin)->Unit(benchmark::kMillisecond);

// The same with the q4/q9/q20 residual `b.date_time BETWEEN a.date_time AND a.expires` (here
// r.t BETWEEN l.t AND l.t + 1000000), evaluated over each batch's candidate pairs.
void BM_RegularTtlJoinWithResidual(benchmark::State& state) {
  const Workload workload = MakeWorkload(1 << 20, 0);
  ManualClock clock(0);
  int64_t out_rows = 0;
  const DataType bigint = DataType::BigInt();
  const sql::BoundExprPtr left_time = sql::MakeColumn(2, "lt", bigint);
  const sql::BoundExprPtr right_time = sql::MakeColumn(5, "rt", bigint);
  const sql::BoundExprPtr between = sql::MakeLogical(
      sql::BoundExpressionKind::kAnd,
      {sql::MakeCall(">=", DataType::Boolean(), {right_time, left_time}),
       sql::MakeCall(
           "<=", DataType::Boolean(),
           {right_time, sql::MakeCall("+", bigint,
                                      {left_time, sql::MakeConstant(Value::BigInt(1'000'000))})})});
  for (auto _ : state) {
    StreamJoinDefinition def = Definition(false, 0);
    def.state_ttl_micros = int64_t{3600} * 1'000'000;
    def.clock = &clock;
    def.condition = ExpressionEvaluator::Make(between).value();
    StreamJoinOperator op(std::move(def));
    CountingOutput out;
    for (size_t i = 0; i < workload.batches.size(); ++i) {
      (void)op.Process(workload.sides[i], workload.batches[i], out);
    }
    out_rows = out.rows;
  }
  state.counters["output_rows"] = static_cast<double>(out_rows);
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_RegularTtlJoinWithResidual)->Unit(benchmark::kMillisecond);

// Baseline: key encoding and hash-table insert of the same rows, nothing else.
void BM_BaselineEncodeAndInsert(benchmark::State& state) {
  const Workload workload = MakeWorkload(kKeys, 0);
  for (auto _ : state) {
    state::KeyEncoder encoder({DataType::BigInt()});
    state::GroupTable table;
    uint64_t sum = 0;
    for (const ChangeBatch& batch : workload.batches) {
      const Column key = batch.rows.column(0);
      encoder.Encode({&key, 1}, {}, {});
      for (size_t i = 0; i < encoder.size(); ++i) {
        bool inserted = false;
        sum += table.FindOrInsert(encoder.key(i), encoder.hash(i), &inserted);
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_BaselineEncodeAndInsert)->Unit(benchmark::kMillisecond);

// An interval join holding about 1M rows (no row leaves: the band spans every event), 4M
// keys so that few rows pair up; built once, outside the timed loops.
const StreamJoinOperator& JoinHoldingAMillionRows() {
  static const StreamJoinOperator* const join = [] {
    auto* op = new StreamJoinOperator(Definition(true, 4 * kEvents));
    const Workload workload = MakeWorkload(4 * kEvents, 1000);
    CountingOutput out;
    for (size_t i = 0; i < workload.batches.size(); ++i) {
      (void)op->Process(workload.sides[i], workload.batches[i], out);
      (void)op->OnWatermark(workload.sides[i], workload.watermarks[i], out);
    }
    return op;
  }();
  return *join;
}

std::string SnapshotOf(const Operator& op) {
  storage::StateWriter writer;
  (void)op.Snapshot(writer);
  return writer.Release();
}

void BM_IntervalJoinSnapshot(benchmark::State& state) {
  const StreamJoinOperator& join = JoinHoldingAMillionRows();
  size_t bytes = 0;
  for (auto _ : state) {
    storage::StateWriter writer;
    benchmark::DoNotOptimize(join.Snapshot(writer));
    bytes = writer.size();
  }
  const int64_t rows = join.live_rows(0) + join.live_rows(1);
  state.counters["live_rows"] = static_cast<double>(rows);
  state.counters["state_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_IntervalJoinSnapshot)->Unit(benchmark::kMillisecond);

void BM_IntervalJoinRestore(benchmark::State& state) {
  const StreamJoinOperator& join = JoinHoldingAMillionRows();
  const std::string snapshot = SnapshotOf(join);
  for (auto _ : state) {
    auto restored = std::make_unique<StreamJoinOperator>(Definition(true, 4 * kEvents));
    storage::StateReader reader(snapshot, "benchmark");
    benchmark::DoNotOptimize(restored->Restore(reader));
    state.PauseTiming();  // Not the destruction of ~1M rows.
    restored.reset();
    state.ResumeTiming();
  }
  const int64_t rows = join.live_rows(0) + join.live_rows(1);
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(snapshot.size()));
}
BENCHMARK(BM_IntervalJoinRestore)->Unit(benchmark::kMillisecond);

// Baseline: copying the state's bytes once.
void BM_BaselineCopyState(benchmark::State& state) {
  const std::string snapshot = SnapshotOf(JoinHoldingAMillionRows());
  for (auto _ : state) {
    std::string copy = snapshot;
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(snapshot.size()));
}
BENCHMARK(BM_BaselineCopyState)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace laminar::exec
