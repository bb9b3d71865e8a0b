// Queues: fixed-size items copied in and out, first in first out (FreeRTOS
// queue semantics), from tasks with a timeout or from interrupts without one.
//
// A queue holds up to `length` items of `item_size` bytes in a ring. Items
// are copied: the sender's buffer may be reused as soon as a send returns.
// item_size 0 is allowed: the queue then counts "events" (like a counting
// semaphore whose maximum is `length`) and the item pointers are ignored.
//
// Blocking and wake-up order: tasks blocked on a queue wait highest priority
// first, FIFO among equals. A send to a queue that tasks wait to receive from
// hands the item straight to the first of them, and a receive from a full
// queue that tasks wait to send to takes the first waiting sender's item in;
// the woken task's call has then already succeeded, so no other task can
// take the item or the space "in between". Peeking waiters wait with the
// receivers: a send gives a copy to every peeker ahead of the first waiting
// receiver (priority order) and then the item to that receiver, or leaves
// it queued when no receiver waits. See docs/kernel-queue.md.
//
// That is the default wake rule, kHandOver. A queue may instead follow
// FreeRTOS's rule, kWakeAndRetry (queue_set_wake_rule; the FreeRTOS layer
// sets it on its queues): a send stores the item and wakes the first waiting
// receiver or peeker, a receive frees a slot and wakes the first waiting
// sender, a successful peek wakes the next waiting receiver or peeker, and a
// reset wakes one sender. The woken task tries again when it runs: a task
// that runs first may have taken the item or the space, and the woken task
// then waits again for the time it has left.
//
// Queue sets (FreeRTOS's xQueueCreateSet): a task blocks on several queues
// and semaphores at once. A QueueSet is a queue of member tags; each time an
// item or unit arrives in a member, the member's tag is queued in the set in
// the same critical section, so queue_set_select returns members in the
// order their items arrived. See "Queue sets" below and docs/kernel-queue.md.
//
// Errors (petrel::Status): Errc::kBusy "queue: full"/"queue: empty" at once
// with kNoWait; Errc::kTimeout "queue: timed out" after a real wait;
// Errc::kTimeout "queue: wait aborted" (task_abort_delay, or the task was
// suspended while waiting); Errc::kNotFound "queue: deleted while waiting";
// Errc::kInvalid for misuse (a blocking call in interrupt context or one
// that would block with the scheduler locked: the rule in sched.h; an
// uninitialized or deleted queue, overwrite on a queue longer than 1);
// Errc::kNoMemory "queue set: full" when the queue is a member of a set that
// has no room for the item's event (nothing is stored: see below).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/ticks.h"
#include "petrel/kernel/wait_queue.h"
#include "petrel/result.h"

