#include "exec/aggregate/accumulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "exec/aggregate/accumulator_internal.h"

namespace laminar::exec {
namespace aggregate_internal {

using functions::FunctionId;

namespace {

std::string_view SqlName(FunctionId function) {
  switch (function) {
    case FunctionId::kCountStar:
    case FunctionId::kCount:
      return "count";
    case FunctionId::kSum:
      return "sum";
    case FunctionId::kAvg:
      return "avg";
    case FunctionId::kMin:
      return "min";
    case FunctionId::kMax:
      return "max";
    case FunctionId::kFirstValue:
      return "first_value";
    case FunctionId::kLastValue:
      return "last_value";
    case FunctionId::kStddevSamp:
      return "stddev_samp";
    case FunctionId::kStddevPop:
      return "stddev_pop";
    case FunctionId::kVarSamp:
      return "var_samp";
    case FunctionId::kVarPop:
      return "var_pop";
    case FunctionId::kBoolAnd:
      return "bool_and";
    case FunctionId::kBoolOr:
      return "bool_or";
    case FunctionId::kStringAgg:
      return "string_agg";
    case FunctionId::kApproxCountDistinct:
      return "approx_count_distinct";
    case FunctionId::kApproxPercentile:
      return "approx_percentile";
    default:
      return functions::FunctionIdName(function);
  }
}

bool IsAggregate(FunctionId function) {
  return function >= FunctionId::kCountStar && function <= FunctionId::kApproxPercentile;
}

bool IsSketch(FunctionId function) {
  return function == FunctionId::kApproxCountDistinct || function == FunctionId::kApproxPercentile;
}

// Aggregates whose result changes when duplicates are dropped. For min, max, first_value,
// last_value, bool_and, bool_or and approx_count_distinct DISTINCT changes nothing, so they
// run as they are.
bool DistinctMatters(FunctionId function) {
  switch (function) {
    case FunctionId::kCount:
    case FunctionId::kSum:
    case FunctionId::kAvg:
    case FunctionId::kStddevSamp:
    case FunctionId::kStddevPop:
    case FunctionId::kVarSamp:
    case FunctionId::kVarPop:
    case FunctionId::kStringAgg:
    case FunctionId::kApproxPercentile:
      return true;
    default:
      return false;
  }
}

// An argument of type NULL: every row is NULL, so every slot keeps the empty state.
class NullInputAccumulator final : public Accumulator {
 public:
  explicit NullInputAccumulator(bool counts) : counts_(counts) {}

  void EnsureSlots(uint32_t) override {}
  void Clear(uint32_t) override {}
  Status Update(std::span<const Column>, std::span<const uint32_t>, std::span<const uint32_t>,
                const int8_t*) override {
    return Status::Ok();
  }
  Status Merge(uint32_t, uint32_t) override { return Status::Ok(); }
  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    for (size_t i = 0; i < slots.size(); ++i) {
      if (counts_) {
        out.AppendFixed<int64_t>(0);
      } else {
        out.AppendNull();
      }
    }
    return Status::Ok();
  }
  size_t MemoryBytes() const override { return 0; }
  // No state: every slot is empty.
  void SnapshotSlots(std::span<const uint32_t>, storage::StateWriter&) const override {}
  Status RestoreSlots(std::span<const uint32_t>, storage::StateReader& reader) override {
    return reader.status();
  }

 private:
  bool counts_;  // count and approx_count_distinct give 0, the others NULL.
};

// DISTINCT: a per-slot multiset of the values (canonical bytes -> number of rows holding it)
// in front of the plain accumulator, which sees a value when its count goes from 0 to 1 and
// sees it retracted when its count returns to 0. Memory per group: 56 bytes plus about
// 64 bytes per distinct value (plus the string for values longer than 15 bytes).
//
// string_agg(DISTINCT ...) concatenates each value at its first arrival; after a Merge the
// source's new values follow the target's, in the order of their canonical bytes (so that the
// result does not depend on the hash sets' history, which a restored checkpoint does not
// repeat).
class DistinctAccumulator final : public Accumulator {
 public:
  DistinctAccumulator(const AggregateSpec& spec, std::unique_ptr<Accumulator> inner)
      : spec_(spec), inner_(std::move(inner)) {}

