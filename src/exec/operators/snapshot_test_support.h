#pragma once

// Checkpoint tests of stateful operators: an input script run once without interruption and
// again with Snapshot / Restore into a fresh operator at chosen steps must produce the same
// outputs, event for event; truncated or damaged state must be refused, never crash.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "exec/operators/operator.h"
#include "storage/state_io.h"

namespace laminar::exec {

/// The bytes of a state kept as test data: a file of hex digits (line breaks ignored) under
/// `directory` of the source tree, e.g. "src/exec/operators/testdata". Empty when unreadable.
inline std::string ReadHexState(std::string_view directory, std::string_view file) {
  std::ifstream in(std::string(LAMINAR_SOURCE_ROOT) + "/" + std::string(directory) + "/" +
                   std::string(file));
  std::string hex;
  for (std::string line; std::getline(in, line);) hex += line;
  std::string state;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    state.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return state;
}

/// One step of an operator's input script.
struct OperatorStep {
  enum class Kind { kBatch, kWatermark, kTimer, kClock };
  Kind kind = Kind::kBatch;
  int port = 0;
  ChangeBatch batch;
  /// kWatermark: the watermark; kTimer: the time OnTimer is called with (the clock is set to
  /// it first); kClock: the time the clock is set to.
  int64_t value = 0;

  static OperatorStep Rows(int port, ChangeBatch batch) {
    return OperatorStep{Kind::kBatch, port, std::move(batch), 0};
  }
  static OperatorStep Watermark(int port, int64_t watermark) {
    return OperatorStep{Kind::kWatermark, port, {}, watermark};
  }
  static OperatorStep Timer(int64_t now) { return OperatorStep{Kind::kTimer, 0, {}, now}; }
  static OperatorStep Clock(int64_t now) { return OperatorStep{Kind::kClock, 0, {}, now}; }
};

/// Records everything an operator outputs, in order, as text: batches row by row with their
/// weights, watermarks and side outputs.
class RecordingOutput final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    events.push_back("batch" + BatchText(batch));
    return Status::Ok();
  }
  Status EmitWatermark(int64_t watermark) override {
    events.push_back(fmt::format("watermark {}", watermark));
    return Status::Ok();
  }
  Status EmitSide(int side, const ChangeBatch& batch) override {
    events.push_back(fmt::format("side {}", side) + BatchText(batch));
    return Status::Ok();
  }

  static std::string BatchText(const ChangeBatch& batch) {
    std::string text;
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      text += " |";
      for (int c = 0; c < batch.rows.num_columns(); ++c) {
        const Column& column = batch.rows.column(c);
        text += " " + (column.IsNull(row) ? std::string("NULL") : column.GetValue(row).ToString());
      }
      text += fmt::format(" @{}", batch.weight(row));
    }
    return text;
  }

  std::vector<std::string> events;
};

using OperatorFactory = std::function<std::unique_ptr<Operator>()>;

/// Runs steps [begin, end) of `steps` on `op`. `clock` (may be null) is set by kTimer and
/// kClock steps.
inline Status RunOperatorSteps(Operator& op, const std::vector<OperatorStep>& steps, size_t begin,
                               size_t end, ManualClock* clock, OperatorOutput& out) {
  for (size_t i = begin; i < end; ++i) {
    const OperatorStep& step = steps[i];
    switch (step.kind) {
      case OperatorStep::Kind::kBatch:
        LAMINAR_RETURN_IF_ERROR(op.Process(step.port, step.batch, out));
        break;
      case OperatorStep::Kind::kWatermark:
        LAMINAR_RETURN_IF_ERROR(op.OnWatermark(step.port, step.value, out));
        break;
      case OperatorStep::Kind::kTimer:
        if (clock != nullptr) clock->SetNowMicros(step.value);
        LAMINAR_RETURN_IF_ERROR(op.OnTimer(step.value, out));
        break;
      case OperatorStep::Kind::kClock:
        if (clock != nullptr) clock->SetNowMicros(step.value);
        break;
    }
  }
  return Status::Ok();
}

