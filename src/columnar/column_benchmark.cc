// Micro-benchmarks of the columnar core. Each builder benchmark has a baseline that does the
// same work with a plain std::vector in the same run, so the ratio is the figure to watch.

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "columnar/take.h"

namespace laminar {
namespace {

constexpr int64_t kRows = 4096;

void BM_BaselineVectorPushBackInt64(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<int64_t> values;
    values.reserve(kRows);
    for (int64_t i = 0; i < kRows; ++i) values.push_back(i);
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_BaselineVectorPushBackInt64);

void BM_ColumnBuilderAppendInt64(benchmark::State& state) {
  ColumnBuilder builder(DataType::BigInt());
  for (auto _ : state) {
    builder.Reserve(kRows);
    for (int64_t i = 0; i < kRows; ++i) builder.AppendFixed(i);
    Column column = builder.Finish();
    benchmark::DoNotOptimize(column.values_buffer()->data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ColumnBuilderAppendInt64);

void BM_ColumnBuilderAppendInt64WithNulls(benchmark::State& state) {
  ColumnBuilder builder(DataType::BigInt());
  for (auto _ : state) {
    builder.Reserve(kRows);
    for (int64_t i = 0; i < kRows; ++i) {
      if ((i & 15) == 0) {
        builder.AppendNull();
      } else {
        builder.AppendFixed(i);
      }
    }
    Column column = builder.Finish();
    benchmark::DoNotOptimize(column.values_buffer()->data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ColumnBuilderAppendInt64WithNulls);

std::vector<std::string> RandomStrings() {
  std::mt19937_64 random(42);
  std::vector<std::string> strings(kRows);
  for (auto& text : strings) {
    text.resize(8 + random() % 24);
    for (char& c : text) c = static_cast<char>('a' + random() % 26);
  }
  return strings;
}

void BM_BaselineVectorOfStrings(benchmark::State& state) {
  const auto strings = RandomStrings();
  for (auto _ : state) {
    std::vector<std::string> copy;
    copy.reserve(kRows);
    for (const auto& text : strings) copy.push_back(text);
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_BaselineVectorOfStrings);

void BM_ColumnBuilderAppendString(benchmark::State& state) {
  const auto strings = RandomStrings();
  ColumnBuilder builder(DataType::Varchar());
  for (auto _ : state) {
    builder.Reserve(kRows, 20 * kRows);
    for (const auto& text : strings) {
      if (!builder.AppendString(text).ok()) state.SkipWithError("append failed");
    }
    Column column = builder.Finish();
    benchmark::DoNotOptimize(column.data_buffer()->data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ColumnBuilderAppendString);

Batch EightColumnBatch() {
  std::vector<Field> fields;
  for (int c = 0; c < 8; ++c) {
    fields.push_back(
        {"c" + std::to_string(c), c % 2 == 0 ? DataType::BigInt() : DataType::Varchar()});
  }
  auto schema = Schema::Make(std::move(fields));
  std::vector<Column> columns;
  for (int c = 0; c < 8; ++c) {
    ColumnBuilder builder(schema->field(c).type);
    for (int64_t i = 0; i < kRows; ++i) {
      if (c % 2 == 0) {
        builder.AppendFixed(i);
      } else {
        (void)builder.AppendString(std::to_string(i));
      }
    }
    columns.push_back(builder.Finish());
  }
  return *Batch::Make(schema, std::move(columns));
}

void BM_BatchSlice(benchmark::State& state) {
  const Batch batch = EightColumnBatch();
  int64_t offset = 0;
  for (auto _ : state) {
    Batch slice = batch.Slice(offset, 1024);
    benchmark::DoNotOptimize(slice.column(0).offset());
    offset = (offset + 7) & 2047;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BatchSlice);

void BM_TakeHalfOfBatch(benchmark::State& state) {
  const Batch batch = EightColumnBatch();
  SelectionVector selection;
  for (uint32_t i = 0; i < kRows; i += 2) selection.Append(i);
  for (auto _ : state) {
    auto taken = Take(batch, selection);
    benchmark::DoNotOptimize(taken->num_rows());
  }
  state.SetItemsProcessed(state.iterations() * selection.size());
}
BENCHMARK(BM_TakeHalfOfBatch);

}  // namespace
}  // namespace laminar
