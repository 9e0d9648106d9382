// Differential test of the vectorized evaluator against a row-at-a-time reference interpreter
// written here on Values: random expression trees (generated as SQL and bound by the real
// binder, so the trees are the ones the planner will hand over) over random batches (NULLs,
// sliced columns, random selection vectors). Both sides use the same scalar op structs for the
// per-value arithmetic, so the test checks everything around them: NULL propagation,
// three-valued logic, short-circuiting, CASE/COALESCE assembly, constant folding, casts,
// selections, offsets and error reporting.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "exec/expression_evaluator.h"
#include "exec/expression_test_support.h"
#include "functions/regex.h"
#include "functions/scalar_kernels.h"

namespace laminar::exec {
namespace {

using sql::BoundExpression;
using sql::BoundExpressionKind;

// ----- The reference interpreter. -----

Status ReferenceError(functions::KernelFlags flags) {
  if (flags & functions::kKernelDivisionByZero) return Status(ErrorCode::kDivisionByZero, "ref");
  if (flags & functions::kKernelOverflow) return Status(ErrorCode::kNumericOverflow, "ref");
  return Status(ErrorCode::kInvalidArgument, "ref");
}

template <typename T>
Result<Value> IntegerValue(const DataType& type, T value) {
  switch (type.id()) {
    case TypeId::kSmallInt:
      return Value::SmallInt(static_cast<int16_t>(value));
    case TypeId::kInteger:
      return Value::Integer(static_cast<int32_t>(value));
    case TypeId::kBigInt:
      return Value::BigInt(static_cast<int64_t>(value));
    default:
      return Status(ErrorCode::kInternal, "reference: not an integer type");
  }
}

template <typename Op, typename T>
Result<Value> ApplyIntegerOp(const Op& op, const DataType& type, int64_t a, int64_t b) {
  T out;
  functions::KernelFlags flags = op.Call(static_cast<T>(a), static_cast<T>(b), &out);
  if (flags) return ReferenceError(flags);
  return IntegerValue(type, out);
}

template <typename Op>
Result<Value> Arithmetic(const Op& op, const DataType& type, const Value& a, const Value& b) {
  switch (type.id()) {
    case TypeId::kSmallInt:
      return ApplyIntegerOp<Op, int16_t>(op, type, a.integer(), b.integer());
    case TypeId::kInteger:
      return ApplyIntegerOp<Op, int32_t>(op, type, a.integer(), b.integer());
    case TypeId::kBigInt:
      return ApplyIntegerOp<Op, int64_t>(op, type, a.integer(), b.integer());
    case TypeId::kDouble: {
      double out;
      functions::KernelFlags flags = op.Call(a.floating(), b.floating(), &out);
      if (flags) return ReferenceError(flags);
      return Value::Double(out);
    }
    default:
      return Status(ErrorCode::kInternal, "reference: arithmetic type " + type.ToString());
  }
}

int CompareReference(const Value& a, const Value& b) {
  switch (a.type().id()) {
    case TypeId::kBoolean:
      return functions::CompareValues(a.boolean(), b.boolean());
    case TypeId::kDouble:
      return functions::CompareValues(a.floating(), b.floating());
    case TypeId::kVarchar:
      return functions::CompareValues(a.string(), b.string());
    case TypeId::kDecimal:
      return functions::CompareValues(a.decimal(), b.decimal());
    default:
      return functions::CompareValues(a.integer(), b.integer());
  }
}

class Reference {
 public:
  explicit Reference(const std::vector<Value>& row) : row_(row) {}

