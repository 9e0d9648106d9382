#include "sql/binder/query_binder.h"

#include <fmt/format.h>

#include <algorithm>

#include "functions/type_coercion.h"
#include "sql/plan/logical_filter.h"
#include "sql/plan/logical_join.h"
#include "sql/plan/logical_over.h"
#include "sql/plan/logical_project.h"
#include "sql/plan/logical_scan.h"
#include "sql/plan/logical_sort.h"
#include "sql/plan/logical_top_n.h"
#include "sql/plan/logical_union.h"
#include "sql/plan/logical_values.h"
#include "sql/plan/logical_window_table_function.h"

namespace laminar::sql {
namespace {

Status NotSupported(SourcePosition position, std::string message) {
  return Status(ErrorCode::kNotSupported, std::move(message)).WithPosition(position);
}

int IndexOf(const Schema& schema, const std::string& name) {
  return schema.FieldIndex(name).value_or(-1);
}

// Scan properties of a catalog object, for continuous or ad-hoc reading.
StreamProperties PropertiesOf(const CatalogObject& object, bool continuous) {
  StreamProperties properties;
  const Schema& schema = *object.schema;
  if (!continuous) {
    properties.bounded = true;
  } else if (object.kind == ObjectKind::kSource) {
    // A source with a PRIMARY KEY is an upsert source: a later row replaces the earlier one.
    properties.mode =
        object.primary_key.empty() ? ChangelogMode::kAppendOnly : ChangelogMode::kChangelog;
    if (object.watermark)
      properties.watermark_columns.push_back(IndexOf(schema, object.watermark->column));
  } else if (object.kind == ObjectKind::kTable || object.kind == ObjectKind::kLookupTable) {
    properties.mode = ChangelogMode::kChangelog;
  } else {
    properties.mode = object.changelog ? ChangelogMode::kChangelog : ChangelogMode::kAppendOnly;
    for (const auto& column : object.watermark_columns) {
      const int index = IndexOf(schema, column);
      if (index >= 0) properties.watermark_columns.push_back(index);
    }
  }
  std::vector<std::vector<std::string>> keys = object.unique_keys;
  if (!object.primary_key.empty()) keys.push_back(object.primary_key);
  for (const auto& key : keys) {
    std::vector<int> indexes;
    for (const auto& column : key) indexes.push_back(IndexOf(schema, column));
    if (std::find(indexes.begin(), indexes.end(), -1) == indexes.end()) {
      properties.unique_keys.push_back(std::move(indexes));
    }
  }
  std::sort(properties.watermark_columns.begin(), properties.watermark_columns.end());
  return properties;
}

// `column`, `column + INTERVAL c` or `column - INTERVAL c` over a join's combined input:
// (column index, offset in microseconds).
std::optional<std::pair<int, int64_t>> ColumnPlusOffset(const BoundExpression& expr) {
  if (expr.kind == BoundExpressionKind::kColumn)
    return std::make_pair(expr.column_index, int64_t{0});
  if (expr.kind == BoundExpressionKind::kCall && (expr.name == "+" || expr.name == "-") &&
      expr.children.size() == 2 && expr.children[0]->kind == BoundExpressionKind::kColumn) {
    auto offset = ConstantIntervalMicros(*expr.children[1], "offset");
    if (!offset.ok()) return std::nullopt;
    return std::make_pair(expr.children[0]->column_index, expr.name == "+" ? *offset : -*offset);
  }
  return std::nullopt;
}

bool IsRankingFunction(const std::string& name) {
  return name == "row_number" || name == "rank" || name == "dense_rank";
}

// Rewrites Filter(rank <= N) over [Project over] Over(row_number() ...) into a Top-N.
// `reads`: the expressions that will read the Top-N's output (QUALIFY's select list), when they
// are not the project below the filter.
std::optional<LogicalNodePtr> TryTopN(const LogicalNodePtr& input, const BoundExprPtr& predicate,
                                      std::optional<int64_t> state_ttl_micros,
                                      const std::vector<BoundExprPtr>* reads = nullptr) {
  const LogicalProject* project = nullptr;
  const LogicalNode* over_node = input.get();
  if (input->kind() == LogicalNodeKind::kProject) {
    project = static_cast<const LogicalProject*>(input.get());
    over_node = input->inputs()[0].get();
  }
  if (over_node->kind() != LogicalNodeKind::kOver) return std::nullopt;
  const auto& over = static_cast<const LogicalOver&>(*over_node);
  if (over.calls.size() != 1 || !IsRankingFunction(over.calls[0].function) ||
      over.calls[0].order_by.empty()) {
    return std::nullopt;
  }
  const int over_column = over.inputs()[0]->schema()->num_fields();
  if (predicate->kind != BoundExpressionKind::kCall || predicate->children.size() != 2) {
    return std::nullopt;
  }
  const BoundExpression& left = *predicate->children[0];
  const BoundExpression& right = *predicate->children[1];
  if (left.kind != BoundExpressionKind::kColumn) return std::nullopt;
  int rank_column = left.column_index;
  if (project != nullptr) {
    const BoundExpression& mapped = *project->expressions[rank_column];
    if (mapped.kind != BoundExpressionKind::kColumn) return std::nullopt;
    rank_column = mapped.column_index;
  }
  if (rank_column != over_column) return std::nullopt;
  auto bound = ConstantInteger(right, "the Top-N limit");
  if (!bound.ok()) return std::nullopt;
  int64_t limit = 0;
  if (predicate->name == "<=") {
    limit = *bound;
  } else if (predicate->name == "<") {
    limit = *bound - 1;
  } else if (predicate->name == "=" && *bound == 1) {
    limit = 1;
  } else {
    return std::nullopt;
  }
  if (limit < 1) return std::nullopt;
  const OverCall& call = over.calls[0];
  LogicalTopN::Options options;
  options.partition_by = call.partition_by;
  options.order_by = call.order_by;
  options.limit = limit;
  options.rank_function = call.function == "row_number" ? RankFunction::kRowNumber
                          : call.function == "rank"     ? RankFunction::kRank
                                                        : RankFunction::kDenseRank;
  // The rank is output only when read: a rank that changes while its row stays in the top would
  // otherwise retract and reinsert the row for nothing.
  if (project != nullptr) reads = &project->expressions;
  bool rank_read = reads == nullptr;
  if (reads != nullptr) {
    for (const BoundExprPtr& expression : *reads) {
      const std::vector<int> columns = ReferencedColumns(*expression);
      rank_read =
          rank_read || std::find(columns.begin(), columns.end(), over_column) != columns.end();
    }
  }
  if (rank_read) options.rank_column = call.name;
  options.state_ttl_micros = state_ttl_micros;
  LogicalNodePtr top_n =
      LogicalTopN::Make(over.inputs()[0], std::move(options), predicate->position);
  if (project == nullptr) return top_n;
  std::vector<std::string> names;
  for (const Field& field : project->schema()->fields()) names.push_back(field.name);
  return LogicalProject::Make(top_n, project->expressions, std::move(names), project->position());
}

}  // namespace

QueryBinder::QueryBinder(const Catalog& catalog, functions::FunctionResolver& resolver,
                         bool continuous, QueryOptions options)
    : catalog_(catalog), resolver_(resolver), continuous_(continuous), options_(options) {}

void QueryBinder::AddDependency(const std::string& name) {
  if (std::find(dependencies_.begin(), dependencies_.end(), name) == dependencies_.end()) {
    dependencies_.push_back(name);
  }
}

Result<BoundRelation> QueryBinder::BindQuery(const Query& query) {
  if (query.recursive) return NotSupported(query.position, "WITH RECURSIVE is not supported");
  ctes_.emplace_back();
  for (const CommonTableExpression& cte : query.with) {
    LAMINAR_ASSIGN_OR_RETURN(BoundRelation relation, BindQuery(*cte.query));
    if (!cte.columns.empty()) {
      if (static_cast<int>(cte.columns.size()) != relation.scope.size()) {
        return Status::Error(ErrorCode::kSyntaxError,
                             "WITH {} names {} columns but its query has {}", cte.name.name,
                             cte.columns.size(), relation.scope.size())
            .WithPosition(cte.name.position);
      }
      std::vector<BoundExprPtr> expressions;
      std::vector<std::string> names;
      for (int i = 0; i < relation.scope.size(); ++i) {
        const Field& field = relation.node->schema()->field(i);
        expressions.push_back(MakeColumn(i, field.name, field.type));
        names.push_back(cte.columns[i].name);
      }
      relation.node =
          LogicalProject::Make(relation.node, std::move(expressions), names, cte.name.position);
    }
    relation.scope = Scope(relation.node->schema(), cte.name.name);
    ctes_.back()[cte.name.name] = std::move(relation);
  }

  StreamingClauses clauses;
  clauses.position = query.position;
  if (query.emit) {
    EmitSpec emit;
    emit.explicit_clause = true;
    emit.position = query.emit->position;
    switch (query.emit->mode) {
      case EmitMode::kOnWindowClose:
      case EmitMode::kFinal:
        emit.strategy = EmitStrategy::kOnWindowClose;
        break;
      case EmitMode::kChanges:
        emit.strategy = EmitStrategy::kChanges;
        break;
      case EmitMode::kOnUpdate:
        emit.strategy = EmitStrategy::kOnUpdate;
        break;
      case EmitMode::kPeriodic: {
        ExpressionBinder binder(resolver_, Scope(), "EMIT EVERY");
        LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr period, binder.Bind(*query.emit->period));
        emit.strategy = EmitStrategy::kPeriodic;
        LAMINAR_ASSIGN_OR_RETURN(emit.period_micros,
                                 ConstantIntervalMicros(*period, "the EMIT EVERY period"));
        if (emit.period_micros <= 0) {
          return Status::Error(ErrorCode::kInvalidEmitMode, "EMIT EVERY needs a positive period")
              .WithPosition(query.emit->position);
        }
        break;
      }
    }
    clauses.emit = emit;
  }
  if (query.allowed_lateness || options_.allowed_lateness_micros) {
    clauses.has_allowed_lateness = true;
    if (query.allowed_lateness) {
      ExpressionBinder binder(resolver_, Scope(), "ALLOWED_LATENESS");
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr lateness, binder.Bind(*query.allowed_lateness));
      LAMINAR_ASSIGN_OR_RETURN(clauses.allowed_lateness_micros,
                               ConstantIntervalMicros(*lateness, "ALLOWED_LATENESS"));
    } else {
      clauses.allowed_lateness_micros = *options_.allowed_lateness_micros;
    }
    if (clauses.allowed_lateness_micros < 0) {
      return Status::Error(ErrorCode::kInvalidWindow, "ALLOWED_LATENESS must not be negative")
          .WithPosition(query.position);
    }
  }
  if (query.late_data_to) {
    if (query.late_data_to->parts.size() != 1) {
      return NotSupported(query.late_data_to->position, "qualified names are not supported");
    }
    clauses.late_data_target = query.late_data_to->parts[0];
  }
  const bool has_clauses = clauses.emit || clauses.has_allowed_lateness || clauses.late_data_target;
  clauses_.push_back(clauses);
  Result<BoundRelation> body = BindBody(*query.body);
  StreamingClauses used = clauses_.back();
  clauses_.pop_back();
  if (!body.ok()) {
    ctes_.pop_back();
    return body;
  }
  if (has_clauses && used.aggregates_applied == 0) {
    ctes_.pop_back();
    const SourcePosition where = query.emit ? query.emit->position : query.position;
    return Status::Error(ErrorCode::kInvalidEmitMode,
                         "EMIT, ALLOWED_LATENESS and LATE DATA TO apply to aggregations; this "
                         "query has none")
        .WithPosition(where);
  }
  Result<BoundRelation> result = ApplyOrderAndLimit(query, std::move(*body));
  ctes_.pop_back();
  return result;
}

