#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/result.h"
#include "functions/function_registry.h"
#include "sql/binder/bound_statement.h"
#include "sql/catalog/catalog.h"
#include "sql/parser/ast.h"

namespace laminar::sql {

/// Database-level facts the binder needs to judge a statement.
struct BinderOptions {
  /// Connectors (FROM/INTO names, lower case) that exist in this build. Every other connector
  /// name is rejected with kNotSupported, naming it: a clause is never parsed and ignored.
  std::set<std::string, std::less<>> available_connectors;
  /// The database has a data directory (required by checkpoint_interval and wal_mode).
  bool has_data_dir = false;
  /// The database sets a default checkpoint interval (wal_mode requires one).
  bool has_default_checkpoint_interval = false;
};

/// Turns a parsed statement into a checked, typed form: names resolved against the catalog,
/// types inferred (PostgreSQL-style implicit casts made explicit), functions resolved, queries
/// translated into logical plans with streaming properties. Anything that cannot be executed as
/// written fails here with an error naming the construct and its position:
/// 1xxx for unknown names and type errors, 2xxx for streaming rules and unsupported features.
///
/// The binder only reads the catalog; registering a bound CREATE is the caller's job.
/// Thread-safety: a Binder may be used by one thread at a time; the catalog must not change
/// while Bind runs.
class Binder {
 public:
  Binder(const Catalog& catalog, const functions::FunctionRegistry& registry,
         BinderOptions options = {});

  /// Binds one statement. `text` is the SQL it was parsed from (for SHOW CREATE definitions);
  /// positions in errors point into it.
  Result<BoundStatement> Bind(const Statement& statement, std::string_view text);

 private:
  const Catalog& catalog_;
  const functions::FunctionRegistry& registry_;
  /// Remembers overload resolutions across the statements this binder binds.
  functions::FunctionResolver resolver_;
  BinderOptions options_;
};

}  // namespace laminar::sql
