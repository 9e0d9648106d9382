#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/row_record.h"
#include "columnar/value.h"
#include "common/result.h"
#include "storage/state_io.h"
#include "stream/channel.h"

namespace laminar::storage {
class WalWriter;
}  // namespace laminar::storage

namespace laminar::runtime {

/// Wakes the reactor when work arrives while it sleeps. Shared by the reactor and every source
/// handle, so a handle that outlives the database stays safe to use.
class ReactorDoorbell {
 public:
  /// Called by producers after they enqueued something: one read-modify-write when nobody
  /// sleeps, a wake-up otherwise.
  void Ring() { spot_.NotifyIfParked(); }
  stream::ParkingSpot& spot() { return spot_; }

 private:
  stream::ParkingSpot spot_;
};

/// One item in a source's channel. Rows pushed one at a time travel as kRow and are gathered
/// into a columnar batch by the reactor (adaptive batching); batches travel whole; watermarks
/// and the end of input travel in-band, after the rows pushed before them. Every item names
/// the producer (the partition of the source) that pushed it.
struct SourceMessage {
  enum class Kind : uint8_t { kRow, kBatch, kWatermark, kClose };
  Kind kind = Kind::kRow;
  uint32_t producer = 0;               // SourceState::kStatementProducer or a handle's id.
  int64_t watermark = 0;               // kWatermark.
  RowRecord row;                       // kRow: checked against the schema (EncodeRow).
  std::shared_ptr<const Batch> batch;  // kBatch: already checked against the schema.
  /// Its position in the source's WAL (0: the source has none). Positions increase in the
  /// order the reactor reads messages, so the last one read says where replay resumes.
  uint64_t lsn = 0;
};
// With its sequence, a channel slot takes 200 bytes: a source with the default buffer_size
// (65536) holds 12.5 MiB of slots. A row longer than RowRecord::kInlineBytes takes one heap
// block besides.
static_assert(sizeof(SourceMessage) <= 192);

/// Where and how a source's event time is read (WATERMARK FOR column [AS column - delay]).
struct EventTimeSpec {
  int column = -1;
  /// Bounded out-of-orderness; absent: watermarks come only from Source::Watermark().
  std::optional<int64_t> delay_micros;
  /// Microseconds per unit of the column (1 for TIMESTAMP; 1000 for BIGINT milliseconds).
  int64_t micros_per_unit = 1;
  /// WITH (idle_timeout = ...): a producer that pushed nothing for this long (engine clock) is
  /// left out of the source's watermark until it pushes again. Absent: producers never idle.
  std::optional<int64_t> idle_timeout_micros;
  /// WITH (max_future_skew = ...): a row whose event time is further ahead of the engine clock
  /// than this does not advance the watermark (it is still delivered, and counted). Absent:
  /// no guard.
  std::optional<int64_t> max_future_skew_micros = kDefaultMaxFutureSkewMicros;

  /// One day: wider than any time-zone offset (a local time stored as UTC is at most 14 hours
  /// ahead) and clock skew between hosts, narrow enough to catch garbage dates and unit
  /// mistakes (milliseconds read as microseconds), whose first row would otherwise push the
  /// watermark years ahead and make every later row late, for good.
  static constexpr int64_t kDefaultMaxFutureSkewMicros = 86'400'000'000LL;
};

/// The write-ahead log of a source (wal_mode): every message is appended to it before it
/// enters the channel, in the order the reactor will read them, so recovery can replay what
/// the last checkpoint had not consumed (docs/formats/wal.md).
struct SourceWal {
  std::unique_ptr<storage::WalWriter> writer;
  /// 'sync': a push returns once its record is on stable storage.
  bool sync = false;
  std::string directory;           // Absolute.
  std::string relative_directory;  // Below the data directory, as the manifest records it.
  /// Held across the append and the channel push, so the WAL's order is the channel's.
  std::mutex order;
  /// Guarded by `order`. The record being appended: its own bytes, in memory reused from
  /// record to record, and the views it is appended from (of those bytes and of the batch's
  /// column buffers, which are not copied into the record first).
  storage::StateWriter record;
  std::vector<std::string_view> record_parts;

  ~SourceWal();
};

/// A producer that stopped pushing: its handle was destroyed after `after_pushed` items had
/// been pushed into the source's channel. The reactor forgets the producer once it has read
/// that far, so the producer's last rows still count under its own watermark.
struct EndedProducer {
  uint32_t producer = 0;
  uint64_t after_pushed = 0;
};

/// The shared state of one source: its schema, its channels, and whether it still accepts rows.
///
/// Two channels feed a source. Application handles push into `channel()`: the first handle is
/// its only producer (the single-producer fast path), and cloning a handle upgrades it to
/// multi-producer. The database's own statements (INSERT INTO source VALUES) push into
/// `statement_channel()`, so they never force application handles into multi-producer mode.
/// As with any two producers, rows of different channels have no order between them; each
/// channel keeps its own order. The reactor drains both.
///
/// Producers and partitions: each producer (the statement channel, every handle, every clone,
/// every connector's handle) has an id, stamped on what it pushes, and is one partition of the
/// source: the reactor keeps a watermark per producer and the source's watermark is the
/// minimum over the producers that have one and are not idle (reactor.h). Connectors may later
/// declare partitions of their own (one per Kafka partition, say) as separate producers.
///
/// Thread-safety: Check* are const and thread-safe; `closed` is atomic; the statement channel's
/// producer is used by the database's control thread only; NewProducerId and EndProducer from
/// any thread; TakeEndedProducers from the reactor.
class SourceState {
 public:
  SourceState(std::string name, std::shared_ptr<const Schema> schema, EventTimeSpec event_time,
              std::unique_ptr<stream::Channel<SourceMessage>> channel,
              std::unique_ptr<stream::Channel<SourceMessage>> statement_channel,
              std::shared_ptr<ReactorDoorbell> doorbell);
  ~SourceState();

