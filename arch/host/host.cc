// The host port of the arch seam: contexts on ucontext, simulated time and
// interrupts (petrel/host.h).
#include "petrel/host.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "petrel/arch.h"
#include "petrel/console.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/platform.h"
#include "petrel/time.h"

namespace petrel::arch {
namespace {

struct Route {
  IrqHandler handler = nullptr;
  void* ctx = nullptr;
};

constexpr uint32_t kTimerIrq = 27;
constexpr uint32_t kMaxIrq = 256;

bool g_masked = false;
uint64_t g_now = 0;
uint64_t g_drift_per_read = 0;  // host::set_drift_per_read
bool g_armed = false;
uint64_t g_deadline = 0;
uint64_t g_timer_interrupts = 0;
Route g_routes[kMaxIrq];

void trampoline(unsigned hi, unsigned lo) {
  auto* ctx = reinterpret_cast<ArchContext*>((static_cast<uintptr_t>(hi) << 32) | lo);
  ctx->entry(ctx->arg);
  std::fprintf(stderr, "host port: a task entry returned\n");
  std::abort();
}

uint64_t g_irq_entry_time;

void deliver(uint32_t intid) {
  if (intid >= kMaxIrq || g_routes[intid].handler == nullptr) {
    std::fprintf(stderr, "host port: interrupt %u has no handler\n", intid);
    std::abort();
  }
  const uint64_t saved = irq_save();
  g_irq_entry_time = g_now;
  kernel::isr_enter();
  g_routes[intid].handler(intid, g_routes[intid].ctx);
  kernel::isr_exit();
  // Not irq_restore: a timer still due is taken again by the caller's loop
  // (fire_timer_if_due, with its storm bound), not by nesting here.
  g_masked = saved != 0;
}

// The timer output is level-triggered, as on hardware: while it is armed
// for a time that has come, the interrupt is taken again and again. A
// handler that re-arms it in the past would storm; the bound turns that
// into a clear failure instead of a hang. With interrupts masked it stays
// pending, and is taken when they are unmasked (irq_restore,
// interrupts_enable), as on hardware.
void fire_timer_if_due() {
  for (int storm = 0; !g_masked && g_armed && g_deadline <= g_now; ++storm) {
    if (storm == 100) {
      std::fprintf(stderr, "host port: timer interrupt storm (deadline %lu, now %lu)\n",
                   static_cast<unsigned long>(g_deadline), static_cast<unsigned long>(g_now));
      std::abort();
    }
    ++g_timer_interrupts;
    deliver(kTimerIrq);
  }
}

}  // namespace

void context_init(ArchContext& ctx, void* stack_base, size_t stack_size, void (*entry)(void*),
                  void* arg) {
  ctx.entry = entry;
  ctx.arg = arg;
  getcontext(&ctx.uc);
  ctx.uc.uc_stack.ss_sp = stack_base;
  ctx.uc.uc_stack.ss_size = stack_size;
  ctx.uc.uc_link = nullptr;
  auto p = reinterpret_cast<uintptr_t>(&ctx);
  makecontext(&ctx.uc, reinterpret_cast<void (*)()>(trampoline), 2, static_cast<unsigned>(p >> 32),
              static_cast<unsigned>(p & 0xffffffffu));
}

void context_switch(ArchContext& from, ArchContext& to) {
  if (!g_masked) {
    std::fprintf(stderr, "host port: context switch with interrupts enabled\n");
    std::abort();
  }
  swapcontext(&from.uc, &to.uc);
}

ArchContext& boot_context() {
  static ArchContext boot;
  return boot;
}

void context_destroy(ArchContext&) {}

// Host tasks share the process's one thread, and its C library's TLS.
size_t tls_reserve() {
  return 0;
}
void boot_context_init() {}
Status stack_guard_install(void*) {
  return ok();
}
void stack_guard_remove(void*) {}

uint64_t irq_save() {
  const uint64_t was = g_masked ? 1 : 0;
  g_masked = true;
  return was;
}
void irq_restore(uint64_t saved) {
  g_masked = saved != 0;
  if (!g_masked) fire_timer_if_due();
}
void interrupts_enable() {
  g_masked = false;
  fire_timer_if_due();
}
void interrupts_disable() {
  g_masked = true;
}
bool interrupts_enabled() {
  return !g_masked;
}

// The idle task's wait: jump to the armed deadline and take the timer
// interrupt; with nothing armed nothing can ever happen again.
void wait_for_interrupt() {
  if (!g_armed) {
    kernel::scheduler_stop(kernel::StopReason::kAllTasksBlocked);
    return;
  }
  if (g_deadline > g_now) g_now = g_deadline;
  fire_timer_if_due();
}

uint64_t timer_frequency() {
  return host::kCounterHz;
}
uint64_t irq_entry_time() {
  return g_irq_entry_time;
}
uint64_t timer_now() {
  const uint64_t now = g_now;
  g_now += g_drift_per_read;
  return now;
}
uint64_t timer_now_relaxed() {
  return timer_now();
}
void timer_set_deadline(uint64_t deadline) {
  g_armed = true;
  g_deadline = deadline;
}
void timer_cancel() {
  g_armed = false;
}
uint32_t timer_irq() {
  return kTimerIrq;
}
void timer_init(const BoardInfo&) {
  timer_cancel();
}

Status irq_register(uint32_t intid, IrqHandler handler, void* ctx) {
  if (intid >= kMaxIrq || handler == nullptr)
    return Error{Errc::kOutOfRange, "irq: interrupt ID out of range"};
  if (g_routes[intid].handler != nullptr)
    return Error{Errc::kBusy, "irq: interrupt already has a handler"};
  g_routes[intid] = Route{handler, ctx};
  return ok();
}
void irq_unregister(uint32_t intid) {
  if (intid < kMaxIrq) g_routes[intid] = Route{};
}

const char* name() {
  return "host";
}
uint64_t cpu_id_register() {
  return 0;
}
int exception_level() {
  return 1;
}

}  // namespace petrel::arch

