#include "sql/binder/scope.h"

#include <fmt/format.h>

namespace laminar::sql {

Scope::Scope(std::shared_ptr<const Schema> schema, std::string_view qualifier) {
  const int width = schema->num_fields();
  columns_.reserve(width);
  for (int i = 0; i < width; ++i) {
    const Field& field = schema->field(i);
    columns_.push_back(ScopeColumn{qualifier, field.name, field.type, i});
  }
  schemas_.push_back(std::move(schema));
}

Result<const ScopeColumn*> Scope::Resolve(std::span<const std::string> parts,
                                          SourcePosition position) const {
  if (parts.empty() || parts.size() > 2) {
    return Status::Error(ErrorCode::kUnknownColumn, "column reference \"{}\" has {} parts",
                         fmt::join(parts, "."), parts.size())
        .WithPosition(position);
  }
  const std::string_view name = parts.back();
  const bool qualified = parts.size() == 2;
  // Counts the matches; a column that repeats the previous match (the same input column seen
  // again, e.g. through USING) does not count twice.
  auto for_each_match = [&](auto&& visit) {
    const ScopeColumn* found = nullptr;
    for (const ScopeColumn& column : columns_) {
      // Lengths and first bytes rule out most columns without a call to memcmp.
      if (column.name.size() != name.size() ||
          (!name.empty() && column.name.front() != name.front()) || column.name != name) {
        continue;
      }
      if (qualified && column.qualifier != parts[0]) continue;
      if (found != nullptr && found->index == column.index) continue;
      visit(column);
      found = &column;
    }
    return found;
  };
  int matches = 0;
  const ScopeColumn* found = for_each_match([&](const ScopeColumn&) { ++matches; });
  if (matches == 1) return found;
  if (matches > 1) {
    std::string candidates;
    for_each_match([&](const ScopeColumn& column) {
      if (!candidates.empty()) candidates += ", ";
      if (!column.qualifier.empty()) {
        candidates += column.qualifier;
        candidates += '.';
      }
      candidates += column.name;
    });
    return Status::Error(ErrorCode::kAmbiguousColumn,
                         "column reference \"{}\" is ambiguous: it could be {}", name, candidates)
        .WithPosition(position);
  }
  if (qualified && !HasQualifier(parts[0])) {
    return Status::Error(ErrorCode::kUnknownColumn,
                         "missing FROM-clause entry for \"{}\" (in \"{}.{}\")", parts[0], parts[0],
                         name)
        .WithPosition(position);
  }
  return Status::Error(ErrorCode::kUnknownColumn, "column \"{}\" does not exist",
                       fmt::join(parts, "."))
      .WithPosition(position);
}

bool Scope::LacksColumn(std::span<const std::string> parts) const {
  if (parts.empty() || parts.size() > 2) return true;
  for (const ScopeColumn& column : columns_) {
    if (column.name == parts.back() && (parts.size() == 1 || column.qualifier == parts[0])) {
      return false;
    }
  }
  return true;
}

bool Scope::HasQualifier(std::string_view qualifier) const {
  for (const ScopeColumn& column : columns_) {
    if (column.qualifier == qualifier) return true;
  }
  return false;
}

Scope Scope::Concat(const Scope& right) const {
  Scope combined;
  combined.columns_.reserve(columns_.size() + right.columns_.size());
  combined.columns_ = columns_;
  const int shift = size();
  for (ScopeColumn column : right.columns_) {
    column.index += shift;
    combined.columns_.push_back(column);
  }
  combined.schemas_.reserve(schemas_.size() + right.schemas_.size());
  combined.schemas_ = schemas_;
  combined.schemas_.insert(combined.schemas_.end(), right.schemas_.begin(), right.schemas_.end());
  return combined;
}

Scope Scope::WithQualifier(std::string_view qualifier) const {
  Scope copy = *this;
  for (ScopeColumn& column : copy.columns_) column.qualifier = qualifier;
  return copy;
}

}  // namespace laminar::sql
