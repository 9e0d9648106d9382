#include "functions/builtin_functions.h"

#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "common/check.h"

namespace laminar::functions {
namespace {

using P = ParameterPattern;

constexpr P kBoolean = P::Of(TypeId::kBoolean);
constexpr P kSmallInt = P::Of(TypeId::kSmallInt);
constexpr P kInteger = P::Of(TypeId::kInteger);
constexpr P kBigInt = P::Of(TypeId::kBigInt);
constexpr P kReal = P::Of(TypeId::kReal);
constexpr P kDouble = P::Of(TypeId::kDouble);
constexpr P kDecimal = P::Of(TypeId::kDecimal);
constexpr P kVarchar = P::Of(TypeId::kVarchar);
constexpr P kBytea = P::Of(TypeId::kBytea);
constexpr P kDate = P::Of(TypeId::kDate);
constexpr P kTimestamp = P::Of(TypeId::kTimestamp);
constexpr P kTimestampTz = P::Of(TypeId::kTimestampTz);
constexpr P kInterval = P::Of(TypeId::kInterval);
constexpr P kAnyType = P::Any();
constexpr P kElement = P::Element();

// The numeric types with their own arithmetic signatures. TINYINT (not in the SQL dialect, but
// possible in Arrow input) has none: it widens to SMALLINT.
constexpr P kArithmeticTypes[] = {kSmallInt, kInteger, kBigInt, kDecimal, kReal, kDouble};
// The time types of window-assignment functions (DATE converts to TIMESTAMP).
constexpr P kEventTimeTypes[] = {kTimestamp, kTimestampTz};

// A result type: fixed, or computed by a rule.
struct Returns {
  Returns(DataType type) : rule(ReturnRule::kFixed), type(type) {}  // NOLINT: terse tables.
  Returns(ReturnRule rule) : rule(rule) {}                          // NOLINT: terse tables.
  ReturnRule rule;
  DataType type;
};

// One signature under construction; the name is filled in per alias by Add.
class Spec {
 public:
  Spec(FunctionKind kind, FunctionId id, std::vector<P> parameters, Returns returns) {
    signature_.kind = kind;
    signature_.id = id;
    signature_.parameters = std::move(parameters);
    signature_.return_rule = returns.rule;
    signature_.return_type = returns.type;
  }

  Spec& Variadic() {
    signature_.variadic = true;
    return *this;
  }
  Spec& NotStrict() {
    signature_.null_on_null_input = false;
    return *this;
  }
  Spec& NonDeterministic() {
    signature_.deterministic = false;
    return *this;
  }
  Spec& WindowAssignment() {
    signature_.window_assignment = true;
    return *this;
  }
  Spec& Retractable() {
    signature_.retractable = true;
    return *this;
  }
  Spec& OrderSensitive() {
    signature_.order_sensitive = true;
    return *this;
  }
  Spec& RequiresOrderBy() {
    signature_.requires_order_by = true;
    return *this;
  }
  Spec& UsesFrame() {
    signature_.uses_frame = true;
    return *this;
  }

  const FunctionSignature& signature() const { return signature_; }

 private:
  FunctionSignature signature_;
};

Spec Scalar(FunctionId id, std::vector<P> parameters, Returns returns) {
  return Spec(FunctionKind::kScalar, id, std::move(parameters), returns);
}
Spec Aggregate(FunctionId id, std::vector<P> parameters, Returns returns) {
  return Spec(FunctionKind::kAggregate, id, std::move(parameters), returns);
}
// Window functions see NULLs as values (lag returns them), so none is strict.
Spec Window(FunctionId id, std::vector<P> parameters, Returns returns) {
  Spec spec(FunctionKind::kWindow, id, std::move(parameters), returns);
  spec.NotStrict();
  return spec;
}

class Registrar {
 public:
  explicit Registrar(FunctionRegistry& registry) : registry_(registry) {}

