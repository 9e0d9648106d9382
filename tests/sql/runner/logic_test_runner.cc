#include "logic_test_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>

#include "columnar/temporal.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "laminar/laminardb.h"
#include "logic_test_format.h"
#include "sql/parser/parser.h"

namespace laminar::logic_test {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  return text;
}

/// Strips one pair of surrounding single quotes.
std::string_view Unquote(std::string_view text) {
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

/// The result column letter of a type: I, R, B or T (NULL fits any letter, written '?').
char TypeLetter(const DataType& type) {
  switch (type.id()) {
    case TypeId::kNull:
      return '?';
    case TypeId::kBoolean:
      return 'B';
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return 'I';
    case TypeId::kReal:
    case TypeId::kDouble:
    case TypeId::kDecimal:
      return 'R';
    default:
      return 'T';
  }
}

std::string DescribeError(const ExpectedError& error) {
  std::string text = fmt::format("LDB-{:04d}", error.code);
  if (!error.message_substring.empty()) {
    text += fmt::format(" with a message containing \"{}\"", error.message_substring);
  }
  return text;
}

bool ErrorMatches(const ExpectedError& expected, const Status& status) {
  return !status.ok() && static_cast<int>(status.code()) == expected.code &&
         status.message().find(expected.message_substring) != std::string_view::npos;
}

/// The statements of a script, as slices of `sql` that each start where their statement does
/// (the first also keeps what comes before it). A script the parser rejects is one slice, so
/// that the database reports the error.
std::vector<std::string_view> SplitStatements(std::string_view sql) {
  auto statements = sql::ParseScript(sql);
  if (!statements.ok() || statements->size() < 2) return {sql};
  std::vector<std::string_view> slices;
  size_t start = 0;
  for (size_t i = 1; i < statements->size(); ++i) {
    const size_t next = (*statements)[i]->position.offset;
    slices.push_back(sql.substr(start, next - start));
    start = next;
  }
  slices.push_back(sql.substr(start));
  return slices;
}

int CountLines(std::string_view text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

/// What the runner knows about one stream, sink or source it subscribed to.
struct Watched {
  std::optional<Subscription> subscription;
  /// The object subscribed to (an alias names another object).
  std::string object;
  /// Set by restart and crash: subscribe again once the database is open.
  bool resubscribe = false;
  bool changelog = false;
  /// Rows emitted since the last `expect` of this name.
  std::vector<std::string> pending;
  /// Set once the subscription ended: the query's error, or LDB-3010 when it was dropped.
  std::optional<Status> ended;
  /// An `expect ... error` has checked `ended`.
  bool end_checked = false;
  int64_t watermark = exec::kMinWatermark;
};

class Runner {
 public:
  Runner(std::string_view file_name, std::ostream& out, const RunOptions& options)
      : file_name_(file_name), out_(out), options_(options), clock_(kClockStartMicros) {}

  RunSummary Run(std::string_view text) {
    const ParsedFile parsed = ParseLogicTest(text);
    // Records that could not be read are reported in line order among the others, up to a
    // halt.
    auto next_error = parsed.errors.begin();
    auto report_errors_before = [&](int line) {
      for (; next_error != parsed.errors.end() && next_error->line < line; ++next_error) {
        Fail(next_error->line, fmt::format("cannot read the record: {}", next_error->message));
      }
    };
    if (!parsed.records.empty() && parsed.records.front().kind == RecordKind::kDurable) {
      char pattern[] = "/tmp/laminar-logic-test-XXXXXX";
      if (::mkdtemp(pattern) == nullptr) {
        Fail(1, "cannot create a data directory");
        return summary_;
      }
      data_dir_ = pattern;
    }
    if (!OpenDatabase(1)) return summary_;
    bool halted = false;
    for (const Record& record : parsed.records) {
      report_errors_before(record.line);
      if (record.kind == RecordKind::kHalt) {
        halted = true;
        break;
      }
      if (record.kind == RecordKind::kDurable) {
        if (&record != &parsed.records.front()) {
          Fail(record.line, "'durable' must be the file's first record");
        }
        continue;
      }
      if (options_.verbose) out_ << fmt::format("{}:{}: running\n", file_name_, record.line);
      ++summary_.records;
      RunRecord(record);
    }
    if (!halted) report_errors_before(INT_MAX);
    // Subscriptions and handles go before the database.
    watched_.clear();
    handles_.clear();
    (void)db_->Shutdown();
    db_.reset();
    if (data_dir_) std::filesystem::remove_all(*data_dir_);
    return summary_;
  }

  ~Runner() {
    if (data_dir_) std::filesystem::remove_all(*data_dir_);
  }

 private:
  /// Opens (or reopens, after restart and crash) the database and subscribes again to every
  /// name the file watches; rows received before stay pending for the next `expect`.
  bool OpenDatabase(int line) {
    Config config;
    config.clock = &clock_;
    config.data_dir = data_dir_;
    auto db = LaminarDB::Open(config);
    if (!db.ok()) {
      Fail(line, fmt::format("cannot open the database: {}", db.status().ToString()));
      return false;
    }
    db_ = std::move(*db);
    if (Status status = db_->Start(); !status.ok()) {
      Fail(line, fmt::format("cannot start the database: {}", status.ToString()));
      return false;
    }
    for (auto& [name, watched] : watched_) {
      if (!watched.resubscribe) continue;
      watched.resubscribe = false;
      watched.ended.reset();
      auto subscription = db_->Subscribe(watched.object);
      if (subscription.ok()) {
        watched.changelog = subscription->changelog();
        watched.subscription.emplace(std::move(*subscription));
      } else {
        watched.ended = subscription.status();
      }
    }
    return true;
  }

  /// restart and crash: the database goes away (cleanly, or as if the process died) and
  /// comes back from its data directory.
  void RunReopen(const Record& record) {
    if (!data_dir_) {
      Fail(record.line, "restart and crash need 'durable' as the file's first record");
      return;
    }
    if (record.kind == RecordKind::kRestart) {
      Settle(record.line);
      if (Status status = db_->Shutdown(); !status.ok()) {
        Fail(record.line, fmt::format("Shutdown() failed: {}", status.ToString()));
      }
    } else {
      for (auto& [name, watched] : watched_) Collect(watched);
      db_->SimulateCrash();
    }
    for (auto& [name, watched] : watched_) {
      // Subscriptions of objects still there are made again; ended ones stay ended.
      watched.resubscribe = watched.subscription.has_value() && !watched.ended;
      watched.subscription.reset();
    }
    handles_.clear();
    db_.reset();
    (void)OpenDatabase(record.line);
  }

  void RunCheckpoint(const Record& record) {
    Settle(record.line);
    auto id = db_->Checkpoint();
    Status status = id.status();
    if (id.ok() && !id->has_value()) {
      status = Status::Error(ErrorCode::kInvalidConfiguration,
                             "the database is not durable: start the file with 'durable'");
    }
    CheckOutcome(record, "checkpoint", status);
  }

 public:
 private:
  void RunRecord(const Record& record) {
    switch (record.kind) {
      case RecordKind::kStatement:
        return RunStatement(record);
      case RecordKind::kQuery:
        return RunQuery(record);
      case RecordKind::kPush:
        return RunPush(record);
      case RecordKind::kWatermark:
        return RunWatermark(record);
      case RecordKind::kClose:
        return CheckOutcome(record, "close", db_->CloseSources(record.object));
      case RecordKind::kClockAdvance:
      case RecordKind::kClockSet:
        return RunClock(record);
      case RecordKind::kSubscribe:
        return RunSubscribe(record);
      case RecordKind::kExpectRows:
        return RunExpectRows(record);
      case RecordKind::kExpectWatermark:
        return RunExpectWatermark(record);
      case RecordKind::kHalt:
      case RecordKind::kDurable:
        return;
      case RecordKind::kCheckpoint:
        return RunCheckpoint(record);
      case RecordKind::kRestart:
      case RecordKind::kCrash:
        return RunReopen(record);
    }
  }

  // --- Reporting ---

  void Fail(int line, std::string_view message, std::string_view details = {}) {
    ++summary_.failures;
    out_ << fmt::format("{}:{}: {}\n", file_name_, line, message);
    if (!details.empty()) {
      std::string_view rest = details;
      while (!rest.empty()) {
        const size_t end = rest.find('\n');
        out_ << "    " << rest.substr(0, end) << '\n';
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
      }
    }
  }

  /// Compares what a statement or directive returned with what the record expects.
  void CheckOutcome(const Record& record, std::string_view what, const Status& status,
                    int error_line = 0) {
    Settle(record.line);
    if (record.error) {
      if (status.ok()) {
        Fail(record.line,
             fmt::format("{} succeeded, but {} was expected", what, DescribeError(*record.error)),
             record.sql);
      } else if (!ErrorMatches(*record.error, status)) {
        Fail(record.line,
             fmt::format("{} failed with {}, but {} was expected", what, status.ToString(),
                         DescribeError(*record.error)),
             record.sql);
      }
      return;
    }
    if (!status.ok()) {
      std::string where;
      if (error_line > 0) where = fmt::format(" (at {}:{})", file_name_, error_line);
      Fail(record.line, fmt::format("{} failed: {}{}", what, status.ToString(), where), record.sql);
    }
  }

  // --- Subscriptions ---

  /// Waits until everything pushed so far has been processed, then reads what every
  /// subscription received.
  void Settle(int line) {
    if (Status status = db_->Sync(); !status.ok()) {
      Fail(line, fmt::format("Sync() failed: {}", status.ToString()));
    }
    for (auto& [name, watched] : watched_) Collect(watched);
  }

  void Collect(Watched& watched) {
    if (!watched.subscription || watched.ended) return;
    for (;;) {
      Result<ChangeBatch> batch = watched.subscription->RecvTimeout(std::chrono::nanoseconds(0));
      if (batch.ok()) {
        for (std::string& row : FormatRows(*batch, watched.changelog)) {
          watched.pending.push_back(std::move(row));
        }
        continue;
      }
      watched.watermark = watched.subscription->watermark();
      if (batch.status().code() != ErrorCode::kTimedOut) watched.ended = batch.status();
      return;
    }
  }

  /// Subscribes to a newly created stream, sink or source. Rows received from an earlier
  /// object of the same name (OR REPLACE, IF NOT EXISTS) stay pending.
  void Watch(const std::string& name, int line) {
    if (aliases_.count(name) > 0) {
      Fail(line, fmt::format("\"{}\" is the name of a subscribe alias of this file; rename the "
                             "alias",
                             name));
      return;
    }
    Watched& watched = watched_[name];
    Collect(watched);
    watched.object = name;
    auto subscription = db_->Subscribe(name);
    if (!subscription.ok()) {
      Fail(line,
           fmt::format("cannot subscribe to \"{}\": {}", name, subscription.status().ToString()));
      return;
    }
    watched.changelog = subscription->changelog();
    watched.subscription.emplace(std::move(*subscription));
    watched.ended.reset();
    watched.end_checked = false;
    watched.watermark = exec::kMinWatermark;
  }

  /// Follows what a statement did: subscribes to what it created, forgets handles of sources
  /// that were replaced or dropped.
  void Observe(const QueryResult& result, int line) {
    if (result.object_name.empty()) return;
    const bool creates = result.tag == "CREATE SOURCE" || result.tag == "CREATE STREAM" ||
                         result.tag == "CREATE SINK";
    if (result.tag == "CREATE SOURCE" || result.tag == "DROP SOURCE") {
      handles_.erase(result.object_name);
    }
    if (creates) Watch(result.object_name, line);
  }

  Result<SourceHandle*> Handle(const std::string& name) {
    auto it = handles_.find(name);
    if (it == handles_.end()) {
      LAMINAR_ASSIGN_OR_RETURN(SourceHandle handle, db_->Source(name));
      it = handles_.emplace(name, std::move(handle)).first;
    }
    return &it->second;
  }

  // --- Records ---

  /// Executes the statements of `record.sql` one at a time, so that each object a statement
  /// creates is subscribed to before the next statement runs. Returns the first error and the
  /// file line of its position (0 when unknown).
  Status ExecuteStatements(const Record& record, int* error_line) {
    int line = record.sql_line;
    for (std::string_view slice : SplitStatements(record.sql)) {
      auto result = db_->Execute(slice);
      if (!result.ok()) {
        const SourcePosition position = result.status().position();
        *error_line = position.valid() ? line + static_cast<int>(position.line) - 1 : 0;
        return result.status();
      }
      Observe(*result, record.line);
      // Each statement's effects are processed before the next one runs, so that a stream
      // created after an INSERT deterministically does not see the inserted rows.
      LAMINAR_RETURN_IF_ERROR(db_->Sync());
      line += CountLines(slice);
    }
    return Status::Ok();
  }

  void RunStatement(const Record& record) {
    int error_line = 0;
    Status status = ExecuteStatements(record, &error_line);
    CheckOutcome(record, "statement", status, error_line);
  }

  void CompareRows(const Record& record, std::string_view what, std::vector<std::string> actual,
                   std::string_view extra_problem = {}) {
    std::vector<std::string> expected = record.expected_rows;
    if (record.rowsort) {
      std::sort(expected.begin(), expected.end());
      std::sort(actual.begin(), actual.end());
    }
    if (expected == actual && extra_problem.empty()) return;
    std::string details;
    if (!record.sql.empty()) details += record.sql + "\n";
    if (expected != actual) {
      details += fmt::format("expected {} row{}, got {} (- expected, + actual):\n", expected.size(),
                             expected.size() == 1 ? "" : "s", actual.size());
      details += RenderDiff(expected, actual);
    }
    std::string message = std::string(what);
    if (!extra_problem.empty()) {
      message += fmt::format(": {}", extra_problem);
    } else {
      message += ": rows differ";
    }
    Fail(record.line, message, details);
  }

  void RunQuery(const Record& record) {
    Settle(record.line);
    auto result = db_->Execute(record.sql);
    if (!result.ok()) {
      const SourcePosition position = result.status().position();
      std::string where;
      if (position.valid()) {
        where = fmt::format(" (at {}:{})", file_name_,
                            record.sql_line + static_cast<int>(position.line) - 1);
      }
      Fail(record.line, fmt::format("query failed: {}{}", result.status().ToString(), where),
           record.sql);
      return;
    }
    Observe(*result, record.line);
    if (!result->rows) {
      Fail(record.line,
           fmt::format("query returned no rows (tag \"{}\"); use a statement record", result->tag),
           record.sql);
      return;
    }
    const Batch& rows = *result->rows;
    std::string letters;
    for (const Field& field : rows.schema().fields()) letters += TypeLetter(field.type);
    bool types_match = letters.size() == record.column_types.size();
    for (size_t i = 0; types_match && i < letters.size(); ++i) {
      types_match = letters[i] == '?' || letters[i] == record.column_types[i];
    }
    std::string problem;
    if (!types_match) {
      problem = fmt::format("the result's column types are {} {}, the record says {}", letters,
                            rows.schema().ToString(), record.column_types);
    }
    CompareRows(record, "query", FormatRows(exec::ChangeBatch{rows, {}}, false), problem);
  }

  void RunPush(const Record& record) {
    if (!record.push_through_handle) {
      std::string sql = fmt::format("INSERT INTO \"{}\" VALUES ", record.object);
      for (size_t i = 0; i < record.push_rows.size(); ++i) {
        if (i > 0) sql += ", ";
        sql += record.push_rows[i];
      }
      auto result = db_->Execute(sql);
      CheckOutcome(record, "push", result.ok() ? Status::Ok() : result.status());
      return;
    }
    CheckOutcome(record, "push", PushThroughHandle(record));
  }

  /// Evaluates each row's values with an ad-hoc SELECT and pushes them with
  /// SourceHandle::PushBatch, the embedded API's path (its checks: LDB-3006, LDB-3005).
  Status PushThroughHandle(const Record& record) {
    std::vector<std::vector<Value>> rows;
    for (const std::string& row : record.push_rows) {
      const std::string_view inner = std::string_view(row).substr(1, row.size() - 2);
      LAMINAR_ASSIGN_OR_RETURN(QueryResult result, db_->Execute(fmt::format("SELECT {}", inner)));
      if (!result.rows || result.rows->num_rows() != 1) {
        return Status::Error(ErrorCode::kInternal, "the row {} did not evaluate to one row", row);
      }
      std::vector<Value> values;
      for (int c = 0; c < result.rows->num_columns(); ++c) {
        values.push_back(result.rows->column(c).GetValue(0));
      }
      rows.push_back(std::move(values));
    }
    LAMINAR_ASSIGN_OR_RETURN(SourceHandle * handle, Handle(record.object));
    return handle->PushBatch(rows);
  }

  void RunWatermark(const Record& record) {
    auto micros = ParseTimeArgument(record.argument);
    if (!micros.ok()) {
      Fail(record.line, fmt::format("bad watermark time: {}", micros.status().ToString()));
      return;
    }
    auto handle = Handle(record.object);
    Status status = handle.ok() ? (*handle)->Watermark(*micros) : handle.status();
    CheckOutcome(record, "watermark", status);
  }

  void RunClock(const Record& record) {
    const std::string_view text = Unquote(Trim(record.argument));
    if (record.kind == RecordKind::kClockSet) {
      auto micros = ParseTimestamp(text);
      if (!micros.ok()) {
        Fail(record.line, fmt::format("bad timestamp: {}", micros.status().ToString()));
        return;
      }
      clock_.SetNowMicros(*micros);
    } else {
      auto interval = ParseInterval(text);
      std::optional<int64_t> micros;
      if (interval.ok()) micros = IntervalFixedMicros(*interval);
      if (!micros || *micros < 0) {
        Fail(record.line, fmt::format("'{}' is not a non-negative interval of fixed length "
                                      "(such as 5 seconds or 100ms)",
                                      text));
        return;
      }
      clock_.AdvanceMicros(*micros);
    }
    Settle(record.line);
  }

  /// Another subscription to `record.object`, read by `expect <alias>`.
  void RunSubscribe(const Record& record) {
    Settle(record.line);
    if (watched_.count(record.argument) > 0) {
      Fail(record.line,
           fmt::format("the alias \"{}\" is taken by an object or another alias", record.argument));
      return;
    }
    auto subscription = db_->Subscribe(record.object);
    if (subscription.ok()) {
      Watched& watched = watched_[record.argument];
      watched.object = record.object;
      watched.changelog = subscription->changelog();
      watched.subscription.emplace(std::move(*subscription));
      aliases_.insert(record.argument);
    }
    CheckOutcome(record, "subscribe", subscription.ok() ? Status::Ok() : subscription.status());
  }

  Watched* FindWatched(const Record& record) {
    auto it = watched_.find(record.object);
    if (it == watched_.end()) {
      Fail(record.line, fmt::format("nothing named \"{}\" was created in this file (the runner "
                                    "subscribes to every source, stream and sink it creates)",
                                    record.object));
      return nullptr;
    }
    return &it->second;
  }

  void RunExpectRows(const Record& record) {
    Settle(record.line);
    Watched* watched = FindWatched(record);
    if (watched == nullptr) return;
    std::vector<std::string> actual = std::move(watched->pending);
    watched->pending.clear();
    std::string problem;
    if (record.error) {
      if (!watched->ended) {
        problem = fmt::format("\"{}\" is still running, but it should have stopped with {}",
                              record.object, DescribeError(*record.error));
      } else if (!ErrorMatches(*record.error, *watched->ended)) {
        problem = fmt::format("\"{}\" stopped with {}, but {} was expected", record.object,
                              watched->ended->ToString(), DescribeError(*record.error));
      }
      watched->end_checked = true;
    } else if (watched->ended && !watched->end_checked) {
      problem = fmt::format("\"{}\" stopped: {}", record.object, watched->ended->ToString());
      watched->end_checked = true;
    }
    CompareRows(record, fmt::format("expect {}", record.object), std::move(actual), problem);
  }

  void RunExpectWatermark(const Record& record) {
    Settle(record.line);
    Watched* watched = FindWatched(record);
    if (watched == nullptr) return;
    auto expected = ParseTimeArgument(record.argument);
    if (!expected.ok()) {
      Fail(record.line, fmt::format("bad watermark time: {}", expected.status().ToString()));
      return;
    }
    if (*expected != watched->watermark) {
      Fail(record.line,
           fmt::format("expect {} watermark: expected {}, got {}", record.object,
                       FormatWatermark(*expected), FormatWatermark(watched->watermark)));
    }
  }

  const std::string file_name_;
  std::ostream& out_;
  const RunOptions options_;
  ManualClock clock_;
  std::unique_ptr<LaminarDB> db_;
  std::map<std::string, Watched> watched_;
  std::optional<std::string> data_dir_;  // Set by 'durable'.
  std::map<std::string, SourceHandle> handles_;
  std::set<std::string> aliases_;
  RunSummary summary_;
};

}  // namespace

RunSummary RunLogicTest(std::string_view file_name, std::string_view text, std::ostream& out,
                        const RunOptions& options) {
  Runner runner(file_name, out, options);
  return runner.Run(text);
}

std::string FormatCell(const Value& value) {
  if (value.is_null()) return "NULL";
  const bool text = value.type().id() == TypeId::kVarchar;
  if (text && value.string().empty()) return "(empty)";
  std::string printed = value.ToString();
  if (!text) return printed;
  std::string escaped;
  for (char c : printed) {
    switch (c) {
      case '\n':
        escaped += "\\n";
        break;
      case '\t':
        escaped += "\\t";
        break;
      case '\\':
        escaped += "\\\\";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::vector<std::string> FormatRows(const exec::ChangeBatch& batch, bool with_weights) {
  std::vector<std::string> rows;
  rows.reserve(static_cast<size_t>(batch.num_rows()));
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    std::string row;
    for (int c = 0; c < batch.rows.num_columns(); ++c) {
      if (c > 0) row += ' ';
      row += FormatCell(batch.rows.column(c).GetValue(r));
    }
    if (with_weights) row += batch.weight(r) > 0 ? " +1" : " -1";
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string RenderDiff(const std::vector<std::string>& expected,
                       const std::vector<std::string>& actual) {
  const size_t n = expected.size();
  const size_t m = actual.size();
  std::string out;
  // Longest common subsequence; plain lists when the table would be large.
  if (n * m > 4'000'000) {
    for (const std::string& row : expected) out += "- " + row + "\n";
    for (const std::string& row : actual) out += "+ " + row + "\n";
    return out;
  }
  std::vector<std::vector<uint32_t>> common(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      common[i][j] = expected[i] == actual[j] ? common[i + 1][j + 1] + 1
                                              : std::max(common[i + 1][j], common[i][j + 1]);
    }
  }
  size_t i = 0;
  size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] == actual[j]) {
      out += "  " + expected[i++] + "\n";
      ++j;
    } else if (i < n && (j == m || common[i + 1][j] >= common[i][j + 1])) {
      out += "- " + expected[i++] + "\n";
    } else {
      out += "+ " + actual[j++] + "\n";
    }
  }
  return out;
}

Result<int64_t> ParseTimeArgument(std::string_view text) {
  text = Trim(text);
  if (text == "-inf") return exec::kMinWatermark;
  if (text == "+inf") return exec::kMaxWatermark;
  int64_t micros = 0;
  const char* end = text.data() + text.size();
  auto [pointer, error] = std::from_chars(text.data(), end, micros);
  if (error == std::errc() && pointer == end && !text.empty()) return micros;
  if (text.size() > 10 && (text.starts_with("TIMESTAMP ") || text.starts_with("timestamp "))) {
    text = Trim(text.substr(10));
  }
  return ParseTimestamp(Unquote(text));
}

std::string FormatWatermark(int64_t micros) {
  if (micros == exec::kMinWatermark) return "-inf";
  if (micros == exec::kMaxWatermark) return "+inf";
  return fmt::format("{} ({} us)", FormatTimestamp(micros), micros);
}

}  // namespace laminar::logic_test
