#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace laminar {
namespace {

using internal::Crc32cPath;

// The paths this CPU has, each named for failure messages.
std::vector<std::pair<Crc32cPath, const char*>> AvailablePaths() {
  std::vector<std::pair<Crc32cPath, const char*>> paths;
  for (const auto& [path, name] : {std::pair{Crc32cPath::kTable, "table"},
                                   std::pair{Crc32cPath::kCrc32Instruction, "crc32 instruction"},
                                   std::pair{Crc32cPath::kFolding, "folding"}}) {
    if (internal::Crc32cPathAvailable(path)) paths.emplace_back(path, name);
  }
  return paths;
}

uint32_t TableCrc(std::string_view data) {
  return internal::Crc32cExtendOnPath(Crc32cPath::kTable, 0, data.data(), data.size());
}

std::string Scrambled(size_t size, int shift) {
  std::string data;
  for (size_t i = 0; i < size; ++i) {
    data.push_back(static_cast<char>((static_cast<uint32_t>(i) * 2654435761u) >> shift));
  }
  return data;
}

TEST(Crc32cTest, KnownValues) {
  // RFC 3720 B.4 test vectors, on every path.
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  for (const auto& [path, name] : AvailablePaths()) {
    const auto crc = [path = path](std::string_view data) {
      return internal::Crc32cExtendOnPath(path, 0, data.data(), data.size());
    };
    EXPECT_EQ(crc(std::string(32, '\0')), 0x8a9136aau) << name;
    EXPECT_EQ(crc(std::string(32, '\xff')), 0x62a8ab43u) << name;
    EXPECT_EQ(crc(ascending), 0x46dd794eu) << name;
    EXPECT_EQ(crc("123456789"), 0xe3069283u) << name;
    EXPECT_EQ(crc(""), 0u) << name;
  }
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
}

// Inputs long enough for every path's blocks, against values from a bit-at-a-time CRC-32C
// written apart from this code (in Python), so no path is only compared with the table.
TEST(Crc32cTest, LongKnownValues) {
  std::string data;
  for (int i = 0; i < 100'000; ++i) data.push_back(static_cast<char>(i * 131 + 7));
  for (const auto& [path, name] : AvailablePaths()) {
    EXPECT_EQ(internal::Crc32cExtendOnPath(path, 0, data.data(), 4099), 0xfb1f1d7au) << name;
    EXPECT_EQ(internal::Crc32cExtendOnPath(path, 0, data.data(), data.size()), 0x2cdd6b62u) << name;
    std::string copy(data.size(), '\0');
    EXPECT_EQ(internal::Crc32cExtendCopyOnPath(path, 0, data.data(), data.size(), copy.data()),
              0x2cdd6b62u)
        << name;
    EXPECT_EQ(copy, data) << name;
  }
}

// The path the public functions take is the fastest the CPU has. Folding is reported as skipped on
// a CPU without it, so that a run which never folded says so.
TEST(Crc32cTest, TheFastestAvailablePathIsChosen) {
  const Crc32cPath expected =
      internal::Crc32cPathAvailable(Crc32cPath::kFolding)            ? Crc32cPath::kFolding
      : internal::Crc32cPathAvailable(Crc32cPath::kCrc32Instruction) ? Crc32cPath::kCrc32Instruction
                                                                     : Crc32cPath::kTable;
  EXPECT_EQ(internal::Crc32cFastestPath(), expected);
  if (!internal::Crc32cPathAvailable(Crc32cPath::kFolding)) {
    GTEST_SKIP() << "this CPU lacks AVX-512 or VPCLMULQDQ: the folding path is not tested";
  }
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

// Every path gives the table's value at every length around its block sizes (three chains of
// 256 and of 8192 bytes; folding's 256-byte steps, 64- and 16-byte remainders, and its 512-byte
// threshold), from several alignments, and when extending a checksum other than zero.
TEST(Crc32cTest, EveryPathAgreesWithTheTableAtEveryBlockBoundary) {
  const std::string data = Scrambled(100'000, 13);
  std::vector<size_t> sizes = {
      0,    1,    3,     8,     15,    64,    767,   768,         769,         1535,      1536,
      1537, 4099, 24575, 24576, 24577, 24640, 24641, 24576 + 768, 24576 + 767, 49152 + 5, 99'990};
  for (size_t steps = 2; steps <= 4; ++steps) {
    for (const size_t rest : {0, 1, 15, 16, 17, 63, 64, 65, 127, 191, 240, 255}) {
      sizes.push_back(steps * 256 + rest);
    }
  }
  sizes.push_back(511);
  for (const auto& [path, name] : AvailablePaths()) {
    for (const size_t size : sizes) {
      for (const size_t offset : {0, 1, 5, 8}) {
        const std::string_view piece = std::string_view(data).substr(offset, size);
        EXPECT_EQ(internal::Crc32cExtendOnPath(path, 0, piece.data(), piece.size()),
                  TableCrc(piece))
            << name << ": " << size << " from " << offset;
        EXPECT_EQ(internal::Crc32cExtendOnPath(path, 0xdeadbeefu, piece.data(), piece.size()),
                  internal::Crc32cExtendOnPath(Crc32cPath::kTable, 0xdeadbeefu, piece.data(),
                                               piece.size()))
            << name << ": " << size << " from " << offset;
      }
    }
  }
  const std::string_view all(data);
  EXPECT_EQ(Crc32cExtend(Crc32c(all.substr(0, 30'001)), all.substr(30'001)), Crc32c(all));
  EXPECT_EQ(Crc32c(all), TableCrc(all));
}

// The copying form gives the same checksum as Crc32cExtend and copies exactly `size` bytes,
// on every path, from every alignment of source and target, at every length around the block
// sizes and the length from which copies store around the cache (24 KiB and a line).
TEST(Crc32cTest, ExtendCopyChecksumsAndCopiesInOnePass) {
  const std::string data = Scrambled(100'000, 11);
  const std::vector<size_t> sizes = {0,     1,     7,     8,     9,     511,         512,   513,
                                     767,   768,   769,   1537,  24575, 24576,       24577, 24583,
                                     24639, 24640, 24641, 25344, 49152, 49152 + 775, 99'980};
  for (const auto& [path, name] : AvailablePaths()) {
    for (const size_t size : sizes) {
      for (const size_t from : {0, 3, 8}) {
        for (const size_t to : {0, 1, 8, 63}) {
          const std::string_view piece = std::string_view(data).substr(from, size);
          std::string out(size + 64, '#');
          const uint32_t start = 0x12345678u;
          EXPECT_EQ(
              internal::Crc32cExtendCopyOnPath(path, start, piece.data(), piece.size(),
                                               out.data() + to),
              internal::Crc32cExtendOnPath(Crc32cPath::kTable, start, piece.data(), piece.size()))
              << name << ": " << size << " from " << from << " to " << to;
          EXPECT_EQ(std::string_view(out).substr(0, to), std::string(to, '#')) << name;
          EXPECT_EQ(std::string_view(out).substr(to, size), piece) << name << ": " << size;
          EXPECT_EQ(std::string_view(out).substr(to + size), std::string(64 - to, '#'))
              << name << ": " << size;
        }
      }
    }
  }
  std::string out(data.size(), '#');
  EXPECT_EQ(Crc32cExtendCopy(7, data.data(), data.size(), out.data()), Crc32cExtend(7, data));
  EXPECT_EQ(out, data);
}

TEST(Crc32cTest, MaskRoundTrips) {
  for (uint32_t crc : {0u, 1u, 0xe3069283u, 0xffffffffu}) {
    EXPECT_EQ(UnmaskCrc(MaskCrc(crc)), crc);
    EXPECT_NE(MaskCrc(crc), crc);
  }
}

}  // namespace
}  // namespace laminar
