#include "functions/function_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "columnar/decimal.h"
#include "common/check.h"
#include "functions/builtin_functions.h"

namespace laminar::functions {
namespace {

constexpr size_t kKindCount = 3;
// Candidate lists in messages stop after this many signatures.
constexpr size_t kMaxCandidatesInMessage = 12;

size_t KindIndex(FunctionKind kind) { return static_cast<size_t>(kind); }

std::string_view KindNoun(FunctionKind kind) {
  switch (kind) {
    case FunctionKind::kScalar:
      return "a scalar function";
    case FunctionKind::kAggregate:
      return "an aggregate function";
    case FunctionKind::kWindow:
      return "a window function";
  }
  return "a function";
}

// Names written between or before their operands in messages.
bool IsOperatorName(std::string_view name) {
  if (!name.empty() && name.find_first_not_of("+-*/%^|=<>!") == std::string_view::npos) {
    return true;
  }
  return name == "like" || name == "ilike" || name == "negate" || name == "is distinct from" ||
         name == "is not distinct from";
}

// "name(a, b)", "a + b" or "- a" from already formatted operand names.
std::string FormatCall(std::string_view name, std::span<const std::string> operands) {
  if (name == "negate" && operands.size() == 1) return fmt::format("- {}", operands[0]);
  if (IsOperatorName(name) && operands.size() == 2) {
    return fmt::format("{} {} {}", operands[0], name, operands[1]);
  }
  return fmt::format("{}({})", name, fmt::join(operands, ", "));
}

std::string FormatArguments(std::string_view name, std::span<const ArgumentInfo> arguments) {
  std::vector<std::string> operands;
  operands.reserve(arguments.size());
  for (const ArgumentInfo& argument : arguments) {
    operands.push_back(argument.is_null_literal ? std::string("null")
                                                : TypeNameForMessage(argument.type));
  }
  return FormatCall(name, operands);
}

bool IsStringLiteral(const ArgumentInfo& argument) { return argument.is_string_literal; }

bool IsNullArgument(const ArgumentInfo& argument) {
  return !argument.is_string_literal &&
         (argument.is_null_literal || argument.type.id() == TypeId::kNull);
}

bool IsTyped(const ArgumentInfo& argument) {
  return !IsStringLiteral(argument) && !IsNullArgument(argument);
}

// PostgreSQL's preferred type of each type category, used to break ties.
bool IsPreferred(TypeId id) {
  return id == TypeId::kDouble || id == TypeId::kVarchar || id == TypeId::kTimestampTz ||
         id == TypeId::kInterval || id == TypeId::kBoolean;
}

uint32_t TypeBit(TypeId id) { return uint32_t{1} << static_cast<unsigned>(id); }

const ParameterPattern& ParameterAt(const FunctionSignature& signature, size_t index) {
  return signature.parameters[std::min(index, signature.parameters.size() - 1)];
}

bool ArityMatches(const FunctionSignature& signature, size_t count) {
  if (signature.variadic) return count >= signature.parameters.size();
  return count == signature.parameters.size();
}

struct MatchScore {
  int cost = 0;
  int preferred = 0;

