#include "state/group_table.h"

#include <algorithm>

#include "common/check.h"

namespace laminar::state {
namespace {

constexpr size_t kInitialCapacity = 16;
constexpr size_t kChunkBytes = 64 * 1024;

/// The entries a table of `capacity` holds before it grows: 80%.
size_t GrowThreshold(size_t capacity) { return capacity / 5 * 4; }

/// A key of at most 8 bytes as one word, zero-padded: equal keys of equal length give equal
/// words. Two overlapping loads instead of a variable-length copy.
uint64_t LoadInlineKey(std::string_view key) {
  const char* p = key.data();
  const size_t n = key.size();
  if (n >= 4) {
    return internal::Load32(p) | (internal::Load32(p + n - 4) << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  return uint64_t{static_cast<uint8_t>(p[0])} |
         (uint64_t{static_cast<uint8_t>(p[n / 2])} << (8 * (n / 2))) |
         (uint64_t{static_cast<uint8_t>(p[n - 1])} << (8 * (n - 1)));
}

}  // namespace

GroupTable::Kind GroupTable::KindOf(size_t length) {
  return static_cast<Kind>(static_cast<uint32_t>(length >= kInlineKeyBytes) +
                           static_cast<uint32_t>(length > kInlineKeyBytes));
}

uint64_t GroupTable::InlineWord(std::string_view key) {
  const uint64_t length = key.size() < kInlineKeyBytes ? uint64_t{key.size()} << 56 : 0;
  return LoadInlineKey(key) | length;
}

GroupTable::GroupTable()
    : entries_(kInitialCapacity),
      mask_(kInitialCapacity - 1),
      grow_threshold_(GrowThreshold(kInitialCapacity)) {}

std::string_view GroupTable::KeyOf(const Entry& entry) {
  switch (entry.kind()) {
    case kShort:
      return std::string_view(reinterpret_cast<const char*>(&entry.word), entry.word >> 56);
    case kWord:
      return std::string_view(reinterpret_cast<const char*>(&entry.word), kInlineKeyBytes);
    default: {
      const char* record = reinterpret_cast<const char*>(entry.word);
      return std::string_view(record + sizeof(uint32_t), internal::Load32(record));
    }
  }
}

namespace {

/// Equality of two byte ranges of length `size` > 8. Keys of 9 to 16 bytes (a window prefix
/// and one BIGINT key) compare as two overlapping words instead of a memcmp call.
inline bool SameBytes(const char* a, const char* b, size_t size) {
  if (size <= 16) {
    uint64_t a0 = 0, b0 = 0, a1 = 0, b1 = 0;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + size - 8, 8);
    std::memcpy(&b1, b + size - 8, 8);
    return a0 == b0 && a1 == b1;
  }
  return std::memcmp(a, b, size) == 0;
}

}  // namespace

size_t GroupTable::Probe(std::string_view key, uint64_t hash) const {
  size_t index = HomeOf(hash);
  const Entry* entries = entries_.data();
  if (key.size() <= kInlineKeyBytes) {
    // The word and the kind tell inline keys apart exactly: the length of a short key is in
    // its word, and only 8-byte keys are kWord.
    const uint32_t tag = TagOf(hash, KindOf(key.size()));
    const uint64_t word = InlineWord(key);
    while (true) {
      const Entry& entry = entries[index];
      if (entry.empty() || (entry.word == word && entry.tag == tag)) {
        return index;
      }
      index = (index + 1) & mask_;
    }
  }
  const uint32_t tag = TagOf(hash, kLong);
  while (true) {
    const Entry& entry = entries[index];
    if (entry.empty()) return index;
    if (entry.tag == tag) {
      const char* record = reinterpret_cast<const char*>(entry.word);
      if (internal::Load32(record) == key.size() &&
          SameBytes(record + sizeof(uint32_t), key.data(), key.size())) {
        return index;
      }
    }
    index = (index + 1) & mask_;
  }
}

size_t GroupTable::FindEmpty(uint64_t hash) const {
  size_t index = HomeOf(hash);
  while (!entries_[index].empty()) index = (index + 1) & mask_;
  return index;
}

uint32_t GroupTable::Find(std::string_view key, uint64_t hash) const {
  return entries_[Probe(key, hash)].slot;
}

inline void GroupTable::Fill(size_t index, std::string_view key, uint64_t hash, uint32_t slot) {
  Entry& entry = entries_[index];
  const Kind kind = KindOf(key.size());
  entry.tag = TagOf(hash, kind);
  entry.slot = slot;
  entry.word = kind == kLong ? reinterpret_cast<uint64_t>(StoreInArena(key)) : InlineWord(key);
  entry_of_slot_[slot] = static_cast<uint32_t>(index);
  ++size_;
}

uint32_t GroupTable::FindOrInsert(std::string_view key, uint64_t hash, bool* inserted) {
  size_t index = Probe(key, hash);
  if (!entries_[index].empty()) {
    *inserted = false;
    return entries_[index].slot;
  }
  *inserted = true;
  LAMINAR_CHECK(key.size() < UINT32_MAX);
  if (size_ >= grow_threshold_) {
    Grow();
    index = FindEmpty(hash);
  }
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    LAMINAR_CHECK(entry_of_slot_.size() < kNoSlot);
    slot = static_cast<uint32_t>(entry_of_slot_.size());
    entry_of_slot_.push_back(kNoSlot);
  }
  Fill(index, key, hash, slot);
  return slot;
}

void GroupTable::Erase(uint32_t slot) {
  LAMINAR_DCHECK(IsLive(slot));
  size_t hole = entry_of_slot_[slot];
  if (entries_[hole].kind() == kLong) {
    arena_dead_bytes_ += sizeof(uint32_t) + KeyOf(entries_[hole]).size();
  }
  entry_of_slot_[slot] = kNoSlot;
  free_slots_.push_back(slot);
  --size_;

  // Backward shift: move each following entry of the cluster into the hole unless that would
  // put it before its home position, until an empty entry ends the cluster.
  size_t index = hole;
  while (true) {
    index = (index + 1) & mask_;
    Entry& entry = entries_[index];
    if (entry.empty()) break;
    size_t home = HomeOf(entry.tag);
    if (((index - home) & mask_) >= ((index - hole) & mask_)) {
      entries_[hole] = entry;
      entry_of_slot_[entry.slot] = static_cast<uint32_t>(hole);
      hole = index;
    }
  }
  entries_[hole] = Entry{};

  if (arena_dead_bytes_ * 2 > arena_used_bytes_ &&
      arena_dead_bytes_ >= std::max(kChunkBytes, entries_.size())) {
    CompactArena();
  }
}

std::string_view GroupTable::key(uint32_t slot) const {
  LAMINAR_DCHECK(IsLive(slot));
  return KeyOf(entries_[entry_of_slot_[slot]]);
}

size_t GroupTable::MemoryBytes() const {
  return sizeof(*this) + entries_.capacity() * sizeof(Entry) +
         entry_of_slot_.capacity() * sizeof(uint32_t) + free_slots_.capacity() * sizeof(uint32_t) +
         chunks_.capacity() * sizeof(std::unique_ptr<char[]>) + arena_reserved_bytes_;
}

void GroupTable::Rehash(const Entries& old) {
  for (const Entry& entry : old) {
    if (entry.empty()) continue;
    size_t index = FindEmpty(entry.tag);
    entries_[index] = entry;
    entry_of_slot_[entry.slot] = static_cast<uint32_t>(index);
  }
}

void GroupTable::Reserve(size_t keys) {
  size_t capacity = entries_.size();
  while (GrowThreshold(capacity) < keys) capacity *= 2;
  if (capacity == entries_.size()) return;
  LAMINAR_CHECK(capacity <= kMaxEntries);  // Homes are 30 bits of the hash.
  Entries old = std::move(entries_);
  entries_.assign(capacity, Entry{});
  mask_ = capacity - 1;
  grow_threshold_ = GrowThreshold(capacity);
  Rehash(old);
}

bool GroupTable::RestoreKey(std::string_view key, uint64_t hash, uint32_t slot) {
  if (slot == kNoSlot || IsLive(slot) || key.size() >= UINT32_MAX) return false;
  size_t index = Probe(key, hash);
  if (!entries_[index].empty()) return false;
  if (size_ >= grow_threshold_) {
    Grow();
    index = FindEmpty(hash);
  }
  if (slot >= entry_of_slot_.size()) entry_of_slot_.resize(size_t{slot} + 1, kNoSlot);
  Fill(index, key, hash, slot);
  return true;
}

bool GroupTable::RestoreKeys(std::span<const std::string_view> keys,
                             std::span<const uint64_t> hashes, std::span<const uint32_t> slots) {
  if (keys.size() != slots.size() || hashes.size() != slots.size()) return false;
  uint32_t highest = 0;
  for (uint32_t slot : slots) {
    if (slot == kNoSlot) return false;
    highest = std::max(highest, slot);
  }
  Reserve(size_ + keys.size());
  if (!slots.empty() && highest >= entry_of_slot_.size()) {
    entry_of_slot_.resize(size_t{highest} + 1, kNoSlot);
  }
  // Inserted in the order given, the cache lines of each key's first two entries loaded
  // kRestoreAhead keys before they are needed, so that the misses of a table larger than the
  // cache overlap (a probe goes on to the next entry about as often as it stops at the first,
  // and with the first line only, 9M keys took 0.17 s more). Sorting all the keys by position
  // first writes the table front to back, but its arrays, 52 bytes a key, cost as much time in
  // page faults as the order saved, and a sixth more memory at the peak of a restore.
  constexpr size_t kRestoreAhead = 24;
  auto prefetch = [&](uint64_t hash) {
    // An address, not a pointer: the second line may lie past the table's end.
    const uintptr_t home = reinterpret_cast<uintptr_t>(entries_.data() + HomeOf(hash));
    __builtin_prefetch(reinterpret_cast<const void*>(home), 1);
    __builtin_prefetch(reinterpret_cast<const void*>(home + 2 * sizeof(Entry) - 1), 1);
  };
  for (size_t i = 0; i < std::min(keys.size(), kRestoreAhead); ++i) prefetch(hashes[i]);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i + kRestoreAhead < keys.size()) prefetch(hashes[i + kRestoreAhead]);
    if (!RestoreKey(keys[i], hashes[i], slots[i])) return false;
  }
  return true;
}

