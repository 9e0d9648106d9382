#include "stream/broadcast.h"

#include <cstdint>
#include <memory>

namespace laminar::stream {

// Broadcast is a template; these instantiations compile every member with the library, for
// the item types the engine broadcasts most: small messages and shared immutable payloads.
template class Broadcast<uint64_t>;
template class Broadcast<std::shared_ptr<const uint64_t>>;

}  // namespace laminar::stream