  // Lower cost wins; on equal cost, more preferred-type conversions win.
  bool BetterThan(const MatchScore& other) const {
    return cost != other.cost ? cost < other.cost : preferred > other.preferred;
  }
  bool Ties(const MatchScore& other) const {
    return cost == other.cost && preferred == other.preferred;
  }
};

// Decides whether `signature` accepts `arguments` and at what cost. When `types` is not null,
// also fills in the instantiated parameter type of every argument. Allocation-free otherwise.
bool MatchSignature(const FunctionSignature& signature, std::span<const ArgumentInfo> arguments,
                    MatchScore* score, std::vector<DataType>* types) {
  if (!ArityMatches(signature, arguments.size())) return false;

  // The type ids of the typed arguments: literals and NULLs prefer to become one of these.
  uint32_t typed_ids = 0;
  for (const ArgumentInfo& argument : arguments) {
    if (IsTyped(argument)) typed_ids |= TypeBit(argument.type.id());
  }

  // The type variable and the DECIMAL that literals in generic DECIMAL positions adopt.
  DataType element = DataType::Null();
  bool element_typed = false;
  bool element_literal = false;
  DataType sibling_decimal = DataType::Null();
  for (size_t i = 0; i < arguments.size(); ++i) {
    const ParameterPattern& parameter = ParameterAt(signature, i);
    const ArgumentInfo& argument = arguments[i];
    if (parameter.kind == ParameterKind::kElement) {
      if (IsStringLiteral(argument)) {
        element_literal = true;
      } else if (IsTyped(argument)) {
        if (!element_typed) {
          element = argument.type;
          element_typed = true;
        } else {
          Result<DataType> common = CommonSupertype(element, argument.type);
          if (!common.ok()) return false;
          element = *common;
        }
      }
    } else if (parameter.kind == ParameterKind::kType && parameter.type == TypeId::kDecimal &&
               sibling_decimal.id() == TypeId::kNull && IsTyped(argument) &&
               (argument.type.IsInteger() || argument.type.id() == TypeId::kDecimal)) {
      sibling_decimal = DecimalTypeForInteger(argument.type);
    }
  }
  // Untyped arguments only (string literals or NULLs): PostgreSQL resolves `unknown` as text,
  // so NULL = NULL compares two VARCHAR NULLs.
  if (!element_typed) element = DataType::Varchar();
  (void)element_literal;

  MatchScore total;
  if (types != nullptr) {
    types->clear();
    types->reserve(arguments.size());
  }
  for (size_t i = 0; i < arguments.size(); ++i) {
    const ParameterPattern& parameter = ParameterAt(signature, i);
    const ArgumentInfo& argument = arguments[i];
    DataType target;
    switch (parameter.kind) {
      case ParameterKind::kAny:
        target = IsStringLiteral(argument) ? DataType::Varchar() : argument.type;
        if (argument.is_null_literal) target = DataType::Null();
        break;
      case ParameterKind::kElement:
        target = element;
        break;
      case ParameterKind::kType:
        if (parameter.type != TypeId::kDecimal) {
          target = DataType(parameter.type);
        } else if (IsTyped(argument)) {
          if (!argument.type.IsInteger() && argument.type.id() != TypeId::kDecimal) return false;
          target = DecimalTypeForInteger(argument.type);
        } else {
          // A literal or NULL takes the precision and scale of another DECIMAL argument; on
          // its own there is no sensible precision, and other overloads serve it.
          if (sibling_decimal.id() == TypeId::kNull) return false;
          target = sibling_decimal;
        }
        break;
    }

    if (parameter.kind == ParameterKind::kAny) {
      // No conversion, whatever the argument.
    } else if (IsTyped(argument)) {
      int distance = ImplicitCastDistance(argument.type, target);
      if (distance < 0) return false;
      total.cost += distance;
      if (distance > 0 && IsPreferred(target.id())) ++total.preferred;
    } else {
      if (IsStringLiteral(argument) && !CanCoerceStringLiteral(target)) return false;
      bool natural = (typed_ids & TypeBit(target.id())) != 0 ||
                     (IsStringLiteral(argument) && target.id() == TypeId::kVarchar) ||
                     target.id() == TypeId::kNull;
      if (!natural) {
        total.cost += 1;
        if (IsPreferred(target.id())) ++total.preferred;
      }
    }
    if (types != nullptr) types->push_back(target);
  }
  *score = total;
  return true;
}

// Canonical field names of date_part and date_trunc units; "" when unknown.
std::string_view CanonicalUnit(std::string_view unit) {
  std::array<char, 16> lower{};
  if (unit.size() > lower.size()) return {};
  for (size_t i = 0; i < unit.size(); ++i) {
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(unit[i])));
  }
  std::string_view name(lower.data(), unit.size());
  struct Alias {
    std::string_view alias;
    std::string_view canonical;
  };
  static constexpr std::array<Alias, 36> kUnits = {{
      {"microsecond", "microsecond"},
      {"microseconds", "microsecond"},
      {"millisecond", "millisecond"},
      {"milliseconds", "millisecond"},
      {"second", "second"},
      {"seconds", "second"},
      {"minute", "minute"},
      {"minutes", "minute"},
      {"hour", "hour"},
      {"hours", "hour"},
      {"day", "day"},
      {"days", "day"},
      {"week", "week"},
      {"weeks", "week"},
      {"month", "month"},
      {"months", "month"},
      {"quarter", "quarter"},
      {"quarters", "quarter"},
      {"year", "year"},
      {"years", "year"},
      {"decade", "decade"},
      {"decades", "decade"},
      {"century", "century"},
      {"centuries", "century"},
      {"millennium", "millennium"},
      {"millennia", "millennium"},
      {"dow", "dow"},
      {"dayofweek", "dow"},
      {"isodow", "isodow"},
      {"doy", "doy"},
      {"dayofyear", "doy"},
      {"isoyear", "isoyear"},
      {"epoch", "epoch"},
      {"timezone", "timezone"},
      {"timezone_hour", "timezone"},
      {"timezone_minute", "timezone"},
  }};
  for (const Alias& entry : kUnits) {
    if (entry.alias == name) return entry.canonical;
  }
  return {};
}

