#include "sql/parser/ast.h"

namespace laminar::sql {

std::string ObjectName::ToString() const {
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text.push_back('.');
    text += parts[i];
  }
  return text;
}

std::string_view BinaryOperatorSymbol(BinaryOperator op) {
  switch (op) {
    case BinaryOperator::kAdd:
      return "+";
    case BinaryOperator::kSubtract:
      return "-";
    case BinaryOperator::kMultiply:
      return "*";
    case BinaryOperator::kDivide:
      return "/";
    case BinaryOperator::kModulo:
      return "%";
    case BinaryOperator::kPower:
      return "^";
    case BinaryOperator::kConcat:
      return "||";
    case BinaryOperator::kEqual:
      return "=";
    case BinaryOperator::kNotEqual:
      return "<>";
    case BinaryOperator::kLess:
      return "<";
    case BinaryOperator::kLessEqual:
      return "<=";
    case BinaryOperator::kGreater:
      return ">";
    case BinaryOperator::kGreaterEqual:
      return ">=";
    case BinaryOperator::kIsDistinctFrom:
      return "IS DISTINCT FROM";
    case BinaryOperator::kIsNotDistinctFrom:
      return "IS NOT DISTINCT FROM";
  }
  return "?";
}

}  // namespace laminar::sql