namespace petrel::platform {
namespace {
void (*g_shutdown_hook)() = nullptr;
}  // namespace

void set_shutdown_hook(void (*hook)()) {
  g_shutdown_hook = hook;
}

void prepare_shutdown() {}  // stdout does not drop output

void shutdown(ShutdownReason reason) {
  if (auto* hook = g_shutdown_hook) {
    g_shutdown_hook = nullptr;
    hook();
  }
  std::fflush(stdout);
  if (reason == ShutdownReason::kPoweroff) std::exit(0);
  std::fprintf(stderr, "host port: the kernel crashed (see the message above)\n");
  std::abort();
}

}  // namespace petrel::platform

namespace petrel::host {
namespace {

alignas(64) unsigned char g_heap[16 << 20];

void write_stderr(const char* text, size_t len) {
  std::fwrite(text, 1, len, stderr);
}

}  // namespace

void reset() {
  kernel::kernel_reset();
  arch::g_masked = false;
  arch::g_now = 0;
  arch::g_drift_per_read = 0;
  arch::g_armed = false;
  arch::g_deadline = 0;
  arch::g_timer_interrupts = 0;
  arch::g_irq_entry_time = 0;
  for (auto& r : arch::g_routes) r = arch::Route{};
  kernel::heap_init(g_heap, sizeof g_heap);
  console_set_output(write_stderr, "stderr");
  time_init();
}

uint64_t now() {
  return arch::g_now;
}

void advance(uint64_t counter_ticks) {
  arch::g_now += counter_ticks;
  arch::fire_timer_if_due();
}

void set_drift_per_read(uint64_t counter_ticks) {
  arch::g_drift_per_read = counter_ticks;
}

void raise_interrupt(uint32_t intid) {
  if (arch::g_masked) {
    // Hardware would hold it until they are unmasked; no test needs that.
    std::fprintf(stderr, "host port: interrupt %u raised with interrupts masked\n", intid);
    std::abort();
  }
  arch::deliver(intid);
  arch::fire_timer_if_due();  // one that came due during the handler
}

uint64_t timer_interrupts() {
  return arch::g_timer_interrupts;
}
bool timer_armed() {
  return arch::g_armed;
}
uint64_t timer_deadline() {
  return arch::g_deadline;
}

}  // namespace petrel::host
