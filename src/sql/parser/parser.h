#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sql/parser/ast.h"

namespace laminar::sql {

/// Bounds that keep parsing safe on hostile input: memory stays proportional to the text and
/// recursion never exhausts the stack.
struct ParserLimits {
  /// Longer texts fail with kStatementTooLarge before any work is done.
  size_t max_text_bytes = size_t{64} << 20;
  /// Deeper nesting of parentheses, subqueries, operators, joins or EXPLAINs fails with
  /// kNestingTooDeep. A chain such as `a + b + c` nests one level per operator (its tree is
  /// that deep); AND and OR chains are flat and do not count.
  uint32_t max_nesting_depth = 256;
};

/// Parses a script of statements separated by `;`. Empty statements (`;;`) are skipped; an
/// empty script gives an empty vector.
///
/// Errors carry the position of the offending token: kSyntaxError ("syntax error at or near
/// "FORM": expected FROM"), kInvalidToken (from the lexer), kNestingTooDeep,
/// kStatementTooLarge, kInvalidLiteral (a number too large for its place). Time and memory are
/// linear in the length of the text.
Result<std::vector<StatementPtr>> ParseScript(std::string_view text,
                                              const ParserLimits& limits = {});

/// Parses exactly one statement, optionally followed by `;`.
Result<StatementPtr> ParseStatement(std::string_view text, const ParserLimits& limits = {});

/// Parses one expression, e.g. for a WHERE given over an API, and for tests.
Result<ExprPtr> ParseExpression(std::string_view text, const ParserLimits& limits = {});

}  // namespace laminar::sql
