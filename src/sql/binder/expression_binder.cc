#include "sql/binder/expression_binder.h"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <optional>
#include <span>

#include "columnar/decimal.h"
#include "columnar/temporal.h"
#include "functions/type_coercion.h"
#include "sql/binder/type_name_resolution.h"

namespace laminar::sql {
namespace {

using functions::ArgumentInfo;
using functions::FunctionKind;
using functions::ResolvedFunction;

// The registry name of a binary operator: its symbol, and lower-case words for IS [NOT]
// DISTINCT FROM.
std::string_view BinaryOperatorName(BinaryOperator op) {
  if (op == BinaryOperator::kIsDistinctFrom) return "is distinct from";
  if (op == BinaryOperator::kIsNotDistinctFrom) return "is not distinct from";
  return BinaryOperatorSymbol(op);
}

bool IsStringLiteral(const Expression* expr) {
  return expr != nullptr && expr->kind == ExpressionKind::kLiteral &&
         expr->As<LiteralExpression>().literal_kind == LiteralKind::kString;
}

bool IsNullLiteral(const Expression* expr) {
  return expr != nullptr && expr->kind == ExpressionKind::kLiteral &&
         expr->As<LiteralExpression>().literal_kind == LiteralKind::kNull;
}

ArgumentInfo InfoFor(const BoundExpression& bound, const Expression* source) {
  ArgumentInfo info;
  info.type = bound.type;
  if (IsStringLiteral(source)) {
    info.is_string_literal = true;
    info.literal_text = bound.constant.string();
  } else if (IsNullLiteral(source) ||
             (bound.kind == BoundExpressionKind::kConstant && bound.constant.is_null() &&
              bound.type.id() == TypeId::kNull)) {
    info.is_null_literal = true;
  }
  return info;
}

Status NotSupported(SourcePosition position, std::string message) {
  return Status(ErrorCode::kNotSupported, std::move(message)).WithPosition(position);
}

// Parses a string literal as a constant of `target`; nullopt when the type has no text form
// handled here (the caller then keeps a CAST for the evaluator).
Result<std::optional<Value>> ParseLiteralAs(std::string_view text, const DataType& target) {
  switch (target.id()) {
    case TypeId::kVarchar:
      return std::optional<Value>(Value::Varchar(std::string(text)));
    case TypeId::kBytea: {
      LAMINAR_ASSIGN_OR_RETURN(std::string bytes, ParseByteaText(text));
      return std::optional<Value>(Value::Bytea(std::move(bytes)));
    }
    case TypeId::kDate: {
      LAMINAR_ASSIGN_OR_RETURN(const int32_t days, ParseDate(text));
      return std::optional<Value>(Value::Date(days));
    }
    case TypeId::kTimestamp: {
      LAMINAR_ASSIGN_OR_RETURN(const int64_t micros, ParseTimestamp(text));
      return std::optional<Value>(Value::Timestamp(micros));
    }
    case TypeId::kTimestampTz: {
      LAMINAR_ASSIGN_OR_RETURN(const int64_t micros, ParseTimestamp(text));
      return std::optional<Value>(Value::TimestampTz(micros));
    }
    case TypeId::kInterval: {
      LAMINAR_ASSIGN_OR_RETURN(const Interval interval, ParseInterval(text));
      return std::optional<Value>(Value::FromInterval(interval));
    }
    case TypeId::kDecimal: {
      LAMINAR_ASSIGN_OR_RETURN(const Decimal128 value,
                               ParseDecimal(text, target.precision(), target.scale()));
      return std::optional<Value>(Value::Decimal(value, target));
    }
    case TypeId::kBoolean: {
      std::string lower(text);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "true" || lower == "t" || lower == "yes" || lower == "on" || lower == "1") {
        return std::optional<Value>(Value::Boolean(true));
      }
      if (lower == "false" || lower == "f" || lower == "no" || lower == "off" || lower == "0") {
        return std::optional<Value>(Value::Boolean(false));
      }
      return Status::Error(ErrorCode::kInvalidLiteral, "invalid BOOLEAN literal '{}'", text);
    }
    default:
      return std::optional<Value>();
  }
}

bool IsAggregateCall(const functions::FunctionRegistry& registry,
                     const FunctionCallExpression& call, std::string_view name) {
  return !call.over && call.name.size() == 1 && registry.IsAggregateFunction(name);
}

std::string CallName(const FunctionCallExpression& call) {
  std::string name;
  for (size_t i = 0; i < call.name.size(); ++i) {
    if (i > 0) name += '.';
    name += call.name[i];
  }
  return name;
}

// Window-assignment functions: which output (0 = window_start, 1 = window_end) a call means.
int WindowBoundOf(std::string_view name) {
  if (name.size() > 4 && name.substr(name.size() - 4) == "_end") return 1;
  return 0;
}

std::string_view WindowFamily(std::string_view name) {
  const std::string_view family = name.substr(0, name.find('_'));
  return family == "slide" ? "hop" : family;
}

// The bound arguments of a window call as text, each followed by ';': "date_time;INTERVAL ...;".
std::string WindowArgumentsText(std::span<const BoundExprPtr> arguments) {
  std::string text;
  for (const BoundExprPtr& argument : arguments) {
    text += argument->ToString();
    text += ';';
  }
  return text;
}

// Whether two window calls' bound arguments are the same window: their texts are equal. Equal
// structure (in the one scope both are bound in) implies equal text, so only a mismatch pays
// for building the texts.
bool SameWindowArguments(std::span<const BoundExprPtr> a, std::span<const BoundExprPtr> b) {
  if (a.size() == b.size()) {
    bool same = true;
    for (size_t i = 0; i < a.size() && same; ++i) same = SameExpression(*a[i], *b[i]);
    if (same) return true;
  }
  return WindowArgumentsText(a) == WindowArgumentsText(b);
}

// "name_3": the output column of the fourth aggregate or OVER call of a query level.
std::string NumberedName(std::string_view name, size_t number) {
  std::string numbered(name);
  numbered += '_';
  numbered += std::to_string(number);
  return numbered;
}

// The arguments of a call, moved into a vector of exactly their number (a braced list would
// copy each shared pointer once more).
template <typename... Arguments>
std::vector<BoundExprPtr> ArgumentList(Arguments&&... arguments) {
  std::vector<BoundExprPtr> list;
  list.reserve(sizeof...(Arguments));
  (list.push_back(std::forward<Arguments>(arguments)), ...);
  return list;
}

}  // namespace

