#include "columnar/take.h"

#include "columnar/column_builder.h"

namespace laminar {
namespace {

template <typename T>
Column TakeFixed(const Column& column, const SelectionVector& selection) {
  const int64_t count = selection.size();
  BufferBuilder values;
  values.Resize(static_cast<size_t>(count) * sizeof(T));
  const T* source = column.Values<T>();
  T* target = reinterpret_cast<T*>(values.data());
  for (int64_t i = 0; i < count; ++i) target[i] = source[selection[i]];
  std::shared_ptr<const Buffer> validity;
  int64_t null_count = 0;
  if (column.null_count() > 0) {
    BufferBuilder bits;
    bits.Resize(static_cast<size_t>(BytesForBits(count)));
    for (int64_t i = 0; i < count; ++i) {
      if (column.IsValid(selection[i])) {
        SetBit(bits.data(), i);
      } else {
        ++null_count;
      }
    }
    validity = bits.Finish();
  }
  return Column(column.type(), count, std::move(validity), values.Finish(), nullptr, null_count);
}

}  // namespace

Result<Column> Take(const Column& column, const SelectionVector& selection) {
  switch (column.type().ByteWidth()) {
    case 1:
      return TakeFixed<int8_t>(column, selection);
    case 2:
      return TakeFixed<int16_t>(column, selection);
    case 4:
      return TakeFixed<int32_t>(column, selection);
    case 8:
      return TakeFixed<int64_t>(column, selection);
    case 16:
      return TakeFixed<Decimal128>(column, selection);
    default:
      break;
  }
  if (column.type().id() == TypeId::kNull) return Column::Nulls(column.type(), selection.size());
  ColumnBuilder builder(column.type());
  builder.Reserve(selection.size());
  for (int64_t i = 0; i < selection.size(); ++i) {
    LAMINAR_RETURN_IF_ERROR(builder.AppendFrom(column, selection[i]));
  }
  return builder.Finish();
}

Result<Batch> Take(const Batch& batch, const SelectionVector& selection) {
  std::vector<Column> columns;
  columns.reserve(batch.num_columns());
  for (const Column& column : batch.columns()) {
    LAMINAR_ASSIGN_OR_RETURN(Column taken, Take(column, selection));
    columns.push_back(std::move(taken));
  }
  if (columns.empty()) return Batch::MakeWithoutColumns(batch.schema_ptr(), selection.size());
  return Batch::Make(batch.schema_ptr(), std::move(columns));
}

}  // namespace laminar
