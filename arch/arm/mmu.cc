// The MMU for ARM guests, AArch64 and AArch32 alike: one identity-mapped
// (VA == IPA) address space in the long-descriptor (LPAE) format, which both
// architectures share (AArch32 with TTBCR.EAE = 1). Only turning the MMU on
// is per architecture (arch/*/mmu_hw.cc).
//
// Why identity: Xen passes guest-physical addresses (the device tree, later
// shared pages and rings) and hypercalls take guest virtual addresses; with
// VA == IPA both are the same number and no translation helper can be
// forgotten. Protection still comes from the permissions:
//   - image text: read-only, executable;  rodata: read-only, execute-never;
//   - data, .bss, stacks and the rest of RAM: read-write, execute-never;
//   - the page below each stack: unmapped (a guard: overflow faults);
//   - MMIO from the device tree: Device-nGnRE, execute-never;
//   - everything else, the first page included: unmapped, so a null
//     dereference faults.
// RAM is Normal Write-Back Inner Shareable, which Xen requires for memory it
// shares with the guest. On AArch32 the address space is the low 4 GiB,
// where the whole guest memory map of Xen on ARM lies.
//
// RAM outside the image is mapped with 4 KiB pages only, so that a task
// stack's guard page can be unmapped and mapped again later by changing one
// level-3 entry: no block is ever split at run time (which would need
// break-before-make while the block may hold the running stack). The
// level-3 tables for RAM (one per 2 MiB, 0.2% of RAM) are carved from the
// RAM right after the image; the rest come from a static pool in .bss.
#include "arch/cpu.h"
#include "arch/mmu_hw.h"
#include "arch/page_table.h"
#include "petrel/arch.h"

extern "C" {
extern char __image_start[], __text_end[], __rodata_end[], __bss_end[];
extern char __exception_stack_guard[], __exception_stack_bottom[], __exception_stack_top[];
extern char __boot_stack_guard[], __boot_stack_bottom[], __boot_stack_top[];
extern char __image_end[];
}

