#include "nexmark/csv_export.h"

#include <algorithm>
#include <charconv>
#include <ostream>
#include <string_view>

#include "columnar/temporal.h"

namespace laminar::nexmark {
namespace {

// RFC 4180: a field needs quotes when it holds a separator, a quote or a line break. (A plain
// loop: string_view::find_first_of calls memchr once per byte.)
bool NeedsQuotes(std::string_view value) {
  for (char c : value) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

void AppendField(std::string_view value, std::string* out) {
  if (!NeedsQuotes(value)) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendInt64(int64_t value, std::string* out) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, result.ptr);
}

void AppendTwoDigits(int64_t value, std::string* out) {
  out->push_back(static_cast<char>('0' + value / 10));
  out->push_back(static_cast<char>('0' + value % 10));
}

// Formats TIMESTAMPs as "YYYY-MM-DD HH:MM:SS.ffffff", remembering the last date's text because
// consecutive rows almost always fall on the same day.
class TimestampFormatter {
 public:
  void Append(int64_t micros, std::string* out) {
    // Floor division, so that times before the epoch count back from the previous midnight.
    int64_t day = micros / kMicrosPerDay;
    int64_t time_of_day = micros % kMicrosPerDay;
    if (time_of_day < 0) {
      day -= 1;
      time_of_day += kMicrosPerDay;
    }
    if (!has_day_ || day != day_) {
      // Every int64_t of microseconds is within +-110 million days, well inside int32_t.
      date_ = FormatDate(static_cast<int32_t>(day));
      before_christ_ = date_.ends_with(" BC");
      if (before_christ_) date_.resize(date_.size() - 3);
      day_ = day;
      has_day_ = true;
    }
    out->append(date_);
    out->push_back(' ');
    AppendTwoDigits(time_of_day / kMicrosPerHour, out);
    out->push_back(':');
    AppendTwoDigits(time_of_day / kMicrosPerMinute % 60, out);
    out->push_back(':');
    AppendTwoDigits(time_of_day / kMicrosPerSecond % 60, out);
    out->push_back('.');
    int64_t fraction = time_of_day % kMicrosPerSecond;
    char digits[6];
    for (int i = 5; i >= 0; --i) {
      digits[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    out->append(digits, sizeof(digits));
    if (before_christ_) out->append(" BC");
  }

 private:
  bool has_day_ = false;
  int64_t day_ = 0;
  std::string date_;
  bool before_christ_ = false;
};

}  // namespace

void AppendCsvHeader(const Schema& schema, std::string* out) {
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (i > 0) out->push_back(',');
    AppendField(schema.field(i).name, out);
  }
  out->push_back('\n');
}

Status AppendCsvRows(const Batch& batch, std::string* out) {
  for (const Field& field : batch.schema().fields()) {
    const TypeId id = field.type.id();
    if (id != TypeId::kBigInt && id != TypeId::kVarchar && id != TypeId::kTimestamp) {
      return Status::Error(ErrorCode::kNotSupported, "CSV export of {} column \"{}\"",
                           field.type.ToString(), field.name);
    }
  }
  TimestampFormatter timestamps;
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    for (int i = 0; i < batch.num_columns(); ++i) {
      if (i > 0) out->push_back(',');
      const Column& column = batch.column(i);
      if (column.IsNull(row)) continue;
      switch (column.type().id()) {
        case TypeId::kBigInt:
          AppendInt64(column.Values<int64_t>()[row], out);
          break;
        case TypeId::kTimestamp:
          timestamps.Append(column.Values<int64_t>()[row], out);
          break;
        default:  // VARCHAR, checked above.
          AppendField(column.StringValue(row), out);
          break;
      }
    }
    out->push_back('\n');
  }
  return Status::Ok();
}

Status WriteTableCsv(const NexmarkConfig& config, NexmarkTable table, uint64_t first_event,
                     uint64_t end_event, std::ostream& out) {
  // Validate the whole range before writing anything.
  LAMINAR_RETURN_IF_ERROR(ValidateEventRange(config, first_event, end_event));
  std::string text;
  AppendCsvHeader(*NexmarkSchema(table), &text);
  for (uint64_t begin = first_event; begin < end_event;) {
    const uint64_t end = begin + std::min(kCsvEventsPerBatch, end_event - begin);
    LAMINAR_ASSIGN_OR_RETURN(Batch batch, GenerateTable(config, table, begin, end));
    LAMINAR_RETURN_IF_ERROR(AppendCsvRows(batch, &text));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) {
      return Status::Error(ErrorCode::kIoError, "writing nexmark {} CSV failed",
                           NexmarkTableName(table));
    }
    text.clear();
    begin = end;
  }
  if (!text.empty()) out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.flush();
  if (!out) {
    return Status::Error(ErrorCode::kIoError, "writing nexmark {} CSV failed",
                         NexmarkTableName(table));
  }
  return Status::Ok();
}

}  // namespace laminar::nexmark
