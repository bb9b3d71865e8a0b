// Semaphore scenarios, run on the host port and inside a guest.
#include "ktest.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/semaphore.h"

using namespace petrel::kernel;
using petrel::Errc;
using petrel::Status;
using petrel::ktest::failed_with;
using petrel::ktest::Log;
using petrel::ktest::same;
using petrel::ktest::spawn;

namespace {

Semaphore* make_counting(uint32_t max, uint32_t initial) {
  auto s = semaphore_create_counting(max, initial);
  KCHECK(s.ok());
  return s.ok() ? *s : nullptr;
}

}  // namespace

KTEST(Semaphore, CreationAndCounts) {
  auto zero = semaphore_create_counting(0, 0);
  KCHECK(!zero.ok() && zero.error().code == Errc::kInvalid);
  auto above = semaphore_create_counting(2, 3);
  KCHECK(!above.ok() && above.error().code == Errc::kOutOfRange);
  KCHECK(same(above.error().message, "semaphore: initial count above the maximum"));
  KCHECK(!semaphore_create_static(nullptr, 1, 0).ok());

  auto binary = semaphore_create_binary();
  KCHECK(binary.ok());
  KCHECK_EQ(semaphore_count(*binary), 0);  // starts empty
  KCHECK_EQ(semaphore_max_count(*binary), 1);
  semaphore_delete(*binary);

  Semaphore* counting = make_counting(5, 3);
  KCHECK_EQ(semaphore_count(counting), 3);
  KCHECK_EQ(semaphore_max_count(counting), 5);
  semaphore_delete(counting);

  static Semaphore blank;  // never initialized
  KCHECK(failed_with(semaphore_take(&blank, kNoWait), Errc::kInvalid,
                     "semaphore: not initialized or deleted"));
  KCHECK(
      failed_with(semaphore_give(&blank), Errc::kInvalid, "semaphore: not initialized or deleted"));
  KCHECK(failed_with(semaphore_give(nullptr), Errc::kInvalid,
                     "semaphore: not initialized or deleted"));
  KCHECK_EQ(semaphore_count(&blank), 0);
}

KTEST(Semaphore, GiveAndTakeWithoutWaiting) {
  Semaphore* s = make_counting(3, 0);
  KCHECK(failed_with(semaphore_take(s, kNoWait), Errc::kBusy, "semaphore: not available"));
  for (int i = 0; i < 3; ++i) KCHECK(semaphore_give(s).ok());
  KCHECK_EQ(semaphore_count(s), 3);
  KCHECK(
      failed_with(semaphore_give(s), Errc::kOutOfRange, "semaphore: already at its maximum count"));
  KCHECK_EQ(semaphore_count(s), 3);  // the failed give changed nothing
  for (int i = 0; i < 3; ++i) KCHECK(semaphore_take(s, Ticks{10}).ok());  // no wait needed
  KCHECK_EQ(semaphore_count(s), 0);
  semaphore_delete(s);

  auto b = semaphore_create_binary();
  KCHECK(b.ok());
  KCHECK(semaphore_give(*b).ok());
  KCHECK(failed_with(semaphore_give(*b), Errc::kOutOfRange,
                     "semaphore: already at its maximum count"));
  KCHECK_EQ(semaphore_count(*b), 1);
  semaphore_delete(*b);
}

KTEST(Semaphore, StaticSemaphoreNeedsNoHeap) {
  static Semaphore storage;
  const size_t allocations = heap_stats().allocations;
  auto s = semaphore_create_static(&storage, 1, 1);
  KCHECK(s.ok() && *s == &storage);
  KCHECK(semaphore_take(&storage, kNoWait).ok());
  KCHECK(semaphore_give(&storage).ok());
  KCHECK_EQ(heap_stats().allocations, allocations);
  semaphore_delete(&storage);
  KCHECK(failed_with(semaphore_take(&storage, kNoWait), Errc::kInvalid,
                     "semaphore: not initialized or deleted"));
}

