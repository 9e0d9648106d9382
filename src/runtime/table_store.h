#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "columnar/batch.h"
#include "columnar/value.h"
#include "common/result.h"
#include "exec/lookup_source.h"

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
  /// Incremented by every change (Insert, Replace).
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  const std::vector<int>& key_columns() const { return key_columns_; }
  /// The rows whose PRIMARY KEY equals each probe's key and that pass the filters (a lookup
  /// join's read). REQUIRES: the table has a PRIMARY KEY.
  Result<exec::LookupResult> Lookup(const exec::LookupRequest& request) const;

 private:
  std::string KeyOf(std::span<const Value> row) const;
  Status InsertLocked(std::vector<Value> row);

  const std::string name_;
  const std::shared_ptr<const Schema> schema_;
  const std::vector<int> key_columns_;
  mutable std::mutex mutex_;  // Guards rows_ and index_.
  std::vector<std::vector<Value>> rows_;
  std::unordered_map<std::string, size_t> index_;  // Key -> position in rows_.
  std::atomic<uint64_t> version_{0};
};

/// A TABLE read by key through the lookup-join interface.
class TableLookupSource final : public exec::LookupSource {
 public:
  explicit TableLookupSource(std::shared_ptr<const TableStore> table, std::string name)
      : table_(std::move(table)), name_(std::move(name)) {}
  const std::shared_ptr<const Schema>& schema() const override { return table_->schema(); }
  const std::vector<int>& key_columns() const override { return table_->key_columns(); }
  uint64_t version() const override { return table_->version(); }
  Result<exec::LookupResult> Lookup(const exec::LookupRequest& request) override {
    return table_->Lookup(request);
  }
  std::string Describe() const override { return "table " + name_ + " (in memory)"; }

 private:
  std::shared_ptr<const TableStore> table_;
  std::string name_;
};

}  // namespace laminar::runtime
