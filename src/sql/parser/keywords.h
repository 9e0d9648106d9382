#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace laminar::sql {

/// Identifies a word of the keyword table: its index in kKeywordSpellings plus one. 0 stands
/// for "not a keyword", so that comparing ids never matches an ordinary name.
using KeywordId = uint16_t;

/// One word the grammar gives a meaning to.
struct KeywordSpelling {
  /// The word in lower case.
  std::string_view word;
  /// Whether the word cannot be used as an unquoted name (see IsReservedWord).
  bool reserved;
};

/// Every word the parser asks for, sorted so that compile-time lookups can binary-search.
/// Adding a word here is all it takes to name it as `Keyword("word")` in the parser.
inline constexpr KeywordSpelling kKeywordSpellings[] = {
    {"all", true},
    {"allowed_lateness", true},
    {"analyze", false},
    {"and", true},
    {"anti", true},
    {"any", true},
    {"array", true},
    {"as", true},
    {"asc", true},
    {"asof", true},
    {"asymmetric", false},
    {"between", true},
    {"both", true},
    {"by", false},
    {"cascade", false},
    {"case", true},
    {"cast", true},
    {"changes", false},
    {"check", true},
    {"checkpoint", false},
    {"close", false},
    {"collate", true},
    {"constraint", true},
    {"create", true},
    {"cross", true},
    {"current", false},
    {"current_date", true},
    {"current_time", true},
    {"current_timestamp", true},
    {"data", false},
    {"date", false},
    {"default", true},
    {"delete", false},
    {"desc", true},
    {"describe", false},
    {"descriptor", false},
    {"distinct", true},
    {"do", true},
    {"drop", false},
    {"else", true},
    {"emit", true},
    {"end", true},
    {"escape", false},
    {"every", false},
    {"except", true},
    {"exists", true},
    {"explain", false},
    {"extract", false},
    {"false", true},
    {"fetch", true},
    {"filter", false},
    {"final", false},
    {"first", false},
    {"following", false},
    {"for", true},
    {"foreign", true},
    {"format", false},
    {"from", true},
    {"full", true},
    {"grant", true},
    {"group", true},
    {"groups", false},
    {"having", true},
    {"if", false},
    {"ilike", true},
    {"in", true},
    {"inner", true},
    {"insert", false},
    {"intersect", true},
    {"interval", false},
    {"into", true},
    {"is", true},
    {"join", true},
    {"key", false},
    {"last", false},
    {"late", false},
    {"lateral", true},
    {"left", true},
    {"like", true},
    {"limit", true},
    {"localtime", true},
    {"localtimestamp", true},
    {"lookup", false},
    {"match_condition", true},
    {"materialized", false},
    {"natural", true},
    {"not", true},
    {"null", true},
    {"nulls", false},
    {"of", false},
    {"offset", true},
    {"on", true},
    {"or", true},
    {"order", true},
    {"outer", true},
    {"over", true},
    {"partition", false},
    {"periodically", false},
    {"preceding", false},
    {"precision", false},
    {"primary", true},
    {"qualify", true},
    {"range", false},
    {"recursive", false},
    {"references", true},
    {"replace", false},
    {"restore", false},
    {"restrict", false},
    {"right", true},
    {"row", false},
    {"rows", false},
    {"select", true},
    {"semi", true},
    {"set", false},
    {"show", false},
    {"sink", false},
    {"sinks", false},
    {"some", true},
    {"source", false},
    {"sources", false},
    {"stream", false},
    {"streams", false},
    {"subscribe", false},
    {"substring", false},
    {"symmetric", true},
    {"system_time", false},
    {"table", true},
    {"tables", false},
    {"then", true},
    {"time", false},
    {"timestamp", false},
    {"timestamptz", false},
    {"to", false},
    {"true", true},
    {"try_cast", false},
    {"unbounded", false},
    {"union", true},
    {"unique", true},
    {"unknown", false},
    {"update", false},
    {"using", true},
    {"values", true},
    {"varying", false},
    {"view", false},
    {"views", false},
    {"watermark", false},
    {"when", true},
    {"where", true},
    {"window", true},
    {"with", true},
    {"without", false},
    {"zone", false},
};

