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

// The CPU's flags may be read before libgcc's own initializer has run: each detection runs it.
bool HasSse42() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}

// Folding with carry-less multiplication (VPCLMULQDQ on 512-bit registers), for CPUs that
// have it. The register is linear over GF(2), so a 16-byte lane of input can be moved on by
// any number of bits (multiplied by a power of x) and reduced modulo the polynomial without
// changing what it contributes to the checksum. Four registers of four lanes each take in
// 256 bytes a step, each lane moved 256 bytes on and xored with the input there; at the end
// the lanes are moved onto the last one and the crc32 instruction reduces it to 32 bits.
//
// In the reflected bit order of this CRC, bit i of a w-bit value is the coefficient of
// x^(w-1-i). A carry-less product of two 64-bit values, read as a 128-bit value, is then their
// product times x. A lane A = L x^64 + H (L its low, H its high 64 bits) moved on by n bits is
// A x^n = L x^(64+n) + H x^n, so L is multiplied by x^(63+n) and H by x^(n-1), both reduced
// modulo the polynomial to 32 bits and held in the upper halves of 64-bit multipliers.

// x^n modulo the polynomial, as a reflected 32-bit register (x^0 is its top bit).
constexpr uint32_t XPowerModPolynomial(size_t n) {
  uint32_t value = 0x80000000u;
  for (; n > 0; --n) value = (value >> 1) ^ ((value & 1) ? kPolynomial : 0);
  return value;
}

struct FoldMultipliers {
  uint64_t low;   // For a lane's low 64 bits.
  uint64_t high;  // For its high 64 bits.
};
constexpr FoldMultipliers MultipliersToMove(size_t bits) {
  return {uint64_t{XPowerModPolynomial(bits + 63)} << 32,
          uint64_t{XPowerModPolynomial(bits - 1)} << 32};
}

constexpr size_t kFoldStep = 256;  // Bytes taken in per step of the loop.
// Below this, the three crc32 chains are as fast: the folding's setup and final reductions
// cost about what 256 bytes do.
constexpr size_t kLeastFoldedBytes = 512;
// Copies longer than this and a cache line store around the cache (non-temporal stores), as
// ExtendHardware's do.
constexpr size_t kLeastStreamedBytes = 3 * kLongStretch;

#define LAMINAR_FOLDING_TARGET __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2")))

// Computed at compile time: each is hundreds of steps of XPowerModPolynomial.
template <size_t kBits>
constexpr FoldMultipliers kMove = MultipliersToMove(kBits);

LAMINAR_FOLDING_TARGET inline __m512i Multipliers512(FoldMultipliers m) {
  const auto low = static_cast<long long>(m.low);
  const auto high = static_cast<long long>(m.high);
  return _mm512_set_epi64(high, low, high, low, high, low, high, low);
}

// Every lane of `lanes` moved on by the multipliers' distance, xor `input`.
LAMINAR_FOLDING_TARGET inline __m512i Fold512(__m512i lanes, __m512i multipliers, __m512i input) {
  return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(lanes, multipliers, 0x00),
                                   _mm512_clmulepi64_epi128(lanes, multipliers, 0x11), input, 0x96);
}

LAMINAR_FOLDING_TARGET inline __m128i Fold128(__m128i lane, FoldMultipliers m) {
  const __m128i multipliers =
      _mm_set_epi64x(static_cast<long long>(m.high), static_cast<long long>(m.low));
  return _mm_xor_si128(_mm_clmulepi64_si128(lane, multipliers, 0x00),
                       _mm_clmulepi64_si128(lane, multipliers, 0x11));
}

template <bool kStream>
LAMINAR_FOLDING_TARGET inline void CopyLine(uint8_t* target, __m512i bytes) {
  if constexpr (kStream) {
    _mm512_stream_si512(reinterpret_cast<__m512i*>(target), bytes);
  } else {
    _mm512_storeu_si512(target, bytes);
  }
}

// REQUIRES: size >= kFoldStep; with kStream, `out` on a 64-byte boundary. With kCopy, also
// copies the bytes to `out`, around the cache with kStream.
template <bool kCopy, bool kStream>
LAMINAR_FOLDING_TARGET uint32_t ExtendFolding(uint32_t crc, const uint8_t* p, size_t size,
                                              uint8_t* out) {
  const auto copy = [out](size_t offset, __m512i bytes) {
    if constexpr (kCopy) CopyLine<kStream>(out + offset, bytes);
  };
  __m512i lanes[4];
  for (size_t i = 0; i < 4; ++i) {
    lanes[i] = _mm512_loadu_si512(p + 64 * i);
    copy(64 * i, lanes[i]);
  }
  // The register enters as the first 32 bits of input would.
  lanes[0] =
      _mm512_xor_si512(lanes[0], _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(crc))));
  size_t offset = kFoldStep;
  const __m512i step = Multipliers512(kMove<8 * kFoldStep>);
  for (; size - offset >= kFoldStep; offset += kFoldStep) {
    for (size_t i = 0; i < 4; ++i) {
      const __m512i input = _mm512_loadu_si512(p + offset + 64 * i);
      copy(offset + 64 * i, input);
      lanes[i] = Fold512(lanes[i], step, input);
    }
  }
  const __m512i by64 = Multipliers512(kMove<8 * 64>);
  __m512i folded = Fold512(lanes[0], by64, lanes[1]);
  folded = Fold512(folded, by64, lanes[2]);
  folded = Fold512(folded, by64, lanes[3]);
  for (; size - offset >= 64; offset += 64) {
    const __m512i input = _mm512_loadu_si512(p + offset);
    copy(offset, input);
    folded = Fold512(folded, by64, input);
  }
  alignas(64) __m128i last[4];
  _mm512_store_si512(last, folded);
  __m128i lane =
      _mm_xor_si128(_mm_xor_si128(Fold128(last[0], kMove<8 * 48>), Fold128(last[1], kMove<8 * 32>)),
                    _mm_xor_si128(Fold128(last[2], kMove<8 * 16>), last[3]));
  for (; size - offset >= 16; offset += 16) {
    const __m128i input = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offset));
    if constexpr (kCopy) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + offset), input);
    lane = _mm_xor_si128(Fold128(lane, kMove<8 * 16>), input);
  }
  // Non-temporal stores are not ordered with later ones: fenced before the copy is used.
  if constexpr (kStream) _mm_sfence();
  // The lane's checksum from a zero register is the checksum of everything so far.
  const uint64_t reduced = _mm_crc32_u64(0, static_cast<uint64_t>(_mm_cvtsi128_si64(lane)));
  crc = static_cast<uint32_t>(
      _mm_crc32_u64(reduced, static_cast<uint64_t>(_mm_extract_epi64(lane, 1))));
  return ExtendOneWay<kCopy>(crc, p + offset, size - offset, kCopy ? out + offset : nullptr);
}

