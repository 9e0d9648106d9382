// Checkpoints of the aggregation operator: Snapshot and Restore. The format is specified in
// docs/formats/operator-state.md, "Aggregate operator".
//
// What the operator keeps, member by member, and where it goes:
// - written: watermark_, emitted_watermark_, emitted_empty_global_, closed_up_to_,
//   next_periodic_emit_, next_session_serial_, min_open_start_, min_start_scanned_at_, the
//   counters of metrics_ (rows in, late rows, windows closed, groups expired); groups_ (slot
//   numbers, free list and keys), row_counts_ and every accumulator's state of the live slots;
//   last_update_ (state_ttl); the indexes closing_, ttl_index_ and session_ends_ entry by entry
//   (stale entries included: they decide when timers are due); panes_; session_keys_ and
//   sessions_; changed_, last_emitted_;
//   dirty_slots_ (stale entries included: their positions order the next emission), dirty_
//   and the explicit emitted rows of the dirty slots.
// - derived on restore: pane_keys_ (the distinct keys of the pane slots, from their keys
//   without the pane prefix; version 2 wrote it) and slot_key_id_ (each pane slot's key in
//   pane_keys_), key_refs_ (the pane slots of each key), key_pane_ / key_pane_slot_ (a
//   cache of a key's latest pane: any live pane of the key is a correct entry, as a miss looks
//   the slot up and a hit can only name a live slot), slot_session_end_ / slot_session_key_
//   (the end and key of the session holding the slot), slot_capacity_ and the state arrays'
//   sizes; metrics_.live_groups and state_bytes (computed when read).
// - implicit: the emitted rows of the live slots that are not dirty under CHANGES / ON UPDATE /
//   EVERY without a window equals the slot's current result (each was set from it when the
//   slot was last emitted, and a slot's state changes only in a batch that marks it dirty), so
//   Restore marks them emitted_pending_ and MaterializeEmitted computes them when first needed.
// - empty between calls, so not written: temporary_slots_ (released by every call that takes
//   them), merge_target_ (reset after each merge), encoder_ (per-batch scratch).
// - fixed by the definition: def_, accumulators_' specs, empty_key_hash_, pane_length_,
//   single_pane_.

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "columnar/column_builder.h"
#include "common/crc32c.h"
#include "exec/operators/aggregate_operator.h"
#include "storage/state_io.h"

namespace laminar::exec {
namespace {

using sql::EmitStrategy;
using sql::WindowKind;

/// 5: session windows' keys in blocks, each key with its sessions, in any key order (so that
/// an incremental snapshot writes them in slices).
/// 4: the last emitted window results in chunks (each its keys, then its rows as a batch),
/// so that an incremental snapshot writes them in slices. 3: pane windows' index without its
/// table of distinct keys and key ids (derived from the groups' keys on restore). 2: the
/// groups in blocks of any slot order (incremental snapshots), the body's length in 8 bytes.
/// Versions 1 (every group in slot order, a varint length) to 4 are still read.
constexpr uint32_t kFormatVersion = 5;
/// Last emitted results per chunk in a snapshot taken at the barrier.
constexpr size_t kEmittedChunk = 4096;
/// Keys are written in slot order, their table entries prefetched this many slots ahead (a
/// table of a million keys does not fit in the cache).
constexpr size_t kPrefetchAhead = 16;
/// An incremental snapshot is written in pieces of about this size (a buffer that grew by
/// doubling would copy all it holds within one reactor turn).
constexpr size_t kPieceBytes = 1 << 20;

std::vector<uint32_t> LiveSlots(const state::GroupTable& table) {
  std::vector<uint32_t> live;
  live.reserve(table.size());
  for (uint32_t slot = 0; slot < table.slot_capacity(); ++slot) {
    if (table.IsLive(slot)) live.push_back(slot);
  }
  return live;
}

/// The head of a group table (versions up to 4 wrote the session keys' and pane keys' tables
/// so, then each live slot's key in ascending order; WriteSessionHead writes it): its slot
/// capacity and its free list in reuse order; `live` the other slots, ascending.
struct TableHead {
  uint64_t capacity = 0;
  std::vector<uint32_t> free_slots;
  std::vector<uint32_t> live;
};

TableHead ReadTableHead(storage::StateReader& reader) {
  TableHead head;
  head.capacity = reader.VarU64();
  const size_t free_count = reader.Count(1);
  if (!reader.ok()) return {};
  // Each live slot's key takes at least its length byte.
  if (head.capacity >= state::GroupTable::kNoSlot || free_count > head.capacity ||
      head.capacity - free_count > reader.remaining()) {
    reader.Fail(fmt::format("group table of {} slots, {} free", head.capacity, free_count));
    return {};
  }
  head.free_slots.resize(free_count);
  std::vector<uint8_t> is_free(static_cast<size_t>(head.capacity), 0);
  for (uint32_t& slot : head.free_slots) {
    const uint64_t value = reader.VarU64();
    if (!reader.ok()) return {};
    if (value >= head.capacity || is_free[value] != 0) {
      reader.Fail(fmt::format("free slot {} of a group table", value));
      return {};
    }
    slot = static_cast<uint32_t>(value);
    is_free[value] = 1;
  }
  head.live.reserve(static_cast<size_t>(head.capacity) - free_count);
  for (uint32_t slot = 0; slot < head.capacity; ++slot) {
    if (is_free[slot] == 0) head.live.push_back(slot);
  }
  return head;
}

/// Fills the empty `table` from its head and the keys of its live slots (in head.live's
/// order), which must be keys `encoder` can write.
void RestoreTable(storage::StateReader& reader, TableHead head,
                  std::span<const std::string_view> keys, state::GroupTable& table,
                  const state::KeyEncoder& encoder) {
  std::vector<uint64_t> hashes(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!encoder.IsCanonical(keys[i])) {
      reader.Fail(fmt::format("the key of slot {} of a group table", head.live[i]));
      return;
    }
    hashes[i] = state::GroupTable::Hash(keys[i]);
  }
  if (!table.RestoreKeys(keys, hashes, head.live)) {
    reader.Fail("a key twice in a group table");
    return;
  }
  if (!table.RestoreFreeSlots(static_cast<uint32_t>(head.capacity), std::move(head.free_slots))) {
    reader.Fail("inconsistent free slots of a group table");
  }
}

/// Rebuilds a table written as a head then each live slot's key in ascending order (up to
/// version 4) into the empty `table`; returns its live slots in ascending order.
std::vector<uint32_t> ReadGroupTable(storage::StateReader& reader, state::GroupTable& table,
                                     const state::KeyEncoder& encoder) {
  TableHead head = ReadTableHead(reader);
  if (!reader.ok()) return {};
  std::vector<std::string_view> keys(head.live.size());
  for (std::string_view& key : keys) key = reader.BytesView();
  if (!reader.ok()) return {};
  std::vector<uint32_t> live = head.live;
  RestoreTable(reader, std::move(head), keys, table, encoder);
  if (!reader.ok()) return {};
  return live;
}

/// An ordered index, entry by entry in its order: the count, then each entry's time as the
/// difference from the previous entry's (the first's from 0), modulo 2^64, and its slot.
void WriteIndex(storage::StateWriter& writer, const state::OrderedIndex& index) {
  writer.VarU64(index.size());
  uint64_t previous = 0;
  index.Range(INT64_MIN, INT64_MAX, [&](int64_t time, uint32_t slot) {
    writer.VarU64(static_cast<uint64_t>(time) - previous);
    writer.VarU64(slot);
    previous = static_cast<uint64_t>(time);
  });
}

/// Reads an index written by WriteIndex into the empty `index`. Its slots must be below
/// `slot_capacity`, and live in `groups` when `live_only`.
void ReadIndex(storage::StateReader& reader, state::OrderedIndex& index,
               const state::GroupTable& groups, bool live_only) {
  const size_t count = reader.Count(2);
  uint64_t time = 0;
  for (size_t i = 0; i < count && reader.ok(); ++i) {
    time += reader.VarU64();
    const uint64_t slot = reader.VarU64();
    if (!reader.ok()) return;
    if (slot >= groups.slot_capacity() ||
        (live_only && !groups.IsLive(static_cast<uint32_t>(slot)))) {
      reader.Fail(fmt::format("index entry of slot {}", slot));
      return;
    }
    index.Insert(static_cast<int64_t>(time), static_cast<uint32_t>(slot));
  }
}

}  // namespace