  Result<Value> Eval(const BoundExpression& e) {
    switch (e.kind) {
      case BoundExpressionKind::kConstant:
        return e.constant.is_null() ? Value::Null(e.type) : e.constant;
      case BoundExpressionKind::kColumn:
        return row_[e.column_index];
      case BoundExpressionKind::kAnd:
      case BoundExpressionKind::kOr: {
        bool is_and = e.kind == BoundExpressionKind::kAnd;
        bool saw_null = false;
        for (const auto& child : e.children) {
          LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*child));
          if (v.is_null()) {
            saw_null = true;
          } else if (v.boolean() != is_and) {
            return Value::Boolean(!is_and);
          }
        }
        return saw_null ? Value::Null(DataType::Boolean()) : Value::Boolean(is_and);
      }
      case BoundExpressionKind::kNot: {
        LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0]));
        return v.is_null() ? v : Value::Boolean(!v.boolean());
      }
      case BoundExpressionKind::kIsNull: {
        LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0]));
        return Value::Boolean(v.is_null());
      }
      case BoundExpressionKind::kCase: {
        size_t pairs = (e.children.size() - (e.has_else ? 1 : 0)) / 2;
        for (size_t k = 0; k < pairs; ++k) {
          LAMINAR_ASSIGN_OR_RETURN(Value condition, Eval(*e.children[2 * k]));
          if (!condition.is_null() && condition.boolean()) return Eval(*e.children[2 * k + 1]);
        }
        if (e.has_else) return Eval(*e.children.back());
        return Value::Null(e.type);
      }
      case BoundExpressionKind::kInList: {
        LAMINAR_ASSIGN_OR_RETURN(Value needle, Eval(*e.children[0]));
        bool saw_null = false;
        for (size_t k = 1; k < e.children.size(); ++k) {
          LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*e.children[k]));
          if (needle.is_null() || v.is_null()) {
            saw_null = true;
          } else if (CompareReference(needle, v) == 0) {
            return Value::Boolean(true);
          }
        }
        return saw_null ? Value::Null(DataType::Boolean()) : Value::Boolean(false);
      }
      case BoundExpressionKind::kCast:
        return Cast(e);
      case BoundExpressionKind::kCall:
        return Call(e);
    }
    return Status(ErrorCode::kInternal, "reference: kind");
  }

 private:
  Result<Value> Cast(const BoundExpression& e) {
    LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0]));
    if (v.is_null()) return Value::Null(e.type);
    TypeId from = v.type().id();
    TypeId to = e.type.id();
    if (to == TypeId::kVarchar) {
      if (from == TypeId::kDouble) return Value::Varchar(fmt::format("{}", v.floating()));
      return Value::Varchar(fmt::format("{}", v.integer()));
    }
    if (to == TypeId::kDouble) {
      if (from == TypeId::kDouble) return v;
      if (from == TypeId::kDecimal) {
        double out;
        functions::DecimalToFloatOp<double>{
            static_cast<double>(functions::DecimalPowerOfTen(v.type().scale()))}
            .Call(v.decimal(), &out);
        return Value::Double(out);
      }
      return Value::Double(static_cast<double>(v.integer()));
    }
    int64_t value;
    if (from == TypeId::kDouble) {
      functions::KernelFlags flags = 0;
      switch (to) {
        case TypeId::kSmallInt: {
          int16_t out;
          flags = functions::NumericCastOp<double, int16_t>{}.Call(v.floating(), &out);
          value = out;
          break;
        }
        case TypeId::kInteger: {
          int32_t out;
          flags = functions::NumericCastOp<double, int32_t>{}.Call(v.floating(), &out);
          value = out;
          break;
        }
        default: {
          int64_t out;
          flags = functions::NumericCastOp<double, int64_t>{}.Call(v.floating(), &out);
          value = out;
          break;
        }
      }
      if (flags) return ReferenceError(flags);
    } else if (from == TypeId::kDecimal) {
      functions::DecimalRescaleOp<int64_t> op;
      op.divisor = functions::DecimalPowerOfTen(v.type().scale());
      functions::KernelFlags flags = op.Call(v.decimal(), &value);
      if (flags) return ReferenceError(flags);
    } else {
      value = v.integer();
    }
    bool fits = (to == TypeId::kSmallInt && std::in_range<int16_t>(value)) ||
                (to == TypeId::kInteger && std::in_range<int32_t>(value)) || to == TypeId::kBigInt;
    if (!fits) return Status(ErrorCode::kNumericOverflow, "ref");
    return IntegerValue(e.type, value);
  }

  Result<Value> Call(const BoundExpression& e) {
    const std::string& name = e.name;
    if (name == "if") {
      LAMINAR_ASSIGN_OR_RETURN(Value condition, Eval(*e.children[0]));
      bool take = !condition.is_null() && condition.boolean();
      return Eval(*e.children[take ? 1 : 2]);
    }
    if (name == "greatest" || name == "least") {
      std::optional<Value> best;
      for (const auto& child : e.children) {
        LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*child));
        if (v.is_null()) continue;
        int order = best ? CompareReference(v, *best) : 0;
        if (!best || (name == "greatest" ? order > 0 : order < 0)) best = v;
      }
      return best ? *best : Value::Null(e.type);
    }
    if (name == "concat_ws") {
      std::vector<Value> parts;
      for (const auto& child : e.children) {
        LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*child));
        parts.push_back(std::move(v));
      }
      if (parts[0].is_null()) return Value::Null(e.type);
      std::string joined;
      bool first = true;
      for (size_t k = 1; k < parts.size(); ++k) {
        if (parts[k].is_null()) continue;
        if (!first) joined += parts[0].string();
        joined += parts[k].string();
        first = false;
      }
      return Value::Varchar(joined);
    }
    if (name == "coalesce") {
      for (const auto& child : e.children) {
        LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*child));
        if (!v.is_null()) return v;
      }
      return Value::Null(e.type);
    }
    std::vector<Value> args;
    for (const auto& child : e.children) {
      LAMINAR_ASSIGN_OR_RETURN(Value v, Eval(*child));
      args.push_back(std::move(v));
    }
    if (name == "is distinct from" || name == "is not distinct from") {
      bool same = args[0].is_null() || args[1].is_null() ? args[0].is_null() == args[1].is_null()
                                                         : CompareReference(args[0], args[1]) == 0;
      return Value::Boolean(same == (name == "is not distinct from"));
    }
    if (name == "nullif") {
      if (!args[0].is_null() && !args[1].is_null() && CompareReference(args[0], args[1]) == 0) {
        return Value::Null(e.type);
      }
      return args[0].is_null() ? Value::Null(e.type) : args[0];
    }
    for (const Value& arg : args) {
      if (arg.is_null()) return Value::Null(e.type);
    }
    if (name == "+") return Arithmetic(functions::AddOp{}, e.type, args[0], args[1]);
    if (name == "-") return Arithmetic(functions::SubtractOp{}, e.type, args[0], args[1]);
    if (name == "*") return Arithmetic(functions::MultiplyOp{}, e.type, args[0], args[1]);
    if (name == "/") return Arithmetic(functions::DivideOp{}, e.type, args[0], args[1]);
    if (name == "%") return Arithmetic(functions::ModuloOp{}, e.type, args[0], args[1]);
    if (name == "negate") {
      Value zero = e.type.id() == TypeId::kDouble ? Value::Double(0) : Value::BigInt(0);
      if (e.type.id() == TypeId::kDouble) return Value::Double(-args[0].floating());
      if (e.type.id() == TypeId::kDecimal) return Value::Decimal(-args[0].decimal(), e.type);
      return Arithmetic(functions::SubtractOp{}, e.type, zero, args[0]);
    }
    if (name == "=" || name == "<>" || name == "<" || name == "<=" || name == ">" || name == ">=") {
      int order = CompareReference(args[0], args[1]);
      bool result = name == "="    ? order == 0
                    : name == "<>" ? order != 0
                    : name == "<"  ? order < 0
                    : name == "<=" ? order <= 0
                    : name == ">"  ? order > 0
                                   : order >= 0;
      return Value::Boolean(result);
    }
    if (name == "||")
      return Value::Varchar(std::string(args[0].string()) + std::string(args[1].string()));
    if (name == "upper" || name == "lower") {
      std::string text(args[0].string());
      for (char& c : text) {
        if (name == "upper" && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        if (name == "lower" && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      }
      return Value::Varchar(text);
    }
    if (name == "length") return Value::BigInt(functions::Utf8Length(args[0].string()));
    if (name == "substring") {
      return Value::Varchar(
          std::string(functions::Utf8Substring(args[0].string(), args[1].integer(), -1)));
    }
    if (name == "split_part") {
      if (args[2].integer() == 0) return Status(ErrorCode::kInvalidArgument, "ref");
      return Value::Varchar(
          std::string(functions::SplitPart(args[0].string(), args[1].string(), args[2].integer())));
    }
    if (name == "count_char") {
      return Value::BigInt(functions::CountOccurrences(args[0].string(), args[1].string()));
    }
    if (name == "like") {
      bool malformed;
      bool match =
          functions::LikeMatch(args[0].string(), args[1].string(), '\\', false, &malformed);
      if (malformed) return Status(ErrorCode::kInvalidArgument, "ref");
      return Value::Boolean(match);
    }
    if (name == "abs" || name == "sign") {
      if (e.type.id() == TypeId::kDouble) {
        double out;
        if (name == "abs") {
          functions::AbsOp{}.Call(args[0].floating(), &out);
        } else {
          functions::SignOp{}.Call(args[0].floating(), &out);
        }
        return Value::Double(out);
      }
      return UnaryInteger(name, e.type, args[0].integer());
    }
    if (name == "round" || name == "floor" || name == "ceil" || name == "trunc") {
      if (e.type.id() != TypeId::kDouble) return args[0];  // Integers: the argument itself.
      using functions::Rounding;
      bool digits = args.size() == 2;
      Rounding rounding = name == "floor"   ? Rounding::kFloor
                          : name == "ceil"  ? Rounding::kCeil
                          : name == "trunc" ? Rounding::kTruncate
                          : digits          ? Rounding::kHalfAwayFromZero
                                            : Rounding::kHalfEven;
      double out;
      functions::KernelFlags flags =
          digits ? functions::FloatRoundDigitsOp{rounding}.Call(
                       args[0].floating(), static_cast<int32_t>(args[1].integer()), &out)
                 : functions::FloatRoundOp{rounding}.Call(args[0].floating(), &out);
      if (flags) return ReferenceError(flags);
      return Value::Double(out);
    }
    if (name == "sqrt") {
      double out;
      functions::KernelFlags flags =
          functions::MathOp{functions::MathFunction::kSqrt}.Call(args[0].floating(), &out);
      if (flags) return ReferenceError(flags);
      return Value::Double(out);
    }
    std::string scratch;
    if (name == "reverse") {
      return Value::Varchar(std::string(functions::Utf8Reverse(args[0].string(), &scratch)));
    }
    if (name == "replace") {
      return Value::Varchar(std::string(
          functions::ReplaceAll(args[0].string(), args[1].string(), args[2].string(), &scratch)));
    }
    if (name == "trim" || name == "ltrim" || name == "rtrim") {
      std::string_view characters = args.size() == 2 ? args[1].string() : " ";
      return Value::Varchar(std::string(functions::TrimCharacters(
          args[0].string(), characters, name != "rtrim", name != "ltrim")));
    }
    if (name == "left") {
      return Value::Varchar(std::string(functions::Utf8Left(args[0].string(), args[1].integer())));
    }
    if (name == "right") {
      return Value::Varchar(std::string(functions::Utf8Right(args[0].string(), args[1].integer())));
    }
    if (name == "lpad" || name == "rpad") {
      std::string_view out;
      if (!functions::Utf8Pad(args[0].string(), args[1].integer(), args[2].string(), name == "lpad",
                              &scratch, &out)) {
        return Status(ErrorCode::kInvalidArgument, "ref");
      }
      return Value::Varchar(std::string(out));
    }
    if (name == "strpos") {
      return Value::BigInt(functions::Utf8Position(args[0].string(), args[1].string()));
    }
    if (name == "starts_with")
      return Value::Boolean(args[0].string().starts_with(args[1].string()));
    if (name == "ends_with") return Value::Boolean(args[0].string().ends_with(args[1].string()));
    if (name == "regexp_like" || name == "regexp_replace") {
      functions::RegexFlags flags;
      if (args.size() == 4) flags = *functions::ParseRegexFlags(args[3].string(), true);
      LAMINAR_ASSIGN_OR_RETURN(functions::Regex regex,
                               functions::Regex::Compile(args[1].string(), flags));
      if (name == "regexp_like") return Value::Boolean(regex.Matches(args[0].string()));
      return Value::Varchar(
          std::string(regex.Replace(args[0].string(), args[2].string(), &scratch)));
    }
    return Status(ErrorCode::kInternal, "reference: no function " + name);
  }

  static Result<Value> UnaryInteger(const std::string& name, const DataType& type, int64_t a) {
    auto apply = [&](auto value) -> Result<Value> {
      decltype(value) out;
      functions::KernelFlags flags = name == "abs" ? functions::AbsOp{}.Call(value, &out)
                                                   : functions::SignOp{}.Call(value, &out);
      if (flags) return ReferenceError(flags);
      return IntegerValue(type, out);
    };
    switch (type.id()) {
      case TypeId::kSmallInt:
        return apply(static_cast<int16_t>(a));
      case TypeId::kInteger:
        return apply(static_cast<int32_t>(a));
      default:
        return apply(a);
    }
  }

  const std::vector<Value>& row_;
};

