#include "server/nexmark_bench.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

#include "common/error_code.h"
#include "common/file_system.h"
#include "functions/function_registry.h"
#include "laminar/laminardb.h"
#include "server/latency_samples.h"
#include "server/nexmark_queries.h"
#include "server/output_checksum.h"
#include "server/result_output.h"
#include "sql/binder/binder.h"
#include "sql/catalog/catalog.h"
#include "sql/parser/parser.h"
#include "sql/parser/unparser.h"

namespace laminar::server {
namespace {

using nexmark::NexmarkTable;

constexpr NexmarkTable kTables[] = {NexmarkTable::kPerson, NexmarkTable::kAuction,
                                    NexmarkTable::kBid};

// Events of every 50 that belong to the table.
uint64_t TableShare(NexmarkTable table) {
  switch (table) {
    case NexmarkTable::kPerson:
      return 1;
    case NexmarkTable::kAuction:
      return 3;
    case NexmarkTable::kBid:
      return 46;
  }
  return 1;
}

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// A harness thread that ends only when released: its exit (its stack, and the memory its
// allocator heap holds, going back) then comes after the run's CPU times are read. Otherwise
// that work lands in the process's CPU time with no thread clock to account for it, and is
// counted as the engine's.
class HarnessThread {
 public:
  explicit HarnessThread(std::function<void()> body)
      : thread_([this, body = std::move(body)] {
          body();
          std::unique_lock lock(mutex_);
          done_ = true;
          changed_.notify_all();
          changed_.wait(lock, [this] { return released_; });
        }) {}
  HarnessThread(const HarnessThread&) = delete;
  HarnessThread& operator=(const HarnessThread&) = delete;
  ~HarnessThread() { Join(); }

  /// Returns once the body has returned.
  void WaitDone() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return done_; });
  }

  /// Lets the thread end, and joins it.
  void Join() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;      // Guarded by mutex_.
  bool released_ = false;  // Guarded by mutex_.
  std::thread thread_;     // Last: it starts once the members above exist.
};

// The time on the CPU of each of the process's threads whose name starts "ldb-" (the engine's),
// by thread id, with its name: /proc/self/task/<tid>/schedstat counts nanoseconds (a thread
// running as it is read lacks its current stretch, at most a scheduler tick). Empty where /proc
// cannot be read or the kernel keeps no such counts (it then writes zeros).
std::map<std::string, std::pair<std::string, double>> EngineThreadCpuSeconds() {
  std::map<std::string, std::pair<std::string, double>> threads;
  std::error_code error;
  std::filesystem::directory_iterator entry("/proc/self/task", error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    std::ifstream comm(entry->path() / "comm");
    std::ifstream schedstat(entry->path() / "schedstat");
    std::string name;
    uint64_t on_cpu_nanos = 0;
    if (!std::getline(comm, name) || !(schedstat >> on_cpu_nanos) || on_cpu_nanos == 0) continue;
    if (name.rfind("ldb-", 0) != 0) continue;
    threads[entry->path().filename().string()] = {name, static_cast<double>(on_cpu_nanos) * 1e-9};
  }
  return threads;
}

// Linux keeps the process's peak resident set size (VmHWM); writing "5" to
// /proc/self/clear_refs resets it to the current size, so that the peak of the engine phase
// can be read without the setup's. False when the kernel refuses.
bool ResetPeakRss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  if (!clear_refs) return false;
  clear_refs << "5";
  clear_refs.flush();
  return static_cast<bool>(clear_refs);
}

// VmHWM in bytes; the process's lifetime peak from getrusage when /proc is not readable.
double PeakRssBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) {
      return std::strtod(line.c_str() + 6, nullptr) * 1024.0;  // "VmHWM:   123456 kB"
    }
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

size_t BatchBytes(const Batch& batch) {
  size_t bytes = 0;
  for (const Column& column : batch.columns()) {
    for (const auto* buffer :
         {&column.validity_buffer(), &column.values_buffer(), &column.data_buffer()}) {
      if (*buffer) bytes += (*buffer)->size();
    }
  }
  return bytes;
}

bool IsUnsupported(const Status& status) {
  const auto number = static_cast<int>(status.code());
  return number >= 2000 && number < 3000;
}