uint32_t AggregateOperator::DefinitionFingerprint() const {
  return Crc32c(fmt::format("{}|emit {}|changelog {}|closing {}|ttl {}|proctime {}|lateness {}",
                            Describe(), static_cast<int>(def_.emit), def_.input_changelog,
                            def_.closing_key, def_.state_ttl_micros.has_value(),
                            def_.processing_time, def_.allowed_lateness_micros));
}

namespace {

/// The state's frame: the version, the body's length (8 bytes, so that an incremental
/// snapshot can write it last), the body, the body's masked CRC-32C.
size_t BeginFrame(storage::StateWriter& writer) {
  writer.WriteVersion(kFormatVersion);
  const size_t length_offset = writer.size();
  writer.U64(0);
  return length_offset;
}

void EndFrame(storage::StateWriter& writer, size_t length_offset, uint32_t crc) {
  const size_t body_offset = length_offset + sizeof(uint64_t);
  writer.PatchU64(length_offset, writer.size() - body_offset);
  writer.U32(MaskCrc(crc));
}

}  // namespace

Status AggregateOperator::Snapshot(storage::StateWriter& writer) const {
  if (!temporary_slots_.empty()) {
    return Status::Error(ErrorCode::kInternal, "snapshot of {} in the middle of a merge",
                         Describe());
  }
  if (incremental_ != nullptr) {
    return Status::Error(ErrorCode::kInternal, "snapshot of {} during an incremental one",
                         Describe());
  }
  const size_t length_offset = BeginFrame(writer);
  const size_t body_offset = writer.size();
  WriteHead(writer);
  const std::vector<uint32_t> live = LiveSlots(groups_);
  if (!live.empty()) WriteBlock(writer, live);
  writer.VarU64(0);  // No more blocks.
  LAMINAR_RETURN_IF_ERROR(WriteTail(writer));
  const std::string_view body = std::string_view(writer.data()).substr(body_offset);
  EndFrame(writer, length_offset, Crc32c(body));
  return Status::Ok();
}

Status AggregateOperator::Restore(storage::StateReader& reader) {
  if (groups_.slot_capacity() != 0 || metrics_.rows_in != 0 || watermark_ != kMinWatermark) {
    return Status::Error(ErrorCode::kInternal, "restore of {} after it ran", Describe());
  }
  const uint32_t version = reader.ReadVersion(kFormatVersion);
  std::string_view body;
  if (version == 1) {
    body = reader.BytesView();
  } else {
    const uint64_t length = reader.U64();
    if (reader.ok() && length > reader.remaining()) {
      reader.Fail(fmt::format("aggregate state of {} bytes, {} left", length, reader.remaining()));
    }
    body = reader.Raw(reader.ok() ? static_cast<size_t>(length) : 0);
  }
  const uint32_t checksum = reader.U32();
  if (!reader.ok()) return reader.status();
  if (UnmaskCrc(checksum) != Crc32c(body)) {
    reader.Fail("aggregate state checksum mismatch");
    return reader.status();
  }
  storage::StateReader body_reader(body, fmt::format("state of {}", Describe()));
  RestoreBody(body_reader, version);
  reader.FailWith(body_reader.Finish());
  return reader.status();
}

Result<bool> AggregateOperator::BeginSnapshot() {
  // Pane windows: under ON WINDOW CLOSE they track no results; under CHANGES and ON UPDATE
  // the results changed since the last emission (none between batches) and the last
  // emitted ones; under EVERY the results changed in the current period too; all written in
  // slices. The ordered indexes (closing keys, state_ttl, session ends) are frozen at the
  // barrier and written in slices after the groups. Session windows under ON WINDOW CLOSE
  // track no results either; their keys and sessions are written in slices after the indexes.
  const bool incremental_window =
      (HasPaneIndex() &&
       (((def_.emit == EmitStrategy::kOnWindowClose || def_.emit == EmitStrategy::kChanges ||
          def_.emit == EmitStrategy::kOnUpdate) &&
         changed_.empty()) ||
        def_.emit == EmitStrategy::kPeriodic)) ||
      (HasSessions() && def_.emit == EmitStrategy::kOnWindowClose);
  if ((def_.window && !incremental_window) || !temporary_slots_.empty()) {
    return false;
  }
  if (incremental_ != nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: a snapshot is already in progress", Describe());
  }
  auto snapshot = std::make_unique<IncrementalSnapshot>();
  snapshot->writer.Reserve(2 * kPieceBytes);
  snapshot->length_offset = BeginFrame(snapshot->writer);
  snapshot->checked = snapshot->writer.size();
  WriteHead(snapshot->writer);
  // Part 5, in the order WriteIndexes writes it (a pointer per block of 256 entries).
  snapshot->indexes.reserve(3);
  snapshot->indexes.push_back(closing_.Freeze());
  snapshot->indexes.push_back(ttl_index_.Freeze());
  snapshot->indexes.push_back(session_ends_.Freeze());
  if (HasSessions()) {
    storage::StateWriter head;
    WriteSessionHead(head);
    snapshot->session_head = head.Release();
    snapshot->session_keys.Begin(session_keys_.slot_capacity());
    snapshot->sessions_done = false;
  }
  // After the pane index and the sessions: the changed results, which the slices write.
  snapshot->changed.emplace(changed_);
  storage::StateWriter tail;
  LAMINAR_RETURN_IF_ERROR(WriteTailAfterEmitted(tail));
  snapshot->tail_after_emitted = tail.Release();
  snapshot->emitted_count = last_emitted_.size();
  if (!last_emitted_.empty()) snapshot->emitted_last = last_emitted_.rbegin()->first;
  if (HasPaneIndex()) {
    snapshot->panes.reserve(panes_.size());
    for (const auto& [start, slots] : panes_) snapshot->panes.emplace_back(start, slots.size());
  }
  snapshot->slots.Begin(groups_.slot_capacity());
  snapshot->parked_bits.assign(snapshot->slots.done_bits.size(), 0);
  incremental_ = std::move(snapshot);
  return true;
}

