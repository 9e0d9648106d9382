#include "state/key_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "columnar/value.h"
#include "state/group_table.h"

namespace laminar::state {
namespace {

Column MakeColumn(DataType type, const std::vector<Value>& values) {
  ColumnBuilder builder(type);
  for (const Value& value : values) EXPECT_TRUE(builder.AppendValue(value).ok());
  return builder.Finish();
}

std::vector<std::string> EncodedKeys(KeyEncoder& encoder, std::span<const Column> columns,
                                     std::span<const uint32_t> rows = {},
                                     std::span<const int64_t> prefix = {}) {
  encoder.Encode(columns, rows, prefix);
  std::vector<std::string> keys;
  for (size_t i = 0; i < encoder.size(); ++i) {
    EXPECT_EQ(encoder.hash(i), GroupTable::Hash(encoder.key(i)));
    keys.emplace_back(encoder.key(i));
  }
  return keys;
}

/// Decodes every key of `encoder` and checks it gives back the rows of `columns` and `prefix`.
void ExpectRoundTrip(const KeyEncoder& encoder, const std::vector<Column>& columns,
                     std::span<const int64_t> prefix) {
  std::vector<ColumnBuilder> builders;
  for (const Column& column : columns) builders.emplace_back(column.type());
  for (size_t i = 0; i < encoder.size(); ++i) {
    // What Encode writes is canonical.
    EXPECT_TRUE(encoder.IsCanonical(encoder.key(i).substr(prefix.empty() ? 0 : sizeof(int64_t))))
        << "key " << i;
    Result<int64_t> decoded_prefix = encoder.Decode(encoder.key(i), !prefix.empty(), builders);
    ASSERT_TRUE(decoded_prefix.ok());
    EXPECT_EQ(*decoded_prefix, prefix.empty() ? 0 : prefix[i]);
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    Column decoded = builders[c].Finish();
    ASSERT_EQ(decoded.length(), columns[c].length());
    for (int64_t row = 0; row < decoded.length(); ++row) {
      EXPECT_EQ(decoded.GetValue(row), columns[c].GetValue(row))
          << columns[c].type().ToString() << " row " << row;
    }
  }
}

/// Per type: two distinct non-NULL values.
struct TypeSample {
  DataType type;
  Value first;
  Value second;
};

std::vector<TypeSample> Samples() {
  DataType decimal = DataType::Decimal(30, 4).value();
  return {
      {DataType::Boolean(), Value::Boolean(true), Value::Boolean(false)},
      {DataType::TinyInt(), Value::TinyInt(-5), Value::TinyInt(100)},
      {DataType::SmallInt(), Value::SmallInt(-300), Value::SmallInt(3000)},
      {DataType::Integer(), Value::Integer(INT32_MIN), Value::Integer(7)},
      {DataType::BigInt(), Value::BigInt(INT64_MAX), Value::BigInt(-1)},
      {DataType::Real(), Value::Real(1.5f), Value::Real(-2.25f)},
      {DataType::Double(), Value::Double(3.25), Value::Double(-1e300)},
      {decimal, Value::Decimal(Decimal128{12345}, decimal),
       Value::Decimal(-(Decimal128{1} << 100), decimal)},
      {DataType::Varchar(), Value::Varchar("hello, world"), Value::Varchar("")},
      {DataType::Bytea(), Value::Bytea(std::string("\0\1\2", 3)), Value::Bytea("xyz")},
      {DataType::Date(), Value::Date(19000), Value::Date(-1)},
      {DataType::Timestamp(), Value::Timestamp(1'700'000'000'000'000), Value::Timestamp(-5)},
      {DataType::TimestampTz(), Value::TimestampTz(42), Value::TimestampTz(INT64_MIN)},
      {DataType::Interval(), Value::FromInterval(Interval{1, -2, 3'000'000}),
       Value::FromInterval(Interval{0, 0, -1})},
  };
}

TEST(KeyEncoderTest, SingleColumnOfEveryTypeRoundTripsWithNulls) {
  const std::vector<int64_t> prefix = {7, -8, 9, 7, 10};
  for (const TypeSample& sample : Samples()) {
    SCOPED_TRACE(sample.type.ToString());
    std::vector<Column> columns = {
        MakeColumn(sample.type, {sample.first, sample.second, Value::Null(sample.type),
                                 sample.first, Value::Null(sample.type)})};
    KeyEncoder encoder({sample.type});
    for (bool with_prefix : {false, true}) {
      std::span<const int64_t> used =
          with_prefix ? std::span<const int64_t>(prefix) : std::span<const int64_t>();
      std::vector<std::string> keys = EncodedKeys(encoder, columns, {}, used);
      ASSERT_EQ(keys.size(), 5u);
      EXPECT_NE(keys[0], keys[1]);
      EXPECT_NE(keys[0], keys[2]);
      EXPECT_NE(keys[1], keys[2]);
      EXPECT_EQ(keys[0], keys[3]);
      EXPECT_EQ(keys[2] == keys[4], !with_prefix);
      ExpectRoundTrip(encoder, columns, used);
    }
  }
}

TEST(KeyEncoderTest, AllTypesTogetherRoundTripWithNullsInEveryColumn) {
  std::vector<DataType> types;
  std::vector<Column> columns;
  const std::vector<TypeSample> samples = Samples();
  for (size_t c = 0; c < samples.size(); ++c) {
    const TypeSample& sample = samples[c];
    types.push_back(sample.type);
    // Row r is NULL in column c when r == c % 4; rows 4 and 5 repeat rows 0 and 1.
    std::vector<Value> values;
    for (size_t row = 0; row < 6; ++row) {
      if (row % 4 == c % 4) {
        values.push_back(Value::Null(sample.type));
      } else {
        values.push_back(row % 2 == 0 ? sample.first : sample.second);
      }
    }
    columns.push_back(MakeColumn(sample.type, values));
  }
  types.push_back(DataType::Null());
  columns.push_back(Column::Nulls(DataType::Null(), 6));

  KeyEncoder encoder(types);
  const std::vector<int64_t> prefix = {1, 2, 3, 4, 1, 2};
  std::vector<std::string> keys = EncodedKeys(encoder, columns, {}, prefix);
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = i + 1; j < 4; ++j) EXPECT_NE(keys[i], keys[j]) << i << " " << j;
  }
  EXPECT_EQ(keys[0], keys[4]);
  EXPECT_EQ(keys[1], keys[5]);
  ExpectRoundTrip(encoder, columns, prefix);
}

TEST(KeyEncoderTest, NegativeZeroAndNaNsEncodeAsOneValue) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double other_nan;
  uint64_t other_nan_bits = 0xfff8'0000'0000'1234;  // Negative, with a payload.
  std::memcpy(&other_nan, &other_nan_bits, sizeof(other_nan));
  ASSERT_TRUE(std::isnan(other_nan));
  std::vector<Column> doubles = {
      MakeColumn(DataType::Double(), {Value::Double(0.0), Value::Double(-0.0), Value::Double(nan),
                                      Value::Double(other_nan), Value::Double(1.0)})};
  KeyEncoder double_encoder({DataType::Double()});
  std::vector<std::string> keys = EncodedKeys(double_encoder, doubles);
  EXPECT_EQ(keys[0], keys[1]);
  EXPECT_EQ(keys[2], keys[3]);
  EXPECT_NE(keys[0], keys[2]);
  EXPECT_NE(keys[0], keys[4]);

