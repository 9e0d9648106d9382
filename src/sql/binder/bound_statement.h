#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sql/catalog/catalog.h"
#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_node.h"

namespace laminar::sql {

/// CREATE SOURCE / TABLE / LOOKUP TABLE / STREAM / MATERIALIZED VIEW / SINK: the object to
/// register and, for objects defined by a query, the plan that computes it.
struct BoundCreate {
  CatalogObject object;
  CreateMode mode = CreateMode::kCreate;
  /// Null for sources and tables; the query (ending in a LogicalSink for sinks) otherwise.
  LogicalNodePtr plan;
};

/// An ad-hoc SELECT over tables and materialized views (bounded), or the query of SUBSCRIBE.
struct BoundQuery {
  LogicalNodePtr plan;
};

/// INSERT INTO name VALUES ...: `rows` is a bounded plan producing exactly the target's columns,
/// in order, with the target's types.
struct BoundInsert {
  std::string target;
  ObjectKind target_kind = ObjectKind::kSource;
  LogicalNodePtr rows;
};

/// UPDATE table SET ... [WHERE ...] and DELETE FROM table [WHERE ...].
struct BoundUpdate {
  std::string table;
  /// (column index, new value bound over the table's columns). Empty for DELETE.
  std::vector<std::pair<int, BoundExprPtr>> assignments;
  BoundExprPtr where;  // May be null.
  bool is_delete = false;
};

struct BoundDrop {
  ObjectKind kind = ObjectKind::kSource;
  std::string name;
  bool if_exists = false;
  bool cascade = false;
};

/// EXPLAIN: the bound inner statement's plan as text.
struct BoundExplain {
  std::string text;
};

/// SUBSCRIBE name [WHERE ...].
struct BoundSubscribe {
  std::string name;
  LogicalNodePtr plan;
};

/// Statements the runtime executes directly from the syntax tree once the binder has checked
/// them: SHOW, SHOW CREATE, DESCRIBE, SET, SHOW variable, CHECKPOINT, RESTORE.
struct BoundUtility {
  /// For SHOW CREATE and DESCRIBE: the object, which exists and has the expected kind.
  const CatalogObject* object = nullptr;
};

using BoundStatement = std::variant<BoundCreate, BoundQuery, BoundInsert, BoundUpdate, BoundDrop,
                                    BoundExplain, BoundSubscribe, BoundUtility>;

}  // namespace laminar::sql
