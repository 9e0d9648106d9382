// Throughput of the ASOF, temporal and lookup joins and latency of a lookup-cache hit, each with a
// baseline measured in the same run:
// - BM_OutputBaseline: building the same join output from rows already paired (the part of
//   the joins' cost that is materialising output columns);
// - BM_HashMapFindBaseline: a plain std::unordered_map probe with the same keys as the cache.

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "columnar/column_builder.h"
#include "exec/versioned/asof_join_operator.h"
#include "exec/versioned/lookup_cache.h"
#include "exec/versioned/lookup_join_operator.h"
#include "exec/versioned/temporal_join_operator.h"
#include "exec/versioned/versioned_join_test_support.h"

namespace laminar::exec {
namespace {

constexpr int kBatchRows = 1024;
constexpr int kKeys = 1000;
constexpr int kBatches = 128;

class DiscardOutput final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    rows += batch.num_rows();
    return Status::Ok();
  }
  Status EmitWatermark(int64_t /*watermark*/) override { return Status::Ok(); }
  int64_t rows = 0;
};

std::shared_ptr<const Schema> SideSchema(std::string_view prefix) {
  return Schema::Make({{std::string(prefix) + "k", DataType::BigInt(), false},
                       {std::string(prefix) + "t", DataType::Timestamp(), false},
                       {std::string(prefix) + "v", DataType::Double(), false}});
}

std::shared_ptr<const Schema> JoinedSchema() {
  return JoinedSchemaOf(*SideSchema("l"), *SideSchema("r"));
}

// Batch `index` of a side: times index * kBatchRows .. + kBatchRows - 1, keys at random below
// `key_count`.
Batch SideBatch(const std::shared_ptr<const Schema>& schema, int index, std::mt19937& random,
                int64_t key_count = kKeys) {
  ColumnBuilder keys(DataType::BigInt());
  ColumnBuilder times(DataType::Timestamp());
  ColumnBuilder values(DataType::Double());
  for (int r = 0; r < kBatchRows; ++r) {
    keys.AppendFixed<int64_t>(static_cast<int64_t>(random() % key_count));
    times.AppendFixed<int64_t>(int64_t{index} * kBatchRows + r);
    values.AppendFixed<double>(r * 0.5);
  }
  return Batch::Make(schema, {keys.Finish(), times.Finish(), values.Finish()}).value();
}

std::unique_ptr<AsofJoinOperator> MakeAsof() {
  return MakeTestAsofJoin(*SideSchema("l"), *SideSchema("r"), sql::AsofComparison::kGreaterEqual,
                          sql::JoinKind::kInner, std::nullopt);
}

// Both sides advance together; each side's watermark follows its batch; `make` builds the
// join (again after kBatches, outside the timing); the keys of each side are drawn below
// `left_keys` / `right_keys`. Items: rows of both sides.
template <typename Make>
void RunBothSides(benchmark::State& state, const Make& make, int64_t left_keys = kKeys,
                  int64_t right_keys = kKeys) {
  std::mt19937 random(42);
  std::vector<Batch> left;
  std::vector<Batch> right;
  for (int i = 0; i < kBatches; ++i) {
    left.push_back(SideBatch(SideSchema("l"), i, random, left_keys));
    right.push_back(SideBatch(SideSchema("r"), i, random, right_keys));
  }
  auto join = make();
  DiscardOutput out;
  int index = 0;
  for (auto _ : state) {
    if (index == kBatches) {
      state.PauseTiming();
      join = make();
      index = 0;
      state.ResumeTiming();
    }
    const int64_t end = int64_t{index + 1} * kBatchRows;
    (void)join->Process(1, ChangeBatch{right[static_cast<size_t>(index)], {}}, out);
    (void)join->OnWatermark(1, end, out);
    (void)join->Process(0, ChangeBatch{left[static_cast<size_t>(index)], {}}, out);
    (void)join->OnWatermark(0, end, out);
    ++index;
  }
  state.SetItemsProcessed(state.iterations() * 2 * kBatchRows);
  benchmark::DoNotOptimize(out.rows);
}

void BM_AsofJoin(benchmark::State& state) { RunBothSides(state, MakeAsof); }
BENCHMARK(BM_AsofJoin);

