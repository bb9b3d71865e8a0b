// Unit tests for the kernel heap (kernel/src/heap.cc), linked on its own: the
// test supplies the interrupt mask (a nesting counter that must balance) and
// petrel::panic (throws, so detected misuse can be EXPECTed).
#include "petrel/kernel/heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "petrel/exit.h"

// --- the stubs the heap links against ---

namespace {
int g_irq_depth = 0;       // current nesting
int g_irq_errors = 0;      // irq_restore calls that did not match the innermost irq_save
uint64_t g_irq_saves = 0;  // irq_save calls ever

struct Panic {
  std::string message;
};
}  // namespace

namespace petrel::arch {
uint64_t irq_save();
void irq_restore(uint64_t saved);

uint64_t irq_save() {
  ++g_irq_saves;
  return static_cast<uint64_t>(g_irq_depth++);
}
void irq_restore(uint64_t saved) {
  if (g_irq_depth == 0 || saved != static_cast<uint64_t>(g_irq_depth - 1)) ++g_irq_errors;
  g_irq_depth = static_cast<int>(saved);
}
}  // namespace petrel::arch

namespace petrel {
void panic(const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  throw Panic{buf};
}
}  // namespace petrel

namespace {

using petrel::kernel::heap_alloc;
using petrel::kernel::heap_check;
using petrel::kernel::heap_free;
using petrel::kernel::heap_init;
using petrel::kernel::heap_stats;
using petrel::kernel::heap_usable_size;
using petrel::kernel::HeapStats;

constexpr size_t kHeader = 16;
constexpr size_t kOverhead = 2 * kHeader;  // one free block's header + the end marker

// What the heap did before anything called heap_init, recorded during static
// initialization so it holds whatever order the tests run in.
struct BeforeInit {
  void* ptr;
  HeapStats stats;
  bool check;
};
const BeforeInit g_before_init = [] {
  BeforeInit b;
  b.ptr = heap_alloc(64);
  b.stats = heap_stats();
  b.check = heap_check();
  return b;
}();

size_t round16(size_t n) {
  return (n + 15) / 16 * 16;
}

// A region from the host allocator, page aligned.
class Region {
 public:
  explicit Region(size_t size)
      : size_(size),
        mem_(static_cast<unsigned char*>(::operator new (size, std::align_val_t{4096}))) {
    std::memset(mem_, 0xa5, size);  // no stale headers from an earlier test's region
  }
  ~Region() { ::operator delete (mem_, std::align_val_t{4096}); }
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  unsigned char* data() const { return mem_; }
  size_t size() const { return size_; }
  bool contains(const void* p, size_t n) const {
    auto a = reinterpret_cast<uintptr_t>(p), b = reinterpret_cast<uintptr_t>(mem_);
    return a >= b && a - b <= size_ && n <= size_ - (a - b);
  }

 private:
  size_t size_;
  unsigned char* mem_;
};

// A live block with a pattern derived from its serial number.
struct Block {
  unsigned char* p;
  size_t size;
  size_t align;
  uint64_t serial;
};

unsigned char pattern_byte(uint64_t serial, size_t i) {
  return static_cast<unsigned char>((serial * 131 + i * 7 + (i >> 8)) ^ 0x5a);
}
// The bytes a pattern covers: all of the first and last 64 (where an overrun
// from or into a neighbour shows), every 29th in between (keeps big blocks cheap).
size_t next_index(size_t i, size_t size) {
  return (i < 64 || i + 64 >= size) ? i + 1 : std::min(i + 29, size - 64);
}
void fill(const Block& b) {
  for (size_t i = 0; i < b.size; i = next_index(i, b.size)) b.p[i] = pattern_byte(b.serial, i);
}
bool intact(const Block& b) {
  for (size_t i = 0; i < b.size; i = next_index(i, b.size)) {
    if (b.p[i] != pattern_byte(b.serial, i)) return false;
  }
  return true;
}

template <typename F>
std::string panic_message(F&& f) {
  try {
    f();
  } catch (const Panic& p) {
    return p.message;
  }
  return "<no panic>";
}
#define EXPECT_BAD_FREE(ptr)                                                         \
  EXPECT_NE(panic_message([&] { heap_free(ptr); }).find("is not a live heap block"), \
            std::string::npos)

class HeapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_irq_errors = 0;
    heap_init(region_.data(), region_.size());
  }
  void TearDown() override {
    EXPECT_EQ(g_irq_depth, 0);
    EXPECT_EQ(g_irq_errors, 0);
  }
  Region region_{1 << 20};
};

