#include "runtime/source_log.h"

#include "storage/state_io.h"

namespace laminar::runtime {

namespace {

constexpr uint8_t kRecordVersion = 1;

// Writes a row's record as StateWriter::ValueOf writes each of its values (type, NULL flag,
// payload), without making the Values.
void WriteRowValues(storage::StateWriter& writer, const RowRecord& row, const Schema& schema) {
  writer.VarU64(static_cast<uint64_t>(schema.num_fields()));
  row.ForEachValue(schema, [&writer](const DataType& type, const RowRecord::ValueBytes& value) {
    writer.Type(type);
    writer.Bool(value.is_null);
    if (value.is_null) return;
    switch (type.id()) {
      case TypeId::kNull:
        break;
      case TypeId::kBoolean:
        writer.Bool(value.bytes[0] != 0);
        break;
      case TypeId::kTinyInt:
        writer.VarI64(value.As<int8_t>());
        break;
      case TypeId::kSmallInt:
        writer.VarI64(value.As<int16_t>());
        break;
      case TypeId::kInteger:
      case TypeId::kDate:
        writer.VarI64(value.As<int32_t>());
        break;
      case TypeId::kBigInt:
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
        writer.VarI64(value.As<int64_t>());
        break;
      case TypeId::kReal:
        writer.F64(value.As<float>());
        break;
      case TypeId::kDouble:
        writer.F64(value.As<double>());
        break;
      case TypeId::kDecimal: {
        const auto unscaled = static_cast<unsigned __int128>(value.As<Decimal128>());
        writer.U64(static_cast<uint64_t>(unscaled));
        writer.U64(static_cast<uint64_t>(unscaled >> 64));
        break;
      }
      case TypeId::kInterval:
        writer.Raw(value.string());  // The Interval's 16 bytes, as ValueOf writes them.
        break;
      case TypeId::kVarchar:
      case TypeId::kBytea:
        writer.Bytes(value.string());
        break;
    }
  });
}

void WriteSourceMessage(const SourceMessage& message, const Schema& schema,
                        storage::StateWriter& writer) {
  writer.U8(kRecordVersion);
  writer.U8(static_cast<uint8_t>(message.kind));
  writer.U32(message.producer);
  switch (message.kind) {
    case SourceMessage::Kind::kRow:
      WriteRowValues(writer, message.row, schema);
      break;
    case SourceMessage::Kind::kBatch:
      writer.BatchOf(*message.batch);
      break;
    case SourceMessage::Kind::kWatermark:
      writer.I64(message.watermark);
      break;
    case SourceMessage::Kind::kClose:
      break;
  }
}

}  // namespace

std::string EncodeSourceMessage(const SourceMessage& message, const Schema& schema) {
  storage::StateWriter writer;
  WriteSourceMessage(message, schema, writer);
  return writer.Release();
}

void EncodeSourceMessage(const SourceMessage& message, const Schema& schema,
                         storage::StateWriter& writer, std::vector<std::string_view>& parts) {
  writer.Clear();
  writer.Gather();
  WriteSourceMessage(message, schema, writer);
  parts.clear();
  writer.Gathered(parts);
}

Result<SourceMessage> DecodeSourceMessage(std::string_view record,
                                          const std::shared_ptr<const Schema>& schema,
                                          std::string_view context) {
  storage::StateReader reader(record, std::string(context));
  const uint8_t version = reader.U8();
  if (reader.ok() && (version == 0 || version > kRecordVersion)) {
    return Status::Error(ErrorCode::kUnsupportedFormatVersion,
                         "{}: record version {} (this build reads 1 to {})", context, version,
                         kRecordVersion);
  }
  SourceMessage message;
  const uint8_t kind = reader.U8();
  if (reader.ok() && kind > static_cast<uint8_t>(SourceMessage::Kind::kClose)) {
    reader.Fail(fmt::format("message kind {}", kind));
  }
  message.kind = static_cast<SourceMessage::Kind>(kind);
  message.producer = reader.U32();
  if (!reader.ok()) return reader.status();
  switch (message.kind) {
    case SourceMessage::Kind::kRow: {
      const size_t count = reader.Count(2);
      if (reader.ok() && count != static_cast<size_t>(schema->num_fields())) {
        reader.Fail(fmt::format("a row of {} values for a source of {} columns", count,
                                schema->num_fields()));
      }
      std::vector<Value> values;
      for (size_t i = 0; i < count && reader.ok(); ++i) values.push_back(reader.ValueOf());
      // Rows were checked against the schema when pushed, and the reactor appends them
      // unchecked: a record whose values do not fit fails the replay.
      message.row.Start(schema->num_fields());
      for (size_t i = 0; i < values.size() && reader.ok(); ++i) {
        const Field& field = schema->field(static_cast<int>(i));
        const Value& value = values[i];
        if (value.is_null() ? !field.nullable : value.type() != field.type) {
          reader.Fail(fmt::format("a row whose value {} does not fit column \"{}\" ({}{})",
                                  value.ToString(), field.name, field.type.ToString(),
                                  field.nullable ? "" : " NOT NULL"));
        } else if (!message.row.AppendValue(value, field.type)) {
          reader.Fail(fmt::format("column \"{}\": a string too long for a row", field.name));
        }
      }
      break;
    }
    case SourceMessage::Kind::kBatch: {
      Batch batch = reader.BatchOf();
      if (!reader.ok()) break;
      // Under the source's own schema (names, nullability), as pushed.
      Result<Batch> typed = Batch::Make(schema, batch.columns());
      if (!typed.ok()) {
        reader.Fail(
            fmt::format("a batch that does not fit the source: {}", typed.status().message()));
        break;
      }
      message.batch = std::make_shared<const Batch>(std::move(*typed));
      break;
    }
    case SourceMessage::Kind::kWatermark:
      message.watermark = reader.I64();
      break;
    case SourceMessage::Kind::kClose:
      break;
  }
  LAMINAR_RETURN_IF_ERROR(reader.Finish());
  return message;
}

}  // namespace laminar::runtime
