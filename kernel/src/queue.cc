// Queues (queue.h).
//
// Design
// ------
// Items live in a ring of `length` slots of `item_size` bytes; `head` is the
// oldest item and `count` how many there are. Two wait queues hold the
// blocked tasks: senders (only ever non-empty while the queue is full) and
// receivers, which includes peekers (only ever non-empty while it is empty).
//
// Every wake-up is a direct hand-over. A blocked task describes its request
// in a Waiter on its own stack (WaitRecord::detail.queue points to it): the buffer to
// copy from or to and the operation. The task that makes the request
// possible performs it for the waiter, marks it done and wakes it:
//   - send while receivers wait: copy the item to each peeker ahead of the
//     first receiver, then into that receiver's buffer (the ring stays
//     empty; with no receiver waiting the item is queued);
//   - receive while senders wait: after taking the oldest item, copy the
//     first sender's item into the freed slot (back or front, as it asked);
//   - reset: fill the emptied ring from the waiting senders.
// So a woken task never re-checks or competes: its call returned success
// the moment it was woken, wake order is exactly priority then FIFO, and the
// invariants above hold. A task that is deleted while it waits is simply off
// the wait queue; the queue is unaffected.
//
// A wait ends with the Waiter marked done (success), marked deleted (the
// queue is gone: the waiter touches nothing of it), or with the wait
// queue's reason: kTimeout (the deadline passed: the request is tried once
// more, as the queue may have changed since the wake-up, then the call
// times out) or kAborted (task_abort_delay, suspension). A kSignaled wake
// without "done" cannot happen; it would be retried with the time left.
//
// Complexity: every operation is O(1) plus the copy of one item, except
// that a send wakes the peekers ahead of the first receiver (each of them is
// woken, so the work is proportional to tasks made ready), reset refills
// from at most `length` senders, and delete wakes every waiter.
//
// With WakeRule::kWakeAndRetry (FreeRTOS's rule) nothing is handed
// over: the operation that makes a blocked request possible wakes the first
// waiter of the other side with kSignaled and its request still pending,
// and the woken task tries again (try_now) when it runs, waiting again for
// the time left if another task got there first. A send then queues the
// item and wakes one receiver or peeker; a successful peek wakes the next
// one, so peekers see the item one at a time; a receive wakes one sender; a
// reset wakes one sender. The invariants above then hold only for tasks
// still on the wait queues (a woken task is off them).
//
// Queue sets (queue_set.cc): a queue in a set has set_link.set; storing an
// item first posts the queue's tag to the set (queue_set_post), in the same
// critical section, and stores nothing if the set is full. A member always
// follows kWakeAndRetry, so every item it gets sits in its ring (a hand-over
// to a waiting receiver would bypass the set). A queue in no set pays one
// test of the link per send (in retries() under kHandOver, before the post
// under kWakeAndRetry); only a member pays for the post.
//
// Interrupts are masked (CriticalSection) for each whole operation,
// including the item copies (one or, for a send to waiting peekers, several
// of item_size bytes): keep items small, send pointers for bulk data.
#include "petrel/kernel/queue.h"

#include <new>

#include "kernel_state.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/trace.h"
#include "petrel/string.h"
#include "queue_set_hooks.h"
#include "switch_core.h"

