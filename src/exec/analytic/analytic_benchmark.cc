// Benchmarks of the analytic operators, with a baseline measured in the same run: the key
// encoding and hash lookup every per-partition operator pays. Checkpoints: Snapshot and Restore
// of a Top-N holding about 1M rows.
//
//   build/release/bench/analytic_benchmark --benchmark_repetitions=5

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "columnar/column_builder.h"
#include "exec/analytic/over_operator.h"
#include "exec/analytic/top_n_operator.h"
#include "sql/plan/bound_expression.h"
#include "state/key_encoder.h"
#include "storage/state_io.h"

namespace laminar::exec {
namespace {

constexpr int64_t kBatchRows = 1024;
constexpr int kBatches = 100;

class DiscardingOutput final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    rows += batch.num_rows();
    return Status::Ok();
  }
  Status EmitWatermark(int64_t /*watermark*/) override { return Status::Ok(); }
  int64_t rows = 0;
};

std::shared_ptr<const Schema> BidSchema() {
  return Schema::Make({Field{"auction", DataType::BigInt(), false},
                       Field{"bidder", DataType::BigInt(), false},
                       Field{"price", DataType::BigInt(), false},
                       Field{"date_time", DataType::Timestamp(), false}});
}

/// Bids in time order: `auctions` auctions, `bidders` bidders, random prices.
std::vector<ChangeBatch> MakeBids(int64_t auctions, int64_t bidders) {
  std::mt19937_64 random(42);
  std::vector<ChangeBatch> batches;
  int64_t time = 0;
  for (int b = 0; b < kBatches; ++b) {
    ColumnBuilder auction(DataType::BigInt());
    ColumnBuilder bidder(DataType::BigInt());
    ColumnBuilder price(DataType::BigInt());
    ColumnBuilder date_time(DataType::Timestamp());
    for (int64_t row = 0; row < kBatchRows; ++row) {
      auction.AppendFixed<int64_t>(
          static_cast<int64_t>(random() % static_cast<uint64_t>(auctions)));
      bidder.AppendFixed<int64_t>(static_cast<int64_t>(random() % static_cast<uint64_t>(bidders)));
      price.AppendFixed<int64_t>(static_cast<int64_t>(random() % 1'000'000));
      date_time.AppendFixed<int64_t>(time);
      time += 1000;
    }
    ChangeBatch batch;
    batch.rows = *Batch::Make(
        BidSchema(), {auction.Finish(), bidder.Finish(), price.Finish(), date_time.Finish()});
    batches.push_back(std::move(batch));
  }
  return batches;
}

ExpressionEvaluator ColumnOf(int index, DataType type) {
  return *ExpressionEvaluator::Make(sql::MakeColumn(index, "c", type), EvaluatorOptions{});
}

std::shared_ptr<const Schema> WithExtra(const std::string& name) {
  std::vector<Field> fields = BidSchema()->fields();
  fields.push_back(Field{name, DataType::BigInt(), true});
  return Schema::Make(fields);
}

/// Baseline: encode the partition key of every row and look it up in a hash map.
void BM_KeyEncodeAndLookup(benchmark::State& state) {
  const std::vector<ChangeBatch> batches = MakeBids(10'000, 1'000);
  state::KeyEncoder encoder({DataType::BigInt()});
  std::unordered_map<std::string, int64_t> map;
  for (auto _ : state) {
    for (const ChangeBatch& batch : batches) {
      encoder.Encode({&batch.rows.column(0), 1}, {}, {});
      for (size_t i = 0; i < encoder.size(); ++i) ++map[std::string(encoder.key(i))];
    }
  }
  benchmark::DoNotOptimize(map.size());
  state.SetItemsProcessed(state.iterations() * kBatches * kBatchRows);
}
BENCHMARK(BM_KeyEncodeAndLookup)->Unit(benchmark::kMillisecond);

