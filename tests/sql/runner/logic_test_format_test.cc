#include "logic_test_format.h"

#include <gtest/gtest.h>

namespace laminar::logic_test {
namespace {

TEST(LogicTestFormatTest, StatementRecordsTakeTheSqlUpToABlankLine) {
  ParsedFile parsed = ParseLogicTest(
      "# a comment\n"
      "statement ok\n"
      "CREATE SOURCE s (\n"
      "  x BIGINT)\n"
      "\n"
      "statement error LDB-1101 does not exist\n"
      "SELECT * FROM nope\n");
  ASSERT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.records.size(), 2u);
  const Record& ok = parsed.records[0];
  EXPECT_EQ(ok.kind, RecordKind::kStatement);
  EXPECT_EQ(ok.line, 2);
  EXPECT_EQ(ok.sql_line, 3);
  EXPECT_EQ(ok.sql, "CREATE SOURCE s (\n  x BIGINT)");
  EXPECT_FALSE(ok.error.has_value());
  const Record& error = parsed.records[1];
  EXPECT_EQ(error.line, 6);
  ASSERT_TRUE(error.error.has_value());
  EXPECT_EQ(error.error->code, 1101);
  EXPECT_EQ(error.error->message_substring, "does not exist");
  EXPECT_EQ(error.sql, "SELECT * FROM nope");
}

TEST(LogicTestFormatTest, QueryRecordsSplitSqlAndRowsAtTheDashes) {
  ParsedFile parsed = ParseLogicTest(
      "query IT rowsort\n"
      "SELECT 1, 'a'\n"
      "UNION ALL SELECT 2, ''\n"
      "----\n"
      "1 a\n"
      "2 (empty)   \n");
  ASSERT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.records.size(), 1u);
  const Record& query = parsed.records[0];
  EXPECT_EQ(query.kind, RecordKind::kQuery);
  EXPECT_EQ(query.column_types, "IT");
  EXPECT_TRUE(query.rowsort);
  EXPECT_EQ(query.sql, "SELECT 1, 'a'\nUNION ALL SELECT 2, ''");
  // Trailing whitespace of expected rows is ignored.
  EXPECT_EQ(query.expected_rows, (std::vector<std::string>{"1 a", "2 (empty)"}));
}

TEST(LogicTestFormatTest, QueryWithoutRowsHasAnEmptyResult) {
  ParsedFile parsed = ParseLogicTest("query I\nSELECT 1 WHERE false\n----\n");
  ASSERT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_TRUE(parsed.records[0].expected_rows.empty());
}

TEST(LogicTestFormatTest, StreamingDirectives) {
  ParsedFile parsed = ParseLogicTest(
      "push Trades\n"
      "('AAPL', 1.5),\n"
      "  ('MSFT', NULL)\n"
      "\n"
      "push s handle error LDB-3006 has 2 columns\n"
      "(1)\n"
      "\n"
      "watermark s 2024-01-01 00:00:05\n"
      "\n"
      "watermark s 17 error LDB-3010\n"
      "\n"
      "close \"Mixed\"\n"
      "\n"
      "clock advance 5 seconds\n"
      "\n"
      "clock set 2024-01-02 00:00:00\n"
      "\n"
      "halt\n");
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors[0].message;
  ASSERT_EQ(parsed.records.size(), 8u);
  const Record& push = parsed.records[0];
  EXPECT_EQ(push.kind, RecordKind::kPush);
  EXPECT_EQ(push.object, "trades");  // Folded like an unquoted SQL name.
  EXPECT_FALSE(push.push_through_handle);
  EXPECT_EQ(push.push_rows, (std::vector<std::string>{"('AAPL', 1.5)", "('MSFT', NULL)"}));
  const Record& handle = parsed.records[1];
  EXPECT_TRUE(handle.push_through_handle);
  ASSERT_TRUE(handle.error.has_value());
  EXPECT_EQ(handle.error->code, 3006);
  EXPECT_EQ(handle.error->message_substring, "has 2 columns");
  EXPECT_EQ(parsed.records[2].kind, RecordKind::kWatermark);
  EXPECT_EQ(parsed.records[2].argument, "2024-01-01 00:00:05");
  EXPECT_EQ(parsed.records[3].argument, "17");
  EXPECT_EQ(parsed.records[3].error->code, 3010);
  EXPECT_EQ(parsed.records[4].kind, RecordKind::kClose);
  EXPECT_EQ(parsed.records[4].object, "Mixed");  // Quoted: keeps its case.
  EXPECT_EQ(parsed.records[5].kind, RecordKind::kClockAdvance);
  EXPECT_EQ(parsed.records[5].argument, "5 seconds");
  EXPECT_EQ(parsed.records[6].kind, RecordKind::kClockSet);
  EXPECT_EQ(parsed.records[7].kind, RecordKind::kHalt);
}

