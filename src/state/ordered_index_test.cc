#include "state/ordered_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <vector>

namespace laminar::state {
namespace {

using Entry = OrderedIndex::Entry;

std::vector<Entry> Collect(const OrderedIndex& index, int64_t lo, int64_t hi) {
  std::vector<Entry> out;
  index.Range(lo, hi, [&](int64_t time, uint32_t slot) { out.push_back(Entry{time, slot}); });
  return out;
}

TEST(OrderedIndexTest, PopUpToReturnsEntriesInTimeThenInsertionOrder) {
  OrderedIndex index;
  index.Insert(30, 1);
  index.Insert(10, 2);
  index.Insert(20, 3);
  index.Insert(10, 4);
  index.Insert(40, 5);
  EXPECT_EQ(index.size(), 5u);
  EXPECT_EQ(index.MinTime(), 10);

  std::vector<Entry> popped;
  index.PopUpTo(25, &popped);
  EXPECT_EQ(popped, (std::vector<Entry>{{10, 2}, {10, 4}, {20, 3}}));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.MinTime(), 30);

  popped.clear();
  index.PopUpTo(25, &popped);
  EXPECT_TRUE(popped.empty());
  index.PopUpTo(1000, &popped);
  EXPECT_EQ(popped, (std::vector<Entry>{{30, 1}, {40, 5}}));
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.MinTime(), std::nullopt);
}

TEST(OrderedIndexTest, RangeIsInclusiveAndReadOnly) {
  OrderedIndex index;
  for (int64_t time = 0; time < 1000; ++time) index.Insert(time * 10, static_cast<uint32_t>(time));
  EXPECT_EQ(Collect(index, 95, 120), (std::vector<Entry>{{100, 10}, {110, 11}, {120, 12}}));
  EXPECT_TRUE(Collect(index, 121, 129).empty());
  EXPECT_TRUE(Collect(index, 20, 10).empty());
  EXPECT_EQ(Collect(index, -100, 0), (std::vector<Entry>{{0, 0}}));
  EXPECT_EQ(Collect(index, 9990, 20000), (std::vector<Entry>{{9990, 999}}));
  EXPECT_EQ(Collect(index, INT64_MIN, INT64_MAX).size(), 1000u);
  EXPECT_EQ(index.size(), 1000u);
}

TEST(OrderedIndexTest, EraseRemovesOneMatchingEntry) {
  OrderedIndex index;
  index.Insert(5, 1);
  index.Insert(5, 2);
  index.Insert(5, 1);
  EXPECT_FALSE(index.Erase(5, 3));
  EXPECT_FALSE(index.Erase(6, 1));
  EXPECT_TRUE(index.Erase(5, 1));
  EXPECT_EQ(Collect(index, 0, 10), (std::vector<Entry>{{5, 2}, {5, 1}}));
  EXPECT_TRUE(index.Erase(5, 1));
  EXPECT_TRUE(index.Erase(5, 2));
  EXPECT_TRUE(index.empty());
  EXPECT_FALSE(index.Erase(5, 2));
}

// Thousands of groups under each window end: runs of one time span many blocks.
TEST(OrderedIndexTest, ManySlotsPerTimeAcrossBlocks) {
  OrderedIndex index;
  constexpr uint32_t kPerWindow = 5000;
  for (uint32_t slot = 0; slot < kPerWindow; ++slot) {
    index.Insert(200, slot + kPerWindow);
    index.Insert(100, slot);
  }
  // Erase from the middle of the run of 100, which crosses block boundaries.
  for (uint32_t slot = 1000; slot < 4000; ++slot) ASSERT_TRUE(index.Erase(100, slot));
  ASSERT_FALSE(index.Erase(100, 2000));
  std::vector<Entry> popped;
  index.PopUpTo(150, &popped);
  ASSERT_EQ(popped.size(), kPerWindow - 3000);
  for (size_t i = 0; i < popped.size(); ++i) {
    uint32_t expected = i < 1000 ? static_cast<uint32_t>(i) : static_cast<uint32_t>(i + 3000);
    ASSERT_EQ(popped[i], (Entry{100, expected}));
  }
  popped.clear();
  index.PopUpTo(200, &popped);
  ASSERT_EQ(popped.size(), kPerWindow);
  for (uint32_t i = 0; i < kPerWindow; ++i) ASSERT_EQ(popped[i], (Entry{200, i + kPerWindow}));
  EXPECT_TRUE(index.empty());
}

