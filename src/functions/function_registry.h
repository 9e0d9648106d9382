#pragma once

// The catalogue of SQL functions and operators, and overload resolution: given a name and the
// types of the arguments, which signature applies, what each argument must be cast to and what
// the call returns. This is the type system only; kernels come separately and dispatch on
// ResolvedFunction::id plus the parameter types.
//
// Operators are functions too, registered under their symbols: "+", "-", "*", "/", "%", "^",
// "||", "=", "<>", "!=", "<", "<=", ">", ">=", "is distinct from", "is not distinct from",
// "like", "ilike", and unary minus as "negate". AND, OR, NOT and IS [NOT] NULL/TRUE/FALSE are
// not in the registry: the binder types them directly (BOOLEAN operands, BOOLEAN result).
//
// Overload resolution (Resolve), modelled on PostgreSQL's:
// 1. Candidates are the signatures of the name and kind with a matching number of arguments
//    (a variadic signature repeats its last parameter one or more times). For kWindow, a name
//    without window signatures falls back to its aggregate signatures (an aggregate with OVER).
// 2. A signature may use a type variable ("anyelement"): the typed arguments in those positions
//    meet in their CommonSupertype (type_coercion.h); if they have none the candidate is out.
//    Untyped string literals and NULLs there adopt that type. If no typed argument is in a
//    type-variable position the variable is VARCHAR (when a string literal is) or NULL.
// 3. Each argument costs its ImplicitCastDistance to the parameter type (0 for an exact match,
//    INTEGER to BIGINT 1, BIGINT to DECIMAL 1, BIGINT to DOUBLE 3, ...); a candidate needing a
//    conversion that is not implicit is out. A generic DECIMAL parameter adopts the argument's
//    precision and scale (an integer becomes DecimalTypeForInteger, BIGINT DECIMAL(19,0)).
//    An untyped string literal costs 0 as VARCHAR or as a type one of the typed arguments has
//    (so '2015-07-15' < ts compares timestamps), 1 as any other type; NULL costs 0 as a type one
//    of the typed arguments has and 1 otherwise.
// 4. The candidate with the lowest total cost wins. On a tie, the candidate that converts more
//    arguments to PostgreSQL's preferred types (DOUBLE, VARCHAR, TIMESTAMPTZ, INTERVAL,
//    BOOLEAN) wins; abs(NULL) is therefore abs(double). A remaining tie is an error
//    (kUnknownFunction, "function f(...) is not unique; candidates: ..."), and so is no match
//    ("function round(varchar) does not exist; candidates: round(bigint), round(double), ...").
//
// Integer arguments therefore go to the nearest exact type first: abs(integer) is
// abs(integer), round(bigint) is round(bigint) (returning BIGINT unchanged), INTEGER + BIGINT is
// BIGINT + BIGINT, BIGINT * DECIMAL is DECIMAL * DECIMAL, and only functions that exist solely
// for DOUBLE (sqrt, ln, power, ...) turn integers into DOUBLE. Integer division truncates
// (INTEGER / INTEGER is INTEGER), as in PostgreSQL and Flink.
//
// The type choices of individual functions (documented in builtin_functions.cc, which lists
// every signature):
// - sum: integers give BIGINT (overflow is a run-time kNumericOverflow, unlike PostgreSQL's
//   NUMERIC), DECIMAL(p,s) gives DECIMAL(38,s), REAL/DOUBLE give DOUBLE, INTERVAL INTERVAL.
// - avg: integers and floats give DOUBLE, DECIMAL(p,s) gives DECIMAL(38, max(s,6)), INTERVAL
//   gives INTERVAL.
// - count, row_number, rank, dense_rank, ntile, length-like string functions, strpos and
//   count_char return BIGINT; string positions and lengths taken as arguments are BIGINT.
// - date_part(unit, ts), the target of EXTRACT: BIGINT for the integral fields (year, month,
//   day, hour, minute, microsecond, dow, doy, week, quarter, ...), DECIMAL(8,6) for second
//   (with its fraction), DECIMAL(8,3) for millisecond, DECIMAL(24,6) for epoch; DOUBLE when the
//   unit is not a literal. hour(ts), minute(ts), second(ts), ... return BIGINT (second without
//   its fraction). DATE arguments convert to TIMESTAMP.
// - regexp_match and regexp_like are the same BOOLEAN test ("does the pattern match"), unlike
//   PostgreSQL's regexp_match, which returns a text array (there are no arrays yet).
// - Window-assignment functions (tumble, hop/slide, session, cumulate and their _start/_end)
//   are scalar entries with window_assignment set; they return the type of their time
//   argument (TIMESTAMP or TIMESTAMPTZ). A BIGINT event-time column (ts_unit = 'ms') does not
//   match them: the binder converts it first or reports the kUnknownFunction error, whose
//   candidate list says which types are needed.
//
// Thread-safety: a registry is immutable once built; BuiltIn() is built on first use (thread-
// safe static initialization) and may then be used from any number of threads. Register is not
// thread-safe and is meant for building a registry before it is shared.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "columnar/data_type.h"
#include "common/result.h"
#include "functions/type_coercion.h"

