// The kernel heap: one region, first fit with immediate coalescing,
// fallible (nullptr when exhausted, never a crash), with statistics.
// Everything the kernel offers can also be created from static storage
// without any heap.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace petrel::kernel {

// Hands the heap its region (once at boot; tests may call it again to start
// over with a new region, which forgets every earlier allocation).
void heap_init(void* base, size_t size);

// Returns a block of at least `size` bytes aligned to `align` (a power of
// two, at most 4096; at least 16 is always given), or nullptr when no free
// block is large enough or size is 0. Safe from tasks and interrupts.
void* heap_alloc(size_t size, size_t align = 16);

// Returns a block from heap_alloc. nullptr is ignored. A pointer that is not
// a live block of this heap (never allocated, already freed, corrupted
// header) is a fatal error reported with the address.
void heap_free(void* block);

// How many bytes the live block `block` (from heap_alloc) can hold: at least
// what was asked for. nullptr gives 0; anything else that is not a live
// block is the same fatal error as in heap_free.
size_t heap_usable_size(const void* block);

struct HeapStats {
  size_t total;     // bytes managed, headers included
  size_t free;      // bytes free now
  size_t min_free;  // the low-water mark of `free` since heap_init
  size_t
      largest_free_block;  // the biggest allocation that could succeed now (approx.: minus header)
  size_t free_blocks;      // number of free blocks
  size_t allocations;      // successful heap_alloc calls
  size_t frees;            // heap_free calls (non-null)
  size_t failures;         // heap_alloc calls that returned nullptr
};
HeapStats heap_stats();

// Walks every block and the free list and verifies headers, links and
// counters; for tests and debugging.
bool heap_check();

}  // namespace petrel::kernel