Result<BoundRelation> QueryBinder::BindBody(const QueryBody& body) {
  switch (body.kind) {
    case QueryBodyKind::kSelect:
      return BindSelect(body.As<SelectBody>());
    case QueryBodyKind::kValues:
      return BindValues(body.As<ValuesBody>());
    case QueryBodyKind::kSetOperation:
      return BindSetOperation(body.As<SetOperationBody>());
    case QueryBodyKind::kNested:
      return BindQuery(*body.As<NestedQueryBody>().query);
  }
  return Status::Error(ErrorCode::kInternal, "unknown query body");
}

Result<BoundRelation> QueryBinder::BindValues(const ValuesBody& values) {
  if (values.rows.empty()) return Status::Error(ErrorCode::kSyntaxError, "VALUES needs a row");
  const size_t width = values.rows[0].size();
  std::vector<std::vector<BoundExprPtr>> rows;
  std::vector<std::vector<functions::ArgumentInfo>> infos(width);
  ExpressionBinder binder(resolver_, Scope(), "VALUES");
  for (const auto& row : values.rows) {
    if (row.size() != width) {
      return Status::Error(ErrorCode::kSyntaxError, "VALUES lists must all be the same length")
          .WithPosition(row.empty() ? values.position : row[0]->position);
    }
    std::vector<BoundExprPtr> bound_row;
    for (size_t c = 0; c < width; ++c) {
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, binder.Bind(*row[c]));
      functions::ArgumentInfo info;
      info.type = value->type;
      info.is_string_literal = row[c]->kind == ExpressionKind::kLiteral &&
                               row[c]->As<LiteralExpression>().literal_kind == LiteralKind::kString;
      info.is_null_literal = value->type.id() == TypeId::kNull;
      infos[c].push_back(info);
      bound_row.push_back(std::move(value));
    }
    rows.push_back(std::move(bound_row));
  }
  std::vector<Field> fields;
  for (size_t c = 0; c < width; ++c) {
    auto type = functions::CommonSupertype(infos[c], "VALUES");
    if (!type.ok()) return std::move(type).status().WithPosition(values.position);
    DataType column_type = type->id() == TypeId::kNull ? DataType::Varchar() : *type;
    fields.push_back(Field{fmt::format("column{}", c + 1), column_type, true});
    for (auto& row : rows) {
      LAMINAR_ASSIGN_OR_RETURN(row[c], CoerceExpression(std::move(row[c]), column_type));
    }
  }
  auto schema = Schema::Make(std::move(fields));
  LogicalNodePtr node = LogicalValues::Make(schema, std::move(rows), values.position);
  return BoundRelation{node, Scope(schema, "")};
}

Result<BoundRelation> QueryBinder::BindSetOperation(const SetOperationBody& operation) {
  if (operation.op != SetOperator::kUnion) {
    return NotSupported(
        operation.position,
        fmt::format("{} is not supported yet",
                    operation.op == SetOperator::kIntersect ? "INTERSECT" : "EXCEPT"));
  }
  if (!operation.all) {
    return NotSupported(operation.position,
                        "UNION without ALL is not supported yet; write UNION ALL (and SELECT "
                        "DISTINCT over it if duplicates must go)");
  }
  // Flatten a chain of UNION ALLs into one node.
  std::vector<const QueryBody*> bodies;
  std::vector<const QueryBody*> pending = {&operation};
  while (!pending.empty()) {
    const QueryBody* body = pending.back();
    pending.pop_back();
    if (body->kind == QueryBodyKind::kSetOperation) {
      const auto& set = body->As<SetOperationBody>();
      if (set.op == SetOperator::kUnion && set.all) {
        pending.push_back(set.right.get());
        pending.push_back(set.left.get());
        continue;
      }
    }
    bodies.push_back(body);
  }
  std::vector<BoundRelation> inputs;
  for (const QueryBody* body : bodies) {
    LAMINAR_ASSIGN_OR_RETURN(BoundRelation input, BindBody(*body));
    inputs.push_back(std::move(input));
  }
  const int width = inputs[0].scope.size();
  std::vector<DataType> types;
  for (int c = 0; c < width; ++c) {
    DataType type = inputs[0].node->schema()->field(c).type;
    for (size_t i = 1; i < inputs.size(); ++i) {
      if (inputs[i].scope.size() != width) {
        return Status::Error(ErrorCode::kTypeMismatch,
                             "each UNION query must have the same number of columns ({} and {})",
                             width, inputs[i].scope.size())
            .WithPosition(bodies[i]->position);
      }
      auto common = functions::CommonSupertype(type, inputs[i].node->schema()->field(c).type);
      if (!common.ok()) return std::move(common).status().WithPosition(bodies[i]->position);
      type = *common;
    }
    types.push_back(type);
  }
  std::vector<LogicalNodePtr> nodes;
  for (BoundRelation& input : inputs) {
    bool needs_cast = false;
    std::vector<BoundExprPtr> expressions;
    std::vector<std::string> names;
    for (int c = 0; c < width; ++c) {
      const Field& field = input.node->schema()->field(c);
      BoundExprPtr column = MakeColumn(c, field.name, field.type);
      if (field.type != types[c]) {
        needs_cast = true;
        column = MakeCast(column, types[c]);
      }
      expressions.push_back(std::move(column));
      names.push_back(inputs[0].node->schema()->field(c).name);
    }
    nodes.push_back(needs_cast ? LogicalProject::Make(input.node, std::move(expressions),
                                                      std::move(names), operation.position)
                               : input.node);
  }
  LogicalNodePtr node = LogicalUnion::Make(std::move(nodes), operation.position);
  return BoundRelation{node, Scope(node->schema(), "")};
}