  void EnsureSlots(uint32_t count) override {
    if (count > sets_.size()) sets_.resize(count);
    inner_->EnsureSlots(count);
  }
  void Clear(uint32_t slot) override {
    ValueSet().swap(sets_[slot]);
    inner_->Clear(slot);
  }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    const Column& column = args[0];
    selected_rows_.clear();
    selected_slots_.clear();
    selected_weights_.clear();
    bool retracted = false;
    bool missing = false;
    char scratch[16];
    ForEachEntry(
        &column, rows, slots, weights,
        [&](uint32_t slot, int64_t row) {
          std::string_view bytes = ValueBytes(column, row, scratch);
          ValueSet& set = sets_[slot];
          auto it = set.find(bytes);
          if (it != set.end()) {
            ++it->second;
            return;
          }
          set.emplace(std::string(bytes), 1);
          Select(row, slot, 1);
        },
        [&](uint32_t slot, int64_t row) {
          ValueSet& set = sets_[slot];
          auto it = set.find(ValueBytes(column, row, scratch));
          if (it == set.end()) {
            missing = true;
            return;
          }
          if (--it->second == 0) {
            set.erase(it);
            Select(row, slot, -1);
            retracted = true;
          }
        });
    if (missing) return RetractionError(spec_);
    if (selected_slots_.empty()) return Status::Ok();
    return inner_->Update(args, selected_rows_, selected_slots_,
                          retracted ? selected_weights_.data() : nullptr);
  }

  Status Merge(uint32_t target, uint32_t source) override {
    ValueSet& into = sets_[target];
    std::vector<std::string_view> added;
    for (const auto& [bytes, count] : sets_[source]) {
      auto it = into.find(bytes);
      if (it != into.end()) {
        it->second += count;
        continue;
      }
      added.push_back(into.emplace(bytes, count).first->first);
    }
    if (added.empty()) return Status::Ok();
    std::sort(added.begin(), added.end());
    ColumnBuilder new_values(spec_.argument_types[0]);
    for (std::string_view bytes : added) {
      LAMINAR_RETURN_IF_ERROR(AppendValueBytes(new_values, bytes));
    }
    std::vector<uint32_t> slots(static_cast<size_t>(new_values.length()), target);
    Column column = new_values.Finish();
    return inner_->Update(std::span<const Column>(&column, 1), {}, slots, nullptr);
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    return inner_->Finish(slots, out);
  }

  size_t MemoryBytes() const override {
    size_t bytes = inner_->MemoryBytes() + sets_.capacity() * sizeof(ValueSet);
    for (const ValueSet& set : sets_) {
      bytes += set.bucket_count() * sizeof(void*);
      // A node: next pointer, the key, the count, the cached hash.
      bytes += set.size() * (sizeof(void*) + sizeof(std::string) + 2 * sizeof(int64_t));
      for (const auto& entry : set) bytes += StringHeapBytes(entry.first);
    }
    return bytes;
  }

