#include "runtime/source_state.h"

#include <cmath>
#include <limits>

#include "columnar/decimal.h"
#include "common/status.h"
#include "storage/wal/wal_writer.h"

namespace laminar::runtime {

SourceWal::~SourceWal() = default;

namespace {

bool IsInteger(TypeId id) {
  return id == TypeId::kTinyInt || id == TypeId::kSmallInt || id == TypeId::kInteger ||
         id == TypeId::kBigInt;
}

bool FitsInteger(int64_t value, TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
      return value >= INT8_MIN && value <= INT8_MAX;
    case TypeId::kSmallInt:
      return value >= INT16_MIN && value <= INT16_MAX;
    case TypeId::kInteger:
      return value >= INT32_MIN && value <= INT32_MAX;
    default:
      return true;
  }
}

Value MakeInteger(int64_t value, TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
      return Value::TinyInt(static_cast<int8_t>(value));
    case TypeId::kSmallInt:
      return Value::SmallInt(static_cast<int16_t>(value));
    case TypeId::kInteger:
      return Value::Integer(static_cast<int32_t>(value));
    default:
      return Value::BigInt(value);
  }
}

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

}  // namespace

std::optional<Value> ConvertLossless(const Value& value, const DataType& type) {
  if (value.is_null()) return Value::Null(type);
  const DataType& from = value.type();
  if (from == type) return value;
  const TypeId to = type.id();
  if (IsInteger(from.id())) {
    const int64_t v = value.integer();
    if (IsInteger(to)) {
      // Integer literals from C++ are usually int or int64_t: accept any value that fits.
      if (!FitsInteger(v, to)) return std::nullopt;
      return MakeInteger(v, to);
    }
    if (to == TypeId::kDouble) {
      const double d = static_cast<double>(v);
      if (static_cast<int64_t>(d) != v && std::abs(d) < 9.2e18) return std::nullopt;
      return Value::Double(d);
    }
    if (to == TypeId::kDecimal) {
      const Decimal128 unscaled = static_cast<Decimal128>(v) * PowerOfTen(type.scale());
      if (!DecimalFitsPrecision(unscaled, type.precision())) return std::nullopt;
      return Value::Decimal(unscaled, type);
    }
    return std::nullopt;
  }
  if (from.id() == TypeId::kReal && to == TypeId::kDouble) return Value::Double(value.floating());
  if (from.id() == TypeId::kDouble && to == TypeId::kReal) {
    const double d = value.floating();
    const float f = static_cast<float>(d);
    if (static_cast<double>(f) != d && !std::isnan(d)) return std::nullopt;
    return Value::Real(f);
  }
  if (from.id() == TypeId::kDecimal && to == TypeId::kDecimal) {
    auto rescaled = RescaleDecimal(value.decimal(), from.scale(), type.scale(), type.precision());
    if (!rescaled.ok()) return std::nullopt;
    // Rescaling down may round: only exact conversions are lossless.
    auto back = RescaleDecimal(*rescaled, type.scale(), from.scale(), 38);
    if (!back.ok() || *back != value.decimal()) return std::nullopt;
    return Value::Decimal(*rescaled, type);
  }
  if (from.id() == TypeId::kDate && (to == TypeId::kTimestamp || to == TypeId::kTimestampTz)) {
    const int64_t micros = value.integer() * kMicrosPerDay;
    return to == TypeId::kTimestamp ? Value::Timestamp(micros) : Value::TimestampTz(micros);
  }
  if (from.id() == TypeId::kTimestamp && to == TypeId::kTimestampTz) {
    return Value::TimestampTz(value.integer());
  }
  if (from.id() == TypeId::kTimestampTz && to == TypeId::kTimestamp) {
    return Value::Timestamp(value.integer());
  }
  return std::nullopt;
}

SourceState::SourceState(std::string name, std::shared_ptr<const Schema> schema,
                         EventTimeSpec event_time,
                         std::unique_ptr<stream::Channel<SourceMessage>> channel,
                         std::unique_ptr<stream::Channel<SourceMessage>> statement_channel,
                         std::shared_ptr<ReactorDoorbell> doorbell)
    : name_(std::move(name)),
      schema_(std::move(schema)),
      event_time_(event_time),
      channel_(std::move(channel)),
      statement_channel_(std::move(statement_channel)),
      statement_producer_(statement_channel_->CreateProducer()),
      doorbell_(std::move(doorbell)) {}

void SourceState::set_wal(std::shared_ptr<SourceWal> wal) {
  wal_ = std::move(wal);
  std::lock_guard<std::mutex> lock(first_producer_mutex_);
  first_producer_created_ = true;
  first_producer_ = channel_->CreateProducer();
  statement_producer_ = first_producer_.Clone();
}

