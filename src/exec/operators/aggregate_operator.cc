#include "exec/operators/aggregate_operator.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "columnar/column_builder.h"
#include "columnar/take.h"
#include "common/check.h"

namespace laminar::exec {
namespace {

using sql::EmitStrategy;
using sql::WindowKind;

void AppendPrefix(std::string& key, int64_t prefix) {
  key.append(reinterpret_cast<const char*>(&prefix), sizeof(prefix));
}

}  // namespace

/// The evaluated inputs of one batch.
struct AggregateOperator::Inputs {
  std::vector<Column> keys;
  std::vector<std::vector<Column>> arguments;  // Per call.
  /// Per call: 1 where FILTER (WHERE ...) holds; empty when the call has no FILTER.
  std::vector<std::vector<uint8_t>> filter_masks;
  const int64_t* times = nullptr;  // Window time column (null without a window).
  const Column* time_column = nullptr;
};

AggregateOperator::AggregateOperator(AggregateDefinition definition)
    : def_(std::move(definition)),
      encoder_(def_.key_types),
      empty_key_hash_(state::GroupTable::Hash(std::string_view())) {}

AggregateOperator::~AggregateOperator() = default;

Result<std::unique_ptr<AggregateOperator>> AggregateOperator::Make(AggregateDefinition definition) {
  std::unique_ptr<AggregateOperator> op(new AggregateOperator(std::move(definition)));
  for (const AggregateCallDefinition& call : op->def_.calls) {
    LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<Accumulator> accumulator, MakeAccumulator(call.spec));
    op->accumulators_.push_back(std::move(accumulator));
  }
  if (op->def_.window) {
    const sql::WindowAssignment& window = *op->def_.window;
    switch (window.kind) {
      case WindowKind::kTumble:
        op->pane_length_ = window.size;
        break;
      case WindowKind::kHop:
        op->pane_length_ = std::gcd(window.size, window.slide);
        break;
      case WindowKind::kCumulate:
        op->pane_length_ = window.slide;
        break;
      case WindowKind::kSession:
        break;
    }
    // A window is one pane for tumble (and hop with slide = size): no merging.
    op->single_pane_ = window.kind == WindowKind::kTumble ||
                       (window.kind == WindowKind::kHop && window.size == window.slide);
  }
  if (op->def_.emit == EmitStrategy::kPeriodic) {
    op->next_periodic_emit_ = op->def_.clock->NowMicros() + op->def_.emit_period_micros;
  }
  return op;
}

std::string AggregateOperator::Describe() const {
  std::string text = def_.window ? fmt::format("WindowAggregate {}", def_.window->ToString())
                                 : std::string("GroupAggregate");
  text += fmt::format(" keys={} aggregates=[", def_.keys.size());
  for (size_t i = 0; i < def_.calls.size(); ++i) {
    if (i > 0) text += ", ";
    text += def_.calls[i].text;
  }
  text += "]";
  return text;
}

int64_t AggregateOperator::NextTimerMicros() const {
  int64_t next = kMaxWatermark;
  if (def_.emit == EmitStrategy::kPeriodic && (!changed_.empty() || !dirty_slots_.empty())) {
    next = next_periodic_emit_;
  }
  if (def_.processing_time && !panes_.empty()) {
    // The first window end after the earliest open pane: the clock closes it then.
    const int64_t end = FirstWindowEndAfter(std::max(panes_.begin()->first, closed_up_to_));
    next = std::min(next, SaturatingAdd(end, def_.allowed_lateness_micros));
  }
  if (def_.processing_time && !session_ends_.empty()) {
    next = std::min(next, SaturatingAdd(*session_ends_.MinTime(), def_.allowed_lateness_micros));
  }
  if (def_.state_ttl_micros && !ttl_index_.empty()) next = std::min(next, *ttl_index_.MinTime());
  return next;
}

Status AggregateOperator::OnTimer(int64_t now_micros, OperatorOutput& out) {
  if (def_.processing_time) LAMINAR_RETURN_IF_ERROR(AdvanceTime(now_micros, out));
  if (def_.emit == EmitStrategy::kPeriodic) LAMINAR_RETURN_IF_ERROR(EmitPeriodic(out, false));
  if (def_.state_ttl_micros) LAMINAR_RETURN_IF_ERROR(ExpireGroups(out));
  return Status::Ok();
}

size_t AggregateOperator::StateBytes() const {
  size_t bytes = groups_.MemoryBytes() + session_keys_.MemoryBytes() + pane_keys_.MemoryBytes();
  for (const auto& accumulator : accumulators_) bytes += accumulator->MemoryBytes();
  bytes += row_counts_.capacity() * sizeof(int64_t) + last_update_.capacity() * sizeof(int64_t);
  // Emission bookkeeping of aggregations without a window: flags and a row index per slot,
  // and the pool of explicit rows (changed groups only).
  bytes += dirty_.capacity() + emitted_pending_.capacity() +
           (dirty_slots_.capacity() + emitted_row_.capacity() + free_emitted_rows_.capacity()) *
               sizeof(uint32_t) +
           emitted_rows_.capacity() * sizeof(std::vector<Value>);
  for (const std::vector<Value>& row : emitted_rows_) bytes += row.capacity() * sizeof(Value);
  return bytes;
}

size_t AggregateOperator::LiveGroups() const {
  return groups_.size() - (incremental_ != nullptr ? incremental_->parked : 0);
}

const AggregateMetrics& AggregateOperator::metrics() {
  metrics_.live_groups = static_cast<int64_t>(LiveGroups());
  metrics_.state_bytes = static_cast<int64_t>(StateBytes());
  return metrics_;
}

std::string AggregateOperator::MetricsText() const {
  return fmt::format(
      "rows in {}; late rows {}; windows closed {}; groups expired {}; live groups {}; state "
      "bytes {}",
      metrics_.rows_in, metrics_.late_rows, metrics_.windows_closed, metrics_.groups_expired,
      LiveGroups(), StateBytes());
}

// ---------------------------------------------------------------------------------------------
// Slots

void AggregateOperator::EnsureSlots(uint32_t count) {
  if (count <= slot_capacity_) return;
  uint32_t capacity = std::max<uint32_t>(count, slot_capacity_ * 2);
  capacity = std::max<uint32_t>(capacity, 64);
  for (auto& accumulator : accumulators_) accumulator->EnsureSlots(capacity);
  row_counts_.resize(capacity, 0);
  if (def_.state_ttl_micros) last_update_.resize(capacity, 0);
  if (def_.window && def_.window->kind == WindowKind::kSession) {
    slot_session_end_.resize(capacity, 0);
    slot_session_key_.resize(capacity, 0);
  }
  slot_capacity_ = capacity;
}

uint32_t AggregateOperator::AcquireSlot(std::string_view key, uint64_t hash, bool* inserted) {
  const uint32_t slot = groups_.FindOrInsert(key, hash, inserted);
  if (slot >= slot_capacity_) EnsureSlots(slot + 1);
  if (incremental_ != nullptr && *inserted) {
    // Free at the barrier (or beyond its table): not part of the snapshot.
    incremental_->slots.TakeOwed(slot);
  }
  return slot;
}

