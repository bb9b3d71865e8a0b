// soak: semaphores and mutexes.
//
// Semaphores: a counting semaphore guards a pool of K units that several
// tasks take and give back (never more than K holders at once); a binary
// semaphore carries the interrupt source's gives to a task (every give
// accepted is taken, or still pending at the end).
//
// Mutexes: tasks of random priorities increment a shared counter under a
// mutex, yielding in the middle (the counter must equal the locks taken);
// a high-priority task checks priority inheritance: while it waits, the
// holder runs at its priority. Two tasks nest a recursive mutex to a random
// depth.
#include <petrel/kernel/mutex.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel::kernel;

// --- semaphores ---
struct SemaphoreState {
  Semaphore* pool;
  uint32_t units;
  uint32_t holders;  // changed in critical sections
  Semaphore* from_isr;
  uint64_t isr_given;
  uint64_t isr_taken;
} s;

void pool_user(void* arg) {
  Rng rng(seed_of(arg));
  while (!stopping()) {
    if (!semaphore_take(s.pool, Ticks{rng.between(0, 4)})) continue;
    count(Op::kSemaphore);
    {
      CriticalSection cs;
      if (++s.holders > s.units) fail("semaphore: %u holders of %u units", s.holders, s.units);
    }
    if (rng.one_in(2)) task_yield();
    if (rng.one_in(4)) task_delay(Ticks{1});
    {
      CriticalSection cs;
      --s.holders;
    }
    if (!semaphore_give(s.pool)) fail("semaphore: giving a unit back failed");
    count(Op::kSemaphore);
  }
}

void isr_taker(void*) {
  while (!stopping())
    if (semaphore_take(s.from_isr, Ticks{5})) {
      ++s.isr_taken;
      count(Op::kSemaphore);
    }
}

void semaphore_begin(Rng& rng) {
  s = SemaphoreState{};
  s.units = rng.between(1, 4);
  auto pool = semaphore_create_counting(s.units, s.units);
  auto bin = semaphore_create_binary();
  if (!pool || !bin) {
    fail("semaphore: creating failed");
    return;
  }
  s.pool = *pool;
  s.from_isr = *bin;
  const unsigned users = rng.between(2, 6);
  for (unsigned i = 0; i < users; ++i)
    spawn("sem-user", static_cast<Priority>(rng.between(5, 20)), 4096, pool_user, seed_arg(rng));
  spawn("sem-isr", kIsrConsumerPriority, 4096, isr_taker, nullptr);
}

void semaphore_from_isr(Rng&) {
  if (s.from_isr == nullptr) return;
  bool woken = false;
  if (semaphore_give_from_isr(s.from_isr, &woken)) {
    ++s.isr_given;
    count(Op::kSemaphore);
  }
}

void semaphore_end() {
  if (s.pool == nullptr) return;
  if (semaphore_count(s.pool) != s.units)
    fail("semaphore: %u of %u units back in the pool", semaphore_count(s.pool), s.units);
  if (s.isr_given != s.isr_taken + semaphore_count(s.from_isr))
    fail("semaphore: %llu gives from the interrupt, %llu takes, %u pending",
         static_cast<unsigned long long>(s.isr_given), static_cast<unsigned long long>(s.isr_taken),
         semaphore_count(s.from_isr));
  semaphore_delete(s.pool);
  semaphore_delete(s.from_isr);
  s.pool = nullptr;
  s.from_isr = nullptr;
}

// --- mutexes ---
constexpr Priority kHighPriority = 21;

struct MutexState {
  Mutex* mutex;
  Mutex* recursive;
  uint64_t counter;  // guarded by `mutex`
  uint64_t locks;    // changed in critical sections
  volatile bool high_waiting;
} m;

void add_locked(Rng& rng) {
  const uint64_t value = m.counter;
  if (rng.one_in(2)) task_yield();
  if (rng.one_in(8)) busy_ns(rng.between(1000, 20000));
  // The high-priority task waits for us: we run at its priority.
  if (m.high_waiting && task_priority(nullptr) < kHighPriority)
    fail("mutex: the holder runs at priority %u while a task of %u waits", task_priority(nullptr),
         kHighPriority);
  m.counter = value + 1;
  CriticalSection cs;
  ++m.locks;
}

void mutex_user(void* arg) {
  Rng rng(seed_of(arg));
  while (!stopping()) {
    if (!mutex_lock(m.mutex, Ticks{rng.between(1, 10)})) continue;
    count(Op::kMutex);
    add_locked(rng);
    if (!mutex_unlock(m.mutex)) fail("mutex: unlock by the owner failed");
    if (rng.one_in(2)) task_delay(Ticks{rng.below(3)});
  }
}

void mutex_high(void* arg) {
  Rng rng(seed_of(arg));
  while (!stopping()) {
    task_delay(Ticks{rng.between(1, 3)});
    m.high_waiting = true;
    const bool locked = static_cast<bool>(mutex_lock(m.mutex, Ticks{20}));
    m.high_waiting = false;
    if (!locked) continue;
    count(Op::kMutex);
    add_locked(rng);
    if (!mutex_unlock(m.mutex)) fail("mutex: unlock by the owner failed");
  }
}

void recursive_user(void* arg) {
  Rng rng(seed_of(arg));
  while (!stopping()) {
    const uint32_t depth = rng.between(1, 4);
    uint32_t held = 0;
    while (held < depth && mutex_lock(m.recursive, Ticks{5})) ++held;
    count(Op::kMutex, held);
    if (held > 0 && mutex_lock_count(m.recursive) != held)
      fail("mutex: recursive lock count %u, locked %u times", mutex_lock_count(m.recursive), held);
    if (rng.one_in(2)) task_yield();
    while (held > 0) {
      if (!mutex_unlock(m.recursive)) fail("mutex: recursive unlock failed");
      --held;
    }
    task_delay(Ticks{rng.below(2)});
  }
}

void mutex_begin(Rng& rng) {
  m = MutexState{};
  auto normal = mutex_create(MutexType::kNormal);
  auto recursive = mutex_create(MutexType::kRecursive);
  if (!normal || !recursive) {
    fail("mutex: creating failed");
    return;
  }
  m.mutex = *normal;
  m.recursive = *recursive;
  // The low-priority holder first: priority inheritance needs someone below.
  spawn("mtx-low", 3, 4096, mutex_user, seed_arg(rng));
  const unsigned users = rng.between(1, 4);
  for (unsigned i = 0; i < users; ++i)
    spawn("mtx-user", static_cast<Priority>(rng.between(4, 20)), 4096, mutex_user, seed_arg(rng));
  spawn("mtx-high", kHighPriority, 4096, mutex_high, seed_arg(rng));
  for (int i = 0; i < 2; ++i)
    spawn("mtx-rec", static_cast<Priority>(rng.between(5, 15)), 4096, recursive_user,
          seed_arg(rng));
}

void mutex_end() {
  if (m.mutex == nullptr) return;
  if (m.counter != m.locks)
    fail("mutex: counter %llu after %llu locks", static_cast<unsigned long long>(m.counter),
         static_cast<unsigned long long>(m.locks));
  if (mutex_owner(m.mutex) != nullptr || mutex_owner(m.recursive) != nullptr)
    fail("mutex: still owned after every worker returned");
  (void)mutex_delete(m.mutex);
  (void)mutex_delete(m.recursive);
  m.mutex = nullptr;
}

}  // namespace

const Load kSemaphoreLoad{"semaphore", semaphore_begin, semaphore_end, semaphore_from_isr};
const Load kMutexLoad{"mutex", mutex_begin, mutex_end, nullptr};

}  // namespace soak
