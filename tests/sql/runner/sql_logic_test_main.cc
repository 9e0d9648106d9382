// sql_logic_test: runs SQL logic test files (docs/testing.md).
//
//   sql_logic_test [--verbose] file.test...
//
// Exits with 0 when every record of every file passed, 1 otherwise, 2 on bad usage.

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "logic_test_runner.h"

int main(int argc, char** argv) {
  laminar::logic_test::RunOptions options;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--verbose" || argument == "-v") {
      options.verbose = true;
    } else if (argument.starts_with("-")) {
      std::cerr << fmt::format(
          "unknown option {}\nusage: sql_logic_test [--verbose] file.test...\n", argument);
      return 2;
    } else {
      files.push_back(argument);
    }
  }
  if (files.empty()) {
    std::cerr << "usage: sql_logic_test [--verbose] file.test...\n";
    return 2;
  }
  int failures = 0;
  for (const std::string& file : files) {
    std::ifstream input(file, std::ios::binary);
    if (!input) {
      std::cerr << fmt::format("{}: cannot open the file\n", file);
      ++failures;
      continue;
    }
    std::stringstream text;
    text << input.rdbuf();
    const laminar::logic_test::RunSummary summary =
        laminar::logic_test::RunLogicTest(file, text.str(), std::cout, options);
    std::cout << fmt::format("{}: {} records, {} failed\n", file, summary.records,
                             summary.failures);
    failures += summary.failures;
  }
  return failures == 0 ? 0 : 1;
}
