#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace laminar::storage {
class StateReader;
class StateWriter;
}  // namespace laminar::storage

namespace laminar::exec {

/// A mergeable quantile sketch with a relative-error guarantee, for APPROX_PERCENTILE: the
/// log-bucketed design of DDSketch (Masson, Rim, Lee, VLDB 2019).
///
/// With gamma = (1 + alpha) / (1 - alpha), a positive value x falls in bucket
/// i = ceil(log_gamma(x)), which covers (gamma^(i-1), gamma^i]; the bucket is represented by
/// 2 gamma^i / (gamma + 1), which is within relative error alpha of every value in it.
/// Negative values go to a second set of buckets by their magnitude, zeros to a counter, and
/// the infinities and NaN to counters of their own (NaN sorts above everything, as in SQL
/// ordering).
///
/// Guarantee: Quantile(q) returns a value within relative error alpha (1% by default) of the
/// exact q-quantile, defined as the element of 0-based rank floor(q * (n - 1)) of the n values
/// added, as long as no bucket was collapsed. Zero, the infinities and NaN are returned
/// exactly.
///
/// Bounded size: each sign keeps at most `max_buckets` contiguous buckets (2048 by default,
/// covering a ratio of gamma^2048, about 10^35, between the largest and smallest magnitude at
/// alpha = 1%). When a value would widen the range beyond that, the buckets of the smallest
/// magnitudes are merged into the lowest remaining one; quantiles falling among those
/// collapsed values lose the guarantee (they are overestimated in magnitude), the others keep
/// it. Memory is at most 2 * max_buckets counters.
///
/// Merging the sketches of two sets gives exactly the sketch of their union (same buckets,
/// same counts) when neither collapsed. A sketch cannot forget a value.
///
/// Thread-safety: a value type; not safe to mutate while read.
class QuantileSketch {
 public:
  static constexpr double kDefaultRelativeAccuracy = 0.01;
  static constexpr int kDefaultMaxBuckets = 2048;

  /// REQUIRES: 0 < relative_accuracy < 1, max_buckets >= 1.
  explicit QuantileSketch(double relative_accuracy = kDefaultRelativeAccuracy,
                          int max_buckets = kDefaultMaxBuckets);

  void Add(double value);
  /// Folds `other` in. REQUIRES: both have the same relative accuracy and bucket bound.
  void Merge(const QuantileSketch& other);

  /// The approximate q-quantile (see the class comment). REQUIRES: count() > 0, 0 <= q <= 1.
  double Quantile(double q) const;

  uint64_t count() const { return count_; }
  double relative_accuracy() const { return relative_accuracy_; }
  size_t MemoryBytes() const {
    return sizeof(*this) + positive_.MemoryBytes() + negative_.MemoryBytes();
  }

  /// Checkpoints: the relative accuracy, each sign's buckets (lowest index, number of
  /// buckets, their counts) and the counters of zeros, infinities, NaNs and values. Restore
  /// reads that into this sketch, which must be empty and made with the same accuracy and
  /// bucket bound; malformed input fails the reader.
  void Snapshot(storage::StateWriter& writer) const;
  void Restore(storage::StateReader& reader);

 private:
  /// Counts of contiguous bucket indices [min_index, min_index + counts.size()).
  class Store {
   public:
    explicit Store(int max_buckets) : max_buckets_(max_buckets) {}
    void Add(int index, uint64_t count);
    void Merge(const Store& other);
    bool empty() const { return counts_.empty(); }
    int min_index() const { return min_index_; }
    int max_index() const { return min_index_ + static_cast<int>(counts_.size()) - 1; }
    uint64_t count_at(int index) const { return counts_[index - min_index_]; }
    size_t MemoryBytes() const { return counts_.capacity() * sizeof(uint64_t); }
    void Snapshot(storage::StateWriter& writer) const;
    /// Returns the sum of the restored counts.
    uint64_t Restore(storage::StateReader& reader);

   private:
    int max_buckets_;
    int min_index_ = 0;
    std::vector<uint64_t> counts_;
  };

  int IndexOf(double magnitude) const;
  double ValueOf(int index) const;

  double relative_accuracy_;
  double log_gamma_;
  double inverse_log_gamma_;
  double representative_factor_;  // 2 / (gamma + 1).
  Store positive_;
  Store negative_;  // By magnitude.
  uint64_t zero_count_ = 0;
  uint64_t negative_infinity_count_ = 0;
  uint64_t positive_infinity_count_ = 0;
  uint64_t nan_count_ = 0;
  uint64_t count_ = 0;
};

}  // namespace laminar::exec