KTEST(Semaphore, TakeTimesOutAfterExactlyNTicks) {
  Semaphore* s = make_counting(1, 0);
  Status result = petrel::ok();
  Ticks waited{};
  auto t = [&] {
    const Ticks start = tick_count();
    result = semaphore_take(s, Ticks{9});
    waited = tick_count() - start;
  };
  spawn("taker", 2, &t);
  scheduler_start();
  KCHECK(failed_with(result, Errc::kTimeout, "semaphore: timed out"));
  KCHECK_EQ(waited.count, 9);
  KCHECK_EQ(semaphore_count(s), 0);
  semaphore_delete(s);
}

KTEST(Semaphore, TakeWithATimeoutSucceedsWhenGivenInTime) {
  Semaphore* s = make_counting(1, 0);
  Ticks waited{};
  auto t = [&] {
    const Ticks start = tick_count();
    KCHECK(semaphore_take(s, Ticks{50}).ok());
    waited = tick_count() - start;
  };
  auto g = [&] {
    task_delay(Ticks{4});
    KCHECK(semaphore_give(s).ok());
  };
  spawn("taker", 3, &t);
  spawn("giver", 2, &g);
  scheduler_start();
  KCHECK_EQ(waited.count, 4);
  KCHECK_EQ(semaphore_count(s), 0);
  semaphore_delete(s);
}

KTEST(Semaphore, BinarySignallingBetweenTasks) {
  auto made = semaphore_create_binary();
  KCHECK(made.ok());
  Semaphore* s = *made;
  Log log;
  auto waiter = [&] {
    for (int i = 0; i < 3; ++i) {
      KCHECK(semaphore_take(s, kForever).ok());
      log.note("woke");
    }
  };
  auto signaller = [&] {
    for (int i = 0; i < 3; ++i) {
      log.note("give");
      KCHECK(semaphore_give(s).ok());  // the waiter outranks us: it runs at once
      KCHECK_EQ(semaphore_count(s), 0);
    }
  };
  spawn("waiter", 3, &waiter);
  spawn("signaller", 2, &signaller);
  scheduler_start();
  KCHECK_LOG(log, "give woke give woke give woke");
  semaphore_delete(s);
}

KTEST(Semaphore, AGivenUnitCannotBeTakenByAnotherTask) {
  // The waiter has a lower priority than the giver, so it does not run at
  // once; the giver cannot take the unit back meanwhile.
  auto made = semaphore_create_binary();
  KCHECK(made.ok());
  Semaphore* s = *made;
  Log log;
  auto w = [&] {
    KCHECK(semaphore_take(s, kForever).ok());
    log.note("waiter-got-it");
  };
  auto giver = [&] {
    task_delay(Ticks{1});  // the waiter blocks
    KCHECK(semaphore_give(s).ok());
    KCHECK(failed_with(semaphore_take(s, kNoWait), Errc::kBusy, "semaphore: not available"));
    log.note("giver-done");
  };
  spawn("waiter", 2, &w);
  spawn("giver", 3, &giver);
  scheduler_start();
  KCHECK_LOG(log, "giver-done waiter-got-it");
  semaphore_delete(s);
}

KTEST(Semaphore, WaitersWakeByPriorityThenFifo) {
  Semaphore* s = make_counting(10, 0);
  Log log;
  auto taker = [&](const char* name) {
    KCHECK(semaphore_take(s, kForever).ok());
    log.note(name);
  };
  auto low = [&] { taker("low"); };
  auto mid1 = [&] { taker("mid1"); };
  auto mid2 = [&] { taker("mid2"); };
  auto high = [&] { taker("high"); };
  auto giver = [&] {
    spawn("mid1", 3, &mid1);
    spawn("low", 2, &low);
    spawn("high", 5, &high);
    spawn("mid2", 3, &mid2);
    for (int i = 0; i < 4; ++i) KCHECK(semaphore_give(s).ok());
  };
  spawn("giver", 1, &giver);
  scheduler_start();
  KCHECK_LOG(log, "high mid1 mid2 low");
  KCHECK_EQ(semaphore_count(s), 0);
  semaphore_delete(s);
}