Result<BoundRelation> QueryBinder::BindNamed(const NamedTableRef& ref) {
  if (ref.name.parts.size() != 1) {
    return NotSupported(ref.name.position,
                        fmt::format("qualified name {} is not supported", ref.name.ToString()));
  }
  const std::string& name = ref.name.parts[0];
  const std::string_view qualifier = ref.alias ? ref.alias->name.name : name;
  for (auto level = ctes_.rbegin(); level != ctes_.rend(); ++level) {
    auto it = level->find(name);
    if (it == level->end()) continue;
    if (ref.system_time) {
      return NotSupported(ref.position,
                          "FOR SYSTEM_TIME AS OF needs a table or source, not a "
                          "WITH query");
    }
    return BoundRelation{it->second.node, it->second.scope.WithQualifier(qualifier)};
  }
  const CatalogObject* object = catalog_.Find(name);
  if (object == nullptr) {
    return Status::Error(ErrorCode::kUnknownObject, "relation \"{}\" does not exist", name)
        .WithPosition(ref.name.position);
  }
  if (object->kind == ObjectKind::kSink) {
    return Status::Error(ErrorCode::kWrongObjectKind,
                         "\"{}\" is a SINK; queries read sources, streams, views and tables", name)
        .WithPosition(ref.name.position);
  }
  if (!continuous_ &&
      (object->kind == ObjectKind::kSource || object->kind == ObjectKind::kStream)) {
    return NotSupported(
        ref.name.position,
        fmt::format("an ad-hoc SELECT reads tables and materialized views; {} \"{}\" "
                    "is unbounded: use CREATE STREAM ... AS SELECT or SUBSCRIBE",
                    ObjectKindKeyword(object->kind), name));
  }
  if (object->kind == ObjectKind::kLookupTable && !continuous_) {
    return NotSupported(ref.name.position,
                        fmt::format("LOOKUP TABLE \"{}\" can only be joined, not scanned", name));
  }
  AddDependency(name);
  LogicalNodePtr node = LogicalScan::Make(name, object->kind, object->schema,
                                          PropertiesOf(*object, continuous_), ref.name.position);
  Scope scope(object->schema, qualifier);
  if (ref.alias && !ref.alias->columns.empty()) {
    if (static_cast<int>(ref.alias->columns.size()) > scope.size()) {
      return Status::Error(ErrorCode::kSyntaxError, "{} has {} columns but {} aliases were given",
                           name, scope.size(), ref.alias->columns.size())
          .WithPosition(ref.alias->name.position);
    }
    for (size_t i = 0; i < ref.alias->columns.size(); ++i) {
      scope.RenameColumn(static_cast<int>(i), ref.alias->columns[i].name);
    }
  }
  return BoundRelation{node, std::move(scope)};
}

Result<BoundRelation> QueryBinder::BindTableRef(const TableRef& ref) {
  switch (ref.kind) {
    case TableRefKind::kNamed: {
      const auto& named = ref.As<NamedTableRef>();
      if (named.system_time) {
        return NotSupported(named.position,
                            "FOR SYSTEM_TIME AS OF is only supported on the right side of a JOIN");
      }
      return BindNamed(named);
    }
    case TableRefKind::kSubquery: {
      const auto& subquery = ref.As<SubqueryTableRef>();
      LAMINAR_ASSIGN_OR_RETURN(BoundRelation relation, BindQuery(*subquery.query));
      const std::string_view qualifier =
          subquery.alias ? std::string_view(subquery.alias->name.name) : std::string_view();
      Scope scope(relation.node->schema(), qualifier);
      if (subquery.alias && !subquery.alias->columns.empty()) {
        if (subquery.alias->columns.size() > scope.columns().size()) {
          return Status::Error(ErrorCode::kSyntaxError, "too many column aliases")
              .WithPosition(subquery.alias->name.position);
        }
        for (size_t i = 0; i < subquery.alias->columns.size(); ++i) {
          scope.RenameColumn(static_cast<int>(i), subquery.alias->columns[i].name);
        }
      }
      return BoundRelation{relation.node, std::move(scope)};
    }
    case TableRefKind::kTableFunction:
      return BindTableFunction(ref.As<TableFunctionRef>());
    case TableRefKind::kJoin:
      return BindJoin(ref.As<JoinTableRef>());
  }
  return Status::Error(ErrorCode::kInternal, "unknown table reference");
}

Result<BoundRelation> QueryBinder::BindTableFunction(const TableFunctionRef& ref) {
  std::string name = ref.name.empty() ? "" : ref.name.back();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  WindowAssignment assignment;
  assignment.position = ref.position;
  if (name == "tumble") {
    assignment.kind = WindowKind::kTumble;
  } else if (name == "hop") {
    assignment.kind = WindowKind::kHop;
  } else if (name == "cumulate") {
    assignment.kind = WindowKind::kCumulate;
  } else if (name == "session") {
    // SESSION(TABLE t, DESCRIPTOR(ts), gap): sessions over all rows of t (PARTITION BY is not
    // supported; GROUP BY k, session(ts, gap) gives sessions per key).
    assignment.kind = WindowKind::kSession;
  } else {
    return NotSupported(ref.position, fmt::format("table function {} is not supported", name));
  }
  // TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset]); HOP(TABLE t, DESCRIPTOR(ts), slide, size
  // [, offset]) and CUMULATE(TABLE t, DESCRIPTOR(ts), step, size), as in Flink.
  if (ref.args.size() < 3 || ref.args[0].kind != TableFunctionArgumentKind::kTable ||
      ref.args[1].kind != TableFunctionArgumentKind::kDescriptor) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "{} takes (TABLE name, DESCRIPTOR(time column), duration, ...)", name)
        .WithPosition(ref.position);
  }
  for (const auto& argument : ref.args) {
    if (argument.name) {
      return NotSupported(argument.position,
                          "named table function arguments are not supported yet");
    }
  }
  NamedTableRef table;
  table.name = ref.args[0].table;
  table.position = ref.args[0].position;
  LAMINAR_ASSIGN_OR_RETURN(BoundRelation input, BindNamed(table));
  if (input.node->properties().mode != ChangelogMode::kAppendOnly) {
    return NotSupported(ref.position,
                        fmt::format("{} over a changelog (updating) input is not supported", name));
  }
  if (ref.args[1].descriptor_columns.size() != 1) {
    return Status::Error(ErrorCode::kInvalidWindow, "DESCRIPTOR must name one time column")
        .WithPosition(ref.args[1].position);
  }
  const Identifier& column = ref.args[1].descriptor_columns[0];
  LAMINAR_ASSIGN_OR_RETURN(const ScopeColumn* time,
                           input.scope.Resolve({&column.name, 1}, column.position));
  if (time->type.id() != TypeId::kTimestamp && time->type.id() != TypeId::kTimestampTz) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "window time column \"{}\" must be TIMESTAMP or TIMESTAMPTZ, not {}",
                         column.name, time->type.ToString())
        .WithPosition(column.position);
  }
  assignment.time_column = time->index;
  assignment.time_column_name = time->name;
  std::vector<int64_t> durations;
  ExpressionBinder binder(resolver_, Scope(), name);
  for (size_t i = 2; i < ref.args.size(); ++i) {
    if (ref.args[i].kind != TableFunctionArgumentKind::kExpression) {
      return Status::Error(ErrorCode::kInvalidWindow, "{} expects a duration here", name)
          .WithPosition(ref.args[i].position);
    }
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, binder.Bind(*ref.args[i].expr));
    LAMINAR_ASSIGN_OR_RETURN(int64_t micros,
                             ConstantIntervalMicros(*value, fmt::format("{} duration", name)));
    durations.push_back(micros);
  }
  if (assignment.kind == WindowKind::kSession) {
    if (durations.size() != 1 || durations[0] <= 0) {
      return Status::Error(ErrorCode::kInvalidWindow, "SESSION takes one positive gap")
          .WithPosition(ref.position);
    }
    assignment.gap = durations[0];
    return FinishWindowTableFunction(ref, input, assignment, *time);
  }
  const size_t required = assignment.kind == WindowKind::kTumble ? 1 : 2;
  if (durations.size() < required || durations.size() > required + 1 ||
      (assignment.kind == WindowKind::kCumulate && durations.size() != 2)) {
    return Status::Error(ErrorCode::kInvalidWindow, "{} takes {} duration{}{}", name, required,
                         required == 1 ? "" : "s",
                         assignment.kind == WindowKind::kCumulate ? "" : " and an optional offset")
        .WithPosition(ref.position);
  }
  if (assignment.kind == WindowKind::kTumble) {
    assignment.size = durations[0];
    assignment.slide = durations[0];
    if (durations.size() == 2) assignment.offset = durations[1];
  } else {
    assignment.slide = durations[0];
    assignment.size = durations[1];
    if (durations.size() == 3) assignment.offset = durations[2];
  }
  if (assignment.size <= 0 || assignment.slide <= 0) {
    return Status::Error(ErrorCode::kInvalidWindow, "{} durations must be positive", name)
        .WithPosition(ref.position);
  }
  if (assignment.kind != WindowKind::kTumble && assignment.size % assignment.slide != 0) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "{} size ({}) must be a whole multiple of its {} ({})", name,
                         FormatDurationMicros(assignment.size),
                         assignment.kind == WindowKind::kHop ? "slide" : "step",
                         FormatDurationMicros(assignment.slide))
        .WithPosition(ref.position);
  }
  return FinishWindowTableFunction(ref, input, assignment, *time);
}

