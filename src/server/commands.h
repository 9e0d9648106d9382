#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/result_output.h"

namespace laminar::server {

/// Options of `laminardb run`.
struct RunOptions {
  /// The script's path; "-" reads standard input.
  std::string path;
  OutputFormat format = OutputFormat::kTable;
  /// --data-dir: a durable database in this directory. The script continues where the last
  /// run on it stopped, and its end leaves the sources open (a checkpoint, no end of input).
  std::optional<std::string> data_dir;
};

/// `laminardb run`: executes a SQL script statement by statement in an in-memory database
/// (or the durable one of --data-dir), printing each statement's output to standard output as
/// Session describes, then ends the input (closes every source, so watermarks reach +infinity
/// and everything is flushed) and prints the rest; with --data-dir it checkpoints instead and
/// leaves the sources open for the next run. Returns the process exit status: 0, or 1 after
/// printing the first error to standard error with its LDB code, the offending line of the script
/// and a caret.
int RunScriptCommand(const RunOptions& options);

/// `laminardb shell`: the interactive shell, described by its `\?` text. Reads lines with GNU
/// readline (history in ~/.laminardb_history) when standard input is a terminal, plain lines
/// otherwise. Errors are printed and the session goes on. Returns the exit status: 0.
/// `data_dir`: the durable database to open (`laminardb shell --data-dir DIR`).
int RunShellCommand(const std::optional<std::string>& data_dir);

/// `laminardb bench nexmark --query qN [options]`: runs one Nexmark query to completion and
/// prints its measurements (RunNexmarkBench), as text or with --json as one JSON object.
/// `args` are the arguments after "nexmark". Exit status: 0 measured; 1 the run failed (the
/// error is printed to standard error); 2 bad arguments; 3 the query is not supported yet
/// (the report says so, with its LDB-2xxx code).
int RunNexmarkBenchCommand(const std::vector<std::string_view>& args);

/// `laminardb nexmark export --table T [options]`: writes the generated rows of one table as
/// CSV (nexmark/csv_export.h) to standard output or --output FILE. `args` are the arguments
/// after "export". Exit status: 0, 1 when writing fails, 2 for bad arguments.
int RunNexmarkExportCommand(const std::vector<std::string_view>& args);

}  // namespace laminar::server
