#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace laminar {

/// What kind of failure an error code describes. Callers decide on retries and alerts by
/// category, never by message text.
enum class ErrorCategory : uint8_t {
  /// The request was wrong (bad SQL, bad data, bad configuration). Retrying won't help.
  kUser,
  /// A bug in LaminarDB. Retrying won't help; please report it.
  kInternal,
  /// The operating system or a device refused an operation.
  kIo,
  /// A passing condition (full queue, timeout, lost connection). Retrying may succeed.
  kTransient,
  /// Stored data was found damaged; some of it may be lost.
  kDataLoss,
};

/// Every error LaminarDB reports carries one of these codes. The enumerators are generated from
/// error_codes.def; `kOk` (0) means success and never appears in an error.
enum class ErrorCode : uint16_t {
  kOk = 0,
#define LAMINAR_ERROR_CODE(name, number, category, sqlstate, summary) name = number,
#include "common/error_codes.def"
#undef LAMINAR_ERROR_CODE
};

/// Static facts about one error code, as written in error_codes.def.
struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;  // Enumerator name without the leading 'k', e.g. "SyntaxError".
  ErrorCategory category;
  std::string_view sqlstate;  // Five-character PostgreSQL SQLSTATE.
  std::string_view summary;   // One line, lower case, no trailing period.
};

/// All codes in table order. Thread-safe (immutable static data).
std::span<const ErrorCodeInfo> AllErrorCodes();

/// The table row for `code`. REQUIRES: `code` is a value from error_codes.def (not kOk).
const ErrorCodeInfo& GetErrorCodeInfo(ErrorCode code);

/// Looks up a code by its number, e.g. 1001. Returns nullopt for numbers not in the table.
std::optional<ErrorCode> ErrorCodeFromNumber(int number);

/// Formats as "LDB-1001". kOk formats as "LDB-0000".
std::string FormatErrorCode(ErrorCode code);

/// "user", "internal", "io", "transient" or "data-loss".
std::string_view ErrorCategoryName(ErrorCategory category);

}  // namespace laminar

namespace laminar {

/// The Markdown table of all codes, exactly as docs/errors.md must contain it between its
/// `<!-- error-table:begin -->` and `<!-- error-table:end -->` markers.
std::string RenderErrorCodeTable();

}  // namespace laminar
