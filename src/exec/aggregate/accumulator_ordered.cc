// The aggregates that keep values rather than arithmetic: min, max, first_value, last_value
// and string_agg, each in two forms.
//
// - Append-only input (the fast path): one kept value per slot (a string for string_agg), so
//   an update compares or appends in place. Memory per group: the value's width plus one byte
//   (strings: 32 bytes plus their heap buffer).
// - Changelog input (spec.retractions): min/max keep an ordered multiset (value -> count) per
//   slot, so retracting the current minimum exposes the next one. first_value, last_value and
//   string_agg keep the slot's values in arrival order plus an index by value; a retraction
//   removes the earliest-arrived value equal to the retracted one (a changelog cannot say
//   which of several equal rows it takes back; the earliest, as in a queue, is the rule).
//   Memory: about 48 bytes of tree node plus the value per kept distinct value (min/max) or
//   per kept row (the others, two nodes each).

#include <map>
#include <vector>

#include "exec/aggregate/accumulator_internal.h"

namespace laminar::exec::aggregate_internal {
namespace {

using functions::FunctionId;

template <typename T>
size_t ValueHeapBytes(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return StringHeapBytes(value);
  } else {
    return 0;
  }
}

// ----- min and max over append-only input. -----

/// The state of accumulators that keep one value per slot (plain min/max, first/last_value):
/// the value and whether there is one; Finish, Clear and memory are the same for all.
template <typename T>
class KeptValueAccumulator : public Accumulator {
 public:
  void EnsureSlots(uint32_t count) override {
    if (count > has_value_.size()) {
      values_.resize(count);
      has_value_.resize(count, 0);
    }
  }
  void Clear(uint32_t slot) override {
    values_[slot] = Stored<T>{};
    has_value_[slot] = 0;
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) {
      if (has_value_[slot]) {
        LAMINAR_RETURN_IF_ERROR(AppendStored(out, values_[slot]));
      } else {
        out.AppendNull();
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    size_t bytes = values_.capacity() * sizeof(Stored<T>) + has_value_.capacity();
    for (const Stored<T>& value : values_) bytes += ValueHeapBytes(value);
    return bytes;
  }

  // State: a bitmap of the slots holding a value, then their values (a slot without one holds
  // the empty value: Clear resets both).
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    WriteSlotFlags(writer, slots, has_value_.data());
    for (uint32_t slot : slots) {
      if (has_value_[slot]) WriteStored(writer, values_[slot]);
    }
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    ReadSlotFlags(reader, slots, has_value_.data());
    for (uint32_t slot : slots) {
      if (!reader.ok()) break;
      if (has_value_[slot]) values_[slot] = ReadStored<Stored<T>>(reader);
    }
    return reader.status();
  }

 protected:
  std::vector<Stored<T>> values_;
  std::vector<uint8_t> has_value_;
};

template <typename T, bool kMax>
class MinMaxAccumulator final : public KeptValueAccumulator<T> {
 public:
  explicit MinMaxAccumulator(const AggregateSpec& spec) : spec_(spec) {}

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    ValueReader<T> read(args[0]);
    Stored<T>* values = values_.data();
    uint8_t* has_value = has_value_.data();
    bool retracted = false;
    ForEachEntry(
        &args[0], rows, slots, weights,
        [&](uint32_t slot, int64_t row) {
          T value = read(row);
          if (!has_value[slot] || Better(value, values[slot])) {
            values[slot] = Stored<T>(value);
            has_value[slot] = 1;
          }
        },
        [&](uint32_t, int64_t) { retracted = true; });
    return retracted ? UnexpectedRetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    if (has_value_[source] && (!has_value_[target] || Better(values_[source], values_[target]))) {
      values_[target] = values_[source];
      has_value_[target] = 1;
    }
    return Status::Ok();
  }

 private:
  // Whether `candidate` replaces `current`. Views compare without copying strings.
  static bool Better(T candidate, T current) {
    int order = functions::CompareValues(candidate, current);
    return kMax ? order > 0 : order < 0;
  }

  using KeptValueAccumulator<T>::values_;
  using KeptValueAccumulator<T>::has_value_;
  AggregateSpec spec_;
};

// ----- min and max over a changelog. -----

template <typename T, bool kMax>
class MinMaxMultisetAccumulator final : public Accumulator {
 public:
  explicit MinMaxMultisetAccumulator(const AggregateSpec& spec) : spec_(spec) {}

