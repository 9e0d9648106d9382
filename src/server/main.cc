// The laminardb command-line tool: the interactive shell, `run` (execute a script), `explain`
// (parse, bind and plan a script), `bench nexmark` (the Nexmark harness), `nexmark export`
// (generated rows as CSV) and `--version`; `serve` arrives with the server.

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>
#include <vector>

#include "connectors/source_connector.h"
#include "functions/function_registry.h"
#include "server/commands.h"
#include "sql/binder/binder.h"
#include "sql/parser/error_caret.h"
#include "sql/parser/parser.h"
#include "sql/parser/variable_substitution.h"

namespace laminar {
namespace {

constexpr std::string_view kUsage =
    "usage: laminardb [command]\n"
    "\n"
    "commands:\n"
    "  shell [--data-dir DIR]\n"
    "              the interactive SQL shell (the default without a command): statements end\n"
    "              with ';' and may span lines; SELECT results and the rows of the streams\n"
    "              created in the session are printed as tables; \\? lists the shell commands\n"
    "  run F [--output table|jsonl] [--data-dir DIR]\n"
    "              execute the SQL script F (- for stdin) in an in-memory database, one\n"
    "              statement after the other. INSERT INTO a source pushes rows. After each\n"
    "              statement the rows pushed so far are processed, then the statement's result\n"
    "              and the rows that the script's streams and sinks emitted meanwhile are\n"
    "              printed. At the end the sources are closed: watermarks advance to +infinity\n"
    "              and everything is flushed (as at the end of bounded input).\n"
    "              --output table (default): command tags, result tables, and for a stream\n"
    "                '-- stream NAME (+N rows)' with a table of its rows\n"
    "              --output jsonl: one JSON object a line, first the emitted rows\n"
    "                {\"stream\":\"NAME\",\"weight\":1,\"row\":{\"column\":value,...}}\n"
    "              (weight -1 retracts a row), then the rows the statement returned\n"
    "                {\"query\":N,\"row\":{...}}\n"
    "              where N counts the statements that return rows (SELECT, SHOW, DESCRIBE,\n"
    "              EXPLAIN) from 1. Numbers are JSON numbers (DECIMAL exact; NaN, Infinity as\n"
    "              strings); dates, timestamps, intervals and BYTEA are strings in their\n"
    "              PostgreSQL text form. Exits 1 at the first error, printed to stderr with\n"
    "              its LDB code, the offending line and a caret\n"
    "              --data-dir DIR: a durable database in DIR (created if absent). A second run\n"
    "                on DIR continues where the first stopped: catalog, sources, views and\n"
    "                their state are there; the end of the script checkpoints and leaves the\n"
    "                sources open instead of closing them\n"
    "  explain F   parse and bind the SQL script F (- for stdin) statement by statement and\n"
    "              print each plan without executing anything. Exits 1 at the first error\n"
    "  bench nexmark --query qN [--events N] [--workers 1] [--pregenerate] [--json]\n"
    "              run Nexmark query qN (bench/nexmark/queries/, built in) to completion over\n"
    "              N generated events (default 10000000, of all three tables; the query's\n"
    "              tables get their share, 46 of 50 events are bids) and report events/s,\n"
    "              events/s per core of engine CPU time, generation time (apart), p50/p99\n"
    "              push-to-emit latency, peak RSS, output rows and an order-independent\n"
    "              checksum of the output (docs/benchmarks.md defines each figure).\n"
    "              --pregenerate  generate the input first, then push it through source\n"
    "                handles (default: the FROM NEXMARK connector generates in the engine;\n"
    "                latency is measured only with --pregenerate)\n"
    "              --json  one JSON object instead of text\n"
    "              --seed S, --rate R (events per second of event time), --queue-batches N\n"
    "                (source queue capacity, default 8), --batch-rows N (default 4096),\n"
    "                --dump-output FILE (every output row as JSON lines, for tests)\n"
    "              Exits 3 when the query cannot run yet, printing 'unsupported:' and its\n"
    "              LDB-2xxx error (in JSON: \"supported\":false and \"error_code\")\n"
    "  nexmark export --table person|auction|bid [--events N] [--seed S] [--rate R]\n"
    "                 [--format csv] [--output FILE]\n"
    "              write the generated rows of one table for events [0, N) as CSV (header\n"
    "              line, timestamps with six fraction digits) to stdout or FILE\n"
    "  --version   print the version\n"
    "  --help      print this text\n"
    "\n"
    "${NAME} and ${NAME:-default} in SQL text are replaced by environment variables; error\n"
    "positions count in the text after that replacement.\n";

// Binds a script the way the runtime does (CREATE/DROP change the catalog as they go) and
// prints the logical plans. Nothing executes (`run` does that).
int RunExplain(const std::string& path) {
  std::string text;
  if (path == "-") {
    std::stringstream buffer;
    buffer << std::cin.rdbuf();
    text = buffer.str();
  } else {
    std::ifstream file(path);
    if (!file) {
      fmt::print(stderr, "laminardb: cannot read {}\n", path);
      return 1;
    }
    std::stringstream buffer;
    buffer << file.rdbuf();
    text = buffer.str();
  }
  auto substituted = sql::SubstituteVariables(text, [](std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
  if (!substituted.ok()) {
    fmt::print(stderr, "{}\n", sql::RenderErrorWithCaret(text, substituted.status()));
    return 1;
  }
  auto statements = sql::ParseScript(*substituted);
  if (!statements.ok()) {
    fmt::print(stderr, "{}\n", sql::RenderErrorWithCaret(*substituted, statements.status()));
    return 1;
  }
  sql::Catalog catalog;
  // The connectors of this build, as the runtime's binder knows them: FROM NEXMARK binds.
  sql::BinderOptions binder_options;
  for (const auto& [name, description] : connectors::AvailableSourceConnectors()) {
    binder_options.available_connectors.insert(name);
  }
  sql::Binder binder(catalog, functions::FunctionRegistry::BuiltIn(), binder_options);
  for (const auto& statement : *statements) {
    auto bound = binder.Bind(*statement, *substituted);
    if (!bound.ok()) {
      fmt::print(stderr, "{}\n", sql::RenderErrorWithCaret(*substituted, bound.status()));
      return 1;
    }
    const uint32_t begin = statement->position.offset;
    std::string first_line = substituted->substr(begin, statement->end_offset - begin);
    first_line = first_line.substr(0, first_line.find('\n'));
    fmt::print("-- line {}: {}\n", statement->position.line, first_line);
    if (auto* create = std::get_if<sql::BoundCreate>(&*bound)) {
      Status status = catalog.Create(create->object, create->mode).status();
      if (!status.ok()) {
        fmt::print(stderr, "{}\n",
                   sql::RenderErrorWithCaret(*substituted,
                                             std::move(status).WithPosition(statement->position)));
        return 1;
      }
      fmt::print("{} {} {}\n", sql::ObjectKindKeyword(create->object.kind), create->object.name,
                 create->object.schema->ToString());
      if (create->plan) fmt::print("{}", sql::ExplainPlan(*create->plan));
    } else if (auto* drop = std::get_if<sql::BoundDrop>(&*bound)) {
      Status status = catalog.Drop(drop->kind, drop->name, drop->if_exists, drop->cascade);
      if (!status.ok()) {
        fmt::print(stderr, "{}\n", status);
        return 1;
      }
    } else if (auto* query = std::get_if<sql::BoundQuery>(&*bound)) {
      fmt::print("{}", sql::ExplainPlan(*query->plan));
    } else if (auto* explain = std::get_if<sql::BoundExplain>(&*bound)) {
      fmt::print("{}", explain->text);
    } else if (auto* insert = std::get_if<sql::BoundInsert>(&*bound)) {
      fmt::print("Insert into {}\n{}", insert->target, sql::ExplainPlan(*insert->rows));
    } else {
      fmt::print("(checked; explain executes nothing)\n");
    }
  }
  return 0;
}

int RunCommandLine(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "shell";
  if (command == "--version") {
    fmt::print("laminardb {}\n", LAMINAR_VERSION);
    return 0;
  }
  if (command == "--help" || command == "-h") {
    fmt::print("{}", kUsage);
    return 0;
  }
  if (command == "shell") {
    std::optional<std::string> data_dir;
    if (argc == 4 && std::string_view(argv[2]) == "--data-dir") {
      data_dir = argv[3];
    } else if (argc > 2) {
      fmt::print(stderr, "usage: laminardb shell [--data-dir DIR]\n");
      return 2;
    }
    return server::RunShellCommand(data_dir);
  }
  if (command == "run") {
    server::RunOptions options;
    bool have_path = false;
    for (int i = 2; i < argc; ++i) {
      const std::string_view argument = argv[i];
      if (argument == "--output" && i + 1 < argc) {
        const std::string_view format = argv[++i];
        if (format == "table") {
          options.format = server::OutputFormat::kTable;
        } else if (format == "jsonl") {
          options.format = server::OutputFormat::kJsonLines;
        } else {
          fmt::print(stderr, "laminardb run: --output is table or jsonl, not '{}'\n", format);
          return 2;
        }
      } else if (argument == "--data-dir" && i + 1 < argc) {
        options.data_dir = argv[++i];
      } else if (!have_path && (argument == "-" || !argument.starts_with("-"))) {
        options.path = argument;
        have_path = true;
      } else {
        have_path = false;
        break;
      }
    }
    if (!have_path) {
      fmt::print(stderr, "usage: laminardb run FILE.sql [--output table|jsonl] [--data-dir DIR]\n");
      return 2;
    }
    return server::RunScriptCommand(options);
  }
  if (command == "explain") {
    if (argc != 3) {
      fmt::print(stderr, "usage: laminardb explain FILE.sql\n");
      return 2;
    }
    return RunExplain(argv[2]);
  }
  if (command == "bench" || command == "nexmark") {
    const std::string_view sub = argc > 2 ? argv[2] : "";
    std::vector<std::string_view> args(argv + std::min(argc, 3), argv + argc);
    if (command == "bench" && sub == "nexmark") return server::RunNexmarkBenchCommand(args);
    if (command == "nexmark" && sub == "export") return server::RunNexmarkExportCommand(args);
    fmt::print(stderr, "usage: laminardb {}\n",
               command == "bench" ? "bench nexmark --query qN [options]"
                                  : "nexmark export --table T [options]");
    return 2;
  }
  fmt::print(stderr, "laminardb: unknown command '{}'\n\n{}", command, kUsage);
  return 2;
}

}  // namespace
}  // namespace laminar

int main(int argc, char** argv) { return laminar::RunCommandLine(argc, argv); }
