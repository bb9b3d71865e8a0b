// The scheduler trace: what the kernel did, and when, for `petrel trace`
// (docs/debugging.md).
//
// Design
// ------
// Trace points in the scheduler, the interrupt path and the primitives
// write fixed 16-byte events into one ring (the guest has one vCPU, so the
// per-CPU ring is the only one): a counter value (arch::timer_now_relaxed,
// the arch counter), a kind, an 8-bit and a 16-bit field, and a 32-bit
// word. At the end of the run exit() drains the ring to the console as
// `@petrel-trace` lines (drain(), below), which the host tool turns
// into a Perfetto trace and a timeline (tools/petrel/trace_events.h).
//
// Cost: a trace point claims its slot with one atomic add (a load- and
// store-exclusive pair on ARM, which an interrupt between the two makes
// retry: exception return clears the exclusive monitor), so it is safe in
// task and interrupt context, interrupts masked or not, with no lock. With
// the counter read, the full test and two stores it is 16 instructions on
// AArch64 (GCC 12, -O2), plus the loads of the fields a trace point records:
// the switch's, the largest, is 20 (docs/debugging.md). The ring keeps the
// first kTraceEvents events of the run; later ones are counted as dropped,
// and the drain says how many. It is zeroed with the rest of .bss at boot
// (128 KiB by default: about 16,000 instructions later to the first task).
//
// Off (the default, PETREL_TRACE=OFF in CMake): every trace point is an
// `if constexpr` on config::kTrace and compiles to nothing; the ring is not
// in the image.
//
// Streaming (take(), below; xen/trace_stream.h sends the events over vchan
// while the guest runs): a reader task hands out the written slots in order
// and zeroes them, and the ring starts again from its first slot once every
// claimed slot was handed out. A slot a task has claimed but not yet
// written (the task was preempted inside its trace point) still reads as
// kind 0, and ends the batch there: a slot is written once its head is. The
// trace point stores the counter before the head and word (a compiler
// barrier); GCC 12 then stores those two with one `stp` (or one 64-bit
// `str`) on AArch64 and the head after the word on AArch32, so a head that
// reads non-zero comes with its word. The language does not promise the
// last part: docs/debugging.md says how to check it. The trace point itself
// does not change.
//
// Order: events are in the order their slots were claimed. A trace point
// interrupted between its counter read and its claim can carry a counter
// value a little earlier than the interrupt's events before it; the host
// tool keeps the ring's order and never lets time go backwards.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/arch.h"
#include "petrel/kernel/config.h"
#include "petrel/kernel/task.h"

