#pragma once

#include "columnar/batch.h"
#include "columnar/column.h"
#include "columnar/selection_vector.h"
#include "common/result.h"

namespace laminar {

/// Copies the selected rows of `column`, in selection order, into a new column.
/// REQUIRES: every selected index is < column.length().
Result<Column> Take(const Column& column, const SelectionVector& selection);

/// Take applied to every column of a batch.
Result<Batch> Take(const Batch& batch, const SelectionVector& selection);

}  // namespace laminar
