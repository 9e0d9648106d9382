#pragma once

#include <string>
#include <vector>

#include "sql/parser/ast.h"

namespace laminar::sql {

// Turns syntax trees back into SQL text. The text re-parses to an equal tree (same shape and
// values; positions differ), which is what SHOW CREATE and plan explanations rely on. Output
// is canonical: keywords upper case, names quoted only when they must be, operators
// parenthesized only where precedence requires it.

/// One statement, without a trailing `;`.
std::string Unparse(const Statement& statement);
std::string Unparse(const Query& query);
std::string Unparse(const Expression& expr);
/// Statements each followed by ";\n".
std::string Unparse(const std::vector<StatementPtr>& statements);

/// A name as it must be written to read back the same: bare when it is a lower-case word that
/// is not reserved, otherwise double-quoted with "" escapes.
std::string QuoteIdentifier(std::string_view name);

/// A string literal with '' escapes.
std::string QuoteString(std::string_view value);

/// Structural equality ignoring positions: the two trees unparse to the same text.
bool Equals(const Statement& a, const Statement& b);
bool Equals(const Expression& a, const Expression& b);

}  // namespace laminar::sql
