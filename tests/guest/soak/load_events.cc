// soak: event groups and task notifications.
//
// Event groups: three tasks meet at a barrier (event_group_sync) round after
// round; past the barrier every one of them must have announced the round. A
// fourth task waits for bits the interrupt source sets.
//
// Notifications: givers (tasks and the interrupt source) count up a taker's
// notification 0, which takes them one at a time (every give accepted is
// taken or still pending at the end); a sender passes numbers through
// notification 1 without overwriting, and they must arrive in order, each
// once.
#include <petrel/kernel/event_group.h>
#include <petrel/kernel/notify.h>
#include <petrel/kernel/sched.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel::kernel;

// --- event groups ---
constexpr EventBits kBarrierBits = 0x7;
constexpr EventBits kIsrBits = 0xff00;

struct EventState {
  EventGroup* barrier;
  EventGroup* isr;
  volatile uint64_t round[3];
  uint64_t seed[3];
} e;

void barrier_member(void* arg) {
  const auto me = static_cast<unsigned>(reinterpret_cast<uintptr_t>(arg));
  Rng rng(e.seed[me]);
  uint64_t round = 0;
  while (!stopping()) {
    e.round[me] = ++round;
    if (rng.one_in(3)) task_delay(Ticks{rng.below(2)});
    if (!event_group_sync(e.barrier, EventBits{1} << me, kBarrierBits, Ticks{50})) return;
    count(Op::kEventGroup);
    for (unsigned j = 0; j < 3; ++j)
      if (e.round[j] < round)
        fail("event group: past barrier round %llu, member %u is at round %llu",
             static_cast<unsigned long long>(round), j,
             static_cast<unsigned long long>(e.round[j]));
  }
}

void isr_bits_waiter(void*) {
  while (!stopping()) {
    auto bits = event_group_wait_bits(e.isr, kIsrBits, kEventWaitAny | kEventClearOnExit, Ticks{5});
    if (bits) {
      count(Op::kEventGroup);
      if ((*bits & kIsrBits) == 0) fail("event group: woken without any awaited bit");
    }
  }
}

void event_begin(Rng& rng) {
  e = EventState{};
  auto barrier = event_group_create();
  auto isr = event_group_create();
  if (!barrier || !isr) {
    fail("event group: creating failed");
    return;
  }
  e.barrier = *barrier;
  e.isr = *isr;
  for (uintptr_t i = 0; i < 3; ++i) {
    e.seed[i] = rng.next();
    spawn("evt-barrier", static_cast<Priority>(rng.between(5, 20)), 4096, barrier_member,
          reinterpret_cast<void*>(i));
  }
  spawn("evt-isr", kIsrConsumerPriority - 1, 4096, isr_bits_waiter, nullptr);
}

void event_from_isr(Rng& rng) {
  if (e.isr == nullptr) return;
  bool woken = false;
  if (event_group_set_bits_from_isr(e.isr, (rng.between(1, 255) << 8) & kIsrBits, &woken))
    count(Op::kEventGroup);
}

void event_end() {
  if (e.barrier == nullptr) return;
  event_group_delete(e.barrier);
  event_group_delete(e.isr);
  e.barrier = nullptr;
  e.isr = nullptr;
}

// --- notifications ---
struct NotifyState {
  Task* taker;  // alive until every giver has returned
  unsigned givers_left;
  uint64_t given;  // accepted gives, in critical sections
  uint64_t taken;
  uint32_t sent_value;  // notification 1
  uint32_t expected_value;
  uint64_t seed[4];  // the taker's, then the givers'
} n;

void note_given() {
  CriticalSection cs;
  ++n.given;
}

void giver(void* arg) {
  const auto me = static_cast<unsigned>(reinterpret_cast<uintptr_t>(arg));
  Rng rng(n.seed[me]);
  while (!stopping()) {
    if (notify_give(n.taker, 0)) {
      note_given();
      count(Op::kNotify);
    }
    // Notification 1 (the first giver alone): the next number, unless the
    // last is still unread.
    if (me == 1 && rng.one_in(2) &&
        notify(n.taker, 1, n.sent_value + 1, NotifyAction::kSetValueNoOverwrite)) {
      ++n.sent_value;
      count(Op::kNotify);
    }
    task_delay(Ticks{rng.below(2)});
  }
  CriticalSection cs;
  --n.givers_left;
}

void taker(void*) {
  Rng rng(n.seed[0]);
  // Until every giver has returned: they notify this task.
  while (!stopping() || n.givers_left > 0) {
    auto took = notify_take(0, false, Ticks{rng.between(0, 3)});
    if (took) ++n.taken;
    uint32_t value = 0;
    if (notify_wait(1, 0, 0, &value, kNoWait)) {
      if (value != n.expected_value + 1)
        fail("notify: value %u came after %u", value, n.expected_value);
      n.expected_value = value;
    }
  }
  // What is still pending.
  auto pending = notify_value_clear(nullptr, 0, ~0u);
  const uint64_t left = pending ? *pending : 0;
  if (n.given != n.taken + left)
    fail("notify: %llu gives accepted, %llu taken, %llu pending",
         static_cast<unsigned long long>(n.given), static_cast<unsigned long long>(n.taken),
         static_cast<unsigned long long>(left));
  n.taker = nullptr;
}

void notify_begin(Rng& rng) {
  n = NotifyState{};
  for (uint64_t& seed : n.seed) seed = rng.next();
  const unsigned givers = rng.between(1, 3);
  // The taker first, so the givers never see it missing.
  n.taker = spawn("ntf-taker", static_cast<Priority>(rng.between(5, 20)), 4096, taker, nullptr);
  if (n.taker == nullptr) return;
  for (uintptr_t i = 1; i <= givers; ++i) {
    if (spawn("ntf-giver", static_cast<Priority>(rng.between(5, 20)), 4096, giver,
              reinterpret_cast<void*>(i)) != nullptr) {
      CriticalSection cs;
      ++n.givers_left;
    }
  }
}

void notify_from_isr(Rng&) {
  if (n.taker == nullptr) return;
  bool woken = false;
  if (notify_give_from_isr(n.taker, 0, &woken)) {
    ++n.given;  // interrupts are masked here
    count(Op::kNotify);
  }
}

void notify_end() {}

}  // namespace

const Load kEventLoad{"event_group", event_begin, event_end, event_from_isr};
const Load kNotifyLoad{"notify", notify_begin, notify_end, notify_from_isr};

}  // namespace soak
