/* A tiny C test harness for the FreeRTOS conformance suite. Cases use only
 * the FreeRTOS API; the runner (host_runner.cc, guest_runner.cc) gives each
 * a fresh kernel and supplies the t_platform_* functions. */
#ifndef T_HARNESS_H
#define T_HARNESS_H

#include <stdint.h>

#include "FreeRTOS.h"
#include "event_groups.h"
#include "message_buffer.h"
#include "queue.h"
#include "semphr.h"
#include "stream_buffer.h"
#include "task.h"
#include "timers.h"

typedef struct {
  const char* name;
  void (*fn)(void);
  /* T_TIMED: the case checks exact tick counts or how much work fits in a
   * tick, or logs the order of tasks of one priority (which time slicing
   * may cut anywhere), so it needs time that only advances with the guest
   * (the host port's simulated time, or a guest under icount). A guest in
   * real time runs on a host that may stop it for milliseconds, after which
   * several ticks pass at once: those cases are skipped there
   * ("realtime"). */
  int timed;
} t_case;
#define T_TIMED 1

/* Each conformance_*.c file defines one NULL-terminated table. */
extern const t_case t_task_cases[];
extern const t_case t_queue_cases[];
extern const t_case t_semphr_cases[];
extern const t_case t_notify_cases[];
extern const t_case t_timer_cases[];
extern const t_case t_event_cases[];
extern const t_case t_stream_cases[];
extern const t_case t_queueset_cases[];
extern const t_case t_task_utility_cases[];
extern const t_case* const t_all_tables[];

/* Not in any table: calls vApplicationStackOverflowHook, after which the
 * kernel stops the program (host runner: --stack-overflow). */
void t_fatal_stack_overflow(void);

/* Checks: a failure is reported and the case goes on. */
void t_fail(const char* file, int line, const char* what);
void t_fail_eq(const char* file, int line, const char* a, const char* b, long long va,
               long long vb);
#define T_CHECK(c)                            \
  do {                                        \
    if (!(c)) t_fail(__FILE__, __LINE__, #c); \
  } while (0)
#define T_EQ(a, b)                                                       \
  do {                                                                   \
    long long t_a_ = (long long)(a), t_b_ = (long long)(b);              \
    if (t_a_ != t_b_) t_fail_eq(__FILE__, __LINE__, #a, #b, t_a_, t_b_); \
  } while (0)

/* `stmt` must make the FreeRTOS layer report misuse through configASSERT
 * with exactly `message` (pcPetrelAssertMessage()). */
void t_expect_assert_begin(const char* message);
void t_expect_assert_end(const char* file, int line);
#define T_EXPECT_ASSERT(message, stmt)       \
  do {                                       \
    t_expect_assert_begin(message);          \
    stmt;                                    \
    t_expect_assert_end(__FILE__, __LINE__); \
  } while (0)

/* An event log for order checks: t_log("a"); t_log("b"); T_LOG_IS("a b"). */
void t_log(const char* word);
void t_log_n(const char* word, long n); /* "word=n" */
void t_log_check(const char* file, int line, const char* want);
#define T_LOG_IS(want) t_log_check(__FILE__, __LINE__, want)

/* Runs body(arg) in a task of priority `priority` (named "test"), started by
 * vTaskStartScheduler; returns when that task ends the scheduler after its
 * body (vTaskEndScheduler) or when every task has ended. */
void t_run(void (*body)(void*), void* arg, UBaseType_t priority);

/* 1 while the runner runs in real time ("realtime"): a host stall may make
 * waits end late, never early. */
extern int t_real_time;
/* Checks lo <= ticks <= hi; in real time only lo <= ticks. */
#define T_TICKS_WITHIN(ticks, lo, hi)                \
  T_CHECK((TickType_t)(ticks) >= (TickType_t)(lo) && \
          (t_real_time || (TickType_t)(ticks) <= (TickType_t)(hi)))
/* Waits (in ticks) until `cond` holds, at most 1000 ticks: for a result that
 * another task produces after its own wait, whatever the host does. */
#define T_AWAIT(cond)                                                             \
  do {                                                                            \
    for (int t_await_ = 0; t_await_ < 1000 && !(cond); ++t_await_) vTaskDelay(1); \
  } while (0)
#define T_STACK (configMINIMAL_STACK_SIZE)

/* Hook counters (the configuration enables the hooks). */
extern volatile unsigned long t_idle_hook_calls;
extern volatile unsigned long t_malloc_failed_calls;
extern volatile unsigned long t_tick_hook_calls;
extern volatile unsigned long t_daemon_startup_calls;
/* Called by vApplicationTickHook, in the tick interrupt, when set (reset to
 * NULL before each case). */
extern void (*volatile t_tick_hook_fn)(void);

/* ---- supplied by the runner ---- */
/* Runs fn(arg) in interrupt context (a real interrupt on a guest, a
 * simulated one on the host) and returns after it. Call it from a task. */
void t_platform_isr(void (*fn)(void*), void* arg);
/* Lets `ticks` ticks pass while the calling task keeps running. */
void t_platform_spend_ticks(TickType_t ticks);
/* Whether t_platform_jump_ticks works (host: simulated time; guest: no). */
int t_platform_can_jump_time(void);
/* Moves time forward by `ticks` at once (host port only). */
void t_platform_jump_ticks(uint64_t ticks);

/* ---- used by the runners ---- */
void t_begin_case(void);
int t_end_case(void); /* failures in the case */

#endif /* T_HARNESS_H */
