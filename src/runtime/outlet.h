#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "columnar/schema.h"
#include "common/result.h"
#include "exec/change_batch.h"
#include "runtime/view_store.h"
#include "stream/broadcast.h"

namespace laminar::runtime {

/// What a subscriber of a stream receives: a batch of rows with weights (in `own` or `batch`),
/// or the stream's new watermark.
struct StreamItem {
  /// The batch of an outlet with one subscription, its only reader: it travels inside the
  /// item, so the subscriber reads the queue's slot and nothing else.
  std::optional<exec::ChangeBatch> own;
  /// The batch shared by every subscription it was published to (several subscriptions). The
  /// ChangeBatch object itself is not const, so the subscription holding the last reference
  /// may move it out (TakeStreamBatch) instead of copying it.
  std::shared_ptr<const exec::ChangeBatch> batch;
  int64_t watermark = exec::kMinWatermark;

  bool has_batch() const { return own.has_value() || batch != nullptr; }
};

/// The batch of a stream item, for a subscriber to keep: moved out when the item owns it or
/// holds the last reference to it, copied while other subscriptions share it.
/// REQUIRES: item.has_batch().
inline exec::ChangeBatch TakeStreamBatch(StreamItem& item) {
  if (item.own) return std::move(*item.own);
  std::shared_ptr<const exec::ChangeBatch>& batch = item.batch;
  if (batch.use_count() == 1) {
    // The other holders released their references (release decrements); this fence orders
    // their reads before the move. The object was created mutable (Outlet::PublishBatch).
    std::atomic_thread_fence(std::memory_order_acquire);
    return std::move(const_cast<exec::ChangeBatch&>(*batch));
  }
  return *batch;
}

/// The subscriber side of a named object's output (a source's rows, a stream's or a sink's
/// results): a broadcast to any number of subscriptions, the last watermark, and
/// the error that stopped the query, if one did.
///
/// Thread-safety: Publish* from the reactor only; Subscribe, Fail and the accessors from any
/// thread.
class Outlet {
 public:
  Outlet(std::string name, std::shared_ptr<const Schema> schema, bool changelog)
      : name_(std::move(name)), schema_(std::move(schema)), changelog_(changelog) {}

  const std::string& name() const { return name_; }
  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  bool changelog() const { return changelog_; }

  void PublishBatch(const exec::ChangeBatch& batch) { PublishChanges(batch); }
  /// PublishBatch for a batch the caller no longer needs: moved to the subscribers, not copied.
  void PublishBatch(exec::ChangeBatch&& batch) { PublishChanges(std::move(batch)); }
  void PublishWatermark(int64_t watermark) {
    watermark_.store(watermark, std::memory_order_release);
    if (view_ != nullptr) view_->AdvanceWatermark(watermark);
    if (!broadcast_.HasSubscribers()) return;
    (void)broadcast_.Publish(StreamItem{std::nullopt, nullptr, watermark});
  }

  Result<stream::BroadcastSubscription<StreamItem>> Subscribe(
      const stream::ChannelOptions& options) {
    return broadcast_.Subscribe(options);
  }

  /// Records why the query stopped and closes every subscription (they drain what they have,
  /// then see this status). Idempotent: the first failure wins.
  void Fail(Status status) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (failure_.ok()) failure_ = std::move(status);
    }
    broadcast_.Close();
  }
  /// Closes every subscription without an error (DROP, shutdown).
  void Close() { broadcast_.Close(); }

  /// OK unless the query failed.
  Status failure() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return failure_;
  }
  int64_t watermark() const { return watermark_.load(std::memory_order_acquire); }

  /// A materialized view's result table, kept up to date by every published batch. REQUIRES:
  /// set before the outlet is registered with the reactor.
  void set_view(std::shared_ptr<ViewStore> view) { view_ = std::move(view); }
  const std::shared_ptr<ViewStore>& view() const { return view_; }

 private:
  /// Applies `batch` (a const or an rvalue ChangeBatch) to the materialized view, if any, then
  /// hands it to the subscribers: inside the item for one, shared by several.
  template <typename Changes>
  void PublishChanges(Changes&& batch) {
    if (view_ != nullptr) {
      Status status = view_->Apply(batch);
      if (!status.ok()) Fail(status);
    }
    const size_t subscribers = broadcast_.SubscriberCount();
    if (subscribers == 1) {
      (void)broadcast_.Publish(StreamItem{std::forward<Changes>(batch), nullptr, 0});
    } else if (subscribers > 1) {
      (void)broadcast_.Publish(StreamItem{
          std::nullopt, std::make_shared<exec::ChangeBatch>(std::forward<Changes>(batch)), 0});
    }
  }

  const std::string name_;
  const std::shared_ptr<const Schema> schema_;
  const bool changelog_;
  stream::Broadcast<StreamItem> broadcast_;
  std::atomic<int64_t> watermark_{exec::kMinWatermark};
  std::shared_ptr<ViewStore> view_;
  mutable std::mutex mutex_;  // Guards failure_.
  Status failure_;
};

}  // namespace laminar::runtime
