#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "columnar/batch.h"
#include "columnar/value.h"
#include "common/result.h"
#include "stream/channel.h"

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
/// and the end of input travel in-band, after the rows pushed before them.
struct SourceMessage {
  enum class Kind : uint8_t { kRow, kBatch, kWatermark, kClose };
  Kind kind = Kind::kRow;
  int64_t watermark = 0;               // kWatermark.
  std::vector<Value> row;              // kRow: already checked against the schema.
  std::shared_ptr<const Batch> batch;  // kBatch: already checked against the schema.
};

/// Where and how a source's event time is read (WATERMARK FOR column [AS column - delay]).
struct EventTimeSpec {
  int column = -1;
  /// Bounded out-of-orderness; absent: watermarks come only from Source::Watermark().
  std::optional<int64_t> delay_micros;
  /// Microseconds per unit of the column (1 for TIMESTAMP; 1000 for BIGINT milliseconds).
  int64_t micros_per_unit = 1;
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
/// Thread-safety: Check* are const and thread-safe; `closed` is atomic; the statement channel's
/// producer is used by the database's control thread only.
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

  /// Checks one row against the schema and converts values that widen losslessly (SMALLINT into
  /// BIGINT, INT into DOUBLE, TIMESTAMP into TIMESTAMPTZ, ...). Errors: LDB-3006 for the wrong
  /// number of values or a type that does not fit (naming the column), LDB-3005 for NULL in a
  /// NOT NULL column. A row that fails is not enqueued.
  Result<std::vector<Value>> CheckRow(std::span<const Value> row) const;
  /// CheckRow in place: converts the values that need it, leaves the rest untouched.
  Status NormalizeRow(std::vector<Value>& row) const;
  /// Checks a batch's schema (same column count and types, nullability respected).
  Status CheckBatch(const Batch& batch) const;

  /// Hands out the channel's first producer (single-producer until cloned). LDB-3007 while
  /// another handle holds it: more producers come from SourceHandle::Clone().
  Result<stream::ChannelProducer<SourceMessage>> TakeFirstProducer();
  /// Takes back the first producer when its handle is destroyed, so a later Source() call can
  /// hand it out again.
  void ReturnFirstProducer(stream::ChannelProducer<SourceMessage> producer);

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
  std::atomic<bool> closed_{false};
};

/// Converts `value` to `type` when that loses nothing (integers widen, integers to DOUBLE or
/// DECIMAL, REAL to DOUBLE, DATE to TIMESTAMP, TIMESTAMP to TIMESTAMPTZ, VARCHAR to VARCHAR).
/// Null when the conversion is not allowed or would change the value.
std::optional<Value> ConvertLossless(const Value& value, const DataType& type);

}  // namespace laminar::runtime
