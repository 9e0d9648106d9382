#include "exec/aggregate/accumulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "common/hash.h"
#include "exec/aggregate/hyperloglog.h"
#include "exec/aggregate/quantile_sketch.h"

namespace laminar::exec {
namespace {

using functions::FunctionId;

const DataType kBigInt = DataType::BigInt();
const DataType kDouble = DataType::Double();
const DataType kVarchar = DataType::Varchar();
const DataType kBoolean = DataType::Boolean();

DataType Decimal(int precision, int scale) { return DataType::Decimal(precision, scale).value(); }

AggregateSpec Spec(FunctionId function, std::vector<DataType> arguments, DataType result,
                   bool distinct = false, bool retractions = false,
                   std::vector<Value> constants = {}) {
  AggregateSpec spec;
  spec.function = function;
  spec.argument_types = std::move(arguments);
  spec.result_type = result;
  spec.distinct = distinct;
  spec.retractions = retractions;
  spec.constant_arguments = std::move(constants);
  return spec;
}

std::unique_ptr<Accumulator> Make(const AggregateSpec& spec, uint32_t slots = 4) {
  Result<std::unique_ptr<Accumulator>> made = MakeAccumulator(spec);
  EXPECT_TRUE(made.ok()) << made.status();
  if (!made.ok()) return nullptr;
  std::unique_ptr<Accumulator> accumulator = std::move(made).value();
  accumulator->EnsureSlots(slots);
  return accumulator;
}

Column MakeColumn(DataType type, const std::vector<Value>& values) {
  ColumnBuilder builder(type);
  for (const Value& value : values) EXPECT_TRUE(builder.AppendValue(value).ok());
  return builder.Finish();
}

std::vector<Value> BigInts(std::initializer_list<std::optional<int64_t>> values) {
  std::vector<Value> out;
  for (const auto& value : values) {
    out.push_back(value ? Value::BigInt(*value) : Value::Null(kBigInt));
  }
  return out;
}

std::vector<Value> Doubles(std::initializer_list<std::optional<double>> values) {
  std::vector<Value> out;
  for (const auto& value : values) {
    out.push_back(value ? Value::Double(*value) : Value::Null(kDouble));
  }
  return out;
}

std::vector<Value> Strings(std::initializer_list<std::optional<std::string>> values) {
  std::vector<Value> out;
  for (const auto& value : values) {
    out.push_back(value ? Value::Varchar(*value) : Value::Null(kVarchar));
  }
  return out;
}

Status Apply(Accumulator& accumulator, const Column& column, const std::vector<uint32_t>& slots,
             const std::vector<int8_t>& weights = {}) {
  return accumulator.Update(std::span<const Column>(&column, 1), {}, slots,
                            weights.empty() ? nullptr : weights.data());
}

Result<std::vector<Value>> TryResults(const Accumulator& accumulator, DataType type,
                                      const std::vector<uint32_t>& slots) {
  ColumnBuilder builder(type);
  LAMINAR_RETURN_IF_ERROR(accumulator.Finish(slots, builder));
  Column column = builder.Finish();
  std::vector<Value> values;
  for (int64_t i = 0; i < column.length(); ++i) values.push_back(column.GetValue(i));
  return values;
}

std::vector<Value> Results(const Accumulator& accumulator, DataType type,
                           const std::vector<uint32_t>& slots) {
  Result<std::vector<Value>> results = TryResults(accumulator, type, slots);
  EXPECT_TRUE(results.ok()) << results.status();
  return results.ok() ? std::move(results).value() : std::vector<Value>{};
}

Value Result1(const Accumulator& accumulator, DataType type, uint32_t slot) {
  std::vector<Value> values = Results(accumulator, type, {slot});
  return values.empty() ? Value() : values[0];
}

// ----- count, sum, avg. -----

TEST(AccumulatorTest, CountStarCountsEveryRowAndCountSkipsNulls) {
  auto count_star = Make(Spec(FunctionId::kCountStar, {}, kBigInt));
  auto count = Make(Spec(FunctionId::kCount, {kBigInt}, kBigInt));
  Column column = MakeColumn(kBigInt, BigInts({1, std::nullopt, 3, std::nullopt, 5}));
  std::vector<uint32_t> slots = {0, 0, 1, 1, 0};
  ASSERT_TRUE(count_star->Update({}, {}, slots, nullptr).ok());
  ASSERT_TRUE(Apply(*count, column, slots).ok());
  EXPECT_EQ(Results(*count_star, kBigInt, {0, 1, 2}),
            BigInts({3, 2, 0}));  // Slot 2 saw no row: 0, not NULL.
  EXPECT_EQ(Results(*count, kBigInt, {0, 1, 2}), BigInts({2, 1, 0}));
}

TEST(AccumulatorTest, SumOfBigIntIsNullForAnEmptySlot) {
  auto sum = Make(Spec(FunctionId::kSum, {kBigInt}, kBigInt));
  Column column = MakeColumn(kBigInt, BigInts({10, 20, std::nullopt, -5}));
  ASSERT_TRUE(Apply(*sum, column, {0, 1, 2, 0}).ok());
  EXPECT_EQ(Results(*sum, kBigInt, {0, 1, 2, 3}), BigInts({5, 20, std::nullopt, std::nullopt}));
}

TEST(AccumulatorTest, SumOfBigIntOverflowsOnlyWhenTheResultDoesNotFit) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto sum = Make(Spec(FunctionId::kSum, {kBigInt}, kBigInt));
  // Slot 0 passes beyond BIGINT on the way but ends inside it; slot 1 ends beyond it.
  Column column = MakeColumn(kBigInt, BigInts({kMax, 10, -20, kMax, 1}));
  ASSERT_TRUE(Apply(*sum, column, {0, 0, 0, 1, 1}).ok());
  EXPECT_EQ(Result1(*sum, kBigInt, 0), Value::BigInt(kMax - 10));
  Result<std::vector<Value>> overflow = TryResults(*sum, kBigInt, {1});
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().code(), ErrorCode::kNumericOverflow);
  EXPECT_NE(overflow.status().message().find("sum(BIGINT)"), std::string_view::npos)
      << overflow.status();
}

