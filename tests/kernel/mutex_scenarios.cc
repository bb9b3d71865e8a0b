// Mutex scenarios (mutual exclusion, priority inheritance and its chains,
// recursion, deadlock detection, deletion), run on the host port and inside
// a guest.
#include "ktest.h"
#include "petrel/kernel/mutex.h"

using namespace petrel::kernel;
using petrel::Errc;
using petrel::Status;
using petrel::ktest::failed_with;
using petrel::ktest::Log;
using petrel::ktest::spawn;

namespace {

void spend_ticks(uint64_t n) {
  petrel::ktest::spend(n * petrel::ktest::counter_per_tick());
}

constexpr const char* kNotOwner = "mutex: unlocked by a task that does not hold it";

}  // namespace

KTEST(Mutex, MutualExclusionWithThreeTasks) {
  // Equal priorities and time slicing: each task is preempted inside its
  // critical region, yet no update is lost.
  Mutex m{MutexType::kNormal};
  int counter = 0, inside = 0, max_inside = 0;
  auto worker = [&] {
    for (int i = 0; i < 4; ++i) {
      KCHECK(mutex_lock(&m).ok());
      if (++inside > max_inside) max_inside = inside;
      const int v = counter;
      petrel::ktest::spend(petrel::ktest::counter_per_tick() * 6 / 10);
      counter = v + 1;
      --inside;
      KCHECK(mutex_unlock(&m).ok());
    }
  };
  spawn("w1", 2, &worker);
  spawn("w2", 2, &worker);
  spawn("w3", 2, &worker);
  scheduler_start();
  KCHECK_EQ(counter, 12);
  KCHECK_EQ(max_inside, 1);
  KCHECK(mutex_owner(&m) == nullptr);
}

KTEST(Mutex, PriorityInversionIsAvoided) {
  // low holds the mutex, high waits for it, and a CPU-bound medium task is
  // ready: low runs at high's priority until it unlocks, so medium runs last.
  Log log;
  Mutex m{MutexType::kNormal};
  auto high = [&] {
    log.note("high-wants");
    KCHECK(mutex_lock(&m).ok());
    log.note("high-got");
    KCHECK(mutex_unlock(&m).ok());
  };
  auto medium = [&] {
    log.note("medium-runs");
    spend_ticks(2);
    log.note("medium-done");
  };
  auto low = [&] {
    KCHECK(mutex_lock(&m).ok());
    log.note("low-locked");
    spawn("high", 5, &high);  // runs at once and blocks on m
    KCHECK_EQ(task_priority(nullptr), 5);
    spawn("medium", 3, &medium);  // must not preempt the boosted low task
    spend_ticks(2);
    log.note("low-unlocks");
    KCHECK(mutex_unlock(&m).ok());
    KCHECK_EQ(task_priority(nullptr), 1);
    log.note("low-done");
  };
  spawn("low", 1, &low);
  scheduler_start();
  KCHECK_LOG(log, "low-locked high-wants low-unlocks high-got medium-runs medium-done low-done");
}