namespace petrel::kernel {
namespace {

enum class Op : uint8_t { kSendBack, kSendFront, kReceive, kPeek };
enum class Outcome : uint8_t { kPending, kDone, kDeleted };
// What trying a request at once gave.
enum class Attempt : uint8_t { kDone, kNotNow, kSetFull };

}  // namespace

// A blocked task's request, on its stack while it waits.
struct QueueWaiter {
  void* buffer;  // source for sends, destination for receive/peek
  Op op;
  Outcome outcome;
};

namespace {

using Waiter = QueueWaiter;

constexpr Error kNotInitialized{Errc::kInvalid, "queue: not initialized or deleted"};
constexpr BlockingErrors kBlocking{
    {Errc::kInvalid, "queue: cannot block in interrupt context"},
    {Errc::kInvalid, "queue: cannot block with the scheduler locked"}};
constexpr Error kNoTask{Errc::kInvalid, "queue: cannot block before the scheduler starts"};
constexpr Error kNullItem{Errc::kInvalid, "queue: null item buffer"};
constexpr Error kFull{Errc::kBusy, "queue: full"};
constexpr Error kEmpty{Errc::kBusy, "queue: empty"};
constexpr Error kTimedOut{Errc::kTimeout, "queue: timed out"};
constexpr Error kAbortedErr{Errc::kTimeout, "queue: wait aborted"};
constexpr Error kDeletedErr{Errc::kNotFound, "queue: deleted while waiting"};
constexpr Error kNotMailbox{Errc::kInvalid, "queue: overwrite needs a queue of length 1"};

Waiter* waiter_of(const Task* t) {
  return t->wait.detail.queue;
}

bool outranks_current(const Task* t) {
  const Task* cur = task_current();
  return cur != nullptr && t->priority > cur->priority;
}

// Aligned items of one, two or four words (an int, a pointer, a small
// struct) are copied inline: a call to the general copy would cost several
// times the copy. (The guests are built with -fno-builtin and strict
// alignment, so neither a constant-size memcpy nor an unaligned word access
// would do this.)
template <typename Word>
bool copy_words(void* dst, const void* src, size_t words) {
  using Aliased [[gnu::may_alias]] = Word;
  if (((reinterpret_cast<uintptr_t>(dst) | reinterpret_cast<uintptr_t>(src)) &
       (alignof(Word) - 1)) != 0)
    return false;
  // The analyzer follows a path where a queue of 0-byte items (no buffer
  // needed) reaches here as a queue of 4-byte ones: item_size never changes.
  for (size_t i = 0; i < words; ++i)
    static_cast<Aliased*>(dst)[i] =
        static_cast<const Aliased*>(src)[i];  // NOLINT(clang-analyzer-core.NullDereference)
  return true;
}

// Items of any size but a word's, out of line: copy_item is inlined at
// every site that moves an item, and more inline cases there cost hello.bin
// its 64 KiB (docs/build.md).
[[gnu::noinline]] void copy_other(void* dst, const void* src, size_t n) {
  if (n == 8 && copy_words<uint64_t>(dst, src, 1)) return;
  if (n == 16 && copy_words<uint64_t>(dst, src, 2)) return;
  str::copy(dst, src, n);
}

// A 4-byte item (FreeRTOS's most common: a handle, a number, a pointer on
// AArch32) inline; any other through copy_other.
[[gnu::always_inline]] inline void copy_item(const Queue* q, void* dst, const void* src) {
  const size_t n = q->item_size;
  if (n == 0) return;
  if (n == 4 && copy_words<uint32_t>(dst, src, 1)) return;
  copy_other(dst, src, n);
}

uint8_t* slot(const Queue* q, size_t index) {
  return q->storage + index * q->item_size;
}

// The task path (try_now, inline in each transfer<op>) has the work below
// inline too: a send or receive that finds the queue ready is then one
// function, with no call to store, deliver, take or a wake-up, and the
// FreeRTOS rule's round trip (two tries and two wake-ups per item) pays for
// none. Interrupt handlers, resets and overwrites call the out-of-line
// copies (kHot false), so images that never make a task call on a queue,
// such as hello, carry only those.

// Puts an item into the ring (which has room).
[[gnu::always_inline]] inline void store(Queue* q, const void* item, Op op) {
  if (op == Op::kSendFront) {
    q->head = q->head == 0 ? q->length - 1 : q->head - 1;
    copy_item(q, slot(q, q->head), item);
  } else {
    size_t tail = q->head + q->count;
    if (tail >= q->length) tail -= q->length;
    copy_item(q, slot(q, tail), item);
  }
  ++q->count;
}

// FreeRTOS's rule: chosen for the queue, or implied by membership of a set.
bool retries(const Queue* q) {
  return q->wake_rule == WakeRule::kWakeAndRetry || queue_in_queue_set(q);
}

// kWakeAndRetry: wakes the first task of `wq` to try its request again.
// Returns whether it outranks the running task.
[[gnu::always_inline]] inline bool wake_first_to_retry(WaitQueue& wq) {
  Task* t = wq.first();
  if (t == nullptr) return false;
  return wake_waiter(t, WakeReason::kSignaled);
}

[[gnu::noinline]] bool wake_to_retry(WaitQueue& wq) {
  return wake_first_to_retry(wq);
}

template <bool kHot>
[[gnu::always_inline]] inline bool retry_wake(WaitQueue& wq) {
  if constexpr (kHot) return wake_first_to_retry(wq);
  return wake_to_retry(wq);
}

// Completes the first waiting sender's request into the ring (which has
// room), or with kWakeAndRetry wakes it to try again. Returns whether the
// woken sender outranks the running task.
template <bool kHot>
[[gnu::always_inline]] inline bool admit_sender_in(Queue* q) {
  if (retries(q)) return retry_wake<kHot>(q->senders);
  Task* t = q->senders.first();
  if (t == nullptr) return false;
  Waiter* w = waiter_of(t);
  store(q, w->buffer, w->op);
  w->outcome = Outcome::kDone;
  q->senders.wake(t, WakeReason::kSignaled);
  return outranks_current(t);
}

bool admit_sender(Queue* q) {
  return admit_sender_in<false>(q);
}

bool deliver(Queue* q, const void* item, Op op, bool* higher);

// A receiver that was handed an item is deleted before it ran: the item goes
// back to the front of the queue (or to the next receiver). If sends filled
// the queue in between, there is no room for it and it is lost.
void return_item(Task* t) {
  auto* q = static_cast<Queue*>(const_cast<void*>(t->wait.call_object));
  const Waiter* w = waiter_of(t);
  bool higher = false;
  if (q->count < q->length) (void)deliver(q, w->buffer, Op::kSendFront, &higher);
}

// A send into a queue with room: hands the item to the waiting peekers and
// the first waiting receiver, or queues it. Sets *higher when a woken task
// outranks the running one. Returns false, storing nothing, when the queue
// is in a queue set that is full.
template <bool kHot>
[[gnu::always_inline]] inline bool deliver_in(Queue* q, const void* item, Op op, bool* higher) {
  if (retries(q)) {
    if (queue_in_queue_set(q)) {
      const CountedNesting counted;  // the post is a queue call of its own
      if (!queue_set_post(q->set_link, higher)) return false;
    }
    store(q, item, op);
    if (retry_wake<kHot>(q->receivers)) *higher = true;
    return true;
  }
  while (Task* t = q->receivers.first()) {
    Waiter* w = waiter_of(t);
    const bool consumes = w->op == Op::kReceive;
    copy_item(q, w->buffer, item);
    w->outcome = Outcome::kDone;
    if (consumes) t->wait.undo_handoff = return_item;
    q->receivers.wake(t, WakeReason::kSignaled);
    if (outranks_current(t)) *higher = true;
    if (consumes) return true;
  }
  store(q, item, op);
  return true;
}

[[gnu::noinline]] bool deliver(Queue* q, const void* item, Op op, bool* higher) {
  return deliver_in<false>(q, item, op, higher);
}

// Takes the oldest item (there is one) into *out and lets the first waiting
// sender in.
template <bool kHot>
[[gnu::always_inline]] inline bool take_in(Queue* q, void* out) {
  copy_item(q, out, slot(q, q->head));
  if (++q->head == q->length) q->head = 0;
  --q->count;
  return admit_sender_in<kHot>(q);
}

bool take(Queue* q, void* out) {
  return take_in<false>(q, out);
}

constexpr bool is_send(Op op) {
  return op == Op::kSendBack || op == Op::kSendFront;
}

// Performs a request at once if the queue allows it now. Inline where the
// operation is a constant (the task calls' transfer<op>), so it is one path.
[[gnu::always_inline]] inline Attempt try_now(Queue* q, void* buffer, Op op) {
  if (is_send(op)) {
    if (q->count == q->length) return Attempt::kNotNow;
    bool higher = false;  // a task send switches on leaving its critical section
    return deliver_in<true>(q, buffer, op, &higher) ? Attempt::kDone : Attempt::kSetFull;
  }
  if (q->count == 0) return Attempt::kNotNow;
  if (op == Op::kReceive) {
    take_in<true>(q, buffer);
    return Attempt::kDone;
  }
  copy_item(q, buffer, slot(q, q->head));
  // The item stays: the next waiting receiver or peeker may have it.
  if (retries(q) && !in_isr()) wake_first_to_retry(q->receivers);
  return Attempt::kDone;
}

Status attempt_status(Attempt a) {
  return a == Attempt::kSetFull ? Status{kQueueSetFull} : ok();
}

// The waits of block<op>, until the request is done, the deadline passes,
// the wait is aborted or the queue deleted: the running task `self` is
// inside its call on `q` (WaitRecord::call_object) all along.
template <Op op>
[[gnu::always_inline]] inline Status wait_for(Task* self, Queue* q, void* buffer,
                                              const Deadline& deadline) {
  WaitQueue& wq = is_send(op) ? q->senders : q->receivers;
  Waiter w{buffer, op, Outcome::kPending};
  for (;;) {
    if (Status refused = check_may_block(kBlocking); !refused) return refused;
    self->wait.detail.queue = &w;
    const WakeReason r = block_running_inline(self, &wq, deadline.at());
    self->wait.undo_handoff = nullptr;  // running again: a handed-over item is ours
    self->wait.detail.queue = nullptr;
    if (w.outcome == Outcome::kDone) return ok();
    if (w.outcome == Outcome::kDeleted || self->wait.call_object_deleted) return kDeletedErr;
    // FreeRTOS's rule also keeps waiting, for the time left, after the task
    // was suspended and resumed; only task_abort_delay ends the wait.
    if (r == WakeReason::kAborted && !(retries(q) && self->wait.suspended)) return kAbortedErr;
    // Woken to try again (kWakeAndRetry), or timed out: the queue may have
    // changed since the wake-up.
    if (const Attempt a = try_now(q, buffer, op); a != Attempt::kNotNow) return attempt_status(a);
    if (deadline.remaining() == kNoWait) return kTimedOut;
  }
}

// Blocks the running task with its request until it is done (wait_for).
// Interrupts masked; the caller already found that the request cannot be
// met now. The call on the queue is entered and ended here (call_enter,
// wait_queue.h), as in the semaphore's take, not by a BlockingCall guard.
template <Op op>
[[gnu::always_inline]] inline Status block(Queue* q, void* buffer, Ticks timeout) {
  Task* self = task_current();
  if (self == nullptr) return kNoTask;
  const Deadline deadline = Deadline::after(timeout);
  call_enter(self, q);
  const Status st = wait_for<op>(self, q, buffer, deadline);
  call_end(self);
  return st;
}

// queue_delete: every waiter fails with "deleted while waiting".
void wake_deleted(WaitQueue& wq) {
  while (Task* t = wq.first()) {
    waiter_of(t)->outcome = Outcome::kDeleted;
    wq.wake(t, WakeReason::kAborted);
  }
}

bool usable(const Queue* q) {
  return q != nullptr && q->length != 0;
}

// A task's send, receive or peek (or a peek from an interrupt, kNoWait):
// tried at once, then, if the caller may wait, blocked until it is done.
template <Op op>
[[gnu::always_inline]] inline Status transfer(Queue* q, void* buffer, Ticks timeout) {
  if (Status refused = check_wait_context(timeout, kBlocking); !refused) return refused;
  HotCriticalSection cs;
  trace::op(is_send(op) ? trace::Kind::kQueueSend : trace::Kind::kQueueReceive, q);
  if (!usable(q)) return kNotInitialized;
  if (buffer == nullptr && q->item_size != 0) return kNullItem;
  if (const Attempt a = try_now(q, buffer, op); a != Attempt::kNotNow) return attempt_status(a);
  if (timeout == kNoWait) return is_send(op) ? kFull : kEmpty;
  return block<op>(q, buffer, timeout);
}

Status send_from_isr(Queue* q, const void* item, Op op, bool* higher_priority_woken) {
  CriticalSection cs;
  trace::op(trace::Kind::kQueueSend, q);
  if (!usable(q)) return kNotInitialized;
  if (item == nullptr && q->item_size != 0) return kNullItem;
  if (q->count == q->length) return kFull;
  bool higher = false;
  if (!deliver(q, item, op, &higher)) return kQueueSetFull;
  if (higher && higher_priority_woken != nullptr) *higher_priority_woken = true;
  return ok();
}

Status overwrite(Queue* q, const void* item, bool* higher_priority_woken) {
  CriticalSection cs;
  trace::op(trace::Kind::kQueueSend, q);
  if (!usable(q)) return kNotInitialized;
  if (q->length != 1) return kNotMailbox;
  if (item == nullptr && q->item_size != 0) return kNullItem;
  if (q->count == 1) {
    // Full: nobody waits to receive, and a set already has the item's event.
    copy_item(q, slot(q, q->head), item);
    return ok();
  }
  bool higher = false;
  if (!deliver(q, item, Op::kSendBack, &higher)) return kQueueSetFull;
  if (higher && higher_priority_woken != nullptr) *higher_priority_woken = true;
  return ok();
}

Result<Queue*> init(Queue* q, uint8_t* buffer, size_t length, size_t item_size, bool dynamic) {
  new (q) Queue();
  q->storage = buffer;
  q->item_size = item_size;
  q->dynamic = dynamic;
  q->length = length;  // last: marks it usable
  return q;
}

Status check_shape(size_t length, size_t item_size) {
  if (length == 0) return Error{Errc::kInvalid, "queue: length 0"};
  if (item_size != 0 && length > SIZE_MAX / item_size)
    return Error{Errc::kOutOfRange, "queue: length * item_size overflows"};
  return ok();
}

}  // namespace

Result<Queue*> queue_create(size_t length, size_t item_size) {
  Status s = check_shape(length, item_size);
  if (!s) return s.error();
  // One block: the control block, then the ring.
  const size_t header = (sizeof(Queue) + 15) & ~size_t{15};
  const size_t bytes = length * item_size;
  if (bytes > SIZE_MAX - header)
    return Error{Errc::kOutOfRange, "queue: length * item_size overflows"};
  void* block = heap_alloc(header + bytes, 16);
  if (block == nullptr) return Error{Errc::kNoMemory, "queue: heap exhausted"};
  return init(static_cast<Queue*>(block), static_cast<uint8_t*>(block) + header, length, item_size,
              true);
}

Result<Queue*> queue_create_static(Queue* storage, void* buffer, size_t length, size_t item_size) {
  Status s = check_shape(length, item_size);
  if (!s) return s.error();
  if (storage == nullptr) return Error{Errc::kInvalid, "queue: no storage for the queue"};
  if (buffer == nullptr && length * item_size != 0)
    return Error{Errc::kInvalid, "queue: no buffer for the items"};
  return init(storage, static_cast<uint8_t*>(buffer), length, item_size, false);
}

void queue_delete(Queue* q) {
  CriticalSection cs;
  if (!usable(q)) return;
  queue_set_leave(q->set_link);
  wake_deleted(q->senders);
  wake_deleted(q->receivers);
  mark_object_deleted(q);  // and those that timed out but have not run yet
  q->length = 0;
  // The woken tasks run after this critical section and touch nothing of q.
  if (q->dynamic) heap_free(q);
}

bool queue_send_back_timed_passed(Queue* q, const void* item, Ticks timeout) {
  return transfer<Op::kSendBack>(q, const_cast<void*>(item), timeout).ok();
}

bool queue_send_back_forever_passed(Queue* q, const void* item) {
  return transfer<Op::kSendBack>(q, const_cast<void*>(item), kForever).ok();
}

bool queue_send_front_timed_passed(Queue* q, const void* item, Ticks timeout) {
  return transfer<Op::kSendFront>(q, const_cast<void*>(item), timeout).ok();
}

bool queue_send_front_forever_passed(Queue* q, const void* item) {
  return transfer<Op::kSendFront>(q, const_cast<void*>(item), kForever).ok();
}

bool queue_receive_timed_passed(Queue* q, void* out, Ticks timeout) {
  return transfer<Op::kReceive>(q, out, timeout).ok();
}

bool queue_receive_forever_passed(Queue* q, void* out) {
  return transfer<Op::kReceive>(q, out, kForever).ok();
}

bool queue_peek_timed_passed(Queue* q, void* out, Ticks timeout) {
  return transfer<Op::kPeek>(q, out, timeout).ok();
}

bool queue_peek_forever_passed(Queue* q, void* out) {
  return transfer<Op::kPeek>(q, out, kForever).ok();
}

Status queue_send_back(Queue* q, const void* item, Ticks timeout) {
  return transfer<Op::kSendBack>(q, const_cast<void*>(item), timeout);
}

Status queue_send_front(Queue* q, const void* item, Ticks timeout) {
  return transfer<Op::kSendFront>(q, const_cast<void*>(item), timeout);
}

Status queue_overwrite(Queue* q, const void* item) {
  return overwrite(q, item, nullptr);
}

Status queue_receive(Queue* q, void* out, Ticks timeout) {
  return transfer<Op::kReceive>(q, out, timeout);
}

Status queue_peek(Queue* q, void* out, Ticks timeout) {
  return transfer<Op::kPeek>(q, out, timeout);
}

Status queue_send_back_from_isr(Queue* q, const void* item, bool* higher_priority_woken) {
  return send_from_isr(q, item, Op::kSendBack, higher_priority_woken);
}

Status queue_send_front_from_isr(Queue* q, const void* item, bool* higher_priority_woken) {
  return send_from_isr(q, item, Op::kSendFront, higher_priority_woken);
}

Status queue_overwrite_from_isr(Queue* q, const void* item, bool* higher_priority_woken) {
  return overwrite(q, item, higher_priority_woken);
}

Status queue_receive_from_isr(Queue* q, void* out, bool* higher_priority_woken) {
  CriticalSection cs;
  trace::op(trace::Kind::kQueueReceive, q);
  if (!usable(q)) return kNotInitialized;
  if (out == nullptr && q->item_size != 0) return kNullItem;
  if (q->count == 0) return kEmpty;
  if (take(q, out) && higher_priority_woken != nullptr) *higher_priority_woken = true;
  return ok();
}

Status queue_peek_from_isr(Queue* q, void* out) {
  return transfer<Op::kPeek>(q, out, kNoWait);
}

size_t queue_messages_waiting(const Queue* q) {
  CriticalSection cs;
  return usable(q) ? q->count : 0;
}

size_t queue_spaces_available(const Queue* q) {
  CriticalSection cs;
  return usable(q) ? q->length - q->count : 0;
}

size_t queue_length(const Queue* q) {
  CriticalSection cs;
  return usable(q) ? q->length : 0;
}

size_t queue_item_size(const Queue* q) {
  CriticalSection cs;
  return usable(q) ? q->item_size : 0;
}

Status queue_reset(Queue* q) {
  CriticalSection cs;
  if (!usable(q)) return kNotInitialized;
  q->head = 0;
  q->count = 0;
  if (retries(q)) {
    admit_sender(q);  // FreeRTOS wakes one
    return ok();
  }
  while (q->count < q->length && !q->senders.empty()) admit_sender(q);
  return ok();
}

void queue_set_wake_rule(Queue* q, WakeRule rule) {
  CriticalSection cs;
  if (q != nullptr) q->wake_rule = rule;
}

void queue_discard_matching(Queue* q, const void* item) {
  size_t kept = 0;
  for (size_t i = 0; i < q->count; ++i) {
    const uint8_t* from = slot(q, (q->head + i) % q->length);
    if (str::compare(from, item, q->item_size) == 0) continue;
    uint8_t* to = slot(q, (q->head + kept) % q->length);
    if (to != from) copy_item(q, to, from);
    ++kept;
  }
  q->count = kept;
}

}  // namespace petrel::kernel
