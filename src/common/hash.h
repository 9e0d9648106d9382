#pragma once

#include <cstdint>

namespace laminar {

/// SplitMix64's output function (Stafford's "Mix13" finalizer): a bijection on 64-bit integers
/// whose every output bit depends on every input bit. Used where a fast, well-mixed, stable
/// 64-bit hash of a word is needed (the Nexmark generator's streams, output checksums).
inline constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9;
  x ^= x >> 27;
  x *= 0x94d049bb133111eb;
  x ^= x >> 31;
  return x;
}

}  // namespace laminar
