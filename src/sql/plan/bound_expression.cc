#include "sql/plan/bound_expression.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace laminar::sql {
namespace {

bool IsOperatorName(const std::string& name) {
  static const std::set<std::string> kOperators = {"+",  "-", "*",  "/", "%",  "||", "=",
                                                   "<>", "<", "<=", ">", ">=", "^"};
  return kOperators.count(name) > 0;
}

std::string Join(const std::vector<BoundExprPtr>& children, size_t begin, std::string_view sep) {
  std::string text;
  for (size_t i = begin; i < children.size(); ++i) {
    if (i > begin) text += sep;
    text += children[i]->ToString();
  }
  return text;
}

void CollectColumns(const BoundExpression& expr, std::vector<int>& columns) {
  if (expr.kind == BoundExpressionKind::kColumn) columns.push_back(expr.column_index);
  for (const auto& child : expr.children) CollectColumns(*child, columns);
}

}  // namespace

std::string BoundExpression::ToString() const {
  switch (kind) {
    case BoundExpressionKind::kConstant:
      if (constant.is_null()) return "NULL";
      switch (constant.type().id()) {
        case TypeId::kVarchar:
          return fmt::format("'{}'", constant.ToString());
        case TypeId::kDate:
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz:
        case TypeId::kInterval:
          return fmt::format("{} '{}'", constant.type().ToString(), constant.ToString());
        default:
          return constant.ToString();
      }
    case BoundExpressionKind::kColumn:
      return name.empty() ? fmt::format("#{}", column_index) : name;
    case BoundExpressionKind::kCall:
      if (name == "negate" && children.size() == 1) {
        return fmt::format("-{}", children[0]->ToString());
      }
      if (IsOperatorName(name) && children.size() == 2) {
        return fmt::format("({} {} {})", children[0]->ToString(), name, children[1]->ToString());
      }
      if ((name == "like" || name == "ilike") && children.size() >= 2) {
        return fmt::format("({} {} {})", children[0]->ToString(), name == "like" ? "LIKE" : "ILIKE",
                           children[1]->ToString());
      }
      return fmt::format("{}({})", name, Join(children, 0, ", "));
    case BoundExpressionKind::kCast:
      return fmt::format("{}({} AS {})", try_cast ? "TRY_CAST" : "CAST", children[0]->ToString(),
                         type.ToString());
    case BoundExpressionKind::kAnd:
      return fmt::format("({})", Join(children, 0, " AND "));
    case BoundExpressionKind::kOr:
      return fmt::format("({})", Join(children, 0, " OR "));
    case BoundExpressionKind::kNot:
      return fmt::format("(NOT {})", children[0]->ToString());
    case BoundExpressionKind::kIsNull:
      return fmt::format("({} IS NULL)", children[0]->ToString());
    case BoundExpressionKind::kCase: {
      std::string text = "CASE";
      const size_t pairs = (children.size() - (has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        text += fmt::format(" WHEN {} THEN {}", children[2 * i]->ToString(),
                            children[2 * i + 1]->ToString());
      }
      if (has_else) text += fmt::format(" ELSE {}", children.back()->ToString());
      return text + " END";
    }
    case BoundExpressionKind::kInList:
      return fmt::format("({} IN ({}))", children[0]->ToString(), Join(children, 1, ", "));
  }
  return "?";
}

BoundExprPtr MakeConstant(Value value, SourcePosition position) {
  auto expr = std::make_shared<BoundExpression>();
  expr->kind = BoundExpressionKind::kConstant;
  expr->type = value.type();
  expr->constant = std::move(value);
  expr->position = position;
  return expr;
}

BoundExprPtr MakeColumn(int index, std::string_view name, DataType type, SourcePosition position) {
  auto expr = std::make_shared<BoundExpression>();
  expr->kind = BoundExpressionKind::kColumn;
  expr->type = type;
  expr->column_index = index;
  expr->name = name;
  expr->position = position;
  return expr;
}

BoundExprPtr MakeCall(std::string function, DataType type, std::vector<BoundExprPtr> arguments,
                      SourcePosition position) {
  auto expr = std::make_shared<BoundExpression>();
  expr->kind = BoundExpressionKind::kCall;
  expr->type = type;
  expr->name = std::move(function);
  expr->children = std::move(arguments);
  expr->position = position;
  return expr;
}

BoundExprPtr MakeCast(BoundExprPtr operand, DataType type, bool try_cast) {
  auto expr = std::make_shared<BoundExpression>();
  expr->kind = BoundExpressionKind::kCast;
  expr->type = type;
  expr->position = operand->position;
  expr->try_cast = try_cast;
  expr->children.push_back(std::move(operand));
  return expr;
}

BoundExprPtr MakeLogical(BoundExpressionKind kind, std::vector<BoundExprPtr> children,
                         SourcePosition position) {
  auto expr = std::make_shared<BoundExpression>();
  expr->kind = kind;
  expr->type = DataType::Boolean();
  expr->children = std::move(children);
  expr->position = position;
  return expr;
}

bool SameExpression(const BoundExpression& a, const BoundExpression& b) {
  if (&a == &b) return true;
  if (a.kind != b.kind || a.type != b.type || a.children.size() != b.children.size()) return false;
  switch (a.kind) {
    case BoundExpressionKind::kConstant:
      if (!(a.constant == b.constant)) return false;
      break;
    case BoundExpressionKind::kColumn:
      if (a.column_index != b.column_index) return false;
      break;
    case BoundExpressionKind::kCall:
      if (a.name != b.name) return false;
      break;
    case BoundExpressionKind::kCast:
      if (a.try_cast != b.try_cast) return false;
      break;
    case BoundExpressionKind::kCase:
      if (a.has_else != b.has_else) return false;
      break;
    default:
      break;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameExpression(*a.children[i], *b.children[i])) return false;
  }
  return true;
}

std::vector<int> ReferencedColumns(const BoundExpression& expr) {
  std::vector<int> columns;
  columns.reserve(8);
  CollectColumns(expr, columns);
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  return columns;
}

namespace {

void AppendConjuncts(const BoundExprPtr& expr, std::vector<BoundExprPtr>& conjuncts) {
  if (expr->kind != BoundExpressionKind::kAnd) {
    conjuncts.push_back(expr);
    return;
  }
  for (const auto& child : expr->children) AppendConjuncts(child, conjuncts);
}

}  // namespace

std::vector<BoundExprPtr> SplitConjuncts(const BoundExprPtr& expr) {
  if (expr == nullptr) return {};
  std::vector<BoundExprPtr> conjuncts;
  conjuncts.reserve(expr->kind == BoundExpressionKind::kAnd ? expr->children.size() : 1);
  AppendConjuncts(expr, conjuncts);
  return conjuncts;
}

BoundExprPtr CombineConjuncts(std::vector<BoundExprPtr> conjuncts) {
  if (conjuncts.empty()) return nullptr;
  if (conjuncts.size() == 1) return conjuncts[0];
  const SourcePosition position = conjuncts[0]->position;
  return MakeLogical(BoundExpressionKind::kAnd, std::move(conjuncts), position);
}

BoundExprPtr ShiftColumns(const BoundExprPtr& expr, int shift) {
  if (expr == nullptr || shift == 0) return expr;
  auto copy = std::make_shared<BoundExpression>(*expr);
  if (copy->kind == BoundExpressionKind::kColumn) copy->column_index += shift;
  for (auto& child : copy->children) child = ShiftColumns(child, shift);
  return copy;
}

}  // namespace laminar::sql
