// What the loads share: operation counters, failures, workers, stack use.
#include <arch/cpu.h>
#include <petrel/arch.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/kernel/config.h>
#include <petrel/kernel/heap.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <stdarg.h>

#include "control.h"
#include "soak.h"

namespace soak {

using namespace petrel;
using namespace petrel::kernel;

namespace {

uint64_t g_ops[static_cast<size_t>(Op::kCount)];
uint64_t g_failures;

constexpr const char* kOpNames[] = {"queue",  "semaphore", "mutex", "event_group", "notify",
                                    "stream", "message",   "timer", "task",        "heap",
                                    "irq",    "evtchn",    "vchan"};
static_assert(sizeof kOpNames / sizeof kOpNames[0] == static_cast<size_t>(Op::kCount));

// Workers of the current epoch: started by spawn(), each gives `g_done`
// when it returns.
Semaphore g_done;
unsigned g_started;
unsigned g_returned;
volatile bool g_stopping;

StackUse g_worst_stack;

struct Worker {
  void (*body)(void*);
  void* arg;
};

void worker_main(void* arg) {
  const Worker w = *static_cast<Worker*>(arg);
  heap_free(arg);
  w.body(w.arg);
  const Task* self = task_current();
  auto info = task_info(self, true);
  if (info) note_stack(info->name, info->stack_size - info->stack_unused, info->stack_size);
  {
    CriticalSection cs;
    ++g_returned;
  }
  (void)semaphore_give(&g_done);
  task_delete(nullptr);
}

}  // namespace

void count(Op op, uint64_t n) {
  __atomic_fetch_add(&g_ops[static_cast<size_t>(op)], n, __ATOMIC_RELAXED);
}

uint64_t ops(Op op) {
  return __atomic_load_n(&g_ops[static_cast<size_t>(op)], __ATOMIC_RELAXED);
}

const char* op_name(Op op) {
  return kOpNames[static_cast<size_t>(op)];
}

void fail(const char* fmt, ...) {
  __atomic_fetch_add(&g_failures, 1, __ATOMIC_RELAXED);
  if (failures() > 20) return;  // the first ones say enough
  ConsoleLock lock;
  print("soak: FAILED: ");
  va_list ap;
  va_start(ap, fmt);
  vprint(fmt, ap);
  va_end(ap);
  print("\n");
}

uint64_t failures() {
  return __atomic_load_n(&g_failures, __ATOMIC_RELAXED);
}

bool stopping() {
  return g_stopping;
}

Task* spawn(const char* name, Priority priority, size_t stack_size, void (*body)(void* arg),
            void* arg) {
  auto* w = static_cast<Worker*>(heap_alloc(sizeof(Worker)));
  if (w == nullptr) {
    fail("worker %s: heap exhausted", name);
    return nullptr;
  }
  *w = Worker{body, arg};
  auto t = task_create(TaskConfig{name, priority, stack_size, worker_main, w});
  if (!t) {
    heap_free(w);
    fail("worker %s: %s", name, t.error().message);
    return nullptr;
  }
  ++g_started;
  count(Op::kTask);
  return *t;
}

uint64_t counter_per_tick() {
  return arch::timer_frequency() / config::kTickRateHz;
}

void busy_ns(uint64_t ns) {
  const uint64_t until = arch::timer_now() + ns * arch::timer_frequency() / 1'000'000'000u;
  while (arch::timer_now() < until) {
  }
}

void note_stack(const char* name, size_t used, size_t size) {
  // Every task keeps at least an eighth of its stack, and 512 bytes, unused.
  const size_t margin = size / 8 > 512 ? size / 8 : 512;
  if (size - used < margin)
    fail("stack of task '%s': %zu of %zu bytes used, less than %zu left", name, used, size, margin);
  CriticalSection cs;
  // Worst by share of the stack used.
  if (g_worst_stack.size == 0 || used * g_worst_stack.size > g_worst_stack.used * size) {
    g_worst_stack.used = used;
    g_worst_stack.size = size;
    size_t i = 0;
    for (; name[i] != '\0' && i + 1 < sizeof g_worst_stack.name; ++i)
      g_worst_stack.name[i] = name[i];
    g_worst_stack.name[i] = '\0';
  }
}

void workers_begin() {
  if (g_done.max_count == 0) (void)semaphore_create_static(&g_done, 1000000, 0);
  g_started = 0;
  g_returned = 0;
  g_stopping = false;
}

void workers_stop() {
  g_stopping = true;
}

bool workers_wait(Ticks timeout) {
  const Deadline deadline = Deadline::after(timeout);
  for (unsigned i = 0; i < g_started; ++i) {
    if (!semaphore_take(&g_done, deadline.remaining())) {
      fail("%u of %u workers did not return within %llu ticks of the epoch's end",
           g_started - g_returned, g_started, static_cast<unsigned long long>(timeout.count));
      return false;
    }
  }
  g_stopping = false;
  return true;
}

unsigned workers_started() {
  return g_started;
}

StackUse worst_stack() {
  CriticalSection cs;
  return g_worst_stack;
}

}  // namespace soak
