#include "exec/expression_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "columnar/buffer.h"
#include "common/clock.h"
#include "exec/expression_test_support.h"
#include "functions/function_registry.h"

namespace laminar::exec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Value Ts(std::string_view text) { return Value::Timestamp(*ParseTimestamp(text)); }
Value Dt(std::string_view text) { return Value::Date(*ParseDate(text)); }
Value Dec(Decimal128 unscaled) { return Value::Decimal(unscaled, *DataType::Decimal(10, 2)); }
Value Str(std::string text) { return Value::Varchar(std::move(text)); }

// Row order: i, b, s, d, r, m, v, f, dt, ts, w.
std::vector<Value> Row(Value i, Value b, Value s, Value d, Value r, Value m, Value v, Value f,
                       Value dt, Value ts, Value w) {
  return {i, b, s, d, r, m, v, f, dt, ts, w};
}

std::vector<Value> NullRow() {
  std::shared_ptr<const Schema> schema = TestSchema();
  std::vector<Value> row;
  for (const Field& field : schema->fields()) row.push_back(Value::Null(field.type));
  return row;
}

/// A leading padding row, four rows of interest, and a trailing padding row; tests slice the
/// padding off so that every column has a non-zero offset.
Batch PaddedBatch() {
  std::vector<Value> padding =
      Row(Value::Integer(99), Value::BigInt(99), Value::SmallInt(99), Value::Double(99),
          Value::Real(99), Dec(9900), Str("pad"), Value::Boolean(false), Dt("2000-01-01"),
          Ts("2000-01-01 00:00:00"), Str("pad"));
  return MakeTestBatch({
      padding,
      Row(Value::Integer(7), Value::BigInt(100), Value::SmallInt(3), Value::Double(1.5),
          Value::Real(2.5f), Dec(1234), Str("Hello"), Value::Boolean(true), Dt("2024-05-01"),
          Ts("2024-05-01 09:30:15.25"), Str("a-b-c")),
      Row(Value::Integer(-3), Value::BigInt(-5), Value::SmallInt(-2), Value::Double(-0.25),
          Value::Real(0.5f), Dec(-105), Str("wörld"), Value::Boolean(false), Dt("2024-02-29"),
          Ts("2024-01-31 23:59:59"), Str("x")),
      NullRow(),
      Row(Value::Integer(0), Value::BigInt(std::numeric_limits<int64_t>::max()),
          Value::SmallInt(32767), Value::Double(0), Value::Real(-1.0f), Dec(0), Str(""),
          Value::Boolean(true), Dt("1970-01-01"), Ts("1969-12-31 23:00:00"), Str("")),
      padding,
  });
}

Batch TestBatch() { return PaddedBatch().Slice(1, 4); }

class ExpressionEvaluatorTest : public ::testing::Test {
 protected:
  Result<ExpressionEvaluator> Make(std::string_view expression) {
    LAMINAR_ASSIGN_OR_RETURN(sql::BoundExprPtr bound, binder_.Bind(expression));
    EvaluatorOptions options;
    options.clock = &clock_;
    return ExpressionEvaluator::Make(bound, options);
  }

  /// The code of the error Make reports for `expression` (kOk when it succeeds).
  Status MakeError(std::string_view expression) {
    auto evaluator = Make(expression);
    EXPECT_FALSE(evaluator.ok()) << "expected Make to fail for " << expression;
    return evaluator.status();
  }

  /// The values of `expression` over `batch` as text ("NULL" for NULL).
  std::vector<std::string> Eval(std::string_view expression, const Batch& batch,
                                const SelectionVector* selection = nullptr) {
    auto evaluator = Make(expression);
    EXPECT_TRUE(evaluator.ok()) << evaluator.status() << " for " << expression;
    if (!evaluator.ok()) return {};
    auto column = evaluator->Evaluate(batch, selection);
    EXPECT_TRUE(column.ok()) << column.status() << " for " << expression;
    if (!column.ok()) return {};
    EXPECT_EQ(column->type(), evaluator->type());
    EXPECT_TRUE(column->Validate().ok()) << column->Validate();
    std::vector<std::string> values;
    for (int64_t i = 0; i < column->length(); ++i) values.push_back(column->GetValue(i).ToString());
    return values;
  }
  std::vector<std::string> Eval(std::string_view expression) {
    return Eval(expression, TestBatch());
  }

  Status EvalError(std::string_view expression, const Batch& batch) {
    auto evaluator = Make(expression);
    if (!evaluator.ok()) return evaluator.status();
    auto column = evaluator->Evaluate(batch);
    EXPECT_FALSE(column.ok()) << "expected an error for " << expression;
    return column.status();
  }

  ExpressionBinder binder_;
  /// now() and friends read this clock: 2024-05-01 12:00:00 UTC.
  ManualClock clock_{*ParseTimestamp("2024-05-01 12:00:00")};
};

// ----- Arithmetic. -----

TEST_F(ExpressionEvaluatorTest, IntegerArithmeticPropagatesNulls) {
  EXPECT_THAT(Eval("i + 1"), ElementsAre("8", "-2", "NULL", "1"));
  EXPECT_THAT(Eval("i - s"), ElementsAre("4", "-1", "NULL", "-32767"));
  EXPECT_THAT(Eval("i * 3"), ElementsAre("21", "-9", "NULL", "0"));
  EXPECT_THAT(Eval("i / 2"), ElementsAre("3", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("i % 4"), ElementsAre("3", "-3", "NULL", "0"));
  EXPECT_THAT(Eval("-i"), ElementsAre("-7", "3", "NULL", "0"));
  EXPECT_THAT(Eval("2 - i"), ElementsAre("-5", "5", "NULL", "2"));
  EXPECT_THAT(Eval("s - 1"), ElementsAre("2", "-3", "NULL", "32766"));
}

TEST_F(ExpressionEvaluatorTest, FloatingArithmetic) {
  EXPECT_THAT(Eval("d * 2"), ElementsAre("3", "-0.5", "NULL", "0"));
  EXPECT_THAT(Eval("d / 2"), ElementsAre("0.75", "-0.125", "NULL", "0"));
  EXPECT_THAT(Eval("r + r"), ElementsAre("5", "1", "NULL", "-2"));
  EXPECT_THAT(Eval("-d"), ElementsAre("-1.5", "0.25", "NULL", "-0"));
}

TEST_F(ExpressionEvaluatorTest, DecimalArithmeticIsScaleAware) {
  EXPECT_THAT(Eval("m + m"), ElementsAre("24.68", "-2.10", "NULL", "0.00"));
  EXPECT_THAT(Eval("m - 1"), ElementsAre("11.34", "-2.05", "NULL", "-1.00"));
  EXPECT_THAT(Eval("m * m"), ElementsAre("152.2756", "1.1025", "NULL", "0.0000"));
  EXPECT_THAT(Eval("m * 0.5"), ElementsAre("6.170", "-0.525", "NULL", "0.000"));
  EXPECT_THAT(Eval("m / 3"),
              ElementsAre("4.1133333333333", "-0.3500000000000", "NULL", "0.0000000000000"));
  EXPECT_THAT(Eval("m % 5"), ElementsAre("2.34", "-1.05", "NULL", "0.00"));
  EXPECT_THAT(Eval("-m"), ElementsAre("-12.34", "1.05", "NULL", "0.00"));
}

TEST_F(ExpressionEvaluatorTest, IntegerOverflowNamesTheExpression) {
  Status status = EvalError("b + 1", TestBatch());
  EXPECT_EQ(status.code(), ErrorCode::kNumericOverflow) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("b + 1"));
  EXPECT_EQ(EvalError("b * 2", TestBatch()).code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(EvalError("-(b + 1)", TestBatch()).code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(EvalError("s + s", TestBatch()).code(), ErrorCode::kNumericOverflow);
}

TEST_F(ExpressionEvaluatorTest, DivisionByZeroNamesTheExpression) {
  Status status = EvalError("b / i", TestBatch());
  EXPECT_EQ(status.code(), ErrorCode::kDivisionByZero) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("(b / CAST(i AS BIGINT))"));
  EXPECT_EQ(EvalError("b % i", TestBatch()).code(), ErrorCode::kDivisionByZero);
  EXPECT_EQ(EvalError("d / d", TestBatch()).code(), ErrorCode::kDivisionByZero);
  EXPECT_EQ(EvalError("m / m", TestBatch()).code(), ErrorCode::kDivisionByZero);
}

TEST_F(ExpressionEvaluatorTest, ErrorsInRowsOutsideTheSelectionAreIgnored) {
  SelectionVector selection({0, 1, 2});  // Row 3 (i = 0) is not selected.
  EXPECT_THAT(Eval("b / i", TestBatch(), &selection), ElementsAre("14", "1", "NULL"));
}

TEST_F(ExpressionEvaluatorTest, ErrorsInNullRowsAreIgnored) {
  // A BIGINT column whose NULL slot holds INT64_MAX: b + 1 must be NULL there, not an error.
  BufferBuilder values;
  values.AppendValue(int64_t{1});
  values.AppendValue(std::numeric_limits<int64_t>::max());
  BufferBuilder validity;
  validity.Resize(1);
  SetBit(validity.data(), 0);
  Column column(DataType::BigInt(), 2, validity.Finish(), values.Finish());
  Batch batch = *Batch::Make(Schema::Make({{"b", DataType::BigInt()}}), {column});
  auto evaluator = ExpressionEvaluator::Make(sql::MakeCall(
      "+", DataType::BigInt(),
      {sql::MakeColumn(0, "b", DataType::BigInt()), sql::MakeConstant(Value::BigInt(1))}));
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  auto result = evaluator->Evaluate(batch);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->GetValue(0), Value::BigInt(2));
  EXPECT_TRUE(result->IsNull(1));
}

