// The scheduler's state, shared by the kernel's own .cc files (sched.cc,
// task.cc, wait_queue.cc). Not a public header.
#pragma once

#include "petrel/arch.h"
#include "petrel/divider.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/list.h"
#include "petrel/kernel/task.h"
#include "petrel/kernel/trace.h"

namespace petrel::kernel {

// One FIFO ring per priority and a bitmap of the non-empty ones: finding the
// highest ready priority is one count-leading-zeros, whatever the number of
// tasks.
//
// A level is a circular list without a sentinel: `head_[p]` is its first
// task (the running task stays first while it runs), `head_[p]->prev` its
// last. So the two questions every switch asks are one load each: is a
// level shared (the head's next is not itself), and a time-slice rotation
// of the running task is moving the head one step. The tasks are linked
// through their SchedTag node, as on the delayed and terminated lists.
class ReadyQueues {
 public:
  // Returns the task that was alone on the level before, if one was: `t`
  // made that level shared (time slicing starts there).
  Task* push_back(Task* t) {
    ListLink* n = link(t);
    const Priority p = t->priority;
    ListLink* head = head_[p];
    if (head == nullptr) {
      n->next = n->prev = n;
      head_[p] = n;
      bitmap_ |= 1u << p;
      return nullptr;
    }
    // Through locals: the stores through the links could alias head_[p],
    // so reading it again each time would cost three loads.
    ListLink* last = head->prev;
    n->next = head;
    n->prev = last;
    last->next = n;
    head->prev = n;
    return last == head ? owner(head) : nullptr;
  }
  // `t`, on its level, becomes its first (the running task's place).
  void make_first(Task* t) { head_[t->priority] = link(t); }
  void remove(Task* t) {
    if (link(t)->next == nullptr) return;  // on no level
    remove_queued(t);
  }
  // `t` is on its level (the running task always is).
  void remove_queued(Task* t) {
    ListLink* n = link(t);
    ListLink* next = n->next;
    ListLink*& head = head_[t->priority];
    if (next == n) {
      head = nullptr;
      bitmap_ &= ~(1u << t->priority);
    } else {
      if (head == n) head = next;
      ListLink* prev = n->prev;
      prev->next = next;
      next->prev = prev;
    }
    n->prev = n->next = nullptr;
  }
  Task* highest() const {
    if (bitmap_ == 0) return nullptr;
    return highest_present();
  }
  // The same once the scheduler runs: the idle task is always ready then, so
  // some level is not empty.
  Task* highest_present() const { return owner(head_[31 - __builtin_clz(bitmap_)]); }
  // More than one task ready at `p`: time slicing applies.
  bool shared(Priority p) const {
    const ListLink* head = head_[p];
    return head != nullptr && head->next != head;
  }
  // The same for the level whose first task is `first` (highest()'s answer).
  static bool shared_with_first(const Task* first) {
    const ListLink* n = link(const_cast<Task*>(first));
    return n->next != n;
  }
  // The task after `t` on its level (`t` itself when alone there).
  static Task* next_on_level(const Task* t) { return owner(link(const_cast<Task*>(t))->next); }
  // `t`, first on its level, to the back of it: the ring's last is then the
  // old first.
  void rotate_first(const Task* t) {
    ListLink*& head = head_[t->priority];
    head = head->next;
  }
  void rotate(Task* t) {  // t to the back of its level
    if (head_[t->priority] != link(t)) {
      remove(t);
      push_back(t);
      return;
    }
    rotate_first(t);
  }

 private:
  static ListLink* link(Task* t) { return static_cast<ListNode<SchedTag>*>(t); }
  static Task* owner(ListLink* n) {
    return static_cast<Task*>(static_cast<ListNode<SchedTag>*>(n));
  }

