#pragma once

#include <cstddef>
#include <cstdint>
#include <new>

namespace laminar {

/// Memory for arrays large enough that the TLB, not the cache, limits random access to them
/// (the hash table of a keyed state of millions of groups): from kLargeArrayBytes on, the
/// memory is mapped on its own, aligned to 2 MiB, and the kernel is asked to back it with
/// transparent huge pages (madvise MADV_HUGEPAGE, which works where THP is "always" or
/// "madvise"). One 2 MiB TLB entry then covers what 512 entries of 4 KiB pages would, so a
/// table of gigabytes is walked without a page-table walk per probe. Smaller requests use the
/// ordinary allocator. Throws std::bad_alloc when the memory cannot be had.
void* AllocateLargeArray(size_t bytes);
/// Frees what AllocateLargeArray(bytes) returned (the same `bytes`).
void FreeLargeArray(void* memory, size_t bytes) noexcept;
/// Requests of at least this many bytes get their own huge-page mapping.
inline constexpr size_t kLargeArrayBytes = size_t{4} << 20;

/// A std::allocator for the vectors that hold such arrays.
template <typename T>
class LargeArrayAllocator {
 public:
  using value_type = T;

  LargeArrayAllocator() = default;
  template <typename U>
  LargeArrayAllocator(const LargeArrayAllocator<U>&) noexcept {}  // NOLINT: rebinding.

  T* allocate(size_t count) {
    if (count > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(AllocateLargeArray(count * sizeof(T)));
  }
  void deallocate(T* memory, size_t count) noexcept { FreeLargeArray(memory, count * sizeof(T)); }

  template <typename U>
  friend bool operator==(const LargeArrayAllocator&, const LargeArrayAllocator<U>&) {
    return true;
  }
};

}  // namespace laminar
