// The table of a materialized view: its checkpoint state, written at the barrier (SaveState)
// or incrementally while batches keep changing the table, restores to the table as of the
// barrier; malformed state is refused.

#include "runtime/view_store.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "storage/state_io.h"

namespace laminar::runtime {
namespace {

std::shared_ptr<const Schema> ViewSchema() {
  return Schema::Make(
      {Field{"k", DataType::BigInt(), true}, Field{"v", DataType::Varchar(), true}});
}

/// Random changelog batches: for a keyed view, upserts and deletes of 40 keys; for a bag, rows
/// of a small domain added and removed (only ones present are removed).
std::vector<exec::ChangeBatch> RandomBatches(bool keyed, uint32_t seed, int count) {
  std::mt19937 random(seed);
  std::map<std::pair<int64_t, std::string>, int64_t> bag;
  std::vector<exec::ChangeBatch> batches;
  for (int b = 0; b < count; ++b) {
    BatchBuilder builder(ViewSchema());
    exec::ChangeBatch batch;
    const int rows = 1 + static_cast<int>(random() % 6);
    for (int r = 0; r < rows; ++r) {
      const int64_t k = static_cast<int64_t>(random() % 40);
      std::string v = fmt::format("value {}", random() % (keyed ? 1000 : 3));
      int8_t weight = random() % 3 == 0 ? -1 : 1;
      if (!keyed) {
        // Mostly rows present are removed; now and then a missing one (which leaves nothing).
        auto it = bag.find({k, v});
        if (weight < 0 && it == bag.end() && random() % 4 != 0) weight = 1;
        if (weight > 0 || it != bag.end()) {
          bag[{k, v}] += weight;
          if (bag[{k, v}] == 0) bag.erase({k, v});
        }
      }
      EXPECT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(k), Value::Varchar(v)}).ok());
      batch.weights.push_back(weight);
    }
    batch.rows = *builder.Finish();
    batches.push_back(std::move(batch));
  }
  return batches;
}

ViewStore MakeView(bool keyed) {
  return ViewStore(ViewSchema(), keyed ? std::vector<int>{0} : std::vector<int>{});
}

std::string Joined(const std::vector<std::string>& pieces) {
  std::string state;
  for (const std::string& piece : pieces) state += piece;
  return state;
}

/// An incremental snapshot begun after `cut` batches, written a row or a few at a time while
/// the next batches are applied: restored, it is the table at the barrier (its SaveState
/// equals the barrier's), and the table itself ends as if no snapshot had run.
void ExpectIncrementalSnapshotExact(bool keyed, uint32_t seed) {
  SCOPED_TRACE(fmt::format("keyed {} seed {}", keyed, seed));
  const std::vector<exec::ChangeBatch> batches = RandomBatches(keyed, seed, 300);
  std::mt19937 random(seed + 100);
  const size_t cut = 20 + random() % 60;
  ViewStore reference = MakeView(keyed);
  ViewStore view = MakeView(keyed);
  for (size_t b = 0; b < cut; ++b) {
    ASSERT_TRUE(reference.Apply(batches[b]).ok());
    ASSERT_TRUE(view.Apply(batches[b]).ok());
  }
  reference.AdvanceWatermark(static_cast<int64_t>(cut));
  view.AdvanceWatermark(static_cast<int64_t>(cut));
  Result<std::string> at_barrier = reference.SaveState();
  ASSERT_TRUE(at_barrier.ok());
  view.BeginSnapshot();
  std::optional<std::vector<std::string>> pieces;
  size_t next = cut;
  while (!pieces) {
    // Zero to two batches (the first slice may come after several), then a slice.
    for (int b = static_cast<int>(random() % 3); b > 0 && next < batches.size(); --b, ++next) {
      ASSERT_TRUE(view.Apply(batches[next]).ok());
      ASSERT_TRUE(reference.Apply(batches[next]).ok());
    }
    Result<std::optional<std::vector<std::string>>> more = view.ContinueSnapshot(1 + random() % 3);
    ASSERT_TRUE(more.ok()) << more.status();
    pieces = std::move(*more);
  }
  EXPECT_LT(next, batches.size()) << "the snapshot outlasted the input";
  ViewStore restored = MakeView(keyed);
  ASSERT_TRUE(restored.LoadState(Joined(*pieces), "test").ok());
  EXPECT_EQ(*restored.SaveState(), *at_barrier);
  // The table went on as the reference did.
  for (; next < batches.size(); ++next) {
    ASSERT_TRUE(view.Apply(batches[next]).ok());
    ASSERT_TRUE(reference.Apply(batches[next]).ok());
  }
  EXPECT_EQ(*view.SaveState(), *reference.SaveState());
}

