#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

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

  /// A new buffer of `size` bytes whose memory sits in the same allocation as the Buffer and
  /// its reference count (one allocation instead of two), for results whose size is known
  /// before they are computed. `*data` receives the bytes to fill: their content is
  /// unspecified, the padding after them up to kBufferAlignment is zero. REQUIRES: the bytes
  /// are written before the buffer is shared with anybody.
  static std::shared_ptr<const Buffer> Allocate(size_t size, uint8_t** data);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  /// True if LaminarDB allocated this memory (false for wrapped foreign memory).
  bool owns_memory() const { return owner_ == nullptr; }

  template <typename T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(data_);
  }

  /// Only Buffer, BufferBuilder and BufferArena can make one: it opens the constructor to
  /// std::make_shared (one allocation for the Buffer and its reference count) and to nobody
  /// else.
  class ConstructionKey {
    friend class Buffer;
    friend class BufferBuilder;
    friend class BufferArena;
    ConstructionKey() = default;
  };
  Buffer(ConstructionKey, const uint8_t* data, size_t size, std::shared_ptr<const void> owner)
      : data_(data), size_(size), owner_(std::move(owner)), frees_data_(owner_ == nullptr) {}
  /// A view of memory that a BufferArena owns: nothing to free.
  Buffer(ConstructionKey, const uint8_t* data, size_t size)
      : data_(data), size_(size), frees_data_(false) {}

 private:
  const uint8_t* data_;
  size_t size_;
  std::shared_ptr<const void> owner_;  // Null: LaminarDB allocated data_ (see frees_data_).
  bool frees_data_;                    // data_ came from AlignedAllocate and is freed here.
};

class BufferBuilder;
class BufferArena;

/// References to one BufferArena taken ahead of time, while the thread has nothing more urgent
/// to do: the buffers of the next batch then take one each (BufferArena::AddBuilder) without
/// updating the arena's shared reference count on the way.
///
/// Thread-safety: not thread-safe; owned by the arena's filler.
class ArenaReferences {
 public:
  /// Drops the references held, then takes `count` to `arena`.
  void Reset(const std::shared_ptr<BufferArena>& arena, size_t count);
  /// Drops every reference held, so that the arena's count tells its readers alone.
  void Clear() { references_.clear(); }
  /// A reference to `arena`: one taken ahead of time if one for it is left, else a new one.
  std::shared_ptr<BufferArena> Take(const std::shared_ptr<BufferArena>& arena) {
    if (!references_.empty() && references_.back() == arena) {
      std::shared_ptr<BufferArena> taken = std::move(references_.back());
      references_.pop_back();
      return taken;
    }
    return arena;
  }

 private:
  std::vector<std::shared_ptr<BufferArena>> references_;
};

/// One allocation holding the buffers of a small batch, with one reference count for all of
/// them: the buffers it hands out are aliases of the arena (std::shared_ptr's aliasing
/// constructor), so a one-row batch of eight columns costs one allocation instead of one or two
/// per column, and the arena lives until the last of its buffers is released.
///
/// Reuse: the builder that fills an arena keeps a reference to it; when that reference is the
/// only one left (no batch, column or buffer made from it is held anywhere), the arena may be
/// filled again for the next batch (SoleOwner()). Filling an arena that anybody else still
/// references would change data under a reader's feet, so Reset() requires sole ownership.
///
/// Thread-safety: filling is single-threaded (the owner); the buffers it handed out are
/// immutable and may be read from any thread; SoleOwner() synchronises with the release of
/// every other reference (an acquire fence after the count is seen at one).
class BufferArena {
 public:
  /// An arena of at least `capacity` bytes with room for `max_buffers` buffers.
  static std::shared_ptr<BufferArena> Make(size_t capacity, size_t max_buffers);

  BufferArena(const BufferArena&) = delete;
  BufferArena& operator=(const BufferArena&) = delete;
  ~BufferArena();

  size_t capacity() const { return capacity_; }
  size_t max_buffers() const { return max_buffers_; }

  /// True when `arena` is the only reference to its arena (and to every buffer it handed out),
  /// so Reset() may be called. Reads made by other threads through released references happen
  /// before this returns true.
  static bool SoleOwner(const std::shared_ptr<BufferArena>& arena);

  /// Forgets every buffer handed out, so the arena can be filled again.
  /// REQUIRES: SoleOwner(arena) for the arena's only reference.
  void Reset();

  /// Copies `size` bytes into the arena (zero-padded to kBufferAlignment) and returns them as a
  /// buffer that shares the arena's reference count. REQUIRES: RoomFor(size) and a free slot;
  /// `self` is this arena's reference.
  static std::shared_ptr<const Buffer> Add(const std::shared_ptr<BufferArena>& self,
                                           const void* data, size_t size);

  /// Add() for the bytes of a BufferBuilder, whose memory past its size is zero up to its
  /// capacity (a multiple of the alignment): the padding is copied with the data. `self` is a
  /// reference to this arena that the buffer keeps (moved in, it costs no count update).
  static std::shared_ptr<const Buffer> AddBuilder(std::shared_ptr<BufferArena> self,
                                                  const BufferBuilder& builder);

  /// Whether `size` more bytes (rounded up to the alignment) and one more buffer fit.
  bool RoomFor(size_t size) const {
    return used_ + RoundUpToAlignment(size) <= capacity_ && slots_used_ < max_buffers_;
  }

  struct PrivateKey {
   private:
    friend class BufferArena;
    PrivateKey() = default;
  };
  BufferArena(PrivateKey, size_t capacity, size_t max_buffers);

 private:
  // Copies `size` bytes in (zero-padded) and returns the slot's buffer. `zero_padded`: the
  // source's bytes past `size` are readable and zero up to the alignment.
  const Buffer* Place(const void* data, size_t size, bool zero_padded);

  uint8_t* memory_;
  size_t capacity_;
  size_t used_ = 0;
  size_t max_buffers_;
  size_t slots_used_ = 0;
  std::unique_ptr<std::optional<Buffer>[]> slots_;  // The buffers handed out, views of memory_.
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

  /// Sets the size to 0 and keeps the memory for the next appends (zeroing what was written,
  /// so bytes past the size stay zero).
  void Clear() {
    if (size_ == 0) return;
    if (size_ <= kBufferAlignment) {
      // The capacity is a multiple of the alignment: a fixed-size write the compiler inlines.
      std::memset(data_, 0, kBufferAlignment);
    } else {
      std::memset(data_, 0, size_);
    }
    size_ = 0;
  }

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