Result<std::optional<StatePieces>> AggregateOperator::ContinueSnapshot(size_t max_entries) {
  if (incremental_ == nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: no snapshot in progress", Describe());
  }
  IncrementalSnapshot& snapshot = *incremental_;
  // Free slots and pane index entries cost a test or a varint each: they count for an eighth
  // of a group.
  size_t budget = std::max<size_t>(max_entries, 1) * 8;
  // Not written yet and live: live at the barrier (a slot taken since is marked done).
  const std::vector<uint32_t> block =
      snapshot.slots.Next(budget, [&](uint32_t slot) { return groups_.IsLive(slot); });
  if (!block.empty()) {
    WriteBlock(snapshot.writer, block);
    if (snapshot.parked > 0) FreeParked(block);
  }
  if (!snapshot.blocks_done && snapshot.slots.finished()) {
    snapshot.blocks_done = true;
    snapshot.writer.VarU64(0);  // No more blocks.
  }
  if (snapshot.blocks_done && !snapshot.indexes_done) {
    LAMINAR_ASSIGN_OR_RETURN(snapshot.indexes_done, ContinueIndexes(budget));
    if (snapshot.indexes_done && HasPaneIndex()) snapshot.writer.VarU64(snapshot.panes.size());
  }
  bool complete = false;
  if (snapshot.indexes_done && !snapshot.changed_begun) {
    LAMINAR_ASSIGN_OR_RETURN(bool panes_done, ContinuePaneIndex(budget));
    if (panes_done && !snapshot.sessions_done) panes_done = ContinueSessions(budget);
    if (panes_done) {
      snapshot.changed_begun = true;
      snapshot.writer.VarU64(snapshot.changed->count());
    }
  }
  if (snapshot.changed_begun && !snapshot.emitted_begun) {
    LAMINAR_ASSIGN_OR_RETURN(const bool changed_done, ContinueChanged(budget));
    if (changed_done) {
      snapshot.emitted_begun = true;
      snapshot.writer.VarU64(snapshot.emitted_count);
    }
  }
  if (snapshot.emitted_begun) {
    LAMINAR_ASSIGN_OR_RETURN(complete, ContinueEmitted(budget));
    if (complete) snapshot.writer.Raw(snapshot.tail_after_emitted);
  }
  // The checksum covers what this call and the batches since the last one wrote.
  const std::string& data = snapshot.writer.data();
  snapshot.crc =
      Crc32cExtend(snapshot.crc, data.data() + snapshot.checked, data.size() - snapshot.checked);
  snapshot.checked = data.size();
  if (!complete) {
    if (snapshot.writer.size() >= kPieceBytes) {
      // A full piece is set aside rather than grown, so that no reactor turn copies the state.
      snapshot.body_bytes += snapshot.writer.size();
      snapshot.checked = 0;
      snapshot.writer.SetAsidePieceIfFull(snapshot.pieces, kPieceBytes);
    }
    return std::optional<StatePieces>();
  }
  if (snapshot.parked != 0) {
    return Status::Error(ErrorCode::kInternal, "{}: {} groups kept for a snapshot not written",
                         Describe(), snapshot.parked);
  }
  // The body's length (after the version and the length itself) into the first piece.
  const size_t header = snapshot.length_offset + sizeof(uint64_t);
  const uint64_t length = snapshot.body_bytes + snapshot.writer.size() - header;
  snapshot.writer.U32(MaskCrc(snapshot.crc));
  StatePieces pieces = snapshot.writer.TakePieces(snapshot.pieces);
  std::memcpy(pieces.front().data() + snapshot.length_offset, &length, sizeof(length));
  incremental_.reset();
  return std::optional<StatePieces>(std::move(pieces));
}

Result<bool> AggregateOperator::ContinueIndexes(size_t& budget) {
  IncrementalSnapshot& snapshot = *incremental_;
  storage::StateWriter& writer = snapshot.writer;
  // As WriteIndex writes them. An entry costs two varints: an eighth of a group, like a pane
  // index entry.
  for (; snapshot.index < snapshot.indexes.size(); ++snapshot.index) {
    state::OrderedIndex::Frozen& index = snapshot.indexes[snapshot.index];
    if (!snapshot.index_begun) {
      writer.VarU64(index.size());
      snapshot.index_begun = true;
      snapshot.index_previous = 0;
    }
    const size_t wanted = std::min(budget, index.size() - index.read());
    const size_t read = index.ReadNext(wanted, [&](int64_t time, uint32_t slot) {
      writer.VarU64(static_cast<uint64_t>(time) - snapshot.index_previous);
      writer.VarU64(slot);
      snapshot.index_previous = static_cast<uint64_t>(time);
    });
    if (read != wanted) {
      return Status::Error(ErrorCode::kInternal, "{}: {} entries of an ordered index are gone",
                           Describe(), index.size() - index.read());
    }
    budget -= read;
    if (index.read() < index.size()) return false;  // The budget is spent.
    index = state::OrderedIndex::Frozen();          // Its blocks go back to the index.
    snapshot.index_begun = false;
  }
  return true;
}

void AggregateOperator::NoteSessionKey(uint32_t key_id, bool inserted) {
  if (inserted) {
    // Free at the barrier (or beyond its table): not part of the snapshot.
    incremental_->session_keys.TakeOwed(key_id);
  } else {
    SaveSessionKey(key_id);
  }
}

void AggregateOperator::SaveSessionKey(uint32_t key_id) {
  IncrementalSnapshot& snapshot = *incremental_;
  if (!snapshot.session_keys.TakeOwed(key_id)) return;
  snapshot.session_saved.push_back(IncrementalSnapshot::SavedSessionKey{
      key_id, std::string(session_keys_.key(key_id)), sessions_[key_id]});
}

