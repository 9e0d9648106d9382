// Micro-benchmarks of the channels layer. Every channel benchmark has a baseline doing the same
// work through a bounded mutex + std::deque queue in the same run, so the ratio is the figure
// to watch. Targets (execution-core issue): SPSC batched >= 100M items/s, push+pop of one item
// <= 50 ns; MPSC with two producers measured.
//
// Multi-threaded benchmarks run their extra threads outside Google Benchmark's thread model:
// the benchmark thread is the producer (or consumer) and helper threads run for the whole
// benchmark, so items/s is the sustained rate of the pair. Use real time.

#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "stream/broadcast.h"
#include "stream/channel.h"

namespace laminar::stream {
namespace {

constexpr size_t kCapacity = 16384;
constexpr size_t kPopBatch = 4096;
constexpr uint64_t kItemsPerIteration = 1 << 16;

/// The baseline: the queue most code would write first.
class MutexDequeQueue {
 public:
  explicit MutexDequeQueue(size_t capacity) : capacity_(capacity) {}

  /// Returns false once closed.
  bool Push(uint64_t item) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [this] { return items_.size() < capacity_ || closed_; });
    if (closed_) return false;
    items_.push_back(item);
    if (items_.size() == 1) not_empty_.notify_one();
    return true;
  }

  /// Moves up to `max` items to `out`; waits while empty unless closed.
  size_t PopBatch(std::vector<uint64_t>& out, size_t max) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [this] { return !items_.empty() || closed_; });
    size_t count = 0;
    while (count < max && !items_.empty()) {
      out.push_back(items_.front());
      items_.pop_front();
      ++count;
    }
    if (count != 0) not_full_.notify_all();
    return count;
  }

  bool TryPop(uint64_t& item) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (items_.empty()) return false;
    item = items_.front();
    items_.pop_front();
    not_full_.notify_all();
    return true;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;  // Guards items_ and closed_.
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<uint64_t> items_;
  bool closed_ = false;
};

std::unique_ptr<Channel<uint64_t>> MakeChannel(Backpressure backpressure = Backpressure::kBlock) {
  ChannelOptions options;
  options.capacity = kCapacity;
  options.backpressure = backpressure;
  options.wait_strategy = WaitStrategy::SpinYield(100);
  return std::move(Channel<uint64_t>::Create(options)).value();
}

// ---- One thread: push one item, pop one item ----

