#include "common/crc32c.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#include <nmmintrin.h>
#endif

namespace laminar {

namespace {

constexpr uint32_t kPolynomial = 0x82f63b78;  // Reflected Castagnoli polynomial.

constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    tables[0][i] = crc;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t t = 1; t < 8; ++t) {
      tables[t][i] = (tables[t - 1][i] >> 8) ^ tables[0][tables[t - 1][i] & 0xff];
    }
  }
  return tables;
}

constexpr auto kTables = MakeTables();

uint32_t ExtendPortable(uint32_t crc, const uint8_t* p, size_t size) {
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    word ^= crc;
    crc = kTables[7][word & 0xff] ^ kTables[6][(word >> 8) & 0xff] ^
          kTables[5][(word >> 16) & 0xff] ^ kTables[4][(word >> 24) & 0xff] ^
          kTables[3][(word >> 32) & 0xff] ^ kTables[2][(word >> 40) & 0xff] ^
          kTables[1][(word >> 48) & 0xff] ^ kTables[0][word >> 56];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xff];
  return crc;
}

#if defined(__x86_64__)
// The CRC register is linear over GF(2): the register after bytes A then B is the register
// after A moved past len(B) zero bytes, xor the register after B started from zero. A
// ZeroShift moves a register past a fixed number of zero bytes with four table lookups. Its
// tables are built at compile time.
class ZeroShift {
 public:
  explicit constexpr ZeroShift(size_t zero_bytes) {
    // The images of the 32 one-bit registers, then of every byte value in each byte lane.
    std::array<uint32_t, 32> bit_images{};
    for (int bit = 0; bit < 32; ++bit) {
      bit_images[bit] = PastZeros(uint32_t{1} << bit, zero_bytes);
    }
    for (int lane = 0; lane < 4; ++lane) {
      for (uint32_t value = 0; value < 256; ++value) {
        uint32_t image = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if ((value >> bit) & 1) image ^= bit_images[lane * 8 + bit];
        }
        tables_[lane][value] = image;
      }
    }
  }

  uint32_t operator()(uint32_t crc) const {
    return tables_[0][crc & 0xff] ^ tables_[1][(crc >> 8) & 0xff] ^ tables_[2][(crc >> 16) & 0xff] ^
           tables_[3][crc >> 24];
  }

 private:
  // ExtendPortable over `size` zero bytes, in a form the compiler can evaluate: a zero data
  // word leaves only the register's own four bytes to look up.
  static constexpr uint32_t PastZeros(uint32_t crc, size_t size) {
    for (; size >= 8; size -= 8) {
      crc = kTables[7][crc & 0xff] ^ kTables[6][(crc >> 8) & 0xff] ^
            kTables[5][(crc >> 16) & 0xff] ^ kTables[4][crc >> 24];
    }
    for (; size > 0; --size) crc = (crc >> 8) ^ kTables[0][crc & 0xff];
    return crc;
  }

  std::array<std::array<uint32_t, 256>, 4> tables_{};
};

// Lengths of the three stretches a block is cut into, and the shifts past them.
constexpr size_t kLongStretch = 8192;
constexpr size_t kShortStretch = 256;
constexpr ZeroShift kLongShift(kLongStretch);
constexpr ZeroShift kShortShift(kShortStretch);

// Three crc32 chains, one per third of a block of 3 * kStretch bytes, run side by side: the
// instruction takes 3 cycles but a new one can start every cycle, so one chain leaves it idle
// two thirds of the time. The chains are then joined with `shift`.
//
// Long stretches prefetch their input a little ahead: three streams read word by word keep
// too few cache misses in flight to read memory at its speed (cold input was checksummed at
// 13.6 GB/s without, 17.5 GB/s with). With kCopy the words read are also stored at `out` (the
// same offsets), so that a copy and its checksum take one pass over the bytes; long stretches
// store them around the cache (non-temporal stores of whole lines, which need no read of the
// target first), as the copy is made for a device or a later reader, not for this core.
template <size_t kStretch, bool kCopy>
__attribute__((target("sse4.2"))) uint32_t ExtendThreeWay(uint32_t crc, const uint8_t* p,
                                                          uint8_t* out, const ZeroShift& shift) {
  constexpr bool kLong = kStretch >= kLongStretch;
  constexpr size_t kPrefetchAhead = 2048;
  uint64_t first = crc;
  uint64_t second = 0;
  uint64_t third = 0;
  for (size_t offset = 0; offset < kStretch; offset += 8) {
    if (kLong && offset % 64 == 0) {
      // Prefetching past the end of the input is harmless: a prefetch never faults.
      for (size_t stretch = 0; stretch < 3; ++stretch) {
        _mm_prefetch(
            reinterpret_cast<const char*>(p + stretch * kStretch + offset + kPrefetchAhead),
            _MM_HINT_T0);
      }
    }
    uint64_t words[3];
    for (size_t stretch = 0; stretch < 3; ++stretch) {
      std::memcpy(&words[stretch], p + stretch * kStretch + offset, 8);
    }
    first = _mm_crc32_u64(first, words[0]);
    second = _mm_crc32_u64(second, words[1]);
    third = _mm_crc32_u64(third, words[2]);
    if constexpr (kCopy) {
      for (size_t stretch = 0; stretch < 3; ++stretch) {
        uint8_t* target = out + stretch * kStretch + offset;
        if constexpr (kLong) {
          _mm_stream_si64(reinterpret_cast<long long*>(target),
                          static_cast<long long>(words[stretch]));
        } else {
          std::memcpy(target, &words[stretch], 8);
        }
      }
    }
  }
  const uint32_t two = shift(static_cast<uint32_t>(first)) ^ static_cast<uint32_t>(second);
  return shift(two) ^ static_cast<uint32_t>(third);
}

