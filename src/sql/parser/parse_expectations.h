#pragma once

// Test-only checks shared by the parser test files.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sql/parser/parser.h"
#include "sql/parser/unparser.h"

namespace laminar::sql {

/// Parses `sql` as a script, unparses it, parses the text again and checks that both trees
/// unparse identically (the unparser's round-trip contract). Every statement a test parses
/// goes through this, so the unparser is covered by the whole parser suite.
inline ::testing::AssertionResult RoundTrips(std::string_view sql) {
  auto first = ParseScript(sql);
  if (!first.ok()) {
    return ::testing::AssertionFailure() << "parse failed: " << first.status() << "\n" << sql;
  }
  std::string text = Unparse(*first);
  auto second = ParseScript(text);
  if (!second.ok()) {
    return ::testing::AssertionFailure()
           << "unparsed text does not parse: " << second.status() << "\n"
           << text;
  }
  std::string again = Unparse(*second);
  if (again != text) {
    return ::testing::AssertionFailure() << "round trip changed the tree:\n"
                                         << text << "\n"
                                         << again;
  }
  return ::testing::AssertionSuccess();
}

/// Parses a single statement that must be valid (and round-trip), for inspecting its tree.
inline StatementPtr ParseValid(std::string_view sql) {
  EXPECT_TRUE(RoundTrips(sql));
  auto statement = ParseStatement(sql);
  EXPECT_TRUE(statement.ok()) << statement.status();
  return statement.ok() ? std::move(statement).value() : nullptr;
}

/// The canonical text of a valid statement.
inline std::string Canonical(std::string_view sql) {
  StatementPtr statement = ParseValid(sql);
  return statement ? Unparse(*statement) : "<parse error>";
}

/// Expects a parse error with this code at this line and column.
inline ::testing::AssertionResult FailsAt(std::string_view sql, ErrorCode code, uint32_t line,
                                          uint32_t column) {
  auto result = ParseScript(sql);
  if (result.ok()) return ::testing::AssertionFailure() << "parsed unexpectedly: " << sql;
  const Status& status = result.status();
  if (status.code() != code || status.position().line != line ||
      status.position().column != column) {
    return ::testing::AssertionFailure()
           << "got " << status << " but expected " << FormatErrorCode(code) << " at line " << line
           << ", column " << column;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace laminar::sql
