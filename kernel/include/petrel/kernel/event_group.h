// Event groups: 24 event bits that tasks set, clear and wait for (FreeRTOS
// event groups). A task waits until any or all of a set of bits are set,
// optionally clearing them as it leaves; one set call wakes every waiter
// whose condition it satisfies. event_group_sync is a rendezvous.
//
// Bits: EventBits is 32 bits wide but only the low 24 (kEventBitsUsable) are
// event bits, as in FreeRTOS with 32-bit ticks; passing any of the top 8
// bits is an error (Errc::kInvalid). See docs/kernel-events.md.
#pragma once

#include <stdint.h>

#include "petrel/kernel/ticks.h"
#include "petrel/kernel/wait_queue.h"
#include "petrel/result.h"

namespace petrel::kernel {

using EventBits = uint32_t;
inline constexpr EventBits kEventBitsUsable = 0x00ff'ffffu;

// Flags of event_group_wait_bits, or-ed together.
enum EventWaitFlags : unsigned {
  kEventWaitAny = 0,            // any of the bits (the default)
  kEventWaitAll = 1u << 0,      // all of the bits
  kEventClearOnExit = 1u << 1,  // clear the awaited bits when the condition is met
};

// An event group. Constant-initialisable, so `constinit EventGroup g;` in
// static storage is ready to use; event_group_init (re)initialises caller
// memory, event_group_create takes it from the kernel heap. The fields are
// the module's own: use the functions.
struct EventGroup {
  constexpr EventGroup() = default;
  EventGroup(const EventGroup&) = delete;
  EventGroup& operator=(const EventGroup&) = delete;

  WaitQueue waiters;  // each waiter's WaitRecord::detail holds its bits and mode
  EventBits bits = 0;
  bool live = true;      // false once deleted
  bool dynamic = false;  // from the kernel heap
};

// Creates a group on the kernel heap (Errc::kNoMemory when it is full).
Result<EventGroup*> event_group_create();
// Initialises a group in caller memory (no heap). The group must not be in
// use (no waiters). Also revives a deleted static group.
Status event_group_init(EventGroup* storage);
// Deletes the group: every waiter wakes and its call fails (Errc::kNotFound,
// "event group: deleted while waiting"); heap memory is returned. Later calls
// on a deleted static group fail with kInvalid ("event group: deleted");
// nullptr and a second delete of a static group are ignored. Does not block.
void event_group_delete(EventGroup* group);

// Sets `bits` and, in the same critical section, wakes (highest priority
// first) every waiter whose condition the new value meets, all evaluated
// against that one value; the bits of waiters that asked for clear-on-exit
// are cleared after all waiters were evaluated. Returns the group's value
// when the call is done (after those clears, before any woken task runs).
// O(waiters) with interrupts masked. Never blocks.
Result<EventBits> event_group_set_bits(EventGroup* group, EventBits bits);
// The same from an interrupt handler, done directly in the handler (no
// deferral to a daemon task): the interrupts-masked work is O(number of
// tasks waiting on this group). Sets *higher_priority_woken to true (never
// to false, so it can accumulate; may be nullptr) if a woken task outranks
// the interrupted one: the switch then happens at interrupt exit.
Result<EventBits> event_group_set_bits_from_isr(EventGroup* group, EventBits bits,
                                                bool* higher_priority_woken);
// Clears `bits`; returns the value before clearing. Never wakes anyone.
Result<EventBits> event_group_clear_bits(EventGroup* group, EventBits bits);
Result<EventBits> event_group_clear_bits_from_isr(EventGroup* group, EventBits bits);
// The current value; 0 for nullptr or a deleted group. Safe from interrupts.
EventBits event_group_get_bits(const EventGroup* group);

// Waits until any (default) or all (kEventWaitAll) of `bits` are set, at most
// `timeout` (kNoWait: just test; kForever). With kEventClearOnExit the awaited
// bits are cleared when the condition is met (atomically with meeting it).
//
// Like xEventGroupWaitBits, the value reported is the group's value at the
// moment the condition was met (before any clear-on-exit), or at the moment
// the timeout passed. It is the Result's value on success and, whatever the
// outcome (met, timeout, deleted), also stored in *value_out if given, so
// `*value_out` is exactly what xEventGroupWaitBits would return.
// Errors: kTimeout (condition not met in time; also after task_abort_delay),
// kNotFound (group deleted while waiting), kInvalid (nullptr or deleted group,
// bits 0 or reserved, unknown flags, a non-zero timeout in interrupt context,
// a wait with the scheduler locked (sched.h), no running task).
Result<EventBits> event_group_wait_bits(EventGroup* group, EventBits bits, unsigned flags,
                                        Ticks timeout, EventBits* value_out = nullptr);

// Rendezvous (xEventGroupSync): sets `bits_to_set`, then waits until all of
// `bits_to_wait_for` are set, clearing them on exit. The task whose set
// completes the set returns at once; every participant gets the same value
// (the group's value with all of them set, before they were cleared).
// Results and errors as event_group_wait_bits (bits_to_set may be 0).
Result<EventBits> event_group_sync(EventGroup* group, EventBits bits_to_set,
                                   EventBits bits_to_wait_for, Ticks timeout,
                                   EventBits* value_out = nullptr);

}  // namespace petrel::kernel