static bool AnyContainsAggregate(const functions::FunctionRegistry& registry,
                                 const std::vector<ExprPtr>& exprs) {
  for (const auto& expr : exprs) {
    if (ContainsAggregate(registry, expr.get())) return true;
  }
  return false;
}

bool ContainsAggregate(const functions::FunctionRegistry& registry, const Expression* expr) {
  if (expr == nullptr) return false;
  switch (expr->kind) {
    case ExpressionKind::kFunctionCall: {
      const auto& call = expr->As<FunctionCallExpression>();
      if (call.over) return false;
      if (call.name.size() == 1 && registry.IsAggregateFunction(call.name[0])) return true;
      return AnyContainsAggregate(registry, call.args);
    }
    case ExpressionKind::kUnary:
      return ContainsAggregate(registry, expr->As<UnaryExpression>().operand.get());
    case ExpressionKind::kBinary:
      return ContainsAggregate(registry, expr->As<BinaryExpression>().left.get()) ||
             ContainsAggregate(registry, expr->As<BinaryExpression>().right.get());
    case ExpressionKind::kLogical:
      return AnyContainsAggregate(registry, expr->As<LogicalExpression>().operands);
    case ExpressionKind::kIs:
      return ContainsAggregate(registry, expr->As<IsExpression>().operand.get());
    case ExpressionKind::kBetween: {
      const auto& between = expr->As<BetweenExpression>();
      return ContainsAggregate(registry, between.operand.get()) ||
             ContainsAggregate(registry, between.low.get()) ||
             ContainsAggregate(registry, between.high.get());
    }
    case ExpressionKind::kLike:
      return ContainsAggregate(registry, expr->As<LikeExpression>().operand.get()) ||
             ContainsAggregate(registry, expr->As<LikeExpression>().pattern.get());
    case ExpressionKind::kInList:
      return ContainsAggregate(registry, expr->As<InListExpression>().operand.get()) ||
             AnyContainsAggregate(registry, expr->As<InListExpression>().items);
    case ExpressionKind::kCase: {
      const auto& case_expr = expr->As<CaseExpression>();
      if (ContainsAggregate(registry, case_expr.operand.get()) ||
          ContainsAggregate(registry, case_expr.else_result.get())) {
        return true;
      }
      for (const auto& when : case_expr.when_clauses) {
        if (ContainsAggregate(registry, when.condition.get()) ||
            ContainsAggregate(registry, when.result.get())) {
          return true;
        }
      }
      return false;
    }
    case ExpressionKind::kCast:
      return ContainsAggregate(registry, expr->As<CastExpression>().operand.get());
    case ExpressionKind::kExtract:
      return ContainsAggregate(registry, expr->As<ExtractExpression>().source.get());
    case ExpressionKind::kSubstring:
      return ContainsAggregate(registry, expr->As<SubstringExpression>().operand.get());
    default:
      return false;
  }
}

ExpressionBinder::ExpressionBinder(functions::FunctionResolver& resolver, const Scope& scope,
                                   std::string_view clause, GroupingContext* grouping,
                                   OverContext* over)
    : resolver_(resolver), scope_(scope), clause_(clause), grouping_(grouping), over_(over) {}

Result<BoundExprPtr> ExpressionBinder::Bind(const Expression& expr) {
  if (grouping_ != nullptr) return BindGrouped(expr);
  return BindUngrouped(expr);
}

Result<BoundExprPtr> ExpressionBinder::BindCondition(const Expression& expr) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, Bind(expr));
  if (bound->type.id() == TypeId::kNull) return MakeConstant(Value::Null(DataType::Boolean()));
  if (bound->type.id() != TypeId::kBoolean) {
    return Status::Error(ErrorCode::kTypeMismatch, "argument of {} must be BOOLEAN, not {}",
                         clause_, bound->type.ToString())
        .WithPosition(expr.position);
  }
  return bound;
}

std::string ExpressionBinder::DefaultName(const Expression& expr) {
  switch (expr.kind) {
    case ExpressionKind::kColumnRef:
      return expr.As<ColumnRefExpression>().parts.back();
    case ExpressionKind::kFunctionCall:
      return expr.As<FunctionCallExpression>().name.back();
    case ExpressionKind::kCast:
      return DefaultName(*expr.As<CastExpression>().operand);
    case ExpressionKind::kExtract:
      return "extract";
    case ExpressionKind::kSubstring:
      return "substring";
    case ExpressionKind::kCase:
      return "case";
    default:
      return "?column?";
  }
}

