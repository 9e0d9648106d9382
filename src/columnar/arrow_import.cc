#include "columnar/arrow_import.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include "columnar/arrow_export.h"
#include "columnar/column_builder.h"
#include "columnar/decimal.h"
#include "columnar/temporal.h"
#include "common/check.h"

namespace laminar {
namespace {

// Larger offsets + lengths are rejected before any size arithmetic, so that
// (offset + length + 1) * 16 can never overflow. No real array comes close.
constexpr int64_t kMaxSlots = std::numeric_limits<int64_t>::max() / 32;

// Owns an ArrowArray moved from the producer's struct and releases it exactly once, when the
// last Buffer wrapping its memory (or the importer, on error) lets go of it.
class ImportedArray {
 public:
  /// REQUIRES: source->release != NULL. Marks the source released.
  explicit ImportedArray(ArrowArray* source) : array_(*source) { source->release = nullptr; }
  ImportedArray(const ImportedArray&) = delete;
  ImportedArray& operator=(const ImportedArray&) = delete;
  ~ImportedArray() {
    if (array_.release != nullptr) array_.release(&array_);
  }

  const ArrowArray& array() const { return array_; }

 private:
  ArrowArray array_;
};

// Owns an ArrowSchema moved from the producer's struct for the duration of an import.
class ImportedSchema {
 public:
  /// REQUIRES: source->release != NULL. Marks the source released.
  explicit ImportedSchema(ArrowSchema* source) : schema_(*source) { source->release = nullptr; }
  ImportedSchema(const ImportedSchema&) = delete;
  ImportedSchema& operator=(const ImportedSchema&) = delete;
  ~ImportedSchema() {
    if (schema_.release != nullptr) schema_.release(&schema_);
  }

  const ArrowSchema& schema() const { return schema_; }