// One chain, a word then a byte at a time (short inputs, and what blocks leave over). With
// kCopy, also copies the bytes to `out`.
template <bool kCopy>
__attribute__((target("sse4.2"))) uint32_t ExtendOneWay(uint32_t crc, const uint8_t* p, size_t size,
                                                        uint8_t* out) {
  uint64_t crc64 = crc;
  for (; size >= 8; p += 8, size -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    crc64 = _mm_crc32_u64(crc64, word);
    if constexpr (kCopy) {
      std::memcpy(out, &word, 8);
      out += 8;
    }
  }
  uint32_t crc32 = static_cast<uint32_t>(crc64);
  for (; size > 0; --size, ++p) {
    crc32 = _mm_crc32_u8(crc32, *p);
    if constexpr (kCopy) *out++ = *p;
  }
  return crc32;
}

// With kCopy, also copies the `size` bytes at `p` to `out`.
template <bool kCopy>
__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const uint8_t* p,
                                                          size_t size, uint8_t* out) {
  if (size >= 3 * kShortStretch) {
    if (kCopy && size >= 3 * kLongStretch + 64) {
      // Non-temporal stores combine into whole lines: the long blocks start at a line.
      const size_t head = (64 - reinterpret_cast<uintptr_t>(out) % 64) % 64;
      crc = ExtendOneWay<kCopy>(crc, p, head, out);
      p += head;
      size -= head;
      if constexpr (kCopy) out += head;
    }
    const bool streamed = kCopy && size >= 3 * kLongStretch;
    for (; size >= 3 * kLongStretch; p += 3 * kLongStretch, size -= 3 * kLongStretch) {
      crc = ExtendThreeWay<kLongStretch, kCopy>(crc, p, out, kLongShift);
      if constexpr (kCopy) out += 3 * kLongStretch;
    }
    // Non-temporal stores are not ordered with later ones: fenced before the copy is used.
    if (streamed) _mm_sfence();
    for (; size >= 3 * kShortStretch; p += 3 * kShortStretch, size -= 3 * kShortStretch) {
      crc = ExtendThreeWay<kShortStretch, kCopy>(crc, p, out, kShortShift);
      if constexpr (kCopy) out += 3 * kShortStretch;
    }
  }
  return ExtendOneWay<kCopy>(crc, p, size, out);
}

const bool kHasSse42 = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  if (kHasSse42) return ~ExtendHardware</*kCopy=*/false>(crc, p, size, nullptr);
#endif
  return ~ExtendPortable(crc, p, size);
}

namespace {
uint32_t PortableExtendCopy(uint32_t crc, const void* data, size_t size, void* out) {
  if (size > 0) std::memcpy(out, data, size);
  return ~ExtendPortable(~crc, static_cast<const uint8_t*>(out), size);
}
}  // namespace

uint32_t Crc32cExtendCopy(uint32_t crc, const void* data, size_t size, void* out) {
#if defined(__x86_64__)
  if (kHasSse42) {
    return ~ExtendHardware</*kCopy=*/true>(~crc, static_cast<const uint8_t*>(data), size,
                                           static_cast<uint8_t*>(out));
  }
#endif
  return PortableExtendCopy(crc, data, size, out);
}

namespace internal {
uint32_t Crc32cPortableForTest(const void* data, size_t size) {
  return ~ExtendPortable(~0u, static_cast<const uint8_t*>(data), size);
}
uint32_t Crc32cExtendCopyPortableForTest(uint32_t crc, const void* data, size_t size, void* out) {
  return PortableExtendCopy(crc, data, size, out);
}
}  // namespace internal

}  // namespace laminar
