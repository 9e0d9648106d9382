#include "exec/aggregate/hyperloglog.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"

namespace laminar::exec {

HyperLogLog::HyperLogLog(int precision)
    : precision_(precision), registers_(size_t{1} << precision, 0) {
  LAMINAR_CHECK(precision >= kMinPrecision && precision <= kMaxPrecision);
}

void HyperLogLog::Merge(const HyperLogLog& other) {
  LAMINAR_CHECK(other.precision_ == precision_);
  for (size_t i = 0; i < registers_.size(); ++i) {
    registers_[i] = std::max(registers_[i], other.registers_[i]);
  }
}

double HyperLogLog::Estimate() const {
  double m = static_cast<double>(registers_.size());
  double inverse_sum = 0;
  size_t empty_registers = 0;
  for (uint8_t value : registers_) {
    inverse_sum += std::ldexp(1.0, -static_cast<int>(value));
    empty_registers += value == 0;
  }
  // alpha_m corrects the multiplicative bias of the harmonic mean (valid for m >= 128; the
  // smaller precisions use the paper's constants).
  double alpha = 0.7213 / (1.0 + 1.079 / m);
  if (registers_.size() == 16) alpha = 0.673;
  if (registers_.size() == 32) alpha = 0.697;
  if (registers_.size() == 64) alpha = 0.709;
  double estimate = alpha * m * m / inverse_sum;
  if (estimate <= 2.5 * m && empty_registers > 0) {
    return m * std::log(m / static_cast<double>(empty_registers));
  }
  return estimate;
}

double HyperLogLog::StandardError() const {
  return 1.04 / std::sqrt(static_cast<double>(registers_.size()));
}

}  // namespace laminar::exec
