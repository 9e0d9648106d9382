#pragma once

// Runs the records of a SQL logic test file (logic_test_format.h, docs/testing.md) against a
// fresh in-memory LaminarDB whose clock is a ManualClock.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/value.h"
#include "common/result.h"
#include "exec/change_batch.h"

namespace laminar::logic_test {

/// Where the virtual clock of every test file starts: 2024-01-01 00:00:00 UTC.
inline constexpr int64_t kClockStartMicros = 1'704'067'200'000'000;

struct RunOptions {
  /// Print every record's location before running it.
  bool verbose = false;
};

/// What running one file did.
struct RunSummary {
  int records = 0;   // Records run (a halt stops counting).
  int failures = 0;  // Records that failed, plus records that could not be parsed.
};

/// Runs `text` (the contents of the file called `file_name`, used in messages) and writes a
/// report of every failure to `out`: "file:line: what went wrong", then indented details.
/// A failing record does not stop the run.
RunSummary RunLogicTest(std::string_view file_name, std::string_view text, std::ostream& out,
                        const RunOptions& options = {});

/// One value as the format prints it: Value::ToString(), except that an empty string is
/// "(empty)" and newlines, tabs and backslashes inside strings are escaped (\n, \t, \\).
std::string FormatCell(const Value& value);

/// The rows of a batch, values separated by one space. With `with_weights` (changelog
/// streams), each row ends with its weight, "+1" or "-1".
std::vector<std::string> FormatRows(const exec::ChangeBatch& batch, bool with_weights);

/// A line-by-line comparison of expected and actual rows: rows in both with two spaces in
/// front, rows only expected with "- ", rows only emitted with "+ ". Each line ends in '\n'.
std::string RenderDiff(const std::vector<std::string>& expected,
                       const std::vector<std::string>& actual);

/// Reads a time written in a record: "-inf", "+inf", microseconds since the epoch ("1500000"),
/// or a timestamp ("2024-01-01 00:00:05", optionally quoted or written TIMESTAMP '...').
Result<int64_t> ParseTimeArgument(std::string_view text);

/// "-inf", "+inf", or the timestamp followed by the microseconds: "2024-01-01 00:00:05
/// (1704067205000000 us)".
std::string FormatWatermark(int64_t micros);

}  // namespace laminar::logic_test
