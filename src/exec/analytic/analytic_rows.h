#pragma once

// What the analytic operators share about the rows they keep: how ORDER BY compares them, how
// their values go back into columns, how a partition key finds its partition.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column_builder.h"
#include "columnar/value.h"

namespace laminar::exec {

/// The direction of one ORDER BY key of an analytic operator.
struct SortDirection {
  bool descending = false;
  /// NULL sorts before every value (otherwise after), whatever the direction.
  bool nulls_first = false;
};

/// Orders two tuples of ORDER BY key values (-1, 0, 1) as ORDER BY does: key by key, NULLs
/// placed by `nulls_first`, values by CompareValues, reversed for DESC. Peers compare 0.
/// REQUIRES: both tuples have one value per direction.
inline int CompareSortKeys(const std::vector<Value>& a, const std::vector<Value>& b,
                           const std::vector<SortDirection>& directions) {
  for (size_t k = 0; k < directions.size(); ++k) {
    const Value& x = a[k];
    const Value& y = b[k];
    if (x.is_null() || y.is_null()) {
      if (x.is_null() && y.is_null()) continue;
      const bool x_first = x.is_null() == directions[k].nulls_first;
      return x_first ? -1 : 1;
    }
    int c = CompareValues(x, y);
    if (directions[k].descending) c = -c;
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

/// Appends one value to `builder` with the typed appends of the common types (AppendValue
/// checks each value's type, which costs more than the copy).
/// REQUIRES: a non-NULL value has the builder's type.
inline Status AppendTyped(ColumnBuilder& builder, const Value& value) {
  if (value.is_null()) {
    builder.AppendNull();
    return Status::Ok();
  }
  switch (builder.type().id()) {
    case TypeId::kBigInt:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      builder.AppendFixed<int64_t>(value.integer());
      return Status::Ok();
    case TypeId::kDouble:
      builder.AppendFixed<double>(value.floating());
      return Status::Ok();
    case TypeId::kVarchar:
    case TypeId::kBytea:
      return builder.AppendString(value.string());
    default:
      return builder.AppendValue(value);
  }
}

/// Hashes partition keys so that a std::string_view finds a std::string key without copying it
/// (heterogeneous lookup, with std::equal_to<>).
struct PartitionKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

}  // namespace laminar::exec
