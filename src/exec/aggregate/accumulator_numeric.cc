// The arithmetic aggregates: count(*), count, sum, avg, the variance family, bool_and and
// bool_or. All of them retract arithmetically, so they take weights whether or not the spec
// says the input is a changelog.
//
// Memory per group (the documented figures): count 8 bytes; sum/avg 24 bytes for BIGINT and
// DECIMAL (a 128-bit sum and a count), 16 for DOUBLE, 40 for INTERVAL; the variance family 24;
// bool_and/bool_or 16.

#include <cmath>
#include <vector>

#include "columnar/decimal.h"
#include "exec/aggregate/accumulator_internal.h"

namespace laminar::exec::aggregate_internal {
namespace {

using functions::FunctionId;

/// Per-slot row counts (never negative in a consistent state) as varints.
void WriteCounts(storage::StateWriter& writer, std::span<const uint32_t> slots,
                 const int64_t* counts) {
  for (uint32_t slot : slots) writer.VarU64(static_cast<uint64_t>(counts[slot]));
}

void ReadCounts(storage::StateReader& reader, std::span<const uint32_t> slots, int64_t* counts) {
  for (uint32_t slot : slots) {
    const uint64_t count = reader.VarU64();
    if (count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      reader.Fail("negative count in an aggregate state");
      return;
    }
    counts[slot] = static_cast<int64_t>(count);
  }
}

// ----- count(*) and count(x). -----

class CountAccumulator final : public Accumulator {
 public:
  explicit CountAccumulator(const AggregateSpec& spec) : spec_(spec) {}

  void EnsureSlots(uint32_t count) override {
    if (count > counts_.size()) counts_.resize(count, 0);
  }
  void Clear(uint32_t slot) override { counts_[slot] = 0; }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    const Column* column = args.empty() ? nullptr : &args[0];
    int64_t* counts = counts_.data();
    bool negative = false;
    ForEachEntry(
        column, rows, slots, weights, [counts](uint32_t slot, int64_t) { ++counts[slot]; },
        [counts, &negative](uint32_t slot, int64_t) { negative |= --counts[slot] < 0; });
    return negative ? RetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    counts_[target] += counts_[source];
    return Status::Ok();
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) out.AppendFixed<int64_t>(counts_[slot]);
    return Status::Ok();
  }

  size_t MemoryBytes() const override { return counts_.capacity() * sizeof(int64_t); }

  // State: one varint count per slot.
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    WriteCounts(writer, slots, counts_.data());
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    ReadCounts(reader, slots, counts_.data());
    return reader.status();
  }

 private:
  AggregateSpec spec_;
  std::vector<int64_t> counts_;
};

// ----- sum and avg. -----
//
// A Sum traits type says how values of one input type are summed: the input's physical type,
// the running sum's type (wide enough that the sum of any number of rows cannot overflow
// before Finish checks the result, except DOUBLE, which overflows like PostgreSQL's float8
// addition) and how sums and averages become results.

struct BigIntSum {
  using Input = int64_t;
  // 128 bits hold the sum of 2^64 BIGINTs, so the result does not depend on arrival order:
  // only a final sum outside BIGINT is an overflow.
  using Sum = __int128;
  static bool Add(Sum& sum, Input value) {
    sum += value;
    return false;
  }
  static void Subtract(Sum& sum, Input value) { sum -= value; }
  static bool Combine(Sum& sum, Sum other) {
    sum += other;
    return false;
  }
  static Status FinishSum(const AggregateSpec& spec, Sum sum, int64_t, ColumnBuilder& out) {
    if (sum < std::numeric_limits<int64_t>::min() || sum > std::numeric_limits<int64_t>::max()) {
      return OverflowError(spec);
    }
    out.AppendFixed<int64_t>(static_cast<int64_t>(sum));
    return Status::Ok();
  }
  static Status FinishAverage(const AggregateSpec&, Sum sum, int64_t count, ColumnBuilder& out) {
    out.AppendFixed<double>(static_cast<double>(sum) / static_cast<double>(count));
    return Status::Ok();
  }
};

