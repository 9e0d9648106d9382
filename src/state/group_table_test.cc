#include "state/group_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace laminar::state {
namespace {

uint32_t Insert(GroupTable& table, std::string_view key, bool* inserted = nullptr) {
  bool was_inserted = false;
  uint32_t slot = table.FindOrInsert(key, GroupTable::Hash(key), &was_inserted);
  if (inserted != nullptr) *inserted = was_inserted;
  return slot;
}

uint32_t Find(const GroupTable& table, std::string_view key) {
  return table.Find(key, GroupTable::Hash(key));
}

std::string Int64Key(int64_t value) {
  std::string key(sizeof(value), '\0');
  std::memcpy(key.data(), &value, sizeof(value));
  return key;
}

TEST(GroupTableTest, InsertFindAndErase) {
  GroupTable table;
  bool inserted = false;
  uint32_t a = Insert(table, "alpha", &inserted);
  EXPECT_TRUE(inserted);
  uint32_t b = Insert(table, "a much longer key that lives in the arena", &inserted);
  EXPECT_TRUE(inserted);
  EXPECT_NE(a, b);
  EXPECT_EQ(Insert(table, "alpha", &inserted), a);
  EXPECT_FALSE(inserted);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(Find(table, "alpha"), a);
  EXPECT_EQ(Find(table, "a much longer key that lives in the arena"), b);
  EXPECT_EQ(Find(table, "beta"), GroupTable::kNoSlot);
  EXPECT_EQ(table.key(a), "alpha");
  EXPECT_EQ(table.key(b), "a much longer key that lives in the arena");

  table.Erase(a);
  EXPECT_FALSE(table.IsLive(a));
  EXPECT_TRUE(table.IsLive(b));
  EXPECT_EQ(Find(table, "alpha"), GroupTable::kNoSlot);
  EXPECT_EQ(Find(table, "a much longer key that lives in the arena"), b);
  EXPECT_EQ(table.size(), 1u);
}

TEST(GroupTableTest, KeysDifferingOnlyInLengthOrZeroBytesAreDistinct) {
  GroupTable table;
  const std::vector<std::string> keys = {
      std::string(),          std::string(1, '\0'),     std::string(2, '\0'),
      std::string(8, '\0'),   std::string(9, '\0'),     std::string(17, '\0'),
      std::string("a"),       std::string("a\0", 2),    std::string("abcdefgh"),
      std::string("abcdefg"), std::string("abcdefghi"), std::string(16, 'x'),
      std::string(17, 'x')};
  std::vector<uint32_t> slots;
  for (const std::string& key : keys) {
    bool inserted = false;
    slots.push_back(Insert(table, key, &inserted));
    EXPECT_TRUE(inserted) << "key of length " << key.size();
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(Find(table, keys[i]), slots[i]);
    EXPECT_EQ(table.key(slots[i]), keys[i]);
  }
}

// Inline keys are compared as one word: a key under 8 bytes keeps its length in the word's top
// byte, so a 7-byte key and the 8-byte key whose last byte is 7 have the same word. With every
// key on one hash, only the entry's kind of key can tell them apart.
TEST(GroupTableTest, KeysWithTheSameWordAreDistinctUnderOneHash) {
  GroupTable table;
  const std::vector<std::string> keys = {
      std::string(),          std::string(8, '\0'),
      std::string("abcdefg"), std::string("abcdefg\x07", 8),
      std::string(7, '\0'),   std::string("\0\0\0\0\0\0\0\x07", 8),
      std::string("\x01", 1), std::string("\x01\0\0\0\0\0\0\x01", 8),
      std::string(9, '\0'),   std::string("abcdefg\x07\x09", 9)};
  constexpr uint64_t kHash = 42;
  std::vector<uint32_t> slots;
  for (const std::string& key : keys) {
    bool inserted = false;
    slots.push_back(table.FindOrInsert(key, kHash, &inserted));
    EXPECT_TRUE(inserted) << "key of length " << key.size();
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(table.Find(keys[i], kHash), slots[i]) << i;
    EXPECT_EQ(table.key(slots[i]), keys[i]) << i;
  }
  // Erasing every other key shifts the rest of the cluster back; they stay apart.
  for (size_t i = 0; i < keys.size(); i += 2) table.Erase(slots[i]);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(table.Find(keys[i], kHash), i % 2 == 0 ? GroupTable::kNoSlot : slots[i]) << i;
  }
}
TEST(GroupTableTest, ErasedSlotIsReusedByTheNextInsert) {
  GroupTable table;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Insert(table, Int64Key(i)), static_cast<uint32_t>(i));
  table.Erase(3);
  table.Erase(7);
  EXPECT_EQ(table.slot_capacity(), 10u);
  EXPECT_EQ(Insert(table, "new one"), 7u);
  EXPECT_EQ(Insert(table, "new two"), 3u);
  EXPECT_EQ(Insert(table, "new three"), 10u);
  EXPECT_EQ(table.slot_capacity(), 11u);
  EXPECT_EQ(table.key(3), "new two");
  EXPECT_EQ(Find(table, Int64Key(3)), GroupTable::kNoSlot);
}

