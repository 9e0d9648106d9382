#pragma once

// The type rules of LaminarDB SQL: which conversions happen silently, which need a CAST, what
// type two values meet in (CASE, COALESCE, UNION, IN, comparisons), the result types of DECIMAL
// arithmetic and the types of numeric literals. The rules follow PostgreSQL unless a comment
// says otherwise; the function registry (function_registry.h) builds overload resolution on
// them.
//
// Implicit conversions (CanCastImplicitly), a lattice without cycles:
//
//   TINYINT -> SMALLINT -> INTEGER -> BIGINT -> DECIMAL -> REAL -> DOUBLE
//   DATE -> TIMESTAMP -> TIMESTAMPTZ
//   NULL -> any type
//
// An integer converts to a DECIMAL only when the DECIMAL has room for all of the integer
// type's digits (TINYINT 3, SMALLINT 5, INTEGER 10, BIGINT 19; see DecimalTypeForInteger), and
// a DECIMAL to another only when neither integral nor fraction digits are lost. The conversions
// to REAL and DOUBLE may round, as in PostgreSQL. VARCHAR, BYTEA, BOOLEAN and INTERVAL convert
// implicitly to nothing but themselves: a string column never turns into a number or a date on
// its own. Untyped string literals are different (PostgreSQL's "unknown" type): they may become
// any type whose text form they can hold, see CanCoerceStringLiteral.
//
// Every function here is pure, allocation-free unless it returns an error, and thread-safe.

#include <span>
#include <string>
#include <string_view>

#include "columnar/data_type.h"
#include "common/result.h"