Result<BoundRelation> QueryBinder::FinishWindowTableFunction(const TableFunctionRef& ref,
                                                             const BoundRelation& input,
                                                             const WindowAssignment& assignment,
                                                             const ScopeColumn& time) {
  std::string name = ref.name.back();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!input.node->properties().HasWatermark(assignment.time_column)) {
    return Status::Error(ErrorCode::kWatermarkRequired,
                         "{} windows on \"{}\" need a watermark on that column: declare "
                         "WATERMARK FOR {} in the source",
                         name, time.name, time.name)
        .WithPosition(ref.args[1].position);
  }
  LogicalNodePtr node = LogicalWindowTableFunction::Make(input.node, assignment, ref.position);
  // A view into the syntax tree, not into `table`, which is gone once this returns.
  const std::string_view qualifier = ref.alias ? ref.alias->name.name : ref.args[0].table.parts[0];
  return BoundRelation{node, Scope(node->schema(), qualifier)};
}

namespace {

// Columns of the combined join input that an expression reads: bit 0 = left, bit 1 = right.
int SidesOf(const BoundExpression& expr, int left_width) {
  int sides = 0;
  for (const int column : ReferencedColumns(expr)) sides |= column < left_width ? 1 : 2;
  return sides;
}

std::optional<AsofComparison> AsofComparisonOf(const std::string& op, bool left_first) {
  // Normalised to "left.ts OP right.ts".
  if (op == ">=") return left_first ? AsofComparison::kGreaterEqual : AsofComparison::kLessEqual;
  if (op == ">") return left_first ? AsofComparison::kGreater : AsofComparison::kLess;
  if (op == "<=") return left_first ? AsofComparison::kLessEqual : AsofComparison::kGreaterEqual;
  if (op == "<") return left_first ? AsofComparison::kLess : AsofComparison::kGreater;
  return std::nullopt;
}

// Takes the tolerance of an ASOF join out of `condition`: a comparison of the two ASOF time
// columns (each optionally plus or minus a constant INTERVAL) that bounds their distance on the
// side the match condition allows. For `>=` / `>` (right time <= left time) that is a lower
// bound on the right time, e.g. `q.ts >= t.ts - INTERVAL '5' SECOND`; for `<=` / `<` an upper
// bound, e.g. `q.ts <= t.ts + INTERVAL '5' SECOND`; NEAREST needs both with the same interval
// (`q.ts BETWEEN t.ts - INTERVAL '5' SECOND AND t.ts + INTERVAL '5' SECOND`). Several bounds on
// one side keep the tightest. Any other comparison of the two time columns is refused here,
// with the reason, rather than left for the planner to refuse as an extra condition.
Status TakeAsofTolerance(int left_width, AsofSpec* asof, BoundExprPtr* condition) {
  std::vector<BoundExprPtr> rest;
  std::optional<int64_t> below;  // Tolerance on the side before the left time.
  std::optional<int64_t> after;  // Tolerance on the side after the left time.
  const bool before_side = asof->comparison == AsofComparison::kGreaterEqual ||
                           asof->comparison == AsofComparison::kGreater;
  const bool after_side =
      asof->comparison == AsofComparison::kLessEqual || asof->comparison == AsofComparison::kLess;
  const bool nearest = asof->comparison == AsofComparison::kNearest;
  SourcePosition position;
  for (const BoundExprPtr& conjunct : SplitConjuncts(*condition)) {
    const std::string& op = conjunct->name;
    std::optional<std::pair<int, int64_t>> a;
    std::optional<std::pair<int, int64_t>> b;
    if (conjunct->kind == BoundExpressionKind::kCall && conjunct->children.size() == 2 &&
        (op == "<" || op == "<=" || op == ">" || op == ">=")) {
      a = ColumnPlusOffset(*conjunct->children[0]);
      b = ColumnPlusOffset(*conjunct->children[1]);
    }
    const int left_column = asof->left_time_column;
    const int right_column = asof->right_time_column + left_width;
    const bool times = a && b &&
                       ((a->first == left_column && b->first == right_column) ||
                        (a->first == right_column && b->first == left_column));
    if (!times) {
      rest.push_back(conjunct);
      continue;
    }
    position = conjunct->position;
    // Normalised to (left + left_offset) OP (right + right_offset), then to
    // right - left OP' bound.
    const bool left_first = a->first == left_column;
    const int64_t left_offset = left_first ? a->second : b->second;
    const int64_t right_offset = left_first ? b->second : a->second;
    const std::string normalized = left_first   ? op
                                   : op == "<"  ? ">"
                                   : op == "<=" ? ">="
                                   : op == ">"  ? "<"
                                                : "<=";
    if (normalized == "<" || normalized == ">") {
      return NotSupported(conjunct->position,
                          "an ASOF tolerance with a strict comparison: bound the distance of the "
                          "two time columns with <= or >=");
    }
    const int64_t bound = left_offset - right_offset;
    // left + lo <= right + ro  <=>  right - left >= lo - ro (a bound before the left time).
    const bool bounds_before = normalized == "<=";
    if ((bounds_before && after_side) || (!bounds_before && before_side)) {
      return NotSupported(
          conjunct->position,
          fmt::format("this bound of the two time columns is not an ASOF tolerance: it bounds "
                      "the right time on the side the match condition already excludes (a "
                      "tolerance bounds the distance on the matched side, e.g. {})",
                      after_side ? "q.ts <= t.ts + INTERVAL '5' SECOND"
                                 : "q.ts >= t.ts - INTERVAL '5' SECOND"));
    }
    const int64_t tolerance = bounds_before ? -bound : bound;
    if (tolerance < 0) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "an ASOF tolerance must not be negative (this bound leaves no right "
                           "row on the matched side)")
          .WithPosition(conjunct->position);
    }
    std::optional<int64_t>& side = bounds_before ? below : after;
    side = side ? std::min(*side, tolerance) : tolerance;
  }
  if (nearest && (below || after)) {
    if (!below || !after || *below != *after) {
      return NotSupported(position,
                          "a NEAREST tolerance needs the same bound on both sides, e.g. q.ts "
                          "BETWEEN t.ts - INTERVAL '5' SECOND AND t.ts + INTERVAL '5' SECOND");
    }
  }
  if (below || after) asof->tolerance_micros = below ? *below : *after;
  *condition = CombineConjuncts(std::move(rest));
  return Status::Ok();
}

}  // namespace