namespace petrel::kernel {

struct QueueSet;
struct Semaphore;

// A queue's or semaphore's membership of a queue set. `set` is nullptr for
// objects in no set: the only field a send or give reads when there is none.
struct QueueSetLink {
  QueueSet* set = nullptr;
  const void* tag = nullptr;     // what queue_set_select returns for the member
  QueueSetLink* next = nullptr;  // the set's next member
};

// The queue's control block. Its fields belong to the kernel: use the
// functions below. Constant-initialized, so it can live in static storage;
// it is unusable until queue_create_static (a default one reports
// "queue: not initialized or deleted").
struct Queue {
  constexpr Queue() = default;
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  WaitQueue senders;    // blocked in queue_send_*: only while the queue is full
  WaitQueue receivers;  // blocked in queue_receive/peek: only while it is empty
  uint8_t* storage = nullptr;
  size_t length = 0;  // 0: not initialized, or deleted
  size_t item_size = 0;
  size_t head = 0;   // slot of the oldest item
  size_t count = 0;  // items queued
  bool dynamic = false;
  WakeRule wake_rule = WakeRule::kHandOver;
  QueueSetLink set_link;  // queue_set_add
};

// Whether `q` is a member of a queue set (queue_set_add): then a send can
// fail because the set is full. One load, no critical section: for an API
// layer's fast path, which reads it in the task that adds and removes it.
inline bool queue_in_queue_set(const Queue* q) {
  return q->set_link.set != nullptr;
}

// Bytes of buffer a queue of `length` items of `item_size` bytes needs
// (0 when the product overflows: queue_create_static then refuses it).
constexpr size_t queue_buffer_size(size_t length, size_t item_size) {
  return item_size != 0 && length > SIZE_MAX / item_size ? 0 : length * item_size;
}

// Creates a queue, control block and buffer from the kernel heap.
// Errors: kInvalid (length 0), kOutOfRange (length * item_size overflows),
// kNoMemory (heap exhausted).
Result<Queue*> queue_create(size_t length, size_t item_size);
// Initializes a queue in caller memory: `storage` and a `buffer` of
// queue_buffer_size(length, item_size) bytes (nullptr allowed when that is
// 0). No heap. Returns `storage`.
Result<Queue*> queue_create_static(Queue* storage, void* buffer, size_t length, size_t item_size);
// Deletes a queue: tasks blocked on it wake and their calls fail with
// kNotFound "queue: deleted while waiting". Heap queues are freed; a static
// one becomes uninitialized (its memory is the caller's again).
void queue_delete(Queue* q);

// Task context (or interrupt context with kNoWait). `timeout`: kNoWait,
// a number of ticks, or kForever.
// Copies *item to the back (the newest end).
Status queue_send_back(Queue* q, const void* item, Ticks timeout);
// Copies *item to the front: it is the next one received.
Status queue_send_front(Queue* q, const void* item, Ticks timeout);
// Queues of length 1 only (a "mailbox"): stores *item, replacing the item
// already there if any. Never blocks, always succeeds on such a queue.
Status queue_overwrite(Queue* q, const void* item);
// Moves the oldest item into *out.
Status queue_receive(Queue* q, void* out, Ticks timeout);
// Copies the oldest item into *out without removing it.
Status queue_peek(Queue* q, void* out, Ticks timeout);

// Interrupt variants: never block (kBusy when full/empty). When the call
// woke a task of higher priority than the interrupted one they set
// *higher_priority_woken to true; otherwise they leave it unchanged (so one
// flag can collect several calls; it may be nullptr). The switch itself
// happens at interrupt exit. Callable from tasks as well.
Status queue_send_back_from_isr(Queue* q, const void* item, bool* higher_priority_woken);
Status queue_send_front_from_isr(Queue* q, const void* item, bool* higher_priority_woken);
Status queue_overwrite_from_isr(Queue* q, const void* item, bool* higher_priority_woken);
Status queue_receive_from_isr(Queue* q, void* out, bool* higher_priority_woken);
// Peeking wakes no task, so it has no flag.
Status queue_peek_from_isr(Queue* q, void* out);

// Queries, callable anywhere (0 for an uninitialized or deleted queue).
size_t queue_messages_waiting(const Queue* q);
size_t queue_spaces_available(const Queue* q);
size_t queue_length(const Queue* q);
size_t queue_item_size(const Queue* q);

// Discards every queued item. Tasks waiting to send then fill the freed
// space, in priority order, and wake with their sends done (kWakeAndRetry:
// the first of them is woken to try again); tasks waiting to receive keep
// waiting.
Status queue_reset(Queue* q);

// Chooses the wake rule (see above) of a queue nobody waits on yet; call it
// right after creating the queue.
void queue_set_wake_rule(Queue* q, WakeRule rule);

// --- Queue sets ---
//
// A set of length N holds up to N events: member tags, oldest first. Every
// item stored in a member queue (a send, an overwrite of an empty length-1
// queue) and every unit added to a member semaphore (a give) queues the
// member's tag in the set, in the same critical section; an overwrite that
// replaces an item posts nothing (the member already has its event). Make N
// the sum of the members' lengths (a binary semaphore counts 1, a counting
// one its maximum): a send or give that finds the set full fails with
// Errc::kNoMemory "queue set: full" and changes nothing, rather than losing
// the event.
//
// queue_set_select waits for an event and returns its tag; the caller then
// takes the item or unit from that member with kNoWait. Read members only
// after the set named them, one read per event: a read made without one
// leaves an event behind that names an empty member.
//
// While in a set, a member wakes its own waiters by WakeRule::kWakeAndRetry
// whatever its rule (an item must sit in the member for its event to mean
// anything, so nothing is handed over to a waiting receiver or taker);
// tasks are not expected to wait on members directly. Mutexes cannot be
// members. A member leaves its set when it is removed or deleted (its events
// still in the set are dropped); deleting a set releases its members and
// wakes its selectors (kNotFound "queue: deleted while waiting").

// The set's control block; its fields belong to the kernel.
struct QueueSet {
  constexpr QueueSet() = default;
  QueueSet(const QueueSet&) = delete;
  QueueSet& operator=(const QueueSet&) = delete;