bool AggregateOperator::ContinueSessions(size_t& budget) {
  IncrementalSnapshot& snapshot = *incremental_;
  storage::StateWriter& writer = snapshot.writer;
  if (!snapshot.session_head_written) {
    writer.Raw(snapshot.session_head);
    snapshot.session_head_written = true;
  }
  // A key with its sessions costs what a group does: 8 units; a free or done key id a test.
  const size_t saved_left = snapshot.session_saved.size() - snapshot.session_saved_written;
  if (saved_left > 0 && budget > 0) {
    const size_t count = std::min(saved_left, std::max<size_t>(budget / 8, 1));
    writer.VarU64(count);
    for (size_t i = 0; i < count; ++i) {
      IncrementalSnapshot::SavedSessionKey& saved =
          snapshot.session_saved[snapshot.session_saved_written++];
      WriteSessionKey(writer, saved.key_id, saved.key, saved.sessions);
      saved = {};  // Written: its memory goes now.
    }
    if (snapshot.session_saved_written == snapshot.session_saved.size()) {
      snapshot.session_saved.clear();
      snapshot.session_saved_written = 0;
    }
    budget -= std::min(budget, 8 * count);
  }
  // Not written yet and live: live at the barrier (a key taken since is marked done).
  const std::vector<uint32_t> block = snapshot.session_keys.Next(
      budget, [&](uint32_t key_id) { return session_keys_.IsLive(key_id); });
  if (!block.empty()) WriteSessionBlock(writer, block);
  // The saved copies are cleared once all are written.
  if (!snapshot.session_keys.finished() || !snapshot.session_saved.empty()) {
    return false;
  }
  writer.VarU64(0);  // No more blocks.
  snapshot.sessions_done = true;
  return true;
}

Result<bool> AggregateOperator::ContinuePaneIndex(size_t& budget) {
  IncrementalSnapshot& snapshot = *incremental_;
  storage::StateWriter& writer = snapshot.writer;
  while (snapshot.pane_cursor < snapshot.panes.size() && budget > 0) {
    const auto [start, count] = snapshot.panes[snapshot.pane_cursor];
    // A pane freed since the barrier left its slots in freed_panes; a live one's barrier
    // slots are the first `count` of its list.
    const std::vector<uint32_t>* slots = nullptr;
    if (auto freed = snapshot.freed_panes.find(start); freed != snapshot.freed_panes.end()) {
      slots = &freed->second;
    } else if (auto live = panes_.find(start);
               live != panes_.end() && live->second.size() >= count) {
      slots = &live->second;
    } else {
      return Status::Error(ErrorCode::kInternal, "{}: pane {} of the snapshot is gone", Describe(),
                           start);
    }
    if (snapshot.pane_position == 0) {
      writer.VarI64(start);
      writer.VarU64(count);
    }
    const size_t end = std::min(count, snapshot.pane_position + budget);
    for (size_t i = snapshot.pane_position; i < end; ++i) writer.VarU64((*slots)[i]);
    budget -= end - snapshot.pane_position;
    snapshot.pane_position = end;
    if (end == count) {
      snapshot.freed_panes.erase(start);
      ++snapshot.pane_cursor;
      snapshot.pane_position = 0;
    }
  }
  return snapshot.pane_cursor == snapshot.panes.size();
}

Result<bool> AggregateOperator::ContinueEmitted(size_t& budget) {
  IncrementalSnapshot& snapshot = *incremental_;
  // The next result after the cursor: a barrier row kept aside, or the current row of a
  // result that has not changed since the barrier (results added since are skipped).
  std::vector<std::pair<const ResultKey*, const std::vector<Value>*>> chunk;
  const ResultKey* last = snapshot.emitted_cursor ? &*snapshot.emitted_cursor : nullptr;
  auto live = last ? last_emitted_.upper_bound(*last) : last_emitted_.begin();
  auto saved = last ? snapshot.emitted_saved.upper_bound(*last) : snapshot.emitted_saved.begin();
  // The last result passed over without being written: added since the barrier, below every
  // result still to write, so the cursor may pass it.
  const ResultKey* skipped = nullptr;
  while (snapshot.emitted_written + chunk.size() < snapshot.emitted_count && budget > 0) {
    while (budget > 0 && live != last_emitted_.end() &&
           snapshot.emitted_added.count(live->first) != 0 &&
           (saved == snapshot.emitted_saved.end() || live->first < saved->first)) {
      skipped = &live->first;  // Added since the barrier (a saved one of the same key is
      ++live;                  // written instead); a skip costs a test.
      --budget;
    }
    if (budget == 0) break;
    budget = budget >= 8 ? budget - 8 : 0;  // A result costs what a group does: a whole row.
    const bool from_saved = saved != snapshot.emitted_saved.end() &&
                            (live == last_emitted_.end() || !(live->first < saved->first));
    if (from_saved) {
      if (live != last_emitted_.end() && !(saved->first < live->first)) ++live;  // Same key.
      chunk.emplace_back(&saved->first, &saved->second);
      ++saved;
    } else if (live != last_emitted_.end()) {
      chunk.emplace_back(&live->first, &live->second);
      ++live;
    } else {
      return Status::Error(ErrorCode::kInternal, "{}: {} emitted results of the snapshot are gone",
                           Describe(), snapshot.emitted_count - snapshot.emitted_written);
    }
  }
  if (!chunk.empty() || skipped != nullptr) {
    if (!chunk.empty()) {
      LAMINAR_RETURN_IF_ERROR(WriteEmittedChunk(chunk, snapshot.writer));
      snapshot.emitted_written += chunk.size();
    }
    // Whichever came last, the last result written or the last skipped.
    snapshot.emitted_cursor =
        chunk.empty() || (skipped != nullptr && *chunk.back().first < *skipped)
            ? *skipped
            : *chunk.back().first;
    // What the cursor passed needs keeping no more.
    snapshot.emitted_saved.erase(snapshot.emitted_saved.begin(),
                                 snapshot.emitted_saved.upper_bound(*snapshot.emitted_cursor));
    snapshot.emitted_added.erase(snapshot.emitted_added.begin(),
                                 snapshot.emitted_added.upper_bound(*snapshot.emitted_cursor));
  }
  return snapshot.emitted_written == snapshot.emitted_count;
}

Result<bool> AggregateOperator::ContinueChanged(size_t& budget) {
  IncrementalSnapshot& snapshot = *incremental_;
  storage::StateWriter& writer = snapshot.writer;
  // Half a group per result: a key of a node-based set, one cache miss or two.
  Result<bool> done =
      snapshot.changed->Continue(changed_, budget, 4, [&writer](const ResultKey& result) {
        writer.VarI64(result.window_start);
        writer.VarI64(result.window_end);
        writer.Bytes(result.key);
      });
  if (!done.ok())
    return Status::Error(done.status().code(), "{}: {}", Describe(), done.status().message());
  return done;
}

std::set<AggregateOperator::ResultKey>::iterator AggregateOperator::EraseChanged(
    std::set<ResultKey>::iterator result) {
  if (incremental_ == nullptr) return changed_.erase(result);
  return incremental_->changed->Erase(changed_, result);
}

std::map<AggregateOperator::ResultKey, std::vector<Value>>::iterator
AggregateOperator::EraseEmitted(std::map<ResultKey, std::vector<Value>>::iterator result) {
  if (incremental_ == nullptr || !incremental_->OwesEmitted(result->first)) {
    return last_emitted_.erase(result);
  }
  // The node moves, row and all: nothing is copied.
  auto next = std::next(result);
  incremental_->emitted_saved.insert(last_emitted_.extract(result));
  return next;
}

