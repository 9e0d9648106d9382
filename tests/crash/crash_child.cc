// The process the crash test kills: it opens (or recovers) a durable database in DIR, creates
// the test's schema on the first run, and pushes the deterministic stream of ROWS rows from
// where the recovered source stopped: a sync-WAL source, a windowed aggregation and a filter,
// both into exactly-once file sinks, checkpointed every 200 ms. At the end it closes the
// source (flushing every window), checkpoints and prints "done".
//
// Every push that returns OK has been acknowledged after fdatasync (wal_mode = 'sync'); the
// child records how many rows were acknowledged in DIR/acked (a plain write, which a SIGKILL
// cannot undo). After a restart, the recovered source must hold at least that many rows: the
// child exits with status 3 if it does not (an acknowledged push was lost).
//
// usage: crash_child DIR ROWS

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "laminar/laminardb.h"

namespace {

int Die(std::string_view what, const laminar::Status& status) {
  fmt::print(stderr, "crash_child: {}: {}\n", what, status.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace laminar;
  if (argc != 3) {
    fmt::print(stderr, "usage: crash_child DIR ROWS\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int64_t total = std::atoll(argv[2]);
  Config config;
  config.data_dir = dir + "/db";
  auto db = LaminarDB::Open(config);
  if (!db.ok()) return Die("open", db.status());
  // Each object on its own (IF NOT EXISTS): a kill may fall between two of them, and every
  // CREATE is checkpointed before it returns.
  const std::vector<std::string> schema = {
      "CREATE SOURCE IF NOT EXISTS events (id BIGINT NOT NULL, k BIGINT NOT NULL, v BIGINT NOT "
      "NULL, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '100' MILLISECOND) "
      "WITH (wal_mode = 'sync', checkpoint_interval = '200 milliseconds')",
      "CREATE STREAM IF NOT EXISTS per_key AS SELECT k, tumble(ts, INTERVAL '1' SECOND) AS "
      "window_start, count(*) AS n, sum(v) AS total FROM events GROUP BY k, tumble(ts, "
      "INTERVAL '1' SECOND)",
      fmt::format("CREATE SINK IF NOT EXISTS windows FROM per_key INTO FILES (path = "
                  "'{}/windows') FORMAT JSON WITH (delivery = 'exactly_once')",
                  dir),
      fmt::format("CREATE SINK IF NOT EXISTS sevens INTO FILES (path = '{}/sevens') FORMAT JSON "
                  "WITH (delivery = 'exactly_once') AS SELECT id, v FROM events WHERE id % 7 = 0",
                  dir)};
  for (const std::string& statement : schema) {
    if (auto created = (*db)->Execute(statement); !created.ok()) {
      return Die("schema", created.status());
    }
  }
  if (Status started = (*db)->Start(); !started.ok()) return Die("start", started);
  auto source_status = (*db)->DescribeSource("events");
  if (!source_status.ok()) return Die("describe", source_status.status());
  const int64_t first = source_status->rows;
  const std::string acked_path = dir + "/acked";
  const int acked_fd = ::open(acked_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (acked_fd < 0) return Die("acked", Status::Error(ErrorCode::kIoError, "open {}", acked_path));
  int64_t acked = 0;
  if (::pread(acked_fd, &acked, sizeof(acked), 0) != static_cast<ssize_t>(sizeof(acked))) {
    acked = 0;
  }
  if (first < acked) {
    fmt::print(stderr, "crash_child: {} rows were acknowledged, the recovered source has {}\n",
               acked, first);
    return 3;
  }
  if (!source_status->ended) {
    auto source = (*db)->Source("events");
    if (!source.ok()) return Die("source", source.status());
    const auto schema = Schema::Make({{"id", DataType::BigInt(), false},
                                      {"k", DataType::BigInt(), false},
                                      {"v", DataType::BigInt(), false},
                                      {"ts", DataType::Timestamp(), false}});
    constexpr int64_t kBase = 1'704'067'200'000'000;  // 2024-01-01 00:00:00
    constexpr int64_t kBatch = 50;
    for (int64_t id = first; id < total;) {
      BatchBuilder builder(schema);
      const int64_t end = std::min(total, id + kBatch);
      for (; id < end; ++id) {
        const std::vector<Value> row = {Value::BigInt(id), Value::BigInt(id % 10),
                                        Value::BigInt(id * 3 % 1000),
                                        Value::Timestamp(kBase + id * 1000)};
        if (Status status = builder.AppendRow(row); !status.ok()) return Die("row", status);
      }
      auto batch = builder.Finish();
      if (!batch.ok()) return Die("batch", batch.status());
      if (Status pushed = source->PushBatch(*batch); !pushed.ok()) return Die("push", pushed);
      // Acknowledged: durable in the WAL.
      if (::pwrite(acked_fd, &id, sizeof(id), 0) != static_cast<ssize_t>(sizeof(id))) {
        return Die("acked", Status::Error(ErrorCode::kIoError, "write {}", acked_path));
      }
    }
    if (Status closed = (*db)->CloseSources("events"); !closed.ok()) return Die("close", closed);
  }
  if (Status synced = (*db)->Sync(); !synced.ok()) return Die("sync", synced);
  if (auto id = (*db)->Checkpoint(); !id.ok()) return Die("checkpoint", id.status());
  if (Status shut = (*db)->Shutdown(); !shut.ok()) return Die("shutdown", shut);
  fmt::print("done {}\n", first);
  return 0;
}