namespace laminar::functions {

/// How a function is called: per row, per group (GROUP BY or the whole input), or per row over
/// a window (OVER). One name may have signatures of several kinds: sum is an aggregate and,
/// through the aggregate fallback, a window function; first_value is both a (user-defined style)
/// aggregate and a window function with different semantics.
enum class FunctionKind : uint8_t { kScalar, kAggregate, kWindow };

/// The stable identity a kernel dispatches on, shared by aliases (ceil and ceiling, substr and
/// substring, hop and slide, stddev and stddev_samp, ...) and by all overloads of one function.
/// The kernel tells overloads apart by ResolvedFunction::parameter_types; aggregates and window
/// functions of the same name (first_value) by ResolvedFunction::kind. New ids go at the end of
/// their group; the numbers are not persisted, so the order may change.
enum class FunctionId : uint16_t {
  // Operators.
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,  // Also mod().
  kPower,   // Also power() and pow().
  kNegate,
  kStringConcat,  // The || operator: strict, unlike concat().
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kIsDistinctFrom,
  kIsNotDistinctFrom,
  kLike,
  kIlike,
  // Numeric functions.
  kAbs,
  kRound,
  kFloor,
  kCeil,
  kTrunc,
  kSign,
  kSqrt,
  kExp,
  kLn,
  kLog10,  // Also log(x) with one argument, as in PostgreSQL.
  kLog,    // log(base, x).
  // String functions.
  kLower,
  kUpper,
  kCharLength,  // length, char_length, character_length.
  kOctetLength,
  kSubstring,  // substring, substr.
  kSplitPart,
  kConcat,
  kConcatWs,
  kReplace,
  kTrim,  // trim, btrim.
  kLtrim,
  kRtrim,
  kPosition,  // position(needle, haystack): the SQL POSITION(needle IN haystack).
  kStrpos,    // strpos(haystack, needle).
  kStartsWith,
  kEndsWith,
  kLeft,
  kRight,
  kLpad,
  kRpad,
  kReverse,
  kRegexpExtract,
  kRegexpLike,  // regexp_like, regexp_match.
  kRegexpReplace,
  kCountChar,
  // Conditional functions.
  kCoalesce,
  kNullIf,
  kGreatest,
  kLeast,
  kIf,
  // Date and time functions.
  kYear,
  kQuarter,
  kMonth,
  kWeek,
  kDay,  // day, dayofmonth.
  kDayOfWeek,
  kDayOfYear,
  kHour,
  kMinute,
  kSecond,
  kDatePart,  // Also the target of EXTRACT(field FROM ts).
  kDateTrunc,
  kToChar,
  kDateFormat,
  kToTimestamp,
  kToDate,
  kNow,  // now, current_timestamp.
  kCurrentDate,
  kProctime,
  // Window assignment (GROUP BY tumble(...) etc.).
  kTumble,
  kTumbleStart,
  kTumbleEnd,
  kHop,  // hop, slide.
  kHopStart,
  kHopEnd,
  kSession,
  kSessionStart,
  kSessionEnd,
  kCumulate,
  kCumulateStart,
  kCumulateEnd,
  // Aggregates.
  kCountStar,
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kFirstValue,  // Aggregate and window function.
  kLastValue,   // Aggregate and window function.
  kStddevSamp,  // stddev, stddev_samp.
  kStddevPop,
  kVarSamp,  // variance, var_samp.
  kVarPop,
  kBoolAnd,  // bool_and, every.
  kBoolOr,
  kStringAgg,
  kApproxCountDistinct,
  kApproxPercentile,
  // Window functions.
  kRowNumber,
  kRank,
  kDenseRank,
  kPercentRank,
  kCumeDist,
  kNtile,
  kLag,
  kLead,
  kNthValue,
};

/// The enumerator's name without the k, e.g. "DateTrunc", for plans and debugging output.
std::string_view FunctionIdName(FunctionId id);

/// What a parameter accepts.
enum class ParameterKind : uint8_t {
  /// Values of one type id, converted implicitly if needed. DECIMAL means any DECIMAL: the
  /// argument keeps its precision and scale (integers become DecimalTypeForInteger).
  kType,
  /// Any type, taken as it is (a string literal as VARCHAR): count(x), concat(...).
  kAny,
  /// The signature's type variable ("anyelement"): all such positions share one type, the
  /// CommonSupertype of their typed arguments: coalesce, min, =, lag's value and default.
  kElement,
};

/// One parameter of a signature.
struct ParameterPattern {
  ParameterKind kind = ParameterKind::kType;
  /// Meaningful for kType only.
  TypeId type = TypeId::kNull;

