#pragma once

// Latency samples of a benchmark run and their percentiles.

#include <cstdint>
#include <optional>
#include <vector>

namespace laminar::server {

/// Collects latency samples (nanoseconds) and reports exact percentiles. A run of the Nexmark
/// harness takes one sample per output batch, a few thousand per run, so every sample is kept
/// and percentiles are exact rather than bucketed.
///
/// Thread-safety: one thread at a time.
class LatencySamples {
 public:
  void Add(int64_t nanos) { samples_.push_back(nanos); }
  size_t count() const { return samples_.size(); }

  /// The nearest-rank percentile `p` (0 < p <= 100) in microseconds: the smallest sample such
  /// that at least p% of the samples are at or below it. Empty when there are no samples.
  /// REQUIRES: 0 < p <= 100.
  std::optional<double> PercentileMicros(double p) const;

 private:
  std::vector<int64_t> samples_;
};

}  // namespace laminar::server