bool GroupTable::RestoreFreeSlots(uint32_t slot_capacity, std::vector<uint32_t> free_slots) {
  if (slot_capacity < entry_of_slot_.size() || slot_capacity == kNoSlot ||
      free_slots.size() != slot_capacity - size_) {
    return false;
  }
  entry_of_slot_.resize(slot_capacity, kNoSlot);
  std::vector<uint8_t> listed(slot_capacity, 0);
  for (uint32_t slot : free_slots) {
    if (slot >= slot_capacity || entry_of_slot_[slot] != kNoSlot || listed[slot] != 0) {
      return false;
    }
    listed[slot] = 1;
  }
  free_slots_ = std::move(free_slots);
  return true;
}

void GroupTable::Grow() {
  LAMINAR_CHECK(entries_.size() < kMaxEntries);  // Homes are 30 bits of the hash.
  Entries old = std::move(entries_);
  entries_.assign(old.size() * 2, Entry{});
  mask_ = entries_.size() - 1;
  grow_threshold_ = GrowThreshold(entries_.size());
  Rehash(old);
}

const char* GroupTable::StoreInArena(std::string_view key) {
  const size_t record_bytes = sizeof(uint32_t) + key.size();
  if (record_bytes > chunk_left_) {
    size_t size = std::max(kChunkBytes, record_bytes);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    chunk_cursor_ = chunks_.back().get();
    chunk_left_ = size;
    arena_reserved_bytes_ += size;
  }
  char* stored = chunk_cursor_;
  const uint32_t length = static_cast<uint32_t>(key.size());
  std::memcpy(stored, &length, sizeof(length));
  std::memcpy(stored + sizeof(length), key.data(), key.size());
  chunk_cursor_ += record_bytes;
  chunk_left_ -= record_bytes;
  arena_used_bytes_ += record_bytes;
  return stored;
}

void GroupTable::CompactArena() {
  std::vector<std::unique_ptr<char[]>> old_chunks = std::move(chunks_);
  chunks_.clear();
  chunk_cursor_ = nullptr;
  chunk_left_ = 0;
  arena_reserved_bytes_ = 0;
  arena_used_bytes_ = 0;
  arena_dead_bytes_ = 0;
  for (Entry& entry : entries_) {
    if (entry.empty() || entry.kind() != kLong) continue;
    entry.word = reinterpret_cast<uint64_t>(StoreInArena(KeyOf(entry)));
  }
}

}  // namespace laminar::state