  static constexpr ParameterPattern Of(TypeId type) { return {ParameterKind::kType, type}; }
  static constexpr ParameterPattern Any() { return {ParameterKind::kAny, TypeId::kNull}; }
  static constexpr ParameterPattern Element() { return {ParameterKind::kElement, TypeId::kNull}; }

  /// "bigint", "decimal", "any", "anyelement".
  std::string ToString() const;

  friend constexpr bool operator==(const ParameterPattern&, const ParameterPattern&) = default;
};

/// How a signature's result type follows from its (instantiated) parameter types.
enum class ReturnRule : uint8_t {
  kFixed,           // FunctionSignature::return_type.
  kElement,         // The type variable.
  kFirstParameter,  // abs, negate, floor(bigint), trunc(decimal, integer), ...
  kDecimalAdd,      // DecimalArithmeticType(kAdd, p0, p1); also for subtraction.
  kDecimalMultiply,
  kDecimalDivide,
  kDecimalModulo,
  kDecimalSum,         // DECIMAL(38, s).
  kDecimalAverage,     // DECIMAL(38, max(s, 6)).
  kDecimalRound,       // round/floor/ceil(DECIMAL(p,s)): DECIMAL(min(38, p - s + 1), 0).
  kDecimalRoundScale,  // round(DECIMAL(p,s), n): DECIMAL(min(38, p + 1), s).
  kDecimalTruncate,    // trunc(DECIMAL(p,s)): DECIMAL(max(1, p - s), 0).
  kDecimalSign,        // sign(DECIMAL): DECIMAL(1,0).
  kDatePart,           // Depends on the unit literal, see the file comment.
  kDateTrunc,          // The type of the second parameter; checks a literal unit.
};

/// One overload of a function: its parameters, result rule and the properties the planner and
/// the evaluator need. Built once when the registry is built.
struct FunctionSignature {
  FunctionId id = FunctionId::kAdd;
  /// The name it is called by, lower case (an alias has its own signatures with the same id).
  std::string name = {};
  FunctionKind kind = FunctionKind::kScalar;
  std::vector<ParameterPattern> parameters = {};
  /// The last parameter repeats: the call takes parameters.size() or more arguments.
  bool variadic = false;
  ReturnRule return_rule = ReturnRule::kFixed;
  /// For ReturnRule::kFixed.
  DataType return_type = DataType::Null();

