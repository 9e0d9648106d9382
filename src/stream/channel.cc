#include "stream/channel.h"

namespace laminar::stream {

Status ValidateChannelOptions(const ChannelOptions& options) {
  LAMINAR_RETURN_IF_ERROR(ValidateRingCapacity(options.capacity));
  if (options.clock == nullptr) {
    return Status(ErrorCode::kInvalidConfiguration, "channel clock must not be null");
  }
  switch (options.backpressure) {
    case Backpressure::kBlock:
    case Backpressure::kDropOldest:
    case Backpressure::kReject:
      break;
    default:
      return Status::Error(ErrorCode::kInvalidConfiguration, "unknown backpressure policy {}",
                           static_cast<int>(options.backpressure));
  }
  switch (options.wait_strategy.kind) {
    case WaitKind::kSpin:
    case WaitKind::kSpinYield:
    case WaitKind::kPark:
      break;
    default:
      return Status::Error(ErrorCode::kInvalidConfiguration, "unknown wait strategy {}",
                           static_cast<int>(options.wait_strategy.kind));
  }
  return Status::Ok();
}

std::string_view BackpressureName(Backpressure backpressure) {
  switch (backpressure) {
    case Backpressure::kBlock:
      return "block";
    case Backpressure::kDropOldest:
      return "drop_oldest";
    case Backpressure::kReject:
      return "reject";
  }
  return "unknown";
}

void ParkingSpot::WakeAll() {
  {
    // Taking the mutex orders this wake-up after any sleeper's condition check (see class
    // comment); notifying after unlocking spares the woken thread an immediate block.
    std::lock_guard<std::mutex> lock(mutex_);
  }
  condition_.notify_all();
}

}  // namespace laminar::stream

// Instantiated here so that every member of the template is compiled with the library.
template class laminar::stream::Channel<uint64_t>;
template class laminar::stream::ChannelProducer<uint64_t>;