KTEST(Mutex, ThreeLinkChainInheritsAndUnwinds) {
  // a(6) waits for m1 held by b(3), b waits for m2 held by c(2), c waits for
  // m3 held by d(1): d runs at 6. Then the chain unwinds step by step.
  Log log;
  Mutex m1{MutexType::kNormal}, m2{MutexType::kNormal}, m3{MutexType::kNormal};
  Task *a = nullptr, *b = nullptr, *c = nullptr, *d = nullptr;
  auto d_fn = [&] {
    KCHECK(mutex_lock(&m3).ok());
    task_suspend(nullptr);
    log.note("d-unlocks");
    KCHECK(mutex_unlock(&m3).ok());  // to c, which preempts
    log.note_number("d-prio", task_priority(nullptr));
  };
  auto c_fn = [&] {
    KCHECK(mutex_lock(&m2).ok());
    KCHECK(mutex_lock(&m3).ok());
    log.note("c-got-m3");
    task_suspend(nullptr);
    KCHECK(mutex_unlock(&m3).ok());  // nobody waits: c keeps b's boost (m2)
    log.note_number("c-prio", task_priority(nullptr));
    KCHECK(mutex_unlock(&m2).ok());  // to b, which preempts
    log.note_number("c-prio", task_priority(nullptr));
  };
  auto b_fn = [&] {
    KCHECK(mutex_lock(&m1).ok());
    KCHECK(mutex_lock(&m2).ok());
    log.note("b-got-m2");
    task_suspend(nullptr);
    KCHECK(mutex_unlock(&m2).ok());
    log.note_number("b-prio", task_priority(nullptr));
    KCHECK(mutex_unlock(&m1).ok());  // to a, which preempts
    log.note_number("b-prio", task_priority(nullptr));
  };
  auto a_fn = [&] {
    KCHECK(mutex_lock(&m1).ok());
    log.note_number("a-got-m1", task_priority(nullptr));
    KCHECK(mutex_unlock(&m1).ok());
  };
  auto observer = [&] {
    d = spawn("d", 1, &d_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(d), 1);
    c = spawn("c", 2, &c_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(c), 2);
    KCHECK_EQ(task_priority(d), 2);
    b = spawn("b", 3, &b_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(b), 3);
    KCHECK_EQ(task_priority(c), 3);
    KCHECK_EQ(task_priority(d), 3);
    a = spawn("a", 6, &a_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(a), 6);
    KCHECK_EQ(task_priority(b), 6);
    KCHECK_EQ(task_priority(c), 6);
    KCHECK_EQ(task_priority(d), 6);
    KCHECK(mutex_owner(&m3) == d);

    task_resume(d);  // d unlocks m3: c owns it, d drops to 1 and ends
    task_delay(Ticks{1});
    KCHECK(mutex_owner(&m3) == c);
    KCHECK_EQ(task_priority(c), 6);
    KCHECK_EQ(task_priority(b), 6);

    task_resume(c);  // c unlocks m3, then m2: b owns m2, c drops
    task_delay(Ticks{1});
    KCHECK(mutex_owner(&m2) == b);
    KCHECK(mutex_owner(&m3) == nullptr);
    KCHECK_EQ(task_priority(b), 6);  // still a's boost through m1

    task_resume(b);  // b unlocks m2, then m1: a owns m1, b drops
    task_delay(Ticks{1});
    KCHECK(mutex_owner(&m1) == nullptr);
    log.note("observer-done");
  };
  spawn("observer", 10, &observer);
  scheduler_start();
  KCHECK_LOG(log,
             "d-unlocks c-got-m3 d-prio=1 c-prio=6 b-got-m2 c-prio=2 b-prio=6 a-got-m1=6 "
             "b-prio=3 observer-done");
}

KTEST(Mutex, WaiterTimeoutInAChainUnwindsTheBoost) {
  // a(5) waits 5 ticks for m1 held by b(2), which waits for m2 held by c(1).
  Mutex m1{MutexType::kNormal}, m2{MutexType::kNormal};
  Task *b = nullptr, *c = nullptr;
  Status a_result;
  Ticks a_waited{};
  Priority b_after = 0, c_after = 0;
  auto c_fn = [&] {
    KCHECK(mutex_lock(&m2).ok());
    task_suspend(nullptr);
    KCHECK(mutex_unlock(&m2).ok());
  };
  auto b_fn = [&] {
    KCHECK(mutex_lock(&m1).ok());
    KCHECK(mutex_lock(&m2).ok());
    KCHECK(mutex_unlock(&m2).ok());
    KCHECK(mutex_unlock(&m1).ok());
  };
  auto a_fn = [&] {
    const Ticks start = tick_count();
    a_result = mutex_lock(&m1, Ticks{5});
    a_waited = tick_count() - start;
    // The whole chain is unwound by the time the call returns.
    b_after = task_priority(b);
    c_after = task_priority(c);
  };
  auto observer = [&] {
    c = spawn("c", 1, &c_fn);
    task_delay(Ticks{1});
    b = spawn("b", 2, &b_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(c), 2);
    spawn("a", 5, &a_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(b), 5);
    KCHECK_EQ(task_priority(c), 5);
    task_delay(Ticks{10});  // a timed out meanwhile
    KCHECK_EQ(task_priority(b), 2);
    KCHECK_EQ(task_priority(c), 2);  // b still waits for m2
    KCHECK(mutex_owner(&m1) == b);
    task_resume(c);  // c unlocks m2: b gets it and finishes
    task_delay(Ticks{1});
    KCHECK(mutex_owner(&m1) == nullptr);
    KCHECK(mutex_owner(&m2) == nullptr);
  };
  spawn("observer", 10, &observer);
  scheduler_start();
  KCHECK(failed_with(a_result, Errc::kTimeout, "mutex: timed out"));
  KCHECK(a_waited.count >= 5 && a_waited.count <= 6);
  KCHECK_EQ(b_after, 2);
  KCHECK_EQ(c_after, 2);
}