TEST(HeapBeforeInit, AllocFailsAndCounts) {
  EXPECT_EQ(g_before_init.ptr, nullptr);
  EXPECT_EQ(g_before_init.stats.total, 0u);
  EXPECT_EQ(g_before_init.stats.free, 0u);
  EXPECT_EQ(g_before_init.stats.failures, 1u);
  EXPECT_EQ(g_before_init.stats.allocations, 0u);
  EXPECT_TRUE(g_before_init.check);
}

TEST_F(HeapTest, FreshHeapIsOneBlock) {
  const HeapStats st = heap_stats();
  EXPECT_EQ(st.total, region_.size());
  EXPECT_EQ(st.free, st.total - kOverhead);
  EXPECT_EQ(st.min_free, st.free);
  EXPECT_EQ(st.largest_free_block, st.free);
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_EQ(st.allocations + st.frees + st.failures, 0u);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, BasicAllocFree) {
  const HeapStats before = heap_stats();
  void* p = heap_alloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
  EXPECT_TRUE(region_.contains(p, 100));
  HeapStats st = heap_stats();
  EXPECT_EQ(st.free, before.free - round16(100) - kHeader);
  EXPECT_EQ(st.allocations, 1u);
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_TRUE(heap_check());

  heap_free(p);
  heap_free(nullptr);  // ignored, not counted
  st = heap_stats();
  EXPECT_EQ(st.free, before.free);
  EXPECT_EQ(st.frees, 1u);
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_EQ(st.failures, 0u);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, EveryOperationMasksInterrupts) {
  uint64_t saves = g_irq_saves;
  void* p = heap_alloc(32);
  EXPECT_EQ(g_irq_saves, ++saves);
  heap_free(p);
  EXPECT_EQ(g_irq_saves, ++saves);
  heap_stats();
  EXPECT_EQ(g_irq_saves, ++saves);
  heap_init(region_.data(), region_.size());
  EXPECT_EQ(g_irq_saves, ++saves);
  EXPECT_EQ(g_irq_depth, 0);
}

TEST_F(HeapTest, SizeZeroIsNullptrButNotAFailure) {
  EXPECT_EQ(heap_alloc(0), nullptr);
  EXPECT_EQ(heap_alloc(0, 4096), nullptr);
  const HeapStats st = heap_stats();
  EXPECT_EQ(st.failures, 0u);
  EXPECT_EQ(st.allocations, 0u);
}

TEST_F(HeapTest, HugeSizesFailWithoutWrapping) {
  const size_t sizes[] = {SIZE_MAX,       SIZE_MAX - 1,        SIZE_MAX - 15,
                          SIZE_MAX - 16,  SIZE_MAX / 2,        SIZE_MAX / 16 + 1,
                          region_.size(), region_.size() - 16, heap_stats().free + 1};
  size_t n = 0;
  for (size_t s : sizes) {
    for (size_t align : {size_t{16}, size_t{4096}}) {
      EXPECT_EQ(heap_alloc(s, align), nullptr) << s;
      ++n;
    }
  }
  const HeapStats st = heap_stats();
  EXPECT_EQ(st.failures, n);
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_EQ(st.free, st.total - kOverhead);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, BadAlignmentFails) {
  for (size_t align : {size_t{0}, size_t{3}, size_t{24}, size_t{8192}, size_t{1} << 40}) {
    EXPECT_EQ(heap_alloc(16, align), nullptr) << align;
  }
  EXPECT_EQ(heap_stats().failures, 5u);
  for (size_t align : {1, 2, 4, 8}) {  // below 16: 16 is given anyway
    void* p = heap_alloc(1, align);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
  }
}

