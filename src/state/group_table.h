#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/large_array.h"

namespace laminar::state {

/// The Ring-0 keyed state store of stateful operators: maps group keys (byte strings) to dense
/// slot numbers, which index the operators' column-wise state arrays (see
/// exec::Accumulator).
///
/// Layout: an open-addressing table with linear probing over a power-of-two array of 16-byte
/// entries, at most 80% full (it doubles and rehashes beyond). Each entry holds the slot, a tag
/// (the low 30 bits of the key's hash, which give its home position and filter the probes, and
/// the kind of key in the top two bits) and the key itself: inline when it has at most 8 bytes
/// (compared as one word; a key under 8 bytes keeps its length in the word's top byte),
/// otherwise the address of its bytes, after their 4-byte length, in an arena of append-only
/// chunks. Erase uses backward-shift deletion (no tombstones), so probe sequences never
/// lengthen under churn and the table never needs a cleanup rehash.
///
/// Slots are dense: an erased slot's number goes to a free list and the next insert takes it
/// (last freed, first reused), so state arrays sized by slot_capacity() stay small. The bytes of
/// erased long keys stay in the arena until they exceed half of it; the arena is then compacted
/// into fresh chunks (amortised O(1) per erased byte).
///
/// A table has at most 2^30 entries (homes are 30 bits of the hash), so it holds at most
/// kMaxKeys keys. An insert beyond stops the process, as running out of memory would: the
/// entries alone take 16 GiB then.
///
/// Thread-safety: one thread (the owning reactor).
class GroupTable {
 public:
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  /// The most keys a table holds: 80% of 2^30 entries.
  static constexpr size_t kMaxKeys = (size_t{1} << 30) / 5 * 4;
  /// Keys up to this length are stored in the entry itself.
  static constexpr size_t kInlineKeyBytes = 8;

  GroupTable();
  GroupTable(GroupTable&&) noexcept = default;
  GroupTable& operator=(GroupTable&&) noexcept = default;

  /// The slot of `key`, inserting it when absent; `inserted` tells which. `hash` is Hash(key) in
  /// production; the table relies only on equal keys getting equal hashes on every call, so
  /// tests may pass degenerate hashes to force collisions.
  uint32_t FindOrInsert(std::string_view key, uint64_t hash, bool* inserted);
  /// The slot of `key`, or kNoSlot. `hash` as for FindOrInsert.
  uint32_t Find(std::string_view key, uint64_t hash) const;
  /// Removes the key of `slot`; the slot number becomes free for reuse. REQUIRES: a live slot.
  void Erase(uint32_t slot);
  /// Starts loading the first entry `hash` probes. Batch loops call it a few keys ahead of
  /// Find/FindOrInsert, so that the cache misses of tables larger than the cache overlap
  /// instead of following one another.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&entries_[HomeOf(hash)]); }
  /// The second stage for keys longer than kInlineKeyBytes, called a few keys after Prefetch
  /// (once the entry is in cache): starts loading the key bytes of the entry `hash` reaches
  /// first, when that entry holds a long key with the same tag.
  void PrefetchKey(uint64_t hash) const {
    const Entry& entry = entries_[HomeOf(hash)];
    if (entry.tag == TagOf(hash, kLong)) {
      __builtin_prefetch(reinterpret_cast<const char*>(entry.word));
    }
  }

  /// The key stored for a live slot. Valid until the next FindOrInsert or Erase (inline keys
  /// move with their entry; the arena is compacted by Erase).
  std::string_view key(uint32_t slot) const;
  /// Whether `slot` holds a key (false for slots freed by Erase and never reused).
  bool IsLive(uint32_t slot) const {
    return slot < slot_capacity() && entry_of_slot_[slot] != kNoSlot;
  }
  /// Number of live keys.
  size_t size() const { return size_; }
  /// One past the highest slot number ever handed out (size state arrays with this).
  uint32_t slot_capacity() const { return static_cast<uint32_t>(entry_of_slot_.size()); }
  /// Bytes held by the table and its keys.
  size_t MemoryBytes() const;

  // Checkpoints. A table is saved as slot_capacity(), free_slots() and the key of every live
  // slot, and rebuilt with the same slot numbers and the same order of reuse, so that state
  // arrays indexed by slot and every later FindOrInsert behave as before the checkpoint.

  /// The free slot numbers; the last one is the next FindOrInsert reuses.
  const std::vector<uint32_t>& free_slots() const { return free_slots_; }
  /// Makes room for `keys` keys without growing again.
  void Reserve(size_t keys);
  /// Inserts `key` under slot number `slot`, which must be free or beyond slot_capacity()
  /// (slot_capacity() becomes at least slot + 1; the slots skipped are free but not on the
  /// free list until RestoreFreeSlots). False when the key is present or the slot taken.
  /// REQUIRES: the table is being restored: no FindOrInsert or Erase since it was made.
  bool RestoreKey(std::string_view key, uint64_t hash, uint32_t slot);
  /// RestoreKey for many keys at once (keys[i] with hashes[i] under slots[i], the slots in any
  /// order), each key's entry loaded ahead of its insertion so that the misses of a large table
  /// overlap. False when a slot or a key is there twice (the table is then unusable).
  bool RestoreKeys(std::span<const std::string_view> keys, std::span<const uint64_t> hashes,
                   std::span<const uint32_t> slots);
  /// Starts loading the entry of live slot `slot` (before key(slot) in a loop over slots).
  void PrefetchSlot(uint32_t slot) const { __builtin_prefetch(&entries_[entry_of_slot_[slot]]); }
  /// Ends a restore: slot_capacity() becomes `slot_capacity` and the free list `free_slots`.
  /// False unless those are exactly the slots below `slot_capacity` without a key, each once.
  bool RestoreFreeSlots(uint32_t slot_capacity, std::vector<uint32_t> free_slots);

