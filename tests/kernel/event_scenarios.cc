// Event group scenarios, run on the host port and inside a guest. ISR
// variants are in tests/unit/event_host_test.cc.
#include "ktest.h"
#include "petrel/kernel/event_group.h"
#include "petrel/kernel/heap.h"

using namespace petrel::kernel;
using petrel::Errc;
using petrel::ktest::Log;
using petrel::ktest::spawn;

namespace {

Errc code_of(const petrel::Result<EventBits>& r) {
  return r.ok() ? Errc{} : r.error().code;
}

}  // namespace

KTEST(EventGroup, CreateSetClearGetDelete) {
  const size_t free_before = heap_stats().free;
  auto g = event_group_create();
  KCHECK(g.ok());
  KCHECK(heap_stats().free < free_before);
  EventGroup* eg = *g;
  KCHECK_EQ(event_group_get_bits(eg), 0);
  KCHECK_EQ(event_group_set_bits(eg, 0x5).value_or(99), 0x5);
  KCHECK_EQ(event_group_set_bits(eg, 0x800000).value_or(99), 0x800005);
  KCHECK_EQ(event_group_get_bits(eg), 0x800005);
  KCHECK_EQ(event_group_clear_bits(eg, 0x4).value_or(99), 0x800005);  // the value before
  KCHECK_EQ(event_group_get_bits(eg), 0x800001);
  KCHECK_EQ(event_group_clear_bits(eg, 0).value_or(99), 0x800001);
  KCHECK_EQ(event_group_set_bits(eg, 0).value_or(99), 0x800001);
  event_group_delete(eg);
  KCHECK_EQ(heap_stats().free, free_before);
}

KTEST(EventGroup, StaticGroupsNeedNoHeap) {
  constinit static EventGroup ready_made;  // usable without any init call
  static EventGroup storage;
  const size_t allocations = heap_stats().allocations;
  KCHECK(event_group_init(&storage).ok());
  KCHECK(event_group_set_bits(&storage, 0x3).ok());
  KCHECK(event_group_set_bits(&ready_made, 0x10).ok());
  KCHECK_EQ(event_group_get_bits(&storage), 0x3);
  KCHECK_EQ(event_group_get_bits(&ready_made), 0x10);
  // A deleted static group refuses every call until it is initialised again.
  event_group_delete(&storage);
  event_group_delete(&storage);  // a second delete is ignored
  KCHECK(code_of(event_group_set_bits(&storage, 1)) == Errc::kInvalid);
  KCHECK(code_of(event_group_clear_bits(&storage, 1)) == Errc::kInvalid);
  KCHECK(code_of(event_group_wait_bits(&storage, 1, kEventWaitAny, kNoWait)) == Errc::kInvalid);
  KCHECK(code_of(event_group_sync(&storage, 1, 1, kNoWait)) == Errc::kInvalid);
  KCHECK_EQ(event_group_get_bits(&storage), 0);
  KCHECK(event_group_init(&storage).ok());
  KCHECK_EQ(event_group_get_bits(&storage), 0);
  KCHECK(event_group_set_bits(&storage, 1).ok());
  KCHECK_EQ(heap_stats().allocations, allocations);
  event_group_delete(&ready_made);
  KCHECK(event_group_init(&ready_made).ok());
}

KTEST(EventGroup, ArgumentErrors) {
  EventGroup g;
  // The top 8 bits are reserved.
  KCHECK(code_of(event_group_set_bits(&g, 0x01000000)) == Errc::kInvalid);
  KCHECK(code_of(event_group_clear_bits(&g, 0x80000000)) == Errc::kInvalid);
  KCHECK(code_of(event_group_wait_bits(&g, 0x01000001, kEventWaitAny, kNoWait)) == Errc::kInvalid);
  KCHECK(code_of(event_group_sync(&g, 0x02000000, 1, kNoWait)) == Errc::kInvalid);
  KCHECK(code_of(event_group_sync(&g, 1, 0x04000000, kNoWait)) == Errc::kInvalid);
  KCHECK_EQ(event_group_get_bits(&g), 0);  // nothing was set by a refused call
  // Waiting for nothing, unknown flags, no group.
  KCHECK(code_of(event_group_wait_bits(&g, 0, kEventWaitAll, kNoWait)) == Errc::kInvalid);
  KCHECK(code_of(event_group_sync(&g, 1, 0, kNoWait)) == Errc::kInvalid);
  KCHECK(code_of(event_group_wait_bits(&g, 1, 4, kNoWait)) == Errc::kInvalid);
  KCHECK(code_of(event_group_set_bits(nullptr, 1)) == Errc::kInvalid);
  KCHECK(code_of(event_group_clear_bits(nullptr, 1)) == Errc::kInvalid);
  KCHECK(code_of(event_group_wait_bits(nullptr, 1, kEventWaitAny, kNoWait)) == Errc::kInvalid);
  KCHECK(code_of(event_group_sync(nullptr, 1, 1, kNoWait)) == Errc::kInvalid);
  KCHECK(!event_group_init(nullptr).ok());
  KCHECK_EQ(event_group_get_bits(nullptr), 0);
  event_group_delete(nullptr);  // ignored
  // Waiting with no running task (before the scheduler starts).
  KCHECK(code_of(event_group_wait_bits(&g, 1, kEventWaitAny, Ticks{5})) == Errc::kInvalid);
}

