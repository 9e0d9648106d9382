#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/schema.h"
#include "columnar/value.h"
#include "common/result.h"

namespace laminar::exec {

/// A simple filter a lookup source may apply itself (pushdown): `column OP constant`, with OP
/// one of =, <>, <, <=, >, >=, over the table's own columns. A NULL column value never passes.
struct LookupFilter {
  int column = 0;
  std::string op;
  Value constant;
};

/// One batched probe: each row of `keys` is a key to look up, its columns in key_columns()
/// order and of the table's key column types. Only rows passing every filter are returned.
struct LookupRequest {
  Batch keys;
  std::vector<LookupFilter> filters;
};

/// The answer: matching rows (in the table's schema) and, for each, the probe row (index into
/// the request's keys) it matched. A key with no row has no entry.
struct LookupResult {
  Batch rows;
  std::vector<int32_t> probe;
};

/// A relation read by key: a TABLE held by the database, or (with connectors) a LOOKUP TABLE
/// served by an external system such as PostgreSQL. Lookup joins read it through a cache.
///
/// Thread-safety: Lookup and version may be called from a reactor thread while the table is
/// written by statements on other threads; implementations synchronise.
class LookupSource {
 public:
  virtual ~LookupSource() = default;
  /// The table's columns.
  virtual const std::shared_ptr<const Schema>& schema() const = 0;
  /// Indices of the key columns (the PRIMARY KEY).
  virtual const std::vector<int>& key_columns() const = 0;
  /// Changes whenever the contents change. A cache in front of the source drops its entries
  /// when it sees a new version. A source that cannot tell (an external system) returns 0
  /// always; its cache then bounds staleness by its TTL.
  virtual uint64_t version() const = 0;
  virtual Result<LookupResult> Lookup(const LookupRequest& request) = 0;
  /// e.g. "table rates (in memory)".
  virtual std::string Describe() const = 0;
};

/// Finds the lookup source of a TABLE or LOOKUP TABLE by name (the database's catalog).
class LookupSourceProvider {
 public:
  virtual ~LookupSourceProvider() = default;
  /// LDB-1101-style error when `name` is not a table.
  virtual Result<std::shared_ptr<LookupSource>> FindLookupSource(std::string_view name) = 0;
};

}  // namespace laminar::exec