// The unit argument (the first) when it is a string literal, or "" when not a literal.
Result<std::string_view> LiteralUnit(std::string_view function_name,
                                     std::span<const ArgumentInfo> arguments, bool for_trunc) {
  if (arguments.empty() || !arguments[0].is_string_literal) return std::string_view();
  std::string_view unit = CanonicalUnit(arguments[0].literal_text);
  bool valid = !unit.empty();
  if (valid && for_trunc) {
    valid = unit != "dow" && unit != "isodow" && unit != "doy" && unit != "isoyear" &&
            unit != "epoch" && unit != "timezone";
  }
  if (!valid) {
    return Status::Error(ErrorCode::kInvalidArgument, "{}: unit \"{}\" not recognized",
                         function_name, arguments[0].literal_text);
  }
  return unit;
}

Result<DataType> Decimal(int precision, int scale) { return DataType::Decimal(precision, scale); }

Result<DataType> ApplyReturnRule(const FunctionSignature& signature,
                                 std::span<const DataType> types,
                                 std::span<const ArgumentInfo> arguments) {
  auto parameter = [&](size_t index) { return types[index]; };
  switch (signature.return_rule) {
    case ReturnRule::kFixed:
      return signature.return_type;
    case ReturnRule::kElement:
      for (size_t i = 0; i < types.size(); ++i) {
        if (ParameterAt(signature, i).kind == ParameterKind::kElement) return types[i];
      }
      return DataType::Null();
    case ReturnRule::kFirstParameter:
      return parameter(0);
    case ReturnRule::kDecimalAdd:
      return DecimalArithmeticType(ArithmeticOperator::kAdd, parameter(0), parameter(1));
    case ReturnRule::kDecimalMultiply:
      return DecimalArithmeticType(ArithmeticOperator::kMultiply, parameter(0), parameter(1));
    case ReturnRule::kDecimalDivide:
      return DecimalArithmeticType(ArithmeticOperator::kDivide, parameter(0), parameter(1));
    case ReturnRule::kDecimalModulo:
      return DecimalArithmeticType(ArithmeticOperator::kModulo, parameter(0), parameter(1));
    case ReturnRule::kDecimalSum:
      return Decimal(kMaxDecimalPrecision, parameter(0).scale());
    case ReturnRule::kDecimalAverage:
      return Decimal(kMaxDecimalPrecision, std::max(parameter(0).scale(), 6));
    case ReturnRule::kDecimalRound:
      return Decimal(
          std::min(kMaxDecimalPrecision, parameter(0).precision() - parameter(0).scale() + 1), 0);
    case ReturnRule::kDecimalRoundScale:
      return Decimal(std::min(kMaxDecimalPrecision, parameter(0).precision() + 1),
                     parameter(0).scale());
    case ReturnRule::kDecimalTruncate:
      return Decimal(std::max(1, parameter(0).precision() - parameter(0).scale()), 0);
    case ReturnRule::kDecimalSign:
      return Decimal(1, 0);
    case ReturnRule::kDatePart: {
      LAMINAR_ASSIGN_OR_RETURN(std::string_view unit,
                               LiteralUnit(signature.name, arguments, /*for_trunc=*/false));
      if (unit.empty()) return DataType::Double();
      if (unit == "second") return Decimal(8, 6);
      if (unit == "millisecond") return Decimal(8, 3);
      if (unit == "epoch") return Decimal(24, 6);
      return DataType::BigInt();
    }
    case ReturnRule::kDateTrunc: {
      LAMINAR_RETURN_IF_ERROR(LiteralUnit(signature.name, arguments, /*for_trunc=*/true));
      return parameter(1);
    }
  }
  return Status::Error(ErrorCode::kInternal, "unknown return rule");
}