  // Registers `spec` under each of `names` (aliases share the FunctionId).
  void Add(std::initializer_list<std::string_view> names, const Spec& spec) {
    for (std::string_view name : names) {
      FunctionSignature signature = spec.signature();
      signature.name = std::string(name);
      Status status = registry_.Register(std::move(signature));
      LAMINAR_CHECK_MSG(status.ok(), "built-in function signature rejected");
    }
  }

 private:
  FunctionRegistry& registry_;
};

bool IsDecimal(const P& parameter) { return parameter == kDecimal; }

// + - * / % and unary minus: each numeric type with itself (mixed types meet through implicit
// casts), DECIMAL by DecimalArithmeticType, integers truncating on division; then the date and
// time arithmetic of PostgreSQL.
void RegisterOperators(Registrar& registrar) {
  for (const P& type : kArithmeticTypes) {
    bool decimal = IsDecimal(type);
    Returns same = ReturnRule::kFirstParameter;
    registrar.Add({"+"}, Scalar(FunctionId::kAdd, {type, type},
                                decimal ? ReturnRule::kDecimalAdd : ReturnRule::kFirstParameter));
    registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {type, type},
                                decimal ? ReturnRule::kDecimalAdd : ReturnRule::kFirstParameter));
    registrar.Add({"*"},
                  Scalar(FunctionId::kMultiply, {type, type},
                         decimal ? ReturnRule::kDecimalMultiply : ReturnRule::kFirstParameter));
    registrar.Add({"/"},
                  Scalar(FunctionId::kDivide, {type, type},
                         decimal ? ReturnRule::kDecimalDivide : ReturnRule::kFirstParameter));
    registrar.Add({"%", "mod"},
                  Scalar(FunctionId::kModulo, {type, type},
                         decimal ? ReturnRule::kDecimalModulo : ReturnRule::kFirstParameter));
    registrar.Add({"negate"}, Scalar(FunctionId::kNegate, {type}, same));
  }

  // Date and time arithmetic.
  DataType timestamp = DataType::Timestamp();
  DataType timestamp_tz = DataType::TimestampTz();
  DataType interval = DataType::Interval();
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kTimestamp, kInterval}, timestamp));
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kInterval, kTimestamp}, timestamp));
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kTimestampTz, kInterval}, timestamp_tz));
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kInterval, kTimestampTz}, timestamp_tz));
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kDate, kInteger}, DataType::Date()));
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kInteger, kDate}, DataType::Date()));
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kDate, kInterval}, timestamp));
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kInterval, kDate}, timestamp));
  registrar.Add({"+"}, Scalar(FunctionId::kAdd, {kInterval, kInterval}, interval));
  registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {kTimestamp, kInterval}, timestamp));
  registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {kTimestampTz, kInterval}, timestamp_tz));
  registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {kDate, kInteger}, DataType::Date()));
  registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {kDate, kInterval}, timestamp));
  registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {kTimestamp, kTimestamp}, interval));
  registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {kTimestampTz, kTimestampTz}, interval));
  registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {kDate, kDate}, DataType::Integer()));
  registrar.Add({"-"}, Scalar(FunctionId::kSubtract, {kInterval, kInterval}, interval));
  registrar.Add({"*"}, Scalar(FunctionId::kMultiply, {kInterval, kDouble}, interval));
  registrar.Add({"*"}, Scalar(FunctionId::kMultiply, {kDouble, kInterval}, interval));
  registrar.Add({"/"}, Scalar(FunctionId::kDivide, {kInterval, kDouble}, interval));
  registrar.Add({"negate"}, Scalar(FunctionId::kNegate, {kInterval}, interval));

  // Exponentiation: DOUBLE only, as PostgreSQL's float8 ^ float8.
  registrar.Add({"^", "power", "pow"},
                Scalar(FunctionId::kPower, {kDouble, kDouble}, DataType::Double()));

  // Comparisons of any two values that have a common supertype: numbers across types,
  // strings, BYTEA, booleans, DATE/TIMESTAMP/TIMESTAMPTZ across types, intervals.
  DataType boolean = DataType::Boolean();
  registrar.Add({"="}, Scalar(FunctionId::kEqual, {kElement, kElement}, boolean));
  registrar.Add({"<>", "!="}, Scalar(FunctionId::kNotEqual, {kElement, kElement}, boolean));
  registrar.Add({"<"}, Scalar(FunctionId::kLess, {kElement, kElement}, boolean));
  registrar.Add({"<="}, Scalar(FunctionId::kLessEqual, {kElement, kElement}, boolean));
  registrar.Add({">"}, Scalar(FunctionId::kGreater, {kElement, kElement}, boolean));
  registrar.Add({">="}, Scalar(FunctionId::kGreaterEqual, {kElement, kElement}, boolean));
  registrar.Add({"is distinct from"},
                Scalar(FunctionId::kIsDistinctFrom, {kElement, kElement}, boolean).NotStrict());
  registrar.Add({"is not distinct from"},
                Scalar(FunctionId::kIsNotDistinctFrom, {kElement, kElement}, boolean).NotStrict());

  // Pattern matching; the optional third argument is the ESCAPE character.
  registrar.Add({"like"}, Scalar(FunctionId::kLike, {kVarchar, kVarchar}, boolean));
  registrar.Add({"like"}, Scalar(FunctionId::kLike, {kVarchar, kVarchar, kVarchar}, boolean));
  registrar.Add({"ilike"}, Scalar(FunctionId::kIlike, {kVarchar, kVarchar}, boolean));
  registrar.Add({"ilike"}, Scalar(FunctionId::kIlike, {kVarchar, kVarchar, kVarchar}, boolean));

  // String concatenation: strict (NULL || 'a' is NULL), strings or byte strings only; use
  // concat() for other types and NULL-skipping.
  registrar.Add({"||"},
                Scalar(FunctionId::kStringConcat, {kVarchar, kVarchar}, DataType::Varchar()));
  registrar.Add({"||"}, Scalar(FunctionId::kStringConcat, {kBytea, kBytea}, DataType::Bytea()));
}