// ----- Random SQL expressions over t. -----

class Generator {
 public:
  explicit Generator(uint32_t seed) : random_(seed) {}

  std::string Boolean(int depth) {
    if (depth <= 0 || Chance(15)) {
      return Pick({"f", "(i > 0)", "(v = w)", "CAST(NULL AS BOOLEAN)", "true", "false"});
    }
    switch (Uniform(0, 13)) {
      case 0:
        return "(" + Integer(depth - 1) + " " + Comparison() + " " + Integer(depth - 1) + ")";
      case 1:
        return "(" + Text(depth - 1) + " " + Comparison() + " " + Text(depth - 1) + ")";
      case 2:
        return "(" + Double(depth - 1) + " " + Comparison() + " " + Double(depth - 1) + ")";
      case 3:
        return "(" + Boolean(depth - 1) + " AND " + Boolean(depth - 1) + ")";
      case 4:
        return "(" + Boolean(depth - 1) + " OR " + Boolean(depth - 1) + ")";
      case 5:
        return "(NOT " + Boolean(depth - 1) + ")";
      case 6:
        return "(" + Integer(depth - 1) + (Chance(50) ? " IS NULL)" : " IS NOT NULL)");
      case 7:
        return "(" + Integer(depth - 1) + " IN (" + Integer(depth - 1) + ", " + Integer(depth - 1) +
               ", " + std::to_string(Uniform(-3, 3)) + "))";
      case 8:
        return "(" + Text(depth - 1) + " LIKE " +
               Pick({"'%a%'", "'_'", "'a%'", "'%-%'", "''", "'%'", "'H_llo'"}) + ")";
      case 9:
        return "(" + Integer(depth - 1) +
               (Chance(50) ? " IS DISTINCT FROM " : " IS NOT DISTINCT FROM ") + Integer(depth - 1) +
               ")";
      case 10:
        return "(" + Boolean(depth - 1) + " AND " + Boolean(depth - 1) + " AND " +
               Boolean(depth - 1) + ")";
      case 11:
        return std::string(Chance(50) ? "starts_with(" : "ends_with(") + Text(depth - 1) + ", " +
               Text(depth - 1) + ")";
      case 12:
        return "regexp_like(" + Text(depth - 1) + ", " + Pattern() + ")";
      default:
        return "(CASE WHEN " + Boolean(depth - 1) + " THEN " + Boolean(depth - 1) + " ELSE " +
               Boolean(depth - 1) + " END)";
    }
  }

