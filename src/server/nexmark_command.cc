// `laminardb bench nexmark` (the Nexmark harness) and `laminardb nexmark export` (generated
// rows as CSV).

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "common/error_code.h"
#include "nexmark/csv_export.h"
#include "nexmark/generator.h"
#include "server/commands.h"
#include "server/nexmark_bench.h"
#include "server/nexmark_report.h"

namespace laminar::server {
namespace {

constexpr std::string_view kBenchUsage =
    "usage: laminardb bench nexmark --query qN [--events N] [--workers 1] [--pregenerate]\n"
    "                               [--json] [--seed S] [--rate R] [--queue-batches N]\n"
    "                               [--batch-rows N] [--dump-output FILE] [--wal async|sync]\n";
constexpr std::string_view kExportUsage =
    "usage: laminardb nexmark export --table person|auction|bid [--events N] [--seed S]\n"
    "                                [--rate R] [--format csv] [--output FILE]\n";

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(copy.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return static_cast<uint64_t>(value);
}

// Reads the value after option `args[i]` as an unsigned integer; prints why not.
bool ReadUnsigned(const std::vector<std::string_view>& args, size_t& i, uint64_t& out,
                  std::string_view usage) {
  const std::string_view option = args[i];
  if (i + 1 >= args.size()) {
    fmt::print(stderr, "laminardb: {} needs a value\n{}", option, usage);
    return false;
  }
  const std::optional<uint64_t> value = ParseUnsigned(args[++i]);
  if (!value) {
    fmt::print(stderr, "laminardb: {} takes a non-negative integer, not '{}'\n{}", option, args[i],
               usage);
    return false;
  }
  out = *value;
  return true;
}

}  // namespace

int RunNexmarkBenchCommand(const std::vector<std::string_view>& args) {
  NexmarkBenchOptions options;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view argument = args[i];
    uint64_t number = 0;
    if (argument == "--query" && i + 1 < args.size()) {
      options.query = args[++i];
    } else if (argument == "--events") {
      if (!ReadUnsigned(args, i, options.events, kBenchUsage)) return 2;
    } else if (argument == "--seed") {
      if (!ReadUnsigned(args, i, options.seed, kBenchUsage)) return 2;
    } else if (argument == "--rate") {
      if (!ReadUnsigned(args, i, options.rate, kBenchUsage)) return 2;
    } else if (argument == "--batch-rows") {
      if (!ReadUnsigned(args, i, options.batch_rows, kBenchUsage)) return 2;
    } else if (argument == "--workers" || argument == "--queue-batches") {
      if (!ReadUnsigned(args, i, number, kBenchUsage)) return 2;
      if (number > (uint64_t{1} << 30)) {
        fmt::print(stderr, "laminardb: {} {} is too large\n{}", argument, number, kBenchUsage);
        return 2;
      }
      if (argument == "--workers") {
        options.workers = static_cast<int>(number);
      } else {
        options.source_queue_batches = static_cast<size_t>(number);
      }
    } else if (argument == "--pregenerate") {
      options.pregenerate = true;
    } else if (argument == "--wal" && i + 1 < args.size()) {
      options.wal_mode = args[++i];
    } else if (argument == "--json") {
      json = true;
    } else if (argument == "--dump-output" && i + 1 < args.size()) {
      options.dump_path = args[++i];
    } else {
      fmt::print(stderr, "laminardb: unexpected argument '{}'\n{}", argument, kBenchUsage);
      return 2;
    }
  }
  if (options.query.empty()) {
    fmt::print(stderr, "{}", kBenchUsage);
    return 2;
  }
  if (Status valid = ValidateNexmarkBenchOptions(options); !valid.ok()) {
    fmt::print(stderr, "{}\n", valid);
    return 2;
  }
  Result<NexmarkReport> report = RunNexmarkBench(options);
  if (!report.ok()) {
    fmt::print(stderr, "{}\n", report.status());
    return 1;
  }
  if (json) {
    fmt::print("{}\n", NexmarkReportJson(*report));
  } else {
    fmt::print("{}", NexmarkReportText(*report));
  }
  std::fflush(stdout);
  return report->supported ? 0 : 3;
}

int RunNexmarkExportCommand(const std::vector<std::string_view>& args) {
  std::optional<nexmark::NexmarkTable> table;
  uint64_t events = 10'000'000;
  nexmark::NexmarkConfig config;
  std::string output_path;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view argument = args[i];
    if (argument == "--table" && i + 1 < args.size()) {
      Result<nexmark::NexmarkTable> parsed = nexmark::ParseNexmarkTable(args[++i]);
      if (!parsed.ok()) {
        fmt::print(stderr, "{}\n{}", parsed.status(), kExportUsage);
        return 2;
      }
      table = *parsed;
    } else if (argument == "--events") {
      if (!ReadUnsigned(args, i, events, kExportUsage)) return 2;
    } else if (argument == "--seed") {
      if (!ReadUnsigned(args, i, config.seed, kExportUsage)) return 2;
    } else if (argument == "--rate") {
      if (!ReadUnsigned(args, i, config.rate, kExportUsage)) return 2;
    } else if (argument == "--format" && i + 1 < args.size()) {
      const std::string_view format = args[++i];
      if (format != "csv") {
        fmt::print(stderr, "{}\n",
                   Status::Error(ErrorCode::kNotSupported,
                                 "nexmark export writes --format csv only, not '{}'", format));
        return 2;
      }
    } else if (argument == "--output" && i + 1 < args.size()) {
      output_path = args[++i];
    } else {
      fmt::print(stderr, "laminardb: unexpected argument '{}'\n{}", argument, kExportUsage);
      return 2;
    }
  }
  if (!table) {
    fmt::print(stderr, "{}", kExportUsage);
    return 2;
  }
  Status valid = config.Validate();
  if (valid.ok()) valid = nexmark::ValidateEventRange(config, 0, events);
  if (!valid.ok()) {
    fmt::print(stderr, "{}\n", valid);
    return 2;
  }
  Status written;
  if (output_path.empty()) {
    std::ios::sync_with_stdio(false);
    written = nexmark::WriteTableCsv(config, *table, 0, events, std::cout);
    std::cout.flush();
    if (written.ok() && !std::cout) {
      written = Status::Error(ErrorCode::kIoError, "cannot write to standard output");
    }
  } else {
    std::ofstream file(output_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      fmt::print(stderr, "{}\n",
                 Status::Error(ErrorCode::kIoError, "cannot write {}", output_path));
      return 1;
    }
    written = nexmark::WriteTableCsv(config, *table, 0, events, file);
    file.close();
    if (written.ok() && !file) {
      written = Status::Error(ErrorCode::kIoError, "cannot write {}", output_path);
    }
  }
  if (!written.ok()) {
    fmt::print(stderr, "{}\n", written);
    return 1;
  }
  return 0;
}

}  // namespace laminar::server