  const std::string& name() const { return name_; }
  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  const EventTimeSpec& event_time() const { return event_time_; }
  stream::Channel<SourceMessage>& channel() { return *channel_; }
  stream::Channel<SourceMessage>& statement_channel() { return *statement_channel_; }
  /// The statement channel's producer (control thread only).
  stream::ChannelProducer<SourceMessage>& statement_producer() { return statement_producer_; }
  ReactorDoorbell& doorbell() { return *doorbell_; }

  /// Checks one row against the schema, converting values that widen losslessly (SMALLINT into
  /// BIGINT, INT into DOUBLE, TIMESTAMP into TIMESTAMPTZ, ...), and encodes it into `record`
  /// for the reactor's batch builder. Errors: LDB-3006 for the wrong number of values or a type
  /// that does not fit (naming the column), LDB-3005 for NULL in a NOT NULL column, LDB-3007
  /// for a string longer than a batch's column holds (2 GiB) or a row past 3 GiB of them. A row
  /// that fails is not enqueued.
  Status EncodeRow(std::span<const Value> row, RowRecord& record) const;
  /// Checks a batch's schema (same column count and types, nullability respected).
  Status CheckBatch(const Batch& batch) const;

  /// Hands out the channel's first producer (single-producer until cloned). LDB-3007 while
  /// another handle holds it: more producers come from SourceHandle::Clone().
  Result<stream::ChannelProducer<SourceMessage>> TakeFirstProducer();
  /// Takes back the first producer when its handle is destroyed, so a later Source() call can
  /// hand it out again.
  void ReturnFirstProducer(stream::ChannelProducer<SourceMessage> producer);

  /// The producer id of the statement channel (INSERT INTO, CloseSources).
  static constexpr uint32_t kStatementProducer = 0;
  /// A fresh producer id for a new handle (1, 2, ...).
  uint32_t NewProducerId() { return next_producer_id_.fetch_add(1, std::memory_order_relaxed); }
  /// Records that producer `id` (of the application channel) will push nothing more; its
  /// watermark stops holding the source's back once everything it pushed has been read.
  void EndProducer(uint32_t id);
  /// The ended producers whose items have all been read (`read`: items of the application
  /// channel consumed or dropped so far). Reactor only; cheap when none ended.
  std::vector<EndedProducer> TakeEndedProducers(uint64_t read);
  bool HasEndedProducers() const { return has_ended_.load(std::memory_order_acquire); }

  /// The source's WAL, null without one.
  const std::shared_ptr<SourceWal>& wal() const { return wal_; }
  /// Gives the source a WAL. Its statements then push into the application channel (a
  /// second producer, so the channel is multi-producer from the start): with one channel the
  /// reactor reads messages in WAL order, and the last position read says what replay skips.
  /// REQUIRES: before the source is shared (no handle yet).
  void set_wal(std::shared_ptr<SourceWal> wal);

  /// Closed by DROP, Shutdown() or Close(): later pushes fail with LDB-3010.
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  /// Marks the source closed (idempotent). Returns true for the first call.
  bool MarkClosed() { return !closed_.exchange(true, std::memory_order_acq_rel); }

 private:
  std::string name_;
  std::shared_ptr<const Schema> schema_;
  EventTimeSpec event_time_;
  std::unique_ptr<stream::Channel<SourceMessage>> channel_;
  std::unique_ptr<stream::Channel<SourceMessage>> statement_channel_;
  stream::ChannelProducer<SourceMessage> statement_producer_;  // Declared after its channel.
  std::mutex first_producer_mutex_;  // Guards first_producer_ and first_producer_created_.
  stream::ChannelProducer<SourceMessage> first_producer_;
  bool first_producer_created_ = false;
  std::shared_ptr<ReactorDoorbell> doorbell_;
  std::shared_ptr<SourceWal> wal_;
  std::atomic<bool> closed_{false};
  std::atomic<uint32_t> next_producer_id_{kStatementProducer + 1};
  std::mutex ended_mutex_;  // Guards ended_.
  std::vector<EndedProducer> ended_;
  std::atomic<bool> has_ended_{false};
};

/// Converts `value` to `type` when that loses nothing (integers widen, integers to DOUBLE or
/// DECIMAL, REAL to DOUBLE, DATE to TIMESTAMP, TIMESTAMP to TIMESTAMPTZ, VARCHAR to VARCHAR).
/// Null when the conversion is not allowed or would change the value.
std::optional<Value> ConvertLossless(const Value& value, const DataType& type);

}  // namespace laminar::runtime
