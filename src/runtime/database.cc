// The embedded database facade (include/laminar/laminardb.h): statements, source handles,
// subscriptions and the reactor's lifecycle. Ring 2: it serialises control operations under
// one mutex and hands changes of the running dataflows to the reactor as commands.

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "columnar/arrow_import.h"
#include "columnar/column_builder.h"
#include "columnar/temporal.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "connectors/sink_connector.h"
#include "connectors/source_connector.h"
#include "exec/bounded_executor.h"
#include "exec/expression_evaluator.h"
#include "exec/physical_planner.h"
#include "functions/function_registry.h"
#include "laminar/laminardb.h"
#include "runtime/outlet.h"
#include "runtime/reactor.h"
#include "runtime/source_log.h"
#include "runtime/source_state.h"
#include "runtime/table_store.h"
#include "runtime/view_store.h"
#include "sql/binder/binder.h"
#include "sql/parser/parser.h"
#include "sql/parser/unparser.h"
#include "sql/parser/variable_substitution.h"
#include "sql/plan/logical_join.h"
#include "storage/checkpoint_store.h"
#include "storage/local_object_store.h"
#include "storage/s3_object_store.h"
#include "storage/state_io.h"
#include "storage/wal/wal_reader.h"
#include "storage/wal/wal_writer.h"
#include "stream/broadcast.h"

namespace laminar {
namespace {

/// The longest the reactor spends writing incremental snapshots at a time (between two such
/// slices it runs input as usual).
constexpr int64_t kCheckpointSliceNanos = 300'000;
/// Rows of a materialized view's table written per call of its incremental snapshot.
constexpr size_t kViewRowsPerSlice = 256;

using runtime::Outlet;
using runtime::SourceMessage;
using runtime::SourceState;
using runtime::StreamItem;
using runtime::TableStore;
using runtime::ViewStore;

/// Whether the plan has an operator whose state state_ttl bounds (aggregation, a join of
/// streams, Top-N); each operator's planner refuses a TTL it cannot honour. OVER keeps no TTL
/// (its partitions stay), so a TTL on a query with nothing else would do nothing.
bool ContainsStatefulOperator(const sql::LogicalNode& node) {
  switch (node.kind()) {
    case sql::LogicalNodeKind::kAggregate:
    case sql::LogicalNodeKind::kTopN:
      return true;
    case sql::LogicalNodeKind::kJoin: {
      const auto& options = static_cast<const sql::LogicalJoin&>(node).options;
      if (!options.lookup && !options.system_time && !options.asof) return true;
      break;
    }
    default:
      break;
  }
  for (const sql::LogicalNodePtr& input : node.inputs()) {
    if (ContainsStatefulOperator(*input)) return true;
  }
  return false;
}

Status ClosedError(std::string_view what) {
  return Status::Error(ErrorCode::kClosed, "{} is closed", what);
}

stream::Backpressure ParseBackpressure(const std::string& text) {
  if (text == "drop_oldest") return stream::Backpressure::kDropOldest;
  if (text == "reject") return stream::Backpressure::kReject;
  return stream::Backpressure::kBlock;
}

stream::WaitStrategy ParseWaitStrategy(const std::string& text) {
  if (text == "spin") return stream::WaitStrategy::Spin();
  if (text == "park") return stream::WaitStrategy::Park();
  return stream::WaitStrategy::SpinYield(100);
}

/// A duration option's value in microseconds ('5 seconds', '100ms').
Result<int64_t> DurationMicros(const std::string& text) {
  LAMINAR_ASSIGN_OR_RETURN(Interval interval, ParseInterval(text));
  std::optional<int64_t> micros = IntervalFixedMicros(interval);
  if (!micros || *micros <= 0) {
    return Status::Error(ErrorCode::kInvalidOption, "'{}' is not a positive fixed duration", text);
  }
  return *micros;
}

/// How DESCRIBE and SHOW print a watermark.
std::string FormatWatermarkText(int64_t watermark) {
  if (watermark == exec::kMinWatermark) return "-inf";
  if (watermark == exec::kMaxWatermark) return "+inf";
  return FormatTimestamp(watermark);
}

/// One-column VARCHAR result rows, e.g. for EXPLAIN and SHOW.
Result<Batch> TextRows(std::shared_ptr<const Schema> schema,
                       const std::vector<std::vector<std::string>>& rows) {
  BatchBuilder builder(schema);
  for (const std::vector<std::string>& row : rows) {
    std::vector<Value> values;
    for (const std::string& text : row) values.push_back(Value::Varchar(text));
    LAMINAR_RETURN_IF_ERROR(builder.AppendRow(values));
  }
  return builder.Finish();
}

std::string_view PluralKeyword(sql::ObjectKind kind) {
  switch (kind) {
    case sql::ObjectKind::kSource:
      return "SOURCES";
    case sql::ObjectKind::kStream:
      return "STREAMS";
    case sql::ObjectKind::kMaterializedView:
      return "MATERIALIZED VIEWS";
    case sql::ObjectKind::kSink:
      return "SINKS";
    case sql::ObjectKind::kTable:
      return "TABLES";
    case sql::ObjectKind::kLookupTable:
      return "LOOKUP TABLES";
  }
  return "OBJECTS";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Config

namespace {
// Smaller segments would make a file per handful of records, and the WAL writes a segment under
// 64 KiB through the page cache only.
constexpr uint64_t kMinWalSegmentSize = 64 << 10;
}  // namespace

Status Config::Validate() const {
  if (buffer_size < stream::kMinRingCapacity || buffer_size > stream::kMaxRingCapacity ||
      (buffer_size & (buffer_size - 1)) != 0) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "buffer_size must be a power of two between {} and {}, not {}",
                         stream::kMinRingCapacity, stream::kMaxRingCapacity, buffer_size);
  }
  if ((checkpoint_interval || wal_mode) && !data_dir) {
    return Status::Error(ErrorCode::kInvalidConfiguration, "data_dir is required for {}",
                         checkpoint_interval ? "checkpoint_interval" : "wal_mode");
  }
  if (checkpoint_s3 && !data_dir) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "checkpoint_s3 needs a data_dir (for the WAL and the lock)");
  }
  if (wal_mode && !checkpoint_interval) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "wal_mode requires checkpoint_interval (the WAL is truncated at "
                         "checkpoints)");
  }
  if (max_batch_rows == 0) {
    return Status::Error(ErrorCode::kInvalidConfiguration, "max_batch_rows must be at least 1");
  }
  if (wal_segment_size < kMinWalSegmentSize) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "wal_segment_size must be at least {} bytes, not {}", kMinWalSegmentSize,
                         wal_segment_size);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// SourceHandle

struct SourceHandle::State {
  std::shared_ptr<SourceState> source;
  stream::ChannelProducer<SourceMessage> producer;
  uint32_t producer_id = 0;  // This handle's partition of the source (SourceState).
  bool first = false;        // Holds the source's first producer (returned on destruction).

  ~State() {
    // The producer's watermark stops holding the source's back once its rows are read.
    source->EndProducer(producer_id);
    if (first && producer.valid()) source->ReturnFirstProducer(std::move(producer));
  }
};

SourceHandle::SourceHandle(std::unique_ptr<State> state) : state_(std::move(state)) {}
SourceHandle::SourceHandle(SourceHandle&&) noexcept = default;
SourceHandle& SourceHandle::operator=(SourceHandle&&) noexcept = default;
SourceHandle::~SourceHandle() = default;

const std::string& SourceHandle::name() const { return state_->source->name(); }
const Schema& SourceHandle::schema() const { return *state_->source->schema(); }

namespace {

// A source keeps the memory of its WAL records' own bytes up to this size for the next record.
// A batch's column buffers are referred to, not copied into it; what is copied (rows, bitmaps,
// the offsets of a sliced string column) is large only for huge rows or batches.
constexpr size_t kMaxKeptRecordBytes = 16u << 20;

// Moves `message` into the source's channel (and its WAL first, if any).
Status EnqueueMessage(SourceState& source, stream::ChannelProducer<SourceMessage>& producer,
                      uint32_t producer_id, bool try_only, SourceMessage& message) {
  if (source.closed()) return ClosedError(fmt::format("source \"{}\"", source.name()));
  message.producer = producer_id;
  Status status;
  if (const std::shared_ptr<runtime::SourceWal>& wal = source.wal(); wal != nullptr) {
    // The record goes to the WAL first, then into the channel, under one lock: the WAL's
    // order is the order the reactor reads, and a message is never in the channel without
    // its record.
    uint64_t lsn = 0;
    {
      std::lock_guard<std::mutex> lock(wal->order);
      // Checked before the append, under the lock that every producer of this source takes,
      // so a message is never logged and then refused (which recovery would bring back).
      if (source.closed()) return ClosedError(fmt::format("source \"{}\"", source.name()));
      const bool rejects =
          try_only || source.channel().options().backpressure == stream::Backpressure::kReject;
      if (rejects && source.channel().size() >= source.channel().capacity()) {
        return Status::Error(ErrorCode::kQueueFull,
                             "source \"{}\" is full ({} rows or batches queued)", source.name(),
                             source.channel().capacity());
      }
      runtime::EncodeSourceMessage(message, *source.schema(), wal->record, wal->record_parts);
      Result<uint64_t> appended = wal->writer->Append(wal->record_parts);
      // A record of one huge row or many columns would keep its memory for as long as the
      // source lives.
      if (wal->record.capacity() > kMaxKeptRecordBytes) wal->record = storage::StateWriter();
      LAMINAR_ASSIGN_OR_RETURN(lsn, std::move(appended));
      message.lsn = lsn;
      status = producer.Push(std::move(message));
    }
    if (status.ok()) {
      source.doorbell().Ring();
      // 'sync': acknowledged once the record is on stable storage.
      return wal->sync ? wal->writer->WaitDurable(lsn) : Status::Ok();
    }
  } else {
    status = try_only ? producer.TryPush(std::move(message)) : producer.Push(std::move(message));
  }
  if (status.ok()) {
    source.doorbell().Ring();
    return status;
  }
  if (status.code() == ErrorCode::kClosed) {
    return ClosedError(fmt::format("source \"{}\"", source.name()));
  }
  if (status.code() == ErrorCode::kQueueFull) {
    return Status::Error(ErrorCode::kQueueFull, "source \"{}\" is full ({} rows or batches queued)",
                         source.name(), source.channel().capacity());
  }
  return status;
}

}  // namespace

Status SourceHandle::Push(std::span<const Value> row) {
  SourceMessage message;
  message.kind = SourceMessage::Kind::kRow;
  LAMINAR_RETURN_IF_ERROR(state_->source->EncodeRow(row, message.row));
  return EnqueueMessage(*state_->source, state_->producer, state_->producer_id, false, message);
}

Status SourceHandle::Push(std::vector<Value>&& row) { return Push(std::span<const Value>(row)); }

Status SourceHandle::TryPush(std::span<const Value> row) {
  SourceMessage message;
  message.kind = SourceMessage::Kind::kRow;
  LAMINAR_RETURN_IF_ERROR(state_->source->EncodeRow(row, message.row));
  return EnqueueMessage(*state_->source, state_->producer, state_->producer_id, true, message);
}

Status SourceHandle::PushBatch(std::span<const std::vector<Value>> rows) {
  BatchBuilder builder(state_->source->schema());
  RowRecord record;
  for (size_t i = 0; i < rows.size(); ++i) {
    Status encoded = state_->source->EncodeRow(rows[i], record);
    if (!encoded.ok()) {
      return std::move(encoded).WithContext(fmt::format("row {} of the batch", i + 1));
    }
    if (!builder.HasRoomFor(record)) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "row {} of the batch: a column of the batch would exceed 2 GiB of "
                           "string bytes; push it in smaller batches",
                           i + 1);
    }
    builder.AppendRecord(record);
  }
  LAMINAR_ASSIGN_OR_RETURN(Batch batch, builder.Finish());
  return PushBatch(batch);
}

Status SourceHandle::PushBatch(const Batch& batch) {
  LAMINAR_RETURN_IF_ERROR(state_->source->CheckBatch(batch));
  if (batch.num_rows() == 0) return Status::Ok();
  SourceMessage message;
  message.kind = SourceMessage::Kind::kBatch;
  message.batch = std::make_shared<const Batch>(batch);
  return EnqueueMessage(*state_->source, state_->producer, state_->producer_id, false, message);
}