// Numeric functions. Exact types stay exact: abs, round, floor, ceil and trunc of a BIGINT are
// BIGINTs (smaller integers widen to BIGINT), of a DECIMAL DECIMALs with the precision the
// result needs; the transcendental functions exist for DOUBLE only.
void RegisterNumericFunctions(Registrar& registrar) {
  DataType double_type = DataType::Double();
  for (const P& type : kArithmeticTypes) {
    registrar.Add({"abs"}, Scalar(FunctionId::kAbs, {type}, ReturnRule::kFirstParameter));
  }
  registrar.Add({"round"}, Scalar(FunctionId::kRound, {kBigInt}, ReturnRule::kFirstParameter));
  registrar.Add({"round"}, Scalar(FunctionId::kRound, {kDouble}, double_type));
  registrar.Add({"round"}, Scalar(FunctionId::kRound, {kDecimal}, ReturnRule::kDecimalRound));
  registrar.Add({"round"}, Scalar(FunctionId::kRound, {kDouble, kInteger}, double_type));
  registrar.Add({"round"},
                Scalar(FunctionId::kRound, {kDecimal, kInteger}, ReturnRule::kDecimalRoundScale));
  registrar.Add({"floor"}, Scalar(FunctionId::kFloor, {kBigInt}, ReturnRule::kFirstParameter));
  registrar.Add({"floor"}, Scalar(FunctionId::kFloor, {kDouble}, double_type));
  registrar.Add({"floor"}, Scalar(FunctionId::kFloor, {kDecimal}, ReturnRule::kDecimalRound));
  registrar.Add({"ceil", "ceiling"},
                Scalar(FunctionId::kCeil, {kBigInt}, ReturnRule::kFirstParameter));
  registrar.Add({"ceil", "ceiling"}, Scalar(FunctionId::kCeil, {kDouble}, double_type));
  registrar.Add({"ceil", "ceiling"},
                Scalar(FunctionId::kCeil, {kDecimal}, ReturnRule::kDecimalRound));
  registrar.Add({"trunc"}, Scalar(FunctionId::kTrunc, {kBigInt}, ReturnRule::kFirstParameter));
  registrar.Add({"trunc"}, Scalar(FunctionId::kTrunc, {kDouble}, double_type));
  registrar.Add({"trunc"}, Scalar(FunctionId::kTrunc, {kDecimal}, ReturnRule::kDecimalTruncate));
  registrar.Add({"trunc"}, Scalar(FunctionId::kTrunc, {kDouble, kInteger}, double_type));
  registrar.Add({"trunc"},
                Scalar(FunctionId::kTrunc, {kDecimal, kInteger}, ReturnRule::kFirstParameter));
  // sign: -1, 0 or 1 in the argument's type family.
  registrar.Add({"sign"}, Scalar(FunctionId::kSign, {kBigInt}, ReturnRule::kFirstParameter));
  registrar.Add({"sign"}, Scalar(FunctionId::kSign, {kDouble}, double_type));
  registrar.Add({"sign"}, Scalar(FunctionId::kSign, {kDecimal}, ReturnRule::kDecimalSign));
  registrar.Add({"sqrt"}, Scalar(FunctionId::kSqrt, {kDouble}, double_type));
  registrar.Add({"exp"}, Scalar(FunctionId::kExp, {kDouble}, double_type));
  registrar.Add({"ln"}, Scalar(FunctionId::kLn, {kDouble}, double_type));
  registrar.Add({"log10"}, Scalar(FunctionId::kLog10, {kDouble}, double_type));
  // log(x) is the base-10 logarithm, log(b, x) the base-b one, as in PostgreSQL.
  registrar.Add({"log"}, Scalar(FunctionId::kLog10, {kDouble}, double_type));
  registrar.Add({"log"}, Scalar(FunctionId::kLog, {kDouble, kDouble}, double_type));
}

