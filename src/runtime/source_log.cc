#include "runtime/source_log.h"

#include "storage/state_io.h"

namespace laminar::runtime {

namespace {
constexpr uint8_t kRecordVersion = 1;
}  // namespace

std::string EncodeSourceMessage(const SourceMessage& message, const Schema& schema) {
  storage::StateWriter writer;
  writer.U8(kRecordVersion);
  writer.U8(static_cast<uint8_t>(message.kind));
  writer.U32(message.producer);
  switch (message.kind) {
    case SourceMessage::Kind::kRow: {
      const std::vector<Value> values = message.row.ToValues(schema);
      writer.VarU64(values.size());
      for (const Value& value : values) writer.ValueOf(value);
      break;
    }
    case SourceMessage::Kind::kBatch:
      writer.BatchOf(*message.batch);
      break;
    case SourceMessage::Kind::kWatermark:
      writer.I64(message.watermark);
      break;
    case SourceMessage::Kind::kClose:
      break;
  }
  return writer.Release();
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
