#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "sql/parser/token.h"

namespace laminar::sql {

/// Splits SQL text into tokens, dropping whitespace and comments. The result always ends with
/// one kEndOfInput token positioned at the end of the text.
///
/// Errors (code kInvalidToken, positioned at the start of the offending token): unterminated
/// string literals, quoted identifiers and block comments, empty quoted identifiers, malformed
/// escapes in E'...' strings, malformed numbers and characters outside the SQL alphabet.
///
/// Runs in time linear in the length of the text. The tokens' `raw` views point into `text`.
Result<std::vector<Token>> Tokenize(std::string_view text);

/// Tokenize that appends to `tokens`, so that a caller can reuse a vector's capacity across
/// texts. On error `tokens` holds an unspecified prefix of the tokens.
Status TokenizeInto(std::string_view text, std::vector<Token>& tokens);

}  // namespace laminar::sql