  void EnsureSlots(uint32_t count) override {
    if (count > sets_.size()) sets_.resize(count);
  }
  void Clear(uint32_t slot) override { Multiset().swap(sets_[slot]); }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    ValueReader<T> read(args[0]);
    bool missing = false;
    ForEachEntry(
        &args[0], rows, slots, weights,
        [&](uint32_t slot, int64_t row) {
          T value = Canonical(read(row));
          Multiset& set = sets_[slot];
          auto it = set.find(value);
          if (it == set.end()) {
            set.emplace(Stored<T>(value), 1);
          } else {
            ++it->second;
          }
        },
        [&](uint32_t slot, int64_t row) {
          Multiset& set = sets_[slot];
          auto it = set.find(Canonical(read(row)));
          if (it == set.end()) {
            missing = true;
          } else if (--it->second == 0) {
            set.erase(it);
          }
        });
    return missing ? RetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    for (const auto& [value, count] : sets_[source]) sets_[target][value] += count;
    return Status::Ok();
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) {
      const Multiset& set = sets_[slot];
      if (set.empty()) {
        out.AppendNull();
      } else {
        LAMINAR_RETURN_IF_ERROR(AppendStored(out, kMax ? set.rbegin()->first : set.begin()->first));
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    size_t bytes = sets_.capacity() * sizeof(Multiset);
    for (const Multiset& set : sets_) {
      bytes += set.size() * kTreeNodeBytes<typename Multiset::value_type>;
      for (const auto& entry : set) bytes += ValueHeapBytes(entry.first);
    }
    return bytes;
  }

  // State per slot: the number of distinct values, then each value (ascending) and its count.
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    for (uint32_t slot : slots) {
      const Multiset& set = sets_[slot];
      writer.VarU64(set.size());
      for (const auto& [value, count] : set) {
        WriteStored(writer, value);
        writer.VarU64(static_cast<uint64_t>(count));
      }
    }
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    ExactLess<Stored<T>> less;
    for (uint32_t slot : slots) {
      Multiset& set = sets_[slot];
      const size_t size = reader.Count(2);
      for (size_t i = 0; i < size && reader.ok(); ++i) {
        Stored<T> value = ReadStored<Stored<T>>(reader);
        const uint64_t count = reader.VarU64();
        if (!reader.ok()) break;
        if (count == 0 || count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
            (!set.empty() && !less(set.rbegin()->first, value))) {
          reader.Fail("malformed min/max multiset");
          break;
        }
        set.emplace_hint(set.end(), std::move(value), static_cast<int64_t>(count));
      }
      if (!reader.ok()) break;
    }
    return reader.status();
  }

 private:
  using Multiset = std::map<Stored<T>, int64_t, ExactLess<Stored<T>>>;

  AggregateSpec spec_;
  std::vector<Multiset> sets_;
};

// ----- first_value, last_value, string_agg over append-only input. -----

enum class ArrivalFunction : uint8_t { kFirst, kLast, kConcatenate };

template <typename T>
class FirstLastAccumulator final : public KeptValueAccumulator<T> {
 public:
  FirstLastAccumulator(const AggregateSpec& spec, bool last) : spec_(spec), last_(last) {}

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    ValueReader<T> read(args[0]);
    bool retracted = false;
    ForEachEntry(
        &args[0], rows, slots, weights,
        [&](uint32_t slot, int64_t row) {
          if (last_ || !has_value_[slot]) {
            values_[slot] = Stored<T>(read(row));
            has_value_[slot] = 1;
          }
        },
        [&](uint32_t, int64_t) { retracted = true; });
    return retracted ? UnexpectedRetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    // The source's rows arrived later: it wins for last_value, fills a gap for first_value.
    if (has_value_[source] && (last_ || !has_value_[target])) {
      values_[target] = values_[source];
      has_value_[target] = 1;
    }
    return Status::Ok();
  }

 private:
  using KeptValueAccumulator<T>::values_;
  using KeptValueAccumulator<T>::has_value_;
  AggregateSpec spec_;
  bool last_;
};

class StringAggAccumulator final : public Accumulator {
 public:
  StringAggAccumulator(const AggregateSpec& spec, std::string delimiter)
      : spec_(spec), delimiter_(std::move(delimiter)) {}