struct DoubleSum {
  using Input = double;
  using Sum = double;
  // An infinite sum of finite values is an overflow (PostgreSQL's float8 addition).
  static bool Add(Sum& sum, Input value) {
    Sum before = sum;
    sum += value;
    return std::isinf(sum) && !std::isinf(before) && !std::isinf(value);
  }
  static void Subtract(Sum& sum, Input value) { sum -= value; }
  static bool Combine(Sum& sum, Sum other) { return Add(sum, other); }
  static Status FinishSum(const AggregateSpec&, Sum sum, int64_t, ColumnBuilder& out) {
    out.AppendFixed<double>(sum);
    return Status::Ok();
  }
  static Status FinishAverage(const AggregateSpec&, Sum sum, int64_t count, ColumnBuilder& out) {
    out.AppendFixed<double>(sum / static_cast<double>(count));
    return Status::Ok();
  }
};

struct DecimalSum {
  using Input = Decimal128;
  using Sum = Decimal128;
  // Values have at most 38 digits and 2^127 is about 1.7 * 10^38, so two extreme rows can
  // overflow the 128-bit sum; that is reported at once (unlike BIGINT, the outcome can then
  // depend on arrival order). Finish checks the 38 digits of DECIMAL(38, s).
  static bool Add(Sum& sum, Input value) { return __builtin_add_overflow(sum, value, &sum); }
  static void Subtract(Sum& sum, Input value) { sum -= value; }
  static bool Combine(Sum& sum, Sum other) { return Add(sum, other); }
  static Status FinishSum(const AggregateSpec& spec, Sum sum, int64_t, ColumnBuilder& out) {
    if (!DecimalFitsPrecision(sum, kMaxDecimalPrecision)) return OverflowError(spec);
    out.AppendFixed<Decimal128>(sum);
    return Status::Ok();
  }
  // DECIMAL(38, max(s, 6)): sum * 10^(result scale - s) / count, rounded half away from zero.
  // Dividing first keeps the intermediate small: the quotient's digits are the result's.
  static Status FinishAverage(const AggregateSpec& spec, Sum sum, int64_t count,
                              ColumnBuilder& out) {
    int extra_digits = spec.result_type.scale() - spec.argument_types[0].scale();
    Decimal128 factor = PowerOfTen(extra_digits);
    Decimal128 quotient = sum / count;
    Decimal128 remainder = sum % count;  // |remainder| < count < 2^63; times 10^6 fits.
    Decimal128 scaled;
    if (__builtin_mul_overflow(quotient, factor, &scaled)) return OverflowError(spec);
    Decimal128 fraction = remainder * factor;
    Decimal128 fraction_quotient = fraction / count;
    Decimal128 fraction_remainder = fraction % count;
    if (fraction_remainder < 0) fraction_remainder = -fraction_remainder;
    if (2 * fraction_remainder >= count) fraction_quotient += fraction < 0 ? -1 : 1;
    Decimal128 result = scaled + fraction_quotient;
    if (!DecimalFitsPrecision(result, kMaxDecimalPrecision)) return OverflowError(spec);
    out.AppendFixed<Decimal128>(result);
    return Status::Ok();
  }
};

