// The kernel heap.
//
// Design
// ------
// The region given to heap_init is trimmed to 16-byte boundaries and cut into
// physically adjacent blocks. Each block starts with a 16-byte Header (so every
// payload is 16-byte aligned): its size, the size of the block before it (the
// boundary tag, kept in the header rather than a footer), a state word and a
// check word. The region's last 16 bytes are an end marker, a permanently
// allocated header-only block, so every block has a right neighbour. A free
// block keeps {prev, next} free-list links in its first 16 payload bytes, so
// the smallest block is 32 bytes.
//
// The free list is doubly linked and in address order. heap_alloc takes the
// first block that fits (first fit). Alignment padding in front of the payload
// stays behind as a free block of its own (a 16-byte gap, too small for a
// block, is avoided by moving the payload up one more `align`), so nothing
// leaks. A remainder of 32 bytes or more behind the payload is split off as a
// free block; a smaller one stays with the allocation as slack.
//
// heap_free merges the block at once with a free left and/or right neighbour,
// found in O(1) through the boundary tags, so no two free blocks are ever
// adjacent. The merged block takes its neighbour's place in the list; only when
// neither neighbour is free is the list walked to find the spot.
//
// Cost, F = number of free blocks: heap_alloc O(F); heap_free O(1) when a
// neighbour is free, else O(F); heap_stats O(F). All of it runs with interrupts
// masked, so F bounds the latency the heap adds.
//
// Fragmentation: free blocks are never adjacent, so each is followed by a live
// block and F <= live blocks + 1. Per allocation the waste is the 16-byte
// header, rounding to 16, and a tail under 32 bytes (padding is not wasted).
// No non-moving allocator avoids external fragmentation in the worst case:
// by Robson's bound an adversary with at most M bytes live and sizes up to n
// times the smallest can force any of them to need about M*log2(n)/2 bytes,
// and first fit O(M*log2(n)). In practice address-ordered first fit is among
// the least fragmenting policies (it refills low addresses first and keeps the
// top of the heap in one piece).
//
// Integrity: the check word hashes the block's address with its other header
// fields, so heap_free and heap_alloc catch a stray write into a header (a
// neighbour's overrun) or a pointer that is not a payload start, and report it
// through petrel::panic. Headers swallowed by a merge are scrubbed, so freeing
// the same pointer twice fails the check.
//
// Accounting: `free` counts payload bytes of free blocks (headers excluded), so
// with everything freed it is total - 32 (one header plus the end marker).
// largest_free_block is exact for align 16: heap_alloc(largest_free_block)
// succeeds. heap_alloc(0) returns nullptr and counts nothing; a bad `align`, no
// fitting block, or no usable region (before heap_init, or one too small for a
// block) returns nullptr and counts a failure.
#include "petrel/kernel/heap.h"

#include "petrel/arch.h"
#include "petrel/exit.h"

namespace petrel::kernel {
namespace {

constexpr size_t kUnit = 16;       // header size and the alignment of every block
constexpr uint32_t kMinUnits = 2;  // header + free-list links
constexpr size_t kMaxAlign = 4096;
constexpr uint32_t kMaxUnits = 0xffff'fff0u;  // region clamp: sizes fit in 32 bits
constexpr uint32_t kUsed = 0x55534544u;       // "USED"
constexpr uint32_t kFree = 0x46524545u;       // "FREE"

struct [[gnu::may_alias]] Header {
  uint32_t units;       // block size including this header, in kUnit
  uint32_t prev_units;  // size of the block physically before; 0 for the first
  uint32_t state;       // kUsed or kFree (0 once swallowed by a merge)
  uint32_t check;       // seal_of(this)
};
static_assert(sizeof(Header) == kUnit);

struct [[gnu::may_alias]] Links {
  Header* prev;
  Header* next;
};

struct Heap {
  uintptr_t first = 0;  // first block; 0 while there is no usable region
  uintptr_t end = 0;    // the end marker's header
  Header* free_head = nullptr;
  HeapStats stats = {};
};
Heap g_heap;

class IrqGuard {
 public:
  IrqGuard() : saved_(arch::irq_save()) {}
  ~IrqGuard() { release(); }
  IrqGuard(const IrqGuard&) = delete;
  IrqGuard& operator=(const IrqGuard&) = delete;
  // Restores early; used before panicking (so a hosted test's throwing panic
  // leaves the mask balanced).
  void release() {
    if (held_) arch::irq_restore(saved_);
    held_ = false;
  }