  // State per slot: the number of distinct values, then each value's canonical bytes and its
  // number of rows, in byte order (deterministic, whatever the hash set's history); then the
  // plain accumulator's states.
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    std::vector<const ValueSet::value_type*> entries;
    for (uint32_t slot : slots) {
      const ValueSet& set = sets_[slot];
      entries.clear();
      for (const auto& entry : set) entries.push_back(&entry);
      std::sort(entries.begin(), entries.end(),
                [](const auto* a, const auto* b) { return a->first < b->first; });
      writer.VarU64(entries.size());
      for (const auto* entry : entries) {
        writer.Bytes(entry->first);
        writer.VarU64(static_cast<uint64_t>(entry->second));
      }
    }
    inner_->SnapshotSlots(slots, writer);
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    // Fixed-width values are kept in their width (ValueBytes); strings in any length.
    const size_t width =
        VisitPhysicalType(spec_.argument_types[0].id(), [&]<typename T>() -> size_t {
          if constexpr (std::is_same_v<T, std::string_view>) {
            return 0;
          } else if constexpr (std::is_same_v<T, bool>) {
            return 1;
          } else {
            return sizeof(T);
          }
        });
    for (uint32_t slot : slots) {
      ValueSet& set = sets_[slot];
      const size_t size = reader.Count(2);
      set.reserve(size);
      for (size_t i = 0; i < size && reader.ok(); ++i) {
        std::string bytes = reader.Bytes();
        const uint64_t count = reader.VarU64();
        if (!reader.ok()) break;
        if (count == 0 || count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
            (width != 0 && bytes.size() != width) ||
            !set.emplace(std::move(bytes), static_cast<int64_t>(count)).second) {
          reader.Fail("malformed DISTINCT value set");
        }
      }
      if (!reader.ok()) return reader.status();
    }
    return inner_->RestoreSlots(slots, reader);
  }

 private:
  struct BytesHash {
    using is_transparent = void;
    size_t operator()(std::string_view bytes) const { return HashBytes(bytes); }
  };
  using ValueSet = std::unordered_map<std::string, int64_t, BytesHash, std::equal_to<>>;

  void Select(int64_t row, uint32_t slot, int8_t weight) {
    selected_rows_.push_back(static_cast<uint32_t>(row));
    selected_slots_.push_back(slot);
    selected_weights_.push_back(weight);
  }

  AggregateSpec spec_;
  std::unique_ptr<Accumulator> inner_;
  std::vector<ValueSet> sets_;
  // Scratch for Update: the entries passed on to inner_, kept to reuse their memory.
  std::vector<uint32_t> selected_rows_;
  std::vector<uint32_t> selected_slots_;
  std::vector<int8_t> selected_weights_;
};

Status CheckConstantArguments(const AggregateSpec& spec) {
  size_t expected = 0;
  if (spec.function == FunctionId::kStringAgg || spec.function == FunctionId::kApproxPercentile) {
    expected = 1;
  }
  if (spec.constant_arguments.size() != expected) {
    return Status::Error(ErrorCode::kInternal, "{} takes {} constant argument(s), got {}",
                         CallName(spec), expected, spec.constant_arguments.size());
  }
  if (spec.function == FunctionId::kStringAgg) {
    const Value& delimiter = spec.constant_arguments[0];
    if (!delimiter.is_null() && !delimiter.type().IsVariableWidth()) {
      return Status::Error(ErrorCode::kInternal, "the delimiter of {} must be a string, got {}",
                           CallName(spec), delimiter.type().ToString());
    }
  }
  if (spec.function == FunctionId::kApproxPercentile) {
    const Value& fraction = spec.constant_arguments[0];
    if (fraction.is_null() || fraction.type().id() != TypeId::kDouble ||
        !(fraction.floating() >= 0 && fraction.floating() <= 1)) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "the fraction of {} must be a DOUBLE between 0 and 1, got {}",
                           CallName(spec), fraction.ToString());
    }
  }
  return Status::Ok();
}

}  // namespace

std::string CallName(const AggregateSpec& spec) {
  if (spec.function == FunctionId::kCountStar) return "count(*)";
  std::string arguments;
  for (const DataType& type : spec.argument_types) {
    if (!arguments.empty()) arguments += ", ";
    arguments += type.ToString();
  }
  return fmt::format("{}({}{})", SqlName(spec.function), spec.distinct ? "DISTINCT " : "",
                     arguments);
}

