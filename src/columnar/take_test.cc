#include "columnar/take.h"

#include <gtest/gtest.h>

#include "columnar/column_builder.h"

namespace laminar {
namespace {

TEST(SelectionVectorTest, IdentityAndAppend) {
  SelectionVector selection = SelectionVector::Identity(4);
  ASSERT_EQ(selection.size(), 4);
  EXPECT_EQ(selection[3], 3u);
  selection.Append(1);
  EXPECT_EQ(selection.size(), 5);
  selection.Clear();
  EXPECT_TRUE(selection.empty());
}

TEST(TakeTest, GathersFixedWidthWithNulls) {
  ColumnBuilder builder(DataType::BigInt());
  for (int64_t i = 0; i < 10; ++i) {
    if (i == 4) {
      builder.AppendNull();
    } else {
      builder.AppendFixed(i * 10);
    }
  }
  Column column = builder.Finish();
  auto taken = Take(column, SelectionVector({9, 4, 0, 4}));
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->length(), 4);
  EXPECT_EQ(taken->GetValue(0), Value::BigInt(90));
  EXPECT_TRUE(taken->IsNull(1));
  EXPECT_EQ(taken->GetValue(2), Value::BigInt(0));
  EXPECT_EQ(taken->null_count(), 2);
  EXPECT_TRUE(taken->Validate().ok());
}

TEST(TakeTest, GathersFromSlicedStringsAndBooleans) {
  ColumnBuilder strings(DataType::Varchar());
  ColumnBuilder flags(DataType::Boolean());
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(strings.AppendString(std::string(static_cast<size_t>(i), 'x')).ok());
    flags.AppendBoolean(i % 2 == 1);
  }
  Column sliced_strings = strings.Finish().Slice(2, 8);
  Column sliced_flags = flags.Finish().Slice(3, 8);
  auto taken = Take(sliced_strings, SelectionVector({7, 0}));
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->StringValue(0), std::string(9, 'x'));
  EXPECT_EQ(taken->StringValue(1), "xx");
  auto taken_flags = Take(sliced_flags, SelectionVector({0, 1}));
  ASSERT_TRUE(taken_flags.ok());
  EXPECT_TRUE(taken_flags->BooleanValue(0));  // Row 3 of the original.
  EXPECT_FALSE(taken_flags->BooleanValue(1));
}

TEST(TakeTest, TakesWholeBatches) {
  BatchBuilder builder(Schema::Make({{"a", DataType::Integer()}, {"b", DataType::Varchar()}}));
  for (int32_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        builder.AppendRow(std::vector<Value>{Value::Integer(i), Value::Varchar(std::to_string(i))})
            .ok());
  }
  Batch batch = *builder.Finish();
  auto taken = Take(batch, SelectionVector({4, 2}));
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->num_rows(), 2);
  EXPECT_EQ(taken->column(1).GetValue(1), Value::Varchar("2"));
  auto none = Take(batch, SelectionVector());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->num_rows(), 0);
}

}  // namespace
}  // namespace laminar
