#include "sql/parser/ast.h"

namespace laminar::sql {

std::string ObjectName::ToString() const {
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text.push_back('.');
    text += parts[i];
  }
  return text;
}

std::string_view ObjectKindKeyword(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kSource:
      return "SOURCE";
    case ObjectKind::kStream:
      return "STREAM";
    case ObjectKind::kMaterializedView:
      return "MATERIALIZED VIEW";
    case ObjectKind::kSink:
      return "SINK";
    case ObjectKind::kTable:
      return "TABLE";
    case ObjectKind::kLookupTable:
      return "LOOKUP TABLE";
  }
  return "SOURCE";
}

}  // namespace laminar::sql