Status SourceHandle::PushArrow(ArrowArray* array, ArrowSchema* schema) {
  Result<Batch> batch = ImportBatch(array, schema);
  if (!batch.ok()) return batch.status();
  // Arrow schemas carry no NOT NULL for our purposes beyond nullability flags, and field names
  // may differ: the batch is matched by position and type.
  auto rebound = Batch::Make(state_->source->schema(), batch->columns());
  if (!rebound.ok()) {
    LAMINAR_RETURN_IF_ERROR(state_->source->CheckBatch(*batch));
    return rebound.status();
  }
  return PushBatch(*rebound);
}

Status SourceHandle::Watermark(int64_t timestamp_micros) {
  SourceMessage message;
  message.kind = SourceMessage::Kind::kWatermark;
  message.watermark = timestamp_micros;
  return EnqueueMessage(*state_->source, state_->producer, state_->producer_id, false, message);
}

Status SourceHandle::Close() {
  if (state_->source->closed()) return Status::Ok();
  SourceMessage message;
  message.kind = SourceMessage::Kind::kClose;
  LAMINAR_RETURN_IF_ERROR(
      EnqueueMessage(*state_->source, state_->producer, state_->producer_id, false, message));
  state_->source->MarkClosed();
  return Status::Ok();
}

bool SourceHandle::HasCapacity() const {
  const auto& channel = state_->source->channel();
  return !state_->source->closed() && channel.size() < channel.capacity();
}

SourceHandle SourceHandle::Clone() const {
  auto state = std::make_unique<State>();
  state->source = state_->source;
  state->producer = state_->producer.Clone();
  state->producer_id = state->source->NewProducerId();
  return SourceHandle(std::move(state));
}

Result<std::vector<int>> MatchRecordFields(const Schema& schema,
                                           const std::vector<std::string>& field_names,
                                           std::string_view source_name) {
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::vector<int> columns(static_cast<size_t>(schema.num_fields()), -1);
  for (size_t f = 0; f < field_names.size(); ++f) {
    std::optional<int> column = schema.FieldIndex(lower(field_names[f]));
    if (!column) column = schema.FieldIndex(field_names[f]);
    if (!column) {
      return Status::Error(ErrorCode::kUnknownColumn,
                           "record field \"{}\" names no column of source \"{}\" {}",
                           field_names[f], source_name, schema.ToString());
    }
    columns[static_cast<size_t>(*column)] = static_cast<int>(f);
  }
  for (int c = 0; c < schema.num_fields(); ++c) {
    if (columns[static_cast<size_t>(c)] < 0 && !schema.field(c).nullable) {
      return Status::Error(ErrorCode::kNullViolation,
                           "the record layout gives no field for NOT NULL column \"{}\" of "
                           "source \"{}\"",
                           schema.field(c).name, source_name);
    }
  }
  return columns;
}

// ---------------------------------------------------------------------------------------------
// Subscription

struct Subscription::State {
  std::shared_ptr<Outlet> outlet;
  std::optional<stream::BroadcastSubscription<StreamItem>> subscription;
};

Subscription::Subscription(std::unique_ptr<State> state) : state_(std::move(state)) {}
Subscription::Subscription(Subscription&&) noexcept = default;
Subscription& Subscription::operator=(Subscription&&) noexcept = default;
Subscription::~Subscription() = default;

const std::string& Subscription::name() const { return state_->outlet->name(); }
const Schema& Subscription::schema() const { return *state_->outlet->schema(); }
bool Subscription::changelog() const { return state_->outlet->changelog(); }

std::optional<ChangeBatch> Subscription::Poll() {
  for (;;) {
    std::optional<StreamItem> item = state_->subscription->TryPop();
    if (!item) return std::nullopt;
    if (item->has_batch()) return runtime::TakeStreamBatch(*item);
    watermark_ = std::max(watermark_, item->watermark);
  }
}

Result<ChangeBatch> Subscription::Recv() {
  for (;;) {
    Result<StreamItem> item = state_->subscription->Pop();
    if (!item.ok()) {
      Status failure = state_->outlet->failure();
      if (!failure.ok()) return failure;
      return Status::Error(ErrorCode::kClosed, "\"{}\" has ended: {}", name(),
                           item.status().message());
    }
    if (item->has_batch()) return runtime::TakeStreamBatch(*item);
    watermark_ = std::max(watermark_, item->watermark);
  }
}

Result<ChangeBatch> Subscription::RecvTimeout(std::chrono::nanoseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    Result<StreamItem> item = state_->subscription->PopWithTimeout(
        std::max(left, std::chrono::steady_clock::duration::zero()));
    if (!item.ok()) {
      if (item.status().code() == ErrorCode::kTimedOut) return item.status();
      Status failure = state_->outlet->failure();
      if (!failure.ok()) return failure;
      return Status::Error(ErrorCode::kClosed, "\"{}\" has ended", name());
    }
    if (item->has_batch()) return runtime::TakeStreamBatch(*item);
    watermark_ = std::max(watermark_, item->watermark);
  }
}

Subscription::Iterator& Subscription::Iterator::operator++() {
  Result<ChangeBatch> next = owner_->Recv();
  if (next.ok()) {
    current_ = std::move(*next);
  } else {
    current_.reset();
  }
  return *this;
}

Subscription::Iterator Subscription::begin() {
  Iterator it;
  it.owner_ = this;
  ++it;
  return it;
}

// ---------------------------------------------------------------------------------------------
// CallbackSubscription

struct CallbackSubscription::State {
  std::optional<Subscription> subscription;
  std::function<void(const ChangeBatch&)> callback;
  std::atomic<bool> cancelled{false};
  std::thread thread;
  mutable std::mutex mutex;  // Guards status.
  Status status;
};

CallbackSubscription::CallbackSubscription(std::shared_ptr<State> state)
    : state_(std::move(state)) {}

CallbackSubscription::~CallbackSubscription() { Cancel(); }

void CallbackSubscription::Cancel() {
  if (state_ == nullptr || !state_->thread.joinable()) return;
  state_->cancelled.store(true, std::memory_order_release);
  state_->thread.join();
}

Status CallbackSubscription::status() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->status;
}

// ---------------------------------------------------------------------------------------------
// LaminarDB

class LaminarDB::Impl : public exec::SnapshotProvider, public exec::LookupSourceProvider {
 public:
  explicit Impl(Config config)
      : config_(std::move(config)),
        clock_(config_.clock != nullptr ? config_.clock : Clock::System()),
        reactor_(runtime::ReactorOptions{config_.max_batch_rows,
                                         config_.reactor_wait == ReactorWait::kSpin
                                             ? runtime::ReactorIdle::kSpin
                                             : runtime::ReactorIdle::kSpinThenPark,
                                         2000, clock_}) {}

