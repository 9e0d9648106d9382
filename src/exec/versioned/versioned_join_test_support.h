#pragma once

// Versioned joins as the tests and benchmarks build them: both sides have the key in column 0
// and the time in column 1; the output is the left columns, then the right ones made
// nullable.

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "columnar/schema.h"
#include "exec/versioned/asof_join_operator.h"
#include "exec/versioned/temporal_join_operator.h"

namespace laminar::exec {

/// `left`'s fields, then `right`'s made nullable.
inline std::shared_ptr<const Schema> JoinedSchemaOf(const Schema& left, const Schema& right) {
  std::vector<Field> fields = left.fields();
  for (Field field : right.fields()) {
    field.nullable = true;
    fields.push_back(std::move(field));
  }
  return Schema::Make(std::move(fields));
}

/// An ASOF join on column 0 (BIGINT) matching times in column 1.
inline std::unique_ptr<AsofJoinOperator> MakeTestAsofJoin(const Schema& left, const Schema& right,
                                                          sql::AsofComparison comparison,
                                                          sql::JoinKind kind,
                                                          std::optional<int64_t> tolerance) {
  AsofJoinDefinition definition;
  definition.kind = kind;
  definition.left_keys = {sql::MakeColumn(0, "lk", DataType::BigInt())};
  definition.right_keys = {sql::MakeColumn(0, "rk", DataType::BigInt())};
  definition.left_time_column = 1;
  definition.right_time_column = 1;
  definition.comparison = comparison;
  definition.tolerance_micros = tolerance;
  definition.output_schema = JoinedSchemaOf(left, right);
  definition.left_width = left.num_fields();
  return AsofJoinOperator::Make(std::move(definition), {}).value();
}

/// A temporal join on column 0 (BIGINT): as of the time in column 1 (`event_time`), else the
/// latest version.
inline std::unique_ptr<TemporalJoinOperator> MakeTestTemporalJoin(const Schema& left,
                                                                  const Schema& right,
                                                                  bool event_time,
                                                                  sql::JoinKind kind) {
  TemporalJoinDefinition definition;
  definition.kind = kind;
  definition.left_keys = {sql::MakeColumn(0, "lk", DataType::BigInt())};
  definition.right_keys = {sql::MakeColumn(0, "rk", DataType::BigInt())};
  if (event_time) {
    definition.left_time_column = 1;
    definition.right_time_column = 1;
  }
  definition.output_schema = JoinedSchemaOf(left, right);
  definition.left_width = left.num_fields();
  return TemporalJoinOperator::Make(std::move(definition), {}).value();
}

}  // namespace laminar::exec
