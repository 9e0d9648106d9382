#include "sql/plan/logical_node.h"

#include <fmt/format.h>

#include <algorithm>

namespace laminar::sql {
namespace {

std::string ColumnList(const Schema& schema, const std::vector<int>& columns) {
  std::string text;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) text += ", ";
    text += schema.field(columns[i]).name;
  }
  return text;
}

void Explain(const LogicalNode& node, int depth, std::string& out) {
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += node.Describe();
  out += "  {";
  out += DescribeProperties(node);
  out += "}\n";
  for (const auto& input : node.inputs()) Explain(*input, depth + 1, out);
}

}  // namespace

bool StreamProperties::HasWatermark(int column) const {
  return std::find(watermark_columns.begin(), watermark_columns.end(), column) !=
         watermark_columns.end();
}

std::string DescribeProperties(const LogicalNode& node) {
  const StreamProperties& properties = node.properties();
  std::string text = properties.mode == ChangelogMode::kAppendOnly ? "append-only" : "changelog";
  if (properties.bounded) text += ", bounded";
  text += "; watermark: ";
  text += properties.watermark_columns.empty()
              ? "-"
              : ColumnList(*node.schema(), properties.watermark_columns);
  for (const auto& key : properties.unique_keys) {
    text += fmt::format("; unique key: ({})", ColumnList(*node.schema(), key));
  }
  if (properties.state_ttl_micros) {
    text += fmt::format("; state ttl: {} s", *properties.state_ttl_micros / 1'000'000.0);
  } else if (properties.unbounded_state) {
    text += "; state grows with the number of keys (no window or state_ttl frees it)";
  }
  return text;
}

std::string ExplainPlan(const LogicalNode& root) {
  std::string out;
  Explain(root, 0, out);
  return out;
}

}  // namespace laminar::sql