  /// A fast 64-bit hash of a byte string in the style of wyhash: 16-byte blocks are folded in
  /// with 64x64->128-bit multiplications whose halves are xor-ed. Stable across runs and
  /// platforms of the same endianness (keys are hashed where they are used; hashes are never
  /// persisted).
  static uint64_t Hash(std::string_view key);

 private:
  /// How an entry holds its key.
  enum Kind : uint32_t {
    kShort = 0,  // Under 8 bytes, inline; the length in the word's top byte.
    kWord = 1,   // Exactly 8 bytes, inline.
    kLong = 2,   // More than 8: the word is the address of a 4-byte length and the bytes.
  };
  static constexpr int kKindShift = 30;
  static constexpr uint32_t kHashBits = (uint32_t{1} << kKindShift) - 1;
  static constexpr size_t kMaxEntries = size_t{1} << kKindShift;

  struct Entry {
    /// The key's bytes (kShort, kWord) or the address of its arena record (kLong).
    uint64_t word = 0;
    uint32_t tag = 0;         // TagOf(hash, kind).
    uint32_t slot = kNoSlot;  // kNoSlot: an empty entry.

    bool empty() const { return slot == kNoSlot; }
    Kind kind() const { return static_cast<Kind>(tag >> kKindShift); }
  };
  static_assert(sizeof(Entry) == 16);

  static uint32_t TagOf(uint64_t hash, Kind kind) {
    return (static_cast<uint32_t>(hash) & kHashBits) | (uint32_t{kind} << kKindShift);
  }
  size_t HomeOf(uint64_t hash) const { return hash & mask_; }
  static Kind KindOf(size_t length);
  /// The word of a key of at most kInlineKeyBytes: its bytes, and its length in the top byte
  /// when it is shorter.
  static uint64_t InlineWord(std::string_view key);
  /// The key of `entry`'s bytes, wherever they are.
  static std::string_view KeyOf(const Entry& entry);
  /// Index of the entry holding `key`, or of the empty entry ending its probe sequence.
  size_t Probe(std::string_view key, uint64_t hash) const;
  /// Index of the first empty entry on `hash`'s probe sequence.
  size_t FindEmpty(uint64_t hash) const;
  /// Fills the empty entry `index` with `key` under `slot`.
  void Fill(size_t index, std::string_view key, uint64_t hash, uint32_t slot);
  /// Moves the live entries of `old` into entries_, which is empty.
  void Rehash(const std::vector<Entry, LargeArrayAllocator<Entry>>& old);
  void Grow();
  /// Copies a long key, after its 4-byte length, into the arena and returns the record's
  /// address.
  const char* StoreInArena(std::string_view key);
  /// Moves the live long keys into fresh chunks and frees the old ones.
  void CompactArena();

  /// Power-of-two size. A table of millions of keys is probed at random, one entry per key:
  /// it lives on huge pages (LargeArrayAllocator) so that its probes do not also miss the TLB.
  using Entries = std::vector<Entry, LargeArrayAllocator<Entry>>;
  Entries entries_;
  size_t mask_ = 0;
  size_t grow_threshold_ = 0;  // Grow before size_ exceeds this.
  size_t size_ = 0;
  /// Per slot: index of its entry in entries_, or kNoSlot when the slot is free.
  std::vector<uint32_t> entry_of_slot_;
  std::vector<uint32_t> free_slots_;  // A stack: the last freed slot is reused first.

  std::vector<std::unique_ptr<char[]>> chunks_;
  char* chunk_cursor_ = nullptr;
  size_t chunk_left_ = 0;
  size_t arena_reserved_bytes_ = 0;  // Sum of chunk sizes.
  size_t arena_used_bytes_ = 0;      // Bytes of long keys' records stored, live or dead.
  size_t arena_dead_bytes_ = 0;      // Bytes of erased long keys' records.
};

namespace internal {

inline uint64_t MultiplyFold(uint64_t a, uint64_t b) {
  unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

inline uint64_t Load32(const char* p) {
  uint32_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

// Fractional parts of the square roots of 2, 3, 5 and 7.
inline constexpr uint64_t kHashSecret0 = 0x6a09e667f3bcc908;
inline constexpr uint64_t kHashSecret1 = 0xbb67ae8584caa73b;
inline constexpr uint64_t kHashSecret2 = 0x3c6ef372fe94f82b;
inline constexpr uint64_t kHashSecret3 = 0xa54ff53a5f1d36f1;

}  // namespace internal

inline uint64_t GroupTable::Hash(std::string_view key) {
  static_assert(std::endian::native == std::endian::little);
  using internal::Load32;
  using internal::Load64;
  using internal::MultiplyFold;
  const char* p = key.data();
  const size_t n = key.size();
  uint64_t seed = internal::kHashSecret0;
  uint64_t a;
  uint64_t b;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<uint8_t>(p[0])} << 16) |
          (uint64_t{static_cast<uint8_t>(p[n / 2])} << 8) | static_cast<uint8_t>(p[n - 1]);
      b = 0;
    } else {
      a = 0;
      b = 0;
    }
  } else {
    size_t left = n;
    while (left > 16) {
      seed = MultiplyFold(Load64(p) ^ internal::kHashSecret1, Load64(p + 8) ^ seed);
      p += 16;
      left -= 16;
    }
    a = Load64(p + left - 16);
    b = Load64(p + left - 8);
  }
  return MultiplyFold(internal::kHashSecret3 ^ n,
                      MultiplyFold(a ^ internal::kHashSecret2, b ^ seed));
}

}  // namespace laminar::state
