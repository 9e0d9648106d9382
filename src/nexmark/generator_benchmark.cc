// Throughput of the Nexmark generator, per core: generation must not be what limits a Nexmark
// run, so it is measured (and reported) apart from the engine. Each benchmark generates
// consecutive ranges of events, moving forward through the event stream so that ids and times
// keep growing as in a real run. The argument is the events per range: 4096 (a source batch,
// whose buffers stay in cache) and 65536 (the CSV export's chunk, whose ~10 MB of buffers do not).
//
// Items are the rows of the table generated; BM_GenerateMixedStream counts all events (the three
// tables over the same range), the rate a source of the whole Nexmark stream would sustain.

#include <benchmark/benchmark.h>

#include <ostream>
#include <streambuf>
#include <string>

#include "nexmark/csv_export.h"
#include "nexmark/generator.h"

namespace laminar::nexmark {
namespace {

void GenerateRanges(benchmark::State& state, NexmarkTable table) {
  const NexmarkConfig config;
  const auto events_per_range = static_cast<uint64_t>(state.range(0));
  uint64_t first = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    Result<Batch> batch = GenerateTable(config, table, first, first + events_per_range);
    if (!batch.ok()) {
      state.SkipWithError(batch.status().ToString().c_str());
      return;
    }
    rows += batch->num_rows();
    for (const Column& column : batch->columns()) {
      bytes += static_cast<int64_t>(column.values_buffer()->size());
      if (column.data_buffer()) bytes += static_cast<int64_t>(column.data_buffer()->size());
    }
    benchmark::DoNotOptimize(batch->column(0).values_buffer()->data());
    first += events_per_range;
  }
  state.SetItemsProcessed(rows);
  state.SetBytesProcessed(bytes);
}

void BM_GenerateBid(benchmark::State& state) { GenerateRanges(state, NexmarkTable::kBid); }
BENCHMARK(BM_GenerateBid)->Arg(4096)->Arg(65536)->Unit(benchmark::kMicrosecond);

void BM_GenerateAuction(benchmark::State& state) { GenerateRanges(state, NexmarkTable::kAuction); }
BENCHMARK(BM_GenerateAuction)->Arg(4096)->Arg(65536)->Unit(benchmark::kMicrosecond);

void BM_GeneratePerson(benchmark::State& state) { GenerateRanges(state, NexmarkTable::kPerson); }
BENCHMARK(BM_GeneratePerson)->Arg(4096)->Arg(65536)->Unit(benchmark::kMicrosecond);

// All three tables over the same events: the whole stream, 64K events per iteration.
void BM_GenerateMixedStream(benchmark::State& state) {
  const NexmarkConfig config;
  const auto events_per_range = static_cast<uint64_t>(state.range(0));
  uint64_t first = 0;
  for (auto _ : state) {
    for (NexmarkTable table : {NexmarkTable::kPerson, NexmarkTable::kAuction, NexmarkTable::kBid}) {
      Result<Batch> batch = GenerateTable(config, table, first, first + events_per_range);
      if (!batch.ok()) {
        state.SkipWithError(batch.status().ToString().c_str());
        return;
      }
      benchmark::DoNotOptimize(batch->column(0).values_buffer()->data());
    }
    first += events_per_range;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events_per_range));
}
BENCHMARK(BM_GenerateMixedStream)->Arg(4096)->Arg(65536)->Unit(benchmark::kMicrosecond);

// A stream buffer that counts and discards what is written: the export path minus the disk.
class DiscardingBuffer : public std::streambuf {
 public:
  int64_t bytes() const { return bytes_; }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    benchmark::DoNotOptimize(data);
    bytes_ += size;
    return size;
  }
  int_type overflow(int_type c) override {
    ++bytes_;
    return traits_type::not_eof(c);
  }

 private:
  int64_t bytes_ = 0;
};

// Bids of a range of 1M events written as CSV (16 generated batches of 64K events each).
void BM_WriteBidCsv(benchmark::State& state) {
  const NexmarkConfig config;
  const auto events_per_range = static_cast<uint64_t>(state.range(0));
  DiscardingBuffer buffer;
  std::ostream out(&buffer);
  uint64_t first = 0;
  for (auto _ : state) {
    Status status = WriteTableCsv(config, NexmarkTable::kBid, first, first + events_per_range, out);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
    first += events_per_range;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(CountEvents(
                                                   NexmarkTable::kBid, 0, events_per_range)));
  state.SetBytesProcessed(buffer.bytes());
}
BENCHMARK(BM_WriteBidCsv)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace laminar::nexmark
