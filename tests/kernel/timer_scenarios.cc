// Software timer scenarios, run on the host port and inside a guest.
#include "ktest.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/soft_timer.h"

using namespace petrel::kernel;
using petrel::Errc;
using petrel::ktest::Log;
using petrel::ktest::spawn;

namespace {

// Every test starts with a fresh timer module (kernel_reset does not know
// about it yet).
void fresh() {
  soft_timer_reset_module();
}

// Waits for the start of a tick, so what follows (a few commands) happens
// within one tick even on a guest, where time passes while tasks run.
void align() {
  task_delay(Ticks{1});
}

// What a timer's callbacks saw; the timer's ID points at it.
struct Fired {
  int count = 0;
  Ticks at[64] = {};
  Log* log = nullptr;
  bool in_service = true;  // every call ran in the service task
};

void record(SoftTimer* t) {
  auto* f = static_cast<Fired*>(soft_timer_id(t));
  if (f->count < 64) f->at[f->count] = tick_count();
  ++f->count;
  if (f->log != nullptr) f->log->note(soft_timer_name(t));
  if (task_current() != soft_timer_service_task()) f->in_service = false;
}

TimerConfig timer_config(const char* name, uint64_t period, TimerMode mode, Fired* f,
                         TimerCallback cb = record) {
  TimerConfig c;
  c.name = name;
  c.period = Ticks{period};
  c.mode = mode;
  c.callback = cb;
  c.id = f;
  return c;
}

bool is(const petrel::Status& s, Errc code) {
  return !s.ok() && s.error().code == code;
}

}  // namespace

KTEST(Timer, OneShotFiresOnceAfterExactlyNTicks) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("once", 7, TimerMode::kOneShot, &f)).ok());
  Ticks start{}, expiry{};
  bool active_before = true, active_running = false, active_after = true;
  auto t = [&] {
    align();
    active_before = soft_timer_is_active(&timer);
    start = tick_count();
    KCHECK(soft_timer_start(&timer, kNoWait).ok());
    active_running = soft_timer_is_active(&timer);  // the service task ran at once
    expiry = soft_timer_expiry_time(&timer);
    task_delay(Ticks{30});
    active_after = soft_timer_is_active(&timer);
  };
  spawn("t", 2, &t);
  KCHECK(scheduler_start() == StopReason::kNoTasks);
  KCHECK_EQ(f.count, 1);
  KCHECK_EQ((f.at[0] - start).count, 7);
  KCHECK_EQ((expiry - start).count, 7);
  KCHECK(f.in_service);
  KCHECK(!active_before);
  KCHECK(active_running);
  KCHECK(!active_after);
}

KTEST(Timer, PeriodicFiresAtExactMultiplesOfItsPeriod) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("tick", 2, TimerMode::kPeriodic, &f)).ok());
  Ticks start{};
  auto t = [&] {
    align();
    start = tick_count();
    KCHECK(soft_timer_start(&timer, kNoWait).ok());
    task_delay(Ticks{2 * 50 + 1});
    KCHECK(soft_timer_is_active(&timer));
    KCHECK(soft_timer_stop(&timer, kNoWait).ok());
    KCHECK(!soft_timer_is_active(&timer));
    task_delay(Ticks{10});  // no more calls once stopped
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(f.count, 50);
  int off_grid = 0;
  for (int i = 0; i < 50; ++i)
    if ((f.at[i] - start).count != 2 * static_cast<uint64_t>(i + 1)) ++off_grid;
  KCHECK_EQ(off_grid, 0);
}

