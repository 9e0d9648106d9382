#include "runtime/reactor.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "common/check.h"
#include "common/logging.h"

namespace laminar::runtime {

/// A registered continuous query: its dataflow and the object its output feeds.
struct Reactor::Query final : public exec::DataflowSink {
  Reactor* reactor = nullptr;
  Object* output = nullptr;
  std::unique_ptr<exec::Dataflow> flow;
  bool failed = false;

  Status OnBatch(const exec::ChangeBatch& batch) override {
    reactor->Publish(*output, batch);
    return Status::Ok();
  }
  Status OnWatermark(int64_t watermark) override {
    reactor->PublishWatermark(*output, watermark);
    return Status::Ok();
  }
  Status OnSideBatch(int index, const exec::ChangeBatch& batch) override {
    // A side stream (LATE DATA TO) that was dropped just stops receiving; the operator still
    // counts the rows.
    auto it = reactor->objects_.find(flow->side_outputs()[static_cast<size_t>(index)].object);
    if (it != reactor->objects_.end()) reactor->Publish(*it->second, batch);
    return Status::Ok();
  }
};

Reactor::Reactor(ReactorOptions options)
    : options_(options), max_batch_rows_(std::max<size_t>(options.max_batch_rows, 1)) {}

Reactor::~Reactor() { Stop(); }

void Reactor::Start() {
  if (thread_.joinable()) return;
  stop_requested_.store(false, std::memory_order_release);
  thread_ = std::thread([this] { Loop(); });
}

void Reactor::Stop() {
  if (!thread_.joinable()) return;
  stop_requested_.store(true, std::memory_order_release);
  doorbell_->Ring();
  thread_.join();
  // Commands that raced with the stop run here, on the control thread.
  RunCommands();
}

Status Reactor::Execute(std::function<Status()> command) {
  if (!thread_.joinable()) return command();
  Command item{std::move(command), {}};
  std::future<Status> done = item.done.get_future();
  {
    std::lock_guard<std::mutex> lock(command_mutex_);
    commands_.push_back(&item);
    pending_commands_.fetch_add(1, std::memory_order_release);
  }
  doorbell_->Ring();
  return done.get();
}

bool Reactor::RunCommands() {
  if (pending_commands_.load(std::memory_order_acquire) == 0) return false;
  std::deque<Command*> batch;
  {
    std::lock_guard<std::mutex> lock(command_mutex_);
    batch.swap(commands_);
    pending_commands_.store(0, std::memory_order_release);
  }
  for (Command* command : batch) command->done.set_value(command->run());
  return !batch.empty();
}

void Reactor::Loop() {
  while (!stop_requested_.load(std::memory_order_acquire)) {
    bool worked = RunCommands();
    const size_t cap = max_batch_rows_.load(std::memory_order_relaxed);
    for (const std::unique_ptr<Source>& source : sources_) {
      if (DrainSource(*source, cap) > 0) worked = true;
    }
    if (!worked) Idle();
  }
}

bool Reactor::HasWork() const {
  if (stop_requested_.load(std::memory_order_acquire)) return true;
  if (pending_commands_.load(std::memory_order_acquire) > 0) return true;
  for (const std::unique_ptr<Source>& source : sources_) {
    if (source->state->channel().size() > 0) return true;
    if (source->state->statement_channel().size() > 0) return true;
  }
  return false;
}

void Reactor::Idle() {
  const uint32_t polls = options_.idle == ReactorIdle::kSpin ? std::numeric_limits<uint32_t>::max()
                                                             : options_.spin_polls;
  for (uint32_t i = 0; i < polls; ++i) {
    if (HasWork()) return;
    stream::CpuRelax();
  }
  // Sleep until a producer or a command rings; the timeout only bounds the damage of a bug.
  doorbell_->spot().Park([this] { return HasWork(); }, 100'000'000);
}

void Reactor::AddSource(std::shared_ptr<SourceState> state, std::shared_ptr<Outlet> outlet) {
  auto object = std::make_unique<Object>();
  object->name = state->name();
  object->outlet = std::move(outlet);
  auto source = std::make_unique<Source>();
  source->pending_rows = std::make_unique<BatchBuilder>(state->schema());
  source->state = std::move(state);
  source->object = object.get();
  objects_[object->name] = std::move(object);
  sources_.push_back(std::move(source));
}

void Reactor::AddStream(std::shared_ptr<Outlet> outlet) {
  auto object = std::make_unique<Object>();
  object->name = outlet->name();
  object->outlet = std::move(outlet);
  objects_[object->name] = std::move(object);
}

Status Reactor::AddQuery(std::unique_ptr<exec::Dataflow> flow, std::shared_ptr<Outlet> outlet) {
  for (const exec::Dataflow::Input& input : flow->inputs()) {
    if (objects_.find(input.object) == objects_.end()) {
      return Status::Error(ErrorCode::kInternal, "query input \"{}\" is not running", input.object);
    }
  }
  auto object = std::make_unique<Object>();
  object->name = outlet->name();
  object->outlet = std::move(outlet);
  auto query = std::make_unique<Query>();
  query->reactor = this;
  query->output = object.get();
  query->flow = std::move(flow);
  query->flow->Attach(query.get());
  const auto& inputs = query->flow->inputs();
  for (size_t i = 0; i < inputs.size(); ++i) {
    Object& input = *objects_.find(inputs[i].object)->second;
    input.readers.emplace_back(query.get(), static_cast<int>(i));
    // A reader joining late starts from the input's current watermark.
    const int64_t watermark = input.outlet->watermark();
    if (watermark != exec::kMinWatermark) {
      Status status = query->flow->Watermark(static_cast<int>(i), watermark);
      if (!status.ok()) return status;
    }
  }
  object->query = std::move(query);
  objects_[object->name] = std::move(object);
  return Status::Ok();
}

void Reactor::RemoveObject(const std::string& name) {
  auto it = objects_.find(name);
  if (it == objects_.end()) return;
  Object* object = it->second.get();
  for (auto& [other_name, other] : objects_) {
    std::erase_if(other->readers, [&](const std::pair<Query*, int>& reader) {
      return reader.first->output == object;
    });
  }
  std::erase_if(sources_,
                [&](const std::unique_ptr<Source>& source) { return source->object == object; });
  object->outlet->Close();
  objects_.erase(it);
}

Status Reactor::DrainPending() {
  // Everything pushed before this call has a sequence number below the channel's tail now.
  struct Target {
    Source* source;
    uint64_t channel;
    uint64_t statements;
  };
  std::vector<Target> targets;
  for (const std::unique_ptr<Source>& source : sources_) {
    targets.push_back(Target{source.get(), source->state->channel().pushed(),
                             source->state->statement_channel().pushed()});
  }
  for (const Target& target : targets) {
    SourceState& state = *target.source->state;
    while (state.channel().popped() < target.channel ||
           state.statement_channel().popped() < target.statements) {
      if (DrainSource(*target.source, std::numeric_limits<size_t>::max()) == 0) break;
    }
    // A close read in the last pass ends the input now that both channels are empty.
    DrainSource(*target.source, 0);
  }
  return Status::Ok();
}

size_t Reactor::DrainSource(Source& source, size_t max_rows) {
  size_t count = DrainChannel(source, source.state->channel(), max_rows);
  count += DrainChannel(source, source.state->statement_channel(), max_rows);
  if (source.close_requested && !source.ended && source.state->channel().size() == 0 &&
      source.state->statement_channel().size() == 0) {
    // End of input: every row queued before the close (on either channel) went first.
    source.ended = true;
    AdvanceSourceWatermark(source, exec::kMaxWatermark);
  }
  return count;
}

size_t Reactor::DrainChannel(Source& source, stream::Channel<SourceMessage>& channel,
                             size_t max_rows) {
  scratch_.clear();
  const size_t max_messages = std::min<size_t>(max_rows, 1 << 20);
  const size_t count = channel.PopBatch(scratch_, max_messages);
  if (count == 0) return 0;
  const size_t cap = max_batch_rows_.load(std::memory_order_relaxed);
  for (SourceMessage& message : scratch_) {
    switch (message.kind) {
      case SourceMessage::Kind::kRow: {
        Status status = source.pending_rows->AppendRow(message.row);
        if (!status.ok()) {
          // Rows were checked when pushed; a failure here is a bug, not bad input.
          LAMINAR_LOG(kError, "source {}: dropping a row that passed its check: {}",
                      source.state->name(), status.ToString());
        }
        if (static_cast<size_t>(source.pending_rows->num_rows()) >= cap) {
          (void)FlushRows(source);
        }
        break;
      }
      case SourceMessage::Kind::kBatch:
        (void)FlushRows(source);
        DeliverSourceBatch(source, *message.batch);
        break;
      case SourceMessage::Kind::kWatermark:
        (void)FlushRows(source);
        AdvanceSourceWatermark(source, message.watermark);
        break;
      case SourceMessage::Kind::kClose:
        (void)FlushRows(source);
        source.close_requested = true;
        break;
    }
  }
  (void)FlushRows(source);
  scratch_.clear();
  return count;
}

Status Reactor::FlushRows(Source& source) {
  if (source.pending_rows->num_rows() == 0) return Status::Ok();
  Result<Batch> batch = source.pending_rows->Finish();
  if (!batch.ok()) {
    LAMINAR_LOG(kError, "source {}: {}", source.state->name(), batch.status().ToString());
    return batch.status();
  }
  DeliverSourceBatch(source, std::move(*batch));
  return Status::Ok();
}

namespace {

int64_t SaturatingMultiply(int64_t value, int64_t factor) {
  int64_t result = 0;
  if (__builtin_mul_overflow(value, factor, &result)) {
    return value < 0 ? exec::kMinWatermark : exec::kMaxWatermark;
  }
  return result;
}

}  // namespace

void Reactor::DeliverSourceBatch(Source& source, Batch batch) {
  if (batch.num_rows() == 0) return;
  const exec::ChangeBatch change{std::move(batch), {}};
  Publish(*source.object, change);
  const Batch& rows = change.rows;
  const EventTimeSpec& event_time = source.state->event_time();
  if (event_time.column < 0 || !event_time.delay_micros) return;
  const Column& column = rows.column(event_time.column);
  const int64_t* values = column.Values<int64_t>();
  int64_t max_time = source.max_event_time;
  for (int64_t row = 0; row < column.length(); ++row) {
    if (column.IsValid(row)) max_time = std::max(max_time, values[row]);
  }
  if (max_time == exec::kMinWatermark) return;
  source.max_event_time = max_time;
  const int64_t micros = SaturatingMultiply(max_time, event_time.micros_per_unit);
  int64_t watermark = 0;
  if (__builtin_sub_overflow(micros, *event_time.delay_micros, &watermark)) {
    watermark = exec::kMinWatermark;
  }
  AdvanceSourceWatermark(source, watermark);
}

void Reactor::AdvanceSourceWatermark(Source& source, int64_t watermark) {
  if (watermark <= source.watermark) return;
  source.watermark = watermark;
  PublishWatermark(*source.object, watermark);
}

void Reactor::Publish(Object& object, const exec::ChangeBatch& batch) {
  object.outlet->PublishBatch(batch);
  for (auto& [query, input] : object.readers) {
    if (query->failed) continue;
    Status status = query->flow->Push(input, batch);
    if (!status.ok()) FailQuery(*query, status);
  }
}

void Reactor::PublishWatermark(Object& object, int64_t watermark) {
  object.outlet->PublishWatermark(watermark);
  for (auto& [query, input] : object.readers) {
    if (query->failed) continue;
    Status status = query->flow->Watermark(input, watermark);
    if (!status.ok()) FailQuery(*query, status);
  }
}

void Reactor::FailQuery(Query& query, const Status& status) {
  if (query.failed) return;
  query.failed = true;
  LAMINAR_LOG(kWarning, "{} \"{}\" stopped: {}", "query", query.output->name, status.ToString());
  query.output->outlet->Fail(status);
  // Queries reading the failed one cannot produce complete results any more.
  for (auto& [reader, input] : query.output->readers) {
    FailQuery(*reader, Status::Error(status.code(), "input \"{}\" stopped: {}", query.output->name,
                                     status.message()));
  }
}

}  // namespace laminar::runtime
