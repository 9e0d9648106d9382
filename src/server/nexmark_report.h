#pragma once

// What one run of the Nexmark harness measured (`laminardb bench nexmark`), and its text and
// JSON forms. docs/benchmarks.md ("Nexmark") defines every figure.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace laminar::server {

/// The measurements of one query run. Times are in seconds unless the name says otherwise.
struct NexmarkReport {
  std::string query;  // "q0" ... "q22"
  /// "pregenerate" (batches generated first, then pushed through source handles) or
  /// "connector" (the FROM NEXMARK source generates inside the engine).
  std::string mode;
  uint64_t events = 0;  // Nexmark events of all three tables (1 person : 3 auctions : 46 bids).
  uint64_t seed = 0;
  uint64_t rate = 0;
  int workers = 1;

  /// False when the query cannot run yet: `error` then holds the LDB-2xxx error of its CREATE
  /// and no figure below is measured.
  bool supported = true;
  Status error;

  std::string tables;       // The tables the query reads, comma-separated ("bid").
  uint64_t input_rows = 0;  // Rows of those tables in the event range.
  double input_mb = 0;      // Bytes of the pre-generated batches (pregenerate mode), in MiB.

  double generation_seconds = 0;      // Wall time to generate the input once, alone.
  double generation_cpu_seconds = 0;  // CPU time of the same.
  double engine_seconds = 0;          // Wall time from Start to the last output row received.
  double process_cpu_seconds = 0;     // User + system CPU of the process in that interval.
  double harness_cpu_seconds = 0;     // Of it, the harness's threads (pusher, reader, checksum),
                                      // less the engine calls the pusher made.
  double push_cpu_seconds = 0;        // Those calls (Start, PushBatch, CloseSources, Sync): engine.
  double engine_cpu_seconds = 0;      // What is left for the engine (see docs/benchmarks.md).
  /// Of it, the CPU of the engine's own threads, by thread name ("ldb-reactor",
  /// "ldb-wal-flush", ...; threads of one name added up), in name order. Threads that ended
  /// before the end of the run (in connector runs, usually the ldb-nexmark threads, which
  /// also generate) are not in it.
  std::vector<std::pair<std::string, double>> engine_thread_cpu_seconds;
  double events_per_sec = 0;           // events / engine_seconds.
  double events_per_sec_per_core = 0;  // events / engine_cpu_seconds.

  /// Push → emit latency over the output batches (pregenerate mode, one-source queries).
  std::optional<double> p50_us;
  std::optional<double> p99_us;
  size_t latency_samples = 0;
  int source_queue_batches = 0;  // Capacity of each source's queue, in batches.

  double peak_rss_mb = 0;      // Peak resident memory during the engine phase, in MiB.
  int64_t output_rows = 0;     // Net rows emitted (insertions minus retractions).
  int64_t output_changes = 0;  // Rows emitted, insertions and retractions alike.
  std::string checksum;        // OutputChecksum::Hex() of the whole output.
};

/// One JSON object on one line (no newline): the fields of the report by their names above,
/// `events_per_sec`, `events_per_sec_per_core`, `p50_us`, `p99_us`, `peak_rss_mb`,
/// `output_rows`, `output_changes`, `checksum` (a string of 16 hex digits) among them;
/// `p50_us`/`p99_us` are null when not measured. An unsupported query gives `"supported":false`
/// with `error_code` ("LDB-2001") and `error` (the message) and no measurements.
std::string NexmarkReportJson(const NexmarkReport& report);

/// A few lines for people.
std::string NexmarkReportText(const NexmarkReport& report);

}  // namespace laminar::server
