#include "columnar/buffer.h"

#include <atomic>
#include <bit>
#include <cstdlib>

#include "common/check.h"

namespace laminar {
namespace {

uint8_t* AlignedAllocate(size_t size) {
  return static_cast<uint8_t*>(AlignedAllocOrDie(kBufferAlignment, RoundUpToAlignment(size)));
}

// The allocator of Buffer::Allocate: std::allocate_shared asks it for the block holding the
// reference count and the Buffer, and it tacks `bytes` 64-byte aligned bytes onto that block,
// reporting where they start through `data`.
template <typename T>
class TrailingBytesAllocator {
 public:
  using value_type = T;

  TrailingBytesAllocator(size_t bytes, uint8_t** data) : bytes_(bytes), data_(data) {}
  template <typename U>
  explicit TrailingBytesAllocator(const TrailingBytesAllocator<U>& other)
      : bytes_(other.bytes_), data_(other.data_) {}

  T* allocate(size_t count) {
    LAMINAR_CHECK(count == 1);
    static_assert(alignof(T) <= alignof(std::max_align_t));
    // A plain allocation (the allocator's fast path: an aligned one costs several times more)
    // with room to start the bytes at the first 64-byte boundary after the block's head.
    void* memory = std::malloc(sizeof(T) + (kBufferAlignment - 1) + RoundUpToAlignment(bytes_));
    if (memory == nullptr) OutOfMemory(bytes_);
    const uintptr_t after_head = reinterpret_cast<uintptr_t>(memory) + sizeof(T);
    *data_ = reinterpret_cast<uint8_t*>((after_head + kBufferAlignment - 1) &
                                        ~uintptr_t{kBufferAlignment - 1});
    return static_cast<T*>(memory);
  }
  void deallocate(T* pointer, size_t /*count*/) { std::free(pointer); }

  // Any instance frees what any other allocated.
  template <typename U>
  bool operator==(const TrailingBytesAllocator<U>& /*other*/) const {
    return true;
  }

 private:
  template <typename U>
  friend class TrailingBytesAllocator;

  size_t bytes_;
  uint8_t** data_;  // Only read by allocate, during std::allocate_shared.
};

}  // namespace

std::shared_ptr<const Buffer> Buffer::Allocate(size_t size, uint8_t** data) {
  uint8_t* bytes = nullptr;
  std::shared_ptr<Buffer> buffer = std::allocate_shared<Buffer>(
      TrailingBytesAllocator<Buffer>(size, &bytes), ConstructionKey(), nullptr, size);
  // The block was allocated (and `bytes` set) before the Buffer was constructed in it.
  std::memset(bytes + size, 0, RoundUpToAlignment(size) - size);
  buffer->data_ = size > 0 ? bytes : nullptr;
  *data = bytes;
  return buffer;
}

Buffer::~Buffer() {
  if (frees_data_) std::free(const_cast<uint8_t*>(data_));
}

std::shared_ptr<const Buffer> Buffer::Wrap(const void* data, size_t size,
                                           std::shared_ptr<const void> owner) {
  LAMINAR_CHECK(owner != nullptr);
  return std::make_shared<const Buffer>(ConstructionKey(), static_cast<const uint8_t*>(data), size,
                                        std::move(owner));
}

std::shared_ptr<const Buffer> Buffer::Copy(const void* data, size_t size) {
  BufferBuilder builder;
  builder.Append(data, size);
  return builder.Finish();
}

BufferBuilder::BufferBuilder(BufferBuilder&& other) noexcept
    : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
}

BufferBuilder& BufferBuilder::operator=(BufferBuilder&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  return *this;
}

BufferBuilder::~BufferBuilder() { std::free(data_); }

void BufferBuilder::Grow(size_t minimum_capacity) {
  size_t capacity = capacity_ == 0 ? kBufferAlignment : capacity_;
  while (capacity < minimum_capacity) capacity *= 2;
  capacity = RoundUpToAlignment(capacity);
  uint8_t* memory = AlignedAllocate(capacity);
  if (size_ > 0) std::memcpy(memory, data_, size_);
  std::memset(memory + size_, 0, capacity - size_);
  std::free(data_);
  data_ = memory;
  capacity_ = capacity;
}