  ListLink* head_[config::kPriorities] = {};
  uint32_t bitmap_ = 0;
};

// Every stack is filled with kStackFillWord when its task is created (for
// the high-water mark); its bottom kCanaryBytes are the canary.
using StackWord [[gnu::may_alias]] = uint64_t;
inline constexpr StackWord kStackFillWord = 0xa5a5a5a5a5a5a5a5ull;

struct KernelState {
  ReadyQueues ready;
  List<Task, SchedTag> delayed;     // sorted by wake_tick
  List<Task, SchedTag> terminated;  // deleted, memory not yet returned
  List<Task, AllTag> all;
  Task* current = nullptr;
  bool running = false;
  // The idle task exists: the scheduler started once; a second start needs
  // kernel_reset() first (its idle task and lists are still in place).
  bool started_once = false;
  bool switch_pending = false;
  uint32_t nesting = 0;  // critical sections of the running task
  uint32_t lock = 0;     // scheduler lock depth
  uint32_t isr_nesting = 0;
  uint32_t app_tasks = 0;  // tasks other than idle and kernel services
  uint32_t next_id = 1;
  uint64_t counter_per_tick = 0;   // 0: not computed yet (counter_per_tick())
  Divider per_tick;                // counter -> ticks without a divide; set with it
  uint64_t max_armable_ticks = 0;  // the largest tick whose counter value fits; set with it
  Ticks armed_tick = kForever;     // the tick the timer is armed for (kForever: off)
  Ticks slice_end;
  // Below this counter value a slice starting now ends at slice_end, and
  // the timer is armed for then or earlier (start_slice in sched.cc).
  uint64_t slice_valid_until = 0;
  Ticks last_tick_hook;     // the last tick the tick hook was called for
  uint64_t started_at = 0;  // counter value at scheduler_start
  // kStackFillWord, read from here by the switch's canary check: one load
  // from the state it already addresses instead of building a 64-bit
  // constant (four instructions on AArch64).
  StackWord canary_word = kStackFillWord;
  StopReason stop_reason = StopReason::kEnded;
  KernelHooks hooks;
};

// Constant-initialized: in .data before any code runs, no constructor.
// (clang-tidy's dynamic-static-initializers check ignores constinit and
// misfires under the guests' -fno-threadsafe-statics: llvm-project #145680.)
extern constinit KernelState g_kernel;  // NOLINT(bugprone-dynamic-static-initializers)

void schedule();

// Leaving the running task's outermost critical section (nesting already 0)
// switches tasks now: one is due, this is task context, the scheduler runs
// and is not locked.
inline bool switch_due(const KernelState& k) {
  return k.switch_pending && k.isr_nesting == 0 && k.lock == 0 && k.running;
}

// The critical section of the kernel's own give and take of semaphores and
// notifications, of resume and of a task's queue send, receive and peek: the
// calls of every round trip between tasks.
// Its exit is inline (out of line, a call, a frame and the saved mask
// through memory cost about 12 instructions each time), and it does not
// count itself in `nesting`: a switch that became due inside it happens at
// its end when no CriticalSection encloses it (nesting 0), as at the end of
// the outermost CriticalSection, so only its exit reads memory, and only
// switch_pending when nothing is due. The rule that makes this safe: its
// body opens no CriticalSection (whose end would see nesting 0 and switch
// in the middle of the operation) but inside a CountedNesting; it calls the
// scheduler's internals (make_ready, wait queues, block_current_until),
// which open none. Elsewhere the out-of-line CriticalSection keeps the
// image small.
class HotCriticalSection {
 public:
  [[gnu::always_inline]] HotCriticalSection() : saved_(arch::irq_save()) {}
  [[gnu::always_inline]] ~HotCriticalSection() {
    KernelState& k = g_kernel;
    if (k.switch_pending && k.nesting == 0 && switch_due(k)) [[unlikely]]
      schedule();
    arch::irq_restore(saved_);
  }
  HotCriticalSection(const HotCriticalSection&) = delete;
  HotCriticalSection& operator=(const HotCriticalSection&) = delete;