namespace petrel::kernel::trace {

// Each kind's fields: `small` (8 bits), `half` (16 bits), `word` (32 bits).
// Task IDs are Task::id (the 16-bit `half` holds its low bits); objects are
// the low 32 bits of their address. The numbers are the drain's format:
// append only.
enum class Kind : uint8_t {
  kNone = 0,           // a slot claimed but not written (the run ended first)
  kTaskCreate = 1,     // small: priority; word: task
  kTaskName = 2,       // small: chunk (0, 1); word: task; the stamp: 8 name bytes
  kTaskDelete = 3,     // word: task
  kSwitch = 4,         // small: the old task's TaskState; half: old task; word: new (0: boot)
  kReady = 5,          // small: priority; word: task
  kBlock = 6,          // small: BlockReason; half: task; word: its wait queue (0: none)
  kPriority = 7,       // small: new priority; half: old priority; word: task
  kIrqEnter = 8,       // word: interrupt ID
  kIrqExit = 9,        // word: interrupt ID
  kEvtchn = 10,        // word: event-channel port, dispatched from the upcall
  kTimerFire = 11,     // the kernel's timer interrupt (wake-ups, slices)
  kQueueSend = 12,     // small: interrupt nesting (0: task context); word: queue
  kQueueReceive = 13,  // the same
  kSemGive = 14,       // the same, a semaphore
  kSemTake = 15,       // the same
  kMutexLock = 16,     // word: mutex (the call; kMutexTake when it is taken)
  kMutexTake = 17,     // half: the new owner; word: mutex
  kMutexUnlock = 18,   // word: mutex (its last unlock: it is given up)
  kMark = 19,          // word: the application's value (mark())
  kCount
};

enum class BlockReason : uint8_t {
  kDelay = 0,  // task_delay, task_delay_until, a notification wait: no object
  kWait = 1,   // on an object's wait queue (the word: the queue's address)
};

struct Event {
  uint64_t stamp;  // arch counter
  uint32_t head;   // kind | small << 8 | half << 16
  uint32_t word;
};
static_assert(sizeof(Event) == 16 && alignof(Event) == 8);

inline constexpr size_t kCapacity = config::kTrace ? config::kTraceEvents : 1;
static_assert((kCapacity & (kCapacity - 1)) == 0, "the trace ring's size is a power of two");
inline constexpr unsigned kCapacityLog2 = __builtin_ctzll(kCapacity);

struct Ring {
  uint32_t claimed;  // slots handed out; above kCapacity: events dropped
  uint32_t dropped;
  Event events[kCapacity];
};
// Constant-initialized, in .bss: only in an image that records events.
extern constinit Ring g_ring;  // NOLINT(bugprone-dynamic-static-initializers)

// The ring is full: counts the event as dropped, and keeps `claimed` from
// ever wrapping round to the start.
[[gnu::cold, gnu::noinline]] void ring_full();

// One event. Any context; interrupts in any state. On AArch64: the counter
// read, the ring's address (2), the claim (4), the full test (3), the
// slot's address (2), the head built (1-3) and two stores.
[[gnu::always_inline]] inline void record(Kind kind, uint32_t small, uint32_t half, uint32_t word) {
  const uint64_t now = arch::timer_now_relaxed();
  // One register for the claim and the slot: left to itself GCC forms the
  // slot's address anew on AArch64 (two instructions more).
  Ring* ring = &g_ring;
  __asm__("" : "+r"(ring));
  const uint32_t i = __atomic_fetch_add(&ring->claimed, 1, __ATOMIC_RELAXED);
  // i >= kCapacity, a power of two: one compare with the shifted index and
  // no constant to build (8192 is no AArch64 compare immediate).
  if ((i >> kCapacityLog2) != 0) [[unlikely]] {
    ring_full();
    return;
  }
  // Plain stores: only this CPU reads the ring, at exit (drain). Through a
  // pointer, not a reference to events[i]: GCC then pairs the stores on
  // AArch32.
  Event* e = ring->events + i;
  e->stamp = now;
  // The head last for a reader (take()): a compiler barrier, no instruction.
  __atomic_signal_fence(__ATOMIC_RELEASE);
  e->head = static_cast<uint32_t>(kind) | small << 8 | half << 16;
  e->word = word;
}

// The trace points. Each is nothing at all unless tracing is configured on:
// they take what the caller already holds (a task, an object, an ID) and
// read the fields they record inside the `if constexpr`, so that with
// tracing off not even an argument is computed.
template <typename T>
[[gnu::always_inline]] inline uint32_t object(const T* p) {
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p));
}
// `prev` stops running (its new state already set), `next` runs.
[[gnu::always_inline]] inline void switched(const Task* prev, const Task* next) {
  if constexpr (config::kTrace)
    record(Kind::kSwitch, static_cast<uint32_t>(prev->state), prev->id & 0xffff, next->id);
}
// The scheduler starts with `first` (a switch from task 0, the boot
// context), or stops in `last` (a switch to 0).
inline void started(const Task* first) {
  if constexpr (config::kTrace) record(Kind::kSwitch, 0, 0, first->id);
}
inline void stopped(const Task* last) {
  if constexpr (config::kTrace)
    record(Kind::kSwitch, static_cast<uint32_t>(last->state), last->id & 0xffff, 0);
}
[[gnu::always_inline]] inline void ready(const Task* t) {
  if constexpr (config::kTrace) record(Kind::kReady, t->priority, 0, t->id);
}
// The running task `t` blocks on `queue` (nullptr: a delay).
[[gnu::always_inline]] inline void blocked(const Task* t, const void* queue) {
  if constexpr (config::kTrace)
    record(Kind::kBlock,
           static_cast<uint32_t>(queue != nullptr ? BlockReason::kWait : BlockReason::kDelay),
           t->id & 0xffff, object(queue));
}
[[gnu::always_inline]] inline void priority_changed(const Task* t, Priority p) {
  if constexpr (config::kTrace) record(Kind::kPriority, p, t->priority, t->id);
}
void task_named(uint32_t id, const char* name);
inline void task_created(const Task* t) {
  if constexpr (config::kTrace) {
    record(Kind::kTaskCreate, t->priority, 0, t->id);
    task_named(t->id, t->name);
  }
}
inline void task_deleted(const Task* t) {
  if constexpr (config::kTrace) record(Kind::kTaskDelete, 0, 0, t->id);
}
[[gnu::always_inline]] inline void interrupt_enter(uint32_t intid) {
  if constexpr (config::kTrace) record(Kind::kIrqEnter, 0, 0, intid);
}
[[gnu::always_inline]] inline void interrupt_exit(uint32_t intid) {
  if constexpr (config::kTrace) record(Kind::kIrqExit, 0, 0, intid);
}
[[gnu::always_inline]] inline void evtchn_upcall(uint32_t port) {
  if constexpr (config::kTrace) record(Kind::kEvtchn, 0, 0, port);
}
[[gnu::always_inline]] inline void timer_fire() {
  if constexpr (config::kTrace) record(Kind::kTimerFire, 0, 0, 0);
}
// An application's own event, with a value of its choosing (a phase, a
// message number): in the timeline on the running task's lane. Any context.
[[gnu::always_inline]] inline void mark(uint32_t value) {
  if constexpr (config::kTrace) record(Kind::kMark, 0, 0, value);
}
// `t` becomes the owner of mutex `m`.
[[gnu::always_inline]] inline void mutex_taken(const void* m, const Task* t) {
  if constexpr (config::kTrace) record(Kind::kMutexTake, 0, t->id & 0xffff, object(m));
}

