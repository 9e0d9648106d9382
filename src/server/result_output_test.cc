#include "server/result_output.h"

#include <gtest/gtest.h>

#include "columnar/column_builder.h"

namespace laminar::server {
namespace {

Batch MakeBatch(std::vector<Field> fields, const std::vector<std::vector<Value>>& rows) {
  BatchBuilder builder(Schema::Make(std::move(fields)));
  for (const std::vector<Value>& row : rows) EXPECT_TRUE(builder.AppendRow(row).ok());
  Result<Batch> batch = builder.Finish();
  EXPECT_TRUE(batch.ok()) << batch.status();
  return *batch;
}

TEST(ResultOutputTest, JsonEmissionLinesCarryTheStreamAndWeights) {
  Batch rows = MakeBatch({{"v", DataType::BigInt()}}, {{Value::BigInt(1)}, {Value::BigInt(2)}});
  EXPECT_EQ(JsonEmissionLines("big", rows.schema(), exec::ChangeBatch{rows, {}}),
            "{\"stream\":\"big\",\"weight\":1,\"row\":{\"v\":1}}\n"
            "{\"stream\":\"big\",\"weight\":1,\"row\":{\"v\":2}}\n");
  EXPECT_EQ(JsonEmissionLines("c", rows.schema(), exec::ChangeBatch{rows, {1, -1}}),
            "{\"stream\":\"c\",\"weight\":1,\"row\":{\"v\":1}}\n"
            "{\"stream\":\"c\",\"weight\":-1,\"row\":{\"v\":2}}\n");
}

TEST(ResultOutputTest, JsonQueryLinesNumberTheQuery) {
  Batch rows = MakeBatch({{"n", DataType::Integer()}}, {{Value::Integer(5)}});
  EXPECT_EQ(JsonQueryLines(3, rows), "{\"query\":3,\"row\":{\"n\":5}}\n");
  EXPECT_EQ(JsonQueryLines(1, Batch::Empty(rows.schema_ptr())), "");
}

TEST(ResultOutputTest, TableEmissionHasAHeaderAndOneTableForAllBatches) {
  Batch first = MakeBatch({{"symbol", DataType::Varchar()}}, {{Value::Varchar("AAPL")}});
  Batch second = MakeBatch({{"symbol", DataType::Varchar()}},
                           {{Value::Varchar("MSFT")}, {Value::Varchar("GOOG")}});
  std::vector<exec::ChangeBatch> batches = {{first, {}}, {second, {}}};
  EXPECT_EQ(TableEmission("big", first.schema(), false, batches),
            "-- stream big (+3 rows)\n"
            "+--------+\n"
            "| symbol |\n"
            "+--------+\n"
            "| AAPL   |\n"
            "| MSFT   |\n"
            "| GOOG   |\n"
            "+--------+\n");
  std::vector<exec::ChangeBatch> one = {{first, {}}};
  EXPECT_EQ(TableEmission("big", first.schema(), false, one).substr(0, 24),
            "-- stream big (+1 row)\n+");
  EXPECT_EQ(TableEmission("big", first.schema(), false, {}), "");
}

TEST(ResultOutputTest, TableEmissionOfAChangelogAddsAWeightColumn) {
  Batch rows = MakeBatch({{"n", DataType::BigInt()}}, {{Value::BigInt(1)}, {Value::BigInt(2)}});
  std::vector<exec::ChangeBatch> batches = {{rows, {-1, 1}}};
  EXPECT_EQ(TableEmission("counts", rows.schema(), true, batches),
            "-- stream counts (+1 -1 rows)\n"
            "+---+--------+\n"
            "| n | weight |\n"
            "+---+--------+\n"
            "| 1 |     -1 |\n"
            "| 2 |      1 |\n"
            "+---+--------+\n");
}

}  // namespace
}  // namespace laminar::server