  void EnsureSlots(uint32_t count) override {
    if (count > has_value_.size()) {
      strings_.resize(count);
      has_value_.resize(count, 0);
    }
  }
  void Clear(uint32_t slot) override {
    std::string().swap(strings_[slot]);
    has_value_[slot] = 0;
  }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    const Column& column = args[0];
    bool retracted = false;
    ForEachEntry(
        &column, rows, slots, weights,
        [&](uint32_t slot, int64_t row) { Append(slot, column.StringValue(row)); },
        [&](uint32_t, int64_t) { retracted = true; });
    return retracted ? UnexpectedRetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    if (has_value_[source]) Append(target, strings_[source]);
    return Status::Ok();
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) {
      if (has_value_[slot]) {
        LAMINAR_RETURN_IF_ERROR(out.AppendString(strings_[slot]));
      } else {
        out.AppendNull();
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    size_t bytes = strings_.capacity() * sizeof(std::string) + has_value_.capacity();
    for (const std::string& value : strings_) bytes += StringHeapBytes(value);
    return bytes;
  }

  // State: a bitmap of the slots holding a string, then their strings.
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    WriteSlotFlags(writer, slots, has_value_.data());
    for (uint32_t slot : slots) {
      if (has_value_[slot]) writer.Bytes(strings_[slot]);
    }
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    ReadSlotFlags(reader, slots, has_value_.data());
    for (uint32_t slot : slots) {
      if (!reader.ok()) break;
      if (has_value_[slot]) strings_[slot] = reader.Bytes();
    }
    return reader.status();
  }

 private:
  void Append(uint32_t slot, std::string_view value) {
    if (has_value_[slot]) strings_[slot] += delimiter_;
    strings_[slot] += value;
    has_value_[slot] = 1;
  }

  AggregateSpec spec_;
  std::string delimiter_;
  std::vector<std::string> strings_;
  std::vector<uint8_t> has_value_;
};

// ----- first_value, last_value, string_agg over a changelog. -----

template <typename T>
class ArrivalOrderAccumulator final : public Accumulator {
 public:
  ArrivalOrderAccumulator(const AggregateSpec& spec, ArrivalFunction function,
                          std::string delimiter)
      : spec_(spec), function_(function), delimiter_(std::move(delimiter)) {}