// String functions. Lengths and positions, returned or taken, are BIGINT (1-based, in
// characters; octet_length in bytes).
void RegisterStringFunctions(Registrar& registrar) {
  DataType varchar = DataType::Varchar();
  DataType bigint = DataType::BigInt();
  DataType boolean = DataType::Boolean();
  registrar.Add({"lower"}, Scalar(FunctionId::kLower, {kVarchar}, varchar));
  registrar.Add({"upper"}, Scalar(FunctionId::kUpper, {kVarchar}, varchar));
  registrar.Add({"reverse"}, Scalar(FunctionId::kReverse, {kVarchar}, varchar));
  registrar.Add({"length", "char_length", "character_length"},
                Scalar(FunctionId::kCharLength, {kVarchar}, bigint));
  registrar.Add({"length"}, Scalar(FunctionId::kOctetLength, {kBytea}, bigint));
  registrar.Add({"octet_length"}, Scalar(FunctionId::kOctetLength, {kVarchar}, bigint));
  registrar.Add({"octet_length"}, Scalar(FunctionId::kOctetLength, {kBytea}, bigint));
  registrar.Add({"substring", "substr"},
                Scalar(FunctionId::kSubstring, {kVarchar, kBigInt}, varchar));
  registrar.Add({"substring", "substr"},
                Scalar(FunctionId::kSubstring, {kVarchar, kBigInt, kBigInt}, varchar));
  registrar.Add({"split_part"},
                Scalar(FunctionId::kSplitPart, {kVarchar, kVarchar, kBigInt}, varchar));
  // concat skips NULLs and formats any type as text; concat_ws too, except the separator.
  registrar.Add({"concat"},
                Scalar(FunctionId::kConcat, {kAnyType}, varchar).Variadic().NotStrict());
  registrar.Add(
      {"concat_ws"},
      Scalar(FunctionId::kConcatWs, {kVarchar, kAnyType}, varchar).Variadic().NotStrict());
  registrar.Add({"replace"}, Scalar(FunctionId::kReplace, {kVarchar, kVarchar, kVarchar}, varchar));
  // trim(s) removes spaces, trim(s, characters) any of the characters (TRIM(BOTH c FROM s)).
  registrar.Add({"trim", "btrim"}, Scalar(FunctionId::kTrim, {kVarchar}, varchar));
  registrar.Add({"trim", "btrim"}, Scalar(FunctionId::kTrim, {kVarchar, kVarchar}, varchar));
  registrar.Add({"ltrim"}, Scalar(FunctionId::kLtrim, {kVarchar}, varchar));
  registrar.Add({"ltrim"}, Scalar(FunctionId::kLtrim, {kVarchar, kVarchar}, varchar));
  registrar.Add({"rtrim"}, Scalar(FunctionId::kRtrim, {kVarchar}, varchar));
  registrar.Add({"rtrim"}, Scalar(FunctionId::kRtrim, {kVarchar, kVarchar}, varchar));
  // position(needle, haystack) is POSITION(needle IN haystack); strpos takes them the other way.
  registrar.Add({"position"}, Scalar(FunctionId::kPosition, {kVarchar, kVarchar}, bigint));
  registrar.Add({"strpos"}, Scalar(FunctionId::kStrpos, {kVarchar, kVarchar}, bigint));
  registrar.Add({"starts_with"}, Scalar(FunctionId::kStartsWith, {kVarchar, kVarchar}, boolean));
  registrar.Add({"ends_with"}, Scalar(FunctionId::kEndsWith, {kVarchar, kVarchar}, boolean));
  registrar.Add({"left"}, Scalar(FunctionId::kLeft, {kVarchar, kBigInt}, varchar));
  registrar.Add({"right"}, Scalar(FunctionId::kRight, {kVarchar, kBigInt}, varchar));
  registrar.Add({"lpad"}, Scalar(FunctionId::kLpad, {kVarchar, kBigInt}, varchar));
  registrar.Add({"lpad"}, Scalar(FunctionId::kLpad, {kVarchar, kBigInt, kVarchar}, varchar));
  registrar.Add({"rpad"}, Scalar(FunctionId::kRpad, {kVarchar, kBigInt}, varchar));
  registrar.Add({"rpad"}, Scalar(FunctionId::kRpad, {kVarchar, kBigInt, kVarchar}, varchar));
  // regexp_extract(s, pattern[, group]): the group (default 0, the whole match) of the first
  // match, NULL when there is none.
  registrar.Add({"regexp_extract"},
                Scalar(FunctionId::kRegexpExtract, {kVarchar, kVarchar}, varchar));
  registrar.Add({"regexp_extract"},
                Scalar(FunctionId::kRegexpExtract, {kVarchar, kVarchar, kBigInt}, varchar));
  // regexp_like / regexp_match(s, pattern[, flags]): BOOLEAN, whether the pattern matches.
  registrar.Add({"regexp_like", "regexp_match"},
                Scalar(FunctionId::kRegexpLike, {kVarchar, kVarchar}, boolean));
  registrar.Add({"regexp_like", "regexp_match"},
                Scalar(FunctionId::kRegexpLike, {kVarchar, kVarchar, kVarchar}, boolean));
  registrar.Add({"regexp_replace"},
                Scalar(FunctionId::kRegexpReplace, {kVarchar, kVarchar, kVarchar}, varchar));
  registrar.Add({"regexp_replace"}, Scalar(FunctionId::kRegexpReplace,
                                           {kVarchar, kVarchar, kVarchar, kVarchar}, varchar));
  // count_char(s, c): occurrences of the character c in s (the Nexmark q14 UDF, built in).
  registrar.Add({"count_char"}, Scalar(FunctionId::kCountChar, {kVarchar, kVarchar}, bigint));
}

