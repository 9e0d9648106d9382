#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "laminar/laminardb.h"
#include "server/result_output.h"

namespace laminar::server {

/// Runs statements for the command-line tool (`laminardb run` and the shell) and prints what
/// they produce: command tags and query results, and the rows every stream and sink created
/// through the session emits.
///
/// After each statement the session waits until everything pushed so far has been processed
/// (LaminarDB::Sync), then writes, in table form:
///   the statement's tag (or its rows as a table), then the rows each stream emitted meanwhile,
///   stream by stream in the order the streams were created;
/// in JSON lines form:
///   the emitted rows first (`{"stream":...}`), then the statement's rows as
///   `{"query":N,...}`, where N counts the statements that returned rows (SELECT, SHOW,
///   DESCRIBE, EXPLAIN) from 1. Tags are not printed.
///
/// Streams and sinks are subscribed right after their CREATE, so no emitted row is missed;
/// streams created outside the session are not printed.
///
/// Thread-safety: one thread at a time. The database may be shared with other threads.
class Session {
 public:
  /// REQUIRES: `db` and `out` outlive the session; `db` was started (LaminarDB::Start).
  Session(LaminarDB& db, OutputFormat format, std::FILE* out);

  /// Executes `text`, normally one statement (a script of several also works, but they are
  /// synchronised and printed as one). Statements before a failing one stay executed and their
  /// output is written. The error is returned with its position in `text` (after ${VAR}
  /// substitution), not printed.
  Status Execute(std::string_view text);

  /// Ends the input as bounded input ends in Flink: closes every source (watermarks advance to
  /// +infinity, so everything is flushed), waits for the processing, writes the remaining
  /// emissions and shuts the database down. With `close_sources` false (a durable database
  /// that a later run continues), the sources stay open: the shutdown checkpoints instead.
  Status Finish(bool close_sources = true);

  /// Writes a line to the output as it is (for the shell's own messages), flushing it.
  void WriteLine(std::string_view line);

 private:
  struct StreamOutput {
    std::string name;
    Subscription subscription;
    std::vector<exec::ChangeBatch> pending;  // Polled, not printed yet.
  };

  void Collect();
  Status SyncAndCollect();
  Status SubscribeTo(const std::string& name);
  void ForgetDroppedStreams();
  std::string TakeEmissions();
  std::string StatementOutput(const QueryResult& result);

  LaminarDB& db_;
  const OutputFormat format_;
  std::FILE* const out_;
  std::vector<StreamOutput> streams_;  // In creation order.
  int queries_ = 0;                    // Statements that returned rows so far.
};

}  // namespace laminar::server