KTEST(Timer, ASlowCallbackDoesNotMakeAPeriodicTimerDrift) {
  fresh();
  SoftTimer timer;
  Fired f;
  // Each call works for 0.7 ticks; expiries stay start + k * 3.
  auto slow = [](SoftTimer* t) {
    record(t);
    petrel::ktest::spend(petrel::ktest::counter_per_tick() * 7 / 10);
  };
  KCHECK(soft_timer_init(&timer, timer_config("slow", 3, TimerMode::kPeriodic, &f, slow)).ok());
  Ticks start{};
  auto t = [&] {
    align();
    start = tick_count();
    KCHECK(soft_timer_start(&timer, kNoWait).ok());
    task_delay(Ticks{3 * 5 + 1});
    KCHECK(soft_timer_stop(&timer, kNoWait).ok());
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(f.count, 5);
  for (int i = 0; i < 5; ++i) KCHECK_EQ((f.at[i] - start).count, 3 * (i + 1));
}

KTEST(Timer, StopPreventsTheCallbackAndStartRearms) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("stop", 5, TimerMode::kOneShot, &f)).ok());
  Ticks restart{};
  auto t = [&] {
    KCHECK(soft_timer_stop(&timer, kNoWait).ok());  // stopping a dormant timer is fine
    KCHECK(soft_timer_start(&timer, kNoWait).ok());
    task_delay(Ticks{3});
    KCHECK(soft_timer_stop(&timer, kNoWait).ok());
    KCHECK(!soft_timer_is_active(&timer));
    task_delay(Ticks{10});
    KCHECK_EQ(f.count, 0);
    align();
    restart = tick_count();
    KCHECK(soft_timer_start(&timer, kNoWait).ok());
    task_delay(Ticks{10});
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(f.count, 1);
  KCHECK_EQ((f.at[0] - restart).count, 5);
}

