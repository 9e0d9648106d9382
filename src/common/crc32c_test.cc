#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace laminar {
namespace internal {
uint32_t Crc32cPortableForTest(const void* data, size_t size);
uint32_t Crc32cExtendCopyPortableForTest(uint32_t crc, const void* data, size_t size, void* out);
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

// Long inputs run as three interleaved chains joined by shifting over zeros: every length
// around the block sizes (3 x 256 and 3 x 8192 bytes), from every alignment, gives the table's
// value, and so does extending in pieces.
TEST(Crc32cTest, LongInputsAgreeWithTheTableAtEveryBlockBoundary) {
  std::string data;
  for (int i = 0; i < 100'000; ++i) data.push_back(static_cast<char>((i * 2654435761u) >> 13));
  std::vector<size_t> sizes = {767,   768,   769,         1535,        1536,      1537,  24575,
                               24576, 24577, 24576 + 768, 24576 + 767, 49152 + 5, 99'990};
  for (const size_t size : sizes) {
    for (const size_t offset : {0, 1, 5, 8}) {
      const std::string_view piece = std::string_view(data).substr(offset, size);
      EXPECT_EQ(Crc32c(piece), internal::Crc32cPortableForTest(piece.data(), piece.size()))
          << size << " from " << offset;
    }
  }
  const std::string_view all(data);
  EXPECT_EQ(Crc32cExtend(Crc32c(all.substr(0, 30'001)), all.substr(30'001)), Crc32c(all));
}

// The copying form gives the same checksum as Crc32cExtend and copies exactly `size` bytes,
// from every alignment of source and target, at every length around the block sizes.
TEST(Crc32cTest, ExtendCopyChecksumsAndCopiesInOnePass) {
  std::string data;
  for (int i = 0; i < 100'000; ++i) data.push_back(static_cast<char>((i * 2654435761u) >> 11));
  const std::vector<size_t> sizes = {0,     1,     7,     8,           9,     767,
                                     768,   769,   1537,  24575,       24576, 24577,
                                     24583, 25344, 49152, 49152 + 775, 99'980};
  for (const size_t size : sizes) {
    for (const size_t from : {0, 3, 8}) {
      for (const size_t to : {0, 1, 8}) {
        const std::string_view piece = std::string_view(data).substr(from, size);
        std::string out(size + 32, '#');
        const uint32_t start = 0x12345678u;
        EXPECT_EQ(Crc32cExtendCopy(start, piece.data(), piece.size(), out.data() + to),
                  Crc32cExtend(start, piece))
            << size << " from " << from << " to " << to;
        EXPECT_EQ(std::string_view(out).substr(0, to), std::string(to, '#'));
        EXPECT_EQ(std::string_view(out).substr(to, size), piece) << size;
        EXPECT_EQ(std::string_view(out).substr(to + size), std::string(32 - to, '#')) << size;
        // The table's form, for CPUs without the instruction.
        std::string table_out(size, '#');
        EXPECT_EQ(internal::Crc32cExtendCopyPortableForTest(start, piece.data(), piece.size(),
                                                            table_out.data()),
                  Crc32cExtend(start, piece));
        EXPECT_EQ(table_out, piece);
      }
    }
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
