#include "exec/expression_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "columnar/buffer.h"
#include "exec/expression_test_support.h"

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
    return ExpressionEvaluator::Make(bound);
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
  for (Value f : {Value::Boolean(true), Value::Boolean(false), Value::Null(DataType::Boolean())}) {
    for (Value i : {Value::Integer(1), Value::Integer(-1), Value::Null(DataType::Integer())}) {
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
  auto unsupported = Make("to_char(ts, 'Month')");
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.status().code(), ErrorCode::kNotSupported);
  EXPECT_THAT(std::string(unsupported.status().message()), HasSubstr("to_char"));
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

TEST_F(ExpressionEvaluatorTest, NonDeterministicAndUnknownFunctionsFailClosed) {
  auto now = Make("ts < now()");
  ASSERT_FALSE(now.ok());
  EXPECT_EQ(now.status().code(), ErrorCode::kNotSupported);
  EXPECT_THAT(std::string(now.status().message()), HasSubstr("now"));
  auto regexp = Make("regexp_like(v, 'a+')");
  ASSERT_FALSE(regexp.ok());
  EXPECT_EQ(regexp.status().code(), ErrorCode::kNotSupported);
  EXPECT_THAT(std::string(regexp.status().message()), HasSubstr("regexp_like"));
}

TEST_F(ExpressionEvaluatorTest, EmptyBatchGivesEmptyColumn) {
  EXPECT_TRUE(Eval("i + 1", TestBatch().Slice(0, 0)).empty());
  EXPECT_TRUE(Eval("CASE WHEN f THEN v END", TestBatch().Slice(0, 0)).empty());
}

}  // namespace
}  // namespace laminar::exec
