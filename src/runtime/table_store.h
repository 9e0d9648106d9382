#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "columnar/batch.h"
#include "columnar/value.h"
#include "common/result.h"

namespace laminar::runtime {

/// The rows of a reference TABLE (CREATE TABLE), kept in memory in insertion order.
///
/// With a PRIMARY KEY, INSERT is an upsert: a row whose key exists replaces the old row (the
/// behaviour of streaming databases' reference tables, fed by updates). Without one, rows are a
/// bag. UPDATE and DELETE work on a snapshot and apply their changes atomically.
///
/// Thread-safety: all methods take the table's mutex; snapshots are immutable batches.
class TableStore {
 public:
  TableStore(std::string name, std::shared_ptr<const Schema> schema, std::vector<int> key_columns);

  const std::shared_ptr<const Schema>& schema() const { return schema_; }

  /// Inserts (upserts) every row of `rows`, which has the table's schema. NULL in a key column
  /// is LDB-3005.
  Status Insert(const Batch& rows);
  /// The current rows as one batch.
  Result<Batch> Snapshot() const;
  /// Replaces the whole contents with `rows` (used by UPDATE and DELETE, which compute the new
  /// contents from a snapshot). REQUIRES: `rows` has the table's schema and unique keys.
  Status Replace(const Batch& rows);
  size_t size() const;

 private:
  std::string KeyOf(std::span<const Value> row) const;
  Status InsertLocked(std::vector<Value> row);

  const std::string name_;
  const std::shared_ptr<const Schema> schema_;
  const std::vector<int> key_columns_;
  mutable std::mutex mutex_;  // Guards rows_ and index_.
  std::vector<std::vector<Value>> rows_;
  std::unordered_map<std::string, size_t> index_;  // Key -> position in rows_.
};

}  // namespace laminar::runtime
