#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "columnar/column_builder.h"
#include "common/clock.h"
#include "common/status.h"
#include "connectors/sink_connector.h"
#include "exec/dataflow.h"
#include "laminar/laminardb.h"
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

/// What a checkpoint captured on the reactor, by object name (docs/formats/checkpoint.md).
struct ReactorSnapshot {
  /// Per source: its watermark, producers and counters (Reactor::RestoreSource reads it).
  std::map<std::string, std::string, std::less<>> sources;
  /// Per running query: its dataflow's state (exec::Dataflow::TakeSnapshot), complete once
  /// Reactor::CompleteCheckpoint returned.
  std::map<std::string, exec::DataflowSnapshot, std::less<>> flows;
  /// Per query that had stopped with an error: that error's text prefixed by "failed:"
  /// (the states of `flows` join them, serialised, once complete).
  std::map<std::string, std::string, std::less<>> queries;
  /// Per object: the watermark of its output.
  std::map<std::string, int64_t, std::less<>> watermarks;
  /// Why a query's state could not be captured (an operator that cannot snapshot); the
  /// checkpoint fails with the first.
  std::vector<Status> failures;
  /// Per source with a WAL: the WAL position up to which every record is reflected in the
  /// state.
  std::map<std::string, uint64_t, std::less<>> consumed_lsn;
  /// Other state written in slices with the queries' (the tables of materialized views), by
  /// name: `next` writes one slice on the reactor and returns the state once complete;
  /// `cancel` drops it. Registered by whoever began it, on the reactor, with the barrier.
  struct IncrementalState {
    std::function<Result<std::optional<std::vector<std::string>>>()> next;
    std::function<void()> cancel;
    std::optional<std::vector<std::string>> pieces;  // Set once complete.
  };
  std::map<std::string, IncrementalState, std::less<>> incremental;
};

struct ReactorOptions {
  /// Adaptive batching cap: at most this many pushed rows are gathered into one batch.
  size_t max_batch_rows = 4096;
  ReactorIdle idle = ReactorIdle::kSpinThenPark;
  /// Polls before sleeping under kSpinThenPark.
  uint32_t spin_polls = 2000;
  /// Processing time: idle timeouts and the future-skew guard read it. Never null.
  Clock* clock = Clock::System();
};