Status RetractionError(const AggregateSpec& spec) {
  return Status::Error(ErrorCode::kInvalidArgument,
                       "{} received a retraction of a row its group does not hold (the input "
                       "is not a consistent changelog)",
                       CallName(spec));
}

Status OverflowError(const AggregateSpec& spec) {
  return Status::Error(ErrorCode::kNumericOverflow, "{} value out of range in aggregate {}",
                       spec.result_type.ToString(), CallName(spec));
}

Status UnexpectedRetractionError(const AggregateSpec& spec) {
  return Status::Error(ErrorCode::kInternal,
                       "{} received a retraction but was made for an append-only input",
                       CallName(spec));
}

std::string_view ValueBytes(const Column& column, int64_t row, char (&scratch)[16]) {
  return VisitPhysicalType(column.type().id(), [&]<typename T>() -> std::string_view {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return column.StringValue(row);
    } else if constexpr (std::is_same_v<T, bool>) {
      scratch[0] = column.BooleanValue(row) ? 1 : 0;
      return std::string_view(scratch, 1);
    } else {
      T value = Canonical(column.Values<T>()[row]);
      std::memcpy(scratch, &value, sizeof(T));
      return std::string_view(scratch, sizeof(T));
    }
  });
}

Status AppendValueBytes(ColumnBuilder& out, std::string_view bytes) {
  return VisitPhysicalType(out.type().id(), [&]<typename T>() -> Status {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return out.AppendString(bytes);
    } else if constexpr (std::is_same_v<T, bool>) {
      out.AppendBoolean(bytes[0] != 0);
    } else {
      T value;
      std::memcpy(&value, bytes.data(), sizeof(T));
      out.AppendFixed<T>(value);
    }
    return Status::Ok();
  });
}

}  // namespace aggregate_internal

Result<std::unique_ptr<Accumulator>> MakeAccumulator(const AggregateSpec& spec) {
  using aggregate_internal::CallName;
  using functions::FunctionId;
  FunctionId function = spec.function;
  if (!aggregate_internal::IsAggregate(function)) {
    return Status::Error(ErrorCode::kInternal, "{} is not an aggregate function",
                         functions::FunctionIdName(function));
  }
  size_t columns = function == FunctionId::kCountStar ? 0 : 1;
  if (spec.argument_types.size() != columns) {
    return Status::Error(ErrorCode::kInternal, "{} takes {} argument column(s), got {}",
                         CallName(spec), columns, spec.argument_types.size());
  }
  LAMINAR_RETURN_IF_ERROR(aggregate_internal::CheckConstantArguments(spec));
  if (spec.retractions && aggregate_internal::IsSketch(function)) {
    return Status::Error(ErrorCode::kNotSupported,
                         "{} cannot run over a changelog input: its sketch cannot forget a "
                         "retracted row",
                         CallName(spec));
  }
  if (columns == 1 && spec.argument_types[0].id() == TypeId::kNull) {
    return std::unique_ptr<Accumulator>(std::make_unique<aggregate_internal::NullInputAccumulator>(
        function == FunctionId::kCount || function == FunctionId::kApproxCountDistinct));
  }

  AggregateSpec plain = spec;
  plain.distinct = false;
  std::unique_ptr<Accumulator> accumulator = aggregate_internal::MakeNumericAccumulator(plain);
  if (accumulator == nullptr) accumulator = aggregate_internal::MakeOrderedAccumulator(plain);
  if (accumulator == nullptr) accumulator = aggregate_internal::MakeSketchAccumulator(plain);
  if (accumulator == nullptr) {
    return Status::Error(ErrorCode::kNotSupported, "there is no accumulator for {}",
                         CallName(spec));
  }
  if (spec.distinct && aggregate_internal::DistinctMatters(function)) {
    accumulator =
        std::make_unique<aggregate_internal::DistinctAccumulator>(spec, std::move(accumulator));
  }
  return accumulator;
}

}  // namespace laminar::exec