// Conditional functions: their arguments meet in a common supertype, and none is strict.
void RegisterConditionalFunctions(Registrar& registrar) {
  registrar.Add(
      {"coalesce"},
      Scalar(FunctionId::kCoalesce, {kElement}, ReturnRule::kElement).Variadic().NotStrict());
  registrar.Add(
      {"nullif"},
      Scalar(FunctionId::kNullIf, {kElement, kElement}, ReturnRule::kElement).NotStrict());
  // greatest and least ignore NULLs, as in PostgreSQL.
  registrar.Add(
      {"greatest"},
      Scalar(FunctionId::kGreatest, {kElement}, ReturnRule::kElement).Variadic().NotStrict());
  registrar.Add(
      {"least"},
      Scalar(FunctionId::kLeast, {kElement}, ReturnRule::kElement).Variadic().NotStrict());
  // if(condition, then, else), Flink's IF.
  registrar.Add(
      {"if"},
      Scalar(FunctionId::kIf, {kBoolean, kElement, kElement}, ReturnRule::kElement).NotStrict());
}

// Date and time functions. Field extractors take TIMESTAMP or TIMESTAMPTZ (a DATE converts to
// TIMESTAMP) and return BIGINT; date_part's type depends on its unit (function_registry.h).
void RegisterTemporalFunctions(Registrar& registrar) {
  DataType bigint = DataType::BigInt();
  DataType varchar = DataType::Varchar();
  struct Field {
    std::string_view name;
    FunctionId id;
  };
  const Field fields[] = {
      {"year", FunctionId::kYear},
      {"quarter", FunctionId::kQuarter},
      {"month", FunctionId::kMonth},
      {"week", FunctionId::kWeek},
      {"day", FunctionId::kDay},
      {"dayofmonth", FunctionId::kDay},
      {"dayofweek", FunctionId::kDayOfWeek},
      {"dayofyear", FunctionId::kDayOfYear},
      {"hour", FunctionId::kHour},
      {"minute", FunctionId::kMinute},
      {"second", FunctionId::kSecond},
  };
  for (const Field& field : fields) {
    for (const P& time : kEventTimeTypes) {
      registrar.Add({field.name}, Scalar(field.id, {time}, bigint));
    }
  }
  for (const P& time : {kTimestamp, kTimestampTz, kInterval}) {
    registrar.Add({"date_part"},
                  Scalar(FunctionId::kDatePart, {kVarchar, time}, ReturnRule::kDatePart));
    registrar.Add({"date_trunc"},
                  Scalar(FunctionId::kDateTrunc, {kVarchar, time}, ReturnRule::kDateTrunc));
  }
  // to_char uses PostgreSQL's template patterns ('YYYY-MM-DD HH24:MI'), date_format Flink's
  // (Java SimpleDateFormat: 'yyyy-MM-dd HH:mm').
  registrar.Add({"to_char"}, Scalar(FunctionId::kToChar, {kTimestamp, kVarchar}, varchar));
  registrar.Add({"to_char"}, Scalar(FunctionId::kToChar, {kTimestampTz, kVarchar}, varchar));
  registrar.Add({"to_char"}, Scalar(FunctionId::kToChar, {kInterval, kVarchar}, varchar));
  registrar.Add({"date_format"}, Scalar(FunctionId::kDateFormat, {kTimestamp, kVarchar}, varchar));
  registrar.Add({"date_format"},
                Scalar(FunctionId::kDateFormat, {kTimestampTz, kVarchar}, varchar));
  // to_timestamp(seconds since the epoch) and to_timestamp(text, template), as in PostgreSQL.
  registrar.Add({"to_timestamp"},
                Scalar(FunctionId::kToTimestamp, {kDouble}, DataType::TimestampTz()));
  registrar.Add({"to_timestamp"},
                Scalar(FunctionId::kToTimestamp, {kVarchar, kVarchar}, DataType::TimestampTz()));
  registrar.Add({"to_date"}, Scalar(FunctionId::kToDate, {kVarchar, kVarchar}, DataType::Date()));
  // The clock: all read the injected Clock, so none is deterministic.
  registrar.Add({"now", "current_timestamp"},
                Scalar(FunctionId::kNow, {}, DataType::TimestampTz()).NonDeterministic());
  registrar.Add({"current_date"},
                Scalar(FunctionId::kCurrentDate, {}, DataType::Date()).NonDeterministic());
  registrar.Add({"proctime"},
                Scalar(FunctionId::kProctime, {}, DataType::Timestamp()).NonDeterministic());
}

