#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "columnar/value.h"

namespace laminar::exec {

/// What a lookup answered for one key: the matching row, or nothing (a negative entry, so a
/// key absent from the table costs one probe of the source, not one per row).
struct CachedLookup {
  bool found = false;
  std::vector<Value> row;
};

/// A byte-bounded cache of lookup answers in front of a LookupSource, keyed by the encoded
/// join key (JoinKeyEvaluator's bytes).
///
/// Eviction is S3-FIFO (Yang et al., SOSP 2023): new keys enter a small FIFO queue (10% of
/// the bytes); a key leaving the small queue moves to the main queue if it was read while
/// there, and is otherwise evicted and remembered in a ghost queue of hashes. A key found in
/// the ghost queue when it is inserted again goes straight to the main queue. The main queue
/// is a FIFO with a 2-bit read counter per entry: an entry at its head that was read is
/// reinserted at the tail with its counter decremented, one that was not is evicted. One-hit
/// keys (a scan) thus pass through the small queue without displacing the hot ones.
///
/// Bytes are estimated per entry: the key, the values (strings by their length) and a fixed
/// overhead (EntryBytes). An entry larger than the whole capacity is not cached.
///
/// The whole cache is dropped when the source's version changes (SyncVersion): a TABLE bumps
/// its version on every write, so no answer older than the table's contents is served.
///
/// Thread-safety: one thread (the reactor running the lookup join).
class LookupCache {
 public:
  /// Default capacity of a lookup join's cache.
  static constexpr size_t kDefaultCapacityBytes = size_t{64} << 20;

  explicit LookupCache(size_t capacity_bytes = kDefaultCapacityBytes);

  /// The cached answer for `key`, or null (a miss, counted). A hit marks the entry as read.
  /// The pointer is valid until the next Insert, Clear or SyncVersion.
  const CachedLookup* Find(std::string_view key);
  /// Caches `value` for `key` (replacing an existing entry) and evicts until the cache fits.
  void Insert(std::string_view key, CachedLookup value);
  /// Drops every entry when `version` differs from the version of the cached answers.
  void SyncVersion(uint64_t version);
  void Clear();

  /// The bytes an entry for `key` and `value` is charged.
  static size_t EntryBytes(std::string_view key, const CachedLookup& value);

  size_t capacity_bytes() const { return capacity_bytes_; }
  size_t bytes() const { return small_bytes_ + main_bytes_; }
  size_t entries() const { return index_.size(); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t evictions() const { return evictions_; }
  uint64_t invalidations() const { return invalidations_; }
  /// Checkpoints: a restored lookup join starts with an empty cache but keeps counting from
  /// the counters it had, and from the source version it had seen (so that a change of the
  /// version still counts as an invalidation).
  std::optional<uint64_t> version() const { return version_; }
  void RestoreCounters(uint64_t hits, uint64_t misses, uint64_t evictions, uint64_t invalidations,
                       std::optional<uint64_t> version) {
    version_ = version;
    hits_ = hits;
    misses_ = misses;
    evictions_ = evictions;
    invalidations_ = invalidations;
  }
  /// Whether `key` is cached (without counting or marking it read): for tests.
  bool Contains(std::string_view key) const { return index_.count(key) > 0; }

 private:
  struct Entry {
    std::string key;
    CachedLookup value;
    size_t bytes = 0;
    uint8_t reads = 0;  // Saturates at 3.
    bool in_main = false;
  };

  void EvictOne();
  void Remove(Entry* entry);
  void RememberGhost(uint64_t hash);

  size_t capacity_bytes_;
  size_t small_capacity_bytes_;
  // Keys view the entries' own strings; the entries are owned here.
  std::unordered_map<std::string_view, std::unique_ptr<Entry>> index_;
  std::deque<Entry*> small_;
  std::deque<Entry*> main_;
  size_t small_bytes_ = 0;
  size_t main_bytes_ = 0;
  std::deque<uint64_t> ghost_;
  std::unordered_map<uint64_t, uint32_t> ghost_counts_;
  std::optional<uint64_t> version_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t evictions_ = 0;
  uint64_t invalidations_ = 0;
};

}  // namespace laminar::exec