/// Runs the script on a fresh operator, moving to another fresh operator (Snapshot, then
/// Restore) before each step index in `cuts` (ascending). Returns the outputs; the states
/// taken go to `states` when not null.
inline std::vector<std::string> RunWithSnapshots(const OperatorFactory& make,
                                                 const std::vector<OperatorStep>& steps,
                                                 const std::vector<size_t>& cuts,
                                                 ManualClock* clock,
                                                 std::vector<std::string>* states = nullptr) {
  if (clock != nullptr) clock->SetNowMicros(0);
  RecordingOutput out;
  std::unique_ptr<Operator> op = make();
  size_t position = 0;
  for (const size_t cut : cuts) {
    Status run = RunOperatorSteps(*op, steps, position, cut, clock, out);
    EXPECT_TRUE(run.ok()) << run.ToString();
    position = cut;
    storage::StateWriter writer;
    Status snapshot = op->Snapshot(writer);
    EXPECT_TRUE(snapshot.ok()) << snapshot.ToString();
    op.reset();  // Nothing of the old operator survives: the fresh one has only the state.
    std::unique_ptr<Operator> fresh = make();
    storage::StateReader reader(writer.data(), "test state");
    Status restore = fresh->Restore(reader);
    EXPECT_TRUE(restore.ok()) << restore.ToString();
    Status finish = reader.Finish();
    EXPECT_TRUE(finish.ok()) << finish.ToString();
    if (states != nullptr) states->push_back(writer.Release());
    op = std::move(fresh);
  }
  Status run = RunOperatorSteps(*op, steps, position, steps.size(), clock, out);
  EXPECT_TRUE(run.ok()) << run.ToString();
  return out.events;
}

/// Empty when `actual` equals `expected`, else where they first differ.
inline std::string FirstDifference(const std::vector<std::string>& expected,
                                   const std::vector<std::string>& actual) {
  const size_t common = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < common; ++i) {
    if (expected[i] != actual[i]) {
      return fmt::format("event {} differs:\n  expected: {}\n  actual:   {}", i,
                         expected[i].substr(0, 600), actual[i].substr(0, 600));
    }
  }
  if (expected.size() != actual.size()) {
    return fmt::format("{} events expected, {} emitted", expected.size(), actual.size());
  }
  return {};
}

/// The differential check: the outputs with Snapshot / Restore at one random step, and at
/// several random steps, equal the uninterrupted outputs. Returns the states taken (for the
/// corruption checks).
inline std::vector<std::string> ExpectSnapshotsAreTransparent(
    const OperatorFactory& make, const std::vector<OperatorStep>& steps, uint32_t seed,
    ManualClock* clock = nullptr) {
  SCOPED_TRACE(fmt::format("snapshot seed {}, {} steps", seed, steps.size()));
  std::mt19937 random(seed);
  const std::vector<std::string> expected = RunWithSnapshots(make, steps, {}, clock);
  std::uniform_int_distribution<size_t> any_step(0, steps.size());
  std::vector<std::string> states;
  const std::vector<size_t> one = {any_step(random)};
  EXPECT_EQ(FirstDifference(expected, RunWithSnapshots(make, steps, one, clock, &states)), "")
      << "one snapshot before step " << one[0];
  std::vector<size_t> several;
  for (int i = 0; i < 4; ++i) several.push_back(any_step(random));
  std::sort(several.begin(), several.end());
  EXPECT_EQ(FirstDifference(expected, RunWithSnapshots(make, steps, several, clock, &states)), "")
      << "snapshots before steps " << fmt::format("{}", fmt::join(several, ", "));
  return states;
}

/// Calls ContinueSnapshot(max_entries) until the snapshot in progress completes, and returns
/// its pieces joined; empty, with a test failure, if a call fails.
inline std::string FinishSnapshot(Operator& op, size_t max_entries = 1) {
  for (;;) {
    Result<std::optional<StatePieces>> more = op.ContinueSnapshot(max_entries);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok()) return {};
    if (more->has_value()) {
      std::string state;
      for (const std::string& piece : **more) state += piece;
      return state;
    }
  }
}

