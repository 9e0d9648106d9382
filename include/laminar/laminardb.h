#pragma once

// The embedded C++ API of LaminarDB (seed 004 §7.1, seed 001's facade).
//
//   auto db = laminar::LaminarDB::Open().value();
//   db->Execute("CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts TIMESTAMP)");
//   db->Execute("CREATE STREAM big AS SELECT symbol, price FROM trades WHERE price > 100");
//   auto sub = db->Subscribe("big").value();
//   auto source = db->Source("trades").value();
//   db->Start();
//   source.Push({Value::Varchar("AAPL"), Value::Double(150.0), Value::Timestamp(ts)});
//   laminar::ChangeBatch batch = sub.Recv().value();
//
// Errors are Status / Result values carrying an LDB-NNNN code (docs/errors.md); no exception
// leaves the API.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "columnar/arrow_c_abi.h"
#include "columnar/batch.h"
#include "columnar/value.h"
#include "common/clock.h"
#include "common/result.h"
#include "common/status.h"
#include "exec/change_batch.h"
#include "laminar/record.h"
#include "stream/channel.h"

namespace laminar {

namespace runtime {
class SourceState;
class Outlet;
struct StreamItem;
}  // namespace runtime
namespace stream {
template <typename T>
class BroadcastSubscription;
}  // namespace stream

/// A batch of rows with their weights (+1 insert, -1 retraction), as subscribers receive it.
using exec::ChangeBatch;

/// WAL durability modes (seed 004 §6.1). Durability arrives with checkpoints; until then a
/// configuration asking for it is rejected.
enum class WalMode : uint8_t { kAsync, kSync };

/// How the reactor waits when idle.
enum class ReactorWait : uint8_t {
  kSpinThenPark,  // Default: poll briefly, then sleep until data arrives.
  kSpin,          // Poll forever: lowest latency, one core busy.
};

/// Database configuration (seed 004 §6.1). Validate() applies seed 004 §6.3.
/// S3-compatible storage for checkpoints (path-style requests, SigV4;
/// docs/formats/object-store.md).
struct S3Location {
  std::string endpoint;  // "http(s)://host:port"
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix;  // Keys go below "prefix/" (empty: the bucket's root).
  std::string access_key_id;
  std::string secret_access_key;
};

struct Config {
  /// Data directory (required by checkpoint_interval and wal_mode). Holds the WAL, the lock
  /// and, unless checkpoint_s3 is set, the checkpoints.
  std::optional<std::string> data_dir;
  /// Checkpoints in S3-compatible storage instead of data_dir/checkpoints. Requires data_dir.
  std::optional<S3Location> checkpoint_s3;
  /// Default channel capacity of a source, a power of two.
  size_t buffer_size = 65536;
  /// Checkpoint interval; absent: no periodic checkpoints.
  std::optional<std::chrono::milliseconds> checkpoint_interval;
  std::optional<WalMode> wal_mode;
  /// A source's WAL starts a new segment file before one would grow past this many bytes (a
  /// larger single push makes one larger segment). Segments that only hold what the oldest
  /// kept checkpoint has consumed are deleted after each checkpoint, whole, so this is also how
  /// finely the WAL is truncated. At least 64 KiB.
  uint64_t wal_segment_size = 64ull << 20;
  /// Pin the reactor to a CPU core.
  std::optional<int> core_affinity;
  /// Adaptive batching cap of the reactor (rows gathered into one batch).
  size_t max_batch_rows = 4096;
  ReactorWait reactor_wait = ReactorWait::kSpinThenPark;
  /// Where the engine reads time (tests inject a ManualClock). Null: the system clock.
  Clock* clock = nullptr;
  /// Values for ${NAME} in SQL text, looked up before the environment.
  std::vector<std::pair<std::string, std::string>> variables;

