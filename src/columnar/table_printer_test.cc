#include "columnar/table_printer.h"

#include <gtest/gtest.h>

#include "columnar/column_builder.h"

namespace laminar {
namespace {

Batch People() {
  BatchBuilder builder(Schema::Make({{"id", DataType::BigInt()}, {"name", DataType::Varchar()}}));
  EXPECT_TRUE(
      builder.AppendRow(std::vector<Value>{Value::BigInt(1), Value::Varchar("alice")}).ok());
  EXPECT_TRUE(
      builder.AppendRow(std::vector<Value>{Value::BigInt(20), Value::Null(DataType::Varchar())})
          .ok());
  return *builder.Finish();
}

TEST(TablePrinterTest, AlignsNumbersRightAndTextLeft) {
  EXPECT_EQ(FormatTable(People()),
            "+----+-------+\n"
            "| id | name  |\n"
            "+----+-------+\n"
            "|  1 | alice |\n"
            "| 20 | NULL  |\n"
            "+----+-------+\n"
            "(2 rows)\n");
}

TEST(TablePrinterTest, LimitsRowsAndCellWidth) {
  BatchBuilder builder(Schema::Make({{"s", DataType::Varchar()}}));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::Varchar("abcdefghij\nk")}).ok());
  }
  TableFormatOptions options;
  options.max_rows = 1;
  options.max_column_width = 6;
  EXPECT_EQ(FormatTable(*builder.Finish(), options),
            "+--------+\n"
            "| s      |\n"
            "+--------+\n"
            "| abc... |\n"
            "+--------+\n"
            "... 2 more rows\n"
            "(3 rows)\n");
}

TEST(TablePrinterTest, EmptyResultStillShowsHeader) {
  Batch empty = Batch::Empty(Schema::Make({{"x", DataType::Date()}}));
  EXPECT_EQ(FormatTable(empty),
            "+---+\n"
            "| x |\n"
            "+---+\n"
            "+---+\n"
            "(0 rows)\n");
}

TEST(TablePrinterTest, UsesPostgresTextForms) {
  BatchBuilder builder(Schema::Make({{"d", *DataType::Decimal(6, 2)},
                                     {"t", DataType::Timestamp()},
                                     {"b", DataType::Bytea()},
                                     {"f", DataType::Boolean()}}));
  ASSERT_TRUE(builder
                  .AppendRow(std::vector<Value>{Value::Decimal(-1205, *DataType::Decimal(6, 2)),
                                                Value::Timestamp(1'436'918'400'500'000),
                                                Value::Bytea("\x01\xab"), Value::Boolean(true)})
                  .ok());
  const std::string table = FormatTable(*builder.Finish());
  EXPECT_NE(table.find("-12.05"), std::string::npos) << table;
  EXPECT_NE(table.find("2015-07-15 00:00:00.5"), std::string::npos) << table;
  EXPECT_NE(table.find("\\x01ab"), std::string::npos) << table;
  EXPECT_NE(table.find("true"), std::string::npos) << table;
}

}  // namespace
}  // namespace laminar
