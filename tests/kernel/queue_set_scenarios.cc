// Queue set scenarios, run on the host port and inside a guest.
#include "ktest.h"
#include "petrel/kernel/queue.h"
#include "petrel/kernel/semaphore.h"

using namespace petrel::kernel;
using petrel::Errc;
using petrel::ktest::failed_with;
using petrel::ktest::Log;
using petrel::ktest::spawn;

namespace {

Queue* make_queue(size_t length) {
  auto q = queue_create(length, sizeof(uint32_t));
  KCHECK(q.ok());
  return q.ok() ? *q : nullptr;
}

QueueSet* make_set(size_t length, WakeRule rule = WakeRule::kWakeAndRetry) {
  auto s = queue_set_create(length, rule);
  KCHECK(s.ok());
  return s.ok() ? *s : nullptr;
}

Semaphore* make_semaphore(uint32_t max) {
  auto s = semaphore_create_counting(max, 0);
  KCHECK(s.ok());
  return s.ok() ? *s : nullptr;
}

const void* select_now(QueueSet* set) {
  auto r = queue_set_select(set, kNoWait);
  return r.ok() ? *r : nullptr;
}

}  // namespace

KTEST(QueueSet, SelectReturnsMembersInArrivalOrder) {
  QueueSet* set = make_set(5);
  Queue* a = make_queue(2);
  Queue* b = make_queue(2);
  Semaphore* s = make_semaphore(1);
  static const char kTagB[] = "b";
  KCHECK(queue_set_add(set, a).ok());
  KCHECK(queue_set_add(set, b, kTagB).ok());
  KCHECK(queue_set_add(set, s).ok());
  KCHECK(failed_with(queue_set_select(set, kNoWait), Errc::kBusy, "queue: empty"));

  const uint32_t one = 1, two = 2, three = 3;
  KCHECK(queue_send_back(b, &one, kNoWait).ok());
  KCHECK(semaphore_give(s).ok());
  KCHECK(queue_send_front(a, &two, kNoWait).ok());
  bool woken = false;
  KCHECK(queue_send_back_from_isr(b, &three, &woken).ok());
  KCHECK_EQ(queue_set_events(set), 4);

  KCHECK(select_now(set) == kTagB);  // a custom tag
  KCHECK(select_now(set) == s);      // default tags: the object
  KCHECK(select_now(set) == a);
  KCHECK(select_now(set) == kTagB);
  KCHECK(select_now(set) == nullptr);
  KCHECK_EQ(queue_messages_waiting(b), 2);  // selecting reads no member
  KCHECK(semaphore_take(s, kNoWait).ok());
  queue_set_delete(set);
  queue_delete(a);
  queue_delete(b);
  semaphore_delete(s);
}