std::string CandidateList(std::span<const FunctionSignature* const> candidates) {
  std::string list;
  size_t shown = std::min(candidates.size(), kMaxCandidatesInMessage);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) list += ", ";
    list += candidates[i]->ToString();
  }
  if (candidates.size() > shown) {
    list += fmt::format(" and {} more", candidates.size() - shown);
  }
  return list;
}

}  // namespace

std::string_view FunctionIdName(FunctionId id) {
  // A switch rather than a table, so that -Wswitch catches a forgotten enumerator.
  switch (id) {
    case FunctionId::kAdd:
      return "Add";
    case FunctionId::kSubtract:
      return "Subtract";
    case FunctionId::kMultiply:
      return "Multiply";
    case FunctionId::kDivide:
      return "Divide";
    case FunctionId::kModulo:
      return "Modulo";
    case FunctionId::kPower:
      return "Power";
    case FunctionId::kNegate:
      return "Negate";
    case FunctionId::kStringConcat:
      return "StringConcat";
    case FunctionId::kEqual:
      return "Equal";
    case FunctionId::kNotEqual:
      return "NotEqual";
    case FunctionId::kLess:
      return "Less";
    case FunctionId::kLessEqual:
      return "LessEqual";
    case FunctionId::kGreater:
      return "Greater";
    case FunctionId::kGreaterEqual:
      return "GreaterEqual";
    case FunctionId::kIsDistinctFrom:
      return "IsDistinctFrom";
    case FunctionId::kIsNotDistinctFrom:
      return "IsNotDistinctFrom";
    case FunctionId::kLike:
      return "Like";
    case FunctionId::kIlike:
      return "Ilike";
    case FunctionId::kAbs:
      return "Abs";
    case FunctionId::kRound:
      return "Round";
    case FunctionId::kFloor:
      return "Floor";
    case FunctionId::kCeil:
      return "Ceil";
    case FunctionId::kTrunc:
      return "Trunc";
    case FunctionId::kSign:
      return "Sign";
    case FunctionId::kSqrt:
      return "Sqrt";
    case FunctionId::kExp:
      return "Exp";
    case FunctionId::kLn:
      return "Ln";
    case FunctionId::kLog10:
      return "Log10";
    case FunctionId::kLog:
      return "Log";
    case FunctionId::kLower:
      return "Lower";
    case FunctionId::kUpper:
      return "Upper";
    case FunctionId::kCharLength:
      return "CharLength";
    case FunctionId::kOctetLength:
      return "OctetLength";
    case FunctionId::kSubstring:
      return "Substring";
    case FunctionId::kSplitPart:
      return "SplitPart";
    case FunctionId::kConcat:
      return "Concat";
    case FunctionId::kConcatWs:
      return "ConcatWs";
    case FunctionId::kReplace:
      return "Replace";
    case FunctionId::kTrim:
      return "Trim";
    case FunctionId::kLtrim:
      return "Ltrim";
    case FunctionId::kRtrim:
      return "Rtrim";
    case FunctionId::kPosition:
      return "Position";
    case FunctionId::kStrpos:
      return "Strpos";
    case FunctionId::kStartsWith:
      return "StartsWith";
    case FunctionId::kEndsWith:
      return "EndsWith";
    case FunctionId::kLeft:
      return "Left";
    case FunctionId::kRight:
      return "Right";
    case FunctionId::kLpad:
      return "Lpad";
    case FunctionId::kRpad:
      return "Rpad";
    case FunctionId::kReverse:
      return "Reverse";
    case FunctionId::kRegexpExtract:
      return "RegexpExtract";
    case FunctionId::kRegexpLike:
      return "RegexpLike";
    case FunctionId::kRegexpReplace:
      return "RegexpReplace";
    case FunctionId::kCountChar:
      return "CountChar";
    case FunctionId::kCoalesce:
      return "Coalesce";
    case FunctionId::kNullIf:
      return "NullIf";
    case FunctionId::kGreatest:
      return "Greatest";
    case FunctionId::kLeast:
      return "Least";
    case FunctionId::kIf:
      return "If";
    case FunctionId::kYear:
      return "Year";
    case FunctionId::kQuarter:
      return "Quarter";
    case FunctionId::kMonth:
      return "Month";
    case FunctionId::kWeek:
      return "Week";
    case FunctionId::kDay:
      return "Day";
    case FunctionId::kDayOfWeek:
      return "DayOfWeek";
    case FunctionId::kDayOfYear:
      return "DayOfYear";
    case FunctionId::kHour:
      return "Hour";
    case FunctionId::kMinute:
      return "Minute";
    case FunctionId::kSecond:
      return "Second";
    case FunctionId::kDatePart:
      return "DatePart";
    case FunctionId::kDateTrunc:
      return "DateTrunc";
    case FunctionId::kToChar:
      return "ToChar";
    case FunctionId::kDateFormat:
      return "DateFormat";
    case FunctionId::kToTimestamp:
      return "ToTimestamp";
    case FunctionId::kToDate:
      return "ToDate";
    case FunctionId::kNow:
      return "Now";
    case FunctionId::kCurrentDate:
      return "CurrentDate";
    case FunctionId::kProctime:
      return "Proctime";
    case FunctionId::kTumble:
      return "Tumble";
    case FunctionId::kTumbleStart:
      return "TumbleStart";
    case FunctionId::kTumbleEnd:
      return "TumbleEnd";
    case FunctionId::kHop:
      return "Hop";
    case FunctionId::kHopStart:
      return "HopStart";
    case FunctionId::kHopEnd:
      return "HopEnd";
    case FunctionId::kSession:
      return "Session";
    case FunctionId::kSessionStart:
      return "SessionStart";
    case FunctionId::kSessionEnd:
      return "SessionEnd";
    case FunctionId::kCumulate:
      return "Cumulate";
    case FunctionId::kCumulateStart:
      return "CumulateStart";
    case FunctionId::kCumulateEnd:
      return "CumulateEnd";
    case FunctionId::kCountStar:
      return "CountStar";
    case FunctionId::kCount:
      return "Count";
    case FunctionId::kSum:
      return "Sum";
    case FunctionId::kAvg:
      return "Avg";
    case FunctionId::kMin:
      return "Min";
    case FunctionId::kMax:
      return "Max";
    case FunctionId::kFirstValue:
      return "FirstValue";
    case FunctionId::kLastValue:
      return "LastValue";
    case FunctionId::kStddevSamp:
      return "StddevSamp";
    case FunctionId::kStddevPop:
      return "StddevPop";
    case FunctionId::kVarSamp:
      return "VarSamp";
    case FunctionId::kVarPop:
      return "VarPop";
    case FunctionId::kBoolAnd:
      return "BoolAnd";
    case FunctionId::kBoolOr:
      return "BoolOr";
    case FunctionId::kStringAgg:
      return "StringAgg";
    case FunctionId::kApproxCountDistinct:
      return "ApproxCountDistinct";
    case FunctionId::kApproxPercentile:
      return "ApproxPercentile";
    case FunctionId::kRowNumber:
      return "RowNumber";
    case FunctionId::kRank:
      return "Rank";
    case FunctionId::kDenseRank:
      return "DenseRank";
    case FunctionId::kPercentRank:
      return "PercentRank";
    case FunctionId::kCumeDist:
      return "CumeDist";
    case FunctionId::kNtile:
      return "Ntile";
    case FunctionId::kLag:
      return "Lag";
    case FunctionId::kLead:
      return "Lead";
    case FunctionId::kNthValue:
      return "NthValue";
  }
  return "Unknown";
}

