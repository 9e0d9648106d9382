#include "logic_test_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "columnar/column_builder.h"

namespace laminar::logic_test {
namespace {

using ::testing::HasSubstr;

struct Outcome {
  RunSummary summary;
  std::string report;
};

Outcome RunText(std::string_view text) {
  std::ostringstream report;
  RunSummary summary = RunLogicTest("example.test", text, report);
  return Outcome{summary, report.str()};
}

constexpr std::string_view kStream =
    "statement ok\n"
    "CREATE SOURCE s (x BIGINT, name VARCHAR)\n"
    "\n"
    "statement ok\n"
    "CREATE STREAM t AS SELECT x * 2 AS y, name FROM s WHERE x > 1\n"
    "\n"
    "push s\n"
    "(1, 'a')\n"
    "(2, 'b')\n"
    "(3, NULL)\n"
    "\n";

TEST(LogicTestRunnerTest, PassingFileHasNoFailures) {
  Outcome outcome = RunText(std::string(kStream) +
                            "expect t\n"
                            "----\n"
                            "4 b\n"
                            "6 NULL\n"
                            "\n"
                            "expect t empty\n"
                            "\n"
                            "query IT\n"
                            "SELECT 1, ''\n"
                            "----\n"
                            "1 (empty)\n");
  EXPECT_EQ(outcome.summary.failures, 0) << outcome.report;
  EXPECT_EQ(outcome.summary.records, 6);
  EXPECT_EQ(outcome.report, "");
}

TEST(LogicTestRunnerTest, WrongExpectationFailsWithADiffNamingTheLine) {
  Outcome outcome = RunText(std::string(kStream) +
                            "expect t\n"  // Line 12.
                            "----\n"
                            "4 b\n"
                            "7 NULL\n");
  EXPECT_EQ(outcome.summary.failures, 1);
  EXPECT_THAT(outcome.report, HasSubstr("example.test:12: expect t: rows differ"));
  EXPECT_THAT(outcome.report, HasSubstr("      4 b\n"));
  EXPECT_THAT(outcome.report, HasSubstr("    - 7 NULL\n"));
  EXPECT_THAT(outcome.report, HasSubstr("    + 6 NULL\n"));
}

TEST(LogicTestRunnerTest, RowsAreConsumedByEachExpectation) {
  // The second expect sees nothing: the first one took the rows.
  Outcome outcome = RunText(std::string(kStream) +
                            "expect t rowsort\n"
                            "----\n"
                            "6 NULL\n"
                            "4 b\n"
                            "\n"
                            "expect t\n"
                            "----\n"
                            "4 b\n");
  EXPECT_EQ(outcome.summary.failures, 1);
  EXPECT_THAT(outcome.report, HasSubstr("example.test:17: expect t: rows differ"));
}

TEST(LogicTestRunnerTest, StatementOutcomesAreChecked) {
  Outcome outcome = RunText(
      "statement ok\n"
      "SELECT * FROM nope\n"
      "\n"
      "statement error LDB-1101\n"
      "SELECT 1\n"
      "\n"
      "statement error LDB-1102\n"
      "SELECT * FROM nope\n"
      "\n"
      "statement error LDB-1101 no such words\n"
      "SELECT * FROM nope\n"
      "\n"
      "statement error LDB-1101\n"
      "SELECT * FROM nope\n");
  EXPECT_EQ(outcome.summary.failures, 4) << outcome.report;
  EXPECT_EQ(outcome.summary.records, 5);
  EXPECT_THAT(outcome.report, HasSubstr("example.test:1: statement failed: LDB-1101"));
  EXPECT_THAT(outcome.report,
              HasSubstr("example.test:4: statement succeeded, but LDB-1101 was expected"));
  EXPECT_THAT(outcome.report, HasSubstr("example.test:7: statement failed with LDB-1101"));
  EXPECT_THAT(outcome.report, HasSubstr("example.test:10: statement failed with LDB-1101"));
  EXPECT_THAT(outcome.report, HasSubstr("with a message containing \"no such words\""));
}

TEST(LogicTestRunnerTest, QueryChecksRowsAndColumnTypes) {
  Outcome outcome = RunText(
      "query I\n"
      "SELECT 1\n"
      "----\n"
      "2\n"
      "\n"
      "query T\n"
      "SELECT 1\n"
      "----\n"
      "1\n"
      "\n"
      "query IR\n"
      "SELECT 1, 2.5\n"
      "----\n"
      "1 2.5\n");
  EXPECT_EQ(outcome.summary.failures, 2) << outcome.report;
  EXPECT_THAT(outcome.report, HasSubstr("example.test:1: query: rows differ"));
  EXPECT_THAT(outcome.report, HasSubstr("example.test:6: query: the result's column types are I"));
}

TEST(LogicTestRunnerTest, RuntimeErrorsAreExpectedOnTheStream) {
  const std::string setup =
      "statement ok\n"
      "CREATE SOURCE s (x BIGINT)\n"
      "\n"
      "statement ok\n"
      "CREATE STREAM q AS SELECT 10 / x AS y FROM s\n"
      "\n"
      "push s\n"
      "(5)\n"
      "\n"
      "push s\n"
      "(0)\n"
      "\n";
  Outcome expected = RunText(setup +
                             "expect q error LDB-3002\n"
                             "----\n"
                             "2\n");
  EXPECT_EQ(expected.summary.failures, 0) << expected.report;
  // Without the error clause the stop is a failure, even when the rows match.
  Outcome unexpected = RunText(setup +
                               "expect q\n"
                               "----\n"
                               "2\n");
  EXPECT_EQ(unexpected.summary.failures, 1);
  EXPECT_THAT(unexpected.report, HasSubstr("example.test:13: expect q: \"q\" stopped: LDB-3002"));
}

TEST(LogicTestRunnerTest, WatermarksAreChecked) {
  Outcome outcome = RunText(
      "statement ok\n"
      "CREATE SOURCE s (ts TIMESTAMP, WATERMARK FOR ts)\n"
      "\n"
      "expect s watermark -inf\n"
      "\n"
      "watermark s 2024-01-01 00:00:05\n"
      "\n"
      "expect s watermark 2024-01-01 00:00:05\n"
      "\n"
      "expect s watermark 1\n"
      "\n"
      "close s\n"
      "\n"
      "expect s watermark +inf\n");
  EXPECT_EQ(outcome.summary.failures, 1) << outcome.report;
  EXPECT_THAT(outcome.report,
              HasSubstr("example.test:10: expect s watermark: expected 1970-01-01 00:00:00.000001 "
                        "(1 us), got 2024-01-01 00:00:05 (1704067205000000 us)"));
}

TEST(LogicTestRunnerTest, UnknownNamesAndBadRecordsAreFailuresAndTheRunContinues) {
  Outcome outcome = RunText(
      "expect nothing\n"
      "\n"
      "bogus\n"
      "\n"
      "query I\n"
      "SELECT 1\n"
      "----\n"
      "1\n");
  EXPECT_EQ(outcome.summary.failures, 2) << outcome.report;
  EXPECT_EQ(outcome.summary.records, 2);
  EXPECT_THAT(outcome.report, HasSubstr("example.test:1: nothing named \"nothing\""));
  EXPECT_THAT(outcome.report, HasSubstr("example.test:3: cannot read the record: unknown record"));
}

TEST(LogicTestRunnerTest, SubscribeAddsASubscriberThatSeesLaterRowsOnly) {
  Outcome outcome = RunText(std::string(kStream) +
                            "subscribe t as second\n"
                            "\n"
                            "push s\n"
                            "(5, 'e')\n"
                            "\n"
                            "expect second\n"
                            "----\n"
                            "10 e\n"
                            "\n"
                            "expect t\n"
                            "----\n"
                            "4 b\n"
                            "6 NULL\n"
                            "10 e\n"
                            "\n"
                            "subscribe t as second\n"
                            "\n"
                            "subscribe nope as third error LDB-1101\n");
  EXPECT_EQ(outcome.summary.failures, 1) << outcome.report;
  EXPECT_THAT(outcome.report, HasSubstr("example.test:27: the alias \"second\" is taken"));
}

TEST(LogicTestRunnerTest, HaltStopsTheFile) {
  Outcome outcome = RunText(
      "halt\n"
      "\n"
      "statement ok\n"
      "SELECT * FROM nope\n"
      "\n"
      "not a record\n");
  EXPECT_EQ(outcome.summary.failures, 0) << outcome.report;
  EXPECT_EQ(outcome.summary.records, 0);
}

TEST(LogicTestRunnerTest, FailuresAreReportedInLineOrder) {
  Outcome outcome = RunText(
      "statement ok\n"
      "SELECT * FROM nope\n"
      "\n"
      "bogus\n"
      "\n"
      "statement error LDB-1101\n"
      "SELECT 1\n");
  EXPECT_EQ(outcome.summary.failures, 3) << outcome.report;
  const size_t first = outcome.report.find("example.test:1:");
  const size_t second = outcome.report.find("example.test:4:");
  const size_t third = outcome.report.find("example.test:6:");
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(third, std::string::npos);
}

TEST(LogicTestRunnerTest, FormatCell) {
  EXPECT_EQ(FormatCell(Value::Null(DataType::Varchar())), "NULL");
  EXPECT_EQ(FormatCell(Value::Varchar("")), "(empty)");
  EXPECT_EQ(FormatCell(Value::Varchar("a b")), "a b");
  EXPECT_EQ(FormatCell(Value::Varchar("line\nnext\ttab\\")), "line\\nnext\\ttab\\\\");
  EXPECT_EQ(FormatCell(Value::BigInt(-3)), "-3");
  EXPECT_EQ(FormatCell(Value::Boolean(true)), Value::Boolean(true).ToString());
}

TEST(LogicTestRunnerTest, FormatRowsAppendsWeightsOfChangelogs) {
  BatchBuilder builder(
      Schema::Make({{"k", DataType::Varchar(), true}, {"n", DataType::BigInt(), true}}));
  ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::Varchar("a"), Value::BigInt(1)}).ok());
  ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::Varchar("a"), Value::BigInt(2)}).ok());
  exec::ChangeBatch batch{*builder.Finish(), {-1, 1}};
  EXPECT_EQ(FormatRows(batch, true), (std::vector<std::string>{"a 1 -1", "a 2 +1"}));
  EXPECT_EQ(FormatRows(batch, false), (std::vector<std::string>{"a 1", "a 2"}));
  batch.weights.clear();
  EXPECT_EQ(FormatRows(batch, true), (std::vector<std::string>{"a 1 +1", "a 2 +1"}));
}

