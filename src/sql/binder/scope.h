#pragma once

#include <string>
#include <vector>

#include "columnar/data_type.h"
#include "common/result.h"

namespace laminar::sql {

/// A column visible to expressions: `qualifier.name` of type `type`, at `index` in the input of
/// the node being bound.
struct ScopeColumn {
  std::string qualifier;  // Alias or object name; empty for derived columns without one.
  std::string name;
  DataType type;
  int index = 0;
};

/// The columns an expression may reference, in input order. Resolution follows PostgreSQL:
/// `name` must match exactly one column, `qualifier.name` one column of that qualifier.
class Scope {
 public:
  Scope() = default;
  explicit Scope(std::vector<ScopeColumn> columns) : columns_(std::move(columns)) {}

  const std::vector<ScopeColumn>& columns() const { return columns_; }
  int size() const { return static_cast<int>(columns_.size()); }

  /// Resolves a possibly qualified name. Errors: kUnknownColumn (naming the column and, for an
  /// unknown qualifier, the qualifier), kAmbiguousColumn (naming the candidates); both carry
  /// `position`.
  Result<const ScopeColumn*> Resolve(const std::vector<std::string>& parts,
                                     SourcePosition position) const;

  /// Whether any column has this qualifier.
  bool HasQualifier(const std::string& qualifier) const;

  /// The columns of this scope followed by those of `right` (indexes shifted), for joins.
  Scope Concat(const Scope& right) const;

  /// A copy whose columns all carry `qualifier` (a subquery or table alias).
  Scope WithQualifier(const std::string& qualifier) const;

 private:
  std::vector<ScopeColumn> columns_;
};

}  // namespace laminar::sql
