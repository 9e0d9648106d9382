#include "runtime/reactor.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>

#include "common/check.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "storage/state_io.h"

namespace laminar::runtime {

namespace {

int64_t SaturatingMultiply(int64_t value, int64_t factor) {
  int64_t result = 0;
  if (__builtin_mul_overflow(value, factor, &result)) {
    return value < 0 ? exec::kMinWatermark : exec::kMaxWatermark;
  }
  return result;
}

}  // namespace

/// A registered continuous query: its dataflow and the object its output feeds.
struct Reactor::Query final : public exec::DataflowSink {
  Reactor* reactor = nullptr;
  Object* output = nullptr;
  std::unique_ptr<exec::Dataflow> flow;
  std::shared_ptr<connectors::SinkConnector> sink;  // A sink's connector, or null.
  bool failed = false;

  Status OnBatch(const exec::ChangeBatch& batch) override {
    LAMINAR_RETURN_IF_ERROR(WriteToSink(batch));
    reactor->Publish(*output, batch);
    return Status::Ok();
  }
  Status OnOwnedBatch(exec::ChangeBatch&& batch) override {
    LAMINAR_RETURN_IF_ERROR(WriteToSink(batch));
    reactor->Publish(*output, std::move(batch));
    return Status::Ok();
  }
  /// The connector first: a row it cannot take stops the sink before anyone sees it.
  Status WriteToSink(const exec::ChangeBatch& batch) {
    return sink == nullptr ? Status::Ok() : sink->Write(batch.rows, batch.weights);
  }
  Status OnWatermark(int64_t watermark) override {
    reactor->PublishWatermark(*output, watermark);
    return Status::Ok();
  }
  Status OnBarrier(uint64_t epoch) override {
    if (sink != nullptr && reactor->checkpoint_ != nullptr) {
      // Phase one: the epoch's rows are durable, not yet visible.
      Status prepared = sink->PreCommit(epoch);
      if (!prepared.ok()) {
        // The epoch's rows cannot be made durable and nothing would replay them: the sink
        // stops (visibly) rather than lose them; a restart recovers it from the last
        // checkpoint and the WAL.
        const Status failure =
            Status::Error(prepared.code(), "sink \"{}\": {}", output->name, prepared.message());
        reactor->checkpoint_->failures.push_back(failure);
        reactor->FailQuery(*this, failure);
        return Status::Ok();
      }
    }
    if (reactor->checkpoint_ != nullptr) {
      if (flow->barrier_status().ok()) {
        reactor->checkpoint_->flows[output->name] = flow->TakeSnapshot();
      } else {
        reactor->checkpoint_->failures.push_back(Status::Error(flow->barrier_status().code(),
                                                               "query \"{}\": {}", output->name,
                                                               flow->barrier_status().message()));
      }
    }
    // The barrier follows the query's output to its readers and its side streams.
    reactor->PublishBarrier(*output, epoch);
    for (Object* target : side_targets) {
      if (target != nullptr) reactor->PublishBarrier(*target, epoch);
    }
    return Status::Ok();
  }
  Status OnSideBatch(int index, const exec::ChangeBatch& batch) override {
    // A side stream (LATE DATA TO) that was dropped just stops receiving (its slot is null,
    // even if another object takes the name); the operator still counts the rows.
    Object* target = side_targets[static_cast<size_t>(index)];
    if (target != nullptr) reactor->Publish(*target, batch);
    return Status::Ok();
  }
  /// The objects the side outputs feed, bound when the query is registered.
  std::vector<Object*> side_targets;
};

Reactor::Reactor(ReactorOptions options)
    : options_(options), max_batch_rows_(std::max<size_t>(options.max_batch_rows, 1)) {}

Reactor::~Reactor() { Stop(); }

void Reactor::Start() {
  if (thread_.joinable()) return;
  stop_requested_.store(false, std::memory_order_release);
  thread_ = std::thread([this] {
    NameCurrentThread("ldb-reactor");
    Loop();
  });
}

void Reactor::Stop() {
  if (!thread_.joinable()) return;
  stop_requested_.store(true, std::memory_order_release);
  doorbell_->Ring();
  thread_.join();
  // Commands that raced with the stop run here, on the control thread.
  RunCommands();
  while (background_ != nullptr) RunCheckpointSlice();
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
    if (background_ != nullptr) {
      RunCheckpointSlice();
      worked = true;
    }
    if (!worked) {
      Idle();
    } else {
      // A busy reactor notices idle producers and due timers too (one clock reading each).
      if (idle_timeout_sources_ > 0) (void)CheckIdleSources();
      (void)FireDueTimers();
    }
  }
}

