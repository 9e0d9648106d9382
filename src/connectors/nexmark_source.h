#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/source_connector.h"
#include "nexmark/generator.h"

namespace laminar::connectors {

/// What `FROM NEXMARK (table = 'bid', events = 'N', rate = 'R', seed = 'S')` asks for.
struct NexmarkSourceOptions {
  nexmark::NexmarkTable table = nexmark::NexmarkTable::kBid;
  /// Events of all three tables together; the table's share of them is generated (1:3:46).
  uint64_t events = 10'000'000;
  nexmark::NexmarkConfig config;
  /// Events generated per pushed batch (about 4096 rows of the table).
  uint64_t events_per_batch = 0;
  /// The source's columns as indexes of the table's (set by CreateSourceConnector); empty when
  /// the source declares all of them in order.
  std::vector<int> columns;
  std::shared_ptr<const Schema> schema;
};

/// Parses and checks the connector options: table (required), events, rate, seed,
/// events_per_batch. LDB-1109 for unknown keys and bad values.
Result<NexmarkSourceOptions> ParseNexmarkSourceOptions(
    const std::map<std::string, std::string>& options);

/// The built-in Nexmark generator as a source (nexmark/SPEC.md): generates the table's rows for
/// events [0, events) in order, batch by batch, straight into columnar batches, pushes them
/// and closes the source at the end. Bounded input: the source's watermark then advances to
/// +infinity. The data depends only on the options, never on timing.
class NexmarkSource final : public SourceConnector {
 public:
  explicit NexmarkSource(NexmarkSourceOptions options) : options_(std::move(options)) {}
  ~NexmarkSource() override { Stop(); }

  Status Start(std::unique_ptr<SourceWriter> writer) override;
  void Stop() override;
  bool finished() const override { return finished_.load(std::memory_order_acquire); }
  Status status() const override;
  /// The generator is deterministic: skips the first `rows` rows it would produce.
  Status ResumeAfter(uint64_t rows) override {
    skip_rows_ = rows;
    return Status::Ok();
  }

 private:
  void Run();

  const NexmarkSourceOptions options_;
  std::unique_ptr<SourceWriter> writer_;
  std::thread thread_;
  uint64_t skip_rows_ = 0;  // Rows consumed before a restart (ResumeAfter).
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  mutable std::mutex mutex_;  // Guards status_.
  Status status_;
};

}  // namespace laminar::connectors