TEST(AccumulatorTest, SumOfDoubleReportsOverflowOfFiniteValues) {
  auto sum = Make(Spec(FunctionId::kSum, {kDouble}, kDouble));
  Column column = MakeColumn(kDouble, Doubles({1.5, 2.25, 1e308, 1e308}));
  ASSERT_TRUE(Apply(*sum, column, {0, 0, 1, 2}).ok());
  EXPECT_EQ(Results(*sum, kDouble, {0, 1}), Doubles({3.75, 1e308}));
  Status overflow = Apply(*sum, column, {3, 3, 1, 1});
  EXPECT_EQ(overflow.code(), ErrorCode::kNumericOverflow);
}

TEST(AccumulatorTest, SumOfDecimalKeepsTheScaleAndChecks38Digits) {
  DataType input = Decimal(10, 2);
  DataType result = Decimal(38, 2);
  auto sum = Make(Spec(FunctionId::kSum, {input}, result));
  Column column = MakeColumn(
      input, {Value::Decimal(12345, input), Value::Decimal(-45, input), Value::Null(input)});
  ASSERT_TRUE(Apply(*sum, column, {0, 0, 1}).ok());
  EXPECT_EQ(Results(*sum, result, {0, 1}),
            (std::vector<Value>{Value::Decimal(12300, result), Value::Null(result)}));

  DataType wide = Decimal(38, 0);
  auto wide_sum = Make(Spec(FunctionId::kSum, {wide}, wide));
  Decimal128 large = 6 * PowerOfTen(37);
  Column extremes = MakeColumn(wide, {Value::Decimal(large, wide), Value::Decimal(large, wide),
                                      Value::Decimal(large, wide)});
  // 1.2 * 10^38 fits 128 bits but not 38 digits: Finish reports it.
  ASSERT_TRUE(Apply(*wide_sum, extremes.Slice(0, 2), {0, 0}).ok());
  EXPECT_EQ(TryResults(*wide_sum, wide, {0}).status().code(), ErrorCode::kNumericOverflow);
  // 1.8 * 10^38 does not fit 128 bits: the update reports it.
  EXPECT_EQ(Apply(*wide_sum, extremes.Slice(2, 1), {0}).code(), ErrorCode::kNumericOverflow);
}

TEST(AccumulatorTest, SumAndAvgOfIntervalsWorkFieldByField) {
  DataType interval = DataType::Interval();
  auto sum = Make(Spec(FunctionId::kSum, {interval}, interval));
  auto avg = Make(Spec(FunctionId::kAvg, {interval}, interval));
  Column column = MakeColumn(interval, {Value::FromInterval({1, 2, 3'000'000}),
                                        Value::FromInterval({0, 1, 0}), Value::Null(interval)});
  ASSERT_TRUE(Apply(*sum, column, {0, 0, 0}).ok());
  ASSERT_TRUE(Apply(*avg, column, {0, 0, 0}).ok());
  EXPECT_EQ(Result1(*sum, interval, 0), Value::FromInterval({1, 3, 3'000'000}));
  // (1 mon 3 days 3 s) / 2 = 15 days + 1 day 12 hours + 1.5 s.
  EXPECT_EQ(Result1(*avg, interval, 0),
            Value::FromInterval({0, 16, 12 * kMicrosPerHour + 1'500'000}));
}

TEST(AccumulatorTest, AvgOfBigIntDoubleAndDecimal) {
  auto avg_bigint = Make(Spec(FunctionId::kAvg, {kBigInt}, kDouble));
  auto avg_double = Make(Spec(FunctionId::kAvg, {kDouble}, kDouble));
  Column bigints = MakeColumn(kBigInt, BigInts({1, 2, std::nullopt, 4}));
  Column doubles = MakeColumn(kDouble, Doubles({0.5, std::nullopt, 1.5, 4.0}));
  ASSERT_TRUE(Apply(*avg_bigint, bigints, {0, 0, 0, 0}).ok());
  ASSERT_TRUE(Apply(*avg_double, doubles, {0, 0, 0, 1}).ok());
  EXPECT_EQ(Results(*avg_bigint, kDouble, {0, 1}), Doubles({7.0 / 3, std::nullopt}));
  EXPECT_EQ(Results(*avg_double, kDouble, {0, 1}), Doubles({1.0, 4.0}));

  // DECIMAL(10,2) averages to DECIMAL(38,6), rounded half away from zero.
  DataType input = Decimal(10, 2);
  DataType result = Decimal(38, 6);
  auto avg = Make(Spec(FunctionId::kAvg, {input}, result));
  Column decimals = MakeColumn(input, {Value::Decimal(100, input), Value::Decimal(200, input),
                                       Value::Decimal(200, input), Value::Decimal(-100, input),
                                       Value::Decimal(-200, input), Value::Decimal(-200, input)});
  ASSERT_TRUE(Apply(*avg, decimals, {0, 0, 0, 1, 1, 1}).ok());
  EXPECT_EQ(
      Results(*avg, result, {0, 1}),
      (std::vector<Value>{Value::Decimal(1'666'667, result), Value::Decimal(-1'666'667, result)}));
}

// ----- min, max. -----

TEST(AccumulatorTest, MinAndMaxOverEveryOrderableType) {
  DataType decimal = Decimal(12, 3);
  std::vector<std::vector<Value>> cases = {
      {Value::TinyInt(4), Value::TinyInt(-3), Value::TinyInt(9)},
      {Value::SmallInt(400), Value::SmallInt(-300), Value::SmallInt(900)},
      {Value::Integer(4), Value::Integer(-3), Value::Integer(9)},
      {Value::BigInt(4), Value::BigInt(-3), Value::BigInt(9)},
      {Value::Real(0.5f), Value::Real(-1.5f), Value::Real(2.5f)},
      {Value::Double(0.5), Value::Double(-1.5), Value::Double(2.5)},
      {Value::Decimal(5, decimal), Value::Decimal(-7, decimal), Value::Decimal(70, decimal)},
      {Value::Varchar("m"), Value::Varchar("apple"), Value::Varchar("pear")},
      {Value::Bytea("\x02"), Value::Bytea(std::string("\x00\x01", 2)), Value::Bytea("\x7f")},
      {Value::Date(100), Value::Date(-5), Value::Date(365)},
      {Value::Timestamp(10), Value::Timestamp(-10), Value::Timestamp(99)},
      {Value::TimestampTz(10), Value::TimestampTz(-10), Value::TimestampTz(99)},
      {Value::Boolean(true), Value::Boolean(false), Value::Boolean(true)},
      // By span: 1 day < 25 hours < 1 month.
      {Value::FromInterval({0, 0, 25 * kMicrosPerHour}), Value::FromInterval({0, 1, 0}),
       Value::FromInterval({1, 0, 0})},
  };
  for (bool retractions : {false, true}) {
    for (const std::vector<Value>& values : cases) {
      DataType type = values[0].type();
      SCOPED_TRACE(type.ToString() + (retractions ? " over a changelog" : ""));
      auto min = Make(Spec(FunctionId::kMin, {type}, type, false, retractions));
      auto max = Make(Spec(FunctionId::kMax, {type}, type, false, retractions));
      std::vector<Value> with_null = values;
      with_null.push_back(Value::Null(type));
      Column column = MakeColumn(type, with_null);
      ASSERT_TRUE(Apply(*min, column, {0, 0, 0, 1}).ok());
      ASSERT_TRUE(Apply(*max, column, {0, 0, 0, 1}).ok());
      EXPECT_EQ(Results(*min, type, {0, 1}), (std::vector<Value>{values[1], Value::Null(type)}));
      EXPECT_EQ(Results(*max, type, {0, 1}), (std::vector<Value>{values[2], Value::Null(type)}));
    }
  }
}