/// Nexmark q19-like: top 10 prices per auction over 10,000 auctions, rank selected.
void BM_TopTenPerPartition(benchmark::State& state) {
  const std::vector<ChangeBatch> batches = MakeBids(10'000, 1'000);
  for (auto _ : state) {
    TopNDefinition definition;
    definition.partition_by.push_back(ColumnOf(0, DataType::BigInt()));
    definition.partition_types.push_back(DataType::BigInt());
    definition.order_by.push_back(ColumnOf(2, DataType::BigInt()));
    definition.directions.push_back(SortDirection{true, true});
    definition.limit = 10;
    definition.rank_column = true;
    definition.input_columns = 4;
    definition.output_schema = WithExtra("rank_number");
    TopNOperator op(std::move(definition));
    DiscardingOutput out;
    for (const ChangeBatch& batch : batches) benchmark::DoNotOptimize(op.Process(0, batch, out));
    state.counters["out_per_in"] = static_cast<double>(out.rows) / (kBatches * kBatchRows);
  }
  state.SetItemsProcessed(state.iterations() * kBatches * kBatchRows);
}
BENCHMARK(BM_TopTenPerPartition)->Unit(benchmark::kMillisecond);

/// Nexmark q9-like: the best bid per auction (price DESC, then time ASC) over 1,000 auctions,
/// about 100 bids each: most bids cannot enter and are skipped after one comparison.
void BM_TopOnePerAuction(benchmark::State& state) {
  const std::vector<ChangeBatch> batches = MakeBids(1'000, 1'000);
  for (auto _ : state) {
    TopNDefinition definition;
    definition.partition_by.push_back(ColumnOf(0, DataType::BigInt()));
    definition.partition_types.push_back(DataType::BigInt());
    definition.order_by.push_back(ColumnOf(2, DataType::BigInt()));
    definition.order_by.push_back(ColumnOf(3, DataType::Timestamp()));
    definition.directions = {SortDirection{true, true}, SortDirection{false, false}};
    definition.limit = 1;
    definition.input_columns = 4;
    definition.output_schema = BidSchema();
    TopNOperator op(std::move(definition));
    DiscardingOutput out;
    for (const ChangeBatch& batch : batches) benchmark::DoNotOptimize(op.Process(0, batch, out));
    state.counters["out_per_in"] = static_cast<double>(out.rows) / (kBatches * kBatchRows);
  }
  state.SetItemsProcessed(state.iterations() * kBatches * kBatchRows);
}
BENCHMARK(BM_TopOnePerAuction)->Unit(benchmark::kMillisecond);