TEST(ViewStoreTest, IncrementalSnapshotsAreTheTableAtTheBarrier) {
  for (bool keyed : {true, false}) {
    for (uint32_t seed = 1; seed <= 40; ++seed) ExpectIncrementalSnapshotExact(keyed, seed);
  }
}

/// A snapshot cancelled half-way leaves nothing behind: the next one, begun later while
/// batches keep coming, is exact.
TEST(ViewStoreTest, ASnapshotAfterACancelledOneIsExact) {
  for (bool keyed : {true, false}) {
    SCOPED_TRACE(keyed);
    const std::vector<exec::ChangeBatch> batches = RandomBatches(keyed, 3, 200);
    ViewStore view = MakeView(keyed);
    ViewStore reference = MakeView(keyed);
    for (size_t b = 0; b < 40; ++b) ASSERT_TRUE(view.Apply(batches[b]).ok());
    view.BeginSnapshot();
    ASSERT_TRUE(view.ContinueSnapshot(2).ok());
    for (size_t b = 40; b < 50; ++b) ASSERT_TRUE(view.Apply(batches[b]).ok());
    view.CancelSnapshot();
    EXPECT_FALSE(view.ContinueSnapshot(2).ok());
    for (size_t b = 50; b < 80; ++b) ASSERT_TRUE(view.Apply(batches[b]).ok());
    for (size_t b = 0; b < 80; ++b) ASSERT_TRUE(reference.Apply(batches[b]).ok());
    const std::string at_barrier = *reference.SaveState();
    view.BeginSnapshot();
    std::optional<std::vector<std::string>> pieces;
    for (size_t b = 80; !pieces; ++b) {
      if (b < batches.size()) {
        ASSERT_TRUE(view.Apply(batches[b]).ok());
      }
      Result<std::optional<std::vector<std::string>>> more = view.ContinueSnapshot(1);
      ASSERT_TRUE(more.ok()) << more.status();
      pieces = std::move(*more);
    }
    ViewStore restored = MakeView(keyed);
    ASSERT_TRUE(restored.LoadState(Joined(*pieces), "test").ok());
    EXPECT_EQ(*restored.SaveState(), at_barrier);
  }
}

/// Keys added after the barrier are skipped within the budget of a call: a call that only
/// passes over them writes nothing and still returns (a slice stays short).
TEST(ViewStoreTest, KeysAddedSinceTheBarrierCountAgainstTheBudget) {
  ViewStore view = MakeView(true);
  BatchBuilder before(ViewSchema());
  ASSERT_TRUE(before.AppendRow(std::vector<Value>{Value::BigInt(-1), Value::Varchar("x")}).ok());
  ASSERT_TRUE(view.Apply(exec::ChangeBatch{*before.Finish(), {}}).ok());
  view.BeginSnapshot();
  BatchBuilder after(ViewSchema());
  for (int64_t k = 0; k < 1000; ++k) {
    ASSERT_TRUE(after.AppendRow(std::vector<Value>{Value::BigInt(k), Value::Varchar("y")}).ok());
  }
  ASSERT_TRUE(view.Apply(exec::ChangeBatch{*after.Finish(), {}}).ok());
  int calls = 0;
  std::optional<std::vector<std::string>> pieces;
  while (!pieces) {
    Result<std::optional<std::vector<std::string>>> more = view.ContinueSnapshot(10);
    ASSERT_TRUE(more.ok());
    pieces = std::move(*more);
    ++calls;
  }
  EXPECT_GE(calls, 100);  // 1001 keys, 10 per call.
  ViewStore restored = MakeView(true);
  ASSERT_TRUE(restored.LoadState(Joined(*pieces), "test").ok());
  Result<ViewStore::Snapshot> read = restored.Read();
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->rows.num_rows(), 1);
  EXPECT_EQ(read->rows.column(0).GetValue(0), Value::BigInt(-1));
}