KTEST(Semaphore, CountingSemaphoreGuardsAPoolOfResources) {
  constexpr uint32_t kResources = 3;
  Semaphore* s = make_counting(kResources, kResources);
  int in_use = 0, most_in_use = 0, done = 0;
  auto worker = [&] {
    for (int round = 0; round < 3; ++round) {
      KCHECK(semaphore_take(s, kForever).ok());
      ++in_use;
      if (in_use > most_in_use) most_in_use = in_use;
      task_delay(Ticks{1});  // hold the resource for a while
      --in_use;
      KCHECK(semaphore_give(s).ok());
    }
    ++done;
  };
  for (int i = 0; i < 5; ++i) spawn("worker", static_cast<Priority>(1 + i % 3), &worker);
  scheduler_start();
  KCHECK_EQ(done, 5);
  KCHECK_EQ(most_in_use, kResources);
  KCHECK_EQ(semaphore_count(s), kResources);
  semaphore_delete(s);
}

namespace {

// `rounds` round trips between two tasks at one priority: ping gives `a`
// (give_a) and takes `b` (take_b), pong takes `a` (take_a) and gives `b`;
// then ping runs `after`. Checks that both made every round.
template <typename GiveA, typename TakeB, typename TakeA, typename After>
void ping_pong(Semaphore* a, Semaphore* b, int rounds, GiveA give_a, TakeB take_b, TakeA take_a,
               After after) {
  int pings = 0, pongs = 0;
  auto ping = [&] {
    for (int i = 0; i < rounds; ++i) {
      KCHECK(give_a(a));
      KCHECK(take_b(b));
      ++pings;
    }
    after();
  };
  auto pong = [&] {
    for (int i = 0; i < rounds; ++i) {
      KCHECK(take_a(a));
      ++pongs;
      KCHECK(semaphore_give(b).ok());
    }
  };
  spawn("ping", 2, &ping);
  spawn("pong", 2, &pong);
  scheduler_start();
  KCHECK_EQ(pings, rounds);
  KCHECK_EQ(pongs, rounds);
}

}  // namespace

KTEST(Semaphore, PingPongBetweenTwoTasks) {
  auto a = semaphore_create_binary();
  auto b = semaphore_create_binary();
  KCHECK(a.ok() && b.ok());
  ping_pong(
      *a, *b, 200, [](Semaphore* s) { return semaphore_give(s).ok(); },
      [](Semaphore* s) { return semaphore_take(s, kForever).ok(); },
      [](Semaphore* s) { return semaphore_take(s, kForever).ok(); }, [] {});
  semaphore_delete(*a);
  semaphore_delete(*b);
}

// The other forms of the calls (internal/sched.h): the Xen services' take
// with the shared block path, and the pass/fail forms of the FreeRTOS
// layer's fast paths. The same semantics: what fails at once, a wait that
// times out after its ticks, and a ping-pong where every give wakes the
// other task's wait.
KTEST(Semaphore, TheCompactAndPassFailFormsBehaveAsTakeAndGive) {
  Semaphore* s = make_counting(2, 0);
  KCHECK(failed_with(semaphore_take_compact(s, kNoWait), Errc::kBusy, "semaphore: not available"));
  KCHECK(!semaphore_take_passed(s, kNoWait));
  KCHECK(semaphore_give_passed(s) && semaphore_give_passed(s));
  KCHECK(!semaphore_give_passed(s));  // at its maximum
  KCHECK_EQ(semaphore_count(s), 2);
  KCHECK(semaphore_take_compact(s, kNoWait).ok() && semaphore_take_passed(s, kNoWait));
  KCHECK_EQ(semaphore_count(s), 0);
  static Semaphore blank;  // never initialized
  KCHECK(!semaphore_give_passed(&blank) && !semaphore_take_passed(&blank, kNoWait));
  KCHECK(failed_with(semaphore_take_compact(&blank, kNoWait), Errc::kInvalid,
                     "semaphore: not initialized or deleted"));

  auto a = semaphore_create_binary();
  auto b = semaphore_create_binary();
  KCHECK(a.ok() && b.ok());
  Status timed_out = petrel::ok();
  Ticks waited{};
  bool passed_timed_out = true;
  auto timeouts = [&] {
    const Ticks start = tick_count();
    timed_out = semaphore_take_compact(*b, Ticks{5});
    waited = tick_count() - start;
    passed_timed_out = semaphore_take_passed(*b, Ticks{3});
  };
  ping_pong(
      *a, *b, 100, [](Semaphore* x) { return semaphore_give_passed(x); },
      [](Semaphore* x) { return semaphore_take_compact(x, kForever).ok(); },
      [](Semaphore* x) { return semaphore_take_passed(x, kForever); }, timeouts);
  KCHECK(failed_with(timed_out, Errc::kTimeout, "semaphore: timed out"));
  KCHECK_EQ(waited.count, 5);
  KCHECK(!passed_timed_out);
  semaphore_delete(*a);
  semaphore_delete(*b);
  semaphore_delete(s);
}