std::string ParameterPattern::ToString() const {
  switch (kind) {
    case ParameterKind::kAny:
      return "any";
    case ParameterKind::kElement:
      return "anyelement";
    case ParameterKind::kType:
      if (type == TypeId::kDecimal) return "decimal";
      return TypeNameForMessage(DataType(type));
  }
  return "?";
}

std::string FunctionSignature::ToString() const {
  std::vector<std::string> operands;
  operands.reserve(parameters.size());
  for (size_t i = 0; i < parameters.size(); ++i) {
    std::string text = parameters[i].ToString();
    if (variadic && i + 1 == parameters.size()) text = "variadic " + text;
    operands.push_back(std::move(text));
  }
  return FormatCall(name, operands);
}

const FunctionRegistry& FunctionRegistry::BuiltIn() {
  static const FunctionRegistry registry = [] {
    FunctionRegistry built;
    RegisterBuiltInFunctions(built);
    return built;
  }();
  return registry;
}

FunctionRegistry::FunctionRegistry(const FunctionRegistry& other) : entries_(other.entries_) {
  RebuildIndex();
}

FunctionRegistry& FunctionRegistry::operator=(const FunctionRegistry& other) {
  if (this != &other) {
    entries_ = other.entries_;
    RebuildIndex();
  }
  return *this;
}

