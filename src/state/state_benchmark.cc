// Micro-benchmarks of the Ring-0 state store. The Ring-0 budget: get < 40 ns, put < 60 ns,
// range < 200 ns per operation. Every benchmark reports `per_item`, the time per operation
// (per key for the batch benchmarks). Fixed seeds; keys are looked up in random order so that
// large tables pay their cache misses.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column_builder.h"
#include "state/group_table.h"
#include "state/key_encoder.h"
#include "state/ordered_index.h"

namespace laminar::state {
namespace {

/// `count` distinct random keys of `key_bytes` bytes each, stored back to back.
std::vector<char> MakeKeys(size_t count, size_t key_bytes, uint64_t seed) {
  std::vector<char> keys(count * key_bytes);
  std::mt19937_64 random(seed);
  for (size_t i = 0; i < count; ++i) {
    char* key = keys.data() + i * key_bytes;
    // The index in the first word keeps keys distinct; the rest is random.
    uint64_t first = (random() << 32) ^ i;
    std::memcpy(key, &first, sizeof(first));
    for (size_t at = sizeof(first); at < key_bytes; at += sizeof(uint64_t)) {
      uint64_t word = random();
      std::memcpy(key + at, &word, std::min(sizeof(word), key_bytes - at));
    }
  }
  return keys;
}

void SetPerItem(benchmark::State& state, int64_t items_per_iteration) {
  state.SetItemsProcessed(state.iterations() * items_per_iteration);
  state.counters["per_item"] = benchmark::Counter(
      static_cast<double>(items_per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

constexpr size_t kLookups = 1 << 20;
constexpr size_t kPrefetchDistance = 16;

/// A table holding `count` keys of `key_bytes`, and kLookups of those keys in random order,
/// stored back to back as an operator's encoded batch would be.
struct LookupFixture {
  LookupFixture(size_t count, size_t key_bytes, uint64_t seed) : key_bytes(key_bytes) {
    std::vector<char> keys = MakeKeys(count, key_bytes, seed);
    bool inserted = false;
    for (size_t i = 0; i < count; ++i) {
      std::string_view key(keys.data() + i * key_bytes, key_bytes);
      table.FindOrInsert(key, GroupTable::Hash(key), &inserted);
    }
    std::mt19937_64 random(seed + 1);
    lookups.resize(kLookups * key_bytes);
    for (size_t i = 0; i < kLookups; ++i) {
      std::memcpy(lookups.data() + i * key_bytes, keys.data() + random() % count * key_bytes,
                  key_bytes);
    }
  }
  std::string_view lookup(size_t i) const {
    return std::string_view(lookups.data() + i * key_bytes, key_bytes);
  }

  size_t key_bytes;
  GroupTable table;
  std::vector<char> lookups;
};

/// Runs op(key, hash) on the fixture's lookups in order. With `prefetch`, each key is hashed
/// kPrefetchDistance lookups ahead and its entry prefetched, as a batch loop would.
template <typename Op>
void RunLookups(benchmark::State& state, const LookupFixture& fixture, bool prefetch, Op op) {
  size_t next = 0;
  if (!prefetch) {
    for (auto _ : state) {
      std::string_view key = fixture.lookup(next);
      op(key, GroupTable::Hash(key));
      next = (next + 1) & (kLookups - 1);
    }
    return;
  }
  uint64_t ahead_hashes[kPrefetchDistance];
  for (size_t i = 0; i < kPrefetchDistance; ++i) {
    ahead_hashes[i] = GroupTable::Hash(fixture.lookup(i));
    fixture.table.Prefetch(ahead_hashes[i]);
  }
  for (auto _ : state) {
    uint64_t ahead = GroupTable::Hash(fixture.lookup((next + kPrefetchDistance) & (kLookups - 1)));
    fixture.table.Prefetch(ahead);
    fixture.table.PrefetchKey(ahead_hashes[(next + kPrefetchDistance / 2) % kPrefetchDistance]);
    uint64_t& hash = ahead_hashes[next % kPrefetchDistance];
    op(fixture.lookup(next), hash);
    hash = ahead;
    next = (next + 1) & (kLookups - 1);
  }
}

// Find of an existing key: args are the key size, the number of keys in the table and whether
// the loop prefetches.
void BM_StateGet(benchmark::State& state) {
  LookupFixture fixture(static_cast<size_t>(state.range(1)), static_cast<size_t>(state.range(0)),
                        1);
  RunLookups(state, fixture, state.range(2) != 0, [&](std::string_view key, uint64_t hash) {
    benchmark::DoNotOptimize(fixture.table.Find(key, hash));
  });
  SetPerItem(state, 1);
}
BENCHMARK(BM_StateGet)->ArgsProduct({{8, 24}, {10'000, 1'000'000}, {0, 1}});

// FindOrInsert of new keys into a table that starts empty (so growth is included), writing an
// int64 into a state array indexed by slot, as an aggregate's first row does; args as for
// BM_StateGet.
void BM_StatePutNew(benchmark::State& state) {
  const auto key_bytes = static_cast<size_t>(state.range(0));
  const auto count = static_cast<size_t>(state.range(1));
  const bool prefetch = state.range(2) != 0;
  std::vector<char> keys = MakeKeys(count, key_bytes, 3);
  auto key = [&](size_t i) { return std::string_view(keys.data() + i * key_bytes, key_bytes); };
  std::vector<uint64_t> hashes(count);
  std::vector<int64_t> values;
  for (auto _ : state) {
    GroupTable table;
    bool inserted = false;
    for (size_t i = 0; i < count; ++i) {
      if (prefetch && i + kPrefetchDistance < count) {
        hashes[i + kPrefetchDistance] = GroupTable::Hash(key(i + kPrefetchDistance));
        table.Prefetch(hashes[i + kPrefetchDistance]);
      }
      uint64_t hash = prefetch && i >= kPrefetchDistance ? hashes[i] : GroupTable::Hash(key(i));
      uint32_t slot = table.FindOrInsert(key(i), hash, &inserted);
      if (slot >= values.size()) values.resize(values.size() * 2 + 1024);
      values[slot] = static_cast<int64_t>(i);
    }
    benchmark::DoNotOptimize(values.data());
  }
  SetPerItem(state, static_cast<int64_t>(count));
}
BENCHMARK(BM_StatePutNew)->ArgsProduct({{8, 24}, {10'000, 1'000'000}, {0, 1}});

// FindOrInsert of existing keys in random order, adding to the slot's int64 state; args as
// for BM_StateGet.
void BM_StatePutExisting(benchmark::State& state) {
  LookupFixture fixture(static_cast<size_t>(state.range(1)), static_cast<size_t>(state.range(0)),
                        4);
  std::vector<int64_t> values(fixture.table.slot_capacity());
  GroupTable& table = fixture.table;
  bool inserted = false;
  RunLookups(state, fixture, state.range(2) != 0, [&](std::string_view key, uint64_t hash) {
    values[table.FindOrInsert(key, hash, &inserted)] += 1;
  });
  benchmark::DoNotOptimize(values.data());
  SetPerItem(state, 1);
}
BENCHMARK(BM_StatePutExisting)->ArgsProduct({{8, 24}, {10'000, 1'000'000}, {0, 1}});

constexpr int64_t kIndexEntries = 100'000;
constexpr int64_t kTimeStep = 10;  // Entry i has time i * kTimeStep.
constexpr int64_t kEntriesPerOp = 10;

OrderedIndex MakeIndex() {
  OrderedIndex index;
  for (int64_t i = 0; i < kIndexEntries; ++i) {
    index.Insert(i * kTimeStep, static_cast<uint32_t>(i));
  }
  return index;
}

// Range over ~10 of 100k entries at a random position.
void BM_StateRange(benchmark::State& state) {
  OrderedIndex index = MakeIndex();
  std::mt19937_64 random(6);
  std::vector<int64_t> starts(kLookups);
  for (int64_t& start : starts) {
    start = static_cast<int64_t>(random() % (kIndexEntries - kEntriesPerOp)) * kTimeStep;
  }
  size_t next = 0;
  for (auto _ : state) {
    int64_t lo = starts[next];
    uint64_t sum = 0;
    index.Range(lo, lo + (kEntriesPerOp - 1) * kTimeStep,
                [&](int64_t, uint32_t slot) { sum += slot; });
    benchmark::DoNotOptimize(sum);
    next = (next + 1) & (kLookups - 1);
  }
  SetPerItem(state, 1);
}
BENCHMARK(BM_StateRange);

// PopUpTo of the ~10 earliest of 100k entries, as a watermark closing windows does, plus the
// insertion of 10 new entries at the latest times to keep the size steady.
void BM_StatePopUpTo(benchmark::State& state) {
  OrderedIndex index = MakeIndex();
  std::vector<OrderedIndex::Entry> popped;
  popped.reserve(kEntriesPerOp);
  int64_t next_time = kIndexEntries * kTimeStep;
  int64_t watermark = -1;
  for (auto _ : state) {
    watermark += kEntriesPerOp * kTimeStep;
    popped.clear();
    index.PopUpTo(watermark, &popped);
    for (const OrderedIndex::Entry& entry : popped) {
      index.Insert(next_time, entry.slot);
      next_time += kTimeStep;
    }
    benchmark::DoNotOptimize(popped.data());
  }
  SetPerItem(state, 1);
}
BENCHMARK(BM_StatePopUpTo);

constexpr int64_t kBatchRows = 4096;

Column RandomBigInts(uint64_t seed) {
  std::mt19937_64 random(seed);
  ColumnBuilder builder(DataType::BigInt());
  for (int64_t i = 0; i < kBatchRows; ++i) builder.AppendFixed(static_cast<int64_t>(random()));
  return builder.Finish();
}

// Encoding (and hashing) a 4096-row batch of one BIGINT key column.
void BM_KeyEncodeBigInt(benchmark::State& state) {
  std::vector<Column> columns = {RandomBigInts(7)};
  KeyEncoder encoder({DataType::BigInt()});
  for (auto _ : state) {
    encoder.Encode(columns, {}, {});
    benchmark::DoNotOptimize(encoder.hash(kBatchRows - 1));
  }
  SetPerItem(state, kBatchRows);
}
BENCHMARK(BM_KeyEncodeBigInt);

// Encoding a 4096-row batch of VARCHAR (8 to 24 bytes) + BIGINT keys.
void BM_KeyEncodeVarcharBigInt(benchmark::State& state) {
  std::mt19937_64 random(8);
  ColumnBuilder names(DataType::Varchar());
  for (int64_t i = 0; i < kBatchRows; ++i) {
    std::string name = "customer-" + std::to_string(random() % 100'000);
    name.resize(8 + random() % 17, 'x');
    if (!names.AppendString(name).ok()) state.SkipWithError("cannot build the batch");
  }
  std::vector<Column> columns = {names.Finish(), RandomBigInts(9)};
  KeyEncoder encoder({DataType::Varchar(), DataType::BigInt()});
  for (auto _ : state) {
    encoder.Encode(columns, {}, {});
    benchmark::DoNotOptimize(encoder.hash(kBatchRows - 1));
  }
  SetPerItem(state, kBatchRows);
}
BENCHMARK(BM_KeyEncodeVarcharBigInt);

}  // namespace
}  // namespace laminar::state