  /// Same arguments, same result, no side effects. False for now(), proctime(), ...: the
  /// planner must not fold or deduplicate such calls.
  bool deterministic = true;
  /// Scalars: NULL in any argument gives NULL without calling the kernel (SQL "strict").
  /// Aggregates: rows whose arguments are NULL are skipped. False for coalesce, concat, nullif,
  /// greatest, least, if, IS [NOT] DISTINCT FROM and window functions.
  bool null_on_null_input = true;
  /// tumble/hop/slide/session/cumulate and their _start/_end: the binder turns these into window
  /// assignment instead of evaluating them.
  bool window_assignment = false;
  /// Aggregates: the state can take back a row (EMIT CHANGES inputs, sliding frames) instead
  /// of being rebuilt. False for min, max, first_value, last_value, string_agg, approx_*.
  bool retractable = false;
  /// Aggregates: the result depends on the order rows arrive in (first_value, last_value,
  /// string_agg), so the planner must keep that order.
  bool order_sensitive = false;
  /// Window functions: meaningless without ORDER BY in the OVER clause (ranking, lag, lead).
  bool requires_order_by = false;
  /// Window functions: evaluated over the frame (first_value, last_value, nth_value and
  /// aggregates); ranking functions, lag and lead ignore the frame.
  bool uses_frame = false;

  /// "round(decimal, integer)", "bigint + bigint", "concat(variadic any)".
  std::string ToString() const;
};

/// The outcome of resolving a call: which function, what to cast each argument to, what it
/// returns, and the signature's properties (see FunctionSignature for their meaning).
struct ResolvedFunction {
  FunctionId id = FunctionId::kAdd;
  /// The name as registered (the alias used in the call), lower case.
  std::string name = {};
  /// The kind asked for. An aggregate called with OVER is kWindow with windowed_aggregate set.
  FunctionKind kind = FunctionKind::kScalar;
  /// What each argument must be cast to before the kernel sees it, one per argument (variadic
  /// parameters expanded). Equal to the argument's type when no cast is needed; for an untyped
  /// string literal the type it must be parsed as.
  std::vector<DataType> parameter_types = {};
  DataType return_type = DataType::Null();
  bool deterministic = true;
  bool null_on_null_input = true;
  bool window_assignment = false;
  bool retractable = false;
  bool order_sensitive = false;
  bool requires_order_by = false;
  bool uses_frame = false;
  /// An aggregate function evaluated per row over its window frame (sum(x) OVER (...)): the
  /// window operator drives the aggregate's accumulator.
  bool windowed_aggregate = false;
};

/// A set of function signatures by name and kind, and overload resolution over them.
class FunctionRegistry {
 public:
  /// An empty registry; see BuiltIn() for the one with LaminarDB's functions.
  FunctionRegistry() = default;
  FunctionRegistry(const FunctionRegistry& other);
  FunctionRegistry& operator=(const FunctionRegistry& other);
  FunctionRegistry(FunctionRegistry&&) noexcept = default;
  FunctionRegistry& operator=(FunctionRegistry&&) noexcept = default;

  /// The built-in functions and operators, built once on first use. Never destroyed.
  static const FunctionRegistry& BuiltIn();

  /// Adds a signature. Errors: kDuplicateObject when the name already has a signature of the
  /// same kind with the same parameters (and variadic flag); kInvalidArgument when the
  /// signature is malformed (variadic without parameters, a kElement rule without a kElement
  /// parameter, an upper-case or empty name).
  Status Register(FunctionSignature signature);

  /// Picks the signature for a call of `name` as a function of `kind` with `arguments` (see the
  /// file comment for the rules). Names are case-insensitive. Allocates only the result.
  /// Errors: kUnknownFunction when the name does not exist, exists only as another kind, no
  /// signature matches or several match equally well; the message names the function and the
  /// argument types and lists the candidates. kInvalidArgument for a unit literal that
  /// date_part or date_trunc does not know.
  Result<ResolvedFunction> Resolve(std::string_view name, FunctionKind kind,
                                   std::span<const ArgumentInfo> arguments) const;

