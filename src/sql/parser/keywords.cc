#include "sql/parser/keywords.h"

#include <array>
#include <bit>
#include <iterator>

namespace laminar::sql {

namespace {

constexpr int kSlotBits = 10;
constexpr size_t kSlotCount = size_t{1} << kSlotBits;
static_assert(kSlotCount >= 4 * kKeywordCount, "keep the table sparse");

/// REQUIRES: `word` has at most kPaddedWordSize bytes.
constexpr PaddedWord Pad(std::string_view word) {
  std::array<char, kPaddedWordSize> bytes{};
  for (size_t i = 0; i < word.size(); ++i) bytes[i] = word[i];
  return std::bit_cast<PaddedWord>(bytes);
}

constexpr size_t HomeSlot(const PaddedWord& word) {
  uint64_t hash = (word[0] * 0x9E3779B97F4A7C15u) ^ (word[1] * 0xC2B2AE3D27D4EB4Fu) ^
                  (word[2] * 0x165667B19E3779F9u);
  return static_cast<size_t>(hash >> (64 - kSlotBits));
}

/// The padded spelling of each keyword, indexed by id - 1.
constexpr std::array<PaddedWord, kKeywordCount> BuildPaddedSpellings() {
  std::array<PaddedWord, kKeywordCount> padded{};
  for (size_t i = 0; i < kKeywordCount; ++i) padded[i] = Pad(kKeywordSpellings[i].word);
  return padded;
}

constexpr std::array<PaddedWord, kKeywordCount> kPaddedSpellings = BuildPaddedSpellings();

/// Open addressing with linear probing; a slot holds a keyword id, 0 when empty.
using SlotTable = std::array<KeywordId, kSlotCount>;

constexpr SlotTable BuildSlots() {
  SlotTable slots{};
  for (size_t i = 0; i < kKeywordCount; ++i) {
    size_t slot = HomeSlot(kPaddedSpellings[i]);
    while (slots[slot] != 0) slot = (slot + 1) & (kSlotCount - 1);
    slots[slot] = static_cast<KeywordId>(i + 1);
  }
  return slots;
}

constexpr SlotTable kSlots = BuildSlots();

/// The most slots a successful lookup inspects; unsuccessful ones stop at the first empty slot.
constexpr size_t LongestProbe() {
  size_t longest = 0;
  for (size_t i = 0; i < kKeywordCount; ++i) {
    size_t slot = HomeSlot(kPaddedSpellings[i]);
    size_t probes = 1;
    while (kSlots[slot] != i + 1) {
      slot = (slot + 1) & (kSlotCount - 1);
      ++probes;
    }
    longest = std::max(longest, probes);
  }
  return longest;
}
static_assert(LongestProbe() <= 3, "the keyword hash clusters; choose other multipliers");

}  // namespace

KeywordId LookUpKeyword(const PaddedWord& word) {
  size_t slot = HomeSlot(word);
  while (KeywordId id = kSlots[slot]) {
    const PaddedWord& candidate = kPaddedSpellings[id - 1];
    // One branch for the whole comparison: lookups mostly fail, and unpredictably.
    if (((candidate[0] ^ word[0]) | (candidate[1] ^ word[1]) | (candidate[2] ^ word[2])) == 0) {
      return id;
    }
    slot = (slot + 1) & (kSlotCount - 1);
  }
  return 0;
}

KeywordId LookUpKeyword(std::string_view word) {
  if (word.size() > kLongestKeyword) return 0;
  KeywordId id = LookUpKeyword(Pad(word));
  // Padding cannot tell "from" from "from\0"; quoted names may contain zero bytes.
  return id != 0 && kKeywordSpellings[id - 1].word.size() == word.size() ? id : 0;
}

bool IsReservedWord(std::string_view word) { return IsReservedKeyword(LookUpKeyword(word)); }

bool ReservedWordsAreSorted() {
  return std::is_sorted(
      std::begin(kKeywordSpellings), std::end(kKeywordSpellings),
      [](const KeywordSpelling& a, const KeywordSpelling& b) { return a.word < b.word; });
}

}  // namespace laminar::sql