TEST(AccumulatorTest, NaNSortsAboveEveryOtherDouble) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  auto min = Make(Spec(FunctionId::kMin, {kDouble}, kDouble));
  auto max = Make(Spec(FunctionId::kMax, {kDouble}, kDouble));
  Column column = MakeColumn(kDouble, Doubles({nan, 3.0, std::numeric_limits<double>::infinity()}));
  ASSERT_TRUE(Apply(*min, column, {0, 0, 0}).ok());
  ASSERT_TRUE(Apply(*max, column, {0, 0, 0}).ok());
  EXPECT_EQ(Result1(*min, kDouble, 0), Value::Double(3.0));
  EXPECT_TRUE(std::isnan(Result1(*max, kDouble, 0).floating()));
}

TEST(AccumulatorTest, RetractingTheMinimumExposesTheNextValue) {
  auto min = Make(Spec(FunctionId::kMin, {kBigInt}, kBigInt, false, true));
  auto max = Make(Spec(FunctionId::kMax, {kBigInt}, kBigInt, false, true));
  Column column = MakeColumn(kBigInt, BigInts({5, 1, 1, 9}));
  for (auto* accumulator : {min.get(), max.get()}) {
    ASSERT_TRUE(Apply(*accumulator, column, {0, 0, 0, 0}).ok());
  }
  Column ones = MakeColumn(kBigInt, BigInts({1, 9}));
  ASSERT_TRUE(Apply(*min, ones, {0, 0}, {-1, -1}).ok());
  ASSERT_TRUE(Apply(*max, ones, {0, 0}, {-1, -1}).ok());
  EXPECT_EQ(Result1(*min, kBigInt, 0), Value::BigInt(1));  // One 1 is still there.
  EXPECT_EQ(Result1(*max, kBigInt, 0), Value::BigInt(5));
  ASSERT_TRUE(Apply(*min, ones, {0, 1}, {-1, 1}).ok());
  EXPECT_EQ(Result1(*min, kBigInt, 0), Value::BigInt(5));
  Column five = MakeColumn(kBigInt, BigInts({5}));
  ASSERT_TRUE(Apply(*min, five, {0}, {-1}).ok());
  EXPECT_EQ(Result1(*min, kBigInt, 0), Value::Null(kBigInt));
}

// ----- first_value, last_value, string_agg. -----

TEST(AccumulatorTest, FirstAndLastValueFollowArrivalAndMergeTreatsSourceAsLater) {
  for (bool retractions : {false, true}) {
    SCOPED_TRACE(retractions ? "over a changelog" : "append-only");
    auto first = Make(Spec(FunctionId::kFirstValue, {kVarchar}, kVarchar, false, retractions));
    auto last = Make(Spec(FunctionId::kLastValue, {kVarchar}, kVarchar, false, retractions));
    Column column = MakeColumn(kVarchar, Strings({std::nullopt, "a", "b", std::nullopt, "c"}));
    for (auto* accumulator : {first.get(), last.get()}) {
      ASSERT_TRUE(Apply(*accumulator, column, {0, 0, 0, 0, 1}).ok());
    }
    EXPECT_EQ(Results(*first, kVarchar, {0, 1, 2}), Strings({"a", "c", std::nullopt}));
    EXPECT_EQ(Results(*last, kVarchar, {0, 1, 2}), Strings({"b", "c", std::nullopt}));
    for (auto* accumulator : {first.get(), last.get()}) {
      ASSERT_TRUE(accumulator->Merge(0, 1).ok());
      ASSERT_TRUE(accumulator->Merge(2, 1).ok());
    }
    EXPECT_EQ(Results(*first, kVarchar, {0, 1, 2}), Strings({"a", "c", "c"}));
    EXPECT_EQ(Results(*last, kVarchar, {0, 1, 2}), Strings({"c", "c", "c"}));
  }
}

TEST(AccumulatorTest, FirstValueRetractionRemovesTheEarliestEqualValue) {
  auto first = Make(Spec(FunctionId::kFirstValue, {kBigInt}, kBigInt, false, true));
  auto last = Make(Spec(FunctionId::kLastValue, {kBigInt}, kBigInt, false, true));
  Column column = MakeColumn(kBigInt, BigInts({7, 8, 7}));
  Column seven = MakeColumn(kBigInt, BigInts({7}));
  for (auto* accumulator : {first.get(), last.get()}) {
    ASSERT_TRUE(Apply(*accumulator, column, {0, 0, 0}).ok());
    ASSERT_TRUE(Apply(*accumulator, seven, {0}, {-1}).ok());
  }
  // [7, 8, 7] minus the earliest 7 is [8, 7].
  EXPECT_EQ(Result1(*first, kBigInt, 0), Value::BigInt(8));
  EXPECT_EQ(Result1(*last, kBigInt, 0), Value::BigInt(7));
}

