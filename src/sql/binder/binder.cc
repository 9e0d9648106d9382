#include "sql/binder/binder.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "columnar/temporal.h"
#include "sql/binder/expression_binder.h"
#include "sql/binder/query_binder.h"
#include "sql/binder/type_name_resolution.h"
#include "sql/plan/logical_filter.h"
#include "sql/plan/logical_project.h"
#include "sql/plan/logical_scan.h"
#include "sql/plan/logical_sink.h"
#include "sql/plan/logical_values.h"
#include "stream/ring_buffer.h"

namespace laminar::sql {
namespace {

Status NotSupported(SourcePosition position, std::string message) {
  return Status(ErrorCode::kNotSupported, std::move(message)).WithPosition(position);
}

Result<std::string> SingleName(const ObjectName& name) {
  if (name.parts.size() != 1) {
    return NotSupported(name.position, fmt::format("qualified name {} is not supported (there "
                                                   "are no schemas)",
                                                   name.ToString()));
  }
  return name.parts[0];
}

CreateMode ModeOf(const CreateHeader& header) {
  if (header.if_not_exists) return CreateMode::kIfNotExists;
  if (header.or_replace) return CreateMode::kOrReplace;
  return CreateMode::kCreate;
}

// The text of an option's value: a string or number literal, TRUE/FALSE, or an INTERVAL.
Result<std::string> OptionText(const Option& option) {
  const Expression& value = *option.value;
  if (value.kind == ExpressionKind::kLiteral) {
    const auto& literal = value.As<LiteralExpression>();
    if (literal.literal_kind != LiteralKind::kNull) return literal.value;
  }
  if (value.kind == ExpressionKind::kIntervalLiteral) {
    const auto& interval = value.As<IntervalLiteralExpression>();
    if (!interval.leading_field) return interval.value;
  }
  if (value.kind == ExpressionKind::kColumnRef &&
      value.As<ColumnRefExpression>().parts.size() == 1) {
    return value.As<ColumnRefExpression>().parts[0];  // WITH (mode = sync): a bare word.
  }
  return Status::Error(ErrorCode::kInvalidOption,
                       "option {} needs a literal value such as '10 seconds' or 65536", option.key)
      .WithPosition(option.position);
}

Result<int64_t> DurationOption(const Option& option, const std::string& text) {
  auto interval = ParseInterval(text);
  if (!interval.ok()) return std::move(interval).status().WithPosition(option.value->position);
  auto micros = IntervalFixedMicros(*interval);
  if (!micros || *micros <= 0) {
    return Status::Error(ErrorCode::kInvalidOption,
                         "option {} must be a positive duration in days or smaller units, not '{}'",
                         option.key, text)
        .WithPosition(option.value->position);
  }
  return *micros;
}

Status OneOf(const Option& option, const std::string& text,
             std::initializer_list<std::string_view> allowed) {
  for (std::string_view value : allowed) {
    if (text == value) return Status::Ok();
  }
  std::string list;
  for (std::string_view value : allowed)
    list += (list.empty() ? "'" : ", '") + std::string(value) + "'";
  return Status::Error(ErrorCode::kInvalidOption, "option {} = '{}' is invalid; use one of {}",
                       option.key, text, list)
      .WithPosition(option.value->position);
}

// The keys LaminarDB understands, by object kind. Any other key is an error: an option that is
// accepted and ignored would make a user believe a setting took effect.
enum class OptionOwner { kSource, kStream, kSink, kTable };

Result<std::map<std::string, std::string>> ValidateOptions(const std::vector<Option>& options,
                                                           OptionOwner owner,
                                                           const BinderOptions& database) {
  std::map<std::string, std::string> values;
  for (const Option& option : options) {
    if (values.count(option.key) > 0) {
      return Status::Error(ErrorCode::kInvalidOption, "option {} is given twice", option.key)
          .WithPosition(option.position);
    }
    LAMINAR_ASSIGN_OR_RETURN(std::string text, OptionText(option));
    const std::string& key = option.key;
    bool known = true;
    switch (owner) {
      case OptionOwner::kSource:
        if (key == "buffer_size") {
          char* end = nullptr;
          const long long size = std::strtoll(text.c_str(), &end, 10);
          // 0 asks for the database's default (seed 004 §6.2).
          if (end == text.c_str() || *end != '\0' ||
              (size != 0 && size < static_cast<long long>(stream::kMinRingCapacity)) ||
              size > static_cast<long long>(stream::kMaxRingCapacity) || (size & (size - 1)) != 0) {
            return Status::Error(ErrorCode::kInvalidConfiguration,
                                 "buffer_size must be 0 (the database default) or a power of two "
                                 "between {} and {}, not {}",
                                 stream::kMinRingCapacity, stream::kMaxRingCapacity, text)
                .WithPosition(option.value->position);
          }
        } else if (key == "backpressure") {
          LAMINAR_RETURN_IF_ERROR(OneOf(option, text, {"block", "drop_oldest", "reject"}));
        } else if (key == "wait_strategy") {
          LAMINAR_RETURN_IF_ERROR(OneOf(option, text, {"spin", "spin_yield", "park"}));
        } else if (key == "checkpoint_interval" || key == "idle_timeout") {
          LAMINAR_RETURN_IF_ERROR(DurationOption(option, text).status());
        } else if (key == "max_future_skew") {
          // '0' or 'none' turns the guard off.
          if (text != "0" && text != "none") {
            LAMINAR_RETURN_IF_ERROR(DurationOption(option, text).status());
          }
        } else if (key == "wal_mode") {
          LAMINAR_RETURN_IF_ERROR(OneOf(option, text, {"async", "sync"}));
        } else if (key == "ts_unit") {
          LAMINAR_RETURN_IF_ERROR(OneOf(option, text, {"ms", "us"}));
        } else {
          known = false;
        }
        break;
      case OptionOwner::kStream:
        if (key == "state_ttl" || key == "allowed_lateness") {
          LAMINAR_RETURN_IF_ERROR(DurationOption(option, text).status());
        } else {
          known = false;
        }
        break;
      case OptionOwner::kSink:
        if (key == "delivery") {
          LAMINAR_RETURN_IF_ERROR(OneOf(option, text, {"exactly_once", "at_least_once"}));
        } else {
          known = false;
        }
        break;
      case OptionOwner::kTable:
        known = false;
        break;
    }
    if (!known) {
      return Status::Error(ErrorCode::kInvalidOption, "unknown option {}", key)
          .WithPosition(option.position);
    }
    values[key] = std::move(text);
  }
  // Seed 004 §6.3: durability needs somewhere to write, and the WAL needs checkpoints.
  if (owner == OptionOwner::kSource) {
    const bool checkpoints = values.count("checkpoint_interval") > 0;
    const bool wal = values.count("wal_mode") > 0;
    auto position_of = [&](std::string_view key) {
      for (const Option& option : options) {
        if (option.key == key) return option.position;
      }
      return SourcePosition{};
    };
    if ((checkpoints || wal) && !database.has_data_dir) {
      return Status::Error(ErrorCode::kInvalidConfiguration,
                           "{} needs a data directory: open the database with data_dir",
                           checkpoints ? "checkpoint_interval" : "wal_mode")
          .WithPosition(position_of(checkpoints ? "checkpoint_interval" : "wal_mode"));
    }
    if (wal && !checkpoints && !database.has_default_checkpoint_interval) {
      return Status::Error(ErrorCode::kInvalidConfiguration,
                           "wal_mode requires checkpoint_interval (the WAL is truncated at "
                           "checkpoints)")
          .WithPosition(position_of("wal_mode"));
    }
  }
  return values;
}

Status CheckConnector(const std::optional<ConnectorClause>& connector,
                      const std::optional<FormatClause>& format, const BinderOptions& options) {
  if (connector && options.available_connectors.count(connector->name) == 0) {
    std::string upper = connector->name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return NotSupported(connector->position,
                        fmt::format("connector {} is not available in this build yet", upper));
  }
  if (format && !connector) {
    return Status::Error(ErrorCode::kInvalidOption, "FORMAT needs a connector (FROM/INTO ...)")
        .WithPosition(format->position);
  }
  return Status::Ok();
}

Status CheckUniqueNames(const Schema& schema, SourcePosition position) {
  // The first column whose name an earlier column has. Results are narrow, so comparing pairs
  // beats building a set; wide ones use a hash set of views.
  constexpr size_t kPairwiseLimit = 64;
  const std::vector<Field>& fields = schema.fields();
  const Field* duplicate = nullptr;
  if (fields.size() <= kPairwiseLimit) {
    for (size_t i = 1; i < fields.size() && duplicate == nullptr; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (fields[j].name == fields[i].name) {
          duplicate = &fields[i];
          break;
        }
      }
    }
  } else {
    std::unordered_set<std::string_view> seen;
    seen.reserve(fields.size());
    for (const Field& field : fields) {
      if (!seen.insert(field.name).second) {
        duplicate = &field;
        break;
      }
    }
  }
  if (duplicate != nullptr) {
    return Status::Error(ErrorCode::kDuplicateColumn,
                         "column \"{}\" appears twice in the result; give one an alias",
                         duplicate->name)
        .WithPosition(position);
  }
  return Status::Ok();
}

// Columns, PRIMARY KEY and WATERMARK of CREATE SOURCE / TABLE.
Status BindElements(const TableElements& elements, bool allow_watermark,
                    const std::map<std::string, std::string>& options, CatalogObject* object) {
  std::vector<Field> fields;
  std::set<std::string> names;
  for (const ColumnDefinition& column : elements.columns) {
    if (!names.insert(column.name.name).second) {
      return Status::Error(ErrorCode::kDuplicateColumn, "column \"{}\" is declared twice",
                           column.name.name)
          .WithPosition(column.name.position);
    }
    LAMINAR_ASSIGN_OR_RETURN(DataType type, ResolveTypeName(column.type));
    fields.push_back(Field{column.name.name, type, !column.not_null});
  }
  if (fields.empty()) {
    return Status::Error(ErrorCode::kSyntaxError, "{} \"{}\" needs at least one column",
                         ObjectKindKeyword(object->kind), object->name);
  }
  for (const Identifier& key : elements.primary_key) {
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const Field& field) { return field.name == key.name; });
    if (it == fields.end()) {
      return Status::Error(ErrorCode::kUnknownColumn, "PRIMARY KEY column \"{}\" is not declared",
                           key.name)
          .WithPosition(key.position);
    }
    if (std::count(object->primary_key.begin(), object->primary_key.end(), key.name) > 0) {
      return Status::Error(ErrorCode::kDuplicateColumn, "column \"{}\" is in the PRIMARY KEY twice",
                           key.name)
          .WithPosition(key.position);
    }
    it->nullable = false;  // Key columns are NOT NULL, as in PostgreSQL.
    object->primary_key.push_back(key.name);
  }
  if (elements.watermark) {
    const WatermarkDefinition& watermark = *elements.watermark;
    if (!allow_watermark) {
      return NotSupported(watermark.position, "WATERMARK is only meaningful for sources");
    }
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const Field& field) { return field.name == watermark.column.name; });
    if (it == fields.end()) {
      return Status::Error(ErrorCode::kUnknownColumn, "WATERMARK column \"{}\" is not declared",
                           watermark.column.name)
          .WithPosition(watermark.column.position);
    }
    const bool has_unit = options.count("ts_unit") > 0;
    // A BIGINT event-time column counts ts_unit: milliseconds or microseconds.
    const bool integer_time = it->type.id() == TypeId::kBigInt;
    const int64_t unit_micros = has_unit && options.at("ts_unit") == "us" ? 1 : 1000;
    if (it->type.id() == TypeId::kBigInt) {
      if (!has_unit) {
        return Status::Error(ErrorCode::kTypeMismatch,
                             "WATERMARK column \"{}\" is BIGINT: declare it TIMESTAMP, or say "
                             "that it counts milliseconds (or microseconds) with WITH (ts_unit = "
                             "'ms' or 'us')",
                             it->name)
            .WithPosition(watermark.column.position);
      }
    } else if (it->type.id() != TypeId::kTimestamp && it->type.id() != TypeId::kTimestampTz) {
      return Status::Error(ErrorCode::kTypeMismatch,
                           "WATERMARK column \"{}\" must be TIMESTAMP or TIMESTAMPTZ, not {}",
                           it->name, it->type.ToString())
          .WithPosition(watermark.column.position);
    }
    WatermarkSpec spec;
    spec.column = it->name;
    if (watermark.expr) {
      // `ts` or `ts - INTERVAL '...'`: bounded out-of-orderness.
      const Expression& expr = *watermark.expr;
      auto is_column = [&](const Expression& e) {
        return e.kind == ExpressionKind::kColumnRef &&
               e.As<ColumnRefExpression>().parts.back() == spec.column;
      };
      int64_t delay = 0;
      if (is_column(expr)) {
        delay = 0;
      } else if (expr.kind == ExpressionKind::kBinary &&
                 expr.As<BinaryExpression>().op == BinaryOperator::kSubtract &&
                 is_column(*expr.As<BinaryExpression>().left) &&
                 expr.As<BinaryExpression>().right->kind == ExpressionKind::kIntervalLiteral) {
        functions::FunctionResolver resolver(functions::FunctionRegistry::BuiltIn());
        ExpressionBinder binder(resolver, Scope(), "WATERMARK");
        LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr interval,
                                 binder.Bind(*expr.As<BinaryExpression>().right));
        LAMINAR_ASSIGN_OR_RETURN(delay, ConstantIntervalMicros(*interval, "the watermark delay"));
        if (delay < 0) {
          return Status::Error(ErrorCode::kInvalidArgument,
                               "the watermark delay must not be negative")
              .WithPosition(expr.position);
        }
      } else if (integer_time && expr.kind == ExpressionKind::kBinary &&
                 expr.As<BinaryExpression>().op == BinaryOperator::kSubtract &&
                 is_column(*expr.As<BinaryExpression>().left) &&
                 expr.As<BinaryExpression>().right->kind == ExpressionKind::kLiteral &&
                 expr.As<BinaryExpression>().right->As<LiteralExpression>().literal_kind ==
                     LiteralKind::kInteger) {
        // An integer column may state its delay in its own unit: ts - 5000.
        const std::string& digits =
            expr.As<BinaryExpression>().right->As<LiteralExpression>().value;
        if (digits.size() > 12) {
          return Status::Error(ErrorCode::kInvalidArgument, "watermark delay {} is too large",
                               digits)
              .WithPosition(expr.position);
        }
        delay = std::stoll(digits) * unit_micros;
      } else {
        return NotSupported(
            expr.position, fmt::format("WATERMARK FOR {} AS ... supports `{}` and `{} - "
                                       "INTERVAL '...'` (bounded out-of-orderness){}",
                                       spec.column, spec.column, spec.column,
                                       integer_time ? fmt::format(" and `{} - <{}>`", spec.column,
                                                                  unit_micros == 1 ? "microseconds"
                                                                                   : "milliseconds")
                                                    : ""));
      }
      spec.delay_micros = delay;
    }
    object->watermark = spec;
  }
  if (options.count("ts_unit") > 0) {
    const bool applies =
        object->watermark && std::any_of(fields.begin(), fields.end(), [&](const Field& field) {
          return field.name == object->watermark->column && field.type.id() == TypeId::kBigInt;
        });
    if (!applies) {
      // An option that changes nothing would look as if it did.
      return Status::Error(ErrorCode::kInvalidOption,
                           "ts_unit applies only to a BIGINT WATERMARK column");
    }
  }
  object->schema = Schema::Make(std::move(fields));
  return Status::Ok();
}