KTEST(Mutex, WaiterTimeoutWhileTheBoostedOwnerRuns) {
  // The owner is busy at the waiter's priority when the waiter times out;
  // the waiter runs at the owner's next time slice and removes the boost.
  Mutex m{MutexType::kNormal};
  Task* low = nullptr;
  Status high_result;
  Priority low_after_timeout = 0, low_at_end = 0;
  bool high_done = false;
  auto low_fn = [&] {
    KCHECK(mutex_lock(&m).ok());
    for (int i = 0; i < 6 && !high_done; ++i) spend_ticks(1);
    low_at_end = task_priority(nullptr);
    KCHECK(mutex_unlock(&m).ok());
  };
  auto high_fn = [&] {
    task_delay(Ticks{1});  // low locks m meanwhile
    high_result = mutex_lock(&m, Ticks{3});
    low_after_timeout = task_priority(low);
    high_done = true;
  };
  low = spawn("low", 1, &low_fn);
  spawn("high", 5, &high_fn);
  scheduler_start();
  KCHECK(failed_with(high_result, Errc::kTimeout, "mutex: timed out"));
  KCHECK_EQ(low_after_timeout, 1);
  KCHECK_EQ(low_at_end, 1);
}

KTEST(Mutex, OwnerOfTwoMutexesDropsToTheRightLevel) {
  Log log;
  Mutex m1{MutexType::kNormal}, m2{MutexType::kNormal};
  auto h1 = [&] {
    KCHECK(mutex_lock(&m1).ok());
    log.note("h1-got");
    KCHECK(mutex_unlock(&m1).ok());
  };
  auto h2 = [&] {
    KCHECK(mutex_lock(&m2).ok());
    log.note("h2-got");
    KCHECK(mutex_unlock(&m2).ok());
  };
  auto low = [&] {
    // Unlocking the higher waiter's mutex first: 6 -> 4 -> 1.
    KCHECK(mutex_lock(&m1).ok());
    KCHECK(mutex_lock(&m2).ok());
    spawn("h1", 4, &h1);
    KCHECK_EQ(task_priority(nullptr), 4);
    spawn("h2", 6, &h2);
    KCHECK_EQ(task_priority(nullptr), 6);
    KCHECK(mutex_unlock(&m2).ok());
    log.note_number("low", task_priority(nullptr));
    KCHECK(mutex_unlock(&m1).ok());
    log.note_number("low", task_priority(nullptr));

    // The other order: 6 -> 6 -> 1; h1 cannot run before low drops.
    KCHECK(mutex_lock(&m1).ok());
    KCHECK(mutex_lock(&m2).ok());
    spawn("h1", 4, &h1);
    spawn("h2", 6, &h2);
    KCHECK(mutex_unlock(&m1).ok());  // h1 owns m1 now but cannot run yet
    log.note_number("low", task_priority(nullptr));
    KCHECK(mutex_unlock(&m2).ok());
    log.note_number("low", task_priority(nullptr));
  };
  spawn("low", 1, &low);
  scheduler_start();
  KCHECK_LOG(log, "h2-got low=4 h1-got low=1 low=6 h2-got h1-got low=1");
}