  /// LDB-2007 naming the rule broken: buffer_size a power of two, data_dir required for
  /// checkpoints, a WAL or checkpoint_s3, wal_mode requires checkpoint_interval,
  /// wal_segment_size at least 64 KiB.
  Status Validate() const;
};

/// What a statement returns. Statements that produce rows (SELECT, SHOW, DESCRIBE, EXPLAIN)
/// fill `rows`; others say what they did in `tag` (PostgreSQL-style command tags such as
/// "CREATE SOURCE" or "INSERT 0 3").
struct QueryResult {
  std::string tag;
  std::optional<Batch> rows;
  int64_t rows_affected = 0;
  /// For CREATE STREAM / SINK / MATERIALIZED VIEW and SOURCE: the object's name.
  std::string object_name;
};

/// A producer handle of one source. Cheap to move; Clone() gives another producer for another
/// thread, which turns the source's channel multi-producer transparently (data already queued
/// is kept). Pushes check the row against the source's schema first: a bad row gets an LDB error
/// (3006 wrong arity or type, 3005 NULL into NOT NULL, 3007 a string longer than 2 GiB or a row
/// with more than 3 GiB of them) and nothing is enqueued.
///
/// Every handle (and every clone) is one producer, a partition of the source: its rows and
/// Watermark() calls make its own watermark, and the source's watermark is the minimum over
/// the producers that have one (SourceStatus). A producer counts from its first row or
/// watermark until its handle is destroyed, and is left out while idle (idle_timeout).
///
/// Thread-safety: one handle per thread; clone for more threads.
class SourceHandle {
 public:
  SourceHandle(SourceHandle&&) noexcept;
  SourceHandle& operator=(SourceHandle&&) noexcept;
  ~SourceHandle();

  const std::string& name() const;
  const Schema& schema() const;

  /// Pushes one row, waiting for room per the source's backpressure (block: waits; drop_oldest:
  /// never waits; reject: LDB-3009 when full). LDB-3010 after the source was closed or dropped.
  Status Push(std::span<const Value> row);
  Status Push(std::initializer_list<Value> row) {
    return Push(std::span<const Value>(row.begin(), row.size()));
  }
  /// Push of a row the caller hands over (the row is encoded into the channel either way).
  Status Push(std::vector<Value>&& row);
  /// Like Push but never waits: LDB-3009 when the channel is full.
  Status TryPush(std::span<const Value> row);
  Status TryPush(std::initializer_list<Value> row) {
    return TryPush(std::span<const Value>(row.begin(), row.size()));
  }
  /// Pushes rows as one batch (converted to columns here, on the caller's thread).
  Status PushBatch(std::span<const std::vector<Value>> rows);
  /// Pushes a columnar batch of the source's schema (zero-copy).
  Status PushBatch(const Batch& batch);
  /// Imports an Arrow C Data Interface struct array (one column per field) and pushes it. The
  /// array and schema are consumed (released) whether or not the push succeeds.
  Status PushArrow(ArrowArray* array, ArrowSchema* schema);
  /// Declares that no row with event time below `timestamp_micros` will follow from this
  /// producer. The source's watermark follows once every other producer's passes it too.
  Status Watermark(int64_t timestamp_micros);
  /// Ends the input of the whole source (every producer): the watermark advances to +infinity
  /// and everything is flushed. Later pushes fail with LDB-3010. To retire only this producer,
  /// destroy the handle.
  Status Close();
  /// True when a push would not wait (or be rejected) now.
  bool HasCapacity() const;
  /// Another producer handle of the same source.
  SourceHandle Clone() const;

