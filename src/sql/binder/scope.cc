#include "sql/binder/scope.h"

#include <fmt/format.h>

namespace laminar::sql {

Result<const ScopeColumn*> Scope::Resolve(const std::vector<std::string>& parts,
                                          SourcePosition position) const {
  if (parts.empty() || parts.size() > 2) {
    return Status::Error(ErrorCode::kUnknownColumn, "column reference \"{}\" has {} parts",
                         fmt::join(parts, "."), parts.size())
        .WithPosition(position);
  }
  const std::string& name = parts.back();
  const ScopeColumn* found = nullptr;
  int matches = 0;
  std::string candidates;
  for (const ScopeColumn& column : columns_) {
    if (column.name != name) continue;
    if (parts.size() == 2 && column.qualifier != parts[0]) continue;
    if (found != nullptr && found->index == column.index) continue;
    ++matches;
    if (!candidates.empty()) candidates += ", ";
    candidates += column.qualifier.empty() ? column.name : column.qualifier + "." + column.name;
    found = &column;
  }
  if (matches == 1) return found;
  if (matches > 1) {
    return Status::Error(ErrorCode::kAmbiguousColumn,
                         "column reference \"{}\" is ambiguous: it could be {}", name, candidates)
        .WithPosition(position);
  }
  if (parts.size() == 2 && !HasQualifier(parts[0])) {
    return Status::Error(ErrorCode::kUnknownColumn,
                         "missing FROM-clause entry for \"{}\" (in \"{}.{}\")", parts[0], parts[0],
                         name)
        .WithPosition(position);
  }
  return Status::Error(ErrorCode::kUnknownColumn, "column \"{}\" does not exist",
                       fmt::join(parts, "."))
      .WithPosition(position);
}

bool Scope::HasQualifier(const std::string& qualifier) const {
  for (const ScopeColumn& column : columns_) {
    if (column.qualifier == qualifier) return true;
  }
  return false;
}

Scope Scope::Concat(const Scope& right) const {
  std::vector<ScopeColumn> columns = columns_;
  const int shift = size();
  for (ScopeColumn column : right.columns_) {
    column.index += shift;
    columns.push_back(std::move(column));
  }
  return Scope(std::move(columns));
}

Scope Scope::WithQualifier(const std::string& qualifier) const {
  std::vector<ScopeColumn> columns = columns_;
  for (ScopeColumn& column : columns) column.qualifier = qualifier;
  return Scope(std::move(columns));
}

}  // namespace laminar::sql
