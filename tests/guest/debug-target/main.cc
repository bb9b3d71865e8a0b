// debug-target: tasks in known states for `petrel debug`'s system tests
// (tests/system/gdb/*.gdb). The worker, the lowest task, holds g_mutex and
// passes debug_checkpoint three times (a tick's delay after each); by the
// second time every other task is blocked, each on a kind of its own:
//   waiter    in wait_for_go, on the semaphore g_go (no timeout)
//   sleeper   in a 2 s delay (long enough that a loaded host cannot end it
//             before the worker's last checkpoint)
//   flagger   on the event group g_events (no timeout)
//   locker    on g_mutex (no timeout), which raises the worker to its
//             priority (4) by inheritance
//   reader    receiving from the empty queue g_queue (no timeout)
//   listener  on its notification 0, with a 5 s timeout
// Then the worker releases each of them; every task ends and the app exits
// 0 if each got what it waited for. Without a debugger it runs the same way.
#include <petrel/console.h>
#include <petrel/kernel/event_group.h>
#include <petrel/kernel/mutex.h>
#include <petrel/kernel/notify.h>
#include <petrel/kernel/queue.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>

namespace {

using namespace petrel;

kernel::Semaphore g_go;
kernel::Semaphore g_held;  // the worker holds g_mutex: the locker may try it
kernel::Mutex g_mutex;
kernel::EventGroup g_events;
kernel::Queue g_queue;
uint32_t g_queue_buffer[4];
kernel::Task* g_listener = nullptr;
volatile int g_rounds = 0;
volatile int g_released = 0;  // tasks that got what they waited for

// Where the test stops the worker; not inlined, so it has a place of its own.
[[gnu::noinline]] void debug_checkpoint(int round) {
  g_rounds = round;
  asm volatile("" ::: "memory");
}

// The frame `petrel bt waiter` must show: not inlined into its caller.
[[gnu::noinline]] bool wait_for_go() {
  return semaphore_take(&g_go, kernel::kForever).ok();
}

void released(const char* what, bool ok) {
  print("debug-target: %s: %s\n", what, ok ? "released" : "FAILED");
  if (ok) g_released = g_released + 1;
}

void waiter(void*) {
  released("waiter", wait_for_go());
}

void sleeper(void*) {
  kernel::task_delay(kernel::Ticks{2000});
}

void flagger(void*) {
  released("flagger",
           kernel::event_group_wait_bits(&g_events, 1, 0, kernel::kForever).value_or(0) == 1);
}

void locker(void*) {
  if (!semaphore_take(&g_held, kernel::kForever).ok()) return;
  const bool ok = kernel::mutex_lock(&g_mutex, kernel::kForever).ok();
  released("locker", ok && kernel::mutex_unlock(&g_mutex).ok());
}

void reader(void*) {
  uint32_t item = 0;
  released("reader", kernel::queue_receive(&g_queue, &item, kernel::kForever).ok() && item == 42);
}

void listener(void*) {
  released("listener", kernel::notify_take(0, true, kernel::Ticks{5000}).value_or(0) == 1);
}

void worker(void*) {
  if (!kernel::mutex_lock(&g_mutex, kernel::kNoWait).ok()) return;
  if (!semaphore_give(&g_held).ok()) return;
  for (int i = 1; i <= 3; ++i) {
    debug_checkpoint(i);
    kernel::task_delay(kernel::Ticks{1});
  }
  const uint32_t item = 42;
  if (!kernel::mutex_unlock(&g_mutex).ok() ||
      !kernel::queue_send_back(&g_queue, &item, kernel::kNoWait).ok() ||
      !kernel::notify_give(g_listener, 0).ok() ||
      !kernel::event_group_set_bits(&g_events, 1).ok() || !semaphore_give(&g_go).ok())
    print("debug-target: worker: a release failed\n");
}

}  // namespace

extern "C" int main() {
  if (!kernel::semaphore_create_static(&g_go, 1, 0) ||
      !kernel::semaphore_create_static(&g_held, 1, 0) || !kernel::mutex_init(&g_mutex).ok() ||
      !kernel::event_group_init(&g_events).ok() ||
      !kernel::queue_create_static(&g_queue, g_queue_buffer, 4, sizeof(uint32_t)))
    return 3;
  // Every task outranks the worker, so each is blocked before it first runs
  // (the locker on g_held until the worker holds g_mutex).
  const kernel::TaskConfig tasks[] = {
      {"waiter", 3, 4096, waiter, nullptr},   {"sleeper", 2, 4096, sleeper, nullptr},
      {"flagger", 2, 4096, flagger, nullptr}, {"locker", 4, 4096, locker, nullptr},
      {"reader", 5, 4096, reader, nullptr},   {"listener", 6, 4096, listener, nullptr},
      {"worker", 1, 4096, worker, nullptr},
  };
  for (const auto& c : tasks) {
    auto t = kernel::task_create(c);
    if (!t) return 3;
    if (c.entry == listener) g_listener = *t;
  }
  kernel::scheduler_start();
  print("debug-target: done after %d rounds, %d tasks released\n", static_cast<int>(g_rounds),
        static_cast<int>(g_released));
  return g_rounds == 3 && g_released == 5 ? 0 : 1;
}
