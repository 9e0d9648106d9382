#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace laminar {

/// CRC-32C (Castagnoli, the polynomial of iSCSI, ext4 and RocksDB), as stored in WAL records,
/// checkpoint manifests and state files. Uses carry-less multiplication (VPCLMULQDQ) or the
/// SSE4.2 crc32 instruction when the CPU has them, a table otherwise; all give the same values.
///
/// `Crc32c(data)` is the checksum of `data`; `Crc32cExtend(crc, data)` continues a checksum
/// over more bytes (Crc32cExtend(Crc32c(a), b) == Crc32c(a + b)).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);
/// Crc32cExtend(crc, data, size), also copying the bytes to `out[0, size)` in the same pass
/// over them: a copy and its checksum cost about what the checksum alone does. The ranges must
/// not overlap.
uint32_t Crc32cExtendCopy(uint32_t crc, const void* data, size_t size, void* out);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }
inline uint32_t Crc32cExtend(uint32_t crc, std::string_view data) {
  return Crc32cExtend(crc, data.data(), data.size());
}

namespace internal {
/// The ways this build computes the checksum, for tests and benchmarks; the functions above
/// use the fastest the CPU has. kTable works everywhere. kCrc32Instruction runs the SSE4.2 crc32
/// instruction in three chains. kFolding folds 256 bytes a step with carry-less multiplication
/// (VPCLMULQDQ on AVX-512), and uses the chains for inputs under 512 bytes.
enum class Crc32cPath { kTable, kCrc32Instruction, kFolding };
bool Crc32cPathAvailable(Crc32cPath path);
/// The path Crc32cExtend and Crc32cExtendCopy take.
Crc32cPath Crc32cFastestPath();
/// Crc32cExtend and Crc32cExtendCopy on `path`. REQUIRES: Crc32cPathAvailable(path).
uint32_t Crc32cExtendOnPath(Crc32cPath path, uint32_t crc, const void* data, size_t size);
uint32_t Crc32cExtendCopyOnPath(Crc32cPath path, uint32_t crc, const void* data, size_t size,
                                void* out);
}  // namespace internal

/// Stored checksums are masked so that a CRC computed over data containing its own CRC does
/// not degenerate (the convention of LevelDB's log format).
inline uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t UnmaskCrc(uint32_t masked) {
  const uint32_t rotated = masked - 0xa282ead8u;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace laminar
