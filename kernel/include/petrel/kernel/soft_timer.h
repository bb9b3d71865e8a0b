// Software timers (FreeRTOS semantics): one-shot and periodic timers whose
// callbacks run in the kernel's timer service task.
//
// A timer is dormant until started. Once started it expires `period` ticks
// after the start command was issued; a one-shot timer then goes dormant, a
// periodic one is re-armed relative to its previous expiry (expiry +
// period), so its period never drifts. Callbacks run one at a time in the
// timer service task, in expiry order (FIFO among timers expiring at the same
// tick), never in interrupt context and never concurrently with each other.
//
// Commands (start, stop, reset, change_period, delete) are sent to the
// service task through a command queue of kTimerQueueLength entries; the
// `wait` argument says how long to wait for a free slot (xTimerStart's
// xTicksToWait). They take effect when the service task processes them —
// at once when the caller's priority is below kTimerTaskPriority, since the
// service task then preempts it. Time-based arguments count from the moment
// the command was issued, not from when it was processed (a timer whose
// expiry passed while its start waited in the queue fires at once);
// commands issued before the scheduler runs count from its start. Commands
// issued by a timer callback (that is, by the service task itself) are
// applied immediately and never wait.
//
// If the service task runs late (a higher-priority task, a long callback,
// the scheduler lock), a periodic timer's callback is called once per
// missed period, back to back, and the timer then stays on its original
// grid of expiries (start + k * period). Timers are processed strictly in
// expiry order, so the catch-up calls of several timers are interleaved by
// their expiry ticks.
//
// The service task is created the first time a timer is created (or a
// function call is pended), from static storage: it cannot fail for lack of
// heap. An API layer may instead have it created at a moment of its choice
// (soft_timer_configure_service with on_first_use false, then
// soft_timer_start_service: FreeRTOS's vTaskStartScheduler), with its own
// name, priority and stack size; commands issued before then wait in the
// queue. It is a kernel task (task_mark_system): the scheduler still stops
// with kNoTasks when every application task has ended, whatever timers are
// active. It waits for commands with a timeout up to the next expiry and
// never wakes periodically (tickless).
//
// Errors (petrel::Status / Result):
//   Errc::kInvalid  "soft timer: not initialized or deleted", "... no
//                   callback", "... period of 0 ticks", "soft timer: cannot
//                   block in interrupt context", "soft timer: cannot block
//                   with the scheduler locked", "soft timer: cannot be
//                   created in interrupt context"
//   Errc::kBusy     "soft timer: command queue full" (no wait was allowed)
//                   "soft timer: storage holds a live timer" (init)
//   Errc::kTimeout  "soft timer: command queue full (timed out)",
//                   "soft timer: wait aborted" (task_abort_delay)
//   Errc::kNoMemory "soft timer: heap exhausted"
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/config.h"
#include "petrel/kernel/list.h"
#include "petrel/kernel/task.h"
#include "petrel/kernel/ticks.h"
#include "petrel/result.h"

#ifndef PETREL_CONFIG_TIMER_TASK_PRIORITY
#define PETREL_CONFIG_TIMER_TASK_PRIORITY (PETREL_CONFIG_PRIORITIES - 1)
#endif
#ifndef PETREL_CONFIG_TIMER_TASK_STACK_SIZE
#define PETREL_CONFIG_TIMER_TASK_STACK_SIZE 16384
#endif
#ifndef PETREL_CONFIG_TIMER_QUEUE_LENGTH
#define PETREL_CONFIG_TIMER_QUEUE_LENGTH 10
#endif

namespace petrel::kernel {

// The service task's priority (configTIMER_TASK_PRIORITY), stack
// (configTIMER_TASK_STACK_DEPTH, in bytes; callbacks run on it) and command
// queue length (configTIMER_QUEUE_LENGTH).
inline constexpr Priority kTimerTaskPriority = PETREL_CONFIG_TIMER_TASK_PRIORITY;
inline constexpr size_t kTimerTaskStackSize = PETREL_CONFIG_TIMER_TASK_STACK_SIZE;
inline constexpr size_t kTimerQueueLength = PETREL_CONFIG_TIMER_QUEUE_LENGTH;
static_assert(kTimerTaskPriority >= 1 && kTimerTaskPriority < config::kPriorities,
              "the timer service task needs a priority above idle");
static_assert(kTimerTaskStackSize >= config::kMinStackSize && kTimerTaskStackSize % 16 == 0);
static_assert(kTimerQueueLength >= 1);

struct SoftTimerTag;  // the service task's list of active timers
struct SoftTimer;

using TimerCallback = void (*)(SoftTimer* timer);
// A function run by the service task (xTimerPendFunctionCall).
using PendedFunction = void (*)(void* arg, uint32_t value);

enum class TimerMode : uint8_t {
  kOneShot,   // expires once per start
  kPeriodic,  // auto-reload: expires every period until stopped
};

struct TimerConfig {
  const char* name = "timer";  // copied (kTaskNameLength - 1 characters at most)
  Ticks period{1};             // at least 1 tick
  TimerMode mode = TimerMode::kOneShot;
  TimerCallback callback = nullptr;
  void* id = nullptr;  // the user's pointer (pvTimerID)
};

// The timer's control block; its fields belong to the kernel. Constant-
// initialized, so it can live in static storage; soft_timer_init makes it a
// timer.
struct SoftTimer : ListNode<SoftTimerTag> {
  constexpr SoftTimer() = default;
  SoftTimer(const SoftTimer&) = delete;
  SoftTimer& operator=(const SoftTimer&) = delete;