  std::string Integer(int depth) {
    if (depth <= 0 || Chance(20)) {
      return Pick(
          {"i", "b", "s", "i", "b", "0", "1", "-2", "7", "CAST(NULL AS INTEGER)", "2147483647"});
    }
    switch (Uniform(0, 15)) {
      case 11:
        return std::string(Chance(50) ? "abs(" : "sign(") + Integer(depth - 1) + ")";
      case 12:
        return std::string(Chance(50) ? "greatest(" : "least(") + Integer(depth - 1) + ", " +
               Integer(depth - 1) + (Chance(50) ? ", " + Integer(depth - 1) : std::string()) + ")";
      case 13:
        return "if(" + Boolean(depth - 1) + ", " + Integer(depth - 1) + ", " + Integer(depth - 1) +
               ")";
      case 14:
        return "strpos(" + Text(depth - 1) + ", " + Text(depth - 1) + ")";
      case 15:
        return Pick({"round(", "floor(", "ceil(", "trunc("}) + Integer(depth - 1) + ")";
      case 0:
      case 1:
        return "(" + Integer(depth - 1) + " " + Pick({"+", "-", "*", "/", "%"}) + " " +
               Integer(depth - 1) + ")";
      case 2:
        return "(- " + Integer(depth - 1) + ")";
      case 3:
        return "(CASE WHEN " + Boolean(depth - 1) + " THEN " + Integer(depth - 1) +
               (Chance(70) ? " ELSE " + Integer(depth - 1) : std::string()) + " END)";
      case 4:
        return "coalesce(" + Integer(depth - 1) + ", " + Integer(depth - 1) + ")";
      case 5:
        return "nullif(" + Integer(depth - 1) + ", " + Integer(depth - 1) + ")";
      case 6:
        return "length(" + Text(depth - 1) + ")";
      case 7:
        return "CAST(" + Double(depth - 1) + " AS " + Pick({"INTEGER", "BIGINT", "SMALLINT"}) + ")";
      case 8:
        return "count_char(" + Text(depth - 1) + ", '-')";
      case 9:
        return "CAST(" + Integer(depth - 1) + " AS SMALLINT)";
      default:
        return "(" + Integer(depth - 1) + " + " + Integer(depth - 1) + ")";
    }
  }