TEST_F(HeapTest, EveryAlignmentWithPatterns) {
  std::vector<Block> live;
  uint64_t serial = 0;
  for (int round = 0; round < 4; ++round) {
    for (size_t align = 16; align <= 4096; align *= 2) {
      for (size_t size :
           {size_t{1}, size_t{15}, size_t{17}, align - 1, align, align + 1, 3 * align - 5}) {
        auto* p = static_cast<unsigned char*>(heap_alloc(size, align));
        ASSERT_NE(p, nullptr) << "size " << size << " align " << align;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u) << align;
        EXPECT_TRUE(region_.contains(p, size));
        live.push_back({p, size, align, serial++});
        fill(live.back());
      }
    }
    // Free every third block, so later rounds reuse holes between live blocks.
    for (size_t i = live.size(); i-- > 0;) {
      if ((i + static_cast<size_t>(round)) % 3 == 0) {
        ASSERT_TRUE(intact(live[i]));
        heap_free(live[i].p);
        live.erase(live.begin() + static_cast<ptrdiff_t>(i));
      }
    }
    ASSERT_TRUE(heap_check());
    for (const Block& b : live) ASSERT_TRUE(intact(b)) << "serial " << b.serial;
  }
  for (const Block& b : live) {
    ASSERT_TRUE(intact(b));
    heap_free(b.p);
  }
  const HeapStats st = heap_stats();
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_EQ(st.free, st.total - kOverhead);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, AlignedAllocationFromUnalignedRegion) {
  heap_init(region_.data() + 3, 100'000);
  for (size_t align = 16; align <= 4096; align *= 2) {
    void* p = heap_alloc(align, align);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u);
    EXPECT_GE(static_cast<unsigned char*>(p), region_.data() + 3);
    EXPECT_LE(static_cast<unsigned char*>(p) + align, region_.data() + 3 + 100'000);
  }
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, ExhaustionThenFullRecovery) {
  std::vector<void*> blocks;
  while (void* p = heap_alloc(1000)) blocks.push_back(p);
  HeapStats st = heap_stats();
  EXPECT_EQ(st.failures, 1u);
  EXPECT_EQ(st.allocations, blocks.size());
  EXPECT_LT(st.largest_free_block, round16(1000));
  EXPECT_EQ(st.min_free, st.free);
  EXPECT_GE(blocks.size(), region_.size() / (round16(1000) + kHeader) - 1);
  EXPECT_EQ(heap_alloc(1000), nullptr);
  EXPECT_EQ(heap_stats().failures, 2u);
  EXPECT_TRUE(heap_check());

  std::mt19937 rng(7);
  std::shuffle(blocks.begin(), blocks.end(), rng);
  for (void* p : blocks) heap_free(p);
  st = heap_stats();
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_EQ(st.free, st.total - kOverhead);
  EXPECT_EQ(st.largest_free_block, st.free);
  EXPECT_EQ(st.frees, blocks.size());
  EXPECT_TRUE(heap_check());
  // And the whole heap can be handed out in one piece again.
  void* all = heap_alloc(st.largest_free_block);
  EXPECT_NE(all, nullptr);
  EXPECT_EQ(heap_stats().free, 0u);
  EXPECT_EQ(heap_stats().free_blocks, 0u);
  heap_free(all);
  EXPECT_EQ(heap_stats().free, st.free);
}

// Frees A, B, C (adjacent, 256-byte payloads) in every order, D staying live
// so C never merges with the rest of the heap.
TEST_F(HeapTest, CoalescesInEveryOrder) {
  constexpr size_t kSize = 256, kBlock = kSize + kHeader;
  int order[] = {0, 1, 2};
  do {
    heap_init(region_.data(), region_.size());
    void* b[4];
    for (void*& p : b) p = heap_alloc(kSize);
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(static_cast<char*>(b[i]) + kBlock, b[i + 1]) << "blocks are not adjacent";
    }
    const size_t tail = heap_stats().free;
    bool freed[3] = {};
    for (int k = 0; k < 3; ++k) {
      heap_free(b[order[k]]);
      freed[order[k]] = true;
      // Runs of freed neighbours must be single blocks.
      size_t runs = 0, largest_run = 0, run = 0;
      for (int i = 0; i < 3; ++i) {
        run = freed[i] ? run + 1 : 0;
        if (run == 1) ++runs;
        largest_run = std::max(largest_run, run);
      }
      const HeapStats st = heap_stats();
      EXPECT_EQ(st.free_blocks, runs + 1) << order[0] << order[1] << order[2] << " step " << k;
      EXPECT_EQ(st.free, tail + (k + 1) * kBlock - runs * kHeader);
      EXPECT_EQ(st.largest_free_block, std::max(tail, largest_run * kBlock - kHeader));
      ASSERT_TRUE(heap_check());
    }
    heap_free(b[3]);
    const HeapStats st = heap_stats();
    EXPECT_EQ(st.free_blocks, 1u);
    EXPECT_EQ(st.free, st.total - kOverhead);
  } while (std::next_permutation(order, order + 3));
}