TEST(LogicTestRunnerTest, RenderDiffMarksMissingAndExtraRows) {
  EXPECT_EQ(RenderDiff({"a", "b", "c"}, {"a", "x", "c", "d"}), "  a\n- b\n+ x\n  c\n+ d\n");
  EXPECT_EQ(RenderDiff({}, {}), "");
}

TEST(LogicTestRunnerTest, TimeArguments) {
  EXPECT_EQ(*ParseTimeArgument("-inf"), exec::kMinWatermark);
  EXPECT_EQ(*ParseTimeArgument("+inf"), exec::kMaxWatermark);
  EXPECT_EQ(*ParseTimeArgument("1500"), 1500);
  EXPECT_EQ(*ParseTimeArgument("-7"), -7);
  EXPECT_EQ(*ParseTimeArgument("2024-01-01 00:00:00"), kClockStartMicros);
  EXPECT_EQ(*ParseTimeArgument("'2024-01-01 00:00:00'"), kClockStartMicros);
  EXPECT_EQ(*ParseTimeArgument("TIMESTAMP '2024-01-01 00:00:01'"), kClockStartMicros + 1'000'000);
  EXPECT_FALSE(ParseTimeArgument("soon").ok());
  EXPECT_EQ(FormatWatermark(exec::kMinWatermark), "-inf");
  EXPECT_EQ(FormatWatermark(kClockStartMicros), "2024-01-01 00:00:00 (1704067200000000 us)");
}

}  // namespace
}  // namespace laminar::logic_test
