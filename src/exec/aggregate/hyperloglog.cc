#include "exec/aggregate/hyperloglog.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"
#include "storage/state_io.h"

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

void HyperLogLog::Snapshot(storage::StateWriter& writer) const {
  writer.U8(static_cast<uint8_t>(precision_));
  size_t non_zero = 0;
  for (uint8_t value : registers_) non_zero += value != 0;
  writer.VarU64(non_zero);
  if (non_zero > registers_.size() / 4) {
    writer.Raw(
        std::string_view(reinterpret_cast<const char*>(registers_.data()), registers_.size()));
    return;
  }
  size_t next = 0;  // Gaps are counted from the register after the previous non-zero one.
  for (size_t i = 0; i < registers_.size(); ++i) {
    if (registers_[i] == 0) continue;
    writer.VarU64(i - next);
    writer.U8(registers_[i]);
    next = i + 1;
  }
}

void HyperLogLog::Restore(storage::StateReader& reader) {
  const uint8_t precision = reader.U8();
  const uint64_t non_zero = reader.VarU64();
  if (!reader.ok()) return;
  if (precision != precision_ || non_zero > registers_.size()) {
    reader.Fail("malformed HyperLogLog sketch");
    return;
  }
  // A register holds a rank of at most 64 - precision + 1 (see Add).
  const auto max_rank = static_cast<uint8_t>(64 - precision_ + 1);
  if (non_zero > registers_.size() / 4) {
    const std::string_view bytes = reader.Raw(registers_.size());
    if (!reader.ok()) return;
    size_t seen = 0;
    for (size_t i = 0; i < registers_.size(); ++i) {
      registers_[i] = static_cast<uint8_t>(bytes[i]);
      seen += registers_[i] != 0;
      if (registers_[i] > max_rank) seen = registers_.size() + 1;
    }
    if (seen != non_zero) reader.Fail("malformed HyperLogLog registers");
    return;
  }
  uint64_t next = 0;
  for (uint64_t i = 0; i < non_zero && reader.ok(); ++i) {
    const uint64_t gap = reader.VarU64();
    const uint8_t rank = reader.U8();
    if (!reader.ok()) return;
    if (gap >= registers_.size() - next || rank == 0 || rank > max_rank) {
      reader.Fail("malformed HyperLogLog registers");
      return;
    }
    next += gap;
    registers_[next] = rank;
    ++next;
  }
}

double HyperLogLog::StandardError() const {
  return 1.04 / std::sqrt(static_cast<double>(registers_.size()));
}

}  // namespace laminar::exec