// A task's name as kTaskName events (task creation, not a hot path).

// Prints the ring (what take() has not handed out) as console lines, the
// format tools/petrel/trace_events.h reads:
//   @petrel-trace begin v=1 freq=HZ events=N dropped=D capacity=C streamed=S
//   @petrel-trace e STAMP HEAD WORD          (N lines, hex: 16, 8, 8 digits)
//   @petrel-trace end events=N
// and stops recording. exit() calls it before the exit marker when tracing
// is on.
void drain();

// Streaming: copies up to `max` events recorded since the last take into
// `out`, in order, stopping at a slot claimed but not yet written; returns
// how many, and in *dropped how many were dropped (the ring full) since the
// last take. Task context (one reader); interrupts on.
size_t take(Event* out, size_t max, uint32_t* dropped);
// Events handed out by take() since boot (the drain's `streamed=`).
uint64_t streamed();

// The stream's lines (tools/petrel/trace_events.h reads them), each with its
// newline, into `buf` (kStreamLineMax bytes at least); each returns the
// line's length:
//   @petrel-trace stream v=1 freq=HZ capacity=C     (once, first)
//   @petrel-trace batch first=F events=N dropped=D  (then N event lines)
//   @petrel-trace e STAMP HEAD WORD
// `first` is the number of events streamed before the batch.
inline constexpr size_t kStreamLineMax = 96;
size_t stream_header(char* buf);
size_t batch_line(char* buf, uint64_t first, size_t events, uint32_t dropped);
size_t event_line(char* buf, const Event& e);

// Empties the ring and starts recording again (host tests; a guest records
// once, from boot to exit).
void reset();

}  // namespace petrel::kernel::trace
