#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace laminar {
namespace {

Result<int> Parse(const std::string& text) {
  if (text.empty()) return Status::Error(ErrorCode::kInvalidLiteral, "empty");
  return static_cast<int>(text.size());
}

Result<int> Doubled(const std::string& text) {
  LAMINAR_ASSIGN_OR_RETURN(const int value, Parse(text));
  return value * 2;
}

Status AssignsToExisting(const std::string& text, int* out) {
  int value = 0;
  LAMINAR_ASSIGN_OR_RETURN(value, Parse(text));
  LAMINAR_RETURN_IF_ERROR(Parse(text));  // A Result works with RETURN_IF_ERROR too.
  *out = value;
  return Status::Ok();
}

TEST(ResultTest, HoldsValue) {
  Result<int> result = Parse("abc");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 3);
  EXPECT_TRUE(result.status().ok());
}

TEST(ResultTest, HoldsError) {
  Result<int> result = Parse("");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(result.ValueOr(-1), -1);
}

TEST(ResultTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Doubled("ab"), 4);
  EXPECT_EQ(Doubled("").status().code(), ErrorCode::kInvalidLiteral);
  int out = 0;
  EXPECT_TRUE(AssignsToExisting("abcd", &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(AssignsToExisting("", &out).code(), ErrorCode::kInvalidLiteral);
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(7);
  ASSERT_TRUE(result.ok());
  std::unique_ptr<int> value = std::move(result).value();
  EXPECT_EQ(*value, 7);
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  Result<int> result = Status::Ok();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInternal);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> result = Status::Error(ErrorCode::kIoError, "gone");
  EXPECT_DEATH({ (void)result.value(); }, "LDB-4001: gone");
}

}  // namespace
}  // namespace laminar
