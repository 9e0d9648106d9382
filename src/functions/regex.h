#pragma once

// Regular expressions for regexp_like/regexp_match, regexp_extract and regexp_replace, backed by
// RE2: matching takes time linear in the text whatever the pattern (no backtracking blow-ups on
// user patterns), and a compiled pattern is immutable and thread-safe. The syntax is RE2's
// (Perl-like: classes, \d \w \s, non-greedy quantifiers, (?i) ...; no back-references or
// look-around), which covers what PostgreSQL's and Java's regular expressions are used for in
// queries. Text is UTF-8.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace laminar::functions {

/// The flags argument of regexp_like and regexp_replace, as in PostgreSQL: 'i' case-insensitive,
/// 'c' case-sensitive (the default), 'n' or 'm' newline-sensitive ('.' and [^...] do not match a
/// newline; ^ and $ match at line breaks), 's' not newline-sensitive (the default), 'g' every
/// match (regexp_replace only). Later flags override earlier ones.
struct RegexFlags {
  bool case_insensitive = false;
  bool newline_sensitive = false;
  bool global = false;
};

/// Parses a flags argument. Errors: kInvalidArgument naming a flag that does not exist, or 'g'
/// when `allow_global` is false.
Result<RegexFlags> ParseRegexFlags(std::string_view flags, bool allow_global);

/// A compiled regular expression. Copies share the compiled form.
class Regex {
 public:
  /// Compiles `pattern`. Errors: kInvalidRegex with RE2's explanation.
  static Result<Regex> Compile(std::string_view pattern, const RegexFlags& flags);

  /// Compile, plus a literal prefilter (see Prefilter) when the pattern has one: for a pattern
  /// that will be run over many texts (a constant pattern), since building the prefilter
  /// compiles the pattern a second time.
  static Result<Regex> CompileWithPrefilter(std::string_view pattern, const RegexFlags& flags);

  /// Whether the pattern matches anywhere in `text`.
  bool Matches(std::string_view text) const;

  /// The number of capturing groups.
  int group_count() const { return group_count_; }

  /// Group `group` (0 is the whole match) of the first match in `text`. Returns false when the
  /// pattern does not match or the group took no part in the match.
  /// REQUIRES: 0 <= group <= group_count().
  bool Extract(std::string_view text, int group, std::string_view* out) const;

  /// `text` with the first match (every match with the 'g' flag) replaced by `replacement`, in
  /// which \1 to \9 stand for the groups, \& for the whole match and \\ for a backslash
  /// (PostgreSQL's syntax). An empty match right after the previous match is skipped. Returns
  /// `text` itself when nothing matched, otherwise a view of *scratch.
  std::string_view Replace(std::string_view text, std::string_view replacement,
                           std::string* scratch) const;

  bool global() const { return global_; }

  /// The literal strings (lowercase) whose presence the prefilter checks before running the
  /// pattern; empty without a prefilter. For tests.
  const std::vector<std::string>& prefilter_atoms() const;

  /// A necessary condition for a match, checked in a few nanoseconds: which of a handful of
  /// literal strings ("atoms", from RE2's FilteredRE2 analysis of the pattern) occur in the
  /// text, looked up in a truth table computed once at compile time. A text that fails it
  /// cannot match, so RE2 is not run at all (Nexmark q21: half of the urls carry no
  /// "channel_id=").
  struct Prefilter {
    std::vector<std::string> atoms;  // Lowercase ASCII, at most kMaxAtoms.
    std::vector<size_t> anchors;     // Per atom: the byte searched for first (a non-letter if any).
    std::vector<uint32_t> contains;  // Per atom: bit i set when atoms[i] is a substring of it.
    uint32_t passing_masks = 0;      // Bit m set: a text containing exactly atoms m may match.
    static constexpr size_t kMaxAtoms = 5;
  };

 private:
  Regex(std::shared_ptr<const re2::RE2> compiled, std::shared_ptr<const Prefilter> prefilter,
        int group_count, bool global)
      : compiled_(std::move(compiled)),
        prefilter_(std::move(prefilter)),
        group_count_(group_count),
        global_(global) {}

  /// False when the prefilter proves that `text` cannot match.
  bool MayMatch(std::string_view text) const;

  std::shared_ptr<const re2::RE2> compiled_;
  std::shared_ptr<const Prefilter> prefilter_;  // Null: no prefilter (every text may match).
  int group_count_ = 0;
  bool global_ = false;
};

}  // namespace laminar::functions
