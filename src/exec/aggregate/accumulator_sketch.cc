// The approximate aggregates: approx_count_distinct (HyperLogLog) and approx_percentile
// (QuantileSketch). A sketch is made on a slot's first row, so empty slots cost one pointer.
// Memory per non-empty group: 16 KiB of HyperLogLog registers; for the quantile sketch 8 bytes
// per occupied bucket range (about 5.5 KiB for values spanning 1 to 10^6, at most 32 KiB).
// Sketches cannot forget, so MakeAccumulator refuses them over changelogs.

#include <cmath>
#include <vector>

#include "exec/aggregate/accumulator_internal.h"
#include "exec/aggregate/hyperloglog.h"
#include "exec/aggregate/quantile_sketch.h"

namespace laminar::exec::aggregate_internal {
namespace {

using functions::FunctionId;

/// Keeps one Sketch per slot. `Add(sketch, column, row)` is the policy's.
template <typename Sketch, typename Policy>
class SketchAccumulator final : public Accumulator {
 public:
  SketchAccumulator(const AggregateSpec& spec, Policy policy)
      : spec_(spec), policy_(std::move(policy)) {}

  void EnsureSlots(uint32_t count) override {
    if (count > sketches_.size()) sketches_.resize(count);
  }
  void Clear(uint32_t slot) override { sketches_[slot].reset(); }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    bool retracted = false;
    policy_.Update(args[0], [&](auto&& add) {
      ForEachEntry(
          &args[0], rows, slots, weights,
          [&](uint32_t slot, int64_t row) {
            std::unique_ptr<Sketch>& sketch = sketches_[slot];
            if (sketch == nullptr) sketch = policy_.MakeSketch();
            add(*sketch, row);
          },
          [&](uint32_t, int64_t) { retracted = true; });
    });
    return retracted ? UnexpectedRetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    const std::unique_ptr<Sketch>& from = sketches_[source];
    if (from == nullptr) return Status::Ok();
    std::unique_ptr<Sketch>& into = sketches_[target];
    if (into == nullptr) {
      into = std::make_unique<Sketch>(*from);
    } else {
      into->Merge(*from);
    }
    return Status::Ok();
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) policy_.Finish(sketches_[slot].get(), out);
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    size_t bytes = sketches_.capacity() * sizeof(std::unique_ptr<Sketch>);
    for (const std::unique_ptr<Sketch>& sketch : sketches_) {
      if (sketch != nullptr) bytes += sketch->MemoryBytes();
    }
    return bytes;
  }

  // State: a bitmap of the slots holding a sketch (one is made on a slot's first row), then
  // each sketch.
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    WriteBits(writer, slots.size(), [&](size_t i) { return sketches_[slots[i]] != nullptr; });
    for (uint32_t slot : slots) {
      if (sketches_[slot] != nullptr) sketches_[slot]->Snapshot(writer);
    }
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    ReadBits(reader, slots.size(), [&](size_t i, bool present) {
      if (present) sketches_[slots[i]] = policy_.MakeSketch();
    });
    for (uint32_t slot : slots) {
      if (!reader.ok()) break;
      if (sketches_[slot] == nullptr) continue;
      sketches_[slot]->Restore(reader);
      if (reader.ok() && !policy_.Valid(*sketches_[slot])) {
        reader.Fail("an empty sketch in an aggregate state");
      }
    }
    return reader.status();
  }

 private:
  AggregateSpec spec_;
  Policy policy_;
  std::vector<std::unique_ptr<Sketch>> sketches_;
};

struct CountDistinctPolicy {
  TypeId type;

  std::unique_ptr<HyperLogLog> MakeSketch() const { return std::make_unique<HyperLogLog>(); }

  // Hands `run` an adder typed for the column, so the per-row hash is inlined.
  template <typename Run>
  void Update(const Column& column, Run&& run) const {
    VisitPhysicalType(type, [&]<typename T>() {
      ValueReader<T> read(column);
      run([&](HyperLogLog& sketch, int64_t row) { sketch.Add(HashValue<T>(read(row))); });
    });
  }

  bool Valid(const HyperLogLog&) const { return true; }

  void Finish(const HyperLogLog* sketch, ColumnBuilder& out) const {
    out.AppendFixed<int64_t>(sketch == nullptr ? 0 : std::llround(sketch->Estimate()));
  }
};

struct PercentilePolicy {
  double fraction;

  std::unique_ptr<QuantileSketch> MakeSketch() const { return std::make_unique<QuantileSketch>(); }

  template <typename Run>
  void Update(const Column& column, Run&& run) const {
    const double* values = column.Values<double>();
    run([values](QuantileSketch& sketch, int64_t row) { sketch.Add(values[row]); });
  }

  // Quantile needs a value: a sketch is only made for a slot's first row.
  bool Valid(const QuantileSketch& sketch) const { return sketch.count() > 0; }

  void Finish(const QuantileSketch* sketch, ColumnBuilder& out) const {
    if (sketch == nullptr) {
      out.AppendNull();
    } else {
      out.AppendFixed<double>(sketch->Quantile(fraction));
    }
  }
};

}  // namespace

std::unique_ptr<Accumulator> MakeSketchAccumulator(const AggregateSpec& spec) {
  switch (spec.function) {
    case FunctionId::kApproxCountDistinct:
      return std::make_unique<SketchAccumulator<HyperLogLog, CountDistinctPolicy>>(
          spec, CountDistinctPolicy{spec.argument_types[0].id()});
    case FunctionId::kApproxPercentile:
      if (spec.argument_types[0].id() != TypeId::kDouble) return nullptr;
      return std::make_unique<SketchAccumulator<QuantileSketch, PercentilePolicy>>(
          spec, PercentilePolicy{spec.constant_arguments[0].floating()});
    default:
      return nullptr;
  }
}

}  // namespace laminar::exec::aggregate_internal
