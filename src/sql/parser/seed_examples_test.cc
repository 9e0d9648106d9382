#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sql/parser/parse_expectations.h"
#include "sql/parser/parser.h"
#include "sql/parser/variable_substitution.h"

namespace laminar::sql {
namespace {

std::string ReadTestData(const std::string& name) {
  std::ifstream file(std::string(LAMINAR_SOURCE_ROOT) + "/src/sql/parser/testdata/" + name);
  EXPECT_TRUE(file.good()) << name;
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

// The Nexmark sources and queries, as the benchmark harness runs them: one script.
std::string NexmarkScript() {
  auto read = [](const std::string& relative) {
    std::ifstream file(std::string(LAMINAR_SOURCE_ROOT) + "/" + relative);
    EXPECT_TRUE(file.good()) << relative;
    std::stringstream buffer;
    buffer << file.rdbuf();
    return buffer.str();
  };
  std::string text = read("bench/nexmark/sources.sql");
  for (int q = 0; q <= 22; ++q) {
    text += "\n" + read("bench/nexmark/queries/q" + std::to_string(q) + ".sql");
  }
  return text;
}

std::string Substituted(const std::string& text) {
  auto result = SubstituteVariables(text, [](std::string_view name) -> std::optional<std::string> {
    if (name == "KAFKA_BROKERS") return "broker-1:9092,broker-2:9092";
    return std::nullopt;
  });
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : "";
}

/// Parses a script and checks each statement on its own, so a failure names the statement.
void ExpectEveryStatementParsesAndRoundTrips(const std::string& text, size_t expected_count) {
  auto script = ParseScript(text);
  ASSERT_TRUE(script.ok()) << script.status();
  EXPECT_EQ(script->size(), expected_count);
  for (const StatementPtr& statement : *script) {
    std::string_view source = std::string_view(text).substr(
        statement->position.offset, statement->end_offset - statement->position.offset);
    EXPECT_TRUE(RoundTrips(source)) << "statement at line " << statement->position.line;
  }
}

TEST(SeedExamplesTest, EverySeedAndDialectExampleParses) {
  ExpectEveryStatementParsesAndRoundTrips(Substituted(ReadTestData("seed_examples.sql")), 110);
}

TEST(SeedExamplesTest, EveryNexmarkQueryParses) {
  std::string text = NexmarkScript();
  // Three sources, 23 queries, q13's side table and the ten INSERTs that fill it.
  ExpectEveryStatementParsesAndRoundTrips(text, 37);
  auto script = ParseScript(text);
  ASSERT_TRUE(script.ok());
  int queries = 0;
  for (const StatementPtr& statement : *script) {
    const ObjectName* name = nullptr;
    if (statement->kind == StatementKind::kCreateStream) {
      name = &statement->As<CreateStreamStatement>().header.name;
    } else if (statement->kind == StatementKind::kCreateSink) {
      name = &statement->As<CreateSinkStatement>().header.name;
    }
    if (name != nullptr && name->ToString().rfind("nexmark_q", 0) == 0) ++queries;
  }
  EXPECT_EQ(queries, 23);
}

TEST(SeedExamplesTest, UndefinedVariableInTheSeedScriptIsReported) {
  auto result = SubstituteVariables(ReadTestData("seed_examples.sql"),
                                    [](std::string_view) { return std::nullopt; });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kUndefinedVariable);
  EXPECT_GT(result.status().position().line, 1u);
}

}  // namespace
}  // namespace laminar::sql
