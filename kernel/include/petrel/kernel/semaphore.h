// Semaphores: binary (maximum count 1) and counting, with FreeRTOS
// semantics, built directly on a WaitQueue.
//
// take waits until the count is above zero and decrements it; give
// increments it, up to the maximum. A give while tasks wait hands the unit
// straight to the first of them (highest priority, FIFO among equals): the
// count stays 0 and that task's take has already succeeded when it runs, so
// no other task can take the unit in between. take and give allocate
// nothing and never loop over tasks.
//
// A semaphore may be a member of a queue set (queue.h): each give that
// raises the count then queues the semaphore's tag in the set.
//
// Errors (petrel::Status): Errc::kBusy "semaphore: not available" at once
// with kNoWait; Errc::kTimeout "semaphore: timed out" after a real wait;
// Errc::kTimeout "semaphore: wait aborted" (task_abort_delay, or the task
// was suspended while waiting); Errc::kNotFound "semaphore: deleted while
// waiting"; Errc::kOutOfRange "semaphore: already at its maximum count" for
// a give to a full semaphore (nothing changes); Errc::kInvalid for misuse (a
// blocking take in interrupt context or one that would block with the
// scheduler locked, as sched.h says; an uninitialized or deleted one);
// Errc::kNoMemory "queue set: full" for a give to a member of a full set
// (nothing changes).
#pragma once

#include <stdint.h>

#include "petrel/kernel/queue.h"  // QueueSetLink
#include "petrel/kernel/ticks.h"
#include "petrel/kernel/wait_queue.h"
#include "petrel/result.h"

namespace petrel::kernel {

// The semaphore's control block; its fields belong to the kernel. Constant-
// initialized, so it can live in static storage; usable after
// semaphore_create_static (a default one reports "semaphore: not
// initialized or deleted").
struct Semaphore {
  constexpr Semaphore() = default;
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  WaitQueue takers;  // blocked in semaphore_take: only while count is 0 (kHandOver)
  uint32_t count = 0;
  uint32_t max_count = 0;  // 0: not initialized, or deleted
  bool dynamic = false;
  WakeRule wake_rule = WakeRule::kHandOver;  // wait_queue.h
  QueueSetLink set_link;                     // queue_set_add (queue.h)
};

// Whether `s` is a member of a queue set (queue_set_add): then a give can
// fail because the set is full. One load, no critical section: for an API
// layer's fast path, which reads it in the task that adds and removes it.
inline bool semaphore_in_queue_set(const Semaphore* s) {
  return s->set_link.set != nullptr;
}

// Chooses the wake rule (wait_queue.h) of a semaphore nobody waits on yet;
// call it right after creating it. With kWakeAndRetry a give raises the
// count (failing at the maximum) and wakes the first taker, which takes a
// unit when it runs if one is still there.
void semaphore_set_wake_rule(Semaphore* s, WakeRule rule);

// From the kernel heap. A binary semaphore starts empty (count 0), as
// FreeRTOS's xSemaphoreCreateBinary. Errors: kInvalid (max_count 0),
// kOutOfRange (initial_count > max_count), kNoMemory.
Result<Semaphore*> semaphore_create_binary();
Result<Semaphore*> semaphore_create_counting(uint32_t max_count, uint32_t initial_count);
// In caller memory, no heap (binary: max_count 1). Returns `storage`.
Result<Semaphore*> semaphore_create_static(Semaphore* storage, uint32_t max_count,
                                           uint32_t initial_count);
// Tasks blocked in take wake and fail with kNotFound "semaphore: deleted
// while waiting". Heap semaphores are freed; a static one becomes
// uninitialized.
void semaphore_delete(Semaphore* s);

// Task context (interrupt context only with kNoWait).
Status semaphore_take(Semaphore* s, Ticks timeout);
// Task or interrupt context; a woken task that outranks the running one
// runs when the caller leaves the kernel (at once from a task).
Status semaphore_give(Semaphore* s);

// Interrupt variants: never block. *higher_priority_woken is set to true
// when the call woke a task of higher priority than the interrupted one and
// left unchanged otherwise (may be nullptr). take never wakes anyone: it
// only has the flag for symmetry with FreeRTOS's xSemaphoreTakeFromISR.
Status semaphore_take_from_isr(Semaphore* s, bool* higher_priority_woken);
Status semaphore_give_from_isr(Semaphore* s, bool* higher_priority_woken);

// The current count (0 for an uninitialized or deleted semaphore).
uint32_t semaphore_count(const Semaphore* s);
uint32_t semaphore_max_count(const Semaphore* s);

}  // namespace petrel::kernel