  ~Impl() override {
    (void)Shutdown();
    StopCheckpointer();
    ReleaseLock();
  }
  /// The data directory is free for another Open once the database is shut down.
  void ReleaseLock() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
  }

  /// Durable databases: locks the data directory, recovers the newest valid checkpoint
  /// (falling back to older ones when it is damaged) and starts periodic checkpoints.
  Status OpenDurable();
  /// CHECKPOINT / LaminarDB::Checkpoint(): the new checkpoint's id; nullopt when the database
  /// is not durable.
  Result<std::optional<uint64_t>> Checkpoint() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return ClosedError("the database");
    if (store_ == nullptr) return std::optional<uint64_t>();
    LAMINAR_ASSIGN_OR_RETURN(uint64_t id, CheckpointLocked());
    return std::optional<uint64_t>(id);
  }
  CheckpointStats LastCheckpoint() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_checkpoint_;
  }
  std::optional<uint64_t> RecoveredCheckpoint() {
    std::lock_guard<std::mutex> lock(mutex_);
    return recovered_checkpoint_;
  }
  /// Marks every source closed (pushes fail with LDB-3010) and closes the WALs, each under
  /// its order lock so no append is in progress. The checkpoint records the sources as open.
  void CloseForGood() {
    for (auto& [name, source] : sources_) {
      if (const auto& wal = source->wal(); wal != nullptr) {
        std::lock_guard<std::mutex> lock(wal->order);
        source->MarkClosed();
        (void)wal->writer->Close();
      }
      source->MarkClosed();
    }
  }
  /// Test hook (LaminarDB::SimulateCrash): stops everything without a final checkpoint.
  void Abandon() {
    StopCheckpointer();
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return;
    for (auto& [name, connector] : connectors_) connector->Stop();
    reactor_.Stop();
    for (auto& [name, source] : sources_) source->MarkClosed();
    for (auto& [name, outlet] : outlets_) outlet->Close();
    shut_down_ = true;
    ReleaseLock();
  }

  Status ExecuteScript(std::string_view sql,
                       const std::function<Status(int, const QueryResult&)>& on_result);
  Result<SourceHandle> Source(std::string_view name);
  Result<Subscription> Subscribe(std::string_view name, const SubscribeOptions& options);

  Status Start() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return ClosedError("the database");
    reactor_.Start();
    started_ = true;
    for (auto& [name, connector] : connectors_) LAMINAR_RETURN_IF_ERROR(StartConnector(name));
    return Status::Ok();
  }
  Status WaitForConnectors() {
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        bool all = true;
        for (auto& [name, connector] : connectors_) {
          if (!connector->status().ok()) return connector->status();
          if (connector_started_[name] && !connector->finished()) all = false;
        }
        if (all) return Status::Ok();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  Status Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    reactor_.Stop();
    return Status::Ok();
  }
  Status Sync() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return ClosedError("the database");
    LAMINAR_RETURN_IF_ERROR(reactor_.Execute([this] { return reactor_.DrainPending(); }));
    return FlushSinksLocked();
  }
  /// Without checkpoints, sinks publish what they received at every Sync and at shutdown.
  Status FlushSinksLocked() {
    if (store_ != nullptr || sinks_.empty()) return Status::Ok();
    const uint64_t epoch = next_sink_epoch_++;
    return reactor_.Execute([this, epoch] { return reactor_.FlushSinks(epoch); });
  }
  Status CloseSources(std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    return CloseSourcesLocked(name);
  }
  Status Shutdown() {
    StopCheckpointer();
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return Status::Ok();
    for (auto& [name, connector] : connectors_) connector->Stop();
    Status status;
    if (store_ != nullptr) {
      // A durable database keeps its sources open for the next Open: everything queued is
      // processed and checkpointed. Then this process takes no more pushes.
      if (opened_) {
        status = reactor_.Execute([this] { return reactor_.DrainPending(); });
        if (status.ok()) status = CheckpointLocked().status();
      }
      CloseForGood();
    } else {
      status = CloseSourcesLocked({});
      if (status.ok()) status = reactor_.Execute([this] { return reactor_.DrainPending(); });
      if (status.ok()) status = FlushSinksLocked();
    }
    reactor_.Stop();
    for (auto& [name, outlet] : outlets_) outlet->Close();
    shut_down_ = true;
    ReleaseLock();
    return status;
  }
  Result<SourceStatus> DescribeSource(std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return ClosedError("the database");
    return SourceStatusLocked(name);
  }
  Result<int64_t> CurrentWatermark(std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = outlets_.find(name);
    if (it == outlets_.end()) {
      return Status::Error(ErrorCode::kUnknownObject, "\"{}\" does not exist or has no output",
                           name);
    }
    return it->second->watermark();
  }

  // SnapshotProvider (called with mutex_ held, from ad-hoc queries).
  Result<Batch> Snapshot(std::string_view name) override {
    if (auto view = views_.find(name); view != views_.end()) {
      // Everything pushed before this statement is in the view (the statement drained the
      // sources first); the snapshot is consistent as of the view's watermark.
      LAMINAR_ASSIGN_OR_RETURN(ViewStore::Snapshot snapshot, view->second->Read());
      return std::move(snapshot.rows);
    }
    auto it = tables_.find(name);
    if (it == tables_.end()) {
      return Status::Error(ErrorCode::kNotSupported,
                           "\"{}\" cannot be read by an ad-hoc query (tables and materialized "
                           "views can; subscribe to a stream instead)",
                           name);
    }
    return it->second->Snapshot();
  }

  // LookupSourceProvider (called with mutex_ held, while planning a query).
  Result<std::shared_ptr<exec::LookupSource>> FindLookupSource(std::string_view name) override {
    auto it = tables_.find(name);
    if (it == tables_.end()) {
      return Status::Error(ErrorCode::kUnknownObject, "table \"{}\" does not exist", name);
    }
    return std::shared_ptr<exec::LookupSource>(
        std::make_shared<runtime::TableLookupSource>(it->second, std::string(name)));
  }

 private:
  exec::PlanOptions MakePlanOptions() {
    exec::PlanOptions plan;
    plan.lookups = this;
    return plan;
  }

  Status CloseSourcesLocked(std::string_view name);
  /// Takes a checkpoint (REQUIRES: durable, mutex_ held): the reactor's consistent cut, the
  /// views and tables, and the catalog, published atomically in the store.
  Result<uint64_t> CheckpointLocked();
  /// Drops every object (RESTORE and recovery fallback start from an empty catalog).
  void ResetLocked();
  /// Recreates the catalog of `data` and restores every object's state into it.
  /// `replay_wal`: recovery replays the WAL after the checkpoint; RESTORE does not (it goes
  /// back to the checkpoint and discards what came after).
  Status ApplyCheckpointLocked(const storage::CheckpointData& data, bool replay_wal = true);
  /// Records a catalog change for the next checkpoints (durable databases).
  void LogCreate(const std::string& name, std::string statement);
  void LogDrop(const std::string& name);
  /// The first source feeding `inputs` (transitively) that could not replay its rows after a
  /// crash (no WAL, no connector); empty when there is none.
  std::string SourceWithoutReplay(const std::vector<std::string>& inputs) const;
  /// Where an incarnation of source `name` keeps its WAL, below the data directory:
  /// wal/<name, escaped>-<the checkpoint id current at its CREATE>.
  static std::string WalRelativeDirectory(std::string_view source, uint64_t incarnation);
  /// Recovery: applies the WAL records of `source` after `consumed_lsn`.
  Status ReplayWalLocked(const std::string& name, SourceState& source, uint64_t consumed_lsn);
  /// After checkpoint `data`: drops WAL segments no kept checkpoint needs.
  void TruncateWals(const storage::CheckpointData& data);
  /// Records the WAL positions of a kept checkpoint (oldest first).
  void RememberWalPositions(const storage::CheckpointData& data);
  /// A durable database checkpoints after every change of the catalog or of a TABLE, so the
  /// change survives a crash (WAL-less durability for statements).
  Status CheckpointAfterChange();
  static Status DurabilityError(const Status& status);
  void StartCheckpointer();
  /// Periodic checkpoints at least this often (the shortest interval asked for wins).
  void SetCheckpointInterval(std::chrono::milliseconds interval);
  void StopCheckpointer();
  Result<QueryResult> ExecuteStatement(const sql::Statement& statement, std::string_view text);
  Result<QueryResult> ExecuteCreate(sql::BoundCreate create, const sql::Statement& statement);
  Result<QueryResult> ExecuteInsert(const sql::BoundInsert& insert);
  Result<QueryResult> ExecuteUpdate(const sql::BoundUpdate& update);
  Result<QueryResult> ExecuteDrop(const sql::BoundDrop& drop);
  Result<QueryResult> ExecuteUtility(const sql::BoundUtility& utility,
                                     const sql::Statement& statement);
  Status CreateSource(const sql::CatalogObject& object);
  /// What the reactor knows of source `name`'s watermark (LDB-1101 when it is not a source).
  Result<SourceStatus> SourceStatusLocked(std::string_view name) {
    if (sources_.find(name) == sources_.end()) {
      return Status::Error(ErrorCode::kUnknownObject, "source \"{}\" does not exist", name);
    }
    std::optional<SourceStatus> status;
    LAMINAR_RETURN_IF_ERROR(reactor_.Execute([&] {
      status = reactor_.DescribeSource(name);
      return Status::Ok();
    }));
    return status.value_or(SourceStatus{});
  }
  Status StartConnector(const std::string& name);
  void TearDown(const std::string& name);
  sql::BinderOptions MakeBinderOptions() const {
    sql::BinderOptions options;
    options.has_data_dir = config_.data_dir.has_value();
    options.has_default_checkpoint_interval = config_.checkpoint_interval.has_value();
    for (const auto& [name, description] : connectors::AvailableSourceConnectors()) {
      options.available_connectors.insert(name);
    }
    for (const auto& [name, description] : connectors::AvailableSinkConnectors()) {
      options.available_connectors.insert(name);
    }
    return options;
  }

  const Config config_;
  Clock* const clock_;
  const exec::EvaluatorOptions evaluator_options_{clock_};
  std::mutex mutex_;  // Serialises every control operation; guards everything below.
  sql::Catalog catalog_;
  runtime::Reactor reactor_;
  std::map<std::string, std::shared_ptr<SourceState>, std::less<>> sources_;
  std::map<std::string, std::shared_ptr<Outlet>, std::less<>> outlets_;
  std::map<std::string, std::shared_ptr<TableStore>, std::less<>> tables_;
  std::map<std::string, std::shared_ptr<ViewStore>, std::less<>> views_;
  /// Sinks with a connector (INTO FILES ...), also held by their queries in the reactor.
  std::map<std::string, std::shared_ptr<connectors::SinkConnector>, std::less<>> sinks_;
  /// Without checkpoints, sinks commit an epoch at every Sync (at-least-once).
  uint64_t next_sink_epoch_ = 1;
  /// Connectors feeding sources (FROM NEXMARK ...), started with the database.
  std::map<std::string, std::unique_ptr<connectors::SourceConnector>, std::less<>> connectors_;
  std::map<std::string, bool, std::less<>> connector_started_;
  bool started_ = false;
  bool shut_down_ = false;

  // Durability (data_dir set): the checkpoint store, the statements that recreate the
  // catalog, in creation order, and the periodic checkpointer (Ring 1).
  std::unique_ptr<storage::ObjectStore> objects_;  // Where checkpoints go.
  std::unique_ptr<storage::CheckpointStore> store_;
  std::vector<std::pair<std::string, std::string>> catalog_log_;  // (object, statement).
  uint64_t next_checkpoint_id_ = 1;
  bool replaying_ = false;  // Recovery runs the catalog's statements: no checkpoints meanwhile.
  const storage::CheckpointData* applying_ = nullptr;  // The checkpoint being restored.
  bool keep_logs_ = false;  // Tearing down for RESTORE or recovery: WAL directories stay.
  /// Recovery succeeded: Shutdown checkpoints. A failed Open must not (it would publish an
  /// empty catalog over the checkpoints it could not read).
  bool opened_ = false;
  /// A RESTORE failed half-way and the newest checkpoint could not be applied again: the
  /// catalog is incomplete, so no checkpoint may record it.
  bool inconsistent_ = false;
  static constexpr size_t kRetainedCheckpoints = 3;
  /// The WAL positions (by WAL directory) of the checkpoints kept, oldest first.
  std::deque<std::map<std::string, uint64_t>> retained_offsets_;
  int lock_fd_ = -1;
  std::optional<uint64_t> recovered_checkpoint_;
  CheckpointStats last_checkpoint_;
  /// The WAL mode of sources created without their own (Config::wal_mode, SET wal_mode).
  std::optional<WalMode> default_wal_mode_;
  std::thread checkpointer_;
  std::mutex checkpointer_mutex_;
  std::condition_variable checkpointer_wake_;
  bool checkpointer_stop_ = false;
  std::chrono::milliseconds checkpoint_interval_{0};  // 0: no periodic checkpoints.
};

Status LaminarDB::Impl::CheckpointAfterChange() {
  if (store_ == nullptr || replaying_) return Status::Ok();
  Result<uint64_t> checkpoint = CheckpointLocked();
  return checkpoint.ok() ? Status::Ok() : DurabilityError(checkpoint.status());
}

Status LaminarDB::Impl::DurabilityError(const Status& status) {
  return Status::Error(status.code(),
                       "the statement took effect but could not be made durable (the next "
                       "checkpoint will retry): {}",
                       status.message());
}

std::string LaminarDB::Impl::SourceWithoutReplay(const std::vector<std::string>& inputs) const {
  for (const std::string& input : inputs) {
    const sql::CatalogObject* object = catalog_.Find(input);
    if (object == nullptr) continue;
    if (object->kind == sql::ObjectKind::kSource) {
      auto source = sources_.find(input);
      const bool replayable = connectors_.count(input) > 0 ||
                              (source != sources_.end() && source->second->wal() != nullptr);
      if (!replayable) return input;
      continue;
    }
    if (std::string unsafe = SourceWithoutReplay(object->dependencies); !unsafe.empty()) {
      return unsafe;
    }
  }
  return {};
}

void LaminarDB::Impl::LogCreate(const std::string& name, std::string statement) {
  LogDrop(name);
  catalog_log_.emplace_back(name, std::move(statement));
}

void LaminarDB::Impl::LogDrop(const std::string& name) {
  std::erase_if(catalog_log_, [&](const auto& entry) { return entry.first == name; });
}

Result<uint64_t> LaminarDB::Impl::CheckpointLocked() {
  if (inconsistent_) {
    return Status::Error(ErrorCode::kInternal,
                         "no checkpoints after a RESTORE that failed half-way: reopen the "
                         "database to recover its newest checkpoint");
  }
  // Every attempt uses up its id (barriers of one epoch are never sent twice), so a failed
  // attempt leaves a gap in the ids.
  const uint64_t id = next_checkpoint_id_++;
  storage::CheckpointData data;
  data.id = id;
  data.created_micros = clock_->NowMicros();
  runtime::ReactorSnapshot snapshot;
  std::map<std::string, std::string> view_states;
  const int64_t started = Clock::System()->MonotonicNanos();
  int64_t pause_nanos = 0;
  LAMINAR_RETURN_IF_ERROR(reactor_.Execute([&]() -> Status {
    const int64_t paused = Clock::System()->MonotonicNanos();
    auto measure = [&] { pause_nanos = Clock::System()->MonotonicNanos() - paused; };
    Status taken = reactor_.Checkpoint(id, &snapshot);
    if (!taken.ok()) {
      reactor_.CancelCheckpoint(&snapshot);
      measure();
      return taken;
    }
    // Views are written by the reactor: their snapshots begin in the same cut, and are
    // written in slices with the queries' (the view keeps its rows as of the cut meanwhile).
    for (const auto& [name, view] : views_) {
      view->BeginSnapshot();
      runtime::ReactorSnapshot::IncrementalState& state = snapshot.incremental[name];
      state.next = [view = view] { return view->ContinueSnapshot(kViewRowsPerSlice); };
      state.cancel = [view = view] { view->CancelSnapshot(); };
    }
    measure();
    return Status::Ok();
  }));
  // Operators that snapshot incrementally write their state in slices, between which the
  // reactor runs input as usual; they keep the state as of the barrier meanwhile.
  runtime::Reactor::SliceStats slices;
  LAMINAR_RETURN_IF_ERROR(reactor_.CompleteCheckpoint(&snapshot, kCheckpointSliceNanos, &slices));
  pause_nanos = std::max(pause_nanos, slices.longest_nanos);
  const int64_t reactor_turns = 1 + slices.slices;
  for (auto& [name, flow] : snapshot.flows) snapshot.queries[name] = flow.Serialize();
  for (auto& [name, state] : snapshot.incremental) {
    std::string& joined = view_states[name];
    size_t bytes = 0;
    for (const std::string& piece : *state.pieces) bytes += piece.size();
    joined.reserve(bytes);
    for (const std::string& piece : *state.pieces) joined += piece;
    state.pieces.reset();  // Not held twice while the checkpoint is written.
  }
  for (const auto& [name, statement] : catalog_log_) data.catalog.push_back(statement);
  for (auto& [name, state] : snapshot.sources) {
    data.sections.push_back({"source", name, std::move(state)});
  }
  for (auto& [name, state] : snapshot.queries) {
    data.sections.push_back({"query", name, std::move(state)});
  }
  for (auto& [name, state] : view_states) {
    data.sections.push_back({"view", name, std::move(state)});
  }
  for (const auto& [name, table] : tables_) {
    LAMINAR_ASSIGN_OR_RETURN(Batch rows, table->Snapshot());
    storage::StateWriter writer;
    writer.WriteVersion(1);
    writer.BatchOf(rows);
    data.sections.push_back({"table", name, writer.Release()});
  }
  for (const auto& [name, watermark] : snapshot.watermarks) data.watermarks[name] = watermark;
  for (const auto& [name, lsn] : snapshot.consumed_lsn) data.source_offsets[name] = lsn;
  for (const auto& [name, source] : sources_) {
    if (const auto& wal = source->wal(); wal != nullptr) {
      data.wals[name] = {wal->sync ? "sync" : "async", wal->relative_directory};
      // Every record the state reflects must be durable before a checkpoint says so (an
      // async log, or a sync push consumed before its fdatasync returned).
      LAMINAR_RETURN_IF_ERROR(wal->writer->Sync());
    }
  }
  for (const auto& [name, sink] : sinks_) data.sink_epochs[name] = id;
  LAMINAR_RETURN_IF_ERROR(store_->Write(data));
  TruncateWals(data);
  if (!sinks_.empty()) {
    // Phase two. A failure leaves the epoch pre-committed: the next checkpoint's commit, or
    // recovery, publishes it.
    Status committed = reactor_.Execute([&] { return reactor_.CommitSinks(id); });
    if (!committed.ok()) {
      LAMINAR_LOG(kWarning, "checkpoint {}: {}", id, committed.ToString());
    }
  }
  last_checkpoint_.id = id;
  last_checkpoint_.pause_micros = pause_nanos / 1000;
  last_checkpoint_.reactor_turns = reactor_turns;
  last_checkpoint_.total_micros = (Clock::System()->MonotonicNanos() - started) / 1000;
  last_checkpoint_.state_bytes = 0;
  for (const storage::CheckpointSection& section : data.sections) {
    last_checkpoint_.state_bytes += section.bytes.size();
  }
  return id;
}