// As BM_AsofJoin, but the right watermark lags one batch behind: every left row waits and is
// decided when the next right watermark arrives (the path of a slower right side).
void BM_AsofJoinLaggingWatermark(benchmark::State& state) {
  std::mt19937 random(42);
  std::vector<Batch> left;
  std::vector<Batch> right;
  for (int i = 0; i < kBatches; ++i) {
    left.push_back(SideBatch(SideSchema("l"), i, random));
    right.push_back(SideBatch(SideSchema("r"), i, random));
  }
  auto join = MakeAsof();
  DiscardOutput out;
  int index = 0;
  for (auto _ : state) {
    if (index == kBatches) {
      state.PauseTiming();
      join = MakeAsof();
      index = 0;
      state.ResumeTiming();
    }
    const int64_t end = int64_t{index + 1} * kBatchRows;
    (void)join->Process(1, ChangeBatch{right[static_cast<size_t>(index)], {}}, out);
    (void)join->OnWatermark(1, end - kBatchRows, out);
    (void)join->Process(0, ChangeBatch{left[static_cast<size_t>(index)], {}}, out);
    (void)join->OnWatermark(0, end, out);
    ++index;
  }
  state.SetItemsProcessed(state.iterations() * 2 * kBatchRows);
  benchmark::DoNotOptimize(out.rows);
}
BENCHMARK(BM_AsofJoinLaggingWatermark);

// As BM_AsofJoin, but every left row has a key of its own that the right side never has
// (a high-cardinality probe side): such rows are decided at once and must leave no state.
void BM_AsofJoinDistinctLeftKeys(benchmark::State& state) {
  std::mt19937 random(42);
  std::vector<Batch> left;
  std::vector<Batch> right;
  for (int i = 0; i < kBatches; ++i) {
    Batch batch = SideBatch(SideSchema("l"), i, random);
    ColumnBuilder keys(DataType::BigInt());
    for (int r = 0; r < kBatchRows; ++r) {
      keys.AppendFixed<int64_t>(kKeys + int64_t{i} * kBatchRows + r);
    }
    left.push_back(
        Batch::Make(SideSchema("l"), {keys.Finish(), batch.column(1), batch.column(2)}).value());
    right.push_back(SideBatch(SideSchema("r"), i, random));
  }
  auto join = MakeAsof();
  DiscardOutput out;
  int index = 0;
  for (auto _ : state) {
    if (index == kBatches) {
      state.PauseTiming();
      join = MakeAsof();
      index = 0;
      state.ResumeTiming();
    }
    const int64_t end = int64_t{index + 1} * kBatchRows;
    (void)join->Process(1, ChangeBatch{right[static_cast<size_t>(index)], {}}, out);
    (void)join->OnWatermark(1, end, out);
    (void)join->Process(0, ChangeBatch{left[static_cast<size_t>(index)], {}}, out);
    (void)join->OnWatermark(0, end, out);
    ++index;
  }
  state.SetItemsProcessed(state.iterations() * 2 * kBatchRows);
  benchmark::DoNotOptimize(out.rows);
}
BENCHMARK(BM_AsofJoinDistinctLeftKeys);

std::unique_ptr<TemporalJoinOperator> MakeTemporal() {
  return MakeTestTemporalJoin(*SideSchema("l"), *SideSchema("r"), true, sql::JoinKind::kInner);
}

// A temporal join (event time) fed like BM_AsofJoin: each right row is a new version of its
// key, each left row meets the version valid at its time. Items: rows of both sides.
void BM_TemporalJoin(benchmark::State& state) { RunBothSides(state, MakeTemporal); }
BENCHMARK(BM_TemporalJoin);

// A temporal join holding a version for each of 100,000 keys (loaded before timing, valid from
// before the first left row), whose versions then change for 1,000 hot keys only, while left
// rows probe all keys: each watermark may evict the hot keys' older versions. Items: rows of
// both sides.
void BM_TemporalJoinHotKeys(benchmark::State& state) {
  constexpr int64_t kAllKeys = 100'000;
  constexpr int64_t kHotKeys = 1'000;
  auto make = [] {
    auto join = MakeTemporal();
    DiscardOutput out;
    for (int64_t first = 0; first < kAllKeys; first += kBatchRows) {
      ColumnBuilder keys(DataType::BigInt());
      ColumnBuilder times(DataType::Timestamp());
      ColumnBuilder values(DataType::Double());
      for (int64_t key = first; key < first + kBatchRows; ++key) {
        keys.AppendFixed<int64_t>(key);
        times.AppendFixed<int64_t>(-1);
        values.AppendFixed<double>(0.5);
      }
      (void)join->Process(
          1,
          ChangeBatch{Batch::Make(SideSchema("r"), {keys.Finish(), times.Finish(), values.Finish()})
                          .value(),
                      {}},
          out);
    }
    return join;
  };
  RunBothSides(state, make, kAllKeys, kHotKeys);
}
BENCHMARK(BM_TemporalJoinHotKeys);

