#include "sql/plan/logical_aggregate.h"

#include <fmt/format.h>

#include <numeric>

namespace laminar::sql {

std::string AggregateCall::ToString() const {
  std::string text = function + "(";
  if (distinct) text += "DISTINCT ";
  if (arguments.empty() && function == "count") text += "*";
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (i > 0) text += ", ";
    text += arguments[i]->ToString();
  }
  text += ")";
  if (filter) text += " FILTER (WHERE " + filter->ToString() + ")";
  return text;
}

bool AggregateCall::SameCall(const AggregateCall& other) const {
  if (function != other.function || distinct != other.distinct ||
      arguments.size() != other.arguments.size() ||
      (filter == nullptr) != (other.filter == nullptr)) {
    return false;
  }
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (!SameExpression(*arguments[i], *other.arguments[i])) return false;
  }
  return filter == nullptr || SameExpression(*filter, *other.filter);
}

LogicalNodePtr LogicalAggregate::Make(LogicalNodePtr input, std::vector<BoundExprPtr> group_keys,
                                      std::vector<std::string> group_names,
                                      std::vector<AggregateCall> aggregates, Options options,
                                      SourcePosition position) {
  const StreamProperties& in = input->properties();
  std::vector<Field> fields;
  fields.reserve(2 + group_keys.size() + aggregates.size());
  std::vector<int> key_columns;
  key_columns.reserve(1 + group_keys.size());
  StreamProperties properties;
  properties.bounded = in.bounded;
  properties.state_ttl_micros = options.state_ttl_micros;

  const bool windowed = options.window.has_value();
  const bool window_has_watermark = windowed && in.HasWatermark(options.window->time_column);
  if (windowed && options.window_in_group_by) {
    const DataType time_type = input->schema()->field(options.window->time_column).type;
    fields.push_back(Field{"window_start", time_type, false});
    fields.push_back(Field{"window_end", time_type, false});
    key_columns = {0};
    if (window_has_watermark) properties.watermark_columns = {0, 1};
  }
  // A group key that is a watermarked input column (a window bound from a window table
  // function, or a time column produced by an earlier window) closes like a window: once the
  // watermark passes it, no more rows of that group can arrive.
  bool watermark_keyed = false;
  for (size_t i = 0; i < group_keys.size(); ++i) {
    const int output = static_cast<int>(fields.size());
    key_columns.push_back(output);
    bool nullable = true;
    if (group_keys[i]->kind == BoundExpressionKind::kColumn) {
      nullable = input->schema()->field(group_keys[i]->column_index).nullable;
      if (in.HasWatermark(group_keys[i]->column_index)) {
        properties.watermark_columns.push_back(output);
        watermark_keyed = true;
      }
    }
    fields.push_back(Field{group_names[i], group_keys[i]->type, nullable});
  }
  for (const AggregateCall& call : aggregates) {
    fields.push_back(Field{call.name, call.type, true});
  }
  const bool closes = window_has_watermark || watermark_keyed;
  if (in.bounded) {
    properties.mode = ChangelogMode::kAppendOnly;
  } else if (closes && options.emit.strategy == EmitStrategy::kOnWindowClose) {
    properties.mode = ChangelogMode::kAppendOnly;
  } else {
    properties.mode = ChangelogMode::kChangelog;
  }
  if (!closes || options.emit.strategy != EmitStrategy::kOnWindowClose) {
    // Watermarks describe append-only time; an updating result carries none.
    if (!in.bounded) properties.watermark_columns.clear();
  }
  properties.unique_keys.push_back(key_columns);
  // Windows free their state once the watermark passes them; unbounded GROUP BY keeps a row
  // per key forever unless a TTL is set.
  properties.unbounded_state =
      !in.bounded && !closes && !options.state_ttl_micros.has_value() && !key_columns.empty();
  return std::make_shared<LogicalAggregate>(std::move(input), Schema::Make(std::move(fields)),
                                            std::move(properties), std::move(group_keys),
                                            std::move(aggregates), std::move(options), position);
}

std::string LogicalAggregate::Describe() const {
  std::string text = "Aggregate";
  if (options.window) text += " window=" + options.window->ToString();
  text += " keys=[";
  for (size_t i = 0; i < group_keys.size(); ++i) {
    if (i > 0) text += ", ";
    text += group_keys[i]->ToString();
  }
  text += "] aggregates=[";
  for (size_t i = 0; i < aggregates.size(); ++i) {
    if (i > 0) text += ", ";
    text += aggregates[i].ToString();
  }
  text += "]";
  switch (options.emit.strategy) {
    case EmitStrategy::kOnWindowClose:
      text += " emit=on-window-close";
      break;
    case EmitStrategy::kChanges:
      text += " emit=changes";
      break;
    case EmitStrategy::kOnUpdate:
      text += " emit=on-update";
      break;
    case EmitStrategy::kPeriodic:
      text += " emit=every " + FormatDurationMicros(options.emit.period_micros);
      break;
  }
  if (options.allowed_lateness_micros > 0) {
    text += " allowed_lateness=" + FormatDurationMicros(options.allowed_lateness_micros);
  }
  if (options.late_data_target) text += " late_data_to=" + *options.late_data_target;
  return text;
}

}  // namespace laminar::sql