std::string LaminarDB::Impl::WalRelativeDirectory(std::string_view source, uint64_t incarnation) {
  // Catalog names may hold any character when quoted: keep [a-z0-9_], escape the rest.
  std::string encoded;
  for (unsigned char c : source) {
    if (std::islower(c) || std::isdigit(c) || c == '_') {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  return fmt::format("wal/{}-{}", encoded, incarnation);
}

Status LaminarDB::Impl::ReplayWalLocked(const std::string& name, SourceState& source,
                                        uint64_t consumed_lsn) {
  const std::shared_ptr<runtime::SourceWal>& wal = source.wal();
  if (wal->writer->next_lsn() - 1 < consumed_lsn) {
    return Status::Error(ErrorCode::kCorruption,
                         "the WAL of source \"{}\" ({}) ends at record {}, before the "
                         "checkpoint's position {}: records the checkpoint reflects are gone",
                         name, wal->directory, wal->writer->next_lsn() - 1, consumed_lsn);
  }
  LAMINAR_ASSIGN_OR_RETURN(
      auto reader, storage::WalReader::Open(FileSystem::Posix(), wal->directory, consumed_lsn + 1));
  std::vector<SourceMessage> messages;
  storage::WalRecord record;
  uint64_t replayed = 0;
  auto flush = [&]() -> Status {
    if (messages.empty()) return Status::Ok();
    Status status = reactor_.Execute([&] { return reactor_.Replay(name, messages); });
    messages.clear();
    return status;
  };
  for (;;) {
    LAMINAR_ASSIGN_OR_RETURN(bool more, reader->Next(&record));
    if (!more) break;
    if (record.lsn <= consumed_lsn) continue;
    LAMINAR_ASSIGN_OR_RETURN(SourceMessage message,
                             runtime::DecodeSourceMessage(
                                 record.payload, source.schema(),
                                 fmt::format("WAL of source \"{}\", record {}", name, record.lsn)));
    message.lsn = record.lsn;
    messages.push_back(std::move(message));
    ++replayed;
    if (messages.size() >= 4096) LAMINAR_RETURN_IF_ERROR(flush());
  }
  LAMINAR_RETURN_IF_ERROR(flush());
  if (replayed > 0) {
    LAMINAR_LOG(kInfo, "source {}: replayed {} WAL records after position {}", name, replayed,
                consumed_lsn);
  }
  return Status::Ok();
}

void LaminarDB::Impl::RememberWalPositions(const storage::CheckpointData& data) {
  std::map<std::string, uint64_t> positions;  // WAL directory -> position.
  for (const auto& [name, wal] : data.wals) {
    auto offset = data.source_offsets.find(name);
    positions[wal.directory] = offset == data.source_offsets.end() ? 0 : offset->second;
  }
  retained_offsets_.push_back(std::move(positions));
  while (retained_offsets_.size() > kRetainedCheckpoints) retained_offsets_.pop_front();
}

void LaminarDB::Impl::TruncateWals(const storage::CheckpointData& data) {
  RememberWalPositions(data);
  // A log must still hold what any kept checkpoint that knows it has not consumed.
  for (const auto& [name, source] : sources_) {
    const auto& wal = source->wal();
    if (wal == nullptr) continue;
    std::optional<uint64_t> needed;
    for (const auto& positions : retained_offsets_) {
      auto it = positions.find(wal->relative_directory);
      if (it != positions.end()) needed = std::min(needed.value_or(it->second), it->second);
    }
    if (!needed) continue;
    Result<size_t> removed = wal->writer->Truncate(*needed + 1);
    if (!removed.ok()) {
      LAMINAR_LOG(kWarning, "source {}: truncating its WAL failed: {}", name,
                  removed.status().ToString());
    }
  }
}

void LaminarDB::Impl::ResetLocked() {
  keep_logs_ = true;
  std::vector<std::string> names;
  for (const auto& [name, statement] : catalog_log_) names.push_back(name);
  // Every object, including implicit ones (LATE DATA TO streams), dependents first.
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    std::vector<std::string> dropped;
    const sql::CatalogObject* object = catalog_.Find(*it);
    if (object == nullptr) continue;
    (void)catalog_.Drop(object->kind, *it, /*if_exists=*/true, /*cascade=*/true, &dropped);
    for (const std::string& name : dropped) TearDown(name);
  }
  catalog_log_.clear();
  keep_logs_ = false;
}

Status LaminarDB::Impl::ApplyCheckpointLocked(const storage::CheckpointData& data,
                                              bool replay_wal) {
  replaying_ = true;
  applying_ = &data;
  Status status = [&]() -> Status {
    for (const std::string& text : data.catalog) {
      LAMINAR_ASSIGN_OR_RETURN(std::vector<sql::StatementPtr> statements, sql::ParseScript(text));
      for (const sql::StatementPtr& statement : statements) {
        Result<QueryResult> result = ExecuteStatement(*statement, text);
        if (!result.ok()) {
          return Status::Error(result.status().code(),
                               "checkpoint {}: recreating the catalog failed at \"{}\": {}",
                               data.id, text, result.status().message());
        }
      }
    }
    for (const storage::CheckpointSection& section : data.sections) {
      const std::string context =
          fmt::format("checkpoint {}, {} \"{}\"", data.id, section.kind, section.name);
      if (section.kind == "table") {
        auto table = tables_.find(section.name);
        if (table == tables_.end()) {
          return Status::Error(ErrorCode::kCorruption, "{}: no such table", context);
        }
        storage::StateReader reader(section.bytes, context);
        reader.ReadVersion(1);
        Batch rows = reader.BatchOf();
        LAMINAR_RETURN_IF_ERROR(reader.Finish());
        LAMINAR_ASSIGN_OR_RETURN(Batch typed, Batch::Make(table->second->schema(), rows.columns()));
        LAMINAR_RETURN_IF_ERROR(table->second->Replace(typed));
      } else if (section.kind == "view") {
        auto view = views_.find(section.name);
        if (view == views_.end()) {
          return Status::Error(ErrorCode::kCorruption, "{}: no such view", context);
        }
        LAMINAR_RETURN_IF_ERROR(view->second->LoadState(section.bytes, context));
      } else if (section.kind == "source" || section.kind == "query") {
        const bool is_source = section.kind == "source";
        LAMINAR_RETURN_IF_ERROR(reactor_.Execute([&] {
          return is_source ? reactor_.RestoreSource(section.name, section.bytes)
                           : reactor_.RestoreQuery(section.name, section.bytes);
        }));
      } else {
        return Status::Error(ErrorCode::kCorruption, "{}: unknown kind of state", context);
      }
    }
    LAMINAR_RETURN_IF_ERROR(reactor_.Execute([&] {
      for (const auto& [name, watermark] : data.watermarks) {
        if (sources_.count(name) == 0) reactor_.RestoreWatermark(name, watermark);
      }
      return Status::Ok();
    }));
    // Sinks: what the restored checkpoint committed is published, the rest discarded (the
    // replay below produces it again). Only now that the state is restored, so a checkpoint
    // that fails earlier never touches a sink's output.
    for (const auto& [name, sink] : sinks_) {
      auto committed = data.sink_epochs.find(name);
      Status recovered = sink->Recover(committed == data.sink_epochs.end() ? 0 : committed->second);
      if (recovered.ok()) recovered = sink->Open(next_checkpoint_id_);
      if (!recovered.ok()) {
        return Status::Error(recovered.code(), "checkpoint {}: sink \"{}\": {}", data.id, name,
                             recovered.message());
      }
    }
    // The WAL: what was pushed after the checkpoint's positions, in order.
    for (const auto& [name, source] : sources_) {
      if (source->wal() == nullptr) continue;
      if (!replay_wal) {
        // RESTORE: the records after the checkpoint are discarded for good; the source
        // resumes at the end of its log.
        const uint64_t end = source->wal()->writer->next_lsn() - 1;
        LAMINAR_RETURN_IF_ERROR(
            reactor_.Execute([&] { return reactor_.SetConsumedLsn(name, end); }));
        continue;
      }
      auto offset = data.source_offsets.find(name);
      Status replayed =
          ReplayWalLocked(name, *source, offset == data.source_offsets.end() ? 0 : offset->second);
      if (!replayed.ok()) {
        return Status::Error(replayed.code(),
                             "checkpoint {}: replaying the WAL of source \"{}\": {}", data.id, name,
                             replayed.message());
      }
    }
    // The producers of the last run died with it: their watermarks no longer hold a source
    // back (the source's own watermark stays).
    LAMINAR_RETURN_IF_ERROR(reactor_.Execute([&] {
      for (const auto& [name, source] : sources_) reactor_.ForgetProducers(name);
      return Status::Ok();
    }));
    // Connectors continue after the rows their source consumed before the checkpoint; one
    // that had delivered everything is done.
    for (auto it = connectors_.begin(); it != connectors_.end();) {
      LAMINAR_ASSIGN_OR_RETURN(SourceStatus source, SourceStatusLocked(it->first));
      if (source.ended) {
        connector_started_.erase(it->first);
        it = connectors_.erase(it);
        continue;
      }
      if (source.rows > 0) {
        Status resumed = it->second->ResumeAfter(static_cast<uint64_t>(source.rows));
        if (!resumed.ok()) {
          return Status::Error(resumed.code(), "checkpoint {}: source \"{}\": {}", data.id,
                               it->first, resumed.message());
        }
      }
      ++it;
    }
    if (started_) {
      for (auto& [name, connector] : connectors_) LAMINAR_RETURN_IF_ERROR(StartConnector(name));
    }
    return Status::Ok();
  }();
  replaying_ = false;
  applying_ = nullptr;
  return status;
}

Status LaminarDB::Impl::OpenDurable() {
  FileSystem* fs = FileSystem::Posix();
  const std::string& dir = *config_.data_dir;
  LAMINAR_RETURN_IF_ERROR(fs->CreateDirectories(dir));
  // One process at a time: the lock goes away with the process, however it ends.
  const std::string lock_path = JoinPath(dir, "LOCK");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    return Status::Error(ErrorCode::kIoError, "cannot open {}: {}", lock_path,
                         std::strerror(errno));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::Error(ErrorCode::kFileExists,
                         "data directory {} is in use by another process (it holds {})", dir,
                         lock_path);
  }
  if (config_.checkpoint_s3) {
    storage::S3Config s3;
    s3.endpoint = config_.checkpoint_s3->endpoint;
    s3.region = config_.checkpoint_s3->region;
    s3.bucket = config_.checkpoint_s3->bucket;
    s3.prefix = config_.checkpoint_s3->prefix;
    s3.access_key_id = config_.checkpoint_s3->access_key_id;
    s3.secret_access_key = config_.checkpoint_s3->secret_access_key;
    LAMINAR_ASSIGN_OR_RETURN(objects_, storage::S3ObjectStore::Create(std::move(s3)));
  } else {
    LAMINAR_ASSIGN_OR_RETURN(auto local, storage::LocalObjectStore::Open(fs, dir));
    // Temporary files of puts a crash interrupted.
    LAMINAR_RETURN_IF_ERROR(local->RemoveTemporaryFiles().status());
    objects_ = std::move(local);
  }
  store_ = std::make_unique<storage::CheckpointStore>(objects_.get(),
                                                      static_cast<int>(kRetainedCheckpoints));
  std::lock_guard<std::mutex> lock(mutex_);
  default_wal_mode_ = config_.wal_mode;
  LAMINAR_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, store_->List());
  if (!ids.empty()) next_checkpoint_id_ = ids.back() + 1;
  std::vector<std::string> failures;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    Result<storage::CheckpointData> data = store_->Read(*it);
    Status status = data.ok() ? ApplyCheckpointLocked(*data) : data.status();
    if (status.ok()) {
      if (!failures.empty()) {
        LAMINAR_LOG(kWarning, "recovered from checkpoint {} after newer ones failed: {}", *it,
                    fmt::join(failures, "; "));
      }
      recovered_checkpoint_ = *it;
      break;
    }
    failures.push_back(status.ToString());
    ResetLocked();
  }
  if (!ids.empty() && !recovered_checkpoint_) {
    return Status::Error(ErrorCode::kCorruption,
                         "data directory {}: none of its {} checkpoints can be restored: {}", dir,
                         ids.size(), fmt::join(failures, "; "));
  }
  // The WAL positions every kept checkpoint needs, for truncation.
  retained_offsets_.clear();
  for (uint64_t id : ids) {
    if (recovered_checkpoint_ && id > *recovered_checkpoint_) continue;
    Result<storage::CheckpointData> manifest = store_->ReadManifest(id);
    if (manifest.ok()) RememberWalPositions(*manifest);
  }
  if (config_.checkpoint_interval) SetCheckpointInterval(*config_.checkpoint_interval);
  opened_ = true;
  StartCheckpointer();
  return Status::Ok();
}