 private:
  ArrowSchema schema_;
};

// ---------------------------------------------------------------------------------------------
// Format strings

Status Unsupported(std::string_view format, std::string_view what, std::string_view instead) {
  return Status::Error(ErrorCode::kArrowUnsupportedType,
                       "Arrow format '{}' ({}) is not supported; {}", format, what, instead);
}

Status InvalidFormat(std::string_view format, std::string_view why) {
  return Status::Error(ErrorCode::kArrowInvalidFormat, "malformed Arrow format string '{}': {}",
                       format, why);
}

// Parses a decimal integer with an optional leading '-' that fills all of `text`.
std::optional<int> ParseFormatInteger(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "d:P,S" or "d:P,S,BITWIDTH".
Result<DataType> ParseDecimalFormat(std::string_view format) {
  std::string_view rest = format.substr(2);
  std::vector<std::string_view> parts;
  while (true) {
    size_t comma = rest.find(',');
    parts.push_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (parts.size() != 2 && parts.size() != 3) {
    return InvalidFormat(format, "a decimal is 'd:precision,scale[,bitwidth]'");
  }
  std::optional<int> precision = ParseFormatInteger(parts[0]);
  std::optional<int> scale = ParseFormatInteger(parts[1]);
  if (!precision || !scale) {
    return InvalidFormat(format, "decimal precision and scale must be integers");
  }
  if (parts.size() == 3) {
    std::optional<int> bit_width = ParseFormatInteger(parts[2]);
    if (!bit_width) return InvalidFormat(format, "decimal bit width must be an integer");
    if (*bit_width == 32 || *bit_width == 64 || *bit_width == 256) {
      return Unsupported(format, fmt::format("decimal{}", *bit_width),
                         "cast to decimal128 ('d:P,S') with precision <= 38");
    }
    if (*bit_width != 128) {
      return InvalidFormat(format, "decimal bit width must be 32, 64, 128 or 256");
    }
  }
  if (*precision < 1 || *precision > kMaxDecimalPrecision) {
    return InvalidFormat(format,
                         fmt::format("decimal128 precision must be 1..{}", kMaxDecimalPrecision));
  }
  if (*scale < 0) {
    return Unsupported(format, "decimal with a negative scale",
                       "rescale to a scale between 0 and the precision");
  }
  if (*scale > *precision) {
    return Unsupported(format, "decimal with a scale larger than its precision",
                       "use a precision of at least the scale");
  }
  return DataType::Decimal(*precision, *scale);
}

Result<DataType> ParseTimestampFormat(std::string_view format) {
  // "ts" + unit + ":" + time zone.
  if (format.size() < 4 || format[3] != ':') {
    return InvalidFormat(format, "a timestamp is 'ts<unit>:<time zone>'");
  }
  switch (format[2]) {
    case 'u':
      return format.size() == 4 ? DataType::Timestamp() : DataType::TimestampTz();
    case 's':
    case 'm':
    case 'n':
      return Unsupported(format, "a timestamp in seconds, milliseconds or nanoseconds",
                         "cast to microseconds ('tsu:' or 'tsu:<zone>')");
    default:
      return InvalidFormat(format, "timestamp unit must be s, m, u or n");
  }
}

Result<DataType> ParseNestedFormat(std::string_view format) {
  static constexpr std::string_view kNested[] = {"+l", "+L", "+s", "+m", "+r", "+vl", "+vL"};
  static constexpr std::string_view kNestedPrefixes[] = {"+w:", "+ud:", "+us:"};
  bool known = false;
  for (std::string_view nested : kNested) known = known || format == nested;
  for (std::string_view prefix : kNestedPrefixes) known = known || format.starts_with(prefix);
  if (!known) return InvalidFormat(format, "unknown nested type");
  return Unsupported(format, "a nested type",
                     "LaminarDB columns are flat: flatten lists, structs, maps and unions into "
                     "columns of primitive types (only the top-level batch is a struct)");
}

}  // namespace

Result<DataType> DataTypeFromArrowFormat(std::string_view format) {
  struct Simple {
    std::string_view format;
    DataType type;
  };
  static constexpr Simple kSimple[] = {
      {"n", DataType::Null()},     {"b", DataType::Boolean()}, {"c", DataType::TinyInt()},
      {"s", DataType::SmallInt()}, {"i", DataType::Integer()}, {"l", DataType::BigInt()},
      {"f", DataType::Real()},     {"g", DataType::Double()},  {"u", DataType::Varchar()},
      {"z", DataType::Bytea()},    {"tdD", DataType::Date()},  {"tin", DataType::Interval()},
  };
  for (const Simple& simple : kSimple) {
    if (format == simple.format) return simple.type;
  }
  struct Rejected {
    std::string_view format;
    std::string_view what;
    std::string_view instead;
  };
  static constexpr Rejected kRejected[] = {
      {"C", "uint8", "use int16 ('s')"},
      {"S", "uint16", "use int32 ('i')"},
      {"I", "uint32", "use int64 ('l')"},
      {"L", "uint64", "use int64 ('l') or decimal128 ('d:20,0')"},
      {"e", "float16", "use float32 ('f')"},
      {"U", "large utf8", "use utf8 ('u') with 32-bit offsets"},
      {"Z", "large binary", "use binary ('z') with 32-bit offsets"},
      {"vu", "utf8 view", "use utf8 ('u')"},
      {"vz", "binary view", "use binary ('z')"},
      {"tdm", "date64", "use date32 ('tdD')"},
      {"tts", "time32[s]", "LaminarDB has no TIME type: use a timestamp ('tsu:') or 'tin'"},
      {"ttm", "time32[ms]", "LaminarDB has no TIME type: use a timestamp ('tsu:') or 'tin'"},
      {"ttu", "time64[us]", "LaminarDB has no TIME type: use a timestamp ('tsu:') or 'tin'"},
      {"ttn", "time64[ns]", "LaminarDB has no TIME type: use a timestamp ('tsu:') or 'tin'"},
      {"tDs", "duration[s]", "use month_day_nano interval ('tin')"},
      {"tDm", "duration[ms]", "use month_day_nano interval ('tin')"},
      {"tDu", "duration[us]", "use month_day_nano interval ('tin')"},
      {"tDn", "duration[ns]", "use month_day_nano interval ('tin')"},
      {"tiM", "interval[months]", "use month_day_nano interval ('tin')"},
      {"tiD", "interval[day_time]", "use month_day_nano interval ('tin')"},
  };
  for (const Rejected& rejected : kRejected) {
    if (format == rejected.format) return Unsupported(format, rejected.what, rejected.instead);
  }
  if (format.starts_with("d:")) return ParseDecimalFormat(format);
  if (format.starts_with("ts")) return ParseTimestampFormat(format);
  if (format.starts_with("+")) return ParseNestedFormat(format);
  if (format.starts_with("w:")) {
    if (!ParseFormatInteger(format.substr(2))) {
      return InvalidFormat(format, "fixed-size binary is 'w:<bytes>'");
    }
    return Unsupported(format, "fixed-size binary", "use binary ('z')");
  }
  return InvalidFormat(format, "unknown type");
}

namespace {

// ---------------------------------------------------------------------------------------------
// Fields and schemas

Result<Field> FieldFromSchema(const ArrowSchema& schema) {
  std::string name = schema.name != nullptr ? schema.name : "";
  if (schema.format == nullptr) {
    return Status::Error(ErrorCode::kArrowInvalidFormat, "Arrow field \"{}\" has no format string",
                         name);
  }
  Result<DataType> type = DataTypeFromArrowFormat(schema.format);
  if (!type.ok()) {
    return std::move(type).status().WithContext(fmt::format("field \"{}\"", name));
  }
  if (schema.dictionary != nullptr) {
    return Status::Error(ErrorCode::kArrowUnsupportedType,
                         "field \"{}\" is dictionary-encoded (indices '{}'), which is not "
                         "supported; decode it to its value type first",
                         name, schema.format);
  }
  if (schema.n_children != 0) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "field \"{}\" of format '{}' has {} children, expected none", name,
                         schema.format, schema.n_children);
  }
  return Field{std::move(name), *type, (schema.flags & ARROW_FLAG_NULLABLE) != 0};
}

// ---------------------------------------------------------------------------------------------
// Arrays

int ExpectedBufferCount(const DataType& type) {
  if (type.id() == TypeId::kNull) return 0;
  return type.IsVariableWidth() ? 3 : 2;
}

// Checks what every array must satisfy, whatever its type.
Status CheckArrayShape(const ArrowArray& array, std::string_view format) {
  if (array.length < 0 || array.offset < 0) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "Arrow array '{}' has length {} and offset {}; neither may be negative",
                         format, array.length, array.offset);
  }
  if (array.length > kMaxSlots - array.offset) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "Arrow array '{}' has length {} and offset {}, which is too large", format,
                         array.length, array.offset);
  }
  // -1 is the specification's "not computed yet".
  if (array.null_count < -1 || array.null_count > array.length) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "Arrow array '{}' of length {} has null_count {}", format, array.length,
                         array.null_count);
  }
  if (array.dictionary != nullptr) {
    return Status::Error(ErrorCode::kArrowUnsupportedType,
                         "Arrow array '{}' is dictionary-encoded, which is not supported; "
                         "decode it to its value type first",
                         format);
  }
  if (array.n_buffers > 0 && array.buffers == nullptr) {
    return Status::Error(ErrorCode::kArrowMissingBuffer,
                         "Arrow array '{}' has {} buffers but a NULL buffer table", format,
                         array.n_buffers);
  }
  return Status::Ok();
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