struct IntervalSum {
  using Input = Interval;
  // Field-wise, as PostgreSQL adds intervals, in widths that cannot overflow.
  struct Sum {
    int64_t months = 0;
    int64_t days = 0;
    __int128 micros = 0;
  };
  static bool Add(Sum& sum, const Input& value) {
    sum.months += value.months;
    sum.days += value.days;
    sum.micros += value.micros;
    return false;
  }
  static void Subtract(Sum& sum, const Input& value) {
    sum.months -= value.months;
    sum.days -= value.days;
    sum.micros -= value.micros;
  }
  static bool Combine(Sum& sum, const Sum& other) {
    sum.months += other.months;
    sum.days += other.days;
    sum.micros += other.micros;
    return false;
  }
  static bool ToInterval(const Sum& sum, Interval* out) {
    if (sum.months < std::numeric_limits<int32_t>::min() ||
        sum.months > std::numeric_limits<int32_t>::max() ||
        sum.days < std::numeric_limits<int32_t>::min() ||
        sum.days > std::numeric_limits<int32_t>::max() ||
        sum.micros < std::numeric_limits<int64_t>::min() ||
        sum.micros > std::numeric_limits<int64_t>::max()) {
      return false;
    }
    *out = Interval{static_cast<int32_t>(sum.months), static_cast<int32_t>(sum.days),
                    static_cast<int64_t>(sum.micros)};
    return true;
  }
  static Status FinishSum(const AggregateSpec& spec, const Sum& sum, int64_t, ColumnBuilder& out) {
    Interval result;
    if (!ToInterval(sum, &result)) return OverflowError(spec);
    out.AppendFixed<Interval>(result);
    return Status::Ok();
  }
  // The sum divided like `interval / count`: fractional months spill into days and fractional
  // days into time, as in PostgreSQL. A sum beyond the INTERVAL range is an overflow even when
  // the average would fit (PostgreSQL's interval avg sums the same way).
  static Status FinishAverage(const AggregateSpec& spec, const Sum& sum, int64_t count,
                              ColumnBuilder& out) {
    Interval total;
    Interval result;
    if (!ToInterval(sum, &total) ||
        functions::IntervalMultiplyOp{.divide = true}.Call(total, static_cast<double>(count),
                                                           &result) != functions::kKernelOk) {
      return OverflowError(spec);
    }
    out.AppendFixed<Interval>(result);
    return Status::Ok();
  }
};

template <typename Traits, bool kAverage>
class SumAccumulator final : public Accumulator {
 public:
  using Input = typename Traits::Input;
  using Sum = typename Traits::Sum;

  explicit SumAccumulator(const AggregateSpec& spec) : spec_(spec) {}

  void EnsureSlots(uint32_t count) override {
    if (count > sums_.size()) {
      sums_.resize(count, Sum{});
      counts_.resize(count, 0);
    }
  }
  void Clear(uint32_t slot) override {
    sums_[slot] = Sum{};
    counts_[slot] = 0;
  }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    const Input* values = args[0].Values<Input>();
    Sum* sums = sums_.data();
    int64_t* counts = counts_.data();
    bool overflow = false;
    bool negative = false;
    ForEachEntry(
        &args[0], rows, slots, weights,
        [&](uint32_t slot, int64_t row) {
          overflow |= Traits::Add(sums[slot], values[row]);
          ++counts[slot];
        },
        [&](uint32_t slot, int64_t row) {
          Traits::Subtract(sums[slot], values[row]);
          negative |= --counts[slot] < 0;
          // The empty state again: no floating-point residue survives a full retraction.
          if (counts[slot] == 0) sums[slot] = Sum{};
        });
    if (negative) return RetractionError(spec_);
    return overflow ? OverflowError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    if (counts_[source] == 0) return Status::Ok();
    bool overflow = Traits::Combine(sums_[target], sums_[source]);
    counts_[target] += counts_[source];
    return overflow ? OverflowError(spec_) : Status::Ok();
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) {
      int64_t count = counts_[slot];
      if (count == 0) {
        out.AppendNull();
      } else if constexpr (kAverage) {
        LAMINAR_RETURN_IF_ERROR(Traits::FinishAverage(spec_, sums_[slot], count, out));
      } else {
        LAMINAR_RETURN_IF_ERROR(Traits::FinishSum(spec_, sums_[slot], count, out));
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    return sums_.capacity() * sizeof(Sum) + counts_.capacity() * sizeof(int64_t);
  }

  // State: the counts, then the sums of the slots whose count is not 0 (a count of 0 always
  // comes with the empty sum: Clear, a full retraction and Update keep them together).
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    WriteCounts(writer, slots, counts_.data());
    for (uint32_t slot : slots) {
      if (counts_[slot] == 0) continue;
      const Sum& sum = sums_[slot];
      if constexpr (std::is_same_v<Traits, IntervalSum>) {
        writer.VarI64(sum.months);
        writer.VarI64(sum.days);
        WriteStored<__int128>(writer, sum.micros);
      } else {
        WriteStored<Sum>(writer, sum);
      }
    }
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    ReadCounts(reader, slots, counts_.data());
    for (uint32_t slot : slots) {
      if (!reader.ok()) break;
      if (counts_[slot] == 0) continue;
      Sum& sum = sums_[slot];
      if constexpr (std::is_same_v<Traits, IntervalSum>) {
        sum.months = reader.VarI64();
        sum.days = reader.VarI64();
        sum.micros = ReadStored<__int128>(reader);
      } else {
        sum = ReadStored<Sum>(reader);
      }
    }
    return reader.status();
  }

 private:
  AggregateSpec spec_;
  std::vector<Sum> sums_;
  std::vector<int64_t> counts_;  // Non-NULL rows; 0 means the result is NULL.
};

