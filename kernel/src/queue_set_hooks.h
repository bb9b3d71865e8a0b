// What queues, semaphores and queue sets tell each other inside the kernel
// (queue.cc, semaphore.cc, queue_set.cc). Every function here is called
// with interrupts masked, inside the member's own critical section.
#pragma once

#include "petrel/kernel/queue.h"

namespace petrel::kernel {

inline constexpr Error kQueueSetFull{Errc::kNoMemory, "queue set: full"};

// An item or unit is about to arrive in the member `link` belongs to (its
// `set` is not nullptr): queues the member's tag in the set. Returns false,
// queuing nothing, when the set is full; the caller then stores nothing
// either. Sets *higher_priority_woken when a woken selector outranks the
// running task.
bool queue_set_post(const QueueSetLink& link, bool* higher_priority_woken);

// The member `link` belongs to is being deleted: leaves its set, if any,
// and drops its events there.
void queue_set_leave(QueueSetLink& link);

// Drops every queued item equal to *item (item_size bytes), keeping the
// others in order (queue.cc; for a set's events). Wakes nobody.
void queue_discard_matching(Queue* q, const void* item);

}  // namespace petrel::kernel
