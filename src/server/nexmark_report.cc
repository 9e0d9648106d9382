#include "server/nexmark_report.h"

#include <fmt/format.h>

#include <cmath>

#include "columnar/json_format.h"
#include "common/error_code.h"

namespace laminar::server {
namespace {

// A finite double as a JSON number with `digits` decimals; JSON has no NaN or infinity.
std::string JsonNumber(double value, int digits) {
  if (!std::isfinite(value)) return "null";
  return fmt::format("{:.{}f}", value, digits);
}

std::string JsonOptional(const std::optional<double>& value, int digits) {
  return value ? JsonNumber(*value, digits) : "null";
}

std::string JsonText(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

std::string Grouped(double value) {
  // 12345678.9 → "12,345,679": people read rates with thousands separators.
  const auto whole = static_cast<int64_t>(std::llround(value));
  std::string digits = fmt::format("{}", whole < 0 ? -whole : whole);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return whole < 0 ? "-" + out : out;
}

}  // namespace

std::string NexmarkReportJson(const NexmarkReport& report) {
  std::string out = "{";
  out +=
      fmt::format("\"query\":{},\"mode\":{},\"events\":{},\"seed\":{},\"rate\":{},\"workers\":{}",
                  JsonText(report.query), JsonText(report.mode), report.events, report.seed,
                  report.rate, report.workers);
  if (!report.supported) {
    out += fmt::format(",\"supported\":false,\"error_code\":{},\"error\":{}}}",
                       JsonText(FormatErrorCode(report.error.code())),
                       JsonText(report.error.ToString()));
    return out;
  }
  out += fmt::format(",\"supported\":true,\"tables\":{},\"input_rows\":{},\"input_mb\":{}",
                     JsonText(report.tables), report.input_rows, JsonNumber(report.input_mb, 1));
  out += fmt::format(
      ",\"generation_seconds\":{},\"generation_cpu_seconds\":{},\"engine_seconds\":{}"
      ",\"process_cpu_seconds\":{},\"harness_cpu_seconds\":{},\"push_cpu_seconds\":{}"
      ",\"engine_cpu_seconds\":{}",
      JsonNumber(report.generation_seconds, 6), JsonNumber(report.generation_cpu_seconds, 6),
      JsonNumber(report.engine_seconds, 6), JsonNumber(report.process_cpu_seconds, 6),
      JsonNumber(report.harness_cpu_seconds, 6), JsonNumber(report.push_cpu_seconds, 6),
      JsonNumber(report.engine_cpu_seconds, 6));
  out += ",\"engine_thread_cpu_seconds\":{";
  for (size_t i = 0; i < report.engine_thread_cpu_seconds.size(); ++i) {
    const auto& [name, seconds] = report.engine_thread_cpu_seconds[i];
    out += fmt::format("{}{}:{}", i == 0 ? "" : ",", JsonText(name), JsonNumber(seconds, 6));
  }
  out += "}";
  out += fmt::format(",\"events_per_sec\":{},\"events_per_sec_per_core\":{}",
                     JsonNumber(report.events_per_sec, 0),
                     JsonNumber(report.events_per_sec_per_core, 0));
  out +=
      fmt::format(",\"p50_us\":{},\"p99_us\":{},\"latency_samples\":{},\"source_queue_batches\":{}",
                  JsonOptional(report.p50_us, 1), JsonOptional(report.p99_us, 1),
                  report.latency_samples, report.source_queue_batches);
  out +=
      fmt::format(",\"peak_rss_mb\":{},\"output_rows\":{},\"output_changes\":{},\"checksum\":{}}}",
                  JsonNumber(report.peak_rss_mb, 1), report.output_rows, report.output_changes,
                  JsonText(report.checksum));
  return out;
}

std::string NexmarkReportText(const NexmarkReport& report) {
  if (!report.supported) {
    return fmt::format("nexmark {}: unsupported: {}\n", report.query, report.error.ToString());
  }
  std::string out = fmt::format(
      "nexmark {} ({} mode): {} events (seed {}, rate {}/s), {} rows of {}\n", report.query,
      report.mode, Grouped(static_cast<double>(report.events)), report.seed, report.rate,
      Grouped(static_cast<double>(report.input_rows)), report.tables);
  out += fmt::format("  throughput      {} events/s, {} events/s per core\n",
                     Grouped(report.events_per_sec), Grouped(report.events_per_sec_per_core));
  out += fmt::format(
      "  engine          {:.3f} s wall, {:.3f} s CPU (process {:.3f} s - harness {:.3f} s; "
      "it includes {:.3f} s of engine calls on the pushing thread)\n",
      report.engine_seconds, report.engine_cpu_seconds, report.process_cpu_seconds,
      report.harness_cpu_seconds, report.push_cpu_seconds);
  if (!report.engine_thread_cpu_seconds.empty()) {
    out += "  engine threads ";
    for (const auto& [name, seconds] : report.engine_thread_cpu_seconds) {
      out += fmt::format(" {} {:.3f} s", name, seconds);
    }
    out += " CPU\n";
  }
  out += fmt::format("  generation      {:.3f} s wall, {:.3f} s CPU (not in the figures above)\n",
                     report.generation_seconds, report.generation_cpu_seconds);
  if (report.p50_us && report.p99_us) {
    out += fmt::format(
        "  latency         p50 {:.1f} us, p99 {:.1f} us (push to emit, {} output batches, "
        "source queues of {} batches)\n",
        *report.p50_us, *report.p99_us, report.latency_samples, report.source_queue_batches);
  } else {
    out += "  latency         not measured in this mode (see docs/benchmarks.md)\n";
  }
  out += fmt::format("  peak RSS        {:.1f} MiB (pre-generated input: {:.1f} MiB)\n",
                     report.peak_rss_mb, report.input_mb);
  if (report.output_changes == report.output_rows) {
    out += fmt::format("  output          {} rows, checksum {}\n",
                       Grouped(static_cast<double>(report.output_rows)), report.checksum);
  } else {
    // A changelog: what it leaves, and how many insertions and retractions it took.
    out += fmt::format("  output          {} rows net ({} changes emitted), checksum {}\n",
                       Grouped(static_cast<double>(report.output_rows)),
                       Grouped(static_cast<double>(report.output_changes)), report.checksum);
  }
  return out;
}

}  // namespace laminar::server
