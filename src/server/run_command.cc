// `laminardb run FILE.sql`: a script executed statement by statement, as bounded input.

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "server/commands.h"
#include "server/session.h"
#include "server/statement_splitter.h"
#include "sql/parser/error_caret.h"

namespace laminar::server {
namespace {

std::optional<std::string> ReadScript(const std::string& path) {
  std::stringstream buffer;
  if (path == "-") {
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  buffer << file.rdbuf();
  return buffer.str();
}

}  // namespace

int RunScriptCommand(const RunOptions& options) {
  const std::optional<std::string> script = ReadScript(options.path);
  if (!script) {
    fmt::print(stderr, "laminardb: cannot read {}\n", options.path);
    return 1;
  }
  Config config;
  config.data_dir = options.data_dir;
  Result<std::unique_ptr<LaminarDB>> db = LaminarDB::Open(config);
  if (!db.ok()) {
    fmt::print(stderr, "{}\n", db.status());
    return 1;
  }
  if (Status started = (*db)->Start(); !started.ok()) {
    fmt::print(stderr, "{}\n", started);
    return 1;
  }
  Session session(**db, options.format, stdout);
  // Each statement runs on its own, so that its emissions are printed before the next one
  // runs; error positions are moved back from the statement to the script.
  for (const StatementPiece& piece : SplitStatements(*script)) {
    if (piece.blank) continue;
    Status status =
        session.Execute(std::string_view(*script).substr(piece.start.offset, piece.length));
    if (!status.ok()) {
      std::fflush(stdout);
      fmt::print(stderr, "{}\n",
                 sql::RenderErrorWithCaret(*script, ShiftToScript(std::move(status), piece)));
      (void)(*db)->Shutdown();
      return 1;
    }
  }
  if (Status finished = session.Finish(/*close_sources=*/!options.data_dir); !finished.ok()) {
    std::fflush(stdout);
    fmt::print(stderr, "{}\n", finished);
    return 1;
  }
  return 0;
}

}  // namespace laminar::server
