// Update throughput of the accumulators: 4096-row batches of random values into 10,000 slots
// (the group table's slot numbers are given; hashing keys is not measured here). Items are
// rows, so the reported time per item is ns per row.

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "columnar/column_builder.h"
#include "exec/aggregate/accumulator.h"

namespace laminar::exec {
namespace {

using functions::FunctionId;

constexpr int kBatchRows = 4096;
constexpr uint32_t kSlots = 10'000;
constexpr int kBatches = 16;  // Distinct batches cycled through, so caches see varied data.

struct Input {
  std::vector<Column> columns;  // One per batch.
  std::vector<std::vector<uint32_t>> slots;
};

Input MakeInput(DataType type, int64_t distinct_values) {
  std::mt19937_64 random(42);
  Input input;
  for (int batch = 0; batch < kBatches; ++batch) {
    ColumnBuilder builder(type);
    std::vector<uint32_t> slots;
    for (int i = 0; i < kBatchRows; ++i) {
      int64_t value = static_cast<int64_t>(random() % static_cast<uint64_t>(distinct_values));
      if (type.id() == TypeId::kDouble) {
        builder.AppendFixed<double>(static_cast<double>(value) * 0.25 + 1);
      } else {
        builder.AppendFixed<int64_t>(value);
      }
      slots.push_back(static_cast<uint32_t>(random() % kSlots));
    }
    input.columns.push_back(builder.Finish());
    input.slots.push_back(std::move(slots));
  }
  return input;
}

void RunUpdate(benchmark::State& state, const AggregateSpec& spec, int64_t distinct_values) {
  Input input = MakeInput(spec.argument_types.empty() ? DataType::BigInt() : spec.argument_types[0],
                          distinct_values);
  std::unique_ptr<Accumulator> accumulator = MakeAccumulator(spec).value();
  accumulator->EnsureSlots(kSlots);
  size_t batch = 0;
  for (auto _ : state) {
    std::span<const Column> args(&input.columns[batch], spec.argument_types.size());
    Status status = accumulator->Update(args, {}, input.slots[batch], nullptr);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    batch = (batch + 1) % kBatches;
  }
  state.SetItemsProcessed(state.iterations() * kBatchRows);
  state.counters["bytes_per_group"] =
      static_cast<double>(accumulator->MemoryBytes()) / static_cast<double>(kSlots);
}

AggregateSpec Spec(FunctionId function, std::vector<DataType> arguments, DataType result,
                   bool distinct = false, std::vector<Value> constants = {}) {
  AggregateSpec spec;
  spec.function = function;
  spec.argument_types = std::move(arguments);
  spec.result_type = result;
  spec.distinct = distinct;
  spec.constant_arguments = std::move(constants);
  return spec;
}

void BM_CountStar(benchmark::State& state) {
  RunUpdate(state, Spec(FunctionId::kCountStar, {}, DataType::BigInt()), 1'000'000);
}
void BM_SumBigInt(benchmark::State& state) {
  RunUpdate(state, Spec(FunctionId::kSum, {DataType::BigInt()}, DataType::BigInt()), 1'000'000);
}
void BM_MinDouble(benchmark::State& state) {
  RunUpdate(state, Spec(FunctionId::kMin, {DataType::Double()}, DataType::Double()), 1'000'000);
}
void BM_AvgBigInt(benchmark::State& state) {
  RunUpdate(state, Spec(FunctionId::kAvg, {DataType::BigInt()}, DataType::Double()), 1'000'000);
}
// 100 distinct values per group at most, so the per-group sets stop growing.
void BM_CountDistinctBigInt(benchmark::State& state) {
  RunUpdate(state, Spec(FunctionId::kCount, {DataType::BigInt()}, DataType::BigInt(), true), 100);
}
void BM_ApproxCountDistinctBigInt(benchmark::State& state) {
  RunUpdate(state, Spec(FunctionId::kApproxCountDistinct, {DataType::BigInt()}, DataType::BigInt()),
            1'000'000);
}
void BM_ApproxPercentileDouble(benchmark::State& state) {
  RunUpdate(state,
            Spec(FunctionId::kApproxPercentile, {DataType::Double()}, DataType::Double(), false,
                 {Value::Double(0.99)}),
            1'000'000);
}

BENCHMARK(BM_CountStar);
BENCHMARK(BM_SumBigInt);
BENCHMARK(BM_MinDouble);
BENCHMARK(BM_AvgBigInt);
BENCHMARK(BM_CountDistinctBigInt);
BENCHMARK(BM_ApproxCountDistinctBigInt);
BENCHMARK(BM_ApproxPercentileDouble);

}  // namespace
}  // namespace laminar::exec