Result<BoundExprPtr> ExpressionBinder::BindGrouped(const Expression& expr) {
  if (expr.kind == ExpressionKind::kFunctionCall) {
    const auto& call = expr.As<FunctionCallExpression>();
    std::string joined_name;
    const std::string_view name =
        call.name.size() == 1 ? std::string_view(call.name[0]) : (joined_name = CallName(call));
    if (call.over) return BindOver(call, name);
    if (IsAggregateCall(resolver_.registry(), call, name)) return BindAggregate(call, name);
    if (call.name.size() == 1) {
      const auto signatures = resolver_.registry().Signatures(name, FunctionKind::kScalar);
      if (!signatures.empty() && signatures.front().window_assignment) {
        return BindWindowAssignmentReference(call, name);
      }
    }
  }
  // An expression equal to a group key (as bound over the input) reads that key's column.
  // Expressions that contain an aggregate cannot be keys; skip the attempt for them.
  std::optional<Result<BoundExprPtr>> as_row;
  if (!ContainsAggregate(resolver_.registry(), &expr)) {
    ExpressionBinder row_binder(resolver_, scope_, clause_);
    as_row.emplace(row_binder.Bind(expr));
  }
  const bool row_ok = as_row.has_value() && as_row->ok();
  if (row_ok) {
    const BoundExprPtr& row = **as_row;
    for (size_t i = 0; i < grouping_->keys.size(); ++i) {
      if (SameExpression(*grouping_->keys[i], *row)) {
        return MakeColumn(grouping_->key_column(static_cast<int>(i)), grouping_->key_names[i],
                          grouping_->keys[i]->type, expr.position);
      }
    }
    if (ReferencedColumns(*row).empty()) return std::move(*as_row);
  }
  if (expr.kind == ExpressionKind::kColumnRef) {
    // A column reference contains no aggregate, so it was bound as a row expression above.
    const auto& column = expr.As<ColumnRefExpression>();
    if (grouping_->window && column.parts.size() == 1 &&
        (column.parts[0] == "window_start" || column.parts[0] == "window_end") && !row_ok) {
      const int index = column.parts[0] == "window_start" ? 0 : 1;
      const DataType type = scope_.columns()[grouping_->window->time_column].type;
      return MakeColumn(index, column.parts[0], type, expr.position);
    }
    if (!row_ok) return as_row->status();
    return Status::Error(ErrorCode::kInvalidGrouping,
                         "column \"{}\" must appear in the GROUP BY clause or be used in an "
                         "aggregate function",
                         fmt::join(column.parts, "."))
        .WithPosition(expr.position);
  }
  if (expr.kind == ExpressionKind::kStar) {
    return Status::Error(ErrorCode::kInvalidGrouping,
                         "* cannot be used in a grouped query; list the grouped columns")
        .WithPosition(expr.position);
  }
  // Otherwise bind the node itself, its children again in grouped mode.
  return BindUngrouped(expr);
}

Result<BoundExprPtr> ExpressionBinder::BindUngrouped(const Expression& expr) {
  switch (expr.kind) {
    case ExpressionKind::kLiteral:
      return BindLiteral(expr.As<LiteralExpression>());
    case ExpressionKind::kIntervalLiteral:
      return BindInterval(expr.As<IntervalLiteralExpression>());
    case ExpressionKind::kTypedLiteral:
      return BindTypedLiteral(expr.As<TypedLiteralExpression>());
    case ExpressionKind::kColumnRef:
      return BindColumn(expr.As<ColumnRefExpression>());
    case ExpressionKind::kStar:
      return Status::Error(ErrorCode::kSyntaxError, "* is only allowed in a select list")
          .WithPosition(expr.position);
    case ExpressionKind::kUnary:
      return BindUnary(expr.As<UnaryExpression>());
    case ExpressionKind::kBinary:
      return BindBinary(expr.As<BinaryExpression>());
    case ExpressionKind::kLogical:
      return BindLogical(expr.As<LogicalExpression>());
    case ExpressionKind::kIs:
      return BindIs(expr.As<IsExpression>());
    case ExpressionKind::kBetween:
      return BindBetween(expr.As<BetweenExpression>());
    case ExpressionKind::kLike:
      return BindLike(expr.As<LikeExpression>());
    case ExpressionKind::kInList:
      return BindInList(expr.As<InListExpression>());
    case ExpressionKind::kInSubquery:
      return NotSupported(expr.position, "IN (subquery) is not supported yet; use a JOIN");
    case ExpressionKind::kExists:
      return NotSupported(expr.position,
                          "EXISTS (subquery) is not supported yet; use a semi or anti JOIN");
    case ExpressionKind::kSubquery:
      return NotSupported(expr.position, "scalar subqueries are not supported yet; use a JOIN");
    case ExpressionKind::kCase:
      return BindCase(expr.As<CaseExpression>());
    case ExpressionKind::kCast:
      return BindCast(expr.As<CastExpression>());
    case ExpressionKind::kFunctionCall:
      return BindFunction(expr.As<FunctionCallExpression>());
    case ExpressionKind::kExtract:
      return BindExtract(expr.As<ExtractExpression>());
    case ExpressionKind::kSubstring:
      return BindSubstring(expr.As<SubstringExpression>());
  }
  return Status::Error(ErrorCode::kInternal, "unknown expression kind").WithPosition(expr.position);
}

Result<BoundExprPtr> ExpressionBinder::BindLiteral(const LiteralExpression& literal) {
  switch (literal.literal_kind) {
    case LiteralKind::kNull:
      return MakeConstant(Value::Null(DataType::Null()), literal.position);
    case LiteralKind::kBoolean:
      return MakeConstant(Value::Boolean(literal.value == "true"), literal.position);
    case LiteralKind::kString:
      return MakeConstant(Value::Varchar(literal.value), literal.position);
    case LiteralKind::kInteger: {
      auto type = functions::IntegerLiteralType(literal.value);
      if (!type.ok()) return std::move(type).status().WithPosition(literal.position);
      if (type->id() == TypeId::kDecimal) {
        LAMINAR_ASSIGN_OR_RETURN(const Decimal128 value,
                                 ParseDecimal(literal.value, type->precision(), 0));
        return MakeConstant(Value::Decimal(value, *type), literal.position);
      }
      int64_t value = 0;
      for (const char digit : literal.value) value = value * 10 + (digit - '0');
      return MakeConstant(type->id() == TypeId::kInteger
                              ? Value::Integer(static_cast<int32_t>(value))
                              : Value::BigInt(value),
                          literal.position);
    }
    case LiteralKind::kDecimal: {
      auto type = functions::DecimalLiteralType(literal.value);
      if (!type.ok()) return std::move(type).status().WithPosition(literal.position);
      if (type->id() != TypeId::kDecimal) {
        // Too many digits for DECIMAL(38): a DOUBLE, as the coercion rules chose.
        return MakeConstant(Value::Double(std::strtod(literal.value.c_str(), nullptr)),
                            literal.position);
      }
      auto value = ParseDecimal(literal.value, type->precision(), type->scale());
      if (!value.ok()) return std::move(value).status().WithPosition(literal.position);
      return MakeConstant(Value::Decimal(*value, *type), literal.position);
    }
  }
  return Status::Error(ErrorCode::kInternal, "unknown literal").WithPosition(literal.position);
}