KTEST(EventGroup, ConditionAlreadyMetReturnsAtOnce) {
  EventGroup g;
  (void)event_group_set_bits(&g, 0x6);
  EventBits out = 0;
  // No task needed: nothing blocks.
  KCHECK_EQ(event_group_wait_bits(&g, 0x3, kEventWaitAny, kNoWait, &out).value_or(0), 0x6);
  KCHECK_EQ(out, 0x6);
  KCHECK_EQ(event_group_wait_bits(&g, 0x6, kEventWaitAll, kNoWait).value_or(0), 0x6);
  KCHECK_EQ(event_group_get_bits(&g), 0x6);  // no clear-on-exit: unchanged
  auto r = event_group_wait_bits(&g, 0x3, kEventWaitAll, kNoWait, &out);
  KCHECK(code_of(r) == Errc::kTimeout);  // kNoWait: just a test
  KCHECK_EQ(out, 0x6);                   // the value at the "timeout"
}

KTEST(EventGroup, ClearOnExitClearsOnlyTheAwaitedBits) {
  EventGroup g;
  (void)event_group_set_bits(&g, 0x7);
  // Any of 0x9: 0x1 is set; 0x9 is cleared; the value before clearing is returned.
  KCHECK_EQ(event_group_wait_bits(&g, 0x9, kEventWaitAny | kEventClearOnExit, kNoWait).value_or(0),
            0x7);
  KCHECK_EQ(event_group_get_bits(&g), 0x6);
  KCHECK_EQ(event_group_wait_bits(&g, 0x6, kEventWaitAll | kEventClearOnExit, kNoWait).value_or(0),
            0x6);
  KCHECK_EQ(event_group_get_bits(&g), 0);
  // Not met: nothing cleared.
  (void)event_group_set_bits(&g, 0x1);
  KCHECK(code_of(event_group_wait_bits(&g, 0x3, kEventWaitAll | kEventClearOnExit, kNoWait)) ==
         Errc::kTimeout);
  KCHECK_EQ(event_group_get_bits(&g), 0x1);
}

KTEST(EventGroup, WaitAnyBlocksUntilABitIsSet) {
  EventGroup g;
  Log log;
  Ticks start{}, woke{}, set_at{};
  auto waiter = [&] {
    start = tick_count();
    auto r = event_group_wait_bits(&g, 0x3, kEventWaitAny | kEventClearOnExit, kForever);
    woke = tick_count();
    log.note_number("waiter", r.value_or(999));
  };
  auto setter = [&] {
    task_delay(Ticks{3});
    (void)event_group_set_bits(&g, 0x4);  // not awaited
    log.note("set4");
    task_delay(Ticks{2});
    set_at = tick_count();
    auto r = event_group_set_bits(&g, 0x6);  // 0x2 is: the waiter preempts at once
    log.note_number("setter", r.value_or(999));
  };
  spawn("waiter", 3, &waiter);
  spawn("setter", 2, &setter);
  scheduler_start();
  KCHECK_LOG(log, "set4 waiter=6 setter=4");  // waiter saw 0x6, cleared 0x2
  // Woken by the set, at once, not before: the setter's 5 ticks started
  // after the waiter's `start`, in that tick or (at a tick boundary) the next.
  KCHECK_EQ(woke.count, set_at.count);
  KCHECK((woke - start).count == 5 || (woke - start).count == 6);
  KCHECK_EQ(event_group_get_bits(&g), 0x4);
}

