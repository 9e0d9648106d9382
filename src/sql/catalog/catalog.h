#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/schema.h"
#include "common/result.h"
#include "sql/object_kind.h"

namespace laminar::sql {

/// WATERMARK FOR column [AS column - INTERVAL '...'].
struct WatermarkSpec {
  std::string column;
  /// How far the watermark trails the largest event time seen (bounded out-of-orderness), in
  /// microseconds. Absent when the declaration has no AS clause: then watermarks come only
  /// from the application (`Source::Watermark(ts)`).
  std::optional<int64_t> delay_micros;

  friend bool operator==(const WatermarkSpec&, const WatermarkSpec&) = default;
};

/// Everything the catalog knows about one object. Immutable once registered.
struct CatalogObject {
  ObjectKind kind = ObjectKind::kSource;
  std::string name;
  /// Columns of the object (for a sink: the columns it receives).
  std::shared_ptr<const Schema> schema;
  std::vector<std::string> primary_key;
  std::optional<WatermarkSpec> watermark;
  /// Connector name for FROM/INTO clauses ("kafka", "postgres_cdc", "nexmark", ...), or empty.
  std::string connector;
  /// Options of the connector clause and of WITH (...), keys lower case.
  std::map<std::string, std::string> connector_options;
  std::map<std::string, std::string> options;
  std::string format;
  /// Names of the objects this one reads (its query's sources, a sink's input).
  std::vector<std::string> dependencies;
  /// What readers of a stream or view can rely on (from its plan): whether it is a changelog,
  /// which columns carry watermarks, which column sets are unique keys.
  bool changelog = false;
  std::vector<std::string> watermark_columns;
  std::vector<std::vector<std::string>> unique_keys;
  /// The statement that created the object, for SHOW CREATE.
  std::string definition_sql;
  /// Assigned by the catalog; never reused within one catalog's life.
  uint64_t id = 0;
};

/// How CREATE treats an existing object of the same name.
enum class CreateMode : uint8_t {
  kCreate,       // Fail with kDuplicateObject.
  kOrReplace,    // Replace it, unless other objects depend on it (kDependentObjects).
  kIfNotExists,  // Keep the existing one and succeed.
};

/// The registry of named objects and of which object reads which, so that DROP can refuse to
/// break a dependent object (or, with CASCADE, drop the dependents first).
///
/// Thread-safety: not thread-safe. The runtime owns the catalog in Ring 2 and serialises DDL.
class Catalog {
 public:
  /// Registers `object`. Every dependency must already exist (kUnknownObject otherwise).
  /// Returns the registered object, or the existing one under kIfNotExists.
  Result<const CatalogObject*> Create(CatalogObject object, CreateMode mode);

  /// Removes `name`. `kind` must match the object's kind (kWrongObjectKind otherwise), so that
  /// DROP STREAM cannot remove a source. Without `cascade`, fails with kDependentObjects when
  /// other objects read it; with `cascade`, drops them first, transitively. The names of the
  /// dropped objects, dependents first, are appended to `dropped` when it is not null.
  Status Drop(ObjectKind kind, std::string_view name, bool if_exists, bool cascade,
              std::vector<std::string>* dropped = nullptr);

  /// Null when absent.
  const CatalogObject* Find(std::string_view name) const;
  /// kUnknownObject naming the object when absent.
  Result<const CatalogObject*> Get(std::string_view name) const;
  /// Objects of one kind, sorted by name.
  std::vector<const CatalogObject*> List(ObjectKind kind) const;
  /// Names of the objects that read `name` directly, sorted.
  std::vector<std::string> Dependents(std::string_view name) const;

  size_t size() const { return objects_.size(); }

 private:
  Status DropOne(const std::string& name, bool cascade, std::vector<std::string>* dropped);

  std::map<std::string, std::unique_ptr<const CatalogObject>, std::less<>> objects_;
  uint64_t next_id_ = 1;
};

}  // namespace laminar::sql