void AggregateOperator::NoteEmittedAdded(const ResultKey& result) {
  IncrementalSnapshot& snapshot = *incremental_;
  if (snapshot.EmittedPending(result)) snapshot.emitted_added.insert(result);
}

void AggregateOperator::SavePaneBeforeFree(int64_t start, const std::vector<uint32_t>& slots) {
  IncrementalSnapshot& snapshot = *incremental_;
  // Panes are freed in ascending order, from the first: the first one not written yet is at
  // the cursor or after it.
  auto it = std::lower_bound(
      snapshot.panes.begin() + static_cast<std::ptrdiff_t>(snapshot.pane_cursor),
      snapshot.panes.end(), start,
      [](const std::pair<int64_t, size_t>& pane, int64_t value) { return pane.first < value; });
  if (it == snapshot.panes.end() || it->first != start) return;  // Written, or not a barrier pane.
  snapshot.freed_panes.emplace(
      start, std::vector<uint32_t>(slots.begin(),
                                   slots.begin() + static_cast<std::ptrdiff_t>(it->second)));
}

void AggregateOperator::FreeParked(std::span<const uint32_t> slots) {
  IncrementalSnapshot& snapshot = *incremental_;
  for (uint32_t slot : slots) {
    if (!snapshot.is_parked(slot)) continue;
    snapshot.parked_bits[slot >> 6] &= ~(uint64_t{1} << (slot & 63));
    --snapshot.parked;
    FreeSlot(slot);  // Written already: FreeSlot saves nothing.
  }
}

void AggregateOperator::CancelSnapshot() {
  if (incremental_ == nullptr) return;
  std::unique_ptr<IncrementalSnapshot> snapshot = std::move(incremental_);
  // The groups kept for it are freed now, as their windows' closing would have.
  for (size_t word = 0; word < snapshot->parked_bits.size(); ++word) {
    for (uint64_t bits = snapshot->parked_bits[word]; bits != 0; bits &= bits - 1) {
      FreeSlot(static_cast<uint32_t>(word * 64 + static_cast<size_t>(std::countr_zero(bits))));
    }
  }
}

void AggregateOperator::SaveBeforeChange(std::span<const uint32_t> slots) {
  IncrementalSnapshot& snapshot = *incremental_;
  std::vector<uint32_t> owed;
  for (uint32_t slot : slots) {
    if (snapshot.slots.TakeOwed(slot)) owed.push_back(slot);
  }
  if (owed.empty()) return;
  std::sort(owed.begin(), owed.end());
  WriteBlock(snapshot.writer, owed);
}

void AggregateOperator::WriteHead(storage::StateWriter& writer) const {
  writer.U32(DefinitionFingerprint());
  for (int64_t value :
       {watermark_, emitted_watermark_, closed_up_to_, next_periodic_emit_, next_session_serial_,
        min_open_start_, min_start_scanned_at_, metrics_.rows_in, metrics_.late_rows,
        metrics_.windows_closed, metrics_.groups_expired}) {
    writer.VarI64(value);
  }
  writer.Bool(emitted_empty_global_);
  // The group table's slot capacity and free list (in reuse order); the keys are in the
  // blocks.
  writer.VarU64(groups_.slot_capacity());
  writer.VarU64(groups_.free_slots().size());
  for (uint32_t slot : groups_.free_slots()) writer.VarU64(slot);
}

void AggregateOperator::WriteBlock(storage::StateWriter& writer,
                                   std::span<const uint32_t> slots) const {
  writer.VarU64(slots.size());
  uint32_t previous = 0;
  for (uint32_t slot : slots) {
    writer.VarU64(slot - previous);
    previous = slot;
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    if (i + kPrefetchAhead < slots.size()) groups_.PrefetchSlot(slots[i + kPrefetchAhead]);
    writer.Bytes(groups_.key(slots[i]));
  }
  for (uint32_t slot : slots) writer.VarI64(row_counts_[slot]);
  for (const auto& accumulator : accumulators_) accumulator->SnapshotSlots(slots, writer);
  if (def_.state_ttl_micros) {
    for (uint32_t slot : slots) writer.VarI64(last_update_[slot]);
  }
}

Status AggregateOperator::WriteTail(storage::StateWriter& writer) const {
  WriteIndexes(writer);
  WritePaneIndex(writer);
  LAMINAR_RETURN_IF_ERROR(WriteTailAfterPanes(writer));
  LAMINAR_RETURN_IF_ERROR(WriteEmitted(writer));
  return WriteTailAfterEmitted(writer);
}

void AggregateOperator::WriteIndexes(storage::StateWriter& writer) const {
  WriteIndex(writer, closing_);
  WriteIndex(writer, ttl_index_);
  WriteIndex(writer, session_ends_);
}

bool AggregateOperator::HasPaneIndex() const {
  return def_.window && def_.window->kind != WindowKind::kSession;
}

bool AggregateOperator::HasSessions() const {
  return def_.window && def_.window->kind == WindowKind::kSession;
}

void AggregateOperator::WriteSessionHead(storage::StateWriter& writer) const {
  writer.VarU64(session_keys_.slot_capacity());
  writer.VarU64(session_keys_.free_slots().size());
  for (uint32_t key_id : session_keys_.free_slots()) writer.VarU64(key_id);
}

void AggregateOperator::WriteSessionKey(storage::StateWriter& writer, uint32_t key_id,
                                        std::string_view key, std::span<const Session> sessions) {
  writer.VarU64(key_id);
  writer.Bytes(key);
  writer.VarU64(sessions.size());
  for (const Session& session : sessions) {
    writer.VarI64(session.start);
    writer.VarI64(session.end);
    writer.VarU64(session.slot);
  }
}

void AggregateOperator::WriteSessionBlock(storage::StateWriter& writer,
                                          std::span<const uint32_t> key_ids) const {
  writer.VarU64(key_ids.size());
  for (uint32_t key_id : key_ids) {
    WriteSessionKey(writer, key_id, session_keys_.key(key_id), sessions_[key_id]);
  }
}

void AggregateOperator::WritePaneIndex(storage::StateWriter& writer) const {
  if (!HasPaneIndex()) return;
  writer.VarU64(panes_.size());
  for (const auto& [start, slots] : panes_) {
    writer.VarI64(start);
    writer.VarU64(slots.size());
    for (uint32_t slot : slots) writer.VarU64(slot);
  }
}

Status AggregateOperator::WriteTailAfterPanes(storage::StateWriter& writer) const {
  if (HasSessions()) {
    WriteSessionHead(writer);
    const std::vector<uint32_t> keys = LiveSlots(session_keys_);
    if (!keys.empty()) WriteSessionBlock(writer, keys);
    writer.VarU64(0);  // No more blocks.
  }

  // What changed since the last emission.
  writer.VarU64(changed_.size());
  for (const ResultKey& result : changed_) {
    writer.VarI64(result.window_start);
    writer.VarI64(result.window_end);
    writer.Bytes(result.key);
  }
  return Status::Ok();
}

