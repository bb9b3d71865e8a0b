// Queue sets (queue.h).
//
// Design
// ------
// A set is a queue (`events`) of member tags, each a const void*, plus the
// list of its members' links. A member (a Queue or Semaphore) carries a
// QueueSetLink; queue.cc and semaphore.cc call queue_set_post, inside their
// own critical section, just before an item or unit is stored, and store
// nothing when the post finds the set full. So the set holds exactly one
// event per item or unit that arrived in a member since the member joined
// (minus those selected), in arrival order; a selector that sees an event
// finds the member's item already there, since both happened in one
// critical section. Selecting is a receive from `events`, so it blocks,
// times out and wakes by the wake rule chosen for the set exactly as a
// queue receive does.
//
// Membership changes are rare and short: add and remove require an empty
// member; leaving a set (remove, or the member's delete) unlinks the member
// from the set's list, O(members), and drops its events still queued,
// O(set length), so select never returns a member that left. Deleting a set
// releases its members, O(members). All of it runs with interrupts masked.
//
// Cost on the members' hot path: none for an object in no set beyond the
// one test of set_link.set; a member pays one queue send of a pointer to
// the set (a copy, and the wake-up of at most one selector).
#include <new>

#include "petrel/kernel/heap.h"
#include "petrel/kernel/queue.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/semaphore.h"
#include "queue_set_hooks.h"

namespace petrel::kernel {
namespace {

constexpr Error kNotInitialized{Errc::kInvalid, "queue set: not initialized or deleted"};
constexpr Error kAlreadyMember{Errc::kBusy, "queue set: already a member of a set"};
constexpr Error kNotEmpty{Errc::kBusy, "queue set: member not empty"};
constexpr Error kNotMember{Errc::kNotFound, "queue set: not a member of this set"};

bool usable(const QueueSet* set) {
  return set != nullptr && set->events.length != 0;
}

// Interrupts masked.
Status join(QueueSet* set, QueueSetLink& link, const void* tag, size_t held) {
  if (link.set != nullptr) return kAlreadyMember;
  if (held != 0) return kNotEmpty;
  link.set = set;
  link.tag = tag;
  link.next = set->members;
  set->members = &link;
  return ok();
}

// Interrupts masked; `link` belongs to a set.
void leave(QueueSetLink& link) {
  QueueSet* set = link.set;
  for (QueueSetLink** p = &set->members; *p != nullptr; p = &(*p)->next) {
    if (*p == &link) {
      *p = link.next;
      break;
    }
  }
  queue_discard_matching(&set->events, &link.tag);
  link.set = nullptr;
  link.tag = nullptr;
  link.next = nullptr;
}

// Interrupts masked.
Status part(QueueSet* set, QueueSetLink& link, size_t held) {
  if (link.set != set) return kNotMember;
  if (held != 0) return kNotEmpty;
  leave(link);
  return ok();
}

QueueSet* init(QueueSet* set, void* buffer, size_t length, WakeRule rule, bool dynamic) {
  new (set) QueueSet();
  // Cannot fail: the shape was checked, the buffer is there.
  (void)queue_create_static(&set->events, buffer, length, sizeof(const void*));
  queue_set_wake_rule(&set->events, rule);
  set->dynamic = dynamic;
  return set;
}

Status check_length(size_t length) {
  if (length == 0) return Error{Errc::kInvalid, "queue set: length 0"};
  if (queue_set_buffer_size(length) == 0)
    return Error{Errc::kOutOfRange, "queue set: length overflows"};
  return ok();
}

Result<const void*> tag_or_error(const Status& s, const void* tag) {
  if (!s) return s.error();
  return tag;
}

}  // namespace

bool queue_set_post(const QueueSetLink& link, bool* higher_priority_woken) {
  return queue_send_back_from_isr(&link.set->events, &link.tag, higher_priority_woken).ok();
}

void queue_set_leave(QueueSetLink& link) {
  if (link.set != nullptr) leave(link);
}

Result<QueueSet*> queue_set_create(size_t length, WakeRule rule) {
  if (Status s = check_length(length); !s) return s.error();
  const size_t header = (sizeof(QueueSet) + 15) & ~size_t{15};
  const size_t bytes = queue_set_buffer_size(length);
  if (bytes > SIZE_MAX - header) return Error{Errc::kOutOfRange, "queue set: length overflows"};
  void* block = heap_alloc(header + bytes, 16);
  if (block == nullptr) return Error{Errc::kNoMemory, "queue set: heap exhausted"};
  return init(static_cast<QueueSet*>(block), static_cast<uint8_t*>(block) + header, length, rule,
              true);
}

Result<QueueSet*> queue_set_create_static(QueueSet* storage, void* buffer, size_t length,
                                          WakeRule rule) {
  if (Status s = check_length(length); !s) return s.error();
  if (storage == nullptr || buffer == nullptr)
    return Error{Errc::kInvalid, "queue set: no storage for the set or its events"};
  return init(storage, buffer, length, rule, false);
}

void queue_set_delete(QueueSet* set) {
  CriticalSection cs;
  if (!usable(set)) return;
  while (QueueSetLink* link = set->members) {
    set->members = link->next;
    link->set = nullptr;
    link->tag = nullptr;
    link->next = nullptr;
  }
  queue_delete(&set->events);  // wakes the selectors: "queue: deleted while waiting"
  // The woken tasks run after this critical section and touch nothing of set.
  if (set->dynamic) heap_free(set);
}

Status queue_set_add(QueueSet* set, Queue* q, const void* tag) {
  CriticalSection cs;
  if (!usable(set) || q == nullptr || q->length == 0) return kNotInitialized;
  return join(set, q->set_link, tag != nullptr ? tag : q, q->count);
}

Status queue_set_add(QueueSet* set, Semaphore* s, const void* tag) {
  CriticalSection cs;
  if (!usable(set) || s == nullptr || s->max_count == 0) return kNotInitialized;
  return join(set, s->set_link, tag != nullptr ? tag : s, s->count);
}

Status queue_set_remove(QueueSet* set, Queue* q) {
  CriticalSection cs;
  if (!usable(set) || q == nullptr || q->length == 0) return kNotInitialized;
  return part(set, q->set_link, q->count);
}

Status queue_set_remove(QueueSet* set, Semaphore* s) {
  CriticalSection cs;
  if (!usable(set) || s == nullptr || s->max_count == 0) return kNotInitialized;
  return part(set, s->set_link, s->count);
}

Result<const void*> queue_set_select(QueueSet* set, Ticks timeout) {
  // A delete racing with this call is reported by queue_receive.
  if (!usable(set)) return kNotInitialized;
  const void* tag = nullptr;
  const Status s = queue_receive(&set->events, &tag, timeout);
  return tag_or_error(s, tag);
}

Result<const void*> queue_set_select_from_isr(QueueSet* set) {
  CriticalSection cs;
  if (!usable(set)) return kNotInitialized;
  const void* tag = nullptr;
  const Status s = queue_receive_from_isr(&set->events, &tag, nullptr);
  return tag_or_error(s, tag);
}

size_t queue_set_events(const QueueSet* set) {
  CriticalSection cs;
  return usable(set) ? set->events.count : 0;
}

}  // namespace petrel::kernel