// Sets (or adds) `key = 'value'` in a connector clause.
void SetOption(sql::ConnectorClause& clause, const std::string& key, const std::string& value) {
  auto literal = std::make_unique<sql::LiteralExpression>();
  literal->literal_kind = sql::LiteralKind::kString;
  literal->value = value;
  for (sql::Option& option : clause.options) {
    if (option.key == key) {
      option.value = std::move(literal);
      return;
    }
  }
  sql::Option option;
  option.key = key;
  option.value = std::move(literal);
  clause.options.push_back(std::move(option));
  clause.has_option_list = true;
}

// Events per generated batch so that the table gets about `rows` rows per batch.
uint64_t EventsPerBatch(NexmarkTable table, uint64_t rows) {
  const uint64_t share = TableShare(table);
  return std::max<uint64_t>(1, (rows * 50 + share - 1) / share);
}

// What binding the sources and the query (without running anything) tells the harness.
struct QueryShape {
  std::string output;                // The stream or sink the query creates last.
  std::vector<NexmarkTable> tables;  // The Nexmark tables it reads, in kTables order.
  std::map<NexmarkTable, int64_t> watermark_delay;  // WATERMARK ... AS date_time - delay.
};

// Binds sources.sql (as plain sources) and the query in a scratch catalog, to learn the name of
// the query's output and which tables it reads, directly or through other objects.
Result<QueryShape> BindQueryShape(
    const std::vector<std::pair<NexmarkTable, std::string>>& plain_sources,
    std::string_view query_sql) {
  sql::Catalog catalog;
  sql::Binder binder(catalog, functions::FunctionRegistry::BuiltIn());
  std::map<std::string, NexmarkTable> source_tables;
  for (const auto& [table, ddl] : plain_sources) {
    LAMINAR_ASSIGN_OR_RETURN(sql::StatementPtr statement, sql::ParseStatement(ddl));
    LAMINAR_ASSIGN_OR_RETURN(sql::BoundStatement bound, binder.Bind(*statement, ddl));
    auto* create = std::get_if<sql::BoundCreate>(&bound);
    if (create == nullptr) {
      return Status::Error(ErrorCode::kInternal, "sources.sql must hold only CREATE SOURCE");
    }
    source_tables[create->object.name] = table;
    LAMINAR_RETURN_IF_ERROR(catalog.Create(create->object, create->mode).status());
  }
  LAMINAR_ASSIGN_OR_RETURN(std::vector<sql::StatementPtr> statements, sql::ParseScript(query_sql));
  QueryShape shape;
  for (const sql::StatementPtr& statement : statements) {
    LAMINAR_ASSIGN_OR_RETURN(sql::BoundStatement bound, binder.Bind(*statement, query_sql));
    auto* create = std::get_if<sql::BoundCreate>(&bound);
    if (create == nullptr) continue;
    const sql::ObjectKind kind = create->object.kind;
    if (kind == sql::ObjectKind::kStream || kind == sql::ObjectKind::kSink ||
        kind == sql::ObjectKind::kMaterializedView) {
      shape.output = create->object.name;
    }
    Status created = catalog.Create(create->object, create->mode).status();
    if (!created.ok()) return std::move(created).WithPositionIfMissing(statement->position);
  }
  if (shape.output.empty()) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "the query file creates no stream, sink or materialized view");
  }
  // Walk the dependencies down to the sources.
  std::set<NexmarkTable> read;
  std::vector<std::string> pending{shape.output};
  std::set<std::string> seen;
  while (!pending.empty()) {
    const std::string name = std::move(pending.back());
    pending.pop_back();
    if (!seen.insert(name).second) continue;
    if (auto it = source_tables.find(name); it != source_tables.end()) read.insert(it->second);
    if (const sql::CatalogObject* object = catalog.Find(name)) {
      for (const std::string& dependency : object->dependencies) pending.push_back(dependency);
    }
  }
  for (const NexmarkTable table : kTables) {
    if (read.count(table) == 0) continue;
    shape.tables.push_back(table);
    const sql::CatalogObject* source = catalog.Find(nexmark::NexmarkTableName(table));
    if (source != nullptr && source->watermark && source->watermark->delay_micros &&
        source->watermark->column == "date_time") {
      shape.watermark_delay[table] = *source->watermark->delay_micros;
    }
  }
  return shape;
}

// One pre-generated batch and what the latency attribution needs to know about it.
struct InputBatch {
  NexmarkTable table;
  Batch rows;
  // The source's watermark once this batch is processed: max date_time so far - delay.
  int64_t watermark = exec::kMinWatermark;
};