TEST(GroupTableTest, GrowsAcrossManyRehashesKeepingSlots) {
  GroupTable table;
  constexpr int kKeys = 200'000;
  for (int i = 0; i < kKeys; ++i) {
    std::string key = i % 2 == 0 ? Int64Key(i) : "long key number " + std::to_string(i);
    ASSERT_EQ(Insert(table, key), static_cast<uint32_t>(i));
  }
  EXPECT_EQ(table.size(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) {
    std::string key = i % 2 == 0 ? Int64Key(i) : "long key number " + std::to_string(i);
    ASSERT_EQ(Find(table, key), static_cast<uint32_t>(i));
    ASSERT_EQ(table.key(static_cast<uint32_t>(i)), key);
  }
  EXPECT_GT(table.MemoryBytes(), static_cast<size_t>(kKeys) * 24);
}

// Every key gets the same hash, so every probe walks one long cluster and every erase shifts
// it; the table must still tell keys apart by their bytes.
TEST(GroupTableTest, AllKeysCollidingOnOneHash) {
  GroupTable table;
  constexpr int kKeys = 2000;
  auto key_of = [](int i) { return i % 3 == 0 ? Int64Key(i) : "colliding " + std::to_string(i); };
  for (int i = 0; i < kKeys; ++i) {
    bool inserted = false;
    ASSERT_EQ(table.FindOrInsert(key_of(i), 42, &inserted), static_cast<uint32_t>(i));
    ASSERT_TRUE(inserted);
  }
  for (int i = 0; i < kKeys; i += 2) table.Erase(static_cast<uint32_t>(i));
  for (int i = 0; i < kKeys; ++i) {
    uint32_t expected = i % 2 == 0 ? GroupTable::kNoSlot : static_cast<uint32_t>(i);
    ASSERT_EQ(table.Find(key_of(i), 42), expected) << i;
  }
}

// Distinct hashes with the same home position: clusters form, wrap around the end of the
// array, and backward-shift deletion must keep every key reachable.
TEST(GroupTableTest, ClustersWithSharedHomesSurviveErase) {
  GroupTable table;
  constexpr int kKeys = 12;  // Fits the initial 16 entries without growing.
  auto hash_of = [](int i) -> uint64_t {
    // Homes 14 and 15 of 16 entries, so the clusters wrap to the start.
    return (uint64_t{static_cast<uint64_t>(i) + 1} << 32) | (i % 2 == 0 ? 14 : 15);
  };
  for (int i = 0; i < kKeys; ++i) {
    bool inserted = false;
    table.FindOrInsert(Int64Key(i), hash_of(i), &inserted);
  }
  std::mt19937_64 random(7);
  std::vector<int> order(kKeys);
  for (int i = 0; i < kKeys; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random);
  std::unordered_set<int> erased;
  for (int victim : order) {
    table.Erase(table.Find(Int64Key(victim), hash_of(victim)));
    erased.insert(victim);
    for (int i = 0; i < kKeys; ++i) {
      uint32_t slot = table.Find(Int64Key(i), hash_of(i));
      ASSERT_EQ(slot == GroupTable::kNoSlot, erased.count(i) == 1) << "key " << i;
    }
  }
  EXPECT_EQ(table.size(), 0u);
}

TEST(GroupTableTest, ArenaIsCompactedAfterMostLongKeysAreErased) {
  GroupTable table;
  constexpr int kKeys = 50'000;
  auto key_of = [](int i) { return std::string(40, 'k') + std::to_string(i); };
  for (int i = 0; i < kKeys; ++i) Insert(table, key_of(i));
  size_t full = table.MemoryBytes();
  for (int i = 0; i < kKeys; ++i) {
    if (i % 10 != 0) table.Erase(static_cast<uint32_t>(i));
  }
  EXPECT_LT(table.MemoryBytes(), full - static_cast<size_t>(kKeys) * 40 / 2);
  for (int i = 0; i < kKeys; i += 10) {
    ASSERT_EQ(Find(table, key_of(i)), static_cast<uint32_t>(i));
    ASSERT_EQ(table.key(static_cast<uint32_t>(i)), key_of(i));
  }
}

// A differential test against std::unordered_map: random inserts, lookups and erases of keys
// of 0 to 40 bytes from a bounded universe, so that every kind of operation hits and misses.
TEST(GroupTableTest, MatchesUnorderedMapUnderRandomOperations) {
  GroupTable table;
  std::unordered_map<std::string, uint32_t> oracle;
  std::vector<std::string> live_keys_by_slot;
  std::mt19937_64 random(20240611);
  constexpr int kOperations = 2'000'000;
  constexpr uint64_t kUniverse = 50'000;
  auto random_key = [&] {
    uint64_t id = random() % kUniverse;
    size_t length = id % 41;
    std::string key(length, '\0');
    uint64_t bits = id * 0x9e3779b97f4a7c15;
    for (size_t i = 0; i < length; ++i) key[i] = static_cast<char>(bits >> (8 * (i % 8)) ^ i);
    return key;
  };
  size_t peak = 0;
  for (int op = 0; op < kOperations; ++op) {
    std::string key = random_key();
    uint64_t kind = random() % 10;
    // Prefetching has no visible effect; run it anyway so that sanitizers check its reads.
    table.Prefetch(GroupTable::Hash(key));
    table.PrefetchKey(GroupTable::Hash(key));
    auto it = oracle.find(key);
    if (kind < 5) {
      bool inserted = false;
      uint32_t slot = Insert(table, key, &inserted);
      ASSERT_EQ(inserted, it == oracle.end());
      if (it == oracle.end()) {
        oracle.emplace(key, slot);
        if (slot >= live_keys_by_slot.size()) live_keys_by_slot.resize(slot + 1);
        live_keys_by_slot[slot] = key;
      } else {
        ASSERT_EQ(slot, it->second);
      }
    } else if (kind < 8) {
      ASSERT_EQ(Find(table, key), it == oracle.end() ? GroupTable::kNoSlot : it->second);
    } else if (it != oracle.end()) {
      ASSERT_EQ(table.key(it->second), key);
      table.Erase(it->second);
      oracle.erase(it);
    }
    ASSERT_EQ(table.size(), oracle.size());
    peak = std::max(peak, oracle.size());
    // Slots stay dense: never more numbers than the most keys ever live at once.
    ASSERT_LE(table.slot_capacity(), peak);
  }
  for (const auto& [key, slot] : oracle) {
    ASSERT_EQ(Find(table, key), slot);
    ASSERT_EQ(table.key(slot), live_keys_by_slot[slot]);
  }
}

TEST(GroupTableTest, HashSpreadsSequentialIntegers) {
  constexpr int kKeys = 1 << 16;
  std::unordered_set<uint64_t> hashes;
  std::vector<int> buckets(kKeys);
  for (int i = 0; i < kKeys; ++i) {
    uint64_t hash = GroupTable::Hash(Int64Key(i));
    hashes.insert(hash);
    ++buckets[hash & (kKeys - 1)];
  }
  EXPECT_EQ(hashes.size(), static_cast<size_t>(kKeys));
  // Random placement leaves 1/e of the buckets empty (36.8%).
  int empty = static_cast<int>(std::count(buckets.begin(), buckets.end(), 0));
  EXPECT_GT(empty, kKeys * 35 / 100);
  EXPECT_LT(empty, kKeys * 39 / 100);
}

TEST(GroupTableTest, HashDependsOnEveryByteAndTheLength) {
  std::unordered_set<uint64_t> hashes;
  for (size_t length = 0; length <= 64; ++length) {
    std::string key(length, 'q');
    ASSERT_TRUE(hashes.insert(GroupTable::Hash(key)).second);
    for (size_t i = 0; i < length; ++i) {
      std::string changed = key;
      changed[i] = 'r';
      ASSERT_TRUE(hashes.insert(GroupTable::Hash(changed)).second) << length << " " << i;
    }
  }
}

// A table rebuilt from its slot capacity, free list and live keys (what a checkpoint keeps)
// has the same slots for every key and hands out the same slots afterwards.
TEST(GroupTableTest, RestoredTableKeepsSlotsAndReuseOrder) {
  GroupTable original;
  std::mt19937 random(5);
  for (int i = 0; i < 2000; ++i) {
    const std::string key =
        i % 3 == 0 ? "a long key that lives in the arena " + std::to_string(i) : Int64Key(i);
    Insert(original, key);
    const uint32_t victim = static_cast<uint32_t>(random() % original.slot_capacity());
    if (random() % 3 == 0 && original.IsLive(victim)) original.Erase(victim);
  }
  GroupTable restored;
  for (uint32_t slot = 0; slot < original.slot_capacity(); ++slot) {
    if (!original.IsLive(slot)) continue;
    const std::string_view key = original.key(slot);
    ASSERT_TRUE(restored.RestoreKey(key, GroupTable::Hash(key), slot));
  }
  ASSERT_TRUE(restored.RestoreFreeSlots(original.slot_capacity(), original.free_slots()));
  EXPECT_EQ(restored.size(), original.size());
  // The bulk form rebuilds the same table.
  std::vector<std::string_view> keys;
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> slots;
  for (uint32_t slot = 0; slot < original.slot_capacity(); ++slot) {
    if (!original.IsLive(slot)) continue;
    keys.push_back(original.key(slot));
    hashes.push_back(GroupTable::Hash(keys.back()));
    slots.push_back(slot);
  }
  GroupTable bulk;
  ASSERT_TRUE(bulk.RestoreKeys(keys, hashes, slots));
  ASSERT_TRUE(bulk.RestoreFreeSlots(original.slot_capacity(), original.free_slots()));
  for (uint32_t slot : slots) EXPECT_EQ(Find(bulk, original.key(slot)), slot);
  keys.push_back(keys.front());
  hashes.push_back(hashes.front());
  slots.push_back(slots.back() + 1);
  EXPECT_FALSE(GroupTable().RestoreKeys(keys, hashes, slots));  // A key twice.
  keys.back() = "a key of its own";
  hashes.back() = GroupTable::Hash(keys.back());
  slots.back() = slots.front();
  EXPECT_FALSE(GroupTable().RestoreKeys(keys, hashes, slots));  // A slot twice.
  // Slots in any order (an incremental snapshot writes some early) rebuild the same table.
  keys.pop_back();
  hashes.pop_back();
  slots.pop_back();
  std::vector<size_t> order(slots.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), random);
  std::vector<std::string_view> shuffled_keys;
  std::vector<uint64_t> shuffled_hashes;
  std::vector<uint32_t> shuffled_slots;
  for (size_t i : order) {
    shuffled_keys.push_back(keys[i]);
    shuffled_hashes.push_back(hashes[i]);
    shuffled_slots.push_back(slots[i]);
  }
  GroupTable unordered;
  ASSERT_TRUE(unordered.RestoreKeys(shuffled_keys, shuffled_hashes, shuffled_slots));
  ASSERT_TRUE(unordered.RestoreFreeSlots(original.slot_capacity(), original.free_slots()));
  for (uint32_t slot : slots) EXPECT_EQ(Find(unordered, original.key(slot)), slot);
  EXPECT_EQ(restored.slot_capacity(), original.slot_capacity());
  for (int i = 0; i < 3000; ++i) {
    const std::string key = Int64Key(100'000 + i);
    EXPECT_EQ(Insert(restored, key), Insert(original, key));
    if (i % 4 == 0) {
      const uint32_t slot = Find(original, Int64Key(100'000 + i / 2));
      original.Erase(slot);
      restored.Erase(slot);
    }
  }
}

TEST(GroupTableTest, RestoreRefusesInconsistentSlots) {
  GroupTable table;
  ASSERT_TRUE(table.RestoreKey("a", GroupTable::Hash("a"), 2));
  EXPECT_FALSE(table.RestoreKey("a", GroupTable::Hash("a"), 3));  // The key twice.
  EXPECT_FALSE(table.RestoreKey("b", GroupTable::Hash("b"), 2));  // The slot twice.
  EXPECT_FALSE(table.RestoreKey("b", GroupTable::Hash("b"), GroupTable::kNoSlot));
  EXPECT_FALSE(table.RestoreFreeSlots(3, {0}));     // Slot 1 unaccounted for.
  EXPECT_FALSE(table.RestoreFreeSlots(3, {0, 2}));  // Slot 2 is live.
  EXPECT_FALSE(table.RestoreFreeSlots(3, {0, 0}));  // Slot 0 twice.
  EXPECT_TRUE(table.RestoreFreeSlots(3, {1, 0}));
  EXPECT_EQ(Insert(table, "c"), 0u);  // The last free slot listed is reused first.
}

}  // namespace
}  // namespace laminar::state