// Wraps `size` bytes at `data` without copying, unless `data` is not aligned to `alignment`, in
// which case typed loads from it would be undefined behaviour: then the bytes are copied.
std::shared_ptr<const Buffer> WrapAligned(const void* data, size_t size, size_t alignment,
                                          const std::shared_ptr<const ImportedArray>& owner) {
  if (reinterpret_cast<uintptr_t>(data) % alignment != 0) return Buffer::Copy(data, size);
  return Buffer::Wrap(data, size, owner);
}

// Arrow month_day_nano → LaminarDB INTERVAL (microseconds), rebased at row 0.
Result<Column> ImportIntervals(const ArrowArray& array, const uint8_t* validity,
                               const uint8_t* values, int64_t null_count) {
  BufferBuilder builder;
  builder.Resize(static_cast<size_t>(array.length) * sizeof(Interval));
  for (int64_t row = 0; row < array.length; ++row) {
    if (validity != nullptr && !GetBit(validity, array.offset + row)) continue;
    Interval value;  // Same layout; the last field holds nanoseconds until converted.
    std::memcpy(&value, values + (array.offset + row) * sizeof(Interval), sizeof(value));
    if (value.micros % 1000 != 0) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "INTERVAL at row {} has {} nanoseconds, which is not a whole number of "
                           "microseconds (LaminarDB's INTERVAL resolution)",
                           row, value.micros);
    }
    value.micros /= 1000;
    std::memcpy(builder.data() + row * sizeof(Interval), &value, sizeof(value));
  }
  std::shared_ptr<const Buffer> validity_copy =
      validity != nullptr ? CopyBits(validity, array.offset, array.length) : nullptr;
  Column column(DataType::Interval(), array.length, std::move(validity_copy), builder.Finish(),
                nullptr, null_count, 0);
  LAMINAR_RETURN_IF_ERROR(column.Validate());  // E.g. a null_count that contradicts the bitmap.
  return column;
}

