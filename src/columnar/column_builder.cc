#include "columnar/column_builder.h"

#include <algorithm>
#include <cstring>

namespace laminar {

ColumnBuilder::ColumnBuilder(DataType type) : type_(type) { Reset(); }

void ColumnBuilder::Reset() {
  length_ = 0;
  null_count_ = 0;
  has_validity_ = false;
  validity_ = BufferBuilder();
  values_ = BufferBuilder();
  data_ = BufferBuilder();
  if (type_.IsVariableWidth()) values_.AppendValue(int32_t{0});
}

void ColumnBuilder::Clear() {
  length_ = 0;
  null_count_ = 0;
  has_validity_ = false;
  validity_.Clear();
  values_.Clear();
  data_.Clear();
  if (type_.IsVariableWidth()) values_.AppendValue(int32_t{0});
}

void ColumnBuilder::Reserve(int64_t rows, int64_t data_bytes) {
  const int64_t total = length_ + rows;
  switch (type_.id()) {
    case TypeId::kNull:
      break;
    case TypeId::kBoolean:
      values_.Reserve(static_cast<size_t>(BytesForBits(total)));
      break;
    case TypeId::kVarchar:
    case TypeId::kBytea:
      values_.Reserve(static_cast<size_t>(total + 1) * sizeof(int32_t));
      data_.Reserve(data_.size() + static_cast<size_t>(data_bytes));
      break;
    default:
      values_.Reserve(static_cast<size_t>(total) * type_.ByteWidth());
      break;
  }
  if (has_validity_) validity_.Reserve(static_cast<size_t>(BytesForBits(total)));
}

void ColumnBuilder::StartValidity() {
  has_validity_ = true;
  validity_.Resize(static_cast<size_t>(BytesForBits(length_)));
  // Every row so far was valid.
  if (length_ > 0) {
    std::memset(validity_.data(), 0xff, static_cast<size_t>(length_ / 8));
    for (int64_t i = (length_ / 8) * 8; i < length_; ++i) SetBit(validity_.data(), i);
  }
}

void ColumnBuilder::AppendNull() {
  if (!has_validity_) StartValidity();
  if ((length_ & 7) == 0) validity_.Resize(validity_.size() + 1);
  // The validity bit stays 0. Keep the values buffer in step with the row count.
  switch (type_.id()) {
    case TypeId::kNull:
      break;
    case TypeId::kBoolean:
      if ((length_ & 7) == 0) values_.Resize(values_.size() + 1);
      break;
    case TypeId::kVarchar:
    case TypeId::kBytea:
      values_.AppendValue(static_cast<int32_t>(data_.size()));
      break;
    default:
      values_.Resize(values_.size() + type_.ByteWidth());
      break;
  }
  ++length_;
  ++null_count_;
}

void ColumnBuilder::AppendNulls(int64_t count) {
  for (int64_t i = 0; i < count; ++i) AppendNull();
}

Status ColumnBuilder::StringTooLarge(size_t size) const {
  return Status::Error(ErrorCode::kInvalidArgument,
                       "{} column would exceed 2 GiB of data (appending {} bytes to {})",
                       type_.ToString(), size, data_.size());
}

Status ColumnBuilder::AppendValue(const Value& value) {
  if (value.is_null()) {
    AppendNull();
    return Status::Ok();
  }
  if (value.type() != type_) {
    return Status::Error(ErrorCode::kSchemaMismatch, "cannot store a {} value in a {} column",
                         value.type().ToString(), type_.ToString());
  }
  return AppendPhysicalValue(*this, value, type_, Status::Ok());
}

Status ColumnBuilder::AppendFrom(const Column& column, int64_t row) {
  if (column.type() != type_) {
    return Status::Error(ErrorCode::kSchemaMismatch, "cannot copy a {} row into a {} column",
                         column.type().ToString(), type_.ToString());
  }
  if (column.IsNull(row)) {
    AppendNull();
    return Status::Ok();
  }
  switch (type_.id()) {
    case TypeId::kNull:
      AppendNull();
      return Status::Ok();
    case TypeId::kBoolean:
      AppendBoolean(column.BooleanValue(row));
      return Status::Ok();
    case TypeId::kVarchar:
    case TypeId::kBytea:
      return AppendString(column.StringValue(row));
    default: {
      const int width = type_.ByteWidth();
      values_.Append(column.values_buffer()->data() + (column.offset() + row) * width,
                     static_cast<size_t>(width));
      MarkValid();
      return Status::Ok();
    }
  }
}

Column ColumnBuilder::Finish() {
  const int64_t length = length_;
  const int64_t null_count = type_.id() == TypeId::kNull ? length : null_count_;
  Column column;
  if (type_.id() == TypeId::kNull) {
    column = Column(type_, length, nullptr, nullptr, nullptr, length);
  } else {
    if (type_.id() == TypeId::kBoolean) values_.Resize(static_cast<size_t>(BytesForBits(length)));
    std::shared_ptr<const Buffer> validity = has_validity_ ? validity_.Finish() : nullptr;
    std::shared_ptr<const Buffer> values = values_.Finish();
    std::shared_ptr<const Buffer> data = type_.IsVariableWidth() ? data_.Finish() : nullptr;
    column =
        Column(type_, length, std::move(validity), std::move(values), std::move(data), null_count);
  }
  Reset();
  return column;
}

Column ColumnBuilder::FinishInto(const std::shared_ptr<BufferArena>& arena,
                                 ArenaReferences& references) {
  const int64_t length = length_;
  if (type_.id() == TypeId::kNull) {
    Clear();
    return Column(type_, length, nullptr, nullptr, nullptr, length);
  }
  // Booleans: values_ already holds BytesForBits(length) bytes (AppendBoolean and AppendNull
  // grow it a byte per eight rows).
  std::shared_ptr<const Buffer> validity =
      has_validity_ ? BufferArena::AddBuilder(references.Take(arena), validity_) : nullptr;
  std::shared_ptr<const Buffer> values = BufferArena::AddBuilder(references.Take(arena), values_);
  std::shared_ptr<const Buffer> data =
      type_.IsVariableWidth() ? BufferArena::AddBuilder(references.Take(arena), data_) : nullptr;
  const int64_t null_count = null_count_;
  Clear();
  return Column(type_, length, std::move(validity), std::move(values), std::move(data), null_count);
}

BatchBuilder::BatchBuilder(std::shared_ptr<const Schema> schema) : schema_(std::move(schema)) {
  builders_.reserve(schema_->num_fields());
  for (const Field& field : schema_->fields()) {
    builders_.emplace_back(field.type);
    if (field.type.IsVariableWidth()) {
      string_columns_.push_back(static_cast<int>(builders_.size()) - 1);
      record_widths_.push_back(kRecordString);
    } else if (field.type.id() == TypeId::kBoolean) {
      record_widths_.push_back(kRecordBoolean);
    } else if (field.type.id() == TypeId::kNull) {
      record_widths_.push_back(kRecordNull);
    } else {
      record_widths_.push_back(static_cast<int8_t>(field.type.ByteWidth()));
    }
  }
}

namespace {

// Reads the u32 length of a record's string at `bytes`.
uint32_t RecordLength(const uint8_t* bytes) {
  uint32_t length;
  std::memcpy(&length, bytes, sizeof(length));
  return length;
}

}  // namespace

bool BatchBuilder::HasRoomForEach(const RowRecord& record) const {
  bool room = true;
  int column = 0;
  record.ForEachValue(*schema_, [&](const DataType& type, const RowRecord::ValueBytes& value) {
    if (!value.is_null && type.IsVariableWidth()) {
      room = room && builders_[column].HasRoomForString(value.size);
    }
    ++column;
  });
  return room;
}

void BatchBuilder::AppendRecord(const RowRecord& record) {
  LAMINAR_DCHECK(record.num_columns() == schema_->num_fields() && record.complete());
  const uint8_t* bytes = record.bytes().data();
  const uint8_t* at = bytes + BytesForBits(schema_->num_fields());
  for (int i = 0; i < schema_->num_fields(); ++i) {
    ColumnBuilder& builder = builders_[i];
    if (GetBit(bytes, i)) {
      builder.AppendNull();
      continue;
    }
    switch (record_widths_[i]) {
      case kRecordBoolean:
        builder.AppendBoolean(*at != 0);
        ++at;
        break;
      case kRecordString: {
        const uint32_t length = RecordLength(at);
        at += sizeof(uint32_t);
        builder.AppendCheckedString(
            std::string_view(reinterpret_cast<const char*>(at), static_cast<size_t>(length)));
        at += length;
        break;
      }
      case 1:
        builder.AppendFixedBytes<1>(at);
        at += 1;
        break;
      case 2:
        builder.AppendFixedBytes<2>(at);
        at += 2;
        break;
      case 4:
        builder.AppendFixedBytes<4>(at);
        at += 4;
        break;
      case 8:
        builder.AppendFixedBytes<8>(at);
        at += 8;
        break;
      case 16:
        builder.AppendFixedBytes<16>(at);
        at += 16;
        break;
      default:
        LAMINAR_CHECK_MSG(false, "a record with a value in a NULL column");
    }
  }
  LAMINAR_DCHECK(at == bytes + record.bytes().size());
  if (builders_.empty()) ++rows_without_columns_;
}

Status BatchBuilder::AppendRow(std::span<const Value> row) {
  if (static_cast<int>(row.size()) != schema_->num_fields()) {
    return Status::Error(ErrorCode::kSchemaMismatch, "row has {} values but {} expects {}",
                         row.size(), schema_->ToString(), schema_->num_fields());
  }
  // Check everything first so that a bad row appends nothing.
  for (int i = 0; i < schema_->num_fields(); ++i) {
    const Field& field = schema_->field(i);
    if (row[i].is_null()) {
      if (!field.nullable) {
        return Status::Error(ErrorCode::kNullViolation, "NULL in NOT NULL column \"{}\"",
                             field.name);
      }
    } else if (row[i].type() != field.type) {
      return Status::Error(ErrorCode::kSchemaMismatch, "column \"{}\" is {} but the value is {}",
                           field.name, field.type.ToString(), row[i].type().ToString());
    } else if (field.type.IsVariableWidth() &&
               !builders_[i].HasRoomForString(row[i].string().size())) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "column \"{}\" would exceed 2 GiB of data in one batch", field.name);
    }
  }
  for (int i = 0; i < schema_->num_fields(); ++i) {
    LAMINAR_RETURN_IF_ERROR(builders_[i].AppendValue(row[i]));
  }
  if (builders_.empty()) ++rows_without_columns_;
  return Status::Ok();
}