std::shared_ptr<const Buffer> BufferBuilder::Finish() {
  // Bytes between size_ and capacity_ are already zero: Grow zeroes them and Resize only
  // moves size_ over zeroed memory. Appends overwrite them with data.
  auto buffer = std::make_shared<const Buffer>(Buffer::ConstructionKey(), data_, size_, nullptr);
  data_ = nullptr;
  size_ = capacity_ = 0;
  return buffer;
}

BufferArena::BufferArena(PrivateKey, size_t capacity, size_t max_buffers)
    : memory_(AlignedAllocate(RoundUpToAlignment(capacity))),
      capacity_(RoundUpToAlignment(capacity)),
      max_buffers_(max_buffers),
      slots_(std::make_unique<std::optional<Buffer>[]>(max_buffers)) {}

BufferArena::~BufferArena() {
  // The slots view memory_; they go first.
  slots_.reset();
  std::free(memory_);
}

std::shared_ptr<BufferArena> BufferArena::Make(size_t capacity, size_t max_buffers) {
  return std::make_shared<BufferArena>(PrivateKey(), capacity, max_buffers);
}

bool BufferArena::SoleOwner(const std::shared_ptr<BufferArena>& arena) {
  if (arena == nullptr || arena.use_count() != 1) return false;
  // The count is read without ordering; every other holder released its reference with a
  // release decrement, so this fence orders their reads of the arena before our next writes.
  std::atomic_thread_fence(std::memory_order_acquire);
  return true;
}

void BufferArena::Reset() {
  for (size_t i = 0; i < slots_used_; ++i) slots_[i].reset();
  slots_used_ = 0;
  used_ = 0;
}

const Buffer* BufferArena::Place(const void* data, size_t size, bool zero_padded) {
  LAMINAR_DCHECK(RoomFor(size));
  uint8_t* target = memory_ + used_;
  const size_t padded = RoundUpToAlignment(size);
  if (zero_padded && padded == kBufferAlignment) {
    // The data and its zero padding in one fixed-size copy, which the compiler inlines.
    std::memcpy(target, data, kBufferAlignment);
  } else {
    if (size > 0) std::memcpy(target, data, size);
    // Padding bytes are zero, as for every other buffer (the arena may hold an older batch).
    std::memset(target + size, 0, padded - size);
  }
  used_ += padded;
  std::optional<Buffer>& slot = slots_[slots_used_++];
  slot.emplace(Buffer::ConstructionKey(), size > 0 ? target : nullptr, size);
  return &*slot;
}

std::shared_ptr<const Buffer> BufferArena::Add(const std::shared_ptr<BufferArena>& self,
                                               const void* data, size_t size) {
  return std::shared_ptr<const Buffer>(self, self->Place(data, size, false));
}

void ArenaReferences::Reset(const std::shared_ptr<BufferArena>& arena, size_t count) {
  references_.assign(count, arena);
}

std::shared_ptr<const Buffer> BufferArena::AddBuilder(std::shared_ptr<BufferArena> self,
                                                      const BufferBuilder& builder) {
  const Buffer* buffer = self->Place(builder.data(), builder.size(), true);
  return std::shared_ptr<const Buffer>(std::move(self), buffer);
}

int64_t CountSetBits(const uint8_t* bits, int64_t offset, int64_t length) {
  int64_t count = 0;
  int64_t index = offset;
  const int64_t end = offset + length;
  while (index < end && (index & 63) != 0) count += GetBit(bits, index++);
  while (index + 64 <= end) {
    uint64_t word;
    std::memcpy(&word, bits + index / 8, sizeof(word));
    count += std::popcount(word);
    index += 64;
  }
  while (index < end) count += GetBit(bits, index++);
  return count;
}

}  // namespace laminar
