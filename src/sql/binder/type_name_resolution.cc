#include "sql/binder/type_name_resolution.h"

#include <fmt/format.h>

#include <unordered_map>

namespace laminar::sql {
namespace {

// DECIMAL and NUMERIC without parameters: PostgreSQL's NUMERIC is unconstrained; ours must
// pick a fixed precision and scale. 38 digits with 10 after the point keeps money-like values
// and large counters exact.
constexpr int kDefaultDecimalPrecision = 38;
constexpr int kDefaultDecimalScale = 10;

Status NoParameters(const TypeName& type) {
  if (type.params.empty()) return Status::Ok();
  return Status::Error(ErrorCode::kInvalidTypeDefinition, "type {} takes no parameters", type.name)
      .WithPosition(type.position);
}

}  // namespace

Result<DataType> ResolveTypeName(const TypeName& type) {
  static const std::unordered_map<std::string, DataType> kSimple = {
      {"boolean", DataType::Boolean()},
      {"bool", DataType::Boolean()},
      {"tinyint", DataType::TinyInt()},
      {"int1", DataType::TinyInt()},
      {"smallint", DataType::SmallInt()},
      {"int2", DataType::SmallInt()},
      {"int", DataType::Integer()},
      {"integer", DataType::Integer()},
      {"int4", DataType::Integer()},
      {"bigint", DataType::BigInt()},
      {"int8", DataType::BigInt()},
      {"real", DataType::Real()},
      {"float4", DataType::Real()},
      {"double", DataType::Double()},
      {"double precision", DataType::Double()},
      {"float8", DataType::Double()},
      {"text", DataType::Varchar()},
      {"string", DataType::Varchar()},
      {"bytea", DataType::Bytea()},
      {"bytes", DataType::Bytea()},
      {"date", DataType::Date()},
      {"timestamptz", DataType::TimestampTz()},
      {"timestamp with time zone", DataType::TimestampTz()},
      {"interval", DataType::Interval()},
  };
  const std::string& name = type.name;
  if (auto it = kSimple.find(name); it != kSimple.end()) {
    LAMINAR_RETURN_IF_ERROR(NoParameters(type));
    return it->second;
  }
  if (name == "float") {
    // FLOAT(p): p <= 24 is REAL, up to 53 DOUBLE (PostgreSQL).
    if (type.params.empty()) return DataType::Double();
    if (type.params.size() == 1 && type.params[0] >= 1 && type.params[0] <= 53) {
      return type.params[0] <= 24 ? DataType::Real() : DataType::Double();
    }
    return Status::Error(ErrorCode::kInvalidTypeDefinition,
                         "FLOAT precision must be between 1 and 53")
        .WithPosition(type.position);
  }
  if (name == "decimal" || name == "numeric" || name == "dec") {
    if (type.params.size() > 2) {
      return Status::Error(ErrorCode::kInvalidTypeDefinition,
                           "DECIMAL takes at most precision and scale")
          .WithPosition(type.position);
    }
    const int64_t precision = type.params.empty() ? kDefaultDecimalPrecision : type.params[0];
    const int64_t scale = type.params.size() == 2 ? type.params[1]
                          : type.params.empty()   ? kDefaultDecimalScale
                                                  : 0;
    auto decimal = DataType::Decimal(static_cast<int>(precision), static_cast<int>(scale));
    if (!decimal.ok()) return std::move(decimal).status().WithPosition(type.position);
    return decimal;
  }
  if (name == "varchar" || name == "varbinary" || name == "char" || name == "character" ||
      name == "binary") {
    const bool binary = name == "varbinary" || name == "binary";
    const bool fixed = name == "char" || name == "character" || name == "binary";
    if (!type.params.empty() || fixed) {
      return Status::Error(ErrorCode::kNotSupported,
                           "{}({}) is not supported: lengths are not enforced; use {}",
                           fmt::format("{}", name == "character" ? "CHAR" : name),
                           type.params.empty() ? "n" : std::to_string(type.params[0]),
                           binary ? "BYTEA" : "VARCHAR")
          .WithPosition(type.position);
    }
    return binary ? DataType::Bytea() : DataType::Varchar();
  }
  if (name == "timestamp" || name == "timestamp without time zone") {
    if (type.params.empty() || (type.params.size() == 1 && type.params[0] == 6)) {
      return DataType::Timestamp();
    }
    return Status::Error(ErrorCode::kNotSupported,
                         "TIMESTAMP({}) is not supported: timestamps have microsecond "
                         "precision; write TIMESTAMP",
                         type.params[0])
        .WithPosition(type.position);
  }
  if (name == "json" || name == "jsonb" || name == "time" || name == "time with time zone" ||
      name == "time without time zone" || name == "uuid" || name == "array" || name == "map" ||
      name == "row" || name == "struct") {
    return Status::Error(ErrorCode::kNotSupported, "type {} is not supported yet", name)
        .WithPosition(type.position);
  }
  return Status::Error(ErrorCode::kInvalidTypeDefinition, "type \"{}\" does not exist", name)
      .WithPosition(type.position);
}

}  // namespace laminar::sql