void LaminarDB::Impl::SetCheckpointInterval(std::chrono::milliseconds interval) {
  {
    std::lock_guard<std::mutex> lock(checkpointer_mutex_);
    if (checkpoint_interval_.count() > 0 && checkpoint_interval_ <= interval) return;
    checkpoint_interval_ = interval;
  }
  checkpointer_wake_.notify_all();
}

void LaminarDB::Impl::StartCheckpointer() {
  // Ring 1: waits for the shortest interval asked for (the database's, or a source's
  // checkpoint_interval), then checkpoints; idle while no interval is set.
  checkpointer_ = std::thread([this] {
    NameCurrentThread("ldb-checkpoint");
    std::unique_lock<std::mutex> lock(checkpointer_mutex_);
    while (!checkpointer_stop_) {
      const std::chrono::milliseconds interval = checkpoint_interval_;
      if (interval.count() == 0) {
        checkpointer_wake_.wait(lock);
        continue;
      }
      if (checkpointer_wake_.wait_for(lock, interval, [&] {
            return checkpointer_stop_ || checkpoint_interval_ != interval;
          })) {
        continue;  // Stopping, or the interval changed: wait again with the new one.
      }
      lock.unlock();
      Result<std::optional<uint64_t>> id = Checkpoint();
      if (!id.ok() && id.status().code() != ErrorCode::kClosed) {
        LAMINAR_LOG(kError, "periodic checkpoint failed: {}", id.status().ToString());
      }
      lock.lock();
    }
  });
}

void LaminarDB::Impl::StopCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(checkpointer_mutex_);
    checkpointer_stop_ = true;
  }
  checkpointer_wake_.notify_all();
  if (checkpointer_.joinable() && checkpointer_.get_id() != std::this_thread::get_id()) {
    checkpointer_.join();
  }
}

Status LaminarDB::Impl::CloseSourcesLocked(std::string_view name) {
  for (auto& [source_name, source] : sources_) {
    if (!name.empty() && source_name != name) continue;
    if (source->closed()) continue;
    SourceMessage message;
    message.kind = SourceMessage::Kind::kClose;
    LAMINAR_RETURN_IF_ERROR(EnqueueMessage(*source, source->statement_producer(),
                                           SourceState::kStatementProducer, false, message));
    source->MarkClosed();
  }
  if (!name.empty() && sources_.find(name) == sources_.end()) {
    return Status::Error(ErrorCode::kUnknownObject, "source \"{}\" does not exist", name);
  }
  return Status::Ok();
}

Status LaminarDB::Impl::ExecuteScript(
    std::string_view sql, const std::function<Status(int, const QueryResult&)>& on_result) {
  std::string text;
  std::vector<sql::StatementPtr> statements;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return ClosedError("the database");
    const std::vector<std::pair<std::string, std::string>>& variables = config_.variables;
    LAMINAR_ASSIGN_OR_RETURN(text,
                             sql::SubstituteVariables(sql, [&variables](std::string_view name) {
                               for (const auto& [key, value] : variables) {
                                 if (key == name) return std::optional<std::string>(value);
                               }
                               const char* value = std::getenv(std::string(name).c_str());
                               return value ? std::optional<std::string>(value) : std::nullopt;
                             }));
    LAMINAR_ASSIGN_OR_RETURN(statements, sql::ParseScript(text));
  }
  int index = 0;
  for (const sql::StatementPtr& statement : statements) {
    Result<QueryResult> result = [&]() -> Result<QueryResult> {
      std::lock_guard<std::mutex> lock(mutex_);
      if (shut_down_) return ClosedError("the database");
      return ExecuteStatement(*statement, text);
    }();
    if (!result.ok()) return std::move(result).status();
    // Outside the lock: the callback may subscribe, sync or execute more statements.
    if (on_result) LAMINAR_RETURN_IF_ERROR(on_result(index, *result));
    ++index;
  }
  return Status::Ok();
}

Result<QueryResult> LaminarDB::Impl::ExecuteStatement(const sql::Statement& statement,
                                                      std::string_view text) {
  sql::Binder binder(catalog_, functions::FunctionRegistry::BuiltIn(), MakeBinderOptions());
  LAMINAR_ASSIGN_OR_RETURN(sql::BoundStatement bound, binder.Bind(statement, text));
  if (auto* create = std::get_if<sql::BoundCreate>(&bound)) {
    return ExecuteCreate(std::move(*create), statement);
  }
  if (auto* insert = std::get_if<sql::BoundInsert>(&bound)) return ExecuteInsert(*insert);
  if (auto* update = std::get_if<sql::BoundUpdate>(&bound)) return ExecuteUpdate(*update);
  if (auto* drop = std::get_if<sql::BoundDrop>(&bound)) return ExecuteDrop(*drop);
  if (auto* query = std::get_if<sql::BoundQuery>(&bound)) {
    // Everything pushed before the query is processed first (tables are written directly,
    // but later issues read materialized views maintained by the reactor).
    LAMINAR_RETURN_IF_ERROR(reactor_.Execute([this] { return reactor_.DrainPending(); }));
    LAMINAR_ASSIGN_OR_RETURN(
        Batch rows, exec::ExecuteBoundedQuery(*query->plan, *this, evaluator_options_, this));
    QueryResult result;
    result.tag = fmt::format("SELECT {}", rows.num_rows());
    result.rows_affected = rows.num_rows();
    result.rows = std::move(rows);
    return result;
  }
  if (auto* explain = std::get_if<sql::BoundExplain>(&bound)) {
    std::vector<std::vector<std::string>> lines;
    std::string_view rest = explain->text;
    while (!rest.empty()) {
      const size_t end = rest.find('\n');
      lines.push_back({std::string(rest.substr(0, end))});
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
    QueryResult result;
    result.tag = "EXPLAIN";
    LAMINAR_ASSIGN_OR_RETURN(Batch rows,
                             TextRows(Schema::Make({{"plan", DataType::Varchar(), false}}), lines));
    result.rows = std::move(rows);
    return result;
  }
  if (std::holds_alternative<sql::BoundSubscribe>(bound)) {
    return Status::Error(ErrorCode::kNotSupported,
                         "SUBSCRIBE is a statement of the server protocols; an embedded program "
                         "calls LaminarDB::Subscribe(name)")
        .WithPosition(statement.position);
  }
  return ExecuteUtility(std::get<sql::BoundUtility>(bound), statement);
}

Status LaminarDB::Impl::CreateSource(const sql::CatalogObject& object) {
  std::optional<WalMode> wal_mode;
  std::string wal_relative;
  if (replaying_ && applying_ != nullptr) {
    // Recovery and RESTORE: the WAL the checkpoint names (its mode may have come from a
    // default that is not in the CREATE statement), or none.
    if (auto it = applying_->wals.find(object.name); it != applying_->wals.end()) {
      wal_mode = it->second.mode == "sync" ? WalMode::kSync : WalMode::kAsync;
      wal_relative = it->second.directory;
    }
  } else {
    wal_mode = default_wal_mode_;
    if (auto it = object.options.find("wal_mode"); it != object.options.end()) {
      wal_mode = it->second == "sync" ? WalMode::kSync : WalMode::kAsync;
    }
    if (wal_mode && !object.connector.empty()) wal_mode.reset();  // Connectors replay instead.
    // Each incarnation of a source name has its own log, so a checkpoint from before a DROP
    // and CREATE never reads the new one.
    wal_relative = WalRelativeDirectory(object.name, next_checkpoint_id_);
  }
  if (auto it = object.options.find("backpressure");
      wal_mode && it != object.options.end() && it->second == "drop_oldest") {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "backpressure 'drop_oldest' discards rows the WAL has logged, so "
                         "recovery would bring them back; use 'block' or 'reject' with a WAL");
  }
  stream::ChannelOptions options;
  options.capacity = config_.buffer_size;
  options.clock = clock_;
  if (auto it = object.options.find("buffer_size"); it != object.options.end()) {
    const long long size = std::stoll(it->second);
    if (size > 0) options.capacity = static_cast<size_t>(size);  // 0: the database default.
  }
  if (auto it = object.options.find("backpressure"); it != object.options.end()) {
    options.backpressure = ParseBackpressure(it->second);
  }
  if (auto it = object.options.find("wait_strategy"); it != object.options.end()) {
    options.wait_strategy = ParseWaitStrategy(it->second);
  }
  LAMINAR_RETURN_IF_ERROR(stream::ValidateChannelOptions(options));
  LAMINAR_ASSIGN_OR_RETURN(auto channel, stream::Channel<SourceMessage>::Create(options));
  // Statements push whole batches, so their channel needs few slots; they always block.
  stream::ChannelOptions statement_options;
  statement_options.capacity = 1024;
  statement_options.wait_strategy = stream::WaitStrategy::Park();
  statement_options.clock = clock_;
  LAMINAR_ASSIGN_OR_RETURN(auto statement_channel,
                           stream::Channel<SourceMessage>::Create(statement_options));

  runtime::EventTimeSpec event_time;
  if (object.watermark) {
    event_time.column = object.schema->FieldIndex(object.watermark->column).value_or(0);
    event_time.delay_micros = object.watermark->delay_micros;
    const TypeId type = object.schema->field(event_time.column).type.id();
    if (type == TypeId::kBigInt || type == TypeId::kInteger) {
      auto unit = object.options.find("ts_unit");
      event_time.micros_per_unit = unit != object.options.end() && unit->second == "us" ? 1 : 1000;
    }
  }
  // Durations were checked by the binder; its errors carry the option's position.
  if (auto it = object.options.find("idle_timeout"); it != object.options.end()) {
    LAMINAR_ASSIGN_OR_RETURN(event_time.idle_timeout_micros, DurationMicros(it->second));
  }
  if (auto it = object.options.find("max_future_skew"); it != object.options.end()) {
    if (it->second == "0" || it->second == "none") {
      event_time.max_future_skew_micros.reset();
    } else {
      LAMINAR_ASSIGN_OR_RETURN(event_time.max_future_skew_micros, DurationMicros(it->second));
    }
  }
  auto source =
      std::make_shared<SourceState>(object.name, object.schema, event_time, std::move(channel),
                                    std::move(statement_channel), reactor_.doorbell());
  if (wal_mode) {
    auto wal = std::make_shared<runtime::SourceWal>();
    wal->sync = *wal_mode == WalMode::kSync;
    wal->relative_directory = wal_relative;
    wal->directory = JoinPath(*config_.data_dir, wal_relative);
    FileSystem* fs = FileSystem::Posix();
    // A new source starts a new log; recovery reopens the one it had.
    if (!replaying_) LAMINAR_RETURN_IF_ERROR(fs->DeleteRecursively(wal->directory));
    storage::WalOptions options;
    options.sync_mode = wal->sync ? storage::WalSyncMode::kSync : storage::WalSyncMode::kAsync;
    options.segment_size = config_.wal_segment_size;
    LAMINAR_ASSIGN_OR_RETURN(wal->writer, storage::WalWriter::Open(fs, wal->directory, options));
    if (!wal->writer->recovery().torn.ok()) {
      LAMINAR_LOG(kWarning, "source {}: {}", object.name, wal->writer->recovery().torn.ToString());
    }
    source->set_wal(std::move(wal));
  }
  auto outlet = std::make_shared<Outlet>(object.name, object.schema, object.changelog);
  LAMINAR_RETURN_IF_ERROR(reactor_.Execute([this, source, outlet] {
    reactor_.AddSource(source, outlet);
    return Status::Ok();
  }));
  sources_[object.name] = source;
  outlets_[object.name] = outlet;
  return Status::Ok();
}

