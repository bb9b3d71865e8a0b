// Stopping a task after a fault (kernel/src/task_fault.cc), run on the host
// port and inside a guest. A task calls task_fault_begin as the ARM fault
// handlers do for it, and task_fault_end as it would resume after one; the
// real faults are shown by the system tests (tests/guest/faults).
#include "ktest.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/mutex.h"
#include "petrel/kernel/soft_timer.h"
#include "petrel/string.h"

using namespace petrel::kernel;
using petrel::ktest::Log;
using petrel::ktest::spawn;

namespace {

Log* g_log = nullptr;

// Installs a task_fault hook that notes the stopped task's name in `log`.
void log_task_faults(Log* log) {
  g_log = log;
  KernelHooks hooks;
  hooks.task_fault = [](Task* task) { g_log->note(task_name(task)); };
  set_hooks(hooks);
}

bool same(const char* a, const char* b) {
  return a != nullptr && b != nullptr && petrel::str::compare_strings(a, b) == 0;
}

}  // namespace

KTEST(TaskFault, TheTaskStopsAloneItsMutexAndMemoryGoBack) {
  Log log;
  log_task_faults(&log);
  const size_t free_before = heap_stats().free;
  Mutex* m = *mutex_create();
  auto bad = [&] {
    KCHECK(mutex_lock(m, kNoWait).ok());
    const char* why = "unset";
    KCHECK(task_fault_begin(false, &why) == task_current());
    KCHECK(why == nullptr);
    log.note("stopping");
    task_fault_end();
  };
  auto good = [&] {
    KCHECK(mutex_lock(m, Ticks{10}).ok());  // given up with the stopped task
    KCHECK(task_find("bad") == nullptr);
    log.note("good");
    KCHECK(mutex_unlock(m).ok());
  };
  spawn("bad", 3, &bad);
  spawn("good", 2, &good);
  KCHECK(scheduler_start() == StopReason::kNoTasks);
  KCHECK_LOG(log, "stopping bad good");
  KCHECK(mutex_delete(m).ok());
  kernel_reset();  // the stopped task's stack is freed with the terminated ones
  KCHECK_EQ(heap_stats().free, free_before);
}

KTEST(TaskFault, RefusedWhereTheKernelsStateCannotBeTrusted) {
  auto t = [&] {
    const char* why = nullptr;
    {
      CriticalSection cs;
      KCHECK(task_fault_begin(false, &why) == nullptr);
      KCHECK(same(why, "the task was in a critical section"));
    }
    scheduler_lock();
    KCHECK(task_fault_begin(false, &why) == nullptr);
    KCHECK(same(why, "the task held the scheduler lock"));
    scheduler_unlock();
    KCHECK(task_fault_begin(true, &why) == nullptr);
    KCHECK(same(why, "interrupts were masked (a critical region)"));
    // The last application task, with no hook: the domain must not end as
    // if the application had finished well.
    KCHECK(task_fault_begin(false, &why) == nullptr);
    KCHECK(same(why, "it is the last application task (and no task_fault hook is installed)"));
    KernelHooks hooks;
    hooks.task_fault = [](Task*) {};
    set_hooks(hooks);
    KCHECK(task_fault_begin(false, &why) == task_current());  // now it may
    KCHECK(task_fault_begin(false, &why) == nullptr);         // but not twice
    KCHECK(same(why, "the task faulted again while being stopped"));
  };
  spawn("t", 2, &t);
  scheduler_start();
}

KTEST(TaskFault, RefusedInTheKernelsOwnTasksAndOutsideTasks) {
  const char* why = "unset";
  KCHECK(task_fault_begin(false, &why) == nullptr);  // the scheduler is not running
  KCHECK(why == nullptr);
  // Timer callbacks run in the kernel's timer-service task.
  static const char* s_why;
  static Task* s_got;
  auto callback = [](SoftTimer*) { s_got = task_fault_begin(false, &s_why); };
  s_why = nullptr;
  s_got = task_current();
  SoftTimer* timer =
      *soft_timer_create(TimerConfig{"probe", Ticks{1}, TimerMode::kOneShot, callback, nullptr});
  auto t = [&] {
    KCHECK(soft_timer_start(timer, kNoWait).ok());
    task_delay(Ticks{5});
    KCHECK(soft_timer_delete(timer, kNoWait).ok());
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(s_got == nullptr);
  KCHECK(same(s_why, "the task is one of the kernel's own"));
}

KTEST(TaskFault, AStoppedTaskWhoseStackOverflowedCanBeSwitchedAwayFrom) {
  // An overflow breaks the canary at the bottom of the stack, which every
  // switch checks for the task it leaves; the stopped task runs on from the
  // top of its stack, so the kernel restores the canary.
  Log log;
  log_task_faults(&log);
  auto high = [&] { log.note("high"); };
  auto bad = [&] {
    task_current()->stack_base[0] ^= 0xff;  // as an overflow would
    const char* why = nullptr;
    KCHECK(task_fault_begin(false, &why) == task_current());
    spawn("high", 5, &high);  // a switch away from the stopped task
    log.note("back");
    task_fault_end();
  };
  auto other = [&] { log.note("other"); };
  spawn("bad", 3, &bad);
  spawn("other", 2, &other);
  KCHECK(scheduler_start() == StopReason::kNoTasks);
  KCHECK_LOG(log, "high back bad other");
}
