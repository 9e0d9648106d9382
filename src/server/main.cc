// The laminardb command-line tool. Today: `demo` (the columnar core), `explain` (parse, bind and
// plan a SQL script) and `--version`; the shell, `run` and `serve` arrive with the execution
// core and the server.

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>

#include "columnar/column_builder.h"
#include "columnar/table_printer.h"
#include "columnar/temporal.h"
#include "functions/function_registry.h"
#include "sql/binder/binder.h"
#include "sql/parser/error_caret.h"
#include "sql/parser/parser.h"
#include "sql/parser/variable_substitution.h"

namespace laminar {
namespace {

constexpr std::string_view kUsage =
    "usage: laminardb <command>\n"
    "\n"
    "commands:\n"
    "  demo        build a batch of trades, slice it and print it as a table\n"
    "  explain F   parse and bind the SQL script F (- for stdin) statement by statement and\n"
    "              print each plan; ${VAR} is read from the environment. Exits 1 at the first\n"
    "              error, printed with its LDB code and the offending line\n"
    "  --version   print the version\n"
    "  --help      print this text\n";

int RunDemo() {
  auto schema = Schema::Make({{"symbol", DataType::Varchar(), false},
                              {"price", DataType::Double(), true},
                              {"ts", DataType::Timestamp(), false}});
  BatchBuilder builder(schema);
  const char* symbols[] = {"AAPL", "MSFT", "GOOG", "AMZN"};
  const int64_t base = ParseTimestamp("2015-07-15 09:30:00").ValueOr(0);
  for (int i = 0; i < 8; ++i) {
    const Value price = i == 5 ? Value::Null(DataType::Double()) : Value::Double(100.0 + i * 2.5);
    const Status status = builder.AppendRow(std::vector<Value>{
        Value::Varchar(symbols[i % 4]), price, Value::Timestamp(base + i * 250'000)});
    if (!status.ok()) {
      fmt::print(stderr, "{}\n", status);
      return 1;
    }
  }
  Result<Batch> batch = builder.Finish();
  if (!batch.ok()) {
    fmt::print(stderr, "{}\n", batch.status());
    return 1;
  }
  fmt::print("A batch of {} trades, schema {}:\n{}\n", batch->num_rows(),
             batch->schema().ToString(), FormatTable(*batch));
  fmt::print("Rows 2..5 as a zero-copy slice:\n{}", FormatTable(batch->Slice(2, 4)));
  return 0;
}

// Binds a script the way the runtime will (CREATE/DROP change the catalog as they go) and
// prints the logical plans. Nothing executes: the execution engine is not built yet.
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
  sql::Binder binder(catalog, functions::FunctionRegistry::BuiltIn());
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
      fmt::print("(checked; not executed: the runtime is not built yet)\n");
    }
  }
  return 0;
}

}  // namespace
}  // namespace laminar

int main(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "--help";
  if (command == "--version") {
    fmt::print("laminardb {}\n", LAMINAR_VERSION);
    return 0;
  }
  if (command == "demo") return laminar::RunDemo();
  if (command == "explain") {
    if (argc != 3) {
      std::fprintf(stderr, "usage: laminardb explain FILE.sql\n");
      return 2;
    }
    return laminar::RunExplain(argv[2]);
  }
  if (command == "--help" || command == "-h") {
    fmt::print("{}", laminar::kUsage);
    return 0;
  }
  fmt::print(stderr, "laminardb: unknown command '{}'\n\n{}", command, laminar::kUsage);
  return 2;
}