// Window assignment for GROUP BY: tumble(ts, size[, offset]), hop/slide(ts, size, slide),
// session(ts, gap), cumulate(ts, step, max_size); the plain name and _start give the window
// start, _end the window end, all in the type of ts.
void RegisterWindowAssignment(Registrar& registrar) {
  auto add = [&](std::initializer_list<std::string_view> names, FunctionId id,
                 std::vector<P> durations) {
    for (const P& time : kEventTimeTypes) {
      std::vector<P> parameters = {time};
      parameters.insert(parameters.end(), durations.begin(), durations.end());
      registrar.Add(names, Scalar(id, parameters, ReturnRule::kFirstParameter).WindowAssignment());
    }
  };
  for (const std::vector<P>& durations :
       {std::vector<P>{kInterval}, std::vector<P>{kInterval, kInterval}}) {
    add({"tumble"}, FunctionId::kTumble, durations);
    add({"tumble_start"}, FunctionId::kTumbleStart, durations);
    add({"tumble_end"}, FunctionId::kTumbleEnd, durations);
  }
  add({"hop", "slide"}, FunctionId::kHop, {kInterval, kInterval});
  add({"hop_start", "slide_start"}, FunctionId::kHopStart, {kInterval, kInterval});
  add({"hop_end", "slide_end"}, FunctionId::kHopEnd, {kInterval, kInterval});
  add({"session"}, FunctionId::kSession, {kInterval});
  add({"session_start"}, FunctionId::kSessionStart, {kInterval});
  add({"session_end"}, FunctionId::kSessionEnd, {kInterval});
  add({"cumulate"}, FunctionId::kCumulate, {kInterval, kInterval});
  add({"cumulate_start"}, FunctionId::kCumulateStart, {kInterval, kInterval});
  add({"cumulate_end"}, FunctionId::kCumulateEnd, {kInterval, kInterval});
}

