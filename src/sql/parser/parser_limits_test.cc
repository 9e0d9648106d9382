#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "sql/parser/keywords.h"
#include "sql/parser/parser.h"
#include "sql/parser/unparser.h"

namespace laminar::sql {
namespace {

/// The fastest of three parses: a run preempted by another process on a busy machine must not
/// look like non-linear growth.
double SecondsToParse(const std::string& sql) {
  double best = 1e9;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto start = std::chrono::steady_clock::now();
    auto result = ParseScript(sql);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(result.ok()) << result.status();
    best = std::min(best, std::chrono::duration<double>(elapsed).count());
  }
  return best;
}

/// Builds a text of at least `bytes` bytes from a head, a repeated part and a tail.
std::string Build(size_t bytes, const std::string& head, const std::string& repeated,
                  const std::string& tail) {
  std::string sql = head;
  while (sql.size() < bytes) sql += repeated;
  return sql + tail;
}

/// Parse time must grow linearly: 1 MiB may take at most about 4x (with slack for noise, 8x)
/// as long as 256 KiB. The absolute bound is loose because this runs in Debug and under
/// sanitizers; an optimized build parses 1 MiB in a few tens of milliseconds.
void ExpectLinear(const std::string& head, const std::string& repeated, const std::string& tail) {
  double small = SecondsToParse(Build(1 << 18, head, repeated, tail));
  double large = SecondsToParse(Build(1 << 20, head, repeated, tail));
  EXPECT_LT(large, 8 * small + 0.05) << "256 KiB: " << small << " s, 1 MiB: " << large << " s";
  EXPECT_LT(large, 10.0);
}

TEST(ParserLimitsTest, MegabyteInListParsesInLinearTime) {
  ExpectLinear("SELECT * FROM bid WHERE auction IN (0", ", 12345", ")");
}

TEST(ParserLimitsTest, MegabyteAndChainParsesInLinearTime) {
  ExpectLinear("SELECT * FROM bid WHERE a = 0", " AND a <> 12345", "");
}

TEST(ParserLimitsTest, MegabyteScriptOfManyStatementsParsesInLinearTime) {
  ExpectLinear("", "INSERT INTO t VALUES (1, 'x', 2.5);\n", "");
}

TEST(ParserLimitsTest, MegabyteAndChainStaysFlatForTheUnparser) {
  auto statement = ParseStatement(Build(1 << 20, "SELECT 1 WHERE a = 0", " AND a <> 1", ""));
  ASSERT_TRUE(statement.ok()) << statement.status();
  const auto& where = *(*statement)->As<QueryStatement>().query->body->As<SelectBody>().where;
  EXPECT_GT(where.As<LogicalExpression>().operands.size(), 90000u);
  EXPECT_GT(Unparse(**statement).size(), size_t{1} << 20);
}

void ExpectTooDeep(const std::string& sql) {
  auto result = ParseStatement(sql);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNestingTooDeep) << result.status();
  EXPECT_TRUE(result.status().position().valid());
}

TEST(ParserLimitsTest, DeepParenthesesFailWithNestingTooDeep) {
  ExpectTooDeep("SELECT " + std::string(100000, '(') + "1" + std::string(100000, ')'));
}

TEST(ParserLimitsTest, DeepSubqueriesFailWithNestingTooDeep) {
  std::string sql;
  for (int i = 0; i < 5000; ++i) sql += "SELECT * FROM (";
  sql += "SELECT 1";
  for (int i = 0; i < 5000; ++i) sql += ")";
  ExpectTooDeep(sql);
}

TEST(ParserLimitsTest, DeepPrefixOperatorsFailWithNestingTooDeep) {
  std::string sql = "SELECT ";
  for (int i = 0; i < 100000; ++i) sql += "NOT - ";
  ExpectTooDeep(sql + "1");
}

TEST(ParserLimitsTest, LongArithmeticChainsCountTheirHeight) {
  std::string sql = "SELECT 1";
  for (int i = 0; i < 100000; ++i) sql += " + 1";
  ExpectTooDeep(sql);
  // Re-nesting chains inside parentheses cannot dodge the limit.
  std::string nested = "SELECT ";
  for (int level = 0; level < 200; ++level) nested += "(";
  nested += "1";
  for (int level = 0; level < 200; ++level) nested += " + 1 + 1 + 1)";
  ExpectTooDeep(nested);
}

TEST(ParserLimitsTest, DeepExplainNestingFailsWithNestingTooDeep) {
  std::string sql;
  for (int i = 0; i < 1000; ++i) sql += "EXPLAIN ";
  ExpectTooDeep(sql + "SELECT 1");
}

TEST(ParserLimitsTest, NestingJustUnderTheLimitParses) {
  ParserLimits limits;
  std::string sql = "SELECT " + std::string(100, '(') + "1" + std::string(100, ')');
  EXPECT_TRUE(ParseStatement(sql, limits).ok());
  limits.max_nesting_depth = 50;
  auto result = ParseStatement(sql, limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNestingTooDeep);
}

TEST(ParserLimitsTest, TextLargerThanTheLimitIsRejectedUpFront) {
  ParserLimits limits;
  limits.max_text_bytes = 1000;
  std::string sql = "SELECT 1 " + std::string(2000, ' ');
  auto result = ParseScript(sql, limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kStatementTooLarge);
  EXPECT_EQ(result.status().position().line, 1u);
  EXPECT_EQ(ParseStatement(sql, limits).status().code(), ErrorCode::kStatementTooLarge);
}

TEST(ParserLimitsTest, DefaultSizeLimitIs64MiB) {
  EXPECT_EQ(ParserLimits().max_text_bytes, size_t{64} << 20);
  EXPECT_EQ(ParserLimits().max_nesting_depth, 256u);
}

TEST(ParserLimitsTest, ReservedWordTableIsSorted) { EXPECT_TRUE(ReservedWordsAreSorted()); }

}  // namespace
}  // namespace laminar::sql
