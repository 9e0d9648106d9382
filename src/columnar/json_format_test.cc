#include "columnar/json_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "columnar/column_builder.h"
#include "columnar/temporal.h"

namespace laminar {
namespace {

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

Batch MakeBatch(std::vector<Field> fields, const std::vector<std::vector<Value>>& rows) {
  BatchBuilder builder(Schema::Make(std::move(fields)));
  for (const std::vector<Value>& row : rows) EXPECT_TRUE(builder.AppendRow(row).ok());
  Result<Batch> batch = builder.Finish();
  EXPECT_TRUE(batch.ok()) << batch.status();
  return *batch;
}

TEST(JsonFormatTest, JsonStringEscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(JsonString("C:\\dir"), "\"C:\\\\dir\"");
  EXPECT_EQ(JsonString("a\nb\tc\rd"), "\"a\\nb\\tc\\rd\"");
  EXPECT_EQ(JsonString(std::string_view("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\x7f\"");
  EXPECT_EQ(JsonString(std::string_view("nul\0", 4)), "\"nul\\u0000\"");
}

TEST(JsonFormatTest, JsonStringPassesUtf8Through) {
  EXPECT_EQ(JsonString("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonFormatTest, JsonValueOfNullsBooleansAndIntegers) {
  EXPECT_EQ(JsonValue(Value()), "null");
  EXPECT_EQ(JsonValue(Value::Null(DataType::BigInt())), "null");
  EXPECT_EQ(JsonValue(Value::Null(DataType::Varchar())), "null");
  EXPECT_EQ(JsonValue(Value::Boolean(true)), "true");
  EXPECT_EQ(JsonValue(Value::Boolean(false)), "false");
  EXPECT_EQ(JsonValue(Value::TinyInt(-7)), "-7");
  EXPECT_EQ(JsonValue(Value::BigInt(std::numeric_limits<int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(JsonValue(Value::BigInt(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
}

TEST(JsonFormatTest, JsonValueOfFloatingPointRoundTrips) {
  EXPECT_EQ(JsonValue(Value::Double(0.1)), "0.1");
  EXPECT_EQ(JsonValue(Value::Double(100.0)), "100");
  EXPECT_EQ(JsonValue(Value::Double(1.0 / 3.0)), "0.3333333333333333");
  EXPECT_EQ(std::stod(JsonValue(Value::Double(1e300))), 1e300);
  EXPECT_EQ(JsonValue(Value::Real(0.1f)), "0.1");
  EXPECT_EQ(JsonValue(Value::Double(std::nan(""))), "\"NaN\"");
  EXPECT_EQ(JsonValue(Value::Double(std::numeric_limits<double>::infinity())), "\"Infinity\"");
  EXPECT_EQ(JsonValue(Value::Double(-std::numeric_limits<double>::infinity())), "\"-Infinity\"");
}

TEST(JsonFormatTest, JsonValueOfDecimalIsAnExactNumber) {
  const DataType type = *DataType::Decimal(10, 2);
  EXPECT_EQ(JsonValue(Value::Decimal(12345, type)), "123.45");
  EXPECT_EQ(JsonValue(Value::Decimal(-5, type)), "-0.05");
  EXPECT_EQ(JsonValue(Value::Decimal(150, type)), "1.50");
  const DataType wide = *DataType::Decimal(38, 0);
  const Decimal128 big = PowerOfTen(37) * 9;
  EXPECT_EQ(JsonValue(Value::Decimal(big, wide)), "90000000000000000000000000000000000000");
}

TEST(JsonFormatTest, JsonValueOfTextBinaryAndTemporalIsAString) {
  EXPECT_EQ(JsonValue(Value::Varchar("it's \"x\"")), "\"it's \\\"x\\\"\"");
  EXPECT_EQ(JsonValue(Value::Bytea(std::string("\x01\xab", 2))), "\"\\\\x01ab\"");
  EXPECT_EQ(JsonValue(Value::Date(*ParseDate("2024-05-01"))), "\"2024-05-01\"");
  EXPECT_EQ(JsonValue(Value::Timestamp(*ParseTimestamp("2024-05-01 09:30:00.25"))),
            "\"2024-05-01 09:30:00.25\"");
  EXPECT_EQ(JsonValue(Value::FromInterval(*ParseInterval("1 day 02:00:00"))), "\"1 day 02:00:00\"");
}

TEST(JsonFormatTest, JsonRowKeepsColumnOrderAndEscapesNames) {
  Batch batch = MakeBatch({{"z", DataType::BigInt()}, {"a \"q\"", DataType::Varchar()}},
                          {{Value::BigInt(1), Value::Varchar("x")},
                           {Value::BigInt(2), Value::Null(DataType::Varchar())}});
  EXPECT_EQ(JsonRow(batch.schema(), batch, 0), "{\"z\":1,\"a \\\"q\\\"\":\"x\"}");
  EXPECT_EQ(JsonRow(batch.schema(), batch, 1), "{\"z\":2,\"a \\\"q\\\"\":null}");
}

}  // namespace
}  // namespace laminar