namespace petrel::arch {
namespace {

constexpr size_t kPoolTables = 24;
PageTable g_pool[kPoolTables];
PageTableBuilder g_builder;

uintptr_t addr(const char* p) {
  return reinterpret_cast<uintptr_t>(p);
}

uint64_t page_down(uint64_t v) {
  return v & ~(pte::kPageSize - 1);
}
uint64_t page_up(uint64_t v) {
  return (v + pte::kPageSize - 1) & ~(pte::kPageSize - 1);
}

Status map_identity(PageTableBuilder& b, uint64_t start, uint64_t end, PageAttrs attrs) {
  if (end <= start) return ok();
  return b.map(start, start, end - start, attrs);
}

Status map_pages(PageTableBuilder& b, uint64_t start, uint64_t end) {
  if (end <= start) return ok();
  return b.map(start, start, end - start, PageAttrs::data(), /*pages_only=*/true);
}

// Level-3 tables needed to map all RAM with pages.
size_t ram_page_tables(const BoardInfo& board) {
  size_t n = 0;
  for (size_t i = 0; i < board.memory_count; ++i) {
    const uint64_t lo = board.memory[i].base, hi = lo + board.memory[i].size;
    if (hi > lo) n += static_cast<size_t>(((hi - 1) >> 21) - (lo >> 21) + 1);
  }
  return n;
}

Status map_device(PageTableBuilder& b, MemRange r) {
  if (r.size == 0) return ok();
  return map_identity(b, page_down(r.base), page_up(r.base + r.size), PageAttrs::device());
}

Status build(PageTableBuilder& b, const BoardInfo& board) {
  const uint64_t image_start = addr(__image_start);
  const uint64_t image_end = addr(__image_end);
  Status s = ok();
  auto step = [&s](Status next) {
    if (s) s = next;
  };

  step(map_identity(b, image_start, addr(__text_end), PageAttrs::text()));
  step(map_identity(b, addr(__text_end), addr(__rodata_end), PageAttrs::rodata()));
  step(map_identity(b, addr(__rodata_end), page_up(addr(__bss_end)), PageAttrs::data()));
  step(map_identity(b, addr(__exception_stack_bottom), addr(__exception_stack_top),
                    PageAttrs::data()));
  step(map_identity(b, addr(__boot_stack_bottom), addr(__boot_stack_top), PageAttrs::data()));

  bool image_in_ram = false;
  for (size_t i = 0; i < board.memory_count; ++i) {
    uint64_t lo = page_up(board.memory[i].base);
    uint64_t hi = page_down(board.memory[i].base + board.memory[i].size);
    if (lo == 0) lo = pte::kPageSize;  // never map the first page
    if (image_start >= lo && image_end <= hi) {
      image_in_ram = true;
      step(map_pages(b, lo, image_start));
      step(map_pages(b, image_end, hi));
    } else {
      step(map_pages(b, lo, hi));
    }
  }
  if (!image_in_ram) return Error{Errc::kInvalid, "mmu: the image is not inside guest RAM"};

  step(map_device(b, board.gicd));
  step(map_device(b, board.gicc));
  step(map_device(b, board.gicr));
  if (board.has_vpl011) step(map_device(b, board.vpl011));
  return s;
}

}  // namespace

Result<uintptr_t> mmu_init(const BoardInfo& board) {
  // Level-3 tables for RAM, carved after the image and zeroed here.
  auto* carved = reinterpret_cast<PageTable*>(page_up(addr(__image_end)));
  const size_t carved_count = ram_page_tables(board);
  for (size_t i = 0; i < carved_count; ++i)
    for (uint64_t& e : carved[i].entry) e = 0;
  const uintptr_t free_start = reinterpret_cast<uintptr_t>(carved + carved_count);

  g_builder = PageTableBuilder(g_pool, kPoolTables, kVaBits);
  g_builder.extend(carved, carved_count);
  PageTableBuilder& builder = g_builder;
  Status s = build(builder, board);
  if (!s) return s.error();

  // The tables were written with the MMU off (non-cacheable); make sure no
  // stale cache line shadows them once the walker reads through the caches.
  dcache_clean_invalidate(addr(reinterpret_cast<const char*>(g_pool)),
                          addr(reinterpret_cast<const char*>(g_pool + kPoolTables)));
  dcache_clean_invalidate(addr(reinterpret_cast<const char*>(carved)), free_start);
  mmu_hw_enable(reinterpret_cast<uintptr_t>(builder.root()));
  return free_start;
}

Status map_shared_memory(uintptr_t address, size_t size) {
  if (((address | size) & (pte::kPageSize - 1)) != 0 || size == 0)
    return Error{Errc::kInvalid, "mmu: shared memory range is not page aligned"};
  for (uintptr_t p = address; p - address < size; p += pte::kPageSize) {
    auto t = g_builder.translate(p);
    if (t) {
      if (t->pa != p || !(t->attrs == PageAttrs::data()))
        return Error{Errc::kBusy, "mmu: address already mapped differently"};
      continue;  // RAM: already mapped read-write
    }
    // New entries (and any new table, zeroed in the pool) are written with
    // plain stores into memory the walker reads through the caches; a
    // barrier makes them visible before the first access. Nothing valid is
    // replaced, so no TLB entry can be stale.
    Status s = g_builder.map(p, p, pte::kPageSize, PageAttrs::data(), /*pages_only=*/true);
    if (!s) return s;
  }
  dsb_ish();
  isb();
  return ok();
}

Status stack_guard_install(void* page) {
  uint64_t* e = g_builder.page_entry(reinterpret_cast<uintptr_t>(page));
  if (e == nullptr || !pte::is_valid(*e))
    return Error{Errc::kInvalid, "mmu: stack guard outside page-mapped RAM"};
  pte_store(e, 0);
  tlb_invalidate_page(reinterpret_cast<uintptr_t>(page));
  return ok();
}

void stack_guard_remove(void* page) {
  const uintptr_t va = reinterpret_cast<uintptr_t>(page);
  uint64_t* e = g_builder.page_entry(va);
  if (e == nullptr) return;
  pte_store(e, pte::leaf(va, PageAttrs::data(), 3));
  tlb_invalidate_page(va);
}

}  // namespace petrel::arch
