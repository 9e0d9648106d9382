// Every SQL example of the design documents (the file the binder's SeedExamplesTest binds),
// executed by a durable database: each statement annotated `-- expect: ok` must run, unless a
// `-- runs: LDB-NNNN` line under it says which error the database gives instead (a feature of a
// later issue, named in the comment beside it); `-- expect: LDB-NNNN` statements must fail
// with that code here too, unless `-- runs: ok` says the database runs it (the binder's test
// has no connectors).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/error_code.h"
#include "laminar/laminardb.h"

namespace laminar {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(std::string(LAMINAR_SOURCE_ROOT) + "/" + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(SeedExamplesRunTest, EveryExampleRunsOrFailsAsAnnotated) {
  const std::string text = ReadFile("src/sql/binder/testdata/seed_examples_bind.sql");
  ASSERT_FALSE(text.empty());
  // A durable database, so the examples with checkpoints run.
  char pattern[] = "/tmp/laminar-seed-examples-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string data_dir = pattern;
  Config config;
  config.data_dir = data_dir;
  auto db = LaminarDB::Open(config);
  ASSERT_TRUE(db.ok()) << db.status();
  std::istringstream lines(text);
  std::string line;
  std::string expected;
  std::string statement;
  int expectation_line = 0;
  int line_number = 0;
  int checked = 0;
  auto check = [&]() {
    if (expected.empty()) return;
    auto result = (*db)->Execute(statement);
    if (expected == "ok") {
      EXPECT_TRUE(result.ok()) << "seed_examples_bind.sql:" << expectation_line << ": "
                               << result.status() << "\n"
                               << statement;
    } else {
      EXPECT_FALSE(result.ok()) << "expected " << expected << ":\n" << statement;
      if (!result.ok()) {
        EXPECT_EQ(FormatErrorCode(result.status().code()), expected) << result.status() << "\n"
                                                                     << statement;
      }
    }
    ++checked;
    expected.clear();
    statement.clear();
  };
  while (std::getline(lines, line)) {
    ++line_number;
    if (line.rfind("-- expect: ", 0) == 0) {
      check();
      expected = line.substr(11);
      expectation_line = line_number;
      continue;
    }
    if (line.rfind("-- runs: ", 0) == 0) {
      const size_t end = line.find(' ', 9);
      expected = line.substr(9, end == std::string::npos ? std::string::npos : end - 9);
      continue;
    }
    if (line.rfind("--", 0) == 0 || expected.empty()) continue;
    statement += line + "\n";
  }
  check();
  EXPECT_GE(checked, 95);
  db->reset();
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace laminar