TEST(LogicTestFormatTest, SubscribeNamesAnAlias) {
  ParsedFile parsed = ParseLogicTest(
      "subscribe Big as Second\n"
      "\n"
      "subscribe instruments as t error LDB-1113\n"
      "\n"
      "subscribe big\n");
  ASSERT_EQ(parsed.records.size(), 2u);
  EXPECT_EQ(parsed.records[0].kind, RecordKind::kSubscribe);
  EXPECT_EQ(parsed.records[0].object, "big");
  EXPECT_EQ(parsed.records[0].argument, "second");
  EXPECT_EQ(parsed.records[1].error->code, 1113);
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(parsed.errors[0].line, 5);
}

TEST(LogicTestFormatTest, ExpectForms) {
  ParsedFile parsed = ParseLogicTest(
      "expect big rowsort\n"
      "----\n"
      "AAPL 300\n"
      "GOOG 202\n"
      "\n"
      "expect big empty\n"
      "\n"
      "expect big\n"
      "\n"
      "expect big\n"
      "----\n"
      "\n"
      "expect q error LDB-3002 division\n"
      "----\n"
      "2\n"
      "\n"
      "expect q watermark +inf\n");
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors[0].message;
  ASSERT_EQ(parsed.records.size(), 6u);
  EXPECT_EQ(parsed.records[0].kind, RecordKind::kExpectRows);
  EXPECT_TRUE(parsed.records[0].rowsort);
  EXPECT_EQ(parsed.records[0].expected_rows, (std::vector<std::string>{"AAPL 300", "GOOG 202"}));
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(parsed.records[i].kind, RecordKind::kExpectRows);
    EXPECT_TRUE(parsed.records[i].expected_rows.empty()) << i;
  }
  EXPECT_EQ(parsed.records[4].error->code, 3002);
  EXPECT_EQ(parsed.records[4].error->message_substring, "division");
  EXPECT_EQ(parsed.records[4].expected_rows, (std::vector<std::string>{"2"}));
  EXPECT_EQ(parsed.records[5].kind, RecordKind::kExpectWatermark);
  EXPECT_EQ(parsed.records[5].argument, "+inf");
}

TEST(LogicTestFormatTest, CarriageReturnsAreIgnored) {
  ParsedFile parsed = ParseLogicTest("query I\r\nSELECT 1\r\n----\r\n1\r\n");
  ASSERT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.records[0].sql, "SELECT 1");
  EXPECT_EQ(parsed.records[0].expected_rows, (std::vector<std::string>{"1"}));
}

TEST(LogicTestFormatTest, BadRecordsAreReportedWithTheirLineAndSkipped) {
  ParsedFile parsed = ParseLogicTest(
      "statment ok\n"  // 1: misspelt
      "SELECT 1\n"
      "\n"
      "query I\n"  // 4: no ----
      "SELECT 1\n"
      "\n"
      "query X\n"  // 7: bad type letter
      "SELECT 1\n"
      "----\n"
      "\n"
      "statement error 1101\n"  // 11: code without LDB-
      "SELECT 1\n"
      "\n"
      "statement ok\n"  // 14: no SQL
      "\n"
      "push s\n"  // 16: not a tuple
      "1, 2\n"
      "\n"
      "expect t empty\n"  // 19: empty with rows
      "----\n"
      "1\n"
      "\n"
      "statement ok\n"  // 23: fine
      "SELECT 1\n");
  ASSERT_EQ(parsed.errors.size(), 7u);
  const int lines[] = {1, 4, 7, 11, 14, 16, 19};
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(parsed.errors[i].line, lines[i]) << i;
  EXPECT_NE(parsed.errors[0].message.find("unknown record 'statment'"), std::string::npos);
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.records[0].line, 23);
}

TEST(LogicTestFormatTest, ErrorCodeText) {
  EXPECT_EQ(ParseErrorCodeText("LDB-2001"), 2001);
  EXPECT_EQ(ParseErrorCodeText("LDB-0001"), 1);
  EXPECT_FALSE(ParseErrorCodeText("LDB-201").has_value());
  EXPECT_FALSE(ParseErrorCodeText("ldb-2001").has_value());
  EXPECT_FALSE(ParseErrorCodeText("LDB-20x1").has_value());
}

}  // namespace
}  // namespace laminar::logic_test
