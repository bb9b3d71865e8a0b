// soak: software timers. Each epoch makes a few heap timers (one-shot and
// periodic, random periods) that a commander task starts, stops, resets and
// changes at random; a callback must never run before its expiry tick, nor
// for a timer that is not active. The interrupt source pends calls to the
// service task, each of which must run once. At the end the timers are
// deleted and a last pended call shows the service task has handled that.
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/soft_timer.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel::kernel;

constexpr unsigned kMaxTimers = 6;

struct TimerState {
  SoftTimer* timer[kMaxTimers];
  unsigned timers;
  uint64_t commander_seed;
  uint64_t pended_from_isr;  // accepted
  uint64_t pended_ran;       // run by the service task
} t;

void callback(SoftTimer* timer) {
  count(Op::kTimer);
  Ticks expiry = soft_timer_expiry_time(timer);
  // A periodic timer is re-armed (one period on) before its callback runs.
  if (soft_timer_mode(timer) == TimerMode::kPeriodic) expiry = expiry - soft_timer_period(timer);
  if (tick_count() < expiry)
    fail("timer %s: called at tick %llu, before its expiry %llu", soft_timer_name(timer),
         static_cast<unsigned long long>(tick_count().count),
         static_cast<unsigned long long>(expiry.count));
}

void pended(void*, uint32_t) {
  ++t.pended_ran;
}

void commander(void*) {
  Rng rng(t.commander_seed);
  while (!stopping()) {
    SoftTimer* timer = t.timer[rng.below(t.timers)];
    const Ticks wait{rng.below(3)};
    petrel::Status done;
    switch (rng.below(6)) {
      case 0:
      case 1:
        done = soft_timer_start(timer, wait);
        break;
      case 2:
        done = soft_timer_stop(timer, wait);
        break;
      case 3:
        done = soft_timer_reset(timer, wait);
        break;
      case 4:
        done = soft_timer_change_period(timer, Ticks{rng.between(1, 20)}, wait);
        break;
      default:
        soft_timer_set_mode(timer, rng.one_in(2) ? TimerMode::kPeriodic : TimerMode::kOneShot);
        break;
    }
    if (done) count(Op::kTimer);
    task_delay(Ticks{rng.below(4)});
  }
}

void begin(Rng& rng) {
  t = TimerState{};
  t.timers = rng.between(1, kMaxTimers);
  for (unsigned i = 0; i < t.timers; ++i) {
    auto timer = soft_timer_create(
        TimerConfig{"soak-timer", Ticks{rng.between(1, 20)},
                    rng.one_in(2) ? TimerMode::kPeriodic : TimerMode::kOneShot, callback, nullptr});
    if (!timer) {
      fail("timer: %s", timer.error().message);
      t.timers = i;
      break;
    }
    t.timer[i] = *timer;
  }
  if (t.timers == 0) return;
  t.commander_seed = rng.next();
  spawn("tmr-commander", static_cast<Priority>(rng.between(5, 20)), 4096, commander, nullptr);
}

void from_isr(Rng&) {
  bool woken = false;
  if (t.timers > 0 && soft_timer_pend_call_from_isr(pended, nullptr, 0, &woken)) {
    ++t.pended_from_isr;
    count(Op::kTimer);
  }
}

void end() {
  for (unsigned i = 0; i < t.timers; ++i)
    if (!soft_timer_delete(t.timer[i], kForever)) fail("timer: delete failed");
  // Commands run in order: once this call has run, the deletes have too.
  Semaphore done;
  (void)semaphore_create_static(&done, 1, 0);
  auto give = [](void* sem, uint32_t) { (void)semaphore_give(static_cast<Semaphore*>(sem)); };
  if (!soft_timer_pend_call(give, &done, 0, kForever) || !semaphore_take(&done, Ticks{1000}))
    fail("timer: the service task did not run a pended call");
  semaphore_delete(&done);
  if (t.pended_ran != t.pended_from_isr)
    fail("timer: %llu calls pended from the interrupt, %llu ran",
         static_cast<unsigned long long>(t.pended_from_isr),
         static_cast<unsigned long long>(t.pended_ran));
  t.timers = 0;
}

}  // namespace

const Load kTimerLoad{"timer", begin, end, from_isr};

}  // namespace soak