int64_t Reactor::FireDueTimers() {
  int64_t earliest = exec::kMaxWatermark;
  int64_t now = exec::kMinWatermark;
  for (auto& [name, object] : objects_) {
    Query* query = object->query.get();
    if (query == nullptr || query->failed) continue;
    int64_t next = query->flow->NextTimerMicros();
    if (next == exec::kMaxWatermark) continue;
    if (now == exec::kMinWatermark) now = options_.clock->NowMicros();
    if (next <= now) {
      Status status = query->flow->FireTimers(now);
      if (!status.ok()) {
        FailQuery(*query, status);
        continue;
      }
      next = query->flow->NextTimerMicros();
    }
    earliest = std::min(earliest, next);
  }
  return earliest;
}

int64_t Reactor::CheckIdleSources() {
  int64_t earliest = std::numeric_limits<int64_t>::max();
  if (idle_timeout_sources_ == 0) return earliest;
  const int64_t now = options_.clock->MonotonicNanos();
  for (const std::unique_ptr<Source>& source : sources_) {
    if (source->idle_timeout_nanos == 0) continue;
    if (now >= source->next_idle_deadline) CheckIdle(*source, now);
    earliest = std::min(earliest, source->next_idle_deadline);
  }
  return earliest;
}

void Reactor::CheckIdle(Source& source, int64_t now_nanos) {
  bool changed = false;
  int64_t next = std::numeric_limits<int64_t>::max();
  for (Producer& producer : source.producers) {
    if (!producer.has_watermark || producer.idle) continue;
    const int64_t deadline = producer.last_active_nanos + source.idle_timeout_nanos;
    if (now_nanos >= deadline) {
      producer.idle = true;
      changed = true;
    } else {
      next = std::min(next, deadline);
    }
  }
  source.next_idle_deadline = next;
  if (changed) UpdateSourceWatermark(source);
}

bool Reactor::HasWork() const {
  if (stop_requested_.load(std::memory_order_acquire)) return true;
  if (pending_commands_.load(std::memory_order_acquire) > 0) return true;
  for (const std::unique_ptr<Source>& source : sources_) {
    if (source->state->channel().size() > 0) return true;
    if (source->state->statement_channel().size() > 0) return true;
    if (source->state->HasEndedProducers()) return true;
  }
  return false;
}

void Reactor::Idle() {
  const uint32_t polls = options_.idle == ReactorIdle::kSpin ? std::numeric_limits<uint32_t>::max()
                                                             : options_.spin_polls;
  // Idle producers and due timers are noticed here, when the reactor has nothing else to do.
  const int64_t deadline = CheckIdleSources();
  const int64_t timer = FireDueTimers();
  for (uint32_t i = 0; i < polls; ++i) {
    if (HasWork()) return;
    if ((i & 1023) == 1023) {
      if (deadline != std::numeric_limits<int64_t>::max() &&
          options_.clock->MonotonicNanos() >= deadline) {
        return;
      }
      if (timer != exec::kMaxWatermark && options_.clock->NowMicros() >= timer) return;
    }
    stream::CpuRelax();
  }
  // Sleep until a producer or a command rings, or until the next producer may turn idle; the
  // 100 ms cap only bounds the damage of a bug.
  int64_t timeout = 100'000'000;
  if (deadline != std::numeric_limits<int64_t>::max()) {
    timeout = std::clamp<int64_t>(deadline - options_.clock->MonotonicNanos(), 0, timeout);
  }
  if (timer != exec::kMaxWatermark) {
    const int64_t micros = timer - options_.clock->NowMicros();
    timeout = std::clamp<int64_t>(micros > timeout / 1000 ? timeout : micros * 1000, 0, timeout);
  }
  if (timeout == 0) return;
  doorbell_->spot().Park([this] { return HasWork(); }, timeout);
}