KTEST(EventGroup, WaitAllNeedsEveryBit) {
  EventGroup g;
  Log log;
  Task* w = nullptr;
  auto waiter = [&] {
    auto r = event_group_wait_bits(&g, 0x5, kEventWaitAll, kForever);
    log.note_number("waiter", r.value_or(999));
  };
  auto setter = [&] {
    (void)event_group_set_bits(&g, 0x1);
    KCHECK(task_state(w) == TaskState::kBlocked);
    (void)event_group_set_bits(&g, 0x2);
    KCHECK(task_state(w) == TaskState::kBlocked);
    log.note("partial");
    (void)event_group_set_bits(&g, 0x4);
    log.note("setter");
  };
  w = spawn("waiter", 3, &waiter);
  spawn("setter", 2, &setter);
  scheduler_start();
  KCHECK_LOG(log, "partial waiter=7 setter");
  KCHECK_EQ(event_group_get_bits(&g), 0x7);  // no clear-on-exit
}

KTEST(EventGroup, WaitAnyTimesOutAfterExactlyNTicks) {
  EventGroup g;
  (void)event_group_set_bits(&g, 0x10);  // set, but not awaited
  Ticks elapsed{};
  EventBits out = 0;
  Errc code{};
  auto waiter = [&] {
    const Ticks start = tick_count();
    code = code_of(event_group_wait_bits(&g, 0x3, kEventWaitAny, Ticks{10}, &out));
    elapsed = tick_count() - start;
  };
  spawn("waiter", 2, &waiter);
  scheduler_start();
  KCHECK(code == Errc::kTimeout);
  KCHECK_EQ(elapsed.count, 10);
  KCHECK_EQ(out, 0x10);  // the value at the timeout
}

KTEST(EventGroup, WaitAllTimesOutWithPartialBitsUncleared) {
  EventGroup g;
  Ticks elapsed{};
  EventBits out = 0;
  Errc code{};
  auto waiter = [&] {
    const Ticks start = tick_count();
    code =
        code_of(event_group_wait_bits(&g, 0x3, kEventWaitAll | kEventClearOnExit, Ticks{7}, &out));
    elapsed = tick_count() - start;
  };
  auto setter = [&] {
    task_delay(Ticks{2});
    (void)event_group_set_bits(&g, 0x1);  // half of it
  };
  spawn("waiter", 3, &waiter);
  spawn("setter", 2, &setter);
  scheduler_start();
  KCHECK(code == Errc::kTimeout);
  KCHECK_EQ(elapsed.count, 7);
  KCHECK_EQ(out, 0x1);
  KCHECK_EQ(event_group_get_bits(&g), 0x1);  // not cleared: the condition was not met
}

KTEST(EventGroup, OneSetWakesEverySatisfiedWaiterInPriorityOrder) {
  // Each waiter's condition is judged against the same value (0x3), even
  // though the first one woken clears 0x1 on exit.
  EventGroup g;
  Log log;
  Task* c_task = nullptr;
  auto a = [&] {  // any 0x1, clear
    auto r = event_group_wait_bits(&g, 0x1, kEventWaitAny | kEventClearOnExit, kForever);
    log.note_number("a", r.value_or(999));
  };
  auto b = [&] {  // all 0x3
    auto r = event_group_wait_bits(&g, 0x3, kEventWaitAll, kForever);
    log.note_number("b", r.value_or(999));
  };
  auto c = [&] {  // all 0x5: not met by 0x3
    auto r = event_group_wait_bits(&g, 0x5, kEventWaitAll, kForever);
    log.note_number("c", r.value_or(999));
  };
  auto d = [&] {  // any 0x2
    auto r = event_group_wait_bits(&g, 0x2, kEventWaitAny, kForever);
    log.note_number("d", r.value_or(999));
  };
  auto setter = [&] {
    auto r = event_group_set_bits(&g, 0x3);
    log.note_number("set", r.value_or(999));  // 0x1 cleared by a's clear-on-exit
    KCHECK(task_state(c_task) == TaskState::kBlocked);
    (void)event_group_set_bits(&g, 0x4);  // 0x6: c still needs 0x1
    KCHECK(task_state(c_task) == TaskState::kBlocked);
    (void)event_group_set_bits(&g, 0x1);
    log.note("end");
  };
  spawn("d", 2, &d);
  spawn("b", 4, &b);
  c_task = spawn("c", 6, &c);
  spawn("a", 5, &a);
  spawn("setter", 1, &setter);
  scheduler_start();
  KCHECK_LOG(log, "a=3 b=3 d=3 set=2 c=7 end");
}