Status AggregateOperator::WriteEmittedChunk(
    std::span<const std::pair<const ResultKey*, const std::vector<Value>*>> entries,
    storage::StateWriter& writer) const {
  writer.VarU64(entries.size());
  std::vector<const std::vector<Value>*> rows;
  rows.reserve(entries.size());
  for (const auto& [result, row] : entries) {
    writer.VarI64(result->window_start);
    writer.VarI64(result->window_end);
    writer.Bytes(result->key);
    rows.push_back(row);
  }
  return WriteRows(rows, writer);
}

Status AggregateOperator::WriteEmitted(storage::StateWriter& writer) const {
  writer.VarU64(last_emitted_.size());
  std::vector<std::pair<const ResultKey*, const std::vector<Value>*>> chunk;
  for (const auto& [result, row] : last_emitted_) {
    chunk.emplace_back(&result, &row);
    if (chunk.size() == kEmittedChunk) {
      LAMINAR_RETURN_IF_ERROR(WriteEmittedChunk(chunk, writer));
      chunk.clear();
    }
  }
  if (!chunk.empty()) LAMINAR_RETURN_IF_ERROR(WriteEmittedChunk(chunk, writer));
  return Status::Ok();
}

Status AggregateOperator::WriteTailAfterEmitted(storage::StateWriter& writer) const {
  std::vector<const std::vector<Value>*> rows;
  writer.VarU64(dirty_slots_.size());
  for (uint32_t slot : dirty_slots_) writer.VarU64(slot);
  // The live slots flagged dirty, ascending. Every one is listed in dirty_slots_ (stale
  // entries and repeats of reused slots too).
  std::vector<uint32_t> flagged;
  for (uint32_t slot : dirty_slots_) {
    if (slot < dirty_.size() && dirty_[slot] != 0 && groups_.IsLive(slot)) {
      flagged.push_back(slot);
    }
  }
  std::sort(flagged.begin(), flagged.end());
  flagged.erase(std::unique(flagged.begin(), flagged.end()), flagged.end());
  writer.VarU64(flagged.size());
  for (uint32_t slot : flagged) {
    writer.VarU64(slot);
    // A dirty slot's row is explicit (ProcessGroups materialises it before marking it).
    const std::vector<Value>* row = EmittedRow(slot);
    writer.Bool(row != nullptr);
    if (row != nullptr) rows.push_back(row);
  }
  if (!rows.empty()) LAMINAR_RETURN_IF_ERROR(WriteRows(rows, writer));
  return Status::Ok();
}

bool AggregateOperator::IsGroupKey(std::string_view key) const {
  if (!def_.window) return encoder_.IsCanonical(key);
  return key.size() >= sizeof(int64_t) && encoder_.IsCanonical(key.substr(sizeof(int64_t)));
}

