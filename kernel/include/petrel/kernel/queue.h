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
// Errors (petrel::Status): Errc::kBusy "queue: full"/"queue: empty" at once
// with kNoWait; Errc::kTimeout "queue: timed out" after a real wait;
// Errc::kTimeout "queue: wait aborted" (task_abort_delay, or the task was
// suspended while waiting); Errc::kNotFound "queue: deleted while waiting";
// Errc::kInvalid for misuse (a blocking call in interrupt context, an
// uninitialized or deleted queue, overwrite on a queue longer than 1).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/ticks.h"
#include "petrel/kernel/wait_queue.h"
#include "petrel/result.h"

namespace petrel::kernel {

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
};

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

}  // namespace petrel::kernel
