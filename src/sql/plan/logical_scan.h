#pragma once

#include <string>

#include "sql/object_kind.h"
#include "sql/plan/logical_node.h"

namespace laminar::sql {

/// Reads a catalog object: a source, stream, materialized view or table.
class LogicalScan final : public LogicalNode {
 public:
  /// `properties` come from the catalog object: watermark columns from WATERMARK FOR, a
  /// unique key from PRIMARY KEY, changelog for upsert sources and changelog views.
  static LogicalNodePtr Make(std::string object_name, ObjectKind object_kind,
                             std::shared_ptr<const Schema> schema, StreamProperties properties,
                             SourcePosition position);

  const std::string object_name;
  const ObjectKind object_kind;

  std::string Describe() const override;

  LogicalScan(std::string object_name, ObjectKind object_kind, std::shared_ptr<const Schema> schema,
              StreamProperties properties, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kScan, std::move(schema), std::move(properties), {}, position),
        object_name(std::move(object_name)),
        object_kind(object_kind) {}
};

}  // namespace laminar::sql
