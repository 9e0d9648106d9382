#include "sql/plan/window_assignment.h"

#include <fmt/format.h>

namespace laminar::sql {

int64_t FloorAlign(int64_t value, int64_t origin, int64_t length) {
  const int64_t relative = value - origin;
  int64_t quotient = relative / length;
  if (relative % length != 0 && relative < 0) --quotient;
  return origin + quotient * length;
}

std::string FormatDurationMicros(int64_t micros) {
  struct Unit {
    int64_t micros;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{86'400'000'000, "d"}, {3'600'000'000, "h"},
                                    {60'000'000, "min"},   {1'000'000, "s"},
                                    {1'000, "ms"},         {1, "us"}};
  for (const Unit& unit : kUnits) {
    if (micros != 0 && micros % unit.micros == 0) {
      return fmt::format("{} {}", micros / unit.micros, unit.name);
    }
  }
  if (micros >= 1'000'000 || micros <= -1'000'000) return fmt::format("{} s", micros / 1e6);
  return fmt::format("{} us", micros);
}

std::string WindowAssignment::ToString() const {
  switch (kind) {
    case WindowKind::kTumble:
      if (offset != 0) {
        return fmt::format("tumble({}, {}, offset {})", time_column_name,
                           FormatDurationMicros(size), FormatDurationMicros(offset));
      }
      return fmt::format("tumble({}, {})", time_column_name, FormatDurationMicros(size));
    case WindowKind::kHop:
      return fmt::format("hop({}, size {}, slide {})", time_column_name, FormatDurationMicros(size),
                         FormatDurationMicros(slide));
    case WindowKind::kSession:
      return fmt::format("session({}, gap {})", time_column_name, FormatDurationMicros(gap));
    case WindowKind::kCumulate:
      return fmt::format("cumulate({}, step {}, max {})", time_column_name,
                         FormatDurationMicros(slide), FormatDurationMicros(size));
  }
  return "window";
}

}  // namespace laminar::sql
