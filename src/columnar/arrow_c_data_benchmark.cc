// Micro-benchmarks of the Arrow C Data Interface on an 8-column, 4096-row batch (BIGINT, DOUBLE,
// VARCHAR and TIMESTAMP, two of each, with some NULLs). Export and import are zero-copy, so their
// cost should be independent of the data size; the baseline copies every buffer of the same
// batch in the same run, which is what a copying interface would at least cost. Time per
// iteration is time per batch; items are rows.

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "columnar/arrow_export.h"
#include "columnar/arrow_import.h"
#include "columnar/column_builder.h"

namespace laminar {
namespace {

constexpr int64_t kRows = 4096;

Batch MakeBenchmarkBatch() {
  auto schema = Schema::Make({{"id", DataType::BigInt(), false},
                              {"quantity", DataType::BigInt(), true},
                              {"price", DataType::Double(), true},
                              {"fee", DataType::Double(), true},
                              {"symbol", DataType::Varchar(), false},
                              {"venue", DataType::Varchar(), true},
                              {"event_ts", DataType::Timestamp(), false},
                              {"ingest_ts", DataType::Timestamp(), true}});
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<int> letter('A', 'Z');
  std::vector<ColumnBuilder> builders;
  for (const Field& field : schema->fields()) builders.emplace_back(field.type);
  for (int64_t row = 0; row < kRows; ++row) {
    builders[0].AppendFixed(row);
    if (percent(random) < 5) {
      builders[1].AppendNull();
    } else {
      builders[1].AppendFixed(static_cast<int64_t>(random() % 10'000));
    }
    builders[2].AppendFixed(100.0 + static_cast<double>(random() % 10'000) / 100);
    if (percent(random) < 10) {
      builders[3].AppendNull();
    } else {
      builders[3].AppendFixed(static_cast<double>(random() % 100) / 1000);
    }
    std::string symbol(static_cast<size_t>(3 + random() % 3), ' ');
    for (char& c : symbol) c = static_cast<char>(letter(random));
    (void)builders[4].AppendString(symbol);
    if (percent(random) < 20) {
      builders[5].AppendNull();
    } else {
      (void)builders[5].AppendString(percent(random) < 50 ? "NASDAQ" : "NYSE");
    }
    builders[6].AppendFixed(int64_t{1'700'000'000'000'000} + row * 1000);
    builders[7].AppendFixed(int64_t{1'700'000'000'000'000} + row * 1000 +
                            static_cast<int64_t>(random() % 5000));
  }
  std::vector<Column> columns;
  for (ColumnBuilder& builder : builders) columns.push_back(builder.Finish());
  return *Batch::Make(schema, std::move(columns));
}

// Baseline: what a copying interface would at least pay, one memcpy per buffer.
void BM_BaselineCopyBatchBuffers(benchmark::State& state) {
  const Batch batch = MakeBenchmarkBatch();
  for (auto _ : state) {
    for (const Column& column : batch.columns()) {
      for (const auto* buffer :
           {&column.validity_buffer(), &column.values_buffer(), &column.data_buffer()}) {
        if (*buffer == nullptr) continue;
        auto copy = Buffer::Copy((*buffer)->data(), (*buffer)->size());
        benchmark::DoNotOptimize(copy->data());
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_BaselineCopyBatchBuffers);

void BM_ArrowExportBatchAndRelease(benchmark::State& state) {
  const Batch batch = MakeBenchmarkBatch();
  for (auto _ : state) {
    ArrowArray array;
    if (!ExportBatch(batch, &array).ok()) state.SkipWithError("export failed");
    benchmark::DoNotOptimize(array.children);
    array.release(&array);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ArrowExportBatchAndRelease);

void DoNothingRelease(ArrowArray* array) { array->release = nullptr; }

// Import only: every iteration imports a shallow copy of one exported struct whose release does
// nothing (the real export, children included, is released once at the end).
void BM_ArrowImportBatch(benchmark::State& state) {
  const Batch batch = MakeBenchmarkBatch();
  ArrowArray exported;
  if (!ExportBatch(batch, &exported).ok()) state.SkipWithError("export failed");
  for (auto _ : state) {
    ArrowArray copy = exported;
    copy.release = &DoNothingRelease;
    auto imported = ImportBatch(&copy, batch.schema_ptr());
    if (!imported.ok()) state.SkipWithError("import failed");
    benchmark::DoNotOptimize(imported->column(0).values_buffer()->data());
  }
  exported.release(&exported);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ArrowImportBatch);

void BM_ArrowExportImportRoundTrip(benchmark::State& state) {
  const Batch batch = MakeBenchmarkBatch();
  for (auto _ : state) {
    ArrowArray array;
    if (!ExportBatch(batch, &array).ok()) state.SkipWithError("export failed");
    auto imported = ImportBatch(&array, batch.schema_ptr());
    if (!imported.ok()) state.SkipWithError("import failed");
    benchmark::DoNotOptimize(imported->column(0).values_buffer()->data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ArrowExportImportRoundTrip);

}  // namespace
}  // namespace laminar