// DECIMAL(p, s) promises at most p digits; a producer may send any 128-bit value.
Status CheckDecimalPrecision(const Column& column) {
  const int precision = column.type().precision();
  for (int64_t row = 0; row < column.length(); ++row) {
    if (column.IsNull(row)) continue;
    Decimal128 value;
    std::memcpy(&value, column.values_buffer()->data() + (column.offset() + row) * sizeof(value),
                sizeof(value));
    if (!DecimalFitsPrecision(value, precision)) {
      return Status::Error(ErrorCode::kArrowInvalidArray,
                           "Arrow decimal at row {} has more than the {} digits of {}", row,
                           precision, column.type().ToString());
    }
  }
  return Status::Ok();
}

// Imports `array` (owned, directly or as a descendant, by `owner`) as a column of `type`.
Result<Column> ImportArrayData(const ArrowArray& array, const DataType& type,
                               const std::shared_ptr<const ImportedArray>& owner) {
  const std::string format = ArrowFormatString(type);
  LAMINAR_RETURN_IF_ERROR(CheckArrayShape(array, format));
  if (array.n_children != 0) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "Arrow array '{}' has {} children, expected none", format,
                         array.n_children);
  }
  const int expected_buffers = ExpectedBufferCount(type);
  if (array.n_buffers != expected_buffers) {
    return Status::Error(ErrorCode::kArrowWrongBufferCount,
                         "Arrow array '{}' has {} buffers, expected {}", format, array.n_buffers,
                         expected_buffers);
  }
  const int64_t length = array.length;
  const int64_t offset = array.offset;
  if (type.id() == TypeId::kNull) {
    return Column(type, length, nullptr, nullptr, nullptr, length);
  }
  if (length == 0) return ColumnBuilder(type).Finish();

  // Validity bitmap: may be absent only without NULLs; ignored when null_count says none.
  const auto* validity = static_cast<const uint8_t*>(array.buffers[0]);
  int64_t null_count = array.null_count;
  if (validity == nullptr && null_count > 0) {
    return Status::Error(ErrorCode::kArrowMissingBuffer,
                         "Arrow array '{}' has {} NULLs but no validity bitmap", format,
                         null_count);
  }
  if (null_count == 0) validity = nullptr;
  if (validity == nullptr) null_count = 0;

  const auto* values = static_cast<const uint8_t*>(array.buffers[1]);
  if (values == nullptr) {
    return Status::Error(ErrorCode::kArrowMissingBuffer,
                         "Arrow array '{}' of length {} has no {} buffer", format, length,
                         type.IsVariableWidth() ? "offsets" : "values");
  }
  if (type.id() == TypeId::kInterval) return ImportIntervals(array, validity, values, null_count);

  const int64_t end = offset + length;
  std::shared_ptr<const Buffer> validity_buffer =
      validity != nullptr ? Buffer::Wrap(validity, static_cast<size_t>(BytesForBits(end)), owner)
                          : nullptr;
  std::shared_ptr<const Buffer> values_buffer;
  std::shared_ptr<const Buffer> data_buffer;
  if (type.IsVariableWidth()) {
    int32_t first = 0;
    int32_t last = 0;
    std::memcpy(&first, values + offset * sizeof(int32_t), sizeof(first));
    std::memcpy(&last, values + end * sizeof(int32_t), sizeof(last));
    if (first < 0 || last < first) {
      return Status::Error(ErrorCode::kArrowOffsetsOutOfRange,
                           "Arrow array '{}': offsets run from {} to {}", format, first, last);
    }
    const void* data = array.buffers[2];
    if (data == nullptr && last > 0) {
      return Status::Error(ErrorCode::kArrowMissingBuffer,
                           "Arrow array '{}' has {} bytes of values but no data buffer", format,
                           last);
    }
    values_buffer = WrapAligned(values, static_cast<size_t>(end + 1) * sizeof(int32_t),
                                alignof(int32_t), owner);
    data_buffer = Buffer::Wrap(data, static_cast<size_t>(last), owner);
  } else if (type.id() == TypeId::kBoolean) {
    values_buffer = Buffer::Wrap(values, static_cast<size_t>(BytesForBits(end)), owner);
  } else {
    const size_t width = static_cast<size_t>(type.ByteWidth());
    const size_t alignment = type.id() == TypeId::kDecimal ? alignof(Decimal128) : width;
    values_buffer = WrapAligned(values, static_cast<size_t>(end) * width, alignment, owner);
  }
  Column column(type, length, std::move(validity_buffer), std::move(values_buffer),
                std::move(data_buffer), null_count, offset);
  LAMINAR_RETURN_IF_ERROR(column.Validate());
  if (type.id() == TypeId::kDecimal) LAMINAR_RETURN_IF_ERROR(CheckDecimalPrecision(column));
  return column;
}

