#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>

namespace laminar {
namespace {

/// The name a fresh thread reads back after naming itself `name`.
std::string NameReadBackAfterNaming(std::string_view name) {
  std::string seen;
  std::thread thread([&seen, name] {
    NameCurrentThread(name);
    seen = CurrentThreadName();
  });
  thread.join();
  return seen;
}

TEST(ThreadNameTest, AThreadReadsBackItsName) {
  EXPECT_EQ(NameReadBackAfterNaming("ldb-test"), "ldb-test");
}

TEST(ThreadNameTest, ALongNameIsCutToFifteenBytes) {
  EXPECT_EQ(NameReadBackAfterNaming("ldb-a-name-longer-than-linux-keeps"), "ldb-a-name-long");
}

}  // namespace
}  // namespace laminar