TEST_F(HeapTest, FreedHoleIsReusedFirstFit) {
  void* a = heap_alloc(64);
  void* b = heap_alloc(512);
  void* c = heap_alloc(64);
  heap_free(b);
  EXPECT_EQ(heap_alloc(128), b);              // lowest fitting hole, split
  void* d = heap_alloc(512 - 128 - kHeader);  // exactly the remainder of the hole
  EXPECT_EQ(d, static_cast<char*>(b) + 128 + kHeader);
  EXPECT_EQ(heap_stats().free_blocks, 1u);
  heap_free(a);
  heap_free(c);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, PaddingBeforeAlignedBlockIsNotLost) {
  void* small = heap_alloc(16);  // the next payload is no longer page aligned
  const size_t free_before = heap_stats().free;
  void* page = heap_alloc(4096, 4096);
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(page) % 4096, 0u);
  HeapStats st = heap_stats();
  EXPECT_EQ(st.free_blocks, 2u);                               // the gap in front stays free
  EXPECT_EQ(st.free, free_before - 4096 - kHeader - kHeader);  // one more header, nothing else
  // The gap can be used.
  void* in_gap = heap_alloc(64);
  EXPECT_LT(in_gap, page);
  heap_free(in_gap);
  heap_free(page);
  heap_free(small);
  st = heap_stats();
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_EQ(st.free, st.total - kOverhead);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, MinFreeIsTheLowWaterMark) {
  const size_t full = heap_stats().free;
  void* a = heap_alloc(1000);
  void* b = heap_alloc(5000);
  const size_t low = heap_stats().free;
  EXPECT_EQ(heap_stats().min_free, low);
  heap_free(a);
  heap_free(b);
  HeapStats st = heap_stats();
  EXPECT_EQ(st.free, full);
  EXPECT_EQ(st.min_free, low);
  void* c = heap_alloc(100);  // less than the mark: unchanged
  EXPECT_EQ(heap_stats().min_free, low);
  void* d = heap_alloc(10000);
  EXPECT_EQ(heap_stats().min_free, heap_stats().free);
  EXPECT_LT(heap_stats().min_free, low);
  EXPECT_EQ(heap_alloc(SIZE_MAX / 4), nullptr);  // failures do not move it
  EXPECT_EQ(heap_stats().min_free, heap_stats().free);
  heap_free(c);
  heap_free(d);
  heap_init(region_.data(), region_.size());
  EXPECT_EQ(heap_stats().min_free, full);  // reset by heap_init
}