Result<BoundRelation> QueryBinder::MakeJoin(BoundRelation left, BoundRelation right, JoinKind kind,
                                            BoundExprPtr condition, BoundExprPtr match_condition,
                                            BoundExprPtr system_time, SourcePosition position) {
  const int left_width = left.scope.size();
  LogicalJoin::Options options;
  options.kind = kind;
  options.system_time = system_time;
  options.state_ttl_micros = options_.state_ttl_micros;
  const LogicalNode& right_node = *right.node;
  if (right_node.kind() == LogicalNodeKind::kScan && !system_time) {
    const auto& scan = static_cast<const LogicalScan&>(right_node);
    options.lookup =
        scan.object_kind == ObjectKind::kTable || scan.object_kind == ObjectKind::kLookupTable;
  }
  if (right_node.kind() == LogicalNodeKind::kScan &&
      static_cast<const LogicalScan&>(right_node).object_kind == ObjectKind::kLookupTable &&
      !options.lookup && !system_time) {
    return NotSupported(position, "a LOOKUP TABLE can only be the right side of a join");
  }

  std::vector<BoundExprPtr> residual;
  std::optional<int64_t> lower;
  std::optional<int64_t> upper;
  int band_left = -1;
  int band_right = -1;
  std::vector<BoundExprPtr> asof_candidates;
  for (const BoundExprPtr& conjunct : SplitConjuncts(condition)) {
    const bool comparison =
        conjunct->kind == BoundExpressionKind::kCall && conjunct->children.size() == 2;
    if (comparison && conjunct->name == "=") {
      const int left_sides = SidesOf(*conjunct->children[0], left_width);
      const int right_sides = SidesOf(*conjunct->children[1], left_width);
      if (left_sides == 1 && right_sides == 2) {
        options.equi_keys.emplace_back(conjunct->children[0],
                                       ShiftColumns(conjunct->children[1], -left_width));
      } else if (left_sides == 2 && right_sides == 1) {
        options.equi_keys.emplace_back(conjunct->children[1],
                                       ShiftColumns(conjunct->children[0], -left_width));
      } else {
        residual.push_back(conjunct);
        continue;
      }
      // Equal event times on both sides (a window join) bound the join like a zero band.
      const auto& [l, r] = options.equi_keys.back();
      if (l->kind == BoundExpressionKind::kColumn && r->kind == BoundExpressionKind::kColumn &&
          left.node->properties().HasWatermark(l->column_index) &&
          right.node->properties().HasWatermark(r->column_index)) {
        band_left = l->column_index;
        band_right = r->column_index;
        lower = std::max(lower.value_or(0), int64_t{0});
        upper = std::min(upper.value_or(0), int64_t{0});
      }
      continue;
    }
    residual.push_back(conjunct);
    if (!comparison) continue;
    const std::string& op = conjunct->name;
    if (op != "<" && op != "<=" && op != ">" && op != ">=") continue;
    auto a = ColumnPlusOffset(*conjunct->children[0]);
    auto b = ColumnPlusOffset(*conjunct->children[1]);
    if (!a || !b) continue;
    const bool a_left = a->first < left_width;
    const bool b_left = b->first < left_width;
    if (a_left == b_left) continue;
    asof_candidates.push_back(conjunct);
    // Normalise to: (left + l_off) OP (right + r_off).
    auto [l_column, l_offset] = a_left ? *a : *b;
    auto [r_column, r_offset] = a_left ? *b : *a;
    r_column -= left_width;
    std::string normalized = op;
    if (!a_left) normalized = op == "<" ? ">" : op == "<=" ? ">=" : op == ">" ? "<" : "<=";
    if (!left.node->properties().HasWatermark(l_column) ||
        !right.node->properties().HasWatermark(r_column)) {
      continue;
    }
    if (band_left >= 0 && (band_left != l_column || band_right != r_column)) continue;
    band_left = l_column;
    band_right = r_column;
    // right - left compared with l_offset - r_offset.
    const int64_t bound = l_offset - r_offset;
    if (normalized == "<" || normalized == "<=") {
      lower =
          lower ? std::max(*lower, bound) : bound;  // left + lo <= right  =>  right - left >= bound
    } else {
      upper = upper ? std::min(*upper, bound) : bound;
    }
  }
  if (lower && upper && band_left >= 0) {
    options.time_bound = JoinTimeBound{band_left, band_right, *lower, *upper};
  }
  options.condition = CombineConjuncts(std::move(residual));

  if (match_condition) {
    AsofSpec asof;
    if (match_condition->kind == BoundExpressionKind::kCall && match_condition->name == "nearest") {
      asof.comparison = AsofComparison::kNearest;
      asof.left_time_column = match_condition->children[0]->column_index;
      asof.right_time_column = match_condition->children[1]->column_index - left_width;
    } else {
      auto a = ColumnPlusOffset(*match_condition->children[0]);
      auto b = ColumnPlusOffset(*match_condition->children[1]);
      if (!a || !b || (a->first < left_width) == (b->first < left_width)) {
        return Status::Error(ErrorCode::kInvalidArgument,
                             "the ASOF condition must compare a time column of each side, e.g. "
                             "t.ts >= q.ts")
            .WithPosition(match_condition->position);
      }
      if (a->second != 0 || b->second != 0) {
        return NotSupported(match_condition->position,
                            "an ASOF condition with an offset (compare the two time columns "
                            "themselves)");
      }
      const bool left_first = a->first < left_width;
      asof.comparison = *AsofComparisonOf(match_condition->name, left_first);
      asof.left_time_column = left_first ? a->first : b->first;
      asof.right_time_column = (left_first ? b->first : a->first) - left_width;
    }
    LAMINAR_RETURN_IF_ERROR(TakeAsofTolerance(left_width, &asof, &options.condition));
    options.asof = asof;
    options.time_bound.reset();
  }

  const bool versioned = options.asof || options.system_time || options.lookup;
  // Read by key in a continuous query; an ad-hoc query joins the table's snapshot like any
  // other input.
  if (continuous_ && versioned && options.equi_keys.empty() && !options.asof) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "a {} join needs an equality condition on the right side's key",
                         options.lookup ? "lookup" : "temporal")
        .WithPosition(position);
  }
  if (continuous_ && !versioned && !options.time_bound && !options.state_ttl_micros &&
      !left.node->properties().bounded && !right.node->properties().bounded) {
    return Status::Error(ErrorCode::kUnboundedState,
                         "this join of two streams would keep all rows of both sides forever: "
                         "bound it in event time (e.g. b.ts BETWEEN a.ts - INTERVAL '10' SECOND "
                         "AND a.ts + INTERVAL '10' SECOND on watermarked columns), or set WITH "
                         "(state_ttl = '...') on the stream")
        .WithPosition(position);
  }
  LogicalNodePtr node = LogicalJoin::Make(left.node, right.node, std::move(options), position);
  Scope scope = (kind == JoinKind::kSemi || kind == JoinKind::kAnti)
                    ? left.scope
                    : left.scope.Concat(right.scope);
  return BoundRelation{node, std::move(scope)};
}

Result<BoundRelation> QueryBinder::BindJoin(const JoinTableRef& join) {
  if (join.natural) return NotSupported(join.position, "NATURAL JOIN is not supported; use ON");
  LAMINAR_ASSIGN_OR_RETURN(BoundRelation left, BindTableRef(*join.left));
  BoundExprPtr system_time;
  BoundRelation right;
  if (join.right->kind == TableRefKind::kNamed && join.right->As<NamedTableRef>().system_time) {
    const auto& named = join.right->As<NamedTableRef>();
    ExpressionBinder binder(resolver_, left.scope, "FOR SYSTEM_TIME AS OF");
    LAMINAR_ASSIGN_OR_RETURN(system_time, binder.Bind(*named.system_time));
    if (system_time->type.id() != TypeId::kTimestamp &&
        system_time->type.id() != TypeId::kTimestampTz) {
      return Status::Error(ErrorCode::kTypeMismatch,
                           "FOR SYSTEM_TIME AS OF needs a timestamp, not {}",
                           system_time->type.ToString())
          .WithPosition(named.system_time->position);
    }
    LAMINAR_ASSIGN_OR_RETURN(right, BindNamed(named));
    if (right.node->kind() != LogicalNodeKind::kScan) {
      return NotSupported(named.position, "FOR SYSTEM_TIME AS OF needs a table or a source");
    }
    const auto& scan = static_cast<const LogicalScan&>(*right.node);
    if (right.node->properties().unique_keys.empty()) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "FOR SYSTEM_TIME AS OF needs a versioned table: {} \"{}\" has no "
                           "PRIMARY KEY",
                           ObjectKindKeyword(scan.object_kind), scan.object_name)
          .WithPosition(named.position);
    }
  } else {
    LAMINAR_ASSIGN_OR_RETURN(right, BindTableRef(*join.right));
  }
  JoinKind kind = JoinKind::kInner;
  switch (join.join_type) {
    case JoinType::kInner:
      kind = JoinKind::kInner;
      break;
    case JoinType::kLeft:
      kind = JoinKind::kLeft;
      break;
    case JoinType::kRight:
      kind = JoinKind::kRight;
      break;
    case JoinType::kFull:
      kind = JoinKind::kFull;
      break;
    case JoinType::kCross:
      kind = JoinKind::kCross;
      break;
    case JoinType::kLeftSemi:
      kind = JoinKind::kSemi;
      break;
    case JoinType::kLeftAnti:
      kind = JoinKind::kAnti;
      break;
  }
  Scope combined = left.scope.Concat(right.scope);
  ExpressionBinder binder(resolver_, combined, "JOIN condition");
  BoundExprPtr condition;
  if (join.condition) {
    LAMINAR_ASSIGN_OR_RETURN(condition, binder.BindCondition(*join.condition));
  }
  for (const Identifier& column : join.using_columns) {
    LAMINAR_ASSIGN_OR_RETURN(const ScopeColumn* l,
                             left.scope.Resolve({&column.name, 1}, column.position));
    LAMINAR_ASSIGN_OR_RETURN(const ScopeColumn* r,
                             right.scope.Resolve({&column.name, 1}, column.position));
    BoundExprPtr lhs = MakeColumn(l->index, l->name, l->type, column.position);
    BoundExprPtr rhs = MakeColumn(left.scope.size() + r->index, r->name, r->type, column.position);
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr equal,
                             ResolveScalarCall(resolver_, "=", {lhs, rhs}, column.position));
    std::vector<BoundExprPtr> conjuncts = SplitConjuncts(condition);
    conjuncts.push_back(equal);
    condition = CombineConjuncts(std::move(conjuncts));
  }
  BoundExprPtr match_condition;
  if (join.asof) {
    if (kind != JoinKind::kInner && kind != JoinKind::kLeft) {
      return NotSupported(join.position, "ASOF joins are INNER or LEFT");
    }
    if (join.match_condition) {
      const Expression& match = *join.match_condition;
      if (match.kind == ExpressionKind::kFunctionCall &&
          match.As<FunctionCallExpression>().name.back() == "nearest") {
        const auto& call = match.As<FunctionCallExpression>();
        if (call.args.size() != 2) {
          return Status::Error(ErrorCode::kInvalidArgument, "NEAREST takes two time columns")
              .WithPosition(match.position);
        }
        LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr a, binder.Bind(*call.args[0]));
        LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr b, binder.Bind(*call.args[1]));
        if (a->kind != BoundExpressionKind::kColumn || b->kind != BoundExpressionKind::kColumn ||
            (a->column_index < left.scope.size()) == (b->column_index < left.scope.size())) {
          return Status::Error(ErrorCode::kInvalidArgument,
                               "NEAREST takes a time column of each side")
              .WithPosition(match.position);
        }
        if (a->column_index >= left.scope.size()) std::swap(a, b);
        match_condition = MakeCall("nearest", DataType::Boolean(), {a, b}, match.position);
      } else {
        LAMINAR_ASSIGN_OR_RETURN(match_condition, binder.BindCondition(match));
      }
    } else {
      // The inequality between the two sides' time columns in ON is the match condition: the
      // first one comparing two columns themselves (one with an offset may be the tolerance),
      // else the first one at all (refused in MakeJoin for its offset).
      std::vector<BoundExprPtr> conjuncts = SplitConjuncts(condition);
      auto candidate = [&](const BoundExprPtr& conjunct, bool columns_only) {
        return conjunct->kind == BoundExpressionKind::kCall && conjunct->children.size() == 2 &&
               AsofComparisonOf(conjunct->name, true).has_value() &&
               SidesOf(*conjunct, left.scope.size()) == 3 &&
               (!columns_only || (conjunct->children[0]->kind == BoundExpressionKind::kColumn &&
                                  conjunct->children[1]->kind == BoundExpressionKind::kColumn));
      };
      auto chosen = std::find_if(conjuncts.begin(), conjuncts.end(),
                                 [&](const BoundExprPtr& c) { return candidate(c, true); });
      if (chosen == conjuncts.end()) {
        chosen = std::find_if(conjuncts.begin(), conjuncts.end(),
                              [&](const BoundExprPtr& c) { return candidate(c, false); });
      }
      if (chosen != conjuncts.end()) {
        match_condition = *chosen;
        conjuncts.erase(chosen);
      }
      condition = CombineConjuncts(std::move(conjuncts));
    }
    if (!match_condition) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "ASOF JOIN needs a time comparison such as t.ts >= q.ts (in ON or "
                           "MATCH_CONDITION)")
          .WithPosition(join.position);
    }
  }
  return MakeJoin(std::move(left), std::move(right), kind, condition, match_condition, system_time,
                  join.position);
}