  Queue events;                     // member tags (const void*), oldest first
  QueueSetLink* members = nullptr;  // singly linked through QueueSetLink::next
  bool dynamic = false;
};

// Bytes of buffer queue_set_create_static needs for `length` events.
constexpr size_t queue_set_buffer_size(size_t length) {
  return queue_buffer_size(length, sizeof(const void*));
}

// From the kernel heap, control block and events in one block. `rule` is the
// wake rule of the tasks waiting in queue_set_select. The default,
// kWakeAndRetry, leaves every event in the set until a selector takes it, so
// removing or deleting a member drops all of its events. With kHandOver an
// event goes straight to a woken selector before it runs; if a member leaves
// its set in between, that selector still returns it. Errors: kInvalid
// "queue set: length 0", kOutOfRange, kNoMemory "queue set: heap exhausted".
Result<QueueSet*> queue_set_create(size_t length, WakeRule rule = WakeRule::kWakeAndRetry);
// In caller memory: `buffer` holds queue_set_buffer_size(length) bytes,
// aligned for pointers. No heap. Returns `storage`.
Result<QueueSet*> queue_set_create_static(QueueSet* storage, void* buffer, size_t length,
                                          WakeRule rule = WakeRule::kWakeAndRetry);
// Releases the members (they belong to no set afterwards) and wakes the
// tasks waiting in queue_set_select (kNotFound). Heap sets are freed.
void queue_set_delete(QueueSet* set);

// Adds an empty queue or semaphore that is in no set; queue_set_select
// returns `tag` for it (nullptr: the object's own address). Errors: kInvalid
// "queue set: not initialized or deleted" (set or member), kBusy "queue set:
// already a member of a set", kBusy "queue set: member not empty".
Status queue_set_add(QueueSet* set, Queue* q, const void* tag = nullptr);
Status queue_set_add(QueueSet* set, Semaphore* s, const void* tag = nullptr);
// Removes an empty member; events it left in the set are dropped. Errors:
// kInvalid (not initialized or deleted), kNotFound "queue set: not a member
// of this set", kBusy "queue set: member not empty".
Status queue_set_remove(QueueSet* set, Queue* q);
Status queue_set_remove(QueueSet* set, Semaphore* s);

// Waits up to `timeout` for an event and returns its member's tag. Errors as
// queue_receive ("queue: empty" with kNoWait, "queue: timed out", ...), and
// kInvalid "queue set: not initialized or deleted".
Result<const void*> queue_set_select(QueueSet* set, Ticks timeout);
// Interrupt variant (also callable from tasks): never blocks; kBusy
// "queue: empty" when there is no event.
Result<const void*> queue_set_select_from_isr(QueueSet* set);
// Events waiting in the set (0 for an uninitialized or deleted set).
size_t queue_set_events(const QueueSet* set);

}  // namespace petrel::kernel
