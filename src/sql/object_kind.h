#pragma once

#include <cstdint>
#include <string_view>

namespace laminar::sql {

/// The kinds of named objects SQL statements create. They share one namespace, as relations
/// do in PostgreSQL: a source and a stream cannot both be called `trades`.
enum class ObjectKind : uint8_t {
  kSource,
  kStream,
  kMaterializedView,
  kSink,
  kTable,
  kLookupTable,
};

/// The kind as written in SQL: "SOURCE", "STREAM", "MATERIALIZED VIEW", "SINK", "TABLE",
/// "LOOKUP TABLE".
constexpr std::string_view ObjectKindKeyword(ObjectKind kind) {
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
  return "OBJECT";
}

}  // namespace laminar::sql
