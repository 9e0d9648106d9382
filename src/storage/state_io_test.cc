#include "storage/state_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "columnar/column_builder.h"
#include "common/error_code.h"

namespace laminar::storage {
namespace {

TEST(StateIoTest, IntegersRoundTrip) {
  StateWriter writer;
  writer.U8(200);
  writer.U32(0xdeadbeef);
  writer.U64(~uint64_t{0});
  writer.I64(-5);
  writer.F64(-0.25);
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, ~uint64_t{0}}) writer.VarU64(v);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    writer.VarI64(v);
  }
  writer.Bytes("hello");
  writer.Bool(true);
  const std::string data = writer.Release();
  StateReader reader(data, "test");
  EXPECT_EQ(reader.U8(), 200);
  EXPECT_EQ(reader.U32(), 0xdeadbeefu);
  EXPECT_EQ(reader.U64(), ~uint64_t{0});
  EXPECT_EQ(reader.I64(), -5);
  EXPECT_EQ(reader.F64(), -0.25);
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, ~uint64_t{0}}) {
    EXPECT_EQ(reader.VarU64(), v);
  }
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(reader.VarI64(), v);
  }
  EXPECT_EQ(reader.Bytes(), "hello");
  EXPECT_TRUE(reader.Bool());
  EXPECT_TRUE(reader.Finish().ok()) << reader.status();
}