  std::string Double(int depth) {
    if (depth <= 0 || Chance(25))
      return Pick(
          {"d", "d", "CAST(1.5 AS DOUBLE)", "CAST(-0.25 AS DOUBLE)", "CAST(NULL AS DOUBLE)"});
    switch (Uniform(0, 8)) {
      case 5:
        return Pick({"abs(", "sign(", "round(", "floor(", "ceil(", "trunc(", "sqrt("}) +
               Double(depth - 1) + ")";
      case 6:
        return std::string(Chance(50) ? "round(" : "trunc(") + Double(depth - 1) + ", " +
               Pick({"0", "1", "2", "-1", "-400", "400"}) + ")";
      case 7:
        return std::string(Chance(50) ? "greatest(" : "least(") + Double(depth - 1) + ", " +
               Double(depth - 1) + ")";
      case 8:
        return "if(" + Boolean(depth - 1) + ", " + Double(depth - 1) + ", " + Double(depth - 1) +
               ")";
      case 0:
        return "(" + Double(depth - 1) + " " + Pick({"+", "-", "*", "/"}) + " " +
               Double(depth - 1) + ")";
      case 1:
        return "CAST(" + Integer(depth - 1) + " AS DOUBLE)";
      case 2:
        return "(- " + Double(depth - 1) + ")";
      case 3:
        return "coalesce(" + Double(depth - 1) + ", " + Double(depth - 1) + ")";
      default:
        return "(CASE WHEN " + Boolean(depth - 1) + " THEN " + Double(depth - 1) + " ELSE " +
               Double(depth - 1) + " END)";
    }
  }

