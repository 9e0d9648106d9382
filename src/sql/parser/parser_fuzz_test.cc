#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sql/parser/lexer.h"
#include "sql/parser/parser.h"
#include "sql/parser/unparser.h"
#include "sql/parser/variable_substitution.h"

namespace laminar::sql {
namespace {

constexpr uint64_t kSeed = 20240611;
constexpr int kIterations = 100000;
constexpr size_t kMaxTokens = 60;

/// Valid statements to mutate: the test data scripts plus a few constructs they lack.
std::vector<std::string> Corpus() {
  std::vector<std::string> corpus = {
      "SELECT a, b AS c FROM t WHERE x IS NOT NULL AND y BETWEEN 1 AND 2 ORDER BY a DESC LIMIT 3",
      "SELECT CASE WHEN a THEN 'x' ELSE E'\\n' END, CAST(b AS DECIMAL(10, 2)), c::int FROM t",
      "WITH w AS (SELECT 1) SELECT * FROM w UNION ALL SELECT 2 INTERSECT SELECT 3",
      "SELECT SUBSTRING(u FROM 1 FOR 2), EXTRACT(HOUR FROM ts) FROM t /* c */ -- d",
      "INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL)",
      "SELECT \"Q\".\"x\" FROM t AS \"Q\" WHERE name ILIKE 'a%' ESCAPE '!' OR x IN (SELECT 1)",
      "UPDATE t SET a = a + 1 WHERE b = 2; DELETE FROM t WHERE a = 1",
  };
  std::vector<std::string> files = {"src/sql/parser/testdata/seed_examples.sql",
                                    "bench/nexmark/sources.sql"};
  for (int q = 0; q <= 22; ++q)
    files.push_back("bench/nexmark/queries/q" + std::to_string(q) + ".sql");
  for (const std::string& name : files) {
    std::ifstream file(std::string(LAMINAR_SOURCE_ROOT) + "/" + name);
    std::stringstream buffer;
    buffer << file.rdbuf();
    auto substituted = SubstituteVariables(buffer.str(), [](std::string_view name) {
      return name == "KAFKA_BROKERS" ? std::optional<std::string>("localhost:9092") : std::nullopt;
    });
    if (!substituted.ok()) continue;
    std::string text = *substituted;
    auto script = ParseScript(text);
    if (!script.ok()) continue;  // SeedExamplesTest reports this.
    for (const StatementPtr& statement : *script) {
      corpus.push_back(text.substr(statement->position.offset,
                                   statement->end_offset - statement->position.offset));
    }
  }
  return corpus;
}

/// Recomputes line and column from the offset, to check that positions are consistent.
bool PositionMatchesText(std::string_view text, SourcePosition position) {
  if (!position.valid() || position.offset > text.size()) return false;
  uint32_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < position.offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return position.line == line && position.column == position.offset - line_start + 1;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : random_(seed) {}

  size_t Below(size_t bound) { return bound == 0 ? 0 : random_() % bound; }

  /// `pieces` are the token texts of a valid statement.
  std::string Mutate(std::vector<std::string_view> pieces) {
    int mutations = 1 + static_cast<int>(Below(3));
    std::string result;
    for (int m = 0; m < mutations; ++m) {
      size_t count = pieces.size();
      switch (Below(6)) {
        case 0:  // Delete a token.
          if (count > 0) pieces.erase(pieces.begin() + static_cast<long>(Below(count)));
          break;
        case 1:  // Duplicate a token.
          if (count > 0) {
            size_t at = Below(count);
            pieces.insert(pieces.begin() + static_cast<long>(at), pieces[at]);
          }
          break;
        case 2:  // Swap two tokens.
          if (count > 1) std::swap(pieces[Below(count)], pieces[Below(count)]);
          break;
        case 3: {  // Insert a token that often appears in SQL.
          static const char* kInserts[] = {"(",    ")",      ",",    ";",   "SELECT", "FROM",
                                           "AND",  "NOT",    "'",    "\"",  "/*",     "--",
                                           "JOIN", "EMIT",   "CASE", "END", "::",     "*",
                                           "OVER", "TABLE(", "1e",   "$",   "WITH",   "IN"};
          pieces.insert(pieces.begin() + static_cast<long>(Below(count + 1)),
                        kInserts[Below(std::size(kInserts))]);
          break;
        }
        default:
          break;  // Byte-level mutations below.
      }
    }
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (i > 0) result += ' ';
      result.append(pieces[i]);
    }
    if (Below(4) == 0 && !result.empty()) result.resize(Below(result.size()));  // Truncate.
    if (Below(4) == 0 && !result.empty()) {                                     // Random bytes.
      int flips = 1 + static_cast<int>(Below(3));
      for (int i = 0; i < flips; ++i) result[Below(result.size())] = static_cast<char>(Below(256));
    }
    return result;
  }

 private:
  std::mt19937_64 random_;
};

TEST(ParserFuzzTest, MutatedStatementsParseOrFailWithAPositionedError) {
  std::vector<std::string> corpus = Corpus();
  ASSERT_GT(corpus.size(), 100u);
  // Token texts of each statement, lexed once; they point into `corpus`.
  std::vector<std::vector<std::string_view>> pieces(corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    auto tokens = Tokenize(corpus[i]);
    ASSERT_TRUE(tokens.ok()) << corpus[i];
    for (const Token& token : tokens->tokens) {
      if (token.kind != TokenKind::kEndOfInput) pieces[i].push_back(token.raw);
    }
  }
  // Long statements cost time without finding more; keep the fuzzing fast under sanitizers.
  std::erase_if(pieces, [](const auto& statement) { return statement.size() > kMaxTokens; });
  ASSERT_GT(pieces.size(), 80u);
  Mutator mutator(kSeed);
  int parsed = 0;
  int failed = 0;
  for (int i = 0; i < kIterations; ++i) {
    std::string input = mutator.Mutate(pieces[mutator.Below(pieces.size())]);
    auto result = ParseScript(input);
    if (result.ok()) {
      ++parsed;
      // What parses must also survive the unparser round trip.
      std::string text = Unparse(*result);
      auto again = ParseScript(text);
      ASSERT_TRUE(again.ok()) << input << "\n=> " << text << "\n" << again.status();
      ASSERT_EQ(Unparse(*again), text) << input;
      continue;
    }
    ++failed;
    const Status& status = result.status();
    ErrorCode code = status.code();
    ASSERT_TRUE(code == ErrorCode::kSyntaxError || code == ErrorCode::kInvalidToken ||
                code == ErrorCode::kNestingTooDeep || code == ErrorCode::kInvalidLiteral)
        << status << "\n"
        << input;
    ASSERT_TRUE(PositionMatchesText(input, status.position())) << status << "\n" << input;
  }
  // Both outcomes must be well represented, or the mutations are too weak or too strong.
  EXPECT_GT(parsed, kIterations / 50);
  EXPECT_GT(failed, kIterations / 2);
}

}  // namespace
}  // namespace laminar::sql