KTEST(Semaphore, DeletingAWaitingTaskLeavesTheSemaphoreUsable) {
  auto made = semaphore_create_binary();
  KCHECK(made.ok());
  Semaphore* s = *made;
  bool returned = false;
  auto w = [&] {
    (void)semaphore_take(s, kForever);
    returned = true;
  };
  auto ctl = [&] {
    Task* waiter = spawn("waiter", 3, &w);
    task_delete(waiter);
    KCHECK(semaphore_give(s).ok());  // counted, not handed to the dead task
    KCHECK_EQ(semaphore_count(s), 1);
    KCHECK(semaphore_take(s, kNoWait).ok());
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK(!returned);
  semaphore_delete(s);
}

KTEST(Semaphore, DeletingASemaphoreFailsItsWaitersAndFreesIt) {
  const size_t before = heap_stats().free;
  Semaphore* s = make_counting(2, 0);
  Status first = petrel::ok(), second = petrel::ok();
  Log log;
  auto t1 = [&] {
    first = semaphore_take(s, kForever);
    log.note("t1");
  };
  auto t2 = [&] {
    second = semaphore_take(s, Ticks{500});
    log.note("t2");
  };
  auto ctl = [&] {
    spawn("t1", 3, &t1);
    spawn("t2", 4, &t2);
    log.note("delete");
    semaphore_delete(s);
    log.note("ctl-done");
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK_LOG(log, "delete t2 t1 ctl-done");
  KCHECK(failed_with(first, Errc::kNotFound, "semaphore: deleted while waiting"));
  KCHECK(failed_with(second, Errc::kNotFound, "semaphore: deleted while waiting"));
  KCHECK_EQ(heap_stats().free, before);
}

KTEST(Semaphore, AbortedWaitFails) {
  auto made = semaphore_create_binary();
  KCHECK(made.ok());
  Semaphore* s = *made;
  Status result = petrel::ok();
  auto t = [&] { result = semaphore_take(s, kForever); };
  auto ctl = [&] {
    Task* taker = spawn("taker", 3, &t);
    KCHECK(task_abort_delay(taker));
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK(failed_with(result, Errc::kTimeout, "semaphore: wait aborted"));
  KCHECK_EQ(semaphore_count(s), 0);
  semaphore_delete(s);
}

KTEST(Semaphore, DeletedAfterAWaiterTimedOutButBeforeItRan) {
  // L times out in the same timer interrupt in which H wakes; H (higher)
  // runs first, deletes the semaphore and reuses the memory. L must not
  // touch the new object.
  Semaphore* s = make_counting(1, 0);
  Semaphore* reused = nullptr;
  bool deleted_error = false;
  auto low = [&] {
    deleted_error = failed_with(semaphore_take(s, Ticks{5}), Errc::kNotFound,
                                "semaphore: deleted while waiting");
  };
  auto high = [&] {
    task_delay(Ticks{5});
    semaphore_delete(s);
    reused = make_counting(10, 10);
  };
  spawn("low", 1, &low);
  spawn("high", 2, &high);
  scheduler_start();
  KCHECK(deleted_error);
  KCHECK_EQ(semaphore_count(reused), 10);
  semaphore_delete(reused);
}

KTEST(Semaphore, AGiveToATakerDeletedBeforeItRanIsNotLost) {
  Semaphore* s = make_counting(1, 0);
  Task* taker = nullptr;
  auto t = [&] { (void)semaphore_take(s, kForever); };
  auto ctl = [&] {
    taker = spawn("taker", 1, &t);
    task_delay(Ticks{1});            // the taker blocks
    KCHECK(semaphore_give(s).ok());  // handed to the taker, which cannot run yet
    task_delete(taker);
    KCHECK_EQ(semaphore_count(s), 1);  // the unit came back
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  semaphore_delete(s);
}
