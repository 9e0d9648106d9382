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
#include <random>
#include <string>
#include <vector>

#include "exec/expression_evaluator.h"
#include "exec/expression_test_support.h"
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
    return Status(ErrorCode::kInternal, "reference: no function " + name);
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
    switch (Uniform(0, 11)) {
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
    switch (Uniform(0, 10)) {
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
    switch (Uniform(0, 4)) {
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
    switch (Uniform(0, 8)) {
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
  std::printf("differential: %d cases, %d rows compared, %d error cases, %d filter cases\n", kCases,
              compared_rows, error_cases, filter_cases);
}

}  // namespace
}  // namespace laminar::exec
