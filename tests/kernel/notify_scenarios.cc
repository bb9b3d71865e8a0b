// Task notification scenarios, run on the host port and inside a guest.
// ISR variants are in tests/unit/event_host_test.cc.
#include "ktest.h"
#include "petrel/kernel/notify.h"

using namespace petrel::kernel;
using petrel::Errc;
using petrel::ktest::Log;
using petrel::ktest::spawn;

namespace {

Errc code_of(const petrel::Status& s) {
  return s.ok() ? Errc{} : s.error().code;
}
template <typename T>
Errc code_of(const petrel::Result<T>& r) {
  return r.ok() ? Errc{} : r.error().code;
}

}  // namespace

KTEST(Notify, BinarySemaphore) {
  // Gives pile up while the taker is busy; clear_on_exit takes them all at once.
  Log log;
  Task* taker = nullptr;
  auto take = [&] {
    for (int i = 0; i < 2; ++i) {
      auto r = notify_take(0, true, kForever);
      log.note_number("took", r.value_or(999));
    }
    KCHECK(code_of(notify_take(0, true, kNoWait)) == Errc::kTimeout);
  };
  auto give = [&] {
    KCHECK(notify_give(taker, 0).ok());  // the taker (higher) runs at once
    log.note("gave1");
    KCHECK(notify_give(taker, 0).ok());  // taker blocked again: runs at once
    log.note("gave2");
  };
  taker = spawn("taker", 3, &take);
  spawn("giver", 2, &give);
  scheduler_start();
  KCHECK_LOG(log, "took=1 gave1 took=1 gave2");
}

KTEST(Notify, BinarySemaphoreCollapsesGives) {
  uint32_t took = 0;
  auto take = [&] {
    took = notify_take(0, true, kForever).value_or(0);
    KCHECK_EQ(task_current()->notify_value[0], 0);
  };
  auto give = [&] {
    Task* t = spawn("taker", 1, &take);  // lower: does not run until we block
    for (int i = 0; i < 3; ++i) KCHECK(notify_give(t, 0).ok());
  };
  spawn("giver", 2, &give);
  scheduler_start();
  KCHECK_EQ(took, 3);  // the count before clearing
}

KTEST(Notify, CountingSemaphore) {
  Log log;
  auto take = [&] {
    for (int i = 0; i < 3; ++i) log.note_number("took", notify_take(0, false, kNoWait).value_or(0));
    auto r = notify_take(0, false, kNoWait);
    KCHECK(code_of(r) == Errc::kTimeout);
    KCHECK_EQ(r.value_or(0), 0);  // ulTaskNotifyTake's 0
  };
  auto give = [&] {
    Task* t = spawn("taker", 1, &take);
    for (int i = 0; i < 3; ++i) KCHECK(notify_give(t, 0).ok());
  };
  spawn("giver", 2, &give);
  scheduler_start();
  KCHECK_LOG(log, "took=3 took=2 took=1");  // the value before each decrement
}