TEST_F(HeapTest, LargestFreeBlockIsExact) {
  // Fragment: 64 blocks of 1 KiB, free every other one, then the tail.
  std::vector<void*> blocks;
  for (int i = 0; i < 64; ++i) blocks.push_back(heap_alloc(1024));
  void* rest = heap_alloc(heap_stats().largest_free_block);
  ASSERT_NE(rest, nullptr);
  EXPECT_EQ(heap_stats().largest_free_block, 0u);
  EXPECT_EQ(heap_stats().free_blocks, 0u);
  for (int i = 0; i < 64; i += 2) heap_free(blocks[static_cast<size_t>(i)]);
  HeapStats st = heap_stats();
  EXPECT_EQ(st.free_blocks, 32u);
  EXPECT_EQ(st.largest_free_block, 1024u);
  EXPECT_EQ(heap_alloc(1025), nullptr);
  heap_free(blocks[1]);  // joins blocks 0..2
  st = heap_stats();
  EXPECT_EQ(st.largest_free_block, 3 * (1024 + kHeader) - kHeader);
  void* p = heap_alloc(st.largest_free_block);
  EXPECT_EQ(p, blocks[0]);
  EXPECT_EQ(heap_alloc(st.largest_free_block), nullptr);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, BadFreesAreFatal) {
  auto* a = static_cast<unsigned char*>(heap_alloc(256));
  auto* b = static_cast<unsigned char*>(heap_alloc(256));
  auto* c = static_cast<unsigned char*>(heap_alloc(256));
  auto* d = static_cast<unsigned char*>(heap_alloc(256));
  int on_stack = 0;

  // Not a payload start.
  EXPECT_BAD_FREE(b + 16);
  EXPECT_BAD_FREE(b + 8);
  EXPECT_BAD_FREE(b + 1);
  EXPECT_BAD_FREE(b - 16);                      // the header itself
  EXPECT_BAD_FREE(region_.data());              // the first header
  EXPECT_BAD_FREE(region_.data() + 16 * 1024);  // inside the free tail
  // Outside the region.
  EXPECT_BAD_FREE(&on_stack);
  EXPECT_BAD_FREE(region_.data() - 4096);
  EXPECT_BAD_FREE(region_.data() + region_.size());
  EXPECT_BAD_FREE(region_.data() + region_.size() - 16);
  EXPECT_BAD_FREE(reinterpret_cast<void*>(uintptr_t{16}));
  EXPECT_EQ(heap_stats().frees, 0u);
  EXPECT_TRUE(heap_check());

  // Double free, without a merge (a and c live around b) ...
  heap_free(b);
  EXPECT_BAD_FREE(b);
  // ... and after b was merged into its left neighbour.
  heap_free(a);
  EXPECT_BAD_FREE(b);
  EXPECT_BAD_FREE(a);
  // ... and after c was merged into the free block on its left.
  heap_free(c);
  EXPECT_BAD_FREE(c);
  EXPECT_EQ(heap_stats().frees, 3u);
  EXPECT_TRUE(heap_check());
  heap_free(d);
  EXPECT_BAD_FREE(d);
  EXPECT_EQ(heap_stats().free_blocks, 1u);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, CorruptedHeaderIsFatal) {
  auto* a = static_cast<unsigned char*>(heap_alloc(256));
  auto* b = static_cast<unsigned char*>(heap_alloc(256));
  auto* c = static_cast<unsigned char*>(heap_alloc(256));
  // Every byte of b's header matters; restoring it makes b freeable again.
  for (size_t i = 0; i < kHeader; ++i) {
    for (unsigned char flip : {0x01, 0x80}) {
      b[-16 + static_cast<ptrdiff_t>(i)] ^= flip;
      EXPECT_BAD_FREE(b);
      EXPECT_FALSE(heap_check());
      b[-16 + static_cast<ptrdiff_t>(i)] ^= flip;
    }
  }
  EXPECT_TRUE(heap_check());
  // An overrun of a into b's header: a is still fine on its own, b is not.
  const unsigned char saved = b[-16];
  a[256] = static_cast<unsigned char>(saved + 1);
  EXPECT_BAD_FREE(b);
  b[-16] = saved;
  heap_free(b);
  heap_free(a);
  heap_free(c);
  EXPECT_EQ(heap_stats().free_blocks, 1u);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, CorruptedNeighbourIsFatal) {
  auto* a = static_cast<unsigned char*>(heap_alloc(256));
  auto* b = static_cast<unsigned char*>(heap_alloc(256));
  auto* c = static_cast<unsigned char*>(heap_alloc(256));
  c[-16] ^= 0x10;  // b's right neighbour no longer agrees with b
  EXPECT_NE(panic_message([&] { heap_free(b); }), "<no panic>");
  c[-16] ^= 0x10;
  a[-12] ^= 0x01;  // nor does its left one
  EXPECT_NE(panic_message([&] { heap_free(b); }), "<no panic>");
  a[-12] ^= 0x01;
  heap_free(b);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, CorruptedFreeBlockIsFatalOnAlloc) {
  void* a = heap_alloc(256);
  auto* b = static_cast<unsigned char*>(heap_alloc(256));
  void* c = heap_alloc(256);
  heap_free(b);
  b[-16] ^= 0x04;
  EXPECT_NE(panic_message([&] { heap_alloc(16); }).find("corrupted"), std::string::npos);
  b[-16] ^= 0x04;
  EXPECT_EQ(heap_alloc(16), b);
  heap_free(a);
  heap_free(c);
}

