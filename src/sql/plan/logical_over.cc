#include "sql/plan/logical_over.h"

#include <fmt/format.h>

namespace laminar::sql {
namespace {

std::string EdgeText(const FrameEdge& edge) {
  switch (edge.kind) {
    case FrameEdge::Kind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case FrameEdge::Kind::kPreceding:
      return fmt::format("{} PRECEDING", edge.offset);
    case FrameEdge::Kind::kCurrentRow:
      return "CURRENT ROW";
    case FrameEdge::Kind::kFollowing:
      return fmt::format("{} FOLLOWING", edge.offset);
    case FrameEdge::Kind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

}  // namespace

std::string OverCall::ToString() const {
  std::string text = function + "(";
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (i > 0) text += ", ";
    text += arguments[i]->ToString();
  }
  text += ") OVER (";
  std::string spec;
  if (!partition_by.empty()) {
    spec += "PARTITION BY ";
    for (size_t i = 0; i < partition_by.size(); ++i) {
      if (i > 0) spec += ", ";
      spec += partition_by[i]->ToString();
    }
  }
  if (!order_by.empty()) {
    if (!spec.empty()) spec += " ";
    spec += "ORDER BY ";
    for (size_t i = 0; i < order_by.size(); ++i) {
      if (i > 0) spec += ", ";
      spec += order_by[i].expr->ToString();
      if (order_by[i].descending) spec += " DESC";
    }
  }
  if (frame) {
    if (!spec.empty()) spec += " ";
    spec += fmt::format("{} BETWEEN {} AND {}", frame->kind == FrameKind::kRows ? "ROWS" : "RANGE",
                        EdgeText(frame->start), EdgeText(frame->end));
  }
  return text + spec + ")";
}

namespace {

bool SameList(const std::vector<BoundExprPtr>& a, const std::vector<BoundExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameExpression(*a[i], *b[i])) return false;
  }
  return true;
}

bool SameEdge(const FrameEdge& a, const FrameEdge& b) {
  return a.kind == b.kind && a.offset == b.offset;
}

}  // namespace

bool OverCall::SameWindow(const OverCall& other) const {
  if (!SameList(partition_by, other.partition_by) || order_by.size() != other.order_by.size()) {
    return false;
  }
  for (size_t i = 0; i < order_by.size(); ++i) {
    if (order_by[i].descending != other.order_by[i].descending ||
        order_by[i].nulls_first != other.order_by[i].nulls_first ||
        !SameExpression(*order_by[i].expr, *other.order_by[i].expr)) {
      return false;
    }
  }
  return true;
}

bool OverCall::SameCall(const OverCall& other) const {
  if (function != other.function || !SameList(arguments, other.arguments) || !SameWindow(other) ||
      frame.has_value() != other.frame.has_value()) {
    return false;
  }
  return !frame ||
         (frame->kind == other.frame->kind && SameEdge(frame->start, other.frame->start) &&
          SameEdge(frame->end, other.frame->end));
}

LogicalNodePtr LogicalOver::Make(LogicalNodePtr input, std::vector<OverCall> calls,
                                 SourcePosition position) {
  std::vector<Field> fields;
  fields.reserve(input->schema()->fields().size() + calls.size());
  fields = input->schema()->fields();
  for (const OverCall& call : calls) fields.push_back(Field{call.name, call.type, true});
  StreamProperties properties = input->properties();
  // The operator keeps the last rows of every partition (for LAG and frames) for as long as the
  // stream runs: no state_ttl or window frees a partition.
  for (const OverCall& call : calls) {
    if (!properties.bounded && !call.partition_by.empty()) properties.unbounded_state = true;
  }
  return std::make_shared<LogicalOver>(std::move(input), Schema::Make(std::move(fields)),
                                       std::move(properties), std::move(calls), position);
}

std::string LogicalOver::Describe() const {
  std::string text = "Over ";
  for (size_t i = 0; i < calls.size(); ++i) {
    if (i > 0) text += ", ";
    text += calls[i].ToString() + " AS " + calls[i].name;
  }
  return text;
}

}  // namespace laminar::sql
