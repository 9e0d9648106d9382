#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/data_type.h"
#include "columnar/schema.h"
#include "common/result.h"

namespace laminar::sql {

/// A column visible to expressions: `qualifier.name` of type `type`, at `index` in the input of
/// the node being bound.
///
/// The names are views, not copies: binding copies scopes at every FROM item, join and
/// subquery, and copying two strings per column dominated binding. A name views either a field
/// of a schema the Scope keeps alive (see Scope::Scope) or text of the statement's syntax tree
/// (aliases, table and WITH names), which outlives the binding of that statement.
struct ScopeColumn {
  std::string_view qualifier;  // Alias or object name; empty for derived columns without one.
  std::string_view name;
  DataType type;
  int index = 0;
};

/// The columns an expression may reference, in input order. Resolution follows PostgreSQL:
/// `name` must match exactly one column, `qualifier.name` one column of that qualifier.
///
/// Ownership: a Scope shares ownership of the schemas its column names view; qualifiers and
/// renamed columns view the syntax tree being bound. REQUIRES: the syntax tree outlives the
/// Scope (scopes live only while one statement is bound).
class Scope {
 public:
  Scope() = default;

  /// The fields of `schema` as columns 0..n-1, all with `qualifier`.
  Scope(std::shared_ptr<const Schema> schema, std::string_view qualifier);

  const std::vector<ScopeColumn>& columns() const { return columns_; }
  int size() const { return static_cast<int>(columns_.size()); }

  /// Resolves a possibly qualified name. Errors: kUnknownColumn (naming the column and, for an
  /// unknown qualifier, the qualifier), kAmbiguousColumn (naming the candidates); both carry
  /// `position`.
  Result<const ScopeColumn*> Resolve(std::span<const std::string> parts,
                                     SourcePosition position) const;

  /// Whether Resolve(parts) fails with kUnknownColumn, found without building that error.
  bool LacksColumn(std::span<const std::string> parts) const;

  /// Whether any column has this qualifier.
  bool HasQualifier(std::string_view qualifier) const;

  /// The columns of this scope followed by those of `right` (indexes shifted), for joins.
  Scope Concat(const Scope& right) const;

  /// A copy whose columns all carry `qualifier` (a subquery or table alias).
  Scope WithQualifier(std::string_view qualifier) const;

  /// Renames column `index` (a column alias list: `AS t(a, b)`). REQUIRES: index < size().
  void RenameColumn(int index, std::string_view name) { columns_[index].name = name; }

 private:
  std::vector<ScopeColumn> columns_;
  /// The schemas whose field names the columns view.
  std::vector<std::shared_ptr<const Schema>> schemas_;
};

}  // namespace laminar::sql
