#include "common/error_code.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace laminar {
namespace {

TEST(ErrorCodeTest, FormatsWithFourDigits) {
  EXPECT_EQ(FormatErrorCode(ErrorCode::kSyntaxError), "LDB-1001");
  EXPECT_EQ(FormatErrorCode(ErrorCode::kInternal), "LDB-9001");
  EXPECT_EQ(FormatErrorCode(ErrorCode::kOk), "LDB-0000");
}

TEST(ErrorCodeTest, NumbersAreUniqueAndInTheirRange) {
  std::set<int> seen;
  for (const auto& row : AllErrorCodes()) {
    const int number = static_cast<int>(row.code);
    EXPECT_TRUE(seen.insert(number).second) << "duplicate " << number;
    const int range = number / 1000;
    EXPECT_TRUE(range == 1 || range == 2 || range == 3 || range == 4 || range == 5 ||
                range == 6 || range == 9)
        << row.name << " has number " << number << " outside the documented ranges";
  }
}

TEST(ErrorCodeTest, SqlStatesAreFiveUpperCaseAlphanumerics) {
  for (const auto& row : AllErrorCodes()) {
    ASSERT_EQ(row.sqlstate.size(), 5u) << row.name;
    for (const char c : row.sqlstate) {
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) << row.name;
    }
  }
}

TEST(ErrorCodeTest, InternalRangeHasInternalCategory) {
  for (const auto& row : AllErrorCodes()) {
    if (static_cast<int>(row.code) / 1000 == 9) {
      EXPECT_EQ(row.category, ErrorCategory::kInternal) << row.name;
    }
  }
}

TEST(ErrorCodeTest, LookupByNumber) {
  EXPECT_EQ(ErrorCodeFromNumber(1102), ErrorCode::kUnknownColumn);
  EXPECT_EQ(ErrorCodeFromNumber(4006), ErrorCode::kCorruption);
  EXPECT_FALSE(ErrorCodeFromNumber(1).has_value());
  EXPECT_FALSE(ErrorCodeFromNumber(0).has_value());
}

TEST(ErrorCodeTest, InfoMatchesDefinition) {
  const ErrorCodeInfo& info = GetErrorCodeInfo(ErrorCode::kDivisionByZero);
  EXPECT_EQ(info.name, "DivisionByZero");
  EXPECT_EQ(info.sqlstate, "22012");
  EXPECT_EQ(info.category, ErrorCategory::kUser);
  EXPECT_EQ(ErrorCategoryName(GetErrorCodeInfo(ErrorCode::kChecksumMismatch).category),
            "data-loss");
}

// docs/errors.md is what users read; it must list exactly the codes of error_codes.def.
TEST(ErrorCodeTest, DocumentationListsExactlyTheTable) {
  const std::string path = std::string(LAMINAR_SOURCE_ROOT) + "/docs/errors.md";
  std::ifstream file(path);
  ASSERT_TRUE(file.good()) << "cannot read " << path;
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string text = buffer.str();
  const std::string begin_marker = "<!-- error-table:begin -->\n";
  const std::string end_marker = "<!-- error-table:end -->";
  const size_t begin = text.find(begin_marker);
  const size_t end = text.find(end_marker);
  ASSERT_NE(begin, std::string::npos) << "docs/errors.md lacks " << begin_marker;
  ASSERT_NE(end, std::string::npos) << "docs/errors.md lacks " << end_marker;
  const std::string documented = text.substr(begin + begin_marker.size(),
                                             end - begin - begin_marker.size());
  EXPECT_EQ(documented, RenderErrorCodeTable())
      << "docs/errors.md is out of date; replace the table between the markers with the "
         "expected text above";
}

}  // namespace
}  // namespace laminar
