#pragma once

// The counter-based random numbers of the Nexmark generator. Every event draws from its own
// stream, whose starting state is a pure function of (seed, event_id); nothing is carried from one
// event to the next, which is what makes the generator splittable.

#include <cstdint>

#include "common/hash.h"

namespace laminar::nexmark {

/// The random stream of one event: a wyrand generator (Wang Yi's 64-bit multiply-mix generator)
/// started at Mix64(SeedKey(seed) + event_id * golden ratio). Because Mix64 and multiplication
/// by an odd constant are bijections, distinct events of one seed start at distinct states.
///
/// The draws an event makes, and their order, are part of the data format (kGeneratorVersion).
/// A value type; each generator thread owns its own.
class EventRandom {
 public:
  /// The per-seed half of the starting state; compute it once per config.
  static constexpr uint64_t SeedKey(uint64_t seed) { return Mix64(seed ^ 0x6a09e667f3bcc908); }

  constexpr EventRandom(uint64_t seed_key, uint64_t event_id)
      : state_(Mix64(seed_key + event_id * 0x9e3779b97f4a7c15)) {}

  /// The next 64 uniformly distributed bits.
  constexpr uint64_t Next() {
    state_ += 0xa0761d6478bd642f;
    const unsigned __int128 product =
        static_cast<unsigned __int128>(state_) * (state_ ^ 0xe7037ed1a0b428db);
    return static_cast<uint64_t>(product >> 64) ^ static_cast<uint64_t>(product);
  }

  /// U[0, bound): floor(Next() * bound / 2^64), Lemire's multiply-shift without rejection. The
  /// bias is below bound / 2^64 (under 10^-15 for every bound the generator uses).
  /// REQUIRES: bound > 0.
  constexpr uint64_t Uniform(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }

  /// U[0, 1) with 53 random bits: (Next() >> 11) * 2^-53.
  constexpr double UniformUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace laminar::nexmark