TEST_F(HeapTest, FreeWithoutRegionIsFatal) {
  void* p = heap_alloc(64);
  heap_init(nullptr, 0);
  EXPECT_BAD_FREE(p);
  EXPECT_EQ(heap_alloc(64), nullptr);
}

TEST_F(HeapTest, InitTwiceStartsOver) {
  for (int i = 0; i < 10; ++i) heap_alloc(1000);
  heap_alloc(SIZE_MAX);
  heap_init(region_.data(), region_.size());
  HeapStats st = heap_stats();
  EXPECT_EQ(st.allocations + st.frees + st.failures, 0u);
  EXPECT_EQ(st.free, st.total - kOverhead);
  EXPECT_EQ(st.min_free, st.free);
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_EQ(heap_alloc(16), region_.data() + kHeader);  // the first block again
  EXPECT_TRUE(heap_check());
  // Another region altogether.
  Region other(64 * 1024);
  heap_init(other.data(), other.size());
  void* p = heap_alloc(1000);
  EXPECT_TRUE(other.contains(p, 1000));
  EXPECT_BAD_FREE(region_.data() + kHeader);  // belongs to the forgotten heap
  heap_free(p);
  st = heap_stats();
  EXPECT_EQ(st.total, other.size());
  EXPECT_EQ(st.free, st.total - kOverhead);
  EXPECT_TRUE(heap_check());
}

TEST_F(HeapTest, TinyRegionsFailCleanly) {
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t size = 0; size < 64; ++size) {
      unsigned char* base = region_.data() + offset;
      heap_init(base, size);
      const uintptr_t lo = (reinterpret_cast<uintptr_t>(base) + 15) & ~uintptr_t{15};
      const uintptr_t hi = (reinterpret_cast<uintptr_t>(base) + size) & ~uintptr_t{15};
      const bool usable = hi >= lo + 48;  // one 32-byte block + the end marker
      const HeapStats st = heap_stats();
      EXPECT_EQ(st.total, usable ? hi - lo : 0u) << offset << "+" << size;
      EXPECT_EQ(heap_alloc(17), nullptr);
      void* p = heap_alloc(16);
      EXPECT_EQ(p != nullptr, usable) << offset << "+" << size;
      if (p != nullptr) {
        EXPECT_TRUE(region_.contains(p, 16));
        EXPECT_GE(static_cast<unsigned char*>(p), base);
        EXPECT_LE(static_cast<unsigned char*>(p) + 16, base + size);
        EXPECT_EQ(heap_alloc(1), nullptr);
        heap_free(p);
      }
      EXPECT_EQ(heap_stats().failures, 2u);
      EXPECT_TRUE(heap_check());
    }
  }
}