/// The differential check of incremental snapshots (Operator::BeginSnapshot). One operator
/// runs the script, begins a snapshot at random steps and interleaves ContinueSnapshot calls
/// of 1 or 2 entries with the following steps, so batches and watermarks change state the
/// snapshot has not written yet. Its output must equal an uninterrupted run's. Each completed
/// state, restored into a fresh operator, must equal the state at its barrier: the fresh
/// operator's counters (MetricsText) equal those of one restored from Snapshot taken there,
/// and from the barrier's step on it emits exactly what the uninterrupted run emitted and ends
/// with the same counters. Returns
/// the completed states, and the number of steps run while a snapshot was in progress in
/// `*interleaved`. Some snapshots are abandoned instead (CancelSnapshot after a few slices):
/// the operator must go on as if they had not begun.
inline std::vector<std::string> ExpectIncrementalSnapshotsAreExact(
    const OperatorFactory& make, const std::vector<OperatorStep>& steps, uint32_t seed,
    size_t* interleaved = nullptr, ManualClock* clock = nullptr) {
  SCOPED_TRACE(fmt::format("incremental snapshot seed {}, {} steps", seed, steps.size()));
  // The uninterrupted run, and how many events precede each step.
  if (clock != nullptr) clock->SetNowMicros(0);
  RecordingOutput expected;
  std::vector<size_t> events_before;
  std::string metrics_at_end;
  {
    std::unique_ptr<Operator> op = make();
    for (size_t i = 0; i < steps.size(); ++i) {
      events_before.push_back(expected.events.size());
      EXPECT_TRUE(RunOperatorSteps(*op, steps, i, i + 1, clock, expected).ok());
    }
    metrics_at_end = op->MetricsText();
  }
  // The clock as the steps before `step` left it.
  auto clock_before = [&](size_t step) {
    int64_t now = 0;
    for (size_t i = 0; i < step; ++i) {
      if (steps[i].kind != OperatorStep::Kind::kBatch &&
          steps[i].kind != OperatorStep::Kind::kWatermark) {
        now = steps[i].value;
      }
    }
    return now;
  };
  auto restored = [&](const std::string& state) {
    std::unique_ptr<Operator> op = make();
    storage::StateReader reader(state, "test state");
    Status status = op->Restore(reader);
    if (status.ok()) status = reader.Finish();
    EXPECT_TRUE(status.ok()) << status.ToString();
    return op;
  };
  std::mt19937 random(seed);
  std::vector<std::string> states;
  size_t interleaved_steps = 0;
  if (clock != nullptr) clock->SetNowMicros(0);
  RecordingOutput actual;
  std::unique_ptr<Operator> op = make();
  size_t position = 0;
  while (position < steps.size()) {
    const size_t barrier = std::min(steps.size(), position + random() % 12);
    EXPECT_TRUE(RunOperatorSteps(*op, steps, position, barrier, clock, actual).ok());
    position = barrier;
    if (random() % 5 == 0) {
      // An abandoned snapshot (its checkpoint failed elsewhere): a few slices and steps, then
      // CancelSnapshot. What it copied must not leak into the operator or the next snapshot.
      Result<bool> begun = op->BeginSnapshot();
      EXPECT_TRUE(begun.ok() && *begun) << "no incremental snapshot";
      for (int i = 0; i < 3; ++i) {
        if (position < steps.size()) {
          EXPECT_TRUE(RunOperatorSteps(*op, steps, position, position + 1, clock, actual).ok());
          ++position;
        }
        Result<std::optional<StatePieces>> more = op->ContinueSnapshot(1);
        EXPECT_TRUE(more.ok()) << more.status();
        if (more.ok() && more->has_value()) break;  // Complete already: nothing to cancel.
        if (i == 2) op->CancelSnapshot();
      }
      continue;
    }
    storage::StateWriter at_barrier;
    EXPECT_TRUE(op->Snapshot(at_barrier).ok());
    Result<bool> begun = op->BeginSnapshot();
    EXPECT_TRUE(begun.ok() && *begun) << "no incremental snapshot";
    if (!begun.ok() || !*begun) return states;
    std::optional<std::string> state;
    while (!state) {
      if (position < steps.size() && random() % 3 != 0) {
        EXPECT_TRUE(RunOperatorSteps(*op, steps, position, position + 1, clock, actual).ok());
        ++position;
        ++interleaved_steps;
      }
      Result<std::optional<StatePieces>> more = op->ContinueSnapshot(1 + random() % 2);
      EXPECT_TRUE(more.ok()) << more.status();
      if (!more.ok()) return states;
      if (more->has_value()) {
        state.emplace();
        for (const std::string& piece : **more) *state += piece;
      }
    }
    // The completed state against the barrier's: counters, then everything that follows.
    const int64_t now = clock != nullptr ? clock->NowMicros() : 0;
    std::unique_ptr<Operator> from_pieces = restored(*state);
    EXPECT_EQ(from_pieces->MetricsText(), restored(at_barrier.data())->MetricsText())
        << "incremental snapshot at step " << barrier;
    if (clock != nullptr) clock->SetNowMicros(clock_before(barrier));
    RecordingOutput rest;
    EXPECT_TRUE(RunOperatorSteps(*from_pieces, steps, barrier, steps.size(), clock, rest).ok());
    const std::vector<std::string> rest_expected(
        expected.events.begin() + static_cast<std::ptrdiff_t>(barrier < steps.size()
                                                                  ? events_before[barrier]
                                                                  : expected.events.size()),
        expected.events.end());
    EXPECT_EQ(FirstDifference(rest_expected, rest.events), "")
        << "restored from the incremental snapshot at step " << barrier;
    EXPECT_EQ(from_pieces->MetricsText(), metrics_at_end)
        << "restored from the incremental snapshot at step " << barrier << ", at the end";
    if (clock != nullptr) clock->SetNowMicros(now);
    states.push_back(std::move(*state));
  }
  EXPECT_EQ(FirstDifference(expected.events, actual.events), "") << "the running operator";
  if (interleaved != nullptr) *interleaved = interleaved_steps;
  return states;
}

