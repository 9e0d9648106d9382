#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "columnar/batch.h"
#include "columnar/schema.h"

namespace laminar {

struct TableFormatOptions {
  /// Rows beyond this are left out and counted in the footer ("... 10 more rows").
  int64_t max_rows = 1000;
  /// Cells wider than this (in bytes) are cut and end with "...".
  int max_column_width = 60;
  /// Print "(N rows)" under the table.
  bool show_row_count = true;
};

/// Renders batches as an ASCII table for the shell and for readable test failures:
///
///   +----+-------+
///   | id | name  |
///   +----+-------+
///   |  1 | alice |
///   |  2 | NULL  |
///   +----+-------+
///   (2 rows)
///
/// Numbers are right-aligned, everything else left-aligned; values use Value::ToString.
/// REQUIRES: every batch has `schema`'s columns.
std::string FormatTable(const Schema& schema, std::span<const Batch> batches,
                        const TableFormatOptions& options = {});

/// Convenience overload for a single batch.
std::string FormatTable(const Batch& batch, const TableFormatOptions& options = {});

}  // namespace laminar
