#pragma once

// Import of Arrow C Data Interface structures as LaminarDB fields, schemas, columns and batches.
//
// Every import function MOVES from the C structure it is given: after the call the structure is
// released (`release == NULL`), whether the import succeeded or not, so callers never leak and
// never need to release on error. Imports of ArrowArray are zero-copy: the array is moved into a
// shared holder whose destructor calls its `release` exactly once, and the imported columns wrap
// its buffers, so the producer's memory lives until the last column (or copy, or slice of one)
// referring to it is destroyed. Exceptions, which copy: INTERVAL (Arrow counts nanoseconds,
// LaminarDB microseconds) and fixed-width buffers not aligned to their element's natural
// alignment.
//
// Supported formats (everything ArrowFormatString produces): "n", "b", "c", "s", "i", "l", "f",
// "g", "d:P,S" and "d:P,S,128" (1 <= P <= 38, 0 <= S <= P), "u", "z", "tdD", "tsu:" (TIMESTAMP),
// "tsu:<zone>" with any non-empty zone (TIMESTAMPTZ: Arrow stores UTC instants), "tin". A batch
// is a struct ("+s") of such fields without NULL rows.
//
// Input is never trusted: every check the C interface makes possible is done (buffer counts,
// NULL buffers, negative or inconsistent lengths, offsets, null counts against bitmaps), and bad
// input is reported with an LDB-31xx error, never a crash. The one thing the interface cannot
// convey is buffer sizes, so they are computed from length, offset and type, as the
// specification requires producers to honour.
//
// Thread-safety: the functions are thread-safe for distinct inputs. Release callbacks of
// imported arrays run on whichever thread drops the last reference.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/arrow_c_abi.h"
#include "columnar/batch.h"
#include "columnar/column.h"
#include "columnar/data_type.h"
#include "columnar/schema.h"
#include "common/result.h"

namespace laminar {

/// The LaminarDB type of an Arrow format string.
/// Errors: kArrowInvalidFormat for unknown or malformed formats ("x", "d:abc", "d:39,2");
/// kArrowUnsupportedType for valid Arrow types LaminarDB does not hold (the message says which
/// format to use instead). Pure and thread-safe.
Result<DataType> DataTypeFromArrowFormat(std::string_view format);

/// Imports one field: type from the format, name (NULL means ""), nullability from
/// ARROW_FLAG_NULLABLE. Dictionary-encoded and nested fields are kArrowUnsupportedType.
/// Always releases `*schema` (moves from it), even on error; kArrowReleased if it was released
/// already.
Result<Field> ImportField(ArrowSchema* schema);

/// Imports a struct ("+s") schema, one field per child. Always releases `*schema`, even on error.
/// Errors: those of ImportField, kArrowUnsupportedType when the top level is not a struct,
/// kArrowInvalidArray for inconsistent children.
Result<std::shared_ptr<const Schema>> ImportSchema(ArrowSchema* schema);

/// Imports an array holding values of `type` (zero-copy). The array must not have children or a
/// dictionary. Always releases `*array` (moves from it); on success the release happens when the
/// last column sharing the buffers is gone.
/// Errors: kArrowReleased, kArrowWrongBufferCount, kArrowMissingBuffer, kArrowInvalidArray,
/// kArrowOffsetsOutOfRange, kArrowUnsupportedType (dictionary), kInvalidArgument (an INTERVAL
/// with a fraction of a microsecond).
Result<Column> ImportColumn(ArrowArray* array, const DataType& type);

/// Imports a struct array as a batch of `schema` (zero-copy, see ImportColumn). The struct's
/// offset is applied to the children. Always releases `*array`.
/// Errors: those of ImportColumn (with the column named), kArrowInvalidArray when the struct has
/// NULL rows or its children do not match the schema, kNullViolation when a NOT NULL field
/// holds NULLs.
Result<Batch> ImportBatch(ArrowArray* array, std::shared_ptr<const Schema> schema);

/// ImportSchema followed by ImportBatch. Always releases both `*array` and `*schema`.
Result<Batch> ImportBatch(ArrowArray* array, ArrowSchema* schema);

/// Reads the batches of an ArrowArrayStream one at a time. Owns the stream (moved in by Open)
/// and releases it when destroyed. Batches it returned stay valid after that.
///
/// Thread-safety: not thread-safe (neither is the stream it wraps).
class ArrowStreamReader {
 public:
  /// Moves `*stream` into a reader (the source is marked released, even on error) and imports
  /// its schema. Errors: kArrowReleased; the errors of ImportSchema; kIoError (or kOutOfMemory
  /// for ENOMEM) when the producer's get_schema fails, with its get_last_error message.
  static Result<ArrowStreamReader> Open(ArrowArrayStream* stream);

  ArrowStreamReader(ArrowStreamReader&&) noexcept;
  ArrowStreamReader& operator=(ArrowStreamReader&&) noexcept;
  ~ArrowStreamReader();

  const std::shared_ptr<const Schema>& schema() const { return schema_; }

  /// The next batch, or nullopt at the end of the stream. Errors: those of ImportBatch; kIoError
  /// (or kOutOfMemory) when the producer's get_next fails. After an error or the end, the reader
  /// keeps returning the same result without calling the producer again.
  Result<std::optional<Batch>> Next();

 private:
  class OwnedStream;  // An ArrowArrayStream released on destruction.
  ArrowStreamReader(std::unique_ptr<OwnedStream> stream, std::shared_ptr<const Schema> schema);

  std::unique_ptr<OwnedStream> stream_;
  std::shared_ptr<const Schema> schema_;
  std::optional<Status> final_status_;  // Set after an error or the end of the stream.
};

/// Reads a whole stream into memory and releases it (always, even on error).
/// Errors: those of ArrowStreamReader.
Result<std::vector<Batch>> ImportStream(ArrowArrayStream* stream);

}  // namespace laminar