Result<BoundExprPtr> ExpressionBinder::BindInterval(const IntervalLiteralExpression& literal) {
  static constexpr const char* kFieldNames[] = {
      "YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"};
  Result<Interval> interval =
      literal.leading_field && !literal.trailing_field
          ? IntervalFromQualifier(literal.value,
                                  kFieldNames[static_cast<int>(*literal.leading_field)])
          : ParseInterval(literal.value);
  if (!interval.ok()) return std::move(interval).status().WithPosition(literal.position);
  return MakeConstant(Value::FromInterval(*interval), literal.position);
}

Result<BoundExprPtr> ExpressionBinder::BindTypedLiteral(const TypedLiteralExpression& literal) {
  DataType type;
  if (literal.type_name == "timestamp") {
    type = DataType::Timestamp();
  } else if (literal.type_name == "timestamptz") {
    type = DataType::TimestampTz();
  } else if (literal.type_name == "date") {
    type = DataType::Date();
  } else {
    return NotSupported(literal.position,
                        fmt::format("{} literals are not supported yet", literal.type_name));
  }
  auto value = ParseLiteralAs(literal.value, type);
  if (!value.ok()) return std::move(value).status().WithPosition(literal.position);
  return MakeConstant(**value, literal.position);
}

Result<BoundExprPtr> ExpressionBinder::BindColumn(const ColumnRefExpression& column) {
  LAMINAR_ASSIGN_OR_RETURN(const ScopeColumn* found, scope_.Resolve(column.parts, column.position));
  return MakeColumn(found->index, found->name, found->type, column.position);
}

Result<BoundExprPtr> ExpressionBinder::BindUnary(const UnaryExpression& unary) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*unary.operand));
  switch (unary.op) {
    case UnaryOperator::kPlus:
      if (operand->type.IsNumeric() || operand->type.id() == TypeId::kInterval ||
          operand->type.id() == TypeId::kNull) {
        return operand;
      }
      return Status::Error(ErrorCode::kTypeMismatch, "unary + needs a number, not {}",
                           operand->type.ToString())
          .WithPosition(unary.position);
    case UnaryOperator::kNegate: {
      const Expression* const sources[] = {unary.operand.get()};
      std::vector<BoundExprPtr> arguments;
      arguments.push_back(std::move(operand));
      return ResolveScalar("negate", std::move(arguments), sources, unary.position);
    }
    case UnaryOperator::kNot: {
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr condition,
                               CoerceExpression(operand, DataType::Boolean()));
      if (operand->type.id() != TypeId::kBoolean && operand->type.id() != TypeId::kNull &&
          !IsStringLiteral(unary.operand.get())) {
        return Status::Error(ErrorCode::kTypeMismatch, "argument of NOT must be BOOLEAN, not {}",
                             operand->type.ToString())
            .WithPosition(unary.operand->position);
      }
      return MakeLogical(BoundExpressionKind::kNot, {std::move(condition)}, unary.position);
    }
  }
  return Status::Error(ErrorCode::kInternal, "unknown unary operator");
}

Result<BoundExprPtr> ExpressionBinder::BindBinary(const BinaryExpression& binary) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr left, Bind(*binary.left));
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr right, Bind(*binary.right));
  const Expression* const sources[] = {binary.left.get(), binary.right.get()};
  return ResolveScalar(BinaryOperatorName(binary.op),
                       ArgumentList(std::move(left), std::move(right)), sources, binary.position);
}

Result<BoundExprPtr> ExpressionBinder::BindLogical(const LogicalExpression& logical) {
  std::vector<BoundExprPtr> operands;
  operands.reserve(logical.operands.size());
  const char* word = logical.op == LogicalOperator::kAnd ? "AND" : "OR";
  for (const auto& operand : logical.operands) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, Bind(*operand));
    if (bound->type.id() != TypeId::kBoolean && bound->type.id() != TypeId::kNull) {
      return Status::Error(ErrorCode::kTypeMismatch, "argument of {} must be BOOLEAN, not {}", word,
                           bound->type.ToString())
          .WithPosition(operand->position);
    }
    LAMINAR_ASSIGN_OR_RETURN(bound, CoerceExpression(std::move(bound), DataType::Boolean()));
    operands.push_back(std::move(bound));
  }
  return MakeLogical(
      logical.op == LogicalOperator::kAnd ? BoundExpressionKind::kAnd : BoundExpressionKind::kOr,
      std::move(operands), logical.position);
}

Result<BoundExprPtr> ExpressionBinder::BindIs(const IsExpression& is) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*is.operand));
  BoundExprPtr result;
  switch (is.test) {
    case IsTest::kNull:
      result = MakeLogical(BoundExpressionKind::kIsNull, {operand}, is.position);
      break;
    case IsTest::kUnknown:
    case IsTest::kTrue:
    case IsTest::kFalse: {
      if (operand->type.id() != TypeId::kBoolean && operand->type.id() != TypeId::kNull) {
        return Status::Error(ErrorCode::kTypeMismatch,
                             "argument of IS TRUE/FALSE/UNKNOWN must be BOOLEAN, not {}",
                             operand->type.ToString())
            .WithPosition(is.operand->position);
      }
      if (is.test == IsTest::kUnknown) {
        result = MakeLogical(BoundExpressionKind::kIsNull, {operand}, is.position);
      } else {
        const Expression* const sources[] = {is.operand.get(), nullptr};
        LAMINAR_ASSIGN_OR_RETURN(
            result,
            ResolveScalar(
                "is not distinct from",
                ArgumentList(operand, MakeConstant(Value::Boolean(is.test == IsTest::kTrue))),
                sources, is.position));
      }
      break;
    }
  }
  if (is.negated) return MakeLogical(BoundExpressionKind::kNot, {result}, is.position);
  return result;
}

