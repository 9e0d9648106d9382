#include "stream/ring_buffer.h"

#include <bit>

namespace laminar::stream {

Status ValidateRingCapacity(size_t capacity) {
  if (!std::has_single_bit(capacity)) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "buffer capacity {} is not a power of two", capacity);
  }
  if (capacity < kMinRingCapacity || capacity > kMaxRingCapacity) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "buffer capacity {} is outside the supported range [{}, {}]", capacity,
                         kMinRingCapacity, kMaxRingCapacity);
  }
  return Status::Ok();
}

}  // namespace laminar::stream
