#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "sql/parser/token.h"

namespace laminar::sql {

/// The tokens of one SQL text. Token texts are views, so lexing copies no strings: into the SQL
/// text (names already in lower case, numbers, strings without escapes), into the static
/// keyword spellings, or into `decoded`, which holds the texts that differ from their spelling
/// (names with capitals, strings with escapes or doubled quotes). `decoded` never reallocates
/// once it holds a text, so moving a TokenizedText keeps every view valid.
/// REQUIRES: the SQL text outlives the TokenizedText.
struct TokenizedText {
  std::vector<Token> tokens;
  std::vector<char> decoded;
};

/// Splits SQL text into tokens, dropping whitespace and comments. The result always ends with
/// one kEndOfInput token positioned at the end of the text.
///
/// Errors (code kInvalidToken, positioned at the start of the offending token): unterminated
/// string literals, quoted identifiers and block comments, empty quoted identifiers, malformed
/// escapes in E'...' strings, malformed numbers and characters outside the SQL alphabet.
///
/// Runs in time linear in the length of the text. The tokens' `raw` views point into `text`.
Result<TokenizedText> Tokenize(std::string_view text);

/// Tokenize into `out`, replacing what it held, so that a caller can reuse the capacity of its
/// vectors across texts. On error `out.tokens` holds an unspecified prefix of the tokens.
Status TokenizeInto(std::string_view text, TokenizedText& out);

}  // namespace laminar::sql