/// Nexmark q18-like: the last bid per (bidder, auction), keep last (ORDER BY time DESC).
void BM_DedupKeepLast(benchmark::State& state) {
  const std::vector<ChangeBatch> batches = MakeBids(1'000, 100);
  for (auto _ : state) {
    TopNDefinition definition;
    definition.partition_by.push_back(ColumnOf(1, DataType::BigInt()));
    definition.partition_by.push_back(ColumnOf(0, DataType::BigInt()));
    definition.partition_types = {DataType::BigInt(), DataType::BigInt()};
    definition.order_by.push_back(ColumnOf(3, DataType::Timestamp()));
    definition.directions.push_back(SortDirection{true, true});
    definition.limit = 1;
    definition.input_columns = 4;
    definition.output_schema = BidSchema();
    TopNOperator op(std::move(definition));
    DiscardingOutput out;
    for (const ChangeBatch& batch : batches) benchmark::DoNotOptimize(op.Process(0, batch, out));
    state.counters["out_per_in"] = static_cast<double>(out.rows) / (kBatches * kBatchRows);
  }
  state.SetItemsProcessed(state.iterations() * kBatches * kBatchRows);
}
BENCHMARK(BM_DedupKeepLast)->Unit(benchmark::kMillisecond);

/// OVER per auction ordered by time, a watermark after every batch: `call` is LAG(price) or
/// AVG(price) over the 10 rows up to the current one.
void RunOver(benchmark::State& state, OverCallDefinition::Kind kind) {
  const std::vector<ChangeBatch> batches = MakeBids(10'000, 1'000);
  for (auto _ : state) {
    OverDefinition definition;
    definition.partition_by.push_back(ColumnOf(0, DataType::BigInt()));
    definition.partition_types.push_back(DataType::BigInt());
    definition.order_by.push_back(ColumnOf(3, DataType::Timestamp()));
    definition.directions.push_back(SortDirection{});
    OverCallDefinition call;
    call.kind = kind;
    call.argument = ColumnOf(2, DataType::BigInt());
    if (kind == OverCallDefinition::Kind::kAvg) {
      call.start_unbounded = false;
      call.start = -9;
      call.end = 0;
      call.type = DataType::Double();
    } else {
      call.type = DataType::BigInt();
    }
    definition.calls.push_back(std::move(call));
    definition.input_columns = 4;
    std::vector<Field> fields = BidSchema()->fields();
    fields.push_back(Field{"x", definition.calls[0].type, true});
    definition.output_schema = Schema::Make(fields);
    definition.time_column = 3;
    OverOperator op(std::move(definition));
    DiscardingOutput out;
    for (const ChangeBatch& batch : batches) {
      benchmark::DoNotOptimize(op.Process(0, batch, out));
      const int64_t last = batch.rows.column(3).Values<int64_t>()[batch.num_rows() - 1];
      benchmark::DoNotOptimize(op.OnWatermark(0, last + 1, out));
    }
    benchmark::DoNotOptimize(out.rows);
  }
  state.SetItemsProcessed(state.iterations() * kBatches * kBatchRows);
}

void BM_Lag(benchmark::State& state) { RunOver(state, OverCallDefinition::Kind::kLag); }
BENCHMARK(BM_Lag)->Unit(benchmark::kMillisecond);

void BM_MovingAverageTenRows(benchmark::State& state) {
  RunOver(state, OverCallDefinition::Kind::kAvg);
}
BENCHMARK(BM_MovingAverageTenRows)->Unit(benchmark::kMillisecond);

/// A Top-N over a changelog input (so every live row is kept) holding 1M bids over 10,000
/// auctions: ROW_NUMBER <= 10 by price. Built once, outside the timed loops.
TopNDefinition MillionRowTopNDefinition() {
  TopNDefinition definition;
  definition.partition_by.push_back(ColumnOf(0, DataType::BigInt()));
  definition.partition_types.push_back(DataType::BigInt());
  definition.order_by.push_back(ColumnOf(2, DataType::BigInt()));
  definition.directions.push_back(SortDirection{true, true});
  definition.limit = 10;
  definition.rank_column = true;
  definition.input_columns = 4;
  definition.output_schema = WithExtra("rank_number");
  definition.input_changelog = true;
  return definition;
}

const TopNOperator& TopNHoldingAMillionRows() {
  static const TopNOperator* const top = [] {
    auto* op = new TopNOperator(MillionRowTopNDefinition());
    DiscardingOutput out;
    for (int round = 0; round < 10; ++round) {
      for (const ChangeBatch& batch : MakeBids(10'000, 1'000)) (void)op->Process(0, batch, out);
    }
    return op;
  }();
  return *top;
}

void BM_TopNSnapshot(benchmark::State& state) {
  const TopNOperator& top = TopNHoldingAMillionRows();
  size_t bytes = 0;
  for (auto _ : state) {
    storage::StateWriter writer;
    benchmark::DoNotOptimize(top.Snapshot(writer));
    bytes = writer.size();
  }
  state.counters["stored_rows"] = static_cast<double>(top.metrics().stored_rows);
  state.counters["state_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations() * top.metrics().stored_rows);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_TopNSnapshot)->Unit(benchmark::kMillisecond);

void BM_TopNRestore(benchmark::State& state) {
  const TopNOperator& top = TopNHoldingAMillionRows();
  storage::StateWriter writer;
  (void)top.Snapshot(writer);
  const std::string snapshot = writer.Release();
  for (auto _ : state) {
    auto restored = std::make_unique<TopNOperator>(MillionRowTopNDefinition());
    storage::StateReader reader(snapshot, "benchmark");
    benchmark::DoNotOptimize(restored->Restore(reader));
    state.PauseTiming();  // Not the destruction of ~1M rows.
    restored.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * top.metrics().stored_rows);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(snapshot.size()));
}
BENCHMARK(BM_TopNRestore)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace laminar::exec