TEST(ViewStoreTest, FormatVersionOneIsStillRead) {
  // Version 1: the watermark, one batch of every row, then each row's count.
  BatchBuilder builder(ViewSchema());
  ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(1), Value::Varchar("a")}).ok());
  ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(2), Value::Varchar("b")}).ok());
  storage::StateWriter writer;
  writer.WriteVersion(1);
  writer.I64(77);
  writer.BatchOf(*builder.Finish());
  writer.VarU64(2);
  writer.VarU64(1);
  // Keyed: the same rows, each counted once.
  BatchBuilder keyed_rows(ViewSchema());
  ASSERT_TRUE(keyed_rows.AppendRow(std::vector<Value>{Value::BigInt(1), Value::Varchar("a")}).ok());
  ASSERT_TRUE(keyed_rows.AppendRow(std::vector<Value>{Value::BigInt(2), Value::Varchar("b")}).ok());
  storage::StateWriter keyed_writer;
  keyed_writer.WriteVersion(1);
  keyed_writer.I64(5);
  keyed_writer.BatchOf(*keyed_rows.Finish());
  keyed_writer.VarU64(1);
  keyed_writer.VarU64(1);
  ViewStore keyed = MakeView(true);
  ASSERT_TRUE(keyed.LoadState(keyed_writer.data(), "test").ok());
  Result<ViewStore::Snapshot> keyed_read = keyed.Read();
  ASSERT_TRUE(keyed_read.ok());
  EXPECT_EQ(keyed_read->watermark, 5);
  EXPECT_EQ(keyed_read->rows.num_rows(), 2);

  ViewStore bag = MakeView(false);
  ASSERT_TRUE(bag.LoadState(writer.data(), "test").ok());
  Result<ViewStore::Snapshot> read = bag.Read();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->watermark, 77);
  ASSERT_EQ(read->rows.num_rows(), 3);  // "a" twice.
  EXPECT_EQ(read->rows.column(1).GetValue(0), Value::Varchar("a"));
  EXPECT_EQ(read->rows.column(1).GetValue(1), Value::Varchar("a"));
  EXPECT_EQ(read->rows.column(1).GetValue(2), Value::Varchar("b"));
}

TEST(ViewStoreTest, MalformedStateIsRefused) {
  ViewStore view = MakeView(true);
  for (const exec::ChangeBatch& batch : RandomBatches(true, 5, 30)) {
    ASSERT_TRUE(view.Apply(batch).ok());
  }
  const std::string state = *view.SaveState();
  auto refused = [](std::string_view bytes) {
    ViewStore fresh = MakeView(true);
    const Status status = fresh.LoadState(bytes, "test");
    return status.code() == ErrorCode::kCorruption ||
           status.code() == ErrorCode::kUnsupportedFormatVersion;
  };
  for (size_t length = 0; length < state.size(); ++length) {
    EXPECT_TRUE(refused(std::string_view(state).substr(0, length))) << "truncated to " << length;
  }
  // A chunk whose count disagrees with its batch, and a key twice.
  BatchBuilder builder(ViewSchema());
  ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(1), Value::Varchar("a")}).ok());
  ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(1), Value::Varchar("b")}).ok());
  const Batch twice = *builder.Finish();
  storage::StateWriter wrong_count;
  wrong_count.WriteVersion(2);
  wrong_count.I64(0);
  wrong_count.VarU64(3);
  wrong_count.BatchOf(twice);
  for (int i = 0; i < 3; ++i) wrong_count.VarU64(1);
  wrong_count.VarU64(0);
  EXPECT_TRUE(refused(wrong_count.data()));
  storage::StateWriter repeated;
  repeated.WriteVersion(2);
  repeated.I64(0);
  repeated.VarU64(2);
  repeated.BatchOf(twice);
  repeated.VarU64(1);
  repeated.VarU64(1);
  repeated.VarU64(0);
  EXPECT_TRUE(refused(repeated.data()));
  // Columns of other types than the view's.
  BatchBuilder other(
      Schema::Make({Field{"k", DataType::Varchar(), true}, Field{"v", DataType::Varchar(), true}}));
  ASSERT_TRUE(other.AppendRow(std::vector<Value>{Value::Varchar("1"), Value::Varchar("a")}).ok());
  storage::StateWriter other_types;
  other_types.WriteVersion(2);
  other_types.I64(0);
  other_types.VarU64(1);
  other_types.BatchOf(*other.Finish());
  other_types.VarU64(1);
  other_types.VarU64(0);
  EXPECT_TRUE(refused(other_types.data()));
  // A bag row counted more than 2^31 - 1 times.
  BatchBuilder one(ViewSchema());
  ASSERT_TRUE(one.AppendRow(std::vector<Value>{Value::BigInt(1), Value::Varchar("a")}).ok());
  storage::StateWriter huge;
  huge.WriteVersion(2);
  huge.I64(0);
  huge.VarU64(1);
  huge.BatchOf(*one.Finish());
  huge.VarU64(uint64_t{1} << 40);
  huge.VarU64(0);
  ViewStore bag = MakeView(false);
  const Status status = bag.LoadState(huge.data(), "test");
  EXPECT_EQ(status.code(), ErrorCode::kCorruption) << status;
}

}  // namespace
}  // namespace laminar::runtime