Result<BoundExprPtr> ExpressionBinder::BindBetween(const BetweenExpression& between) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*between.operand));
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr low, Bind(*between.low));
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr high, Bind(*between.high));
  if (between.symmetric) {
    const Expression* const bound_sources[] = {between.low.get(), between.high.get()};
    BoundExprPtr least_low = low;
    BoundExprPtr least_high = high;
    LAMINAR_ASSIGN_OR_RETURN(low, ResolveScalar("least", ArgumentList(least_low, least_high),
                                                bound_sources, between.position));
    LAMINAR_ASSIGN_OR_RETURN(high, ResolveScalar("greatest", ArgumentList(least_low, least_high),
                                                 bound_sources, between.position));
  }
  const Expression* const lower_sources[] = {between.operand.get(), between.low.get()};
  LAMINAR_ASSIGN_OR_RETURN(
      BoundExprPtr lower_check,
      ResolveScalar(">=", ArgumentList(operand, std::move(low)), lower_sources, between.position));
  const Expression* const upper_sources[] = {between.operand.get(), between.high.get()};
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr upper_check,
                           ResolveScalar("<=", ArgumentList(std::move(operand), std::move(high)),
                                         upper_sources, between.position));
  BoundExprPtr result =
      MakeLogical(BoundExpressionKind::kAnd, {lower_check, upper_check}, between.position);
  if (between.negated) return MakeLogical(BoundExpressionKind::kNot, {result}, between.position);
  return result;
}

Result<BoundExprPtr> ExpressionBinder::BindLike(const LikeExpression& like) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*like.operand));
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr pattern, Bind(*like.pattern));
  std::vector<BoundExprPtr> arguments;
  arguments.reserve(3);
  arguments.push_back(std::move(operand));
  arguments.push_back(std::move(pattern));
  const Expression* const sources[] = {like.operand.get(), like.pattern.get(), like.escape.get()};
  if (like.escape) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr escape, Bind(*like.escape));
    arguments.push_back(std::move(escape));
  }
  LAMINAR_ASSIGN_OR_RETURN(
      BoundExprPtr result,
      ResolveScalar(like.case_insensitive ? "ilike" : "like", std::move(arguments),
                    std::span(sources, like.escape ? 3 : 2), like.position));
  if (like.negated) return MakeLogical(BoundExpressionKind::kNot, {result}, like.position);
  return result;
}

Result<BoundExprPtr> ExpressionBinder::BindInList(const InListExpression& in) {
  std::vector<BoundExprPtr> values;
  std::vector<ArgumentInfo> infos;
  values.reserve(in.items.size() + 1);
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*in.operand));
  values.push_back(operand);
  for (const auto& item : in.items) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, Bind(*item));
    values.push_back(std::move(bound));
  }
  infos.push_back(InfoFor(*values[0], in.operand.get()));
  for (size_t i = 0; i < in.items.size(); ++i) {
    infos.push_back(InfoFor(*values[i + 1], in.items[i].get()));
  }
  auto common = functions::CommonSupertype(infos, "IN");
  if (!common.ok()) return std::move(common).status().WithPosition(in.position);
  for (auto& value : values) {
    LAMINAR_ASSIGN_OR_RETURN(value, CoerceExpression(std::move(value), *common));
  }
  auto result = std::make_shared<BoundExpression>();
  result->kind = BoundExpressionKind::kInList;
  result->type = DataType::Boolean();
  result->position = in.position;
  result->children = std::move(values);
  if (in.negated) return MakeLogical(BoundExpressionKind::kNot, {result}, in.position);
  return BoundExprPtr(result);
}

Result<BoundExprPtr> ExpressionBinder::BindCase(const CaseExpression& case_expr) {
  BoundExprPtr operand;
  if (case_expr.operand) {
    LAMINAR_ASSIGN_OR_RETURN(operand, Bind(*case_expr.operand));
  }
  const size_t branches = case_expr.when_clauses.size();
  std::vector<BoundExprPtr> conditions;
  std::vector<BoundExprPtr> results;
  std::vector<ArgumentInfo> result_infos;
  conditions.reserve(branches);
  results.reserve(branches);
  result_infos.reserve(branches + 1);
  for (const WhenClause& when : case_expr.when_clauses) {
    if (operand) {
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, Bind(*when.condition));
      const Expression* const sources[] = {case_expr.operand.get(), when.condition.get()};
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr equal,
                               ResolveScalar("=", ArgumentList(operand, std::move(value)), sources,
                                             when.condition->position));
      conditions.push_back(std::move(equal));
    } else {
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr condition, BindCondition(*when.condition));
      conditions.push_back(std::move(condition));
    }
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr result, Bind(*when.result));
    result_infos.push_back(InfoFor(*result, when.result.get()));
    results.push_back(std::move(result));
  }
  BoundExprPtr else_result;
  if (case_expr.else_result) {
    LAMINAR_ASSIGN_OR_RETURN(else_result, Bind(*case_expr.else_result));
    result_infos.push_back(InfoFor(*else_result, case_expr.else_result.get()));
  }
  auto common = functions::CommonSupertype(result_infos, "CASE");
  if (!common.ok()) return std::move(common).status().WithPosition(case_expr.position);
  DataType type = *common;
  if (type.id() == TypeId::kNull) type = DataType::Varchar();
  auto result = std::make_shared<BoundExpression>();
  result->kind = BoundExpressionKind::kCase;
  result->type = type;
  result->position = case_expr.position;
  result->children.reserve(2 * conditions.size() + (else_result ? 1 : 0));
  for (size_t i = 0; i < conditions.size(); ++i) {
    result->children.push_back(std::move(conditions[i]));
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, CoerceExpression(std::move(results[i]), type));
    result->children.push_back(std::move(value));
  }
  if (else_result) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr value, CoerceExpression(std::move(else_result), type));
    result->children.push_back(std::move(value));
    result->has_else = true;
  }
  return BoundExprPtr(result);
}

Result<BoundExprPtr> ExpressionBinder::BindCast(const CastExpression& cast) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*cast.operand));
  LAMINAR_ASSIGN_OR_RETURN(const DataType target, ResolveTypeName(cast.type));
  if (operand->type == target) return operand;
  if (IsStringLiteral(cast.operand.get()) || operand->type.id() == TypeId::kNull) {
    auto folded = CoerceExpression(operand, target);
    if (!folded.ok()) return std::move(folded).status().WithPosition(cast.operand->position);
    return folded;
  }
  if (!functions::CanCast(operand->type, target)) {
    return Status::Error(ErrorCode::kTypeMismatch, "cannot cast {} to {}", operand->type.ToString(),
                         target.ToString())
        .WithPosition(cast.position);
  }
  return MakeCast(std::move(operand), target, cast.try_cast);
}