void RecordPlanProperties(const LogicalNode& plan, CatalogObject* object) {
  const StreamProperties& properties = plan.properties();
  const Schema& schema = *plan.schema();
  object->changelog = properties.mode == ChangelogMode::kChangelog;
  for (const int column : properties.watermark_columns) {
    object->watermark_columns.push_back(schema.field(column).name);
  }
  for (const auto& key : properties.unique_keys) {
    std::vector<std::string> names;
    for (const int column : key) names.push_back(schema.field(column).name);
    object->unique_keys.push_back(std::move(names));
  }
}

std::string DescribeObject(const CatalogObject& object) {
  std::string text = fmt::format("{} {} {}", ObjectKindKeyword(object.kind), object.name,
                                 object.schema ? object.schema->ToString() : "()");
  if (!object.primary_key.empty())
    text += fmt::format(" primary key ({})", fmt::join(object.primary_key, ", "));
  if (object.watermark) {
    text += fmt::format(" watermark {}", object.watermark->column);
    if (object.watermark->delay_micros) {
      text += fmt::format(" - {} us", *object.watermark->delay_micros);
    } else {
      text += " (from the application)";
    }
  }
  return text + "\n";
}

}  // namespace

Binder::Binder(const Catalog& catalog, const functions::FunctionRegistry& registry,
               BinderOptions options)
    : catalog_(catalog), registry_(registry), resolver_(registry), options_(std::move(options)) {}

