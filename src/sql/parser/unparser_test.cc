#include "sql/parser/unparser.h"

#include <gtest/gtest.h>

#include "sql/parser/parse_expectations.h"
#include "sql/parser/parser.h"

namespace laminar::sql {
namespace {

std::string ExprText(std::string_view text) {
  auto expr = ParseExpression(text);
  EXPECT_TRUE(expr.ok()) << expr.status();
  return expr.ok() ? Unparse(**expr) : "<error>";
}

TEST(UnparserTest, KeywordsAreUpperCaseAndNamesBare) {
  EXPECT_EQ(Canonical("select a, B from T where x=1"), "SELECT a, b FROM t WHERE x = 1");
}

TEST(UnparserTest, NamesAreQuotedOnlyWhenTheyMustBe) {
  EXPECT_EQ(QuoteIdentifier("price"), "price");
  EXPECT_EQ(QuoteIdentifier("Price"), "\"Price\"");
  EXPECT_EQ(QuoteIdentifier("from"), "\"from\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdentifier("1a"), "\"1a\"");
  EXPECT_EQ(QuoteIdentifier("state"), "state");
}

TEST(UnparserTest, StringsDoubleTheirQuotes) {
  EXPECT_EQ(QuoteString("it's"), "'it''s'");
  EXPECT_EQ(ExprText("E'a\\'b'"), "'a''b'");
}

TEST(UnparserTest, ParenthesesOnlyWherePrecedenceRequires) {
  EXPECT_EQ(ExprText("(a + b) * c"), "(a + b) * c");
  EXPECT_EQ(ExprText("a + (b * c)"), "a + b * c");
  EXPECT_EQ(ExprText("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(ExprText("(a - b) - c"), "a - b - c");
  EXPECT_EQ(ExprText("(a OR b) AND c"), "(a OR b) AND c");
  EXPECT_EQ(ExprText("NOT (a AND b)"), "NOT (a AND b)");
  EXPECT_EQ(ExprText("(a = b) IS NULL"), "a = b IS NULL");
  EXPECT_EQ(ExprText("(NOT a) IS NULL"), "(NOT a) IS NULL");
  EXPECT_EQ(ExprText("(-a)::int"), "(-a)::INT");
  EXPECT_EQ(ExprText("-(a + b)"), "-(a + b)");
  EXPECT_EQ(ExprText("a BETWEEN (b OR c) AND d"), "a BETWEEN (b OR c) AND d");
}

TEST(UnparserTest, EqualsIgnoresPositionsAndSpelling) {
  auto a = ParseStatement("SELECT a FROM t WHERE x = 1");
  auto b = ParseStatement("select   a\nfrom t\nwhere (x = 1)");
  auto c = ParseStatement("SELECT a FROM t WHERE x = 2");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_TRUE(Equals(**a, **b));
  EXPECT_FALSE(Equals(**a, **c));
}

TEST(UnparserTest, ScriptsEndEachStatementWithSemicolon) {
  auto script = ParseScript("SELECT 1; CHECKPOINT");
  ASSERT_TRUE(script.ok());
  EXPECT_EQ(Unparse(*script), "SELECT 1;\nCHECKPOINT;\n");
}

TEST(UnparserTest, CreateStatementsHaveCanonicalForm) {
  EXPECT_EQ(Canonical("create source s (ts timestamp, v double, watermark for ts as ts - "
                      "interval '5' second, primary key (v)) from kafka (topic = 't') format "
                      "json with ('weird key' = 1)"),
            "CREATE SOURCE s (ts TIMESTAMP, v DOUBLE, PRIMARY KEY (v), WATERMARK FOR ts AS ts - "
            "INTERVAL '5' SECOND) FROM KAFKA (topic = 't') FORMAT JSON WITH ('weird key' = 1)");
  EXPECT_EQ(Canonical("create sink k into kafka (topic = 'x') as select 1"),
            "CREATE SINK k INTO KAFKA (topic = 'x') AS SELECT 1");
}

TEST(UnparserTest, SettingNamesThatLookLikeKeywordsAreQuoted) {
  EXPECT_EQ(Canonical("SHOW \"sources\""), "SHOW \"sources\"");
}

}  // namespace
}  // namespace laminar::sql
