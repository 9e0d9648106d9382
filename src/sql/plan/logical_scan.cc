#include "sql/plan/logical_scan.h"

#include <fmt/format.h>

namespace laminar::sql {

LogicalNodePtr LogicalScan::Make(std::string object_name, ObjectKind object_kind,
                                 std::shared_ptr<const Schema> schema, StreamProperties properties,
                                 SourcePosition position) {
  return std::make_shared<LogicalScan>(std::move(object_name), object_kind, std::move(schema),
                                       std::move(properties), position);
}

std::string LogicalScan::Describe() const {
  return fmt::format("Scan {} {} {}", ObjectKindKeyword(object_kind), object_name,
                     schema()->ToString());
}

}  // namespace laminar::sql