Result<BoundExprPtr> ExpressionBinder::BindFunction(const FunctionCallExpression& call) {
  if (call.name.size() != 1) {
    return Status::Error(ErrorCode::kUnknownFunction, "function {} does not exist", CallName(call))
        .WithPosition(call.position);
  }
  const std::string_view name = call.name[0];
  if (call.over) return BindOver(call, name);
  if (IsAggregateCall(resolver_.registry(), call, name)) {
    if (grouping_ == nullptr) {
      return Status::Error(ErrorCode::kInvalidGrouping,
                           "aggregate function {} is not allowed in {}", name, clause_)
          .WithPosition(call.position);
    }
    return BindAggregate(call, name);
  }
  if (call.distinct || call.filter) {
    return Status::Error(ErrorCode::kSyntaxError,
                         "{} is not an aggregate function, so {} is "
                         "not allowed",
                         name, call.distinct ? "DISTINCT" : "FILTER")
        .WithPosition(call.position);
  }
  if (call.star_argument) {
    return Status::Error(ErrorCode::kUnknownFunction, "function {}(*) does not exist", name)
        .WithPosition(call.position);
  }
  const auto signatures = resolver_.registry().Signatures(name, FunctionKind::kScalar);
  if (!signatures.empty() && signatures.front().window_assignment) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "window function {}() may only appear in GROUP BY and in the select "
                         "list of a query grouped by it, not in {}",
                         name, clause_)
        .WithPosition(call.position);
  }
  std::vector<BoundExprPtr> arguments;
  std::vector<const Expression*> sources;
  arguments.reserve(call.args.size());
  sources.reserve(call.args.size());
  for (const auto& argument : call.args) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, Bind(*argument));
    arguments.push_back(std::move(bound));
    sources.push_back(argument.get());
  }
  return ResolveScalar(name, std::move(arguments), sources, call.position);
}

Result<BoundExprPtr> ExpressionBinder::BindAggregate(const FunctionCallExpression& call,
                                                     std::string_view name) {
  // Arguments and FILTER see the input rows, not the groups; nested aggregates are errors.
  ExpressionBinder argument_binder(resolver_, scope_, "aggregate arguments");
  AggregateCall aggregate;
  aggregate.function = name;
  aggregate.distinct = call.distinct;
  aggregate.position = call.position;
  std::vector<ArgumentInfo> infos;
  if (!call.star_argument) {
    for (const auto& argument : call.args) {
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, argument_binder.Bind(*argument));
      infos.push_back(InfoFor(*bound, argument.get()));
      aggregate.arguments.push_back(std::move(bound));
    }
  } else if (name != "count") {
    return Status::Error(ErrorCode::kUnknownFunction, "function {}(*) does not exist", name)
        .WithPosition(call.position);
  }
  auto resolution = resolver_.Resolve(name, FunctionKind::kAggregate, infos);
  if (!resolution.ok()) return std::move(resolution).status().WithPosition(call.position);
  const functions::ResolvedFunction& resolved = **resolution;
  aggregate.function_id = resolved.id;
  for (size_t i = 0; i < aggregate.arguments.size(); ++i) {
    LAMINAR_ASSIGN_OR_RETURN(
        aggregate.arguments[i],
        CoerceExpression(std::move(aggregate.arguments[i]), resolved.parameter_types[i]));
  }
  aggregate.type = resolved.return_type;  // Before FILTER resolves other calls.
  if (call.filter) {
    ExpressionBinder filter_binder(resolver_, scope_, "FILTER");
    LAMINAR_ASSIGN_OR_RETURN(aggregate.filter, filter_binder.BindCondition(*call.filter));
  }
  for (size_t i = 0; i < grouping_->aggregates.size(); ++i) {
    if (grouping_->aggregates[i].SameCall(aggregate)) {
      return MakeColumn(grouping_->aggregate_column(static_cast<int>(i)),
                        grouping_->aggregates[i].name, aggregate.type, call.position);
    }
  }
  aggregate.name = NumberedName(name, grouping_->aggregates.size());
  const int column = grouping_->aggregate_column(static_cast<int>(grouping_->aggregates.size()));
  grouping_->aggregates.push_back(aggregate);
  return MakeColumn(column, aggregate.name, aggregate.type, call.position);
}