// Generates the tables' rows for events [0, events) in event order, one batch per table per
// chunk of events. With `keep` false the batches are dropped as they are made (to time the
// generator alone).
Result<std::vector<InputBatch>> Generate(const nexmark::NexmarkConfig& config,
                                         const std::vector<NexmarkTable>& tables, uint64_t events,
                                         uint64_t batch_rows, bool keep, uint64_t* rows) {
  std::vector<InputBatch> batches;
  // Chunks sized for the table with the largest share, so that it gets batch_rows rows.
  uint64_t chunk = UINT64_MAX;
  for (const NexmarkTable table : tables)
    chunk = std::min(chunk, EventsPerBatch(table, batch_rows));
  *rows = 0;
  for (uint64_t first = 0; first < events;) {
    const uint64_t end = events - first > chunk ? first + chunk : events;
    for (const NexmarkTable table : tables) {
      LAMINAR_ASSIGN_OR_RETURN(Batch batch, nexmark::GenerateTable(config, table, first, end));
      *rows += static_cast<uint64_t>(batch.num_rows());
      if (keep && batch.num_rows() > 0) batches.push_back(InputBatch{table, std::move(batch)});
    }
    first = end;
  }
  return batches;
}

// Checksums (and optionally writes out) the output on a thread of its own, so that the thread
// receiving it stays responsive and the output is dropped as soon as it is checksummed: a
// receiver doing this work would delay the batches behind (latency), and output kept for
// later would make the engine allocate fresh memory for every batch (CPU).
class OutputConsumer {
 public:
  OutputConsumer(std::string output_name, const Schema& schema, std::FILE* dump, size_t max_pending)
      : output_name_(std::move(output_name)),
        schema_(schema),
        dump_(dump),
        max_pending_(max_pending) {}

  /// Queues a batch; waits while `max_pending` batches are queued.
  void Put(ChangeBatch batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return queue_.size() < max_pending_; });
    queue_.push_back(std::move(batch));
    not_empty_.notify_one();
  }

  /// No more batches: Run returns once the queue is empty.
  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_empty_.notify_one();
  }

  void Run() {
    const double cpu_start = ThreadCpuSeconds();
    for (;;) {
      ChangeBatch batch;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) break;
        batch = std::move(queue_.front());
        queue_.pop_front();
        not_full_.notify_one();
      }
      checksum_.Add(batch);
      if (dump_ != nullptr && status_.ok()) {
        const std::string lines = JsonEmissionLines(output_name_, schema_, batch);
        if (std::fwrite(lines.data(), 1, lines.size(), dump_) != lines.size()) {
          status_ = Status::Error(ErrorCode::kIoError, "cannot write the output dump");
        }
      }
    }
    cpu_seconds_ = ThreadCpuSeconds() - cpu_start;
  }

  // After Run returned:
  const OutputChecksum& checksum() const { return checksum_; }
  double cpu_seconds() const { return cpu_seconds_; }
  const Status& status() const { return status_; }

 private:
  const std::string output_name_;
  const Schema& schema_;
  std::FILE* const dump_;
  const size_t max_pending_;
  std::mutex mutex_;  // Guards queue_ and closed_.
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<ChangeBatch> queue_;
  bool closed_ = false;
  // Owned by the thread in Run.
  OutputChecksum checksum_;
  double cpu_seconds_ = 0;
  Status status_;
};

// The subscriber side of a run: receives every output batch, attributes it to the input batch
// that produced it (for latency) and hands it to the consumer.
struct OutputReader {
  Subscription* subscription = nullptr;
  OutputConsumer* consumer = nullptr;
  // Latency attribution (pregenerate mode with one source), else empty.
  const std::vector<InputBatch>* inputs = nullptr;
  const std::vector<std::atomic<int64_t>>* push_nanos = nullptr;
  // Set by the pushing thread once everything it pushed has been processed (Sync returned).
  const std::atomic<bool>* input_done = nullptr;

  LatencySamples latency;
  int64_t last_receive_nanos = 0;
  double cpu_seconds = 0;
  Status status;

