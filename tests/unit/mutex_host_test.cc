// Host-only mutex tests: interrupt context, chains longer than the walk
// bound, heap exhaustion, and a randomized check of the inheritance
// invariant. The portable scenarios are in tests/kernel/mutex_scenarios.cc.
//
// The mutex module has no fatal errors (every misuse is a returned error),
// so there are no death tests here.
#include <string>
#include <vector>

#include "kernel_fixture.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/mutex.h"

namespace petrel::kernel::test {
namespace {

// Interrupt IDs of this file: 100 + the mutex offset (30).
constexpr uint32_t kIrqMisuse = 130;

using MutexHost = KernelTest;

bool failed_with(const Status& s, Errc code, const char* message) {
  return !s.ok() && s.error().code == code && std::string(s.error().message) == message;
}

TEST_F(MutexHost, InterruptContextIsRefused) {
  static Mutex m{MutexType::kNormal};
  static Task* holder;
  static int checks;
  ASSERT_TRUE(mutex_init(&m, MutexType::kNormal).ok());
  checks = 0;
  ASSERT_TRUE(arch::irq_register(
                  kIrqMisuse,
                  [](uint32_t, void*) {
                    const char* msg = "mutex: cannot be used in interrupt context";
                    EXPECT_TRUE(failed_with(mutex_lock(&m), Errc::kInvalid, msg));
                    EXPECT_TRUE(failed_with(mutex_lock(&m, kNoWait), Errc::kInvalid, msg));
                    EXPECT_TRUE(failed_with(mutex_try_lock(&m), Errc::kInvalid, msg));
                    EXPECT_TRUE(failed_with(mutex_unlock(&m), Errc::kInvalid, msg));
                    EXPECT_TRUE(failed_with(mutex_delete(&m), Errc::kInvalid, msg));
                    // Queries work anywhere.
                    EXPECT_EQ(mutex_owner(&m), holder);
                    EXPECT_EQ(mutex_lock_count(&m), 1u);
                    ++checks;
                  },
                  nullptr)
                  .ok());
  auto t = [&] {
    holder = task_current();
    ASSERT_TRUE(mutex_lock(&m).ok());
    host::raise_interrupt(kIrqMisuse);
    EXPECT_EQ(mutex_owner(&m), holder);  // nothing changed
    EXPECT_EQ(mutex_lock_count(&m), 1u);
    EXPECT_TRUE(mutex_unlock(&m).ok());
  };
  spawn_fn("t", 1, &t);
  scheduler_start();
  EXPECT_EQ(checks, 1);
  EXPECT_EQ(mutex_owner(&m), nullptr);
}

TEST_F(MutexHost, ChainLongerThanTheBoundIsBoostedUpToTheBound) {
  // t[i] holds m[i] and waits for m[i+1]; the last one holds its mutex and
  // sleeps. A high-priority waiter on m[0] boosts kMutexMaxChain tasks.
  constexpr int kTasks = kMutexMaxChain + 8;
  static Mutex m[kTasks];
  for (auto& x : m) ASSERT_TRUE(mutex_init(&x, MutexType::kNormal).ok());
  static Task* t[kTasks];
  static int index[kTasks];
  static Status high_result;
  auto body = [](void* p) {
    const int i = *static_cast<int*>(p);
    EXPECT_TRUE(mutex_lock(&m[i]).ok());
    if (i + 1 < kTasks) {
      EXPECT_TRUE(mutex_lock(&m[i + 1]).ok());
      EXPECT_TRUE(mutex_unlock(&m[i + 1]).ok());
    } else {
      task_delay(Ticks{100});
    }
    EXPECT_TRUE(mutex_unlock(&m[i]).ok());
  };
  auto high = [&] { high_result = mutex_lock(&m[0], Ticks{10}); };
  std::vector<Priority> boosted, after_timeout;
  auto ctl = [&] {
    for (int i = kTasks - 1; i >= 0; --i) {
      index[i] = i;
      t[i] = spawn(("c" + std::to_string(i)).c_str(), 1, body, &index[i], 16 * 1024);
      task_delay(Ticks{1});
    }
    spawn_fn("high", 8, &high);
    task_delay(Ticks{1});
    for (int i = 0; i < kTasks; ++i) boosted.push_back(task_priority(t[i]));
    task_delay(Ticks{20});
    for (int i = 0; i < kTasks; ++i) after_timeout.push_back(task_priority(t[i]));
  };
  spawn_fn("ctl", 10, &ctl);
  scheduler_start();
  ASSERT_EQ(boosted.size(), size_t{kTasks});
  for (int i = 0; i < kTasks; ++i) {
    EXPECT_EQ(boosted[i], i < static_cast<int>(kMutexMaxChain) ? 8 : 1) << "task " << i;
    EXPECT_EQ(after_timeout[i], 1) << "task " << i;
  }
  EXPECT_TRUE(failed_with(high_result, Errc::kTimeout, "mutex: timed out"));
  for (auto& x : m) EXPECT_EQ(mutex_owner(&x), nullptr);
}

TEST_F(MutexHost, CreateFailsCleanlyWhenTheHeapIsExhausted) {
  std::vector<void*> blocks;
  for (size_t size = size_t{1} << 20; size >= 16; size /= 2)
    while (void* p = heap_alloc(size)) blocks.push_back(p);
  auto r = mutex_create(MutexType::kRecursive);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNoMemory);
  EXPECT_STREQ(r.error().message, "mutex: heap exhausted");
  for (void* p : blocks) heap_free(p);
  auto again = mutex_create();
  ASSERT_TRUE(again.ok());
  auto t = [&] {
    EXPECT_TRUE(mutex_lock(*again).ok());
    EXPECT_TRUE(mutex_delete(*again).ok());  // deleting a held heap mutex
  };
  spawn_fn("t", 1, &t);
  scheduler_start();
  EXPECT_TRUE(heap_check());
}

TEST_F(MutexHost, TimeoutExpiresAtTheExactCounterTick) {
  Mutex m{MutexType::kNormal};
  uint64_t start = 0, end = 0;
  auto holder = [&] {
    ASSERT_TRUE(mutex_lock(&m).ok());
    task_delay(Ticks{50});
    EXPECT_TRUE(mutex_unlock(&m).ok());
  };
  auto waiter = [&] {
    task_delay(Ticks{1});
    start = host::now();
    EXPECT_TRUE(failed_with(mutex_lock(&m, Ticks{12}), Errc::kTimeout, "mutex: timed out"));
    end = host::now();
  };
  spawn_fn("holder", 1, &holder);
  spawn_fn("waiter", 2, &waiter);
  scheduler_start();
  EXPECT_EQ(end - start, 12 * kCounterPerTick);
}

// Random workers lock random ordered subsets of the mutexes (ascending
// order, so there is no deadlock), with and without timeouts, while a
// high-priority checker changes base priorities. After every operation, and
// every tick, every task's effective priority must be max(base, first waiter
// of each mutex it holds). A waiter that timed out but has not run yet still
// boosts (its owner is unwound when it runs), so while such a task exists
// the effective priority must only be at least the expected one.
struct Invariant {
  int violations = 0, exact = 0, chains = 0;
  std::vector<const Task*> tasks;  // every live task that can hold or wait

