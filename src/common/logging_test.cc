#include "common/logging.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace laminar {
namespace {

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_level_ = GetLogLevel();
    SetLogSink([this](LogLevel level, std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetLogLevel(previous_level_);
  }

  LogLevel previous_level_ = LogLevel::kWarning;
  std::vector<std::string> lines_;
};

TEST_F(LoggingTest, MessagesBelowTheLevelAreDropped) {
  SetLogLevel(LogLevel::kWarning);
  LAMINAR_LOG(kInfo, "hidden {}", 1);
  LAMINAR_LOG(kError, "shown {}", 2);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find(" E logging_test.cc:"), std::string::npos) << lines_[0];
  EXPECT_NE(lines_[0].find("] shown 2"), std::string::npos) << lines_[0];
}

TEST_F(LoggingTest, OffSilencesEverything) {
  SetLogLevel(LogLevel::kOff);
  LAMINAR_LOG(kError, "nothing");
  EXPECT_TRUE(lines_.empty());
}

TEST(LogLevelTest, ParsesNames) {
  LogLevel level = LogLevel::kOff;
  EXPECT_TRUE(ParseLogLevel("debug", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("verbose", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
}

}  // namespace
}  // namespace laminar