KTEST(QueueSet, MembershipRules) {
  QueueSet* set = make_set(4);
  QueueSet* other = make_set(4);
  Queue* q = make_queue(2);
  Semaphore* s = make_semaphore(2);
  const uint32_t v = 5;

  KCHECK(queue_send_back(q, &v, kNoWait).ok());
  KCHECK(failed_with(queue_set_add(set, q), Errc::kBusy, "queue set: member not empty"));
  KCHECK(semaphore_give(s).ok());
  KCHECK(failed_with(queue_set_add(set, s), Errc::kBusy, "queue set: member not empty"));
  uint32_t out = 0;
  KCHECK(queue_receive(q, &out, kNoWait).ok());
  KCHECK(semaphore_take(s, kNoWait).ok());

  KCHECK(queue_set_add(set, q).ok());
  KCHECK(failed_with(queue_set_add(set, q), Errc::kBusy, "queue set: already a member of a set"));
  KCHECK(failed_with(queue_set_add(other, q), Errc::kBusy, "queue set: already a member of a set"));
  KCHECK(failed_with(queue_set_remove(other, q), Errc::kNotFound,
                     "queue set: not a member of this set"));
  KCHECK(failed_with(queue_set_remove(set, s), Errc::kNotFound,
                     "queue set: not a member of this set"));

  KCHECK(queue_send_back(q, &v, kNoWait).ok());
  KCHECK(failed_with(queue_set_remove(set, q), Errc::kBusy, "queue set: member not empty"));
  // Read without selecting: the event stays, naming an empty member...
  KCHECK(queue_receive(q, &out, kNoWait).ok());
  KCHECK_EQ(queue_set_events(set), 1);
  // ...until the member leaves: its events go with it.
  KCHECK(queue_set_remove(set, q).ok());
  KCHECK_EQ(queue_set_events(set), 0);
  KCHECK(queue_set_add(other, q).ok());  // free to join another set

  static QueueSet blank;
  KCHECK(failed_with(queue_set_add(&blank, s), Errc::kInvalid,
                     "queue set: not initialized or deleted"));
  KCHECK(failed_with(queue_set_select(&blank, kNoWait), Errc::kInvalid,
                     "queue set: not initialized or deleted"));
  KCHECK(failed_with(queue_set_create(0), Errc::kInvalid, "queue set: length 0"));

  // Deleting a member leaves its set; deleting a set releases its members.
  KCHECK(queue_set_add(set, s).ok());
  KCHECK(semaphore_give(s).ok());
  KCHECK(queue_send_back(q, &v, kNoWait).ok());
  semaphore_delete(s);
  KCHECK_EQ(queue_set_events(set), 0);
  queue_set_delete(other);
  KCHECK(queue_send_back(q, &v, kNoWait).ok());  // in no set now
  KCHECK(queue_receive(q, &out, kNoWait).ok());
  KCHECK(queue_receive(q, &out, kNoWait).ok());
  KCHECK(queue_set_add(set, q).ok());
  queue_set_delete(set);
  queue_delete(q);
}

KTEST(QueueSet, AFullSetRefusesTheSendOrGive) {
  QueueSet* set = make_set(2);  // too short for its members' 3 slots
  Queue* q = make_queue(2);
  Semaphore* s = make_semaphore(1);
  KCHECK(queue_set_add(set, q).ok());
  KCHECK(queue_set_add(set, s).ok());
  const uint32_t v = 1;
  KCHECK(queue_send_back(q, &v, kNoWait).ok());
  KCHECK(semaphore_give(s).ok());
  uint32_t out = 0;
  KCHECK(queue_receive(q, &out, kNoWait).ok());  // read without selecting
  KCHECK(failed_with(queue_send_back(q, &v, Ticks{5}), Errc::kNoMemory, "queue set: full"));
  bool woken = false;
  KCHECK(failed_with(queue_send_back_from_isr(q, &v, &woken), Errc::kNoMemory, "queue set: full"));
  KCHECK(semaphore_take(s, kNoWait).ok());
  KCHECK(failed_with(semaphore_give(s), Errc::kNoMemory, "queue set: full"));
  // Nothing was stored: the member and the set are as before.
  KCHECK_EQ(queue_messages_waiting(q), 0);
  KCHECK_EQ(semaphore_count(s), 0);
  KCHECK_EQ(queue_set_events(set), 2);
  queue_set_delete(set);
  queue_delete(q);
  semaphore_delete(s);
}

KTEST(QueueSet, OverwritePostsOnlyWhenTheMemberWasEmpty) {
  QueueSet* set = make_set(1);
  Queue* box = make_queue(1);
  KCHECK(queue_set_add(set, box).ok());
  uint32_t v = 1;
  KCHECK(queue_overwrite(box, &v).ok());
  v = 2;
  KCHECK(queue_overwrite(box, &v).ok());
  bool woken = false;
  v = 3;
  KCHECK(queue_overwrite_from_isr(box, &v, &woken).ok());
  KCHECK_EQ(queue_set_events(set), 1);
  KCHECK(select_now(set) == box);
  uint32_t out = 0;
  KCHECK(queue_receive(box, &out, kNoWait).ok());
  KCHECK_EQ(out, 3);
  KCHECK(select_now(set) == nullptr);
  queue_set_delete(set);
  queue_delete(box);
}

