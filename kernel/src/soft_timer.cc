// Software timers and the timer service task (soft_timer.h).
//
// Design
// ------
// State: a fixed ring of kTimerQueueLength commands with two wait queues
// (the service task waiting for a command, senders waiting for a free
// slot), and the list of active timers sorted by expiry tick (FIFO among
// equal ticks). The ring is shared with tasks and interrupt handlers and is
// only touched with interrupts masked. The active list belongs to the
// service task alone: no other task and no interrupt handler ever walks or
// links it, so it is changed without masking interrupts; the fields other
// contexts read (active, expiry, period, mode, id) are written inside short
// critical sections.
//
// The service task loop: with interrupts masked, look at the first active
// timer and the oldest command; if the timer is due and expired before the
// tick the command was issued at, expire it, else apply the command, else wait
// on the ring with a timeout up to the first expiry (no periodic wake-up).
// Expiring a timer unlinks it and, for a periodic one, re-links it at
// expiry + period before its callback runs (interrupts enabled), so a
// callback may stop, restart or delete its own timer. A late service task
// finds a periodic timer due again and calls it once per missed period.
// Ticks are 64-bit: expiry ticks never wrap, so one sorted list suffices.
//
// Commands issued by the service task itself (from callbacks or pended
// functions) are applied at once instead of queued: the service task must
// never wait for room in its own queue.
//
// The service task is created on first use, or (TimerServiceConfig::
// on_first_use false) only by soft_timer_start_service. Timers and commands
// do not need it to exist: the ring and the timers are module state, and a
// command simply waits in the ring until the task runs. Every creation path
// first forgets a service task left over from a kernel reset (forget_stale),
// so timers made before soft_timer_start_service keep the generation they
// were made with.
//
// Cost: a command send or receive is O(1) with interrupts masked (plus the
// wake-up of one task). Arming a timer is O(active timers) for the sorted
// insert, done by the service task with interrupts enabled. Deleting a heap
// timer frees it in the service task.
#include "petrel/kernel/soft_timer.h"

#include <new>

#include "petrel/exit.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/wait_queue.h"