Result<BoundRelation> QueryBinder::BindFromWhere(const SelectBody& select) {
  if (select.from.empty()) {
    LogicalNodePtr node = LogicalValues::Make(Schema::Make({}), {{}}, select.position);
    BoundRelation relation{node, Scope()};
    if (select.where) {
      ExpressionBinder binder(resolver_, relation.scope, "WHERE");
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr predicate, binder.BindCondition(*select.where));
      relation.node = LogicalFilter::Make(relation.node, predicate, select.where->position);
    }
    return relation;
  }
  // The inner-join items whose conditions may take WHERE conjuncts: the comma-separated FROM
  // items, or the two sides of a single top-level INNER JOIN.
  std::vector<const TableRef*> items;
  const JoinTableRef* top_join = nullptr;
  if (select.from.size() == 1 && select.from[0]->kind == TableRefKind::kJoin) {
    const auto& join = select.from[0]->As<JoinTableRef>();
    const bool plain_inner =
        join.join_type == JoinType::kInner && !join.asof && !join.natural &&
        join.using_columns.empty() &&
        !(join.right->kind == TableRefKind::kNamed && join.right->As<NamedTableRef>().system_time);
    if (plain_inner) {
      top_join = &join;
      items = {join.left.get(), join.right.get()};
    }
  }
  if (items.empty()) {
    for (const auto& ref : select.from) items.push_back(ref.get());
  }
  std::vector<BoundRelation> relations;
  relations.reserve(items.size());
  Scope combined;
  for (const TableRef* item : items) {
    LAMINAR_ASSIGN_OR_RETURN(BoundRelation relation, BindTableRef(*item));
    combined = combined.Concat(relation.scope);
    relations.push_back(std::move(relation));
  }
  ExpressionBinder binder(resolver_, combined, "WHERE");
  std::vector<BoundExprPtr> conjuncts;
  if (top_join != nullptr && top_join->condition) {
    ExpressionBinder on_binder(resolver_, combined, "JOIN condition");
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr on, on_binder.BindCondition(*top_join->condition));
    conjuncts = SplitConjuncts(on);
  }
  const size_t on_count = conjuncts.size();
  if (select.where) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr where, binder.BindCondition(*select.where));
    for (auto& conjunct : SplitConjuncts(where)) conjuncts.push_back(std::move(conjunct));
  }
  if (relations.size() == 1) {
    BoundRelation relation = std::move(relations[0]);
    if (BoundExprPtr predicate = CombineConjuncts(std::move(conjuncts))) {
      if (auto top_n = TryTopN(relation.node, predicate, options_.state_ttl_micros)) {
        relation.node = *top_n;
      } else {
        relation.node = LogicalFilter::Make(relation.node, predicate, select.where->position);
      }
    }
    return relation;
  }
  // Left-deep inner joins; each takes the conjuncts that first become evaluable with it and
  // relate it to what is already joined.
  std::vector<bool> used(conjuncts.size(), false);
  BoundRelation accumulated = std::move(relations[0]);
  int width = accumulated.scope.size();
  for (size_t i = 1; i < relations.size(); ++i) {
    const int next_width = width + relations[i].scope.size();
    std::vector<BoundExprPtr> condition;
    for (size_t c = 0; c < conjuncts.size(); ++c) {
      if (used[c]) continue;
      const std::vector<int> columns = ReferencedColumns(*conjuncts[c]);
      const bool in_range = !columns.empty() && columns.back() < next_width;
      const bool touches_new =
          std::any_of(columns.begin(), columns.end(), [&](int column) { return column >= width; });
      const bool touches_old =
          std::any_of(columns.begin(), columns.end(), [&](int column) { return column < width; });
      if ((in_range && touches_new && touches_old) || (c < on_count && in_range)) {
        condition.push_back(conjuncts[c]);
        used[c] = true;
      }
    }
    const SourcePosition position = top_join ? top_join->position : items[i]->position;
    const JoinKind kind = condition.empty() ? JoinKind::kCross : JoinKind::kInner;
    LAMINAR_ASSIGN_OR_RETURN(
        accumulated, MakeJoin(std::move(accumulated), std::move(relations[i]), kind,
                              CombineConjuncts(std::move(condition)), nullptr, nullptr, position));
    width = next_width;
  }
  std::vector<BoundExprPtr> rest;
  for (size_t c = 0; c < conjuncts.size(); ++c) {
    if (!used[c]) rest.push_back(conjuncts[c]);
  }
  if (BoundExprPtr predicate = CombineConjuncts(std::move(rest))) {
    accumulated.node = LogicalFilter::Make(accumulated.node, predicate,
                                           select.where ? select.where->position : select.position);
  }
  return accumulated;
}

Result<BoundRelation> QueryBinder::BindSelect(const SelectBody& select) {
  LAMINAR_ASSIGN_OR_RETURN(BoundRelation input, BindFromWhere(select));
  bool grouped = !select.group_by.empty() || select.having;
  for (const SelectItem& item : select.items) {
    grouped = grouped || ContainsAggregate(resolver_.registry(), item.expr.get());
  }
  if (grouped) return BindGroupedSelect(select, std::move(input));

  OverContext over;
  over.input_width = input.scope.size();
  ExpressionBinder binder(resolver_, input.scope, "SELECT", nullptr, &over);
  std::vector<BoundExprPtr> expressions;
  std::vector<std::string> names;
  expressions.reserve(select.items.size());
  names.reserve(select.items.size());
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExpressionKind::kStar) {
      const auto& star = item.expr->As<StarExpression>();
      const std::string_view qualifier =
          star.qualifier.empty() ? std::string_view() : std::string_view(star.qualifier.back());
      if (!qualifier.empty() && !input.scope.HasQualifier(qualifier)) {
        return Status::Error(ErrorCode::kUnknownColumn, "missing FROM-clause entry for \"{}\"",
                             qualifier)
            .WithPosition(item.expr->position);
      }
      for (const ScopeColumn& column : input.scope.columns()) {
        if (!qualifier.empty() && column.qualifier != qualifier) continue;
        expressions.push_back(
            MakeColumn(column.index, column.name, column.type, item.expr->position));
        names.emplace_back(column.name);
      }
      continue;
    }
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, binder.Bind(*item.expr));
    expressions.push_back(std::move(bound));
    names.push_back(item.alias ? item.alias->name : ExpressionBinder::DefaultName(*item.expr));
  }
  BoundExprPtr qualify;
  if (select.qualify) {
    ExpressionBinder qualify_binder(resolver_, input.scope, "QUALIFY", nullptr, &over);
    LAMINAR_ASSIGN_OR_RETURN(qualify, qualify_binder.BindCondition(*select.qualify));
  }
  LogicalNodePtr node = input.node;
  if (!over.calls.empty()) node = LogicalOver::Make(node, std::move(over.calls), select.position);
  if (qualify) {
    if (auto top_n = TryTopN(node, qualify, options_.state_ttl_micros, &expressions)) {
      node = *top_n;
    } else {
      node = LogicalFilter::Make(node, qualify, select.qualify->position);
    }
  }
  // ORDER BY may name FROM-clause columns the select list projects (see BoundRelation).
  const bool keeps_select_input = over.calls.empty() && !select.distinct;
  node = LogicalProject::Make(node, std::move(expressions),
                              select.distinct ? names : std::move(names), select.position);
  std::vector<BoundExprPtr> projected;
  if (keeps_select_input) projected = static_cast<const LogicalProject&>(*node).expressions;
  if (select.distinct) {
    std::vector<BoundExprPtr> keys;
    for (int i = 0; i < node->schema()->num_fields(); ++i) {
      const Field& field = node->schema()->field(i);
      keys.push_back(MakeColumn(i, field.name, field.type));
    }
    LogicalAggregate::Options options;
    options.emit.strategy = EmitStrategy::kChanges;
    options.state_ttl_micros = options_.state_ttl_micros;
    node = LogicalAggregate::Make(node, std::move(keys), names, {}, std::move(options),
                                  select.position);
  }
  BoundRelation relation{node, Scope(node->schema(), "")};
  if (keeps_select_input) {
    relation.select_input_scope = std::make_shared<const Scope>(std::move(input.scope));
    relation.select_expressions = std::move(projected);
  }
  return relation;
}