/// Number of words in the keyword table.
inline constexpr size_t kKeywordCount = std::size(kKeywordSpellings);

/// Length of the longest keyword; longer words are never looked up.
inline constexpr size_t kLongestKeyword =
    std::max_element(std::begin(kKeywordSpellings), std::end(kKeywordSpellings),
                     [](const KeywordSpelling& a, const KeywordSpelling& b) {
                       return a.word.size() < b.word.size();
                     })
        ->word.size();

static_assert(std::is_sorted(std::begin(kKeywordSpellings), std::end(kKeywordSpellings),
                             [](const KeywordSpelling& a, const KeywordSpelling& b) {
                               return a.word < b.word;
                             }),
              "kKeywordSpellings must stay sorted");

/// A keyword named in the parser's source. `Keyword("from")` is resolved to its id at compile
/// time, so comparing a token against it is one integer comparison, and a word missing from
/// kKeywordSpellings fails to compile instead of silently never matching.
class Keyword {
 public:
  template <size_t N>
  consteval Keyword(const char (&word)[N])  // NOLINT: implicit, so that call sites read "from".
      : id_(FindAtCompileTime(std::string_view(word, N - 1))) {}

  /// The keyword's id, never 0.
  constexpr KeywordId id() const { return id_; }

  /// The word in lower case.
  constexpr std::string_view word() const { return kKeywordSpellings[id_ - 1].word; }

 private:
  static consteval KeywordId FindAtCompileTime(std::string_view word) {
    const KeywordSpelling* found =
        std::lower_bound(std::begin(kKeywordSpellings), std::end(kKeywordSpellings), word,
                         [](const KeywordSpelling& a, std::string_view b) { return a.word < b; });
    if (found == std::end(kKeywordSpellings) || found->word != word) {
      // Not a constant expression: a word missing from the table stops the build here.
      throw "word missing from kKeywordSpellings";
    }
    return static_cast<KeywordId>(found - std::begin(kKeywordSpellings) + 1);
  }

  KeywordId id_;
};

/// Room for the longest keyword, rounded up to whole machine words.
inline constexpr size_t kPaddedWordSize = (kLongestKeyword + 8) / 8 * 8;

/// A word of at most kPaddedWordSize bytes followed by zero bytes, held as machine words (its
/// bytes in memory order, as std::memcpy puts them): the form in which a lookup compares a
/// word against a keyword with three integer comparisons.
using PaddedWord = std::array<uint64_t, kPaddedWordSize / 8>;

/// The id of a lower-case word, or 0 if it is not in the keyword table. Constant time.
KeywordId LookUpKeyword(std::string_view word);

/// LookUpKeyword for a word already padded, which the lexer builds while folding case.
/// REQUIRES: every byte after the word is zero.
KeywordId LookUpKeyword(const PaddedWord& word);

/// True for a reserved keyword's id; false for 0 and for unreserved keywords.
inline bool IsReservedKeyword(KeywordId id) {
  return id != 0 && kKeywordSpellings[id - 1].reserved;
}

/// True for words that cannot be used as unquoted names (columns, tables, aliases) because
/// they start or separate clauses, e.g. `from`, `join`, `emit`. REQUIRES: lower case.
/// Everything else (`source`, `state`, `timestamp`, `window_start`, ...) is an ordinary name
/// wherever a name is expected, and a keyword only where the grammar asks for it.
bool IsReservedWord(std::string_view word);

/// Self-check for tests: the keyword table (and so the reserved words in it) must stay sorted
/// for binary search.
bool ReservedWordsAreSorted();

}  // namespace laminar::sql
