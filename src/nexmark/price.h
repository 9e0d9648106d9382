#pragma once

#include <array>
#include <cstdint>

namespace laminar::nexmark {

/// The Nexmark price rule: round(100 * 10^(6u)) cents with u = r / 2^64 for 64 random bits r,
/// i.e. log-uniform over [100, 100,000,000] (the upper end is reached only by rounding).
///
/// Computed without libm so that every IEEE-754 platform produces the same prices (libm's pow
/// and exp may differ in the last bit between implementations, which would move a price by a
/// cent): 10^(6u) = 2^t with t = 6u log2(10) = i/32 + b, 0 <= b < 1/32. t is computed exactly in
/// fixed point (59 fraction bits) from r; 100 * 2^(i/32) comes from a table; 2^b = e^(b ln 2) is
/// its Taylor polynomial of degree 6 (truncation error below 10^-15 relative), evaluated in
/// Estrin's scheme for a short dependency chain. The result is within a few ulps of the exact
/// value, so a price differs from the exactly rounded one only when 100 * 10^(6u) lies within
/// about 10^-7 of a half cent. Halves round up.
///
/// Immutable; one shared instance, safe to use from any number of threads.
class PriceTable {
 public:
  static const PriceTable& Get();

  int64_t Price(uint64_t random_bits) const {
    // 6 log2(10) * 2^59, rounded: t_fixed / 2^59 = 6u log2(10), in [0, 19.94).
    constexpr uint64_t kSixLog2Of10Fixed = 0x9f73da38d9d4a83f;
    constexpr double kLn2Over2To59 = 0x1.62e42fefa39efp-60;
    constexpr uint64_t kFractionMask = (uint64_t{1} << 54) - 1;  // Below 1/32.
    const auto t_fixed = static_cast<uint64_t>(
        (static_cast<unsigned __int128>(random_bits) * kSixLog2Of10Fixed) >> 64);
    const uint64_t index = t_fixed >> 54;  // floor(32 t) < 638.
    // b ln 2, in [0, ln(2) / 32).
    const double z =
        static_cast<double>(static_cast<int64_t>(t_fixed & kFractionMask)) * kLn2Over2To59;
    const double z2 = z * z;
    const double z4 = z2 * z2;
    const double polynomial = ((1.0 + z) + z2 * (1.0 / 2 + z * (1.0 / 6))) +
                              z4 * ((1.0 / 24 + z * (1.0 / 120)) + z2 * (1.0 / 720));
    return static_cast<int64_t>(hundred_times_powers_[index] * polynomial + 0.5);
  }

 private:
  PriceTable();

  std::array<double, 20 * 32> hundred_times_powers_;  // 100 * 2^(i/32).
};

}  // namespace laminar::nexmark
