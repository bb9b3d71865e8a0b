// soak: a seeded pseudo-random mixed load for hours of virtual time
// (`./petrel soak`, docs/reliability.md "Soak"). What the parts share.
//
// The run is a sequence of epochs. In each one every load (a file of its
// own: queues, synchronization, buffers, timers, churn, interrupts) creates
// its objects and worker tasks from the heap with parameters drawn from the
// epoch's seed, the workers run until the epoch ends, and the controller
// (main.cc) then stops and waits for every worker, lets each load check what
// passed through its objects and delete them, and checks that the heap is
// back to its starting value. The deadline task, the drift timer and the
// interrupt source live through the whole run (realtime.cc).
#pragma once

#include <petrel/kernel/task.h>
#include <petrel/kernel/ticks.h>
#include <stddef.h>
#include <stdint.h>

namespace soak {

using petrel::kernel::Priority;
using petrel::kernel::Ticks;

// splitmix64: small, fast, and every seed gives a full-period sequence.
class Rng {
 public:
  explicit constexpr Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, n) for n far below 2^32.
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((next() >> 32) % n); }
  // In [lo, hi].
  uint32_t between(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); }
  bool one_in(uint32_t n) { return below(n) == 0; }

 private:
  uint64_t state_;
};

// A seed passed as a task's argument (its low bits where pointers are 32).
inline void* seed_arg(Rng& rng) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>(rng.next()));
}
inline uint64_t seed_of(void* arg) {
  return reinterpret_cast<uintptr_t>(arg);
}

// Operations counted per primitive, for the summary line.
enum class Op : uint8_t {
  kQueue,       // items sent (task or interrupt)
  kSemaphore,   // takes and gives
  kMutex,       // locks
  kEventGroup,  // sets, waits and syncs
  kNotify,      // notifications given
  kStream,      // stream buffer sends
  kMessage,     // message buffer sends
  kTimer,       // soft timer callbacks and commands
  kTask,        // tasks created
  kHeap,        // heap blocks allocated
  kIrq,         // interrupts taken from the load's own source
  kEvtchn,      // event channel round trips
  kVchan,       // vchan round trips (with dom0)
  kCount,
};
void count(Op op, uint64_t n = 1);  // any context
uint64_t ops(Op op);
const char* op_name(Op op);

// A check that did not hold: printed at once ("soak: FAILED: ..."), counted,
// and the run goes on so that the summary still comes. Any context.
void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t failures();

// Whether the current epoch is ending: workers return when they see it.
bool stopping();

// Starts a worker of the current epoch (heap task). The controller waits for
// every worker to return before the loads' end(); a worker's stack
// high-water mark is taken when it returns. nullptr (after a failure) if it
// could not be created.
petrel::kernel::Task* spawn(const char* name, Priority priority, size_t stack_size,
                            void (*body)(void* arg), void* arg);

// Counter ticks per kernel tick, and a short busy stretch of about `ns`.
uint64_t counter_per_tick();
void busy_ns(uint64_t ns);

// Stack use measured for a task (worker or system), for the summary; fails
// when less than a margin is left.
void note_stack(const char* name, size_t used, size_t size);

// One load: created at each epoch's start, checked and deleted at its end.
struct Load {
  const char* name;
  void (*begin)(Rng& rng);  // objects and workers (controller task)
  void (*end)();            // every worker has returned: check, delete
  // Called by the interrupt source while the epoch runs (nullptr: none).
  void (*from_isr)(Rng& rng);
};
// The loads of each file.
extern const Load kQueueLoad, kSemaphoreLoad, kMutexLoad, kEventLoad, kNotifyLoad, kStreamLoad,
    kMessageLoad, kTimerLoad, kChurnLoad, kEvtchnLoad, kCrunchLoad, kVchanLoad;

// Priorities (0 is idle; the kernel has 32).
inline constexpr Priority kDeadlinePriority = 30;
inline constexpr Priority kTimerServicePriority = 29;
inline constexpr Priority kControllerPriority = 28;
inline constexpr Priority kIsrConsumerPriority = 24;

}  // namespace soak