KTEST(EventGroup, EqualPriorityWaitersWakeInArrivalOrder) {
  EventGroup g;
  Log log;
  auto make = [&](const char* name) {
    return [&log, &g, name] {
      (void)event_group_wait_bits(&g, 0x1, kEventWaitAny, kForever);
      log.note(name);
    };
  };
  auto first = make("first");
  auto second = make("second");
  auto third = make("third");
  auto high = make("high");
  auto setter = [&] { (void)event_group_set_bits(&g, 0x1); };
  spawn("first", 2, &first);
  spawn("second", 2, &second);
  spawn("high", 3, &high);
  spawn("third", 2, &third);
  spawn("setter", 1, &setter);
  scheduler_start();
  KCHECK_LOG(log, "high first second third");
}

KTEST(EventGroup, SyncRendezvousOfThreeTasks) {
  EventGroup g;
  Log log;
  EventBits seen[3][2] = {};
  Ticks left_at[3][2] = {};
  Ticks start{};
  auto party = [&](int i, Ticks work) {
    for (int round = 0; round < 2; ++round) {
      task_delay(work);  // arrive at different times
      auto r = event_group_sync(&g, EventBits{1} << i, 0x7, kForever);
      seen[i][round] = r.value_or(999);
      left_at[i][round] = tick_count() - start;
    }
  };
  auto p0 = [&] { party(0, Ticks{2}); };
  auto p1 = [&] { party(1, Ticks{5}); };
  auto p2 = [&] { party(2, Ticks{3}); };
  start = tick_count();
  spawn("p0", 2, &p0);
  spawn("p1", 3, &p1);
  spawn("p2", 4, &p2);
  scheduler_start();
  for (int i = 0; i < 3; ++i) {
    KCHECK_EQ(seen[i][0], 0x7);  // everyone sees the same value
    KCHECK_EQ(seen[i][1], 0x7);
    KCHECK_EQ(left_at[i][0].count, 5);   // released when the last (p1) arrives
    KCHECK_EQ(left_at[i][1].count, 10);  // round 2: p1 again, 5 ticks later
  }
  KCHECK_EQ(event_group_get_bits(&g), 0);  // the rendezvous bits were cleared
}

KTEST(EventGroup, SyncTimeoutLeavesOwnBitSet) {
  EventGroup g;
  EventBits out = 0;
  Errc code{};
  Ticks elapsed{};
  auto lonely = [&] {
    const Ticks start = tick_count();
    code = code_of(event_group_sync(&g, 0x1, 0x3, Ticks{4}, &out));
    elapsed = tick_count() - start;
  };
  spawn("lonely", 2, &lonely);
  scheduler_start();
  KCHECK(code == Errc::kTimeout);
  KCHECK_EQ(elapsed.count, 4);
  KCHECK_EQ(out, 0x1);
  KCHECK_EQ(event_group_get_bits(&g), 0x1);
  // Completing it without waiting: returns the full value, clears the set.
  KCHECK_EQ(event_group_sync(&g, 0x2, 0x3, kNoWait).value_or(0), 0x3);
  KCHECK_EQ(event_group_get_bits(&g), 0);
}

KTEST(EventGroup, DeletingTheGroupAbortsItsWaiters) {
  const size_t free_before = heap_stats().free;
  EventGroup* g = event_group_create().value_or(nullptr);
  KCHECK(g != nullptr);
  Log log;
  EventBits wait_out = 0, sync_out = 0;
  auto waiter = [&] {
    auto r = event_group_wait_bits(g, 0x8, kEventWaitAll, kForever, &wait_out);
    log.note(code_of(r) == Errc::kNotFound ? "waiter-aborted" : "waiter-wrong");
  };
  auto syncer = [&] {
    auto r = event_group_sync(g, 0x2, 0x6, Ticks{1000}, &sync_out);
    log.note(code_of(r) == Errc::kNotFound ? "syncer-aborted" : "syncer-wrong");
  };
  auto deleter = [&] {
    task_delay(Ticks{3});
    (void)event_group_set_bits(g, 0x1);
    event_group_delete(g);
    log.note("deleted");
  };
  spawn("waiter", 4, &waiter);
  spawn("syncer", 3, &syncer);
  spawn("deleter", 2, &deleter);
  scheduler_start();
  KCHECK_LOG(log, "waiter-aborted syncer-aborted deleted");
  KCHECK_EQ(wait_out, 0x3);  // the value at deletion
  KCHECK_EQ(sync_out, 0x3);
  KCHECK_EQ(heap_stats().free, free_before);
}

