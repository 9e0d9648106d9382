// The laminardb command-line tool. For now it prints its version and runs a small demo of the
// columnar core; the shell, `run` and `serve` arrive with the execution core and the server.

#include <fmt/format.h>

#include <cstring>
#include <string_view>

#include "columnar/column_builder.h"
#include "columnar/table_printer.h"
#include "columnar/temporal.h"

namespace laminar {
namespace {

constexpr std::string_view kUsage =
    "usage: laminardb <command>\n"
    "\n"
    "commands:\n"
    "  demo        build a batch of trades, slice it and print it as a table\n"
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

}  // namespace
}  // namespace laminar

int main(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "--help";
  if (command == "--version") {
    fmt::print("laminardb {}\n", LAMINAR_VERSION);
    return 0;
  }
  if (command == "demo") return laminar::RunDemo();
  if (command == "--help" || command == "-h") {
    fmt::print("{}", laminar::kUsage);
    return 0;
  }
  fmt::print(stderr, "laminardb: unknown command '{}'\n\n{}", command, laminar::kUsage);
  return 2;
}