void BM_BaselineMutexDequePushPopOne(benchmark::State& state) {
  MutexDequeQueue queue(kCapacity);
  uint64_t item = 0;
  for (auto _ : state) {
    queue.Push(item);
    queue.TryPop(item);
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineMutexDequePushPopOne);

void BM_ChannelPushPopOne(benchmark::State& state) {
  auto channel = MakeChannel();
  auto producer = channel->CreateProducer();
  uint64_t item = 0;
  for (auto _ : state) {
    (void)producer.Push(uint64_t{item});
    item = *channel->TryPop();
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChannelPushPopOne);

void BM_ChannelMultiProducerModePushPopOne(benchmark::State& state) {
  auto channel = MakeChannel();
  auto producer = channel->CreateProducer();
  auto clone = producer.Clone();  // Switches to CAS-claimed pushes.
  uint64_t item = 0;
  for (auto _ : state) {
    (void)producer.Push(uint64_t{item});
    item = *channel->TryPop();
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChannelMultiProducerModePushPopOne);

// ---- Two threads: one producer, one consumer draining batches of up to 4096 ----

void BM_BaselineMutexDequeSpscBatched(benchmark::State& state) {
  MutexDequeQueue queue(kCapacity);
  std::thread consumer([&queue] {
    std::vector<uint64_t> batch;
    batch.reserve(kPopBatch);
    for (;;) {
      batch.clear();
      if (queue.PopBatch(batch, kPopBatch) == 0) return;  // Closed and empty.
      benchmark::DoNotOptimize(batch.data());
    }
  });
  uint64_t item = 0;
  for (auto _ : state) {
    for (uint64_t i = 0; i < kItemsPerIteration; ++i) queue.Push(item++);
  }
  queue.Close();
  consumer.join();
  state.SetItemsProcessed(state.iterations() * kItemsPerIteration);
}
BENCHMARK(BM_BaselineMutexDequeSpscBatched)->UseRealTime();

// The consumer thread of the SPSC benchmarks: the reactor's loop (wait for items per the wait
// strategy, then drain a batch) until the channel is closed and empty. Returns the number of
// wake-ups.
uint64_t DrainUntilClosed(Channel<uint64_t>& channel) {
  std::vector<uint64_t> batch(kPopBatch);
  uint64_t batches = 0;
  while (channel.AwaitItems().ok()) {
    channel.PopBatch(batch.data(), kPopBatch);
    benchmark::DoNotOptimize(batch.data());
    ++batches;
  }
  return batches;
}

// Batched on both sides: the producer pushes runs of `state.range(0)` items (PushBatch), the
// consumer drains up to kPopBatch per wake-up.
void BM_ChannelSpscBatched(benchmark::State& state) {
  const size_t run = static_cast<size_t>(state.range(0));
  auto channel = MakeChannel();
  auto producer = channel->CreateProducer();
  uint64_t batches = 0;
  std::thread consumer([&channel, &batches] { batches = DrainUntilClosed(*channel); });
  std::vector<uint64_t> items(run);
  uint64_t item = 0;
  for (auto _ : state) {
    for (uint64_t i = 0; i < kItemsPerIteration; i += run) {
      for (uint64_t& value : items) value = item++;
      benchmark::DoNotOptimize(producer.PushBatch(std::span<uint64_t>(items)));
    }
  }
  channel->Close();
  consumer.join();
  state.SetItemsProcessed(state.iterations() * kItemsPerIteration);
  state.counters["items_per_batch"] =
      static_cast<double>(state.iterations() * kItemsPerIteration) / static_cast<double>(batches);
}
BENCHMARK(BM_ChannelSpscBatched)->Arg(16)->Arg(64)->Arg(256)->UseRealTime();

// Item-by-item pushes, batched pops: the regime of a source handle pushing single rows.
void BM_ChannelSpscItemPushes(benchmark::State& state) {
  auto channel = MakeChannel();
  auto producer = channel->CreateProducer();
  uint64_t batches = 0;
  std::thread consumer([&channel, &batches] { batches = DrainUntilClosed(*channel); });
  uint64_t item = 0;
  for (auto _ : state) {
    for (uint64_t i = 0; i < kItemsPerIteration; ++i) (void)producer.Push(uint64_t{item++});
  }
  channel->Close();
  consumer.join();
  state.SetItemsProcessed(state.iterations() * kItemsPerIteration);
  // How much the consumer found per wake-up: near 1 means it keeps up with the producer item
  // by item (and the two threads pass every slot's cache line back and forth).
  state.counters["items_per_batch"] =
      static_cast<double>(state.iterations() * kItemsPerIteration) / static_cast<double>(batches);
}
BENCHMARK(BM_ChannelSpscItemPushes)->UseRealTime();

// The floor of any push -> subscriber latency: one item to an echo thread and back through a
// second channel, both sides spinning. The engine's path makes the same two hops (producer ->
// reactor -> subscriber), so this is what the latency benchmark would measure for an engine
// that did no work at all.
void BM_ChannelRoundTripTwoHops(benchmark::State& state) {
  ChannelOptions options;
  options.capacity = 1024;
  options.wait_strategy = WaitStrategy::Spin();
  auto to_echo = std::move(Channel<uint64_t>::Create(options)).value();
  auto back = std::move(Channel<uint64_t>::Create(options)).value();
  auto to_echo_producer = to_echo->CreateProducer();
  std::thread echo([&to_echo, &back] {
    auto producer = back->CreateProducer();
    for (;;) {
      Result<uint64_t> item = to_echo->Pop();
      if (!item.ok()) return;
      (void)producer.Push(uint64_t{*item});
    }
  });
  uint64_t item = 0;
  for (auto _ : state) {
    (void)to_echo_producer.Push(uint64_t{item++});
    std::optional<uint64_t> answer;
    while (!(answer = back->TryPop())) CpuRelax();
    benchmark::DoNotOptimize(*answer);
  }
  to_echo->Close();
  echo.join();
}
BENCHMARK(BM_ChannelRoundTripTwoHops)->UseRealTime();

// ---- Three threads: two producers, the benchmark thread consumes ----

template <typename PushFunction>
void RunTwoProducers(benchmark::State& state, PushFunction push_from, auto pop_batch, auto close) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> producers;
  for (int id = 0; id < 2; ++id) {
    producers.emplace_back([&, id] {
      uint64_t item = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!push_from(id, item++)) return;
      }
    });
  }
  std::vector<uint64_t> batch;
  batch.reserve(kPopBatch);
  uint64_t consumed = 0;
  for (auto _ : state) {
    uint64_t this_iteration = 0;
    while (this_iteration < kItemsPerIteration) {
      batch.clear();
      this_iteration += pop_batch(batch);
    }
    consumed += this_iteration;
  }
  stop.store(true);
  close();
  for (std::thread& thread : producers) thread.join();
  state.SetItemsProcessed(static_cast<int64_t>(consumed));
}

