#include "common/status.h"

#include <gtest/gtest.h>

namespace laminar {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kOk);
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status.ToString(), "OK");
  EXPECT_EQ(status.sqlstate(), "00000");
}

TEST(StatusTest, ErrorCarriesCodeMessageAndFormattedText) {
  Status status = Status::Error(ErrorCode::kUnknownColumn, "column \"{}\" does not exist", "x");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kUnknownColumn);
  EXPECT_EQ(status.message(), "column \"x\" does not exist");
  EXPECT_EQ(status.sqlstate(), "42703");
  EXPECT_EQ(status.category(), ErrorCategory::kUser);
  EXPECT_EQ(status.ToString(), "LDB-1102: column \"x\" does not exist");
}

TEST(StatusTest, PositionIsPrintedAsLineAndColumn) {
  Status status =
      Status::Error(ErrorCode::kSyntaxError, "unexpected FROM").WithPosition({2, 8, 17});
  EXPECT_EQ(status.position().line, 2u);
  EXPECT_EQ(status.position().column, 8u);
  EXPECT_EQ(status.position().offset, 17u);
  EXPECT_EQ(status.ToString(), "LDB-1001: unexpected FROM (line 2, column 8)");
}

TEST(StatusTest, ContextIsPrepended) {
  Status status = Status::Error(ErrorCode::kFileNotFound, "no such file").WithContext("open WAL");
  EXPECT_EQ(status.message(), "open WAL: no such file");
}

TEST(StatusTest, OkStaysOkUnderDecoration) {
  Status status = Status::Ok().WithContext("x").WithPosition({1, 1, 0});
  EXPECT_TRUE(status.ok());
  EXPECT_FALSE(status.position().valid());
}

TEST(StatusTest, CopiesAreDeepAndEqual) {
  Status original = Status::Error(ErrorCode::kIoError, "disk");
  Status copy = original;
  EXPECT_EQ(copy, original);
  copy = std::move(copy).WithContext("more");
  EXPECT_EQ(original.message(), "disk");
  EXPECT_NE(copy, original);
}

TEST(StatusTest, FormatsThroughFmt) {
  EXPECT_EQ(fmt::format("{}", Status::Error(ErrorCode::kInternal, "boom")), "LDB-9001: boom");
}

Status FailsWith(ErrorCode code) { return Status::Error(code, "failed"); }

Status Propagates(bool fail) {
  LAMINAR_RETURN_IF_ERROR(fail ? FailsWith(ErrorCode::kTimedOut) : Status::Ok());
  return Status::Error(ErrorCode::kInternal, "reached the end");
}

TEST(StatusTest, ReturnIfErrorReturnsTheError) {
  EXPECT_EQ(Propagates(true).code(), ErrorCode::kTimedOut);
  EXPECT_EQ(Propagates(false).code(), ErrorCode::kInternal);
}

TEST(StatusDeathTest, ErrorWithOkCodeIsAProgrammerError) {
  EXPECT_DEATH({ Status status(ErrorCode::kOk, "x"); }, "check failed");
}

}  // namespace
}  // namespace laminar
