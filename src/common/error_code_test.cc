#include "common/error_code.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

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
    EXPECT_TRUE(range == 1 || range == 2 || range == 3 || range == 4 || range == 5 || range == 6 ||
                range == 9)
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

// Every code ever published, with its number. A number may never change meaning: a code can be
// retired (moved to the retired list of error_codes.def) but its number is never given to
// another code. New codes are added here when they are added to the table.
constexpr std::pair<int, std::string_view> kPublishedCodes[] = {
    {1001, "SyntaxError"},
    {1002, "InvalidToken"},
    {1003, "NestingTooDeep"},
    {1004, "UndefinedVariable"},
    {1005, "StatementTooLarge"},
    {1101, "UnknownObject"},
    {1102, "UnknownColumn"},
    {1103, "AmbiguousColumn"},
    {1104, "UnknownFunction"},
    {1105, "TypeMismatch"},
    {1106, "DuplicateObject"},
    {1107, "DependentObjects"},
    {1108, "DuplicateColumn"},
    {1109, "InvalidOption"},
    {1110, "InvalidTypeDefinition"},
    {1111, "InvalidLiteral"},
    {1112, "InvalidGrouping"},
    {1113, "WrongObjectKind"},
    {2001, "NotSupported"},
    {2002, "UnboundedSort"},
    {2003, "WatermarkRequired"},
    {2004, "UnboundedState"},
    {2005, "InvalidEmitMode"},
    {2006, "InvalidWindow"},
    {2007, "InvalidConfiguration"},
    {3001, "NumericOverflow"},
    {3002, "DivisionByZero"},
    {3003, "InvalidCast"},
    {3004, "InvalidRegex"},
    {3005, "NullViolation"},
    {3006, "SchemaMismatch"},
    {3007, "InvalidArgument"},
    {3008, "Cancelled"},
    {3009, "QueueFull"},
    {3010, "Closed"},
    {3011, "TimedOut"},
    {3012, "OutOfMemory"},
    {3101, "ArrowInvalidFormat"},
    {3102, "ArrowUnsupportedType"},
    {3103, "ArrowWrongBufferCount"},
    {3104, "ArrowMissingBuffer"},
    {3105, "ArrowOffsetsOutOfRange"},
    {3106, "ArrowReleased"},
    {3107, "ArrowInvalidArray"},
    {4001, "IoError"},
    {4002, "FileNotFound"},
    {4003, "FileExists"},
    {4004, "NoSpace"},
    {4005, "PermissionDenied"},
    {4006, "Corruption"},
    {4007, "ChecksumMismatch"},
    {4008, "TornWrite"},
    {4009, "UnsupportedFormatVersion"},
    {4010, "ObjectStoreUnavailable"},
    {5001, "ConnectorError"},
    {5002, "ConnectorConfig"},
    {5003, "DecodeError"},
    {6001, "ConnectionFailure"},
    {6002, "ProtocolViolation"},
    {6003, "AuthenticationFailed"},
    {6004, "PermissionDeniedAuth"},
    {9001, "Internal"},
    {9002, "InvariantViolation"},
};

TEST(ErrorCodeTest, PublishedNumbersKeepTheirMeaning) {
  std::set<int> retired;
#define LAMINAR_ERROR_CODE(name, number, category, sqlstate, summary)
#define LAMINAR_RETIRED_ERROR_CODE(number, name) retired.insert(number);
#include "common/error_codes.def"
#undef LAMINAR_RETIRED_ERROR_CODE
#undef LAMINAR_ERROR_CODE
  for (const auto& [number, name] : kPublishedCodes) {
    const auto code = ErrorCodeFromNumber(number);
    if (retired.count(number) > 0) {
      EXPECT_FALSE(code.has_value()) << number << " is retired but still in the table";
      continue;
    }
    ASSERT_TRUE(code.has_value()) << "LDB-" << number << " (" << name
                                  << ") was removed: retire it instead";
    EXPECT_EQ(GetErrorCodeInfo(*code).name, name) << "LDB-" << number << " changed its name";
  }
  std::set<int> published;
  for (const auto& [number, name] : kPublishedCodes) published.insert(number);
  for (const auto& row : AllErrorCodes()) {
    EXPECT_TRUE(published.count(static_cast<int>(row.code)) > 0)
        << row.name << ": add new codes to kPublishedCodes";
  }
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
  const std::string documented =
      text.substr(begin + begin_marker.size(), end - begin - begin_marker.size());
  EXPECT_EQ(documented, RenderErrorCodeTable())
      << "docs/errors.md is out of date; replace the table between the markers with the "
         "expected text above";
}

}  // namespace
}  // namespace laminar
