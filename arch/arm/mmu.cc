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
// The image lies in one 2 MiB window (guest.ld checks), mapped with one
// level-3 table written in one pass: its sections with their permissions,
// the stack guards unmapped, the rest of the window RAM. RAM outside the
// window is mapped with the largest blocks alignment allows (2 MiB, 1 GiB),
// a run of them written with one walk, so the boot's cost hardly grows with
// RAM: 512 MiB takes about 450 instructions more than 16 MiB on AArch64
// (one level-2 table's entries). A task stack's guard page
// needs a 4 KiB entry of its own: stack_guard_install splits the block that
// holds it, once, into a table of the next level built aside and swapped in
// with break-before-make (pte_replace_live: the entry is invalidated, the
// TLBs flushed, then the table installed, all in one assembly sequence that
// touches no memory in between, with interrupts masked). The level-3 and
// level-2 tables for such splits (one per 2 MiB and per 1 GiB of RAM, 0.2%)
// are reserved right after the image and zeroed or filled only when taken;
// the boot's own few tables come from a small static pool that is not part
// of .bss.
#include "arch/cpu.h"
#include "arch/fault_report.h"
#include "arch/gic.h"
#include "arch/mmu_hw.h"
#include "arch/page_table.h"
#include "petrel/arch.h"
#include "petrel/noinit.h"

extern "C" {
extern char __image_start[], __text_end[], __rodata_end[], __noinit_end[];
extern char __exception_stack_guard[], __exception_stack_bottom[], __exception_stack_top[];
extern char __boot_stack_guard[], __boot_stack_bottom[], __boot_stack_top[];
extern char __image_end[];
}