  void EnsureSlots(uint32_t count) override {
    if (count > states_.size()) states_.resize(count);
  }
  void Clear(uint32_t slot) override { SlotState().Swap(states_[slot]); }

  Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                std::span<const uint32_t> slots, const int8_t* weights) override {
    ValueReader<T> read(args[0]);
    bool missing = false;
    ForEachEntry(
        &args[0], rows, slots, weights,
        [&](uint32_t slot, int64_t row) { Add(states_[slot], Stored<T>(read(row))); },
        [&](uint32_t slot, int64_t row) {
          SlotState& state = states_[slot];
          T value = read(row);
          // Equal keys of a multimap keep insertion order, so lower_bound finds the earliest.
          auto it = state.by_value.lower_bound(value);
          if (it == state.by_value.end() || !ExactEqual<Stored<T>>(it->first, Stored<T>(value))) {
            missing = true;
            return;
          }
          state.by_arrival.erase(it->second);
          state.by_value.erase(it);
        });
    return missing ? RetractionError(spec_) : Status::Ok();
  }

  Status Merge(uint32_t target, uint32_t source) override {
    // Fresh sequence numbers place the source's rows after all of the target's.
    for (const auto& entry : states_[source].by_arrival) Add(states_[target], entry.second);
    return Status::Ok();
  }

  Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const override {
    out.Reserve(static_cast<int64_t>(slots.size()));
    for (uint32_t slot : slots) {
      const SlotState& state = states_[slot];
      if (state.by_arrival.empty()) {
        out.AppendNull();
        continue;
      }
      switch (function_) {
        case ArrivalFunction::kFirst:
          LAMINAR_RETURN_IF_ERROR(AppendStored(out, state.by_arrival.begin()->second));
          break;
        case ArrivalFunction::kLast:
          LAMINAR_RETURN_IF_ERROR(AppendStored(out, state.by_arrival.rbegin()->second));
          break;
        case ArrivalFunction::kConcatenate:
          if constexpr (std::is_same_v<T, std::string_view>) {
            std::string joined;
            bool first = true;
            for (const auto& entry : state.by_arrival) {
              if (!first) joined += delimiter_;
              joined += entry.second;
              first = false;
            }
            LAMINAR_RETURN_IF_ERROR(out.AppendString(joined));
          }
          break;
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    size_t bytes = states_.capacity() * sizeof(SlotState);
    for (const SlotState& state : states_) {
      bytes += state.by_arrival.size() * (kTreeNodeBytes<typename ByArrival::value_type> +
                                          kTreeNodeBytes<typename ByValue::value_type>);
      for (const auto& entry : state.by_arrival) bytes += 2 * ValueHeapBytes(entry.second);
    }
    return bytes;
  }

  // State per slot: the number of kept rows, then their values in arrival order. Restored rows
  // get fresh sequence numbers in that order, which is all the order they need (the index by
  // value keeps equal values in arrival order, as Add makes it).
  void SnapshotSlots(std::span<const uint32_t> slots, storage::StateWriter& writer) const override {
    for (uint32_t slot : slots) {
      const ByArrival& rows = states_[slot].by_arrival;
      writer.VarU64(rows.size());
      for (const auto& entry : rows) WriteStored(writer, entry.second);
    }
  }
  Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) override {
    for (uint32_t slot : slots) {
      const size_t size = reader.Count(1);
      for (size_t i = 0; i < size && reader.ok(); ++i) {
        Stored<T> value = ReadStored<Stored<T>>(reader);
        if (reader.ok()) Add(states_[slot], value);
      }
      if (!reader.ok()) break;
    }
    return reader.status();
  }

 private:
  using ByArrival = std::map<uint64_t, Stored<T>>;
  using ByValue = std::multimap<Stored<T>, uint64_t, ExactLess<Stored<T>>>;
  struct SlotState {
    ByArrival by_arrival;  // Sequence number -> value.
    ByValue by_value;      // Value -> sequence numbers, in arrival order among equal values.
    void Swap(SlotState& other) {
      by_arrival.swap(other.by_arrival);
      by_value.swap(other.by_value);
    }
  };

  void Add(SlotState& state, const Stored<T>& value) {
    uint64_t sequence = next_sequence_++;
    state.by_arrival.emplace(sequence, value);
    state.by_value.emplace(value, sequence);
  }

  AggregateSpec spec_;
  ArrivalFunction function_;
  std::string delimiter_;
  std::vector<SlotState> states_;
  uint64_t next_sequence_ = 0;  // Shared by all slots: only the order within a slot matters.
};

std::string Delimiter(const AggregateSpec& spec) {
  // A NULL delimiter joins without one, as in PostgreSQL.
  const Value& delimiter = spec.constant_arguments[0];
  return delimiter.is_null() ? std::string() : std::string(delimiter.string());
}

}  // namespace

std::unique_ptr<Accumulator> MakeOrderedAccumulator(const AggregateSpec& spec) {
  TypeId type = spec.argument_types[0].id();
  switch (spec.function) {
    case FunctionId::kMin:
    case FunctionId::kMax:
      return VisitPhysicalType(type, [&]<typename T>() -> std::unique_ptr<Accumulator> {
        bool max = spec.function == FunctionId::kMax;
        if (spec.retractions) {
          if (max) return std::make_unique<MinMaxMultisetAccumulator<T, true>>(spec);
          return std::make_unique<MinMaxMultisetAccumulator<T, false>>(spec);
        }
        if (max) return std::make_unique<MinMaxAccumulator<T, true>>(spec);
        return std::make_unique<MinMaxAccumulator<T, false>>(spec);
      });
    case FunctionId::kFirstValue:
    case FunctionId::kLastValue:
      return VisitPhysicalType(type, [&]<typename T>() -> std::unique_ptr<Accumulator> {
        bool last = spec.function == FunctionId::kLastValue;
        if (spec.retractions) {
          return std::make_unique<ArrivalOrderAccumulator<T>>(
              spec, last ? ArrivalFunction::kLast : ArrivalFunction::kFirst, std::string());
        }
        return std::make_unique<FirstLastAccumulator<T>>(spec, last);
      });
    case FunctionId::kStringAgg:
      if (!spec.argument_types[0].IsVariableWidth()) return nullptr;
      if (spec.retractions) {
        return std::make_unique<ArrivalOrderAccumulator<std::string_view>>(
            spec, ArrivalFunction::kConcatenate, Delimiter(spec));
      }
      return std::make_unique<StringAggAccumulator>(spec, Delimiter(spec));
    default:
      return nullptr;
  }
}

}  // namespace laminar::exec::aggregate_internal