KTEST(Mutex, RecursiveLockCounts) {
  Log log;
  Mutex m{MutexType::kRecursive};
  Task* owner = nullptr;
  auto other = [&] {
    KCHECK(failed_with(mutex_try_lock(&m), Errc::kBusy, "mutex: held by another task"));
    log.note("other-waits");
    KCHECK(mutex_lock(&m).ok());
    log.note_number("other-got", mutex_lock_count(&m));
    KCHECK(mutex_lock(&m).ok());
    KCHECK_EQ(mutex_lock_count(&m), 2);
    KCHECK(mutex_unlock(&m).ok());
    KCHECK(mutex_unlock(&m).ok());
    KCHECK(mutex_owner(&m) == nullptr);
  };
  auto t = [&] {
    owner = task_current();
    for (int i = 0; i < 3; ++i) KCHECK(mutex_lock(&m).ok());
    KCHECK(mutex_try_lock(&m).ok());  // a fourth level, without waiting
    KCHECK_EQ(mutex_lock_count(&m), 4);
    KCHECK(mutex_owner(&m) == owner);
    spawn("other", 3, &other);
    for (int left = 3; left >= 1; --left) {
      KCHECK(mutex_unlock(&m).ok());
      KCHECK_EQ(mutex_lock_count(&m), left);
      KCHECK(mutex_owner(&m) == owner);
      KCHECK_EQ(task_priority(nullptr), 3);
    }
    log.note("last-unlock");
    KCHECK(mutex_unlock(&m).ok());  // other gets it and preempts
    KCHECK_EQ(task_priority(nullptr), 2);
    KCHECK(failed_with(mutex_unlock(&m), Errc::kPermission, kNotOwner));
    log.note("owner-done");
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_LOG(log, "other-waits last-unlock other-got=1 owner-done");
}

KTEST(Mutex, NormalMutexLockedTwiceIsADeadlock) {
  Mutex m{MutexType::kNormal};
  auto t = [&] {
    KCHECK(mutex_lock(&m).ok());
    KCHECK(failed_with(mutex_lock(&m), Errc::kInvalid,
                       "mutex: deadlock (already held by the caller, not recursive)"));
    KCHECK(failed_with(mutex_try_lock(&m), Errc::kInvalid,
                       "mutex: deadlock (already held by the caller, not recursive)"));
    KCHECK_EQ(mutex_lock_count(&m), 1);
    KCHECK(mutex_unlock(&m).ok());
    KCHECK(failed_with(mutex_unlock(&m), Errc::kPermission, kNotOwner));
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(mutex_owner(&m) == nullptr);
}

KTEST(Mutex, UnlockByANonOwnerFails) {
  Mutex m{MutexType::kNormal};
  Task* holder = nullptr;
  auto intruder = [&] {
    KCHECK(failed_with(mutex_unlock(&m), Errc::kPermission, kNotOwner));
    KCHECK(mutex_owner(&m) == holder);
  };
  auto h = [&] {
    holder = task_current();
    KCHECK(mutex_lock(&m).ok());
    spawn("intruder", 3, &intruder);
    KCHECK(mutex_owner(&m) == holder);
    KCHECK_EQ(mutex_lock_count(&m), 1);
    KCHECK(mutex_unlock(&m).ok());
  };
  auto free_unlock = [&] { KCHECK(failed_with(mutex_unlock(&m), Errc::kPermission, kNotOwner)); };
  spawn("holder", 2, &h);
  spawn("free", 1, &free_unlock);
  scheduler_start();
}

KTEST(Mutex, LockTimeoutsAndTryLock) {
  Mutex m{MutexType::kNormal};
  Ticks waited{};
  auto waiter = [&] {
    KCHECK(failed_with(mutex_try_lock(&m), Errc::kBusy, "mutex: held by another task"));
    KCHECK(failed_with(mutex_lock(&m, kNoWait), Errc::kBusy, "mutex: held by another task"));
    const Ticks start = tick_count();
    KCHECK(failed_with(mutex_lock(&m, Ticks{7}), Errc::kTimeout, "mutex: timed out"));
    waited = tick_count() - start;
    KCHECK(mutex_lock(&m, Ticks{100}).ok());  // the holder unlocks at 10
    KCHECK(mutex_unlock(&m).ok());
  };
  auto holder = [&] {
    KCHECK(mutex_try_lock(&m).ok());
    spawn("waiter", 3, &waiter);
    task_delay(Ticks{10});
    KCHECK(mutex_unlock(&m).ok());
  };
  spawn("holder", 2, &holder);
  scheduler_start();
  KCHECK(waited.count >= 7 && waited.count <= 8);  // exact on the host (see mutex_host_test)
}

KTEST(Mutex, WaitersGetItByPriorityFifoAmongEquals) {
  Log log;
  Mutex m{MutexType::kNormal};
  auto waiter = [&](const char* name) {
    KCHECK(mutex_lock(&m).ok());
    log.note(name);
    KCHECK(mutex_unlock(&m).ok());
  };
  auto w1 = [&] { waiter("w1"); };
  auto w2 = [&] { waiter("w2"); };
  auto w3 = [&] { waiter("w3"); };
  auto w4 = [&] { waiter("w4"); };
  auto holder = [&] {
    KCHECK(mutex_lock(&m).ok());
    spawn("w1", 3, &w1);
    spawn("w2", 4, &w2);
    spawn("w3", 3, &w3);
    spawn("w4", 4, &w4);
    KCHECK_EQ(task_priority(nullptr), 4);
    log.note("unlock");
    KCHECK(mutex_unlock(&m).ok());
  };
  spawn("holder", 2, &holder);
  scheduler_start();
  KCHECK_LOG(log, "unlock w2 w4 w1 w3");
}

KTEST(Mutex, SettingAWaitersPriorityPropagates) {
  Mutex m1{MutexType::kNormal}, m2{MutexType::kNormal};
  Task *a = nullptr, *b = nullptr, *c = nullptr;
  auto c_fn = [&] {
    KCHECK(mutex_lock(&m2).ok());
    task_suspend(nullptr);
    KCHECK(mutex_unlock(&m2).ok());
  };
  auto b_fn = [&] {
    KCHECK(mutex_lock(&m1).ok());
    KCHECK(mutex_lock(&m2).ok());
    KCHECK(mutex_unlock(&m2).ok());
    KCHECK(mutex_unlock(&m1).ok());
  };
  auto a_fn = [&] {
    KCHECK(mutex_lock(&m1).ok());
    KCHECK(mutex_unlock(&m1).ok());
  };
  auto observer = [&] {
    c = spawn("c", 1, &c_fn);
    task_delay(Ticks{1});
    b = spawn("b", 2, &b_fn);
    task_delay(Ticks{1});
    a = spawn("a", 3, &a_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(c), 3);
    task_set_priority(a, 7);  // raising the head of the chain
    KCHECK_EQ(task_priority(a), 7);
    KCHECK_EQ(task_priority(b), 7);
    KCHECK_EQ(task_priority(c), 7);
    task_set_priority(a, 1);  // lowering it: b and c fall back to b's 2
    KCHECK_EQ(task_priority(b), 2);
    KCHECK_EQ(task_priority(c), 2);
    task_set_priority(b, 5);  // a middle waiter raised: c follows
    KCHECK_EQ(task_priority(b), 5);
    KCHECK_EQ(task_priority(c), 5);
    task_set_priority(c, 8);  // the owner's base above what it inherits
    KCHECK_EQ(task_priority(c), 8);
    task_set_priority(c, 0);  // below: the inherited 5 remains
    KCHECK_EQ(task_priority(c), 5);
    task_set_priority(b, 2);
    KCHECK_EQ(task_priority(c), 2);
    task_set_priority(c, 1);
    KCHECK_EQ(task_priority(c), 2);
    task_resume(c);
    task_delay(Ticks{1});
    KCHECK(mutex_owner(&m1) == nullptr);
    KCHECK(mutex_owner(&m2) == nullptr);
  };
  spawn("observer", 10, &observer);
  scheduler_start();
}

KTEST(Mutex, DeletingTheOwnerHandsTheMutexToTheWaiter) {
  Log log;
  Mutex m{MutexType::kNormal}, spare{MutexType::kNormal};
  Task *owner = nullptr, *high = nullptr, *mid = nullptr;
  auto owner_fn = [&] {
    KCHECK(mutex_lock(&m).ok());
    KCHECK(mutex_lock(&spare).ok());  // nobody wants this one
    task_suspend(nullptr);
    log.note("owner-must-not-run");
  };
  auto high_fn = [&] {
    KCHECK(mutex_lock(&m).ok());
    log.note_number("high-got", task_priority(nullptr));
    KCHECK(mutex_unlock(&m).ok());
  };
  auto mid_fn = [&] {
    KCHECK(mutex_lock(&m).ok());
    log.note("mid-got");
    KCHECK(mutex_unlock(&m).ok());
  };
  auto observer = [&] {
    owner = spawn("owner", 1, &owner_fn);
    task_delay(Ticks{1});
    mid = spawn("mid", 3, &mid_fn);
    high = spawn("high", 5, &high_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(owner), 5);
    task_delete(owner);
    KCHECK(mutex_owner(&m) == high);  // handed over, high has not run yet
    KCHECK(mutex_owner(&spare) == nullptr);
    KCHECK_EQ(task_priority(high), 5);
    task_delay(Ticks{1});
    KCHECK(mutex_owner(&m) == nullptr);
  };
  spawn("observer", 10, &observer);
  scheduler_start();
  KCHECK_LOG(log, "high-got=5 mid-got");
}

KTEST(Mutex, ATaskEndingWhileHoldingAMutexReleasesIt) {
  Log log;
  Mutex m{MutexType::kRecursive};
  auto waiter = [&] {
    KCHECK(mutex_lock(&m).ok());
    log.note_number("waiter-got", mutex_lock_count(&m));
    KCHECK(mutex_unlock(&m).ok());
  };
  auto quitter = [&] {
    KCHECK(mutex_lock(&m).ok());
    KCHECK(mutex_lock(&m).ok());
    spawn("waiter", 2, &waiter);
    log.note("quitter-ends");
  };  // returns holding m twice
  spawn("quitter", 1, &quitter);
  scheduler_start();
  KCHECK_LOG(log, "quitter-ends waiter-got=1");
  KCHECK(mutex_owner(&m) == nullptr);
}

KTEST(Mutex, DeletingAWaiterUnwindsTheChain) {
  // a(6) waits for m1 held by b(2), which waits for m2 held by c(1).
  Mutex m1{MutexType::kNormal}, m2{MutexType::kNormal};
  Task *a = nullptr, *b = nullptr, *c = nullptr;
  bool a_got = false;
  auto c_fn = [&] {
    KCHECK(mutex_lock(&m2).ok());
    task_suspend(nullptr);
    KCHECK(mutex_unlock(&m2).ok());
  };
  auto b_fn = [&] {
    KCHECK(mutex_lock(&m1).ok());
    KCHECK(mutex_lock(&m2).ok());
    KCHECK(false);  // deleted before it gets m2
  };
  auto a_fn = [&] {
    KCHECK(mutex_lock(&m1).ok());
    a_got = true;
    task_suspend(nullptr);
  };
  auto observer = [&] {
    // Deleting the head of the chain.
    c = spawn("c", 1, &c_fn);
    task_delay(Ticks{1});
    b = spawn("b", 2, &b_fn);
    task_delay(Ticks{1});
    a = spawn("a", 6, &a_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(c), 6);
    task_delete(a);
    KCHECK_EQ(task_priority(b), 2);
    KCHECK_EQ(task_priority(c), 2);

    // Deleting the middle: b waits for m2 and holds m1, which a wants.
    a = spawn("a", 6, &a_fn);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(c), 6);
    task_delete(b);
    KCHECK(mutex_owner(&m1) == a);
    KCHECK_EQ(task_priority(c), 1);
    task_delay(Ticks{1});
    KCHECK(a_got);
    task_delete(a);
    KCHECK(mutex_owner(&m1) == nullptr);
    task_resume(c);
    task_delay(Ticks{1});
    KCHECK(mutex_owner(&m2) == nullptr);
  };
  spawn("observer", 10, &observer);
  scheduler_start();
}

KTEST(Mutex, DeadlockIsDetected) {
  Log log;
  Mutex m1{MutexType::kNormal}, m2{MutexType::kNormal}, m3{MutexType::kNormal};
  auto a = [&] {
    KCHECK(mutex_lock(&m1).ok());
    task_delay(Ticks{1});
    KCHECK(mutex_lock(&m2).ok());  // waits for b
    log.note("a-got-m2");
    KCHECK(mutex_unlock(&m2).ok());
    KCHECK(mutex_unlock(&m1).ok());
  };
  auto b = [&] {
    KCHECK(mutex_lock(&m2).ok());
    task_delay(Ticks{2});
    KCHECK(mutex_lock(&m3).ok());  // waits for c
    log.note("b-got-m3");
    KCHECK(mutex_unlock(&m3).ok());
    KCHECK(mutex_unlock(&m2).ok());
  };
  auto c = [&] {
    KCHECK(mutex_lock(&m3).ok());
    task_delay(Ticks{3});
    // a waits for b, b waits for c: c waiting for a's m1 closes the cycle.
    KCHECK(failed_with(mutex_lock(&m1), Errc::kInvalid, "mutex: deadlock"));
    KCHECK(failed_with(mutex_lock(&m1, Ticks{5}), Errc::kInvalid, "mutex: deadlock"));
    KCHECK(failed_with(mutex_try_lock(&m1), Errc::kBusy, "mutex: held by another task"));
    KCHECK_EQ(task_priority(nullptr), 3);  // inherited from b, which inherits from a
    log.note("c-refused");
    KCHECK(mutex_unlock(&m3).ok());
  };
  spawn("a", 3, &a);
  spawn("b", 2, &b);
  spawn("c", 1, &c);
  scheduler_start();
  KCHECK_LOG(log, "c-refused b-got-m3 a-got-m2");
}

KTEST(Mutex, TwoTaskDeadlockIsDetected) {
  Mutex m1{MutexType::kNormal}, m2{MutexType::kNormal};
  Status b_result;
  auto a = [&] {
    KCHECK(mutex_lock(&m1).ok());
    task_delay(Ticks{1});
    KCHECK(mutex_lock(&m2).ok());
    KCHECK(mutex_unlock(&m2).ok());
    KCHECK(mutex_unlock(&m1).ok());
  };
  auto b = [&] {
    KCHECK(mutex_lock(&m2).ok());
    task_delay(Ticks{2});
    b_result = mutex_lock(&m1);
    KCHECK(mutex_unlock(&m2).ok());
  };
  spawn("a", 2, &a);
  spawn("b", 2, &b);
  scheduler_start();
  KCHECK(failed_with(b_result, Errc::kInvalid, "mutex: deadlock"));
  KCHECK(mutex_owner(&m1) == nullptr);
  KCHECK(mutex_owner(&m2) == nullptr);
}

KTEST(Mutex, DeletingAMutexWithWaiters) {
  Mutex m{MutexType::kNormal};
  Status r1, r2;
  Priority owner_after = 0;
  auto w1 = [&] { r1 = mutex_lock(&m); };
  auto w2 = [&] { r2 = mutex_lock(&m, Ticks{50}); };
  auto owner = [&] {
    KCHECK(mutex_lock(&m).ok());
    spawn("w1", 3, &w1);
    spawn("w2", 4, &w2);
    KCHECK_EQ(task_priority(nullptr), 4);
    KCHECK(mutex_delete(&m).ok());  // both waiters fail; the boost is gone
    owner_after = task_priority(nullptr);
    KCHECK(failed_with(mutex_unlock(&m), Errc::kInvalid, "mutex: not initialized or deleted"));
    KCHECK(failed_with(mutex_lock(&m), Errc::kInvalid, "mutex: not initialized or deleted"));
    KCHECK(failed_with(mutex_delete(&m), Errc::kInvalid, "mutex: not initialized or deleted"));
    KCHECK(mutex_owner(&m) == nullptr);
  };
  spawn("owner", 2, &owner);
  scheduler_start();
  KCHECK(failed_with(r1, Errc::kNotFound, "mutex: deleted while waiting"));
  KCHECK(failed_with(r2, Errc::kNotFound, "mutex: deleted while waiting"));
  KCHECK_EQ(owner_after, 2);
}

KTEST(Mutex, DeletingAHeapMutexWithWaiters) {
  Status r;
  auto created = mutex_create(MutexType::kRecursive);
  KCHECK(created.ok());
  Mutex* m = created.value_or(nullptr);
  auto waiter = [&] { r = mutex_lock(m); };
  auto owner = [&] {
    KCHECK(mutex_lock(m).ok());
    spawn("waiter", 3, &waiter);
    KCHECK(mutex_delete(m).ok());
    KCHECK_EQ(task_priority(nullptr), 1);
  };
  spawn("owner", 1, &owner);
  scheduler_start();
  KCHECK(failed_with(r, Errc::kNotFound, "mutex: deleted while waiting"));
}

KTEST(Mutex, AbortedAndSuspendedWaitersFailAndUnwind) {
  Mutex m{MutexType::kNormal};
  Task *owner = nullptr, *w = nullptr;
  Status r;
  auto waiter = [&] { r = mutex_lock(&m, Ticks{100}); };
  auto owner_fn = [&] {
    KCHECK(mutex_lock(&m).ok());
    task_suspend(nullptr);
    KCHECK(mutex_unlock(&m).ok());
  };
  auto observer = [&] {
    owner = spawn("owner", 1, &owner_fn);
    task_delay(Ticks{1});
    w = spawn("waiter", 4, &waiter);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(owner), 4);
    KCHECK(task_abort_delay(w));
    task_delay(Ticks{1});
    KCHECK(failed_with(r, Errc::kTimeout, "mutex: wait aborted"));
    KCHECK_EQ(task_priority(owner), 1);

    r = petrel::ok();
    w = spawn("waiter", 4, &waiter);
    task_delay(Ticks{1});
    KCHECK_EQ(task_priority(owner), 4);
    task_suspend(w);
    task_resume(w);  // its call returns at once: the wait was cancelled
    task_delay(Ticks{1});
    KCHECK(failed_with(r, Errc::kTimeout, "mutex: wait aborted"));
    KCHECK_EQ(task_priority(owner), 1);
    task_resume(owner);
  };
  spawn("observer", 10, &observer);
  scheduler_start();
  KCHECK(mutex_owner(&m) == nullptr);
}

