#pragma once

// Assertions for programmer errors. User input must never reach one of these: bad input is
// reported with a Status carrying an LDB error code instead.

namespace laminar::internal {

/// Prints "file:line: check failed: expression (message)" to stderr and aborts.
[[noreturn]] void CheckFailed(const char* file, int line, const char* expression,
                              const char* message);

}  // namespace laminar::internal

/// Always-on check, for conditions whose violation would corrupt memory or state.
#define LAMINAR_CHECK(condition)                                            \
  do {                                                                      \
    if (!(condition)) [[unlikely]] {                                        \
      ::laminar::internal::CheckFailed(__FILE__, __LINE__, #condition, ""); \
    }                                                                       \
  } while (0)

#define LAMINAR_CHECK_MSG(condition, message)                                      \
  do {                                                                             \
    if (!(condition)) [[unlikely]] {                                               \
      ::laminar::internal::CheckFailed(__FILE__, __LINE__, #condition, (message)); \
    }                                                                              \
  } while (0)

/// Debug-only check, for invariants on hot paths.
#ifdef NDEBUG
#define LAMINAR_DCHECK(condition) \
  do {                            \
  } while (false && (condition))
#else
#define LAMINAR_DCHECK(condition) LAMINAR_CHECK(condition)
#endif