// A selector blocked on the set is woken by a send to a member, from a
// task and from an interrupt-safe call, whatever the set's wake rule.
static void blocked_selector_wakes(WakeRule rule) {
  QueueSet* set = make_set(3, rule);
  Queue* q = make_queue(2);
  Semaphore* s = make_semaphore(1);
  KCHECK(queue_set_add(set, q).ok());
  KCHECK(queue_set_add(set, s).ok());
  Log log;
  auto selector = [&] {
    for (int i = 0; i < 2; ++i) {
      auto r = queue_set_select(set, kForever);
      KCHECK(r.ok());
      if (!r.ok()) return;
      if (*r == q) {
        uint32_t v = 0;
        KCHECK(queue_receive(q, &v, kNoWait).ok());
        log.note_number("queue", v);
      } else {
        KCHECK(*r == s);
        KCHECK(semaphore_take(s, kNoWait).ok());
        log.note("semaphore");
      }
    }
    const Ticks start = tick_count();
    KCHECK(failed_with(queue_set_select(set, Ticks{3}), Errc::kTimeout, "queue: timed out"));
    KCHECK_EQ((tick_count() - start).count, 3);
    log.note("timeout");
  };
  auto sender = [&] {
    spawn("selector", 3, &selector);  // runs at once and blocks on the set
    const uint32_t v = 7;
    log.note("send");
    KCHECK(queue_send_back(q, &v, kNoWait).ok());  // the selector preempts us
    log.note("give");
    bool woken = false;
    KCHECK(semaphore_give_from_isr(s, &woken).ok());
    KCHECK(woken);  // the selector outranks this task
  };
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK_LOG(log, "send queue=7 give semaphore timeout");
  queue_set_delete(set);
  queue_delete(q);
  semaphore_delete(s);
}

KTEST(QueueSet, ABlockedSelectorWakesOnASend) {
  blocked_selector_wakes(WakeRule::kHandOver);
}

KTEST(QueueSet, ABlockedSelectorWakesOnASendWithFreeRtosRule) {
  blocked_selector_wakes(WakeRule::kWakeAndRetry);
}

KTEST(QueueSet, DeletingTheSetWakesItsSelector) {
  QueueSet* set = make_set(1);
  Log log;
  auto selector = [&] {
    KCHECK(failed_with(queue_set_select(set, kForever), Errc::kNotFound,
                       "queue: deleted while waiting"));
    log.note("woken");
  };
  auto deleter = [&] {
    spawn("selector", 3, &selector);
    log.note("delete");
    queue_set_delete(set);
  };
  spawn("deleter", 2, &deleter);
  scheduler_start();
  KCHECK_LOG(log, "delete woken");
}

// A member that hands items over natively (kHandOver) stores them while in
// a set, so every item reaches the set, and wakes a task waiting on it
// directly to try again.
KTEST(QueueSet, AMemberStoresInsteadOfHandingOver) {
  QueueSet* set = make_set(2);
  Queue* q = make_queue(2);
  Log log;
  auto receiver = [&] {
    uint32_t v = 0;
    KCHECK(queue_receive(q, &v, kForever).ok());
    log.note_number("got", v);
  };
  auto sender = [&] {
    spawn("receiver", 3, &receiver);  // blocks on the (empty) queue
    KCHECK(queue_set_add(set, q).ok());
    const uint32_t v = 9;
    KCHECK(queue_send_back(q, &v, kNoWait).ok());
    log.note("sent");
  };
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK_LOG(log, "got=9 sent");
  KCHECK_EQ(queue_set_events(set), 1);  // read without selecting: the event stays
  queue_set_delete(set);
  queue_delete(q);
}