// ----- var_samp, var_pop, stddev_samp, stddev_pop. -----
//
// Welford's update keeps the count, the mean and M2 (the sum of squared deviations from the
// mean), which avoids the cancellation of the textbook sum-of-squares formula. Merging uses
// Chan, Golub and LeVeque's pairwise combination. A retraction runs Welford's update
// backwards; this is exact in real arithmetic, but in floating point many retractions of
// values far from the remaining ones can leave a small error in M2 (M2 is clamped at 0 so the
// result never becomes NaN). A slot retracted down to no rows is exactly empty again.

class VarianceAccumulator final : public Accumulator {
 public:
  explicit VarianceAccumulator(const AggregateSpec& spec) : spec_(spec) {}

  void EnsureSlots(uint32_t count) override {
    if (count > counts_.size()) {
      counts_.resize(count, 0);
      means_.resize(count, 0);
      m2_.resize(count, 0);
    }
  }
  void Clear(uint32_t slot) override {
    counts_[slot] = 0;
    means_[slot] = 0;
    m2_[slot] = 0;
  }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    const double* values = args[0].Values<double>();
    bool negative = false;
    ForEachEntry(
        &args[0], rows, slots, weights,
        [&](uint32_t slot, int64_t row) {
          double value = values[row];
          int64_t count = ++counts_[slot];
          double delta = value - means_[slot];
          means_[slot] += delta / static_cast<double>(count);
          m2_[slot] += delta * (value - means_[slot]);
        },
        [&](uint32_t slot, int64_t row) {
          int64_t count = --counts_[slot];
          if (count <= 0) {
            negative |= count < 0;
            means_[slot] = 0;
            m2_[slot] = 0;
            return;
          }
          double value = values[row];
          double mean_before = means_[slot];
          means_[slot] = mean_before - (value - mean_before) / static_cast<double>(count);
          m2_[slot] = std::max(0.0, m2_[slot] - (value - mean_before) * (value - means_[slot]));
        });
    return negative ? RetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    int64_t source_count = counts_[source];
    if (source_count == 0) return Status::Ok();
    int64_t target_count = counts_[target];
    double total = static_cast<double>(target_count + source_count);
    double delta = means_[source] - means_[target];
    means_[target] += delta * static_cast<double>(source_count) / total;
    m2_[target] += m2_[source] + delta * delta * static_cast<double>(target_count) *
                                     static_cast<double>(source_count) / total;
    counts_[target] = target_count + source_count;
    return Status::Ok();
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    bool sample =
        spec_.function == FunctionId::kVarSamp || spec_.function == FunctionId::kStddevSamp;
    bool root =
        spec_.function == FunctionId::kStddevSamp || spec_.function == FunctionId::kStddevPop;
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) {
      int64_t count = counts_[slot];
      // As in PostgreSQL: the sample forms need two rows, the population forms one.
      if (count < (sample ? 2 : 1)) {
        out.AppendNull();
        continue;
      }
      double variance = m2_[slot] / static_cast<double>(sample ? count - 1 : count);
      out.AppendFixed<double>(root ? std::sqrt(variance) : variance);
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    return counts_.capacity() * sizeof(int64_t) +
           (means_.capacity() + m2_.capacity()) * sizeof(double);
  }

  // State: the counts, then mean and M2 (exact bits) of the slots whose count is not 0 (the
  // others hold zeros: Clear and a retraction to no rows reset them).
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    WriteCounts(writer, slots, counts_.data());
    for (uint32_t slot : slots) {
      if (counts_[slot] == 0) continue;
      writer.F64(means_[slot]);
      writer.F64(m2_[slot]);
    }
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    ReadCounts(reader, slots, counts_.data());
    for (uint32_t slot : slots) {
      if (!reader.ok()) break;
      if (counts_[slot] == 0) continue;
      means_[slot] = reader.F64();
      m2_[slot] = reader.F64();
    }
    return reader.status();
  }

 private:
  AggregateSpec spec_;
  std::vector<int64_t> counts_;
  std::vector<double> means_;
  std::vector<double> m2_;
};

