#include "common/large_array.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace laminar {
namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;

size_t RoundUp(size_t bytes, size_t to) { return (bytes + to - 1) / to * to; }

}  // namespace

void* AllocateLargeArray(size_t bytes) {
  if (bytes >= kLargeArrayBytes) {
    // Mapped with a huge page of slack, then trimmed to a 2 MiB-aligned run of whole huge
    // pages: a huge page can only back an aligned 2 MiB range.
    const size_t size = RoundUp(bytes, kHugePageBytes);
    void* mapped = ::mmap(nullptr, size + kHugePageBytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    const uintptr_t start = reinterpret_cast<uintptr_t>(mapped);
    const uintptr_t aligned = RoundUp(start, kHugePageBytes);
    if (aligned > start) ::munmap(mapped, aligned - start);
    const uintptr_t end = aligned + size;
    const uintptr_t mapped_end = start + size + kHugePageBytes;
    if (mapped_end > end) ::munmap(reinterpret_cast<void*>(end), mapped_end - end);
    void* memory = reinterpret_cast<void*>(aligned);
    // Refused where THP is off: the mapping then keeps 4 KiB pages, which is still correct.
    (void)::madvise(memory, size, MADV_HUGEPAGE);
    return memory;
  }
  return ::operator new(bytes);
}

void FreeLargeArray(void* memory, size_t bytes) noexcept {
  if (memory == nullptr) return;
  if (bytes >= kLargeArrayBytes) {
    ::munmap(memory, RoundUp(bytes, kHugePageBytes));
    return;
  }
  ::operator delete(memory);
}

}  // namespace laminar