namespace laminar::functions {

/// What overload resolution and common-type resolution know about one argument expression.
/// Literals are marked because they are more flexible than typed values: a string literal such
/// as '2015-07-15' or 'hour' is PostgreSQL's "unknown" and adapts to the type it is used as,
/// and a NULL literal fits anywhere.
struct ArgumentInfo {
  /// The expression's type. For a string literal VARCHAR, for a NULL literal NULL.
  DataType type = DataType::Null();
  /// An untyped string literal ('...'), which may become any type that parses from text.
  bool is_string_literal = false;
  /// The NULL literal (a value of any type).
  bool is_null_literal = false;
  /// For a string literal: its decoded text, so that functions whose result type depends on a
  /// constant (date_part('epoch', ts) is a DECIMAL, date_part('hour', ts) a BIGINT) can look at
  /// it and reject unknown units when the statement is bound. Empty otherwise. Not owned: it
  /// must outlive the call it is passed to.
  std::string_view literal_text = {};
};

/// Whether a value of type `from` may be converted to `to` without a CAST (see the lattice at
/// the top of this file). Identity conversions are implicit; DECIMAL targets must be wide
/// enough (INTEGER to DECIMAL(10,0) yes, to DECIMAL(9,0) no).
bool CanCastImplicitly(const DataType& from, const DataType& to);

/// The cost of an implicit conversion as overload resolution counts it: the number of steps up
/// the lattice (0 for the same type id, INTEGER to BIGINT 1, INTEGER to DOUBLE 4, DATE to
/// TIMESTAMPTZ 2), or -1 when there is no implicit conversion. Unlike CanCastImplicitly this
/// looks at type ids only: any DECIMAL to any DECIMAL is 0 and any integer to DECIMAL is allowed,
/// because a generic DECIMAL parameter adopts the argument's precision and scale.
/// NULL to anything is 0.
int ImplicitCastDistance(const DataType& from, const DataType& to);

/// Whether CAST(value AS to) is allowed at all (it may still fail for some values at run time,
/// e.g. CAST('abc' AS INTEGER) or CAST(300 AS TINYINT)). Allowed:
/// - every implicit conversion, and NULL to anything;
/// - numeric to numeric in any direction (narrowing checks for overflow, DECIMAL scale reduction
///   rounds half away from zero, floating to integer rounds);
/// - anything to VARCHAR (the PostgreSQL text form), and VARCHAR to anything (parsing);
/// - BOOLEAN to and from the integer types (TRUE is 1; non-zero is TRUE);
/// - DATE, TIMESTAMP and TIMESTAMPTZ among themselves (TIMESTAMP to DATE truncates).
/// Not allowed, among others: BOOLEAN to DATE or to REAL/DOUBLE/DECIMAL, numbers to or from
/// DATE/TIMESTAMP/TIMESTAMPTZ/INTERVAL (use to_timestamp, date_part('epoch', ...)), BYTEA to
/// anything but VARCHAR, INTERVAL to anything but VARCHAR, and any non-NULL type to NULL.
bool CanCast(const DataType& from, const DataType& to);

/// Whether an untyped string literal may be used as a value of type `to`: every type has a
/// text form, so this is every type except NULL. The text is parsed when the literal is folded
/// (CAST('abc' AS INTEGER) fails then, with kInvalidCast or kInvalidLiteral).
bool CanCoerceStringLiteral(const DataType& to);

/// The type in which two values meet, for comparisons, CASE, COALESCE, UNION and IN:
/// - equal types, or NULL and any type: that type;
/// - two integers: the wider; an integer and a DECIMAL, or two DECIMALs: a DECIMAL with the
///   larger number of integral digits (an integer counts as DecimalTypeForInteger) and the
///   larger scale, capped at precision 38 by reducing the scale (integral digits are kept, so
///   DECIMAL(38,30) and BIGINT meet in DECIMAL(38,19));
/// - REAL with an integer, DECIMAL or REAL: REAL; DOUBLE with any number: DOUBLE;
/// - DATE, TIMESTAMP and TIMESTAMPTZ: the later in DATE -> TIMESTAMP -> TIMESTAMPTZ.
/// Errors: kTypeMismatch naming both types ("types varchar and integer cannot be matched")
/// when there is none (VARCHAR with a number, BOOLEAN with anything else, ...).
Result<DataType> CommonSupertype(const DataType& a, const DataType& b);

/// CommonSupertype over a list of expressions, as PostgreSQL resolves CASE and UNION: the
/// typed values (not literals) determine the type; untyped string literals then must be able to
/// become it (CanCoerceStringLiteral), and NULLs fit anything. With only string literals and
/// NULLs the type is VARCHAR, with only NULLs it is NULL. `context` names the construct for the
/// message, e.g. "CASE" gives "CASE types varchar and integer cannot be matched" (kTypeMismatch).
Result<DataType> CommonSupertype(std::span<const ArgumentInfo> values, std::string_view context);

/// The DECIMAL that holds every value of an integer type exactly: TINYINT DECIMAL(3,0),
/// SMALLINT DECIMAL(5,0), INTEGER DECIMAL(10,0), BIGINT DECIMAL(19,0). A DECIMAL is returned as
/// it is. REQUIRES: type is an integer or a DECIMAL.
DataType DecimalTypeForInteger(const DataType& type);

/// The arithmetic operators whose DECIMAL result types DecimalArithmeticType defines.
enum class ArithmeticOperator : uint8_t { kAdd, kSubtract, kMultiply, kDivide, kModulo };

/// The result type of DECIMAL arithmetic, with the rules of SQL Server (PostgreSQL's NUMERIC
/// has no fixed precision, so it cannot serve as the model). With p1, s1 and p2, s2 the operands'
/// precisions and scales (an integer operand counts as DecimalTypeForInteger):
///   + and -:  s = max(s1, s2),             p = max(p1 - s1, p2 - s2) + s + 1
///   *:        s = s1 + s2,                 p = p1 + p2 + 1
///   /:        s = max(6, s1 + p2 + 1),     p = p1 - s1 + s2 + s
///   %:        s = max(s1, s2),             p = min(p1 - s1, p2 - s2) + s
/// When p exceeds 38 it becomes 38 and the scale is reduced to keep the integral digits
/// (p - s), but never below min(s, 6): s = max(38 - (p - s), min(s, 6)). Fraction digits beyond
/// the reduced scale are rounded half away from zero at run time; a result whose integral part
/// still does not fit is a kNumericOverflow at run time. Example: 0.908 * price with a BIGINT
/// price is DECIMAL(4,3) * DECIMAL(19,0) = DECIMAL(24,3).
/// REQUIRES: both operands are integers or DECIMALs.
DataType DecimalArithmeticType(ArithmeticOperator op, const DataType& left, const DataType& right);

/// The type of an integer literal (digits only, no sign: negative numbers are a unary minus
/// around a literal): INTEGER if it fits int32_t, else BIGINT if it fits int64_t, else
/// DECIMAL(digits, 0) up to 38 significant digits. Leading zeros do not count.
/// Errors: kInvalidLiteral when `digits` is empty or has a non-digit; kNumericOverflow for more
/// than 38 significant digits. Note that -2147483648 is the negation of a BIGINT literal, so it
/// is a BIGINT unless the binder folds the minus into the literal first.
Result<DataType> IntegerLiteralType(std::string_view digits);

/// The type of a numeric literal with a decimal point or an exponent, as the lexer produces
/// them ("0.908", "12.", ".5", "1e3", "1.5E-2"): following PostgreSQL, a DECIMAL with exactly
/// the written digits. The scale is the number of fraction digits (trailing zeros count: "1.50"
/// is DECIMAL(3,2)) minus the exponent, and not below 0; the precision is the scale plus the
/// significant integral digits, at least one ("0.908" is DECIMAL(4,3), ".5" DECIMAL(2,1), "1e3"
/// DECIMAL(4,0), "1.5E-2" DECIMAL(4,3)). A literal that needs more than 38 digits is a DOUBLE
/// (as in DuckDB), so that 1e-50 and 6.02e40 keep their values.
/// Errors: kInvalidLiteral for malformed text; kNumericOverflow when the value is beyond the
/// DOUBLE range (more than 309 integral digits).
Result<DataType> DecimalLiteralType(std::string_view text);

/// The type as this module's messages spell it, in lower case as PostgreSQL does: "bigint",
/// "decimal(24,3)", "timestamp with time zone".
std::string TypeNameForMessage(const DataType& type);

}  // namespace laminar::functions