// ----- bool_and, bool_or. -----
//
// Counting the true and the false rows makes both retractable: bool_and is "no false row",
// bool_or "some true row".

class BooleanAccumulator final : public Accumulator {
 public:
  explicit BooleanAccumulator(const AggregateSpec& spec) : spec_(spec) {}

  void EnsureSlots(uint32_t count) override {
    if (count > true_counts_.size()) {
      true_counts_.resize(count, 0);
      false_counts_.resize(count, 0);
    }
  }
  void Clear(uint32_t slot) override {
    true_counts_[slot] = 0;
    false_counts_[slot] = 0;
  }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    ValueReader<bool> read(args[0]);
    bool negative = false;
    ForEachEntry(
        &args[0], rows, slots, weights,
        [&](uint32_t slot, int64_t row) { ++(read(row) ? true_counts_ : false_counts_)[slot]; },
        [&](uint32_t slot, int64_t row) {
          negative |= --(read(row) ? true_counts_ : false_counts_)[slot] < 0;
        });
    return negative ? RetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    true_counts_[target] += true_counts_[source];
    false_counts_[target] += false_counts_[source];
    return Status::Ok();
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    bool is_and = spec_.function == FunctionId::kBoolAnd;
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) {
      if (true_counts_[slot] == 0 && false_counts_[slot] == 0) {
        out.AppendNull();
      } else {
        out.AppendBoolean(is_and ? false_counts_[slot] == 0 : true_counts_[slot] > 0);
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    return (true_counts_.capacity() + false_counts_.capacity()) * sizeof(int64_t);
  }

  // State: the true counts, then the false counts.
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    WriteCounts(writer, slots, true_counts_.data());
    WriteCounts(writer, slots, false_counts_.data());
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    ReadCounts(reader, slots, true_counts_.data());
    ReadCounts(reader, slots, false_counts_.data());
    return reader.status();
  }

 private:
  AggregateSpec spec_;
  std::vector<int64_t> true_counts_;
  std::vector<int64_t> false_counts_;
};

template <bool kAverage>
std::unique_ptr<Accumulator> MakeSumOrAverage(const AggregateSpec& spec) {
  switch (spec.argument_types[0].id()) {
    case TypeId::kBigInt:
      return std::make_unique<SumAccumulator<BigIntSum, kAverage>>(spec);
    case TypeId::kDouble:
      return std::make_unique<SumAccumulator<DoubleSum, kAverage>>(spec);
    case TypeId::kDecimal:
      return std::make_unique<SumAccumulator<DecimalSum, kAverage>>(spec);
    case TypeId::kInterval:
      return std::make_unique<SumAccumulator<IntervalSum, kAverage>>(spec);
    default:
      return nullptr;
  }
}

}  // namespace

std::unique_ptr<Accumulator> MakeNumericAccumulator(const AggregateSpec& spec) {
  switch (spec.function) {
    case FunctionId::kCountStar:
    case FunctionId::kCount:
      return std::make_unique<CountAccumulator>(spec);
    case FunctionId::kSum:
      return MakeSumOrAverage<false>(spec);
    case FunctionId::kAvg:
      return MakeSumOrAverage<true>(spec);
    case FunctionId::kStddevSamp:
    case FunctionId::kStddevPop:
    case FunctionId::kVarSamp:
    case FunctionId::kVarPop:
      if (spec.argument_types[0].id() != TypeId::kDouble) return nullptr;
      return std::make_unique<VarianceAccumulator>(spec);
    case FunctionId::kBoolAnd:
    case FunctionId::kBoolOr:
      if (spec.argument_types[0].id() != TypeId::kBoolean) return nullptr;
      return std::make_unique<BooleanAccumulator>(spec);
    default:
      return nullptr;
  }
}

}  // namespace laminar::exec::aggregate_internal