  std::vector<Column> reals = {MakeColumn(
      DataType::Real(), {Value::Real(0.0f), Value::Real(-0.0f), Value::Real(std::nanf("1")),
                         Value::Real(-std::numeric_limits<float>::quiet_NaN())})};
  KeyEncoder real_encoder({DataType::Real()});
  keys = EncodedKeys(real_encoder, reals);
  EXPECT_EQ(keys[0], keys[1]);
  EXPECT_EQ(keys[2], keys[3]);
  EXPECT_NE(keys[0], keys[2]);

  std::vector<ColumnBuilder> builders;
  builders.emplace_back(DataType::Real());
  ASSERT_TRUE(real_encoder.Decode(keys[2], false, builders).ok());
  EXPECT_TRUE(std::isnan(builders[0].Finish().Values<float>()[0]));
}

TEST(KeyEncoderTest, EmptyStringsNullsAndSplitsAreDistinct) {
  std::vector<Column> columns = {
      MakeColumn(DataType::Varchar(),
                 {Value::Varchar("a"), Value::Varchar("ab"), Value::Varchar(""),
                  Value::Null(DataType::Varchar()), Value::Varchar("")}),
      MakeColumn(DataType::Varchar(),
                 {Value::Varchar("bc"), Value::Varchar("c"), Value::Null(DataType::Varchar()),
                  Value::Varchar(""), Value::Varchar("")})};
  KeyEncoder pair_encoder({DataType::Varchar(), DataType::Varchar()});
  std::vector<std::string> keys = EncodedKeys(pair_encoder, columns);
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size(); ++j) EXPECT_NE(keys[i], keys[j]) << i << " " << j;
  }
  ExpectRoundTrip(pair_encoder, columns, {});

  std::vector<Column> single = {columns[0]};
  KeyEncoder single_encoder({DataType::Varchar()});
  keys = EncodedKeys(single_encoder, single);
  EXPECT_NE(keys[2], keys[3]);  // '' is not NULL.
  EXPECT_EQ(keys[2], keys[4]);
  ExpectRoundTrip(single_encoder, single, {});
}