// Imports a struct array owned by `owner` as a batch of `schema`.
Result<Batch> ImportStructArray(const std::shared_ptr<const ImportedArray>& owner,
                                std::shared_ptr<const Schema> schema) {
  const ArrowArray& array = owner->array();
  LAMINAR_RETURN_IF_ERROR(CheckArrayShape(array, "+s"));
  if (array.n_buffers != 1) {
    return Status::Error(ErrorCode::kArrowWrongBufferCount,
                         "Arrow struct array has {} buffers, expected 1", array.n_buffers);
  }
  int64_t null_rows = array.null_count;
  const auto* validity = static_cast<const uint8_t*>(array.buffers[0]);
  if (null_rows == -1) {
    null_rows = validity != nullptr && array.length > 0
                    ? array.length - CountSetBits(validity, array.offset, array.length)
                    : 0;
  }
  if (null_rows > 0) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "Arrow struct array has {} NULL rows; a batch's rows cannot be NULL",
                         null_rows);
  }
  if (array.n_children != schema->num_fields()) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "Arrow struct array has {} children but schema {} has {} fields",
                         array.n_children, schema->ToString(), schema->num_fields());
  }
  if (array.n_children > 0 && array.children == nullptr) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "Arrow struct array has {} children but a NULL children table",
                         array.n_children);
  }
  std::vector<Column> columns;
  columns.reserve(static_cast<size_t>(array.n_children));
  for (int i = 0; i < schema->num_fields(); ++i) {
    const Field& field = schema->field(i);
    const ArrowArray* child = array.children[i];
    Status status;
    if (child == nullptr) {
      status = Status::Error(ErrorCode::kArrowInvalidArray, "child array is NULL");
    } else if (child->release == nullptr) {
      status = Status::Error(ErrorCode::kArrowReleased, "child array was released");
    } else {
      Result<Column> column = ImportArrayData(*child, field.type, owner);
      if (column.ok()) {
        if (column->length() < array.offset + array.length) {
          status = Status::Error(ErrorCode::kArrowInvalidArray,
                                 "child array has {} rows but the struct needs {} (offset {} + "
                                 "length {})",
                                 column->length(), array.offset + array.length, array.offset,
                                 array.length);
        } else if (array.offset != 0 || column->length() != array.length) {
          columns.push_back(column->Slice(array.offset, array.length));
        } else {
          columns.push_back(std::move(*column));
        }
      } else {
        status = std::move(column).status();
      }
    }
    if (!status.ok()) {
      return std::move(status).WithContext(fmt::format("column \"{}\"", field.name));
    }
  }
  if (columns.empty()) return Batch::MakeWithoutColumns(std::move(schema), array.length);
  return Batch::Make(std::move(schema), std::move(columns));
}