// Random sizes and alignments, checking the heap, every pattern and the
// statistics against a model as it goes.
TEST_F(HeapTest, RandomizedStress) {
  Region big(4 << 20);
  heap_init(big.data(), big.size());
  std::mt19937_64 rng(0x9e7e1);
  std::vector<Block> live;
  uint64_t serial = 0;
  size_t allocations = 0, frees = 0, failures = 0;
  size_t low_water = heap_stats().free;
  auto random_size = [&]() -> size_t {
    switch (rng() % 8) {
      case 0:
        return rng() % 16 + 1;
      case 1:
        return rng() % 65536 + 1;
      case 2:
        return rng() % 200'000 + 1;  // sometimes too big to fit
      default:
        return rng() % 1024 + 1;
    }
  };
  for (int op = 0; op < 200'000; ++op) {
    const bool alloc = live.empty() || (rng() % 100 < (live.size() < 400 ? 55u : 35u));
    if (alloc) {
      const size_t size = random_size();
      const size_t align = (rng() % 4 == 0) ? size_t{1} << (rng() % 13) : 16;
      auto* p = static_cast<unsigned char*>(heap_alloc(size, align));
      if (p == nullptr) {
        ++failures;
      } else {
        ++allocations;
        ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % std::max<size_t>(align, 16), 0u);
        ASSERT_TRUE(big.contains(p, size));
        live.push_back({p, size, align, serial++});
        fill(live.back());
        low_water = std::min(low_water, heap_stats().free);
      }
    } else {
      const size_t i = rng() % live.size();
      ASSERT_TRUE(intact(live[i])) << "op " << op << " serial " << live[i].serial;
      heap_free(live[i].p);
      ++frees;
      live[i] = live.back();
      live.pop_back();
    }
    if (op % 64 == 0) {
      ASSERT_TRUE(heap_check()) << "op " << op;
      const HeapStats st = heap_stats();
      ASSERT_EQ(st.allocations, allocations);
      ASSERT_EQ(st.frees, frees);
      ASSERT_EQ(st.failures, failures);
      ASSERT_EQ(st.min_free, low_water);
      ASSERT_LE(st.largest_free_block, st.free);
      ASSERT_LE(st.free_blocks, live.size() + 1);  // free blocks are never adjacent
      // Used bytes: each live block is its rounded size, a header, and at
      // most one unit of slack.
      const size_t used = st.total - kHeader - st.free - st.free_blocks * kHeader;
      size_t lo = 0;
      for (const Block& b : live) lo += round16(b.size) + kHeader;
      ASSERT_GE(used, lo);
      ASSERT_LE(used, lo + live.size() * 16);
    }
    if (op % 4096 == 0) {
      for (const Block& b : live) ASSERT_TRUE(intact(b)) << "op " << op << " serial " << b.serial;
    }
  }
  EXPECT_GT(failures, 0u);  // exhaustion was exercised too
  for (const Block& b : live) {
    ASSERT_TRUE(intact(b));
    heap_free(b.p);
  }
  const HeapStats st = heap_stats();
  EXPECT_EQ(st.free_blocks, 1u);
  EXPECT_EQ(st.free, st.total - kOverhead);
  EXPECT_EQ(st.allocations, st.frees);
  EXPECT_TRUE(heap_check());
}

}  // namespace

TEST_F(HeapTest, UsableSizeCoversTheRequestAndRejectsNonBlocks) {
  EXPECT_EQ(heap_usable_size(nullptr), 0u);
  for (size_t n : {size_t{1}, size_t{16}, size_t{17}, size_t{100}, size_t{4000}}) {
    void* p = heap_alloc(n, 64);
    ASSERT_NE(p, nullptr);
    const size_t usable = heap_usable_size(p);
    EXPECT_GE(usable, n);
    EXPECT_LT(usable, n + 2 * 16) << n;  // whole units, and a too-small tail stays with it
    EXPECT_TRUE(region_.contains(p, usable));
    heap_free(p);
  }
  void* p = heap_alloc(32);
  ASSERT_NE(p, nullptr);
  EXPECT_NE(panic_message([&] {
              (void)heap_usable_size(static_cast<char*>(p) + 16);
            }).find("is not a live heap block"),
            std::string::npos);
  heap_free(p);
  EXPECT_NE(panic_message([&] { (void)heap_usable_size(p); }).find("is not a live heap block"),
            std::string::npos);
}
