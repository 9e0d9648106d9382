#include "sql/plan/logical_join.h"

#include <fmt/format.h>

#include "sql/plan/window_assignment.h"

namespace laminar::sql {

std::string_view JoinKindName(JoinKind kind) {
  switch (kind) {
    case JoinKind::kInner:
      return "inner";
    case JoinKind::kLeft:
      return "left";
    case JoinKind::kRight:
      return "right";
    case JoinKind::kFull:
      return "full";
    case JoinKind::kSemi:
      return "semi";
    case JoinKind::kAnti:
      return "anti";
    case JoinKind::kCross:
      return "cross";
  }
  return "inner";
}

LogicalNodePtr LogicalJoin::Make(LogicalNodePtr left, LogicalNodePtr right, Options options,
                                 SourcePosition position) {
  const Schema& left_schema = *left->schema();
  const Schema& right_schema = *right->schema();
  const int left_width = left_schema.num_fields();
  const bool keeps_right = options.kind != JoinKind::kSemi && options.kind != JoinKind::kAnti;
  const bool left_padded = options.kind == JoinKind::kRight || options.kind == JoinKind::kFull;
  const bool right_padded = options.kind == JoinKind::kLeft || options.kind == JoinKind::kFull;

  std::vector<Field> fields;
  fields.reserve(left_schema.fields().size() + (keeps_right ? right_schema.fields().size() : 0));
  for (Field field : left_schema.fields()) {
    if (left_padded) field.nullable = true;
    fields.push_back(std::move(field));
  }
  if (keeps_right) {
    for (Field field : right_schema.fields()) {
      if (right_padded) field.nullable = true;
      fields.push_back(std::move(field));
    }
  }

  const StreamProperties& l = left->properties();
  const StreamProperties& r = right->properties();
  StreamProperties properties;
  properties.bounded = l.bounded && r.bounded;
  properties.state_ttl_micros = options.state_ttl_micros;
  const bool inputs_append_only =
      l.mode == ChangelogMode::kAppendOnly && r.mode == ChangelogMode::kAppendOnly;
  const bool time_bounded = options.time_bound.has_value();
  const bool versioned = options.asof.has_value() || options.system_time || options.lookup;

  if (versioned) {
    // One output row per left row, emitted when the left row arrives (or, for ASOF and event-
    // time temporal joins, when the watermark says the right side is complete).
    properties.mode = l.mode;
    properties.watermark_columns = l.watermark_columns;
  } else if (time_bounded) {
    // Outer rows are emitted once their partner can no longer arrive: still append-only.
    properties.mode = inputs_append_only ? ChangelogMode::kAppendOnly : ChangelogMode::kChangelog;
    properties.watermark_columns = l.watermark_columns;
    if (keeps_right) {
      for (const int column : r.watermark_columns) {
        properties.watermark_columns.push_back(left_width + column);
      }
    }
  } else {
    // A regular join keeps both sides; a padded outer row is retracted when a partner comes.
    const bool outer = left_padded || right_padded || options.kind == JoinKind::kAnti;
    properties.mode =
        inputs_append_only && !outer ? ChangelogMode::kAppendOnly : ChangelogMode::kChangelog;
    properties.unbounded_state = !properties.bounded && !options.state_ttl_micros.has_value();
  }
  return std::make_shared<LogicalJoin>(std::move(left), std::move(right),
                                       Schema::Make(std::move(fields)), std::move(properties),
                                       std::move(options), position);
}

std::string LogicalJoin::Describe() const {
  std::string text = fmt::format("Join {}", JoinKindName(options.kind));
  if (options.asof) text = fmt::format("AsofJoin {}", JoinKindName(options.kind));
  if (options.system_time) text = fmt::format("TemporalJoin {}", JoinKindName(options.kind));
  if (options.lookup) text = fmt::format("LookupJoin {}", JoinKindName(options.kind));
  if (!options.equi_keys.empty()) {
    text += " keys=[";
    for (size_t i = 0; i < options.equi_keys.size(); ++i) {
      if (i > 0) text += ", ";
      text +=
          options.equi_keys[i].first->ToString() + " = " + options.equi_keys[i].second->ToString();
    }
    text += "]";
  }
  if (options.condition) text += " on " + options.condition->ToString();
  if (options.time_bound) {
    text += fmt::format(" time_bound=[{}, {}]", FormatDurationMicros(options.time_bound->lower),
                        FormatDurationMicros(options.time_bound->upper));
  }
  if (options.system_time) text += " as_of=" + options.system_time->ToString();
  if (options.state_ttl_micros) {
    text += " state_ttl=" + FormatDurationMicros(*options.state_ttl_micros);
  }
  return text;
}

}  // namespace laminar::sql
