#include "server/latency_samples.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"

namespace laminar::server {

std::optional<double> LatencySamples::PercentileMicros(double p) const {
  LAMINAR_CHECK(p > 0 && p <= 100);
  if (samples_.empty()) return std::nullopt;
  std::vector<int64_t> sorted = samples_;
  // Nearest rank: the ceil(p/100 * n)-th smallest sample (1-based).
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  const size_t index = std::clamp<size_t>(rank, 1, sorted.size()) - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(index),
                   sorted.end());
  return static_cast<double>(sorted[index]) / 1000.0;
}

}  // namespace laminar::server