// Equal tuples give equal bytes whatever the batch around them: with or without NULLs
// elsewhere in the column (which switches between the constant-width and per-row layouts),
// through a row selection, or from a sliced column.
TEST(KeyEncoderTest, EqualValuesEncodeEquallyAcrossBatchesSelectionsAndSlices) {
  KeyEncoder encoder({DataType::BigInt()});
  std::vector<Column> without_nulls = {
      MakeColumn(DataType::BigInt(), {Value::BigInt(1), Value::BigInt(2), Value::BigInt(3)})};
  std::vector<Column> with_nulls = {MakeColumn(
      DataType::BigInt(), {Value::Null(DataType::BigInt()), Value::BigInt(3), Value::BigInt(1)})};
  std::vector<std::string> plain = EncodedKeys(encoder, without_nulls);
  std::vector<std::string> mixed = EncodedKeys(encoder, with_nulls);
  EXPECT_EQ(plain[0].size(), 8u);  // Stored inline by GroupTable.
  EXPECT_EQ(plain[0], mixed[2]);
  EXPECT_EQ(plain[2], mixed[1]);
  EXPECT_TRUE(mixed[0].empty());

  const std::vector<uint32_t> rows = {2, 0};
  std::vector<std::string> selected = EncodedKeys(encoder, with_nulls, rows);
  EXPECT_EQ(selected, (std::vector<std::string>{mixed[2], mixed[0]}));

  std::vector<Column> sliced = {with_nulls[0].Slice(1, 2)};
  EXPECT_EQ(EncodedKeys(encoder, sliced), (std::vector<std::string>{mixed[1], mixed[2]}));

  std::vector<Column> pairs = {with_nulls[0], without_nulls[0]};
  KeyEncoder pair_encoder({DataType::BigInt(), DataType::BigInt()});
  std::vector<std::string> pair_keys = EncodedKeys(pair_encoder, pairs, rows);
  std::vector<Column> sliced_pairs = {with_nulls[0].Slice(2, 1), without_nulls[0].Slice(2, 1)};
  EXPECT_EQ(EncodedKeys(pair_encoder, sliced_pairs)[0], pair_keys[0]);
  ExpectRoundTrip(pair_encoder, {with_nulls[0].Slice(2, 1), without_nulls[0].Slice(2, 1)}, {});
}

/// The key of one row of `columns`, as Encode writes it.
std::string OneKey(const std::vector<DataType>& types, const std::vector<Value>& row) {
  std::vector<Column> columns;
  for (size_t c = 0; c < types.size(); ++c) columns.push_back(MakeColumn(types[c], {row[c]}));
  KeyEncoder encoder(types);
  return EncodedKeys(encoder, columns)[0];
}

template <typename T>
std::string BytesOf(T value) {
  return std::string(reinterpret_cast<const char*>(&value), sizeof(value));
}