  void Run() {
    const double cpu_start = ThreadCpuSeconds();
    size_t next_input = 0;
    for (;;) {
      Result<ChangeBatch> batch = subscription->RecvTimeout(std::chrono::milliseconds(1));
      if (batch.ok()) {
        const int64_t now = SteadyNanos();
        last_receive_nanos = now;
        if (inputs != nullptr) Attribute(now, next_input);
        consumer->Put(std::move(*batch));
        continue;
      }
      if (batch.status().code() == ErrorCode::kTimedOut) {
        // Everything emitted is in the queue once the input ended (+infinity watermark) or the
        // pusher's Sync returned; a timeout then means the queue is empty.
        if (subscription->watermark() == exec::kMaxWatermark ||
            input_done->load(std::memory_order_acquire)) {
          break;
        }
        continue;
      }
      status = batch.status();
      break;
    }
    cpu_seconds = ThreadCpuSeconds() - cpu_start;
  }

  // The output batch just received was produced by the first input batch whose watermark is
  // above the watermark the subscription has seen: the reactor publishes a batch's output
  // before the watermark that batch raises.
  void Attribute(int64_t now, size_t& next_input) {
    const int64_t seen = subscription->watermark();
    while (next_input < inputs->size() && (*inputs)[next_input].watermark <= seen) ++next_input;
    if (next_input >= inputs->size()) return;
    const int64_t pushed = (*push_nanos)[next_input].load(std::memory_order_acquire);
    if (pushed != 0) latency.Add(now - pushed);
  }
};

}  // namespace

Status ValidateNexmarkBenchOptions(const NexmarkBenchOptions& options) {
  if (!NexmarkQuerySql(options.query)) {
    std::vector<std::string> names = NexmarkQueryNames();
    return Status::Error(ErrorCode::kInvalidOption,
                         "unknown Nexmark query '{}': queries are {}..{}", options.query,
                         names.empty() ? "" : names.front(), names.empty() ? "" : names.back());
  }
  if (options.workers != 1) {
    return Status::Error(ErrorCode::kNotSupported,
                         "--workers {}: there is one reactor; multi-worker runs arrive with "
                         "partitioning",
                         options.workers);
  }
  if (options.events == 0) {
    return Status::Error(ErrorCode::kInvalidOption, "--events must be at least 1");
  }
  if (options.batch_rows == 0 || options.batch_rows > 1'000'000) {
    return Status::Error(ErrorCode::kInvalidOption, "--batch-rows must be between 1 and 1000000");
  }
  if (!options.wal_mode.empty() && options.wal_mode != "async" && options.wal_mode != "sync") {
    return Status::Error(ErrorCode::kInvalidOption, "--wal is async or sync, not '{}'",
                         options.wal_mode);
  }
  if (!options.wal_mode.empty() && !options.pregenerate) {
    return Status::Error(ErrorCode::kInvalidOption,
                         "--wal needs --pregenerate: connector sources are replayed from their "
                         "position, not logged");
  }
  const size_t queue = options.source_queue_batches;
  if (queue == 0 || (queue & (queue - 1)) != 0) {
    return Status::Error(ErrorCode::kInvalidOption,
                         "--queue-batches must be a power of two, not {}", queue);
  }
  nexmark::NexmarkConfig config;
  config.seed = options.seed;
  config.rate = options.rate;
  LAMINAR_RETURN_IF_ERROR(config.Validate());
  return nexmark::ValidateEventRange(config, 0, options.events);
}

