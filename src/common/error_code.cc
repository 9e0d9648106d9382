#include "common/error_code.h"

#include <fmt/format.h>

#include <array>
#include <cassert>

namespace laminar {
namespace {

constexpr ErrorCodeInfo kErrorTable[] = {
#define LAMINAR_ERROR_CODE(name, number, category, sqlstate, summary) \
  {ErrorCode::name, std::string_view(#name).substr(1), ErrorCategory::category, sqlstate, summary},
#include "common/error_codes.def"
#undef LAMINAR_ERROR_CODE
};

// Compile-time checks of the table: SQLSTATEs are five characters, numbers are four digits,
// and no number appears twice. The tests check ranges and that published numbers persist.
constexpr bool TableIsWellFormed() {
  for (const auto& row : kErrorTable) {
    if (row.sqlstate.size() != 5) return false;
    const int number = static_cast<int>(row.code);
    if (number < 1000 || number > 9999) return false;
  }
  for (size_t i = 0; i < std::size(kErrorTable); ++i) {
    for (size_t j = i + 1; j < std::size(kErrorTable); ++j) {
      if (kErrorTable[i].code == kErrorTable[j].code) return false;
    }
  }
  return true;
}
static_assert(TableIsWellFormed(),
              "error_codes.def: bad SQLSTATE, number out of range or duplicate");

}  // namespace

std::span<const ErrorCodeInfo> AllErrorCodes() { return kErrorTable; }

const ErrorCodeInfo& GetErrorCodeInfo(ErrorCode code) {
  for (const auto& row : kErrorTable) {
    if (row.code == code) return row;
  }
  // Only kOk or a value cast from an arbitrary integer reaches here: a programmer error.
  static constexpr ErrorCodeInfo kUnknown{ErrorCode::kInternal, "Unknown", ErrorCategory::kInternal,
                                          "XX000", "unknown error code"};
  return kUnknown;
}

std::optional<ErrorCode> ErrorCodeFromNumber(int number) {
  for (const auto& row : kErrorTable) {
    if (static_cast<int>(row.code) == number) return row.code;
  }
  return std::nullopt;
}

std::string FormatErrorCode(ErrorCode code) {
  return fmt::format("LDB-{:04d}", static_cast<int>(code));
}

std::string_view ErrorCategoryName(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kUser:
      return "user";
    case ErrorCategory::kInternal:
      return "internal";
    case ErrorCategory::kIo:
      return "io";
    case ErrorCategory::kTransient:
      return "transient";
    case ErrorCategory::kDataLoss:
      return "data-loss";
  }
  return "internal";
}

}  // namespace laminar

namespace laminar {

std::string RenderErrorCodeTable() {
  std::string table =
      "| code | name | category | SQLSTATE | meaning |\n"
      "|---|---|---|---|---|\n";
  for (const auto& row : AllErrorCodes()) {
    table += fmt::format("| {} | {} | {} | {} | {} |\n", FormatErrorCode(row.code), row.name,
                         ErrorCategoryName(row.category), row.sqlstate, row.summary);
  }
  return table;
}

}  // namespace laminar
