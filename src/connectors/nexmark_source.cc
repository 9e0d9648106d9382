#include "connectors/nexmark_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "common/thread_name.h"

namespace laminar::connectors {
namespace {

Result<uint64_t> ParseCount(const std::string& key, const std::string& text, uint64_t minimum,
                            uint64_t maximum) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || end == text.c_str() || *end != '\0' || errno != 0 || text[0] == '-' ||
      value < minimum || value > maximum) {
    return Status::Error(ErrorCode::kInvalidOption,
                         "NEXMARK option {} must be an integer between {} and {}, not '{}'", key,
                         minimum, maximum, text);
  }
  return static_cast<uint64_t>(value);
}

}  // namespace

Result<NexmarkSourceOptions> ParseNexmarkSourceOptions(
    const std::map<std::string, std::string>& options) {
  NexmarkSourceOptions parsed;
  bool has_table = false;
  for (const auto& [key, value] : options) {
    if (key == "table") {
      auto table = nexmark::ParseNexmarkTable(value);
      if (!table.ok()) {
        return Status::Error(ErrorCode::kInvalidOption,
                             "NEXMARK option table must be 'bid', 'auction' or 'person', not '{}'",
                             value);
      }
      parsed.table = *table;
      has_table = true;
    } else if (key == "events") {
      LAMINAR_ASSIGN_OR_RETURN(parsed.events, ParseCount(key, value, 1, nexmark::kMaxEventId));
    } else if (key == "rate") {
      LAMINAR_ASSIGN_OR_RETURN(parsed.config.rate,
                               ParseCount(key, value, 1, uint64_t{1'000'000'000'000}));
    } else if (key == "seed") {
      LAMINAR_ASSIGN_OR_RETURN(parsed.config.seed, ParseCount(key, value, 0, UINT64_MAX));
    } else if (key == "events_per_batch") {
      LAMINAR_ASSIGN_OR_RETURN(parsed.events_per_batch, ParseCount(key, value, 1, 1'000'000));
    } else {
      return Status::Error(ErrorCode::kInvalidOption,
                           "unknown NEXMARK option {}; options: table, events, rate, seed, "
                           "events_per_batch",
                           key);
    }
  }
  if (!has_table) {
    return Status::Error(ErrorCode::kInvalidOption,
                         "NEXMARK needs table = 'bid', 'auction' or 'person'");
  }
  if (parsed.events_per_batch == 0) {
    // About 4096 rows of the table per batch: 46 of 50 events are bids, 3 auctions, 1 person.
    const uint64_t share = parsed.table == nexmark::NexmarkTable::kBid       ? 46
                           : parsed.table == nexmark::NexmarkTable::kAuction ? 3
                                                                             : 1;
    parsed.events_per_batch = (4096 * 50 + share - 1) / share;
  }
  LAMINAR_RETURN_IF_ERROR(parsed.config.Validate());
  LAMINAR_RETURN_IF_ERROR(nexmark::ValidateEventRange(parsed.config, 0, parsed.events));
  return parsed;
}

Status NexmarkSource::Start(std::unique_ptr<SourceWriter> writer) {
  writer_ = std::move(writer);
  thread_ = std::thread([this] {
    NameCurrentThread("ldb-nexmark");
    Run();
  });
  return Status::Ok();
}

void NexmarkSource::Stop() {
  stop_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

Status NexmarkSource::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

void NexmarkSource::Run() {
  Status status;
  for (uint64_t first = 0; first < options_.events && status.ok();) {
    const uint64_t end = std::min(options_.events, first + options_.events_per_batch);
    Result<Batch> batch = nexmark::GenerateTable(options_.config, options_.table, first, end);
    if (batch.ok() && !options_.columns.empty()) {
      // The declared columns only, in the declared order.
      std::vector<Column> columns;
      for (int index : options_.columns) columns.push_back(batch->column(index));
      batch = Batch::Make(options_.schema, std::move(columns));
    }
    if (!batch.ok()) {
      status = batch.status();
      break;
    }
    if (skip_rows_ > 0) {
      const auto skipped = static_cast<int64_t>(
          std::min<uint64_t>(skip_rows_, static_cast<uint64_t>(batch->num_rows())));
      skip_rows_ -= static_cast<uint64_t>(skipped);
      *batch = batch->Slice(skipped, batch->num_rows() - skipped);
    }
    // Wait for room without blocking inside the channel, so that Stop() is always prompt.
    while (!writer_->HasCapacity()) {
      if (stop_.load(std::memory_order_acquire)) return;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (stop_.load(std::memory_order_acquire)) return;
    if (batch->num_rows() > 0) status = writer_->PushBatch(*batch);
    first = end;
  }
  if (status.ok()) status = writer_->Close();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
  }
  finished_.store(true, std::memory_order_release);
}

const std::map<std::string, std::string>& AvailableSourceConnectors() {
  static const auto* const connectors = new std::map<std::string, std::string>{
      {"nexmark", "the Nexmark benchmark generator (nexmark/SPEC.md)"}};
  return *connectors;
}

Result<std::unique_ptr<SourceConnector>> CreateSourceConnector(
    const std::string& name, const std::map<std::string, std::string>& options,
    const std::shared_ptr<const Schema>& schema) {
  if (name != "nexmark") {
    return Status::Error(ErrorCode::kNotSupported, "source connector {} is not built yet", name);
  }
  LAMINAR_ASSIGN_OR_RETURN(NexmarkSourceOptions parsed, ParseNexmarkSourceOptions(options));
  // The declared columns are some of the table's, found by name, with its types, in any order
  // (a source may read only the columns it needs).
  const Schema& produced = *nexmark::NexmarkSchema(parsed.table);
  bool identity = schema->num_fields() == produced.num_fields();
  for (int i = 0; i < schema->num_fields(); ++i) {
    const Field& have = schema->field(i);
    const std::optional<int> index = produced.FieldIndex(have.name);
    if (!index) {
      return Status::Error(ErrorCode::kSchemaMismatch,
                           "NEXMARK table {} has no column {}; its columns are {}",
                           nexmark::NexmarkTableName(parsed.table), have.name, produced.ToString());
    }
    const Field& want = produced.field(*index);
    if (want.type != have.type) {
      return Status::Error(ErrorCode::kSchemaMismatch,
                           "column {} of a NEXMARK {} source must be {}, not {}", have.name,
                           nexmark::NexmarkTableName(parsed.table), want.type.ToString(),
                           have.type.ToString());
    }
    identity = identity && *index == i;
    parsed.columns.push_back(*index);
  }
  if (identity) parsed.columns.clear();
  parsed.schema = schema;
  return std::unique_ptr<SourceConnector>(std::make_unique<NexmarkSource>(std::move(parsed)));
}

}  // namespace laminar::connectors
