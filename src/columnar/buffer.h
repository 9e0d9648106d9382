#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace laminar {

/// Every buffer LaminarDB allocates starts on a 64-byte boundary and is padded to a multiple
/// of 64 bytes with zeros, as the Arrow format recommends, so vectorized loops may read whole
/// cache lines past the last value.
inline constexpr size_t kBufferAlignment = 64;

inline constexpr size_t RoundUpToAlignment(size_t size) {
  return (size + kBufferAlignment - 1) & ~(kBufferAlignment - 1);
}

/// An immutable, reference-counted region of memory: either allocated by LaminarDB or borrowed
/// from someone else (e.g. an imported ArrowArray), in which case `owner` keeps the memory
/// alive and releases it when the last Buffer referring to it goes away.
///
/// Buffers are shared through std::shared_ptr<const Buffer>; they never change after being
/// finished, so any number of threads may read them.
class Buffer {
 public:
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  /// Wraps memory owned by `owner` (zero-copy). `data` may be null only when `size` is 0.
  static std::shared_ptr<const Buffer> Wrap(const void* data, size_t size,
                                            std::shared_ptr<const void> owner);

  /// Copies `size` bytes into a new aligned buffer.
  static std::shared_ptr<const Buffer> Copy(const void* data, size_t size);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  /// True if LaminarDB allocated this memory (false for wrapped foreign memory).
  bool owns_memory() const { return owner_ == nullptr; }

  template <typename T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(data_);
  }

  /// Only Buffer and BufferBuilder can make one: it opens the constructor to std::make_shared
  /// (one allocation for the Buffer and its reference count) and to nobody else.
  class ConstructionKey {
    friend class Buffer;
    friend class BufferBuilder;
    ConstructionKey() = default;
  };
  Buffer(ConstructionKey, const uint8_t* data, size_t size, std::shared_ptr<const void> owner)
      : data_(data), size_(size), owner_(std::move(owner)) {}

 private:
  const uint8_t* data_;
  size_t size_;
  std::shared_ptr<const void> owner_;  // Null: data_ was allocated by us with AlignedAllocate.
};

/// A growable, 64-byte aligned byte array used while building a column. Finish() hands the
/// memory to an immutable Buffer without copying.
///
/// Thread-safety: not thread-safe; owned by one builder.
class BufferBuilder {
 public:
  BufferBuilder() = default;
  BufferBuilder(const BufferBuilder&) = delete;
  BufferBuilder& operator=(const BufferBuilder&) = delete;
  BufferBuilder(BufferBuilder&& other) noexcept;
  BufferBuilder& operator=(BufferBuilder&& other) noexcept;
  ~BufferBuilder();

  /// Makes room for at least `capacity` bytes in total.
  void Reserve(size_t capacity) {
    if (capacity > capacity_) Grow(capacity);
  }
  /// Sets the size, growing if needed. Bytes never written before are zero (the builders only
  /// grow, so every byte they expose past the old size is zero).
  void Resize(size_t size) {
    Reserve(size);
    size_ = size;
  }
  void Append(const void* data, size_t size) {
    Reserve(size_ + size);
    if (size > 0) std::memcpy(data_ + size_, data, size);
    size_ += size;
  }
  template <typename T>
  void AppendValue(const T& value) {
    Append(&value, sizeof(T));
  }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  /// Returns the bytes as an immutable Buffer (zero bytes past size(), up to the alignment)
  /// and leaves this builder empty.
  std::shared_ptr<const Buffer> Finish();

 private:
  void Grow(size_t minimum_capacity);

  uint8_t* data_ = nullptr;  // Zeroed beyond size_ up to capacity_.
  size_t size_ = 0;
  size_t capacity_ = 0;
};

/// Bit helpers for validity bitmaps and boolean values (least significant bit first).
inline bool GetBit(const uint8_t* bits, int64_t index) {
  return (bits[index >> 3] >> (index & 7)) & 1;
}
inline void SetBit(uint8_t* bits, int64_t index) {
  bits[index >> 3] |= static_cast<uint8_t>(1u << (index & 7));
}
inline void ClearBit(uint8_t* bits, int64_t index) {
  bits[index >> 3] &= static_cast<uint8_t>(~(1u << (index & 7)));
}
/// Number of set bits in [offset, offset + length).
int64_t CountSetBits(const uint8_t* bits, int64_t offset, int64_t length);
/// Bytes needed for `bits` bits.
inline constexpr int64_t BytesForBits(int64_t bits) { return (bits + 7) / 8; }

}  // namespace laminar
