#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace laminar {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

/// Receives each formatted log line (without a trailing newline).
using LogSink = std::function<void(LogLevel level, std::string_view line)>;

/// Messages below this level are dropped before they are formatted. The initial level is
/// kWarning, or the value of the environment variable LAMINAR_LOG_LEVEL (debug, info, warning,
/// error, off) read once at first use. Thread-safe.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

/// Replaces where log lines go (stderr by default); pass nullptr to restore stderr.
/// Thread-safe; the sink is called under a mutex, one line at a time.
void SetLogSink(LogSink sink);

/// Parses "debug", "info", "warning", "error", "off". Returns false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);

namespace internal {
void EmitLog(LogLevel level, const char* file, int line, std::string message);
}  // namespace internal

}  // namespace laminar

/// LAMINAR_LOG(kInfo, "opened {} with {} partitions", path, count);
/// Logging is for Ring 1 and Ring 2 code; the hot path counts in metrics instead.
#define LAMINAR_LOG(level, ...)                                                    \
  do {                                                                             \
    if (::laminar::LogLevel::level >= ::laminar::GetLogLevel()) {                  \
      ::laminar::internal::EmitLog(::laminar::LogLevel::level, __FILE__, __LINE__, \
                                   fmt::format(__VA_ARGS__));                      \
    }                                                                              \
  } while (0)