KTEST(EventGroup, DeletingAWaitingTaskLeavesTheGroupUsable) {
  EventGroup g;
  Log log;
  auto victim = [&] {
    (void)event_group_wait_bits(&g, 0x1, kEventWaitAny, kForever);
    log.note("victim-must-not-run");
  };
  auto other = [&] {
    auto r = event_group_wait_bits(&g, 0x1, kEventWaitAny | kEventClearOnExit, Ticks{50});
    log.note_number("other", r.value_or(999));
  };
  auto ctl = [&] {
    Task* v = spawn("victim", 4, &victim);
    spawn("other", 3, &other);
    task_delete(v);
    task_delay(Ticks{2});
    (void)event_group_set_bits(&g, 0x1);
    log.note("ctl");
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK_LOG(log, "other=1 ctl");
  KCHECK_EQ(event_group_get_bits(&g), 0);
}

KTEST(EventGroup, AbortDelayEndsTheWaitAsATimeout) {
  EventGroup g;
  Errc code{};
  Ticks elapsed{};
  EventBits out = 99;
  auto waiter = [&] {
    const Ticks start = tick_count();
    code = code_of(event_group_wait_bits(&g, 0x1, kEventWaitAny, kForever, &out));
    elapsed = tick_count() - start;
  };
  auto ctl = [&] {
    Task* w = spawn("waiter", 3, &waiter);
    task_delay(Ticks{6});
    (void)event_group_set_bits(&g, 0x2);
    KCHECK(task_abort_delay(w));
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK(code == Errc::kTimeout);
  KCHECK_EQ(elapsed.count, 6);
  KCHECK_EQ(out, 0x2);
}

KTEST(EventGroup, BitsSetAfterTheTimeoutButBeforeTheWaiterRunsCount) {
  // The waiter's timeout passes while a higher-priority task runs; that task
  // then sets the bits. The waiter, running later, finds its condition met.
  EventGroup g;
  Errc code = Errc::kIo;
  EventBits got = 0;
  auto waiter = [&] {
    auto r = event_group_wait_bits(&g, 0x1, kEventWaitAny | kEventClearOnExit, Ticks{2});
    code = r.ok() ? Errc{} : r.error().code;
    got = r.value_or(0);
  };
  auto busy = [&] {
    task_delay(Ticks{1});
    petrel::ktest::spend(3 * petrel::ktest::counter_per_tick());  // past the waiter's timeout
    (void)event_group_set_bits(&g, 0x1);
  };
  spawn("waiter", 2, &waiter);
  spawn("busy", 3, &busy);
  scheduler_start();
  KCHECK(code == Errc{});
  KCHECK_EQ(got, 0x1);
  KCHECK_EQ(event_group_get_bits(&g), 0);  // cleared on exit
}

KTEST(EventGroup, ARaisedPriorityWaiterIsWokenFirst) {
  EventGroup g;
  Log log;
  auto a = [&] {
    (void)event_group_wait_bits(&g, 0x1, kEventWaitAny, kForever);
    log.note("a");
  };
  auto b = [&] {
    (void)event_group_wait_bits(&g, 0x1, kEventWaitAny, kForever);
    log.note("b");
  };
  auto ctl = [&] {
    spawn("a", 3, &a);
    Task* tb = spawn("b", 3, &b);
    task_set_priority(tb, 4);  // while it waits
    (void)event_group_set_bits(&g, 0x1);
    log.note("ctl");
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK_LOG(log, "b a ctl");
}

KTEST(EventGroup, DeletedAfterAWaiterTimedOutButBeforeItRan) {
  EventGroup* g = *event_group_create();
  bool deleted_error = false;
  auto low = [&] {
    auto r = event_group_wait_bits(g, 0x1, kEventWaitAny, Ticks{5});
    deleted_error = !r.ok() && r.error().code == petrel::Errc::kNotFound;
  };
  auto high = [&] {
    task_delay(Ticks{5});
    event_group_delete(g);
  };
  spawn("low", 1, &low);
  spawn("high", 2, &high);
  scheduler_start();
  KCHECK(deleted_error);
}