Result<NexmarkReport> RunNexmarkBench(const NexmarkBenchOptions& options) {
  LAMINAR_RETURN_IF_ERROR(ValidateNexmarkBenchOptions(options));
  const std::string_view query_sql = *NexmarkQuerySql(options.query);
  nexmark::NexmarkConfig config;
  config.seed = options.seed;
  config.rate = options.rate;

  NexmarkReport report;
  report.query = options.query;
  report.mode = options.pregenerate ? "pregenerate" : "connector";
  report.events = options.events;
  report.seed = options.seed;
  report.rate = options.rate;
  report.workers = options.workers;
  report.source_queue_batches = static_cast<int>(options.source_queue_batches);

  // sources.sql, statement by statement: as plain sources (for binding, and for pregenerate
  // runs), and with the connector options of this run.
  const std::string_view sources_sql = NexmarkSourcesSql();
  LAMINAR_ASSIGN_OR_RETURN(std::vector<sql::StatementPtr> source_statements,
                           sql::ParseScript(sources_sql));
  std::vector<std::pair<NexmarkTable, std::string>> plain_sources;
  std::vector<sql::CreateSourceStatement*> creates;
  for (sql::StatementPtr& statement : source_statements) {
    if (statement->kind != sql::StatementKind::kCreateSource) {
      return Status::Error(ErrorCode::kInternal, "sources.sql must hold only CREATE SOURCE");
    }
    auto& create = statement->As<sql::CreateSourceStatement>();
    LAMINAR_ASSIGN_OR_RETURN(NexmarkTable table,
                             nexmark::ParseNexmarkTable(create.header.name.ToString()));
    std::optional<sql::ConnectorClause> connector = std::move(create.connector);
    create.connector.reset();
    plain_sources.emplace_back(table, sql::Unparse(*statement));
    create.connector = std::move(connector);
    creates.push_back(&create);
  }

  Result<QueryShape> shape = BindQueryShape(plain_sources, query_sql);
  if (!shape.ok()) {
    if (!IsUnsupported(shape.status())) return shape.status();
    report.supported = false;
    report.error = shape.status();
    return report;
  }
  for (size_t i = 0; i < shape->tables.size(); ++i) {
    report.tables += (i > 0 ? "," : "") + std::string(nexmark::NexmarkTableName(shape->tables[i]));
  }
  auto reads = [&](NexmarkTable table) {
    return std::find(shape->tables.begin(), shape->tables.end(), table) != shape->tables.end();
  };

  // The database: every source, FROM NEXMARK only where a connector run needs one.
  Config db_config;
  db_config.buffer_size = options.source_queue_batches;
  std::string wal_directory;
  if (!options.wal_mode.empty()) {
    char pattern[] = "/tmp/laminar-nexmark-wal-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      return Status::Error(ErrorCode::kIoError, "cannot create a temporary data directory");
    }
    wal_directory = pattern;
    db_config.data_dir = wal_directory;
    db_config.checkpoint_interval = std::chrono::seconds(10);
    db_config.wal_mode = options.wal_mode == "sync" ? WalMode::kSync : WalMode::kAsync;
  }
  // The temporary data directory goes with the run, however it ends.
  struct RemoveDirectory {
    std::string path;
    ~RemoveDirectory() {
      if (!path.empty()) (void)FileSystem::Posix()->DeleteRecursively(path);
    }
  } remove_wal_directory{wal_directory};
  LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<LaminarDB> db, LaminarDB::Open(db_config));
  for (size_t i = 0; i < creates.size(); ++i) {
    const NexmarkTable table = plain_sources[i].first;
    std::string ddl = plain_sources[i].second;
    if (!options.pregenerate && reads(table) && creates[i]->connector) {
      sql::ConnectorClause& clause = *creates[i]->connector;
      SetOption(clause, "events", fmt::format("{}", options.events));
      SetOption(clause, "rate", fmt::format("{}", options.rate));
      SetOption(clause, "seed", fmt::format("{}", options.seed));
      SetOption(clause, "events_per_batch",
                fmt::format("{}", EventsPerBatch(table, options.batch_rows)));
      ddl = sql::Unparse(*source_statements[i]);
    }
    LAMINAR_RETURN_IF_ERROR(db->Execute(ddl).status());
  }
  if (Result<QueryResult> created = db->Execute(query_sql); !created.ok()) {
    if (!IsUnsupported(created.status())) return created.status();
    report.supported = false;
    report.error = created.status();
    return report;
  }
  SubscribeOptions subscribe_options;
  subscribe_options.capacity = 4096;
  LAMINAR_ASSIGN_OR_RETURN(Subscription subscription,
                           db->Subscribe(shape->output, subscribe_options));

  // Input: generated now (pregenerate) or by the connectors during the run.
  std::vector<InputBatch> inputs;
  for (const NexmarkTable table : shape->tables) {
    report.input_rows += nexmark::CountEvents(table, 0, options.events);
  }
  if (options.pregenerate) {
    const int64_t wall_start = SteadyNanos();
    const double cpu_start = ThreadCpuSeconds();
    uint64_t rows = 0;
    LAMINAR_ASSIGN_OR_RETURN(inputs, Generate(config, shape->tables, options.events,
                                              options.batch_rows, /*keep=*/true, &rows));
    report.generation_seconds = static_cast<double>(SteadyNanos() - wall_start) * 1e-9;
    report.generation_cpu_seconds = ThreadCpuSeconds() - cpu_start;
  }
  size_t input_bytes = 0;
  std::map<NexmarkTable, int64_t> max_time;
  for (InputBatch& input : inputs) {
    input_bytes += BatchBytes(input.rows);
    const Column& times = input.rows.column(input.rows.schema().FieldIndex("date_time").value());
    int64_t& table_max = max_time.try_emplace(input.table, exec::kMinWatermark).first->second;
    for (int64_t row = 0; row < times.length(); ++row) {
      table_max = std::max(table_max, times.Values<int64_t>()[row]);
    }
    auto delay = shape->watermark_delay.find(input.table);
    if (delay != shape->watermark_delay.end()) input.watermark = table_max - delay->second;
  }
  report.input_mb = static_cast<double>(input_bytes) / (1024.0 * 1024.0);

  // Latency is attributed through the source's watermark, which the output of a query reading
  // one source carries unchanged; it needs every batch to raise the watermark.
  bool measure_latency = options.pregenerate && shape->tables.size() == 1 &&
                         shape->watermark_delay.count(shape->tables[0]) == 1;
  for (size_t i = 1; i < inputs.size() && measure_latency; ++i) {
    if (inputs[i].watermark <= inputs[i - 1].watermark) measure_latency = false;
  }
  std::vector<std::atomic<int64_t>> push_nanos(inputs.size());
  for (auto& nanos : push_nanos) nanos.store(0, std::memory_order_relaxed);

  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::unique_ptr<std::FILE, FileCloser> dump;
  if (!options.dump_path.empty()) {
    dump.reset(std::fopen(options.dump_path.c_str(), "w"));
    if (!dump) {
      return Status::Error(ErrorCode::kIoError, "cannot write {}", options.dump_path);
    }
  }

  std::map<NexmarkTable, SourceHandle> handles;
  if (options.pregenerate) {
    for (const NexmarkTable table : shape->tables) {
      LAMINAR_ASSIGN_OR_RETURN(SourceHandle handle, db->Source(nexmark::NexmarkTableName(table)));
      handles.emplace(table, std::move(handle));
    }
  }

  std::atomic<bool> input_done{false};
  // A connector run bounds the consumer's queue, so that its memory stays that of the engine
  // (a slow checksum then holds the reader back, as a slow application would); pre-generated
  // input is all in memory anyway.
  OutputConsumer consumer(shape->output, subscription.schema(), dump.get(),
                          options.pregenerate ? SIZE_MAX : 256);
  OutputReader reader;
  reader.subscription = &subscription;
  reader.consumer = &consumer;
  reader.input_done = &input_done;
  if (measure_latency) {
    reader.inputs = &inputs;
    reader.push_nanos = &push_nanos;
  }
  HarnessThread consumer_thread([&consumer] { consumer.Run(); });

  // The reader thread is started (and has run once) before the clocks start, so that its
  // start-up is not counted as latency.
  std::atomic<int> reader_phase{0};  // 0 starting, 1 waiting for the start, 2 started.
  HarnessThread reader_thread([&reader, &reader_phase] {
    reader_phase.store(1, std::memory_order_release);
    while (reader_phase.load(std::memory_order_acquire) != 2) std::this_thread::yield();
    reader.Run();
  });
  while (reader_phase.load(std::memory_order_acquire) != 1) std::this_thread::yield();

  // The engine phase.
  (void)ResetPeakRss();  // Without it the peak includes the setup's (documented).
  const double process_cpu_start = ProcessCpuSeconds();
  const auto threads_start = EngineThreadCpuSeconds();
  const double main_cpu_start = ThreadCpuSeconds();
  // The engine's calls on this thread are the engine's work, not the harness's: a push
  // encodes and appends the batch to the WAL here, as it would on an application's thread.
  double engine_call_cpu = 0;
  const auto engine_call = [&engine_call_cpu](auto&& call) {
    const double cpu_start = ThreadCpuSeconds();
    Status status = call();
    engine_call_cpu += ThreadCpuSeconds() - cpu_start;
    return status;
  };
  const int64_t start_nanos = SteadyNanos();
  reader_phase.store(2, std::memory_order_release);
  Status run_status = engine_call([&] { return db->Start(); });
  if (run_status.ok() && options.pregenerate) {
    for (size_t i = 0; i < inputs.size() && run_status.ok(); ++i) {
      SourceHandle& handle = handles.at(inputs[i].table);
      // Wait for room here rather than inside the push, so that the recorded push time is
      // when the batch entered the queue. The sleep backs off up to 1 ms: a full queue holds
      // several batches, so a late wake-up does not starve the engine, and fewer wake-ups
      // leave the CPU to it.
      auto pause = std::chrono::microseconds(20);
      while (!handle.HasCapacity()) {
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(1000));
      }
      push_nanos[i].store(SteadyNanos(), std::memory_order_release);
      run_status = engine_call([&] { return handle.PushBatch(inputs[i].rows); });
      inputs[i].rows = Batch();  // The engine holds it as long as it needs it.
    }
  } else if (run_status.ok()) {
    run_status = engine_call([&] { return db->WaitForConnectors(); });
  }
  if (run_status.ok()) run_status = engine_call([&] { return db->CloseSources(); });
  if (run_status.ok()) run_status = engine_call([&] { return db->Sync(); });
  const int64_t synced_nanos = SteadyNanos();
  input_done.store(true, std::memory_order_release);
  reader_thread.WaitDone();
  const int64_t end_nanos = std::max(synced_nanos, reader.last_receive_nanos);
  // The consumer may still be checksumming; its CPU time is the harness's, so the process's
  // is read once it has finished.
  consumer.Close();
  consumer_thread.WaitDone();
  const double main_cpu = ThreadCpuSeconds() - main_cpu_start;
  const double process_cpu = ProcessCpuSeconds() - process_cpu_start;
  // Threads that started during the run count from zero; those that ended are not seen.
  std::map<std::string, double> thread_cpu;
  for (const auto& [tid, named] : EngineThreadCpuSeconds()) {
    const auto before = threads_start.find(tid);
    thread_cpu[named.first] +=
        named.second - (before == threads_start.end() ? 0.0 : before->second.second);
  }
  const double peak_rss = PeakRssBytes();
  reader_thread.Join();
  consumer_thread.Join();
  Status shutdown = db->Shutdown();
  if (!run_status.ok()) return run_status;
  if (!reader.status.ok()) return reader.status;
  if (!shutdown.ok()) return shutdown;
  LAMINAR_RETURN_IF_ERROR(consumer.status());
  if (dump && std::fflush(dump.get()) != 0) {
    return Status::Error(ErrorCode::kIoError, "cannot write {}", options.dump_path);
  }

  if (!options.pregenerate) {
    // The connectors generated inside the run; time the generator alone on the same range.
    const int64_t wall_start = SteadyNanos();
    const double cpu_start = ThreadCpuSeconds();
    uint64_t rows = 0;
    LAMINAR_RETURN_IF_ERROR(Generate(config, shape->tables, options.events, options.batch_rows,
                                     /*keep=*/false, &rows)
                                .status());
    report.generation_seconds = static_cast<double>(SteadyNanos() - wall_start) * 1e-9;
    report.generation_cpu_seconds = ThreadCpuSeconds() - cpu_start;
  }

  report.engine_seconds = static_cast<double>(end_nanos - start_nanos) * 1e-9;
  report.process_cpu_seconds = process_cpu;
  report.push_cpu_seconds = engine_call_cpu;
  report.engine_thread_cpu_seconds.assign(thread_cpu.begin(), thread_cpu.end());
  report.harness_cpu_seconds =
      std::max(0.0, main_cpu - engine_call_cpu) + reader.cpu_seconds + consumer.cpu_seconds();
  // In connector runs the generator's threads are part of the process: their cost, measured
  // alone above, is taken out as well.
  const double generator_cpu = options.pregenerate ? 0.0 : report.generation_cpu_seconds;
  report.engine_cpu_seconds =
      std::max(1e-9, process_cpu - report.harness_cpu_seconds - generator_cpu);
  const auto events = static_cast<double>(options.events);
  report.events_per_sec = events / std::max(1e-9, report.engine_seconds);
  report.events_per_sec_per_core = events / report.engine_cpu_seconds;
  report.latency_samples = reader.latency.count();
  report.p50_us = reader.latency.PercentileMicros(50);
  report.p99_us = reader.latency.PercentileMicros(99);
  report.peak_rss_mb = peak_rss / (1024.0 * 1024.0);
  report.output_rows = consumer.checksum().net_rows();
  report.output_changes = consumer.checksum().changes();
  report.checksum = consumer.checksum().Hex();
  return report;
}

}  // namespace laminar::server
