#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sql/parser/keywords.h"

namespace laminar::sql {

/// The lexical categories of the SQL dialect. Keywords are not a separate kind: they are
/// unquoted identifiers, and the parser decides from context whether a word is a keyword, so
/// that words such as `table` or `state` remain usable as option keys and column names.
enum class TokenKind : uint8_t {
  kEndOfInput,
  kIdentifier,        // Unquoted word, folded to lower case in `text`.
  kQuotedIdentifier,  // "Word" with case kept and "" unescaped in `text`.
  kString,            // '...' or E'...'; `text` holds the decoded value.
  kInteger,           // Digits only; `text` holds them.
  kDecimal,           // Digits with a point and/or an exponent; `text` holds the literal.
  kComma,
  kSemicolon,
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kDot,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kCaret,
  kConcat,        // ||
  kEqual,         // =
  kNotEqual,      // <> or !=
  kLess,          // <
  kLessEqual,     // <=
  kGreater,       // >
  kGreaterEqual,  // >=
  kDoubleColon,   // ::
  kColon,         // :
  kArrow,         // =>
};

/// A short human-readable name of a token kind, used in "expected ..." messages.
std::string_view TokenKindName(TokenKind kind);

/// One token of SQL text. `text` and `raw` are views (see TokenizedText): a token must not
/// outlive the text that was tokenized nor the TokenizedText it belongs to.
struct Token {
  TokenKind kind = TokenKind::kEndOfInput;
  /// For an unquoted identifier spelled like a keyword, the keyword's id (found once, when the
  /// word is lexed); 0 for everything else, including quoted identifiers.
  KeywordId keyword_id = 0;
  /// Where the token starts.
  SourcePosition position;
  /// Byte offset one past the token's last byte.
  uint32_t end_offset = 0;
  /// The token's value: folded identifier, unescaped quoted identifier, decoded string, or the
  /// digits of a number. Empty for punctuation.
  std::string_view text;
  /// The token exactly as written, used to quote it back in error messages.
  std::string_view raw;

  /// True for an unquoted identifier spelled `keyword`. An integer comparison: the keyword
  /// literal is resolved at compile time.
  bool IsKeyword(Keyword keyword) const { return keyword_id == keyword.id(); }
};

}  // namespace laminar::sql
