#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace laminar::sql {

enum class WindowKind : uint8_t { kTumble, kHop, kSession, kCumulate };

/// How rows are assigned to event-time windows. All durations are in microseconds (months
/// cannot size a window: a month has no fixed length).
struct WindowAssignment {
  WindowKind kind = WindowKind::kTumble;
  /// Input column holding the event time (TIMESTAMP or TIMESTAMPTZ).
  int time_column = -1;
  std::string time_column_name;
  int64_t size = 0;    // Tumble and hop: window length. Cumulate: the maximum size.
  int64_t slide = 0;   // Hop: distance between window starts. Cumulate: the step.
  int64_t offset = 0;  // Tumble and hop: windows start at offset + k * slide.
  int64_t gap = 0;     // Session: inactivity that closes a session.
  SourcePosition position;

  /// `tumble(date_time, 10 s)`, `hop(ts, 10 s, 2 s)`, `session(ts, gap 10 s)`, ...
  std::string ToString() const;
};

/// The largest origin + k * length (k an integer) not above `value`: the start of the window,
/// pane or step grid cell holding `value`. Rounds toward negative infinity, since event times
/// may be negative. REQUIRES: length > 0.
int64_t FloorAlign(int64_t value, int64_t origin, int64_t length);

/// "10 s", "1.5 s", "100 ms", "250 us", "2 min", "1 h", "1 d".
std::string FormatDurationMicros(int64_t micros);

}  // namespace laminar::sql