uint64_t FunctionRegistry::HashName(std::string_view name) {
  // FNV-1a: names are short, and this inlines where std::hash calls out.
  uint64_t hash = 0xcbf29ce484222325u;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3u;
  }
  return hash;
}

void FunctionRegistry::AddToIndex(const std::pair<const std::string, Entry>& entry) {
  if (2 * (entries_.size() + 1) > index_.size()) {
    RebuildIndex();  // Indexes `entry` too: it is already in entries_.
    return;
  }
  const uint64_t hash = HashName(entry.first);
  const size_t mask = index_.size() - 1;
  size_t slot = hash & mask;
  while (index_[slot].entry != nullptr) slot = (slot + 1) & mask;
  index_[slot] = IndexSlot{hash, &entry};
}

void FunctionRegistry::RebuildIndex() {
  size_t size = 16;
  while (size < 4 * entries_.size()) size *= 2;
  index_.assign(size, IndexSlot{});
  const size_t mask = size - 1;
  for (const auto& entry : entries_) {
    const uint64_t hash = HashName(entry.first);
    size_t slot = hash & mask;
    while (index_[slot].entry != nullptr) slot = (slot + 1) & mask;
    index_[slot] = IndexSlot{hash, &entry};
  }
}

const FunctionRegistry::Entry* FunctionRegistry::FindExact(std::string_view name) const {
  if (index_.empty()) return nullptr;
  const uint64_t hash = HashName(name);
  const size_t mask = index_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const IndexSlot& candidate = index_[slot];
    if (candidate.entry == nullptr) return nullptr;
    if (candidate.hash == hash && candidate.entry->first == name) return &candidate.entry->second;
  }
}

Status FunctionRegistry::Register(FunctionSignature signature) {
  if (signature.name.empty() ||
      std::any_of(signature.name.begin(), signature.name.end(),
                  [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; })) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "function name \"{}\" must be non-empty and lower case", signature.name);
  }
  if (signature.variadic && signature.parameters.empty()) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "variadic function {} needs at least one parameter", signature.name);
  }
  bool has_element = std::any_of(
      signature.parameters.begin(), signature.parameters.end(),
      [](const ParameterPattern& parameter) { return parameter.kind == ParameterKind::kElement; });
  if (signature.return_rule == ReturnRule::kElement && !has_element) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "function {} returns its type variable but has no anyelement parameter",
                         signature.name);
  }
  auto [position, inserted] = entries_.try_emplace(signature.name);
  if (inserted) AddToIndex(*position);
  Entry& entry = position->second;
  std::vector<FunctionSignature>& list = entry.signatures[KindIndex(signature.kind)];
  for (const FunctionSignature& existing : list) {
    if (existing.parameters == signature.parameters && existing.variadic == signature.variadic) {
      return Status::Error(ErrorCode::kDuplicateObject, "function {} already exists",
                           signature.ToString());
    }
  }
  list.push_back(std::move(signature));
  return Status::Ok();
}

const FunctionRegistry::Entry* FunctionRegistry::Find(std::string_view name) const {
  if (const Entry* found = FindExact(name)) return found;
  // Names arrive in lower case from the parser; fold other spellings without allocating.
  std::array<char, 64> lower{};
  if (name.size() > lower.size()) return nullptr;
  bool changed = false;
  for (size_t i = 0; i < name.size(); ++i) {
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    changed |= lower[i] != name[i];
  }
  if (!changed) return nullptr;
  return FindExact(std::string_view(lower.data(), name.size()));
}