KTEST(Mutex, CreationAndMisuse) {
  Mutex uninitialized;
  KCHECK(failed_with(mutex_try_lock(&uninitialized), Errc::kInvalid,
                     "mutex: not initialized or deleted"));
  KCHECK(failed_with(mutex_unlock(&uninitialized), Errc::kInvalid,
                     "mutex: not initialized or deleted"));
  KCHECK(failed_with(mutex_lock(nullptr), Errc::kInvalid, "mutex: not initialized or deleted"));
  KCHECK(mutex_owner(nullptr) == nullptr);
  KCHECK_EQ(mutex_lock_count(&uninitialized), 0);
  KCHECK(!mutex_create(MutexType::kNone).ok());
  KCHECK(failed_with(mutex_init(&uninitialized, MutexType::kNone), Errc::kInvalid,
                     "mutex: invalid type"));
  KCHECK(failed_with(mutex_init(nullptr), Errc::kInvalid, "mutex: no storage"));
  // No task yet: locking needs one.
  Mutex ready{MutexType::kNormal};
  KCHECK(failed_with(mutex_lock(&ready), Errc::kInvalid,
                     "mutex: no task (the scheduler is not running)"));

  auto t = [&] {
    KCHECK(mutex_init(&uninitialized, MutexType::kRecursive).ok());
    KCHECK(mutex_lock(&uninitialized).ok());
    KCHECK(mutex_lock(&uninitialized).ok());
    KCHECK_EQ(mutex_lock_count(&uninitialized), 2);
    KCHECK(mutex_unlock(&uninitialized).ok());
    KCHECK(mutex_unlock(&uninitialized).ok());
    KCHECK(mutex_delete(&uninitialized).ok());
    auto heap = mutex_create();
    KCHECK(heap.ok());
    if (heap.ok()) {
      KCHECK(mutex_lock(*heap).ok());
      KCHECK(mutex_owner(*heap) == task_current());
      KCHECK(mutex_unlock(*heap).ok());
      KCHECK(mutex_delete(*heap).ok());
    }
  };
  spawn("t", 1, &t);
  scheduler_start();
}

