#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "columnar/batch.h"
#include "common/file_system.h"
#include "common/result.h"
#include "common/status.h"

namespace laminar::connectors {

/// What a sink connector promises about the rows it delivers across crashes and restarts.
enum class DeliveryGuarantee : uint8_t {
  /// Every row is delivered; after a crash some rows may be delivered again.
  kAtLeastOnce,
  /// What the sink has published after any number of crashes equals what a run without
  /// crashes publishes: no row lost, none duplicated.
  kExactlyOnce,
};

/// A consumer of a sink's rows outside the database (Ring 1): `CREATE SINK ... INTO
/// <CONNECTOR> (...) [FORMAT f]`. Sinks take part in the database's checkpoints by two-phase
/// commit, one transaction per epoch (epoch = checkpoint id, ids start at 1 and only grow):
///
/// - Rows written between barrier e-1 and barrier e belong to epoch e. The epoch that receives
///   rows now is the *open* epoch.
/// - When barrier e reaches the sink, PreCommit(e) makes the open epoch's rows durable but
///   invisible (phase one) and opens the next epoch. The checkpoint records that the sink
///   pre-committed e.
/// - Once the checkpoint manifest that records this is published, Commit(e) makes the rows of
///   every pre-committed epoch <= e visible (phase two). An epoch whose checkpoint failed is
///   thereby published with the next checkpoint that succeeds, which covers its rows too.
/// - After a crash the runtime restores checkpoint c (the sink's epoch recorded there; 0 when
///   none) and calls Recover(c): pre-committed epochs <= c are published (their checkpoint
///   exists, so their rows are part of the restored state and will not be produced again);
///   everything above c, pre-committed or partial, is discarded (replay produces those rows
///   again). Then Open(first_epoch) with an epoch above c.
///
/// With an exactly-once connector the published output therefore equals a crash-free run's.
///
/// Lifecycle: [Recover(c)] → Open(first) → { Write* → PreCommit(e) → Commit(e)? }* ; Commit
/// may lag behind PreCommit by several epochs, and Rollback discards what the runtime will
/// replay. Calls out of this order (a PreCommit of an epoch below the open one, a Commit of an
/// epoch not pre-committed, Write before Open) fail with LDB-9002.
///
/// After a failed Write or PreCommit the open epoch is failed: further Write and PreCommit
/// calls return the same error until the runtime rolls the open epoch back (Rollback) or
/// restarts (a new connector, Recover).
///
/// Thread-safety: not thread-safe; one thread (the reactor of the sink's query) makes every
/// call.
class SinkConnector {
 public:
  virtual ~SinkConnector() = default;

  /// The guarantee this connector gives when the runtime follows the protocol above.
  virtual DeliveryGuarantee guarantee() const = 0;
  /// False for connectors that can only append (files): they cannot apply a retraction, so
  /// the runtime should refuse a changelog input at CREATE time. Write fails on one anyway.
  virtual bool accepts_retractions() const = 0;

  /// Starts accepting rows of epoch `first_epoch` onwards: after Recover on a restart, or
  /// alone on a fresh start (nothing committed yet). REQUIRES: first_epoch >= 1 and above the
  /// epoch given to Recover; called once.
  virtual Status Open(uint64_t first_epoch) = 0;
  /// Adds rows to the open epoch. `weights` is empty (every row +1) or holds one weight (+1 or
  /// -1) per row. The rows have the schema the connector was created with.
  virtual Status Write(const Batch& rows, std::span<const int8_t> weights) = 0;
  /// The barrier of `epoch` arrived: the open epoch's rows are made durable but stay
  /// invisible, and epoch + 1 opens. REQUIRES: `epoch` >= the open epoch (ids may skip).
  virtual Status PreCommit(uint64_t epoch) = 0;
  /// Publishes every pre-committed epoch <= `epoch`. Idempotent: repeating it, or committing
  /// an epoch already published (by Recover, or before a crash), succeeds and changes nothing.
  virtual Status Commit(uint64_t epoch) = 0;
  /// Discards `epoch`: the open epoch's rows (when `epoch` >= the open epoch) or a
  /// pre-committed epoch not yet published. The runtime must replay the discarded rows.
  /// Idempotent; rolling back a published epoch fails (LDB-9002).
  virtual Status Rollback(uint64_t epoch) = 0;
  /// Restart after a crash: publishes the pre-committed epochs <= `committed_epoch` and
  /// discards everything above it (see the class comment). 0 means nothing was committed.
  /// REQUIRES: called before Open.
  virtual Status Recover(uint64_t committed_epoch) = 0;

  /// One line for people: connector, target, format and guarantee.
  virtual std::string Describe() const = 0;
};

/// Sink connectors this build has, by the lower-case name used after INTO, with a summary.
const std::map<std::string, std::string>& AvailableSinkConnectors();

/// Creates the sink connector `name` (lower case) for rows of `schema`, checking `options`
/// (the connector's parenthesised options, keys lower case) and `format` (the word after
/// FORMAT, any case; empty when absent). An unknown connector is LDB-2001; an unknown or
/// missing option and an unsupported format are LDB-1109. All file I/O of the connector goes
/// through `fs`, which must outlive it.
Result<std::unique_ptr<SinkConnector>> CreateSinkConnector(
    const std::string& name, const std::map<std::string, std::string>& options,
    const std::string& format, const std::shared_ptr<const Schema>& schema, FileSystem* fs);

}  // namespace laminar::connectors