bool FunctionRegistry::Exists(std::string_view name, FunctionKind kind) const {
  const Entry* entry = Find(name);
  if (entry == nullptr) return false;
  if (!entry->signatures[KindIndex(kind)].empty()) return true;
  return kind == FunctionKind::kWindow &&
         !entry->signatures[KindIndex(FunctionKind::kAggregate)].empty();
}

bool FunctionRegistry::IsAggregateFunction(std::string_view name) const {
  const Entry* entry = Find(name);
  return entry != nullptr && !entry->signatures[KindIndex(FunctionKind::kAggregate)].empty() &&
         entry->signatures[KindIndex(FunctionKind::kScalar)].empty();
}

std::span<const FunctionSignature> FunctionRegistry::Signatures(std::string_view name,
                                                                FunctionKind kind) const {
  const Entry* entry = Find(name);
  if (entry == nullptr) return {};
  return entry->signatures[KindIndex(kind)];
}

std::vector<std::string_view> FunctionRegistry::Names(FunctionKind kind) const {
  std::vector<std::string_view> names;
  for (const auto& [name, entry] : entries_) {
    bool present = !entry.signatures[KindIndex(kind)].empty() ||
                   (kind == FunctionKind::kWindow &&
                    !entry.signatures[KindIndex(FunctionKind::kAggregate)].empty());
    if (present) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<ResolvedFunction> FunctionRegistry::Resolve(std::string_view name, FunctionKind kind,
                                                   std::span<const ArgumentInfo> arguments) const {
  bool reads_literal_text = false;
  return Resolve(name, kind, arguments, &reads_literal_text);
}

Result<ResolvedFunction> FunctionRegistry::Resolve(std::string_view name, FunctionKind kind,
                                                   std::span<const ArgumentInfo> arguments,
                                                   bool* reads_literal_text) const {
  const Entry* entry = Find(name);
  if (entry == nullptr) {
    return Status::Error(ErrorCode::kUnknownFunction, "function {} does not exist",
                         FormatArguments(name, arguments));
  }
  std::span<const FunctionSignature> candidates = entry->signatures[KindIndex(kind)];
  bool windowed_aggregate = false;
  if (candidates.empty() && kind == FunctionKind::kWindow) {
    candidates = entry->signatures[KindIndex(FunctionKind::kAggregate)];
    windowed_aggregate = true;
  }
  if (candidates.empty()) {
    for (size_t other = 0; other < kKindCount; ++other) {
      if (entry->signatures[other].empty()) continue;
      std::string_view display_name = entry->signatures[other][0].name;
      FunctionKind other_kind = static_cast<FunctionKind>(other);
      if (other_kind == FunctionKind::kWindow) {
        return Status::Error(ErrorCode::kUnknownFunction,
                             "window function {} requires an OVER clause", display_name);
      }
      if (kind == FunctionKind::kWindow) {
        return Status::Error(ErrorCode::kUnknownFunction,
                             "OVER specified, but {} is not a window function nor an aggregate "
                             "function",
                             display_name);
      }
      return Status::Error(ErrorCode::kUnknownFunction, "{} is {}, not {}", display_name,
                           KindNoun(other_kind), KindNoun(kind));
    }
    return Status::Error(ErrorCode::kUnknownFunction, "function {} does not exist",
                         FormatArguments(name, arguments));
  }

  ResolvedFunction resolved;
  MatchScore best_score;
  const FunctionSignature* best = nullptr;
  size_t ties = 0;
  if (candidates.size() == 1) {
    // One candidate (most operators): match and instantiate it in one pass.
    if (MatchSignature(candidates[0], arguments, &best_score, &resolved.parameter_types)) {
      best = &candidates[0];
      ties = 1;
    }
  } else {
    // Pass 1: the best score and how many candidates reach it. No allocation.
    for (const FunctionSignature& candidate : candidates) {
      MatchScore score;
      if (!MatchSignature(candidate, arguments, &score, nullptr)) continue;
      if (best == nullptr || score.BetterThan(best_score)) {
        best = &candidate;
        best_score = score;
        ties = 1;
      } else if (score.Ties(best_score)) {
        ++ties;
      }
    }
  }

  if (best == nullptr || ties > 1) {
    std::string_view display_name = candidates.front().name;
    bool is_operator = IsOperatorName(display_name);
    std::vector<const FunctionSignature*> listed;
    for (const FunctionSignature& candidate : candidates) {
      MatchScore score;
      if (best == nullptr ||
          (MatchSignature(candidate, arguments, &score, nullptr) && score.Ties(best_score))) {
        listed.push_back(&candidate);
      }
    }
    std::string call = FormatArguments(display_name, arguments);
    std::string_view problem = best == nullptr ? "does not exist" : "is not unique";
    if (is_operator && arguments.size() <= 2) {
      return Status::Error(ErrorCode::kUnknownFunction, "operator {}: {}; candidates: {}", problem,
                           call, CandidateList(listed));
    }
    return Status::Error(ErrorCode::kUnknownFunction, "function {} {}; candidates: {}", call,
                         problem, CandidateList(listed));
  }

  if (candidates.size() > 1) {
    // Pass 2: instantiate the winner.
    MatchScore score;
    bool matched = MatchSignature(*best, arguments, &score, &resolved.parameter_types);
    LAMINAR_CHECK(matched);
  }
  *reads_literal_text =
      best->return_rule == ReturnRule::kDatePart || best->return_rule == ReturnRule::kDateTrunc;
  LAMINAR_ASSIGN_OR_RETURN(resolved.return_type,
                           ApplyReturnRule(*best, resolved.parameter_types, arguments));
  resolved.id = best->id;
  resolved.name = best->name;
  resolved.kind = kind;
  resolved.deterministic = best->deterministic;
  resolved.null_on_null_input = best->null_on_null_input;
  resolved.window_assignment = best->window_assignment;
  resolved.retractable = best->retractable;
  resolved.order_sensitive = best->order_sensitive;
  resolved.requires_order_by = best->requires_order_by;
  resolved.uses_frame = best->uses_frame || windowed_aggregate;
  resolved.windowed_aggregate = windowed_aggregate;
  return resolved;
}

Result<const ResolvedFunction*> FunctionResolver::Resolve(std::string_view name, FunctionKind kind,
                                                          std::span<const ArgumentInfo> arguments) {
  // The key: the name as written, the kind, and per argument its type and literal flags,
  // written in place (key_ keeps its capacity from call to call).
  constexpr size_t kBytesPerArgument = 4;
  key_.resize(name.size() + 2 + kBytesPerArgument * arguments.size());
  char* out = key_.data();
  std::memcpy(out, name.data(), name.size());
  out += name.size();
  *out++ = '\0';
  *out++ = static_cast<char>(kind);
  for (const ArgumentInfo& argument : arguments) {
    *out++ = static_cast<char>(argument.type.id());
    *out++ = static_cast<char>(argument.type.precision());
    *out++ = static_cast<char>(argument.type.scale());
    *out++ = static_cast<char>((argument.is_string_literal ? 1 : 0) |
                               (argument.is_null_literal ? 2 : 0));
  }
  auto found = remembered_.find(std::string_view(key_));
  if (found != remembered_.end() && !found->second.reads_literal_text) {
    return &found->second.resolved;
  }
  bool reads_literal_text = false;
  Result<ResolvedFunction> resolved =
      registry_->Resolve(name, kind, arguments, &reads_literal_text);
  if (!resolved.ok()) return std::move(resolved).status();
  if (reads_literal_text || found != remembered_.end()) {
    fresh_ = std::move(resolved).value();
    if (found == remembered_.end()) {
      if (remembered_.size() >= kMaxRemembered) remembered_.clear();
      remembered_.emplace(key_, Remembered{ResolvedFunction{}, /*reads_literal_text=*/true});
    }
    return &fresh_;
  }
  if (remembered_.size() >= kMaxRemembered) remembered_.clear();
  auto inserted = remembered_.emplace(
      key_, Remembered{std::move(resolved).value(), /*reads_literal_text=*/false});
  return &inserted.first->second.resolved;
}

}  // namespace laminar::functions
