#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "columnar/column.h"
#include "columnar/schema.h"
#include "common/result.h"

namespace laminar {

/// A set of rows stored column by column: the unit that flows through every LaminarDB
/// pipeline, subscription and Arrow boundary. Cheap to copy (shared schema and buffers),
/// immutable, safe to read from many threads.
class Batch {
 public:
  /// An empty batch with no columns.
  /// No columns and no rows. Shares one empty schema: making a Batch to assign to later
  /// allocates nothing.
  Batch();

  /// Checks that there is one column per field, of the field's type and of `num_rows` rows,
  /// and that non-nullable fields hold no NULL. Errors are kSchemaMismatch / kNullViolation.
  static Result<Batch> Make(std::shared_ptr<const Schema> schema, std::vector<Column> columns);
  /// Like Make but for a batch with no columns (`num_rows` still counts rows).
  static Batch MakeWithoutColumns(std::shared_ptr<const Schema> schema, int64_t num_rows);
  /// A batch with zero rows.
  static Batch Empty(std::shared_ptr<const Schema> schema);

  const Schema& schema() const { return *schema_; }
  const std::shared_ptr<const Schema>& schema_ptr() const { return schema_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  int64_t num_rows() const { return num_rows_; }
  const Column& column(int index) const { return columns_[index]; }
  const std::vector<Column>& columns() const { return columns_; }

  /// Rows [offset, offset + length), sharing buffers. REQUIRES: the range is inside.
  Batch Slice(int64_t offset, int64_t length) const;

  /// Validates every column's buffers (see Column::Validate) as well as what Make checks.
  Status Validate() const;

 private:
  friend class BatchBuilder;  // Builds batches that fit their schema by construction.

  Batch(std::shared_ptr<const Schema> schema, std::vector<Column> columns, int64_t num_rows)
      : schema_(std::move(schema)), columns_(std::move(columns)), num_rows_(num_rows) {}

  std::shared_ptr<const Schema> schema_;
  std::vector<Column> columns_;
  int64_t num_rows_ = 0;
};

}  // namespace laminar