Status NullPointer(std::string_view what) {
  return Status::Error(ErrorCode::kInvalidArgument, "{} pointer is NULL", what);
}

Status AlreadyReleased(std::string_view what) {
  return Status::Error(ErrorCode::kArrowReleased, "{} was already released", what);
}

}  // namespace

Result<Field> ImportField(ArrowSchema* schema) {
  if (schema == nullptr) return NullPointer("ArrowSchema");
  if (schema->release == nullptr) return AlreadyReleased("ArrowSchema");
  ImportedSchema imported(schema);
  return FieldFromSchema(imported.schema());
}

Result<std::shared_ptr<const Schema>> ImportSchema(ArrowSchema* schema) {
  if (schema == nullptr) return NullPointer("ArrowSchema");
  if (schema->release == nullptr) return AlreadyReleased("ArrowSchema");
  ImportedSchema imported(schema);
  const ArrowSchema& top = imported.schema();
  if (top.format == nullptr) {
    return Status::Error(ErrorCode::kArrowInvalidFormat, "Arrow schema has no format string");
  }
  if (std::string_view(top.format) != "+s") {
    LAMINAR_RETURN_IF_ERROR(DataTypeFromArrowFormat(top.format));
    return Status::Error(ErrorCode::kArrowUnsupportedType,
                         "Arrow schema has format '{}' but a batch schema must be a struct ('+s') "
                         "with one child per column; import a single column with ImportField",
                         top.format);
  }
  if (top.dictionary != nullptr) {
    return Status::Error(ErrorCode::kArrowUnsupportedType,
                         "Arrow struct schema is dictionary-encoded, which is not supported");
  }
  if (top.n_children < 0 || (top.n_children > 0 && top.children == nullptr)) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "Arrow struct schema has {} children and a {} children table",
                         top.n_children, top.children == nullptr ? "NULL" : "non-NULL");
  }
  std::vector<Field> fields;
  fields.reserve(static_cast<size_t>(top.n_children));
  for (int64_t i = 0; i < top.n_children; ++i) {
    const ArrowSchema* child = top.children[i];
    if (child == nullptr) {
      return Status::Error(ErrorCode::kArrowInvalidArray, "Arrow struct schema child {} is NULL",
                           i);
    }
    if (child->release == nullptr) {
      return Status::Error(ErrorCode::kArrowReleased,
                           "Arrow struct schema child {} was already released", i);
    }
    LAMINAR_ASSIGN_OR_RETURN(Field field, FieldFromSchema(*child));
    fields.push_back(std::move(field));
  }
  return Schema::Make(std::move(fields));
}

Result<Column> ImportColumn(ArrowArray* array, const DataType& type) {
  if (array == nullptr) return NullPointer("ArrowArray");
  if (array->release == nullptr) return AlreadyReleased("ArrowArray");
  auto owner = std::make_shared<const ImportedArray>(array);
  return ImportArrayData(owner->array(), type, owner);
}

Result<Batch> ImportBatch(ArrowArray* array, std::shared_ptr<const Schema> schema) {
  LAMINAR_CHECK(schema != nullptr);
  if (array == nullptr) return NullPointer("ArrowArray");
  if (array->release == nullptr) return AlreadyReleased("ArrowArray");
  auto owner = std::make_shared<const ImportedArray>(array);
  return ImportStructArray(owner, std::move(schema));
}

Result<Batch> ImportBatch(ArrowArray* array, ArrowSchema* schema) {
  // Take ownership of the array before anything can fail, so that both are always released.
  std::shared_ptr<const ImportedArray> owner;
  Status array_status;
  if (array == nullptr) {
    array_status = NullPointer("ArrowArray");
  } else if (array->release == nullptr) {
    array_status = AlreadyReleased("ArrowArray");
  } else {
    owner = std::make_shared<const ImportedArray>(array);
  }
  Result<std::shared_ptr<const Schema>> imported_schema = ImportSchema(schema);
  LAMINAR_RETURN_IF_ERROR(array_status);
  LAMINAR_RETURN_IF_ERROR(imported_schema);
  return ImportStructArray(owner, std::move(*imported_schema));
}