void BM_BaselineMutexDequeMpscTwoProducers(benchmark::State& state) {
  MutexDequeQueue queue(kCapacity);
  RunTwoProducers(
      state, [&](int, uint64_t item) { return queue.Push(item); },
      [&](std::vector<uint64_t>& batch) { return queue.PopBatch(batch, kPopBatch); },
      [&] { queue.Close(); });
}
BENCHMARK(BM_BaselineMutexDequeMpscTwoProducers)->UseRealTime();

void BM_ChannelMpscTwoProducers(benchmark::State& state) {
  auto channel = MakeChannel();
  std::vector<ChannelProducer<uint64_t>> handles;
  handles.push_back(channel->CreateProducer());
  handles.push_back(handles[0].Clone());
  RunTwoProducers(
      state, [&](int id, uint64_t item) { return handles[id].Push(uint64_t{item}).ok(); },
      [&](std::vector<uint64_t>& batch) {
        return channel->AwaitItems().ok() ? channel->PopBatch(batch, kPopBatch) : 0;
      },
      [&] { channel->Close(); });
}
BENCHMARK(BM_ChannelMpscTwoProducers)->UseRealTime();

// ---- Broadcast: the benchmark thread publishes to two subscriber threads ----

void BM_BaselineMutexDequeBroadcastTwoSubscribers(benchmark::State& state) {
  MutexDequeQueue first(kCapacity);
  MutexDequeQueue second(kCapacity);
  auto drain = [](MutexDequeQueue& queue) {
    std::vector<uint64_t> batch;
    batch.reserve(kPopBatch);
    for (;;) {
      batch.clear();
      if (queue.PopBatch(batch, kPopBatch) == 0) return;
    }
  };
  std::thread first_reader([&] { drain(first); });
  std::thread second_reader([&] { drain(second); });
  uint64_t item = 0;
  for (auto _ : state) {
    for (uint64_t i = 0; i < kItemsPerIteration; ++i) {
      first.Push(item);
      second.Push(item);
      ++item;
    }
  }
  first.Close();
  second.Close();
  first_reader.join();
  second_reader.join();
  state.SetItemsProcessed(state.iterations() * kItemsPerIteration);
}
BENCHMARK(BM_BaselineMutexDequeBroadcastTwoSubscribers)->UseRealTime();

void BM_BroadcastTwoSubscribers(benchmark::State& state) {
  Broadcast<uint64_t> broadcast;
  ChannelOptions options;
  options.capacity = kCapacity;
  options.wait_strategy = WaitStrategy::SpinYield(100);
  std::vector<BroadcastSubscription<uint64_t>> subscriptions;
  subscriptions.push_back(std::move(broadcast.Subscribe(options)).value());
  subscriptions.push_back(std::move(broadcast.Subscribe(options)).value());
  auto drain = [](BroadcastSubscription<uint64_t>& subscription) {
    std::vector<uint64_t> batch;
    batch.reserve(kPopBatch);
    while (subscription.AwaitItems().ok()) {
      batch.clear();
      subscription.PopBatch(batch, kPopBatch);
    }
  };
  std::thread first_reader([&] { drain(subscriptions[0]); });
  std::thread second_reader([&] { drain(subscriptions[1]); });
  uint64_t item = 0;
  for (auto _ : state) {
    for (uint64_t i = 0; i < kItemsPerIteration; ++i) (void)broadcast.Publish(item++);
  }
  broadcast.Close();
  first_reader.join();
  second_reader.join();
  state.SetItemsProcessed(state.iterations() * kItemsPerIteration);
}
BENCHMARK(BM_BroadcastTwoSubscribers)->UseRealTime();

}  // namespace
}  // namespace laminar::stream
