// Checkpoint barriers through a dataflow: alignment at a two-input operator, input held back
// on the port that delivered its barrier first, snapshots that reflect exactly the rows before
// the barrier, restore into a fresh dataflow, and failed snapshots that never stop the query.

#include "exec/dataflow.h"

#include <gtest/gtest.h>

#include "columnar/column_builder.h"
#include "common/error_code.h"
#include "storage/state_io.h"

namespace laminar::exec {
namespace {

std::shared_ptr<const Schema> OneColumn() {
  static const auto schema = Schema::Make({{"x", DataType::BigInt(), true}});
  return schema;
}

ChangeBatch Rows(std::initializer_list<int64_t> values) {
  BatchBuilder builder(OneColumn());
  for (int64_t v : values) {
    const std::vector<Value> row = {Value::BigInt(v)};
    EXPECT_TRUE(builder.AppendRow(row).ok());
  }
  return ChangeBatch{*builder.Finish(), {}};
}

/// Two inputs; keeps the sum of every row it saw and emits it after each batch.
class SummingOperator final : public Operator {
 public:
  /// `incremental_pieces` > 0: snapshots incrementally, completing after that many
  /// ContinueSnapshot calls.
  explicit SummingOperator(bool can_snapshot = true, int incremental_pieces = 0)
      : can_snapshot_(can_snapshot), incremental_pieces_(incremental_pieces) {}
  int num_inputs() const override { return 2; }
  Status Process(int, const ChangeBatch& batch, OperatorOutput& out) override {
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      sum_ += batch.rows.column(0).Values<int64_t>()[r];
    }
    return out.Emit(Rows({sum_}));
  }
  Status OnWatermark(int, int64_t watermark, OperatorOutput& out) override {
    return out.EmitWatermark(watermark);
  }
  std::string Describe() const override { return "Summing"; }
  Status Snapshot(storage::StateWriter& writer) const override {
    if (!can_snapshot_) return Status::Error(ErrorCode::kNotSupported, "no snapshots here");
    writer.WriteVersion(1);
    writer.I64(sum_);
    return Status::Ok();
  }
  Status Restore(storage::StateReader& reader) override {
    reader.ReadVersion(1);
    sum_ = reader.I64();
    return reader.status();
  }
  Result<bool> BeginSnapshot() override {
    if (incremental_pieces_ == 0) return false;
    pieces_left_ = incremental_pieces_;
    sum_at_barrier_ = sum_;
    return true;
  }
  Result<std::optional<StatePieces>> ContinueSnapshot(size_t) override {
    if (--pieces_left_ > 0) return std::optional<StatePieces>();
    // In two pieces, split inside the sum.
    storage::StateWriter writer;
    writer.WriteVersion(1);
    writer.I64(sum_at_barrier_);
    const std::string whole = writer.Release();
    return std::optional<StatePieces>(StatePieces{whole.substr(0, 6), whole.substr(6)});
  }
  void CancelSnapshot() override { ++cancelled_; }
  int64_t sum() const { return sum_; }
  int cancelled() const { return cancelled_; }

 private:
  bool can_snapshot_;
  int incremental_pieces_;
  int pieces_left_ = 0;
  int cancelled_ = 0;
  int64_t sum_ = 0;
  int64_t sum_at_barrier_ = 0;
};

class Collector final : public DataflowSink {
 public:
  Status OnBatch(const ChangeBatch& batch) override {
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      events.push_back(std::to_string(batch.rows.column(0).Values<int64_t>()[r]));
    }
    return Status::Ok();
  }
  Status OnWatermark(int64_t watermark) override {
    events.push_back("wm " + std::to_string(watermark));
    return Status::Ok();
  }
  Status OnBarrier(uint64_t epoch) override {
    events.push_back("barrier " + std::to_string(epoch));
    return Status::Ok();
  }
  std::vector<std::string> events;
};

std::unique_ptr<Dataflow> MakeFlow(SummingOperator** op, bool can_snapshot = true,
                                   int incremental_pieces = 0) {
  auto flow = std::make_unique<Dataflow>();
  auto summing = std::make_unique<SummingOperator>(can_snapshot, incremental_pieces);
  *op = summing.get();
  const int node = flow->AddOperator(std::move(summing), -1, 0);
  flow->AddInput({"a", node, 0});
  flow->AddInput({"b", node, 1});
  return flow;
}

