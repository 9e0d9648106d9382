#include "sql/parser/error_caret.h"

#include <gtest/gtest.h>

#include "sql/parser/parser.h"

namespace laminar::sql {
namespace {

TEST(ErrorCaretTest, CaretSitsUnderTheOffendingToken) {
  std::string_view sql = "SELECT a FORM t";
  auto result = ParseStatement(sql);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(RenderErrorWithCaret(sql, result.status()),
            "LDB-1001: syntax error at or near \"FORM\": expected FROM (line 1, column 10)\n"
            "SELECT a FORM t\n"
            "         ^");
}

TEST(ErrorCaretTest, OnlyTheOffendingLineIsShown) {
  std::string_view sql = "SELECT a\nFROM t\nWHERE x = = 1;";
  auto result = ParseScript(sql);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(RenderErrorWithCaret(sql, result.status()),
            "LDB-1001: syntax error at or near \"=\": expected an expression (line 3, column 11)\n"
            "WHERE x = = 1;\n"
            "          ^");
}

TEST(ErrorCaretTest, TabsAreKeptAndMultiByteCharactersCountOnce) {
  Status status = Status(ErrorCode::kSyntaxError, "bad").WithPosition({1, 6, 5});
  EXPECT_EQ(RenderErrorWithCaret("\t'é' x", status),
            "LDB-1001: bad (line 1, column 6)\n\t'é' x\n\t   ^");
}

TEST(ErrorCaretTest, CaretAtEndOfInput) {
  std::string_view sql = "SELECT";
  auto result = ParseStatement(sql);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(RenderErrorWithCaret(sql, result.status()),
            "LDB-1001: syntax error at end of input: expected an expression (line 1, column 7)\n"
            "SELECT\n"
            "      ^");
}

TEST(ErrorCaretTest, WithoutPositionOnlyTheStatusLine) {
  Status status(ErrorCode::kSyntaxError, "bad");
  EXPECT_EQ(RenderErrorWithCaret("x", status), "LDB-1001: bad");
  Status outside = Status(ErrorCode::kSyntaxError, "bad").WithPosition({9, 9, 99});
  EXPECT_EQ(RenderErrorWithCaret("x", outside), "LDB-1001: bad (line 9, column 9)");
}

}  // namespace
}  // namespace laminar::sql