void Reactor::AddSource(std::shared_ptr<SourceState> state, std::shared_ptr<Outlet> outlet) {
  auto object = std::make_unique<Object>();
  object->name = state->name();
  object->outlet = std::move(outlet);
  auto source = std::make_unique<Source>();
  source->pending_rows = std::make_unique<BatchBuilder>(state->schema());
  if (const auto& timeout = state->event_time().idle_timeout_micros; timeout && *timeout > 0) {
    source->idle_timeout_nanos = *timeout > std::numeric_limits<int64_t>::max() / 1000
                                     ? std::numeric_limits<int64_t>::max() / 2
                                     : *timeout * 1000;
    ++idle_timeout_sources_;
  }
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

Status Reactor::CommitSinks(uint64_t epoch) {
  Status first;
  for (auto& [name, object] : objects_) {
    if (object->query == nullptr || object->query->sink == nullptr) continue;
    Status committed = object->query->sink->Commit(epoch);
    if (!committed.ok() && first.ok()) {
      first = Status::Error(committed.code(), "sink \"{}\": {}", name, committed.message());
    }
  }
  return first;
}

Status Reactor::FlushSinks(uint64_t epoch) {
  Status first;
  for (auto& [name, object] : objects_) {
    if (object->query == nullptr || object->query->sink == nullptr || object->query->failed) {
      continue;
    }
    connectors::SinkConnector& sink = *object->query->sink;
    Status flushed = sink.PreCommit(epoch);
    if (flushed.ok()) flushed = sink.Commit(epoch);
    if (!flushed.ok()) {
      FailQuery(*object->query, flushed);
      if (first.ok()) {
        first = Status::Error(flushed.code(), "sink \"{}\": {}", name, flushed.message());
      }
    }
  }
  return first;
}

Status Reactor::AddQuery(std::unique_ptr<exec::Dataflow> flow, std::shared_ptr<Outlet> outlet,
                         std::shared_ptr<connectors::SinkConnector> sink) {
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
  query->sink = std::move(sink);
  query->flow->Attach(query.get());
  for (const exec::Dataflow::SideOutput& side : query->flow->side_outputs()) {
    auto target = objects_.find(side.object);
    query->side_targets.push_back(target == objects_.end() ? nullptr : target->second.get());
  }
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
    if (other->query != nullptr) {
      for (Object*& target : other->query->side_targets) {
        if (target == object) target = nullptr;
      }
    }
  }
  std::erase_if(sources_, [&](const std::unique_ptr<Source>& source) {
    if (source->object != object) return false;
    if (source->idle_timeout_nanos > 0) --idle_timeout_sources_;
    return true;
  });
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
  (void)CheckIdleSources();
  (void)FireDueTimers();
  return Status::Ok();
}

std::optional<SourceStatus> Reactor::DescribeSource(std::string_view name) const {
  for (const std::unique_ptr<Source>& source : sources_) {
    if (source->object->name != name) continue;
    SourceStatus status;
    status.watermark = source->watermark;
    for (const Producer& producer : source->producers) {
      if (!producer.has_watermark) continue;
      ++status.producers;
      if (producer.idle) ++status.idle_producers;
    }
    status.rows = source->rows;
    status.late_rows = source->late_rows;
    status.future_rows = source->future_rows;
    status.ended = source->ended;
    return status;
  }
  return std::nullopt;
}

std::optional<std::vector<exec::OperatorStatus>> Reactor::DescribeQuery(
    std::string_view name) const {
  auto it = objects_.find(name);
  if (it == objects_.end() || it->second->query == nullptr) return std::nullopt;
  return it->second->query->flow->OperatorWatermarks();
}

size_t Reactor::DrainSource(Source& source, size_t max_rows) {
  size_t count = DrainChannel(source, source.state->channel(), max_rows);
  count += DrainChannel(source, source.state->statement_channel(), max_rows);
  if (source.state->HasEndedProducers()) RetireEndedProducers(source);
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
  // Producers' activity, for idle timeouts: one clock reading per pass.
  const int64_t now = source.idle_timeout_nanos > 0 ? options_.clock->MonotonicNanos() : 0;
  for (SourceMessage& message : scratch_) ProcessMessage(source, message, now, cap);
  (void)FlushRows(source);
  scratch_.clear();
  return count;
}