Result<WindowAssignment> QueryBinder::BindWindowCall(const FunctionCallExpression& call,
                                                     const Scope& scope,
                                                     std::vector<BoundExprPtr>* arguments) {
  const std::string& name = call.name.back();
  WindowAssignment assignment;
  assignment.position = call.position;
  size_t durations_min = 1;
  size_t durations_max = 1;
  if (name == "tumble") {
    assignment.kind = WindowKind::kTumble;
    durations_max = 2;
  } else if (name == "hop" || name == "slide") {
    assignment.kind = WindowKind::kHop;
    durations_min = 2;
    durations_max = 3;
  } else if (name == "session") {
    assignment.kind = WindowKind::kSession;
  } else if (name == "cumulate") {
    assignment.kind = WindowKind::kCumulate;
    durations_min = durations_max = 2;
  } else {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "{}() is not a window; GROUP BY takes tumble, hop, slide, session or "
                         "cumulate",
                         name)
        .WithPosition(call.position);
  }
  if (call.args.size() < 1 + durations_min || call.args.size() > 1 + durations_max) {
    return Status::Error(ErrorCode::kInvalidWindow, "{}() takes a time column and {} duration{}",
                         name,
                         durations_min == durations_max
                             ? std::to_string(durations_min)
                             : fmt::format("{} or {}", durations_min, durations_max),
                         durations_max == 1 ? "" : "s")
        .WithPosition(call.position);
  }
  ExpressionBinder binder(resolver_, scope, "GROUP BY");
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr time, binder.Bind(*call.args[0]));
  if (time->kind != BoundExpressionKind::kColumn ||
      (time->type.id() != TypeId::kTimestamp && time->type.id() != TypeId::kTimestampTz)) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "the first argument of {}() must be a TIMESTAMP or TIMESTAMPTZ column, "
                         "not {} of type {}",
                         name, time->ToString(), time->type.ToString())
        .WithPosition(call.args[0]->position);
  }
  assignment.time_column = time->column_index;
  assignment.time_column_name = time->name;
  arguments->push_back(time);
  std::vector<int64_t> durations;
  for (size_t i = 1; i < call.args.size(); ++i) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, binder.Bind(*call.args[i]));
    arguments->push_back(value);
    LAMINAR_ASSIGN_OR_RETURN(int64_t micros,
                             ConstantIntervalMicros(*value, "a " + name + " duration"));
    if (micros <= 0 && !(assignment.kind == WindowKind::kTumble && i == 2)) {
      return Status::Error(ErrorCode::kInvalidWindow, "{} durations must be positive", name)
          .WithPosition(call.args[i]->position);
    }
    durations.push_back(micros);
  }
  switch (assignment.kind) {
    case WindowKind::kTumble:
      assignment.size = assignment.slide = durations[0];
      if (durations.size() == 2) assignment.offset = durations[1];
      break;
    case WindowKind::kHop:  // Seed order: size, then slide.
      assignment.size = durations[0];
      assignment.slide = durations[1];
      if (durations.size() == 3) assignment.offset = durations[2];
      break;
    case WindowKind::kSession:
      assignment.gap = durations[0];
      break;
    case WindowKind::kCumulate:
      assignment.slide = durations[0];
      assignment.size = durations[1];
      break;
  }
  if ((assignment.kind == WindowKind::kHop || assignment.kind == WindowKind::kCumulate) &&
      assignment.size % assignment.slide != 0) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "{} size ({}) must be a whole multiple of {} ({})", name,
                         FormatDurationMicros(assignment.size),
                         assignment.kind == WindowKind::kHop ? "the slide" : "the step",
                         FormatDurationMicros(assignment.slide))
        .WithPosition(call.position);
  }
  return assignment;
}

Result<BoundRelation> QueryBinder::BindGroupedSelect(const SelectBody& select,
                                                     BoundRelation input) {
  GroupingContext grouping;
  ExpressionBinder key_binder(resolver_, input.scope, "GROUP BY");
  for (const auto& expr : select.group_by) {
    if (expr->kind == ExpressionKind::kFunctionCall) {
      const auto& call = expr->As<FunctionCallExpression>();
      const auto signatures =
          resolver_.registry().Signatures(call.name.back(), functions::FunctionKind::kScalar);
      if (call.name.size() == 1 && !signatures.empty() && signatures.front().window_assignment) {
        if (grouping.window) {
          return Status::Error(ErrorCode::kInvalidWindow, "GROUP BY may name only one window")
              .WithPosition(expr->position);
        }
        LAMINAR_ASSIGN_OR_RETURN(grouping.window,
                                 BindWindowCall(call, input.scope, &grouping.window_arguments));
        continue;
      }
    }
    Result<BoundExprPtr> key = key_binder.Bind(*expr);
    if (!key.ok() && expr->kind == ExpressionKind::kColumnRef &&
        key.status().code() == ErrorCode::kUnknownColumn) {
      // GROUP BY an output alias, as PostgreSQL allows.
      const auto& parts = expr->As<ColumnRefExpression>().parts;
      for (const SelectItem& item : select.items) {
        if (parts.size() == 1 && item.alias && item.alias->name == parts[0]) {
          key = key_binder.Bind(*item.expr);
          break;
        }
      }
    } else if (key.ok() && expr->kind == ExpressionKind::kLiteral && (*key)->type.IsInteger()) {
      // GROUP BY 2: the second select item.
      const int64_t ordinal = (*key)->constant.integer();
      if (ordinal < 1 || ordinal > static_cast<int64_t>(select.items.size())) {
        return Status::Error(ErrorCode::kInvalidGrouping,
                             "GROUP BY position {} is not in the select list", ordinal)
            .WithPosition(expr->position);
      }
      key = key_binder.Bind(*select.items[ordinal - 1].expr);
    }
    if (!key.ok()) return key.status();
    grouping.key_names.push_back((*key)->kind == BoundExpressionKind::kColumn
                                     ? (*key)->name
                                     : fmt::format("key_{}", grouping.keys.size()));
    grouping.keys.push_back(std::move(*key));
  }
  // Window aggregates need a watermark on the time column to know when a window is complete.
  if (grouping.window && !input.node->properties().HasWatermark(grouping.window->time_column)) {
    return Status::Error(ErrorCode::kWatermarkRequired,
                         "window {} needs a watermark on \"{}\": declare WATERMARK FOR {} in the "
                         "source (or window on proctime())",
                         grouping.window->ToString(), grouping.window->time_column_name,
                         grouping.window->time_column_name)
        .WithPosition(grouping.window->position);
  }
  ExpressionBinder binder(resolver_, input.scope, "SELECT", &grouping);
  std::vector<BoundExprPtr> expressions;
  std::vector<std::string> names;
  expressions.reserve(select.items.size());
  names.reserve(select.items.size());
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExpressionKind::kStar) {
      return Status::Error(ErrorCode::kInvalidGrouping,
                           "* cannot be used with GROUP BY; list the grouped columns")
          .WithPosition(item.expr->position);
    }
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, binder.Bind(*item.expr));
    expressions.push_back(std::move(bound));
    names.push_back(item.alias ? item.alias->name : ExpressionBinder::DefaultName(*item.expr));
  }
  BoundExprPtr having;
  if (select.having) {
    ExpressionBinder having_binder(resolver_, input.scope, "HAVING", &grouping);
    LAMINAR_ASSIGN_OR_RETURN(having, having_binder.BindCondition(*select.having));
  }
  if (select.qualify) {
    return NotSupported(select.qualify->position,
                        "QUALIFY in a grouped query is not supported yet");
  }

  LogicalAggregate::Options options;
  options.window = grouping.window;
  options.window_in_group_by = grouping.window.has_value();
  options.state_ttl_micros = options_.state_ttl_micros;
  // A window table function's window_start/window_end among the keys makes this a window
  // aggregate over that function's windows.
  const LogicalNode* source = input.node.get();
  while (source->kind() == LogicalNodeKind::kFilter) source = source->inputs()[0].get();
  if (!options.window && source->kind() == LogicalNodeKind::kWindowTableFunction) {
    const auto& table_function = static_cast<const LogicalWindowTableFunction&>(*source);
    for (size_t i = 0; i < grouping.keys.size(); ++i) {
      const BoundExpression& key = *grouping.keys[i];
      if (key.kind != BoundExpressionKind::kColumn) continue;
      if (key.column_index == table_function.window_start_column())
        options.window_start_key = static_cast<int>(i);
      if (key.column_index == table_function.window_end_column())
        options.window_end_key = static_cast<int>(i);
    }
    if (options.window_start_key >= 0 && options.window_end_key >= 0) {
      options.window = table_function.assignment;
    }
  }
  const bool windowed = options.window.has_value();
  bool watermark_keyed = false;
  for (const auto& key : grouping.keys) {
    watermark_keyed = watermark_keyed || (key->kind == BoundExpressionKind::kColumn &&
                                          input.node->properties().HasWatermark(key->column_index));
  }
  options.emit.strategy = windowed ? EmitStrategy::kOnWindowClose : EmitStrategy::kChanges;
  // EMIT, ALLOWED_LATENESS and LATE DATA TO of the nearest enclosing query that has them.
  for (auto it = clauses_.rbegin(); it != clauses_.rend(); ++it) {
    if (!it->emit && !it->has_allowed_lateness && !it->late_data_target) continue;
    if (it->emit) options.emit = *it->emit;
    const bool closes = windowed || watermark_keyed;
    if (options.emit.strategy == EmitStrategy::kOnWindowClose && !closes &&
        !input.node->properties().bounded) {
      return Status::Error(ErrorCode::kWatermarkRequired,
                           "EMIT ON WINDOW CLOSE needs a window (GROUP BY tumble(...) or a window "
                           "table function) or a GROUP BY key with a watermark")
          .WithPosition(it->emit ? it->emit->position : select.position);
    }
    if ((it->has_allowed_lateness || it->late_data_target) && !closes) {
      return Status::Error(ErrorCode::kInvalidEmitMode,
                           "ALLOWED_LATENESS and LATE DATA TO apply to window aggregates; this "
                           "aggregation has no window")
          .WithPosition(it->position);
    }
    options.allowed_lateness_micros = it->allowed_lateness_micros;
    options.late_data_target = it->late_data_target;
    ++it->aggregates_applied;
    break;
  }
  LogicalNodePtr node =
      LogicalAggregate::Make(input.node, std::move(grouping.keys), std::move(grouping.key_names),
                             std::move(grouping.aggregates), std::move(options), select.position);
  if (having) node = LogicalFilter::Make(node, having, select.having->position);
  node = LogicalProject::Make(node, std::move(expressions),
                              select.distinct ? names : std::move(names), select.position);
  if (select.distinct) {
    std::vector<BoundExprPtr> keys;
    for (int i = 0; i < node->schema()->num_fields(); ++i) {
      const Field& field = node->schema()->field(i);
      keys.push_back(MakeColumn(i, field.name, field.type));
    }
    LogicalAggregate::Options distinct;
    distinct.emit.strategy = EmitStrategy::kChanges;
    distinct.state_ttl_micros = options_.state_ttl_micros;
    node = LogicalAggregate::Make(node, std::move(keys), names, {}, std::move(distinct),
                                  select.position);
  }
  return BoundRelation{node, Scope(node->schema(), "")};
}