// A differential test against std::multimap, which also keeps equal keys in insertion order.
std::vector<Entry> ReadAll(OrderedIndex::Frozen& frozen) {
  std::vector<Entry> out;
  while (frozen.ReadNext(7, [&](int64_t time, uint32_t slot) {
    out.push_back({time, slot});
  }) > 0) {
  }
  return out;
}

TEST(OrderedIndexTest, FrozenCopiesKeepTheirEntriesThroughEveryChange) {
  // Each change below rewrites a block in place when nothing shares it: a frozen copy taken
  // before must still read the entries as they were.
  auto fill = [](OrderedIndex& index) {
    for (uint32_t i = 0; i < 4 * OrderedIndex::kBlockCapacity; ++i) index.Insert(2 * i, i);
  };
  const std::vector<std::function<void(OrderedIndex&)>> changes = {
      [](OrderedIndex& index) { index.Insert(1001, 7); },     // Into a full block: a split.
      [](OrderedIndex& index) { index.Insert(1 << 20, 7); },  // At the end, not full.
      [](OrderedIndex& index) {  // Removals until two neighbours merge.
        for (uint32_t i = 0; i < 2 * OrderedIndex::kBlockCapacity - 40; ++i) {
          ASSERT_TRUE(index.Erase(2 * (i + 20), i + 20));
        }
      },
      [](OrderedIndex& index) {  // A merge into a block unchanged since the copy.
        ASSERT_TRUE(index.Erase(2 * (256 + 192), 256 + 192));
      },
      [](OrderedIndex& index) {  // A pop ending inside a block, which then merges.
        std::vector<Entry> popped;
        index.PopUpTo(2 * (OrderedIndex::kBlockCapacity + 230), &popped);
      },
      [](OrderedIndex& index) {  // A pop of whole blocks.
        std::vector<Entry> popped;
        index.PopUpTo(1 << 30, &popped);
      },
      [](OrderedIndex& index) {  // Whole blocks popped, then new ones (recycled blocks).
        std::vector<Entry> popped;
        index.PopUpTo(2 * (3 * OrderedIndex::kBlockCapacity) - 1, &popped);
        for (uint32_t i = 0; i < 3 * OrderedIndex::kBlockCapacity; ++i) index.Insert(1 << 24, i);
      },
  };
  for (size_t c = 0; c < changes.size(); ++c) {
    SCOPED_TRACE(c);
    OrderedIndex index;
    fill(index);
    if (c == 1) {
      // The last block one short of full: the append writes into it.
      ASSERT_TRUE(index.Erase(2 * (4 * 256 - 1), 4 * 256 - 1));
    }
    if (c == 3) {
      // Block 0 down to 40 entries, block 1 to 64: one more removal from block 1 merges it
      // into block 0.
      for (uint32_t i = 40; i < 256; ++i) ASSERT_TRUE(index.Erase(2 * i, i));
      for (uint32_t i = 256; i < 256 + 192; ++i) ASSERT_TRUE(index.Erase(2 * i, i));
    }
    const std::vector<Entry> before = Collect(index, INT64_MIN, INT64_MAX);
    OrderedIndex::Frozen frozen = index.Freeze();
    changes[c](index);
    ASSERT_NE(Collect(index, INT64_MIN, INT64_MAX), before);
    EXPECT_EQ(ReadAll(frozen), before);
    EXPECT_EQ(frozen.read(), before.size());
    // The index itself is unaffected by the copy going away.
    const std::vector<Entry> after = Collect(index, INT64_MIN, INT64_MAX);
    frozen = OrderedIndex::Frozen();
    index.Insert(5, 5);
    EXPECT_EQ(index.size(), after.size() + 1);
  }
}

