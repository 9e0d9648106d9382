// End-to-end measurements of the embedded engine: one row pushed into a source, through a
// filter+project stream, to a subscriber (latency percentiles on a spinning reactor), and the
// throughput of the same stream fed with single rows (adaptive batching) and with 4096-row
// batches. Targets (issue "Execution core"): push->subscriber p50 <= 1 us, p99 <= 5 us.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "laminar/laminardb.h"
#include "nexmark/generator.h"
#include "runtime/source_log.h"
#include "storage/state_io.h"
#include "storage/wal/wal_writer.h"

namespace laminar {
namespace {

constexpr std::string_view kSchema =
    "CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, "
    "url VARCHAR, date_time TIMESTAMP, extra VARCHAR, id BIGINT);"
    "CREATE STREAM q AS SELECT auction, bidder, price * 908 / 1000 AS price FROM bid "
    "WHERE auction % 123 = 0";

std::unique_ptr<LaminarDB> OpenOrDie(ReactorWait wait) {
  auto db = LaminarDB::Builder().Wait(wait).Open();
  if (!db.ok()) std::abort();
  if (!(*db)->Execute(kSchema).ok()) std::abort();
  return std::move(*db);
}

std::vector<Value> BidRow(int64_t auction, int64_t id) {
  return {Value::BigInt(auction),
          Value::BigInt(id % 100'000),
          Value::BigInt(1000 + id % 10'000),
          Value::Varchar("channel-1"),
          Value::Varchar("https://www.nexmark.com/item.htm?query=1"),
          Value::Timestamp(1'700'000'000'000'000 + id),
          Value::Varchar(""),
          Value::BigInt(id)};
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// One row in, one row out, waited for by spinning: the time from Push() to Poll() returning.
void BM_PushToSubscriberLatency(benchmark::State& state) {
  auto db = OpenOrDie(ReactorWait::kSpin);
  SubscribeOptions options;
  options.wait_strategy = stream::WaitStrategy::Spin();
  auto subscription = db->Subscribe("q", options);
  auto source = db->Source("bid");
  if (!subscription.ok() || !source.ok() || !db->Start().ok()) std::abort();
  std::vector<int64_t> latencies;
  latencies.reserve(1 << 20);
  int64_t id = 0;
  const std::vector<Value> row = BidRow(123, 0);
  for (auto _ : state) {
    const int64_t start = NowNanos();
    if (!source->Push(std::span<const Value>(row)).ok()) std::abort();
    std::optional<ChangeBatch> batch;
    for (;;) {
      batch = subscription->Poll();
      if (batch) break;
      stream::CpuRelax();
    }
    // The row has arrived when Poll returns it; dropping the batch is the subscriber's work
    // after delivery, outside the latency.
    latencies.push_back(NowNanos() - start);
    batch.reset();
    ++id;
  }
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    return static_cast<double>(latencies[static_cast<size_t>(p * (latencies.size() - 1))]);
  };
  state.counters["p50_ns"] = percentile(0.50);
  state.counters["p99_ns"] = percentile(0.99);
  state.counters["p999_ns"] = percentile(0.999);
  state.SetItemsProcessed(state.iterations());
  (void)db->Shutdown();
}
BENCHMARK(BM_PushToSubscriberLatency)->Iterations(200'000)->UseRealTime();

/// The CPU cost of one row end to end without any thread hop: the reactor is not started, so
/// Sync() drains the source and runs the query on the calling thread, and the subscription is
/// polled right after. What is left of the latency above is the cost of the two hand-overs.
void BM_OneRowCostOnOneThread(benchmark::State& state) {
  auto db = OpenOrDie(ReactorWait::kSpin);
  auto subscription = db->Subscribe("q");
  auto source = db->Source("bid");
  if (!subscription.ok() || !source.ok()) std::abort();
  const std::vector<Value> row = BidRow(123, 0);
  for (auto _ : state) {
    if (!source->Push(std::span<const Value>(row)).ok()) std::abort();
    if (!db->Sync().ok()) std::abort();
    std::optional<ChangeBatch> batch = subscription->Poll();
    if (!batch) std::abort();
    benchmark::DoNotOptimize(batch->rows.num_rows());
  }
  state.SetItemsProcessed(state.iterations());
  (void)db->Shutdown();
}
BENCHMARK(BM_OneRowCostOnOneThread);

/// Single-row pushes from one producer; the reactor gathers them into batches.
void BM_ThroughputSingleRowPushes(benchmark::State& state) {
  auto db = OpenOrDie(ReactorWait::kSpinThenPark);
  auto source = db->Source("bid");
  if (!source.ok() || !db->Start().ok()) std::abort();
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 4096; ++i) rows.push_back(BidRow(i, i));
  int64_t pushed = 0;
  for (auto _ : state) {
    for (const std::vector<Value>& row : rows) {
      if (!source->Push(std::span<const Value>(row)).ok()) std::abort();
    }
    pushed += static_cast<int64_t>(rows.size());
    // Counted only once processed, not when queued.
    if (!db->Sync().ok()) std::abort();
  }
  state.SetItemsProcessed(pushed);
  (void)db->Shutdown();
}
BENCHMARK(BM_ThroughputSingleRowPushes)->UseRealTime();

/// 4096-row columnar batches pushed with PushBatch (zero-copy into the reactor).
void BM_ThroughputBatchPushes(benchmark::State& state) {
  auto db = OpenOrDie(ReactorWait::kSpinThenPark);
  auto source = db->Source("bid");
  if (!source.ok() || !db->Start().ok()) std::abort();
  BatchBuilder builder(std::make_shared<const Schema>(source->schema()));
  std::mt19937_64 random(42);
  for (int64_t i = 0; i < 4096; ++i) {
    if (!builder.AppendRow(BidRow(static_cast<int64_t>(random() % 1'000'000), i)).ok()) {
      std::abort();
    }
  }
  const Batch batch = *builder.Finish();
  int64_t pushed = 0;
  for (auto _ : state) {
    for (int i = 0; i < 16; ++i) {
      if (!source->PushBatch(batch).ok()) std::abort();
    }
    pushed += 16 * batch.num_rows();
    // Counted only once processed, not when queued.
    if (!db->Sync().ok()) std::abort();
  }
  state.SetItemsProcessed(pushed);
  (void)db->Shutdown();
}
BENCHMARK(BM_ThroughputBatchPushes)->UseRealTime();

// ---- Nexmark stateless queries over pregenerated bids ----

constexpr uint64_t kNexmarkEvents = 1'000'000;
constexpr uint64_t kNexmarkEventsPerBatch = 10'000;  // About 9,200 bids a batch.

/// The bid batches of events [0, kNexmarkEvents), generated once per process (seed 1).
const std::vector<Batch>& PregeneratedBids() {
  static const std::vector<Batch> batches = [] {
    std::vector<Batch> result;
    const nexmark::NexmarkConfig config;
    for (uint64_t first = 0; first < kNexmarkEvents; first += kNexmarkEventsPerBatch) {
      auto batch = nexmark::GenerateTable(config, nexmark::NexmarkTable::kBid, first,
                                          first + kNexmarkEventsPerBatch);
      if (!batch.ok()) std::abort();
      result.push_back(std::move(*batch));
    }
    return result;
  }();
  return batches;
}

std::string ReadQueryFile(std::string_view query) {
  std::ifstream file(std::string(LAMINAR_SOURCE_ROOT) + "/bench/nexmark/queries/" +
                     std::string(query) + ".sql");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

/// A stateless Nexmark query from bench/nexmark/queries over pregenerated bids pushed as
/// columnar batches; process CPU time (every thread), so items/s is events per second per
/// core. Items are Nexmark events: each batch carries the bids of 10,000 events (the persons
/// and auctions among them are not pushed: no stateless query reads them). Nobody subscribes,
/// so the query's output batches are computed and then dropped at the outlet.
void BM_NexmarkStatelessQuery(benchmark::State& state, std::string_view query) {
  const std::vector<Batch>& batches = PregeneratedBids();
  auto db = LaminarDB::Builder().Wait(ReactorWait::kSpinThenPark).Open();
  if (!db.ok()) std::abort();
  Status created =
      (*db)
          ->Execute(
              "CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, "
              "url VARCHAR, date_time TIMESTAMP, extra VARCHAR, "
              "WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)")
          .status();
  const std::string text = ReadQueryFile(query);
  if (text.empty()) {
    state.SkipWithError("cannot read the query file");
    return;
  }
  if (created.ok()) created = (*db)->Execute(text).status();
  if (!created.ok()) {
    state.SkipWithError(created.ToString().c_str());
    return;
  }
  auto source = (*db)->Source("bid");
  if (!source.ok() || !(*db)->Start().ok()) std::abort();
  for (auto _ : state) {
    for (const Batch& batch : batches) {
      if (!source->PushBatch(batch).ok()) std::abort();
    }
    if (!(*db)->Sync().ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kNexmarkEvents));
  (void)(*db)->Shutdown();
}
BENCHMARK_CAPTURE(BM_NexmarkStatelessQuery, q0, "q0")->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_NexmarkStatelessQuery, q1, "q1")->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_NexmarkStatelessQuery, q2, "q2")->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_NexmarkStatelessQuery, q14, "q14")->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_NexmarkStatelessQuery, q21, "q21")->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_NexmarkStatelessQuery, q22, "q22")->MeasureProcessCPUTime();

// ---- WAL records of pushed batches ----

/// A pushed batch as the source message a push makes of it.
runtime::SourceMessage BatchMessage(const Batch& batch) {
  runtime::SourceMessage message;
  message.kind = runtime::SourceMessage::Kind::kBatch;
  message.batch = std::make_shared<const Batch>(batch);
  return message;
}

/// A pushed batch of bids encoded as its WAL record, gathered (EncodeSourceMessage into a
/// reused writer: the work a push does before WalWriter::Append): the record's own bytes are
/// written and the column buffers referred to. BM_CopyBidBatchBuffers is the copy it does not
/// make. Items are rows.
void BM_WalRecordOfBidBatch(benchmark::State& state) {
  const std::vector<Batch>& batches = PregeneratedBids();
  storage::StateWriter writer;
  std::vector<std::string_view> parts;
  int64_t rows = 0;
  for (auto _ : state) {
    for (const Batch& batch : batches) {
      const runtime::SourceMessage message = BatchMessage(batch);
      runtime::EncodeSourceMessage(message, batch.schema(), writer, parts);
      benchmark::DoNotOptimize(parts.data());
      rows += batch.num_rows();
    }
  }
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_WalRecordOfBidBatch);

/// A push's WAL work for a batch of bids: the batch encoded as its record and appended to an
/// async WalWriter in a temporary directory. gather:1 is what a push does, appending the record
/// from where its pieces lie (the batch's column buffers are read once, by the copy into the
/// WAL's pending group, which also checksums them); gather:0 is the baseline, the same parts
/// first copied into one reused string, then appended from it (the copy gathering saves). CPU time
/// is the pushing thread's (the flusher's writes are not in it; Append blocks, off the CPU, while
/// the disk is behind).
void BM_WalAppendOfBidBatch(benchmark::State& state) {
  const std::vector<Batch>& batches = PregeneratedBids();
  const bool gather = state.range(0) != 0;
  char pattern[] = "/tmp/laminar_runtime_benchmark_XXXXXX";
  const char* directory = ::mkdtemp(pattern);
  if (directory == nullptr) std::abort();
  storage::WalOptions options;
  options.sync_mode = storage::WalSyncMode::kAsync;
  auto writer = storage::WalWriter::Open(FileSystem::Posix(), directory, options);
  if (!writer.ok()) std::abort();
  std::string record;
  storage::StateWriter gathered;
  std::vector<std::string_view> parts;
  int64_t rows = 0;
  for (auto _ : state) {
    for (const Batch& batch : batches) {
      const runtime::SourceMessage message = BatchMessage(batch);
      Result<uint64_t> lsn = 0;
      runtime::EncodeSourceMessage(message, batch.schema(), gathered, parts);
      if (gather) {
        lsn = (*writer)->Append(parts);
      } else {
        record.clear();
        for (const std::string_view part : parts) record.append(part);
        lsn = (*writer)->Append(record);
      }
      if (!lsn.ok()) std::abort();
      rows += batch.num_rows();
    }
    // As checkpoints would: the log does not grow past a few segments.
    if (!(*writer)->Truncate((*writer)->durable_lsn()).ok()) std::abort();
  }
  state.SetItemsProcessed(rows);
  if (!(*writer)->Close().ok()) std::abort();
  (void)FileSystem::Posix()->DeleteRecursively(directory);
}
BENCHMARK(BM_WalAppendOfBidBatch)->ArgName("gather")->Arg(0)->Arg(1);

/// Baseline for BM_WalRecordOfBidBatch: the same batches' buffers copied back to back into
/// one reused string, with no framing: the least any encoding that copies the rows can cost.
void BM_CopyBidBatchBuffers(benchmark::State& state) {
  const std::vector<Batch>& batches = PregeneratedBids();
  std::string record;
  int64_t rows = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    for (const Batch& batch : batches) {
      record.clear();
      for (const Column& column : batch.columns()) {
        for (const Buffer* buffer : {column.validity_buffer().get(), column.values_buffer().get(),
                                     column.data_buffer().get()}) {
          if (buffer != nullptr && buffer->size() > 0) {
            record.append(buffer->data_as<char>(), buffer->size());
          }
        }
      }
      benchmark::DoNotOptimize(record.data());
      rows += batch.num_rows();
      bytes += static_cast<int64_t>(record.size());
    }
  }
  state.SetItemsProcessed(rows);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_CopyBidBatchBuffers);

}  // namespace
}  // namespace laminar