KTEST(Mutex, BlockingWithTheSchedulerLockedIsRefused) {
  Mutex m{MutexType::kNormal};
  auto holder = [&] {
    KCHECK(mutex_lock(&m).ok());
    task_delay(Ticks{5});
    KCHECK(mutex_unlock(&m).ok());
  };
  auto t = [&] {
    scheduler_lock();
    KCHECK(failed_with(mutex_lock(&m, Ticks{3}), Errc::kInvalid,
                       "mutex: cannot block with the scheduler locked"));
    scheduler_unlock();
    KCHECK(mutex_lock(&m).ok());
    scheduler_lock();  // taking a free mutex or unlocking never blocks
    KCHECK(mutex_unlock(&m).ok());
    KCHECK(mutex_lock(&m).ok());
    KCHECK(mutex_unlock(&m).ok());
    scheduler_unlock();
  };
  spawn("holder", 2, &holder);
  spawn("t", 1, &t);
  scheduler_start();
}

KTEST(Mutex, DeletedAfterHandOverBeforeTheNewOwnerRuns) {
  // The new owner was made ready by the unlock but has not run when the
  // mutex is deleted: its lock fails rather than succeeding on a dead mutex.
  Mutex m{MutexType::kNormal};
  Status r;
  Task* w = nullptr;
  auto waiter = [&] { r = mutex_lock(&m); };
  auto ctl = [&] {
    KCHECK(mutex_lock(&m).ok());
    w = spawn("waiter", 3, &waiter);
    task_delay(Ticks{1});
    KCHECK(mutex_unlock(&m).ok());
    KCHECK(mutex_owner(&m) == w);
    KCHECK(mutex_delete(&m).ok());
    task_delay(Ticks{1});
  };
  spawn("ctl", 10, &ctl);
  scheduler_start();
  KCHECK(failed_with(r, Errc::kNotFound, "mutex: deleted while waiting"));
}