TEST(StateIoTest, ValuesRoundTrip) {
  const std::vector<Value> values = {
      Value(),
      Value::Null(DataType::BigInt()),
      Value::Boolean(false),
      Value::TinyInt(-3),
      Value::SmallInt(300),
      Value::Integer(-70000),
      Value::BigInt(std::numeric_limits<int64_t>::min()),
      Value::Real(1.5F),
      Value::Double(std::numeric_limits<double>::quiet_NaN()),
      Value::Decimal(-(static_cast<Decimal128>(1) << 100), *DataType::Decimal(38, 4)),
      Value::Varchar("text with \0 nul"),
      Value::Bytea(std::string("\x00\xff", 2)),
      Value::Date(-1),
      Value::Timestamp(1'700'000'000'000'000),
      Value::TimestampTz(-1),
      Value::FromInterval(Interval{1, -2, 3}),
  };
  StateWriter writer;
  for (const Value& value : values) writer.ValueOf(value);
  const std::string data = writer.Release();
  StateReader reader(data, "values");
  for (const Value& value : values) {
    const Value read = reader.ValueOf();
    if (value.type().id() == TypeId::kDouble && !value.is_null()) {
      EXPECT_TRUE(std::isnan(read.floating()));
    } else {
      EXPECT_EQ(read, value) << value.ToString();
    }
  }
  EXPECT_TRUE(reader.Finish().ok()) << reader.status();
}

Batch MakeBatch() {
  auto schema = Schema::Make({{"b", DataType::Boolean(), true},
                              {"i", DataType::BigInt(), true},
                              {"s", DataType::Varchar(), false},
                              {"d", *DataType::Decimal(10, 2), true}});
  BatchBuilder builder(schema);
  for (int i = 0; i < 21; ++i) {
    const std::vector<Value> row = {
        i % 3 == 0 ? Value::Null(DataType::Boolean()) : Value::Boolean(i % 2 == 0),
        i % 5 == 0 ? Value::Null(DataType::BigInt()) : Value::BigInt(i * 1000),
        Value::Varchar(std::string(static_cast<size_t>(i), 'x')),
        Value::Decimal(i, *DataType::Decimal(10, 2))};
    EXPECT_TRUE(builder.AppendRow(row).ok());
  }
  return *builder.Finish();
}

TEST(StateIoTest, BatchesAndSlicesRoundTrip) {
  const Batch batch = MakeBatch();
  // Slices at offset 0, at an offset inside a byte of the bitmaps, at a whole byte (the bitmaps
  // copied, the offsets rebased), and empty.
  for (auto [offset, length] :
       {std::pair{0, 21}, std::pair{3, 11}, std::pair{8, 13}, std::pair{9, 0}}) {
    SCOPED_TRACE(offset);
    const Batch slice = batch.Slice(offset, length);
    StateWriter writer;
    writer.BatchOf(slice);
    writer.Weights({1, -1, 1});
    const std::string data = writer.Release();
    StateReader reader(data, "batch");
    const Batch read = reader.BatchOf();
    EXPECT_EQ(reader.Weights(), (std::vector<int8_t>{1, -1, 1}));
    ASSERT_TRUE(reader.Finish().ok()) << reader.status();
    ASSERT_EQ(read.num_rows(), length);
    EXPECT_EQ(read.schema().ToString(), slice.schema().ToString());
    for (int c = 0; c < slice.num_columns(); ++c) {
      for (int64_t r = 0; r < length; ++r) {
        EXPECT_EQ(read.column(c).GetValue(r), slice.column(c).GetValue(r)) << c << "," << r;
      }
    }
  }
}

// The bytes of a column as docs/formats/checkpoint.md lays them out: type, length, NULL count,
// the validity bits from bit 0 (unused bits zero), then for VARCHAR the offsets from 0 as u32
// and the bytes, whatever the column's offset in its buffers.
TEST(StateIoTest, AColumnIsWrittenInTheDocumentedLayout) {
  ColumnBuilder builder(DataType::Varchar());
  for (const Value& value : {Value::Varchar("ab"), Value::Null(DataType::Varchar()),
                             Value::Varchar("cde"), Value::Varchar("f")}) {
    ASSERT_TRUE(builder.AppendValue(value).ok());
  }
  const Column column = builder.Finish();
  auto u32 = [](uint32_t value) { return std::string(reinterpret_cast<const char*>(&value), 4); };
  const std::string type(1, static_cast<char>(TypeId::kVarchar));

  StateWriter whole;
  whole.ColumnOf(column);
  EXPECT_EQ(whole.data(),
            type + "\x04\x01" + "\x0d" + u32(0) + u32(2) + u32(2) + u32(5) + u32(6) + "abcdef");

  StateWriter slice;
  slice.ColumnOf(column.Slice(1, 3));
  EXPECT_EQ(slice.data(), type + "\x03\x01" + "\x06" + u32(0) + u32(0) + u32(3) + u32(4) + "cdef");
}

TEST(StateIoTest, AClearedWriterStartsEmptyAndKeepsItsMemory) {
  StateWriter writer;
  writer.Raw(std::string(1000, 'x'));
  const size_t capacity = writer.capacity();
  writer.Clear();
  writer.U8(7);
  EXPECT_EQ(writer.data(), "\x07");
  EXPECT_EQ(writer.capacity(), capacity);
}

// A gathering writer refers to raw runs of kLeastGatheredBytes or more where they lie and
// copies shorter ones; its views back to back are what a copying writer writes.
TEST(StateIoTest, AGatheringWriterRefersToLongRunsAndCopiesShortOnes) {
  const std::string long_run(StateWriter::kLeastGatheredBytes, 'L');
  const std::string short_run(StateWriter::kLeastGatheredBytes - 1, 's');
  const auto write = [&](StateWriter& writer) {
    writer.U8(1);
    writer.Raw(long_run);
    writer.Raw(short_run);
    writer.Raw(long_run);
    writer.U8(2);
  };
  StateWriter copying;
  write(copying);
  StateWriter gathering;
  gathering.Gather();
  write(gathering);
  std::vector<std::string_view> parts;
  gathering.Gathered(parts);
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_EQ(parts[1].data(), long_run.data());
  EXPECT_EQ(parts[3].data(), long_run.data());
  EXPECT_EQ(parts[2], short_run);
  std::string joined;
  for (const std::string_view part : parts) joined.append(part);
  EXPECT_EQ(joined, copying.data());
  // Clear forgets the runs referred to as well as the bytes written; the writer still gathers.
  gathering.Clear();
  gathering.U8(9);
  gathering.Raw(long_run);
  parts.clear();
  gathering.Gathered(parts);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "\x09");
  EXPECT_EQ(parts[1].data(), long_run.data());
}

