#include "nexmark/csv_export.h"

#include <gtest/gtest.h>

#include <charconv>
#include <sstream>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "columnar/temporal.h"
#include "columnar/value.h"

namespace laminar::nexmark {
namespace {

// A strict RFC 4180 reader for the tests: records end with "\n"; quoted fields may contain
// commas, doubled quotes and newlines.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(record.empty() && field.empty()) << "text does not end with a newline";
  return records;
}

std::string WriteCsv(const NexmarkConfig& config, NexmarkTable table, uint64_t first,
                     uint64_t end) {
  std::ostringstream out;
  Status status = WriteTableCsv(config, table, first, end, out);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out.str();
}

TEST(CsvExportTest, HeaderNamesTheColumns) {
  std::string header;
  AppendCsvHeader(*BidSchema(), &header);
  EXPECT_EQ(header, "auction,bidder,price,channel,url,date_time,extra\n");
  EXPECT_EQ(WriteCsv(NexmarkConfig{}, NexmarkTable::kPerson, 0, 0),
            "id,name,email_address,credit_card,city,state,date_time,extra\n");
}

TEST(CsvExportTest, RowsParseBackToTheGeneratedValues) {
  const NexmarkConfig config{.seed = 21};
  for (NexmarkTable table : {NexmarkTable::kPerson, NexmarkTable::kAuction, NexmarkTable::kBid}) {
    SCOPED_TRACE(NexmarkTableName(table));
    const std::string text = WriteCsv(config, table, 0, 20'000);
    Result<Batch> batch = GenerateTable(config, table, 0, 20'000);
    ASSERT_TRUE(batch.ok());
    const auto records = ParseCsv(text);
    ASSERT_EQ(static_cast<int64_t>(records.size()), batch->num_rows() + 1);
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      const std::vector<std::string>& fields = records[static_cast<size_t>(row) + 1];
      ASSERT_EQ(static_cast<int>(fields.size()), batch->num_columns());
      for (int c = 0; c < batch->num_columns(); ++c) {
        const Column& column = batch->column(c);
        const std::string& field = fields[static_cast<size_t>(c)];
        switch (column.type().id()) {
          case TypeId::kBigInt: {
            int64_t value = 0;
            const auto parsed = std::from_chars(field.data(), field.data() + field.size(), value);
            ASSERT_EQ(parsed.ptr, field.data() + field.size()) << field;
            ASSERT_EQ(value, column.Values<int64_t>()[row]);
            break;
          }
          case TypeId::kTimestamp: {
            ASSERT_EQ(field.size(), 26u) << field;  // YYYY-MM-DD HH:MM:SS.ffffff
            Result<int64_t> value = ParseTimestamp(field);
            ASSERT_TRUE(value.ok()) << field;
            ASSERT_EQ(*value, column.Values<int64_t>()[row]);
            break;
          }
          default:
            ASSERT_EQ(field, column.StringValue(row));
            break;
        }
      }
    }
  }
}

TEST(CsvExportTest, StreamingInBatchesWritesTheSameTextAsOneBatch) {
  const NexmarkConfig config{.seed = 4};
  constexpr uint64_t kEvents = 3 * kCsvEventsPerBatch + 777;
  Result<Batch> whole = GenerateTable(config, NexmarkTable::kAuction, 5, kEvents);
  ASSERT_TRUE(whole.ok());
  std::string expected;
  AppendCsvHeader(*AuctionSchema(), &expected);
  ASSERT_TRUE(AppendCsvRows(*whole, &expected).ok());
  EXPECT_EQ(WriteCsv(config, NexmarkTable::kAuction, 5, kEvents), expected);
}

Batch OneColumnBatch(DataType type, const std::vector<Value>& values) {
  BatchBuilder builder(Schema::Make({{"value", type}}));
  for (const Value& value : values) {
    Status status = builder.AppendRow(std::span<const Value>(&value, 1));
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  Result<Batch> batch = builder.Finish();
  EXPECT_TRUE(batch.ok());
  return *std::move(batch);
}

TEST(CsvExportTest, FieldsAreQuotedOnlyWhenTheyMustBe) {
  const Batch batch =
      OneColumnBatch(DataType::Varchar(), {Value::Varchar("plain text"), Value::Varchar("a,b"),
                                           Value::Varchar("say \"hi\""),
                                           Value::Varchar("two\nlines"), Value::Varchar("cr\r"),
                                           Value::Varchar(""), Value::Null(DataType::Varchar())});
  std::string text;
  ASSERT_TRUE(AppendCsvRows(batch, &text).ok());
  EXPECT_EQ(text, "plain text\n\"a,b\"\n\"say \"\"hi\"\"\"\n\"two\nlines\"\n\"cr\r\"\n\n\n");
  const auto records = ParseCsv(text);
  ASSERT_EQ(records.size(), 7u);
  EXPECT_EQ(records[2][0], "say \"hi\"");
  EXPECT_EQ(records[3][0], "two\nlines");
}

TEST(CsvExportTest, TimestampsAlwaysHaveSixFractionDigits) {
  const Batch batch =
      OneColumnBatch(DataType::Timestamp(),
                     {Value::Timestamp(kDefaultBaseTime), Value::Timestamp(kDefaultBaseTime + 1),
                      Value::Timestamp(kDefaultBaseTime + kMicrosPerDay - 1), Value::Timestamp(-1),
                      Value::Timestamp(0), Value::Null(DataType::Timestamp())});
  std::string text;
  ASSERT_TRUE(AppendCsvRows(batch, &text).ok());
  EXPECT_EQ(text,
            "2015-07-15 00:00:00.000000\n"
            "2015-07-15 00:00:00.000001\n"
            "2015-07-15 23:59:59.999999\n"
            "1969-12-31 23:59:59.999999\n"
            "1970-01-01 00:00:00.000000\n"
            "\n");
}

TEST(CsvExportTest, BigIntsPrintInDecimal) {
  const Batch batch = OneColumnBatch(
      DataType::BigInt(),
      {Value::BigInt(0), Value::BigInt(-42), Value::BigInt(std::numeric_limits<int64_t>::min())});
  std::string text;
  ASSERT_TRUE(AppendCsvRows(batch, &text).ok());
  EXPECT_EQ(text, "0\n-42\n-9223372036854775808\n");
}

TEST(CsvExportTest, UnsupportedColumnTypesAreRejected) {
  const Batch batch = OneColumnBatch(DataType::Double(), {Value::Double(1.5)});
  std::string text = "kept";
  EXPECT_EQ(AppendCsvRows(batch, &text).code(), ErrorCode::kNotSupported);
  EXPECT_EQ(text, "kept");
}

TEST(CsvExportTest, InvalidRangesAreRejectedBeforeWriting) {
  std::ostringstream out;
  EXPECT_EQ(WriteTableCsv(NexmarkConfig{}, NexmarkTable::kBid, 10, 5, out).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(WriteTableCsv(NexmarkConfig{.rate = 0}, NexmarkTable::kBid, 0, 5, out).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(out.str().empty());
}

TEST(CsvExportTest, AFailedStreamIsAnIoError) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_EQ(WriteTableCsv(NexmarkConfig{}, NexmarkTable::kBid, 0, 1000, out).code(),
            ErrorCode::kIoError);
}

}  // namespace
}  // namespace laminar::nexmark