void AggregateOperator::RestoreBody(storage::StateReader& reader, uint32_t version) {
  const uint32_t fingerprint = reader.U32();
  if (reader.ok() && fingerprint != DefinitionFingerprint()) {
    reader.Fail("the state of another aggregation");
    return;
  }
  for (int64_t* value :
       {&watermark_, &emitted_watermark_, &closed_up_to_, &next_periodic_emit_,
        &next_session_serial_, &min_open_start_, &min_start_scanned_at_, &metrics_.rows_in,
        &metrics_.late_rows, &metrics_.windows_closed, &metrics_.groups_expired}) {
    *value = reader.VarI64();
  }
  emitted_empty_global_ = reader.Bool();

  // The group table's head: its slot capacity and free list.
  const uint64_t table_capacity = reader.VarU64();
  const size_t free_count = reader.Count(1);
  if (!reader.ok()) return;
  // Each live slot's key takes at least its length byte.
  if (table_capacity >= state::GroupTable::kNoSlot || free_count > table_capacity ||
      table_capacity - free_count > reader.remaining()) {
    reader.Fail(fmt::format("group table of {} slots, {} free", table_capacity, free_count));
    return;
  }
  const uint32_t capacity = static_cast<uint32_t>(table_capacity);
  // Per slot: 1 free, 2 restored from a block.
  std::vector<uint8_t> seen(capacity, 0);
  std::vector<uint32_t> free_slots(free_count);
  for (uint32_t& slot : free_slots) {
    const uint64_t value = reader.VarU64();
    if (!reader.ok()) return;
    if (value >= capacity || seen[value] != 0) {
      reader.Fail(fmt::format("free slot {} of a group table", value));
      return;
    }
    slot = static_cast<uint32_t>(value);
    seen[value] = 1;
  }
  EnsureSlots(capacity);
  // The blocks of groups, until an empty one. Each block's keys are read in place and
  // inserted once the block is read (GroupTable::RestoreKeys), into a table sized for every
  // live group at the start.
  groups_.Reserve(capacity - free_count);
  std::vector<std::string_view> keys;
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> block;
  // A block's keys, net rows, accumulator states and last update times.
  auto read_groups = [&] {
    keys.clear();
    hashes.clear();
    for (size_t i = 0; i < block.size(); ++i) {
      keys.push_back(reader.BytesView());
      if (reader.ok() && !IsGroupKey(keys.back())) {
        reader.Fail(fmt::format("the key of group slot {}", block[i]));
        return;
      }
      hashes.push_back(state::GroupTable::Hash(keys.back()));
    }
    for (uint32_t group : block) row_counts_[group] = reader.VarI64();
    for (const auto& accumulator : accumulators_) {
      if (!reader.ok() || !accumulator->RestoreSlots(block, reader).ok()) return;
    }
    if (def_.state_ttl_micros) {
      for (uint32_t group : block) last_update_[group] = reader.VarI64();
    }
    if (reader.ok() && !groups_.RestoreKeys(keys, hashes, block)) {
      reader.Fail("a key twice in a group table");
    }
  };
  if (version == 1) {
    // Version 1: one block of every slot not free, ascending, without count or slots.
    for (uint32_t slot = 0; slot < capacity; ++slot) {
      if (seen[slot] == 0) block.push_back(slot);
    }
    if (!block.empty()) read_groups();
  }
  while (version >= 2 && reader.ok()) {
    // A group takes at least 3 bytes: its slot, its key's length and its count.
    const size_t count = reader.Count(3);
    if (count == 0) break;
    block.resize(count);
    uint64_t slot = 0;
    for (size_t i = 0; i < count; ++i) {
      const uint64_t delta = reader.VarU64();
      if (!reader.ok()) return;
      if ((i > 0 && delta == 0) || delta >= capacity || slot + delta >= capacity ||
          seen[slot + delta] != 0) {
        reader.Fail(fmt::format("group slot {} + {} in a block", slot, delta));
        return;
      }
      slot += delta;
      seen[slot] = 2;
      block[i] = static_cast<uint32_t>(slot);
    }
    read_groups();
  }
  if (!reader.ok()) return;
  if (!groups_.RestoreFreeSlots(capacity, std::move(free_slots))) {
    reader.Fail("a group slot neither free nor restored");
    return;
  }
  // A closing_ entry is popped for good, so it must name a live group.
  ReadIndex(reader, closing_, groups_, /*live_only=*/true);
  ReadIndex(reader, ttl_index_, groups_, /*live_only=*/false);
  ReadIndex(reader, session_ends_, groups_, /*live_only=*/false);
  if (!reader.ok()) return;

  // Every live slot is in exactly one pane or session.
  std::vector<uint8_t> placed;
  auto place = [&](uint64_t slot, int64_t prefix, bool check_prefix) {
    if (slot >= capacity || !groups_.IsLive(static_cast<uint32_t>(slot)) || placed[slot] != 0) {
      reader.Fail(fmt::format("window state of slot {}", slot));
      return false;
    }
    // The (pane or session, key) state's key starts with the pane start or session serial.
    const std::string_view key = groups_.key(static_cast<uint32_t>(slot));
    if (key.size() < sizeof(int64_t) ||
        (check_prefix && std::memcmp(key.data(), &prefix, sizeof(int64_t)) != 0)) {
      reader.Fail(fmt::format("key of the window state of slot {}", slot));
      return false;
    }
    placed[slot] = 1;
    return true;
  };
  if (HasPaneIndex()) {
    // Version 2 wrote the table of distinct keys and each pane slot's key id. Version 3
    // rebuilds the table from the pane slots' keys: their pane's start, then the row's key.
    const bool key_ids = version <= 2;
    if (key_ids) {
      ReadGroupTable(reader, pane_keys_, encoder_);
      if (!reader.ok()) return;
    }
    key_refs_.assign(pane_keys_.slot_capacity(), 0);
    key_pane_.assign(pane_keys_.slot_capacity(), 0);
    key_pane_slot_.assign(pane_keys_.slot_capacity(), 0);
    slot_key_id_.assign(slot_capacity_, 0);
    placed.assign(capacity, 0);
    const size_t pane_count = reader.Count(2);
    for (size_t p = 0; p < pane_count && reader.ok(); ++p) {
      const int64_t start = reader.VarI64();
      const size_t count = reader.Count(key_ids ? 2 : 1);
      if (!reader.ok()) return;
      auto [pane, inserted] = panes_.try_emplace(start);
      if (!inserted || count == 0) {
        reader.Fail(fmt::format("pane {}", start));
        return;
      }
      pane->second.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        const uint64_t slot = reader.VarU64();
        uint64_t key_id = key_ids ? reader.VarU64() : 0;
        if (!reader.ok() || !place(slot, start, true)) return;
        if (key_ids) {
          if (key_id >= pane_keys_.slot_capacity() ||
              !pane_keys_.IsLive(static_cast<uint32_t>(key_id))) {
            reader.Fail(fmt::format("key id {} of pane slot {}", key_id, slot));
            return;
          }
        } else {
          const std::string_view key =
              groups_.key(static_cast<uint32_t>(slot)).substr(sizeof(int64_t));
          bool new_key = false;
          key_id = pane_keys_.FindOrInsert(key, state::GroupTable::Hash(key), &new_key);
          if (key_id >= key_refs_.size()) {
            const size_t size = pane_keys_.slot_capacity();
            key_refs_.resize(size, 0);
            key_pane_.resize(size, 0);
            key_pane_slot_.resize(size, 0);
          }
        }
        pane->second.push_back(static_cast<uint32_t>(slot));
        slot_key_id_[slot] = static_cast<uint32_t>(key_id);
        ++key_refs_[key_id];
        key_pane_[key_id] = start;
        key_pane_slot_[key_id] = static_cast<uint32_t>(slot);
      }
    }
    for (uint32_t key_id = 0; key_ids && key_id < pane_keys_.slot_capacity() && reader.ok();
         ++key_id) {
      if (pane_keys_.IsLive(key_id) && key_refs_[key_id] == 0) reader.Fail("a key in no pane");
    }
  } else if (def_.window) {
    placed.assign(capacity, 0);
    // One key's sessions, in ascending start order, each once.
    // A session's group key is its serial, then the key it is listed under.
    auto read_sessions = [&](uint32_t key_id, std::string_view key) {
      const size_t count = reader.Count(3);
      std::vector<Session>& list = sessions_[key_id];
      list.reserve(count);
      for (size_t i = 0; i < count && reader.ok(); ++i) {
        Session session;
        session.start = reader.VarI64();
        session.end = reader.VarI64();
        const uint64_t slot = reader.VarU64();
        if (!reader.ok() || !place(slot, 0, false)) return;
        if (groups_.key(static_cast<uint32_t>(slot)).substr(sizeof(int64_t)) != key) {
          reader.Fail(fmt::format("the session of slot {} under another key", slot));
          return;
        }
        if (session.end < session.start || (!list.empty() && list.back().end > session.start)) {
          reader.Fail(
              fmt::format("a session of {} to {} out of order", session.start, session.end));
          return;
        }
        session.slot = static_cast<uint32_t>(slot);
        slot_session_end_[slot] = session.end;
        slot_session_key_[slot] = key_id;
        list.push_back(session);
      }
    };
    if (version <= 4) {
      // The key table, then each live key's sessions in key order.
      const std::vector<uint32_t> keys = ReadGroupTable(reader, session_keys_, encoder_);
      if (!reader.ok()) return;
      sessions_.assign(session_keys_.slot_capacity(), {});
      for (uint32_t key_id : keys) {
        read_sessions(key_id, session_keys_.key(key_id));
        if (!reader.ok()) return;
      }
    } else {
      // The key table's head, then blocks of keys with their sessions, each live key once.
      TableHead head = ReadTableHead(reader);
      if (!reader.ok()) return;
      const size_t key_capacity = static_cast<size_t>(head.capacity);
      sessions_.assign(key_capacity, {});
      std::vector<uint8_t> is_live(key_capacity, 0);
      for (uint32_t key_id : head.live) is_live[key_id] = 1;
      std::vector<std::string_view> key_of(key_capacity);
      size_t keys_read = 0;
      for (;;) {
        const size_t count = reader.Count(3);
        if (!reader.ok()) return;
        if (count == 0) break;
        for (size_t i = 0; i < count; ++i) {
          const uint64_t key_id = reader.VarU64();
          if (!reader.ok()) return;
          if (key_id >= key_capacity || is_live[key_id] != 1) {
            reader.Fail(fmt::format("session key {}", key_id));
            return;
          }
          is_live[key_id] = 2;  // Read.
          key_of[key_id] = reader.BytesView();
          read_sessions(static_cast<uint32_t>(key_id), key_of[key_id]);
          if (!reader.ok()) return;
          ++keys_read;
        }
      }
      if (keys_read != head.live.size()) {
        reader.Fail(fmt::format("{} of {} session keys", keys_read, head.live.size()));
        return;
      }
      std::vector<std::string_view> keys;
      keys.reserve(head.live.size());
      for (uint32_t key_id : head.live) keys.push_back(key_of[key_id]);
      RestoreTable(reader, std::move(head), keys, session_keys_, encoder_);
      if (!reader.ok()) return;
    }
  }
  if (!placed.empty() &&
      static_cast<size_t>(std::count(placed.begin(), placed.end(), 1)) != groups_.size()) {
    reader.Fail("a group in no window");
    return;
  }

  const size_t changed = reader.Count(3);
  for (size_t i = 0; i < changed && reader.ok(); ++i) {
    ResultKey result;
    result.window_start = reader.VarI64();
    result.window_end = reader.VarI64();
    result.key = reader.Bytes();
    if (reader.ok() && !encoder_.IsCanonical(result.key)) {
      reader.Fail("the key of a changed result");
      return;
    }
    // In ascending order, each once (as every version wrote them).
    if (reader.ok() && !changed_.empty() && !(*changed_.rbegin() < result)) {
      reader.Fail("changed results out of order");
      return;
    }
    changed_.insert(changed_.end(), std::move(result));
  }
  // The last emitted results: one chunk of all of them up to version 3, chunks from 4.
  const size_t emitted = reader.Count(3);
  for (size_t read = 0; read < emitted && reader.ok();) {
    const size_t chunk = version >= 4 ? reader.Count(3) : emitted;
    if (!reader.ok()) return;
    if (chunk == 0 || chunk > emitted - read) {
      reader.Fail(fmt::format("a chunk of {} emitted results, {} left", chunk, emitted - read));
      return;
    }
    std::vector<ResultKey> results(chunk);
    for (ResultKey& result : results) {
      result.window_start = reader.VarI64();
      result.window_end = reader.VarI64();
      result.key = reader.Bytes();
      if (!reader.ok()) return;
      if (!encoder_.IsCanonical(result.key)) {
        reader.Fail("the key of an emitted result");
        return;
      }
    }
    std::vector<std::vector<Value>> rows = ReadRows(reader, chunk);
    if (!reader.ok()) return;
    for (size_t i = 0; i < chunk; ++i) {
      // In ascending order, each once.
      if (!last_emitted_.empty() && !(last_emitted_.rbegin()->first < results[i])) {
        reader.Fail("emitted results out of order");
        return;
      }
      last_emitted_.emplace_hint(last_emitted_.end(), std::move(results[i]), std::move(rows[i]));
    }
    read += chunk;
  }

  const size_t dirty_count = reader.Count(1);
  dirty_slots_.resize(dirty_count);
  for (uint32_t& slot : dirty_slots_) {
    const uint64_t value = reader.VarU64();
    if (reader.ok() && value >= capacity) reader.Fail(fmt::format("dirty slot {}", value));
    slot = static_cast<uint32_t>(value);
  }
  if (!reader.ok()) return;
  const bool tracks_slots = !def_.window && def_.emit != EmitStrategy::kOnWindowClose;
  if (tracks_slots || dirty_count > 0) {
    dirty_.assign(slot_capacity_, 0);
    emitted_row_.assign(slot_capacity_, 0);
    emitted_rows_.clear();
    free_emitted_rows_.clear();
    emitted_pending_.assign(slot_capacity_, 0);
  }
  const size_t flagged_count = reader.Count(2);
  std::vector<uint32_t> with_rows;
  for (size_t i = 0; i < flagged_count && reader.ok(); ++i) {
    const uint64_t slot = reader.VarU64();
    const bool has_row = reader.Bool();
    if (!reader.ok()) return;
    if (slot >= capacity || slot >= dirty_.size() || !groups_.IsLive(static_cast<uint32_t>(slot)) ||
        dirty_[slot] != 0) {
      reader.Fail(fmt::format("dirty slot {}", slot));
      return;
    }
    dirty_[slot] = 1;
    if (has_row) with_rows.push_back(static_cast<uint32_t>(slot));
  }
  if (!with_rows.empty()) {
    std::vector<std::vector<Value>> rows = ReadRows(reader, with_rows.size());
    for (size_t i = 0; i < rows.size(); ++i) SetEmittedRow(with_rows[i]) = std::move(rows[i]);
  }
  if (tracks_slots) {
    for (uint32_t slot = 0; slot < capacity; ++slot) {
      emitted_pending_[slot] = groups_.IsLive(slot) && dirty_[slot] == 0 ? 1 : 0;
    }
  }
}