TEST(OrderedIndexTest, MatchesMultimapUnderRandomOperations) {
  for (int64_t time_range : {int64_t{20}, int64_t{100'000}}) {
    OrderedIndex index;
    std::multimap<int64_t, uint32_t> oracle;
    std::mt19937_64 random(static_cast<uint64_t>(time_range));
    int64_t floor = 0;  // Times below this were popped; new ones mostly arrive above it.
    std::vector<Entry> popped;
    std::optional<OrderedIndex::Frozen> frozen;
    std::vector<Entry> frozen_expected;
    int frozen_copies_read = 0;
    for (int op = 0; op < 300'000; ++op) {
      uint64_t kind = random() % 100;
      if (kind < 60) {
        int64_t time = floor + static_cast<int64_t>(random() % static_cast<uint64_t>(time_range));
        uint32_t slot = static_cast<uint32_t>(random() % 1000);
        index.Insert(time, slot);
        oracle.emplace(time, slot);
      } else if (kind < 85) {
        if (oracle.empty()) continue;
        // Erase an existing entry (or, one time in four, one that probably is not there).
        auto it = oracle.lower_bound(
            floor + static_cast<int64_t>(random() % static_cast<uint64_t>(time_range)));
        if (it == oracle.end()) it = oracle.begin();
        int64_t time = it->first;
        uint32_t slot = random() % 4 == 0 ? static_cast<uint32_t>(random() % 1000) : it->second;
        auto [first, last] = oracle.equal_range(time);
        auto match = std::find_if(first, last, [&](const auto& e) { return e.second == slot; });
        ASSERT_EQ(index.Erase(time, slot), match != last);
        if (match != last) oracle.erase(match);
      } else if (kind < 90) {
        // A frozen copy, read in slices while the index goes on changing, must read the
        // entries the index had when it was frozen.
        if (!frozen) {
          frozen = index.Freeze();
          frozen_expected.clear();
          for (const auto& [time, slot] : oracle) frozen_expected.push_back(Entry{time, slot});
          ASSERT_EQ(frozen->size(), frozen_expected.size());
        } else {
          const size_t from = frozen->read();
          std::vector<Entry> read;
          const size_t called =
              frozen->ReadNext(1 + random() % 600, [&](int64_t time, uint32_t slot) {
                read.push_back({time, slot});
              });
          ASSERT_EQ(called, read.size());
          ASSERT_EQ(read, std::vector<Entry>(frozen_expected.begin() + from,
                                             frozen_expected.begin() + from + called));
          if (frozen->read() == frozen->size()) {
            ++frozen_copies_read;
            frozen.reset();
          } else {
            ASSERT_GT(called, 0u);
          }
        }
      } else if (kind < 95) {
        int64_t lo = floor + static_cast<int64_t>(random() % static_cast<uint64_t>(time_range));
        int64_t hi = lo + static_cast<int64_t>(random() % 50);
        std::vector<Entry> expected;
        for (auto it = oracle.lower_bound(lo); it != oracle.end() && it->first <= hi; ++it) {
          expected.push_back(Entry{it->first, it->second});
        }
        ASSERT_EQ(Collect(index, lo, hi), expected);
      } else {
        floor += static_cast<int64_t>(random() % static_cast<uint64_t>(time_range / 4 + 1));
        popped.clear();
        index.PopUpTo(floor, &popped);
        std::vector<Entry> expected;
        while (!oracle.empty() && oracle.begin()->first <= floor) {
          expected.push_back(Entry{oracle.begin()->first, oracle.begin()->second});
          oracle.erase(oracle.begin());
        }
        ASSERT_EQ(popped, expected);
      }
      ASSERT_EQ(index.size(), oracle.size());
      ASSERT_EQ(index.MinTime(),
                oracle.empty() ? std::nullopt : std::optional<int64_t>(oracle.begin()->first));
    }
    std::vector<Entry> rest;
    for (const auto& [time, slot] : oracle) rest.push_back(Entry{time, slot});
    ASSERT_EQ(Collect(index, INT64_MIN, INT64_MAX), rest);
    EXPECT_GT(index.MemoryBytes(), 0u);
    EXPECT_GT(frozen_copies_read, 10);
  }
}

}  // namespace
}  // namespace laminar::state
