// Mutexes: normal and recursive, owned by a task, with priority
// inheritance (chains included) and deadlock detection.
//
// A mutex has at most one owner, the task that locked it. Tasks that find it
// held wait in priority order (FIFO among equals). Unlocking hands the mutex
// straight to the first waiter, which owns it when it runs: no other task can
// take it in between.
//
// Priority inheritance: a task's effective priority (task_priority) is the
// maximum of its base priority (task_set_priority) and the effective
// priority of the first waiter of every mutex it holds. It is transitive: if
// A waits for M1 held by B and B waits for M2 held by C, C runs at least at
// A's priority. The boost is removed, along the whole chain, as soon as its
// reason goes away: an unlock, a waiter's time-out or abort (when that
// waiter's call returns), a waiter's deletion or priority change, the
// deletion of the mutex. Chains are followed for at most kMutexMaxChain
// links.
//
// A lock that would close a cycle of owners and waiters (a deadlock) fails at
// once instead of waiting forever.
//
// Errors (petrel::Status):
//   Errc::kBusy       "mutex: held by another task" (try_lock, kNoWait)
//   Errc::kTimeout    "mutex: timed out" after a real wait
//   Errc::kTimeout    "mutex: wait aborted" (task_abort_delay, or the waiting
//                     task was suspended)
//   Errc::kNotFound   "mutex: deleted while waiting"
//   Errc::kInvalid    "mutex: deadlock" (the lock would close a cycle)
//   Errc::kInvalid    "mutex: deadlock (already held by the caller, not
//                     recursive)"
//   Errc::kPermission "mutex: unlocked by a task that does not hold it"
//   Errc::kInvalid    "mutex: cannot be used in interrupt context"
//   Errc::kInvalid    "mutex: not initialized or deleted", "mutex: no task
//                     (the scheduler is not running)", "mutex: cannot block
//                     with the scheduler locked", "mutex: invalid type"
//   Errc::kOutOfRange "mutex: recursion count overflow"
//   Errc::kNoMemory   "mutex: heap exhausted"
#pragma once

#include <stdint.h>

#include "petrel/kernel/task.h"
#include "petrel/kernel/ticks.h"
#include "petrel/kernel/wait_queue.h"
#include "petrel/result.h"

namespace petrel::kernel {

enum class MutexType : uint8_t {
  kNone,       // not initialized, or deleted
  kNormal,     // locking it again while holding it is a deadlock error
  kRecursive,  // the owner may lock it again; unlock as many times
};

// Owner links followed by inheritance and deadlock detection. A longer
// chain is not boosted beyond this depth, and a cycle longer than this is
// not detected.
inline constexpr unsigned kMutexMaxChain = 32;

// The owner hook every mutex installs on its wait queue (priority
// inheritance; mutex.cc). Kernel-internal. (clang-tidy's
// dynamic-static-initializers check misfires on extern declarations under the
// guests' -fno-threadsafe-statics: llvm-project #145680.)
extern const WaitQueueOwner kMutexOwner;  // NOLINT(bugprone-dynamic-static-initializers)

// The mutex's control block; its fields belong to the kernel. Constant-
// initialized, so it can live in static storage: `constinit Mutex m{
// MutexType::kNormal};` is ready to use, as is one set up by mutex_init. A
// default-constructed one reports "mutex: not initialized or deleted".
struct Mutex {
  constexpr Mutex() = default;
  constexpr explicit Mutex(MutexType t) : type(t) {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  OwnedWaitQueue waiters{&kMutexOwner};  // tasks blocked in mutex_lock
  Task* owner = nullptr;                 // nullptr: free
  Mutex* next_held = nullptr;            // the owner's Task::held_mutexes list
  uint32_t count = 0;                    // lock depth of the owner (1 unless recursive)
  MutexType type = MutexType::kNone;
  bool dynamic = false;                      // from the kernel heap
  WakeRule wake_rule = WakeRule::kHandOver;  // wait_queue.h
};

// Chooses the wake rule (wait_queue.h) of a mutex nobody uses yet; call it
// right after creating it. With kWakeAndRetry an unlock frees the mutex and
// wakes the first waiter, which takes it when it runs if it is still free
// (the unlocking task, or any other, may take it first); priority
// inheritance works as with kHandOver: whoever owns the mutex inherits from
// the tasks still waiting.
void mutex_set_wake_rule(Mutex* m, WakeRule rule);

// From the kernel heap. Errors: kInvalid (type kNone), kNoMemory.
Result<Mutex*> mutex_create(MutexType type = MutexType::kNormal);
// In caller memory, no heap. The mutex must not be in use.
Status mutex_init(Mutex* m, MutexType type = MutexType::kNormal);
// Tasks waiting for it wake and fail with kNotFound "mutex: deleted while
// waiting". A held mutex may be deleted: it is taken from its owner, whose
// inherited priority is recomputed, and the owner's later unlock fails
// (static memory: kInvalid "not initialized or deleted"; heap memory: the
// mutex no longer exists, so it must not be used again). Heap mutexes are
// freed; a static one becomes uninitialized. Task context only.
Status mutex_delete(Mutex* m);

// Locks `m`, waiting at most `timeout` (kNoWait: do not wait; kForever). A
// recursive mutex held by the caller is locked once more. While the caller
// waits, the owner (and whatever it waits for in turn) runs at least at the
// caller's priority. Task context only.
Status mutex_lock(Mutex* m, Ticks timeout = kForever);
// mutex_lock(m, kNoWait).
Status mutex_try_lock(Mutex* m);
// Releases one level of the caller's lock; at the last one the mutex goes to
// the first waiter (or becomes free) and the caller's inherited priority is
// recomputed. Task context only.
Status mutex_unlock(Mutex* m);

// The owner (nullptr: free or invalid) and its lock depth (0: free). Any
// context.
Task* mutex_owner(const Mutex* m);
uint32_t mutex_lock_count(const Mutex* m);

}  // namespace petrel::kernel