  std::string Text(int depth) {
    if (depth <= 0 || Chance(25)) return Pick({"v", "w", "'ab'", "''", "CAST(NULL AS VARCHAR)"});
    switch (Uniform(0, 17)) {
      case 9:
        return "reverse(" + Text(depth - 1) + ")";
      case 10:
        return "replace(" + Text(depth - 1) + ", " + Pick({"'-'", "'a'", "''", "'ö'"}) + ", " +
               Text(depth - 1) + ")";
      case 11:
        return Pick({"trim(", "ltrim(", "rtrim("}) + Text(depth - 1) +
               (Chance(50) ? ", " + Text(depth - 1) : std::string()) + ")";
      case 12:
        return std::string(Chance(50) ? "left(" : "right(") + Text(depth - 1) + ", " +
               Integer(depth - 1) + ")";
      case 13:
        return std::string(Chance(50) ? "lpad(" : "rpad(") + Text(depth - 1) + ", (" +
               Integer(depth - 1) + " % 9), " + Pick({"'xy'", "'ö'", "''"}) + ")";
      case 14:
        return "concat_ws(" + Text(depth - 1) + ", " + Text(depth - 1) + ", " + Text(depth - 1) +
               ")";
      case 15:
        return "regexp_replace(" + Text(depth - 1) + ", " + Pattern() + ", " +
               Pick({"'<\\&>'", "''", "'\\1\\1'"}) + (Chance(50) ? ", 'g')" : ")");
      case 16:
        return std::string(Chance(50) ? "greatest(" : "least(") + Text(depth - 1) + ", " +
               Text(depth - 1) + ")";
      case 17:
        return "if(" + Boolean(depth - 1) + ", " + Text(depth - 1) + ", " + Text(depth - 1) + ")";
      case 0:
        return "upper(" + Text(depth - 1) + ")";
      case 1:
        return "lower(" + Text(depth - 1) + ")";
      case 2:
        return "(" + Text(depth - 1) + " || " + Text(depth - 1) + ")";
      case 3:
        return "substring(" + Text(depth - 1) + ", " + Integer(depth - 1) + ")";
      case 4:
        return "split_part(" + Text(depth - 1) + ", '-', " + Integer(depth - 1) + ")";
      case 5:
        return "coalesce(" + Text(depth - 1) + ", " + Text(depth - 1) + ")";
      case 6:
        return "CAST(" + Integer(depth - 1) + " AS VARCHAR)";
      case 7:
        return "nullif(" + Text(depth - 1) + ", " + Text(depth - 1) + ")";
      default:
        return "(CASE WHEN " + Boolean(depth - 1) + " THEN " + Text(depth - 1) + " END)";
    }
  }