Result<BoundExprPtr> ExpressionBinder::BindOver(const FunctionCallExpression& call,
                                                std::string_view name) {
  if (over_ == nullptr) {
    return Status::Error(ErrorCode::kInvalidGrouping,
                         "window function {}() OVER (...) is not allowed in {}", name, clause_)
        .WithPosition(call.position);
  }
  if (grouping_ != nullptr) {
    return NotSupported(call.position,
                        "OVER (...) in a query that also aggregates with GROUP BY is not "
                        "supported yet; aggregate in a subquery first");
  }
  if (call.distinct || call.filter) {
    return NotSupported(call.position, fmt::format("{} with {} and OVER is not supported yet", name,
                                                   call.distinct ? "DISTINCT" : "FILTER"));
  }
  ExpressionBinder row_binder(resolver_, scope_, "an OVER clause");
  OverCall over;
  over.function = name;
  over.position = call.position;
  std::vector<ArgumentInfo> infos;
  if (!call.star_argument) {
    for (const auto& argument : call.args) {
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, row_binder.Bind(*argument));
      infos.push_back(InfoFor(*bound, argument.get()));
      over.arguments.push_back(std::move(bound));
    }
  }
  auto resolution = resolver_.Resolve(name, FunctionKind::kWindow, infos);
  if (!resolution.ok()) return std::move(resolution).status().WithPosition(call.position);
  const functions::ResolvedFunction& resolved = **resolution;
  for (size_t i = 0; i < over.arguments.size(); ++i) {
    LAMINAR_ASSIGN_OR_RETURN(over.arguments[i], CoerceExpression(std::move(over.arguments[i]),
                                                                 resolved.parameter_types[i]));
  }
  // Kept before binding the OVER clause, which resolves other calls.
  const bool requires_order_by = resolved.requires_order_by;
  over.type = resolved.return_type;
  const WindowSpecification& spec = *call.over;
  for (const auto& partition : spec.partition_by) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, row_binder.Bind(*partition));
    over.partition_by.push_back(std::move(bound));
  }
  for (const auto& item : spec.order_by) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, row_binder.Bind(*item.expr));
    SortKey key;
    key.expr = std::move(bound);
    key.descending = item.direction == SortDirection::kDescending;
    key.nulls_first =
        item.nulls == NullsOrder::kDefault ? key.descending : item.nulls == NullsOrder::kFirst;
    over.order_by.push_back(std::move(key));
  }
  if (requires_order_by && over.order_by.empty()) {
    return Status::Error(ErrorCode::kInvalidWindow, "{}() needs ORDER BY in its OVER clause", name)
        .WithPosition(call.position);
  }
  if (spec.frame) {
    const WindowFrame& frame = *spec.frame;
    if (frame.unit == FrameUnit::kGroups) {
      return NotSupported(call.position, "GROUPS frames are not supported yet");
    }
    Frame bound_frame;
    bound_frame.kind = frame.unit == FrameUnit::kRows ? FrameKind::kRows : FrameKind::kRange;
    auto bind_edge = [&](const FrameBound& edge, FrameEdge* out) -> Status {
      out->kind = static_cast<FrameEdge::Kind>(static_cast<int>(edge.kind));
      if (!edge.offset) return Status::Ok();
      LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr offset, row_binder.Bind(*edge.offset));
      if (bound_frame.kind == FrameKind::kRows) {
        LAMINAR_ASSIGN_OR_RETURN(out->offset, ConstantInteger(*offset, "a ROWS frame offset"));
      } else {
        LAMINAR_ASSIGN_OR_RETURN(out->offset,
                                 ConstantIntervalMicros(*offset, "a RANGE frame offset"));
      }
      if (out->offset < 0) {
        return Status::Error(ErrorCode::kInvalidWindow, "frame offsets must not be negative")
            .WithPosition(edge.offset->position);
      }
      return Status::Ok();
    };
    LAMINAR_RETURN_IF_ERROR(bind_edge(frame.start, &bound_frame.start));
    if (frame.end) {
      LAMINAR_RETURN_IF_ERROR(bind_edge(*frame.end, &bound_frame.end));
    } else {
      bound_frame.end = FrameEdge{FrameEdge::Kind::kCurrentRow, 0};
    }
    if (bound_frame.kind == FrameKind::kRange && over.order_by.size() != 1 &&
        (bound_frame.start.kind == FrameEdge::Kind::kPreceding ||
         bound_frame.end.kind == FrameEdge::Kind::kFollowing)) {
      return Status::Error(ErrorCode::kInvalidWindow,
                           "a RANGE frame with an offset needs exactly one ORDER BY column")
          .WithPosition(call.position);
    }
    over.frame = bound_frame;
  }
  // The same call in the select list and in QUALIFY is computed once.
  for (size_t i = 0; i < over_->calls.size(); ++i) {
    if (over_->calls[i].SameCall(over)) {
      return MakeColumn(over_->input_width + static_cast<int>(i), over_->calls[i].name, over.type,
                        call.position);
    }
  }
  over.name = NumberedName(name, over_->calls.size());
  const int column = over_->input_width + static_cast<int>(over_->calls.size());
  const DataType type = over.type;
  const std::string column_name = over.name;
  over_->calls.push_back(std::move(over));
  return MakeColumn(column, column_name, type, call.position);
}

Result<BoundExprPtr> ExpressionBinder::BindWindowAssignmentReference(
    const FunctionCallExpression& call, std::string_view name) {
  if (!grouping_->window) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "{}() refers to a window, but the query is not grouped by one", name)
        .WithPosition(call.position);
  }
  ExpressionBinder row_binder(resolver_, scope_, clause_);
  std::vector<BoundExprPtr> arguments;
  arguments.reserve(call.args.size());
  for (const auto& argument : call.args) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr bound, row_binder.Bind(*argument));
    arguments.push_back(std::move(bound));
  }
  const std::string_view kinds[] = {"tumble", "hop", "session", "cumulate"};
  if (WindowFamily(name) != kinds[static_cast<int>(grouping_->window->kind)] ||
      !SameWindowArguments(arguments, grouping_->window_arguments)) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "{}() must name the same window as the GROUP BY clause ({})", name,
                         grouping_->window->ToString())
        .WithPosition(call.position);
  }
  const int bound = WindowBoundOf(name);
  const DataType type = scope_.columns()[grouping_->window->time_column].type;
  return MakeColumn(bound, bound == 0 ? "window_start" : "window_end", type, call.position);
}

Result<BoundExprPtr> ExpressionBinder::BindExtract(const ExtractExpression& extract) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr source, Bind(*extract.source));
  // date_part('field', source): the field travels as a string literal so the registry can
  // pick the result type (BIGINT for hour, DECIMAL for epoch) and reject unknown fields.
  LiteralExpression field_literal;
  field_literal.literal_kind = LiteralKind::kString;
  field_literal.value = extract.field;
  field_literal.position = extract.position;
  const Expression* const sources[] = {&field_literal, extract.source.get()};
  return ResolveScalar("date_part",
                       ArgumentList(MakeConstant(Value::Varchar(extract.field), extract.position),
                                    std::move(source)),
                       sources, extract.position);
}

Result<BoundExprPtr> ExpressionBinder::BindSubstring(const SubstringExpression& substring) {
  LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*substring.operand));
  std::vector<BoundExprPtr> arguments = {operand};
  std::vector<const Expression*> sources = {substring.operand.get()};
  if (substring.start) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr start, Bind(*substring.start));
    arguments.push_back(std::move(start));
    sources.push_back(substring.start.get());
  } else {
    arguments.push_back(MakeConstant(Value::BigInt(1), substring.position));
    sources.push_back(nullptr);
  }
  if (substring.length) {
    LAMINAR_ASSIGN_OR_RETURN(BoundExprPtr length, Bind(*substring.length));
    arguments.push_back(std::move(length));
    sources.push_back(substring.length.get());
  }
  return ResolveScalar("substring", std::move(arguments), sources, substring.position);
}