 private:
  friend class LaminarDB;
  struct State;
  explicit SourceHandle(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// A source handle that pushes user structs through a RecordLayout (record.h). Made by
/// LaminarDB::Source<T>(name, layout), which matches the layout's fields to the source's
/// columns once; each push converts one struct to a row.
///
/// Thread-safety: as SourceHandle (clone for more threads).
template <typename T>
class TypedSource {
 public:
  /// Pushes one record (errors as SourceHandle::Push).
  Status Push(const T& record) {
    std::vector<Value> row = ToRow(record);
    return handle_.Push(std::move(row));
  }
  Status TryPush(const T& record) {
    std::vector<Value> row = ToRow(record);
    return handle_.TryPush(std::span<const Value>(row));
  }
  /// Pushes records as one batch; a bad record rejects the whole batch.
  Status PushBatch(std::span<const T> records) {
    std::vector<std::vector<Value>> rows;
    rows.reserve(records.size());
    for (const T& record : records) rows.push_back(ToRow(record));
    return handle_.PushBatch(std::span<const std::vector<Value>>(rows));
  }
  Status Watermark(int64_t timestamp_micros) { return handle_.Watermark(timestamp_micros); }
  Status Close() { return handle_.Close(); }
  bool HasCapacity() const { return handle_.HasCapacity(); }
  TypedSource Clone() const { return TypedSource(handle_.Clone(), layout_, columns_); }
  SourceHandle& handle() { return handle_; }

 private:
  friend class LaminarDB;
  TypedSource(SourceHandle handle, std::shared_ptr<const RecordLayout<T>> layout,
              std::shared_ptr<const std::vector<int>> columns)
      : handle_(std::move(handle)), layout_(std::move(layout)), columns_(std::move(columns)) {}

  std::vector<Value> ToRow(const T& record) const {
    std::vector<Value> row;
    row.reserve(columns_->size());
    const Schema& schema = handle_.schema();
    for (size_t c = 0; c < columns_->size(); ++c) {
      const int field = (*columns_)[c];
      row.push_back(field >= 0 ? layout_->fields()[static_cast<size_t>(field)].read(record)
                               : Value::Null(schema.field(static_cast<int>(c)).type));
    }
    return row;
  }

  SourceHandle handle_;
  std::shared_ptr<const RecordLayout<T>> layout_;
  std::shared_ptr<const std::vector<int>> columns_;  // Per column: layout field, or -1 (NULL).
};

/// Matches a layout's field names to a schema: per column, the field index or -1. LDB-1102 for
/// a field naming no column, LDB-3005 for a NOT NULL column no field feeds.
Result<std::vector<int>> MatchRecordFields(const Schema& schema,
                                           const std::vector<std::string>& field_names,
                                           std::string_view source_name);

/// Options of a subscription's private channel.
struct SubscribeOptions {
  size_t capacity = 4096;  // Batches (and watermarks) buffered; a power of two.
  stream::Backpressure backpressure = stream::Backpressure::kBlock;
  stream::WaitStrategy wait_strategy = stream::WaitStrategy::Park();
};

/// Reads the output of a stream, sink or source: every batch emitted after Subscribe returned,
/// in order. Several subscriptions of one stream each see every batch.
///
/// Thread-safety: one thread at a time.
class Subscription {
 public:
  Subscription(Subscription&&) noexcept;
  Subscription& operator=(Subscription&&) noexcept;
  ~Subscription();

  const std::string& name() const;
  const Schema& schema() const;
  /// True when rows carry weights (a changelog stream).
  bool changelog() const;

  /// The next batch if one is ready.
  std::optional<ChangeBatch> Poll();
  /// Waits for the next batch. LDB-3010 once the stream was dropped or the database shut down
  /// and everything was read; the query's own error if it stopped on one.
  Result<ChangeBatch> Recv();
  /// Like Recv, giving up with LDB-3011 after `timeout`.
  Result<ChangeBatch> RecvTimeout(std::chrono::nanoseconds timeout);
  /// The last watermark of the stream seen by this subscription.
  int64_t watermark() const { return watermark_; }

  /// Iteration over batches until the stream ends: `for (ChangeBatch& b : subscription)`.
  class Iterator {
   public:
    ChangeBatch& operator*() { return *current_; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const {
      return current_.has_value() == other.current_.has_value();
    }

   private:
    friend class Subscription;
    Subscription* owner_ = nullptr;
    std::optional<ChangeBatch> current_;
  };
  Iterator begin();
  Iterator end() { return Iterator(); }

 private:
  friend class LaminarDB;
  struct State;
  explicit Subscription(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  int64_t watermark_ = exec::kMinWatermark;
};

/// A callback subscription: a thread that calls `callback` for every batch until the stream
/// ends or the handle is destroyed.
class CallbackSubscription {
 public:
  CallbackSubscription(CallbackSubscription&&) noexcept = default;
  CallbackSubscription& operator=(CallbackSubscription&&) noexcept = default;
  ~CallbackSubscription();
  /// Stops the thread (batches not yet delivered are dropped). Idempotent.
  void Cancel();
  /// The status that ended the subscription, after it ended (OK while running or cancelled).
  Status status() const;

 private:
  friend class LaminarDB;
  struct State;
  explicit CallbackSubscription(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

/// The watermark of a source and what made it (LaminarDB::DescribeSource; also in SHOW SOURCES
/// and DESCRIBE). Each producer handle (first handle, clones, the statement channel of INSERT,
/// a connector) is a partition of the source with a watermark of its own; the source's is the
/// minimum over the producers that have one and are neither idle nor ended.
struct SourceStatus {
  /// kMinWatermark: none yet; kMaxWatermark: the input ended.
  int64_t watermark = exec::kMinWatermark;
  /// Producers with a watermark of their own (from rows under WATERMARK FOR ... AS ts - delay,
  /// or from Watermark() calls) whose handles still live.
  int64_t producers = 0;
  /// Producers left out of the minimum because they pushed nothing for idle_timeout.
  int64_t idle_producers = 0;
  /// Rows delivered so far.
  int64_t rows = 0;
  /// Rows whose event time was below the source's watermark when they arrived.
  int64_t late_rows = 0;
  /// Rows further ahead of the engine clock than max_future_skew: delivered, but they did not
  /// advance the watermark.
  int64_t future_rows = 0;
  /// The source was closed and everything before the close was processed.
  bool ended = false;
};

/// What the last checkpoint of a durable database cost (LaminarDB::LastCheckpoint).
struct CheckpointStats {
  uint64_t id = 0;
  /// The longest the reactor stopped processing for the checkpoint, µs: at the barrier
  /// (every operator's small state, and the whole state of those that do not snapshot
  /// incrementally), or in one slice of an incremental snapshot.
  int64_t pause_micros = 0;
  /// Reactor turns the checkpoint took: 1 at the barrier, plus the slices in which incremental
  /// snapshots (some operators', every materialized view's table) were written amid input.
  int64_t reactor_turns = 0;
  /// From the request to the published manifest, µs.
  int64_t total_micros = 0;
  /// Bytes of state written.
  uint64_t state_bytes = 0;
};

class LaminarDB;

/// Builder for Open(Config): `LaminarDB::Builder().BufferSize(1024).Open()`.
class DatabaseBuilder {
 public:
  DatabaseBuilder& DataDir(std::string path) {
    config_.data_dir = std::move(path);
    return *this;
  }
  DatabaseBuilder& BufferSize(size_t size) {
    config_.buffer_size = size;
    return *this;
  }
  DatabaseBuilder& MaxBatchRows(size_t rows) {
    config_.max_batch_rows = rows;
    return *this;
  }
  DatabaseBuilder& Wait(ReactorWait wait) {
    config_.reactor_wait = wait;
    return *this;
  }
  DatabaseBuilder& WithClock(Clock* clock) {
    config_.clock = clock;
    return *this;
  }
  DatabaseBuilder& Variable(std::string name, std::string value) {
    config_.variables.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  DatabaseBuilder& CheckpointInterval(std::chrono::milliseconds interval) {
    config_.checkpoint_interval = interval;
    return *this;
  }
  DatabaseBuilder& Wal(WalMode mode) {
    config_.wal_mode = mode;
    return *this;
  }
  const Config& config() const { return config_; }
  Result<std::unique_ptr<LaminarDB>> Open() const;

 private:
  Config config_;
};

/// An embedded streaming database. Opened in memory; statements declare sources, continuous
/// queries and sinks; programs push rows into sources and read results from subscriptions.
/// Processing runs on one reactor thread started by Start(); rows pushed before Start() wait
/// in their source's channel.
///
/// Thread-safety: Execute, Source, Subscribe, Start, Stop, Shutdown and Sync may be called from
/// any thread (they are serialised); handles have their own rules.
class LaminarDB {
 public:
  /// Opens an in-memory database with the defaults.
  static Result<std::unique_ptr<LaminarDB>> Open();
  /// Opens with a configuration, validated first (LDB-2007). With a data_dir the database is
  /// durable: Open recovers the catalog, the state, the watermarks and the positions of the
  /// newest valid checkpoint in it (falling back to older ones when the newest is damaged;
  /// LDB-4006 when none can be restored; LDB-4003 when another process has it open), every
  /// change of the catalog or of a TABLE is checkpointed before its statement returns, and
  /// Shutdown() checkpoints without closing the sources, so the next Open continues.
  static Result<std::unique_ptr<LaminarDB>> Open(Config config);
  static DatabaseBuilder Builder() { return DatabaseBuilder(); }

  ~LaminarDB();
  LaminarDB(const LaminarDB&) = delete;
  LaminarDB& operator=(const LaminarDB&) = delete;

  /// Executes one statement or a script of statements in order and returns the last result.
  /// Stops at the first error (earlier statements stay executed), whose position points into
  /// `sql`. `INSERT INTO source VALUES ...` pushes rows; a following ad-hoc SELECT sees the
  /// effects of everything pushed before it.
  Result<QueryResult> Execute(std::string_view sql);
  /// Like Execute, calling `on_result` after each statement with its index and result. The
  /// callback runs without the database's lock, so it may call Subscribe, Sync or Execute (for
  /// instance to subscribe to a stream the statement just created); other threads' statements
  /// may run between two statements of the script.
  Status ExecuteScript(std::string_view sql,
                       const std::function<Status(int, const QueryResult&)>& on_result);

  /// A producer handle of source `name` (LDB-1101 unknown, LDB-1113 not a source).
  Result<SourceHandle> Source(std::string_view name);
  /// A typed producer handle: pushes T through `layout` (see record.h).
  template <typename T>
  Result<TypedSource<T>> Source(std::string_view name, const RecordLayout<T>& layout) {
    LAMINAR_ASSIGN_OR_RETURN(SourceHandle handle, Source(name));
    std::vector<std::string> names;
    for (const auto& field : layout.fields()) names.push_back(field.column);
    LAMINAR_ASSIGN_OR_RETURN(std::vector<int> columns,
                             MatchRecordFields(handle.schema(), names, name));
    return TypedSource<T>(std::move(handle), std::make_shared<const RecordLayout<T>>(layout),
                          std::make_shared<const std::vector<int>>(std::move(columns)));
  }
  /// A subscription to the output of stream, sink or source `name`.
  Result<Subscription> Subscribe(std::string_view name, const SubscribeOptions& options = {});
  /// Calls `callback` on a thread of its own for every batch of `name`.
  Result<CallbackSubscription> Subscribe(std::string_view name,
                                         std::function<void(const ChangeBatch&)> callback,
                                         const SubscribeOptions& options = {});

  /// Starts processing (the reactor thread). Idempotent.
  Status Start();
  /// Pauses processing; pushed rows stay queued. Idempotent.
  Status Stop();
  /// Waits until everything pushed before the call has been processed and emitted. When the
  /// reactor is stopped, processes it on the calling thread.
  Status Sync();
  /// Waits until every started connector (FROM NEXMARK ...) has delivered all its input, or
  /// returns the error that stopped one.
  Status WaitForConnectors();
  /// Closes every source (their watermarks advance to +infinity, so everything is flushed),
  /// processes what was queued, stops, and closes every subscription. Later calls fail with
  /// LDB-3010. Idempotent. A durable database instead processes what was queued and takes a
  /// checkpoint, leaving its sources open for the next Open.
  Status Shutdown();
  /// Takes a checkpoint now and returns its id; nullopt when the database is not durable (no
  /// data_dir). Rows still queued in source channels are not in it (they are in the next).
  Result<std::optional<uint64_t>> Checkpoint();
  /// The cost of the last successful checkpoint (zeros before the first).
  CheckpointStats LastCheckpoint();
  /// The checkpoint Open recovered from; nullopt for a database that had none (new, or not
  /// durable). Older than the newest checkpoint only when the newer ones could not be
  /// applied (each failure is logged as a warning).
  std::optional<uint64_t> RecoveredCheckpoint();
  /// For crash tests: stops every thread at once, without the final checkpoint of
  /// Shutdown(), as if the process had died. Later calls fail with LDB-3010.
  void SimulateCrash();
  /// Closes the named source as SourceHandle::Close does, or every source when empty.
  Status CloseSources(std::string_view name = {});

  /// The current watermark of a source or stream (kMinWatermark when none yet).
  Result<int64_t> CurrentWatermark(std::string_view name);
  /// The watermark state of source `name` as of what has been processed (Sync() first for
  /// everything pushed). LDB-1101 when there is no such source.
  Result<SourceStatus> DescribeSource(std::string_view name);

 private:
  class Impl;
  explicit LaminarDB(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace laminar
