// malloc and friends on the kernel heap (petrel/kernel/heap.h), the heap
// that pvPortMalloc and the kernel's own objects use too: one pool, one set
// of statistics. heap_alloc masks interrupts for the few instructions it
// needs, so these are safe from any task and need no lock. Defining every
// allocation entry point here keeps picolibc's own allocator (which would
// want sbrk) out of the image.
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/kernel/heap.h"

namespace {

using petrel::kernel::heap_alloc;

constexpr size_t kPage = 4096;

void* allocate(size_t size, size_t align) {
  // malloc(0) returns a unique pointer, as glibc's and picolibc's do.
  void* p = heap_alloc(size != 0 ? size : 1, align);
  if (p == nullptr) errno = ENOMEM;
  return p;
}

bool valid_alignment(size_t align) {
  return align != 0 && (align & (align - 1)) == 0 && align <= kPage;
}

}  // namespace

extern "C" {

void* malloc(size_t size) {
  return allocate(size, 16);
}

void free(void* p) {
  petrel::kernel::heap_free(p);
}

void* calloc(size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  void* p = allocate(bytes, 16);
  if (p != nullptr) memset(p, 0, bytes);
  return p;
}

void* realloc(void* p, size_t size) {
  if (p == nullptr) return malloc(size);
  const size_t have = petrel::kernel::heap_usable_size(p);
  if (size <= have) return p;
  void* q = allocate(size, 16);
  if (q == nullptr) return nullptr;  // the old block stays valid, as C says
  memcpy(q, p, have);
  free(p);
  return q;
}

void* memalign(size_t align, size_t size) {
  if (!valid_alignment(align)) {
    errno = EINVAL;
    return nullptr;
  }
  return allocate(size, align);
}

void* aligned_alloc(size_t align, size_t size) {
  return memalign(align, size);
}

int posix_memalign(void** out, size_t align, size_t size) {
  if (!valid_alignment(align) || align < sizeof(void*)) return EINVAL;
  void* p = heap_alloc(size != 0 ? size : 1, align);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(size_t size) {
  return allocate(size, kPage);
}

void* pvalloc(size_t size) {
  if (size > SIZE_MAX - kPage) {
    errno = ENOMEM;
    return nullptr;
  }
  return allocate((size + kPage - 1) & ~(kPage - 1), kPage);
}

size_t malloc_usable_size(void* p) {
  return petrel::kernel::heap_usable_size(p);
}

}  // extern "C"
