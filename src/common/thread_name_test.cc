#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace laminar {
namespace {

TEST(ThreadNameTest, AThreadReadsBackItsName) {
  std::string seen;
  std::thread thread([&seen] {
    NameCurrentThread("ldb-test");
    seen = CurrentThreadName();
  });
  thread.join();
  EXPECT_EQ(seen, "ldb-test");
}

TEST(ThreadNameTest, ALongNameIsCutToFifteenBytes) {
  std::string seen;
  std::thread thread([&seen] {
    NameCurrentThread("ldb-a-name-longer-than-linux-keeps");
    seen = CurrentThreadName();
  });
  thread.join();
  EXPECT_EQ(seen, "ldb-a-name-long");
}

}  // namespace
}  // namespace laminar