SourceState::~SourceState() {
  // The producer handle must go before the channel it points into.
  statement_producer_ = stream::ChannelProducer<SourceMessage>();
  first_producer_ = stream::ChannelProducer<SourceMessage>();
}

Result<stream::ChannelProducer<SourceMessage>> SourceState::TakeFirstProducer() {
  std::lock_guard<std::mutex> lock(first_producer_mutex_);
  if (!first_producer_created_) {
    first_producer_created_ = true;
    return channel_->CreateProducer();
  }
  if (!first_producer_.valid()) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "source \"{}\" already has a producer handle; call Clone() on it for "
                         "another producer (that is what makes the source multi-producer)",
                         name_);
  }
  return std::move(first_producer_);
}

void SourceState::ReturnFirstProducer(stream::ChannelProducer<SourceMessage> producer) {
  std::lock_guard<std::mutex> lock(first_producer_mutex_);
  first_producer_ = std::move(producer);
}

void SourceState::EndProducer(uint32_t id) {
  {
    std::lock_guard<std::mutex> lock(ended_mutex_);
    ended_.push_back(EndedProducer{id, channel_->pushed()});
    has_ended_.store(true, std::memory_order_release);
  }
  doorbell_->Ring();
}

std::vector<EndedProducer> SourceState::TakeEndedProducers(uint64_t read) {
  std::vector<EndedProducer> done;
  if (!has_ended_.load(std::memory_order_acquire)) return done;
  std::lock_guard<std::mutex> lock(ended_mutex_);
  std::erase_if(ended_, [&](const EndedProducer& ended) {
    if (ended.after_pushed > read) return false;
    done.push_back(ended);
    return true;
  });
  has_ended_.store(!ended_.empty(), std::memory_order_release);
  return done;
}

Status SourceState::EncodeRow(std::span<const Value> row, RowRecord& record) const {
  if (static_cast<int>(row.size()) != schema_->num_fields()) {
    return Status::Error(ErrorCode::kSchemaMismatch,
                         "source \"{}\" has {} columns but the row has {} values", name_,
                         schema_->num_fields(), row.size());
  }
  record.Start(schema_->num_fields());
  for (int i = 0; i < schema_->num_fields(); ++i) {
    const Field& field = schema_->field(i);
    const Value& value = row[static_cast<size_t>(i)];
    if (value.is_null()) {
      if (!field.nullable) {
        return Status::Error(ErrorCode::kNullViolation,
                             "NULL in NOT NULL column \"{}\" of source \"{}\"", field.name, name_);
      }
      record.AppendNull();
      continue;
    }
    const Value* encoded = &value;
    std::optional<Value> converted;
    if (value.type() != field.type) [[unlikely]] {
      converted = ConvertLossless(value, field.type);
      if (!converted) {
        return Status::Error(ErrorCode::kSchemaMismatch,
                             "column \"{}\" of source \"{}\" is {} but the value {} is {}",
                             field.name, name_, field.type.ToString(), value.ToString(),
                             value.type().ToString());
      }
      encoded = &*converted;
    }
    if (!record.AppendValue(*encoded, field.type)) [[unlikely]] {
      const size_t size = encoded->string().size();
      if (size > RowRecord::kMaxStringBytes) {
        return Status::Error(ErrorCode::kInvalidArgument,
                             "column \"{}\" of source \"{}\": a string of {} bytes is longer than "
                             "a column holds ({} bytes)",
                             field.name, name_, size, RowRecord::kMaxStringBytes);
      }
      return Status::Error(ErrorCode::kInvalidArgument,
                           "column \"{}\" of source \"{}\": the row would exceed {} bytes with "
                           "this string of {} bytes",
                           field.name, name_, RowRecord::kMaxRowBytes, size);
    }
  }
  return Status::Ok();
}

Status SourceState::CheckBatch(const Batch& batch) const {
  if (batch.num_columns() != schema_->num_fields()) {
    return Status::Error(ErrorCode::kSchemaMismatch,
                         "source \"{}\" has {} columns but the batch has {}", name_,
                         schema_->num_fields(), batch.num_columns());
  }
  for (int i = 0; i < schema_->num_fields(); ++i) {
    const Field& field = schema_->field(i);
    const Column& column = batch.column(i);
    if (column.type() != field.type) {
      return Status::Error(ErrorCode::kSchemaMismatch,
                           "column \"{}\" of source \"{}\" is {} but the batch has {}", field.name,
                           name_, field.type.ToString(), column.type().ToString());
    }
    if (!field.nullable && column.null_count() > 0) {
      return Status::Error(ErrorCode::kNullViolation,
                           "NULL in NOT NULL column \"{}\" of source \"{}\"", field.name, name_);
    }
  }
  return Status::Ok();
}

}  // namespace laminar::runtime