namespace petrel::kernel {
namespace {

constexpr Error kErrDead{Errc::kInvalid, "soft timer: not initialized or deleted"};
constexpr BlockingErrors kBlocking{
    {Errc::kInvalid, "soft timer: cannot block in interrupt context"},
    {Errc::kInvalid, "soft timer: cannot block with the scheduler locked"}};
constexpr Error kErrFull{Errc::kBusy, "soft timer: command queue full"};
constexpr Error kErrTimedOut{Errc::kTimeout, "soft timer: command queue full (timed out)"};
constexpr Error kErrAborted{Errc::kTimeout, "soft timer: wait aborted"};
constexpr Error kErrPeriod{Errc::kInvalid, "soft timer: period of 0 ticks"};

enum class Op : uint8_t { kStart, kStop, kChangePeriod, kDelete, kPendCall };

struct Command {
  Op op = Op::kStart;
  bool timed = false;  // `time` is valid (false: issued before the scheduler ran)
  SoftTimer* timer = nullptr;
  Ticks time{};    // when it was issued
  Ticks period{};  // kChangePeriod
  PendedFunction fn = nullptr;
  void* arg = nullptr;
  uint32_t value = 0;
};

struct TimerModule {
  Command ring[kTimerQueueLength];
  size_t head = 0;                       // oldest command
  size_t count = 0;                      // commands queued
  WaitQueue service_wait;                // the service task, waiting for a command
  WaitQueue sender_wait;                 // tasks waiting for a free slot
  List<SoftTimer, SoftTimerTag> active;  // the service task's alone
  Task* service = nullptr;
};

constinit TimerModule g;
// Commands that may wait in the ring (soft_timer_set_queue_length); kept
// apart from `g`, which forget_everything() rebuilds.
size_t g_limit = kTimerQueueLength;
// Changes at every module reset, so timers of an earlier kernel are not
// mistaken for live ones. Never 0 (a timer's "not initialized").
uint32_t g_generation = 1;
// Kept apart from `g` like g_limit; soft_timer_reset_module restores it.
TimerServiceConfig g_service_config;

Task g_service_task;
alignas(16) uint8_t g_service_stack[kTimerTaskStackSize];

bool live(const SoftTimer* t) {
  return t != nullptr && t->generation == g_generation;
}

bool in_service_task() {
  return g.service != nullptr && !in_isr() && task_current() == g.service;
}

// --- the active list (service task only) ---

void link_sorted(SoftTimer* t) {
  g.active.insert_sorted(t, [](const SoftTimer* a, const SoftTimer* b) {
    return a->expiry < b->expiry;  // strict: equal expiries stay FIFO
  });
}

void arm(SoftTimer* t, Ticks expiry) {
  List<SoftTimer, SoftTimerTag>::remove(t);  // nothing if dormant
  {
    CriticalSection cs;
    t->expiry = expiry;
    t->active = true;
  }
  link_sorted(t);
}

void disarm(SoftTimer* t) {
  List<SoftTimer, SoftTimerTag>::remove(t);
  CriticalSection cs;
  t->active = false;
}

void set_period(SoftTimer* t, Ticks period) {
  CriticalSection cs;
  t->period = period;
}

// Drops queued commands for `t` (interrupts masked): after a delete they
// would point at freed memory, or at a new timer reusing it.
void purge_commands(const SoftTimer* t) {
  size_t kept = 0;
  for (size_t i = 0; i < g.count; ++i) {
    const Command& c = g.ring[(g.head + i) % kTimerQueueLength];
    if (c.op != Op::kPendCall && c.timer == t) continue;
    g.ring[(g.head + kept) % kTimerQueueLength] = c;
    ++kept;
  }
  if (kept < g.count) g.sender_wait.wake_all();  // room for senders waiting on a full ring
  g.count = kept;
}

void apply(const Command& c) {
  if (c.op == Op::kPendCall) {
    c.fn(c.arg, c.value);
    return;
  }
  SoftTimer* t = c.timer;
  if (!live(t)) return;  // a static timer re-initialized after a reset
  const Ticks issued = c.timed ? c.time : tick_count();
  switch (c.op) {
    case Op::kStart:
      arm(t, issued + t->period);
      break;
    case Op::kStop:
      disarm(t);
      break;
    case Op::kChangePeriod:
      set_period(t, c.period);
      arm(t, issued + c.period);
      break;
    case Op::kDelete: {
      disarm(t);
      bool dynamic;
      {
        CriticalSection cs;
        t->generation = 0;
        dynamic = t->dynamic;
        purge_commands(t);
      }
      if (dynamic) {
        t->~SoftTimer();
        heap_free(t);
      }
      break;
    }
    case Op::kPendCall:
      break;
  }
}

// `t` is the first active timer and due: re-arm or retire it, then call it.
void expire(SoftTimer* t) {
  List<SoftTimer, SoftTimerTag>::remove(t);
  TimerCallback callback;
  bool periodic;
  {
    CriticalSection cs;
    periodic = t->mode == TimerMode::kPeriodic;
    if (periodic) {
      t->expiry = t->expiry + t->period;  // on the grid, however late we are
    } else {
      t->active = false;
    }
    callback = t->callback;
  }
  if (periodic) link_sorted(t);
  callback(t);  // may stop, restart or delete t: t is not touched after this
}

void service_main(void*) {
  if (void (*startup)() = g_service_config.startup; startup != nullptr) startup();
  for (;;) {
    SoftTimer* due = nullptr;
    Command cmd;
    {
      CriticalSection cs;
      const Ticks now = tick_count();
      SoftTimer* first = g.active.front();
      const Command* oldest = g.count > 0 ? &g.ring[g.head] : nullptr;
      // A command issued at the very tick a timer expires goes first (as
      // FreeRTOS's timer task, which handles the commands it finds on
      // waking before it looks for expired timers): a reset from the tick
      // hook or an interrupt at the expiry tick restarts the timer instead
      // of following its callback.
      if (first != nullptr && first->expiry <= now &&
          (oldest == nullptr || !oldest->timed || first->expiry < oldest->time)) {
        due = first;
      } else if (oldest != nullptr) {
        cmd = *oldest;
        g.head = (g.head + 1) % kTimerQueueLength;
        --g.count;
        g.sender_wait.wake_one();
      } else {
        // Until the first expiry itself: a timeout worked out from `now` would
        // end a tick late if the counter passed a tick boundary since. (Only
        // a callback can have broken the blocking rule here.)
        if (scheduler_locked()) panic("a blocking call was made with the scheduler locked");
        (void)g.service_wait.wait_until(first != nullptr ? first->expiry : kForever);
        continue;
      }
    }
    if (due != nullptr) {
      expire(due);
    } else {
      apply(cmd);
    }
  }
}

void forget_everything() {
  g.~TimerModule();
  new (&g) TimerModule();
  if (++g_generation == 0) g_generation = 1;
}

// Interrupts masked. A service task no longer on the kernel's list of
// tasks belongs to a kernel that was reset without soft_timer_reset_module
// (or it was deleted): start over rather than queue commands nobody will
// process.
void forget_stale() {
  if (g.service != nullptr && !List<Task, AllTag>::is_linked(g.service)) forget_everything();
}

// Interrupts masked (the service task runs only once it is marked).
// Creates the service task unless it exists; reports whether it did.
Status create_service(bool* created) {
  if (g.service != nullptr) return ok();
  const TimerServiceConfig& c = g_service_config;
  size_t size =
      c.stack_size < kTimerTaskStackSize ? c.stack_size & ~size_t{15} : kTimerTaskStackSize;
  TaskConfig config{c.name, c.priority, size, service_main, nullptr};
  auto made = task_create_static(config, &g_service_task, g_service_stack, size);
  if (!made && size != kTimerTaskStackSize) {
    config.stack_size = size = kTimerTaskStackSize;  // too small for a task: the whole stack
    made = task_create_static(config, &g_service_task, g_service_stack, size);
  }
  if (!made) return made.error();
  task_mark_system(*made);
  g.service = *made;
  if (created != nullptr) *created = true;
  return ok();
}

// Before a timer is made or a call pended: creates the service task if it
// is made on first use; reports whether it did.
Status ensure_service(bool* created = nullptr) {
  CriticalSection cs;
  forget_stale();
  if (!g_service_config.on_first_use) return ok();
  return create_service(created);
}

// Checks `c` (its timer must be live and not being deleted) and queues it,
// interrupts masked. A delete marks its timer so no command follows it.
Status push(const Command& c) {
  if (c.op != Op::kPendCall && (!live(c.timer) || c.timer->deleting)) return kErrDead;
  if (g.count >= g_limit) return kErrFull;
  g.ring[(g.head + g.count) % kTimerQueueLength] = c;
  ++g.count;
  if (c.op == Op::kDelete) c.timer->deleting = true;
  return ok();
}

Status post(Command c, Ticks wait) {
  if (Status refused = check_wait_context(wait, kBlocking); !refused) return refused;
  const bool self = in_service_task();
  if (self && c.op != Op::kPendCall) {
    // A callback's command: applied now (the service task is the caller).
    {
      CriticalSection cs;
      if (!live(c.timer) || c.timer->deleting) return kErrDead;
      if (c.op == Op::kDelete) c.timer->deleting = true;
    }
    c.timed = true;
    c.time = tick_count();
    apply(c);
    return ok();
  }
  const Deadline deadline = Deadline::after(wait);
  CriticalSection cs;
  c.timed = scheduler_running();
  c.time = tick_count();
  bool waited = false;
  for (;;) {
    Status s = push(c);
    if (s.ok()) {
      g.service_wait.wake_one();
      return s;
    }
    if (s.error().code != Errc::kBusy) return s;
    const Ticks remaining = deadline.remaining();
    if (remaining == kNoWait || self || !scheduler_running() || in_isr())
      return waited ? kErrTimedOut : kErrFull;
    if (Status refused = check_may_block(kBlocking); !refused) return refused;
    const WakeReason reason = g.sender_wait.wait_until(deadline.at());
    waited = true;
    if (reason == WakeReason::kAborted) return kErrAborted;
  }
}

void report_woken(const Task* woken, bool* higher_priority_woken) {
  const Task* current = task_current();
  if (woken != nullptr && higher_priority_woken != nullptr &&
      (current == nullptr || woken->priority > current->priority))
    *higher_priority_woken = true;
}

Status post_from_isr(Command c, bool* higher_priority_woken) {
  CriticalSection cs;
  c.timed = scheduler_running();
  c.time = tick_count();
  Status s = push(c);
  if (!s) return s;
  report_woken(g.service_wait.wake_one(), higher_priority_woken);
  return ok();
}

Command timer_command(Op op, SoftTimer* t, Ticks period = Ticks{}) {
  Command c;
  c.op = op;
  c.timer = t;
  c.period = period;
  return c;
}

Command call_command(PendedFunction fn, void* arg, uint32_t value) {
  Command c;
  c.op = Op::kPendCall;
  c.fn = fn;
  c.arg = arg;
  c.value = value;
  return c;
}

Status check_config(const TimerConfig& c) {
  if (c.callback == nullptr) return Error{Errc::kInvalid, "soft timer: no callback"};
  if (c.period == kNoWait) return kErrPeriod;
  return ok();
}

void fill(SoftTimer* t, const TimerConfig& c, bool dynamic) {
  new (t) SoftTimer();
  t->callback = c.callback;
  t->id = c.id;
  t->period = c.period;
  t->mode = c.mode;
  t->dynamic = dynamic;
  size_t i = 0;
  for (; c.name != nullptr && c.name[i] != '\0' && i + 1 < sizeof t->name; ++i)
    t->name[i] = c.name[i];
  t->name[i] = '\0';
  CriticalSection cs;
  t->generation = g_generation;
}

}  // namespace

Result<SoftTimer*> soft_timer_init(SoftTimer* storage, const TimerConfig& config) {
  if (in_isr()) return Error{Errc::kInvalid, "soft timer: cannot be created in interrupt context"};
  if (storage == nullptr) return Error{Errc::kInvalid, "soft timer: no storage"};
  if (Status s = check_config(config); !s) return s.error();
  {
    CriticalSection cs;
    if (live(storage)) return Error{Errc::kBusy, "soft timer: storage holds a live timer"};
  }
  if (Status s = ensure_service(); !s) return s.error();
  fill(storage, config, false);
  return storage;
}

Result<SoftTimer*> soft_timer_create(const TimerConfig& config) {
  if (in_isr()) return Error{Errc::kInvalid, "soft timer: cannot be created in interrupt context"};
  if (Status s = check_config(config); !s) return s.error();
  if (Status s = ensure_service(); !s) return s.error();
  void* block = heap_alloc(sizeof(SoftTimer), alignof(SoftTimer));
  if (block == nullptr) return Error{Errc::kNoMemory, "soft timer: heap exhausted"};
  auto* t = static_cast<SoftTimer*>(block);
  fill(t, config, true);
  return t;
}

Status soft_timer_start(SoftTimer* t, Ticks wait) {
  return post(timer_command(Op::kStart, t), wait);
}

Status soft_timer_reset(SoftTimer* t, Ticks wait) {
  return post(timer_command(Op::kStart, t), wait);
}

Status soft_timer_stop(SoftTimer* t, Ticks wait) {
  return post(timer_command(Op::kStop, t), wait);
}

Status soft_timer_change_period(SoftTimer* t, Ticks period, Ticks wait) {
  if (period == kNoWait) return kErrPeriod;
  return post(timer_command(Op::kChangePeriod, t, period), wait);
}

Status soft_timer_delete(SoftTimer* t, Ticks wait) {
  return post(timer_command(Op::kDelete, t), wait);
}

Status soft_timer_pend_call(PendedFunction fn, void* arg, uint32_t value, Ticks wait) {
  if (fn == nullptr) return Error{Errc::kInvalid, "soft timer: no function to call"};
  if (Status refused = check_wait_context(wait, kBlocking); !refused) return refused;
  if (Status s = ensure_service(); !s) return s;
  return post(call_command(fn, arg, value), wait);
}

Status soft_timer_start_from_isr(SoftTimer* t, bool* higher_priority_woken) {
  return post_from_isr(timer_command(Op::kStart, t), higher_priority_woken);
}

Status soft_timer_reset_from_isr(SoftTimer* t, bool* higher_priority_woken) {
  return post_from_isr(timer_command(Op::kStart, t), higher_priority_woken);
}

Status soft_timer_stop_from_isr(SoftTimer* t, bool* higher_priority_woken) {
  return post_from_isr(timer_command(Op::kStop, t), higher_priority_woken);
}

Status soft_timer_change_period_from_isr(SoftTimer* t, Ticks period, bool* higher_priority_woken) {
  if (period == kNoWait) return kErrPeriod;
  return post_from_isr(timer_command(Op::kChangePeriod, t, period), higher_priority_woken);
}

Status soft_timer_pend_call_from_isr(PendedFunction fn, void* arg, uint32_t value,
                                     bool* higher_priority_woken) {
  if (fn == nullptr) return Error{Errc::kInvalid, "soft timer: no function to call"};
  CriticalSection cs;
  bool created = false;
  if (Status s = ensure_service(&created); !s) return s;
  // A service task created just now is ready, not waiting: post_from_isr
  // wakes nobody, but it runs first all the same.
  if (created) report_woken(g.service, higher_priority_woken);
  return post_from_isr(call_command(fn, arg, value), higher_priority_woken);
}

bool soft_timer_is_active(const SoftTimer* t) {
  CriticalSection cs;
  return live(t) && t->active;
}

Ticks soft_timer_period(const SoftTimer* t) {
  CriticalSection cs;
  return live(t) ? t->period : Ticks{};
}

Ticks soft_timer_expiry_time(const SoftTimer* t) {
  CriticalSection cs;
  return live(t) ? t->expiry : Ticks{};
}

const char* soft_timer_name(const SoftTimer* t) {
  return live(t) ? t->name : "";
}

void* soft_timer_id(const SoftTimer* t) {
  CriticalSection cs;
  return live(t) ? t->id : nullptr;
}

void soft_timer_set_id(SoftTimer* t, void* id) {
  CriticalSection cs;
  if (live(t)) t->id = id;
}

TimerMode soft_timer_mode(const SoftTimer* t) {
  CriticalSection cs;
  return live(t) ? t->mode : TimerMode::kOneShot;
}

void soft_timer_set_mode(SoftTimer* t, TimerMode mode) {
  CriticalSection cs;
  if (live(t)) t->mode = mode;
}

Task* soft_timer_service_task() {
  CriticalSection cs;
  return g.service;
}

void soft_timer_configure_service(const TimerServiceConfig& config) {
  CriticalSection cs;
  g_service_config = config;
}

Status soft_timer_start_service() {
  if (in_isr()) return Error{Errc::kInvalid, "soft timer: cannot be started in interrupt context"};
  CriticalSection cs;
  forget_stale();
  return create_service(nullptr);
}

void soft_timer_set_queue_length(size_t length) {
  CriticalSection cs;
  g_limit = length < 1 ? 1 : length > kTimerQueueLength ? kTimerQueueLength : length;
}

void soft_timer_reset_module() {
  if (scheduler_running()) panic("soft_timer_reset_module while the scheduler runs");
  forget_everything();
  g_limit = kTimerQueueLength;
  g_service_config = TimerServiceConfig{};
}

}  // namespace petrel::kernel