namespace {

/// Adapts a source handle to the connector interface.
class HandleWriter final : public connectors::SourceWriter {
 public:
  explicit HandleWriter(SourceHandle handle) : handle_(std::move(handle)) {}
  Status PushBatch(const Batch& batch) override { return handle_.PushBatch(batch); }
  bool HasCapacity() const override { return handle_.HasCapacity(); }
  Status Close() override { return handle_.Close(); }

 private:
  SourceHandle handle_;
};

}  // namespace

Status LaminarDB::Impl::StartConnector(const std::string& name) {
  if (connector_started_[name]) return Status::Ok();
  auto source = sources_.find(name);
  if (source == sources_.end()) return Status::Error(ErrorCode::kInternal, "no source {}", name);
  LAMINAR_ASSIGN_OR_RETURN(auto producer, source->second->TakeFirstProducer());
  auto state = std::make_unique<SourceHandle::State>();
  state->source = source->second;
  state->producer = std::move(producer);
  state->producer_id = state->source->NewProducerId();
  state->first = true;
  connector_started_[name] = true;
  return connectors_.at(name)->Start(
      std::make_unique<HandleWriter>(SourceHandle(std::move(state))));
}

void LaminarDB::Impl::TearDown(const std::string& name) {
  if (auto it = connectors_.find(name); it != connectors_.end()) {
    it->second->Stop();
    connectors_.erase(it);
    connector_started_.erase(name);
  }
  (void)reactor_.Execute([this, &name] {
    reactor_.RemoveObject(name);
    return Status::Ok();
  });
  if (auto it = sources_.find(name); it != sources_.end()) {
    if (const auto& wal = it->second->wal(); wal != nullptr) {
      std::lock_guard<std::mutex> lock(wal->order);  // No append is in progress.
      it->second->MarkClosed();
      (void)wal->writer->Close();
      // DROP forgets the source's log; recovery and RESTORE reopen it.
      if (!keep_logs_) (void)FileSystem::Posix()->DeleteRecursively(wal->directory);
    }
    it->second->MarkClosed();
    sources_.erase(it);
  }
  if (auto it = outlets_.find(name); it != outlets_.end()) {
    it->second->Close();
    outlets_.erase(it);
  }
  tables_.erase(name);
  views_.erase(name);
  sinks_.erase(name);
}

Result<QueryResult> LaminarDB::Impl::ExecuteCreate(sql::BoundCreate create,
                                                   const sql::Statement& statement) {
  const sql::CatalogObject& object = create.object;
  QueryResult result;
  result.tag = fmt::format("CREATE {}", sql::ObjectKindKeyword(object.kind));
  result.object_name = object.name;
  const sql::CatalogObject* existing = catalog_.Find(object.name);
  if (existing != nullptr && create.mode == sql::CreateMode::kIfNotExists) return result;

  // Plan first: a statement that cannot run changes nothing.
  std::unique_ptr<exec::Dataflow> flow;
  std::unique_ptr<connectors::SourceConnector> connector;
  std::shared_ptr<connectors::SinkConnector> sink;
  switch (object.kind) {
    case sql::ObjectKind::kStream:
    case sql::ObjectKind::kSink: {
      const auto delivery = object.options.find("delivery");
      if (object.connector.empty() && delivery != object.options.end()) {
        return Status::Error(ErrorCode::kNotSupported,
                             "delivery applies to a sink with a connector (INTO FILES ...); an "
                             "in-process sink delivers to its subscriptions")
            .WithPosition(statement.position);
      }
      if (!object.connector.empty()) {
        auto made =
            connectors::CreateSinkConnector(object.connector, object.connector_options,
                                            object.format, object.schema, FileSystem::Posix());
        if (!made.ok()) return std::move(made).status().WithPosition(statement.position);
        sink = std::move(*made);
        if (object.changelog && !sink->accepts_retractions()) {
          return Status::Error(ErrorCode::kNotSupported,
                               "{} can only append, but this sink's query retracts rows (a "
                               "changelog); sink an append-only stream (e.g. a windowed "
                               "aggregation emitted on window close)",
                               sink->Describe())
              .WithPosition(statement.position);
        }
        if (delivery != object.options.end() && delivery->second == "exactly_once") {
          if (store_ == nullptr) {
            return Status::Error(ErrorCode::kInvalidConfiguration,
                                 "delivery = 'exactly_once' needs checkpoints: open the database "
                                 "with a data_dir")
                .WithPosition(statement.position);
          }
          if (sink->guarantee() != connectors::DeliveryGuarantee::kExactlyOnce) {
            return Status::Error(ErrorCode::kNotSupported,
                                 "{} delivers at least once; it cannot give exactly_once",
                                 sink->Describe())
                .WithPosition(statement.position);
          }
          // Exactly once needs every row to come back after a crash: each source upstream
          // must log its pushes (a WAL) or be replayable (a connector).
          if (std::string unsafe = SourceWithoutReplay(object.dependencies); !unsafe.empty()) {
            return Status::Error(ErrorCode::kInvalidConfiguration,
                                 "delivery = 'exactly_once': source \"{}\" has no WAL, so rows "
                                 "pushed after the last checkpoint would be lost by a crash; "
                                 "create it WITH (wal_mode = 'sync')",
                                 unsafe)
                .WithPosition(statement.position);
          }
        }
      }
      // Planned first, so that a stateful operator not built yet (a join) is reported as such
      // rather than as a query without state.
      LAMINAR_ASSIGN_OR_RETURN(
          flow, exec::PlanContinuousQuery(*create.plan, evaluator_options_, MakePlanOptions()));
      if (object.options.count("state_ttl") > 0 && !ContainsStatefulOperator(*create.plan)) {
        return Status::Error(ErrorCode::kNotSupported,
                             "state_ttl applies to stateful operators (GROUP BY, joins of "
                             "streams, Top-N); this query keeps no such state")
            .WithPosition(statement.position);
      }
      break;
    }
    case sql::ObjectKind::kMaterializedView: {
      LAMINAR_ASSIGN_OR_RETURN(
          flow, exec::PlanContinuousQuery(*create.plan, evaluator_options_, MakePlanOptions()));
      break;
    }
    case sql::ObjectKind::kLookupTable:
      return Status::Error(ErrorCode::kNotSupported, "CREATE LOOKUP TABLE is not executable yet")
          .WithPosition(statement.position);
    case sql::ObjectKind::kSource:
      if (!object.connector.empty()) {
        if (!object.format.empty()) {
          return Status::Error(ErrorCode::kNotSupported,
                               "FORMAT {} is not supported by the {} connector (it produces "
                               "columns directly)",
                               object.format, object.connector)
              .WithPosition(statement.position);
        }
        auto made = connectors::CreateSourceConnector(object.connector, object.connector_options,
                                                      object.schema);
        if (!made.ok()) return std::move(made).status().WithPosition(statement.position);
        connector = std::move(*made);
      }
      break;
    case sql::ObjectKind::kTable:
      if (!object.connector.empty()) {
        return Status::Error(ErrorCode::kNotSupported, "table connector {} is not built yet",
                             object.connector)
            .WithPosition(statement.position);
      }
      break;
  }

  // LATE DATA TO: the side streams a query feeds are created with it.
  std::vector<sql::CatalogObject> side_streams;
  if (flow != nullptr) {
    for (const exec::Dataflow::SideOutput& side : flow->side_outputs()) {
      if (catalog_.Find(side.object) != nullptr) {
        return Status::Error(ErrorCode::kDuplicateObject,
                             "LATE DATA TO {}: an object named \"{}\" already exists (the late "
                             "data stream is created with the query)",
                             side.object, side.object)
            .WithPosition(statement.position);
      }
      sql::CatalogObject late;
      late.kind = sql::ObjectKind::kStream;
      late.name = side.object;
      late.schema = side.schema;
      late.dependencies = {object.name};
      late.definition_sql =
          fmt::format("-- rows later than the allowed lateness of {}", object.name);
      side_streams.push_back(std::move(late));
    }
  }

  auto registered = catalog_.Create(object, create.mode);
  if (!registered.ok()) return std::move(registered).status().WithPosition(statement.position);
  if (existing != nullptr) TearDown(object.name);  // OR REPLACE.
  for (const sql::CatalogObject& late : side_streams) {
    auto made = catalog_.Create(late, sql::CreateMode::kCreate);
    if (!made.ok()) {
      (void)catalog_.Drop(object.kind, object.name, /*if_exists=*/true, /*cascade=*/true);
      return std::move(made).status().WithPosition(statement.position);
    }
    auto outlet = std::make_shared<Outlet>(late.name, late.schema, false);
    (void)reactor_.Execute([this, outlet] {
      reactor_.AddStream(outlet);
      return Status::Ok();
    });
    outlets_[late.name] = outlet;
  }

  Status status;
  switch (object.kind) {
    case sql::ObjectKind::kSource:
      status = CreateSource(object).WithPosition(statement.position);
      if (auto it = object.options.find("checkpoint_interval");
          status.ok() && store_ != nullptr && it != object.options.end()) {
        // The database checkpoints as often as its most demanding source asks.
        Result<int64_t> micros = DurationMicros(it->second);
        if (micros.ok()) {
          SetCheckpointInterval(std::chrono::milliseconds(std::max<int64_t>(1, *micros / 1000)));
        }
      }
      if (status.ok() && connector != nullptr) {
        connectors_[object.name] = std::move(connector);
        connector_started_[object.name] = false;
        // Recovery starts connectors once their positions are restored.
        if (started_ && !replaying_) status = StartConnector(object.name);
      }
      break;
    case sql::ObjectKind::kTable: {
      std::vector<int> key;
      for (const std::string& column : object.primary_key) {
        key.push_back(object.schema->FieldIndex(column).value_or(0));
      }
      tables_[object.name] =
          std::make_shared<TableStore>(object.name, object.schema, std::move(key));
      break;
    }
    default: {
      auto outlet = std::make_shared<Outlet>(object.name, object.schema, object.changelog);
      if (object.kind == sql::ObjectKind::kMaterializedView) {
        // The result table is keyed by the query's unique key when it has one.
        std::vector<int> key;
        const auto& unique_keys = create.plan->properties().unique_keys;
        if (!unique_keys.empty()) key = unique_keys.front();
        auto view = std::make_shared<ViewStore>(object.schema, std::move(key));
        outlet->set_view(view);
        views_[object.name] = view;
      }
      if (sink != nullptr && !replaying_) {
        // Two-phase commit (connectors/sink_connector.h); epochs follow the checkpoint ids.
        // Recovery opens its sinks once the checkpoint's state is restored.
        status = sink->Open(store_ != nullptr ? next_checkpoint_id_ : next_sink_epoch_);
      }
      if (status.ok()) {
        status = reactor_.Execute([this, &flow, outlet, &sink] {
          return reactor_.AddQuery(std::move(flow), outlet, sink);
        });
      }
      if (status.ok()) {
        outlets_[object.name] = outlet;
        if (sink != nullptr) sinks_[object.name] = sink;
      }
      break;
    }
  }
  if (!status.ok()) {
    (void)catalog_.Drop(object.kind, object.name, /*if_exists=*/true, /*cascade=*/false);
    return status;
  }
  if (store_ != nullptr) {
    LogCreate(object.name, sql::Unparse(statement));
    if (!replaying_) {
      Result<uint64_t> checkpoint = CheckpointLocked();
      if (!checkpoint.ok()) return DurabilityError(checkpoint.status());
    }
  }
  return result;
}