KTEST(Timer, ResetRestartsThePeriodFromNow) {
  fresh();
  SoftTimer once, periodic;
  Fired fo, fp;
  KCHECK(soft_timer_init(&once, timer_config("once", 10, TimerMode::kOneShot, &fo)).ok());
  KCHECK(soft_timer_init(&periodic, timer_config("per", 4, TimerMode::kPeriodic, &fp)).ok());
  Ticks start{}, reset_at{}, dormant_reset{};
  auto t = [&] {
    align();
    start = tick_count();
    KCHECK(soft_timer_start(&once, kNoWait).ok());
    KCHECK(soft_timer_start(&periodic, kNoWait).ok());
    task_delay(Ticks{6});  // periodic fired at +4
    reset_at = tick_count();
    KCHECK(soft_timer_reset(&once, kNoWait).ok());      // now due at +16
    KCHECK(soft_timer_reset(&periodic, kNoWait).ok());  // now due at +10, +14, ...
    KCHECK_EQ((soft_timer_expiry_time(&once) - reset_at).count, 10);
    task_delay(Ticks{9});  // to +15
    KCHECK(soft_timer_stop(&periodic, kNoWait).ok());
    task_delay(Ticks{10});
    // Reset on a dormant timer starts it.
    dormant_reset = tick_count();
    KCHECK(soft_timer_reset(&once, kNoWait).ok());
    KCHECK(soft_timer_is_active(&once));
    task_delay(Ticks{11});
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(fo.count, 2);
  KCHECK_EQ((fo.at[0] - start).count, 16);
  KCHECK_EQ((fo.at[1] - dormant_reset).count, 10);
  KCHECK_EQ(fp.count, 3);
  KCHECK_EQ((fp.at[0] - start).count, 4);
  KCHECK_EQ((fp.at[1] - start).count, 10);
  KCHECK_EQ((fp.at[2] - start).count, 14);
}

KTEST(Timer, ChangePeriodRestartsWithTheNewPeriod) {
  fresh();
  SoftTimer per, dormant;
  Fired fp, fd;
  KCHECK(soft_timer_init(&per, timer_config("per", 10, TimerMode::kPeriodic, &fp)).ok());
  KCHECK(soft_timer_init(&dormant, timer_config("dormant", 5, TimerMode::kOneShot, &fd)).ok());
  Ticks start{};
  auto t = [&] {
    KCHECK_EQ(soft_timer_period(&per).count, 10);
    align();
    start = tick_count();
    KCHECK(soft_timer_start(&per, kNoWait).ok());
    task_delay(Ticks{4});
    KCHECK(soft_timer_change_period(&per, Ticks{3}, kNoWait).ok());  // +7, +10, +13
    KCHECK_EQ(soft_timer_period(&per).count, 3);
    // On a dormant timer it sets the period and starts it.
    KCHECK(soft_timer_change_period(&dormant, Ticks{2}, kNoWait).ok());  // +6
    KCHECK(soft_timer_is_active(&dormant));
    KCHECK(is(soft_timer_change_period(&per, Ticks{0}, kNoWait), Errc::kInvalid));
    task_delay(Ticks{10});  // to +14
    KCHECK(soft_timer_stop(&per, kNoWait).ok());
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(fp.count, 3);
  KCHECK_EQ((fp.at[0] - start).count, 7);
  KCHECK_EQ((fp.at[1] - start).count, 10);
  KCHECK_EQ((fp.at[2] - start).count, 13);
  KCHECK_EQ(fd.count, 1);
  KCHECK_EQ((fd.at[0] - start).count, 6);
  KCHECK_EQ(soft_timer_period(&dormant).count, 2);
}

KTEST(Timer, CallbacksRunInExpiryOrderAndFifoAtTheSameTick) {
  fresh();
  Log log;
  SoftTimer a, b, c, d, e;
  Fired fa, fb, fc, fd, fe;
  fa.log = fb.log = fc.log = fd.log = fe.log = &log;
  KCHECK(soft_timer_init(&a, timer_config("a", 4, TimerMode::kOneShot, &fa)).ok());
  KCHECK(soft_timer_init(&b, timer_config("b", 4, TimerMode::kOneShot, &fb)).ok());
  KCHECK(soft_timer_init(&c, timer_config("c", 4, TimerMode::kPeriodic, &fc)).ok());
  KCHECK(soft_timer_init(&d, timer_config("d", 2, TimerMode::kOneShot, &fd)).ok());
  KCHECK(soft_timer_init(&e, timer_config("e", 6, TimerMode::kOneShot, &fe)).ok());
  auto t = [&] {
    align();
    // Issued in one go (the caller shares the service task's priority, so
    // nothing runs in between): all at the same tick.
    KCHECK(soft_timer_start(&e, kNoWait).ok());
    KCHECK(soft_timer_start(&c, kNoWait).ok());
    KCHECK(soft_timer_start(&b, kNoWait).ok());
    KCHECK(soft_timer_start(&a, kNoWait).ok());
    KCHECK(soft_timer_start(&d, kNoWait).ok());
    task_delay(Ticks{9});
    KCHECK(soft_timer_stop(&c, kNoWait).ok());
  };
  spawn("t", kTimerTaskPriority, &t);
  scheduler_start();
  // +2 d; +4 c b a (start order); +6 e; +8 c.
  KCHECK_LOG(log, "d c b a e c");
}

KTEST(Timer, ATaskAtTheServicePriorityFillsTheQueueAndThenWaits) {
  fresh();
  constexpr size_t kN = kTimerQueueLength + 2;
  SoftTimer timers[kN];
  Fired f;
  for (auto& timer : timers)
    KCHECK(soft_timer_init(&timer, timer_config("q", 100, TimerMode::kOneShot, &f)).ok());
  auto t = [&] {
    align();
    // Equal priority: the service task does not preempt, the commands queue.
    for (size_t i = 0; i < kTimerQueueLength; ++i)
      KCHECK(soft_timer_start(&timers[i], kNoWait).ok());
    KCHECK(is(soft_timer_start(&timers[kTimerQueueLength], kNoWait), Errc::kBusy));
    KCHECK(!soft_timer_is_active(&timers[0]));  // queued, not processed yet
    // Waiting lets the service task run and make room.
    KCHECK(soft_timer_start(&timers[kTimerQueueLength], Ticks{5}).ok());
    KCHECK(soft_timer_start(&timers[kTimerQueueLength + 1], kForever).ok());
    KCHECK(soft_timer_is_active(&timers[0]));
    task_delay(Ticks{1});
    for (auto& timer : timers) KCHECK(soft_timer_is_active(&timer));
  };
  spawn("t", kTimerTaskPriority, &t);
  // The application's last task ends while every timer is still active.
  KCHECK(scheduler_start() == StopReason::kNoTasks);
  KCHECK_EQ(f.count, 0);
}

KTEST(Timer, SendersWaitForRoomTimeOutAbortAndCanBeDeleted) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("t", 1000, TimerMode::kOneShot, &f)).ok());
  Log log;
  Task* service = soft_timer_service_task();
  KCHECK(service != nullptr);
  Ticks waited{};
  petrel::Status aborted = petrel::ok();
  auto waiter = [&] { aborted = soft_timer_stop(&timer, kForever); };
  auto victim = [&] {
    (void)soft_timer_stop(&timer, kForever);
    log.note("deleted-victim-returned");
  };
  auto getter = [&] {
    KCHECK(soft_timer_stop(&timer, Ticks{50}).ok());
    log.note("getter");
  };
  auto t = [&] {
    task_suspend(service);  // nothing drains the queue now
    for (size_t i = 0; i < kTimerQueueLength; ++i) KCHECK(soft_timer_start(&timer, kNoWait).ok());
    KCHECK(is(soft_timer_start(&timer, kNoWait), Errc::kBusy));
    align();
    const Ticks start = tick_count();
    KCHECK(is(soft_timer_start(&timer, Ticks{3}), Errc::kTimeout));
    waited = tick_count() - start;
    Task* w = spawn("waiter", 3, &waiter);
    KCHECK(task_state(w) == TaskState::kBlocked);
    KCHECK(task_abort_delay(w));
    Task* v = spawn("victim", 3, &victim);
    KCHECK(task_state(v) == TaskState::kBlocked);
    task_delete(v);
    spawn("getter", 3, &getter);
    log.note("resume");
    task_resume(service);  // drains ten starts, then the getter's stop
    log.note("resumed");
    KCHECK(!soft_timer_is_active(&timer));
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(waited.count, 3);
  KCHECK(is(aborted, Errc::kTimeout));
  KCHECK_LOG(log, "resume getter resumed");
  KCHECK_EQ(f.count, 0);
}