  void forget(const Task* t) {
    for (size_t i = 0; i < tasks.size(); ++i)
      if (tasks[i] == t) {
        tasks.erase(tasks.begin() + static_cast<long>(i));
        return;
      }
  }

  void check() {
    CriticalSection cs;
    const size_t n = tasks.size();
    bool ghost = false;
    for (size_t i = 0; i < n; ++i) {
      const Task* t = tasks[i];
      if (t->wait.mutex != nullptr && t->wait.queue != &t->wait.mutex->waiters)
        ghost = true;  // timed out (or handed the mutex) and not run yet
    }
    for (size_t i = 0; i < n; ++i) {
      const Task* t = tasks[i];
      Priority expected = t->base_priority;
      for (const Mutex* x = t->held_mutexes; x != nullptr; x = x->next_held) {
        EXPECT_EQ(x->owner, t);
        if (const Task* w = x->waiters.first(); w != nullptr && w->priority > expected)
          expected = w->priority;
      }
      if (ghost ? t->priority < expected : t->priority != expected) {
        ADD_FAILURE() << t->name << " runs at " << int(t->priority) << ", expected "
                      << int(expected) << (ghost ? " or more" : "");
        ++violations;
      }
      if (t->held_mutexes != nullptr && t->held_mutexes->waiters.first() != nullptr &&
          t->wait.mutex != nullptr && t->wait.queue == &t->wait.mutex->waiters)
        ++chains;  // an owner with waiters that waits itself
    }
    if (!ghost) ++exact;
  }
};

TEST_F(MutexHost, RandomizedInheritanceInvariant) {
  constexpr int kMutexes = 4, kWorkers = 10, kRounds = 1000;
  static Mutex m[kMutexes];
  for (auto& x : m) ASSERT_TRUE(mutex_init(&x, MutexType::kRecursive).ok());
  static int owned_by[kMutexes];  // worker index + 1, checked inside the region
  static int done_workers;
  static unsigned seed;
  static Invariant inv;
  inv = Invariant{};
  done_workers = 0;
  seed = 12345;
  for (auto& o : owned_by) o = 0;
  static auto rnd = [](unsigned n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  static int ids[kWorkers];
  auto worker = [](void* p) {
    const int me = *static_cast<int*>(p) + 1;
    for (int round = 0; round < kRounds && inv.violations < 10; ++round) {
      int held[kMutexes];
      int n = 0;
      for (int i = 0; i < kMutexes; ++i) {
        if (rnd(2) != 0) continue;
        const bool timed = rnd(2) == 0;
        Status s = mutex_lock(&m[i], timed ? Ticks{rnd(4)} : kForever);
        inv.check();
        if (!s.ok()) {
          EXPECT_TRUE(timed);
          EXPECT_TRUE(s.error().code == Errc::kTimeout || s.error().code == Errc::kBusy);
          continue;
        }
        if (rnd(4) == 0) {  // a recursive level too
          EXPECT_TRUE(mutex_lock(&m[i]).ok());
          EXPECT_TRUE(mutex_unlock(&m[i]).ok());
        }
        EXPECT_EQ(owned_by[i], 0);
        owned_by[i] = me;
        held[n++] = i;
        host::advance(rnd(3) * kCounterPerTick / 2);
        EXPECT_EQ(owned_by[i], me);
      }
      host::advance(rnd(2) * kCounterPerTick / 3);
      while (n > 0) {  // release in random order
        const int k = static_cast<int>(rnd(static_cast<unsigned>(n)));
        const int i = held[k];
        held[k] = held[--n];
        EXPECT_EQ(owned_by[i], me);
        owned_by[i] = 0;
        EXPECT_TRUE(mutex_unlock(&m[i]).ok());
        inv.check();
      }
      if (rnd(5) == 0) task_delay(Ticks{rnd(3)});
    }
    ++done_workers;
    task_suspend(nullptr);  // stays alive: the checker looks at every worker
  };
  static std::vector<Task*> workers;
  workers.clear();
  auto checker = [&] {
    while (done_workers < kWorkers) {
      inv.check();
      if (rnd(3) == 0) {
        task_set_priority(workers[rnd(kWorkers)], static_cast<Priority>(1 + rnd(6)));
        inv.check();
      }
      task_delay(Ticks{1});
    }
    scheduler_end();
  };
  for (int i = 0; i < kWorkers; ++i) {
    ids[i] = i;
    workers.push_back(spawn(("w" + std::to_string(i)).c_str(), static_cast<Priority>(1 + rnd(6)),
                            worker, &ids[i]));
    inv.tasks.push_back(workers.back());
  }
  spawn_fn("checker", 20, &checker);
  scheduler_start();
  EXPECT_EQ(inv.violations, 0);
  EXPECT_GT(inv.exact, 1000);
  EXPECT_GT(inv.chains, 20);  // chains of inheritance did form
  for (auto& x : m) EXPECT_EQ(mutex_owner(&x), nullptr);
}

// A chain t0 -> m1 -> t1 -> m2 -> ... (t[i] holds m[i] and waits for
// m[i+1]) stays in place while a controller does random things to it:
// changes base priorities of chain members and extra waiters, adds waiters
// (with or without timeouts) on random links, deletes waiters, lets time
// pass. Every change must propagate along the whole chain.
TEST_F(MutexHost, RandomOperationsOnAChain) {
  constexpr int kChain = 6, kOps = 2000;
  static Mutex m[kChain];
  for (auto& x : m) ASSERT_TRUE(mutex_init(&x, MutexType::kNormal).ok());
  static int index[kChain];
  static Task* chain[kChain];
  struct Waiter {
    Mutex* mutex;
    Ticks timeout;
    Task* task;
    bool done;
  };
  static Waiter waiters[kOps];
  static unsigned seed;
  static Invariant inv;
  inv = Invariant{};
  seed = 777;
  auto rnd = [](unsigned n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  auto link = [](void* p) {
    const int i = *static_cast<int*>(p);
    EXPECT_TRUE(mutex_lock(&m[i]).ok());
    if (i + 1 < kChain) {
      EXPECT_TRUE(mutex_lock(&m[i + 1]).ok());
      EXPECT_TRUE(mutex_unlock(&m[i + 1]).ok());
    } else {
      task_suspend(nullptr);
    }
    EXPECT_TRUE(mutex_unlock(&m[i]).ok());
  };
  auto waiter = [](void* p) {
    auto* w = static_cast<Waiter*>(p);
    Status s = mutex_lock(w->mutex, w->timeout);
    EXPECT_FALSE(s.ok());  // the chain holds every mutex until the end
    w->done = true;
    inv.forget(task_current());
  };
  int spawned = 0;
  auto ctl = [&] {
    for (int i = kChain - 1; i >= 0; --i) {
      index[i] = i;
      chain[i] = spawn("link", static_cast<Priority>(1 + rnd(8)), link, &index[i], 16 * 1024);
      inv.tasks.push_back(chain[i]);
      task_delay(Ticks{1});
    }
    inv.check();
    for (int op = 0; op < kOps; ++op) {
      switch (rnd(5)) {
        case 0:
          task_set_priority(chain[rnd(kChain)], static_cast<Priority>(1 + rnd(9)));
          break;
        case 1: {
          Waiter& w = waiters[spawned++];
          w = Waiter{&m[rnd(kChain)], rnd(2) == 0 ? kForever : Ticks{1 + rnd(3)}, nullptr, false};
          w.task = spawn("waiter", static_cast<Priority>(1 + rnd(12)), waiter, &w, 16 * 1024);
          inv.tasks.push_back(w.task);
          task_delay(Ticks{1});  // it starts waiting
          break;
        }
        case 2:
        case 3: {
          if (spawned == 0) break;
          Waiter& w = waiters[rnd(static_cast<unsigned>(spawned))];
          if (w.done) break;
          if (rnd(2) == 0) {
            task_set_priority(w.task, static_cast<Priority>(1 + rnd(12)));
          } else {
            inv.forget(w.task);
            task_delete(w.task);
            w.done = true;
          }
          break;
        }
        default:
          task_delay(Ticks{1 + rnd(2)});
      }
      inv.check();
    }
    for (int i = 0; i < spawned; ++i) {
      if (!waiters[i].done) {
        inv.forget(waiters[i].task);
        task_delete(waiters[i].task);
      }
      waiters[i].done = true;
    }
    inv.check();
    // Without extra waiters each link runs at the highest base priority up
    // to it.
    Priority expected = 0;
    for (int i = 0; i < kChain; ++i) {
      if (chain[i]->base_priority > expected) expected = chain[i]->base_priority;
      EXPECT_EQ(task_priority(chain[i]), expected) << "link " << i;
    }
    task_resume(chain[kChain - 1]);
  };
  spawn_fn("ctl", 20, &ctl);
  scheduler_start();
  EXPECT_EQ(inv.violations, 0);
  EXPECT_GT(inv.exact, kOps / 2);
  for (auto& x : m) EXPECT_EQ(mutex_owner(&x), nullptr);
}

TEST_F(MutexHost, TimedOutWaiterStopsBoostingAtTheTimeout) {
  Mutex m{MutexType::kNormal};
  Task *low = nullptr, *waiter = nullptr;
  Status result;
  auto low_fn = [&] {
    EXPECT_TRUE(mutex_lock(&m).ok());
    task_suspend(nullptr);
    EXPECT_TRUE(mutex_unlock(&m).ok());
  };
  auto waiter_fn = [&] { result = mutex_lock(&m, Ticks{2}); };
  auto ctl = [&] {
    low = spawn_fn("low", 1, &low_fn);
    task_delay(Ticks{1});
    waiter = spawn_fn("waiter", 5, &waiter_fn);
    task_delay(Ticks{1});
    EXPECT_EQ(task_priority(low), 5);
    host::advance(3 * kCounterPerTick);  // the waiter times out but cannot run yet
    EXPECT_EQ(task_state(waiter), TaskState::kReady);
    EXPECT_EQ(task_priority(low), 1) << "the boost ends at the timeout itself";
    {
      CriticalSection cs;
      m.waiters.owner()->wait_ended(waiter);  // the owner hook is idempotent
    }
    EXPECT_EQ(task_priority(low), 1);
    task_delay(Ticks{1});  // the waiter runs and its call fails
    EXPECT_TRUE(failed_with(result, Errc::kTimeout, "mutex: timed out"));
    EXPECT_EQ(task_priority(low), 1);
    task_resume(low);
    task_delay(Ticks{1});
    EXPECT_EQ(mutex_owner(&m), nullptr);
  };
  spawn_fn("ctl", 10, &ctl);
  scheduler_start();
}

}  // namespace
}  // namespace petrel::kernel::test