Result<QueryResult> LaminarDB::Impl::ExecuteInsert(const sql::BoundInsert& insert) {
  LAMINAR_ASSIGN_OR_RETURN(
      Batch rows, exec::ExecuteBoundedQuery(*insert.rows, *this, evaluator_options_, this));
  QueryResult result;
  result.tag = fmt::format("INSERT 0 {}", rows.num_rows());
  result.rows_affected = rows.num_rows();
  if (insert.target_kind == sql::ObjectKind::kTable) {
    LAMINAR_RETURN_IF_ERROR(tables_.at(insert.target)->Insert(rows));
    LAMINAR_RETURN_IF_ERROR(CheckpointAfterChange());
    return result;
  }
  SourceState& source = *sources_.at(insert.target);
  // The rows' schema is the source's column types; adopt the source's schema (names,
  // nullability) and check NOT NULL.
  LAMINAR_ASSIGN_OR_RETURN(Batch batch, Batch::Make(source.schema(), rows.columns()));
  LAMINAR_RETURN_IF_ERROR(source.CheckBatch(batch));
  if (batch.num_rows() == 0) return result;
  SourceMessage message;
  message.kind = SourceMessage::Kind::kBatch;
  message.batch = std::make_shared<const Batch>(std::move(batch));
  LAMINAR_RETURN_IF_ERROR(EnqueueMessage(source, source.statement_producer(),
                                         SourceState::kStatementProducer, false, message));
  return result;
}

Result<QueryResult> LaminarDB::Impl::ExecuteUpdate(const sql::BoundUpdate& update) {
  TableStore& table = *tables_.at(update.table);
  const sql::CatalogObject& object = *catalog_.Find(update.table);
  for (const auto& [column, value] : update.assignments) {
    for (const std::string& key : object.primary_key) {
      if (object.schema->FieldIndex(key) == column) {
        return Status::Error(ErrorCode::kNotSupported,
                             "UPDATE of PRIMARY KEY column \"{}\" is not supported; DELETE the "
                             "row and INSERT the new one",
                             key)
            .WithPosition(value->position);
      }
    }
  }
  LAMINAR_ASSIGN_OR_RETURN(Batch snapshot, table.Snapshot());
  const int64_t rows = snapshot.num_rows();
  // Which rows the statement touches.
  SelectionVector selection = SelectionVector::Identity(rows);
  if (update.where) {
    LAMINAR_ASSIGN_OR_RETURN(exec::ExpressionEvaluator predicate,
                             exec::ExpressionEvaluator::Make(update.where, evaluator_options_));
    LAMINAR_RETURN_IF_ERROR(predicate.FilterAll(snapshot, &selection));
  }
  // touched[row]: the row's position in `selection` (the rows the statement changes), or -1.
  std::vector<int64_t> touched(static_cast<size_t>(rows), -1);
  for (int64_t i = 0; i < selection.size(); ++i) touched[selection[i]] = i;
  const int64_t count = selection.size();
  // SET expressions are evaluated only for the selected rows, so a row WHERE excludes cannot
  // raise an error (10 / v WHERE v <> 0).
  std::vector<Column> new_values(static_cast<size_t>(snapshot.num_columns()));
  std::vector<bool> assigned(static_cast<size_t>(snapshot.num_columns()), false);
  for (const auto& [column, value] : update.assignments) {
    LAMINAR_ASSIGN_OR_RETURN(exec::ExpressionEvaluator evaluator,
                             exec::ExpressionEvaluator::Make(value, evaluator_options_));
    LAMINAR_ASSIGN_OR_RETURN(new_values[column], evaluator.Evaluate(snapshot, &selection));
    assigned[column] = true;
  }
  BatchBuilder builder(table.schema());
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t position = touched[row];
    if (update.is_delete && position >= 0) continue;
    std::vector<Value> values;
    for (int c = 0; c < snapshot.num_columns(); ++c) {
      values.push_back(position >= 0 && assigned[c] ? new_values[c].GetValue(position)
                                                    : snapshot.column(c).GetValue(row));
    }
    LAMINAR_RETURN_IF_ERROR(builder.AppendRow(values));
  }
  LAMINAR_ASSIGN_OR_RETURN(Batch replaced, builder.Finish());
  LAMINAR_RETURN_IF_ERROR(table.Replace(replaced));
  LAMINAR_RETURN_IF_ERROR(CheckpointAfterChange());
  QueryResult result;
  result.tag = fmt::format("{} {}", update.is_delete ? "DELETE" : "UPDATE", count);
  result.rows_affected = count;
  return result;
}

Result<QueryResult> LaminarDB::Impl::ExecuteDrop(const sql::BoundDrop& drop) {
  std::vector<std::string> dropped;
  LAMINAR_RETURN_IF_ERROR(
      catalog_.Drop(drop.kind, drop.name, drop.if_exists, drop.cascade, &dropped));
  for (const std::string& name : dropped) {
    TearDown(name);
    LogDrop(name);
  }
  LAMINAR_RETURN_IF_ERROR(CheckpointAfterChange());
  QueryResult result;
  result.tag = fmt::format("DROP {}", sql::ObjectKindKeyword(drop.kind));
  result.object_name = drop.name;
  return result;
}