uint32_t AggregateOperator::TemporarySlot() {
  // Temporary slots live above every slot the group table handed out; they are released
  // before the table can hand out another.
  const uint32_t slot = groups_.slot_capacity() + static_cast<uint32_t>(temporary_slots_.size());
  EnsureSlots(slot + 1);
  temporary_slots_.push_back(slot);
  return slot;
}

void AggregateOperator::ReleaseTemporarySlots() {
  for (uint32_t slot : temporary_slots_) {
    for (auto& accumulator : accumulators_) accumulator->Clear(slot);
    row_counts_[slot] = 0;
  }
  temporary_slots_.clear();
}

void AggregateOperator::MarkDirty(uint32_t slot) {
  if (slot >= dirty_.size()) {
    dirty_.resize(slot_capacity_, 0);
    emitted_row_.resize(slot_capacity_, 0);
    emitted_pending_.resize(slot_capacity_, 0);
  }
  if (dirty_[slot] != 0) return;
  dirty_[slot] = 1;
  dirty_slots_.push_back(slot);
}

std::vector<Value>& AggregateOperator::SetEmittedRow(uint32_t slot) {
  uint32_t& index = emitted_row_[slot];
  if (index == 0) {
    if (free_emitted_rows_.empty()) {
      emitted_rows_.emplace_back();
      index = static_cast<uint32_t>(emitted_rows_.size());
    } else {
      index = free_emitted_rows_.back() + 1;
      free_emitted_rows_.pop_back();
    }
  }
  std::vector<Value>& row = emitted_rows_[index - 1];
  row.clear();
  return row;
}

std::vector<Value> AggregateOperator::TakeEmittedRow(uint32_t slot) {
  if (slot >= emitted_row_.size() || emitted_row_[slot] == 0) return {};
  const uint32_t index = emitted_row_[slot] - 1;
  emitted_row_[slot] = 0;
  free_emitted_rows_.push_back(index);
  return std::exchange(emitted_rows_[index], {});
}

void AggregateOperator::FreeSlot(uint32_t slot) {
  if (incremental_ != nullptr) SaveBeforeChange(std::span(&slot, 1));
  for (auto& accumulator : accumulators_) accumulator->Clear(slot);
  row_counts_[slot] = 0;
  if (slot < dirty_.size()) {
    dirty_[slot] = 0;
    if (emitted_row_[slot] != 0) (void)TakeEmittedRow(slot);
    emitted_pending_[slot] = 0;
  }
  groups_.Erase(slot);
}

// ---------------------------------------------------------------------------------------------
// Evaluation and updates

Status AggregateOperator::Evaluate(const ChangeBatch& batch, Inputs& inputs) const {
  inputs.keys.clear();
  for (const ExpressionEvaluator& key : def_.keys) {
    LAMINAR_ASSIGN_OR_RETURN(Column column, key.Evaluate(batch.rows));
    inputs.keys.push_back(std::move(column));
  }
  inputs.arguments.assign(def_.calls.size(), {});
  inputs.filter_masks.assign(def_.calls.size(), {});
  SelectionVector selection;
  for (size_t c = 0; c < def_.calls.size(); ++c) {
    const AggregateCallDefinition& call = def_.calls[c];
    for (const ExpressionEvaluator& argument : call.arguments) {
      LAMINAR_ASSIGN_OR_RETURN(Column column, argument.Evaluate(batch.rows));
      inputs.arguments[c].push_back(std::move(column));
    }
    if (call.filter) {
      LAMINAR_RETURN_IF_ERROR(call.filter->FilterAll(batch.rows, &selection));
      std::vector<uint8_t>& mask = inputs.filter_masks[c];
      mask.assign(static_cast<size_t>(batch.num_rows()), 0);
      for (int64_t i = 0; i < selection.size(); ++i) mask[selection[i]] = 1;
    }
  }
  if (def_.window) {
    inputs.time_column = &batch.rows.column(def_.window->time_column);
    inputs.times = inputs.time_column->Values<int64_t>();
  }
  return Status::Ok();
}