Status AggregateOperator::WriteRows(const std::vector<const std::vector<Value>*>& rows,
                                    storage::StateWriter& writer) const {
  BatchBuilder builder(def_.output_schema);
  for (const std::vector<Value>* row : rows) LAMINAR_RETURN_IF_ERROR(builder.AppendRow(*row));
  LAMINAR_ASSIGN_OR_RETURN(Batch batch, builder.Finish());
  writer.BatchOf(batch);
  return Status::Ok();
}

std::vector<std::vector<Value>> AggregateOperator::ReadRows(storage::StateReader& reader,
                                                            size_t count) const {
  const Batch batch = reader.BatchOf();
  if (!reader.ok()) return {};
  const Schema& schema = *def_.output_schema;
  bool matches =
      batch.num_rows() == static_cast<int64_t>(count) && batch.num_columns() == schema.num_fields();
  for (int c = 0; matches && c < schema.num_fields(); ++c) {
    matches = batch.column(c).type() == schema.field(c).type;
  }
  if (!matches) {
    reader.Fail("emitted rows of another shape");
    return {};
  }
  std::vector<std::vector<Value>> rows(count);
  for (size_t i = 0; i < count; ++i) {
    rows[i].reserve(static_cast<size_t>(schema.num_fields()));
    for (int c = 0; c < schema.num_fields(); ++c) {
      rows[i].push_back(batch.column(c).GetValue(static_cast<int64_t>(i)));
    }
  }
  return rows;
}

Status AggregateOperator::MaterializeEmitted(std::span<const uint32_t> slots) {
  std::vector<PendingRow> pending;
  pending.reserve(slots.size());
  for (uint32_t slot : slots) {
    pending.push_back(PendingRow{0, 0, std::string(groups_.key(slot)), slot, 1});
  }
  ChangeBatch batch;
  LAMINAR_RETURN_IF_ERROR(BuildOutput(pending, batch));
  for (size_t i = 0; i < slots.size(); ++i) {
    std::vector<Value>& row = SetEmittedRow(slots[i]);
    row.reserve(static_cast<size_t>(batch.rows.num_columns()));
    for (int c = 0; c < batch.rows.num_columns(); ++c) {
      row.push_back(batch.rows.column(c).GetValue(static_cast<int64_t>(i)));
    }
    emitted_pending_[slots[i]] = 0;
  }
  return Status::Ok();
}

}  // namespace laminar::exec