TEST(AccumulatorTest, StringAggJoinsInArrivalOrderAndMergeAppendsTheSource) {
  for (bool retractions : {false, true}) {
    SCOPED_TRACE(retractions ? "over a changelog" : "append-only");
    auto agg = Make(Spec(FunctionId::kStringAgg, {kVarchar}, kVarchar, false, retractions,
                         {Value::Varchar(", ")}));
    Column column = MakeColumn(kVarchar, Strings({"x", std::nullopt, "y", "z", "w"}));
    ASSERT_TRUE(Apply(*agg, column, {0, 0, 0, 1, 1}).ok());
    ASSERT_TRUE(agg->Merge(0, 1).ok());
    EXPECT_EQ(Results(*agg, kVarchar, {0, 1, 2}), Strings({"x, y, z, w", "z, w", std::nullopt}));
  }
  auto no_delimiter = Make(
      Spec(FunctionId::kStringAgg, {kVarchar}, kVarchar, false, false, {Value::Null(kVarchar)}));
  ASSERT_TRUE(Apply(*no_delimiter, MakeColumn(kVarchar, Strings({"a", "b"})), {0, 0}).ok());
  EXPECT_EQ(Result1(*no_delimiter, kVarchar, 0), Value::Varchar("ab"));
}

TEST(AccumulatorTest, StringAggRetractionRemovesTheEarliestEqualValue) {
  auto agg =
      Make(Spec(FunctionId::kStringAgg, {kVarchar}, kVarchar, false, true, {Value::Varchar("-")}));
  ASSERT_TRUE(Apply(*agg, MakeColumn(kVarchar, Strings({"a", "b", "a", "c"})), {0, 0, 0, 0}).ok());
  ASSERT_TRUE(Apply(*agg, MakeColumn(kVarchar, Strings({"a"})), {0}, {-1}).ok());
  EXPECT_EQ(Result1(*agg, kVarchar, 0), Value::Varchar("b-a-c"));
}

// ----- variance family, bool_and, bool_or. -----

TEST(AccumulatorTest, VarianceFamilyMatchesTheTwoPassFormulaAndMerges) {
  std::vector<double> values = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  double mean = 1e9 + 10;
  double squares = 0;
  for (double value : values) squares += (value - mean) * (value - mean);  // 90.
  struct Case {
    FunctionId function;
    double expected;
  };
  for (Case c : {Case{FunctionId::kVarSamp, squares / 3}, Case{FunctionId::kVarPop, squares / 4},
                 Case{FunctionId::kStddevSamp, std::sqrt(squares / 3)},
                 Case{FunctionId::kStddevPop, std::sqrt(squares / 4)}}) {
    SCOPED_TRACE(functions::FunctionIdName(c.function));
    auto accumulator = Make(Spec(c.function, {kDouble}, kDouble));
    // Slots 0 and 1 hold halves; slot 2 all; slot 3 one row.
    Column column = MakeColumn(kDouble, Doubles({values[0], values[1], values[2], values[3],
                                                 values[0], values[1], values[2], values[3], 5}));
    ASSERT_TRUE(Apply(*accumulator, column, {0, 0, 1, 1, 2, 2, 2, 2, 3}).ok());
    ASSERT_TRUE(accumulator->Merge(0, 1).ok());
    std::vector<Value> results = Results(*accumulator, kDouble, {0, 2, 3});
    EXPECT_NEAR(results[0].floating(), c.expected, 1e-9 * c.expected);
    EXPECT_NEAR(results[1].floating(), c.expected, 1e-9 * c.expected);
    bool sample = c.function == FunctionId::kVarSamp || c.function == FunctionId::kStddevSamp;
    EXPECT_EQ(results[2], sample ? Value::Null(kDouble) : Value::Double(0));
  }
}

TEST(AccumulatorTest, VarianceRetractionReversesTheUpdate) {
  auto variance = Make(Spec(FunctionId::kVarSamp, {kDouble}, kDouble, false, true));
  Column column = MakeColumn(kDouble, Doubles({2, 4, 4, 4, 5, 5, 7, 9, 1000}));
  ASSERT_TRUE(Apply(*variance, column, std::vector<uint32_t>(9, 0)).ok());
  ASSERT_TRUE(Apply(*variance, MakeColumn(kDouble, Doubles({1000})), {0}, {-1}).ok());
  EXPECT_NEAR(Result1(*variance, kDouble, 0).floating(), 32.0 / 7, 1e-9);
}

TEST(AccumulatorTest, BoolAndAndBoolOrCountTrueAndFalseRows) {
  auto all = Make(Spec(FunctionId::kBoolAnd, {kBoolean}, kBoolean, false, true));
  auto any = Make(Spec(FunctionId::kBoolOr, {kBoolean}, kBoolean, false, true));
  Column column = MakeColumn(kBoolean, {Value::Boolean(true), Value::Boolean(false),
                                        Value::Null(kBoolean), Value::Boolean(false)});
  for (auto* accumulator : {all.get(), any.get()}) {
    ASSERT_TRUE(Apply(*accumulator, column, {0, 0, 1, 2}).ok());
  }
  EXPECT_EQ(
      Results(*all, kBoolean, {0, 1, 2}),
      (std::vector<Value>{Value::Boolean(false), Value::Null(kBoolean), Value::Boolean(false)}));
  EXPECT_EQ(
      Results(*any, kBoolean, {0, 1, 2}),
      (std::vector<Value>{Value::Boolean(true), Value::Null(kBoolean), Value::Boolean(false)}));
  Column retract = MakeColumn(kBoolean, {Value::Boolean(false), Value::Boolean(true)});
  for (auto* accumulator : {all.get(), any.get()}) {
    ASSERT_TRUE(Apply(*accumulator, retract, {0, 0}, {-1, -1}).ok());
  }
  EXPECT_EQ(Result1(*all, kBoolean, 0), Value::Null(kBoolean));
  EXPECT_EQ(Result1(*any, kBoolean, 0), Value::Null(kBoolean));
}

// ----- DISTINCT. -----