KTEST(Timer, SendersWaitingForRoomAreServedByPriorityThenInOrder) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("t", 1000, TimerMode::kOneShot, &f)).ok());
  Log log;
  Task* service = soft_timer_service_task();
  auto a = [&] {
    KCHECK(soft_timer_stop(&timer, kForever).ok());
    log.note("a");
  };
  auto b = [&] {
    KCHECK(soft_timer_stop(&timer, kForever).ok());
    log.note("b");
  };
  auto c = [&] {
    KCHECK(soft_timer_stop(&timer, kForever).ok());
    log.note("c");
  };
  auto t = [&] {
    task_suspend(service);
    task_set_priority(service, 1);  // below the senders: one slot at a time
    for (size_t i = 0; i < kTimerQueueLength; ++i) KCHECK(soft_timer_start(&timer, kNoWait).ok());
    // They block in the order a, c, b.
    spawn("a", 3, &a);
    task_delay(Ticks{1});
    spawn("c", 3, &c);
    task_delay(Ticks{1});
    spawn("b", 4, &b);
    task_delay(Ticks{1});
    log.note("resume");
    task_resume(service);
  };
  spawn("t", 5, &t);
  scheduler_start();
  KCHECK_LOG(log, "resume b a c");
}

KTEST(Timer, TheSchedulerEndsWhenTheAppTasksEndWhileTimersRun) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("forever", 1, TimerMode::kPeriodic, &f)).ok());
  auto t = [&] {
    align();
    KCHECK(soft_timer_start(&timer, kNoWait).ok());
    task_delay(Ticks{5});
  };
  spawn("t", 2, &t);
  KCHECK(scheduler_start() == StopReason::kNoTasks);
  KCHECK_EQ(f.count, 5);
  KCHECK(soft_timer_is_active(&timer));
  KCHECK(soft_timer_service_task() != nullptr);
  KCHECK(soft_timer_service_task()->system);
}

KTEST(Timer, TimersWithoutTasksDoNotStartTheScheduler) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("alone", 1, TimerMode::kPeriodic, &f)).ok());
  KCHECK(soft_timer_start(&timer, kNoWait).ok());  // queued before the scheduler runs
  KCHECK(scheduler_start() == StopReason::kNoTasks);
  KCHECK_EQ(f.count, 0);
}