void BM_OutputBaseline(benchmark::State& state) {
  std::mt19937 random(42);
  const Batch left = SideBatch(SideSchema("l"), 0, random);
  const Batch right = SideBatch(SideSchema("r"), 0, random);
  JoinOutputBuilder builder(JoinedSchema(), 3);
  for (auto _ : state) {
    for (int64_t r = 0; r < kBatchRows; ++r) builder.AddMatch(&left, r, &right, r);
    benchmark::DoNotOptimize(builder.Finish(nullptr, sql::JoinKind::kInner));
  }
  // Counted like BM_AsofJoin: two input rows per output row.
  state.SetItemsProcessed(state.iterations() * 2 * kBatchRows);
}
BENCHMARK(BM_OutputBaseline);

// A table in memory keyed by a BIGINT: what TableLookupSource answers, without its locking.
class MemoryLookupSource final : public LookupSource {
 public:
  MemoryLookupSource()
      : schema_(Schema::Make(
            {{"id", DataType::BigInt(), false}, {"name", DataType::Varchar(), true}})) {
    for (int64_t id = 0; id < kKeys; ++id) names_[id] = "instrument " + std::to_string(id);
  }
  const std::shared_ptr<const Schema>& schema() const override { return schema_; }
  const std::vector<int>& key_columns() const override { return key_columns_; }
  uint64_t version() const override { return 1; }
  Result<LookupResult> Lookup(const LookupRequest& request) override {
    LookupResult result;
    BatchBuilder builder(schema_);
    for (int64_t p = 0; p < request.keys.num_rows(); ++p) {
      const int64_t id = request.keys.column(0).Values<int64_t>()[p];
      auto it = names_.find(id);
      if (it == names_.end()) continue;
      LAMINAR_RETURN_IF_ERROR(builder.column(0).AppendValue(Value::BigInt(id)));
      LAMINAR_RETURN_IF_ERROR(builder.column(1).AppendString(it->second));
      result.probe.push_back(static_cast<int32_t>(p));
    }
    LAMINAR_ASSIGN_OR_RETURN(result.rows, builder.Finish());
    return result;
  }
  std::string Describe() const override { return "memory"; }

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<int> key_columns_{0};
  std::unordered_map<int64_t, std::string> names_;
};

void BM_LookupJoin(benchmark::State& state) {
  LookupJoinDefinition definition;
  definition.source = std::make_shared<MemoryLookupSource>();
  definition.key_expressions = {sql::MakeColumn(0, "lk", DataType::BigInt())};
  std::vector<Field> fields = SideSchema("l")->fields();
  for (const Field& field : definition.source->schema()->fields()) fields.push_back(field);
  definition.output_schema = Schema::Make(std::move(fields));
  auto join = LookupJoinOperator::Make(std::move(definition), {}).value();
  std::mt19937 random(42);
  std::vector<Batch> left;
  for (int i = 0; i < 16; ++i) left.push_back(SideBatch(SideSchema("l"), i, random));
  DiscardOutput out;
  size_t index = 0;
  for (auto _ : state) {
    (void)join->Process(0, ChangeBatch{left[index++ % left.size()], {}}, out);
  }
  state.SetItemsProcessed(state.iterations() * kBatchRows);
  state.counters["hit_ratio"] = static_cast<double>(join->cache().hits()) /
                                static_cast<double>(join->cache().hits() + join->cache().misses());
}
BENCHMARK(BM_LookupJoin);

std::vector<std::string> CacheKeys() {
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; ++i) keys.push_back("key" + std::to_string(i * 7919));
  return keys;
}

void BM_LookupCacheHit(benchmark::State& state) {
  const std::vector<std::string> keys = CacheKeys();
  LookupCache cache;
  for (const std::string& key : keys) {
    CachedLookup value;
    value.found = true;
    value.row = {Value::BigInt(1), Value::Varchar("name")};
    cache.Insert(key, std::move(value));
  }
  size_t index = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.Find(keys[index]));
    index = index + 1 == keys.size() ? 0 : index + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupCacheHit);

void BM_HashMapFindBaseline(benchmark::State& state) {
  const std::vector<std::string> keys = CacheKeys();
  std::unordered_map<std::string_view, int> map;
  for (const std::string& key : keys) map.emplace(key, 1);
  size_t index = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(map.find(keys[index]));
    index = index + 1 == keys.size() ? 0 : index + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashMapFindBaseline);

}  // namespace
}  // namespace laminar::exec
