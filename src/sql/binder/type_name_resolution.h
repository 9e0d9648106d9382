#pragma once

#include "columnar/data_type.h"
#include "common/result.h"
#include "sql/parser/ast.h"

namespace laminar::sql {

/// Maps a type as written to a LaminarDB type. Accepted spellings: BOOLEAN/BOOL, TINYINT,
/// SMALLINT/INT2, INT/INTEGER/INT4, BIGINT/INT8, REAL/FLOAT4, DOUBLE/DOUBLE PRECISION/FLOAT8/
/// FLOAT, DECIMAL/NUMERIC[(p[,s])] (DECIMAL alone is DECIMAL(38,10), DECIMAL(p) DECIMAL(p,0)),
/// VARCHAR/TEXT/STRING, BYTEA/BYTES/VARBINARY, DATE, TIMESTAMP [WITHOUT TIME ZONE],
/// TIMESTAMP(6), TIMESTAMPTZ/TIMESTAMP WITH TIME ZONE, INTERVAL.
///
/// Fails closed: a length or precision that would be parsed and then not enforced
/// (VARCHAR(10), TIMESTAMP(3)) is kNotSupported, and JSON, TIME and unknown names are
/// kNotSupported / kInvalidTypeDefinition, with the type's position.
Result<DataType> ResolveTypeName(const TypeName& type);

}  // namespace laminar::sql
