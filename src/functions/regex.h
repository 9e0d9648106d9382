#pragma once

// Regular expressions for regexp_like/regexp_match, regexp_extract and regexp_replace, backed by
// RE2: matching takes time linear in the text whatever the pattern (no backtracking blow-ups on
// user patterns), and a compiled pattern is immutable and thread-safe. The syntax is RE2's
// (Perl-like: classes, \d \w \s, non-greedy quantifiers, (?i) ...; no back-references or
// look-around), which covers what PostgreSQL's and Java's regular expressions are used for in
// queries. Text is UTF-8.

#include <memory>
#include <string>
#include <string_view>

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

 private:
  Regex(std::shared_ptr<const re2::RE2> compiled, int group_count, bool global)
      : compiled_(std::move(compiled)), group_count_(group_count), global_(global) {}

  std::shared_ptr<const re2::RE2> compiled_;
  int group_count_ = 0;
  bool global_ = false;
};

}  // namespace laminar::functions
