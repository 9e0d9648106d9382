#pragma once

// Assertions for programmer errors. User input must never reach one of these: bad input is
// reported with a Status carrying an LDB error code instead.

#include <cstddef>

namespace laminar::internal {

/// Prints "file:line: check failed: expression (message)" to stderr and aborts.
[[noreturn]] void CheckFailed(const char* file, int line, const char* expression,
                              const char* message);

}  // namespace laminar::internal

namespace laminar {

/// Running out of memory ends the process (docs/architecture.md, "Errors"): a half-built
/// batch or a record half copied into the WAL cannot be taken back usefully, and no exception
/// may cross the C ABI. Prints "laminardb: out of memory allocating N bytes" and aborts.
[[noreturn]] void OutOfMemory(size_t bytes);

/// std::aligned_alloc(alignment, size), or OutOfMemory. `size` must be a multiple of
/// `alignment`; a size of 0 gives nullptr.
void* AlignedAllocOrDie(size_t alignment, size_t size);

}  // namespace laminar

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
