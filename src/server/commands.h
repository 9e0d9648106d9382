#pragma once

#include <string>

#include "server/result_output.h"

namespace laminar::server {

/// Options of `laminardb run`.
struct RunOptions {
  /// The script's path; "-" reads standard input.
  std::string path;
  OutputFormat format = OutputFormat::kTable;
};

/// `laminardb run`: executes a SQL script statement by statement in an in-memory database,
/// printing each statement's output to standard output as Session describes, then ends the
/// input (closes every source, so watermarks reach +infinity and everything is flushed) and
/// prints the rest. Returns the process exit status: 0, or 1 after printing the first error
/// to standard error with its LDB code, the offending line of the script and a caret.
int RunScriptCommand(const RunOptions& options);

/// `laminardb shell`: the interactive shell, described by its `\?` text. Reads lines with GNU
/// readline (history in ~/.laminardb_history) when standard input is a terminal, plain lines
/// otherwise. Errors are printed and the session goes on. Returns the exit status: 0.
int RunShellCommand();

}  // namespace laminar::server
