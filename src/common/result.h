#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "common/check.h"
#include "common/status.h"

namespace laminar {

/// Either a value of type T or an error Status. Use it as the return type of any operation
/// that produces a value and can fail. Never holds an OK status without a value: constructing
/// a Result from an OK Status is a programmer error and turns into an internal error.
///
/// Reading the value of an error Result is a programmer error and aborts (always checked,
/// because the alternative is reading garbage).
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> makes no sense");
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported");

 public:
  /// An error result.
  Result(Status status)  // NOLINT(google-explicit-constructor): natural `return status;`
      : storage_(std::in_place_index<0>, std::move(status)) {
    if (std::get<0>(storage_).ok()) [[unlikely]] {
      std::get<0>(storage_) =
          Status(ErrorCode::kInternal, "Result constructed from an OK status without a value");
    }
  }

  /// A value result.
  template <typename U = T,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, Result<T>>>>
  Result(U&& value)  // NOLINT(google-explicit-constructor): natural `return value;`
      : storage_(std::in_place_index<1>, std::forward<U>(value)) {}

  Result(const Result&) = default;
  Result(Result&&) noexcept(std::is_nothrow_move_constructible_v<T>) = default;
  Result& operator=(const Result&) = default;
  Result& operator=(Result&&) noexcept(std::is_nothrow_move_assignable_v<T>) = default;

  bool ok() const { return storage_.index() == 1; }

  /// The error, or OK when a value is present.
  const Status& status() const& {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<0>(storage_);
  }
  Status status() && { return ok() ? Status() : std::move(std::get<0>(storage_)); }

  /// REQUIRES: ok().
  T& value() & {
    CheckHasValue();
    return std::get<1>(storage_);
  }
  const T& value() const& {
    CheckHasValue();
    return std::get<1>(storage_);
  }
  T&& value() && {
    CheckHasValue();
    return std::move(std::get<1>(storage_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  /// By value, so `for (auto& x : *MakeResult())` cannot dangle.
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The value, or `fallback` for an error.
  template <typename U>
  T ValueOr(U&& fallback) const& {
    return ok() ? std::get<1>(storage_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void CheckHasValue() const {
    if (!ok()) [[unlikely]] {
      internal::CheckFailed(__FILE__, __LINE__, "Result::value() on an error",
                            std::get<0>(storage_).ToString().c_str());
    }
  }

  std::variant<Status, T> storage_;
};

namespace internal {

template <typename T>
Status ExtractStatus(const Result<T>& result) {
  return result.status();
}
template <typename T>
Status ExtractStatus(Result<T>&& result) {
  return std::move(result).status();
}

}  // namespace internal

}  // namespace laminar

/// Evaluates `rexpr` (a Result<T>); on error returns the error from the enclosing function,
/// otherwise assigns the value to `lhs`, which may be a declaration (`auto x`) or an lvalue.
#define LAMINAR_ASSIGN_OR_RETURN(lhs, rexpr) \
  LAMINAR_ASSIGN_OR_RETURN_IMPL(LAMINAR_CONCAT(_laminar_result_, __COUNTER__), lhs, rexpr)

#define LAMINAR_ASSIGN_OR_RETURN_IMPL(result, lhs, rexpr) \
  auto result = (rexpr);                                  \
  if (!result.ok()) [[unlikely]] {                        \
    return std::move(result).status();                    \
  }                                                       \
  lhs = std::move(result).value()
