#include "nexmark/price.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace laminar::nexmark {
namespace {

// The price in 64-bit-mantissa long double arithmetic, the oracle.
long double ExactPrice(uint64_t random_bits) {
  const long double u = std::ldexp(static_cast<long double>(random_bits), -64);
  return 100.0L * std::exp2(6.0L * u * std::log2(10.0L));
}

TEST(PriceTableTest, MatchesThePowerRoundedToWholeCents) {
  const PriceTable& prices = PriceTable::Get();
  std::mt19937_64 random(1);
  int64_t near_half = 0;
  for (int i = 0; i < 2'000'000; ++i) {
    const uint64_t bits = random();
    const long double exact = ExactPrice(bits);
    const long double fraction = exact - std::floor(exact);
    if (std::fabs(fraction - 0.5L) < 1e-6L) {
      ++near_half;  // Too close to a tie for either computation to be authoritative.
      continue;
    }
    ASSERT_EQ(prices.Price(bits), std::llround(exact)) << bits;
  }
  EXPECT_LT(near_half, 100);
}

TEST(PriceTableTest, SpansOneDollarToOneMillionDollars) {
  const PriceTable& prices = PriceTable::Get();
  EXPECT_EQ(prices.Price(0), 100);
  EXPECT_EQ(prices.Price(std::numeric_limits<uint64_t>::max()), 100'000'000);
  EXPECT_EQ(prices.Price(uint64_t{1} << 63), 100'000);  // u = 1/2: 10^3 dollars.
}

TEST(PriceTableTest, NeverDecreasesAsTheRandomBitsGrow) {
  const PriceTable& prices = PriceTable::Get();
  std::mt19937_64 random(2);
  std::vector<uint64_t> bits(200'000);
  for (uint64_t& value : bits) value = random();
  // Also every boundary of the table (multiples of 1/32 in t) and its neighbours.
  for (uint64_t i = 1; i < 638; ++i) {
    const auto boundary = static_cast<uint64_t>((static_cast<unsigned __int128>(i) << (54 + 64)) /
                                                0x9f73da38d9d4a83f);
    bits.push_back(boundary - 1);
    bits.push_back(boundary);
    bits.push_back(boundary + 1);
  }
  std::sort(bits.begin(), bits.end());
  for (size_t i = 1; i < bits.size(); ++i) {
    ASSERT_LE(prices.Price(bits[i - 1]), prices.Price(bits[i])) << bits[i];
  }
}

}  // namespace
}  // namespace laminar::nexmark
