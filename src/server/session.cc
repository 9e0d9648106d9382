#include "server/session.h"

#include <fmt/format.h>

#include <chrono>
#include <future>

#include "columnar/table_printer.h"

namespace laminar::server {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool CreatesStream(const QueryResult& result) {
  return StartsWith(result.tag, "CREATE STREAM") || StartsWith(result.tag, "CREATE SINK");
}

}  // namespace

Session::Session(LaminarDB& db, OutputFormat format, std::FILE* out)
    : db_(db), format_(format), out_(out) {}

void Session::Collect() {
  for (StreamOutput& stream : streams_) {
    while (std::optional<exec::ChangeBatch> batch = stream.subscription.Poll()) {
      if (batch->num_rows() > 0) stream.pending.push_back(std::move(*batch));
    }
  }
}

// Sync runs on a helper thread while this one keeps draining the subscriptions: a statement
// that emits more batches than a subscription buffers would otherwise leave the reactor
// waiting for room and Sync waiting for the reactor.
Status Session::SyncAndCollect() {
  std::future<Status> synced = std::async(std::launch::async, [this] { return db_.Sync(); });
  while (synced.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) Collect();
  Status status = synced.get();
  Collect();
  return status;
}

Status Session::SubscribeTo(const std::string& name) {
  Collect();  // Keep what a replaced stream of the same name emitted.
  Result<Subscription> subscription = db_.Subscribe(name);
  if (!subscription.ok()) return subscription.status();
  for (StreamOutput& stream : streams_) {
    if (stream.name == name) {
      stream.subscription = std::move(*subscription);
      return Status::Ok();
    }
  }
  streams_.push_back(StreamOutput{name, std::move(*subscription), {}});
  return Status::Ok();
}

// A dropped stream (also one dropped by CASCADE) has no watermark any more.
void Session::ForgetDroppedStreams() {
  std::erase_if(streams_, [this](const StreamOutput& stream) {
    return stream.pending.empty() &&
           db_.CurrentWatermark(stream.name).status().code() == ErrorCode::kUnknownObject;
  });
}

std::string Session::TakeEmissions() {
  std::string out;
  for (StreamOutput& stream : streams_) {
    if (stream.pending.empty()) continue;
    if (format_ == OutputFormat::kJsonLines) {
      for (const exec::ChangeBatch& batch : stream.pending) {
        out += JsonEmissionLines(stream.name, stream.subscription.schema(), batch);
      }
    } else {
      out += TableEmission(stream.name, stream.subscription.schema(),
                           stream.subscription.changelog(), stream.pending);
    }
    stream.pending.clear();
  }
  return out;
}

std::string Session::StatementOutput(const QueryResult& result) {
  if (!result.rows) {
    return format_ == OutputFormat::kTable ? result.tag + "\n" : std::string();
  }
  ++queries_;
  if (format_ == OutputFormat::kJsonLines) return JsonQueryLines(queries_, *result.rows);
  if (result.tag == "EXPLAIN") {
    // The plan reads better as plain text than as a one-column table.
    std::string out;
    for (int64_t r = 0; r < result.rows->num_rows(); ++r) {
      out += result.rows->column(0).GetValue(r).ToString();
      out += '\n';
    }
    return out;
  }
  return FormatTable(*result.rows);
}

Status Session::Execute(std::string_view text) {
  std::vector<QueryResult> results;
  // The callback runs with the database's lock held: it only records (subscribing or syncing
  // from inside it would wait for that lock forever).
  Status status = db_.ExecuteScript(text, [&results](int, const QueryResult& result) {
    results.push_back(result);
    return Status::Ok();
  });
  bool dropped = false;
  for (const QueryResult& result : results) {
    if (CreatesStream(result)) {
      Status subscribed = SubscribeTo(result.object_name);
      if (!subscribed.ok() && status.ok()) status = std::move(subscribed);
    }
    dropped = dropped || StartsWith(result.tag, "DROP");
  }
  Status synced = SyncAndCollect();
  if (!synced.ok() && status.ok()) status = std::move(synced);

  std::string out;
  std::string statement_output;
  for (const QueryResult& result : results) statement_output += StatementOutput(result);
  if (format_ == OutputFormat::kJsonLines) {
    out = TakeEmissions() + statement_output;
  } else {
    out = statement_output + TakeEmissions();
  }
  if (dropped) ForgetDroppedStreams();
  std::fwrite(out.data(), 1, out.size(), out_);
  std::fflush(out_);
  return status;
}

Status Session::Finish(bool close_sources) {
  // Bounded connectors (FROM NEXMARK ...) finish their input first; subscriptions are drained
  // meanwhile so that a full one cannot stall them.
  std::future<Status> waited =
      std::async(std::launch::async, [this] { return db_.WaitForConnectors(); });
  while (waited.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) Collect();
  Status status = waited.get();
  if (status.ok() && close_sources) status = db_.CloseSources();
  Status synced = SyncAndCollect();
  if (status.ok()) status = std::move(synced);
  const std::string out = TakeEmissions();
  std::fwrite(out.data(), 1, out.size(), out_);
  std::fflush(out_);
  Status shut_down = db_.Shutdown();
  if (status.ok()) status = std::move(shut_down);
  return status;
}

void Session::WriteLine(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace laminar::server