// Aggregates. All skip NULL inputs. Retractable ones can take back a row from their state;
// stddev and variance retract through running sums (the usual floating-point caveats apply).
void RegisterAggregates(Registrar& registrar) {
  DataType bigint = DataType::BigInt();
  DataType double_type = DataType::Double();
  DataType interval = DataType::Interval();
  registrar.Add({"count"}, Aggregate(FunctionId::kCountStar, {}, bigint).Retractable());
  registrar.Add({"count"}, Aggregate(FunctionId::kCount, {kAnyType}, bigint).Retractable());
  registrar.Add({"sum"}, Aggregate(FunctionId::kSum, {kBigInt}, bigint).Retractable());
  registrar.Add({"sum"},
                Aggregate(FunctionId::kSum, {kDecimal}, ReturnRule::kDecimalSum).Retractable());
  registrar.Add({"sum"}, Aggregate(FunctionId::kSum, {kDouble}, double_type).Retractable());
  registrar.Add({"sum"}, Aggregate(FunctionId::kSum, {kInterval}, interval).Retractable());
  registrar.Add({"avg"}, Aggregate(FunctionId::kAvg, {kBigInt}, double_type).Retractable());
  registrar.Add({"avg"},
                Aggregate(FunctionId::kAvg, {kDecimal}, ReturnRule::kDecimalAverage).Retractable());
  registrar.Add({"avg"}, Aggregate(FunctionId::kAvg, {kDouble}, double_type).Retractable());
  registrar.Add({"avg"}, Aggregate(FunctionId::kAvg, {kInterval}, interval).Retractable());
  registrar.Add({"min"}, Aggregate(FunctionId::kMin, {kElement}, ReturnRule::kElement));
  registrar.Add({"max"}, Aggregate(FunctionId::kMax, {kElement}, ReturnRule::kElement));
  // The first and last non-NULL value in arrival order (the seeds' UDAFs).
  registrar.Add(
      {"first_value"},
      Aggregate(FunctionId::kFirstValue, {kElement}, ReturnRule::kElement).OrderSensitive());
  registrar.Add(
      {"last_value"},
      Aggregate(FunctionId::kLastValue, {kElement}, ReturnRule::kElement).OrderSensitive());
  registrar.Add({"stddev", "stddev_samp"},
                Aggregate(FunctionId::kStddevSamp, {kDouble}, double_type).Retractable());
  registrar.Add({"stddev_pop"},
                Aggregate(FunctionId::kStddevPop, {kDouble}, double_type).Retractable());
  registrar.Add({"variance", "var_samp"},
                Aggregate(FunctionId::kVarSamp, {kDouble}, double_type).Retractable());
  registrar.Add({"var_pop"}, Aggregate(FunctionId::kVarPop, {kDouble}, double_type).Retractable());
  registrar.Add({"bool_and", "every"},
                Aggregate(FunctionId::kBoolAnd, {kBoolean}, DataType::Boolean()).Retractable());
  registrar.Add({"bool_or"},
                Aggregate(FunctionId::kBoolOr, {kBoolean}, DataType::Boolean()).Retractable());
  registrar.Add({"string_agg"},
                Aggregate(FunctionId::kStringAgg, {kVarchar, kVarchar}, DataType::Varchar())
                    .OrderSensitive());
  registrar.Add({"approx_count_distinct"},
                Aggregate(FunctionId::kApproxCountDistinct, {kAnyType}, bigint));
  // approx_percentile(value, fraction in [0, 1]).
  registrar.Add({"approx_percentile"},
                Aggregate(FunctionId::kApproxPercentile, {kDouble, kDouble}, double_type));
}

