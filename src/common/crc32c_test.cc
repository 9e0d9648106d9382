#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace laminar {
namespace internal {
uint32_t Crc32cPortableForTest(const void* data, size_t size);
}  // namespace internal
namespace {

TEST(Crc32cTest, KnownValues) {
  // RFC 3720 B.4 test vectors.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(ascending), 0x46dd794eu);
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 37));
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    EXPECT_EQ(Crc32cExtend(Crc32c(std::string_view(data).substr(0, split)),
                           std::string_view(data).substr(split)),
              Crc32c(data))
        << split;
  }
}

TEST(Crc32cTest, HardwareAndTableAgree) {
  std::string data;
  for (int i = 0; i < 4099; ++i) data.push_back(static_cast<char>(i * 131 + 7));
  for (size_t size : {0, 1, 3, 8, 15, 64, 4099}) {
    EXPECT_EQ(Crc32c(std::string_view(data).substr(0, size)),
              internal::Crc32cPortableForTest(data.data(), size))
        << size;
  }
}

TEST(Crc32cTest, MaskRoundTrips) {
  for (uint32_t crc : {0u, 1u, 0xe3069283u, 0xffffffffu}) {
    EXPECT_EQ(UnmaskCrc(MaskCrc(crc)), crc);
    EXPECT_NE(MaskCrc(crc), crc);
  }
}

}  // namespace
}  // namespace laminar