 private:
  uint64_t saved_;
  bool held_ = true;
};

// One 64-bit mixing round over all fields: changing any one of them (or the
// address) changes the input, and the finalizer is a bijection, so a header
// with one corrupted field passes only with probability 2^-32.
uint32_t seal_of(const Header* h) {
  uint64_t v = (uint64_t{h->units} << 32 | h->prev_units) ^ h->state * 0x9e37'79b9'7f4a'7c15u ^
               reinterpret_cast<uintptr_t>(h) * 0xc2b2'ae3d'27d4'eb4fu;
  v = (v ^ (v >> 33)) * 0xff51'afd7'ed55'8ccdu;
  v = (v ^ (v >> 33)) * 0xc4ce'b9fe'1a85'ec53u;
  return static_cast<uint32_t>(v ^ (v >> 33));
}

void seal(Header* h) {
  h->check = seal_of(h);
}
bool intact(const Header* h) {
  return h->check == seal_of(h);
}
void scrub(Header* h) {
  h->state = 0;
  h->check = 0;
}

Header* at(uintptr_t a) {
  return reinterpret_cast<Header*>(a);
}
uintptr_t addr(const Header* h) {
  return reinterpret_cast<uintptr_t>(h);
}
Header* right_of(const Header* h) {
  return at(addr(h) + size_t{h->units} * kUnit);
}
Links* links(Header* h) {
  return reinterpret_cast<Links*>(addr(h) + kUnit);
}
size_t payload(uint32_t units) {
  return (size_t{units} - 1) * kUnit;
}

// Writes a complete header and tells the right neighbour about the new size.
void write_block(Header* h, uint32_t units, uint32_t prev_units, uint32_t state) {
  h->units = units;
  h->prev_units = prev_units;
  h->state = state;
  seal(h);
  Header* r = right_of(h);
  r->prev_units = units;
  seal(r);
}

// The free list; `prev` nullptr means at the head. Counters follow the list.
void list_insert_after(Header* prev, Header* h) {
  Header* next = prev != nullptr ? links(prev)->next : g_heap.free_head;
  links(h)->prev = prev;
  links(h)->next = next;
  if (prev != nullptr) {
    links(prev)->next = h;
  } else {
    g_heap.free_head = h;
  }
  if (next != nullptr) links(next)->prev = h;
  g_heap.stats.free += payload(h->units);
  g_heap.stats.free_blocks++;
}

void list_remove(Header* h) {
  Header* prev = links(h)->prev;
  Header* next = links(h)->next;
  if (prev != nullptr) {
    links(prev)->next = next;
  } else {
    g_heap.free_head = next;
  }
  if (next != nullptr) links(next)->prev = prev;
  g_heap.stats.free -= payload(h->units);
  g_heap.stats.free_blocks--;
}

// Takes the allocation at header `a` (payload a+16) out of free block `b`.
void carve(Header* b, Header* a, uint32_t need) {
  Header* lp = links(b)->prev;
  const uint32_t b_prev = b->prev_units;
  const uint32_t pad = static_cast<uint32_t>((addr(a) - addr(b)) / kUnit);
  const uint32_t rest = b->units - pad;
  list_remove(b);
  if (pad != 0) {
    write_block(b, pad, b_prev, kFree);
    list_insert_after(lp, b);
    lp = b;
  }
  const uint32_t a_prev = pad != 0 ? pad : b_prev;
  if (rest - need >= kMinUnits) {
    write_block(a, need, a_prev, kUsed);
    Header* tail = right_of(a);
    write_block(tail, rest - need, need, kFree);
    list_insert_after(lp, tail);
  } else {
    write_block(a, rest, a_prev, kUsed);
  }
}

// Whether `h` (already inside the region) is a sealed block in `state` that
// stays inside the region ...
bool sealed_block(const Header* h, uint32_t state) {
  return h->state == state && intact(h) && h->units >= kMinUnits &&
         h->units <= (g_heap.end - addr(h)) / kUnit;
}

// ... and whose neighbours agree with it.
bool valid_block(const Header* h, uint32_t state) {
  if (!sealed_block(h, state)) return false;
  const Header* r = right_of(h);
  if (!intact(r) || r->prev_units != h->units) return false;
  if (h->prev_units == 0) return addr(h) == g_heap.first;
  if (h->prev_units > (addr(h) - g_heap.first) / kUnit) return false;
  const Header* l = at(addr(h) - size_t{h->prev_units} * kUnit);
  return intact(l) && l->units == h->prev_units;
}

}  // namespace

void heap_init(void* base, size_t size) {
  IrqGuard guard;
  g_heap.first = 0;  // field by field: a struct assignment may become a memset call
  g_heap.end = 0;
  g_heap.free_head = nullptr;
  HeapStats& st = g_heap.stats;
  st.total = st.free = st.min_free = st.largest_free_block = st.free_blocks = 0;
  st.allocations = st.frees = st.failures = 0;
  // Below kTop, no address sum in this file can wrap.
  constexpr uintptr_t kTop = UINTPTR_MAX - 2 * kMaxAlign;
  const uintptr_t b = reinterpret_cast<uintptr_t>(base);
  if (b == 0 || b > kTop) return;
  if (size > kTop - b) size = kTop - b;
  const uintptr_t lo = (b + kUnit - 1) & ~uintptr_t{kUnit - 1};
  const uintptr_t hi = (b + size) & ~uintptr_t{kUnit - 1};
  if (lo > hi || hi - lo < (kMinUnits + 1) * kUnit) return;  // no room for one block
  size_t units = (hi - lo) / kUnit;
  if (units > kMaxUnits) units = kMaxUnits;
  g_heap.first = lo;
  g_heap.end = lo + (units - 1) * kUnit;
  Header* end = at(g_heap.end);
  end->units = 1;
  end->state = kUsed;
  Header* h = at(lo);
  write_block(h, static_cast<uint32_t>(units - 1), 0, kFree);  // also seals the end marker
  list_insert_after(nullptr, h);
  st.total = units * kUnit;
  st.min_free = st.free;
}

void* heap_alloc(size_t size, size_t align) {
  if (size == 0) return nullptr;
  IrqGuard guard;
  HeapStats& st = g_heap.stats;
  if (align == 0 || (align & (align - 1)) != 0 || align > kMaxAlign || size > st.total) {
    st.failures++;  // total is 0 before heap_init; `size` is now small enough not to wrap
    return nullptr;
  }
  if (align < kUnit) align = kUnit;
  uint32_t need = static_cast<uint32_t>((size + kUnit - 1) / kUnit + 1);
  if (need < kMinUnits) need = kMinUnits;
  for (Header* b = g_heap.free_head; b != nullptr; b = links(b)->next) {
    if (!sealed_block(b, kFree)) {  // the neighbours are checked when freeing
      guard.release();
      panic("heap_alloc: free block at %p is corrupted", static_cast<void*>(b));
    }
    const uintptr_t start = addr(b);
    const uintptr_t end = start + size_t{b->units} * kUnit;
    uintptr_t p = (start + kUnit + align - 1) & ~uintptr_t{align - 1};
    if (p - kUnit - start == kUnit) p += align;  // a 16-byte gap cannot be a free block
    if (p > end || (end - p) / kUnit < need - 1) continue;
    carve(b, at(p - kUnit), need);
    st.allocations++;
    if (st.free < st.min_free) st.min_free = st.free;
    return reinterpret_cast<void*>(p);
  }
  st.failures++;
  return nullptr;
}

namespace {

// The header of `block`, a pointer from heap_alloc that must still be live
// (interrupts masked by `guard`); anything else is a fatal error that names
// `call`.
Header* live_header(const void* block, const char* call, IrqGuard& guard) {
  const uintptr_t p = reinterpret_cast<uintptr_t>(block);
  if (g_heap.first == 0 || p % kUnit != 0 || p < g_heap.first + kUnit || p > g_heap.end ||
      !valid_block(at(p - kUnit), kUsed)) {
    guard.release();
    panic("%s: %p is not a live heap block", call, block);
  }
  return at(p - kUnit);
}

}  // namespace

size_t heap_usable_size(const void* block) {
  if (block == nullptr) return 0;
  IrqGuard guard;
  return (size_t{live_header(block, "heap_usable_size", guard)->units} - 1) * kUnit;
}

void heap_free(void* block) {
  if (block == nullptr) return;
  IrqGuard guard;
  Header* h = live_header(block, "heap_free", guard);
  g_heap.stats.frees++;
  uint32_t units = h->units;
  uint32_t prev_units = h->prev_units;
  Header* r = right_of(h);
  Header* l = prev_units != 0 ? at(addr(h) - size_t{prev_units} * kUnit) : nullptr;
  const bool merge_left = l != nullptr && l->state == kFree;
  const bool merge_right = r->state == kFree;
  Header* lp = nullptr;  // the free block the result follows in the list
  if (merge_left) {
    lp = links(l)->prev;
    list_remove(l);
    units += l->units;
    prev_units = l->prev_units;
    scrub(h);
    h = l;
  }
  if (merge_right) {
    if (!merge_left) lp = links(r)->prev;
    list_remove(r);
    units += r->units;
    scrub(r);
  }
  if (!merge_left && !merge_right) {
    for (Header* f = g_heap.free_head; f != nullptr && addr(f) < addr(h); f = links(f)->next) {
      lp = f;
    }
  }
  write_block(h, units, prev_units, kFree);
  list_insert_after(lp, h);
}

HeapStats heap_stats() {
  IrqGuard guard;
  const HeapStats& g = g_heap.stats;
  HeapStats st;  // field by field: a struct copy may become a memcpy call
  st.total = g.total;
  st.free = g.free;
  st.min_free = g.min_free;
  st.largest_free_block = 0;
  st.free_blocks = g.free_blocks;
  st.allocations = g.allocations;
  st.frees = g.frees;
  st.failures = g.failures;
  for (Header* f = g_heap.free_head; f != nullptr; f = links(f)->next) {
    if (payload(f->units) > st.largest_free_block) st.largest_free_block = payload(f->units);
  }
  return st;
}

bool heap_check() {
  IrqGuard guard;
  const HeapStats& st = g_heap.stats;
  if (st.allocations < st.frees || st.min_free > st.free || st.free > st.total) return false;
  if (g_heap.first == 0) {
    return g_heap.free_head == nullptr && st.total == 0 && st.free_blocks == 0 &&
           st.allocations == 0;
  }
  // Physical walk: sealed headers, consistent tags, no two free blocks adjacent.
  size_t free_bytes = 0, free_blocks = 0, used_blocks = 0;
  uint32_t prev_units = 0;
  bool prev_free = false;
  uintptr_t a = g_heap.first;
  while (a != g_heap.end) {
    const Header* h = at(a);
    const bool is_free = h->state == kFree;
    if (!is_free && h->state != kUsed) return false;
    if (!intact(h) || h->prev_units != prev_units || h->units < kMinUnits) return false;
    if (h->units > (g_heap.end - a) / kUnit || (is_free && prev_free)) return false;
    if (is_free) {
      free_bytes += payload(h->units);
      free_blocks++;
    } else {
      used_blocks++;
    }
    prev_free = is_free;
    prev_units = h->units;
    a += size_t{h->units} * kUnit;
  }
  const Header* end = at(g_heap.end);
  if (end->units != 1 || end->state != kUsed || end->prev_units != prev_units || !intact(end)) {
    return false;
  }
  // The free list: every free block once, in address order, links both ways.
  size_t listed = 0;
  Header* prev = nullptr;
  for (Header* f = g_heap.free_head; f != nullptr; f = links(f)->next) {
    if (addr(f) < g_heap.first || addr(f) >= g_heap.end || addr(f) % kUnit != 0) return false;
    if (!sealed_block(f, kFree)) return false;
    if (links(f)->prev != prev || (prev != nullptr && addr(prev) >= addr(f))) return false;
    if (++listed > free_blocks) return false;
    prev = f;
  }
  return listed == free_blocks && free_blocks == st.free_blocks && free_bytes == st.free &&
         used_blocks == st.allocations - st.frees;
}

}  // namespace petrel::kernel
