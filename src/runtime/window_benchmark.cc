// Window aggregation throughput (issue targets: tumbling COUNT/SUM by key over 10,000 keys
// >= 20M events/s per core; hop 10 s / 2 s >= 10M per core and within 1.5x of tumble; session
// >= 5M per core), through the whole engine: PushBatch into a source, the reactor, the
// aggregate operator, window closing and emission to the stream's outlet. Next to it, a
// hand-written loop doing the same tumbling aggregation with std::unordered_map, in the same
// run, as the baseline the ratio is taken against.
//
// Events: key uniform in [0, 10000), value in [0, 1000), event time advancing 10 us per event
// (100,000 events per event-time second), so a 10 s window holds 1M events and 10,000 groups.
// Every iteration continues the event time where the previous one stopped, so no row is late.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <unordered_map>
#include <vector>

#include "columnar/batch.h"
#include "columnar/column_builder.h"
#include "laminar/laminardb.h"

namespace laminar {
namespace {

constexpr int64_t kKeys = 10'000;
constexpr int64_t kEventsPerIteration = 2'000'000;
constexpr int64_t kBatchRows = 4096;
constexpr int64_t kMicrosPerEvent = 10;
constexpr int64_t kStart = 1'704'067'200'000'000;  // 2024-01-01 00:00:00 UTC.

std::shared_ptr<const Schema> EventSchema() {
  static const auto schema =
      Schema::Make({Field{"k", DataType::BigInt(), true}, Field{"v", DataType::BigInt(), true},
                    Field{"ts", DataType::Timestamp(), true}});
  return schema;
}

/// Keys and values, fixed; the time column is rebuilt for each iteration.
struct Events {
  std::vector<int64_t> keys;
  std::vector<int64_t> values;
};

const Events& RandomEvents() {
  static const Events events = [] {
    Events made;
    std::mt19937_64 random(42);
    made.keys.resize(kEventsPerIteration);
    made.values.resize(kEventsPerIteration);
    for (int64_t i = 0; i < kEventsPerIteration; ++i) {
      made.keys[static_cast<size_t>(i)] = static_cast<int64_t>(random() % kKeys);
      made.values[static_cast<size_t>(i)] = static_cast<int64_t>(random() % 1000);
    }
    return made;
  }();
  return events;
}

/// The batches of iteration `iteration`: event times continue from the previous iteration.
std::vector<Batch> MakeBatches(int64_t iteration) {
  const Events& events = RandomEvents();
  std::vector<Batch> batches;
  const int64_t base = kStart + iteration * kEventsPerIteration * kMicrosPerEvent;
  for (int64_t start = 0; start < kEventsPerIteration; start += kBatchRows) {
    const int64_t rows = std::min(kBatchRows, kEventsPerIteration - start);
    ColumnBuilder keys(DataType::BigInt());
    ColumnBuilder values(DataType::BigInt());
    ColumnBuilder times(DataType::Timestamp());
    keys.Reserve(rows);
    values.Reserve(rows);
    times.Reserve(rows);
    for (int64_t i = start; i < start + rows; ++i) {
      keys.AppendFixed<int64_t>(events.keys[static_cast<size_t>(i)]);
      values.AppendFixed<int64_t>(events.values[static_cast<size_t>(i)]);
      times.AppendFixed<int64_t>(base + i * kMicrosPerEvent);
    }
    auto batch = Batch::Make(EventSchema(), {keys.Finish(), values.Finish(), times.Finish()});
    if (!batch.ok()) std::abort();
    batches.push_back(std::move(*batch));
  }
  return batches;
}

void BM_WindowAggregate(benchmark::State& state, const char* query) {
  auto db = LaminarDB::Builder().Wait(ReactorWait::kSpinThenPark).Open();
  if (!db.ok()) std::abort();
  Status created = (*db)
                       ->Execute(
                           "CREATE SOURCE s (k BIGINT, v BIGINT, ts TIMESTAMP, "
                           "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)")
                       .status();
  if (created.ok()) created = (*db)->Execute(query).status();
  if (!created.ok()) {
    state.SkipWithError(created.ToString().c_str());
    return;
  }
  auto source = (*db)->Source("s");
  auto subscription = (*db)->Subscribe("w");
  if (!source.ok() || !subscription.ok() || !(*db)->Start().ok()) std::abort();
  int64_t iteration = 0;
  int64_t output_rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::vector<Batch> batches = MakeBatches(iteration++);
    state.ResumeTiming();
    for (const Batch& batch : batches) {
      if (!source->PushBatch(batch).ok()) std::abort();
    }
    if (!(*db)->Sync().ok()) std::abort();
    while (auto batch = subscription->Poll()) output_rows += batch->num_rows();
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
  state.counters["output_rows"] = static_cast<double>(output_rows);
  (void)(*db)->Shutdown();
}

BENCHMARK_CAPTURE(BM_WindowAggregate, tumble_count_sum,
                  "CREATE STREAM w AS SELECT k, count(*) AS n, sum(v) AS total FROM s "
                  "GROUP BY k, tumble(ts, INTERVAL '10' SECOND)")
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_WindowAggregate, hop_10s_2s_count_sum,
                  "CREATE STREAM w AS SELECT k, count(*) AS n, sum(v) AS total FROM s "
                  "GROUP BY k, hop(ts, INTERVAL '10' SECOND, INTERVAL '2' SECOND)")
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_WindowAggregate, session_200ms_count_sum,
                  "CREATE STREAM w AS SELECT k, count(*) AS n, sum(v) AS total FROM s "
                  "GROUP BY k, session(ts, INTERVAL '200' MILLISECOND)")
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_WindowAggregate, group_by_count_sum_changes,
                  "CREATE STREAM w AS SELECT k, count(*) AS n, sum(v) AS total FROM s "
                  "GROUP BY k")
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

/// The baseline: the same tumbling COUNT/SUM by key written by hand over the same batches
/// (one hash map per open window, closed when the bounded-delay watermark passes its end).
void BM_TumbleHandWritten(benchmark::State& state) {
  struct Sums {
    int64_t count = 0;
    int64_t sum = 0;
  };
  constexpr int64_t kSize = 10'000'000;  // 10 s.
  constexpr int64_t kDelay = 1'000'000;  // 1 s.
  std::unordered_map<int64_t, std::unordered_map<int64_t, Sums>> windows;
  int64_t iteration = 0;
  int64_t output_rows = 0;
  int64_t checksum = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::vector<Batch> batches = MakeBatches(iteration++);
    state.ResumeTiming();
    int64_t max_time = INT64_MIN;
    for (const Batch& batch : batches) {
      const int64_t* keys = batch.column(0).Values<int64_t>();
      const int64_t* values = batch.column(1).Values<int64_t>();
      const int64_t* times = batch.column(2).Values<int64_t>();
      for (int64_t i = 0; i < batch.num_rows(); ++i) {
        const int64_t start = times[i] - times[i] % kSize;
        Sums& sums = windows[start][keys[i]];
        ++sums.count;
        sums.sum += values[i];
        max_time = std::max(max_time, times[i]);
      }
      const int64_t watermark = max_time - kDelay;
      for (auto it = windows.begin(); it != windows.end();) {
        if (it->first + kSize <= watermark) {
          for (const auto& [key, sums] : it->second) checksum += key ^ sums.count ^ sums.sum;
          output_rows += static_cast<int64_t>(it->second.size());
          it = windows.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
  state.counters["output_rows"] = static_cast<double>(output_rows);
}
BENCHMARK(BM_TumbleHandWritten)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace laminar