/// Restores `state`, taken before step `cut` of `steps` (by another build, or by an
/// incremental snapshot), into a fresh operator and runs the remaining steps: the events of an
/// uninterrupted run before the cut and those of the restored operator after it must be the
/// uninterrupted run's. Returns how many events the restored operator emitted.
inline size_t ExpectStateGoesOn(const OperatorFactory& make, const std::vector<OperatorStep>& steps,
                                size_t cut, const std::string& state) {
  RecordingOutput expected;
  EXPECT_TRUE(RunOperatorSteps(*make(), steps, 0, steps.size(), nullptr, expected).ok());
  RecordingOutput before;
  EXPECT_TRUE(RunOperatorSteps(*make(), steps, 0, cut, nullptr, before).ok());
  std::unique_ptr<Operator> restored = make();
  storage::StateReader reader(state, "test state");
  Status status = restored->Restore(reader);
  if (status.ok()) status = reader.Finish();
  EXPECT_TRUE(status.ok()) << status.ToString();
  if (!status.ok()) return 0;
  RecordingOutput after;
  EXPECT_TRUE(RunOperatorSteps(*restored, steps, cut, steps.size(), nullptr, after).ok());
  std::vector<std::string> whole = before.events;
  whole.insert(whole.end(), after.events.begin(), after.events.end());
  EXPECT_EQ(FirstDifference(expected.events, whole), "") << "restored before step " << cut;
  return after.events.size();
}

/// Whether restoring `state` into a fresh operator fails as malformed state must.
inline bool RefusedAsMalformed(const Status& status) {
  return status.code() == ErrorCode::kCorruption ||
         status.code() == ErrorCode::kUnsupportedFormatVersion;
}

/// Every truncation of `state` (a sample when it is long) and random bit flips: Restore (with
/// the reader's Finish) must not crash; truncations and an unknown version must be refused with
/// kCorruption / kUnsupportedFormatVersion; a flip may go unnoticed (the checkpoint's checksum
/// catches those) but when refused, it is with those codes.
inline void ExpectDamagedStateRefused(const OperatorFactory& make, const std::string& state,
                                      uint32_t seed) {
  SCOPED_TRACE(fmt::format("damaged state, {} bytes, seed {}", state.size(), seed));
  std::mt19937 random(seed);
  auto restore = [&](std::string_view bytes) {
    std::unique_ptr<Operator> op = make();
    storage::StateReader reader(bytes, "damaged state");
    Status status = op->Restore(reader);
    if (status.ok()) status = reader.Finish();
    return status;
  };
  std::vector<size_t> lengths;
  if (state.size() <= 200) {
    for (size_t length = 0; length < state.size(); ++length) lengths.push_back(length);
  } else {
    std::uniform_int_distribution<size_t> any_length(0, state.size() - 1);
    for (int i = 0; i < 200; ++i) lengths.push_back(any_length(random));
  }
  for (const size_t length : lengths) {
    const Status status = restore(std::string_view(state).substr(0, length));
    EXPECT_TRUE(RefusedAsMalformed(status))
        << "truncated to " << length << ": " << status.ToString();
  }
  std::string newer = state;
  newer[0] = static_cast<char>(0x7f);  // The format version (little-endian u32) first.
  EXPECT_EQ(restore(newer).code(), ErrorCode::kUnsupportedFormatVersion);
  if (state.empty()) return;
  std::uniform_int_distribution<size_t> any_bit(0, state.size() * 8 - 1);
  for (int i = 0; i < 200; ++i) {
    std::string flipped = state;
    const size_t bit = any_bit(random);
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    const Status status = restore(flipped);
    EXPECT_TRUE(status.ok() || RefusedAsMalformed(status))
        << "bit " << bit << " flipped: " << status.ToString();
  }
}

/// One case of a test over many operators and seeds: ExpectIncrementalSnapshotsAreExact, its
/// interleaved steps added to `*interleaved_total`, and with `check_damage` also
/// ExpectDamagedStateRefused on one of its states.
inline void ExpectIncrementalCaseIsExact(const OperatorFactory& make,
                                         const std::vector<OperatorStep>& steps, uint32_t seed,
                                         bool check_damage, size_t* interleaved_total) {
  size_t interleaved = 0;
  const std::vector<std::string> states =
      ExpectIncrementalSnapshotsAreExact(make, steps, seed, &interleaved);
  *interleaved_total += interleaved;
  if (check_damage && !states.empty()) {
    ExpectDamagedStateRefused(make, states[states.size() / 2], seed);
  }
}

}  // namespace laminar::exec
