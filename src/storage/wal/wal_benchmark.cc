// Write-ahead log throughput on the real file system, in a temporary directory under /tmp.
//
// Producers append records of 50-byte rows: one row per record, or 64 or 256 rows per record
// (a pushed batch in one record). In sync mode each producer waits for its record to be durable
// before the next, so the rows/s figure is the acknowledged-push rate that group commit sustains.
// In async mode producers do not wait; the rate counts appended rows (the final Sync is outside the
// measurement).
//
// Run: build/release/bench/wal_benchmark --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "common/crc32c.h"
#include "common/file_system.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_writer.h"

namespace laminar::storage {
namespace {

constexpr size_t kRowSize = 50;

// Shared by the benchmark threads; thread 0 sets it up before the timed loop and tears it
// down after (Google Benchmark puts a barrier at both ends of the loop).
struct SharedWal {
  std::string directory;
  std::unique_ptr<WalWriter> writer;
};
std::unique_ptr<SharedWal> shared;

void SetUpWal(WalSyncMode mode) {
  char pattern[] = "/tmp/laminar_wal_benchmark_XXXXXX";
  const char* created = ::mkdtemp(pattern);
  shared = std::make_unique<SharedWal>();
  shared->directory = created ? created : "/tmp/laminar_wal_benchmark";
  WalOptions options;
  options.sync_mode = mode;
  auto writer = WalWriter::Open(FileSystem::Posix(), shared->directory, options);
  if (!writer.ok()) std::abort();
  shared->writer = std::move(*writer);
}

void TearDownWal() {
  if (!shared->writer->Close().ok()) std::abort();
  (void)FileSystem::Posix()->DeleteRecursively(shared->directory);
  shared.reset();
}

// `rows` rows of kRowSize pseudo-random bytes (fixed seed per thread).
std::string MakeRecord(int64_t rows, int thread) {
  std::mt19937_64 random(42 + static_cast<uint64_t>(thread));
  std::string record(static_cast<size_t>(rows) * kRowSize, '\0');
  for (auto& c : record) c = static_cast<char>('a' + random() % 26);
  return record;
}

// Rows per fdatasync: what group commit achieved, independent of how fast the disk syncs.
// Every benchmark thread runs the same number of iterations.
void ReportGroupSize(benchmark::State& state, int64_t rows_per_iteration) {
  const double syncs = static_cast<double>(shared->writer->sync_count());
  state.counters["syncs"] = syncs;
  state.counters["rows_per_sync"] =
      static_cast<double>(state.iterations() * state.threads() * rows_per_iteration) / syncs;
}

// Baseline: one thread appends each record straight to a file and fdatasyncs it, without the
// WAL: what durability costs per push without group commit. Arg 0: rows per record.
void BM_BaselineWriteAndFdatasync(benchmark::State& state) {
  char pattern[] = "/tmp/laminar_wal_benchmark_XXXXXX";
  const char* created = ::mkdtemp(pattern);
  if (created == nullptr) std::abort();
  const std::string directory = created;
  auto file = FileSystem::Posix()->NewWritableFile(JoinPath(directory, "baseline"));
  if (!file.ok()) std::abort();
  const int64_t rows = state.range(0);
  const std::string record = MakeRecord(rows, 0);
  for (auto _ : state) {
    if (!(*file)->Append(record).ok() || !(*file)->Sync().ok()) {
      state.SkipWithError("write failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rows);
  (void)(*file)->Close();
  (void)FileSystem::Posix()->DeleteRecursively(directory);
}
BENCHMARK(BM_BaselineWriteAndFdatasync)->ArgName("rows_per_record")->Arg(1)->Arg(64)->UseRealTime();

// Arg 0: rows per record.
void BM_SyncAppendAndWaitDurable(benchmark::State& state) {
  if (state.thread_index() == 0) SetUpWal(WalSyncMode::kSync);
  const int64_t rows = state.range(0);
  const std::string record = MakeRecord(rows, state.thread_index());
  for (auto _ : state) {
    auto lsn = shared->writer->Append(record);
    if (!lsn.ok() || !shared->writer->WaitDurable(*lsn).ok()) {
      state.SkipWithError("WAL append failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(record.size()));
  if (state.thread_index() == 0) {
    ReportGroupSize(state, rows);
    TearDownWal();
  }
}
BENCHMARK(BM_SyncAppendAndWaitDurable)
    ->ArgName("rows_per_record")
    ->Arg(1)
    ->Arg(64)
    ->Arg(256)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime();

// Producers with several pushes outstanding, like a source that acknowledges its pushes in
// order: each appends `in_flight` records, then waits for the last to be durable. Arg 0: rows
// per record; arg 1: records in flight per producer.
void BM_SyncPipelinedAppend(benchmark::State& state) {
  if (state.thread_index() == 0) SetUpWal(WalSyncMode::kSync);
  const int64_t rows = state.range(0);
  const int64_t in_flight = state.range(1);
  const std::string record = MakeRecord(rows, state.thread_index());
  for (auto _ : state) {
    uint64_t last = 0;
    for (int64_t i = 0; i < in_flight; ++i) {
      auto lsn = shared->writer->Append(record);
      if (!lsn.ok()) break;
      last = *lsn;
    }
    if (last == 0 || !shared->writer->WaitDurable(last).ok()) {
      state.SkipWithError("WAL append failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rows * in_flight);
  state.SetBytesProcessed(state.iterations() * in_flight * static_cast<int64_t>(record.size()));
  if (state.thread_index() == 0) {
    ReportGroupSize(state, rows * in_flight);
    TearDownWal();
  }
}
BENCHMARK(BM_SyncPipelinedAppend)
    ->ArgNames({"rows_per_record", "in_flight"})
    ->Args({1, 64})
    ->Args({64, 8})
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime();

// Async mode: producers append without waiting; the flusher writes and syncs every 5 ms.
void BM_AsyncAppend(benchmark::State& state) {
  if (state.thread_index() == 0) SetUpWal(WalSyncMode::kAsync);
  const int64_t rows = state.range(0);
  const std::string record = MakeRecord(rows, state.thread_index());
  for (auto _ : state) {
    if (!shared->writer->Append(record).ok()) {
      state.SkipWithError("WAL append failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(record.size()));
  if (state.thread_index() == 0) {
    if (!shared->writer->Sync().ok()) state.SkipWithError("WAL sync failed");
    TearDownWal();
  }
}
BENCHMARK(BM_AsyncAppend)
    ->ArgName("rows_per_record")
    ->Arg(1)
    ->Arg(64)
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime();

// A record's checksum (the CRC-32C every Append computes), against copying the same bytes.
void BM_RecordChecksum(benchmark::State& state) {
  const std::string payload = MakeRecord(state.range(0) / static_cast<int64_t>(kRowSize), 0);
  for (auto _ : state) benchmark::DoNotOptimize(wal::RecordChecksum(payload));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_RecordChecksum)->ArgName("bytes")->Arg(100)->Arg(4000)->Arg(1'000'000);

// Baseline for BM_RecordChecksum: a copy of the same bytes into a buffer kept across
// iterations.
void BM_CopyRecordBaseline(benchmark::State& state) {
  const std::string payload = MakeRecord(state.range(0) / static_cast<int64_t>(kRowSize), 0);
  std::string copy(payload.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), payload.data(), payload.size());
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_CopyRecordBaseline)->ArgName("bytes")->Arg(100)->Arg(4000)->Arg(1'000'000);

// A copy and its checksum in one pass (what Append does with a record of 64 KiB or more),
// against the two benchmarks above: the checksum alone, and the copy alone.
void BM_CopyAndChecksum(benchmark::State& state) {
  const std::string payload = MakeRecord(state.range(0) / static_cast<int64_t>(kRowSize), 0);
  std::string copy(payload.size(), '\0');
  for (auto _ : state) {
    benchmark::DoNotOptimize(Crc32cExtendCopy(0, payload.data(), payload.size(), copy.data()));
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_CopyAndChecksum)->ArgName("bytes")->Arg(100)->Arg(4000)->Arg(1'000'000);

// Baseline for BM_CopyAndChecksum: the checksum, then the copy, as two passes.
void BM_ChecksumThenCopy(benchmark::State& state) {
  const std::string payload = MakeRecord(state.range(0) / static_cast<int64_t>(kRowSize), 0);
  std::string copy(payload.size(), '\0');
  for (auto _ : state) {
    benchmark::DoNotOptimize(Crc32cExtend(0, payload.data(), payload.size()));
    std::memcpy(copy.data(), payload.data(), payload.size());
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_ChecksumThenCopy)->ArgName("bytes")->Arg(100)->Arg(4000)->Arg(1'000'000);

// The checksum on each path this build has (0 the table, 1 three crc32 chains, 2 folding with
// VPCLMULQDQ; see internal::Crc32cPath), over a record in cache, alone (copy:0) and with its
// copy (copy:1). Paths 1 and 2 store a copy of more than 24 KiB around the cache (non-temporal
// stores, as for the WAL's pending buffers), so their 1 MB copies go to memory; path 0 copies
// with memcpy. Paths the CPU lacks are reported as errors.
void BM_ChecksumOnPath(benchmark::State& state) {
  const auto path = static_cast<internal::Crc32cPath>(state.range(0));
  if (!internal::Crc32cPathAvailable(path)) {
    state.SkipWithError("this CPU lacks the path");
    return;
  }
  const bool copy = state.range(1) != 0;
  const std::string payload = MakeRecord(state.range(2) / static_cast<int64_t>(kRowSize), 0);
  std::string target(payload.size(), '\0');
  for (auto _ : state) {
    if (copy) {
      benchmark::DoNotOptimize(
          internal::Crc32cExtendCopyOnPath(path, 0, payload.data(), payload.size(), target.data()));
      benchmark::DoNotOptimize(target.data());
    } else {
      benchmark::DoNotOptimize(
          internal::Crc32cExtendOnPath(path, 0, payload.data(), payload.size()));
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_ChecksumOnPath)
    ->ArgNames({"path", "copy", "bytes"})
    ->ArgsProduct({{0, 1, 2}, {0, 1}, {4000, 1'000'000}});

// As BM_ChecksumOnPath, over input that is not in any cache: 1 MiB records taken in turn from
// 512 MiB (as a push's batch, generated long before), copied in turn into 64 MiB of targets.
void BM_ColdChecksumOnPath(benchmark::State& state) {
  const auto path = static_cast<internal::Crc32cPath>(state.range(0));
  if (!internal::Crc32cPathAvailable(path)) {
    state.SkipWithError("this CPU lacks the path");
    return;
  }
  const bool copy = state.range(1) != 0;
  constexpr size_t kRecord = 1 << 20;
  constexpr size_t kInput = size_t{512} << 20;
  constexpr size_t kTargets = size_t{64} << 20;
  std::string input(kInput, '\0');
  for (size_t i = 0; i < kInput; i += 8) {
    const uint64_t word = (i * 0x9e3779b97f4a7c15ull) >> 7;
    std::memcpy(input.data() + i, &word, 8);
  }
  std::string targets(kTargets, '\0');
  size_t from = 0;
  size_t to = 0;
  for (auto _ : state) {
    if (copy) {
      benchmark::DoNotOptimize(internal::Crc32cExtendCopyOnPath(path, 0, input.data() + from,
                                                                kRecord, targets.data() + to));
      benchmark::DoNotOptimize(targets.data());
    } else {
      benchmark::DoNotOptimize(internal::Crc32cExtendOnPath(path, 0, input.data() + from, kRecord));
    }
    from = (from + kRecord) % kInput;
    to = (to + kRecord) % kTargets;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kRecord));
}
BENCHMARK(BM_ColdChecksumOnPath)->ArgNames({"path", "copy"})->ArgsProduct({{0, 1, 2}, {0, 1}});

}  // namespace
}  // namespace laminar::storage