Result<Batch> BatchBuilder::Finish() {
  if (builders_.empty()) {
    const int64_t rows = rows_without_columns_;
    rows_without_columns_ = 0;
    return Batch::MakeWithoutColumns(schema_, rows);
  }
  std::vector<Column> columns;
  columns.reserve(builders_.size());
  size_t bytes = 0;
  size_t buffers = 0;
  for (const ColumnBuilder& builder : builders_) {
    bytes += builder.ArenaBytes();
    buffers += static_cast<size_t>(builder.ArenaBuffers());
  }
  if (bytes > kArenaBatchBytes) {
    for (ColumnBuilder& builder : builders_) columns.push_back(builder.Finish());
    return MakeBatch(std::move(columns));
  }
  const bool fits =
      arena_ != nullptr && arena_->capacity() >= bytes && arena_->max_buffers() >= buffers;
  if (fits && arena_ready_) {
    // Reset (or made) by PrepareArena, and nothing was handed out since.
  } else if (references_.Clear(); fits && BufferArena::SoleOwner(arena_)) {
    arena_->Reset();
  } else {
    // Twice the room needed (at least 1 KiB), so somewhat larger batches can refill it too;
    // the old arena lives on while batches hold it.
    arena_ = BufferArena::Make(std::clamp(2 * bytes, size_t{1024}, kArenaBatchBytes),
                               3 * builders_.size());
  }
  arena_ready_ = false;
  last_buffers_ = buffers;
  for (ColumnBuilder& builder : builders_) {
    columns.push_back(builder.FinishInto(arena_, references_));
  }
  return MakeBatch(std::move(columns));
}

Result<Batch> BatchBuilder::MakeBatch(std::vector<Column> columns) const {
  if (columns_accessed_) return Batch::Make(schema_, std::move(columns));
  // Every row came through AppendRow (checked) or AppendRecord (checked by its encoder), one
  // value per column of the column's type: the batch fits the schema by construction.
  LAMINAR_DCHECK(Batch::Make(schema_, columns).ok());
  const int64_t rows = columns.front().length();
  return Batch(schema_, std::move(columns), rows);
}

void BatchBuilder::PrepareArena() {
  if (arena_ == nullptr || arena_ready_) return;
  references_.Clear();  // Those the last batch did not use.
  if (!BufferArena::SoleOwner(arena_)) {
    // The batch just made is still read; the one before it has probably been dropped.
    std::swap(arena_, spare_);
    if (!BufferArena::SoleOwner(arena_)) {
      arena_ = BufferArena::Make(spare_->capacity(), spare_->max_buffers());
    }
  }
  arena_->Reset();
  // The next batch's buffers take these instead of counting up one by one as it is built.
  references_.Reset(arena_, last_buffers_);
  arena_ready_ = true;
}

}  // namespace laminar