Result<QueryResult> LaminarDB::Impl::ExecuteUtility(const sql::BoundUtility& utility,
                                                    const sql::Statement& statement) {
  QueryResult result;
  switch (statement.kind) {
    case sql::StatementKind::kShowObjects: {
      const auto kind = statement.As<sql::ShowObjectsStatement>().object_kind;
      if (kind == sql::ObjectKind::kSource) {
        // Sources also show their watermark and its counters (DescribeSource).
        BatchBuilder builder(Schema::Make({{"name", DataType::Varchar(), false},
                                           {"columns", DataType::Varchar(), false},
                                           {"watermark", DataType::Varchar(), false},
                                           {"producers", DataType::BigInt(), false},
                                           {"idle_producers", DataType::BigInt(), false},
                                           {"late_rows", DataType::BigInt(), false},
                                           {"future_rows", DataType::BigInt(), false}}));
        for (const sql::CatalogObject* object : catalog_.List(kind)) {
          LAMINAR_ASSIGN_OR_RETURN(SourceStatus status, SourceStatusLocked(object->name));
          const std::vector<Value> row = {Value::Varchar(object->name),
                                          Value::Varchar(object->schema->ToString()),
                                          Value::Varchar(FormatWatermarkText(status.watermark)),
                                          Value::BigInt(status.producers),
                                          Value::BigInt(status.idle_producers),
                                          Value::BigInt(status.late_rows),
                                          Value::BigInt(status.future_rows)};
          LAMINAR_RETURN_IF_ERROR(builder.AppendRow(row));
        }
        LAMINAR_ASSIGN_OR_RETURN(Batch batch, builder.Finish());
        result.tag = "SHOW SOURCES";
        result.rows = std::move(batch);
        return result;
      }
      std::vector<std::vector<std::string>> rows;
      for (const sql::CatalogObject* object : catalog_.List(kind)) {
        rows.push_back({object->name, object->schema->ToString()});
      }
      LAMINAR_ASSIGN_OR_RETURN(Batch batch,
                               TextRows(Schema::Make({{"name", DataType::Varchar(), false},
                                                      {"columns", DataType::Varchar(), false}}),
                                        rows));
      result.tag = fmt::format("SHOW {}", PluralKeyword(kind));
      result.rows = std::move(batch);
      return result;
    }
    case sql::StatementKind::kShowCreate: {
      LAMINAR_ASSIGN_OR_RETURN(Batch batch,
                               TextRows(Schema::Make({{"definition", DataType::Varchar(), false}}),
                                        {{utility.object->definition_sql}}));
      result.tag = "SHOW CREATE";
      result.rows = std::move(batch);
      return result;
    }
    case sql::StatementKind::kDescribe: {
      const sql::CatalogObject& object = *utility.object;
      std::vector<std::vector<std::string>> rows;
      for (const Field& field : object.schema->fields()) {
        std::string notes;
        for (const std::string& key : object.primary_key) {
          if (key == field.name) notes = "primary key";
        }
        if (object.watermark && object.watermark->column == field.name) {
          if (!notes.empty()) notes += "; ";
          notes += object.watermark->delay_micros ? fmt::format("watermark: {} - {} us", field.name,
                                                                *object.watermark->delay_micros)
                                                  : "watermark: from the application";
        }
        for (const std::string& column : object.watermark_columns) {
          if (column == field.name && !object.watermark) {
            if (!notes.empty()) notes += "; ";
            notes += "watermark column";
          }
        }
        rows.push_back({field.name, field.type.ToString(), field.nullable ? "YES" : "NO", notes});
      }
      // What runs: a source's current watermark, a query's operators with theirs.
      if (object.kind == sql::ObjectKind::kSource && object.watermark) {
        LAMINAR_ASSIGN_OR_RETURN(SourceStatus status, SourceStatusLocked(object.name));
        rows.push_back(
            {"(watermark)", FormatWatermarkText(status.watermark), "",
             fmt::format("producers {} ({} idle); late rows {}; future rows {}", status.producers,
                         status.idle_producers, status.late_rows, status.future_rows)});
      }
      if (object.kind == sql::ObjectKind::kStream || object.kind == sql::ObjectKind::kSink ||
          object.kind == sql::ObjectKind::kMaterializedView) {
        std::optional<std::vector<exec::OperatorStatus>> operators;
        LAMINAR_RETURN_IF_ERROR(reactor_.Execute([&] {
          operators = reactor_.DescribeQuery(object.name);
          return Status::Ok();
        }));
        for (const exec::OperatorStatus& op :
             operators.value_or(std::vector<exec::OperatorStatus>{})) {
          std::string inputs;
          for (int64_t watermark : op.input_watermarks) {
            if (!inputs.empty()) inputs += ", ";
            inputs += FormatWatermarkText(watermark);
          }
          std::string notes = fmt::format("watermark in: {}; out: {}", inputs,
                                          FormatWatermarkText(op.output_watermark));
          if (!op.metrics.empty()) notes += "; " + op.metrics;
          rows.push_back({fmt::format("(operator {})", op.node), op.description, "", notes});
        }
      }
      LAMINAR_ASSIGN_OR_RETURN(Batch batch,
                               TextRows(Schema::Make({{"column", DataType::Varchar(), false},
                                                      {"type", DataType::Varchar(), false},
                                                      {"nullable", DataType::Varchar(), false},
                                                      {"notes", DataType::Varchar(), false}}),
                                        rows));
      result.tag = "DESCRIBE";
      result.rows = std::move(batch);
      return result;
    }
    case sql::StatementKind::kSet: {
      const auto& set = statement.As<sql::SetStatement>();
      const std::string name = set.name.ToString();
      if (name != "max_batch_rows" && name != "wal_mode") {
        return Status::Error(ErrorCode::kInvalidOption,
                             "unknown setting {}; settings: max_batch_rows, wal_mode", name)
            .WithPosition(set.name.position);
      }
      // The value: a number or a string literal.
      std::string text;
      if (set.value && set.value->kind == sql::ExpressionKind::kLiteral) {
        text = static_cast<const sql::LiteralExpression&>(*set.value).value;
      }
      if (name == "wal_mode") {
        // The WAL mode of the sources created from now on (a source's own WITH (wal_mode)
        // wins).
        if (store_ == nullptr) {
          return Status::Error(ErrorCode::kInvalidConfiguration,
                               "wal_mode needs a durable database: open it with a data_dir")
              .WithPosition(set.name.position);
        }
        if (text == "sync") {
          default_wal_mode_ = WalMode::kSync;
        } else if (text == "async") {
          default_wal_mode_ = WalMode::kAsync;
        } else if (text == "none") {
          default_wal_mode_.reset();
        } else {
          return Status::Error(ErrorCode::kInvalidOption,
                               "wal_mode is 'sync', 'async' or 'none', not '{}'", text)
              .WithPosition(set.value ? set.value->position : set.name.position);
        }
        result.tag = "SET";
        return result;
      }
      char* end = nullptr;
      const long long rows = text.empty() ? 0 : std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || rows < 1 || rows > (1 << 20)) {
        return Status::Error(ErrorCode::kInvalidOption,
                             "max_batch_rows must be an integer between 1 and 1048576")
            .WithPosition(set.value ? set.value->position : set.name.position);
      }
      reactor_.set_max_batch_rows(static_cast<size_t>(rows));
      result.tag = "SET";
      return result;
    }
    case sql::StatementKind::kShowVariable: {
      const auto& show = statement.As<sql::ShowVariableStatement>();
      const std::string name = show.name.ToString();
      if (name != "max_batch_rows" && name != "wal_mode") {
        return Status::Error(ErrorCode::kInvalidOption,
                             "unknown setting {}; settings: max_batch_rows, wal_mode", name)
            .WithPosition(show.name.position);
      }
      std::string value = std::to_string(reactor_.max_batch_rows());
      if (name == "wal_mode") {
        value = !default_wal_mode_                     ? "none"
                : *default_wal_mode_ == WalMode::kSync ? "sync"
                                                       : "async";
      }
      LAMINAR_ASSIGN_OR_RETURN(
          Batch batch, TextRows(Schema::Make({{name, DataType::Varchar(), false}}), {{value}}));
      result.tag = "SHOW";
      result.rows = std::move(batch);
      return result;
    }
    case sql::StatementKind::kCheckpoint: {
      if (store_ == nullptr) {
        return Status::Error(ErrorCode::kInvalidConfiguration,
                             "CHECKPOINT needs a durable database: open it with a data_dir")
            .WithPosition(statement.position);
      }
      LAMINAR_ASSIGN_OR_RETURN(uint64_t id, CheckpointLocked());
      LAMINAR_ASSIGN_OR_RETURN(Batch batch,
                               TextRows(Schema::Make({{"checkpoint", DataType::Varchar(), false}}),
                                        {{std::to_string(id)}}));
      result.tag = fmt::format("CHECKPOINT {}", id);
      result.rows = std::move(batch);
      return result;
    }
    case sql::StatementKind::kRestore: {
      const int64_t id = statement.As<sql::RestoreStatement>().checkpoint_id;
      if (store_ == nullptr) {
        return Status::Error(ErrorCode::kInvalidConfiguration,
                             "RESTORE needs a durable database: open it with a data_dir")
            .WithPosition(statement.position);
      }
      if (replaying_) {
        return Status::Error(ErrorCode::kNotSupported, "RESTORE inside a checkpoint's catalog")
            .WithPosition(statement.position);
      }
      Result<storage::CheckpointData> data =
          id > 0 ? store_->Read(static_cast<uint64_t>(id))
                 : Result<storage::CheckpointData>(
                       Status::Error(ErrorCode::kFileNotFound, "no checkpoint {}", id));
      if (!data.ok()) {
        LAMINAR_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, store_->List());
        return Status::Error(
                   data.status().code(), "RESTORE FROM CHECKPOINT {}: {} (checkpoints kept: {})",
                   id, data.status().message(),
                   ids.empty() ? std::string("none") : fmt::format("{}", fmt::join(ids, ", ")))
            .WithPosition(statement.position);
      }
      // Back to the checkpoint's catalog and state; a new checkpoint records that, so a
      // crash afterwards recovers the restored state rather than the newer one.
      ResetLocked();
      Status applied = ApplyCheckpointLocked(*data, /*replay_wal=*/false);
      if (!applied.ok()) {
        // Back to where the database was: the newest checkpoint and its WAL.
        ResetLocked();
        Status back = Status::Error(ErrorCode::kInternal, "no checkpoint");
        if (auto ids = store_->List(); ids.ok() && !ids->empty()) {
          Result<storage::CheckpointData> newest = store_->Read(ids->back());
          back = newest.ok() ? ApplyCheckpointLocked(*newest) : newest.status();
        }
        if (!back.ok()) inconsistent_ = true;
        return Status::Error(applied.code(), "{}{}", applied.message(),
                             back.ok() ? " (the database is back at its newest checkpoint)"
                                       : " (the newest checkpoint could not be applied again "
                                         "either; reopen the database)")
            .WithPosition(statement.position);
      }
      LAMINAR_ASSIGN_OR_RETURN(uint64_t saved, CheckpointLocked());
      result.tag = fmt::format("RESTORE {}", id);
      LAMINAR_ASSIGN_OR_RETURN(Batch batch,
                               TextRows(Schema::Make({{"restored", DataType::Varchar(), false},
                                                      {"checkpoint", DataType::Varchar(), false}}),
                                        {{std::to_string(id), std::to_string(saved)}}));
      result.rows = std::move(batch);
      return result;
    }
    default:
      break;
  }
  return Status::Error(ErrorCode::kInternal, "statement kind not handled by the runtime")
      .WithPosition(statement.position);
}

Result<SourceHandle> LaminarDB::Impl::Source(std::string_view name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shut_down_) return ClosedError("the database");
  auto it = sources_.find(name);
  if (it == sources_.end()) {
    const sql::CatalogObject* object = catalog_.Find(name);
    if (object != nullptr) {
      return Status::Error(ErrorCode::kWrongObjectKind, "\"{}\" is a {}, not a SOURCE", name,
                           sql::ObjectKindKeyword(object->kind));
    }
    return Status::Error(ErrorCode::kUnknownObject, "source \"{}\" does not exist", name);
  }
  LAMINAR_ASSIGN_OR_RETURN(auto producer, it->second->TakeFirstProducer());
  auto state = std::make_unique<SourceHandle::State>();
  state->source = it->second;
  state->producer = std::move(producer);
  state->producer_id = state->source->NewProducerId();
  state->first = true;
  return SourceHandle(std::move(state));
}

Result<Subscription> LaminarDB::Impl::Subscribe(std::string_view name,
                                                const SubscribeOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shut_down_) return ClosedError("the database");
  auto it = outlets_.find(name);
  if (it == outlets_.end()) {
    const sql::CatalogObject* object = catalog_.Find(name);
    if (object != nullptr) {
      return Status::Error(ErrorCode::kWrongObjectKind,
                           "cannot subscribe to {} \"{}\": subscriptions read sources, streams "
                           "and sinks",
                           sql::ObjectKindKeyword(object->kind), name);
    }
    return Status::Error(ErrorCode::kUnknownObject, "\"{}\" does not exist", name);
  }
  stream::ChannelOptions channel_options;
  channel_options.capacity = options.capacity;
  channel_options.backpressure = options.backpressure;
  channel_options.wait_strategy = options.wait_strategy;
  channel_options.clock = clock_;
  LAMINAR_ASSIGN_OR_RETURN(auto subscription, it->second->Subscribe(channel_options));
  auto state = std::make_unique<Subscription::State>();
  state->outlet = it->second;
  state->subscription.emplace(std::move(subscription));
  Subscription result(std::move(state));
  // A subscriber starts from the stream's current watermark, not from -infinity.
  result.watermark_ = it->second->watermark();
  return result;
}

LaminarDB::LaminarDB(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LaminarDB::~LaminarDB() = default;

Result<std::unique_ptr<LaminarDB>> LaminarDB::Open() { return Open(Config()); }

Result<std::unique_ptr<LaminarDB>> LaminarDB::Open(Config config) {
  LAMINAR_RETURN_IF_ERROR(config.Validate());
  if (config.core_affinity) {
    return Status::Error(ErrorCode::kNotSupported, "core_affinity is not supported yet");
  }
  const bool durable = config.data_dir.has_value();
  auto impl = std::make_unique<Impl>(std::move(config));
  if (durable) LAMINAR_RETURN_IF_ERROR(impl->OpenDurable());
  return std::unique_ptr<LaminarDB>(new LaminarDB(std::move(impl)));
}

Result<std::unique_ptr<LaminarDB>> DatabaseBuilder::Open() const {
  return LaminarDB::Open(config_);
}

Result<QueryResult> LaminarDB::Execute(std::string_view sql) {
  QueryResult last;
  LAMINAR_RETURN_IF_ERROR(impl_->ExecuteScript(sql, [&last](int, const QueryResult& result) {
    last = result;
    return Status::Ok();
  }));
  return last;
}

Status LaminarDB::ExecuteScript(std::string_view sql,
                                const std::function<Status(int, const QueryResult&)>& on_result) {
  return impl_->ExecuteScript(sql, on_result);
}

Result<SourceHandle> LaminarDB::Source(std::string_view name) { return impl_->Source(name); }

Result<Subscription> LaminarDB::Subscribe(std::string_view name, const SubscribeOptions& options) {
  return impl_->Subscribe(name, options);
}

Result<CallbackSubscription> LaminarDB::Subscribe(std::string_view name,
                                                  std::function<void(const ChangeBatch&)> callback,
                                                  const SubscribeOptions& options) {
  LAMINAR_ASSIGN_OR_RETURN(Subscription subscription, impl_->Subscribe(name, options));
  auto state = std::make_shared<CallbackSubscription::State>();
  state->subscription.emplace(std::move(subscription));
  state->callback = std::move(callback);
  CallbackSubscription::State* raw = state.get();
  state->thread = std::thread([raw] {
    NameCurrentThread("ldb-callback");
    while (!raw->cancelled.load(std::memory_order_acquire)) {
      Result<ChangeBatch> batch = raw->subscription->RecvTimeout(std::chrono::milliseconds(20));
      if (batch.ok()) {
        raw->callback(*batch);
      } else if (batch.status().code() != ErrorCode::kTimedOut) {
        std::lock_guard<std::mutex> lock(raw->mutex);
        if (batch.status().code() != ErrorCode::kClosed) raw->status = batch.status();
        return;
      }
    }
  });
  return CallbackSubscription(std::move(state));
}

Result<std::optional<uint64_t>> LaminarDB::Checkpoint() { return impl_->Checkpoint(); }
void LaminarDB::SimulateCrash() { impl_->Abandon(); }
CheckpointStats LaminarDB::LastCheckpoint() { return impl_->LastCheckpoint(); }
std::optional<uint64_t> LaminarDB::RecoveredCheckpoint() { return impl_->RecoveredCheckpoint(); }
Status LaminarDB::Start() { return impl_->Start(); }
Status LaminarDB::Stop() { return impl_->Stop(); }
Status LaminarDB::Sync() { return impl_->Sync(); }
Status LaminarDB::WaitForConnectors() { return impl_->WaitForConnectors(); }
Status LaminarDB::Shutdown() { return impl_->Shutdown(); }
Status LaminarDB::CloseSources(std::string_view name) { return impl_->CloseSources(name); }
Result<int64_t> LaminarDB::CurrentWatermark(std::string_view name) {
  return impl_->CurrentWatermark(name);
}
Result<SourceStatus> LaminarDB::DescribeSource(std::string_view name) {
  return impl_->DescribeSource(name);
}

}  // namespace laminar