  std::string Any(int depth) {
    switch (Uniform(0, 3)) {
      case 0:
        return Boolean(depth);
      case 1:
        return Integer(depth);
      case 2:
        return Double(depth);
      default:
        return Text(depth);
    }
  }

  std::vector<std::vector<Value>> Rows(int count) {
    std::vector<std::vector<Value>> rows;
    std::shared_ptr<const Schema> schema = TestSchema();
    for (int r = 0; r < count; ++r) {
      std::vector<Value> row;
      for (const Field& field : schema->fields()) {
        if (Chance(15)) {
          row.push_back(Value::Null(field.type));
          continue;
        }
        switch (field.type.id()) {
          case TypeId::kInteger:
            row.push_back(
                Value::Integer(Chance(5) ? std::numeric_limits<int32_t>::max() : Uniform(-20, 20)));
            break;
          case TypeId::kBigInt:
            row.push_back(Value::BigInt(Chance(5) ? std::numeric_limits<int64_t>::min()
                                                  : Uniform(-100, 100)));
            break;
          case TypeId::kSmallInt:
            row.push_back(
                Value::SmallInt(static_cast<int16_t>(Chance(5) ? 32767 : Uniform(-9, 9))));
            break;
          case TypeId::kDouble: {
            const double kChoices[] = {0.0, -0.0, 1.5, -2.25, 1e300, std::nan(""), 0.1, 3};
            row.push_back(Value::Double(kChoices[Uniform(0, 7)]));
            break;
          }
          case TypeId::kReal:
            row.push_back(Value::Real(1.5f));
            break;
          case TypeId::kDecimal:
            row.push_back(Value::Decimal(Uniform(-1000, 1000), field.type));
            break;
          case TypeId::kVarchar:
            row.push_back(
                Value::Varchar(Pick({"", "a", "ab-c", "Hello", "wörld", "a-b-c", "%_", "AB"})));
            break;
          case TypeId::kBoolean:
            row.push_back(Value::Boolean(Chance(50)));
            break;
          case TypeId::kDate:
            row.push_back(Value::Date(Uniform(-1000, 20000)));
            break;
          case TypeId::kTimestamp:
            row.push_back(Value::Timestamp(int64_t{Uniform(-1000000, 1000000)} * 1000003));
            break;
          default:
            row.push_back(Value::Null(field.type));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }
  std::string Pick(std::initializer_list<const char*> choices) {
    return *(choices.begin() + Uniform(0, static_cast<int>(choices.size()) - 1));
  }
  std::string Comparison() { return Pick({"=", "<>", "<", "<=", ">", ">="}); }
  std::string Pattern() { return Pick({"'^a'", "'b|c'", "'([a-z])-'", "'ö'", "'x*'", "'.'"}); }

 private:
  std::mt19937 random_;
};

std::string Describe(const Result<Value>& value) {
  if (!value.ok()) return value.status().ToString();
  return value->type().ToString() + " " + value->ToString();
}

TEST(ExpressionDifferentialTest, VectorizedMatchesRowAtATimeReference) {
  constexpr int kCases = 4000;
  Generator generator(20260521);
  ExpressionBinder binder;
  int compared_rows = 0;
  int error_cases = 0;
  int filter_cases = 0;
  int filter_error_cases = 0;
  for (int test = 0; test < kCases; ++test) {
    std::string sql = generator.Any(generator.Uniform(1, 5));
    auto bound = binder.Bind(sql);
    ASSERT_TRUE(bound.ok()) << bound.status() << "\n" << sql;
    auto evaluator = ExpressionEvaluator::Make(*bound);
    ASSERT_TRUE(evaluator.ok()) << evaluator.status() << "\n" << sql;

    // A batch with padding rows sliced off (non-zero offsets) and an optional selection.
    int count = generator.Chance(10) ? generator.Uniform(41, 300) : generator.Uniform(0, 40);
    int padding = generator.Uniform(0, 3);
    auto rows = generator.Rows(count + padding);
    Batch batch = MakeTestBatch(rows).Slice(padding, count);
    std::vector<uint32_t> selected;
    bool use_selection = generator.Chance(50);
    for (int r = 0; r < count; ++r) {
      if (!use_selection || generator.Chance(60)) selected.push_back(static_cast<uint32_t>(r));
    }
    if (use_selection) std::shuffle(selected.begin(), selected.end(), std::mt19937(test));
    SelectionVector selection(selected);

    // Reference, row at a time; any failing row makes the whole evaluation fail.
    std::vector<Result<Value>> expected;
    bool reference_failed = false;
    for (uint32_t r : selected) {
      Reference reference(rows[padding + r]);
      expected.push_back(reference.Eval(**bound));
      reference_failed = reference_failed || !expected.back().ok();
    }

    auto actual = evaluator->Evaluate(batch, use_selection ? &selection : nullptr);
    if (reference_failed) {
      ++error_cases;
      EXPECT_FALSE(actual.ok()) << "expected an error for " << sql;
      if (evaluator->type().id() == TypeId::kBoolean && !use_selection) {
        // A predicate fails in a filter as it does when evaluated (boolean kernels select
        // rows without building a boolean column, and must not lose the error).
        SelectionVector all;
        Status filtered = evaluator->FilterAll(batch, &all);
        EXPECT_FALSE(filtered.ok()) << "expected an error for " << sql;
        if (!actual.ok()) {
          EXPECT_EQ(filtered.ToString(), actual.status().ToString()) << sql;
        }
        EXPECT_TRUE(all.empty()) << sql;
        ++filter_error_cases;
      }
      continue;
    }
    ASSERT_TRUE(actual.ok()) << actual.status() << "\n" << sql << "\n" << evaluator->Describe();
    ASSERT_EQ(actual->length(), static_cast<int64_t>(selected.size()));
    for (size_t k = 0; k < selected.size(); ++k) {
      Value got = actual->GetValue(static_cast<int64_t>(k));
      const Value& want = *expected[k];
      // Same type and same text: doubles print their shortest round-trip form, so this is an
      // exact comparison that also treats NaN as equal to NaN and -0 as different from 0.
      ASSERT_EQ(Describe(got), Describe(want)) << sql << "\nrow " << selected[k] << "\n"
                                               << evaluator->Describe();
      ++compared_rows;
    }

    if (evaluator->type().id() == TypeId::kBoolean) {
      ++filter_cases;
      SelectionVector filtered = selection;
      ASSERT_TRUE(evaluator->Filter(batch, &filtered).ok()) << sql;
      std::vector<uint32_t> want;
      for (size_t k = 0; k < selected.size(); ++k) {
        if (!expected[k]->is_null() && expected[k]->boolean()) want.push_back(selected[k]);
      }
      ASSERT_EQ(std::vector<uint32_t>(filtered.data(), filtered.data() + filtered.size()), want)
          << sql;
      if (!use_selection) {
        SelectionVector all;
        ASSERT_TRUE(evaluator->FilterAll(batch, &all).ok()) << sql;
        ASSERT_EQ(std::vector<uint32_t>(all.data(), all.data() + all.size()), want) << sql;
      }
    }
  }
  // The generator must exercise both outcomes.
  EXPECT_GT(compared_rows, kCases * 5);
  EXPECT_GT(error_cases, 10);
  EXPECT_GT(filter_cases, kCases / 10);
  EXPECT_GT(filter_error_cases, 0);
  std::printf("differential: %d cases, %d rows compared, %d error cases, %d filter cases\n", kCases,
              compared_rows, error_cases, filter_cases);
}

}  // namespace
}  // namespace laminar::exec