// ----- Comparisons. -----

TEST_F(ExpressionEvaluatorTest, ComparisonsOfEveryComparableType) {
  EXPECT_THAT(Eval("i < 3"), ElementsAre("false", "true", "NULL", "true"));
  EXPECT_THAT(Eval("b >= 100"), ElementsAre("true", "false", "NULL", "true"));
  EXPECT_THAT(Eval("s <> 3"), ElementsAre("false", "true", "NULL", "true"));
  EXPECT_THAT(Eval("d = 1.5"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("r > 0.5"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("m <= 0"), ElementsAre("false", "true", "NULL", "true"));
  EXPECT_THAT(Eval("v > 'Hello'"), ElementsAre("false", "true", "NULL", "false"));
  EXPECT_THAT(Eval("v = w"), ElementsAre("false", "false", "NULL", "true"));
  EXPECT_THAT(Eval("f = true"), ElementsAre("true", "false", "NULL", "true"));
  EXPECT_THAT(Eval("dt < DATE '2024-03-01'"), ElementsAre("false", "true", "NULL", "true"));
  EXPECT_THAT(Eval("ts > TIMESTAMP '2024-01-01 00:00:00'"),
              ElementsAre("true", "true", "NULL", "false"));
  EXPECT_THAT(Eval("i < b"), ElementsAre("true", "false", "NULL", "true"));
}

TEST_F(ExpressionEvaluatorTest, IsDistinctFromTreatsNullsAsEqual) {
  EXPECT_THAT(Eval("i IS DISTINCT FROM 7"), ElementsAre("false", "true", "true", "true"));
  EXPECT_THAT(Eval("v IS NOT DISTINCT FROM w"), ElementsAre("false", "false", "true", "true"));
  EXPECT_THAT(Eval("i IS NOT DISTINCT FROM NULL"), ElementsAre("false", "false", "true", "false"));
}

// ----- Logic. -----

// f in {T, F, NULL} x (i > 0) in {T, F, NULL}.
Batch TruthTableBatch() {
  std::vector<std::vector<Value>> rows;
  const std::vector<Value> truths = {Value::Boolean(true), Value::Boolean(false),
                                     Value::Null(DataType::Boolean())};
  const std::vector<Value> integers = {Value::Integer(1), Value::Integer(-1),
                                       Value::Null(DataType::Integer())};
  for (const Value& f : truths) {
    for (const Value& i : integers) {
      std::vector<Value> row = NullRow();
      row[0] = i;
      row[7] = f;
      rows.push_back(row);
    }
  }
  return MakeTestBatch(rows);
}

TEST_F(ExpressionEvaluatorTest, AndIsThreeValued) {
  EXPECT_THAT(
      Eval("f AND i > 0", TruthTableBatch()),
      ElementsAre("true", "false", "NULL", "false", "false", "false", "NULL", "false", "NULL"));
}

TEST_F(ExpressionEvaluatorTest, OrIsThreeValued) {
  EXPECT_THAT(Eval("f OR i > 0", TruthTableBatch()),
              ElementsAre("true", "true", "true", "true", "false", "NULL", "true", "NULL", "NULL"));
}

TEST_F(ExpressionEvaluatorTest, NotAndIsNull) {
  EXPECT_THAT(Eval("NOT f"), ElementsAre("false", "true", "NULL", "false"));
  EXPECT_THAT(Eval("v IS NULL"), ElementsAre("false", "false", "true", "false"));
  EXPECT_THAT(Eval("v IS NOT NULL"), ElementsAre("true", "true", "false", "true"));
}

TEST_F(ExpressionEvaluatorTest, AndOrShortCircuitSkipsDecidedRows) {
  // Row 3 has i = 0: the division would fail if it were evaluated there.
  EXPECT_THAT(Eval("i <> 0 AND 10 / i > 0"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("i = 0 OR 10 / i > 0"), ElementsAre("true", "false", "NULL", "true"));
  EXPECT_THAT(Eval("CASE WHEN i = 0 THEN -1 ELSE 10 / i END"),
              ElementsAre("1", "-3", "NULL", "-1"));
}

// AND/OR work on 64-row words: check them against a row-at-a-time three-valued reference on
// batches longer than a word, sliced so that the bitmaps start mid-byte or on a byte, with
// NULLs, and with later operands seeing only undecided rows (the subset path).
TEST_F(ExpressionEvaluatorTest, AndOrOverManyWordsMatchRowByRowThreeValuedLogic) {
  std::mt19937 random(11);
  std::vector<std::vector<Value>> rows;
  std::vector<std::optional<bool>> f_values;
  std::vector<std::optional<int>> i_values;
  std::vector<std::optional<int64_t>> b_values;
  for (int row = 0; row < 301; ++row) {
    std::vector<Value> values = NullRow();
    std::optional<bool> f;
    std::optional<int> i;
    std::optional<int64_t> b;
    if (random() % 5 != 0) f = random() % 2 == 0;
    if (random() % 6 != 0) i = static_cast<int>(random() % 7) - 3;
    if (random() % 7 != 0) b = static_cast<int64_t>(random() % 100);
    if (f) values[7] = Value::Boolean(*f);
    if (i) values[0] = Value::Integer(*i);
    if (b) values[1] = Value::BigInt(*b);
    rows.push_back(values);
    f_values.push_back(f);
    i_values.push_back(i);
    b_values.push_back(b);
  }
  const Batch full = MakeTestBatch(rows);
  auto text = [](std::optional<bool> value) {
    return value ? (*value ? std::string("true") : std::string("false")) : std::string("NULL");
  };
  auto both = [](bool is_and, std::optional<bool> x, std::optional<bool> y) {
    const bool dominant = !is_and;
    if ((x && *x == dominant) || (y && *y == dominant)) return std::optional<bool>(dominant);
    if (!x || !y) return std::optional<bool>();
    return std::optional<bool>(!dominant);
  };
  for (const int64_t offset : {0, 8, 3}) {
    const int64_t length = 301 - offset;
    const Batch batch = full.Slice(offset, length);
    std::vector<std::string> expected_and;
    std::vector<std::string> expected_or;
    for (int64_t row = offset; row < 301; ++row) {
      const std::optional<bool> f = f_values[row];
      std::optional<bool> i_positive;
      if (i_values[row]) i_positive = *i_values[row] > 0;
      std::optional<bool> b_small;
      if (b_values[row]) b_small = *b_values[row] < 50;
      expected_and.push_back(text(both(true, both(true, f, i_positive), b_small)));
      expected_or.push_back(text(both(false, both(false, f, i_positive), b_small)));
    }
    EXPECT_EQ(Eval("f AND i > 0 AND b < 50", batch), expected_and) << "offset " << offset;
    EXPECT_EQ(Eval("f OR i > 0 OR b < 50", batch), expected_or) << "offset " << offset;
  }
}

// ----- Conditionals. -----

TEST_F(ExpressionEvaluatorTest, CaseTakesTheFirstTrueBranch) {
  EXPECT_THAT(Eval("CASE WHEN i > 5 THEN 'big' WHEN i > 0 THEN 'small' ELSE v END"),
              ElementsAre("big", "wörld", "NULL", ""));
  EXPECT_THAT(Eval("CASE WHEN i > 5 THEN d END"), ElementsAre("1.5", "NULL", "NULL", "NULL"));
  EXPECT_THAT(Eval("CASE i WHEN 7 THEN 'seven' WHEN 0 THEN 'zero' ELSE 'other' END"),
              ElementsAre("seven", "other", "other", "zero"));
}

TEST_F(ExpressionEvaluatorTest, InListHasSqlNullSemantics) {
  EXPECT_THAT(Eval("i IN (7, 0)"), ElementsAre("true", "false", "NULL", "true"));
  EXPECT_THAT(Eval("i IN (7, NULL)"), ElementsAre("true", "NULL", "NULL", "NULL"));
  EXPECT_THAT(Eval("i NOT IN (7, 1)"), ElementsAre("false", "true", "NULL", "true"));
  EXPECT_THAT(Eval("v IN ('Hello', '')"), ElementsAre("true", "false", "NULL", "true"));
}

TEST_F(ExpressionEvaluatorTest, CoalesceAndNullIf) {
  EXPECT_THAT(Eval("coalesce(i, 42)"), ElementsAre("7", "-3", "42", "0"));
  EXPECT_THAT(Eval("coalesce(v, w, 'none')"), ElementsAre("Hello", "wörld", "none", ""));
  EXPECT_THAT(Eval("nullif(i, 0)"), ElementsAre("7", "-3", "NULL", "NULL"));
  EXPECT_THAT(Eval("nullif(v, '')"), ElementsAre("Hello", "wörld", "NULL", "NULL"));
}

// ----- Casts. -----

TEST_F(ExpressionEvaluatorTest, NumericCastsRoundAndCheckRanges) {
  EXPECT_THAT(Eval("CAST(d AS INTEGER)"), ElementsAre("2", "0", "NULL", "0"));
  EXPECT_THAT(Eval("CAST(i AS DOUBLE) / 2"), ElementsAre("3.5", "-1.5", "NULL", "0"));
  EXPECT_THAT(Eval("CAST(m AS INTEGER)"), ElementsAre("12", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("CAST(m AS DOUBLE)"), ElementsAre("12.34", "-1.05", "NULL", "0"));
  EXPECT_THAT(Eval("CAST(i AS DECIMAL(5,1))"), ElementsAre("7.0", "-3.0", "NULL", "0.0"));
  EXPECT_THAT(Eval("CAST(m AS DECIMAL(5,1))"), ElementsAre("12.3", "-1.1", "NULL", "0.0"));
  EXPECT_THAT(Eval("CAST(f AS INTEGER)"), ElementsAre("1", "0", "NULL", "1"));
  Status status = EvalError("CAST(b AS INTEGER)", TestBatch());
  EXPECT_EQ(status.code(), ErrorCode::kNumericOverflow) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("9223372036854775807"));
  EXPECT_EQ(EvalError("CAST(s AS TINYINT)", TestBatch()).code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(EvalError("CAST(b AS DECIMAL(5,0))", TestBatch()).code(), ErrorCode::kNumericOverflow);
}

TEST_F(ExpressionEvaluatorTest, CastsToAndFromText) {
  EXPECT_THAT(Eval("CAST(i AS VARCHAR)"), ElementsAre("7", "-3", "NULL", "0"));
  EXPECT_THAT(Eval("CAST(m AS VARCHAR)"), ElementsAre("12.34", "-1.05", "NULL", "0.00"));
  EXPECT_THAT(Eval("CAST(f AS VARCHAR)"), ElementsAre("true", "false", "NULL", "true"));
  EXPECT_THAT(Eval("CAST(dt AS VARCHAR)"),
              ElementsAre("2024-05-01", "2024-02-29", "NULL", "1970-01-01"));
  EXPECT_THAT(Eval("CAST(CAST(i AS VARCHAR) AS BIGINT)"), ElementsAre("7", "-3", "NULL", "0"));
  EXPECT_THAT(Eval("CAST(CAST(d AS VARCHAR) AS DOUBLE)"), ElementsAre("1.5", "-0.25", "NULL", "0"));
  EXPECT_THAT(Eval("CAST(CAST(m AS VARCHAR) AS DECIMAL(10,2))"),
              ElementsAre("12.34", "-1.05", "NULL", "0.00"));
  EXPECT_THAT(
      Eval("CAST(CAST(ts AS VARCHAR) AS TIMESTAMP)"),
      ElementsAre("2024-05-01 09:30:15.25", "2024-01-31 23:59:59", "NULL", "1969-12-31 23:00:00"));
  EXPECT_THAT(Eval("CAST(CAST(f AS VARCHAR) AS BOOLEAN)"),
              ElementsAre("true", "false", "NULL", "true"));
  EXPECT_THAT(Eval("CAST(CAST(i AS VARCHAR) || ' days' AS INTERVAL)"),
              ElementsAre("7 days", "-3 days", "NULL", "00:00:00"));
}

TEST_F(ExpressionEvaluatorTest, InvalidTextCastNamesTheValue) {
  Status status = EvalError("CAST(v AS INTEGER)", TestBatch());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidCast) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("'Hello'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("CAST"));
  EXPECT_EQ(EvalError("CAST(v AS DATE)", TestBatch()).code(), ErrorCode::kInvalidCast);
  EXPECT_EQ(EvalError("CAST(v AS TIMESTAMP)", TestBatch()).code(), ErrorCode::kInvalidCast);
  EXPECT_EQ(EvalError("CAST(v AS BOOLEAN)", TestBatch()).code(), ErrorCode::kInvalidCast);
  EXPECT_EQ(EvalError("CAST(v AS DECIMAL(5,2))", TestBatch()).code(), ErrorCode::kInvalidCast);
  EXPECT_EQ(EvalError("CAST(v AS DOUBLE)", TestBatch()).code(), ErrorCode::kInvalidCast);
}

TEST_F(ExpressionEvaluatorTest, TryCastGivesNullInsteadOfAnError) {
  EXPECT_THAT(Eval("TRY_CAST(v AS INTEGER)"), ElementsAre("NULL", "NULL", "NULL", "NULL"));
  EXPECT_THAT(Eval("TRY_CAST(CAST(i AS VARCHAR) AS INTEGER)"), ElementsAre("7", "-3", "NULL", "0"));
  EXPECT_THAT(Eval("TRY_CAST(b AS INTEGER)"), ElementsAre("100", "-5", "NULL", "NULL"));
}

TEST_F(ExpressionEvaluatorTest, DateTimestampCasts) {
  EXPECT_THAT(
      Eval("CAST(dt AS TIMESTAMP)"),
      ElementsAre("2024-05-01 00:00:00", "2024-02-29 00:00:00", "NULL", "1970-01-01 00:00:00"));
  EXPECT_THAT(Eval("CAST(ts AS DATE)"),
              ElementsAre("2024-05-01", "2024-01-31", "NULL", "1969-12-31"));
}

// ----- Strings. -----

TEST_F(ExpressionEvaluatorTest, StringFunctions) {
  EXPECT_THAT(Eval("lower(v)"), ElementsAre("hello", "wörld", "NULL", ""));
  EXPECT_THAT(Eval("upper(v)"), ElementsAre("HELLO", "WöRLD", "NULL", ""));
  EXPECT_THAT(Eval("length(v)"), ElementsAre("5", "5", "NULL", "0"));
  EXPECT_THAT(Eval("char_length(v)"), ElementsAre("5", "5", "NULL", "0"));
  EXPECT_THAT(Eval("v || '!'"), ElementsAre("Hello!", "wörld!", "NULL", "!"));
  EXPECT_THAT(Eval("concat(v, '-', i)"), ElementsAre("Hello-7", "wörld--3", "-", "-0"));
  EXPECT_THAT(Eval("substring(v, 2, 3)"), ElementsAre("ell", "örl", "NULL", ""));
  EXPECT_THAT(Eval("substring(v, 0, 2)"), ElementsAre("H", "w", "NULL", ""));
  EXPECT_THAT(Eval("substring(v, 4)"), ElementsAre("lo", "ld", "NULL", ""));
  EXPECT_THAT(Eval("split_part(w, '-', 2)"), ElementsAre("b", "", "NULL", ""));
  EXPECT_THAT(Eval("split_part(w, '-', -1)"), ElementsAre("c", "x", "NULL", ""));
  EXPECT_THAT(Eval("count_char(w, '-')"), ElementsAre("2", "0", "NULL", "0"));
  EXPECT_EQ(EvalError("substring(v, 1, -1)", TestBatch()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(EvalError("split_part(w, '-', 0)", TestBatch()).code(), ErrorCode::kInvalidArgument);
}

TEST_F(ExpressionEvaluatorTest, LikeAndIlike) {
  EXPECT_THAT(Eval("v LIKE 'H%'"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("v LIKE '_ör__'"), ElementsAre("false", "true", "NULL", "false"));
  EXPECT_THAT(Eval("v LIKE '%'"), ElementsAre("true", "true", "NULL", "true"));
  EXPECT_THAT(Eval("v ILIKE 'h%O'"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("v NOT LIKE '%l%'"), ElementsAre("false", "false", "NULL", "true"));
  EXPECT_THAT(Eval("w LIKE 'a#-%' ESCAPE '#'"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("'50%' LIKE '50!%' ESCAPE '!'"), ElementsAre("true", "true", "true", "true"));
}

// ----- Date and time. -----

TEST_F(ExpressionEvaluatorTest, TimestampPlusInterval) {
  EXPECT_THAT(
      Eval("ts + INTERVAL '1' HOUR"),
      ElementsAre("2024-05-01 10:30:15.25", "2024-02-01 00:59:59", "NULL", "1970-01-01 00:00:00"));
  EXPECT_THAT(
      Eval("ts + INTERVAL '1' MONTH"),
      ElementsAre("2024-06-01 09:30:15.25", "2024-02-29 23:59:59", "NULL", "1970-01-31 23:00:00"));
  EXPECT_THAT(
      Eval("ts - INTERVAL '1 day 2 hours'"),
      ElementsAre("2024-04-30 07:30:15.25", "2024-01-30 21:59:59", "NULL", "1969-12-30 21:00:00"));
  EXPECT_THAT(Eval("dt + 1"), ElementsAre("2024-05-02", "2024-03-01", "NULL", "1970-01-02"));
}

TEST_F(ExpressionEvaluatorTest, IntervalArithmeticAndComparison) {
  EXPECT_THAT(
      Eval("ts - TIMESTAMP '2024-01-30 21:00:00'"),
      ElementsAre("91 days 12:30:15.25", "1 day 02:59:59", "NULL", "-19752 days -22:00:00"));
  EXPECT_THAT(
      Eval("dt + INTERVAL '1' MONTH"),
      ElementsAre("2024-06-01 00:00:00", "2024-03-29 00:00:00", "NULL", "1970-02-01 00:00:00"));
  EXPECT_THAT(
      Eval("dt - INTERVAL '36' HOUR"),
      ElementsAre("2024-04-29 12:00:00", "2024-02-27 12:00:00", "NULL", "1969-12-30 12:00:00"));
  EXPECT_THAT(Eval("- (ts - ts)"), ElementsAre("00:00:00", "00:00:00", "NULL", "00:00:00"));
  EXPECT_THAT(Eval("INTERVAL '1' MONTH = INTERVAL '30' DAY"),
              ElementsAre("true", "true", "true", "true"));
  EXPECT_THAT(Eval("ts - TIMESTAMP '2024-01-30 21:00:00' > INTERVAL '2' DAY"),
              ElementsAre("true", "false", "NULL", "false"));
}

TEST_F(ExpressionEvaluatorTest, ExtractAndDatePart) {
  EXPECT_THAT(Eval("EXTRACT(HOUR FROM ts)"), ElementsAre("9", "23", "NULL", "23"));
  EXPECT_THAT(Eval("EXTRACT(MINUTE FROM ts)"), ElementsAre("30", "59", "NULL", "0"));
  EXPECT_THAT(Eval("EXTRACT(SECOND FROM ts)"),
              ElementsAre("15.250000", "59.000000", "NULL", "0.000000"));
  EXPECT_THAT(Eval("date_part('day', ts)"), ElementsAre("1", "31", "NULL", "31"));
  EXPECT_THAT(Eval("date_part('month', ts)"), ElementsAre("5", "1", "NULL", "12"));
  EXPECT_THAT(Eval("date_part('year', ts)"), ElementsAre("2024", "2024", "NULL", "1969"));
  EXPECT_THAT(Eval("hour(ts)"), ElementsAre("9", "23", "NULL", "23"));
  EXPECT_THAT(Eval("EXTRACT(DAY FROM dt)"), ElementsAre("1", "29", "NULL", "1"));
}

TEST_F(ExpressionEvaluatorTest, DateTrunc) {
  EXPECT_THAT(
      Eval("date_trunc('hour', ts)"),
      ElementsAre("2024-05-01 09:00:00", "2024-01-31 23:00:00", "NULL", "1969-12-31 23:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('minute', ts)"),
      ElementsAre("2024-05-01 09:30:00", "2024-01-31 23:59:00", "NULL", "1969-12-31 23:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('day', ts)"),
      ElementsAre("2024-05-01 00:00:00", "2024-01-31 00:00:00", "NULL", "1969-12-31 00:00:00"));
}

TEST_F(ExpressionEvaluatorTest, ToCharWithNexmarkPatterns) {
  EXPECT_THAT(Eval("to_char(ts, 'YYYY-MM-DD')"),
              ElementsAre("2024-05-01", "2024-01-31", "NULL", "1969-12-31"));
  EXPECT_THAT(Eval("to_char(ts, 'HH24:MI')"), ElementsAre("09:30", "23:59", "NULL", "23:00"));
  EXPECT_THAT(
      Eval("to_char(ts, 'YYYY-MM-DD HH24:MI:SS')"),
      ElementsAre("2024-05-01 09:30:15", "2024-01-31 23:59:59", "NULL", "1969-12-31 23:00:00"));
}

// ----- The clock. -----

/// Counts the readings of a ManualClock, to check that a batch reads it once.
class CountingClock final : public Clock {
 public:
  explicit CountingClock(const ManualClock* clock) : clock_(clock) {}
  int64_t NowMicros() const override {
    ++reads_;
    return clock_->NowMicros();
  }
  int64_t MonotonicNanos() const override { return clock_->MonotonicNanos(); }
  int reads() const { return reads_; }

 private:
  const ManualClock* clock_;
  mutable std::atomic<int> reads_{0};
};

TEST_F(ExpressionEvaluatorTest, ClockFunctionsReadTheInjectedClock) {
  EXPECT_THAT(Eval("now()"), ElementsAre("2024-05-01 12:00:00+00", "2024-05-01 12:00:00+00",
                                         "2024-05-01 12:00:00+00", "2024-05-01 12:00:00+00"));
  EXPECT_THAT(Eval("current_timestamp"),
              ElementsAre("2024-05-01 12:00:00+00", "2024-05-01 12:00:00+00",
                          "2024-05-01 12:00:00+00", "2024-05-01 12:00:00+00"));
  EXPECT_THAT(Eval("proctime()"), ElementsAre("2024-05-01 12:00:00", "2024-05-01 12:00:00",
                                              "2024-05-01 12:00:00", "2024-05-01 12:00:00"));
  EXPECT_THAT(Eval("current_date"),
              ElementsAre("2024-05-01", "2024-05-01", "2024-05-01", "2024-05-01"));
  EXPECT_THAT(Eval("ts > now() - INTERVAL '3' HOUR"),
              ElementsAre("true", "false", "NULL", "false"));
}

TEST_F(ExpressionEvaluatorTest, ClockIsReadOncePerBatchAndNeverFolded) {
  CountingClock counting(&clock_);
  EvaluatorOptions options;
  options.clock = &counting;
  auto bound = binder_.Bind(
      "CASE WHEN i > 0 THEN now() ELSE now() + INTERVAL '1' DAY END > now() - INTERVAL '1' HOUR");
  ASSERT_TRUE(bound.ok()) << bound.status();
  auto evaluator = ExpressionEvaluator::Make(*bound, options);
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  EXPECT_THAT(evaluator->Describe(), HasSubstr("Clock(now)"));
  EXPECT_EQ(counting.reads(), 0);  // Not read (nor folded) at Make.
  ASSERT_TRUE(evaluator->Evaluate(TestBatch()).ok());
  EXPECT_EQ(counting.reads(), 1);
  SelectionVector selection;
  ASSERT_TRUE(evaluator->FilterAll(TestBatch(), &selection).ok());
  EXPECT_EQ(counting.reads(), 2);

  // The next batch sees the clock's new time; every row of it the same value.
  auto now = Make("now()");
  ASSERT_TRUE(now.ok());
  clock_.AdvanceMicros(90 * kMicrosPerMinute);
  auto column = now->Evaluate(TestBatch());
  ASSERT_TRUE(column.ok());
  for (int64_t row = 0; row < column->length(); ++row) {
    EXPECT_EQ(column->GetValue(row).ToString(), "2024-05-01 13:30:00+00");
  }

  // An expression without a clock function never reads it.
  auto plain = ExpressionEvaluator::Make(*binder_.Bind("i + 1"), options);
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(plain->Evaluate(TestBatch()).ok());
  EXPECT_EQ(counting.reads(), 2);
}

// ----- Numeric functions. -----

TEST_F(ExpressionEvaluatorTest, AbsAndSignKeepTheirTypes) {
  EXPECT_THAT(Eval("abs(i)"), ElementsAre("7", "3", "NULL", "0"));
  EXPECT_THAT(Eval("abs(b)"), ElementsAre("100", "5", "NULL", "9223372036854775807"));
  EXPECT_THAT(Eval("abs(s)"), ElementsAre("3", "2", "NULL", "32767"));
  EXPECT_THAT(Eval("abs(d)"), ElementsAre("1.5", "0.25", "NULL", "0"));
  EXPECT_THAT(Eval("abs(r)"), ElementsAre("2.5", "0.5", "NULL", "1"));
  EXPECT_THAT(Eval("abs(m)"), ElementsAre("12.34", "1.05", "NULL", "0.00"));
  EXPECT_THAT(Eval("sign(i)"), ElementsAre("1", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("sign(d)"), ElementsAre("1", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("sign(m)"), ElementsAre("1", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("mod(i, 4)"), ElementsAre("3", "-3", "NULL", "0"));
}

TEST_F(ExpressionEvaluatorTest, AbsOfTheSmallestIntegerOverflows) {
  Status status = EvalError("abs(-b - 1)", TestBatch());  // Row 3: abs(INT64_MIN).
  EXPECT_EQ(status.code(), ErrorCode::kNumericOverflow) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("abs("));
  EXPECT_EQ(EvalError("abs(CAST(-s - 1 AS SMALLINT))", TestBatch()).code(),
            ErrorCode::kNumericOverflow);
  SelectionVector selection({0, 1, 2});  // Without row 3 nothing overflows.
  EXPECT_THAT(Eval("abs(-b - 1)", TestBatch(), &selection), ElementsAre("101", "4", "NULL"));
}

TEST_F(ExpressionEvaluatorTest, RoundingFunctions) {
  // DOUBLE: round is rint (ties to even, as PostgreSQL on Linux); with digits, ties away.
  EXPECT_THAT(Eval("round(d)"), ElementsAre("2", "-0", "NULL", "0"));
  EXPECT_THAT(Eval("round(CAST(2.5 AS DOUBLE))"), ElementsAre("2", "2", "2", "2"));
  EXPECT_THAT(Eval("round(d, 1)"), ElementsAre("1.5", "-0.3", "NULL", "0"));
  EXPECT_THAT(Eval("round(CAST(1234.5 AS DOUBLE), -2)"),
              ElementsAre("1200", "1200", "1200", "1200"));
  EXPECT_THAT(Eval("floor(d)"), ElementsAre("1", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("ceil(d)"), ElementsAre("2", "-0", "NULL", "0"));
  EXPECT_THAT(Eval("trunc(d)"), ElementsAre("1", "-0", "NULL", "0"));
  EXPECT_THAT(Eval("trunc(d, 1)"), ElementsAre("1.5", "-0.2", "NULL", "0"));
  // DECIMAL: half away from zero; the result types of the registry.
  EXPECT_THAT(Eval("round(m)"), ElementsAre("12", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("round(m, 1)"), ElementsAre("12.30", "-1.10", "NULL", "0.00"));
  EXPECT_THAT(Eval("round(m, -1)"), ElementsAre("10.00", "0.00", "NULL", "0.00"));
  EXPECT_THAT(Eval("round(m, 5)"), ElementsAre("12.34", "-1.05", "NULL", "0.00"));
  EXPECT_THAT(Eval("floor(m)"), ElementsAre("12", "-2", "NULL", "0"));
  EXPECT_THAT(Eval("ceiling(m)"), ElementsAre("13", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("trunc(m)"), ElementsAre("12", "-1", "NULL", "0"));
  EXPECT_THAT(Eval("trunc(m, 1)"), ElementsAre("12.30", "-1.00", "NULL", "0.00"));
  EXPECT_THAT(Eval("round(CAST(-2.5 AS DECIMAL(3,1)))"), ElementsAre("-3", "-3", "-3", "-3"));
  // Integers are integral already: the call is its argument.
  EXPECT_THAT(Eval("round(i)"), ElementsAre("7", "-3", "NULL", "0"));
  EXPECT_THAT(Eval("floor(b)"), ElementsAre("100", "-5", "NULL", "9223372036854775807"));
  EXPECT_EQ(Make("ceil(b)")->Describe(), "Column(#1 b)");
}

TEST_F(ExpressionEvaluatorTest, TranscendentalFunctionsAndTheirDomains) {
  EXPECT_THAT(Eval("sqrt(abs(d))"), ElementsAre("1.224744871391589", "0.5", "NULL", "0"));
  EXPECT_THAT(Eval("exp(d)"), ElementsAre("4.4816890703380645", "0.7788007830714049", "NULL", "1"));
  EXPECT_THAT(Eval("ln(abs(d) + 1)"),
              ElementsAre("0.9162907318741551", "0.22314355131420976", "NULL", "0"));
  EXPECT_THAT(Eval("log(CAST(8 AS DOUBLE))"),
              ElementsAre("0.9030899869919435", "0.9030899869919435", "0.9030899869919435",
                          "0.9030899869919435"));
  EXPECT_THAT(Eval("log10(CAST(1000 AS DOUBLE))"), ElementsAre("3", "3", "3", "3"));
  EXPECT_THAT(Eval("log(2, 8)"), ElementsAre("3", "3", "3", "3"));
  EXPECT_THAT(Eval("power(d, 2)"), ElementsAre("2.25", "0.0625", "NULL", "0"));
  EXPECT_THAT(Eval("d ^ 2"), ElementsAre("2.25", "0.0625", "NULL", "0"));
  EXPECT_THAT(Eval("pow(2, i)"), ElementsAre("128", "0.125", "NULL", "1"));

  Status negative_root = EvalError("sqrt(d)", TestBatch());  // Row 1: -0.25.
  EXPECT_EQ(negative_root.code(), ErrorCode::kInvalidArgument) << negative_root;
  EXPECT_THAT(std::string(negative_root.message()), HasSubstr("sqrt(d)"));
  EXPECT_EQ(EvalError("ln(d)", TestBatch()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(EvalError("ln(abs(d))", TestBatch()).code(), ErrorCode::kInvalidArgument);  // ln 0.
  EXPECT_EQ(EvalError("log10(d)", TestBatch()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(EvalError("log(1, d + 2)", TestBatch()).code(), ErrorCode::kDivisionByZero);
  EXPECT_EQ(EvalError("power(d, -1)", TestBatch()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(EvalError("power(d, 0.5)", TestBatch()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(EvalError("power(d + 10, 400)", TestBatch()).code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(EvalError("exp(d * 1000)", TestBatch()).code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(EvalError("exp(d * -10000)", TestBatch()).code(), ErrorCode::kNumericOverflow);
  SelectionVector positive({0, 2});
  EXPECT_THAT(Eval("sqrt(d)", TestBatch(), &positive), ElementsAre("1.224744871391589", "NULL"));
}

// ----- String functions. -----

TEST_F(ExpressionEvaluatorTest, MoreStringFunctions) {
  EXPECT_THAT(Eval("reverse(v)"), ElementsAre("olleH", "dlröw", "NULL", ""));
  EXPECT_THAT(Eval("replace(w, '-', '+')"), ElementsAre("a+b+c", "x", "NULL", ""));
  EXPECT_THAT(Eval("replace(v, '', 'z')"), ElementsAre("Hello", "wörld", "NULL", ""));
  EXPECT_THAT(Eval("trim('  ' || v || ' ')"), ElementsAre("Hello", "wörld", "NULL", ""));
  EXPECT_THAT(Eval("ltrim('  ' || v || ' ')"), ElementsAre("Hello ", "wörld ", "NULL", ""));
  EXPECT_THAT(Eval("rtrim('  ' || v || ' ')"), ElementsAre("  Hello", "  wörld", "NULL", ""));
  EXPECT_THAT(Eval("btrim(v, 'Hdw')"), ElementsAre("ello", "örl", "NULL", ""));
  EXPECT_THAT(Eval("ltrim(v, 'wö')"), ElementsAre("Hello", "rld", "NULL", ""));
  EXPECT_THAT(Eval("position('l', v)"), ElementsAre("3", "4", "NULL", "0"));
  EXPECT_THAT(Eval("strpos(v, 'ld')"), ElementsAre("0", "4", "NULL", "0"));
  EXPECT_THAT(Eval("strpos(v, '')"), ElementsAre("1", "1", "NULL", "1"));
  EXPECT_THAT(Eval("starts_with(v, 'He')"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("ends_with(w, 'c')"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("left(v, 2)"), ElementsAre("He", "wö", "NULL", ""));
  EXPECT_THAT(Eval("left(v, -2)"), ElementsAre("Hel", "wör", "NULL", ""));
  EXPECT_THAT(Eval("right(v, 2)"), ElementsAre("lo", "ld", "NULL", ""));
  EXPECT_THAT(Eval("right(v, -2)"), ElementsAre("llo", "rld", "NULL", ""));
  EXPECT_THAT(Eval("right(v, i)"), ElementsAre("Hello", "ld", "NULL", ""));
  EXPECT_THAT(Eval("lpad(v, 7, '*')"), ElementsAre("**Hello", "**wörld", "NULL", "*******"));
  EXPECT_THAT(Eval("lpad(v, 3)"), ElementsAre("Hel", "wör", "NULL", "   "));
  EXPECT_THAT(Eval("rpad(v, 6, 'xy')"), ElementsAre("Hellox", "wörldx", "NULL", "xyxyxy"));
  EXPECT_THAT(Eval("rpad(v, i, 'ö')"), ElementsAre("Helloöö", "", "NULL", ""));
  EXPECT_THAT(Eval("lpad(v, 9, '')"), ElementsAre("Hello", "wörld", "NULL", ""));
  EXPECT_THAT(Eval("octet_length(v)"), ElementsAre("5", "6", "NULL", "0"));
  Status too_long = EvalError("lpad(v, 2000000000, 'ab')", TestBatch());
  EXPECT_EQ(too_long.code(), ErrorCode::kInvalidArgument) << too_long;
  EXPECT_THAT(std::string(too_long.message()), HasSubstr("lpad"));
}

TEST_F(ExpressionEvaluatorTest, ConcatWsSkipsNullsButNotANullSeparator) {
  EXPECT_THAT(Eval("concat_ws('-', v, i, NULL, w)"),
              ElementsAre("Hello-7-a-b-c", "wörld--3-x", "", "-0-"));
  EXPECT_THAT(Eval("concat_ws(w, v, v)"),
              ElementsAre("Helloa-b-cHello", "wörldxwörld", "NULL", ""));
  EXPECT_THAT(Eval("concat_ws(CAST(NULL AS VARCHAR), v)"),
              ElementsAre("NULL", "NULL", "NULL", "NULL"));
  EXPECT_THAT(Eval("concat_ws(', ', m, f, dt)"),
              ElementsAre("12.34, true, 2024-05-01", "-1.05, false, 2024-02-29", "",
                          "0.00, true, 1970-01-01"));
}

TEST_F(ExpressionEvaluatorTest, ByteaConcatenationAndLength) {
  BatchBuilder builder(Schema::Make({{"x", DataType::Bytea()}}));
  std::vector<Value> bytes = {Value::Bytea(std::string("\x01\x02", 2))};
  std::vector<Value> null = {Value::Null(DataType::Bytea())};
  ASSERT_TRUE(builder.AppendRow(bytes).ok());
  ASSERT_TRUE(builder.AppendRow(null).ok());
  Batch batch = *builder.Finish();
  sql::BoundExprPtr x = sql::MakeColumn(0, "x", DataType::Bytea());
  auto concat = ExpressionEvaluator::Make(sql::MakeCall("||", DataType::Bytea(), {x, x}));
  ASSERT_TRUE(concat.ok()) << concat.status();
  auto joined = concat->Evaluate(batch);
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_EQ(joined->GetValue(0), Value::Bytea(std::string("\x01\x02\x01\x02", 4)));
  EXPECT_TRUE(joined->IsNull(1));
  auto length = ExpressionEvaluator::Make(sql::MakeCall("length", DataType::BigInt(), {x}));
  ASSERT_TRUE(length.ok()) << length.status();
  auto lengths = length->Evaluate(batch);
  ASSERT_TRUE(lengths.ok());
  EXPECT_EQ(lengths->GetValue(0), Value::BigInt(2));
  EXPECT_TRUE(lengths->IsNull(1));
}

// ----- Conditionals. -----

TEST_F(ExpressionEvaluatorTest, GreatestAndLeastIgnoreNulls) {
  EXPECT_THAT(Eval("greatest(i, 2)"), ElementsAre("7", "2", "2", "2"));
  EXPECT_THAT(Eval("least(i, 2, s)"), ElementsAre("2", "-3", "2", "0"));
  EXPECT_THAT(Eval("greatest(v, w)"), ElementsAre("a-b-c", "x", "NULL", ""));
  EXPECT_THAT(Eval("least(d, CAST(NULL AS DOUBLE))"), ElementsAre("1.5", "-0.25", "NULL", "0"));
  EXPECT_THAT(Eval("greatest(m, 1)"), ElementsAre("12.34", "1.00", "1.00", "1.00"));
  EXPECT_THAT(Eval("least(ts, TIMESTAMP '2024-02-01 00:00:00')"),
              ElementsAre("2024-02-01 00:00:00", "2024-01-31 23:59:59", "2024-02-01 00:00:00",
                          "1969-12-31 23:00:00"));
  EXPECT_THAT(Eval("greatest(d, CAST('NaN' AS DOUBLE))"), ElementsAre("NaN", "NaN", "NaN", "NaN"));
  EXPECT_THAT(Eval("i BETWEEN SYMMETRIC 10 AND 0"), ElementsAre("true", "false", "NULL", "true"));
}

TEST_F(ExpressionEvaluatorTest, IfEvaluatesOnlyTheBranchARowTakes) {
  EXPECT_THAT(Eval("if(i > 0, 'pos', 'other')"), ElementsAre("pos", "other", "other", "other"));
  // Row 3 (i = 0) never reaches the division.
  EXPECT_THAT(Eval("if(i <> 0, 10 / i, -1)"), ElementsAre("1", "-3", "-1", "-1"));
}

// ----- Date and time functions. -----

TEST_F(ExpressionEvaluatorTest, MoreDateFields) {
  EXPECT_THAT(Eval("quarter(ts)"), ElementsAre("2", "1", "NULL", "4"));
  EXPECT_THAT(Eval("week(ts)"), ElementsAre("18", "5", "NULL", "1"));
  EXPECT_THAT(Eval("dayofweek(ts)"), ElementsAre("4", "4", "NULL", "4"));  // Wednesdays.
  EXPECT_THAT(Eval("dayofyear(ts)"), ElementsAre("122", "31", "NULL", "365"));
  EXPECT_THAT(Eval("dayofmonth(dt)"), ElementsAre("1", "29", "NULL", "1"));
  EXPECT_THAT(Eval("EXTRACT(DOW FROM ts)"), ElementsAre("3", "3", "NULL", "3"));
  EXPECT_THAT(Eval("EXTRACT(ISODOW FROM ts)"), ElementsAre("3", "3", "NULL", "3"));
  EXPECT_THAT(Eval("EXTRACT(DOY FROM ts)"), ElementsAre("122", "31", "NULL", "365"));
  EXPECT_THAT(Eval("EXTRACT(ISOYEAR FROM ts)"), ElementsAre("2024", "2024", "NULL", "1970"));
  EXPECT_THAT(Eval("EXTRACT(WEEK FROM ts)"), ElementsAre("18", "5", "NULL", "1"));
  EXPECT_THAT(Eval("EXTRACT(QUARTER FROM ts)"), ElementsAre("2", "1", "NULL", "4"));
  EXPECT_THAT(Eval("EXTRACT(DECADE FROM ts)"), ElementsAre("202", "202", "NULL", "196"));
  EXPECT_THAT(Eval("EXTRACT(CENTURY FROM ts)"), ElementsAre("21", "21", "NULL", "20"));
  EXPECT_THAT(Eval("EXTRACT(MILLENNIUM FROM ts)"), ElementsAre("3", "3", "NULL", "2"));
  EXPECT_THAT(Eval("EXTRACT(MICROSECOND FROM ts)"),
              ElementsAre("15250000", "59000000", "NULL", "0"));
  EXPECT_THAT(Eval("EXTRACT(MILLISECOND FROM ts)"),
              ElementsAre("15250.000", "59000.000", "NULL", "0.000"));
  EXPECT_THAT(Eval("EXTRACT(EPOCH FROM ts)"),
              ElementsAre("1714555815.250000", "1706745599.000000", "NULL", "-3600.000000"));
  EXPECT_THAT(Eval("EXTRACT(TIMEZONE FROM CAST(ts AS TIMESTAMPTZ))"),
              ElementsAre("0", "0", "NULL", "0"));
  EXPECT_EQ(MakeError("EXTRACT(TIMEZONE FROM ts)").code(), ErrorCode::kNotSupported);
  EXPECT_THAT(Eval("EXTRACT(CENTURY FROM TIMESTAMP '0001-06-01 00:00:00 BC')"),
              ElementsAre("-1", "-1", "-1", "-1"));
}

TEST_F(ExpressionEvaluatorTest, DatePartWithAUnitThatVariesByRow) {
  EXPECT_THAT(Eval("date_part(CASE WHEN i > 0 THEN 'hour' ELSE 'second' END, ts)"),
              ElementsAre("9", "59", "NULL", "0"));
  EXPECT_THAT(
      Eval("date_trunc(CASE WHEN i > 0 THEN 'hour' ELSE 'month' END, ts)"),
      ElementsAre("2024-05-01 09:00:00", "2024-01-01 00:00:00", "NULL", "1969-12-01 00:00:00"));
  Status status = EvalError("date_part(v, ts)", TestBatch());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("'Hello'"));
}

TEST_F(ExpressionEvaluatorTest, IntervalFields) {
  const char* kInterval = "INTERVAL '1 year 2 months 3 days 04:05:06.5'";
  auto part = [&](std::string_view unit) {
    return Eval("date_part('" + std::string(unit) + "', " + kInterval + ")")[0];
  };
  EXPECT_EQ(part("year"), "1");
  EXPECT_EQ(part("month"), "2");
  EXPECT_EQ(part("quarter"), "1");
  EXPECT_EQ(part("day"), "3");
  EXPECT_EQ(part("hour"), "4");
  EXPECT_EQ(part("minute"), "5");
  EXPECT_EQ(part("second"), "6.500000");
  EXPECT_EQ(part("millisecond"), "6500.000");
  EXPECT_EQ(part("microsecond"), "6500000");
  EXPECT_EQ(part("epoch"), "37015506.500000");
  EXPECT_EQ(Eval("EXTRACT(HOUR FROM INTERVAL '-1 hours -30 minutes')")[0], "-1");
  EXPECT_EQ(Eval("EXTRACT(MINUTE FROM INTERVAL '-1 hours -30 minutes')")[0], "-30");
  EXPECT_EQ(MakeError("date_part('dow', INTERVAL '1 day')").code(), ErrorCode::kNotSupported);
  EXPECT_EQ(Eval("date_trunc('hour', INTERVAL '1 day 05:30:00')")[0], "1 day 05:00:00");
  EXPECT_EQ(Eval("date_trunc('year', INTERVAL '1 year 2 months 3 days')")[0], "1 year");
  EXPECT_EQ(Eval("date_trunc('month', INTERVAL '1 year 2 months 3 days')")[0], "1 year 2 mons");
  EXPECT_EQ(MakeError("date_trunc('week', INTERVAL '1 day')").code(), ErrorCode::kNotSupported);
}

TEST_F(ExpressionEvaluatorTest, DateTruncToEveryUnit) {
  EXPECT_THAT(
      Eval("date_trunc('week', ts)"),
      ElementsAre("2024-04-29 00:00:00", "2024-01-29 00:00:00", "NULL", "1969-12-29 00:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('quarter', ts)"),
      ElementsAre("2024-04-01 00:00:00", "2024-01-01 00:00:00", "NULL", "1969-10-01 00:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('month', ts)"),
      ElementsAre("2024-05-01 00:00:00", "2024-01-01 00:00:00", "NULL", "1969-12-01 00:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('year', ts)"),
      ElementsAre("2024-01-01 00:00:00", "2024-01-01 00:00:00", "NULL", "1969-01-01 00:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('decade', ts)"),
      ElementsAre("2020-01-01 00:00:00", "2020-01-01 00:00:00", "NULL", "1960-01-01 00:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('century', ts)"),
      ElementsAre("2001-01-01 00:00:00", "2001-01-01 00:00:00", "NULL", "1901-01-01 00:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('millennium', ts)"),
      ElementsAre("2001-01-01 00:00:00", "2001-01-01 00:00:00", "NULL", "1001-01-01 00:00:00"));
  EXPECT_THAT(
      Eval("date_trunc('second', ts)"),
      ElementsAre("2024-05-01 09:30:15", "2024-01-31 23:59:59", "NULL", "1969-12-31 23:00:00"));
  EXPECT_THAT(Eval("date_trunc('milliseconds', ts + INTERVAL '0.0015' SECOND)"),
              ElementsAre("2024-05-01 09:30:15.251", "2024-01-31 23:59:59.001", "NULL",
                          "1969-12-31 23:00:00.001"));
}

TEST_F(ExpressionEvaluatorTest, IntervalTimesAndDividedByANumber) {
  EXPECT_EQ(Eval("INTERVAL '1' DAY * 1.5")[0], "1 day 12:00:00");
  EXPECT_EQ(Eval("INTERVAL '1' MONTH * 0.5")[0], "15 days");
  EXPECT_EQ(Eval("2 * INTERVAL '1 mon 1 day'")[0], "2 mons 2 days");
  EXPECT_EQ(Eval("INTERVAL '1' HOUR / 4")[0], "00:15:00");
  EXPECT_THAT(Eval("d * INTERVAL '1' HOUR"),
              ElementsAre("01:30:00", "-00:15:00", "NULL", "00:00:00"));
  EXPECT_EQ(EvalError("INTERVAL '1' HOUR / d", TestBatch()).code(), ErrorCode::kDivisionByZero);
  EXPECT_EQ(EvalError("INTERVAL '1' DAY * (d * 1e300)", TestBatch()).code(),
            ErrorCode::kNumericOverflow);
}

TEST_F(ExpressionEvaluatorTest, ToCharTemplates) {
  EXPECT_THAT(
      Eval("to_char(ts, 'Day, DD Month YYYY HH12:MI AM')"),
      ElementsAre("Wednesday, 01 May       2024 09:30 AM", "Wednesday, 31 January   2024 11:59 PM",
                  "NULL", "Wednesday, 31 December  1969 11:00 PM"));
  EXPECT_THAT(
      Eval("to_char(ts, 'FMDay FMDD FMMonth')"),
      ElementsAre("Wednesday 1 May", "Wednesday 31 January", "NULL", "Wednesday 31 December"));
  EXPECT_THAT(Eval("to_char(ts, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS')"),
              ElementsAre("2024-05-01T09:30:15.250", "2024-01-31T23:59:59.000", "NULL",
                          "1969-12-31T23:00:00.000"));
  EXPECT_THAT(
      Eval("to_char(ts, 'Q IW DDD J Dy mon US DDth')"),
      ElementsAre("2 18 122 2460432 Wed may 250000 01st", "1 05 031 2460341 Wed jan 000000 31st",
                  "NULL", "4 01 365 2440587 Wed dec 000000 31st"));
  EXPECT_THAT(Eval("to_char(CAST(ts AS TIMESTAMPTZ), 'HH24 TZ OF')"),
              ElementsAre("09 UTC +00", "23 UTC +00", "NULL", "23 UTC +00"));
  EXPECT_EQ(Eval("to_char(TIMESTAMP '0044-03-15 00:00:00 BC', 'YYYY BC')")[0], "0044 BC");
  EXPECT_EQ(Eval("to_char(INTERVAL '1 day 05:30:00', 'DD HH24:MI')")[0], "01 05:30");
  EXPECT_EQ(Eval("to_char(INTERVAL '-90 minutes', 'HH24:MI')")[0], "-01:-30");
  EXPECT_EQ(MakeError("to_char(INTERVAL '1 day', 'Month')").code(), ErrorCode::kInvalidArgument);
  // A template that varies by row is compiled per row.
  EXPECT_THAT(Eval("to_char(ts, CASE WHEN i > 0 THEN 'YYYY' ELSE 'MM' END)"),
              ElementsAre("2024", "01", "NULL", "12"));
}

TEST_F(ExpressionEvaluatorTest, DateFormatTakesJavaPatterns) {
  EXPECT_THAT(
      Eval("date_format(ts, 'yyyy-MM-dd HH:mm:ss')"),
      ElementsAre("2024-05-01 09:30:15", "2024-01-31 23:59:59", "NULL", "1969-12-31 23:00:00"));
  EXPECT_THAT(Eval("date_format(ts, 'EEE, d MMM yyyy h:mm a')"),
              ElementsAre("Wed, 1 May 2024 9:30 AM", "Wed, 31 Jan 2024 11:59 PM", "NULL",
                          "Wed, 31 Dec 1969 11:00 PM"));
  EXPECT_THAT(Eval("date_format(ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS')"),
              ElementsAre("2024-05-01T09:30:15.250", "2024-01-31T23:59:59.000", "NULL",
                          "1969-12-31T23:00:00.000"));
  Status status = MakeError("date_format(ts, 'yyyy-MM-dd bb')");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("'b'"));
}

TEST_F(ExpressionEvaluatorTest, ToTimestampAndToDateParseTemplates) {
  EXPECT_EQ(Eval("to_timestamp('2024-05-01 09:30:15', 'YYYY-MM-DD HH24:MI:SS')")[0],
            "2024-05-01 09:30:15+00");
  EXPECT_EQ(Eval("to_timestamp('01 may 2024 9:30 PM', 'DD Mon YYYY HH12:MI AM')")[0],
            "2024-05-01 21:30:00+00");
  EXPECT_EQ(Eval("to_timestamp('20240501', 'YYYYMMDD')")[0], "2024-05-01 00:00:00+00");
  EXPECT_EQ(Eval("to_timestamp('24-5-1', 'YY-MM-DD')")[0], "2024-05-01 00:00:00+00");
  EXPECT_EQ(Eval("to_timestamp('2024-05-01 09:30:15.25', 'YYYY-MM-DD HH24:MI:SS.US')")[0],
            "2024-05-01 09:30:15.25+00");
  EXPECT_EQ(Eval("to_timestamp('12:30', 'HH24:MI')")[0], "0001-01-01 12:30:00+00");
  EXPECT_THAT(Eval("to_date(CAST(dt AS VARCHAR), 'YYYY-MM-DD') = dt"),
              ElementsAre("true", "true", "NULL", "true"));
  EXPECT_EQ(Eval("to_date('2024-122', 'YYYY-DDD')")[0], "2024-05-01");
  Status status = EvalError("to_timestamp('2024-02-30', 'YYYY-MM-DD') < ts", TestBatch());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("to_timestamp"));
  EXPECT_EQ(EvalError("to_date(v, 'YYYY-MM-DD')", TestBatch()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(MakeError("to_timestamp(v, 'YYYY TZ')").code(), ErrorCode::kInvalidArgument);
}

TEST_F(ExpressionEvaluatorTest, ToTimestampOfEpochSeconds) {
  EXPECT_EQ(Eval("to_timestamp(1700000000)")[0], "2023-11-14 22:13:20+00");
  EXPECT_THAT(Eval("to_timestamp(d)"),
              ElementsAre("1970-01-01 00:00:01.5+00", "1969-12-31 23:59:59.75+00", "NULL",
                          "1970-01-01 00:00:00+00"));
  EXPECT_EQ(EvalError("to_timestamp(d * 1e300)", TestBatch()).code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(EvalError("to_timestamp(CAST('NaN' AS DOUBLE) + d)", TestBatch()).code(),
            ErrorCode::kInvalidArgument);
}

// ----- Regular expressions. -----

TEST_F(ExpressionEvaluatorTest, RegexpLikeAndMatch) {
  EXPECT_THAT(Eval("regexp_like(v, '^h', 'i')"), ElementsAre("true", "false", "NULL", "false"));
  EXPECT_THAT(Eval("regexp_match(v, 'l+')"), ElementsAre("true", "true", "NULL", "false"));
  EXPECT_THAT(Eval("regexp_like(v, '^w.rld$')"), ElementsAre("false", "true", "NULL", "false"));
  EXPECT_THAT(Eval("regexp_like(v, CASE WHEN i > 0 THEN '^H' ELSE 'ö' END)"),
              ElementsAre("true", "true", "NULL", "false"));
  EXPECT_THAT(Make("regexp_like('abc', 'b')")->Describe(), "Constant(true)");
}

TEST_F(ExpressionEvaluatorTest, RegexpExtract) {
  EXPECT_THAT(Eval("regexp_extract(w, '([a-z])-([a-z])', 2)"),
              ElementsAre("b", "NULL", "NULL", "NULL"));
  EXPECT_THAT(Eval("regexp_extract(w, '[a-z]+')"), ElementsAre("a", "x", "NULL", "NULL"));
  // Nexmark q21's channel id.
  EXPECT_THAT(Eval("regexp_extract('https://x/y?a=1&channel_id=42&b=2', "
                   "'(&|^)channel_id=([^&]*)', 2)")[0],
              "42");
  Status status = MakeError("regexp_extract(w, 'a', 1)");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status;
  EXPECT_EQ(EvalError("regexp_extract(w, '(a)', i)", TestBatch()).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(ExpressionEvaluatorTest, RegexpReplaceFirstOrEveryMatch) {
  EXPECT_THAT(Eval("regexp_replace(w, '-', '+')"), ElementsAre("a+b-c", "x", "NULL", ""));
  EXPECT_THAT(Eval("regexp_replace(w, '-', '+', 'g')"), ElementsAre("a+b+c", "x", "NULL", ""));
  EXPECT_THAT(Eval("regexp_replace(w, '([a-z])-', '\\1\\1', 'g')"),
              ElementsAre("aabbc", "x", "NULL", ""));
  EXPECT_THAT(Eval("regexp_replace(v, 'L', '[\\&]', 'gi')"),
              ElementsAre("He[l][l]o", "wör[l]d", "NULL", ""));
  EXPECT_THAT(Eval("regexp_replace(v, 'x*', '-', 'g')"),
              ElementsAre("-H-e-l-l-o-", "-w-ö-r-l-d-", "NULL", "-"));
}

TEST_F(ExpressionEvaluatorTest, InvalidRegularExpressionsNameTheExpression) {
  Status status = MakeError("regexp_like(v, 'a(')");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidRegex) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("regexp_like(v, 'a(')"));
  EXPECT_EQ(MakeError("regexp_replace(v, '[', 'x')").code(), ErrorCode::kInvalidRegex);
  EXPECT_EQ(MakeError("regexp_like(v, 'a', 'z')").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(MakeError("regexp_like(v, 'a', 'g')").code(), ErrorCode::kInvalidArgument);
  // A pattern that varies by row fails when a row brings a bad one.
  Status dynamic = EvalError("regexp_like(v, CASE WHEN i > 0 THEN 'a' ELSE '(' END)", TestBatch());
  EXPECT_EQ(dynamic.code(), ErrorCode::kInvalidRegex) << dynamic;
  SelectionVector selection({0});
  EXPECT_THAT(
      Eval("regexp_like(v, CASE WHEN i > 0 THEN 'l' ELSE '(' END)", TestBatch(), &selection),
      ElementsAre("true"));
}

TEST_F(ExpressionEvaluatorTest, NewFunctionsFollowTheSelection) {
  SelectionVector selection({3, 0, 2});
  EXPECT_THAT(Eval("lpad(reverse(v), 6, '.')", TestBatch(), &selection),
              ElementsAre("......", ".olleH", "NULL"));
  EXPECT_THAT(Eval("greatest(abs(i), round(d))", TestBatch(), &selection),
              ElementsAre("0", "7", "NULL"));
  EXPECT_THAT(Eval("regexp_replace(w, '-', '', 'g')", TestBatch(), &selection),
              ElementsAre("", "abc", "NULL"));
  EXPECT_THAT(Eval("to_char(ts, 'HH24') || date_format(ts, ':mm')", TestBatch(), &selection),
              ElementsAre("23:00", "09:30", "NULL"));
  EXPECT_THAT(Eval("concat_ws('/', left(w, 1), sign(i))", TestBatch(), &selection),
              ElementsAre("/0", "a/1", ""));
}

TEST_F(ExpressionEvaluatorTest, NewFunctionsFoldOverConstants) {
  EXPECT_EQ(Make("abs(-5) + i")->Describe(), "Call(+, Constant(5), Column(#0 i))");
  EXPECT_THAT(Make("v = lpad(upper('ab'), 4, '-')")->Describe(), HasSubstr("Constant('--AB')"));
  EXPECT_THAT(Make("ts > to_timestamp('2024', 'YYYY')")->Describe(),
              HasSubstr("Constant(2024-01-01 00:00:00+00)"));
}

// ----- Machinery: selections, slices, folding, filters. -----

TEST_F(ExpressionEvaluatorTest, SelectionPicksRowsInOrder) {
  SelectionVector selection({3, 0, 2});
  EXPECT_THAT(Eval("i + 1", TestBatch(), &selection), ElementsAre("1", "8", "NULL"));
  EXPECT_THAT(Eval("upper(v)", TestBatch(), &selection), ElementsAre("", "HELLO", "NULL"));
  EXPECT_THAT(Eval("i > 0 AND f", TestBatch(), &selection), ElementsAre("false", "true", "NULL"));
  EXPECT_THAT(Eval("CASE WHEN i > 0 THEN v ELSE w END", TestBatch(), &selection),
              ElementsAre("", "Hello", "NULL"));
  EXPECT_THAT(Eval("42", TestBatch(), &selection), ElementsAre("42", "42", "42"));
}

TEST_F(ExpressionEvaluatorTest, FilterKeepsOnlyTrueRows) {
  auto evaluator = Make("i >= 0 AND v <> 'x'");
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  SelectionVector selection;
  ASSERT_TRUE(evaluator->FilterAll(TestBatch(), &selection).ok());
  EXPECT_THAT(std::vector<uint32_t>(selection.data(), selection.data() + selection.size()),
              ElementsAre(0, 3));
  // Refining an existing selection in place.
  SelectionVector refined({3, 1, 2});
  ASSERT_TRUE(evaluator->Filter(TestBatch(), &refined).ok());
  EXPECT_THAT(std::vector<uint32_t>(refined.data(), refined.data() + refined.size()),
              ElementsAre(3));
  auto or_filter = Make("i < 0 OR f");
  ASSERT_TRUE(or_filter.ok());
  SelectionVector all;
  ASSERT_TRUE(or_filter->FilterAll(TestBatch(), &all).ok());
  EXPECT_THAT(std::vector<uint32_t>(all.data(), all.data() + all.size()), ElementsAre(0, 1, 3));
}

TEST_F(ExpressionEvaluatorTest, BooleanKernelsFilterWithTheirErrorsAndNulls) {
  // A boolean kernel selects rows without building a boolean column; a row its op rejects
  // fails the filter exactly as it fails evaluation, and TRY_ makes that row NULL (not kept).
  auto cast = Make("CAST(v AS BOOLEAN)");
  ASSERT_TRUE(cast.ok()) << cast.status();
  SelectionVector selection;
  Status filtered = cast->FilterAll(TestBatch(), &selection);
  Status evaluated = EvalError("CAST(v AS BOOLEAN)", TestBatch());
  EXPECT_EQ(filtered.code(), ErrorCode::kInvalidCast);
  EXPECT_EQ(filtered.ToString(), evaluated.ToString());
  auto try_cast =
      Make("TRY_CAST(CASE WHEN i = 7 THEN 'true' WHEN i = 0 THEN 'false' ELSE v END AS BOOLEAN)");
  ASSERT_TRUE(try_cast.ok()) << try_cast.status();
  ASSERT_TRUE(try_cast->FilterAll(TestBatch(), &selection).ok());
  EXPECT_THAT(std::vector<uint32_t>(selection.data(), selection.data() + selection.size()),
              ElementsAre(0));
  // NULL inputs are not kept, whichever input is NULL.
  auto compare = Make("i < b");
  ASSERT_TRUE(compare.ok());
  ASSERT_TRUE(compare->FilterAll(TestBatch(), &selection).ok());
  EXPECT_THAT(std::vector<uint32_t>(selection.data(), selection.data() + selection.size()),
              ElementsAre(0, 3));
}

TEST_F(ExpressionEvaluatorTest, FilterRejectsNonBooleanPredicates) {
  auto evaluator = Make("i + 1");
  ASSERT_TRUE(evaluator.ok());
  SelectionVector selection;
  EXPECT_EQ(evaluator->FilterAll(TestBatch(), &selection).code(), ErrorCode::kInvalidArgument);
}

TEST_F(ExpressionEvaluatorTest, ConstantSubtreesAreFoldedOnce) {
  auto evaluator = Make("i + (1 + 2) * 4");
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  EXPECT_EQ(evaluator->Describe(), "Call(+, Column(#0 i), Constant(12))");
  auto text = Make("upper('ab' || 'c') = v");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(text->Describe(), HasSubstr("Constant('ABC')"));
  auto whole = Make("CASE WHEN 1 > 2 THEN 1 / 0 ELSE 5 END");
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->Describe(), "Constant(5)");
}

TEST_F(ExpressionEvaluatorTest, FailingConstantIsKeptAndOnlyFailsWhenReached) {
  auto evaluator = Make("CASE WHEN i > 5 THEN 1 / 0 ELSE 0 END");
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  EXPECT_THAT(evaluator->Describe(), HasSubstr("Call(/"));
  SelectionVector small({1, 3});
  auto fine = evaluator->Evaluate(TestBatch(), &small);
  ASSERT_TRUE(fine.ok()) << fine.status();
  auto failing = evaluator->Evaluate(TestBatch());
  EXPECT_EQ(failing.status().code(), ErrorCode::kDivisionByZero);
}

TEST_F(ExpressionEvaluatorTest, EveryScalarSignatureOfTheRegistryHasAKernel) {
  // Each signature is called with columns of its parameter types (DECIMAL(10,2) for a generic
  // DECIMAL, BIGINT for a type variable, VARCHAR for "any"; a variadic parameter twice) and
  // evaluated on NULL rows. Only window assignment (planned by the binder) may fail, closed.
  const functions::FunctionRegistry& registry = functions::FunctionRegistry::BuiltIn();
  int signatures = 0;
  for (std::string_view name : registry.Names(functions::FunctionKind::kScalar)) {
    for (const functions::FunctionSignature& signature :
         registry.Signatures(name, functions::FunctionKind::kScalar)) {
      std::vector<functions::ParameterPattern> parameters = signature.parameters;
      if (signature.variadic) parameters.push_back(parameters.back());
      std::vector<functions::ArgumentInfo> infos;
      std::vector<Field> fields;
      for (const functions::ParameterPattern& parameter : parameters) {
        DataType type = DataType::Varchar();
        if (parameter.kind == functions::ParameterKind::kElement) type = DataType::BigInt();
        if (parameter.kind == functions::ParameterKind::kType) {
          type = parameter.type == TypeId::kDecimal ? *DataType::Decimal(10, 2)
                                                    : DataType(parameter.type);
        }
        functions::ArgumentInfo info;
        info.type = type;
        infos.push_back(info);
        fields.push_back({"c" + std::to_string(fields.size()), type});
      }
      auto resolved = registry.Resolve(name, functions::FunctionKind::kScalar, infos);
      ASSERT_TRUE(resolved.ok()) << resolved.status() << " for " << signature.ToString();
      std::vector<sql::BoundExprPtr> arguments;
      for (size_t i = 0; i < fields.size(); ++i) {
        arguments.push_back(
            sql::MakeColumn(static_cast<int>(i), fields[i].name, resolved->parameter_types[i]));
        fields[i].type = resolved->parameter_types[i];
      }
      auto call = sql::MakeCall(std::string(name), resolved->return_type, arguments);
      auto evaluator = ExpressionEvaluator::Make(call);
      ++signatures;
      if (signature.window_assignment) {
        ASSERT_FALSE(evaluator.ok()) << signature.ToString();
        EXPECT_EQ(evaluator.status().code(), ErrorCode::kNotSupported);
        continue;
      }
      ASSERT_TRUE(evaluator.ok()) << evaluator.status() << " for " << signature.ToString();
      BatchBuilder builder(Schema::Make(fields));
      std::vector<Value> nulls;
      for (const Field& field : fields) nulls.push_back(Value::Null(field.type));
      ASSERT_TRUE(builder.AppendRow(nulls).ok());
      ASSERT_TRUE(builder.AppendRow(nulls).ok());
      auto column = evaluator->Evaluate(*builder.Finish());
      ASSERT_TRUE(column.ok()) << column.status() << " for " << signature.ToString();
      EXPECT_EQ(column->length(), 2);
      EXPECT_EQ(column->type(), resolved->return_type) << signature.ToString();
    }
  }
  EXPECT_GT(signatures, 150);
}

TEST_F(ExpressionEvaluatorTest, WindowAssignmentFunctionsFailClosed) {
  // The binder turns tumble() & co. into windows; as a per-row call they have no kernel.
  auto tumble = ExpressionEvaluator::Make(
      sql::MakeCall("tumble", DataType::Timestamp(),
                    {sql::MakeColumn(9, "ts", DataType::Timestamp()),
                     sql::MakeConstant(Value::FromInterval(Interval{0, 0, kMicrosPerMinute}))}));
  ASSERT_FALSE(tumble.ok());
  EXPECT_EQ(tumble.status().code(), ErrorCode::kNotSupported);
  EXPECT_THAT(std::string(tumble.status().message()), HasSubstr("window assignment"));
}

TEST_F(ExpressionEvaluatorTest, EmptyBatchGivesEmptyColumn) {
  EXPECT_TRUE(Eval("i + 1", TestBatch().Slice(0, 0)).empty());
  EXPECT_TRUE(Eval("CASE WHEN f THEN v END", TestBatch().Slice(0, 0)).empty());
}

}  // namespace
}  // namespace laminar::exec