 private:
  uint64_t saved_;
};

// Inside a HotCriticalSection, around a call that opens CriticalSections of
// its own (a give to a semaphore in a queue set posts to the set through a
// queue call): the section counts in `nesting` for that long, so their ends
// leave a switch that became due to the HotCriticalSection's end.
class CountedNesting {
 public:
  CountedNesting() { ++g_kernel.nesting; }
  ~CountedNesting() { --g_kernel.nesting; }
  CountedNesting(const CountedNesting&) = delete;
  CountedNesting& operator=(const CountedNesting&) = delete;
};

uint64_t counter_per_tick();
void remove_from_all_lists(Task* t);
void update_timer();
// start_slice's work once per tick: the end of a slice starting at counter
// value `now`, the timer armed for it, and until when that holds.
void slice_start_new(uint64_t now);

// The running task's slice starts at counter value `now` (a level became
// shared, or the switch went to a shared level): it ends at the next tick
// boundary (config::kTimeSliceTicks), and the timer must fire then at the
// latest.
//
// Switches come many to a tick and every slice started in one tick ends at
// the same tick, so the work is done once per tick (slice_start_new). It
// leaves this invariant: while the counter is below slice_valid_until,
// slice_end is the end of a slice starting now, and the timer is armed no
// later than it; update_timer clears slice_valid_until when it arms the timer
// later than slice_end. So a switch inside the same tick tests one word.
[[gnu::always_inline]] inline void start_slice(uint64_t now) {
  if (now >= g_kernel.slice_valid_until) [[unlikely]]
    slice_start_new(now);
}

// make_ready (sched.cc) for a task that is on no delayed list: it joins its
// ready level; if that was the running task's alone, the running task's
// time slice starts (and `t`, of the same priority, does not preempt);
// otherwise a switch is requested when `t` outranks the running task.
// Returns whether it does. Inline for the wake-ups of every round trip
// (wake_waiter); make_ready is the one to call elsewhere.
[[gnu::always_inline]] inline bool ready_undelayed(KernelState& k, Task* t) {
  t->state = TaskState::kReady;
  trace::ready(t);
  const Task* alone = k.ready.push_back(t);
  const Task* cur = k.current;
  if (cur == nullptr) return false;
  if (alone == cur) {
    if (config::kTimeSlicing) start_slice(arch::timer_now_relaxed());
    return false;
  }
  const bool preempt = t->priority > cur->priority;
  if (preempt) k.switch_pending = true;
  return preempt;
}

bool make_ready(Task* t);  // internal/sched.h

// WaitQueue::wake with the common case inline: `t`, first on `queue`, leaves
// it with `reason` and becomes ready (a timed wait goes through make_ready,
// which also takes it off the delayed list). Returns whether it preempts.
[[gnu::always_inline]] inline bool wake_waiter(Task* t, WakeReason reason) {
  List<Task, WaitTag>::remove_linked(t);
  t->wait.queue = nullptr;
  t->wait.reason = reason;
  if (t->delayed) [[unlikely]]
    return make_ready(t);
  return ready_undelayed(g_kernel, t);
}
// The trace point of a call on a queue, semaphore or mutex (trace.h): the
// interrupt nesting (0: task context) as it is, one load.
namespace trace {
[[gnu::always_inline]] inline void op(Kind kind, const void* object_ptr) {
  if constexpr (config::kTrace) record(kind, g_kernel.isr_nesting, 0, object(object_ptr));
}
}  // namespace trace

inline constexpr size_t kCanaryBytes = 32;
inline constexpr size_t kCanaryWords = kCanaryBytes / sizeof(StackWord);
static_assert(kCanaryBytes % 16 == 0 && config::kMinStackSize >= kCanaryBytes);

void fill_stack(Task* t);
// The switch's check, a handful of instructions: the canary's top eight
// bytes, which a stack growing down past its end overwrites first, in one
// load (AArch32: one ldrd) compared with the fill. A write that jumps past
// them lands in the rest of the canary (a margin) or, below a heap stack, in
// its guard page, which faults.
inline bool stack_top_canary_intact(const Task* t) {
  const auto* w = reinterpret_cast<const StackWord*>(t->stack_base + kCanaryBytes) - 1;
  return *w == g_kernel.canary_word;
}
// The canary of `t`, switching out, was found overwritten: the stack-overflow
// hook, then a panic (not for the idle task or a task deleting itself).
[[gnu::cold, gnu::noipa]] void stack_overflowed(Task* t);
void stack_canary_restore(Task* t);  // a faulted task's: its stack's bottom is dead
void release_stack(Task* t);         // a heap task's stack and guard page

}  // namespace petrel::kernel