KTEST(Notify, TakeTimesOutAfterExactlyNTicksWithZero) {
  Ticks elapsed{};
  uint32_t got = 99;
  Errc code{};
  auto t = [&] {
    const Ticks start = tick_count();
    auto r = notify_take(0, false, Ticks{10});
    elapsed = tick_count() - start;
    code = code_of(r);
    got = r.value_or(0);
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(code == Errc::kTimeout);
  KCHECK_EQ(got, 0);
  KCHECK_EQ(elapsed.count, 10);
}

KTEST(Notify, TakeBlocksUntilAGiveAndPreempts) {
  Log log;
  Ticks woke{};
  Task* taker = nullptr;
  auto take = [&] {
    const Ticks start = tick_count();
    log.note_number("took", notify_take(1, false, Ticks{100}).value_or(0));
    woke = tick_count() - start;
  };
  auto give = [&] {
    task_delay(Ticks{4});
    log.note("giving");
    KCHECK(notify_give(taker, 1).ok());
    log.note("given");
  };
  taker = spawn("taker", 3, &take);
  spawn("giver", 2, &give);
  scheduler_start();
  KCHECK_LOG(log, "giving took=1 given");
  KCHECK_EQ(woke.count, 4);
}

KTEST(Notify, ANotifyThatLeavesZeroDoesNotEndATake) {
  Ticks elapsed{};
  Errc code{};
  Task* taker = nullptr;
  auto take = [&] {
    const Ticks start = tick_count();
    code = code_of(notify_take(0, false, Ticks{8}));
    elapsed = tick_count() - start;
  };
  auto poke = [&] {
    task_delay(Ticks{3});
    KCHECK(notify(taker, 0, 0, NotifyAction::kNone).ok());  // wakes it, value still 0
  };
  taker = spawn("taker", 3, &take);
  spawn("poke", 2, &poke);
  scheduler_start();
  KCHECK(code == Errc::kTimeout);
  KCHECK_EQ(elapsed.count, 8);  // it kept waiting for the rest of the time
}

KTEST(Notify, EventBits) {
  Log log;
  Task* w = nullptr;
  auto waiter = [&] {
    for (int i = 0; i < 2; ++i) {
      uint32_t v = 0;
      KCHECK(notify_wait(0, 0, 0xffffffff, &v, kForever).ok());
      log.note_number("bits", v);
    }
  };
  auto sender = [&] {
    w = spawn("waiter", 1, &waiter);  // lower: both sets land before it runs
    KCHECK(notify(w, 0, 0x1, NotifyAction::kSetBits).ok());
    KCHECK(notify(w, 0, 0x4, NotifyAction::kSetBits).ok());
    task_delay(Ticks{1});  // the waiter takes 0x5 and clears it on exit
    KCHECK(notify(w, 0, 0x8, NotifyAction::kSetBits).ok());
  };
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK_LOG(log, "bits=5 bits=8");
}

KTEST(Notify, ClearOnEntryAndExitMasks) {
  uint32_t first = 0, second = 0, after = 0;
  Task* w = nullptr;
  auto waiter = [&] {
    task_current()->notify_value[0] = 0xff;  // stale bits
    // Clears 0x0f on entry (nothing pending), then waits.
    KCHECK(notify_wait(0, 0x0f, 0x30, &first, kForever).ok());
    after = task_current()->notify_value[0];
    task_delay(Ticks{1});  // the second notification arrives meanwhile
    // A notification is pending already: no clearing on entry.
    KCHECK(notify_wait(0, 0xffffffff, 0, &second, kNoWait).ok());
  };
  auto sender = [&] {
    w = spawn("waiter", 3, &waiter);
    KCHECK(notify(w, 0, 0x100, NotifyAction::kSetBits).ok());  // the waiter runs at once
    KCHECK(notify(w, 0, 0x1, NotifyAction::kSetBits).ok());    // while it sleeps
  };
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK_EQ(first, 0x1f0);   // 0xf0 left after entry clearing, | 0x100
  KCHECK_EQ(after, 0x1c0);   // 0x30 cleared on exit
  KCHECK_EQ(second, 0x1c1);  // the second notify, not cleared on entry
}

KTEST(Notify, WaitTimesOutAfterExactlyNTicks) {
  Ticks elapsed{};
  Errc code{};
  uint32_t v = 0;
  auto t = [&] {
    task_current()->notify_value[2] = 0x3c;
    const Ticks start = tick_count();
    code = code_of(notify_wait(2, 0x0c, 0x30, &v, Ticks{12}));
    elapsed = tick_count() - start;
    KCHECK(task_current()->notify_state[2] == NotifyState::kIdle);
    KCHECK_EQ(task_current()->notify_value[2], 0x30);  // no exit clearing on timeout
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(code == Errc::kTimeout);
  KCHECK_EQ(elapsed.count, 12);
  KCHECK_EQ(v, 0x30);  // the value at the timeout (after entry clearing)
}

KTEST(Notify, MailboxOverwrite) {
  uint32_t got = 0;
  auto waiter = [&] { KCHECK(notify_wait(0, 0, 0, &got, kForever).ok()); };
  auto sender = [&] {
    Task* w = spawn("waiter", 1, &waiter);
    KCHECK(notify(w, 0, 11, NotifyAction::kSetValueOverwrite).ok());
    KCHECK(notify(w, 0, 22, NotifyAction::kSetValueOverwrite).ok());  // replaces 11
  };
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK_EQ(got, 22);
}

KTEST(Notify, MailboxWithoutOverwrite) {
  Log log;
  Task* w = nullptr;
  auto waiter = [&] {
    uint32_t v = 0;
    KCHECK(notify_wait(0, 0, 0, &v, kForever).ok());
    log.note_number("got", v);
    KCHECK(notify_wait(0, 0, 0, &v, kForever).ok());
    log.note_number("got", v);
  };
  auto sender = [&] {
    w = spawn("waiter", 1, &waiter);
    KCHECK(notify(w, 0, 11, NotifyAction::kSetValueNoOverwrite).ok());
    uint32_t previous = 0;
    auto s = notify_and_query(w, 0, 22, NotifyAction::kSetValueNoOverwrite, &previous);
    KCHECK(code_of(s) == Errc::kBusy);  // 11 is still unread
    KCHECK_EQ(previous, 11);
    task_delay(Ticks{1});  // the waiter reads 11 and waits again
    KCHECK(notify(w, 0, 33, NotifyAction::kSetValueNoOverwrite).ok());
  };
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK_LOG(log, "got=11 got=33");
}

KTEST(Notify, NotifyAndQueryReportsThePreviousValue) {
  Log log;
  auto idle_target = [&] { task_suspend(nullptr); };
  auto ctl = [&] {
    Task* t = spawn("target", 1, &idle_target);
    uint32_t prev = 99;
    KCHECK(notify_and_query(t, 1, 0x3, NotifyAction::kSetBits, &prev).ok());
    log.note_number("prev", prev);
    KCHECK(notify_and_query(t, 1, 0, NotifyAction::kIncrement, &prev).ok());
    log.note_number("prev", prev);
    KCHECK(notify_and_query(t, 1, 50, NotifyAction::kSetValueOverwrite, &prev).ok());
    log.note_number("prev", prev);
    KCHECK(notify_and_query(t, 1, 7, NotifyAction::kNone, &prev).ok());
    log.note_number("prev", prev);
    KCHECK(notify_and_query(t, 1, 7, NotifyAction::kNone, nullptr).ok());
    log.note_number("now", t->notify_value[1]);
    KCHECK(t->notify_state[1] == NotifyState::kPending);
    KCHECK(t->notify_state[0] == NotifyState::kIdle);  // other indices untouched
    task_delete(t);
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK_LOG(log, "prev=0 prev=3 prev=4 prev=50 now=50");
}

KTEST(Notify, IndicesAreIndependent) {
  // A task blocked on index 1 is not woken by a notification on index 0.
  Log log;
  Task* w = nullptr;
  auto waiter = [&] {
    uint32_t v = 0;
    KCHECK(notify_wait(1, 0, 0, &v, kForever).ok());
    log.note_number("index1", v);
    auto cleared = notify_state_clear(nullptr, 0);  // index 0 is still pending
    KCHECK(cleared.ok() && *cleared);
    KCHECK_EQ(task_current()->notify_value[0], 5);
  };
  auto sender = [&] {
    w = spawn("waiter", 3, &waiter);
    KCHECK(notify(w, 0, 5, NotifyAction::kSetValueOverwrite).ok());
    KCHECK(task_state(w) == TaskState::kBlocked);
    log.note("index0-sent");
    task_delay(Ticks{2});
    KCHECK(task_state(w) == TaskState::kBlocked);
    KCHECK(notify(w, 1, 9, NotifyAction::kSetValueOverwrite).ok());
    log.note("index1-sent");
  };
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK_LOG(log, "index0-sent index1=9 index1-sent");
}

KTEST(Notify, NotifyWakesOnlyAHigherPriorityTaskAtOnce) {
  Log log;
  auto make = [&](const char* name) {
    return [&log, name] {
      KCHECK(notify_wait(0, 0, 0, nullptr, kForever).ok());
      log.note(name);
    };
  };
  auto high = make("high");
  auto low = make("low");
  auto sender = [&] {
    Task* h = spawn("high", 3, &high);
    Task* l = spawn("low", 1, &low);
    task_delay(Ticks{1});  // let both block (low runs while we sleep)
    KCHECK(notify(l, 0, 0, NotifyAction::kNone).ok());
    log.note("sent-low");
    KCHECK(notify(h, 0, 0, NotifyAction::kNone).ok());
    log.note("sent-high");
  };
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK_LOG(log, "sent-low high sent-high low");
}

KTEST(Notify, NotifySelfAndNoWaitPolls) {
  bool first_poll_timed_out = false, second = false;
  auto t = [&] {
    first_poll_timed_out = code_of(notify_wait(0, 0, 0, nullptr, kNoWait)) == Errc::kTimeout;
    KCHECK(notify(task_current(), 0, 1, NotifyAction::kSetBits).ok());
    second = notify_wait(0, 0, 0, nullptr, kNoWait).ok();
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(first_poll_timed_out);
  KCHECK(second);
}

KTEST(Notify, StateAndValueClear) {
  auto t = [&] {
    Task* me = task_current();
    auto r = notify_state_clear(nullptr, 0);
    KCHECK(r.ok() && !*r);  // nothing pending
    KCHECK(notify(me, 0, 0xf0f, NotifyAction::kSetValueOverwrite).ok());
    auto prev = notify_value_clear(nullptr, 0, 0x00f);
    KCHECK_EQ(prev.value_or(0), 0xf0f);
    KCHECK_EQ(me->notify_value[0], 0xf00);
    KCHECK(me->notify_state[0] == NotifyState::kPending);  // value_clear leaves the state
    r = notify_state_clear(me, 0);
    KCHECK(r.ok() && *r);
    KCHECK(me->notify_state[0] == NotifyState::kIdle);
    KCHECK_EQ(me->notify_value[0], 0xf00);  // state_clear leaves the value
    KCHECK_EQ(notify_value_clear(me, 0, 0xffffffff).value_or(0), 0xf00);
    KCHECK_EQ(me->notify_value[0], 0);
  };
  spawn("t", 2, &t);
  scheduler_start();
}

KTEST(Notify, Errors) {
  static Task storage;
  alignas(16) static uint8_t stack[8192];
  auto body = [] {};
  auto created =
      task_create_static(TaskConfig{"static", 1, sizeof stack,
                                    [](void* p) { (*static_cast<decltype(body)*>(p))(); }, &body},
                         &storage, stack, sizeof stack);
  KCHECK(created.ok());
  Task* t = &storage;
  const unsigned bad = config::kNotifyIndices;
  bool woken = false;
  KCHECK(code_of(notify(t, bad, 1, NotifyAction::kSetBits)) == Errc::kOutOfRange);
  KCHECK(code_of(notify_and_query(t, bad, 1, NotifyAction::kSetBits, nullptr)) ==
         Errc::kOutOfRange);
  KCHECK(code_of(notify_from_isr(t, bad, 1, NotifyAction::kSetBits, &woken)) == Errc::kOutOfRange);
  KCHECK(code_of(notify_give(t, bad)) == Errc::kOutOfRange);
  KCHECK(code_of(notify_give_from_isr(t, bad, &woken)) == Errc::kOutOfRange);
  KCHECK(code_of(notify_take(bad, true, kNoWait)) == Errc::kOutOfRange);
  KCHECK(code_of(notify_wait(bad, 0, 0, nullptr, kNoWait)) == Errc::kOutOfRange);
  KCHECK(code_of(notify_state_clear(t, bad)) == Errc::kOutOfRange);
  KCHECK(code_of(notify_value_clear(t, bad, 1)) == Errc::kOutOfRange);
  KCHECK(code_of(notify(t, 0, 1, static_cast<NotifyAction>(42))) == Errc::kInvalid);
  KCHECK(code_of(notify(nullptr, 0, 1, NotifyAction::kSetBits)) == Errc::kInvalid);
  KCHECK(code_of(notify_give(nullptr, 0)) == Errc::kInvalid);
  // No running task: nothing to take from, nothing to clear.
  KCHECK(code_of(notify_take(0, true, kNoWait)) == Errc::kInvalid);
  KCHECK(code_of(notify_wait(0, 0, 0, nullptr, Ticks{3})) == Errc::kInvalid);
  KCHECK(code_of(notify_state_clear(nullptr, 0)) == Errc::kInvalid);
  KCHECK(!woken);
  KCHECK_EQ(t->notify_value[0], 0);  // no refused call changed anything
  // A deleted task (static storage, so it can still be looked at).
  task_delete(t);
  KCHECK(code_of(notify(t, 0, 1, NotifyAction::kSetBits)) == Errc::kInvalid);
  KCHECK(code_of(notify_give(t, 0)) == Errc::kInvalid);
  KCHECK(code_of(notify_value_clear(t, 0, 1)) == Errc::kInvalid);
}

KTEST(Notify, AbortDelayEndsAWaitAsATimeout) {
  Errc wait_code{}, take_code{};
  Ticks elapsed{};
  auto waiter = [&] {
    const Ticks start = tick_count();
    wait_code = code_of(notify_wait(0, 0, 0, nullptr, kForever));
    take_code = code_of(notify_take(0, false, kForever));
    elapsed = tick_count() - start;
  };
  auto ctl = [&] {
    Task* w = spawn("waiter", 3, &waiter);
    task_delay(Ticks{4});
    KCHECK(task_abort_delay(w));
    KCHECK(w->notify_state[0] == NotifyState::kWaiting);  // now in notify_take
    task_delay(Ticks{2});
    KCHECK(task_abort_delay(w));
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK(wait_code == Errc::kTimeout);
  KCHECK(take_code == Errc::kTimeout);
  KCHECK_EQ(elapsed.count, 6);
}

KTEST(Notify, ANotificationAfterTheTimeoutButBeforeTheWaiterRunsCounts) {
  // The timer readies the waiter (timed out) while a higher-priority task
  // runs; that task then notifies it twice. The waiter must be made ready
  // once only (a second insertion would corrupt the ready list and lose the
  // peer queued behind it) and still receive the notification.
  Errc code = Errc::kIo;
  uint32_t v = 0;
  Task* w = nullptr;
  Log log;
  auto waiter = [&] {
    code = code_of(notify_wait(0, 0, 0, &v, Ticks{2}));
    log.note("waiter");
  };
  auto peer = [&] {
    task_delay(Ticks{3});  // readied by the same timer interrupt, after the waiter
    log.note("peer");
  };
  auto busy = [&] {
    task_delay(Ticks{1});
    petrel::ktest::spend(3 * petrel::ktest::counter_per_tick());  // past the timeout
    KCHECK(task_state(w) == TaskState::kReady);
    KCHECK(notify(w, 0, 0x1, NotifyAction::kSetBits).ok());
    KCHECK(notify(w, 0, 0x2, NotifyAction::kSetBits).ok());
    KCHECK(task_state(w) == TaskState::kReady);
  };
  w = spawn("waiter", 2, &waiter);
  spawn("peer", 2, &peer);
  spawn("busy", 3, &busy);
  KCHECK(scheduler_start() == StopReason::kNoTasks);
  KCHECK(code == Errc{});
  KCHECK_EQ(v, 0x3);
  KCHECK_LOG(log, "waiter peer");
}

KTEST(Notify, ASuspendedWaiterIsNotMadeReadyByANotification) {
  Log log;
  Task* w = nullptr;
  auto waiter = [&] {
    uint32_t v = 0;
    KCHECK(notify_wait(0, 0, 0, &v, kForever).ok());
    log.note_number("waiter", v);
  };
  auto ctl = [&] {
    w = spawn("waiter", 3, &waiter);
    task_suspend(w);
    KCHECK(notify(w, 0, 4, NotifyAction::kSetValueOverwrite).ok());
    KCHECK(task_state(w) == TaskState::kSuspended);
    log.note("notified");
    task_resume(w);
    log.note("resumed");
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK_LOG(log, "notified waiter=4 resumed");
}

KTEST(Notify, DeletingAWaitingTask) {
  Log log;
  auto victim = [&] {
    (void)notify_wait(0, 0, 0, nullptr, Ticks{50});
    log.note("victim-must-not-run");
  };
  auto ctl = [&] {
    Task* v = spawn("victim", 3, &victim);
    KCHECK(v->notify_state[0] == NotifyState::kWaiting);
    task_delete(v);
    task_delay(Ticks{60});  // past its timeout: nothing may fire for it
    log.note("ctl");
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK_LOG(log, "ctl");
}