bool HasFolding() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul") &&
         __builtin_cpu_supports("sse4.2");
}

// Folding for inputs long enough to gain from it, the crc32 chains below that. With kCopy,
// also copies the bytes to `out`.
template <bool kCopy>
uint32_t ExtendFoldingOrChains(uint32_t crc, const uint8_t* p, size_t size, uint8_t* out) {
  if (size < kLeastFoldedBytes) return ExtendHardware<kCopy>(crc, p, size, out);
  if (kCopy && size >= kLeastStreamedBytes + 64) {
    // Non-temporal stores combine into whole lines: the folded part starts at a line.
    const size_t head = (64 - reinterpret_cast<uintptr_t>(out) % 64) % 64;
    crc = ExtendOneWay<kCopy>(crc, p, head, out);
    return ExtendFolding<kCopy, /*kStream=*/true>(crc, p + head, size - head, out + head);
  }
  return ExtendFolding<kCopy, /*kStream=*/false>(crc, p, size, out);
}
#undef LAMINAR_FOLDING_TARGET
#endif

using internal::Crc32cPath;

bool PathAvailable(Crc32cPath path) {
#if defined(__x86_64__)
  static const bool has_sse42 = HasSse42();
  static const bool has_folding = HasFolding();
  switch (path) {
    case Crc32cPath::kTable:
      return true;
    case Crc32cPath::kCrc32Instruction:
      return has_sse42;
    case Crc32cPath::kFolding:
      return has_folding;
  }
  return false;
#else
  return path == Crc32cPath::kTable;
#endif
}

Crc32cPath FastestPath() {
  for (const Crc32cPath path : {Crc32cPath::kFolding, Crc32cPath::kCrc32Instruction}) {
    if (PathAvailable(path)) return path;
  }
  return Crc32cPath::kTable;
}

// `crc` is the register: the checksum inverted. With kCopy, also copies the bytes to `out`.
template <bool kCopy>
uint32_t ExtendOn(Crc32cPath path, uint32_t crc, const uint8_t* p, size_t size, uint8_t* out) {
  switch (path) {
#if defined(__x86_64__)
    case Crc32cPath::kFolding:
      return ExtendFoldingOrChains<kCopy>(crc, p, size, out);
    case Crc32cPath::kCrc32Instruction:
      return ExtendHardware<kCopy>(crc, p, size, out);
#endif
    default:
      if constexpr (kCopy) {
        if (size > 0) std::memcpy(out, p, size);
      }
      return ExtendPortable(crc, p, size);
  }
}

// Set by a dynamic initializer. A checksum computed by another file's static initializer
// before it runs finds the zero of static storage, kTable: the right value, more slowly.
static_assert(static_cast<int>(Crc32cPath::kTable) == 0);
const Crc32cPath kFastestPath = FastestPath();

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
  return ~ExtendOn</*kCopy=*/false>(kFastestPath, ~crc, static_cast<const uint8_t*>(data), size,
                                    nullptr);
}

uint32_t Crc32cExtendCopy(uint32_t crc, const void* data, size_t size, void* out) {
  return ~ExtendOn</*kCopy=*/true>(kFastestPath, ~crc, static_cast<const uint8_t*>(data), size,
                                   static_cast<uint8_t*>(out));
}

namespace internal {
bool Crc32cPathAvailable(Crc32cPath path) { return PathAvailable(path); }
Crc32cPath Crc32cFastestPath() { return kFastestPath; }
uint32_t Crc32cExtendOnPath(Crc32cPath path, uint32_t crc, const void* data, size_t size) {
  return ~ExtendOn</*kCopy=*/false>(path, ~crc, static_cast<const uint8_t*>(data), size, nullptr);
}
uint32_t Crc32cExtendCopyOnPath(Crc32cPath path, uint32_t crc, const void* data, size_t size,
                                void* out) {
  return ~ExtendOn</*kCopy=*/true>(path, ~crc, static_cast<const uint8_t*>(data), size,
                                   static_cast<uint8_t*>(out));
}
}  // namespace internal

}  // namespace laminar
