#include "common/large_array.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

namespace laminar {
namespace {

/// The AnonHugePages of the mapping that contains `address`, in KiB (-1 when not found).
long HugePagesKibAt(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto target = reinterpret_cast<uintptr_t>(address);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t start = 0;
    uintptr_t end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &start, &end) == 2 && line.find(':') > 8) {
      inside = start <= target && target < end;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      return std::stol(line.substr(line.find_first_of("0123456789")));
    }
  }
  return -1;
}

bool TransparentHugePagesOn() {
  std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text;
  std::getline(mode, text);
  return text.find("[always]") != std::string::npos || text.find("[madvise]") != std::string::npos;
}

TEST(LargeArrayTest, SmallAndLargeArraysHoldTheirValues) {
  for (size_t count : {size_t{1}, size_t{1000}, kLargeArrayBytes / sizeof(uint64_t) - 1,
                       kLargeArrayBytes / sizeof(uint64_t), size_t{3} << 20}) {
    std::vector<uint64_t, LargeArrayAllocator<uint64_t>> values(count);
    std::iota(values.begin(), values.end(), uint64_t{7});
    values.resize(count + count / 2 + 1, 1);  // Moves into a new allocation.
    EXPECT_EQ(values.front(), 7u);
    EXPECT_EQ(values[count - 1], 7 + count - 1);
    EXPECT_EQ(values.back(), 1u);
  }
}

TEST(LargeArrayTest, ALargeArrayIsAlignedToAHugePage) {
  void* memory = AllocateLargeArray(kLargeArrayBytes + 12345);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(memory) % (size_t{2} << 20), 0u);
  FreeLargeArray(memory, kLargeArrayBytes + 12345);
}

TEST(LargeArrayTest, ALargeArrayIsBackedByHugePagesWhereTheKernelHasThem) {
  if (!TransparentHugePagesOn()) GTEST_SKIP() << "transparent huge pages are off";
  std::vector<uint8_t, LargeArrayAllocator<uint8_t>> bytes(size_t{16} << 20, 1);
  const long kib = HugePagesKibAt(bytes.data());
  if (kib == 0) GTEST_SKIP() << "the kernel had no free huge page";
  EXPECT_GE(kib, 2048) << "AnonHugePages of the mapping";
}

}  // namespace
}  // namespace laminar