void Reactor::ProcessMessage(Source& source, SourceMessage& message, int64_t now, size_t cap) {
  if (source.idle_timeout_nanos > 0) {
    FindProducer(source, message.producer).last_active_nanos = now;
    // A lower bound of the next deadline; CheckIdle computes the exact one.
    source.next_idle_deadline =
        std::min(source.next_idle_deadline, exec::SaturatingAdd(now, source.idle_timeout_nanos));
  }
  switch (message.kind) {
    case SourceMessage::Kind::kRow: {
      // A batch holds at most 2 GiB of string bytes per column: deliver the rows gathered so
      // far and start the next batch with this row (which alone always fits: the encoder
      // refuses longer strings).
      if (!source.pending_rows->HasRoomFor(message.row)) (void)FlushRows(source);
      if (source.pending_rows->num_rows() == 0) {
        source.pending_producer = message.producer;
      } else if (!source.pending_producers.empty()) {
        source.pending_producers.push_back(message.producer);
      } else if (message.producer != source.pending_producer) {
        // Rows of several producers in one batch: remember each row's producer.
        source.pending_producers.assign(static_cast<size_t>(source.pending_rows->num_rows()),
                                        source.pending_producer);
        source.pending_producers.push_back(message.producer);
      }
      // Encoded and checked when pushed (SourceState::EncodeRow) or read back from the WAL.
      source.pending_rows->AppendRecord(message.row);
      if (static_cast<size_t>(source.pending_rows->num_rows()) >= cap) {
        (void)FlushRows(source);
      }
      break;
    }
    case SourceMessage::Kind::kBatch:
      (void)FlushRows(source);
      DeliverSourceBatch(source, *message.batch, message.producer, {});
      break;
    case SourceMessage::Kind::kWatermark: {
      (void)FlushRows(source);
      Producer& producer = FindProducer(source, message.producer);
      producer.watermark = producer.has_watermark ? std::max(producer.watermark, message.watermark)
                                                  : message.watermark;
      producer.has_watermark = true;
      producer.idle = false;
      UpdateSourceWatermark(source);
      break;
    }
    case SourceMessage::Kind::kClose:
      (void)FlushRows(source);
      source.close_requested = true;
      break;
  }
  source.consumed_lsn = std::max(source.consumed_lsn, message.lsn);
}

Status Reactor::FlushRows(Source& source) {
  if (source.pending_rows->num_rows() == 0) return Status::Ok();
  Result<Batch> batch = source.pending_rows->Finish();
  if (!batch.ok()) {
    source.pending_producers.clear();
    LAMINAR_LOG(kError, "source {}: {}", source.state->name(), batch.status().ToString());
    return batch.status();
  }
  DeliverSourceBatch(source, std::move(*batch), source.pending_producer, source.pending_producers);
  source.pending_producers.clear();
  // The batch is published: ready the next one's memory now, off the next row's path.
  source.pending_rows->PrepareArena();
  return Status::Ok();
}

Reactor::Producer& Reactor::FindProducer(Source& source, uint32_t id) {
  if (source.last_producer < source.producers.size() &&
      source.producers[source.last_producer].id == id) {
    return source.producers[source.last_producer];
  }
  for (size_t i = 0; i < source.producers.size(); ++i) {
    if (source.producers[i].id == id) {
      source.last_producer = i;
      return source.producers[i];
    }
  }
  // A producer joins with its first message; it counts once it has a watermark.
  source.producers.push_back(Producer{.id = id});
  source.last_producer = source.producers.size() - 1;
  return source.producers.back();
}

int64_t Reactor::ProducerMinimum(const Source& source) {
  int64_t minimum = exec::kMaxWatermark;
  bool any = false;
  for (const Producer& producer : source.producers) {
    if (!producer.has_watermark || producer.idle) continue;
    minimum = std::min(minimum, producer.watermark);
    any = true;
  }
  // No producer counts (none has a watermark, or all are idle): the watermark stays.
  return any ? minimum : exec::kMinWatermark;
}

