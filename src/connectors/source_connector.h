#pragma once

#include <map>
#include <memory>
#include <string>

#include "columnar/batch.h"
#include "common/result.h"
#include "common/status.h"

namespace laminar::connectors {

/// Where a source connector delivers rows: the producer side of one source. The runtime adapts
/// a source handle to it, so connectors depend only on the columnar layer.
class SourceWriter {
 public:
  virtual ~SourceWriter() = default;
  /// Pushes a batch of the source's schema (may wait per the source's backpressure).
  virtual Status PushBatch(const Batch& batch) = 0;
  /// True when a push would not wait now.
  virtual bool HasCapacity() const = 0;
  /// Ends the input: the source's watermark advances to +infinity once its rows are processed.
  virtual Status Close() = 0;
};

/// A built-in or external producer of a source's rows (Ring 1): `CREATE SOURCE ... FROM
/// <CONNECTOR> (...)`. Created, with its options checked, at CREATE time; started with the
/// database; stopped by DROP and shutdown.
///
/// Thread-safety: Start and Stop from the control thread; the connector runs its own thread.
class SourceConnector {
 public:
  virtual ~SourceConnector() = default;
  /// Starts producing into `writer` on the connector's own thread. Called once.
  virtual Status Start(std::unique_ptr<SourceWriter> writer) = 0;
  /// Stops producing and joins the thread (what was pushed stays pushed). Idempotent.
  virtual void Stop() = 0;
  /// True once the connector has delivered all its input (bounded connectors) or failed.
  virtual bool finished() const = 0;
  /// OK, or why the connector stopped early.
  virtual Status status() const = 0;
  /// Recovery of a durable database: the source already consumed the first `rows` rows this
  /// connector produces (the checkpoint's position), so Start must continue after them.
  /// Called before Start. Connectors that cannot replay refuse (LDB-2001), and recovery fails
  /// rather than duplicate or lose rows.
  virtual Status ResumeAfter(uint64_t rows) {
    (void)rows;
    return Status::Error(ErrorCode::kNotSupported, "this connector cannot resume from a position");
  }
};

/// Connectors this build has, by the lower-case name used after FROM.
const std::map<std::string, std::string>& AvailableSourceConnectors();

/// Creates the connector `name` for a source with `schema`, checking `options` (keys lower
/// case): an unknown option is LDB-1109, a value out of range LDB-1109 or LDB-2007, a schema
/// the connector cannot produce LDB-3006 naming the column.
Result<std::unique_ptr<SourceConnector>> CreateSourceConnector(
    const std::string& name, const std::map<std::string, std::string>& options,
    const std::shared_ptr<const Schema>& schema);

}  // namespace laminar::connectors
