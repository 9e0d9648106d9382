#include "functions/function_registry.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace laminar::functions {
namespace {

const FunctionRegistry& Registry() { return FunctionRegistry::BuiltIn(); }

DataType Decimal(int precision, int scale) { return *DataType::Decimal(precision, scale); }

ArgumentInfo Typed(DataType type) { return ArgumentInfo{.type = type}; }
ArgumentInfo Literal(std::string_view text) {
  return ArgumentInfo{.type = DataType::Varchar(), .is_string_literal = true, .literal_text = text};
}
ArgumentInfo Null() { return ArgumentInfo{.type = DataType::Null(), .is_null_literal = true}; }

const ArgumentInfo kBoolean = Typed(DataType::Boolean());
const ArgumentInfo kSmallInt = Typed(DataType::SmallInt());
const ArgumentInfo kInteger = Typed(DataType::Integer());
const ArgumentInfo kBigInt = Typed(DataType::BigInt());
const ArgumentInfo kReal = Typed(DataType::Real());
const ArgumentInfo kDouble = Typed(DataType::Double());
const ArgumentInfo kVarchar = Typed(DataType::Varchar());
const ArgumentInfo kBytea = Typed(DataType::Bytea());
const ArgumentInfo kDate = Typed(DataType::Date());
const ArgumentInfo kTimestamp = Typed(DataType::Timestamp());
const ArgumentInfo kTimestampTz = Typed(DataType::TimestampTz());
const ArgumentInfo kInterval = Typed(DataType::Interval());

// "name(PARAMETER, TYPES) -> RESULT" for a resolved call, or the error.
std::string Resolved(std::string_view name, FunctionKind kind,
                     std::vector<ArgumentInfo> arguments) {
  Result<ResolvedFunction> resolved = Registry().Resolve(name, kind, arguments);
  if (!resolved.ok()) return resolved.status().ToString();
  std::vector<std::string> parameters;
  for (const DataType& type : resolved->parameter_types) parameters.push_back(type.ToString());
  return fmt::format("{}({}) -> {}", resolved->name, fmt::join(parameters, ", "),
                     resolved->return_type.ToString());
}

std::string Scalar(std::string_view name, std::vector<ArgumentInfo> arguments) {
  return Resolved(name, FunctionKind::kScalar, std::move(arguments));
}
std::string Aggregate(std::string_view name, std::vector<ArgumentInfo> arguments) {
  return Resolved(name, FunctionKind::kAggregate, std::move(arguments));
}
std::string Window(std::string_view name, std::vector<ArgumentInfo> arguments) {
  return Resolved(name, FunctionKind::kWindow, std::move(arguments));
}

ResolvedFunction MustResolve(std::string_view name, FunctionKind kind,
                             std::vector<ArgumentInfo> arguments) {
  Result<ResolvedFunction> resolved = Registry().Resolve(name, kind, arguments);
  EXPECT_TRUE(resolved.ok()) << resolved.status();
  return resolved.ok() ? *resolved : ResolvedFunction{};
}

Status ResolveError(std::string_view name, FunctionKind kind, std::vector<ArgumentInfo> arguments) {
  Result<ResolvedFunction> resolved = Registry().Resolve(name, kind, arguments);
  return resolved.ok() ? Status::Ok() : resolved.status();
}

TEST(FunctionRegistryTest, EveryRequiredFunctionExists) {
  for (std::string_view name : {"+",
                                "-",
                                "*",
                                "/",
                                "%",
                                "negate",
                                "||",
                                "=",
                                "<>",
                                "<",
                                "<=",
                                ">",
                                ">=",
                                "like",
                                "ilike",
                                "mod",
                                "abs",
                                "round",
                                "floor",
                                "ceil",
                                "ceiling",
                                "sign",
                                "sqrt",
                                "power",
                                "pow",
                                "exp",
                                "ln",
                                "log",
                                "log10",
                                "trunc",
                                "lower",
                                "upper",
                                "length",
                                "char_length",
                                "octet_length",
                                "substring",
                                "substr",
                                "split_part",
                                "concat",
                                "concat_ws",
                                "replace",
                                "trim",
                                "ltrim",
                                "rtrim",
                                "position",
                                "strpos",
                                "starts_with",
                                "ends_with",
                                "left",
                                "right",
                                "lpad",
                                "rpad",
                                "reverse",
                                "regexp_extract",
                                "regexp_match",
                                "regexp_like",
                                "regexp_replace",
                                "coalesce",
                                "nullif",
                                "greatest",
                                "least",
                                "hour",
                                "minute",
                                "second",
                                "day",
                                "dayofmonth",
                                "dayofweek",
                                "dayofyear",
                                "month",
                                "quarter",
                                "year",
                                "week",
                                "date_part",
                                "date_trunc",
                                "to_char",
                                "date_format",
                                "to_timestamp",
                                "to_date",
                                "now",
                                "current_timestamp",
                                "current_date",
                                "proctime",
                                "count_char",
                                "tumble",
                                "tumble_start",
                                "tumble_end",
                                "hop",
                                "slide",
                                "hop_start",
                                "hop_end",
                                "session",
                                "session_start",
                                "session_end",
                                "cumulate"}) {
    EXPECT_TRUE(Registry().Exists(name, FunctionKind::kScalar)) << name;
  }
  for (std::string_view name :
       {"count", "sum", "avg", "min", "max", "first_value", "last_value", "stddev", "stddev_samp",
        "stddev_pop", "variance", "var_samp", "var_pop", "bool_and", "bool_or", "every",
        "string_agg", "approx_count_distinct", "approx_percentile"}) {
    EXPECT_TRUE(Registry().Exists(name, FunctionKind::kAggregate)) << name;
    EXPECT_TRUE(Registry().Exists(name, FunctionKind::kWindow)) << name;
  }
  for (std::string_view name : {"row_number", "rank", "dense_rank", "percent_rank", "cume_dist",
                                "ntile", "lag", "lead", "first_value", "last_value", "nth_value"}) {
    EXPECT_TRUE(Registry().Exists(name, FunctionKind::kWindow)) << name;
  }
  EXPECT_FALSE(Registry().Exists("array_agg", FunctionKind::kAggregate));
  EXPECT_FALSE(Registry().Exists("row_number", FunctionKind::kScalar));
  EXPECT_FALSE(Registry().Exists("lower", FunctionKind::kWindow));
  EXPECT_FALSE(Registry().Exists("no_such_function", FunctionKind::kScalar));
}

TEST(FunctionRegistryTest, NamesAreCaseInsensitive) {
  EXPECT_TRUE(Registry().Exists("LOWER", FunctionKind::kScalar));
  EXPECT_EQ(Scalar("Split_Part", {kVarchar, Literal("/"), kInteger}),
            "split_part(VARCHAR, VARCHAR, BIGINT) -> VARCHAR");
  EXPECT_EQ(Window("ROW_NUMBER", {}), "row_number() -> BIGINT");
}

TEST(FunctionRegistryTest, ExactIntegerOverloadsWin) {
  EXPECT_EQ(Scalar("abs", {kInteger}), "abs(INTEGER) -> INTEGER");
  EXPECT_EQ(Scalar("abs", {kBigInt}), "abs(BIGINT) -> BIGINT");
  // TINYINT has no kernels of its own: it widens to the nearest type that has them.
  EXPECT_EQ(Scalar("abs", {Typed(DataType::TinyInt())}), "abs(SMALLINT) -> SMALLINT");
  EXPECT_EQ(Scalar("abs", {kReal}), "abs(REAL) -> REAL");
  EXPECT_EQ(Scalar("abs", {Typed(Decimal(10, 2))}), "abs(DECIMAL(10,2)) -> DECIMAL(10,2)");
  EXPECT_EQ(Scalar("round", {kBigInt}), "round(BIGINT) -> BIGINT");
  EXPECT_EQ(Scalar("round", {kInteger}), "round(BIGINT) -> BIGINT");
  EXPECT_EQ(Scalar("floor", {kSmallInt}), "floor(BIGINT) -> BIGINT");
  EXPECT_EQ(Scalar("sign", {kInteger}), "sign(BIGINT) -> BIGINT");
}

TEST(FunctionRegistryTest, RoundingFunctionsOnDecimalsAndFloats) {
  EXPECT_EQ(Scalar("round", {kDouble}), "round(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("round", {kReal}), "round(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("round", {Typed(Decimal(10, 2))}), "round(DECIMAL(10,2)) -> DECIMAL(9,0)");
  EXPECT_EQ(Scalar("round", {Typed(Decimal(10, 2)), kInteger}),
            "round(DECIMAL(10,2), INTEGER) -> DECIMAL(11,2)");
  EXPECT_EQ(Scalar("round", {kDouble, kInteger}), "round(DOUBLE, INTEGER) -> DOUBLE");
  EXPECT_EQ(Scalar("round", {kBigInt, kInteger}), "round(DECIMAL(19,0), INTEGER) -> DECIMAL(20,0)");
  EXPECT_EQ(Scalar("ceil", {Typed(Decimal(5, 2))}), "ceil(DECIMAL(5,2)) -> DECIMAL(4,0)");
  EXPECT_EQ(Scalar("ceiling", {kDouble}), "ceiling(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("floor", {Typed(Decimal(5, 2))}), "floor(DECIMAL(5,2)) -> DECIMAL(4,0)");
  EXPECT_EQ(Scalar("trunc", {Typed(Decimal(5, 2))}), "trunc(DECIMAL(5,2)) -> DECIMAL(3,0)");
  EXPECT_EQ(Scalar("trunc", {Typed(Decimal(5, 2)), kInteger}),
            "trunc(DECIMAL(5,2), INTEGER) -> DECIMAL(5,2)");
  EXPECT_EQ(Scalar("trunc", {kDouble, kInteger}), "trunc(DOUBLE, INTEGER) -> DOUBLE");
  EXPECT_EQ(Scalar("sign", {Typed(Decimal(5, 2))}), "sign(DECIMAL(5,2)) -> DECIMAL(1,0)");
  EXPECT_EQ(Scalar("sign", {kReal}), "sign(DOUBLE) -> DOUBLE");
}

TEST(FunctionRegistryTest, TranscendentalFunctionsTakeDoubles) {
  EXPECT_EQ(Scalar("sqrt", {kInteger}), "sqrt(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("sqrt", {Typed(Decimal(10, 2))}), "sqrt(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("exp", {kDouble}), "exp(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("ln", {kBigInt}), "ln(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("log10", {kReal}), "log10(DOUBLE) -> DOUBLE");
  EXPECT_EQ(MustResolve("log", FunctionKind::kScalar, {kDouble}).id, FunctionId::kLog10);
  EXPECT_EQ(Scalar("log", {kInteger, kBigInt}), "log(DOUBLE, DOUBLE) -> DOUBLE");
  EXPECT_EQ(MustResolve("log", FunctionKind::kScalar, {kDouble, kDouble}).id, FunctionId::kLog);
  EXPECT_EQ(Scalar("power", {kInteger, kInteger}), "power(DOUBLE, DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("pow", {kDouble, kInteger}), "pow(DOUBLE, DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("^", {kDouble, kDouble}), "^(DOUBLE, DOUBLE) -> DOUBLE");
  EXPECT_EQ(MustResolve("pow", FunctionKind::kScalar, {kDouble, kDouble}).id, FunctionId::kPower);
}

TEST(FunctionRegistryTest, ArithmeticPromotesToTheWiderOperand) {
  EXPECT_EQ(Scalar("+", {kInteger, kInteger}), "+(INTEGER, INTEGER) -> INTEGER");
  EXPECT_EQ(Scalar("+", {kInteger, kBigInt}), "+(BIGINT, BIGINT) -> BIGINT");
  EXPECT_EQ(Scalar("-", {kSmallInt, kInteger}), "-(INTEGER, INTEGER) -> INTEGER");
  EXPECT_EQ(Scalar("*", {kBigInt, kDouble}), "*(DOUBLE, DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("*", {kReal, kBigInt}), "*(REAL, REAL) -> REAL");
  EXPECT_EQ(Scalar("/", {kInteger, kInteger}), "/(INTEGER, INTEGER) -> INTEGER");
  EXPECT_EQ(Scalar("%", {kBigInt, kInteger}), "%(BIGINT, BIGINT) -> BIGINT");
  EXPECT_EQ(Scalar("mod", {kBigInt, kInteger}), "mod(BIGINT, BIGINT) -> BIGINT");
  EXPECT_EQ(Scalar("negate", {kBigInt}), "negate(BIGINT) -> BIGINT");
  EXPECT_EQ(Scalar("negate", {kInterval}), "negate(INTERVAL) -> INTERVAL");
  EXPECT_EQ(Scalar("*", {Typed(Decimal(38, 2)), kDouble}), "*(DOUBLE, DOUBLE) -> DOUBLE");
}

TEST(FunctionRegistryTest, DecimalArithmeticFollowsTheDecimalRules) {
  // Nexmark q1: 0.908 * price with a BIGINT price.
  ResolvedFunction q1 = MustResolve("*", FunctionKind::kScalar, {Typed(Decimal(4, 3)), kBigInt});
  EXPECT_EQ(q1.id, FunctionId::kMultiply);
  EXPECT_EQ(q1.return_type, Decimal(24, 3));
  ASSERT_EQ(q1.parameter_types.size(), 2u);
  EXPECT_EQ(q1.parameter_types[0], Decimal(4, 3));
  EXPECT_EQ(q1.parameter_types[1], Decimal(19, 0));

  EXPECT_EQ(Scalar("+", {Typed(Decimal(10, 2)), Typed(Decimal(5, 3))}),
            "+(DECIMAL(10,2), DECIMAL(5,3)) -> DECIMAL(12,3)");
  EXPECT_EQ(Scalar("-", {Typed(Decimal(12, 2)), kInteger}),
            "-(DECIMAL(12,2), DECIMAL(10,0)) -> DECIMAL(13,2)");
  EXPECT_EQ(Scalar("/", {Typed(Decimal(10, 2)), Typed(Decimal(5, 0))}),
            "/(DECIMAL(10,2), DECIMAL(5,0)) -> DECIMAL(16,8)");
  EXPECT_EQ(Scalar("%", {Typed(Decimal(10, 2)), Typed(Decimal(5, 3))}),
            "%(DECIMAL(10,2), DECIMAL(5,3)) -> DECIMAL(5,3)");
  EXPECT_EQ(Scalar("negate", {Typed(Decimal(7, 2))}), "negate(DECIMAL(7,2)) -> DECIMAL(7,2)");
  // A NULL operand adopts the other operand's DECIMAL type.
  EXPECT_EQ(Scalar("+", {Null(), Typed(Decimal(12, 2))}),
            "+(DECIMAL(12,2), DECIMAL(12,2)) -> DECIMAL(13,2)");
}

TEST(FunctionRegistryTest, TemporalArithmetic) {
  // date_time + INTERVAL '1' HOUR.
  EXPECT_EQ(Scalar("+", {kTimestamp, kInterval}), "+(TIMESTAMP, INTERVAL) -> TIMESTAMP");
  EXPECT_EQ(Scalar("+", {kInterval, kTimestamp}), "+(INTERVAL, TIMESTAMP) -> TIMESTAMP");
  EXPECT_EQ(Scalar("-", {kTimestamp, kInterval}), "-(TIMESTAMP, INTERVAL) -> TIMESTAMP");
  EXPECT_EQ(Scalar("+", {kTimestampTz, kInterval}),
            "+(TIMESTAMP WITH TIME ZONE, INTERVAL) -> TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Scalar("-", {kTimestampTz, kInterval}),
            "-(TIMESTAMP WITH TIME ZONE, INTERVAL) -> TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Scalar("+", {kDate, kInteger}), "+(DATE, INTEGER) -> DATE");
  EXPECT_EQ(Scalar("+", {kInteger, kDate}), "+(INTEGER, DATE) -> DATE");
  EXPECT_EQ(Scalar("-", {kDate, kInteger}), "-(DATE, INTEGER) -> DATE");
  EXPECT_EQ(Scalar("+", {kDate, kInterval}), "+(DATE, INTERVAL) -> TIMESTAMP");
  EXPECT_EQ(Scalar("-", {kDate, kInterval}), "-(DATE, INTERVAL) -> TIMESTAMP");
  EXPECT_EQ(Scalar("-", {kTimestamp, kTimestamp}), "-(TIMESTAMP, TIMESTAMP) -> INTERVAL");
  EXPECT_EQ(Scalar("-", {kTimestamp, kDate}), "-(TIMESTAMP, TIMESTAMP) -> INTERVAL");
  EXPECT_EQ(Scalar("-", {kTimestampTz, kTimestamp}),
            "-(TIMESTAMP WITH TIME ZONE, TIMESTAMP WITH TIME ZONE) -> INTERVAL");
  EXPECT_EQ(Scalar("-", {kDate, kDate}), "-(DATE, DATE) -> INTEGER");
  EXPECT_EQ(Scalar("+", {kInterval, kInterval}), "+(INTERVAL, INTERVAL) -> INTERVAL");
  EXPECT_EQ(Scalar("-", {kInterval, kInterval}), "-(INTERVAL, INTERVAL) -> INTERVAL");
  EXPECT_EQ(Scalar("*", {kInterval, kInteger}), "*(INTERVAL, DOUBLE) -> INTERVAL");
  EXPECT_EQ(Scalar("*", {kDouble, kInterval}), "*(DOUBLE, INTERVAL) -> INTERVAL");
  EXPECT_EQ(Scalar("/", {kInterval, kBigInt}), "/(INTERVAL, DOUBLE) -> INTERVAL");
  // An untyped literal next to a timestamp is an interval when only that fits.
  EXPECT_EQ(Scalar("+", {kTimestamp, Literal("1 hour")}), "+(TIMESTAMP, INTERVAL) -> TIMESTAMP");
}

TEST(FunctionRegistryTest, ComparisonsMeetInTheCommonSupertype) {
  EXPECT_EQ(Scalar("=", {kBigInt, kInteger}), "=(BIGINT, BIGINT) -> BOOLEAN");
  EXPECT_EQ(Scalar(">", {Typed(Decimal(24, 3)), kInteger}),
            ">(DECIMAL(24,3), DECIMAL(24,3)) -> BOOLEAN");
  EXPECT_EQ(Scalar("<", {kReal, kDouble}), "<(DOUBLE, DOUBLE) -> BOOLEAN");
  EXPECT_EQ(Scalar("<>", {kVarchar, kVarchar}), "<>(VARCHAR, VARCHAR) -> BOOLEAN");
  EXPECT_EQ(Scalar("!=", {kBoolean, kBoolean}), "!=(BOOLEAN, BOOLEAN) -> BOOLEAN");
  EXPECT_EQ(Scalar("<=", {kDate, kTimestamp}), "<=(TIMESTAMP, TIMESTAMP) -> BOOLEAN");
  EXPECT_EQ(Scalar(">=", {kInterval, kInterval}), ">=(INTERVAL, INTERVAL) -> BOOLEAN");
  EXPECT_EQ(Scalar("=", {kBytea, kBytea}), "=(BYTEA, BYTEA) -> BOOLEAN");
  EXPECT_EQ(Scalar("is distinct from", {kInteger, Null()}),
            "is distinct from(INTEGER, INTEGER) -> BOOLEAN");
  EXPECT_FALSE(MustResolve("is not distinct from", FunctionKind::kScalar, {kInteger, kBigInt})
                   .null_on_null_input);
  EXPECT_TRUE(MustResolve("=", FunctionKind::kScalar, {kInteger, kBigInt}).null_on_null_input);
}

TEST(FunctionRegistryTest, StringLiteralsAdoptTheOtherOperandsType) {
  // '2015-07-15' < ts: the literal is parsed as a TIMESTAMP.
  EXPECT_EQ(Scalar("<", {Literal("2015-07-15"), kTimestamp}), "<(TIMESTAMP, TIMESTAMP) -> BOOLEAN");
  EXPECT_EQ(Scalar("=", {kTimestampTz, Literal("2015-07-15 00:00:00")}),
            "=(TIMESTAMP WITH TIME ZONE, TIMESTAMP WITH TIME ZONE) -> BOOLEAN");
  EXPECT_EQ(Scalar("=", {kVarchar, Literal("or")}), "=(VARCHAR, VARCHAR) -> BOOLEAN");
  EXPECT_EQ(Scalar("=", {Literal("a"), Literal("b")}), "=(VARCHAR, VARCHAR) -> BOOLEAN");
  EXPECT_EQ(Scalar("<", {kInteger, Literal("5")}), "<(INTEGER, INTEGER) -> BOOLEAN");
  EXPECT_EQ(Scalar("date_trunc", {Literal("hour"), kTimestamp}),
            "date_trunc(VARCHAR, TIMESTAMP) -> TIMESTAMP");
  EXPECT_EQ(Scalar("date_trunc", {Literal("day"), kTimestampTz}),
            "date_trunc(VARCHAR, TIMESTAMP WITH TIME ZONE) -> TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Scalar("date_trunc", {Literal("month"), kDate}),
            "date_trunc(VARCHAR, TIMESTAMP) -> TIMESTAMP");
  EXPECT_EQ(Scalar("date_trunc", {kVarchar, kInterval}),
            "date_trunc(VARCHAR, INTERVAL) -> INTERVAL");
}

TEST(FunctionRegistryTest, NullArgumentsPreferThePreferredType) {
  EXPECT_EQ(Scalar("abs", {Null()}), "abs(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("length", {Null()}), "length(VARCHAR) -> BIGINT");
  EXPECT_EQ(Scalar("+", {Null(), kInteger}), "+(INTEGER, INTEGER) -> INTEGER");
  EXPECT_EQ(Scalar("-", {kDate, Null()}), "-(DATE, DATE) -> INTEGER");
  EXPECT_EQ(Scalar("lower", {Null()}), "lower(VARCHAR) -> VARCHAR");
}

TEST(FunctionRegistryTest, StringFunctions) {
  EXPECT_EQ(Scalar("lower", {kVarchar}), "lower(VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("upper", {Literal("x")}), "upper(VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("length", {kVarchar}), "length(VARCHAR) -> BIGINT");
  EXPECT_EQ(MustResolve("length", FunctionKind::kScalar, {kBytea}).id, FunctionId::kOctetLength);
  EXPECT_EQ(Scalar("char_length", {kVarchar}), "char_length(VARCHAR) -> BIGINT");
  EXPECT_EQ(Scalar("octet_length", {kBytea}), "octet_length(BYTEA) -> BIGINT");
  EXPECT_EQ(Scalar("substring", {kVarchar, kInteger}), "substring(VARCHAR, BIGINT) -> VARCHAR");
  EXPECT_EQ(Scalar("substr", {kVarchar, kInteger, kBigInt}),
            "substr(VARCHAR, BIGINT, BIGINT) -> VARCHAR");
  EXPECT_EQ(Scalar("split_part", {kVarchar, Literal("/"), kInteger}),
            "split_part(VARCHAR, VARCHAR, BIGINT) -> VARCHAR");
  EXPECT_EQ(Scalar("replace", {kVarchar, Literal("a"), Literal("b")}),
            "replace(VARCHAR, VARCHAR, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("trim", {kVarchar}), "trim(VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("ltrim", {kVarchar, Literal("x")}), "ltrim(VARCHAR, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("rtrim", {kVarchar}), "rtrim(VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("position", {Literal("x"), kVarchar}), "position(VARCHAR, VARCHAR) -> BIGINT");
  EXPECT_EQ(Scalar("strpos", {kVarchar, Literal("x")}), "strpos(VARCHAR, VARCHAR) -> BIGINT");
  EXPECT_EQ(Scalar("starts_with", {kVarchar, Literal("x")}),
            "starts_with(VARCHAR, VARCHAR) -> BOOLEAN");
  EXPECT_EQ(Scalar("ends_with", {kVarchar, kVarchar}), "ends_with(VARCHAR, VARCHAR) -> BOOLEAN");
  EXPECT_EQ(Scalar("left", {kVarchar, kInteger}), "left(VARCHAR, BIGINT) -> VARCHAR");
  EXPECT_EQ(Scalar("right", {kVarchar, kSmallInt}), "right(VARCHAR, BIGINT) -> VARCHAR");
  EXPECT_EQ(Scalar("lpad", {kVarchar, kInteger}), "lpad(VARCHAR, BIGINT) -> VARCHAR");
  EXPECT_EQ(Scalar("rpad", {kVarchar, kInteger, Literal("0")}),
            "rpad(VARCHAR, BIGINT, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("reverse", {kVarchar}), "reverse(VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("regexp_extract", {kVarchar, Literal("(&|^)channel_id=([^&]*)"), kInteger}),
            "regexp_extract(VARCHAR, VARCHAR, BIGINT) -> VARCHAR");
  EXPECT_EQ(Scalar("regexp_extract", {kVarchar, Literal("a+")}),
            "regexp_extract(VARCHAR, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("regexp_match", {kVarchar, Literal("a+")}),
            "regexp_match(VARCHAR, VARCHAR) -> BOOLEAN");
  EXPECT_EQ(Scalar("regexp_like", {kVarchar, Literal("a+"), Literal("i")}),
            "regexp_like(VARCHAR, VARCHAR, VARCHAR) -> BOOLEAN");
  EXPECT_EQ(Scalar("regexp_replace", {kVarchar, Literal("a"), Literal("b")}),
            "regexp_replace(VARCHAR, VARCHAR, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("regexp_replace", {kVarchar, Literal("a"), Literal("b"), Literal("g")}),
            "regexp_replace(VARCHAR, VARCHAR, VARCHAR, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("count_char", {kVarchar, Literal("c")}),
            "count_char(VARCHAR, VARCHAR) -> BIGINT");
  EXPECT_EQ(Scalar("||", {kVarchar, Literal("x")}), "||(VARCHAR, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("||", {kBytea, kBytea}), "||(BYTEA, BYTEA) -> BYTEA");
  EXPECT_EQ(Scalar("like", {kVarchar, Literal("a%")}), "like(VARCHAR, VARCHAR) -> BOOLEAN");
  EXPECT_EQ(Scalar("ilike", {kVarchar, Literal("a%"), Literal("!")}),
            "ilike(VARCHAR, VARCHAR, VARCHAR) -> BOOLEAN");
}

TEST(FunctionRegistryTest, ConcatTakesAnyTypesAndIsNotStrict) {
  ResolvedFunction concat = MustResolve("concat", FunctionKind::kScalar,
                                        {kVarchar, kInteger, Null(), Literal("x"), kTimestamp});
  EXPECT_EQ(concat.return_type, DataType::Varchar());
  EXPECT_FALSE(concat.null_on_null_input);
  ASSERT_EQ(concat.parameter_types.size(), 5u);
  EXPECT_EQ(concat.parameter_types[1], DataType::Integer());
  EXPECT_EQ(concat.parameter_types[2], DataType::Null());
  EXPECT_EQ(concat.parameter_types[3], DataType::Varchar());
  EXPECT_EQ(concat.parameter_types[4], DataType::Timestamp());
  EXPECT_EQ(Scalar("concat_ws", {Literal(","), kBigInt, kDouble}),
            "concat_ws(VARCHAR, BIGINT, DOUBLE) -> VARCHAR");
  EXPECT_EQ(ResolveError("concat", FunctionKind::kScalar, {}).code(), ErrorCode::kUnknownFunction);
}

TEST(FunctionRegistryTest, ConditionalFunctionsUseTheCommonSupertype) {
  EXPECT_EQ(Scalar("coalesce", {kInteger, kBigInt, Null()}),
            "coalesce(BIGINT, BIGINT, BIGINT) -> BIGINT");
  EXPECT_EQ(Scalar("coalesce", {kVarchar, Literal("none")}),
            "coalesce(VARCHAR, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("coalesce", {Literal("2015-07-15"), kDate}), "coalesce(DATE, DATE) -> DATE");
  EXPECT_EQ(Scalar("coalesce", {Null(), Null()}), "coalesce(VARCHAR, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("nullif", {kInteger, Literal("0")}), "nullif(INTEGER, INTEGER) -> INTEGER");
  EXPECT_EQ(Scalar("greatest", {kInteger, kDouble, kBigInt}),
            "greatest(DOUBLE, DOUBLE, DOUBLE) -> DOUBLE");
  EXPECT_EQ(Scalar("least", {kDate, kTimestamp}), "least(TIMESTAMP, TIMESTAMP) -> TIMESTAMP");
  EXPECT_EQ(Scalar("if", {kBoolean, kInteger, Typed(Decimal(5, 2))}),
            "if(BOOLEAN, DECIMAL(12,2), DECIMAL(12,2)) -> DECIMAL(12,2)");
  for (std::string_view name : {"coalesce", "nullif", "greatest", "least"}) {
    EXPECT_FALSE(MustResolve(name, FunctionKind::kScalar, {kInteger, kInteger}).null_on_null_input)
        << name;
  }
}

TEST(FunctionRegistryTest, ConditionalFunctionsRejectTypesWithoutCommonSupertype) {
  Status status = ResolveError("coalesce", FunctionKind::kScalar, {kVarchar, kInteger});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "function coalesce(varchar, integer) does not exist; candidates: "
            "coalesce(variadic anyelement)");
}

TEST(FunctionRegistryTest, DateTimeFieldFunctions) {
  for (std::string_view name : {"hour", "minute", "second", "day", "dayofmonth", "dayofweek",
                                "dayofyear", "month", "quarter", "year", "week"}) {
    EXPECT_EQ(Scalar(name, {kTimestamp}), fmt::format("{}(TIMESTAMP) -> BIGINT", name));
    EXPECT_EQ(Scalar(name, {kTimestampTz}),
              fmt::format("{}(TIMESTAMP WITH TIME ZONE) -> BIGINT", name));
    EXPECT_EQ(Scalar(name, {kDate}), fmt::format("{}(TIMESTAMP) -> BIGINT", name));
  }
}

TEST(FunctionRegistryTest, DatePartTypeDependsOnTheUnit) {
  EXPECT_EQ(Scalar("date_part", {Literal("hour"), kTimestamp}),
            "date_part(VARCHAR, TIMESTAMP) -> BIGINT");
  EXPECT_EQ(Scalar("date_part", {Literal("HOUR"), kDate}),
            "date_part(VARCHAR, TIMESTAMP) -> BIGINT");
  EXPECT_EQ(Scalar("date_part", {Literal("second"), kTimestampTz}),
            "date_part(VARCHAR, TIMESTAMP WITH TIME ZONE) -> DECIMAL(8,6)");
  EXPECT_EQ(Scalar("date_part", {Literal("milliseconds"), kTimestamp}),
            "date_part(VARCHAR, TIMESTAMP) -> DECIMAL(8,3)");
  EXPECT_EQ(Scalar("date_part", {Literal("epoch"), kTimestamp}),
            "date_part(VARCHAR, TIMESTAMP) -> DECIMAL(24,6)");
  EXPECT_EQ(Scalar("date_part", {Literal("dow"), kTimestamp}),
            "date_part(VARCHAR, TIMESTAMP) -> BIGINT");
  EXPECT_EQ(Scalar("date_part", {Literal("day"), kInterval}),
            "date_part(VARCHAR, INTERVAL) -> BIGINT");
  EXPECT_EQ(Scalar("date_part", {kVarchar, kTimestamp}), "date_part(VARCHAR, TIMESTAMP) -> DOUBLE");
}

TEST(FunctionRegistryTest, UnknownDateUnitsAreRejectedWhenBound) {
  Status status = ResolveError("date_part", FunctionKind::kScalar, {Literal("fortnight"), kDate});
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "date_part: unit \"fortnight\" not recognized");
  status = ResolveError("date_trunc", FunctionKind::kScalar, {Literal("epoch"), kTimestamp});
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "date_trunc: unit \"epoch\" not recognized");
}

TEST(FunctionRegistryTest, FormattingAndConversionFunctions) {
  EXPECT_EQ(Scalar("to_char", {kTimestamp, Literal("YYYY-MM-DD")}),
            "to_char(TIMESTAMP, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("to_char", {kDate, Literal("YYYY")}), "to_char(TIMESTAMP, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("to_char", {kInterval, Literal("HH24")}),
            "to_char(INTERVAL, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("date_format", {kTimestampTz, Literal("yyyy-MM-dd")}),
            "date_format(TIMESTAMP WITH TIME ZONE, VARCHAR) -> VARCHAR");
  EXPECT_EQ(Scalar("to_timestamp", {kBigInt}), "to_timestamp(DOUBLE) -> TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Scalar("to_timestamp", {kVarchar, Literal("YYYY")}),
            "to_timestamp(VARCHAR, VARCHAR) -> TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Scalar("to_date", {kVarchar, Literal("YYYY-MM-DD")}),
            "to_date(VARCHAR, VARCHAR) -> DATE");
}

TEST(FunctionRegistryTest, ClockFunctionsAreNotDeterministic) {
  EXPECT_EQ(Scalar("now", {}), "now() -> TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Scalar("current_timestamp", {}), "current_timestamp() -> TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Scalar("current_date", {}), "current_date() -> DATE");
  EXPECT_EQ(Scalar("proctime", {}), "proctime() -> TIMESTAMP");
  for (std::string_view name : {"now", "current_timestamp", "current_date", "proctime"}) {
    EXPECT_FALSE(MustResolve(name, FunctionKind::kScalar, {}).deterministic) << name;
  }
  EXPECT_TRUE(MustResolve("lower", FunctionKind::kScalar, {kVarchar}).deterministic);
}

TEST(FunctionRegistryTest, WindowAssignmentFunctionsReturnTheTimeType) {
  struct Case {
    std::string_view name;
    size_t durations;
  };
  for (Case c : {Case{"tumble", 1}, Case{"tumble", 2}, Case{"tumble_start", 1},
                 Case{"tumble_end", 1}, Case{"hop", 2}, Case{"slide", 2}, Case{"hop_start", 2},
                 Case{"hop_end", 2}, Case{"session", 1}, Case{"session_start", 1},
                 Case{"session_end", 1}, Case{"cumulate", 2}}) {
    for (const ArgumentInfo& time : {kTimestamp, kTimestampTz}) {
      std::vector<ArgumentInfo> arguments = {time};
      arguments.insert(arguments.end(), c.durations, kInterval);
      ResolvedFunction resolved = MustResolve(c.name, FunctionKind::kScalar, arguments);
      EXPECT_TRUE(resolved.window_assignment) << c.name;
      EXPECT_EQ(resolved.return_type, time.type) << c.name;
    }
  }
  EXPECT_EQ(MustResolve("slide", FunctionKind::kScalar, {kTimestamp, kInterval, kInterval}).id,
            FunctionId::kHop);
  EXPECT_FALSE(MustResolve("hour", FunctionKind::kScalar, {kTimestamp}).window_assignment);
}

TEST(FunctionRegistryTest, WindowAssignmentOnBigIntSaysWhichTypesItNeeds) {
  Status status = ResolveError("session", FunctionKind::kScalar, {kBigInt, kInterval});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "function session(bigint, interval) does not exist; candidates: "
            "session(timestamp, interval), session(timestamp with time zone, interval)");
}

TEST(FunctionRegistryTest, CountAndSum) {
  EXPECT_EQ(Aggregate("count", {}), "count() -> BIGINT");
  EXPECT_EQ(MustResolve("count", FunctionKind::kAggregate, {}).id, FunctionId::kCountStar);
  EXPECT_EQ(Aggregate("count", {kVarchar}), "count(VARCHAR) -> BIGINT");
  EXPECT_EQ(MustResolve("count", FunctionKind::kAggregate, {kBigInt}).id, FunctionId::kCount);
  EXPECT_EQ(Aggregate("sum", {kInteger}), "sum(BIGINT) -> BIGINT");
  EXPECT_EQ(Aggregate("sum", {kBigInt}), "sum(BIGINT) -> BIGINT");
  EXPECT_EQ(Aggregate("sum", {Typed(Decimal(12, 2))}), "sum(DECIMAL(12,2)) -> DECIMAL(38,2)");
  EXPECT_EQ(Aggregate("sum", {kReal}), "sum(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Aggregate("sum", {kDouble}), "sum(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Aggregate("sum", {kInterval}), "sum(INTERVAL) -> INTERVAL");
}

TEST(FunctionRegistryTest, AverageAndStatistics) {
  EXPECT_EQ(Aggregate("avg", {kBigInt}), "avg(BIGINT) -> DOUBLE");
  EXPECT_EQ(Aggregate("avg", {kSmallInt}), "avg(BIGINT) -> DOUBLE");
  EXPECT_EQ(Aggregate("avg", {kDouble}), "avg(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Aggregate("avg", {Typed(Decimal(12, 2))}), "avg(DECIMAL(12,2)) -> DECIMAL(38,6)");
  EXPECT_EQ(Aggregate("avg", {Typed(Decimal(20, 10))}), "avg(DECIMAL(20,10)) -> DECIMAL(38,10)");
  EXPECT_EQ(Aggregate("avg", {kInterval}), "avg(INTERVAL) -> INTERVAL");
  for (std::string_view name :
       {"stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop"}) {
    EXPECT_EQ(Aggregate(name, {kBigInt}), fmt::format("{}(DOUBLE) -> DOUBLE", name));
  }
  EXPECT_EQ(Aggregate("approx_percentile", {kBigInt, Typed(Decimal(2, 2))}),
            "approx_percentile(DOUBLE, DOUBLE) -> DOUBLE");
  EXPECT_EQ(Aggregate("approx_count_distinct", {kVarchar}),
            "approx_count_distinct(VARCHAR) -> BIGINT");
}

TEST(FunctionRegistryTest, OtherAggregates) {
  EXPECT_EQ(Aggregate("min", {kBigInt}), "min(BIGINT) -> BIGINT");
  EXPECT_EQ(Aggregate("max", {kVarchar}), "max(VARCHAR) -> VARCHAR");
  EXPECT_EQ(Aggregate("max", {kTimestamp}), "max(TIMESTAMP) -> TIMESTAMP");
  EXPECT_EQ(Aggregate("first_value", {kDouble}), "first_value(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Aggregate("last_value", {kVarchar}), "last_value(VARCHAR) -> VARCHAR");
  EXPECT_EQ(Aggregate("bool_and", {kBoolean}), "bool_and(BOOLEAN) -> BOOLEAN");
  EXPECT_EQ(Aggregate("every", {kBoolean}), "every(BOOLEAN) -> BOOLEAN");
  EXPECT_EQ(Aggregate("bool_or", {kBoolean}), "bool_or(BOOLEAN) -> BOOLEAN");
  EXPECT_EQ(Aggregate("string_agg", {kVarchar, Literal(",")}),
            "string_agg(VARCHAR, VARCHAR) -> VARCHAR");
}

TEST(FunctionRegistryTest, AggregatePropertiesForThePlanner) {
  EXPECT_TRUE(MustResolve("count", FunctionKind::kAggregate, {}).retractable);
  EXPECT_TRUE(MustResolve("sum", FunctionKind::kAggregate, {kBigInt}).retractable);
  EXPECT_TRUE(MustResolve("avg", FunctionKind::kAggregate, {kBigInt}).retractable);
  EXPECT_FALSE(MustResolve("min", FunctionKind::kAggregate, {kBigInt}).retractable);
  EXPECT_FALSE(MustResolve("max", FunctionKind::kAggregate, {kBigInt}).retractable);
  ResolvedFunction first = MustResolve("first_value", FunctionKind::kAggregate, {kBigInt});
  EXPECT_EQ(first.kind, FunctionKind::kAggregate);
  EXPECT_TRUE(first.order_sensitive);
  EXPECT_FALSE(first.retractable);
  EXPECT_TRUE(
      MustResolve("string_agg", FunctionKind::kAggregate, {kVarchar, kVarchar}).order_sensitive);
  EXPECT_TRUE(MustResolve("sum", FunctionKind::kAggregate, {kBigInt}).null_on_null_input);
}

TEST(FunctionRegistryTest, RankingWindowFunctions) {
  for (std::string_view name : {"row_number", "rank", "dense_rank"}) {
    ResolvedFunction resolved = MustResolve(name, FunctionKind::kWindow, {});
    EXPECT_EQ(resolved.return_type, DataType::BigInt()) << name;
    EXPECT_TRUE(resolved.requires_order_by) << name;
    EXPECT_FALSE(resolved.uses_frame) << name;
    EXPECT_FALSE(resolved.windowed_aggregate) << name;
  }
  EXPECT_EQ(Window("percent_rank", {}), "percent_rank() -> DOUBLE");
  EXPECT_EQ(Window("cume_dist", {}), "cume_dist() -> DOUBLE");
  EXPECT_EQ(Window("ntile", {kInteger}), "ntile(BIGINT) -> BIGINT");
}

TEST(FunctionRegistryTest, ValueWindowFunctions) {
  EXPECT_EQ(Window("lag", {kDouble}), "lag(DOUBLE) -> DOUBLE");
  EXPECT_EQ(Window("lag", {kDouble, kInteger}), "lag(DOUBLE, BIGINT) -> DOUBLE");
  // The default meets the value in their common supertype.
  EXPECT_EQ(Window("lead", {kBigInt, kInteger, kInteger}),
            "lead(BIGINT, BIGINT, BIGINT) -> BIGINT");
  EXPECT_EQ(Window("lag", {kInteger, kInteger, kDouble}), "lag(DOUBLE, BIGINT, DOUBLE) -> DOUBLE");
  EXPECT_EQ(Window("lag", {kVarchar, kInteger, Literal("none")}),
            "lag(VARCHAR, BIGINT, VARCHAR) -> VARCHAR");
  EXPECT_TRUE(MustResolve("lead", FunctionKind::kWindow, {kBigInt}).requires_order_by);
  EXPECT_EQ(Window("nth_value", {kTimestamp, kInteger}),
            "nth_value(TIMESTAMP, BIGINT) -> TIMESTAMP");
  ResolvedFunction first = MustResolve("first_value", FunctionKind::kWindow, {kBigInt});
  EXPECT_EQ(first.kind, FunctionKind::kWindow);
  EXPECT_EQ(first.id, FunctionId::kFirstValue);
  EXPECT_TRUE(first.uses_frame);
  EXPECT_FALSE(first.windowed_aggregate);
  EXPECT_FALSE(first.null_on_null_input);
  EXPECT_EQ(Window("last_value", {kVarchar}), "last_value(VARCHAR) -> VARCHAR");
}

TEST(FunctionRegistryTest, AggregatesWithOverAreWindowedAggregates) {
  ResolvedFunction avg = MustResolve("avg", FunctionKind::kWindow, {kDouble});
  EXPECT_EQ(avg.kind, FunctionKind::kWindow);
  EXPECT_EQ(avg.id, FunctionId::kAvg);
  EXPECT_TRUE(avg.windowed_aggregate);
  EXPECT_TRUE(avg.uses_frame);
  EXPECT_EQ(avg.return_type, DataType::Double());
  EXPECT_EQ(Window("count", {}), "count() -> BIGINT");
  EXPECT_EQ(Window("sum", {Typed(Decimal(10, 2))}), "sum(DECIMAL(10,2)) -> DECIMAL(38,2)");
}

TEST(FunctionRegistryTest, NoMatchListsTheCandidates) {
  Status status = ResolveError("round", FunctionKind::kScalar, {kVarchar});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "function round(varchar) does not exist; candidates: round(bigint), round(double), "
            "round(decimal), round(double, integer), round(decimal, integer)");

  status = ResolveError("substring", FunctionKind::kScalar, {kVarchar, kDouble});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "function substring(varchar, double) does not exist; candidates: "
            "substring(varchar, bigint), substring(varchar, bigint, bigint)");

  // A wrong number of arguments is no match either.
  status = ResolveError("lower", FunctionKind::kScalar, {kVarchar, kVarchar});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "function lower(varchar, varchar) does not exist; candidates: lower(varchar)");
}

TEST(FunctionRegistryTest, NoMatchingOperatorNamesTheOperandTypes) {
  Status status = ResolveError("<", FunctionKind::kScalar, {kVarchar, kTimestamp});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "operator does not exist: varchar < timestamp; candidates: "
            "anyelement < anyelement");

  status = ResolveError("||", FunctionKind::kScalar, {kVarchar, kInteger});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "operator does not exist: varchar || integer; candidates: varchar || varchar, "
            "bytea || bytea");

  status = ResolveError("negate", FunctionKind::kScalar, {kVarchar});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_TRUE(status.message().starts_with("operator does not exist: - varchar; candidates: "))
      << status;

  status = ResolveError("+", FunctionKind::kScalar, {kTimestamp, kTimestamp});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_TRUE(status.message().starts_with("operator does not exist: timestamp + timestamp"))
      << status;
  EXPECT_EQ(ResolveError("+", FunctionKind::kScalar, {kDate, kBigInt}).code(),
            ErrorCode::kUnknownFunction);
}

TEST(FunctionRegistryTest, AmbiguousCallsListTheTiedCandidates) {
  Status status = ResolveError("+", FunctionKind::kScalar, {Null(), Null()});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "operator is not unique: null + null; candidates: double + double, "
            "timestamp with time zone + interval, interval + timestamp with time zone, "
            "interval + interval");

  // A registry of its own with two equally good overloads.
  FunctionRegistry registry;
  FunctionSignature left{
      .id = FunctionId::kAdd,
      .name = "f",
      .parameters = {ParameterPattern::Of(TypeId::kBigInt), ParameterPattern::Of(TypeId::kInteger)},
      .return_type = DataType::BigInt()};
  FunctionSignature right = left;
  right.parameters = {ParameterPattern::Of(TypeId::kInteger),
                      ParameterPattern::Of(TypeId::kBigInt)};
  ASSERT_TRUE(registry.Register(left).ok());
  ASSERT_TRUE(registry.Register(right).ok());
  std::vector<ArgumentInfo> arguments = {kInteger, kInteger};
  Result<ResolvedFunction> resolved = registry.Resolve("f", FunctionKind::kScalar, arguments);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(resolved.status().message(),
            "function f(integer, integer) is not unique; candidates: f(bigint, integer), "
            "f(integer, bigint)");
}

TEST(FunctionRegistryTest, UnknownFunctionsAndWrongKinds) {
  Status status = ResolveError("frobnicate", FunctionKind::kScalar, {kInteger, Literal("x")});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(), "function frobnicate(integer, varchar) does not exist");

  status = ResolveError("row_number", FunctionKind::kScalar, {});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(), "window function row_number requires an OVER clause");

  status = ResolveError("lower", FunctionKind::kWindow, {kVarchar});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(),
            "OVER specified, but lower is not a window function nor an aggregate function");

  status = ResolveError("lower", FunctionKind::kAggregate, {kVarchar});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(), "lower is a scalar function, not an aggregate function");

  status = ResolveError("sum", FunctionKind::kScalar, {kBigInt});
  EXPECT_EQ(status.code(), ErrorCode::kUnknownFunction);
  EXPECT_EQ(status.message(), "sum is an aggregate function, not a scalar function");
}

TEST(FunctionRegistryTest, NexmarkExpressionsResolve) {
  // q2: auction % 123 = 0.
  EXPECT_EQ(Scalar("%", {kBigInt, kInteger}), "%(BIGINT, BIGINT) -> BIGINT");
  // q13: mod(b.auction, 10000) = s.key.
  EXPECT_EQ(Scalar("mod", {kBigInt, kInteger}), "mod(BIGINT, BIGINT) -> BIGINT");
  // q14: 0.908 * price > 1000000 and EXTRACT(HOUR FROM date_time) >= 8.
  EXPECT_EQ(Scalar(">", {Typed(Decimal(24, 3)), kInteger}),
            ">(DECIMAL(24,3), DECIMAL(24,3)) -> BOOLEAN");
  EXPECT_EQ(Scalar(">=", {kBigInt, kInteger}), ">=(BIGINT, BIGINT) -> BOOLEAN");
  // q7: b1.date_time - INTERVAL '10' SECOND with b1.date_time = tumble_end(...).
  EXPECT_EQ(Scalar("tumble_end", {kTimestamp, kInterval}),
            "tumble_end(TIMESTAMP, INTERVAL) -> TIMESTAMP");
  // q12: tumble over proctime().
  EXPECT_EQ(Scalar("tumble", {Typed(DataType::Timestamp()), kInterval}),
            "tumble(TIMESTAMP, INTERVAL) -> TIMESTAMP");
  // q4, q6: AVG(MAX(price)).
  EXPECT_EQ(Aggregate("avg", {kBigInt}), "avg(BIGINT) -> DOUBLE");
  EXPECT_EQ(Window("avg", {kBigInt}), "avg(BIGINT) -> DOUBLE");
  // q16: max(to_char(date_time, 'HH24:MI')).
  EXPECT_EQ(Aggregate("max", {kVarchar}), "max(VARCHAR) -> VARCHAR");
  // Seeds: o.amount * r.rate with a DECIMAL(12,2) amount and a DOUBLE rate.
  EXPECT_EQ(Scalar("*", {Typed(Decimal(12, 2)), kDouble}), "*(DOUBLE, DOUBLE) -> DOUBLE");
  // Seeds: amount > 1000, sum(amount) > 100.
  EXPECT_EQ(Scalar(">", {Typed(Decimal(12, 2)), kInteger}),
            ">(DECIMAL(12,2), DECIMAL(12,2)) -> BOOLEAN");
  EXPECT_EQ(Scalar(">", {Typed(Decimal(38, 2)), kInteger}),
            ">(DECIMAL(38,2), DECIMAL(38,2)) -> BOOLEAN");
  // Seeds: ts - 5000 on a BIGINT millisecond column.
  EXPECT_EQ(Scalar("-", {kBigInt, kInteger}), "-(BIGINT, BIGINT) -> BIGINT");
}

TEST(FunctionRegistryTest, ParameterTypesSayWhatToCastLiteralsTo) {
  ResolvedFunction less =
      MustResolve("<", FunctionKind::kScalar, {Literal("2015-07-15 00:00:00"), kTimestamp});
  EXPECT_EQ(less.id, FunctionId::kLess);
  ASSERT_EQ(less.parameter_types.size(), 2u);
  EXPECT_EQ(less.parameter_types[0], DataType::Timestamp());
  EXPECT_EQ(less.parameter_types[1], DataType::Timestamp());
  EXPECT_EQ(less.return_type, DataType::Boolean());
  EXPECT_EQ(less.name, "<");
  EXPECT_EQ(less.kind, FunctionKind::kScalar);
}

TEST(FunctionRegistryTest, RegisterRejectsDuplicatesAndMalformedSignatures) {
  FunctionRegistry registry;
  FunctionSignature signature{.id = FunctionId::kAbs,
                              .name = "g",
                              .parameters = {ParameterPattern::Of(TypeId::kBigInt)},
                              .return_type = DataType::BigInt()};
  ASSERT_TRUE(registry.Register(signature).ok());
  EXPECT_EQ(registry.Register(signature).code(), ErrorCode::kDuplicateObject);
  FunctionSignature aggregate = signature;
  aggregate.kind = FunctionKind::kAggregate;
  EXPECT_TRUE(registry.Register(aggregate).ok());  // Another kind is another function.

  FunctionSignature upper = signature;
  upper.name = "G";
  EXPECT_EQ(registry.Register(upper).code(), ErrorCode::kInvalidArgument);
  FunctionSignature variadic = signature;
  variadic.name = "h";
  variadic.parameters.clear();
  variadic.variadic = true;
  EXPECT_EQ(registry.Register(variadic).code(), ErrorCode::kInvalidArgument);
  FunctionSignature element = signature;
  element.name = "k";
  element.return_rule = ReturnRule::kElement;
  EXPECT_EQ(registry.Register(element).code(), ErrorCode::kInvalidArgument);
}

TEST(FunctionRegistryTest, SignaturesAndNamesForDocumentation) {
  std::span<const FunctionSignature> round = Registry().Signatures("round", FunctionKind::kScalar);
  ASSERT_EQ(round.size(), 5u);
  EXPECT_EQ(round[4].ToString(), "round(decimal, integer)");
  EXPECT_EQ(Registry().Signatures("concat", FunctionKind::kScalar)[0].ToString(),
            "concat(variadic any)");
  EXPECT_TRUE(Registry().Signatures("round", FunctionKind::kWindow).empty());
  EXPECT_TRUE(Registry().Signatures("nothing", FunctionKind::kScalar).empty());

  std::vector<std::string_view> windows = Registry().Names(FunctionKind::kWindow);
  EXPECT_TRUE(std::is_sorted(windows.begin(), windows.end()));
  EXPECT_NE(std::find(windows.begin(), windows.end(), "sum"), windows.end());
  EXPECT_NE(std::find(windows.begin(), windows.end(), "lag"), windows.end());
  EXPECT_EQ(std::find(windows.begin(), windows.end(), "lower"), windows.end());
}

TEST(FunctionRegistryTest, EverySignatureIsReachable) {
  // Calling each built-in signature with exactly its own parameter types resolves to a
  // signature with that id (aliases and overloads never shadow one another).
  for (FunctionKind kind :
       {FunctionKind::kScalar, FunctionKind::kAggregate, FunctionKind::kWindow}) {
    for (std::string_view name : Registry().Names(kind)) {
      for (const FunctionSignature& signature : Registry().Signatures(name, kind)) {
        std::vector<ArgumentInfo> arguments;
        for (const ParameterPattern& parameter : signature.parameters) {
          DataType type = DataType::BigInt();
          if (parameter.kind == ParameterKind::kType) {
            type = parameter.type == TypeId::kDecimal ? Decimal(10, 2) : DataType(parameter.type);
          }
          arguments.push_back(Typed(type));
        }
        Result<ResolvedFunction> resolved = Registry().Resolve(name, kind, arguments);
        ASSERT_TRUE(resolved.ok()) << signature.ToString() << ": " << resolved.status();
        EXPECT_EQ(resolved->id, signature.id) << signature.ToString();
        EXPECT_EQ(resolved->parameter_types.size(), arguments.size()) << signature.ToString();
      }
    }
  }
}

// "name(PARAMETER, TYPES) -> RESULT" as a FunctionResolver resolves the call, or the error.
std::string ResolvedBy(FunctionResolver& resolver, std::string_view name, FunctionKind kind,
                       std::vector<ArgumentInfo> arguments) {
  Result<const ResolvedFunction*> resolved = resolver.Resolve(name, kind, arguments);
  if (!resolved.ok()) return resolved.status().ToString();
  std::vector<std::string> parameters;
  for (const DataType& type : (*resolved)->parameter_types) parameters.push_back(type.ToString());
  return fmt::format("{}({}) -> {}", (*resolved)->name, fmt::join(parameters, ", "),
                     (*resolved)->return_type.ToString());
}

TEST(FunctionResolverTest, RepeatedCallsResolveLikeTheRegistry) {
  FunctionResolver resolver(Registry());
  struct Call {
    std::string_view name;
    FunctionKind kind;
    std::vector<ArgumentInfo> arguments;
  };
  const std::vector<Call> calls = {
      {"=", FunctionKind::kScalar, {kBigInt, kBigInt}},
      {"=", FunctionKind::kScalar, {kInteger, kBigInt}},
      {"=", FunctionKind::kScalar, {kTimestamp, Literal("2015-07-15")}},
      {"+", FunctionKind::kScalar, {Typed(Decimal(10, 2)), kBigInt}},
      {"+", FunctionKind::kScalar, {Typed(Decimal(12, 4)), kBigInt}},
      {"abs", FunctionKind::kScalar, {Null()}},
      {"ROUND", FunctionKind::kScalar, {kDouble, kInteger}},
      {"coalesce", FunctionKind::kScalar, {kVarchar, Literal("")}},
      {"count", FunctionKind::kAggregate, {}},
      {"count", FunctionKind::kAggregate, {kVarchar}},
      {"sum", FunctionKind::kWindow, {kBigInt}},
      {"lower", FunctionKind::kScalar, {kBigInt}},   // No match: an error each time.
      {"nosuch", FunctionKind::kScalar, {kBigInt}},  // Unknown: an error each time.
      {"row_number", FunctionKind::kScalar, {}},     // Wrong kind.
  };
  for (int round = 0; round < 3; ++round) {
    for (const Call& call : calls) {
      EXPECT_EQ(ResolvedBy(resolver, call.name, call.kind, call.arguments),
                Resolved(call.name, call.kind, call.arguments))
          << call.name << " in round " << round;
    }
  }
}

TEST(FunctionResolverTest, UnitLiteralsAreReadOnEveryCall) {
  // date_part and date_trunc with the same argument types but other unit texts: the result type
  // and the error depend on the text, so it must not come from an earlier call.
  FunctionResolver resolver(Registry());
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(
        ResolvedBy(resolver, "date_part", FunctionKind::kScalar, {Literal("hour"), kTimestamp}),
        "date_part(VARCHAR, TIMESTAMP) -> BIGINT");
    EXPECT_EQ(
        ResolvedBy(resolver, "date_part", FunctionKind::kScalar, {Literal("epoch"), kTimestamp}),
        "date_part(VARCHAR, TIMESTAMP) -> DECIMAL(24,6)");
    EXPECT_EQ(ResolvedBy(resolver, "date_part", FunctionKind::kScalar,
                         {Literal("fortnight"), kTimestamp}),
              FormatErrorCode(ErrorCode::kInvalidArgument) +
                  ": date_part: unit \"fortnight\" not recognized");
    EXPECT_EQ(
        ResolvedBy(resolver, "date_trunc", FunctionKind::kScalar, {Literal("minute"), kTimestamp}),
        "date_trunc(VARCHAR, TIMESTAMP) -> TIMESTAMP");
    Result<const ResolvedFunction*> epoch =
        resolver.Resolve("date_trunc", FunctionKind::kScalar,
                         std::vector<ArgumentInfo>{Literal("epoch"), kTimestamp});
    ASSERT_FALSE(epoch.ok());
    EXPECT_EQ(epoch.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(FunctionRegistryTest, FunctionIdNames) {
  EXPECT_EQ(FunctionIdName(FunctionId::kAdd), "Add");
  EXPECT_EQ(FunctionIdName(FunctionId::kDateTrunc), "DateTrunc");
  EXPECT_EQ(FunctionIdName(FunctionId::kCountStar), "CountStar");
  EXPECT_EQ(FunctionIdName(FunctionId::kNthValue), "NthValue");
}

}  // namespace
}  // namespace laminar::functions