void Reactor::UpdateSourceWatermark(Source& source) {
  AdvanceSourceWatermark(source, ProducerMinimum(source));
}

void Reactor::RetireEndedProducers(Source& source) {
  stream::Channel<SourceMessage>& channel = source.state->channel();
  const std::vector<EndedProducer> ended =
      source.state->TakeEndedProducers(channel.popped() + channel.dropped());
  if (ended.empty()) return;
  for (const EndedProducer& gone : ended) {
    std::erase_if(source.producers,
                  [&](const Producer& producer) { return producer.id == gone.producer; });
  }
  source.last_producer = 0;
  UpdateSourceWatermark(source);
}

void Reactor::DeliverSourceBatch(Source& source, Batch batch, uint32_t producer,
                                 std::span<const uint32_t> row_producers) {
  const int64_t num_rows = batch.num_rows();
  if (num_rows == 0) return;
  source.rows += num_rows;
  const EventTimeSpec& event_time = source.state->event_time();
  if (event_time.column < 0) {
    Publish(*source.object, exec::ChangeBatch{std::move(batch), {}});
    return;
  }
  // One pass over the event times. `running` is the watermark the rows before the current one
  // produced; a row below it is late, and when `running` is ahead of what was delivered, the
  // rows before it and that watermark are delivered first (the batch is split), so the row
  // sees exactly what it would have seen had every row been pushed alone.
  const Column& column = batch.column(event_time.column);
  const int64_t* values = column.Values<int64_t>();
  const int64_t unit = event_time.micros_per_unit;
  const bool bounded = event_time.delay_micros.has_value();
  const int64_t delay = bounded ? *event_time.delay_micros : 0;
  int64_t future_limit = exec::kMaxWatermark;
  if (bounded && event_time.max_future_skew_micros) {
    future_limit =
        exec::SaturatingAdd(options_.clock->NowMicros(), *event_time.max_future_skew_micros);
  }
  // Producers are followed when their rows make watermarks or may bring them back from idle.
  const bool track = bounded || source.idle_timeout_nanos > 0;
  Producer* current = track ? &FindProducer(source, producer) : nullptr;
  if (current != nullptr && row_producers.empty()) current->idle = false;
  const bool single = row_producers.empty() && source.producers.size() == 1;
  int64_t running = source.watermark;
  int64_t start = 0;
  int64_t late = 0;
  int64_t future = 0;
  for (int64_t row = 0; row < num_rows; ++row) {
    if (!column.IsValid(row)) continue;
    const int64_t time = unit == 1 ? values[row] : SaturatingMultiply(values[row], unit);
    if (time < running) {
      ++late;
      if (running > source.watermark) {
        Publish(*source.object, exec::ChangeBatch{batch.Slice(start, row - start), {}});
        start = row;
        AdvanceSourceWatermark(source, running);
      }
    }
    if (track && !row_producers.empty()) {
      current = &FindProducer(source, row_producers[static_cast<size_t>(row)]);
      current->idle = false;  // Back from idle: counts again from this row on.
    }
    if (!bounded) continue;
    if (time > future_limit) {
      ++future;
      continue;
    }
    if (time <= current->max_event_time) continue;
    current->max_event_time = time;
    const int64_t candidate = exec::SaturatingAdd(time, -delay);
    if (current->has_watermark && candidate <= current->watermark) continue;
    current->watermark = candidate;
    current->has_watermark = true;
    running = std::max(running, single ? candidate : ProducerMinimum(source));
  }
  source.late_rows += late;
  source.future_rows += future;
  Publish(
      *source.object,
      exec::ChangeBatch{start == 0 ? std::move(batch) : batch.Slice(start, num_rows - start), {}});
  AdvanceSourceWatermark(source, running);
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

void Reactor::Publish(Object& object, exec::ChangeBatch&& batch) {
  if (!object.readers.empty()) {
    Publish(object, static_cast<const exec::ChangeBatch&>(batch));
    return;
  }
  // No query reads the object: its subscribers are the batch's last users.
  object.outlet->PublishBatch(std::move(batch));
}

void Reactor::PublishWatermark(Object& object, int64_t watermark) {
  object.outlet->PublishWatermark(watermark);
  for (auto& [query, input] : object.readers) {
    if (query->failed) continue;
    Status status = query->flow->Watermark(input, watermark);
    if (!status.ok()) FailQuery(*query, status);
  }
}

void Reactor::PublishBarrier(Object& object, uint64_t epoch) {
  for (auto& [query, input] : object.readers) {
    if (query->failed) continue;
    Status status = query->flow->Barrier(input, epoch);
    if (!status.ok()) FailQuery(*query, status);
  }
}

namespace {
constexpr uint32_t kSourceStateVersion = 1;
constexpr std::string_view kFailedPrefix = "failed:";
}  // namespace

Status Reactor::Checkpoint(uint64_t epoch, ReactorSnapshot* snapshot) {
  for (const std::unique_ptr<Source>& source : sources_) {
    LAMINAR_RETURN_IF_ERROR(FlushRows(*source));
  }
  checkpoint_ = snapshot;
  // Streams fed by a live query's side output get the barrier from that query.
  std::set<const Object*> fed;
  for (const auto& [name, object] : objects_) {
    if (object->query == nullptr || object->query->failed) continue;
    for (const Object* target : object->query->side_targets) fed.insert(target);
  }
  for (const std::unique_ptr<Source>& source : sources_) PublishBarrier(*source->object, epoch);
  // Streams no live query feeds, and the outputs of queries that stopped with an error (they
  // emit nothing more), pass the barrier on at once.
  for (auto& [name, object] : objects_) {
    const bool is_source = std::any_of(sources_.begin(), sources_.end(),
                                       [&](const auto& s) { return s->object == object.get(); });
    const bool silent = object->query != nullptr ? object->query->failed
                                                 : !is_source && fed.count(object.get()) == 0;
    if (silent) PublishBarrier(*object, epoch);
  }
  checkpoint_ = nullptr;
  if (!snapshot->failures.empty()) return snapshot->failures.front();
  for (const auto& [name, object] : objects_) {
    snapshot->watermarks[name] = object->outlet->watermark();
    if (object->query == nullptr) continue;
    if (object->query->failed) {
      // Failed after its barrier passed (its state, begun, was dropped): recorded as failed.
      snapshot->flows.erase(name);
      const Status failure = object->outlet->failure();
      snapshot->queries[name] = fmt::format("{}{}:{}", kFailedPrefix,
                                            static_cast<int>(failure.code()), failure.message());
    } else if (snapshot->flows.find(name) == snapshot->flows.end()) {
      return Status::Error(ErrorCode::kInternal,
                           "checkpoint {}: the barrier did not pass through query \"{}\"", epoch,
                           name);
    }
  }
  for (const std::unique_ptr<Source>& source : sources_) {
    storage::StateWriter writer;
    writer.WriteVersion(kSourceStateVersion);
    writer.I64(source->watermark);
    writer.VarU64(source->producers.size());
    for (const Producer& producer : source->producers) {
      writer.U32(producer.id);
      writer.I64(producer.max_event_time);
      writer.I64(producer.watermark);
      writer.Bool(producer.has_watermark);
      writer.Bool(producer.idle);
    }
    writer.I64(source->rows);
    writer.I64(source->late_rows);
    writer.I64(source->future_rows);
    writer.Bool(source->close_requested);
    writer.Bool(source->ended);
    writer.U64(source->consumed_lsn);
    snapshot->sources[source->object->name] = writer.Release();
    if (source->state->wal() != nullptr) {
      snapshot->consumed_lsn[source->object->name] = source->consumed_lsn;
    }
  }
  return Status::Ok();
}

Status Reactor::ContinueCheckpoint(ReactorSnapshot* snapshot, int64_t budget_nanos,
                                   bool* complete) {
  const int64_t deadline = Clock::System()->MonotonicNanos() + budget_nanos;
  *complete = true;
  for (auto& [name, flow_snapshot] : snapshot->flows) {
    if (flow_snapshot.complete()) continue;
    Query* query = QueryOf(name);
    if (query == nullptr || query->failed) {
      return Status::Error(ErrorCode::kInternal,
                           "query \"{}\" stopped while its state was being written", name);
    }
    Status continued = query->flow->ContinueSnapshot(flow_snapshot, deadline);
    if (!continued.ok()) {
      return Status::Error(continued.code(), "query \"{}\": {}", name, continued.message());
    }
    if (!flow_snapshot.complete()) {
      *complete = false;
      return Status::Ok();
    }
  }
  for (auto& [name, state] : snapshot->incremental) {
    while (!state.pieces) {
      Result<std::optional<std::vector<std::string>>> more = state.next();
      if (!more.ok()) {
        return Status::Error(more.status().code(), "\"{}\": {}", name, more.status().message());
      }
      state.pieces = std::move(*more);
      if (!state.pieces && Clock::System()->MonotonicNanos() >= deadline) {
        *complete = false;
        return Status::Ok();
      }
    }
  }
  return Status::Ok();
}

Status Reactor::CompleteCheckpoint(ReactorSnapshot* snapshot, int64_t slice_nanos,
                                   SliceStats* stats) {
  if (std::all_of(snapshot->flows.begin(), snapshot->flows.end(),
                  [](const auto& flow) { return flow.second.complete(); }) &&
      std::all_of(snapshot->incremental.begin(), snapshot->incremental.end(),
                  [](const auto& state) { return state.second.pieces.has_value(); })) {
    return Status::Ok();
  }
  BackgroundCheckpoint job;
  job.snapshot = snapshot;
  job.slice_nanos = slice_nanos;
  job.stats = stats;
  std::future<Status> done = job.done.get_future();
  if (!thread_.joinable()) {
    background_ = &job;
    while (background_ != nullptr) RunCheckpointSlice();
    return done.get();
  }
  LAMINAR_RETURN_IF_ERROR(Execute([&] {
    background_ = &job;
    return Status::Ok();
  }));
  return done.get();
}

void Reactor::RunCheckpointSlice() {
  BackgroundCheckpoint& job = *background_;
  const int64_t started = Clock::System()->MonotonicNanos();
  bool complete = false;
  Status status = ContinueCheckpoint(job.snapshot, job.slice_nanos, &complete);
  if (!status.ok()) CancelCheckpoint(job.snapshot);
  ++job.stats->slices;
  job.stats->longest_nanos =
      std::max(job.stats->longest_nanos, Clock::System()->MonotonicNanos() - started);
  if (status.ok() && !complete) return;
  background_ = nullptr;
  job.done.set_value(std::move(status));  // The waiting control thread may now free `job`.
}

void Reactor::CancelCheckpoint(ReactorSnapshot* snapshot) {
  for (auto& [name, flow_snapshot] : snapshot->flows) {
    if (flow_snapshot.complete()) continue;
    if (Query* query = QueryOf(name); query != nullptr) query->flow->CancelSnapshot();
  }
  for (auto& [name, state] : snapshot->incremental) {
    if (!state.pieces) state.cancel();
  }
}

Reactor::Query* Reactor::QueryOf(std::string_view name) const {
  auto object = objects_.find(name);
  return object == objects_.end() ? nullptr : object->second->query.get();
}

Status Reactor::RestoreSource(std::string_view name, std::string_view state) {
  Source* source = nullptr;
  for (const std::unique_ptr<Source>& candidate : sources_) {
    if (candidate->object->name == name) source = candidate.get();
  }
  if (source == nullptr) {
    return Status::Error(ErrorCode::kInternal, "restoring source \"{}\": not running", name);
  }
  storage::StateReader reader(state, fmt::format("state of source \"{}\"", name));
  reader.ReadVersion(kSourceStateVersion);
  source->watermark = reader.I64();
  const size_t producers = reader.Count(27);
  source->producers.clear();
  const int64_t now = options_.clock->MonotonicNanos();
  for (size_t i = 0; i < producers && reader.ok(); ++i) {
    Producer producer;
    producer.id = reader.U32();
    producer.max_event_time = reader.I64();
    producer.watermark = reader.I64();
    producer.has_watermark = reader.Bool();
    producer.idle = reader.Bool();
    producer.last_active_nanos = now;  // Idle timeouts count from the restart.
    source->producers.push_back(producer);
  }
  source->last_producer = 0;
  source->rows = reader.I64();
  source->late_rows = reader.I64();
  source->future_rows = reader.I64();
  source->close_requested = reader.Bool();
  source->ended = reader.Bool();
  source->consumed_lsn = reader.U64();
  LAMINAR_RETURN_IF_ERROR(reader.Finish());
  if (source->ended || source->close_requested) source->state->MarkClosed();
  source->object->outlet->PublishWatermark(source->watermark);
  return Status::Ok();
}

Status Reactor::RestoreQuery(std::string_view name, std::string_view state) {
  auto it = objects_.find(name);
  if (it == objects_.end() || it->second->query == nullptr) {
    return Status::Error(ErrorCode::kInternal, "restoring query \"{}\": not running", name);
  }
  Query& query = *it->second->query;
  if (state.substr(0, kFailedPrefix.size()) == kFailedPrefix) {
    // "failed:<code>:<message>": the query stays stopped with the error it had.
    std::string_view rest = state.substr(kFailedPrefix.size());
    const size_t colon = rest.find(':');
    const int code =
        colon == std::string_view::npos ? 0 : std::atoi(std::string(rest.substr(0, colon)).c_str());
    FailQuery(query,
              Status(code > 0 ? static_cast<ErrorCode>(code) : ErrorCode::kInternal,
                     std::string(rest.substr(colon == std::string_view::npos ? 0 : colon + 1))));
    return Status::Ok();
  }
  return query.flow->Restore(state, fmt::format("state of query \"{}\"", name));
}

Status Reactor::Replay(std::string_view name, std::vector<SourceMessage>& messages) {
  for (const std::unique_ptr<Source>& candidate : sources_) {
    if (candidate->object->name != name) continue;
    Source& source = *candidate;
    const size_t cap = max_batch_rows_.load(std::memory_order_relaxed);
    const int64_t now = options_.clock->MonotonicNanos();
    for (SourceMessage& message : messages) ProcessMessage(source, message, now, cap);
    LAMINAR_RETURN_IF_ERROR(FlushRows(source));
    if (source.close_requested && !source.ended) {
      source.ended = true;
      source.state->MarkClosed();
      AdvanceSourceWatermark(source, exec::kMaxWatermark);
    }
    return Status::Ok();
  }
  return Status::Error(ErrorCode::kInternal, "replaying source \"{}\": not running", name);
}

void Reactor::ForgetProducers(std::string_view name) {
  for (const std::unique_ptr<Source>& source : sources_) {
    if (source->object->name != name) continue;
    source->producers.clear();
    source->last_producer = 0;
  }
}

Status Reactor::SetConsumedLsn(std::string_view name, uint64_t lsn) {
  for (const std::unique_ptr<Source>& source : sources_) {
    if (source->object->name != name) continue;
    source->consumed_lsn = lsn;
    return Status::Ok();
  }
  return Status::Error(ErrorCode::kInternal, "source \"{}\": not running", name);
}

void Reactor::RestoreWatermark(std::string_view name, int64_t watermark) {
  auto it = objects_.find(name);
  if (it == objects_.end() || watermark == exec::kMinWatermark) return;
  it->second->outlet->PublishWatermark(watermark);
}

void Reactor::FailQuery(Query& query, const Status& status) {
  if (query.failed) return;
  query.failed = true;
  // A failed query takes no more input: an incremental snapshot it began is dropped (the
  // checkpoint records the failure instead, or fails if the query's state was still owed).
  query.flow->CancelSnapshot();
  LAMINAR_LOG(kWarning, "{} \"{}\" stopped: {}", "query", query.output->name, status.ToString());
  query.output->outlet->Fail(status);
  // Queries reading the failed one cannot produce complete results any more.
  for (auto& [reader, input] : query.output->readers) {
    FailQuery(*reader, Status::Error(status.code(), "input \"{}\" stopped: {}", query.output->name,
                                     status.message()));
  }
}

}  // namespace laminar::runtime