TEST(AccumulatorTest, DistinctCountSumAndAvgSeeEachValueOnce) {
  auto count = Make(Spec(FunctionId::kCount, {kBigInt}, kBigInt, true, true));
  auto sum = Make(Spec(FunctionId::kSum, {kBigInt}, kBigInt, true, true));
  auto avg = Make(Spec(FunctionId::kAvg, {kBigInt}, kDouble, true, true));
  Column column = MakeColumn(kBigInt, BigInts({3, 3, 5, std::nullopt, 3, 4}));
  std::vector<uint32_t> slots = {0, 0, 0, 0, 1, 0};
  for (auto* accumulator : {count.get(), sum.get(), avg.get()}) {
    ASSERT_TRUE(Apply(*accumulator, column, slots).ok());
  }
  EXPECT_EQ(Results(*count, kBigInt, {0, 1}), BigInts({3, 1}));
  EXPECT_EQ(Results(*sum, kBigInt, {0, 1}), BigInts({12, 3}));
  EXPECT_EQ(Result1(*avg, kDouble, 0), Value::Double(4));
  // Retracting one of the two 3s of slot 0 keeps 3; retracting 5 removes it.
  Column retract = MakeColumn(kBigInt, BigInts({3, 5}));
  for (auto* accumulator : {count.get(), sum.get(), avg.get()}) {
    ASSERT_TRUE(Apply(*accumulator, retract, {0, 0}, {-1, -1}).ok());
  }
  EXPECT_EQ(Result1(*count, kBigInt, 0), Value::BigInt(2));
  EXPECT_EQ(Result1(*sum, kBigInt, 0), Value::BigInt(7));
  // Merge: slot 1 ({3}) adds nothing new to slot 0 ({3, 4}).
  ASSERT_TRUE(count->Merge(0, 1).ok());
  ASSERT_TRUE(sum->Merge(0, 1).ok());
  EXPECT_EQ(Result1(*count, kBigInt, 0), Value::BigInt(2));
  EXPECT_EQ(Result1(*sum, kBigInt, 0), Value::BigInt(7));
  ASSERT_TRUE(Apply(*sum, MakeColumn(kBigInt, BigInts({10})), {2}).ok());
  ASSERT_TRUE(sum->Merge(0, 2).ok());
  EXPECT_EQ(Result1(*sum, kBigInt, 0), Value::BigInt(17));
}

TEST(AccumulatorTest, DistinctTreatsNegativeZeroAsZero) {
  auto count = Make(Spec(FunctionId::kCount, {kDouble}, kBigInt, true));
  ASSERT_TRUE(Apply(*count, MakeColumn(kDouble, Doubles({0.0, -0.0, 1.0})), {0, 0, 0}).ok());
  EXPECT_EQ(Result1(*count, kBigInt, 0), Value::BigInt(2));
}

TEST(AccumulatorTest, DistinctStringAggKeepsFirstArrivals) {
  auto agg =
      Make(Spec(FunctionId::kStringAgg, {kVarchar}, kVarchar, true, false, {Value::Varchar(",")}));
  ASSERT_TRUE(
      Apply(*agg, MakeColumn(kVarchar, Strings({"b", "a", "b", "c", "a"})), {0, 0, 0, 0, 0}).ok());
  EXPECT_EQ(Result1(*agg, kVarchar, 0), Value::Varchar("b,a,c"));
}

// ----- Errors. -----

TEST(AccumulatorTest, RetractingARowTheGroupDoesNotHoldIsAnError) {
  Column column = MakeColumn(kBigInt, BigInts({1}));
  std::vector<AggregateSpec> specs = {
      Spec(FunctionId::kCount, {kBigInt}, kBigInt, false, true),
      Spec(FunctionId::kSum, {kBigInt}, kBigInt, false, true),
      Spec(FunctionId::kMin, {kBigInt}, kBigInt, false, true),
      Spec(FunctionId::kFirstValue, {kBigInt}, kBigInt, false, true),
      Spec(FunctionId::kCount, {kBigInt}, kBigInt, true, true),
  };
  for (const AggregateSpec& spec : specs) {
    SCOPED_TRACE(functions::FunctionIdName(spec.function));
    auto accumulator = Make(spec);
    Status status = Apply(*accumulator, column, {0}, {-1});
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status;
  }
}

TEST(AccumulatorTest, SketchesRefuseChangelogInput) {
  for (FunctionId function : {FunctionId::kApproxCountDistinct, FunctionId::kApproxPercentile}) {
    std::vector<Value> constants;
    if (function == FunctionId::kApproxPercentile) constants.push_back(Value::Double(0.5));
    Result<std::unique_ptr<Accumulator>> made =
        MakeAccumulator(Spec(function, {kDouble}, kDouble, false, true, constants));
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.status().code(), ErrorCode::kNotSupported);
    EXPECT_NE(made.status().message().find("approx_"), std::string_view::npos);
  }
}