Result<BoundStatement> Binder::Bind(const Statement& statement, std::string_view text) {
  // The statement's own text, kept by CREATE for SHOW CREATE.
  const std::string_view definition(
      text.substr(std::min<size_t>(statement.position.offset, text.size()),
                  statement.end_offset > statement.position.offset
                      ? statement.end_offset - statement.position.offset
                      : std::string_view::npos));
  switch (statement.kind) {
    case StatementKind::kCreateSource:
    case StatementKind::kCreateTable: {
      const bool is_source = statement.kind == StatementKind::kCreateSource;
      const CreateHeader& header = is_source ? statement.As<CreateSourceStatement>().header
                                             : statement.As<CreateTableStatement>().header;
      const TableElements& elements = is_source ? statement.As<CreateSourceStatement>().elements
                                                : statement.As<CreateTableStatement>().elements;
      const auto& connector = is_source ? statement.As<CreateSourceStatement>().connector
                                        : statement.As<CreateTableStatement>().connector;
      const auto& format = is_source ? statement.As<CreateSourceStatement>().format
                                     : statement.As<CreateTableStatement>().format;
      const auto& option_list = is_source ? statement.As<CreateSourceStatement>().options
                                          : statement.As<CreateTableStatement>().options;
      BoundCreate create;
      create.mode = ModeOf(header);
      LAMINAR_ASSIGN_OR_RETURN(create.object.name, SingleName(header.name));
      create.object.kind = ObjectKind::kSource;
      if (!is_source) {
        create.object.kind = statement.As<CreateTableStatement>().lookup ? ObjectKind::kLookupTable
                                                                         : ObjectKind::kTable;
        if (create.object.kind == ObjectKind::kLookupTable && !connector) {
          return Status::Error(ErrorCode::kSyntaxError,
                               "CREATE LOOKUP TABLE needs FROM <connector> (...)")
              .WithPosition(statement.position);
        }
      }
      LAMINAR_RETURN_IF_ERROR(CheckConnector(connector, format, options_));
      LAMINAR_ASSIGN_OR_RETURN(
          create.object.options,
          ValidateOptions(option_list, is_source ? OptionOwner::kSource : OptionOwner::kTable,
                          options_));
      if (is_source && !statement.As<CreateSourceStatement>().has_elements) {
        return NotSupported(statement.position,
                            "reading the schema from a connector is not supported yet; declare "
                            "the columns");
      }
      LAMINAR_RETURN_IF_ERROR(
          BindElements(elements, is_source, create.object.options, &create.object));
      if (connector) {
        create.object.connector = connector->name;
        for (const Option& option : connector->options) {
          LAMINAR_ASSIGN_OR_RETURN(create.object.connector_options[option.key], OptionText(option));
        }
      }
      if (format) create.object.format = format->name;
      create.object.definition_sql = definition;
      return BoundStatement(std::move(create));
    }
    case StatementKind::kCreateStream: {
      const auto& create_stream = statement.As<CreateStreamStatement>();
      BoundCreate create;
      create.mode = ModeOf(create_stream.header);
      LAMINAR_ASSIGN_OR_RETURN(create.object.name, SingleName(create_stream.header.name));
      create.object.kind =
          create_stream.materialized_view ? ObjectKind::kMaterializedView : ObjectKind::kStream;
      LAMINAR_ASSIGN_OR_RETURN(
          create.object.options,
          ValidateOptions(create_stream.options, OptionOwner::kStream, options_));
      QueryOptions query_options;
      for (const Option& option : create_stream.options) {
        const std::string& value = create.object.options[option.key];
        LAMINAR_ASSIGN_OR_RETURN(const int64_t micros, DurationOption(option, value));
        if (option.key == "state_ttl") query_options.state_ttl_micros = micros;
        if (option.key == "allowed_lateness") query_options.allowed_lateness_micros = micros;
      }
      QueryBinder query_binder(catalog_, resolver_, /*continuous=*/true, query_options);
      LAMINAR_ASSIGN_OR_RETURN(BoundRelation relation,
                               query_binder.BindQuery(*create_stream.query));
      LAMINAR_RETURN_IF_ERROR(query_binder.ValidateContinuousPlan(*relation.node));
      LAMINAR_RETURN_IF_ERROR(
          CheckUniqueNames(*relation.node->schema(), create_stream.query->position));
      create.object.schema = relation.node->schema();
      create.object.dependencies = query_binder.dependencies();
      RecordPlanProperties(*relation.node, &create.object);
      create.object.definition_sql = definition;
      create.plan = relation.node;
      return BoundStatement(std::move(create));
    }
    case StatementKind::kCreateSink: {
      const auto& sink = statement.As<CreateSinkStatement>();
      BoundCreate create;
      create.mode = ModeOf(sink.header);
      LAMINAR_ASSIGN_OR_RETURN(create.object.name, SingleName(sink.header.name));
      create.object.kind = ObjectKind::kSink;
      LAMINAR_RETURN_IF_ERROR(CheckConnector(sink.connector, sink.format, options_));
      LAMINAR_ASSIGN_OR_RETURN(create.object.options,
                               ValidateOptions(sink.options, OptionOwner::kSink, options_));
      QueryBinder query_binder(catalog_, resolver_, /*continuous=*/true, QueryOptions{});
      BoundRelation relation;
      if (sink.from) {
        NamedTableRef ref;
        ref.name = *sink.from;
        ref.position = sink.from->position;
        Query query;
        auto select = std::make_unique<SelectBody>();
        SelectItem star;
        star.expr = std::make_unique<StarExpression>();
        star.expr->position = sink.from->position;
        select->items.push_back(std::move(star));
        auto from = std::make_unique<NamedTableRef>();
        from->name = *sink.from;
        from->position = sink.from->position;
        select->from.push_back(std::move(from));
        query.body = std::move(select);
        query.position = sink.from->position;
        LAMINAR_ASSIGN_OR_RETURN(relation, query_binder.BindQuery(query));
        if (sink.where) {
          ExpressionBinder binder(resolver_, relation.scope, "WHERE");
          LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr predicate, binder.BindCondition(*sink.where));
          relation.node = LogicalFilter::Make(relation.node, predicate, sink.where->position);
        }
      } else {
        LAMINAR_ASSIGN_OR_RETURN(relation, query_binder.BindQuery(*sink.query));
        LAMINAR_RETURN_IF_ERROR(query_binder.ValidateContinuousPlan(*relation.node));
      }
      LAMINAR_RETURN_IF_ERROR(CheckUniqueNames(*relation.node->schema(), statement.position));
      create.object.schema = relation.node->schema();
      create.object.dependencies = query_binder.dependencies();
      RecordPlanProperties(*relation.node, &create.object);
      if (sink.connector) {
        create.object.connector = sink.connector->name;
        for (const Option& option : sink.connector->options) {
          LAMINAR_ASSIGN_OR_RETURN(create.object.connector_options[option.key], OptionText(option));
        }
      }
      if (sink.format) create.object.format = sink.format->name;
      create.object.definition_sql = definition;
      create.plan = LogicalSink::Make(relation.node, create.object.name, create.object.connector,
                                      statement.position);
      return BoundStatement(std::move(create));
    }
    case StatementKind::kQuery: {
      QueryBinder query_binder(catalog_, resolver_, /*continuous=*/false, QueryOptions{});
      LAMINAR_ASSIGN_OR_RETURN(BoundRelation relation,
                               query_binder.BindQuery(*statement.As<QueryStatement>().query));
      return BoundStatement(BoundQuery{relation.node});
    }
    case StatementKind::kInsert: {
      const auto& insert = statement.As<InsertStatement>();
      LAMINAR_ASSIGN_OR_RETURN(const std::string name, SingleName(insert.table));
      const CatalogObject* target = catalog_.Find(name);
      if (target == nullptr) {
        return Status::Error(ErrorCode::kUnknownObject, "relation \"{}\" does not exist", name)
            .WithPosition(insert.table.position);
      }
      if (target->kind != ObjectKind::kSource && target->kind != ObjectKind::kTable) {
        return Status::Error(ErrorCode::kWrongObjectKind,
                             "cannot INSERT INTO {} \"{}\": rows go into sources and tables",
                             ObjectKindKeyword(target->kind), name)
            .WithPosition(insert.table.position);
      }
      if (!insert.query->with.empty() || insert.query->body->kind != QueryBodyKind::kValues ||
          !insert.query->order_by.empty() || insert.query->limit) {
        return NotSupported(insert.query->position,
                            "INSERT ... SELECT is not supported yet; use INSERT ... VALUES or "
                            "CREATE SINK");
      }
      const Schema& schema = *target->schema;
      std::vector<int> positions;  // Target column of each VALUES column.
      if (insert.columns.empty()) {
        for (int i = 0; i < schema.num_fields(); ++i) positions.push_back(i);
      } else {
        for (const Identifier& column : insert.columns) {
          auto index = schema.FieldIndex(column.name);
          if (!index) {
            return Status::Error(ErrorCode::kUnknownColumn,
                                 "column \"{}\" of \"{}\" does not exist", column.name, name)
                .WithPosition(column.position);
          }
          if (std::count(positions.begin(), positions.end(), *index) > 0) {
            return Status::Error(ErrorCode::kDuplicateColumn, "column \"{}\" is named twice",
                                 column.name)
                .WithPosition(column.position);
          }
          positions.push_back(*index);
        }
      }
      const auto& values = insert.query->body->As<ValuesBody>();
      ExpressionBinder binder(resolver_, Scope(), "VALUES");
      std::vector<std::vector<BoundExprPtr>> rows;
      for (const auto& row : values.rows) {
        if (row.size() != positions.size()) {
          return Status::Error(ErrorCode::kSchemaMismatch,
                               "INSERT has {} values for {} columns of \"{}\"", row.size(),
                               positions.size(), name)
              .WithPosition(row.empty() ? values.position : row[0]->position);
        }
        std::vector<BoundExprPtr> bound_row(schema.num_fields());
        for (size_t c = 0; c < row.size(); ++c) {
          const Field& field = schema.field(positions[c]);
          LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, binder.Bind(*row[c]));
          if (value->type != field.type && value->type.id() != TypeId::kNull &&
              !(value->kind == BoundExpressionKind::kConstant &&
                value->type.id() == TypeId::kVarchar) &&
              !functions::CanCastImplicitly(value->type, field.type) &&
              !(value->type.IsNumeric() && field.type.IsNumeric())) {
            return Status::Error(ErrorCode::kTypeMismatch,
                                 "column \"{}\" is {} but the value is {}", field.name,
                                 field.type.ToString(), value->type.ToString())
                .WithPosition(row[c]->position);
          }
          auto coerced = CoerceExpression(value, field.type);
          if (!coerced.ok()) return std::move(coerced).status().WithPosition(row[c]->position);
          bound_row[positions[c]] = std::move(*coerced);
        }
        for (int i = 0; i < schema.num_fields(); ++i) {
          if (bound_row[i]) continue;
          if (!schema.field(i).nullable) {
            return Status::Error(ErrorCode::kNullViolation,
                                 "column \"{}\" is NOT NULL and has no value", schema.field(i).name)
                .WithPosition(insert.table.position);
          }
          bound_row[i] = MakeConstant(Value::Null(schema.field(i).type));
        }
        for (int i = 0; i < schema.num_fields(); ++i) {
          const BoundExpression& value = *bound_row[i];
          if (!schema.field(i).nullable && value.kind == BoundExpressionKind::kConstant &&
              value.constant.is_null()) {
            return Status::Error(ErrorCode::kNullViolation, "NULL in NOT NULL column \"{}\"",
                                 schema.field(i).name)
                .WithPosition(value.position.valid() ? value.position : insert.table.position);
          }
        }
        rows.push_back(std::move(bound_row));
      }
      BoundInsert bound;
      bound.target = name;
      bound.target_kind = target->kind;
      bound.rows = LogicalValues::Make(target->schema, std::move(rows), values.position);
      return BoundStatement(std::move(bound));
    }
    case StatementKind::kUpdate:
    case StatementKind::kDelete: {
      const bool is_delete = statement.kind == StatementKind::kDelete;
      const ObjectName& table_name =
          is_delete ? statement.As<DeleteStatement>().table : statement.As<UpdateStatement>().table;
      LAMINAR_ASSIGN_OR_RETURN(const std::string name, SingleName(table_name));
      const CatalogObject* table = catalog_.Find(name);
      if (table == nullptr) {
        return Status::Error(ErrorCode::kUnknownObject, "relation \"{}\" does not exist", name)
            .WithPosition(table_name.position);
      }
      if (table->kind != ObjectKind::kTable) {
        return Status::Error(ErrorCode::kWrongObjectKind, "{} works on TABLEs; \"{}\" is a {}",
                             is_delete ? "DELETE" : "UPDATE", name, ObjectKindKeyword(table->kind))
            .WithPosition(table_name.position);
      }
      const Scope scope(table->schema, name);
      ExpressionBinder binder(resolver_, scope, is_delete ? "DELETE" : "UPDATE");
      BoundUpdate update;
      update.table = name;
      update.is_delete = is_delete;
      const Expression* where = is_delete ? statement.As<DeleteStatement>().where.get()
                                          : statement.As<UpdateStatement>().where.get();
      if (where != nullptr) {
        LAMINAR_ASSIGN_OR_RETURN(update.where, binder.BindCondition(*where));
      }
      if (!is_delete) {
        for (const Assignment& assignment : statement.As<UpdateStatement>().assignments) {
          LAMINAR_ASSIGN_OR_RETURN(
              const ScopeColumn* column,
              scope.Resolve({&assignment.column.name, 1}, assignment.column.position));
          if (std::count(table->primary_key.begin(), table->primary_key.end(), column->name) > 0) {
            return NotSupported(assignment.column.position,
                                "updating a PRIMARY KEY column is not supported; DELETE and "
                                "INSERT instead");
          }
          LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, binder.Bind(*assignment.value));
          LAMINAR_ASSIGN_OR_RETURN(value, CoerceExpression(value, column->type));
          update.assignments.emplace_back(column->index, std::move(value));
        }
      }
      return BoundStatement(std::move(update));
    }
    case StatementKind::kDrop: {
      const auto& drop = statement.As<DropStatement>();
      LAMINAR_ASSIGN_OR_RETURN(const std::string name, SingleName(drop.name));
      const CatalogObject* object = catalog_.Find(name);
      if (object == nullptr && !drop.if_exists) {
        return Status::Error(ErrorCode::kUnknownObject, "{} \"{}\" does not exist",
                             ObjectKindKeyword(drop.object_kind), name)
            .WithPosition(drop.name.position);
      }
      if (object != nullptr && object->kind != drop.object_kind) {
        return Status::Error(ErrorCode::kWrongObjectKind, "\"{}\" is a {}, not a {}", name,
                             ObjectKindKeyword(object->kind), ObjectKindKeyword(drop.object_kind))
            .WithPosition(drop.name.position);
      }
      if (object != nullptr && !drop.cascade) {
        const auto dependents = catalog_.Dependents(name);
        if (!dependents.empty()) {
          return Status::Error(ErrorCode::kDependentObjects,
                               "cannot drop \"{}\": {} read{} it (use DROP ... CASCADE)", name,
                               fmt::join(dependents, ", "), dependents.size() == 1 ? "s" : "")
              .WithPosition(drop.name.position);
        }
      }
      return BoundStatement(BoundDrop{drop.object_kind, name, drop.if_exists, drop.cascade});
    }
    case StatementKind::kShowCreate:
    case StatementKind::kDescribe: {
      const ObjectName& object_name = statement.kind == StatementKind::kDescribe
                                          ? statement.As<DescribeStatement>().name
                                          : statement.As<ShowCreateStatement>().name;
      LAMINAR_ASSIGN_OR_RETURN(const std::string name, SingleName(object_name));
      const CatalogObject* object = catalog_.Find(name);
      if (object == nullptr) {
        return Status::Error(ErrorCode::kUnknownObject, "\"{}\" does not exist", name)
            .WithPosition(object_name.position);
      }
      if (statement.kind == StatementKind::kShowCreate &&
          object->kind != statement.As<ShowCreateStatement>().object_kind) {
        return Status::Error(ErrorCode::kWrongObjectKind, "\"{}\" is a {}, not a {}", name,
                             ObjectKindKeyword(object->kind),
                             ObjectKindKeyword(statement.As<ShowCreateStatement>().object_kind))
            .WithPosition(object_name.position);
      }
      return BoundStatement(BoundUtility{object});
    }
    case StatementKind::kExplain: {
      const auto& explain = statement.As<ExplainStatement>();
      if (explain.analyze) {
        return NotSupported(explain.position,
                            "EXPLAIN ANALYZE needs per-operator runtime counters, "
                            "which are not collected yet; use EXPLAIN");
      }
      LAMINAR_ASSIGN_OR_RETURN(BoundStatement inner, Bind(*explain.statement, text));
      std::string out;
      if (const auto* create = std::get_if<BoundCreate>(&inner)) {
        out = DescribeObject(create->object);
        if (create->plan) out += ExplainPlan(*create->plan);
      } else if (const auto* query = std::get_if<BoundQuery>(&inner)) {
        out = ExplainPlan(*query->plan);
      } else if (const auto* insert = std::get_if<BoundInsert>(&inner)) {
        out = fmt::format("Insert into {}\n", insert->target) + ExplainPlan(*insert->rows);
      } else if (const auto* subscribe = std::get_if<BoundSubscribe>(&inner)) {
        out = fmt::format("Subscribe {}\n", subscribe->name) + ExplainPlan(*subscribe->plan);
      } else {
        out = "(no plan: the statement is executed directly)\n";
      }
      return BoundStatement(BoundExplain{std::move(out)});
    }
    case StatementKind::kSubscribe: {
      const auto& subscribe = statement.As<SubscribeStatement>();
      LAMINAR_ASSIGN_OR_RETURN(const std::string name, SingleName(subscribe.name));
      const CatalogObject* object = catalog_.Find(name);
      if (object == nullptr) {
        return Status::Error(ErrorCode::kUnknownObject, "\"{}\" does not exist", name)
            .WithPosition(subscribe.name.position);
      }
      if (object->kind == ObjectKind::kSink || object->kind == ObjectKind::kLookupTable) {
        return Status::Error(ErrorCode::kWrongObjectKind, "cannot SUBSCRIBE to {} \"{}\"",
                             ObjectKindKeyword(object->kind), name)
            .WithPosition(subscribe.name.position);
      }
      LogicalNodePtr node = LogicalScan::Make(name, object->kind, object->schema,
                                              StreamProperties{}, subscribe.name.position);
      if (subscribe.where) {
        const Scope scope(object->schema, name);
        ExpressionBinder binder(resolver_, scope, "WHERE");
        LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr predicate, binder.BindCondition(*subscribe.where));
        node = LogicalFilter::Make(node, predicate, subscribe.where->position);
      }
      return BoundStatement(BoundSubscribe{name, node});
    }
    case StatementKind::kShowObjects:
    case StatementKind::kShowVariable:
    case StatementKind::kCheckpoint:
    case StatementKind::kRestore:
    case StatementKind::kSet:
      return BoundStatement(BoundUtility{});
  }
  return Status::Error(ErrorCode::kInternal, "unknown statement kind");
}

}  // namespace laminar::sql
