#pragma once

// Export of LaminarDB types, columns and batches through the Arrow C Data Interface.
//
// Exports are zero-copy: the ArrowArray buffers point into the column's Buffers, which the
// exported structure keeps alive (through shared pointers in its private_data) until the
// consumer calls `release`. INTERVAL is the one exception: Arrow's month_day_nano interval counts
// nanoseconds where LaminarDB counts microseconds, so INTERVAL values are converted into a new
// buffer.
//
// Every exported structure follows the specification's ownership rules: the consumer must call
// `release` exactly once, may move the structure (bitwise copy, then set the source's `release`
// to NULL) and may move children out and release them on their own. Release callbacks may be
// called from any thread, never throw, and do not touch the LaminarDB objects the export was
// made from (those may be gone by then).
//
// Type mapping (LaminarDB → Arrow format string):
//   NULL "n", BOOLEAN "b", TINYINT "c", SMALLINT "s", INTEGER "i", BIGINT "l", REAL "f",
//   DOUBLE "g", DECIMAL(P,S) "d:P,S" (decimal128), VARCHAR "u", BYTEA "z", DATE "tdD",
//   TIMESTAMP "tsu:", TIMESTAMPTZ "tsu:UTC", INTERVAL "tin".
// A batch is a struct array ("+s") with one child per column and no validity bitmap.

#include <memory>
#include <string>
#include <vector>

#include "columnar/arrow_c_abi.h"
#include "columnar/batch.h"
#include "columnar/column.h"
#include "columnar/data_type.h"
#include "columnar/schema.h"
#include "common/status.h"

namespace laminar {

/// The Arrow format string of `type`, e.g. "l", "d:10,2", "tsu:UTC". Pure and thread-safe.
std::string ArrowFormatString(const DataType& type);

/// Exports one field as an ArrowSchema: its type's format string, its name, and the
/// ARROW_FLAG_NULLABLE flag when the field is nullable.
/// REQUIRES: `out` points to a released or uninitialized struct. On success the caller owns
/// `*out` and must release it; on error `*out` is left untouched. Thread-safe.
Status ExportField(const Field& field, ArrowSchema* out);

/// Exports a schema as a struct type ("+s", empty name, no flags) with one child per field.
/// Ownership as for ExportField.
Status ExportSchema(const Schema& schema, ArrowSchema* out);

/// Exports a column as an ArrowArray (zero-copy except INTERVAL). `out->offset` and
/// `out->null_count` are the column's; the buffers stay alive until `out` is released, however
/// long the column itself lives.
/// Errors: kNumericOverflow when an INTERVAL's microseconds do not fit int64 nanoseconds (the
/// message names the row). On success the caller owns `*out` and must release it; on error
/// `*out` is left untouched. Thread-safe (the column is only read).
Status ExportColumn(const Column& column, ArrowArray* out);

/// Exports a batch as a struct array: length = rows, offset 0, null_count 0, one buffer (the
/// validity bitmap, NULL: batches have no NULL rows), one child per column (see ExportColumn).
/// Pair it with ExportSchema(batch.schema()) for the type. Ownership and errors as for
/// ExportColumn.
Status ExportBatch(const Batch& batch, ArrowArray* out);

/// Exports a sequence of batches as an ArrowArrayStream. get_schema yields `schema`, get_next
/// yields the batches in order and then a released array (end of stream), get_last_error
/// describes the latest failed call. The stream shares the batches' buffers: nothing is copied.
/// Errors: kSchemaMismatch when a batch's schema differs from `schema`. On success the caller
/// owns `*out` and must release it (released batches already handed out stay valid); on error
/// `*out` is left untouched. The stream's callbacks must be called from one thread at a time.
Status ExportBatchStream(std::shared_ptr<const Schema> schema, std::vector<Batch> batches,
                         ArrowArrayStream* out);

}  // namespace laminar
