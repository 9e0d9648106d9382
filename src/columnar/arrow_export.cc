#include "columnar/arrow_export.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "columnar/temporal.h"
#include "common/check.h"

namespace laminar {
namespace {

// Stands in for buffers LaminarDB left unallocated (empty columns), so that consumers always
// see a valid pointer where the format requires a buffer: it reads as zero offsets / no bytes.
alignas(kBufferAlignment) constexpr uint8_t kEmptyBuffer[kBufferAlignment] = {};

const void* BufferPointer(const std::shared_ptr<const Buffer>& buffer) {
  if (buffer == nullptr || buffer->data() == nullptr) return kEmptyBuffer;
  return buffer->data();
}

// ---------------------------------------------------------------------------------------------
// ArrowSchema

// Everything an exported ArrowSchema points to. Children are independent exports with their own
// private data, so a consumer may move them out and release them separately.
struct ExportedSchemaData {
  std::string format;
  std::string name;
  std::vector<ArrowSchema> children;
  std::vector<ArrowSchema*> child_pointers;
};

void ReleaseExportedSchema(ArrowSchema* schema) noexcept {
  if (schema == nullptr || schema->release == nullptr) return;
  for (int64_t i = 0; i < schema->n_children; ++i) {
    ArrowSchema* child = schema->children[i];
    if (child != nullptr && child->release != nullptr) child->release(child);
  }
  std::unique_ptr<ExportedSchemaData> data(static_cast<ExportedSchemaData*>(schema->private_data));
  data.reset();
  schema->private_data = nullptr;
  schema->release = nullptr;
}

// Fills `out` from `data` (whose strings and children must already be set) and hands `data` to it.
void FinishSchema(std::unique_ptr<ExportedSchemaData> data, int64_t flags, ArrowSchema* out) {
  out->format = data->format.c_str();
  out->name = data->name.c_str();
  out->metadata = nullptr;
  out->flags = flags;
  out->n_children = static_cast<int64_t>(data->children.size());
  data->child_pointers.clear();
  for (ArrowSchema& child : data->children) data->child_pointers.push_back(&child);
  out->children = data->child_pointers.empty() ? nullptr : data->child_pointers.data();
  out->dictionary = nullptr;
  out->private_data = data.release();
  out->release = &ReleaseExportedSchema;
}

// ---------------------------------------------------------------------------------------------
// ArrowArray

// Everything an exported ArrowArray points to: the buffers it shares (kept alive here), the
// pointer table, and for a batch the child arrays.
struct ExportedArrayData {
  std::array<std::shared_ptr<const Buffer>, 3> buffers;
  std::array<const void*, 3> buffer_pointers = {nullptr, nullptr, nullptr};
  std::vector<ArrowArray> children;
  std::vector<ArrowArray*> child_pointers;
};

void ReleaseExportedArray(ArrowArray* array) noexcept {
  if (array == nullptr || array->release == nullptr) return;
  for (int64_t i = 0; i < array->n_children; ++i) {
    ArrowArray* child = array->children[i];
    if (child != nullptr && child->release != nullptr) child->release(child);
  }
  std::unique_ptr<ExportedArrayData> data(static_cast<ExportedArrayData*>(array->private_data));
  data.reset();
  array->private_data = nullptr;
  array->release = nullptr;
}

// A copy of bits [offset, offset + length) of `bits`, starting at bit 0.
std::shared_ptr<const Buffer> CopyBits(const uint8_t* bits, int64_t offset, int64_t length) {
  BufferBuilder builder;
  builder.Resize(static_cast<size_t>(BytesForBits(length)));
  for (int64_t i = 0; i < length; ++i) {
    if (GetBit(bits, offset + i)) SetBit(builder.data(), i);
  }
  return builder.Finish();
}

// INTERVAL values as Arrow month_day_nano: the micros converted to nanos, rows starting at 0.
Result<std::shared_ptr<const Buffer>> IntervalsToNanos(const Column& column) {
  BufferBuilder builder;
  builder.Resize(static_cast<size_t>(column.length()) * sizeof(Interval));
  const uint8_t* source = column.values_buffer() ? column.values_buffer()->data() : nullptr;
  for (int64_t row = 0; row < column.length(); ++row) {
    if (column.IsNull(row)) continue;  // Stays all zero.
    Interval value;
    std::memcpy(&value, source + (column.offset() + row) * sizeof(Interval), sizeof(value));
    int64_t nanos = 0;
    if (__builtin_mul_overflow(value.micros, int64_t{1000}, &nanos)) {
      return Status::Error(ErrorCode::kNumericOverflow,
                           "INTERVAL at row {} has {} microseconds, which overflow the 64-bit "
                           "nanoseconds of Arrow's month_day_nano interval",
                           row, value.micros);
    }
    value.micros = nanos;  // Same layout; the field now counts nanoseconds.
    std::memcpy(builder.data() + row * sizeof(Interval), &value, sizeof(value));
  }
  return builder.Finish();
}

Status ExportColumnInto(const Column& column, ArrowArray* out) {
  auto data = std::make_unique<ExportedArrayData>();
  const DataType& type = column.type();
  int64_t offset = column.offset();
  int64_t n_buffers = 0;
  switch (type.id()) {
    case TypeId::kNull:
      break;
    case TypeId::kInterval: {
      // Not zero-copy: the values are rewritten, so rebase everything at row 0.
      LAMINAR_ASSIGN_OR_RETURN(data->buffers[1], IntervalsToNanos(column));
      if (column.validity_buffer() != nullptr && column.null_count() > 0) {
        data->buffers[0] = CopyBits(column.validity_buffer()->data(), offset, column.length());
      }
      offset = 0;
      n_buffers = 2;
      data->buffer_pointers[0] = data->buffers[0] ? data->buffers[0]->data() : nullptr;
      data->buffer_pointers[1] = BufferPointer(data->buffers[1]);
      break;
    }
    default:
      data->buffers[0] = column.validity_buffer();
      data->buffers[1] = column.values_buffer();
      data->buffer_pointers[0] = data->buffers[0] ? data->buffers[0]->data() : nullptr;
      data->buffer_pointers[1] = BufferPointer(data->buffers[1]);
      n_buffers = 2;
      if (type.IsVariableWidth()) {
        data->buffers[2] = column.data_buffer();
        data->buffer_pointers[2] = BufferPointer(data->buffers[2]);
        n_buffers = 3;
      }
      break;
  }
  out->length = column.length();
  out->null_count = column.null_count();
  out->offset = offset;
  out->n_buffers = n_buffers;
  out->n_children = 0;
  out->buffers = data->buffer_pointers.data();
  out->children = nullptr;
  out->dictionary = nullptr;
  out->private_data = data.release();
  out->release = &ReleaseExportedArray;
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// ArrowArrayStream

struct ExportedStreamData {
  std::shared_ptr<const Schema> schema;
  std::vector<Batch> batches;
  size_t next = 0;
  std::string last_error;
};

ExportedStreamData* StreamData(ArrowArrayStream* stream) {
  return static_cast<ExportedStreamData*>(stream->private_data);
}

// Maps a failed export to an errno value for the C stream callbacks and remembers the message.
int StreamError(ExportedStreamData* data, const Status& status) {
  data->last_error = status.ToString();
  return status.code() == ErrorCode::kOutOfMemory ? ENOMEM : EINVAL;
}

int StreamGetSchema(ArrowArrayStream* stream, ArrowSchema* out) noexcept {
  ExportedStreamData* data = StreamData(stream);
  Status status = ExportSchema(*data->schema, out);
  return status.ok() ? 0 : StreamError(data, status);
}

int StreamGetNext(ArrowArrayStream* stream, ArrowArray* out) noexcept {
  ExportedStreamData* data = StreamData(stream);
  if (data->next == data->batches.size()) {
    out->release = nullptr;  // End of stream.
    return 0;
  }
  Status status = ExportBatch(data->batches[data->next], out);
  if (!status.ok()) return StreamError(data, status);
  // Hand the batch's buffers over to the export: the stream no longer needs them.
  data->batches[data->next] = Batch();
  ++data->next;
  return 0;
}

const char* StreamGetLastError(ArrowArrayStream* stream) noexcept {
  ExportedStreamData* data = StreamData(stream);
  return data->last_error.empty() ? nullptr : data->last_error.c_str();
}

void StreamRelease(ArrowArrayStream* stream) noexcept {
  if (stream == nullptr || stream->release == nullptr) return;
  std::unique_ptr<ExportedStreamData> data(StreamData(stream));
  data.reset();
  stream->private_data = nullptr;
  stream->release = nullptr;
}

}  // namespace

std::string ArrowFormatString(const DataType& type) {
  switch (type.id()) {
    case TypeId::kNull:
      return "n";
    case TypeId::kBoolean:
      return "b";
    case TypeId::kTinyInt:
      return "c";
    case TypeId::kSmallInt:
      return "s";
    case TypeId::kInteger:
      return "i";
    case TypeId::kBigInt:
      return "l";
    case TypeId::kReal:
      return "f";
    case TypeId::kDouble:
      return "g";
    case TypeId::kDecimal:
      return fmt::format("d:{},{}", type.precision(), type.scale());
    case TypeId::kVarchar:
      return "u";
    case TypeId::kBytea:
      return "z";
    case TypeId::kDate:
      return "tdD";
    case TypeId::kTimestamp:
      return "tsu:";
    case TypeId::kTimestampTz:
      return "tsu:UTC";
    case TypeId::kInterval:
      return "tin";
  }
  LAMINAR_CHECK_MSG(false, "unknown TypeId");
  return "";
}

Status ExportField(const Field& field, ArrowSchema* out) {
  auto data = std::make_unique<ExportedSchemaData>();
  data->format = ArrowFormatString(field.type);
  data->name = field.name;
  FinishSchema(std::move(data), field.nullable ? ARROW_FLAG_NULLABLE : 0, out);
  return Status::Ok();
}

Status ExportSchema(const Schema& schema, ArrowSchema* out) {
  auto data = std::make_unique<ExportedSchemaData>();
  data->format = "+s";
  data->children.resize(schema.fields().size());
  for (size_t i = 0; i < data->children.size(); ++i) {
    // ExportField cannot fail today; should it ever, release what was exported so far.
    Status status = ExportField(schema.fields()[i], &data->children[i]);
    if (!status.ok()) {
      for (size_t j = 0; j < i; ++j) data->children[j].release(&data->children[j]);
      return status;
    }
  }
  FinishSchema(std::move(data), 0, out);
  return Status::Ok();
}

Status ExportColumn(const Column& column, ArrowArray* out) { return ExportColumnInto(column, out); }

Status ExportBatch(const Batch& batch, ArrowArray* out) {
  auto data = std::make_unique<ExportedArrayData>();
  data->children.resize(static_cast<size_t>(batch.num_columns()));
  for (int i = 0; i < batch.num_columns(); ++i) {
    Status status = ExportColumnInto(batch.column(i), &data->children[i]);
    if (!status.ok()) {
      for (int j = 0; j < i; ++j) data->children[j].release(&data->children[j]);
      return std::move(status).WithContext(
          fmt::format("column \"{}\"", batch.schema().field(i).name));
    }
    data->child_pointers.push_back(&data->children[i]);
  }
  out->length = batch.num_rows();
  out->null_count = 0;
  out->offset = 0;
  out->n_buffers = 1;
  out->n_children = batch.num_columns();
  out->buffers = data->buffer_pointers.data();  // buffer_pointers[0] is NULL: no NULL rows.
  out->children = data->child_pointers.empty() ? nullptr : data->child_pointers.data();
  out->dictionary = nullptr;
  out->private_data = data.release();
  out->release = &ReleaseExportedArray;
  return Status::Ok();
}

Status ExportBatchStream(std::shared_ptr<const Schema> schema, std::vector<Batch> batches,
                         ArrowArrayStream* out) {
  LAMINAR_CHECK(schema != nullptr);
  for (size_t i = 0; i < batches.size(); ++i) {
    if (batches[i].schema() != *schema) {
      return Status::Error(ErrorCode::kSchemaMismatch,
                           "batch {} of the stream has schema {} but the stream's is {}", i,
                           batches[i].schema().ToString(), schema->ToString());
    }
  }
  auto data = std::make_unique<ExportedStreamData>();
  data->schema = std::move(schema);
  data->batches = std::move(batches);
  out->get_schema = &StreamGetSchema;
  out->get_next = &StreamGetNext;
  out->get_last_error = &StreamGetLastError;
  out->private_data = data.release();
  out->release = &StreamRelease;
  return Status::Ok();
}

}  // namespace laminar