Result<BoundRelation> QueryBinder::ApplyOrderAndLimit(const Query& query, BoundRelation relation) {
  if (query.order_by.empty() && !query.limit && !query.offset) return relation;
  ExpressionBinder binder(resolver_, relation.scope, "ORDER BY");
  std::vector<SortKey> keys;
  for (const OrderByItem& item : query.order_by) {
    SortKey key;
    if (item.expr->kind == ExpressionKind::kLiteral &&
        item.expr->As<LiteralExpression>().literal_kind == LiteralKind::kInteger) {
      const int64_t ordinal =
          std::strtoll(item.expr->As<LiteralExpression>().value.c_str(), nullptr, 10);
      if (ordinal < 1 || ordinal > relation.scope.size()) {
        return Status::Error(ErrorCode::kSyntaxError,
                             "ORDER BY position {} is not in the select list", ordinal)
            .WithPosition(item.expr->position);
      }
      const ScopeColumn& column = relation.scope.columns()[ordinal - 1];
      key.expr = MakeColumn(column.index, column.name, column.type, item.expr->position);
    } else {
      // ORDER BY a FROM-clause column the select list projects, e.g. ORDER BY w.price, is
      // looked up in the select's input when the output has no such column. A column reference
      // the output lacks goes there at once, without first building the error it would give.
      const bool input_column_reference =
          relation.select_input_scope && item.expr->kind == ExpressionKind::kColumnRef &&
          relation.scope.LacksColumn(item.expr->As<ColumnRefExpression>().parts);
      std::optional<Result<BoundExprPtr>> bound;
      if (!input_column_reference) bound.emplace(binder.Bind(*item.expr));
      if (input_column_reference ||
          (!(*bound).ok() && bound->status().code() == ErrorCode::kUnknownColumn &&
           relation.select_input_scope)) {
        ExpressionBinder input_binder(resolver_, *relation.select_input_scope, "ORDER BY");
        Result<BoundExprPtr> over_input = input_binder.Bind(*item.expr);
        if (over_input.ok()) {
          for (size_t i = 0; i < relation.select_expressions.size(); ++i) {
            if (SameExpression(*relation.select_expressions[i], **over_input)) {
              const ScopeColumn& column = relation.scope.columns()[i];
              bound.emplace(
                  MakeColumn(column.index, column.name, column.type, item.expr->position));
              break;
            }
          }
          if (!bound.has_value() || !bound->ok()) {
            bound.emplace(NotSupported(item.expr->position,
                                       "ORDER BY on a column that the select list does not "
                                       "project is not supported; select it"));
          }
        }
      }
      if (!bound.has_value()) bound.emplace(binder.Bind(*item.expr));  // The output's error.
      if (!bound->ok()) return bound->status();
      key.expr = std::move(**bound);
    }
    key.descending = item.direction == SortDirection::kDescending;
    key.nulls_first =
        item.nulls == NullsOrder::kDefault ? key.descending : item.nulls == NullsOrder::kFirst;
    keys.push_back(std::move(key));
  }
  ExpressionBinder constant_binder(resolver_, Scope(), "LIMIT");
  int64_t limit = -1;
  int64_t offset = 0;
  if (query.limit) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, constant_binder.Bind(*query.limit));
    LAMINAR_ASSIGN_OR_RETURN(limit, ConstantInteger(*value, "LIMIT"));
    if (limit < 0) {
      return Status::Error(ErrorCode::kInvalidArgument, "LIMIT must not be negative")
          .WithPosition(query.limit->position);
    }
  }
  if (query.offset) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, constant_binder.Bind(*query.offset));
    LAMINAR_ASSIGN_OR_RETURN(offset, ConstantInteger(*value, "OFFSET"));
    if (offset < 0) {
      return Status::Error(ErrorCode::kInvalidArgument, "OFFSET must not be negative")
          .WithPosition(query.offset->position);
    }
  }
  if (relation.node->properties().bounded) {
    if (!keys.empty())
      relation.node = LogicalSort::Make(relation.node, std::move(keys), query.position);
    if (limit >= 0 || offset > 0) {
      relation.node = LogicalLimit::Make(relation.node, limit, offset, query.position);
    }
    return relation;
  }
  if (keys.empty()) {
    return NotSupported(query.limit ? query.limit->position : query.offset->position,
                        "LIMIT without ORDER BY on a stream is not supported: say which rows "
                        "to keep with ORDER BY");
  }
  if (limit < 0) {
    return Status::Error(ErrorCode::kUnboundedSort,
                         "ORDER BY on a stream never finishes sorting: add LIMIT n to keep the "
                         "top n rows")
        .WithPosition(query.order_by[0].expr->position);
  }
  LogicalTopN::Options options;
  options.order_by = std::move(keys);
  options.limit = limit;
  options.offset = offset;
  options.state_ttl_micros = options_.state_ttl_micros;
  relation.node = LogicalTopN::Make(relation.node, std::move(options), query.position);
  return relation;
}

Status QueryBinder::ValidateContinuousPlan(const LogicalNode& node) const {
  if (node.kind() == LogicalNodeKind::kOver && !node.properties().bounded) {
    for (const OverCall& call : static_cast<const LogicalOver&>(node).calls) {
      if (IsRankingFunction(call.function)) {
        return Status::Error(ErrorCode::kNotSupported,
                             "{}() over a stream needs a Top-N filter on it, such as "
                             "WHERE rank_column <= 10 in the outer query or QUALIFY {}() OVER "
                             "(...) <= 10",
                             call.function, call.function)
            .WithPosition(call.position);
      }
    }
  }
  for (const auto& input : node.inputs()) LAMINAR_RETURN_IF_ERROR(ValidateContinuousPlan(*input));
  return Status::Ok();
}

}  // namespace laminar::sql