// ---------------------------------------------------------------------------------------------
// Streams

class ArrowStreamReader::OwnedStream {
 public:
  /// REQUIRES: source->release != NULL. Marks the source released.
  explicit OwnedStream(ArrowArrayStream* source) : stream_(*source) { source->release = nullptr; }
  OwnedStream(const OwnedStream&) = delete;
  OwnedStream& operator=(const OwnedStream&) = delete;
  ~OwnedStream() {
    if (stream_.release != nullptr) stream_.release(&stream_);
  }

  ArrowArrayStream* get() { return &stream_; }

  /// The Status for a non-zero errno `code` returned by the producer's `call`.
  Status ProducerError(int code, std::string_view call) {
    const char* message =
        stream_.get_last_error != nullptr ? stream_.get_last_error(&stream_) : nullptr;
    return Status::Error(code == ENOMEM ? ErrorCode::kOutOfMemory : ErrorCode::kIoError,
                         "Arrow stream {} failed with error {} ({}){}{}", call, code,
                         std::strerror(code), message != nullptr ? ": " : "",
                         message != nullptr ? message : "");
  }

 private:
  ArrowArrayStream stream_;
};

ArrowStreamReader::ArrowStreamReader(std::unique_ptr<OwnedStream> stream,
                                     std::shared_ptr<const Schema> schema)
    : stream_(std::move(stream)), schema_(std::move(schema)) {}
ArrowStreamReader::ArrowStreamReader(ArrowStreamReader&&) noexcept = default;
ArrowStreamReader& ArrowStreamReader::operator=(ArrowStreamReader&&) noexcept = default;
ArrowStreamReader::~ArrowStreamReader() = default;

Result<ArrowStreamReader> ArrowStreamReader::Open(ArrowArrayStream* stream) {
  if (stream == nullptr) return NullPointer("ArrowArrayStream");
  if (stream->release == nullptr) return AlreadyReleased("ArrowArrayStream");
  auto owned = std::make_unique<OwnedStream>(stream);
  if (owned->get()->get_schema == nullptr || owned->get()->get_next == nullptr) {
    return Status::Error(ErrorCode::kArrowInvalidArray,
                         "ArrowArrayStream lacks a get_schema or get_next callback");
  }
  ArrowSchema c_schema{};
  const int code = owned->get()->get_schema(owned->get(), &c_schema);
  if (code != 0) return owned->ProducerError(code, "get_schema");
  LAMINAR_ASSIGN_OR_RETURN(std::shared_ptr<const Schema> schema, ImportSchema(&c_schema));
  return ArrowStreamReader(std::move(owned), std::move(schema));
}

Result<std::optional<Batch>> ArrowStreamReader::Next() {
  if (final_status_.has_value()) {
    if (final_status_->ok()) return std::optional<Batch>();
    return *final_status_;
  }
  ArrowArray c_array{};
  const int code = stream_->get()->get_next(stream_->get(), &c_array);
  if (code != 0) {
    final_status_ = stream_->ProducerError(code, "get_next");
    return *final_status_;
  }
  if (c_array.release == nullptr) {
    final_status_ = Status::Ok();
    return std::optional<Batch>();
  }
  Result<Batch> batch = ImportBatch(&c_array, schema_);
  if (!batch.ok()) {
    final_status_ = batch.status();
    return *final_status_;
  }
  return std::optional<Batch>(std::move(*batch));
}

Result<std::vector<Batch>> ImportStream(ArrowArrayStream* stream) {
  LAMINAR_ASSIGN_OR_RETURN(ArrowStreamReader reader, ArrowStreamReader::Open(stream));
  std::vector<Batch> batches;
  while (true) {
    LAMINAR_ASSIGN_OR_RETURN(std::optional<Batch> batch, reader.Next());
    if (!batch.has_value()) break;
    batches.push_back(std::move(*batch));
  }
  return batches;
}

}  // namespace laminar