// Read as one buffer, a gathering writer would silently lack the runs it refers to.
TEST(StateIoDeathTest, AGatheringWriterIsNotReadAsOneBuffer) {
  const auto gathering = [] {
    StateWriter writer;
    writer.Gather();
    writer.U64(0);
    writer.Raw(std::string(StateWriter::kLeastGatheredBytes, 'L'));
    return writer;
  };
  EXPECT_DEATH({ (void)gathering().Release(); }, "read through Gathered");
  EXPECT_DEATH({ (void)gathering().data(); }, "read through Gathered");
  EXPECT_DEATH({ gathering().PatchU64(0, 1); }, "read through Gathered");
  std::vector<std::string> pieces;
  EXPECT_DEATH({ (void)gathering().TakePieces(pieces); }, "read through Gathered");
}

TEST(StateIoTest, EmptyBatchesWithoutBuffersRoundTrip) {
  auto schema = Schema::Make({{"b", DataType::Boolean(), true},
                              {"s", DataType::Varchar(), true},
                              {"i", DataType::BigInt(), true}});
  StateWriter writer;
  writer.BatchOf(Batch::Empty(schema));
  writer.Weights({});
  const std::string data = writer.Release();
  StateReader reader(data, "empty");
  const Batch read = reader.BatchOf();
  EXPECT_TRUE(reader.Weights().empty());
  ASSERT_TRUE(reader.Finish().ok()) << reader.status();
  EXPECT_EQ(read.num_rows(), 0);
  EXPECT_EQ(read.num_columns(), 3);

  // An empty column may come with no buffer at all (Column::Validate allows it).
  for (const DataType& type : {DataType::Boolean(), DataType::BigInt(), DataType::Varchar()}) {
    StateWriter bare;
    bare.ColumnOf(Column(type, 0, nullptr, nullptr, nullptr, 0));
    StateReader bare_reader(bare.data(), "bare");
    EXPECT_EQ(bare_reader.ColumnOf().length(), 0) << type.ToString();
    EXPECT_TRUE(bare_reader.Finish().ok()) << bare_reader.status();
  }
}

TEST(StateIoTest, TruncatedInputFailsEverywhere) {
  StateWriter writer;
  writer.BatchOf(MakeBatch());
  const std::string data = writer.Release();
  for (size_t cut = 0; cut < data.size(); cut += 7) {
    StateReader reader(std::string_view(data).substr(0, cut), "cut");
    reader.BatchOf();
    const Status status = reader.Finish();
    EXPECT_FALSE(status.ok()) << cut;
    EXPECT_EQ(status.code(), ErrorCode::kCorruption) << status;
  }
}

TEST(StateIoTest, HugeCountsAreRefusedWithoutAllocating) {
  StateWriter writer;
  writer.VarU64(uint64_t{1} << 60);
  const std::string data = writer.Release();
  StateReader reader(data, "counts");
  EXPECT_EQ(reader.Count(8), 0u);
  EXPECT_EQ(reader.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(std::string(reader.status().message()).find("counts"), std::string::npos);
}

TEST(StateIoTest, VersionsNewerThanTheBuildAreRefused) {
  StateWriter writer;
  writer.WriteVersion(3);
  const std::string data = writer.Release();
  StateReader old_reader(data, "op");
  old_reader.ReadVersion(2);
  EXPECT_EQ(old_reader.status().code(), ErrorCode::kUnsupportedFormatVersion);
  StateReader reader(data, "op");
  EXPECT_EQ(reader.ReadVersion(3), 3u);
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(StateIoTest, LeftOverBytesAreCorruption) {
  StateReader reader("xx", "left");
  reader.U8();
  EXPECT_EQ(reader.Finish().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace laminar::storage