TEST(KeyEncoderTest, OnlyKeysEncodeCanWriteAreCanonical) {
  const KeyEncoder bigint({DataType::BigInt()});
  EXPECT_TRUE(bigint.IsCanonical(BytesOf(int64_t{-3})));
  EXPECT_TRUE(bigint.IsCanonical(""));  // NULL.
  EXPECT_FALSE(bigint.IsCanonical(BytesOf(int64_t{-3}).substr(0, 7)));
  EXPECT_FALSE(bigint.IsCanonical(BytesOf(int64_t{-3}) + "x"));

  const KeyEncoder varchar({DataType::Varchar()});
  EXPECT_TRUE(varchar.IsCanonical(BytesOf(uint32_t{2}) + "ab"));
  EXPECT_TRUE(varchar.IsCanonical(BytesOf(uint32_t{0})));          // ''.
  EXPECT_FALSE(varchar.IsCanonical(BytesOf(uint32_t{3}) + "ab"));  // Past the end.
  EXPECT_FALSE(varchar.IsCanonical(BytesOf(uint32_t{UINT32_MAX}) + "ab"));
  EXPECT_FALSE(varchar.IsCanonical(BytesOf(uint32_t{1}) + "ab"));  // A byte left over.
  EXPECT_FALSE(varchar.IsCanonical("ab"));                         // Shorter than a length.

  const KeyEncoder boolean({DataType::Boolean()});
  EXPECT_TRUE(boolean.IsCanonical(std::string(1, '\1')));
  EXPECT_FALSE(boolean.IsCanonical(std::string(1, '\2')));

  // REAL and DOUBLE: -0.0 and NaNs other than the canonical one are never written.
  const KeyEncoder real({DataType::Double()});
  EXPECT_TRUE(real.IsCanonical(BytesOf(0.0)));
  EXPECT_TRUE(real.IsCanonical(BytesOf(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_FALSE(real.IsCanonical(BytesOf(-0.0)));
  EXPECT_FALSE(real.IsCanonical(BytesOf(-std::numeric_limits<double>::quiet_NaN())));
  const KeyEncoder single({DataType::Real()});
  EXPECT_FALSE(single.IsCanonical(BytesOf(-0.0f)));

  // Two columns: a NULL bitmap, then every column, zeros under NULLs.
  const std::vector<DataType> pair = {DataType::Varchar(), DataType::BigInt()};
  const KeyEncoder two(pair);
  const std::string valid = OneKey(pair, {Value::Varchar("ab"), Value::Null(DataType::BigInt())});
  ASSERT_EQ(valid, std::string(1, '\2') + BytesOf(uint32_t{2}) + "ab" + BytesOf(int64_t{0}));
  EXPECT_TRUE(two.IsCanonical(valid));
  EXPECT_FALSE(two.IsCanonical(std::string(1, '\2') + BytesOf(uint32_t{2}) + "ab" +
                               BytesOf(int64_t{5})));  // A value under a NULL.
  EXPECT_FALSE(two.IsCanonical(std::string(1, '\1') + BytesOf(uint32_t{2}) + "ab" +
                               BytesOf(int64_t{0})));  // A NULL string with a length.
  EXPECT_FALSE(two.IsCanonical(std::string(1, '\6') + BytesOf(uint32_t{2}) + "ab" +
                               BytesOf(int64_t{0})));  // An unused bitmap bit.
  EXPECT_FALSE(two.IsCanonical(""));
  EXPECT_TRUE(two.IsCanonical(
      OneKey(pair, {Value::Null(DataType::Varchar()), Value::Null(DataType::BigInt())})));

  // Columns of type NULL take no bytes and are always NULL.
  const std::vector<DataType> nulls = {DataType::Null(), DataType::Integer()};
  EXPECT_TRUE(KeyEncoder({DataType::Null()}).IsCanonical(""));
  EXPECT_FALSE(KeyEncoder({DataType::Null()}).IsCanonical("x"));
  EXPECT_TRUE(KeyEncoder(nulls).IsCanonical(
      OneKey(nulls, {Value::Null(DataType::Null()), Value::Integer(4)})));
  EXPECT_FALSE(KeyEncoder(nulls).IsCanonical(std::string(1, '\0') + BytesOf(int32_t{4})));

  // No key columns (a global aggregate): only the empty key.
  EXPECT_TRUE(KeyEncoder({}).IsCanonical(""));
  EXPECT_FALSE(KeyEncoder({}).IsCanonical("x"));
}

TEST(KeyEncoderTest, PrefixAloneMakesTheKey) {
  KeyEncoder encoder({});
  const std::vector<int64_t> prefix = {100, -3, 100};
  std::vector<std::string> keys = EncodedKeys(encoder, {}, {}, prefix);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0], keys[2]);
  EXPECT_NE(keys[0], keys[1]);
  std::vector<ColumnBuilder> none;
  Result<int64_t> decoded = encoder.Decode(keys[1], true, none);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, -3);
}

}  // namespace
}  // namespace laminar::state