namespace petrel::arch {
namespace {

// The boot's tables: a level-1 root and the level-2 and level-3 tables for
// the image's pages, the interrupt controller (the frames its driver uses,
// gic_frames()), the UART, and the edges of up to two RAM banks: 5 for the
// usual layout, up to 10 for a second bank or RAM ending off a 2 MiB
// boundary. Not zeroed with .bss: the builder zeroes each table it takes.
constexpr size_t kPoolTables = 12;
PETREL_NOINIT(page_tables) PageTable g_pool[kPoolTables];
PageTableBuilder g_builder;

uintptr_t addr(const char* p) {
  return reinterpret_cast<uintptr_t>(p);
}

constexpr uint64_t kWindow = pte::level_size(2);  // what one level-3 table maps

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

// Tables that splitting every block of RAM down to pages would take: one
// level-3 table per 2 MiB and one level-2 table per 1 GiB.
size_t ram_split_tables(const BoardInfo& board) {
  size_t n = 0;
  for (size_t i = 0; i < board.memory_count; ++i) {
    const uint64_t lo = board.memory[i].base, hi = lo + board.memory[i].size;
    if (hi > lo) {
      n += static_cast<size_t>(((hi - 1) >> 21) - (lo >> 21) + 1);
      n += static_cast<size_t>(((hi - 1) >> 30) - (lo >> 30) + 1);
    }
  }
  return n;
}

Status map_device(PageTableBuilder& b, MemRange r) {
  if (r.size == 0) return ok();
  return map_identity(b, page_down(r.base), page_up(r.base + r.size), PageAttrs::device());
}

// The image and the RAM around it in the 2 MiB window that holds both, as
// one level-3 table written in one pass (PageTableBuilder::map_window).
Status map_image_window(PageTableBuilder& b, uint64_t window) {
  const PageTableBuilder::WindowRun runs[] = {
      {window, addr(__image_start), PageAttrs::data()},
      {addr(__image_start), addr(__text_end), PageAttrs::text()},
      {addr(__text_end), addr(__rodata_end), PageAttrs::rodata()},
      {addr(__rodata_end), addr(__noinit_end), PageAttrs::data()},
      {addr(__exception_stack_bottom), addr(__exception_stack_top), PageAttrs::data()},
      {addr(__boot_stack_bottom), addr(__boot_stack_top), PageAttrs::data()},
      {addr(__image_end), window + kWindow, PageAttrs::data()},
  };
  return b.map_window(window, runs, sizeof runs / sizeof runs[0]);
}

Status build(PageTableBuilder& b, const BoardInfo& board) {
  const uint64_t image_start = addr(__image_start);
  const uint64_t image_end = addr(__image_end);
  Status s = ok();
  auto step = [&s](Status next) {
    if (s) s = next;
  };

  bool image_in_ram = false;
  for (size_t i = 0; i < board.memory_count; ++i) {
    uint64_t lo = page_up(board.memory[i].base);
    uint64_t hi = page_down(board.memory[i].base + board.memory[i].size);
    if (lo == 0) lo = pte::kPageSize;  // never map the first page
    if (!(image_start >= lo && image_end <= hi)) {
      step(map_identity(b, lo, hi, PageAttrs::data()));
      continue;
    }
    image_in_ram = true;
    // The image lies in one 2 MiB window (guest.ld checks), which the RAM
    // must hold: one table for the image and its neighbours, RAM below and
    // above the window in blocks (first: the level-2 table they take is
    // then written once, not zeroed, checked and written).
    const uint64_t window = image_start & ~(kWindow - 1);
    if (lo > window || window + kWindow > hi)
      return Error{Errc::kInvalid, "mmu: guest RAM does not hold the image's 2 MiB window"};
    step(map_identity(b, lo, window, PageAttrs::data()));
    step(map_identity(b, window + kWindow, hi, PageAttrs::data()));
    step(map_image_window(b, window));
  }
  if (!image_in_ram) return Error{Errc::kInvalid, "mmu: the image is not inside guest RAM"};

  const GicFrames gic = gic_frames();
  step(map_device(b, gic.distributor));
  step(map_device(b, gic.cpu));
  if (board.has_vpl011) step(map_device(b, board.vpl011));
  return s;
}

}  // namespace

Result<uintptr_t> mmu_init(const BoardInfo& board) {
  // Tables for later splits, reserved after the image (taken, and written,
  // only when a split needs them).
  auto* reserved = reinterpret_cast<PageTable*>(page_up(addr(__image_end)));
  const size_t reserved_count = ram_split_tables(board);
  const uintptr_t free_start = reinterpret_cast<uintptr_t>(reserved + reserved_count);

  g_builder = PageTableBuilder(g_pool, kPoolTables, kVaBits);
  g_builder.extend(reserved, reserved_count);
  PageTableBuilder& builder = g_builder;
  Status s = build(builder, board);
  if (!s) return s.error();
  if (builder.tables_used() > kPoolTables)
    return Error{Errc::kNoMemory, "mmu: the boot's page-table pool is too small"};

  // The tables were written with the MMU off (non-cacheable); make sure no
  // stale cache line shadows them once the walker reads through the caches.
  dcache_clean_invalidate(addr(reinterpret_cast<const char*>(g_pool)),
                          addr(reinterpret_cast<const char*>(g_pool + builder.tables_used())));
  mmu_hw_enable(reinterpret_cast<uintptr_t>(builder.root()));
  return free_start;
}

namespace {

// Maps [address, address + size) 1:1 with `attrs` at run time; pages
// already mapped so are accepted, anything else already mapped is refused.
Status map_at_run_time(uintptr_t address, size_t size, PageAttrs attrs) {
  if (((address | size) & (pte::kPageSize - 1)) != 0 || size == 0)
    return Error{Errc::kInvalid, "mmu: the range to map is not page aligned"};
  // The builder is shared with stack_guard_install, which a task switched
  // in here could call: interrupts masked while the tables change.
  const uint64_t saved = irq_save();
  Status s = ok();
  for (uintptr_t p = address; s && p - address < size; p += pte::kPageSize) {
    auto t = g_builder.translate(p);
    if (t) {
      if (t->pa != p || !(t->attrs == attrs))
        s = Error{Errc::kBusy, "mmu: address already mapped differently"};
      continue;  // mapped so already (RAM, for shared memory)
    }
    // New entries (and any new table, zeroed in the pool) are written with
    // plain stores into memory the walker reads through the caches; a
    // barrier makes them visible before the first access. Nothing valid is
    // replaced, so no TLB entry can be stale.
    s = g_builder.map(p, p, pte::kPageSize, attrs, /*pages_only=*/true);
  }
  dsb_ish();
  isb();
  irq_restore(saved);
  return s;
}

}  // namespace

Status map_shared_memory(uintptr_t address, size_t size) {
  return map_at_run_time(address, size, PageAttrs::data());
}

namespace {
// What map_device_memory() mapped (the first few ranges): the fault report
// names an abort there.
struct RunTimeDevices {
  MemRange ranges[8];
  unsigned count;
};
RunTimeDevices g_run_time_devices;
}  // namespace

bool mapped_as_device(uint64_t address) {
  for (unsigned i = 0; i < g_run_time_devices.count; ++i) {
    const MemRange& r = g_run_time_devices.ranges[i];
    if (address >= r.base && address - r.base < r.size) return true;
  }
  return false;
}

Status map_device_memory(uintptr_t address, size_t size) {
  Status s = map_at_run_time(address, size, PageAttrs::device());
  const uint64_t saved = irq_save();
  if (s && g_run_time_devices.count < 8)
    g_run_time_devices.ranges[g_run_time_devices.count++] = MemRange{address, size};
  irq_restore(saved);
  return s;
}

namespace {

// The level-3 entry of `va`, splitting the blocks above it first (at most
// twice: 1 GiB, then 2 MiB). Interrupts masked: nothing else may touch the
// tables, or run on the memory being remapped, during a swap.
Result<uint64_t*> page_entry_splitting(uintptr_t va) {
  for (;;) {
    if (uint64_t* e = g_builder.page_entry(va)) return e;
    auto split = g_builder.prepare_split(va);
    if (!split) return split.error();
    pte_replace_live(split->entry, split->table_descriptor);
  }
}

}  // namespace

Status stack_guard_install(void* page) {
  const uintptr_t va = reinterpret_cast<uintptr_t>(page);
  const uint64_t saved = irq_save();
  auto e = page_entry_splitting(va);
  Status s = ok();
  if (!e) {
    s = e.error();
  } else if (!pte::is_valid(**e)) {
    s = Error{Errc::kInvalid, "mmu: stack guard page not mapped"};
  } else {
    pte_store(*e, 0);
    tlb_invalidate_page(va);
  }
  irq_restore(saved);
  return s;
}

void stack_guard_remove(void* page) {
  const uintptr_t va = reinterpret_cast<uintptr_t>(page);
  uint64_t* e = g_builder.page_entry(va);
  if (e == nullptr) return;
  pte_store(e, pte::leaf(va, PageAttrs::data(), 3));
  tlb_invalidate_page(va);
}

}  // namespace petrel::arch