Status AggregateOperator::ApplyUpdates(const Inputs& inputs, std::span<const uint32_t> rows,
                                       std::span<const uint32_t> slots, const int8_t* weights) {
  if (slots.empty()) return Status::Ok();
  // Net rows per group, so a changelog group whose rows were all retracted disappears.
  for (size_t i = 0; i < slots.size(); ++i) {
    const uint32_t row = rows.empty() ? static_cast<uint32_t>(i) : rows[i];
    row_counts_[slots[i]] += weights == nullptr ? 1 : weights[row];
  }
  std::vector<uint32_t> call_rows;
  std::vector<uint32_t> call_slots;
  std::vector<int8_t> gathered_weights;
  const int8_t* entry_weights = nullptr;
  if (weights != nullptr) {
    gathered_weights.resize(slots.size());
    for (size_t i = 0; i < slots.size(); ++i) {
      gathered_weights[i] = weights[rows.empty() ? i : rows[i]];
    }
    entry_weights = gathered_weights.data();
  }
  for (size_t c = 0; c < def_.calls.size(); ++c) {
    const std::vector<uint8_t>& mask = inputs.filter_masks[c];
    if (mask.empty()) {
      LAMINAR_RETURN_IF_ERROR(
          accumulators_[c]->Update(inputs.arguments[c], rows, slots, entry_weights));
      continue;
    }
    call_rows.clear();
    call_slots.clear();
    std::vector<int8_t> call_weights;
    for (size_t i = 0; i < slots.size(); ++i) {
      const uint32_t row = rows.empty() ? static_cast<uint32_t>(i) : rows[i];
      if (mask[row] == 0) continue;
      call_rows.push_back(row);
      call_slots.push_back(slots[i]);
      if (entry_weights != nullptr) call_weights.push_back(entry_weights[i]);
    }
    if (call_rows.empty()) continue;
    LAMINAR_RETURN_IF_ERROR(
        accumulators_[c]->Update(inputs.arguments[c], call_rows, call_slots,
                                 entry_weights == nullptr ? nullptr : call_weights.data()));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Entry points

Status AggregateOperator::Process(int port, const ChangeBatch& batch, OperatorOutput& out) {
  (void)port;
  if (batch.num_rows() == 0) return Status::Ok();
  metrics_.rows_in += batch.num_rows();
  // Timers due by now fire before the batch, as if the reactor had fired them before it
  // arrived: expired groups go first (a row of an expired group starts it afresh), and a due
  // EMIT EVERY snapshot does not include the batch.
  if (def_.state_ttl_micros) LAMINAR_RETURN_IF_ERROR(ExpireGroups(out));
  if (def_.emit == EmitStrategy::kPeriodic) LAMINAR_RETURN_IF_ERROR(EmitPeriodic(out, false));
  Inputs inputs;
  LAMINAR_RETURN_IF_ERROR(Evaluate(batch, inputs));
  if (!def_.window) {
    LAMINAR_RETURN_IF_ERROR(ProcessGroups(batch, inputs, out));
  } else if (def_.window->kind == WindowKind::kSession) {
    LAMINAR_RETURN_IF_ERROR(ProcessSessions(batch, inputs, out));
  } else {
    LAMINAR_RETURN_IF_ERROR(ProcessPanes(batch, inputs, out));
  }
  switch (def_.emit) {
    case EmitStrategy::kChanges:
    case EmitStrategy::kOnUpdate:
      LAMINAR_RETURN_IF_ERROR(EmitChanged(out));
      break;
    case EmitStrategy::kPeriodic:  // Emitted by its timer.
    case EmitStrategy::kOnWindowClose:
      break;
  }
  // Processing time moves on after the batch: its rows read the clock upstream, at or before
  // now, and must not find their window closed by a clock reading taken after theirs.
  if (def_.processing_time) LAMINAR_RETURN_IF_ERROR(AdvanceTime(def_.clock->NowMicros(), out));
  return Status::Ok();
}

Status AggregateOperator::OnWatermark(int port, int64_t watermark, OperatorOutput& out) {
  (void)port;
  if (def_.processing_time && watermark != kMaxWatermark) {
    // Event time says nothing about processing-time windows; the clock does.
    watermark = def_.clock->NowMicros();
  }
  return AdvanceTime(watermark, out);
}

Status AggregateOperator::AdvanceTime(int64_t watermark, OperatorOutput& out) {
  if (watermark <= watermark_) return Status::Ok();
  watermark_ = watermark;
  if (def_.emit == EmitStrategy::kPeriodic) LAMINAR_RETURN_IF_ERROR(EmitPeriodic(out, false));
  int64_t output_watermark = watermark;
  if (def_.window) {
    const sql::WindowAssignment& window = *def_.window;
    if (window.kind == WindowKind::kSession) {
      LAMINAR_RETURN_IF_ERROR(CloseSessions(watermark, out));
      // A row behind watermark - lateness is late, so a session opened or extended later
      // starts at or after it; open sessions may still be emitted with their start.
      const int64_t new_session_floor = SaturatingSub(watermark, def_.allowed_lateness_micros);
      // The earliest start of an open session, recomputed once the watermark has moved by a
      // gap: in between, closes can only raise the true minimum and new or growing sessions
      // start after the floor, so the kept value stays a valid lower bound.
      if (watermark == kMaxWatermark ||
          watermark >= SaturatingAdd(min_start_scanned_at_, window.gap)) {
        min_open_start_ = kMaxWatermark;
        for (const std::vector<Session>& list : sessions_) {
          for (const Session& session : list) {
            min_open_start_ = std::min(min_open_start_, session.start);
          }
        }
        min_start_scanned_at_ = watermark;
      }
      output_watermark = std::min(new_session_floor, min_open_start_);
    } else {
      LAMINAR_RETURN_IF_ERROR(ClosePaneWindows(watermark, out));
      // Every window still to be emitted starts at or after this.
      output_watermark = closed_up_to_ == kMaxWatermark
                             ? kMaxWatermark
                             : WindowStartFor(FirstWindowEndAfter(closed_up_to_));
    }
  } else if (def_.closing_key >= 0 || watermark == kMaxWatermark) {
    LAMINAR_RETURN_IF_ERROR(CloseKeyedGroups(watermark, out));
  }
  if (def_.state_ttl_micros) LAMINAR_RETURN_IF_ERROR(ExpireGroups(out));
  if (watermark == kMaxWatermark) output_watermark = kMaxWatermark;  // The input has ended.
  if (output_watermark > emitted_watermark_) {
    emitted_watermark_ = output_watermark;
    return out.EmitWatermark(output_watermark);
  }
  return Status::Ok();
}

std::string_view AggregateOperator::RowKey(size_t row) const {
  // Without keys (a global aggregate) every row has the empty key; the encoder has no columns
  // to count rows from.
  return def_.keys.empty() ? std::string_view() : encoder_.key(row);
}

uint64_t AggregateOperator::RowHash(size_t row) const {
  return def_.keys.empty() ? empty_key_hash_ : encoder_.hash(row);
}

// ---------------------------------------------------------------------------------------------
// Unbounded GROUP BY (and groups closed by a watermarked key)

Status AggregateOperator::ProcessGroups(const ChangeBatch& batch, Inputs& inputs,
                                        OperatorOutput& out) {
  (void)out;
  const int64_t rows = batch.num_rows();
  encoder_.Encode(inputs.keys, {}, {});
  std::vector<uint32_t> slots(static_cast<size_t>(rows));
  std::vector<uint32_t> kept;
  bool all_kept = true;
  const Column* closing = def_.closing_key >= 0 ? &inputs.keys[def_.closing_key] : nullptr;
  const int64_t now = def_.state_ttl_micros ? def_.clock->NowMicros() : 0;
  // Restored slots whose last emitted row is still implicit: made explicit before the update.
  std::vector<uint32_t> materialize;
  // state_ttl: whether each kept row's group is new (its TTL entry is added after the loop).
  std::vector<uint8_t> ttl_inserted;
  if (def_.state_ttl_micros) ttl_inserted.reserve(static_cast<size_t>(rows));
  // Each row's table entry is requested kGroupAhead rows before its lookup, so that with more
  // groups than the cache holds the misses overlap instead of following one another.
  constexpr int64_t kGroupAhead = 16;
  for (int64_t i = 0; i < std::min(rows, kGroupAhead); ++i) {
    groups_.Prefetch(RowHash(static_cast<size_t>(i)));
  }
  for (int64_t i = 0; i < rows; ++i) {
    if (i + kGroupAhead < rows) groups_.Prefetch(RowHash(static_cast<size_t>(i + kGroupAhead)));
    if (closing != nullptr && closing->IsValid(i) && closing->Values<int64_t>()[i] < watermark_) {
      // Its group has closed: the row is late.
      ++metrics_.late_rows;
      if (all_kept) {
        all_kept = false;
        for (int64_t k = 0; k < i; ++k) kept.push_back(static_cast<uint32_t>(k));
      }
      continue;
    }
    bool inserted = false;
    const uint32_t slot =
        AcquireSlot(RowKey(static_cast<size_t>(i)), RowHash(static_cast<size_t>(i)), &inserted);
    if (inserted && closing != nullptr) {
      // A NULL key never closes by the watermark: its group is final at the end of the input.
      closing_.Insert(closing->IsValid(i) ? closing->Values<int64_t>()[i] : kMaxWatermark, slot);
    }
    if (def_.state_ttl_micros) ttl_inserted.push_back(inserted ? 1 : 0);
    if (all_kept) {
      slots[static_cast<size_t>(i)] = slot;
    } else {
      kept.push_back(static_cast<uint32_t>(i));
      slots[kept.size() - 1] = slot;
    }
    if (def_.emit != EmitStrategy::kOnWindowClose) {
      if (slot < emitted_pending_.size() && emitted_pending_[slot] != 0) {
        emitted_pending_[slot] = 0;
        materialize.push_back(slot);
      }
      MarkDirty(slot);
    }
  }
  if (!materialize.empty()) LAMINAR_RETURN_IF_ERROR(MaterializeEmitted(materialize));
  const size_t count = all_kept ? static_cast<size_t>(rows) : kept.size();
  if (incremental_ != nullptr) SaveBeforeChange(std::span(slots.data(), count));
  if (def_.state_ttl_micros) {
    // After the snapshot in progress has kept the groups' last updates.
    const int64_t deadline = SaturatingAdd(now, *def_.state_ttl_micros);
    for (size_t i = 0; i < count; ++i) {
      const uint32_t slot = slots[i];
      if (ttl_inserted[i] != 0 || last_update_[slot] != now) ttl_index_.Insert(deadline, slot);
      last_update_[slot] = now;
    }
  }
  const int8_t* weights = batch.append_only() ? nullptr : batch.weights.data();
  return ApplyUpdates(inputs, all_kept ? std::span<const uint32_t>() : std::span(kept),
                      std::span(slots.data(), count), weights);
}

Status AggregateOperator::CloseKeyedGroups(int64_t watermark, OperatorOutput& out) {
  std::vector<PendingRow> rows;
  std::vector<uint32_t> closed;
  if (watermark == kMaxWatermark) {
    // End of input: every group is final.
    if (def_.emit == EmitStrategy::kOnWindowClose) {
      std::vector<state::OrderedIndex::Entry> due;
      closing_.PopUpTo(kMaxWatermark, &due);
      for (const state::OrderedIndex::Entry& entry : due) closed.push_back(entry.slot);
      if (def_.closing_key < 0) {
        closed.clear();
        for (uint32_t slot = 0; slot < groups_.slot_capacity(); ++slot) {
          if (groups_.IsLive(slot)) closed.push_back(slot);
        }
        if (closed.empty() && def_.keys.empty() && !emitted_empty_global_) {
          // A global aggregate over no rows still has one row (count 0, sums NULL).
          emitted_empty_global_ = true;
          rows.push_back(PendingRow{0, 0, std::string(), TemporarySlot(), 1});
          Status status = EmitRows(rows, out);
          ReleaseTemporarySlots();
          return status;
        }
      }
    } else if (def_.emit == EmitStrategy::kPeriodic) {
      return EmitPeriodic(out, true);
    } else {
      return Status::Ok();
    }
  } else {
    // A group closes once the watermark is past its key: no row with that key can follow.
    std::vector<state::OrderedIndex::Entry> due;
    closing_.PopUpTo(watermark - 1, &due);
    for (const state::OrderedIndex::Entry& entry : due) closed.push_back(entry.slot);
  }
  if (closed.empty()) return Status::Ok();
  if (def_.emit == EmitStrategy::kOnWindowClose) {
    for (uint32_t slot : closed) {
      if (row_counts_[slot] > 0) {
        rows.push_back(PendingRow{0, 0, std::string(groups_.key(slot)), slot, 1});
      }
    }
    LAMINAR_RETURN_IF_ERROR(EmitRows(rows, out));
  } else if (def_.emit == EmitStrategy::kPeriodic) {
    LAMINAR_RETURN_IF_ERROR(EmitPeriodic(out, true));
  }
  if (incremental_ != nullptr) SaveBeforeChange(closed);  // One block, not one per group.
  for (uint32_t slot : closed) FreeSlot(slot);
  metrics_.windows_closed += static_cast<int64_t>(closed.size());
  return Status::Ok();
}

Status AggregateOperator::ExpireGroups(OperatorOutput& out) {
  const int64_t now = def_.clock->NowMicros();
  std::vector<std::vector<Value>> retractions;
  std::vector<state::OrderedIndex::Entry> due;
  ttl_index_.PopUpTo(now, &due);
  if (def_.emit == EmitStrategy::kChanges) {
    // The rows to retract that are still implicit, computed in one batch (a slot may be
    // listed twice: it is then computed twice, to the same row).
    std::vector<uint32_t> materialize;
    for (const state::OrderedIndex::Entry& entry : due) {
      const uint32_t slot = entry.slot;
      if (groups_.IsLive(slot) && slot < emitted_pending_.size() && emitted_pending_[slot] != 0 &&
          SaturatingAdd(last_update_[slot], *def_.state_ttl_micros) <= now) {
        materialize.push_back(slot);
      }
    }
    if (!materialize.empty()) LAMINAR_RETURN_IF_ERROR(MaterializeEmitted(materialize));
  }
  {
    for (const state::OrderedIndex::Entry& entry : due) {
      const uint32_t slot = entry.slot;
      if (!groups_.IsLive(slot)) continue;  // No window: no group is parked (windows reject TTL).
      const int64_t deadline = SaturatingAdd(last_update_[slot], *def_.state_ttl_micros);
      if (deadline > now) continue;  // Updated since: a later entry holds its deadline.
      if (def_.emit == EmitStrategy::kChanges && EmittedRow(slot) != nullptr) {
        retractions.push_back(TakeEmittedRow(slot));
      }
      FreeSlot(slot);
      ++metrics_.groups_expired;
    }
  }
  if (retractions.empty()) return Status::Ok();
  return EmitValueRows(retractions, std::vector<int8_t>(retractions.size(), -1), out);
}

// ---------------------------------------------------------------------------------------------
// Pane windows: tumble, hop, cumulate

int64_t AggregateOperator::PaneOf(int64_t time) const {
  return sql::FloorAlign(time, def_.window->offset, pane_length_);
}

int64_t AggregateOperator::FirstWindowEndAfter(int64_t time) const {
  const sql::WindowAssignment& window = *def_.window;
  switch (window.kind) {
    case WindowKind::kTumble:
      return SaturatingAdd(sql::FloorAlign(time, window.offset, window.size), window.size);
    case WindowKind::kHop: {
      // Ends are offset + size + k * slide.
      const int64_t origin = window.offset + window.size % window.slide;
      return SaturatingAdd(sql::FloorAlign(time, origin, window.slide), window.slide);
    }
    case WindowKind::kCumulate:
      return SaturatingAdd(sql::FloorAlign(time, window.offset, window.slide), window.slide);
    case WindowKind::kSession:
      break;
  }
  return kMaxWatermark;
}

int64_t AggregateOperator::WindowStartFor(int64_t end) const {
  const sql::WindowAssignment& window = *def_.window;
  switch (window.kind) {
    case WindowKind::kTumble:
    case WindowKind::kHop:
      return SaturatingSub(end, window.size);
    case WindowKind::kCumulate:
      // The cumulating windows of one base share its start: [base, base + k * step).
      return sql::FloorAlign(SaturatingSub(end, window.slide), window.offset, window.size);
    case WindowKind::kSession:
      break;
  }
  return end;
}

int64_t AggregateOperator::LastWindowEndOfPane(int64_t pane) const {
  const sql::WindowAssignment& window = *def_.window;
  switch (window.kind) {
    case WindowKind::kTumble:
      return SaturatingAdd(pane, window.size);
    case WindowKind::kHop:
      return SaturatingAdd(sql::FloorAlign(pane, window.offset, window.slide), window.size);
    case WindowKind::kCumulate:
      return SaturatingAdd(sql::FloorAlign(pane, window.offset, window.size), window.size);
    case WindowKind::kSession:
      break;
  }
  return pane;
}

void AggregateOperator::WindowsOfPane(int64_t pane,
                                      std::vector<std::pair<int64_t, int64_t>>& windows) const {
  windows.clear();
  const int64_t last = LastWindowEndOfPane(pane);
  const int64_t spacing =
      def_.window->kind == WindowKind::kTumble ? def_.window->size : def_.window->slide;
  for (int64_t end = FirstWindowEndAfter(pane); end <= last; end += spacing) {
    const int64_t start = WindowStartFor(end);
    if (start <= pane && end > closed_up_to_) windows.emplace_back(start, end);
    if (end > kMaxWatermark - spacing) break;
  }
}

Status AggregateOperator::ProcessPanes(const ChangeBatch& batch, Inputs& inputs,
                                       OperatorOutput& out) {
  (void)out;
  const int64_t rows = batch.num_rows();
  const Column& time_column = *inputs.time_column;
  // Rows whose every window has closed are late; rows with a NULL time belong to no window.
  std::vector<uint32_t> kept;
  std::vector<int64_t> prefixes;
  prefixes.reserve(static_cast<size_t>(rows));
  bool all_kept = true;
  std::vector<uint32_t> late;
  // Rows of one pane are contiguous in time: its bounds are computed once per run of them.
  int64_t pane_start = 0;
  int64_t pane_end = kMinWatermark;  // Exclusive; nothing cached yet.
  bool pane_closed = false;
  for (int64_t i = 0; i < rows; ++i) {
    bool keep = time_column.IsValid(i);
    int64_t pane = 0;
    if (keep) {
      const int64_t time = inputs.times[i];
      if (time < pane_start || time >= pane_end) {
        pane_start = PaneOf(time);
        pane_end = SaturatingAdd(pane_start, pane_length_);
        pane_closed = LastWindowEndOfPane(pane_start) <= closed_up_to_;
      }
      pane = pane_start;
      if (pane_closed) {
        keep = false;
        late.push_back(static_cast<uint32_t>(i));
      }
    }
    if (!keep) {
      if (all_kept) {
        all_kept = false;
        for (int64_t k = 0; k < i; ++k) kept.push_back(static_cast<uint32_t>(k));
      }
      continue;
    }
    if (!all_kept) kept.push_back(static_cast<uint32_t>(i));
    prefixes.push_back(pane);
  }
  if (!late.empty()) LAMINAR_RETURN_IF_ERROR(EmitLate(batch, late, out));
  if (prefixes.empty()) return Status::Ok();
  const std::span<const uint32_t> rows_used =
      all_kept ? std::span<const uint32_t>() : std::span<const uint32_t>(kept);
  // Rows are looked up by key alone, in a table of the distinct keys, which remembers each
  // key's latest pane and its (pane, key) state: rows mostly come in time order, so a key
  // changes pane once per pane length and the table of (pane, key) states, several times
  // larger, is probed only then.
  encoder_.Encode(inputs.keys, rows_used, {});
  std::vector<uint32_t> slots(prefixes.size());
  const bool track_changes = def_.emit != EmitStrategy::kOnWindowClose;
  std::vector<std::pair<int64_t, int64_t>> windows;
  std::string pane_key;
  constexpr size_t kAhead = 16;  // Prefetch the key table's entry of a row 16 ahead.
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (i + kAhead < prefixes.size() && !def_.keys.empty()) {
      pane_keys_.Prefetch(RowHash(i + kAhead));
    }
    const std::string_view key = RowKey(i);
    bool new_key = false;
    const uint32_t key_id = pane_keys_.FindOrInsert(key, RowHash(i), &new_key);
    if (key_id >= key_refs_.size()) {
      const size_t size = pane_keys_.slot_capacity();
      key_refs_.resize(size, 0);
      key_pane_.resize(size, 0);
      key_pane_slot_.resize(size, 0);
    }
    uint32_t slot = 0;
    if (!new_key && key_pane_[key_id] == prefixes[i]) {
      slot = key_pane_slot_[key_id];
    } else {
      pane_key.clear();
      AppendPrefix(pane_key, prefixes[i]);
      pane_key.append(key);
      bool inserted = false;
      slot = AcquireSlot(pane_key, state::GroupTable::Hash(pane_key), &inserted);
      if (inserted) {
        panes_[prefixes[i]].push_back(slot);
        ++key_refs_[key_id];
        if (slot >= slot_key_id_.size()) slot_key_id_.resize(slot_capacity_, 0);
        slot_key_id_[slot] = key_id;
      }
      key_pane_[key_id] = prefixes[i];
      key_pane_slot_[key_id] = slot;
    }
    slots[i] = slot;
    if (track_changes) {
      WindowsOfPane(prefixes[i], windows);
      for (const auto& [start, end] : windows) {
        auto [it, inserted] = changed_.insert(ResultKey{start, end, std::string(key)});
        if (inserted && incremental_ != nullptr) {
          incremental_->changed->NoteInserted(*it);  // Not a result of the barrier's period.
        }
      }
    }
  }
  const int8_t* weights = batch.append_only() ? nullptr : batch.weights.data();
  if (incremental_ != nullptr) SaveBeforeChange(slots);
  return ApplyUpdates(inputs, rows_used, slots, weights);
}

Status AggregateOperator::MergeWindow(int64_t start, int64_t end,
                                      const std::vector<std::string>* only,
                                      std::vector<std::pair<std::string, uint32_t>>& results) {
  // Pane slots know their key's id, so finding the window's state for a key is an array
  // lookup, not a hash of its bytes.
  std::vector<uint32_t> used;
  for (auto it = panes_.lower_bound(start); it != panes_.end() && it->first < end; ++it) {
    for (uint32_t pane_slot : it->second) {
      const uint32_t key_id = slot_key_id_[pane_slot];
      if (only != nullptr) {
        const std::string_view key = pane_keys_.key(key_id);
        if (!std::binary_search(only->begin(), only->end(), key)) continue;
      }
      if (key_id >= merge_target_.size()) {
        merge_target_.resize(pane_keys_.slot_capacity(), state::GroupTable::kNoSlot);
      }
      uint32_t& target = merge_target_[key_id];
      if (target == state::GroupTable::kNoSlot) {
        target = static_cast<uint32_t>(results.size());
        results.emplace_back(std::string(pane_keys_.key(key_id)), TemporarySlot());
        used.push_back(key_id);
      }
      LAMINAR_RETURN_IF_ERROR(MergeSlot(results[target].second, pane_slot));
    }
  }
  for (uint32_t key_id : used) merge_target_[key_id] = state::GroupTable::kNoSlot;
  return Status::Ok();
}

Status AggregateOperator::MergeSlot(uint32_t target, uint32_t source) {
  for (auto& accumulator : accumulators_) {
    LAMINAR_RETURN_IF_ERROR(accumulator->Merge(target, source));
  }
  row_counts_[target] += row_counts_[source];
  return Status::Ok();
}

Status AggregateOperator::ClosePaneWindows(int64_t watermark, OperatorOutput& out) {
  const sql::WindowAssignment& window = *def_.window;
  const int64_t spacing = window.kind == WindowKind::kTumble ? window.size : window.slide;
  const bool single_pane = single_pane_;
  std::vector<PendingRow> rows;
  std::vector<std::pair<std::string, uint32_t>> merged;
  for (;;) {
    if (panes_.empty()) break;
    const int64_t first_pane = panes_.begin()->first;
    int64_t end = FirstWindowEndAfter(std::max(first_pane, closed_up_to_));
    if (SaturatingAdd(end, def_.allowed_lateness_micros) > watermark) break;
    const int64_t start = WindowStartFor(end);
    rows.clear();
    if (def_.emit == EmitStrategy::kOnWindowClose || def_.emit == EmitStrategy::kPeriodic) {
      const bool emit_all = def_.emit == EmitStrategy::kOnWindowClose;
      if (single_pane) {
        auto pane = panes_.find(start);
        if (pane != panes_.end()) {
          for (uint32_t slot : pane->second) {
            if (row_counts_[slot] <= 0) continue;
            std::string key(groups_.key(slot).substr(sizeof(int64_t)));
            if (!emit_all && changed_.count(ResultKey{start, end, key}) == 0) continue;
            rows.push_back(PendingRow{start, end, std::move(key), slot, 1});
          }
        }
      } else {
        merged.clear();
        LAMINAR_RETURN_IF_ERROR(MergeWindow(start, end, nullptr, merged));
        for (auto& [key, slot] : merged) {
          if (row_counts_[slot] <= 0) continue;
          if (!emit_all && changed_.count(ResultKey{start, end, key}) == 0) continue;
          rows.push_back(PendingRow{start, end, key, slot, 1});
        }
      }
      LAMINAR_RETURN_IF_ERROR(EmitRows(rows, out));
      ReleaseTemporarySlots();
    }
    // The window is final: forget what was tracked for it.
    for (auto it = changed_.lower_bound(ResultKey{kMinWatermark, end, std::string()});
         it != changed_.end() && it->window_end == end;) {
      it = EraseChanged(it);
    }
    for (auto it = last_emitted_.lower_bound(ResultKey{kMinWatermark, end, std::string()});
         it != last_emitted_.end() && it->first.window_end == end;) {
      it = EraseEmitted(it);
    }
    ++metrics_.windows_closed;
    closed_up_to_ = end;
    // Free the panes no open window needs any more.
    while (!panes_.empty() && LastWindowEndOfPane(panes_.begin()->first) <= closed_up_to_) {
      if (incremental_ != nullptr) {
        SavePaneBeforeFree(panes_.begin()->first, panes_.begin()->second);
      }
      for (uint32_t slot : panes_.begin()->second) {
        if (--key_refs_[slot_key_id_[slot]] == 0) {
          pane_keys_.Erase(slot_key_id_[slot]);
        }
        // A group the snapshot in progress has not written yet stays as it is until the
        // snapshot writes it, in its slices, rather than being written in this turn.
        if (incremental_ != nullptr && incremental_->Park(slot)) continue;
        FreeSlot(slot);
      }
      panes_.erase(panes_.begin());
    }
  }
  // Every window ending by the watermark (less the lateness) that holds rows was emitted
  // above; the empty ones are closed too. The end of the input closes everything.
  const int64_t limit = watermark == kMaxWatermark
                            ? kMaxWatermark
                            : SaturatingSub(watermark, def_.allowed_lateness_micros);
  if (limit == kMaxWatermark) {
    closed_up_to_ = kMaxWatermark;
  } else if (limit > closed_up_to_) {
    closed_up_to_ = std::max(closed_up_to_, SaturatingSub(FirstWindowEndAfter(limit), spacing));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Session windows

Status AggregateOperator::ProcessSessions(const ChangeBatch& batch, Inputs& inputs,
                                          OperatorOutput& out) {
  const int64_t rows = batch.num_rows();
  const int64_t gap = def_.window->gap;
  const Column& time_column = *inputs.time_column;
  encoder_.Encode(inputs.keys, {}, {});
  const int8_t* weights = batch.append_only() ? nullptr : batch.weights.data();
  std::vector<uint32_t> pending_rows;
  std::vector<uint32_t> pending_slots;
  std::vector<uint32_t> late;
  std::string slot_key;
  auto flush = [&]() -> Status {
    if (incremental_ != nullptr) SaveBeforeChange(pending_slots);
    Status status = ApplyUpdates(inputs, pending_rows, pending_slots, weights);
    pending_rows.clear();
    pending_slots.clear();
    return status;
  };
  for (int64_t i = 0; i < rows; ++i) {
    if (time_column.IsNull(i)) continue;
    const int64_t time = inputs.times[i];
    const int64_t row_end = SaturatingAdd(time, gap);
    // A row behind the watermark (less the lateness) is late, as in Flink, even when it would
    // join an open session: otherwise a chain of old rows could move a session's start below
    // the watermark this operator already promised downstream.
    if (SaturatingAdd(time, def_.allowed_lateness_micros) < watermark_) {
      late.push_back(static_cast<uint32_t>(i));
      continue;
    }
    bool inserted = false;
    const std::string_view key = RowKey(static_cast<size_t>(i));
    const uint32_t key_id =
        session_keys_.FindOrInsert(key, RowHash(static_cast<size_t>(i)), &inserted);
    if (key_id >= sessions_.size()) sessions_.resize(key_id + 1);
    if (incremental_ != nullptr) NoteSessionKey(key_id, inserted);
    std::vector<Session>& list = sessions_[key_id];
    // Sessions that the interval [time, time + gap) touches.
    size_t first = 0;
    // Sessions are half-open, [start, end): the row's [time, time + gap) must overlap one,
    // not just touch it, to join it (a row at a session's end starts a new one, which is
    // also what happens when the watermark closed that session before the row came).
    while (first < list.size() && list[first].end <= time) ++first;
    size_t last = first;
    while (last < list.size() && list[last].start < row_end) ++last;
    if (first == last) {
      slot_key.clear();
      AppendPrefix(slot_key, next_session_serial_++);
      slot_key.append(key);
      bool fresh = false;
      const uint32_t slot = AcquireSlot(slot_key, state::GroupTable::Hash(slot_key), &fresh);
      list.insert(list.begin() + static_cast<std::ptrdiff_t>(first), Session{time, row_end, slot});
      slot_session_end_[slot] = row_end;
      slot_session_key_[slot] = key_id;
      session_ends_.Insert(row_end, slot);
      pending_rows.push_back(static_cast<uint32_t>(i));
      pending_slots.push_back(slot);
      continue;
    }
    Session& target = list[first];
    if (last - first > 1) {
      // The row bridges sessions: fold the later ones into the first.
      LAMINAR_RETURN_IF_ERROR(flush());
      if (incremental_ != nullptr) SaveBeforeChange(std::span(&target.slot, 1));
      for (size_t s = first + 1; s < last; ++s) {
        LAMINAR_RETURN_IF_ERROR(MergeSlot(target.slot, list[s].slot));
        target.end = std::max(target.end, list[s].end);
        FreeSlot(list[s].slot);
      }
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(first + 1),
                 list.begin() + static_cast<std::ptrdiff_t>(last));
    }
    target.start = std::min(target.start, time);
    min_open_start_ = std::min(min_open_start_, target.start);
    // The end index is lazy: a session that grows keeps its old entry, and CloseSessions
    // moves the entry to the current end when it finds the session still open.
    target.end = std::max(target.end, row_end);
    slot_session_end_[target.slot] = target.end;
    pending_rows.push_back(static_cast<uint32_t>(i));
    pending_slots.push_back(target.slot);
  }
  LAMINAR_RETURN_IF_ERROR(flush());
  if (!late.empty()) LAMINAR_RETURN_IF_ERROR(EmitLate(batch, late, out));
  return Status::Ok();
}

Status AggregateOperator::CloseSessions(int64_t watermark, OperatorOutput& out) {
  std::vector<PendingRow> rows;
  std::vector<uint32_t> closed;
  // Sessions ending at or before this are closed (all of them at the end of the input).
  const int64_t limit = watermark == kMaxWatermark
                            ? kMaxWatermark
                            : SaturatingSub(watermark, def_.allowed_lateness_micros);
  std::vector<state::OrderedIndex::Entry> due;
  for (;;) {
    due.clear();
    session_ends_.PopUpTo(limit, &due);
    if (due.empty()) break;
    for (const state::OrderedIndex::Entry& entry : due) {
      const uint32_t slot = entry.slot;
      const int64_t end = entry.time;
      // Stale entries: the slot was freed, or reused by a session that ends earlier.
      if (!groups_.IsLive(slot) || slot_session_end_[slot] < end) continue;
      if (slot_session_end_[slot] > end) {
        // The session grew since it was indexed: look again at its current end.
        session_ends_.Insert(slot_session_end_[slot], slot);
        continue;
      }
      std::vector<Session>& list = sessions_[slot_session_key_[slot]];
      auto it = std::find_if(list.begin(), list.end(),
                             [&](const Session& session) { return session.slot == slot; });
      if (it == list.end()) continue;
      if (row_counts_[slot] > 0) {
        rows.push_back(PendingRow{it->start, it->end,
                                  std::string(groups_.key(slot).substr(sizeof(int64_t))), slot, 1});
      }
      if (incremental_ != nullptr) SaveSessionKey(slot_session_key_[slot]);
      list.erase(it);
      closed.push_back(slot);
    }
  }
  if (closed.empty()) return Status::Ok();
  // The index's order within one end depends on when sessions were re-indexed, which depends
  // on how the input was batched: emit in an order that does not.
  std::sort(rows.begin(), rows.end(), [](const PendingRow& a, const PendingRow& b) {
    return std::tie(a.window_end, a.window_start, a.key) <
           std::tie(b.window_end, b.window_start, b.key);
  });
  LAMINAR_RETURN_IF_ERROR(EmitRows(rows, out));
  if (incremental_ != nullptr) SaveBeforeChange(closed);  // One block, not one per group.
  for (uint32_t slot : closed) {
    const uint32_t key_id = slot_session_key_[slot];
    FreeSlot(slot);
    // A key's last session gone: forget the key (once, when several of its sessions closed).
    if (sessions_[key_id].empty() && session_keys_.IsLive(key_id)) session_keys_.Erase(key_id);
  }
  metrics_.windows_closed += static_cast<int64_t>(closed.size());
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Late rows

Status AggregateOperator::EmitLate(const ChangeBatch& batch, const std::vector<uint32_t>& rows,
                                   OperatorOutput& out) {
  metrics_.late_rows += static_cast<int64_t>(rows.size());
  if (!def_.late_side_output) return Status::Ok();
  SelectionVector selection(rows);
  ChangeBatch late;
  LAMINAR_ASSIGN_OR_RETURN(late.rows, Take(batch.rows, selection));
  if (!batch.append_only()) {
    for (uint32_t row : rows) late.weights.push_back(batch.weights[row]);
  }
  return out.EmitSide(0, late);
}

// ---------------------------------------------------------------------------------------------
// Emission

Status AggregateOperator::BuildOutput(const std::vector<PendingRow>& rows,
                                      ChangeBatch& batch) const {
  const Schema& schema = *def_.output_schema;
  std::vector<ColumnBuilder> key_builders;
  key_builders.reserve(def_.key_types.size());
  for (const DataType& type : def_.key_types) key_builders.emplace_back(type);
  for (const PendingRow& row : rows) {
    LAMINAR_RETURN_IF_ERROR(encoder_.Decode(row.key, false, key_builders).status());
  }
  std::vector<Column> keys;
  keys.reserve(key_builders.size());
  for (ColumnBuilder& builder : key_builders) keys.push_back(builder.Finish());
  std::vector<uint32_t> slots;
  slots.reserve(rows.size());
  for (const PendingRow& row : rows) slots.push_back(row.slot);
  std::vector<Column> columns;
  columns.reserve(static_cast<size_t>(schema.num_fields()));
  for (int c = 0; c < schema.num_fields(); ++c) {
    const AggregateOutputColumn& source = def_.output_columns[static_cast<size_t>(c)];
    switch (source.kind) {
      case AggregateOutputColumn::Kind::kWindowStart:
      case AggregateOutputColumn::Kind::kWindowEnd: {
        ColumnBuilder builder(schema.field(c).type);
        builder.Reserve(static_cast<int64_t>(rows.size()));
        for (const PendingRow& row : rows) {
          builder.AppendFixed<int64_t>(source.kind == AggregateOutputColumn::Kind::kWindowStart
                                           ? row.window_start
                                           : row.window_end);
        }
        columns.push_back(builder.Finish());
        break;
      }
      case AggregateOutputColumn::Kind::kKey:
        columns.push_back(keys[static_cast<size_t>(source.index)]);
        break;
      case AggregateOutputColumn::Kind::kAggregate: {
        ColumnBuilder builder(schema.field(c).type);
        LAMINAR_RETURN_IF_ERROR(
            accumulators_[static_cast<size_t>(source.index)]->Finish(slots, builder));
        columns.push_back(builder.Finish());
        break;
      }
    }
  }
  LAMINAR_ASSIGN_OR_RETURN(batch.rows, Batch::Make(def_.output_schema, std::move(columns)));
  batch.weights.clear();
  bool all_positive = true;
  for (const PendingRow& row : rows) all_positive &= row.weight > 0;
  if (!all_positive) {
    for (const PendingRow& row : rows) batch.weights.push_back(row.weight);
  }
  return Status::Ok();
}

Status AggregateOperator::EmitRows(const std::vector<PendingRow>& rows, OperatorOutput& out) {
  if (rows.empty()) return Status::Ok();
  ChangeBatch batch;
  LAMINAR_RETURN_IF_ERROR(BuildOutput(rows, batch));
  return out.Emit(batch);
}

Status AggregateOperator::EmitValueRows(const std::vector<std::vector<Value>>& rows,
                                        const std::vector<int8_t>& weights, OperatorOutput& out) {
  if (rows.empty()) return Status::Ok();
  BatchBuilder builder(def_.output_schema);
  for (const std::vector<Value>& row : rows) LAMINAR_RETURN_IF_ERROR(builder.AppendRow(row));
  ChangeBatch batch;
  LAMINAR_ASSIGN_OR_RETURN(batch.rows, builder.Finish());
  bool all_positive = true;
  for (int8_t weight : weights) all_positive &= weight > 0;
  if (!all_positive) batch.weights = weights;
  return out.Emit(batch);
}

Status AggregateOperator::EmitChangedGroups(OperatorOutput& out) {
  if (dirty_slots_.empty()) return Status::Ok();
  const bool retract = def_.emit == EmitStrategy::kChanges;
  std::vector<PendingRow> current;
  std::vector<uint32_t> removed;
  for (uint32_t slot : dirty_slots_) {
    // A slot freed (and perhaps reused) since it was marked is listed again if needed.
    if (dirty_[slot] == 0) continue;
    dirty_[slot] = 0;
    if (row_counts_[slot] <= 0) {
      removed.push_back(slot);
      continue;
    }
    current.push_back(PendingRow{0, 0, std::string(groups_.key(slot)), slot, 1});
  }
  dirty_slots_.clear();
  std::vector<std::vector<Value>> rows;
  std::vector<int8_t> weights;
  if (!current.empty()) {
    ChangeBatch batch;
    LAMINAR_RETURN_IF_ERROR(BuildOutput(current, batch));
    const int columns = batch.rows.num_columns();
    for (size_t i = 0; i < current.size(); ++i) {
      std::vector<Value> row;
      row.reserve(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        row.push_back(batch.rows.column(c).GetValue(static_cast<int64_t>(i)));
      }
      // The row emitted now is the group's current result. It is not stored: it stays
      // implicit until the group's state next changes, when ProcessGroups recomputes it
      // (MaterializeEmitted), so an unchanged group costs no row in memory.
      const uint32_t slot = current[i].slot;
      emitted_pending_[slot] = 1;
      if (EmittedRow(slot) != nullptr) {
        std::vector<Value> previous = TakeEmittedRow(slot);
        if (previous == row) continue;  // Unchanged: nothing to say.
        if (retract) {
          rows.push_back(std::move(previous));
          weights.push_back(-1);
        }
      }
      rows.push_back(std::move(row));
      weights.push_back(1);
    }
  }
  if (incremental_ != nullptr) SaveBeforeChange(removed);  // One block, not one per group.
  for (uint32_t slot : removed) {
    // Every row of the group was retracted: the group is gone.
    if (retract && EmittedRow(slot) != nullptr) {
      rows.push_back(TakeEmittedRow(slot));
      weights.push_back(-1);
    }
    FreeSlot(slot);
  }
  return EmitValueRows(rows, weights, out);
}

Status AggregateOperator::EmitChanged(OperatorOutput& out) {
  if (!def_.window) return EmitChangedGroups(out);
  if (changed_.empty()) return Status::Ok();
  const bool retract = def_.emit == EmitStrategy::kChanges;
  // Current results of the changed groups.
  std::vector<PendingRow> current;
  std::vector<ResultKey> current_keys;
  std::vector<ResultKey> removed;
  const bool single_pane = single_pane_;
  std::string lookup;
  // Windowed results that merge panes: merge once per window for all its changed keys.
  std::map<std::pair<int64_t, int64_t>, std::vector<std::string>> by_window;
  for (const ResultKey& result : changed_) {
    if (single_pane) {
      lookup.clear();
      AppendPrefix(lookup, result.window_start);
      lookup.append(result.key);
      const uint32_t slot = groups_.Find(lookup, state::GroupTable::Hash(lookup));
      if (slot == state::GroupTable::kNoSlot || row_counts_[slot] <= 0) {
        removed.push_back(result);
        continue;
      }
      current.push_back(PendingRow{result.window_start, result.window_end, result.key, slot, 1});
      current_keys.push_back(result);
    } else {
      by_window[{result.window_start, result.window_end}].push_back(result.key);
    }
  }
  std::vector<std::pair<std::string, uint32_t>> merged;
  for (auto& [bounds, keys] : by_window) {
    std::sort(keys.begin(), keys.end());
    merged.clear();
    LAMINAR_RETURN_IF_ERROR(MergeWindow(bounds.first, bounds.second, &keys, merged));
    std::sort(merged.begin(), merged.end());
    size_t m = 0;
    for (const std::string& key : keys) {
      while (m < merged.size() && merged[m].first < key) ++m;
      ResultKey result{bounds.first, bounds.second, key};
      if (m == merged.size() || merged[m].first != key || row_counts_[merged[m].second] <= 0) {
        removed.push_back(std::move(result));
        continue;
      }
      current.push_back(PendingRow{bounds.first, bounds.second, key, merged[m].second, 1});
      current_keys.push_back(std::move(result));
    }
  }
  if (incremental_ != nullptr && incremental_->changed->count() > 0) {
    // The snapshot in progress keeps the results of the barrier's period it has not written.
    for (auto it = changed_.begin(); it != changed_.end();) it = EraseChanged(it);
  } else {
    changed_.clear();
  }
  std::vector<std::vector<Value>> rows;
  std::vector<int8_t> weights;
  if (!current.empty()) {
    ChangeBatch batch;
    LAMINAR_RETURN_IF_ERROR(BuildOutput(current, batch));
    for (size_t i = 0; i < current.size(); ++i) {
      std::vector<Value> row;
      row.reserve(static_cast<size_t>(batch.rows.num_columns()));
      for (int c = 0; c < batch.rows.num_columns(); ++c) {
        row.push_back(batch.rows.column(c).GetValue(static_cast<int64_t>(i)));
      }
      auto previous = last_emitted_.find(current_keys[i]);
      if (previous != last_emitted_.end()) {
        if (previous->second == row) continue;  // Unchanged result: nothing to say.
        if (retract) {
          rows.push_back(previous->second);
          weights.push_back(-1);
        }
        if (incremental_ != nullptr && incremental_->OwesEmitted(previous->first)) {
          // The barrier row goes to the snapshot in progress; this one replaces it.
          incremental_->emitted_saved.emplace(previous->first, std::move(previous->second));
        }
        previous->second = row;
      } else {
        if (incremental_ != nullptr) NoteEmittedAdded(current_keys[i]);
        last_emitted_.emplace(current_keys[i], row);
      }
      rows.push_back(std::move(row));
      weights.push_back(1);
    }
  }
  for (const ResultKey& result : removed) {
    auto previous = last_emitted_.find(result);
    if (previous == last_emitted_.end()) continue;
    if (retract) {
      // Moved out unless a snapshot in progress still owes this row (EraseEmitted keeps it).
      const bool owed = incremental_ != nullptr && incremental_->OwesEmitted(previous->first);
      rows.push_back(owed ? previous->second : std::move(previous->second));
      weights.push_back(-1);
    }
    EraseEmitted(previous);
  }
  ReleaseTemporarySlots();
  return EmitValueRows(rows, weights, out);
}

Status AggregateOperator::EmitPeriodic(OperatorOutput& out, bool force) {
  const int64_t now = def_.clock->NowMicros();
  if (!force && now < next_periodic_emit_) return Status::Ok();
  next_periodic_emit_ = SaturatingAdd(now, def_.emit_period_micros);
  // A snapshot of each changed result, as ON UPDATE would give it.
  return EmitChanged(out);
}

}  // namespace laminar::exec