TEST(AccumulatorTest, ApproxPercentileRejectsAFractionOutsideZeroToOne) {
  // A vector, not an initializer list of Values: GCC 12 at -O3 warns (falsely) that the
  // list's string members may be used uninitialized.
  std::vector<Value> fractions;
  fractions.push_back(Value::Double(1.5));
  fractions.push_back(Value::Double(-0.1));
  fractions.push_back(Value::Null(kDouble));
  fractions.push_back(Value::Double(std::numeric_limits<double>::quiet_NaN()));
  for (const Value& fraction : fractions) {
    Result<std::unique_ptr<Accumulator>> made = MakeAccumulator(
        Spec(FunctionId::kApproxPercentile, {kDouble}, kDouble, false, false, {fraction}));
    ASSERT_FALSE(made.ok()) << fraction.ToString();
    EXPECT_EQ(made.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(AccumulatorTest, UnsupportedArgumentTypesAreRefused) {
  Result<std::unique_ptr<Accumulator>> made =
      MakeAccumulator(Spec(FunctionId::kSum, {kVarchar}, kVarchar));
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), ErrorCode::kNotSupported);
  EXPECT_NE(made.status().message().find("sum(VARCHAR)"), std::string_view::npos);
}

TEST(AccumulatorTest, AppendOnlyMinRejectsARetraction) {
  auto min = Make(Spec(FunctionId::kMin, {kBigInt}, kBigInt));
  EXPECT_EQ(Apply(*min, MakeColumn(kBigInt, BigInts({1})), {0}, {-1}).code(), ErrorCode::kInternal);
}

// ----- Slots. -----

TEST(AccumulatorTest, ClearEmptiesASlotForReuse) {
  std::vector<AggregateSpec> specs = {
      Spec(FunctionId::kSum, {kBigInt}, kBigInt),
      Spec(FunctionId::kMax, {kBigInt}, kBigInt),
      Spec(FunctionId::kMax, {kBigInt}, kBigInt, false, true),
      Spec(FunctionId::kLastValue, {kBigInt}, kBigInt, false, true),
      Spec(FunctionId::kSum, {kBigInt}, kBigInt, true),
      Spec(FunctionId::kApproxPercentile, {kDouble}, kDouble, false, false, {Value::Double(1)}),
  };
  for (const AggregateSpec& spec : specs) {
    SCOPED_TRACE(functions::FunctionIdName(spec.function));
    DataType type = spec.argument_types[0];
    auto accumulator = Make(spec);
    Column first = type == kBigInt ? MakeColumn(kBigInt, BigInts({5, 6}))
                                   : MakeColumn(kDouble, Doubles({5, 6}));
    Column second =
        type == kBigInt ? MakeColumn(kBigInt, BigInts({2})) : MakeColumn(kDouble, Doubles({2}));
    ASSERT_TRUE(Apply(*accumulator, first, {1, 1}).ok());
    accumulator->Clear(1);
    EXPECT_TRUE(Result1(*accumulator, spec.result_type, 1).is_null());
    ASSERT_TRUE(Apply(*accumulator, second, {1}).ok());
    Value expected = type == kBigInt ? Value::BigInt(2) : Value::Double(2);
    std::vector<Value> results = Results(*accumulator, spec.result_type, {1});
    if (type == kDouble) {
      EXPECT_NEAR(results[0].floating(), 2, 0.02);
    } else {
      EXPECT_EQ(results[0], expected);
    }
  }
}

TEST(AccumulatorTest, RowsIndirectAndSlotsInterleave) {
  auto sum = Make(Spec(FunctionId::kSum, {kBigInt}, kBigInt));
  Column column = MakeColumn(kBigInt, BigInts({100, 1, 10, 1000}));
  std::vector<uint32_t> rows = {3, 1, 2, 1};
  std::vector<uint32_t> slots = {0, 1, 0, 1};
  ASSERT_TRUE(sum->Update(std::span<const Column>(&column, 1), rows, slots, nullptr).ok());
  EXPECT_EQ(Results(*sum, kBigInt, {1, 0}), BigInts({2, 1010}));
}

TEST(AccumulatorTest, ArgumentsOfTypeNullLeaveEverySlotEmpty) {
  auto count = Make(Spec(FunctionId::kCount, {DataType::Null()}, kBigInt));
  auto min = Make(Spec(FunctionId::kMin, {DataType::Null()}, DataType::Null()));
  Column nulls = Column::Nulls(DataType::Null(), 2);
  ASSERT_TRUE(Apply(*count, nulls, {0, 1}).ok());
  ASSERT_TRUE(Apply(*min, nulls, {0, 1}).ok());
  EXPECT_EQ(Results(*count, kBigInt, {0, 1}), BigInts({0, 0}));
  EXPECT_TRUE(Result1(*min, DataType::Null(), 0).is_null());
}

TEST(AccumulatorTest, MemoryGrowsWithSlotsAndDistinctValues) {
  auto sum = Make(Spec(FunctionId::kSum, {kBigInt}, kBigInt), 1);
  size_t small = sum->MemoryBytes();
  sum->EnsureSlots(10'000);
  EXPECT_GE(sum->MemoryBytes(), small + 9'999 * 24);  // A 128-bit sum and a count per group.

  auto distinct = Make(Spec(FunctionId::kCount, {kBigInt}, kBigInt, true), 1);
  size_t before = distinct->MemoryBytes();
  std::vector<Value> values;
  for (int i = 0; i < 1000; ++i) values.push_back(Value::BigInt(i));
  ASSERT_TRUE(Apply(*distinct, MakeColumn(kBigInt, values), std::vector<uint32_t>(1000, 0)).ok());
  EXPECT_GE(distinct->MemoryBytes(), before + 1000 * 40);
}

// ----- Randomized differential test against a recomputation from the live rows. -----

// The rows a slot holds, in arrival order (NULL as nullopt). A retraction removes the earliest
// equal row, the accumulators' documented rule.
using LiveRows = std::vector<std::optional<int64_t>>;

std::string Text(int64_t value) { return "v" + std::to_string(value); }

Value Expected(FunctionId function, bool distinct, const LiveRows& rows) {
  std::vector<int64_t> values;
  for (const auto& row : rows) {
    if (row) values.push_back(*row);
  }
  if (distinct) {
    std::vector<int64_t> unique;
    std::set<int64_t> seen;
    for (int64_t value : values) {
      if (seen.insert(value).second) unique.push_back(value);
    }
    values = unique;
  }
  double sum = 0;
  for (int64_t value : values) sum += static_cast<double>(value);
  switch (function) {
    case FunctionId::kCountStar:
      return Value::BigInt(static_cast<int64_t>(rows.size()));
    case FunctionId::kCount:
      return Value::BigInt(static_cast<int64_t>(values.size()));
    default:
      break;
  }
  if (values.empty()) return Value();
  switch (function) {
    case FunctionId::kSum:
      return Value::BigInt(static_cast<int64_t>(sum));
    case FunctionId::kAvg:
      return Value::Double(sum / static_cast<double>(values.size()));
    case FunctionId::kMin:
      return Value::BigInt(*std::min_element(values.begin(), values.end()));
    case FunctionId::kMax:
      return Value::BigInt(*std::max_element(values.begin(), values.end()));
    case FunctionId::kFirstValue:
      return Value::BigInt(values.front());
    case FunctionId::kLastValue:
      return Value::BigInt(values.back());
    case FunctionId::kVarPop: {
      double mean = sum / static_cast<double>(values.size());
      double squares = 0;
      for (int64_t value : values) squares += (value - mean) * (value - mean);
      return Value::Double(squares / static_cast<double>(values.size()));
    }
    case FunctionId::kBoolAnd: {
      bool all = std::all_of(values.begin(), values.end(), [](int64_t v) { return v % 2 == 0; });
      return Value::Boolean(all);
    }
    case FunctionId::kStringAgg: {
      std::string joined;
      for (size_t i = 0; i < values.size(); ++i) joined += (i ? "," : "") + Text(values[i]);
      return Value::Varchar(joined);
    }
    default:
      ADD_FAILURE() << "no model for " << functions::FunctionIdName(function);
      return Value();
  }
}

struct DifferentialCase {
  FunctionId function;
  bool distinct;
  DataType input;  // BIGINT, DOUBLE, BOOLEAN (value is even) or VARCHAR ("v" + value).
  DataType result;
};

void RunDifferential(const DifferentialCase& c, bool retractions, uint32_t seed) {
  SCOPED_TRACE(std::string(functions::FunctionIdName(c.function)) +
               (c.distinct ? " DISTINCT" : "") + (retractions ? " over a changelog" : "") +
               " seed " + std::to_string(seed));
  std::vector<Value> constants;
  if (c.function == FunctionId::kStringAgg) constants.push_back(Value::Varchar(","));
  std::vector<DataType> arguments;
  if (c.function != FunctionId::kCountStar) arguments.push_back(c.input);
  AggregateSpec spec = Spec(c.function, arguments, c.result, c.distinct, retractions, constants);
  constexpr uint32_t kSlots = 8;
  auto accumulator = Make(spec, kSlots);
  ASSERT_NE(accumulator, nullptr);
  std::vector<LiveRows> live(kSlots);
  std::mt19937 random(seed);
  for (int batch = 0; batch < 40; ++batch) {
    size_t size = 1 + random() % 64;
    std::vector<std::optional<int64_t>> values;
    std::vector<uint32_t> slots;
    std::vector<int8_t> weights;
    for (size_t i = 0; i < size; ++i) {
      uint32_t slot = random() % kSlots;
      bool retract = retractions && !live[slot].empty() && random() % 3 == 0;
      std::optional<int64_t> value;
      if (retract) {
        value = live[slot][random() % live[slot].size()];
        live[slot].erase(std::find(live[slot].begin(), live[slot].end(), value));
      } else {
        if (random() % 8 != 0) value = static_cast<int64_t>(random() % 20) - 5;
        live[slot].push_back(value);
      }
      values.push_back(value);
      slots.push_back(slot);
      weights.push_back(retract ? -1 : 1);
    }
    // Every other batch goes through a row selection (reversed rows) instead of all rows.
    bool select = batch % 2 == 1;
    std::vector<uint32_t> rows;
    if (select) {
      std::reverse(values.begin(), values.end());
      for (size_t i = 0; i < size; ++i) rows.push_back(static_cast<uint32_t>(size - 1 - i));
    }
    ColumnBuilder builder(c.input);
    for (const auto& value : values) {
      if (!value) {
        builder.AppendNull();
      } else if (c.input == kBoolean) {
        builder.AppendBoolean(*value % 2 == 0);
      } else if (c.input == kVarchar) {
        ASSERT_TRUE(builder.AppendString(Text(*value)).ok());
      } else if (c.input == kDouble) {
        builder.AppendFixed<double>(static_cast<double>(*value));
      } else {
        builder.AppendFixed<int64_t>(*value);
      }
    }
    Column column = builder.Finish();
    std::span<const Column> args(&column, c.function == FunctionId::kCountStar ? 0 : 1);
    ASSERT_TRUE(
        accumulator->Update(args, rows, slots, retractions ? weights.data() : nullptr).ok());
    if (batch % 10 == 9) {
      uint32_t target = random() % kSlots;
      uint32_t source = (target + 1 + random() % (kSlots - 1)) % kSlots;
      ASSERT_TRUE(accumulator->Merge(target, source).ok());
      live[target].insert(live[target].end(), live[source].begin(), live[source].end());
      if (random() % 2 == 0) {
        accumulator->Clear(source);
        live[source].clear();
      }
    }
    std::vector<uint32_t> all(kSlots);
    for (uint32_t slot = 0; slot < kSlots; ++slot) all[slot] = slot;
    std::vector<Value> results = Results(*accumulator, c.result, all);
    ASSERT_EQ(results.size(), kSlots);
    for (uint32_t slot = 0; slot < kSlots; ++slot) {
      Value expected = Expected(c.function, c.distinct, live[slot]);
      if (expected.is_null()) {
        EXPECT_TRUE(results[slot].is_null()) << "slot " << slot << ": " << results[slot].ToString();
      } else if (c.result == kDouble && !results[slot].is_null()) {
        EXPECT_NEAR(results[slot].floating(), expected.floating(), 1e-6) << "slot " << slot;
      } else {
        EXPECT_EQ(results[slot], expected) << "slot " << slot;
      }
    }
  }
}

TEST(AccumulatorTest, RandomizedUpdatesRetractionsAndMergesMatchRecomputation) {
  std::vector<DifferentialCase> cases = {
      {FunctionId::kCountStar, false, kBigInt, kBigInt},
      {FunctionId::kCount, false, kBigInt, kBigInt},
      {FunctionId::kCount, true, kBigInt, kBigInt},
      {FunctionId::kSum, false, kBigInt, kBigInt},
      {FunctionId::kSum, true, kBigInt, kBigInt},
      {FunctionId::kAvg, false, kBigInt, kDouble},
      {FunctionId::kMin, false, kBigInt, kBigInt},
      {FunctionId::kMax, false, kBigInt, kBigInt},
      {FunctionId::kFirstValue, false, kBigInt, kBigInt},
      {FunctionId::kLastValue, false, kBigInt, kBigInt},
      {FunctionId::kVarPop, false, kDouble, kDouble},
      {FunctionId::kBoolAnd, false, kBoolean, kBoolean},
      {FunctionId::kStringAgg, false, kVarchar, kVarchar},
  };
  for (const DifferentialCase& c : cases) {
    for (bool retractions : {false, true}) {
      for (uint32_t seed = 1; seed <= 3; ++seed) RunDifferential(c, retractions, seed);
    }
  }
}

// ----- Sketches. -----

TEST(HyperLogLogTest, EstimateIsWithinThreeStandardErrors) {
  HyperLogLog sketch;
  constexpr int kDistinct = 100'000;
  for (int repeat = 0; repeat < 2; ++repeat) {
    for (uint64_t i = 0; i < kDistinct; ++i) sketch.Add(Mix64(i));
  }
  double error = std::fabs(sketch.Estimate() - kDistinct) / kDistinct;
  EXPECT_NEAR(sketch.StandardError(), 0.0081, 0.0001);
  EXPECT_LT(error, 3 * sketch.StandardError()) << sketch.Estimate();
}

TEST(HyperLogLogTest, SmallSetsAreCountedAlmostExactly) {
  HyperLogLog sketch;
  EXPECT_EQ(sketch.Estimate(), 0);
  for (uint64_t i = 0; i < 100; ++i) sketch.Add(Mix64(i + 1'000'000));
  EXPECT_NEAR(sketch.Estimate(), 100, 2);
}

TEST(HyperLogLogTest, MergeIsTheSketchOfTheUnion) {
  HyperLogLog left;
  HyperLogLog right;
  HyperLogLog both;
  for (uint64_t i = 0; i < 60'000; ++i) {
    (i % 2 ? left : right).Add(Mix64(i));
    both.Add(Mix64(i));
  }
  left.Merge(right);
  EXPECT_EQ(left.Estimate(), both.Estimate());
}

TEST(AccumulatorTest, ApproxCountDistinctOfStringsAndIntegers) {
  for (DataType type : {kBigInt, kVarchar}) {
    SCOPED_TRACE(type.ToString());
    auto approx = Make(Spec(FunctionId::kApproxCountDistinct, {type}, kBigInt), 3);
    constexpr int kDistinct = 100'000;
    ColumnBuilder builder(type);
    std::vector<uint32_t> slots;
    for (int i = 0; i < 2 * kDistinct; ++i) {
      int64_t value = i % kDistinct;
      if (type == kBigInt) {
        builder.AppendFixed<int64_t>(value);
      } else {
        ASSERT_TRUE(builder.AppendString("user-" + std::to_string(value)).ok());
      }
      slots.push_back(i < 10 ? 1 : 0);
    }
    Column column = builder.Finish();
    ASSERT_TRUE(Apply(*approx, column, slots).ok());
    std::vector<Value> results = Results(*approx, kBigInt, {0, 1, 2});
    EXPECT_NEAR(static_cast<double>(results[0].integer()), kDistinct, 3 * 0.0081 * kDistinct);
    EXPECT_EQ(results[1], Value::BigInt(10));
    EXPECT_EQ(results[2], Value::BigInt(0));
  }
}

double ExactQuantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(std::floor(q * static_cast<double>(values.size() - 1)))];
}

TEST(QuantileSketchTest, QuantilesAreWithinTheRelativeAccuracy) {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> lognormal(0, 3);
  std::vector<double> values;
  QuantileSketch sketch;
  for (int i = 0; i < 50'000; ++i) {
    double value = lognormal(random);
    if (i % 3 == 0) value = -value;
    if (i % 101 == 0) value = 0;
    values.push_back(value);
    sketch.Add(value);
  }
  for (double q : {0.0, 0.001, 0.1, 0.25, 0.33, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
    double exact = ExactQuantile(values, q);
    double tolerance = sketch.relative_accuracy() * std::fabs(exact) * (1 + 1e-9);
    EXPECT_NEAR(sketch.Quantile(q), exact, tolerance) << "q = " << q;
  }
}

TEST(QuantileSketchTest, MergeEqualsTheSketchOfTheUnion) {
  std::mt19937_64 random(11);
  std::exponential_distribution<double> exponential(0.01);
  QuantileSketch left;
  QuantileSketch right;
  QuantileSketch both;
  std::vector<double> values;
  for (int i = 0; i < 20'000; ++i) {
    double value = exponential(random) - 50;
    (i % 3 ? left : right).Add(value);
    both.Add(value);
    values.push_back(value);
  }
  left.Merge(right);
  EXPECT_EQ(left.count(), both.count());
  for (double q : {0.0, 0.05, 0.5, 0.95, 1.0}) {
    EXPECT_EQ(left.Quantile(q), both.Quantile(q)) << "q = " << q;
    double exact = ExactQuantile(values, q);
    EXPECT_NEAR(left.Quantile(q), exact, 0.01 * std::fabs(exact) * (1 + 1e-9)) << "q = " << q;
  }
}

TEST(QuantileSketchTest, CollapsingKeepsTheUpperQuantilesAccurate) {
  QuantileSketch sketch(0.01, 64);  // 64 buckets span a ratio of about 3.6.
  std::vector<double> values;
  for (int i = 1; i <= 10'000; ++i) {
    double value = i * 0.5;
    values.push_back(value);
    sketch.Add(value);
  }
  EXPECT_LE(sketch.MemoryBytes(), sizeof(QuantileSketch) + 2 * 64 * sizeof(uint64_t) + 64);
  for (double q : {0.5, 0.9, 0.99, 1.0}) {
    double exact = ExactQuantile(values, q);
    EXPECT_NEAR(sketch.Quantile(q), exact, 0.01 * exact * (1 + 1e-9)) << "q = " << q;
  }
  EXPECT_GT(sketch.Quantile(0), 0.5 * 1.01);  // The collapsed low end is overestimated.
}

TEST(QuantileSketchTest, InfinitiesAndNaNKeepTheirPlace) {
  QuantileSketch sketch;
  for (double value :
       {-std::numeric_limits<double>::infinity(), 1.0, 2.0, std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::quiet_NaN()}) {
    sketch.Add(value);
  }
  EXPECT_EQ(sketch.Quantile(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(sketch.Quantile(0.75), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(sketch.Quantile(1)));
}

TEST(AccumulatorTest, ApproxPercentilePerSlotAndMerge) {
  auto median = Make(
      Spec(FunctionId::kApproxPercentile, {kDouble}, kDouble, false, false, {Value::Double(0.5)}));
  std::vector<Value> values;
  std::vector<uint32_t> slots;
  std::vector<double> per_slot[2];
  std::vector<double> all;
  for (int i = 1; i <= 1001; ++i) {
    values.push_back(i % 7 == 0 ? Value::Null(kDouble) : Value::Double(i));
    slots.push_back(i % 2);
    if (i % 7 != 0) {
      per_slot[i % 2].push_back(i);
      all.push_back(i);
    }
  }
  ASSERT_TRUE(Apply(*median, MakeColumn(kDouble, values), slots).ok());
  std::vector<Value> results = Results(*median, kDouble, {0, 1, 2});
  for (int slot = 0; slot < 2; ++slot) {
    double exact = ExactQuantile(per_slot[slot], 0.5);
    EXPECT_NEAR(results[slot].floating(), exact, 0.01 * exact) << "slot " << slot;
  }
  EXPECT_TRUE(results[2].is_null());
  ASSERT_TRUE(median->Merge(2, 1).ok());
  ASSERT_TRUE(median->Merge(2, 0).ok());
  double exact = ExactQuantile(all, 0.5);
  EXPECT_NEAR(Result1(*median, kDouble, 2).floating(), exact, 0.01 * exact);
}

}  // namespace
}  // namespace laminar::exec