Result<BoundExprPtr> ExpressionBinder::ResolveScalar(
    std::string_view name, std::vector<BoundExprPtr> arguments,
    std::span<const Expression* const> literal_sources, SourcePosition position) {
  // Calls rarely have more than a few arguments: describe those on the stack.
  constexpr size_t kInlineArguments = 4;
  std::array<ArgumentInfo, kInlineArguments> inline_infos;
  std::vector<ArgumentInfo> heap_infos;
  std::span<ArgumentInfo> infos(inline_infos.data(), arguments.size());
  if (arguments.size() > kInlineArguments) {
    heap_infos.resize(arguments.size());
    infos = heap_infos;
  }
  for (size_t i = 0; i < arguments.size(); ++i) {
    infos[i] = InfoFor(*arguments[i], i < literal_sources.size() ? literal_sources[i] : nullptr);
  }
  auto resolution = resolver_.Resolve(name, FunctionKind::kScalar, infos);
  if (!resolution.ok()) return std::move(resolution).status().WithPosition(position);
  const functions::ResolvedFunction& resolved = **resolution;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const DataType& target = resolved.parameter_types[i];
    if (arguments[i]->type == target) continue;  // What CoerceExpression would return.
    const SourcePosition argument_position = arguments[i]->position;
    auto coerced = CoerceExpression(std::move(arguments[i]), target);
    if (!coerced.ok()) {
      const SourcePosition where = argument_position.valid() ? argument_position : position;
      return std::move(coerced).status().WithPosition(where);
    }
    arguments[i] = std::move(*coerced);
  }
  return MakeCall(resolved.name, resolved.return_type, std::move(arguments), position);
}

Result<BoundExprPtr> ResolveScalarCall(functions::FunctionResolver& resolver, std::string_view name,
                                       std::vector<BoundExprPtr> arguments,
                                       SourcePosition position) {
  std::vector<ArgumentInfo> infos;
  for (const auto& argument : arguments) infos.push_back(InfoFor(*argument, nullptr));
  auto resolution = resolver.Resolve(name, FunctionKind::kScalar, infos);
  if (!resolution.ok()) return std::move(resolution).status().WithPosition(position);
  const functions::ResolvedFunction& resolved = **resolution;
  for (size_t i = 0; i < arguments.size(); ++i) {
    LAMINAR_ASSIGN_OR_RETURN(
        arguments[i], CoerceExpression(std::move(arguments[i]), resolved.parameter_types[i]));
  }
  return MakeCall(resolved.name, resolved.return_type, std::move(arguments), position);
}

// Folds an implicit conversion of a numeric constant (1 as BIGINT, 2 as DOUBLE, 0.5 as
// DECIMAL(10,2)) so that plans show values, not casts, and Top-N limits stay recognisable.
std::optional<Value> FoldNumericConstant(const Value& value, const DataType& target) {
  const DataType& from = value.type();
  if (from.IsInteger()) {
    const int64_t v = value.integer();
    switch (target.id()) {
      case TypeId::kSmallInt:
        if (v < INT16_MIN || v > INT16_MAX) return std::nullopt;
        return Value::SmallInt(static_cast<int16_t>(v));
      case TypeId::kInteger:
        if (v < INT32_MIN || v > INT32_MAX) return std::nullopt;
        return Value::Integer(static_cast<int32_t>(v));
      case TypeId::kBigInt:
        return Value::BigInt(v);
      case TypeId::kDouble:
        return Value::Double(static_cast<double>(v));
      case TypeId::kReal:
        return Value::Real(static_cast<float>(v));
      case TypeId::kDecimal: {
        auto rescaled =
            RescaleDecimal(static_cast<Decimal128>(v), 0, target.scale(), target.precision());
        if (!rescaled.ok()) return std::nullopt;
        return Value::Decimal(*rescaled, target);
      }
      default:
        return std::nullopt;
    }
  }
  if (from.id() == TypeId::kDecimal && target.id() == TypeId::kDecimal) {
    auto rescaled =
        RescaleDecimal(value.decimal(), from.scale(), target.scale(), target.precision());
    if (!rescaled.ok()) return std::nullopt;
    return Value::Decimal(*rescaled, target);
  }
  if (from.id() == TypeId::kReal && target.id() == TypeId::kDouble) {
    return Value::Double(value.floating());
  }
  return std::nullopt;
}

Result<BoundExprPtr> CoerceExpression(BoundExprPtr expr, const DataType& target) {
  if (expr->type == target) return expr;
  if (expr->kind == BoundExpressionKind::kConstant) {
    if (expr->constant.is_null()) return MakeConstant(Value::Null(target), expr->position);
    if (auto folded = FoldNumericConstant(expr->constant, target)) {
      return MakeConstant(std::move(*folded), expr->position);
    }
    if (expr->type.id() == TypeId::kVarchar) {
      auto parsed = ParseLiteralAs(expr->constant.string(), target);
      if (!parsed.ok()) return std::move(parsed).status().WithPosition(expr->position);
      if (parsed->has_value()) return MakeConstant(std::move(**parsed), expr->position);
    }
  }
  if (target.id() == TypeId::kNull) return expr;
  return MakeCast(std::move(expr), target);
}

Result<int64_t> ConstantIntervalMicros(const BoundExpression& expr, std::string_view what) {
  if (expr.kind != BoundExpressionKind::kConstant || expr.constant.is_null() ||
      expr.type.id() != TypeId::kInterval) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "{} must be a constant INTERVAL such as INTERVAL '10' SECOND, not {}",
                         what, expr.ToString())
        .WithPosition(expr.position);
  }
  const auto micros = IntervalFixedMicros(expr.constant.interval());
  if (!micros) {
    return Status::Error(ErrorCode::kInvalidWindow,
                         "{} cannot be counted in months or years ({}): a month has no fixed "
                         "length; use days",
                         what, expr.ToString())
        .WithPosition(expr.position);
  }
  return *micros;
}

Result<int64_t> ConstantInteger(const BoundExpression& expr, std::string_view what) {
  if (expr.kind == BoundExpressionKind::kConstant && !expr.constant.is_null() &&
      expr.type.IsInteger()) {
    return expr.constant.integer();
  }
  return Status::Error(ErrorCode::kInvalidArgument, "{} must be a constant integer, not {}", what,
                       expr.ToString())
      .WithPosition(expr.position);
}

}  // namespace laminar::sql