  /// Whether `name` has signatures of `kind`; for kWindow, aggregates count as well.
  bool Exists(std::string_view name, FunctionKind kind) const;

  /// Whether a call of `name` without OVER aggregates: the name has aggregate signatures and no
  /// scalar ones. The same as Exists(name, kAggregate) && !Exists(name, kScalar), with one
  /// lookup (the binder asks this of every function call it meets).
  bool IsAggregateFunction(std::string_view name) const;

  /// The signatures of `name` and `kind` in registration order (no aggregate fallback for
  /// kWindow); empty when there are none. Valid as long as the registry is not changed.
  std::span<const FunctionSignature> Signatures(std::string_view name, FunctionKind kind) const;

  /// The names with signatures of `kind` (for kWindow including aggregates), sorted; for
  /// documentation, completion and tests.
  std::vector<std::string_view> Names(FunctionKind kind) const;

 private:
  friend class FunctionResolver;

  struct Entry {
    std::array<std::vector<FunctionSignature>, 3> signatures;  // Indexed by FunctionKind.
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };

  /// One slot of the name index: a name's hash and its entry, or empty (entry null).
  struct IndexSlot {
    uint64_t hash = 0;
    const std::pair<const std::string, Entry>* entry = nullptr;
  };

  const Entry* Find(std::string_view name) const;
  /// The entry of a name spelled exactly so, through the index; null when there is none.
  const Entry* FindExact(std::string_view name) const;
  static uint64_t HashName(std::string_view name);
  /// Adds an entry of entries_ to index_, growing it to stay at most half full.
  void AddToIndex(const std::pair<const std::string, Entry>& entry);
  void RebuildIndex();

  /// Resolve, also telling whether the chosen signature's result depends on the text of a
  /// string literal argument (the unit of date_part and date_trunc).
  Result<ResolvedFunction> Resolve(std::string_view name, FunctionKind kind,
                                   std::span<const ArgumentInfo> arguments,
                                   bool* reads_literal_text) const;

  std::unordered_map<std::string, Entry, NameHash, std::equal_to<>> entries_;
  /// Open addressing over the entries of entries_ (whose nodes never move), a power of two in
  /// size: the binder looks names up several times per call it binds, and this finds one with
  /// a cheap hash, a mask and usually one comparison, where the map divides by a prime.
  std::vector<IndexSlot> index_;
};

/// Overload resolution with a memory: resolves calls against a registry like
/// FunctionRegistry::Resolve and remembers each successful outcome by the call's name, kind
/// and argument descriptions (types and literal flags), so that the binder of a session, which
/// meets `=` on BIGINT or count(*) over and over, resolves each combination once. The text of a
/// string literal argument is not part of the key: where a result depends on it (the units of
/// date_part and date_trunc) the call is resolved anew every time. Failures are not
/// remembered.
///
/// Thread-safety: none; one resolver per binder (the registry itself may be shared).
/// REQUIRES: the registry outlives the resolver and is not changed while the resolver is used.
class FunctionResolver {
 public:
  explicit FunctionResolver(const FunctionRegistry& registry) : registry_(&registry) {}

  const FunctionRegistry& registry() const { return *registry_; }

  /// The outcome of registry().Resolve(name, kind, arguments). The ResolvedFunction belongs to
  /// the resolver and stays valid until the next call of Resolve.
  Result<const ResolvedFunction*> Resolve(std::string_view name, FunctionKind kind,
                                          std::span<const ArgumentInfo> arguments);

 private:
  struct Remembered {
    ResolvedFunction resolved;
    /// The outcome depends on literal texts: resolve again each time.
    bool reads_literal_text = false;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  /// The memory is dropped when it grows past this many calls (distinct type combinations are
  /// few; this bounds a pathological session).
  static constexpr size_t kMaxRemembered = 4096;

  const FunctionRegistry* registry_;
  /// The key of the call being resolved, reused from call to call.
  std::string key_;
  std::unordered_map<std::string, Remembered, KeyHash, std::equal_to<>> remembered_;
  /// The last outcome that could not be remembered.
  ResolvedFunction fresh_;
};

}  // namespace laminar::functions
