#pragma once

// For the evaluator's tests: binds SQL expressions through the real parser and binder over a
// fixed test source, and builds batches of that source's schema from Values.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/column_builder.h"
#include "columnar/schema.h"
#include "common/result.h"
#include "sql/binder/binder_test_support.h"
#include "sql/plan/logical_project.h"

namespace laminar::exec {

/// Columns of the test source `t`, in order: i INTEGER, b BIGINT, s SMALLINT, d DOUBLE,
/// r REAL, m DECIMAL(10,2), v VARCHAR, f BOOLEAN, dt DATE, ts TIMESTAMP, w VARCHAR.
inline std::shared_ptr<const Schema> TestSchema() {
  auto decimal = DataType::Decimal(10, 2);
  return Schema::Make({{"i", DataType::Integer()},
                       {"b", DataType::BigInt()},
                       {"s", DataType::SmallInt()},
                       {"d", DataType::Double()},
                       {"r", DataType::Real()},
                       {"m", *decimal},
                       {"v", DataType::Varchar()},
                       {"f", DataType::Boolean()},
                       {"dt", DataType::Date()},
                       {"ts", DataType::Timestamp()},
                       {"w", DataType::Varchar()}});
}

/// Binds `SELECT <expression> FROM t` and returns the projected expression.
class ExpressionBinder {
 public:
  ExpressionBinder() {
    auto created = script_.Run(
        "CREATE SOURCE t (i INTEGER, b BIGINT, s SMALLINT, d DOUBLE, r REAL, m DECIMAL(10,2), "
        "v VARCHAR, f BOOLEAN, dt DATE, ts TIMESTAMP, w VARCHAR)");
    status_ = created.status();
  }

  Result<sql::BoundExprPtr> Bind(std::string_view expression) {
    LAMINAR_RETURN_IF_ERROR(status_);
    std::string sql = "CREATE STREAM s" + std::to_string(counter_++) + " AS SELECT " +
                      std::string(expression) + " AS x FROM t";
    LAMINAR_ASSIGN_OR_RETURN(sql::BoundStatement bound, script_.RunOne(sql));
    auto* create = std::get_if<sql::BoundCreate>(&bound);
    if (create == nullptr || create->plan == nullptr) {
      return Status(ErrorCode::kInternal, "no plan for " + sql);
    }
    sql::LogicalNodePtr node = create->plan;
    while (node != nullptr && node->kind() != sql::LogicalNodeKind::kProject) {
      node = node->inputs().empty() ? nullptr : node->inputs()[0];
    }
    if (node == nullptr) return Status(ErrorCode::kInternal, "no projection in " + sql);
    return static_cast<const sql::LogicalProject&>(*node).expressions[0];
  }

 private:
  sql::ScriptBinder script_;
  Status status_;
  int counter_ = 0;
};

/// A batch of TestSchema() from rows of Values (NULL of any type allowed).
inline Batch MakeTestBatch(const std::vector<std::vector<Value>>& rows) {
  BatchBuilder builder(TestSchema());
  for (const auto& row : rows) {
    Status status = builder.AppendRow(row);
    if (!status.ok()) std::abort();
  }
  return *builder.Finish();
}

}  // namespace laminar::exec