KTEST(Timer, StartedBeforeTheSchedulerCountsFromItsStart) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("early", 5, TimerMode::kOneShot, &f)).ok());
  // Before the scheduler runs nothing can wait: a wait is ignored.
  KCHECK(soft_timer_start(&timer, Ticks{100}).ok());
  Ticks first{};
  auto t = [&] {
    first = tick_count();
    task_delay(Ticks{10});
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(f.count, 1);
  // The service task ran first, at the scheduler's first tick.
  KCHECK((f.at[0] - first).count <= 5 && (f.at[0] - first).count >= 4);
}

KTEST(Timer, ACallbackCanRestartStopAndDeleteItsOwnTimer) {
  fresh();
  // A one-shot timer that restarts itself twice.
  SoftTimer again;
  Fired fa;
  auto restart = [](SoftTimer* t) {
    record(t);
    auto* f = static_cast<Fired*>(soft_timer_id(t));
    if (f->count < 3) {
      KCHECK(soft_timer_start(t, kForever).ok());  // applied at once, never waits
      KCHECK(soft_timer_is_active(t));
    }
  };
  KCHECK(soft_timer_init(&again, timer_config("again", 2, TimerMode::kOneShot, &fa, restart)).ok());
  // A periodic timer that stops itself on its third call.
  SoftTimer stopper;
  Fired fs;
  auto stop = [](SoftTimer* t) {
    record(t);
    if (static_cast<Fired*>(soft_timer_id(t))->count == 3) {
      KCHECK(soft_timer_stop(t, kNoWait).ok());
      KCHECK(!soft_timer_is_active(t));
    }
  };
  KCHECK(
      soft_timer_init(&stopper, timer_config("stopper", 1, TimerMode::kPeriodic, &fs, stop)).ok());
  // A heap timer that deletes itself.
  Fired fd;
  auto suicide = [](SoftTimer* t) {
    record(t);
    KCHECK(soft_timer_delete(t, kNoWait).ok());
  };
  const size_t free_before = heap_stats().free;
  auto dyn = soft_timer_create(timer_config("dyn", 1, TimerMode::kPeriodic, &fd, suicide));
  KCHECK(dyn.ok());
  Ticks start{};
  auto t = [&] {
    align();
    start = tick_count();
    KCHECK(soft_timer_start(&again, kNoWait).ok());
    KCHECK(soft_timer_start(&stopper, kNoWait).ok());
    KCHECK(soft_timer_start(*dyn, kNoWait).ok());
    task_delay(Ticks{10});
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(fa.count, 3);
  KCHECK_EQ((fa.at[2] - start).count, 6);
  KCHECK_EQ(fs.count, 3);
  KCHECK(!soft_timer_is_active(&stopper));
  KCHECK_EQ(fd.count, 1);
  KCHECK_EQ(heap_stats().free, free_before);
}

KTEST(Timer, DeleteStopsTheTimerAndFreesIt) {
  fresh();
  Fired f;
  SoftTimer fixed;
  KCHECK(soft_timer_init(&fixed, timer_config("fixed", 3, TimerMode::kPeriodic, &f)).ok());
  // The storage holds a live timer: it cannot be initialized again.
  KCHECK(!soft_timer_init(&fixed, timer_config("fixed", 3, TimerMode::kPeriodic, &f)).ok());
  size_t free_before = 0, free_after = 0;
  auto t = [&] {
    free_before = heap_stats().free;
    auto dyn = soft_timer_create(timer_config("dyn", 2, TimerMode::kPeriodic, &f));
    KCHECK(dyn.ok());
    if (!dyn) return;
    KCHECK(soft_timer_start(*dyn, kNoWait).ok());
    KCHECK(soft_timer_start(&fixed, kNoWait).ok());
    KCHECK(soft_timer_delete(*dyn, kNoWait).ok());
    KCHECK(soft_timer_delete(&fixed, kNoWait).ok());
    KCHECK(is(soft_timer_start(&fixed, kNoWait), Errc::kInvalid));
    KCHECK(is(soft_timer_delete(&fixed, kNoWait), Errc::kInvalid));
    KCHECK(!soft_timer_is_active(&fixed));
    task_delay(Ticks{10});
    free_after = heap_stats().free;
    // Deleted static storage can hold a new timer.
    KCHECK(soft_timer_init(&fixed, timer_config("again", 1, TimerMode::kOneShot, &f)).ok());
    KCHECK(soft_timer_start(&fixed, kNoWait).ok());
    task_delay(Ticks{2});
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(f.count, 1);
  KCHECK_EQ(free_after, free_before);
}

KTEST(Timer, CreationErrors) {
  fresh();
  Fired f;
  TimerConfig c = timer_config("bad", 1, TimerMode::kOneShot, &f);
  c.callback = nullptr;
  auto r1 = soft_timer_create(c);
  KCHECK(!r1.ok() && r1.error().code == Errc::kInvalid);
  c = timer_config("bad", 0, TimerMode::kOneShot, &f);
  SoftTimer s;
  auto r2 = soft_timer_init(&s, c);
  KCHECK(!r2.ok() && r2.error().code == Errc::kInvalid);
  auto r3 = soft_timer_init(nullptr, timer_config("x", 1, TimerMode::kOneShot, &f));
  KCHECK(!r3.ok() && r3.error().code == Errc::kInvalid);
  // A timer never initialized is refused by every command.
  KCHECK(is(soft_timer_start(&s, kNoWait), Errc::kInvalid));
  KCHECK(is(soft_timer_stop(nullptr, kNoWait), Errc::kInvalid));
  KCHECK(!soft_timer_is_active(&s));
  KCHECK(is(soft_timer_pend_call(nullptr, nullptr, 0, kNoWait), Errc::kInvalid));
  KCHECK(soft_timer_service_task() == nullptr);  // nothing was created so far
}

KTEST(Timer, NameIdAndMode) {
  fresh();
  SoftTimer timer;
  Fired f, g;
  KCHECK(
      soft_timer_init(&timer, timer_config("a-rather-long-timer-name", 2, TimerMode::kOneShot, &f))
          .ok());
  KCHECK(petrel::ktest::same(soft_timer_name(&timer), "a-rather-long-t"));
  KCHECK(soft_timer_id(&timer) == &f);
  soft_timer_set_id(&timer, &g);
  KCHECK(soft_timer_id(&timer) == &g);
  KCHECK(soft_timer_mode(&timer) == TimerMode::kOneShot);
  // A one-shot timer switched to periodic while it runs reloads.
  auto t = [&] {
    align();
    KCHECK(soft_timer_start(&timer, kNoWait).ok());
    soft_timer_set_mode(&timer, TimerMode::kPeriodic);
    KCHECK(soft_timer_mode(&timer) == TimerMode::kPeriodic);
    task_delay(Ticks{7});  // +2 +4 +6
    soft_timer_set_mode(&timer, TimerMode::kOneShot);
    task_delay(Ticks{4});  // +8, then no more
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(g.count, 4);
  KCHECK_EQ(f.count, 0);
  KCHECK(!soft_timer_is_active(&timer));
}

KTEST(Timer, PendedCallsRunInTheServiceTaskInOrder) {
  fresh();
  Log log;
  Task* ran_in = nullptr;
  struct Ctx {
    Log* log;
    Task** ran_in;
  } ctx{&log, &ran_in};
  auto fn = [](void* arg, uint32_t value) {
    auto* c = static_cast<Ctx*>(arg);
    c->log->note_number("call", value);
    *c->ran_in = task_current();
  };
  auto t = [&] {
    // The first call creates the service task.
    KCHECK(soft_timer_pend_call(fn, &ctx, 1, kNoWait).ok());
    log.note("after-1");
    KCHECK(soft_timer_pend_call(fn, &ctx, 2, kForever).ok());
    log.note("after-2");
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_LOG(log, "call=1 after-1 call=2 after-2");
  KCHECK(ran_in != nullptr && ran_in == soft_timer_service_task());
}

KTEST(Timer, ALateServiceTaskCallsOncePerMissedPeriod) {
  fresh();
  SoftTimer timer;
  Fired f;
  KCHECK(soft_timer_init(&timer, timer_config("late", 1, TimerMode::kPeriodic, &f)).ok());
  Ticks start{};
  auto t = [&] {
    align();
    start = tick_count();
    KCHECK(soft_timer_start(&timer, kNoWait).ok());
    // Hold the scheduler into tick +3: expiries +1, +2, +3 are missed.
    scheduler_lock();
    const Ticks until = start + Ticks{3};
    while (tick_count() < until) petrel::ktest::spend(petrel::ktest::counter_per_tick() / 4);
    scheduler_unlock();  // the service task catches up here
    KCHECK_EQ(f.count, 3);
    task_delay(Ticks{1});  // +4 (back on the grid)
    KCHECK(soft_timer_stop(&timer, kNoWait).ok());
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(f.count, 4);
  for (int i = 0; i < 3; ++i) KCHECK_EQ((f.at[i] - start).count, 3);
  KCHECK_EQ((f.at[3] - start).count, 4);
  KCHECK_EQ((soft_timer_expiry_time(&timer) - start).count, 5);
}

namespace {
Log* g_startup_log;
void note_startup() {
  if (g_startup_log != nullptr) g_startup_log->note("startup");
}
}  // namespace

// An API layer that creates the service task itself (FreeRTOS's
// vTaskStartScheduler): timers and commands made before it exists wait for
// it, and it has the layer's name, priority and stack.
KTEST(Timer, ServiceCreatedWhenStartedWithItsConfiguration) {
  fresh();
  Log log;
  g_startup_log = &log;
  TimerServiceConfig config;
  config.name = "Tmr Svc";
  config.priority = 5;
  config.stack_size = 8192;
  config.startup = note_startup;
  config.on_first_use = false;
  soft_timer_configure_service(config);
  const size_t tasks = task_count();
  Fired f;
  f.log = &log;
  auto made = soft_timer_create(timer_config("t", 3, TimerMode::kOneShot, &f));
  KCHECK(made.ok());
  if (!made.ok()) return;
  KCHECK(soft_timer_start(*made, kNoWait).ok());
  auto pended = [](void* l, uint32_t) { static_cast<Log*>(l)->note("pended"); };
  KCHECK(soft_timer_pend_call(pended, &log, 0, kNoWait).ok());
  KCHECK(soft_timer_service_task() == nullptr);  // not made on first use
  KCHECK_EQ(task_count(), tasks);

  KCHECK(soft_timer_start_service().ok());
  Task* service = soft_timer_service_task();
  KCHECK(service != nullptr);
  if (service == nullptr) return;
  KCHECK_EQ(task_count(), tasks + 1);
  KCHECK(petrel::ktest::same(task_name(service), "Tmr Svc"));
  KCHECK_EQ(task_priority(service), 5);
  KCHECK_EQ(service->stack_size, 8192);
  KCHECK(soft_timer_start_service().ok());  // once only
  KCHECK(soft_timer_service_task() == service);

  Ticks start{};
  auto t = [&] {
    start = tick_count();
    task_delay(Ticks{5});
    log.note("task");
  };
  spawn("t", 2, &t);
  scheduler_start();
  g_startup_log = nullptr;
  // The startup hook first, then the commands in order; the timer counts
  // from the scheduler's start.
  KCHECK_LOG(log, "startup pended t task");
  KCHECK_EQ(f.count, 1);
  KCHECK_EQ((f.at[0] - start).count, 3);
  KCHECK(soft_timer_delete(*made, kNoWait).ok());
}

// A stack too small for a task gets the whole service stack.
KTEST(Timer, ServiceStackTooSmallGetsTheWholeStack) {
  fresh();
  TimerServiceConfig config;
  config.stack_size = 64;
  soft_timer_configure_service(config);
  KCHECK(soft_timer_start_service().ok());
  Task* service = soft_timer_service_task();
  KCHECK(service != nullptr);
  if (service != nullptr) KCHECK_EQ(service->stack_size, kTimerTaskStackSize);
}
