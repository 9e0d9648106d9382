#include "columnar/column.h"

#include "columnar/value.h"
#include "common/check.h"

namespace laminar {

Column::Column(DataType type, int64_t length, std::shared_ptr<const Buffer> validity,
               std::shared_ptr<const Buffer> values, std::shared_ptr<const Buffer> data,
               int64_t null_count, int64_t offset)
    : type_(type),
      length_(length),
      offset_(offset),
      null_count_(null_count),
      validity_(std::move(validity)),
      values_(std::move(values)),
      data_(std::move(data)) {
  if (type_.id() == TypeId::kNull) {
    null_count_.store(length_, std::memory_order_relaxed);
  } else if (validity_ == nullptr) {
    null_count_.store(0, std::memory_order_relaxed);
  }
}

Column::Column(const Column& other)
    : type_(other.type_),
      length_(other.length_),
      offset_(other.offset_),
      null_count_(other.null_count_.load(std::memory_order_relaxed)),
      validity_(other.validity_),
      values_(other.values_),
      data_(other.data_) {}

Column& Column::operator=(const Column& other) {
  if (this != &other) {
    type_ = other.type_;
    length_ = other.length_;
    offset_ = other.offset_;
    null_count_.store(other.null_count_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    validity_ = other.validity_;
    values_ = other.values_;
    data_ = other.data_;
  }
  return *this;
}

Column Column::Nulls(DataType type, int64_t length) {
  if (type.id() == TypeId::kNull) return Column(type, length, nullptr, nullptr, nullptr, length);
  BufferBuilder validity;
  validity.Resize(static_cast<size_t>(BytesForBits(length)));  // All zero: every row NULL.
  BufferBuilder values;
  BufferBuilder data;
  if (type.IsVariableWidth()) {
    values.Resize(static_cast<size_t>(length + 1) * sizeof(int32_t));  // All offsets zero.
    return Column(type, length, validity.Finish(), values.Finish(), data.Finish(), length);
  }
  const size_t bytes = type.id() == TypeId::kBoolean
                           ? static_cast<size_t>(BytesForBits(length))
                           : static_cast<size_t>(length) * type.ByteWidth();
  values.Resize(bytes);
  return Column(type, length, validity.Finish(), values.Finish(), nullptr, length);
}

int64_t Column::null_count() const {
  int64_t count = null_count_.load(std::memory_order_relaxed);
  if (count == kUnknownNullCount) {
    count = validity_ ? length_ - CountSetBits(validity_->data(), offset_, length_) : 0;
    null_count_.store(count, std::memory_order_relaxed);
  }
  return count;
}

Value Column::GetValue(int64_t row) const {
  LAMINAR_DCHECK(row >= 0 && row < length_);
  if (IsNull(row)) return Value::Null(type_);
  switch (type_.id()) {
    case TypeId::kNull:
      return Value::Null(type_);
    case TypeId::kBoolean:
      return Value::Boolean(BooleanValue(row));
    case TypeId::kTinyInt:
      return Value::TinyInt(Values<int8_t>()[row]);
    case TypeId::kSmallInt:
      return Value::SmallInt(Values<int16_t>()[row]);
    case TypeId::kInteger:
      return Value::Integer(Values<int32_t>()[row]);
    case TypeId::kBigInt:
      return Value::BigInt(Values<int64_t>()[row]);
    case TypeId::kReal:
      return Value::Real(Values<float>()[row]);
    case TypeId::kDouble:
      return Value::Double(Values<double>()[row]);
    case TypeId::kDecimal: {
      Decimal128 value;
      std::memcpy(&value, values_->data() + (offset_ + row) * 16, sizeof(value));
      return Value::Decimal(value, type_);
    }
    case TypeId::kVarchar:
      return Value::Varchar(std::string(StringValue(row)));
    case TypeId::kBytea:
      return Value::Bytea(std::string(StringValue(row)));
    case TypeId::kDate:
      return Value::Date(Values<int32_t>()[row]);
    case TypeId::kTimestamp:
      return Value::Timestamp(Values<int64_t>()[row]);
    case TypeId::kTimestampTz:
      return Value::TimestampTz(Values<int64_t>()[row]);
    case TypeId::kInterval: {
      Interval value;
      std::memcpy(&value, values_->data() + (offset_ + row) * 16, sizeof(value));
      return Value::FromInterval(value);
    }
  }
  return Value::Null(type_);
}

Column Column::Slice(int64_t offset, int64_t length) const {
  LAMINAR_CHECK(offset >= 0 && length >= 0 && offset + length <= length_);
  int64_t null_count = kUnknownNullCount;
  if (type_.id() == TypeId::kNull) {
    null_count = length;
  } else if (validity_ == nullptr) {
    null_count = 0;
  } else if (offset == 0 && length == length_) {
    null_count = null_count_.load(std::memory_order_relaxed);
  }
  return Column(type_, length, validity_, values_, data_, null_count, offset_ + offset);
}

Status Column::Validate() const {
  if (length_ < 0 || offset_ < 0) {
    return Status::Error(ErrorCode::kArrowInvalidArray, "{} column has length {} and offset {}",
                         type_.ToString(), length_, offset_);
  }
  const int64_t end = offset_ + length_;
  if (type_.id() == TypeId::kNull) {
    if (null_count_.load(std::memory_order_relaxed) != length_) {
      return Status::Error(ErrorCode::kArrowInvalidArray,
                           "NULL column of length {} reports {} NULLs", length_,
                           null_count_.load(std::memory_order_relaxed));
    }
    return Status::Ok();
  }
  if (validity_ != nullptr && validity_->size() < static_cast<size_t>(BytesForBits(end))) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "{} column: validity bitmap of {} bytes is too small for {} rows",
                         type_.ToString(), validity_->size(), end);
  }
  if (values_ == nullptr) {
    if (length_ == 0) return Status::Ok();
    return Status::Error(ErrorCode::kArrowMissingBuffer, "{} column of {} rows has no {} buffer",
                         type_.ToString(), length_, type_.IsVariableWidth() ? "offsets" : "values");
  }
  if (type_.IsVariableWidth()) {
    if (values_->size() < static_cast<size_t>(end + 1) * sizeof(int32_t)) {
      return Status::Error(ErrorCode::kArrowInvalidArray,
                           "{} column: offsets buffer of {} bytes is too small for {} rows",
                           type_.ToString(), values_->size(), end);
    }
    const int32_t* offsets = Offsets();
    const int64_t data_size = data_ ? static_cast<int64_t>(data_->size()) : 0;
    if (offsets[0] < 0) {
      return Status::Error(ErrorCode::kArrowOffsetsOutOfRange,
                           "{} column: first offset {} is negative", type_.ToString(), offsets[0]);
    }
    for (int64_t i = 0; i < length_; ++i) {
      if (offsets[i + 1] < offsets[i]) {
        return Status::Error(ErrorCode::kArrowOffsetsOutOfRange,
                             "{} column: offsets decrease at row {} ({} after {})",
                             type_.ToString(), i, offsets[i + 1], offsets[i]);
      }
    }
    if (offsets[length_] > data_size) {
      return Status::Error(ErrorCode::kArrowOffsetsOutOfRange,
                           "{} column: last offset {} is past the {} bytes of data",
                           type_.ToString(), offsets[length_], data_size);
    }
  } else {
    const size_t needed = type_.id() == TypeId::kBoolean
                              ? static_cast<size_t>(BytesForBits(end))
                              : static_cast<size_t>(end) * type_.ByteWidth();
    if (values_->size() < needed) {
      return Status::Error(ErrorCode::kArrowInvalidArray,
                           "{} column: values buffer of {} bytes is too small for {} rows",
                           type_.ToString(), values_->size(), end);
    }
  }
  const int64_t reported = null_count_.load(std::memory_order_relaxed);
  if (reported != kUnknownNullCount) {
    const int64_t actual =
        validity_ ? length_ - CountSetBits(validity_->data(), offset_, length_) : 0;
    if (reported != actual) {
      return Status::Error(ErrorCode::kArrowInvalidArray,
                           "{} column reports {} NULLs but its bitmap has {}", type_.ToString(),
                           reported, actual);
    }
  }
  return Status::Ok();
}

}  // namespace laminar