// Window functions proper. Aggregates are window functions too (with OVER), through the
// registry's fallback, so they are not repeated here.
void RegisterWindowFunctions(Registrar& registrar) {
  DataType bigint = DataType::BigInt();
  DataType double_type = DataType::Double();
  registrar.Add({"row_number"}, Window(FunctionId::kRowNumber, {}, bigint).RequiresOrderBy());
  registrar.Add({"rank"}, Window(FunctionId::kRank, {}, bigint).RequiresOrderBy());
  registrar.Add({"dense_rank"}, Window(FunctionId::kDenseRank, {}, bigint).RequiresOrderBy());
  registrar.Add({"percent_rank"},
                Window(FunctionId::kPercentRank, {}, double_type).RequiresOrderBy());
  registrar.Add({"cume_dist"}, Window(FunctionId::kCumeDist, {}, double_type).RequiresOrderBy());
  registrar.Add({"ntile"}, Window(FunctionId::kNtile, {kBigInt}, bigint).RequiresOrderBy());
  // lag/lead(value[, offset[, default]]): the default meets the value in a common type.
  for (auto [name, id] : {std::pair<std::string_view, FunctionId>{"lag", FunctionId::kLag},
                          std::pair<std::string_view, FunctionId>{"lead", FunctionId::kLead}}) {
    registrar.Add({name}, Window(id, {kElement}, ReturnRule::kElement).RequiresOrderBy());
    registrar.Add({name}, Window(id, {kElement, kBigInt}, ReturnRule::kElement).RequiresOrderBy());
    registrar.Add(
        {name}, Window(id, {kElement, kBigInt, kElement}, ReturnRule::kElement).RequiresOrderBy());
  }
  registrar.Add({"first_value"},
                Window(FunctionId::kFirstValue, {kElement}, ReturnRule::kElement).UsesFrame());
  registrar.Add({"last_value"},
                Window(FunctionId::kLastValue, {kElement}, ReturnRule::kElement).UsesFrame());
  registrar.Add(
      {"nth_value"},
      Window(FunctionId::kNthValue, {kElement, kBigInt}, ReturnRule::kElement).UsesFrame());
}

}  // namespace

void RegisterBuiltInFunctions(FunctionRegistry& registry) {
  Registrar registrar(registry);
  RegisterOperators(registrar);
  RegisterNumericFunctions(registrar);
  RegisterStringFunctions(registrar);
  RegisterConditionalFunctions(registrar);
  RegisterTemporalFunctions(registrar);
  RegisterWindowAssignment(registrar);
  RegisterAggregates(registrar);
  RegisterWindowFunctions(registrar);
}

}  // namespace laminar::functions
