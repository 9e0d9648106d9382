#pragma once

// The Nexmark harness behind `laminardb bench nexmark`: runs one query of bench/nexmark/ over
// generated input to completion and measures it. docs/benchmarks.md ("Nexmark") defines what
// each figure means and how it is taken.

#include <cstdint>
#include <string>

#include "common/result.h"
#include "nexmark/generator.h"
#include "server/nexmark_report.h"

namespace laminar::server {

/// What to run.
struct NexmarkBenchOptions {
  /// "q0" ... "q22": bench/nexmark/queries/<query>.sql.
  std::string query;
  /// Nexmark events of all three tables; each table the query reads gets its share
  /// (person 1, auction 3, bid 46 of every 50 events).
  uint64_t events = 10'000'000;
  uint64_t seed = 1;
  /// Events per second of event time (spaces the generated timestamps; not a wall-clock pace).
  uint64_t rate = nexmark::kDefaultRate;
  /// Reactors. Only 1 exists until partitioning arrives; anything else is LDB-2001.
  int workers = 1;
  /// True: generate every input batch first (timed separately), then push the batches through
  /// plain sources' handles. False: the FROM NEXMARK connector generates inside the engine.
  bool pregenerate = false;
  /// Capacity of each source's queue, in batches (Config::buffer_size). Small, so that the
  /// input cannot run far ahead of the engine: it bounds the queueing in the latency figures
  /// and the memory of connector runs. A power of two.
  size_t source_queue_batches = 8;
  /// Rows of the query's table per generated batch (about; the unit is whole events).
  uint64_t batch_rows = 4096;
  /// When not empty, every output row is also written to this file as JSON lines, in the form
  /// of `laminardb run --output jsonl` ({"stream":...,"weight":1,"row":{...}}). For
  /// correctness tests: it slows the run down.
  std::string dump_path;
  /// "async" or "sync": a durable database in a temporary directory whose sources log every
  /// pushed batch to a WAL in that mode (checkpoint_interval 10 s), to measure what the WAL
  /// costs. Needs `pregenerate` (connector sources replay instead of logging). Empty: in
  /// memory.
  std::string wal_mode;
};

/// The options' own checks: a known query, events >= 1, workers == 1 (LDB-2001 otherwise),
/// a power-of-two queue, batch_rows >= 1. Errors are LDB-1109 unless said otherwise.
Status ValidateNexmarkBenchOptions(const NexmarkBenchOptions& options);

/// Runs the query and returns what was measured. A query that cannot run yet is not an error:
/// the report says `supported = false` with the LDB-2xxx error its CREATE failed with. Errors:
/// invalid options (ValidateNexmarkBenchOptions), a query that fails to bind or fails while
/// running (its LDB code), an unwritable dump file (LDB-4001).
///
/// Thread-safety: starts its own database and threads; one run at a time per process gives
/// meaningful CPU and memory figures (they are process-wide).
Result<NexmarkReport> RunNexmarkBench(const NexmarkBenchOptions& options);

}  // namespace laminar::server
