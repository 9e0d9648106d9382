#include "exec/aggregate/quantile_sketch.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/check.h"
#include "storage/state_io.h"

namespace laminar::exec {

void QuantileSketch::Store::Add(int index, uint64_t count) {
  if (counts_.empty()) {
    min_index_ = index;
    counts_.assign(1, count);
    return;
  }
  if (index < min_index_) {
    // Widen downwards only as far as the bound allows; lower values join the lowest bucket.
    int new_min = std::max(index, max_index() - max_buckets_ + 1);
    if (new_min < min_index_) {
      counts_.insert(counts_.begin(), static_cast<size_t>(min_index_ - new_min), 0);
      min_index_ = new_min;
    }
    index = std::max(index, min_index_);
  } else if (index > max_index()) {
    counts_.resize(static_cast<size_t>(index - min_index_ + 1), 0);
    if (counts_.size() > static_cast<size_t>(max_buckets_)) {
      size_t excess = counts_.size() - static_cast<size_t>(max_buckets_);
      uint64_t collapsed = 0;
      for (size_t i = 0; i <= excess; ++i) collapsed += counts_[i];
      counts_.erase(counts_.begin(), counts_.begin() + static_cast<std::ptrdiff_t>(excess));
      counts_[0] = collapsed;
      min_index_ += static_cast<int>(excess);
    }
  }
  counts_[static_cast<size_t>(index - min_index_)] += count;
}

void QuantileSketch::Store::Merge(const Store& other) {
  // Lowest index first, so the range widens downwards at most once.
  for (int index = other.min_index(); !other.empty() && index <= other.max_index(); ++index) {
    uint64_t count = other.count_at(index);
    if (count > 0) Add(index, count);
  }
}

void QuantileSketch::Store::Snapshot(storage::StateWriter& writer) const {
  writer.VarI64(min_index_);
  writer.VarU64(counts_.size());
  for (uint64_t count : counts_) writer.VarU64(count);
}

uint64_t QuantileSketch::Store::Restore(storage::StateReader& reader) {
  const int64_t min_index = reader.VarI64();
  const size_t size = reader.Count(1);
  if (!reader.ok()) return 0;
  // Indices of finite doubles stay far inside +-2^20 (see IndexOf).
  if (size > static_cast<size_t>(max_buckets_) || min_index < -(int64_t{1} << 20) ||
      min_index > (int64_t{1} << 20)) {
    reader.Fail("malformed quantile sketch buckets");
    return 0;
  }
  min_index_ = static_cast<int>(min_index);
  counts_.resize(size);
  uint64_t total = 0;
  for (uint64_t& count : counts_) {
    count = reader.VarU64();
    if (__builtin_add_overflow(total, count, &total)) reader.Fail("quantile sketch count");
  }
  return total;
}

void QuantileSketch::Snapshot(storage::StateWriter& writer) const {
  writer.F64(relative_accuracy_);
  positive_.Snapshot(writer);
  negative_.Snapshot(writer);
  writer.VarU64(zero_count_);
  writer.VarU64(negative_infinity_count_);
  writer.VarU64(positive_infinity_count_);
  writer.VarU64(nan_count_);
  writer.VarU64(count_);
}

void QuantileSketch::Restore(storage::StateReader& reader) {
  const double relative_accuracy = reader.F64();
  if (reader.ok() && relative_accuracy != relative_accuracy_) {
    reader.Fail("quantile sketch of another accuracy");
    return;
  }
  uint64_t total = positive_.Restore(reader);
  uint64_t part = negative_.Restore(reader);
  bool overflow = __builtin_add_overflow(total, part, &total);
  zero_count_ = reader.VarU64();
  negative_infinity_count_ = reader.VarU64();
  positive_infinity_count_ = reader.VarU64();
  nan_count_ = reader.VarU64();
  count_ = reader.VarU64();
  for (uint64_t counter :
       {zero_count_, negative_infinity_count_, positive_infinity_count_, nan_count_}) {
    overflow |= __builtin_add_overflow(total, counter, &total);
  }
  if (reader.ok() && (overflow || total != count_)) {
    reader.Fail("quantile sketch counts do not add up");
  }
}

QuantileSketch::QuantileSketch(double relative_accuracy, int max_buckets)
    : relative_accuracy_(relative_accuracy), positive_(max_buckets), negative_(max_buckets) {
  LAMINAR_CHECK(relative_accuracy > 0 && relative_accuracy < 1 && max_buckets >= 1);
  double gamma = (1 + relative_accuracy) / (1 - relative_accuracy);
  log_gamma_ = std::log(gamma);
  inverse_log_gamma_ = 1 / log_gamma_;
  representative_factor_ = 2 / (gamma + 1);
}

// Every positive finite double, subnormals included, has a finite logarithm, so the index of
// any magnitude fits an int comfortably (|ln x| < 745, divided by ln gamma ~ 0.02).
int QuantileSketch::IndexOf(double magnitude) const {
  return static_cast<int>(std::ceil(std::log(magnitude) * inverse_log_gamma_));
}

double QuantileSketch::ValueOf(int index) const {
  return std::exp(index * log_gamma_) * representative_factor_;
}

void QuantileSketch::Add(double value) {
  ++count_;
  if (value > 0) {
    if (std::isinf(value)) {
      ++positive_infinity_count_;
    } else {
      positive_.Add(IndexOf(value), 1);
    }
  } else if (value < 0) {
    if (std::isinf(value)) {
      ++negative_infinity_count_;
    } else {
      negative_.Add(IndexOf(-value), 1);
    }
  } else if (value == 0) {
    ++zero_count_;
  } else {
    ++nan_count_;
  }
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  LAMINAR_CHECK(other.relative_accuracy_ == relative_accuracy_);
  positive_.Merge(other.positive_);
  negative_.Merge(other.negative_);
  zero_count_ += other.zero_count_;
  negative_infinity_count_ += other.negative_infinity_count_;
  positive_infinity_count_ += other.positive_infinity_count_;
  nan_count_ += other.nan_count_;
  count_ += other.count_;
}

double QuantileSketch::Quantile(double q) const {
  LAMINAR_CHECK(count_ > 0 && q >= 0 && q <= 1);
  // The wanted element is the one of 0-based rank floor(q (n - 1)): the first group whose
  // cumulative count exceeds that rank holds it.
  uint64_t rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(count_ - 1)));
  uint64_t seen = negative_infinity_count_;
  if (rank < seen) return -std::numeric_limits<double>::infinity();
  if (!negative_.empty()) {
    for (int index = negative_.max_index(); index >= negative_.min_index(); --index) {
      seen += negative_.count_at(index);
      if (rank < seen) return -ValueOf(index);
    }
  }
  seen += zero_count_;
  if (rank < seen) return 0.0;
  if (!positive_.empty()) {
    for (int index = positive_.min_index(); index <= positive_.max_index(); ++index) {
      seen += positive_.count_at(index);
      if (rank < seen) return ValueOf(index);
    }
  }
  seen += positive_infinity_count_;
  if (rank < seen) return std::numeric_limits<double>::infinity();
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace laminar::exec
