#include "columnar/row_record.h"

#include <algorithm>
#include <limits>

#include "common/check.h"

namespace laminar {

void RowRecord::Grow(size_t size) {
  // AppendString refuses a string that takes a row past kMaxRowBytes; fixed-width values add
  // 16 bytes each at most.
  constexpr size_t kLimit = std::numeric_limits<uint32_t>::max();
  LAMINAR_CHECK_MSG(size <= kLimit, "a row of more than 4 GiB");
  const size_t capacity = std::min(std::max(size, static_cast<size_t>(capacity_) * 2), kLimit);
  auto grown = std::make_unique_for_overwrite<uint8_t[]>(capacity);
  std::memcpy(grown.get(), data(), size_);
  heap_ = std::move(grown);
  capacity_ = static_cast<uint32_t>(capacity);
}

void RowRecord::AppendOther(const Value& value, const DataType& type) {
  // AppendValue handled the types whose AppendString result matters.
  const bool appended = AppendPhysicalValue(*this, value, type, true);
  LAMINAR_DCHECK(appended);
  (void)appended;
}

}  // namespace laminar
