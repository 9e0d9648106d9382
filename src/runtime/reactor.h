#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "columnar/column_builder.h"
#include "common/status.h"
#include "exec/dataflow.h"
#include "runtime/outlet.h"
#include "runtime/source_state.h"

namespace laminar::runtime {

/// How the reactor waits when it finds nothing to do.
enum class ReactorIdle : uint8_t {
  /// Poll for a while, then sleep until a producer rings the doorbell (the default: no CPU used
  /// by an idle database).
  kSpinThenPark,
  /// Poll forever: the lowest push-to-result latency, one core busy.
  kSpin,
};

struct ReactorOptions {
  /// Adaptive batching cap: at most this many pushed rows are gathered into one batch.
  size_t max_batch_rows = 4096;
  ReactorIdle idle = ReactorIdle::kSpinThenPark;
  /// Polls before sleeping under kSpinThenPark.
  uint32_t spin_polls = 2000;
};

/// Ring 0: the thread that drains source channels and runs the dataflows of continuous queries
/// as data arrives. No timer cycle: each pass takes whatever is queued (up to max_batch_rows
/// per source), so one pushed row is processed at once as a one-row batch, and under load
/// batches fill up. Watermarks and end-of-input markers travel in-band through the channels
/// and the dataflows, after the rows pushed before them.
///
/// Objects (sources, streams, sinks) and queries are registered by control commands, which run
/// on the reactor thread between batches (Execute); while the reactor is stopped they run on
/// the caller's thread. All routing state is therefore touched by one thread at a time.
///
/// Partitions: every source and every query's state belongs to partition 0 of
/// kPartitionCount virtual partitions, all owned by this one reactor; stateless operators
/// need no more. Keyed operators will route rows by key hash to partitions, and more reactors
/// will own disjoint partition sets (ARCHITECTURE.md "Partitions first").
///
/// Thread-safety: Start, Stop and Execute from one control thread at a time (the database
/// serialises them); the doorbell from any thread.
class Reactor {
 public:
  static constexpr int kPartitionCount = 256;

  explicit Reactor(ReactorOptions options);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  /// Starts the thread. Idempotent.
  void Start();
  /// Stops the thread after the batch in progress; queued data stays queued. Idempotent.
  void Stop();
  bool running() const { return thread_.joinable(); }

  /// Runs `command` where the routing state may be touched (the reactor thread, or inline when
  /// stopped) and returns its status.
  Status Execute(std::function<Status()> command);

  std::shared_ptr<ReactorDoorbell> doorbell() const { return doorbell_; }
  void set_max_batch_rows(size_t rows) { max_batch_rows_.store(rows, std::memory_order_relaxed); }
  size_t max_batch_rows() const { return max_batch_rows_.load(std::memory_order_relaxed); }

  // --- Routing state: only from within Execute. ---

  /// Registers a source and its outlet.
  void AddSource(std::shared_ptr<SourceState> source, std::shared_ptr<Outlet> outlet);
  /// Registers a stream fed by other queries' side outputs (LATE DATA TO), not by a query.
  void AddStream(std::shared_ptr<Outlet> outlet);
  /// Registers the query computing `outlet`'s object. Every input object must be registered.
  Status AddQuery(std::unique_ptr<exec::Dataflow> flow, std::shared_ptr<Outlet> outlet);
  /// Forgets an object (and its query): its outlet is closed, readers stop receiving from it.
  void RemoveObject(const std::string& name);
  /// Processes everything that was queued in every source before this call.
  Status DrainPending();

 private:
  struct Query;
  struct Object {
    std::string name;
    std::shared_ptr<Outlet> outlet;
    std::unique_ptr<Query> query;                 // Null for sources.
    std::vector<std::pair<Query*, int>> readers;  // (query, its input index)
  };
  struct Source {
    std::shared_ptr<SourceState> state;
    Object* object = nullptr;
    std::unique_ptr<BatchBuilder> pending_rows;
    int64_t max_event_time = exec::kMinWatermark;
    int64_t watermark = exec::kMinWatermark;
    bool close_requested = false;  // A kClose was read; ends once both channels are empty.
    bool ended = false;
  };
  struct Command {
    std::function<Status()> run;
    std::promise<Status> done;
  };

  void Loop();
  bool RunCommands();
  size_t DrainSource(Source& source, size_t max_messages);
  size_t DrainChannel(Source& source, stream::Channel<SourceMessage>& channel, size_t max_messages);
  Status FlushRows(Source& source);
  void DeliverSourceBatch(Source& source, Batch batch);
  void AdvanceSourceWatermark(Source& source, int64_t watermark);
  void Publish(Object& object, const exec::ChangeBatch& batch);
  void PublishWatermark(Object& object, int64_t watermark);
  void FailQuery(Query& query, const Status& status);
  bool HasWork() const;
  void Idle();

  const ReactorOptions options_;
  std::atomic<size_t> max_batch_rows_;
  std::shared_ptr<ReactorDoorbell> doorbell_ = std::make_shared<ReactorDoorbell>();

  // Routing state (reactor thread, or the control thread while stopped).
  std::map<std::string, std::unique_ptr<Object>, std::less<>> objects_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<SourceMessage> scratch_;

  std::mutex command_mutex_;  // Guards commands_.
  std::deque<Command*> commands_;
  std::atomic<size_t> pending_commands_{0};
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
};

}  // namespace laminar::runtime