  TimerCallback callback = nullptr;
  void* id = nullptr;
  Ticks period{};
  Ticks expiry{};           // valid once started; kept after it expires or stops
  uint32_t generation = 0;  // 0: never initialized; else the module's at init
  TimerMode mode = TimerMode::kOneShot;
  bool active = false;    // on the service task's list (as it sees it)
  bool deleting = false;  // a delete command was sent
  bool dynamic = false;   // from the kernel heap
  char name[config::kTaskNameLength] = {};
};

// --- creation (task context; creates the service task if needed) ---
// From the kernel heap. Errors: kInvalid (no callback, period 0),
// kNoMemory.
Result<SoftTimer*> soft_timer_create(const TimerConfig& config);
// In caller memory, no heap. Errors: as create, plus kBusy when `storage`
// holds a timer that is still live (not deleted).
Result<SoftTimer*> soft_timer_init(SoftTimer* storage, const TimerConfig& config);

// --- commands (task context; in an interrupt only with wait == kNoWait) ---
// Starts the timer: it expires `period` ticks from now. On an active timer,
// the same as reset.
Status soft_timer_start(SoftTimer* timer, Ticks wait);
// Stops it (dormant; the callback is not called). Stopping a dormant timer
// is fine.
Status soft_timer_stop(SoftTimer* timer, Ticks wait);
// Restarts the period from now (starting a dormant timer).
Status soft_timer_reset(SoftTimer* timer, Ticks wait);
// Sets a new period and restarts the timer with it from now (also a dormant
// one, as FreeRTOS's xTimerChangePeriod does).
Status soft_timer_change_period(SoftTimer* timer, Ticks period, Ticks wait);
// Deletes the timer: stopped and, when from the heap, freed by the service
// task. The handle must not be used after this succeeds.
Status soft_timer_delete(SoftTimer* timer, Ticks wait);
// Runs fn(arg, value) in the service task, in order with the commands.
Status soft_timer_pend_call(PendedFunction fn, void* arg, uint32_t value, Ticks wait);

// --- from interrupt handlers: never wait. *higher_priority_woken (may be
// nullptr) is set to true when the service task was woken and outranks the
// interrupted task (it runs at interrupt exit); it is never set to false. ---
Status soft_timer_start_from_isr(SoftTimer* timer, bool* higher_priority_woken);
Status soft_timer_stop_from_isr(SoftTimer* timer, bool* higher_priority_woken);
Status soft_timer_reset_from_isr(SoftTimer* timer, bool* higher_priority_woken);
Status soft_timer_change_period_from_isr(SoftTimer* timer, Ticks period,
                                         bool* higher_priority_woken);
Status soft_timer_pend_call_from_isr(PendedFunction fn, void* arg, uint32_t value,
                                     bool* higher_priority_woken);

// --- queries (any context; the service task's view, so a command still in
// the queue is not reflected yet) ---
bool soft_timer_is_active(const SoftTimer* timer);
Ticks soft_timer_period(const SoftTimer* timer);
// The tick of the next expiry (of the last one when dormant).
Ticks soft_timer_expiry_time(const SoftTimer* timer);
const char* soft_timer_name(const SoftTimer* timer);
void* soft_timer_id(const SoftTimer* timer);
void soft_timer_set_id(SoftTimer* timer, void* id);
TimerMode soft_timer_mode(const SoftTimer* timer);
// Takes effect at the next expiry (vTimerSetReloadMode).
void soft_timer_set_mode(SoftTimer* timer, TimerMode mode);

// How many commands may wait in the queue, from 1 to kTimerQueueLength (the
// ring's size, and the default): a command that finds that many queued
// waits for room or fails, as at a full ring (configTIMER_QUEUE_LENGTH).
// Values out of range are clamped. soft_timer_reset_module restores the
// default.
void soft_timer_set_queue_length(size_t length);

// How the service task is made, when it is made.
struct TimerServiceConfig {
  const char* name = "timer service";  // copied
  Priority priority = kTimerTaskPriority;
  // Bytes of the service's static stack the task gets: at most
  // kTimerTaskStackSize; a size the kernel refuses for a task (too small)
  // gets the whole stack instead.
  size_t stack_size = kTimerTaskStackSize;
  // Called by the service task once, before it handles any command
  // (vApplicationDaemonTaskStartupHook).
  void (*startup)() = nullptr;
  // true: created by the first soft_timer_create/init or pended call.
  // false: only by soft_timer_start_service; commands issued before then
  // wait in the queue (before the scheduler starts they cannot wait for
  // room, as always). Then call soft_timer_start_service before
  // scheduler_start, or nothing processes them.
  bool on_first_use = true;
};
// Takes effect when the service task is created (a task that exists is left
// as it is). soft_timer_reset_module restores the defaults.
void soft_timer_configure_service(const TimerServiceConfig& config);
// Creates the service task now unless it exists. Task context or before the
// scheduler starts. Errors: those of task_create_static.
Status soft_timer_start_service();

// The service task (xTimerGetTimerDaemonTaskHandle), nullptr until created.
// Its priority may be changed; it must not be deleted.
Task* soft_timer_service_task();

// Forgets every timer, queued command and the service task, without
// touching them (their memory may be gone). For kernel_reset(), with the
// scheduler stopped. Heap timers not deleted before are leaked. As a safety
// net, creating a timer (or pending a call) after a kernel_reset() that did
// not call this also starts over, since the old service task is no longer
// one of the kernel's tasks. Either way a static timer must be initialized
// again after a reset.
void soft_timer_reset_module();

}  // namespace petrel::kernel
