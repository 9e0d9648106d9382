#include "exec/versioned/lookup_cache.h"

#include <algorithm>
#include <functional>

namespace laminar::exec {

namespace {

constexpr size_t kEntryOverheadBytes = 96;

uint64_t HashOf(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

LookupCache::LookupCache(size_t capacity_bytes)
    : capacity_bytes_(capacity_bytes), small_capacity_bytes_(capacity_bytes / 10) {}

size_t LookupCache::EntryBytes(std::string_view key, const CachedLookup& value) {
  size_t bytes = kEntryOverheadBytes + key.size();
  for (const Value& cell : value.row) {
    bytes += sizeof(Value);
    if (!cell.is_null() && cell.type().IsVariableWidth()) bytes += cell.string().size();
  }
  return bytes;
}

const CachedLookup* LookupCache::Find(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  Entry& entry = *it->second;
  if (entry.reads < 3) ++entry.reads;
  return &entry.value;
}

void LookupCache::Insert(std::string_view key, CachedLookup value) {
  const size_t entry_bytes = EntryBytes(key, value);
  auto existing = index_.find(key);
  if (existing != index_.end()) Remove(existing->second.get());
  if (entry_bytes > capacity_bytes_) return;
  auto entry = std::make_unique<Entry>();
  entry->key = std::string(key);
  entry->value = std::move(value);
  entry->bytes = entry_bytes;
  Entry* raw = entry.get();
  const uint64_t hash = HashOf(key);
  auto ghost = ghost_counts_.find(hash);
  if (ghost != ghost_counts_.end()) {
    raw->in_main = true;
    main_.push_back(raw);
    main_bytes_ += entry_bytes;
  } else {
    small_.push_back(raw);
    small_bytes_ += entry_bytes;
  }
  index_.emplace(std::string_view(raw->key), std::move(entry));
  while (bytes() > capacity_bytes_) EvictOne();
}

void LookupCache::EvictOne() {
  if (!small_.empty() && (small_bytes_ > small_capacity_bytes_ || main_.empty())) {
    Entry* entry = small_.front();
    small_.pop_front();
    small_bytes_ -= entry->bytes;
    if (entry->reads > 0) {
      entry->reads = 0;
      entry->in_main = true;
      main_.push_back(entry);
      main_bytes_ += entry->bytes;
      return;
    }
    RememberGhost(HashOf(entry->key));
    ++evictions_;
    index_.erase(std::string_view(entry->key));
    return;
  }
  Entry* entry = main_.front();
  main_.pop_front();
  if (entry->reads > 0) {
    --entry->reads;
    main_.push_back(entry);
    return;
  }
  main_bytes_ -= entry->bytes;
  ++evictions_;
  index_.erase(std::string_view(entry->key));
}

void LookupCache::Remove(Entry* entry) {
  std::deque<Entry*>& queue = entry->in_main ? main_ : small_;
  queue.erase(std::find(queue.begin(), queue.end(), entry));
  (entry->in_main ? main_bytes_ : small_bytes_) -= entry->bytes;
  index_.erase(std::string_view(entry->key));
}

void LookupCache::RememberGhost(uint64_t hash) {
  ghost_.push_back(hash);
  ++ghost_counts_[hash];
  // The ghost queue remembers about as many keys as the main queue holds.
  const size_t limit = std::max<size_t>(main_.size(), 64);
  while (ghost_.size() > limit) {
    auto it = ghost_counts_.find(ghost_.front());
    if (--it->second == 0) ghost_counts_.erase(it);
    ghost_.pop_front();
  }
}

void LookupCache::SyncVersion(uint64_t version) {
  if (version_ == version) return;
  if (version_.has_value()) ++invalidations_;
  version_ = version;
  Clear();
}

void LookupCache::Clear() {
  small_.clear();
  main_.clear();
  index_.clear();
  small_bytes_ = 0;
  main_bytes_ = 0;
}

}  // namespace laminar::exec
