#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "columnar/column.h"
#include "columnar/column_builder.h"
#include "columnar/data_type.h"
#include "columnar/value.h"
#include "common/result.h"
#include "functions/function_registry.h"

namespace laminar::storage {
class StateReader;
class StateWriter;
}  // namespace laminar::storage

namespace laminar::exec {

/// What one aggregate call computes, resolved by the planner from the logical plan.
struct AggregateSpec {
  functions::FunctionId function = functions::FunctionId::kCountStar;
  /// Types of the evaluated argument columns the accumulator receives (none for count(*)).
  /// Constant trailing arguments (string_agg's delimiter, approx_percentile's fraction) are
  /// passed in `constant_arguments` instead and are not among the columns.
  std::vector<DataType> argument_types;
  std::vector<Value> constant_arguments;
  DataType result_type;
  bool distinct = false;
  /// The input is a changelog: Update receives weight -1 rows that take back an earlier equal
  /// row. Accumulators that cannot retract are refused by MakeAccumulator (LDB-2001).
  bool retractions = false;
};

/// The states of one aggregate call for many groups, addressed by dense slot numbers that the
/// operator's group table hands out. States are kept column-wise (SUM keeps one array of sums,
/// one array of counts), so a batch update is a tight loop over (slot, value) pairs.
///
/// Rows with a NULL argument are skipped (SQL semantics); count(*) counts every row. The
/// result of a slot that saw no non-NULL row is NULL (count: 0).
///
/// Thread-safety: one thread (the reactor that owns the operator).
class Accumulator {
 public:
  virtual ~Accumulator() = default;

  /// Makes slots [0, count) exist; new slots hold the empty state. Never shrinks.
  virtual void EnsureSlots(uint32_t count) = 0;
  /// Returns `slot` to the empty state and frees what it holds (the slot will be reused).
  virtual void Clear(uint32_t slot) = 0;

  /// Applies rows. Entry i applies row rows[i] of the argument columns `args` to slot slots[i]
  /// with weight weights[i] (+1 adds, -1 retracts; `weights` null: all +1). `rows` empty
  /// means rows[i] == i. REQUIRES: every slot < EnsureSlots count; rows/slots sizes match.
  /// Errors: LDB-3001 (numeric overflow, naming the function), LDB-3007 for a retraction of a
  /// value the state does not hold. After an error the states of the slots the call touched
  /// are unspecified (the batch may be partly applied): the operator fails the query.
  virtual Status Update(std::span<const Column> args, std::span<const uint32_t> rows,
                        std::span<const uint32_t> slots, const int8_t* weights) = 0;

  /// Folds slot `source` into slot `target` (hop panes into a window, touching sessions into
  /// one). `source`'s rows count as having arrived after `target`'s (first_value, last_value,
  /// string_agg order). `source` is left unchanged.
  virtual Status Merge(uint32_t target, uint32_t source) = 0;

  /// Appends the result of each slot in `slots`, in order, to `out` (of spec.result_type).
  /// Errors: LDB-3001 when a result does not fit its type (sum(BIGINT) beyond BIGINT).
  virtual Status Finish(std::span<const uint32_t> slots, ColumnBuilder& out) const = 0;

  /// Bytes held by all slots (for metrics and the documented memory per group).
  virtual size_t MemoryBytes() const = 0;

  /// Checkpoints (docs/formats/operator-state.md). SnapshotSlots writes the states of
  /// `slots`, in that order, column-wise; RestoreSlots reads what SnapshotSlots wrote for the
  /// same number of slots into `slots` (the same numbers or others), after which each of them
  /// behaves exactly as the slot it was written from: same results, same Merge and Update
  /// outcomes. The writes are deterministic: equal states give equal bytes.
  /// REQUIRES (RestoreSlots): an accumulator of the same spec; every slot < EnsureSlots count
  /// and in the empty state. Malformed input fails the reader (kCorruption), whose status is
  /// returned; the slots' states are then unspecified (the operator is discarded).
  virtual void SnapshotSlots(std::span<const uint32_t> slots,
                             storage::StateWriter& writer) const = 0;
  virtual Status RestoreSlots(std::span<const uint32_t> slots, storage::StateReader& reader) = 0;
};

/// Makes the accumulator for `spec`. LDB-2001 for a combination that cannot run (a function
/// that cannot retract over a changelog input), naming the function.
Result<std::unique_ptr<Accumulator>> MakeAccumulator(const AggregateSpec& spec);

}  // namespace laminar::exec