KTEST(Mutex, NewOwnerDeletedBeforeItRuns) {
  Mutex m{MutexType::kNormal};
  auto waiter = [&] {
    KCHECK(mutex_lock(&m).ok());
    KCHECK(false);  // deleted before it runs
  };
  auto ctl = [&] {
    KCHECK(mutex_lock(&m).ok());
    Task* w = spawn("waiter", 3, &waiter);
    task_delay(Ticks{1});
    KCHECK(mutex_unlock(&m).ok());
    KCHECK(mutex_owner(&m) == w);
    task_delete(w);
    KCHECK(mutex_owner(&m) == nullptr);
    KCHECK(mutex_try_lock(&m).ok());
    KCHECK(mutex_unlock(&m).ok());
  };
  spawn("ctl", 10, &ctl);
  scheduler_start();
}

KTEST(Mutex, DeletedWhileATimedOutWaiterHasNotRunYet) {
  // The waiter timed out while a higher-priority task kept the CPU; that
  // task deletes the mutex before the waiter runs.
  Mutex m{MutexType::kNormal};
  Status r;
  auto waiter = [&] { r = mutex_lock(&m, Ticks{2}); };
  auto ctl = [&] {
    KCHECK(mutex_lock(&m).ok());
    spawn("waiter", 3, &waiter);
    task_delay(Ticks{1});
    spend_ticks(3);  // the waiter times out meanwhile
    KCHECK(mutex_delete(&m).ok());
    task_delay(Ticks{1});
  };
  spawn("ctl", 10, &ctl);
  scheduler_start();
  KCHECK(failed_with(r, Errc::kNotFound, "mutex: deleted while waiting"));
}