TEST(DataflowBarrierTest, AlignsAndHoldsTheEarlyPort) {
  SummingOperator* op = nullptr;
  auto flow = MakeFlow(&op);
  Collector sink;
  flow->Attach(&sink);
  ASSERT_TRUE(flow->Push(0, Rows({1})).ok());
  ASSERT_TRUE(flow->Barrier(0, 1).ok());
  // Port 0 delivered the barrier: its next rows and watermark wait for the alignment.
  ASSERT_TRUE(flow->Push(0, Rows({100})).ok());
  ASSERT_TRUE(flow->Watermark(0, 7).ok());
  EXPECT_EQ(op->sum(), 1);
  // Port 1 still belongs to the epoch: processed at once.
  ASSERT_TRUE(flow->Push(1, Rows({10})).ok());
  EXPECT_EQ(op->sum(), 11);
  ASSERT_TRUE(flow->Barrier(0, 1).ok());  // A repeated barrier changes nothing.
  ASSERT_TRUE(flow->Barrier(1, 1).ok());
  EXPECT_EQ(op->sum(), 111);
  EXPECT_EQ(sink.events, (std::vector<std::string>{"1", "11", "barrier 1", "111", "wm 7"}));
  const std::string state = flow->TakeSnapshot().Serialize();
  ASSERT_FALSE(state.empty());

  // A fresh dataflow restored from the snapshot has the sum of the rows before the barrier.
  SummingOperator* restored_op = nullptr;
  auto restored = MakeFlow(&restored_op);
  Collector restored_sink;
  restored->Attach(&restored_sink);
  ASSERT_TRUE(restored->Restore(state, "test").ok());
  EXPECT_EQ(restored_op->sum(), 11);
  ASSERT_TRUE(restored->Push(0, Rows({100})).ok());
  EXPECT_EQ(restored_sink.events, (std::vector<std::string>{"111"}));
}

TEST(DataflowBarrierTest, IncrementalSnapshotsCompleteWhileTheQueryRuns) {
  SummingOperator* op = nullptr;
  auto flow = MakeFlow(&op, true, 3);
  Collector sink;
  flow->Attach(&sink);
  ASSERT_TRUE(flow->Push(0, Rows({1})).ok());
  ASSERT_TRUE(flow->Barrier(0, 1).ok());
  ASSERT_TRUE(flow->Barrier(1, 1).ok());
  // The barrier passed at once; the operator's part follows.
  EXPECT_EQ(sink.events, (std::vector<std::string>{"1", "barrier 1"}));
  DataflowSnapshot snapshot = flow->TakeSnapshot();
  EXPECT_FALSE(snapshot.complete());
  EXPECT_TRUE(flow->snapshot_in_progress());
  ASSERT_TRUE(flow->Push(1, Rows({100})).ok());  // The next epoch runs meanwhile.
  EXPECT_EQ(op->sum(), 101);
  // A deadline already passed: one piece per call.
  ASSERT_TRUE(flow->ContinueSnapshot(snapshot, 0).ok());
  EXPECT_FALSE(snapshot.complete());
  ASSERT_TRUE(flow->ContinueSnapshot(snapshot, 0).ok());
  ASSERT_TRUE(flow->ContinueSnapshot(snapshot, 0).ok());
  ASSERT_TRUE(snapshot.complete());
  EXPECT_FALSE(flow->snapshot_in_progress());
  SummingOperator* restored_op = nullptr;
  auto restored = MakeFlow(&restored_op);
  ASSERT_TRUE(restored->Restore(snapshot.Serialize(), "test").ok());
  EXPECT_EQ(restored_op->sum(), 1);

  // A checkpoint abandoned half-way: the next barrier cancels its snapshot, and the old
  // snapshot can no longer be continued.
  ASSERT_TRUE(flow->Barrier(0, 2).ok());
  ASSERT_TRUE(flow->Barrier(1, 2).ok());
  DataflowSnapshot abandoned = flow->TakeSnapshot();
  ASSERT_TRUE(flow->Barrier(0, 3).ok());
  EXPECT_EQ(op->cancelled(), 1);
  EXPECT_EQ(flow->ContinueSnapshot(abandoned, 0).code(), ErrorCode::kInternal);
  flow->CancelSnapshot();
  EXPECT_EQ(op->cancelled(), 1);  // Nothing was in progress any more.
}

TEST(DataflowBarrierTest, RestoreRefusesAnotherPlan) {
  SummingOperator* op = nullptr;
  auto flow = MakeFlow(&op);
  Collector sink;
  flow->Attach(&sink);
  ASSERT_TRUE(flow->Barrier(0, 1).ok());
  ASSERT_TRUE(flow->Barrier(1, 1).ok());
  const std::string state = flow->TakeSnapshot().Serialize();
  Dataflow empty;
  Status status = empty.Restore(state, "query q");
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(std::string(status.message()).find("query q"), std::string::npos);
  SummingOperator* other = nullptr;
  auto truncated = MakeFlow(&other);
  EXPECT_FALSE(truncated->Restore(state.substr(0, state.size() - 3), "q").ok());
}

TEST(DataflowBarrierTest, AFailedSnapshotFailsTheCheckpointNotTheQuery) {
  SummingOperator* op = nullptr;
  auto flow = MakeFlow(&op, /*can_snapshot=*/false);
  Collector sink;
  flow->Attach(&sink);
  ASSERT_TRUE(flow->Barrier(0, 1).ok());
  ASSERT_TRUE(flow->Push(0, Rows({5})).ok());
  ASSERT_TRUE(flow->Barrier(1, 1).ok());
  EXPECT_EQ(flow->barrier_status().code(), ErrorCode::kNotSupported);
  EXPECT_EQ(sink.events, (std::vector<std::string>{"barrier 1", "5"}));
  // The next epoch starts clean.
  ASSERT_TRUE(flow->Barrier(0, 2).ok());
  ASSERT_TRUE(flow->Barrier(1, 2).ok());
  EXPECT_EQ(op->sum(), 5);
}

}  // namespace
}  // namespace laminar::exec