/// Ring 0: the thread that drains source channels and runs the dataflows of continuous queries
/// as data arrives. No timer cycle: each pass takes whatever is queued (up to max_batch_rows
/// per source), so one pushed row is processed at once as a one-row batch, and under load
/// batches fill up. Watermarks and end-of-input markers travel in-band through the channels
/// and the dataflows, after the rows pushed before them.
///
/// Watermarks of a source: every producer (partition) has its own, from its rows (bounded
/// out-of-orderness: largest event time it pushed minus the delay) or its Watermark() calls;
/// the source's watermark is the minimum over the producers that have one, are not idle
/// (idle_timeout) and have not ended, and never goes back. A row sees the watermark made by
/// the rows before it: when a row of a batch is below the watermark its predecessors in the
/// batch produced, the batch is split there and that watermark is delivered first, so
/// lateness and window closing depend on the order of rows, never on how they were batched.
/// Idleness is checked whenever the reactor wakes; a sleeping reactor bounds its sleep by the
/// earliest idle deadline, so no timer cycle runs.
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
  /// `sink`: the connector a sink's rows go to (INTO FILES ...), null for none. It receives
  /// every batch, pre-commits the epoch when a checkpoint barrier passes, and is committed by
  /// CommitSinks once the checkpoint is published.
  Status AddQuery(std::unique_ptr<exec::Dataflow> flow, std::shared_ptr<Outlet> outlet,
                  std::shared_ptr<connectors::SinkConnector> sink = nullptr);
  /// Phase two: publishes every sink's epochs up to `epoch` (its checkpoint is published).
  Status CommitSinks(uint64_t epoch);
  /// A database without checkpoints: each sink pre-commits and commits `epoch` at once
  /// (at-least-once delivery, at every Sync and at shutdown).
  Status FlushSinks(uint64_t epoch);
  /// Forgets an object (and its query): its outlet is closed, readers stop receiving from it.
  void RemoveObject(const std::string& name);
  /// Processes everything that was queued in every source before this call, then applies
  /// idle timeouts due by the clock's current time.
  Status DrainPending();
  /// The watermark state of source `name`; null when no such source runs.
  std::optional<SourceStatus> DescribeSource(std::string_view name) const;
  /// Takes checkpoint `epoch`: delivers what sources gathered, injects a barrier at every
  /// source (and every stream no query feeds), lets it travel through every query (aligned
  /// at multi-input operators, exec::Dataflow::Barrier), and collects the states. Nothing
  /// else runs meanwhile, so the snapshot is the consistent cut after every message consumed
  /// so far. kInternal when a query did not complete the barrier (a bug).
  Status Checkpoint(uint64_t epoch, ReactorSnapshot* snapshot);
  /// How CompleteCheckpoint went: its slices, and the longest.
  struct SliceStats {
    int64_t slices = 0;
    int64_t longest_nanos = 0;
  };
  /// Completes the incremental snapshots of checkpoint `snapshot` (after Checkpoint returned
  /// OK): the reactor writes them in slices of about `slice_nanos` between its other work
  /// (input, commands, timers), back to back while nothing else waits, and this call returns
  /// once every query's state is there. Fails when a query stopped meanwhile or an operator's
  /// snapshot failed: the snapshots are then dropped and the checkpoint is abandoned. Called
  /// from the control thread; runs the slices itself while the reactor is stopped.
  Status CompleteCheckpoint(ReactorSnapshot* snapshot, int64_t slice_nanos, SliceStats* stats);
  /// Drops the incremental snapshots of an abandoned checkpoint.
  void CancelCheckpoint(ReactorSnapshot* snapshot);
  /// Restores a source's state from ReactorSnapshot::sources (after the source was added).
  Status RestoreSource(std::string_view name, std::string_view state);
  /// Restores a query from ReactorSnapshot::queries (after it was added, before any input).
  Status RestoreQuery(std::string_view name, std::string_view state);
  /// Recovery: applies messages of source `name` read back from its WAL, in order, as if the
  /// reactor had read them from its channel.
  Status Replay(std::string_view name, std::vector<SourceMessage>& messages);
  /// Recovery: the producers of the previous run are gone; the source's watermark stays.
  void ForgetProducers(std::string_view name);
  /// RESTORE: the source's WAL records up to `lsn` count as consumed (never replayed).
  Status SetConsumedLsn(std::string_view name, uint64_t lsn);
  /// Sets the watermark of an object's output (its subscribers start from it), without
  /// delivering it to readers (they restore their own).
  void RestoreWatermark(std::string_view name, int64_t watermark);

  /// The operators of the query computing `name`, with their watermarks; null when `name` is
  /// not a running query.
  std::optional<std::vector<exec::OperatorStatus>> DescribeQuery(std::string_view name) const;

 private:
  struct Query;
  struct Object {
    std::string name;
    std::shared_ptr<Outlet> outlet;
    std::unique_ptr<Query> query;                 // Null for sources.
    std::vector<std::pair<Query*, int>> readers;  // (query, its input index)
  };
  /// One producer (partition) of a source, known from its first message.
  struct Producer {
    uint32_t id = 0;
    int64_t max_event_time = exec::kMinWatermark;  // Microseconds; rows past the skew excluded.
    int64_t watermark = exec::kMinWatermark;       // Its own; valid when has_watermark.
    int64_t last_active_nanos = 0;                 // Clock::MonotonicNanos of its last message.
    bool has_watermark = false;
    bool idle = false;
  };
  struct Source {
    std::shared_ptr<SourceState> state;
    Object* object = nullptr;
    std::unique_ptr<BatchBuilder> pending_rows;
    // Producers of the gathered rows: all `pending_producer` until a row of another producer
    // joins; then one entry per row.
    uint32_t pending_producer = 0;
    std::vector<uint32_t> pending_producers;
    std::vector<Producer> producers;
    size_t last_producer = 0;  // Index of the producer found last (the single-producer case).
    int64_t watermark = exec::kMinWatermark;  // Delivered downstream; never goes back.
    int64_t idle_timeout_nanos = 0;           // 0: producers never idle.
    int64_t next_idle_deadline = std::numeric_limits<int64_t>::max();
    int64_t rows = 0;
    int64_t late_rows = 0;
    int64_t future_rows = 0;
    // WAL position of the last message read (0: none, or no WAL). A source with a WAL has
    // one channel (SourceState::set_wal), so every record up to it has been read.
    uint64_t consumed_lsn = 0;
    bool close_requested = false;  // A kClose was read; ends once both channels are empty.
    bool ended = false;
  };
  struct Command {
    std::function<Status()> run;
    std::promise<Status> done;
  };

  /// A checkpoint whose incremental snapshots the reactor completes between its other work.
  struct BackgroundCheckpoint {
    ReactorSnapshot* snapshot = nullptr;
    int64_t slice_nanos = 0;
    SliceStats* stats = nullptr;
    std::promise<Status> done;
  };

  void Loop();
  bool RunCommands();
  /// Writes incremental snapshots for about `budget_nanos`; `complete` tells whether every
  /// query's state is there.
  Status ContinueCheckpoint(ReactorSnapshot* snapshot, int64_t budget_nanos, bool* complete);
  /// One slice of background_; resolves and clears it when complete or failed.
  void RunCheckpointSlice();
  /// The query computing object `name`; null when there is none.
  Query* QueryOf(std::string_view name) const;
  size_t DrainSource(Source& source, size_t max_messages);
  size_t DrainChannel(Source& source, stream::Channel<SourceMessage>& channel, size_t max_messages);
  /// Applies one message read from a channel (or replayed from the WAL). `now`: the clock's
  /// monotonic reading for idle timeouts; `cap`: the batching cap.
  void ProcessMessage(Source& source, SourceMessage& message, int64_t now, size_t cap);
  Status FlushRows(Source& source);
  /// Delivers rows pushed by `producer`, or by `row_producers[i]` for row i when not empty.
  void DeliverSourceBatch(Source& source, Batch batch, uint32_t producer,
                          std::span<const uint32_t> row_producers);
  Producer& FindProducer(Source& source, uint32_t id);
  /// The minimum watermark over the producers that count, or kMinWatermark when none does.
  static int64_t ProducerMinimum(const Source& source);
  /// Raises the source's watermark to the producers' minimum (it never goes back).
  void UpdateSourceWatermark(Source& source);
  void AdvanceSourceWatermark(Source& source, int64_t watermark);
  void RetireEndedProducers(Source& source);
  /// Marks producers idle whose timeout passed at `now_nanos`; recomputes the next deadline.
  void CheckIdle(Source& source, int64_t now_nanos);
  /// Runs CheckIdle on every source whose deadline passed; returns the earliest deadline left.
  int64_t CheckIdleSources();
  void Publish(Object& object, const exec::ChangeBatch& batch);
  /// Publish for a batch the caller no longer needs (moved to the subscribers when possible).
  void Publish(Object& object, exec::ChangeBatch&& batch);
  void PublishBarrier(Object& object, uint64_t epoch);
  void PublishWatermark(Object& object, int64_t watermark);
  void FailQuery(Query& query, const Status& status);
  bool HasWork() const;
  /// Fires the processing-time timers of the queries that are due; returns the earliest timer
  /// left (engine-clock microseconds, kMaxWatermark for none).
  int64_t FireDueTimers();
  void Idle();

  const ReactorOptions options_;
  std::atomic<size_t> max_batch_rows_;
  std::shared_ptr<ReactorDoorbell> doorbell_ = std::make_shared<ReactorDoorbell>();

  // Routing state (reactor thread, or the control thread while stopped).
  std::map<std::string, std::unique_ptr<Object>, std::less<>> objects_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<SourceMessage> scratch_;
  ReactorSnapshot* checkpoint_ = nullptr;       // The checkpoint in progress (Checkpoint only).
  BackgroundCheckpoint* background_ = nullptr;  // Being completed (CompleteCheckpoint).
  size_t idle_timeout_sources_ = 0;             // Sources with an idle timeout.

  std::mutex command_mutex_;  // Guards commands_.
  std::deque<Command*> commands_;
  std::atomic<size_t> pending_commands_{0};
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
};

}  // namespace laminar::runtime
