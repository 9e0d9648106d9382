#include "storage/state_io.h"

#include <bit>
#include <cstring>

#include "columnar/buffer.h"
#include "common/check.h"

namespace laminar::storage {

namespace {

constexpr uint8_t kLastTypeId = static_cast<uint8_t>(TypeId::kInterval);

template <typename T>
void AppendFixed(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

/// Appends `length` bits starting at bit `offset` of `bits` to `out` as a bitmap starting at
/// bit 0 (the unused bits of its last byte zero).
/// REQUIRES: length > 0.
void AppendBits(std::string& out, const uint8_t* bits, int64_t offset, int64_t length) {
  const size_t start = out.size();
  const auto size = static_cast<size_t>((length + 7) / 8);
  if ((offset & 7) == 0) {
    out.append(reinterpret_cast<const char*>(bits + offset / 8), size);
    if ((length & 7) != 0) out.back() = static_cast<char>(out.back() & ((1 << (length & 7)) - 1));
    return;
  }
  out.resize(start + size, '\0');
  auto* target = reinterpret_cast<uint8_t*>(out.data() + start);
  for (int64_t i = 0; i < length; ++i) {
    if (GetBit(bits, offset + i)) SetBit(target, i);
  }
}

std::shared_ptr<const Buffer> ToBuffer(std::string_view bytes) {
  BufferBuilder builder;
  builder.Append(bytes.data(), bytes.size());
  return builder.Finish();
}

}  // namespace

// --- StateWriter ---

void StateWriter::U32(uint32_t value) { AppendFixed(out_, value); }
void StateWriter::U64(uint64_t value) { AppendFixed(out_, value); }
void StateWriter::F64(double value) { AppendFixed(out_, value); }

void StateWriter::Gathered(std::vector<std::string_view>& parts) const {
  const std::string_view written(out_);
  size_t from = 0;
  for (const auto& [at, run] : references_) {
    if (at > from) parts.push_back(written.substr(from, at - from));
    parts.push_back(run);
    from = at;
  }
  if (from < written.size()) parts.push_back(written.substr(from));
}

void StateWriter::PatchU64(size_t offset, uint64_t value) {
  LAMINAR_CHECK_MSG(!gather_, "a gathering StateWriter is read through Gathered");
  LAMINAR_CHECK(offset + sizeof(value) <= out_.size());
  std::memcpy(out_.data() + offset, &value, sizeof(value));
}

void StateWriter::VarU64(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

void StateWriter::VarI64(int64_t value) {
  VarU64((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
}

void StateWriter::Bytes(std::string_view bytes) {
  VarU64(bytes.size());
  out_.append(bytes);
}

void StateWriter::Type(const DataType& type) {
  U8(static_cast<uint8_t>(type.id()));
  if (type.id() == TypeId::kDecimal) {
    U8(static_cast<uint8_t>(type.precision()));
    U8(static_cast<uint8_t>(type.scale()));
  }
}

void StateWriter::ValueOf(const Value& value) {
  Type(value.type());
  Bool(value.is_null());
  if (value.is_null()) return;
  switch (value.type().id()) {
    case TypeId::kNull:
      return;
    case TypeId::kBoolean:
      Bool(value.boolean());
      return;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      VarI64(value.integer());
      return;
    case TypeId::kReal:
    case TypeId::kDouble:
      F64(value.floating());
      return;
    case TypeId::kDecimal: {
      const auto unscaled = static_cast<unsigned __int128>(value.decimal());
      U64(static_cast<uint64_t>(unscaled));
      U64(static_cast<uint64_t>(unscaled >> 64));
      return;
    }
    case TypeId::kInterval:
      AppendFixed(out_, value.interval());
      return;
    case TypeId::kVarchar:
    case TypeId::kBytea:
      Bytes(value.string());
      return;
  }
}

void StateWriter::SchemaOf(const Schema& schema) {
  VarU64(static_cast<uint64_t>(schema.num_fields()));
  for (const Field& field : schema.fields()) {
    Bytes(field.name);
    Type(field.type);
    Bool(field.nullable);
  }
}

void StateWriter::ColumnOf(const Column& column) {
  Type(column.type());
  const int64_t length = column.length();
  VarU64(static_cast<uint64_t>(length));
  if (column.type().id() == TypeId::kNull) return;
  const int64_t nulls = column.null_count();
  VarU64(static_cast<uint64_t>(nulls));
  if (nulls > 0) {
    AppendBits(out_, column.validity_buffer()->data(), column.offset(), length);
  }
  const DataType& type = column.type();
  if (type.id() == TypeId::kBoolean) {
    // An empty column may have no buffer at all.
    if (length > 0) AppendBits(out_, column.values_buffer()->data(), column.offset(), length);
  } else if (type.IsVariableWidth() && length == 0) {
    U32(0);  // The one offset of an empty column (which may have no buffers).
  } else if (type.IsVariableWidth()) {
    const int32_t* offsets = column.Offsets();
    const int32_t base = offsets[0];
    if (base == 0) {
      // The offsets as they are (each a little-endian u32, as U32 writes it), in one copy.
      static_assert(std::endian::native == std::endian::little);
      Raw(std::string_view(reinterpret_cast<const char*>(offsets),
                           static_cast<size_t>(length + 1) * sizeof(int32_t)));
    } else {
      const size_t start = out_.size();
      out_.resize(start + static_cast<size_t>(length + 1) * sizeof(uint32_t));
      char* target = out_.data() + start;
      for (int64_t i = 0; i <= length; ++i, target += sizeof(uint32_t)) {
        const auto relative = static_cast<uint32_t>(offsets[i] - base);
        std::memcpy(target, &relative, sizeof(relative));
      }
    }
    if (length > 0) {
      const char* bytes = column.data_buffer() ? column.data_buffer()->data_as<char>() : nullptr;
      Raw(std::string_view(bytes + base, static_cast<size_t>(offsets[length] - base)));
    }
  } else {
    const size_t width = static_cast<size_t>(type.ByteWidth());
    if (length > 0) {
      Raw(std::string_view(
          column.values_buffer()->data_as<char>() + static_cast<size_t>(column.offset()) * width,
          static_cast<size_t>(length) * width));
    }
  }
}

void StateWriter::BatchOf(const Batch& batch) {
  SchemaOf(batch.schema());
  VarU64(static_cast<uint64_t>(batch.num_rows()));
  for (const Column& column : batch.columns()) ColumnOf(column);
}

void StateWriter::Weights(const std::vector<int8_t>& weights) {
  VarU64(weights.size());
  Raw(std::string_view(reinterpret_cast<const char*>(weights.data()), weights.size()));
}

// --- StateReader ---

StateReader::StateReader(std::string_view data, std::string context)
    : data_(data), context_(std::move(context)) {}

bool StateReader::Need(size_t bytes) {
  if (!status_.ok()) return false;
  if (remaining() < bytes) {
    Fail(fmt::format("{} bytes needed at offset {}, {} left", bytes, position_, remaining()));
    return false;
  }
  return true;
}

void StateReader::Fail(std::string_view what) {
  if (!status_.ok()) return;
  status_ = Status::Error(ErrorCode::kCorruption, "{}: {}", context_, what);
}

void StateReader::FailWith(Status status) {
  if (status_.ok() && !status.ok()) status_ = std::move(status);
}

uint8_t StateReader::U8() {
  if (!Need(1)) return 0;
  return static_cast<uint8_t>(data_[position_++]);
}

bool StateReader::Bool() {
  const uint8_t value = U8();
  if (value > 1) Fail(fmt::format("boolean byte {}", value));
  return value == 1;
}

uint32_t StateReader::U32() {
  if (!Need(4)) return 0;
  uint32_t value;
  std::memcpy(&value, data_.data() + position_, 4);
  position_ += 4;
  return value;
}

uint64_t StateReader::U64() {
  if (!Need(8)) return 0;
  uint64_t value;
  std::memcpy(&value, data_.data() + position_, 8);
  position_ += 8;
  return value;
}

double StateReader::F64() {
  if (!Need(8)) return 0;
  double value;
  std::memcpy(&value, data_.data() + position_, 8);
  position_ += 8;
  return value;
}

uint64_t StateReader::VarU64() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const uint8_t byte = U8();
    if (!ok()) return 0;
    if (shift == 63 && byte > 1) break;
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  Fail("varint longer than 64 bits");
  return 0;
}

int64_t StateReader::VarI64() {
  const uint64_t raw = VarU64();
  return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

std::string_view StateReader::Raw(size_t size) {
  if (!Need(size)) return {};
  std::string_view bytes = data_.substr(position_, size);
  position_ += size;
  return bytes;
}

std::string_view StateReader::BytesView() {
  const uint64_t size = VarU64();
  if (!ok()) return {};
  if (size > remaining()) {
    Fail(fmt::format("byte string of {} bytes, {} left", size, remaining()));
    return {};
  }
  return Raw(static_cast<size_t>(size));
}

std::string StateReader::Bytes() { return std::string(BytesView()); }

size_t StateReader::Count(size_t min_bytes_per_element) {
  const uint64_t count = VarU64();
  if (!ok()) return 0;
  if (min_bytes_per_element > 0 && count > remaining() / min_bytes_per_element) {
    Fail(fmt::format("count {} cannot fit in the {} bytes left", count, remaining()));
    return 0;
  }
  return static_cast<size_t>(count);
}

uint32_t StateReader::ReadVersion(uint32_t newest) {
  const uint32_t version = U32();
  if (!ok()) return 0;
  if (version == 0 || version > newest) {
    FailWith(Status::Error(ErrorCode::kUnsupportedFormatVersion,
                           "{}: format version {} (this build reads 1 to {})", context_, version,
                           newest));
    return 0;
  }
  return version;
}

DataType StateReader::Type() {
  const uint8_t id = U8();
  if (!ok()) return DataType::Null();
  if (id > kLastTypeId) {
    Fail(fmt::format("type id {}", id));
    return DataType::Null();
  }
  if (static_cast<TypeId>(id) != TypeId::kDecimal) return DataType(static_cast<TypeId>(id));
  const int precision = U8();
  const int scale = U8();
  if (!ok()) return DataType::Null();
  auto type = DataType::Decimal(precision, scale);
  if (!type.ok()) {
    Fail(fmt::format("DECIMAL({}, {})", precision, scale));
    return DataType::Null();
  }
  return *type;
}

Value StateReader::ValueOf() {
  const DataType type = Type();
  const bool is_null = Bool();
  if (!ok()) return Value();
  if (is_null) return Value::Null(type);
  switch (type.id()) {
    case TypeId::kNull:
      return Value::Null(type);
    case TypeId::kBoolean:
      return Value::Boolean(Bool());
    case TypeId::kTinyInt:
      return Value::TinyInt(static_cast<int8_t>(VarI64()));
    case TypeId::kSmallInt:
      return Value::SmallInt(static_cast<int16_t>(VarI64()));
    case TypeId::kInteger:
      return Value::Integer(static_cast<int32_t>(VarI64()));
    case TypeId::kBigInt:
      return Value::BigInt(VarI64());
    case TypeId::kDate:
      return Value::Date(static_cast<int32_t>(VarI64()));
    case TypeId::kTimestamp:
      return Value::Timestamp(VarI64());
    case TypeId::kTimestampTz:
      return Value::TimestampTz(VarI64());
    case TypeId::kReal:
      return Value::Real(static_cast<float>(F64()));
    case TypeId::kDouble:
      return Value::Double(F64());
    case TypeId::kDecimal: {
      const uint64_t low = U64();
      const uint64_t high = U64();
      const auto unscaled =
          static_cast<Decimal128>((static_cast<unsigned __int128>(high) << 64) | low);
      return Value::Decimal(unscaled, type);
    }
    case TypeId::kInterval: {
      const std::string_view bytes = Raw(sizeof(Interval));
      if (!ok()) return Value();
      Interval interval;
      std::memcpy(&interval, bytes.data(), sizeof(Interval));
      return Value::FromInterval(interval);
    }
    case TypeId::kVarchar:
      return Value::Varchar(Bytes());
    case TypeId::kBytea:
      return Value::Bytea(Bytes());
  }
  return Value();
}

std::shared_ptr<const Schema> StateReader::SchemaOf() {
  const size_t count = Count(3);
  std::vector<Field> fields;
  fields.reserve(count);
  for (size_t i = 0; i < count && ok(); ++i) {
    Field field;
    field.name = Bytes();
    field.type = Type();
    field.nullable = Bool();
    fields.push_back(std::move(field));
  }
  return Schema::Make(std::move(fields));
}

Column StateReader::ColumnOf() {
  const DataType type = Type();
  const uint64_t length64 = VarU64();
  if (!ok()) return Column();
  if (length64 > (uint64_t{1} << 40)) {
    Fail(fmt::format("column of {} rows", length64));
    return Column();
  }
  const auto length = static_cast<int64_t>(length64);
  if (type.id() == TypeId::kNull) return Column::Nulls(type, length);
  const uint64_t nulls = VarU64();
  if (!ok()) return Column();
  if (nulls > length64) {
    Fail(fmt::format("{} NULLs in a column of {} rows", nulls, length));
    return Column();
  }
  const size_t bitmap_bytes = static_cast<size_t>((length + 7) / 8);
  std::shared_ptr<const Buffer> validity;
  if (nulls > 0) validity = ToBuffer(Raw(bitmap_bytes));
  std::shared_ptr<const Buffer> values;
  std::shared_ptr<const Buffer> data;
  if (type.id() == TypeId::kBoolean) {
    values = ToBuffer(Raw(bitmap_bytes));
  } else if (type.IsVariableWidth()) {
    const std::string_view offsets = Raw(static_cast<size_t>(length + 1) * 4);
    if (!ok()) return Column();
    std::vector<int32_t> checked(static_cast<size_t>(length + 1));
    std::memcpy(checked.data(), offsets.data(), offsets.size());
    if (checked[0] != 0) Fail("string offsets do not start at 0");
    for (int64_t i = 0; i < length && ok(); ++i) {
      if (checked[i + 1] < checked[i]) Fail("string offsets go back");
    }
    if (!ok()) return Column();
    values = ToBuffer(offsets);
    data = ToBuffer(Raw(static_cast<size_t>(checked[static_cast<size_t>(length)])));
  } else {
    const size_t width = static_cast<size_t>(type.ByteWidth());
    if (static_cast<uint64_t>(length) > remaining() / width + 1) {
      Fail(fmt::format("column of {} rows cannot fit in the {} bytes left", length, remaining()));
      return Column();
    }
    values = ToBuffer(Raw(static_cast<size_t>(length) * width));
  }
  if (!ok()) return Column();
  Column column(type, length, std::move(validity), std::move(values), std::move(data),
                static_cast<int64_t>(nulls));
  Status valid = column.Validate();
  if (!valid.ok()) {
    Fail(valid.message());
    return Column();
  }
  return column;
}

Batch StateReader::BatchOf() {
  std::shared_ptr<const Schema> schema = SchemaOf();
  const uint64_t rows = VarU64();
  if (!ok()) return Batch();
  std::vector<Column> columns;
  columns.reserve(static_cast<size_t>(schema->num_fields()));
  for (int i = 0; i < schema->num_fields() && ok(); ++i) columns.push_back(ColumnOf());
  if (!ok()) return Batch();
  if (schema->num_fields() == 0) {
    return Batch::MakeWithoutColumns(std::move(schema), static_cast<int64_t>(rows));
  }
  for (const Column& column : columns) {
    if (column.length() != static_cast<int64_t>(rows)) {
      Fail("column length differs from the batch's row count");
      return Batch();
    }
  }
  auto batch = Batch::Make(std::move(schema), std::move(columns));
  if (!batch.ok()) {
    Fail(batch.status().message());
    return Batch();
  }
  return std::move(*batch);
}

std::vector<int8_t> StateReader::Weights() {
  const size_t count = Count(1);
  const std::string_view bytes = Raw(count);
  std::vector<int8_t> weights(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    weights[i] = static_cast<int8_t>(bytes[i]);
    if (weights[i] != 1 && weights[i] != -1) {
      Fail(fmt::format("row weight {}", weights[i]));
      return {};
    }
  }
  return weights;
}

Status StateReader::Finish() {
  if (ok() && remaining() != 0) Fail(fmt::format("{} bytes left over", remaining()));
  return status_;
}

}  // namespace laminar::storage
