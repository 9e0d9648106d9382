#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/error_code.h"

namespace laminar {

/// A place in SQL or configuration text. Lines and columns count from 1; columns count bytes.
/// A default-constructed position (line 0) means "no position".
struct SourcePosition {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t offset = 0;  // Byte offset from the start of the text.

  bool valid() const { return line > 0; }
  friend bool operator==(const SourcePosition&, const SourcePosition&) = default;
};

/// The outcome of an operation: OK, or an error with an LDB code, a message that names the
/// construct at fault, and optionally the position in the user's text.
///
/// An OK status is a null pointer, so creating, moving and testing one costs nothing; only
/// errors allocate. Status is a value type: copies are deep and independent.
/// Thread-safety: like any value, safe to read from many threads; not safe to mutate while read.
class [[nodiscard]] Status {
 public:
  /// Success.
  Status() noexcept = default;

  /// An error. REQUIRES: code != ErrorCode::kOk.
  Status(ErrorCode code, std::string message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status Ok() { return Status(); }

  /// An error whose message is formatted by fmt, e.g.
  /// `Status::Error(ErrorCode::kUnknownColumn, "column \"{}\" does not exist", name)`.
  template <typename... Args>
  static Status Error(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
    return Status(code, fmt::format(format, std::forward<Args>(args)...));
  }

  bool ok() const { return state_ == nullptr; }
  /// kOk for success.
  ErrorCode code() const { return state_ ? state_->code : ErrorCode::kOk; }
  /// Empty for success.
  std::string_view message() const;
  /// Invalid (line 0) when the error is not tied to a place in the text.
  SourcePosition position() const { return state_ ? state_->position : SourcePosition{}; }
  ErrorCategory category() const;
  std::string_view sqlstate() const;

  /// Returns this error with a position attached (replacing any earlier one). OK stays OK.
  Status WithPosition(SourcePosition position) &&;
  /// Like WithPosition, but keeps a position the error already has.
  Status WithPositionIfMissing(SourcePosition position) &&;
  /// Returns this error with "context: " in front of the message. OK stays OK.
  Status WithContext(std::string_view context) &&;

  /// "OK", or "LDB-1102: column \"x\" does not exist (line 2, column 8)".
  std::string ToString() const;

 private:
  struct State {
    ErrorCode code;
    std::string message;
    SourcePosition position;
  };
  std::unique_ptr<State> state_;
};

/// Equality compares code, message and position.
bool operator==(const Status& a, const Status& b);

/// Writes ToString(), so test assertions print errors readably.
std::ostream& operator<<(std::ostream& stream, const Status& status);

namespace internal {

/// Extracts the status of a Status or Result for LAMINAR_RETURN_IF_ERROR.
inline Status ExtractStatus(const Status& status) { return status; }
inline Status ExtractStatus(Status&& status) { return std::move(status); }

}  // namespace internal

}  // namespace laminar

template <>
struct fmt::formatter<laminar::Status> : fmt::formatter<std::string> {
  auto format(const laminar::Status& status, format_context& context) const {
    return fmt::formatter<std::string>::format(status.ToString(), context);
  }
};

#define LAMINAR_CONCAT_INNER(a, b) a##b
#define LAMINAR_CONCAT(a, b) LAMINAR_CONCAT_INNER(a, b)

/// Evaluates `expr` (a Status or a Result) and returns its error from the enclosing function.
#define LAMINAR_RETURN_IF_ERROR(expr)                                               \
  do {                                                                              \
    ::laminar::Status _laminar_status = ::laminar::internal::ExtractStatus((expr)); \
    if (!_laminar_status.ok()) [[unlikely]] {                                       \
      return _laminar_status;                                                       \
    }                                                                               \
  } while (0)
