#include "exec/versioned/lookup_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace laminar::exec {
namespace {

CachedLookup Missing() { return CachedLookup{}; }

CachedLookup Found(std::string text) {
  CachedLookup value;
  value.found = true;
  value.row.push_back(Value::Varchar(std::move(text)));
  return value;
}

// Ten entries of 98 bytes ("k0".."k9", negative) fill the cache; the small queue holds one.
constexpr size_t kTenEntries = 10 * 98;

TEST(LookupCacheTest, EntryBytesCountKeyAndValues) {
  EXPECT_EQ(LookupCache::EntryBytes("k0", Missing()), 98u);
  EXPECT_EQ(LookupCache::EntryBytes("k0", Found("abcd")), 98u + sizeof(Value) + 4u);
}

TEST(LookupCacheTest, HitsAndNegativeEntriesAreCounted) {
  LookupCache cache(kTenEntries);
  EXPECT_EQ(cache.Find("a"), nullptr);
  cache.Insert("a", Missing());
  cache.Insert("b", Found("x"));
  const CachedLookup* a = cache.Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->found);
  const CachedLookup* b = cache.Find("b");
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->found);
  EXPECT_EQ(b->row[0].string(), "x");
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(LookupCacheTest, UnreadKeysAreEvictedInInsertionOrder) {
  LookupCache cache(kTenEntries);
  for (int i = 0; i < 10; ++i) cache.Insert("k" + std::to_string(i), Missing());
  EXPECT_EQ(cache.bytes(), kTenEntries);
  EXPECT_EQ(cache.evictions(), 0u);
  cache.Insert("k10", Missing());  // 99 bytes: two entries must go.
  EXPECT_FALSE(cache.Contains("k0"));
  EXPECT_FALSE(cache.Contains("k1"));
  EXPECT_TRUE(cache.Contains("k2"));
  EXPECT_TRUE(cache.Contains("k10"));
  EXPECT_EQ(cache.evictions(), 2u);
  EXPECT_LE(cache.bytes(), kTenEntries);
}

TEST(LookupCacheTest, ReadKeySurvivesAScanOfNewKeys) {
  LookupCache cache(kTenEntries);
  for (int i = 0; i < 10; ++i) cache.Insert("k" + std::to_string(i), Missing());
  ASSERT_NE(cache.Find("k3"), nullptr);
  for (int i = 0; i < 200; ++i) cache.Insert("s" + std::to_string(i), Missing());
  EXPECT_TRUE(cache.Contains("k3"));
  EXPECT_FALSE(cache.Contains("k4"));
  EXPECT_LE(cache.bytes(), kTenEntries);
}

TEST(LookupCacheTest, KeyInsertedAgainAfterEvictionGoesToMainQueue) {
  LookupCache cache(kTenEntries);
  for (int i = 0; i < 10; ++i) cache.Insert("k" + std::to_string(i), Missing());
  cache.Insert("x0", Missing());  // Evicts k0 (remembered as a ghost).
  ASSERT_FALSE(cache.Contains("k0"));
  cache.Insert("k0", Missing());  // Back, into the main queue.
  for (int i = 1; i < 10; ++i) cache.Insert("y" + std::to_string(i), Missing());
  EXPECT_TRUE(cache.Contains("k0"));
  EXPECT_FALSE(cache.Contains("x0"));
}

TEST(LookupCacheTest, BytesStayWithinCapacity) {
  std::mt19937 random(7);
  LookupCache cache(4096);
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "key" + std::to_string(random() % 300);
    if (cache.Find(key) == nullptr) {
      cache.Insert(key, Found(std::string(random() % 400, 'v')));
    }
    ASSERT_LE(cache.bytes(), 4096u);
  }
  EXPECT_GT(cache.evictions(), 0u);
  EXPECT_GT(cache.hits(), 0u);
}

TEST(LookupCacheTest, EntryLargerThanTheCacheIsNotCached) {
  LookupCache cache(200);
  cache.Insert("big", Found(std::string(500, 'v')));
  EXPECT_FALSE(cache.Contains("big"));
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(LookupCacheTest, NewVersionDropsEverything) {
  LookupCache cache(kTenEntries);
  cache.SyncVersion(1);
  cache.Insert("a", Found("x"));
  cache.SyncVersion(1);
  EXPECT_TRUE(cache.Contains("a"));
  cache.SyncVersion(2);
  EXPECT_FALSE(cache.Contains("a"));
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.invalidations(), 1u);
}

TEST(LookupCacheTest, InsertReplacesAnExistingEntry) {
  LookupCache cache(kTenEntries);
  cache.Insert("a", Missing());
  cache.Insert("a", Found("now"));
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.bytes(), LookupCache::EntryBytes("a", Found("now")));
  EXPECT_TRUE(cache.Find("a")->found);
}

}  // namespace
}  // namespace laminar::exec
