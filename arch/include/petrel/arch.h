// The arch seam: what portable code (kernel/, xen/) may ask of an
// architecture. One set of free functions, implemented once per architecture
// (arch/arm64 today, arch/host for the host port) and chosen at link time.
// Each contract is written beside its declaration.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/context.h"  // ArchContext, per architecture
#include "petrel/board.h"
#include "petrel/result.h"

namespace petrel::arch {

// --- bring-up (called once, in this order, by the platform's boot) ---

// Initializes the GIC the board describes (v2 or v3) for the boot CPU, with
// the MMU still off.
Status gic_init(const BoardInfo& board);

// Builds the page tables for the image, RAM and the board's devices (of the
// GIC, the frames gic_init() found in use) and turns the MMU and caches on.
// Text becomes read-only and executable, everything else execute-never, the
// first page and the stack guard pages unmapped. Returns the first free RAM
// address after the image and the tables the MMU took from RAM.
Result<uintptr_t> mmu_init(const BoardInfo& board);

// --- interrupts ---
using IrqHandler = void (*)(uint32_t intid, void* ctx);
// Installs `handler` for interrupt `intid` (GIC numbering) and unmasks it at
// the GIC. Fails for IDs Petrel cannot route or that already have a handler.
Status irq_register(uint32_t intid, IrqHandler handler, void* ctx);
void irq_unregister(uint32_t intid);
// Masks/unmasks interrupts on this CPU; irq_save/irq_restore nest.
void interrupts_enable();
void interrupts_disable();
bool interrupts_enabled();
// Waits for an interrupt (returns after one was taken, or spuriously).
void wait_for_interrupt();

// --- the per-CPU timer (virtual timer on ARM) ---
void timer_init(const BoardInfo& board);  // takes the interrupt ID, leaves it disarmed
uint64_t timer_frequency();               // counter ticks per second
uint64_t timer_now();                     // monotonic counter, ticks
// timer_now() for bookkeeping that a skew of a few instructions does not
// change (the scheduler's run-time accounting and time slices): the counter
// may be read a little before or after the instructions around the call (on
// ARM, no ISB before the read).
uint64_t timer_now_relaxed();
// Arms the one-shot timer for the absolute counter value `deadline` (in the
// past: fires at once). Replaces any earlier deadline.
void timer_set_deadline(uint64_t deadline);
void timer_cancel();
uint32_t timer_irq();  // interrupt ID the timer raises
// timer_now() when the latest interrupt entered Petrel's interrupt path,
// before the interrupt controller was acknowledged: what splits an
// interrupt's latency into the hypervisor's share (up to here) and
// Petrel's (from here to the woken task). 0 before the first interrupt.
uint64_t irq_entry_time();

// --- task contexts ---
// Prepares `ctx` so that the first context_switch/context_start to it runs
// entry(arg) on the stack [stack_base, stack_base + stack_size), with
// interrupts still masked (the kernel's entry trampoline unmasks them). The
// top tls_reserve() bytes of the stack become the task's thread-local
// storage; stack_size must exceed them.
// `entry` must never return.
void context_init(ArchContext& ctx, void* stack_base, size_t stack_size, void (*entry)(void*),
                  void* arg);
// Saves the caller's state in `from` and resumes `to`. Called with
// interrupts masked; returns (masked) when something switches back to
// `from`. Saves everything the calling convention says survives a call,
// FP/SIMD state included (on ARM lazily, see arch/arm/fpu.cc), and gives
// `to` its thread pointer (each context keeps the one context_init gave it,
// so it is loaded, never saved).
void context_switch(ArchContext& from, ArchContext& to);
// Maps [address, address + size) (page-aligned) 1:1 as Normal, inner
// shareable, read-write, execute-never memory at run time: pages another
// domain or Xen shares with us outside our RAM (the PV console and xenstore
// rings in Xen's "magic" region, later granted pages). Pages already mapped
// that way are accepted as they are; anything else already mapped is an
// error. Guest architectures only (the host port has no MMU).
Status map_shared_memory(uintptr_t address, size_t size);
// The same as Device-nGnRE memory (execute-never): the registers of a
// device given to the guest (a passed-through one), found in its device
// tree at run time.
Status map_device_memory(uintptr_t address, size_t size);

// Stack guard pages (arch::kStackGuardSize bytes, from arch/context.h; 0
// where the architecture has none): unmaps `page` so that touching it
// faults, and maps it back before the memory is reused.
Status stack_guard_install(void* page);
void stack_guard_remove(void* page);

// The context of the code that runs before the scheduler starts and after
// it stops (main): scheduler_start switches from it, scheduler_stop back.
ArchContext& boot_context();

// `ctx` will never run again (its task was deleted): forget any state kept
// for it outside the context itself (the FP/SIMD owner on ARM).
void context_destroy(ArchContext& ctx);

// --- thread-local storage (the C library's errno and other per-task state) ---
// Bytes context_init takes from the top of every task's stack for the task's
// own copy of the image's thread-local variables (0 when the image has none,
// and on the host). The kernel counts them when it checks a stack's size.
size_t tls_reserve();
// Prepares the boot context (main, before and after the scheduler): gives
// it its copy, and on ARM makes it the owner of the FP/SIMD registers, whose
// state at boot is its own (arch/arm/fpu.cc). Called once, first thing at
// boot, before any static constructor.
void boot_context_init();
// Interrupt mask save/restore, nesting.
uint64_t irq_save();
void irq_restore(uint64_t saved);

// --- identification, for banners and reports ---
const char* name();          // "AArch64"
uint64_t cpu_id_register();  // MIDR
int exception_level();

}  // namespace petrel::arch

// irq_save, irq_restore, timer_now(_relaxed) and context_switch: inline where the
// architecture defines them so (ARM), out of line otherwise (the host).
#include "arch/hot.h"
