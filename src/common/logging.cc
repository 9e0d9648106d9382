#include "common/logging.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "common/clock.h"

namespace laminar {
namespace {

LogLevel InitialLevel() {
  LogLevel level = LogLevel::kWarning;
  if (const char* text = std::getenv("LAMINAR_LOG_LEVEL")) {
    ParseLogLevel(text, &level);
  }
  return level;
}

std::atomic<int>& LevelStorage() {
  static std::atomic<int> level{static_cast<int>(InitialLevel())};
  return level;
}

struct SinkState {
  std::mutex mutex;
  LogSink sink;  // Guarded by mutex.
};

SinkState& Sink() {
  static SinkState state;
  return state;
}

char LevelLetter(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return 'D';
    case LogLevel::kInfo:
      return 'I';
    case LogLevel::kWarning:
      return 'W';
    case LogLevel::kError:
      return 'E';
    case LogLevel::kOff:
      break;
  }
  return '?';
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

void SetLogLevel(LogLevel level) {
  LevelStorage().store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel GetLogLevel() {
  return static_cast<LogLevel>(LevelStorage().load(std::memory_order_relaxed));
}

void SetLogSink(LogSink sink) {
  SinkState& state = Sink();
  std::lock_guard lock(state.mutex);
  state.sink = std::move(sink);
}

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
      {"debug", LogLevel::kDebug}, {"info", LogLevel::kInfo}, {"warning", LogLevel::kWarning},
      {"error", LogLevel::kError}, {"off", LogLevel::kOff},
  };
  for (const auto& [name, value] : kNames) {
    if (text == name) {
      *level = value;
      return true;
    }
  }
  return false;
}

namespace internal {

void EmitLog(LogLevel level, const char* file, int line, std::string message) {
  const int64_t micros = Clock::System()->NowMicros();
  const time_t seconds = static_cast<time_t>(micros / 1'000'000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  const std::string text = fmt::format(
      "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z {} {}:{}] {}", utc.tm_year + 1900,
      utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros % 1'000'000,
      LevelLetter(level), BaseName(file), line, message);
  SinkState& state = Sink();
  std::lock_guard lock(state.mutex);
  if (state.sink) {
    state.sink(level, text);
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
}

}  // namespace internal

}  // namespace laminar
