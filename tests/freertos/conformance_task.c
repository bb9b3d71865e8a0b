/* Conformance: tasks, delays, priorities, suspension, the scheduler. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* ---- creation, priorities, preemption ---- */

/* How many note_and_end tasks have logged (reset by the cases that wait
 * for one). */
static volatile int g_notes;

static void note_and_end(void* p) {
  t_log((const char*)p);
  ++g_notes;
}

static void body_create_higher_runs_first(void* p) {
  (void)p;
  TaskHandle_t h = NULL;
  g_notes = 0;
  t_log("before");
  T_EQ(xTaskCreate(note_and_end, "hi", T_STACK, (void*)"hi", 3, &h), pdPASS);
  T_CHECK(h != NULL);
  t_log("after");
  T_EQ(xTaskCreate(note_and_end, "lo", T_STACK, (void*)"lo", 1, NULL), pdPASS);
  t_log("end");
  /* Blocking lets the lower one run; waiting until it has logged (not a
   * fixed delay, whose tick may come before it did in real time). */
  T_AWAIT(g_notes == 2);
}

static void create_preempts(void) {
  t_run(body_create_higher_runs_first, NULL, 2);
  T_LOG_IS("before hi after end lo");
}

static void body_priorities(void* p) {
  (void)p;
  TaskHandle_t self = xTaskGetCurrentTaskHandle();
  T_EQ(uxTaskPriorityGet(NULL), 2);
  T_EQ(uxTaskPriorityGet(self), 2);
  TaskHandle_t other = NULL;
  T_EQ(xTaskCreate(note_and_end, "other", T_STACK, (void*)"other", 1, &other), pdPASS);
  T_EQ(uxTaskPriorityGet(other), 1);
  vTaskPrioritySet(other, 3); /* now outranks us: runs at once and ends */
  t_log("back");
  vTaskPrioritySet(NULL, 4);
  T_EQ(uxTaskPriorityGet(NULL), 4);
  T_EXPECT_ASSERT("vTaskPrioritySet: priority at or above configMAX_PRIORITIES",
                  vTaskPrioritySet(NULL, configMAX_PRIORITIES));
  T_EQ(uxTaskPriorityGet(NULL), configMAX_PRIORITIES - 1);
}

static void priority_get_set(void) {
  t_run(body_priorities, NULL, 2);
  T_LOG_IS("other back");
}

static void body_names(void* p) {
  (void)p;
  TaskHandle_t h = NULL;
  T_EQ(xTaskCreate(note_and_end, "worker", T_STACK, (void*)"w", 1, &h), pdPASS);
  T_EQ(strcmp(pcTaskGetName(NULL), "test"), 0);
  T_EQ(strcmp(pcTaskGetName(h), "worker"), 0);
  T_CHECK(xTaskGetHandle("worker") == h);
  T_CHECK(xTaskGetHandle("nobody") == NULL);
  T_CHECK(xTaskGetCurrentTaskHandle() != h);
  /* test, worker, the idle task and the timer daemon (configUSE_TIMERS) */
  T_EQ(uxTaskGetNumberOfTasks(), 4);
  UBaseType_t mark = uxTaskGetStackHighWaterMark(NULL);
  T_CHECK(mark > 0 && mark < T_STACK);
  T_CHECK(uxTaskGetStackHighWaterMark(h) > mark); /* it has not run yet */
}

static void names_handles_counts(void) {
  t_run(body_names, NULL, 2);
}

/* ---- deletion ---- */

static void deletes_itself(void* p) {
  t_log((const char*)p);
  vTaskDelete(NULL);
  t_log("never");
}

static void waits_forever(void* p) {
  (void)p;
  vTaskDelay(portMAX_DELAY);
  t_log("never");
}

static void body_delete(void* p) {
  (void)p;
  TaskHandle_t a = NULL, b = NULL;
  T_EQ(xTaskCreate(deletes_itself, "a", T_STACK, (void*)"a", 3, &a), pdPASS);
  T_EQ(xTaskCreate(waits_forever, "b", T_STACK, NULL, 3, &b), pdPASS);
  T_EQ(eTaskGetState(b), eBlocked);
  UBaseType_t n = uxTaskGetNumberOfTasks();
  vTaskDelete(b);
  T_EQ(uxTaskGetNumberOfTasks(), n - 1);
  vTaskDelay(1);
}

static void delete_self_and_other(void) {
  t_run(body_delete, NULL, 2);
  T_LOG_IS("a");
}

static void ends_when_tasks_end(void) {
  /* Without vTaskEndScheduler, vTaskStartScheduler returns (on Petrel)
   * when the last application task has ended. */
  T_EQ(xTaskCreate(note_and_end, "x", T_STACK, (void*)"x", 1, NULL), pdPASS);
  T_EQ(xTaskCreate(note_and_end, "y", T_STACK, (void*)"y", 2, NULL), pdPASS);
  vTaskStartScheduler();
  T_LOG_IS("y x");
}

/* ---- static creation ---- */

static StaticTask_t g_tcb;
static StackType_t g_stack[T_STACK];

static void body_static(void* p) {
  (void)p;
  TaskHandle_t h =
      xTaskCreateStatic(note_and_end, "static", T_STACK, (void*)"static", 3, g_stack, &g_tcb);
  T_CHECK(h != NULL);
  t_log("made");
  T_EXPECT_ASSERT(
      "xTaskCreateStatic: NULL stack buffer",
      T_CHECK(xTaskCreateStatic(note_and_end, "x", T_STACK, NULL, 1, NULL, &g_tcb) == NULL));
  T_EXPECT_ASSERT(
      "xTaskCreateStatic: NULL task buffer",
      T_CHECK(xTaskCreateStatic(note_and_end, "x", T_STACK, NULL, 1, g_stack, NULL) == NULL));
}

static void create_static(void) {
  t_run(body_static, NULL, 2);
  T_LOG_IS("static made");
}

/* ---- delays ---- */

static void body_delay(void* p) {
  (void)p;
  TickType_t start = xTaskGetTickCount();
  vTaskDelay(5);
  TickType_t waited = xTaskGetTickCount() - start;
  T_CHECK(waited >= 5 && waited <= 6);
  start = xTaskGetTickCount();
  vTaskDelay(pdMS_TO_TICKS(20));
  waited = xTaskGetTickCount() - start;
  T_CHECK(waited >= 20 && waited <= 21);
  T_EQ(pdMS_TO_TICKS(1000), configTICK_RATE_HZ);
  T_EQ(portTICK_PERIOD_MS, 1);
}

static void delay_waits_ticks(void) {
  t_run(body_delay, NULL, 2);
}

static void body_delay_until(void* p) {
  (void)p;
  TickType_t wake = xTaskGetTickCount();
  const TickType_t first = wake;
  for (int i = 0; i < 5; ++i) {
    t_platform_spend_ticks(1); /* work shorter than the period */
    T_EQ(xTaskDelayUntil(&wake, 4), pdTRUE);
    T_EQ(xTaskGetTickCount(), wake);
  }
  T_EQ(wake, first + 20);
  /* A period already over: no delay, pdFALSE, the wake time still advances. */
  t_platform_spend_ticks(10);
  T_EQ(xTaskDelayUntil(&wake, 4), pdFALSE);
  T_EQ(wake, first + 24);
  vTaskDelayUntil(&wake, 100); /* the old name: same behaviour */
  T_EQ(xTaskGetTickCount(), first + 124);
  T_EXPECT_ASSERT("xTaskDelayUntil: time increment of 0", xTaskDelayUntil(&wake, 0));
}

static void delay_until_keeps_period(void) {
  t_run(body_delay_until, NULL, 2);
}

/* The previous wake time lies "before zero": 32-bit arithmetic must still
 * see the wake time ahead (this is the tick-count wrap, seen from a
 * previous wake time taken just before it). */
static void body_delay_until_modular(void* p) {
  (void)p;
  TickType_t now = xTaskGetTickCount();
  TickType_t wake = now - 3; /* wraps below zero when now < 3 */
  T_EQ(xTaskDelayUntil(&wake, 10), pdTRUE);
  T_EQ(xTaskGetTickCount(), now + 7);
  T_EQ(wake, now + 7);
  /* A previous wake time ahead of the tick count reads, in 32-bit terms, as
   * one almost 2^32 ticks ago: that period is long over, no delay. */
  wake = now + 16;
  T_EQ(xTaskDelayUntil(&wake, 4), pdFALSE);
}

static void delay_until_modular_arithmetic(void) {
  t_run(body_delay_until_modular, NULL, 2);
}

/* The real 32-bit wrap of the tick count (host: time jumps there). */
static void body_wrap(void* p) {
  (void)p;
  if (!t_platform_can_jump_time()) return;
  TickType_t now = xTaskGetTickCount();
  t_platform_jump_ticks((uint64_t)(0xfffffff0u - now));
  TickType_t wake = xTaskGetTickCount();
  T_EQ(wake, 0xfffffff0u);
  for (int i = 0; i < 8; ++i) {
    T_EQ(xTaskDelayUntil(&wake, 5), pdTRUE); /* crosses zero at the 4th */
    T_EQ(xTaskGetTickCount(), wake);
  }
  T_EQ(wake, 0x18);
  TickType_t start = xTaskGetTickCount();
  vTaskDelay(10);
  T_EQ(xTaskGetTickCount() - start, 10);
}

static void tick_count_wraps(void) {
  t_run(body_wrap, NULL, 2);
}

/* ---- suspension, abort ---- */

static TaskHandle_t g_worker;

/* Every step is decided by priorities, never by when a tick falls, so the
 * case holds in real time as well: the worker's own delay is far longer than
 * the case, and only vTaskResume (which ends a suspended task's delay, as on
 * FreeRTOS) makes it run again. */
static void worker_counts(void* p) {
  volatile int* n = (volatile int*)p;
  for (;;) {
    ++*n;
    vTaskDelay(1000);
  }
}

static void body_suspend(void* p) {
  (void)p;
  int n = 0;
  /* Ready but suspended: the worker is lower, so without the suspension it
   * would run while we sleep. */
  T_EQ(xTaskCreate(worker_counts, "worker", T_STACK, &n, 1, &g_worker), pdPASS);
  vTaskSuspend(g_worker);
  T_EQ(eTaskGetState(g_worker), eSuspended);
  vTaskDelay(5);
  T_EQ(n, 0);
  vTaskResume(g_worker);
  T_EQ(n, 0); /* lower: it waits for us to block */
  /* Blocked, we let it run once (waited for: a one-tick delay may end
   * before it ran, in real time). */
  T_AWAIT(n != 0);
  T_EQ(n, 1);
  /* Blocked, then suspended, then resumed: a worker that outranks us runs at
   * once, its delay ended by the resume. */
  vTaskPrioritySet(g_worker, 3);
  vTaskSuspend(g_worker);
  T_EQ(eTaskGetState(g_worker), eSuspended);
  vTaskResume(g_worker);
  T_EQ(n, 2);
  T_EQ(eTaskGetState(g_worker), eBlocked);
  T_EQ(eTaskGetState(xTaskGetCurrentTaskHandle()), eRunning);
  T_EXPECT_ASSERT("vTaskResume: NULL task handle", vTaskResume(NULL));
  vTaskDelete(g_worker);
}

static void suspend_resume(void) {
  t_run(body_suspend, NULL, 2);
}

static volatile BaseType_t g_isr_result;

static void resume_in_isr(void* p) {
  g_isr_result = xTaskResumeFromISR((TaskHandle_t)p);
}

static void suspends_itself(void* p) {
  (void)p;
  t_log("suspending");
  vTaskSuspend(NULL);
  t_log("resumed");
}

static void body_resume_from_isr(void* p) {
  (void)p;
  TaskHandle_t h = NULL;
  T_EQ(xTaskCreate(suspends_itself, "s", T_STACK, NULL, 3, &h), pdPASS);
  T_EQ(eTaskGetState(h), eSuspended);
  t_platform_isr(resume_in_isr, h);
  t_log("isr done");
  T_EQ(g_isr_result, pdTRUE); /* it outranks the interrupted task */
}

static void resume_from_isr(void) {
  t_run(body_resume_from_isr, NULL, 2);
  T_LOG_IS("suspending resumed isr done");
}

static void sleeps_long(void* p) {
  (void)p;
  TickType_t start = xTaskGetTickCount();
  vTaskDelay(1000);
  t_log_n("slept", (long)(xTaskGetTickCount() - start));
}

static void body_abort(void* p) {
  (void)p;
  TaskHandle_t h = NULL;
  T_EQ(xTaskCreate(sleeps_long, "sleeper", T_STACK, NULL, 3, &h), pdPASS);
  vTaskDelay(2);
  T_EQ(xTaskAbortDelay(h), pdPASS);
  T_EQ(xTaskAbortDelay(xTaskGetCurrentTaskHandle()), pdFAIL); /* not blocked */
}

static void abort_delay(void) {
  t_run(body_abort, NULL, 2);
  T_LOG_IS("slept=2");
}

/* ---- scheduler suspension, critical sections, yield ---- */

static void body_suspend_all(void* p) {
  (void)p;
  T_EQ(xTaskGetSchedulerState(), taskSCHEDULER_RUNNING);
  vTaskSuspendAll();
  T_EQ(xTaskGetSchedulerState(), taskSCHEDULER_SUSPENDED);
  T_EQ(xTaskCreate(note_and_end, "hi", T_STACK, (void*)"hi", 3, NULL), pdPASS);
  t_log("locked");
  T_EXPECT_ASSERT("vTaskDelay: blocking call with the scheduler suspended (vTaskSuspendAll)",
                  vTaskDelay(1));
  T_EQ(xTaskResumeAll(), pdTRUE); /* the higher task ran here */
  t_log("unlocked");
  vTaskSuspendAll();
  T_EQ(xTaskResumeAll(), pdFALSE);
}

static void suspend_all(void) {
  T_EQ(xTaskGetSchedulerState(), taskSCHEDULER_NOT_STARTED);
  t_run(body_suspend_all, NULL, 2);
  T_LOG_IS("locked hi unlocked");
}

static void body_critical(void* p) {
  (void)p;
  taskENTER_CRITICAL();
  taskENTER_CRITICAL(); /* nests */
  T_EQ(xTaskCreate(note_and_end, "hi", T_STACK, (void*)"hi", 3, NULL), pdPASS);
  t_log("inner");
  taskEXIT_CRITICAL();
  t_log("outer");
  taskEXIT_CRITICAL(); /* the switch happens here */
  t_log("out");
}

static void critical_sections(void) {
  t_run(body_critical, NULL, 2);
  T_LOG_IS("inner outer hi out");
}

static void critical_in_isr(void* p) {
  (void)p;
  UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
  T_EQ(xPortIsInsideInterrupt(), pdTRUE);
  taskEXIT_CRITICAL_FROM_ISR(saved);
}

static void body_critical_isr(void* p) {
  (void)p;
  T_EQ(xPortIsInsideInterrupt(), pdFALSE);
  t_platform_isr(critical_in_isr, NULL);
}

static void critical_from_isr(void) {
  t_run(body_critical_isr, NULL, 2);
}

static void yields_twice(void* p) {
  for (int i = 0; i < 2; ++i) {
    t_log((const char*)p);
    taskYIELD();
  }
}

static void body_yield(void* p) {
  (void)p;
  T_EQ(xTaskCreate(yields_twice, "a", T_STACK, (void*)"a", 1, NULL), pdPASS);
  T_EQ(xTaskCreate(yields_twice, "b", T_STACK, (void*)"b", 1, NULL), pdPASS);
  vTaskDelay(5);
}

static void yield_round_robin(void) {
  t_run(body_yield, NULL, 2);
  T_LOG_IS("a b a b");
}

/* ---- hooks, misuse ---- */

static void body_idle_hook(void* p) {
  (void)p;
  /* Blocked, we let the idle task run (waited for: in real time, a short
   * delay may end before it reached its hook). */
  T_AWAIT(t_idle_hook_calls > 0);
}

static void idle_hook_runs(void) {
  t_run(body_idle_hook, NULL, 2);
  T_CHECK(t_idle_hook_calls > 0);
}

static void body_tick_hook(void* p) {
  (void)p;
  unsigned long before = t_tick_hook_calls;
  vTaskDelay(10);
  unsigned long calls = t_tick_hook_calls - before;
  T_CHECK(calls >= 9 && calls <= 11); /* once per tick */
}

static void tick_hook_runs(void) {
  t_run(body_tick_hook, NULL, 2);
}

static void delay_in_isr(void* p) {
  (void)p;
  T_EXPECT_ASSERT("vTaskDelay: blocking call from interrupt context (use the FromISR variant)",
                  vTaskDelay(5));
}

static void body_misuse(void* p) {
  (void)p;
  t_platform_isr(delay_in_isr, NULL);
  T_EXPECT_ASSERT("xTaskNotifyGive: NULL task handle", xTaskNotifyGive(NULL));
  T_EXPECT_ASSERT("eTaskGetState: NULL task handle", T_EQ(eTaskGetState(NULL), eInvalid));
  T_EXPECT_ASSERT("xTaskCreate: priority at or above configMAX_PRIORITIES",
                  T_EQ(xTaskCreate(note_and_end, "x", T_STACK, (void*)"x", 99, NULL), pdPASS));
}

static void task_misuse_asserts(void) {
  t_run(body_misuse, NULL, 2);
}

static void body_backward_names(void* p) {
  (void)p;
  xTaskHandle h = xTaskGetCurrentTaskHandle();
  portTickType t = xTaskGetTickCount();
  portBASE_TYPE b = pdTRUE;
  pdTASK_CODE code = note_and_end;
  T_CHECK(h != NULL);
  T_CHECK(b == pdTRUE && code != NULL);
  (void)t;
  T_EQ(portTICK_RATE_MS, portTICK_PERIOD_MS);
  T_EQ(strcmp(pcTaskGetTaskName(NULL), "test"), 0);
  xQueueHandle q = xQueueCreate(1, 1);
  xSemaphoreHandle s = xSemaphoreCreateBinary();
  T_CHECK(q != NULL && s != NULL);
  vQueueDelete(q);
  vSemaphoreDelete(s);
}

static void backward_compatible_names(void) {
  t_run(body_backward_names, NULL, 2);
}

/* ---- system state (uxTaskGetSystemState, vTaskGetInfo), version ---- */

static portTASK_FUNCTION_PROTO(sleeper, pvParameters);
static portTASK_FUNCTION(sleeper, pvParameters) {
  (void)pvParameters;
  vTaskDelay(1000);
}

static const TaskStatus_t* find_status(const TaskStatus_t* s, UBaseType_t n, TaskHandle_t h) {
  for (UBaseType_t i = 0; i < n; ++i)
    if (s[i].xHandle == h) return &s[i];
  return NULL;
}

static void body_system_state(void* p) {
  (void)p;
  TaskHandle_t worker = NULL;
  T_EQ(xTaskCreate(sleeper, "sleeper", T_STACK, NULL, 1, &worker), pdPASS);
  /* The sleeper runs and blocks (waited for: a one-tick delay may end
   * before it did, in real time). */
  T_AWAIT(eTaskGetState(worker) == eBlocked);
  const UBaseType_t n = uxTaskGetNumberOfTasks();
  TaskStatus_t status[8];
  T_CHECK(n >= 3 && n <= 8);
  configRUN_TIME_COUNTER_TYPE total = 12345;
  /* An array too small: nothing, as FreeRTOS. */
  T_EQ(uxTaskGetSystemState(status, n - 1, &total), 0);
  T_EQ(uxTaskGetSystemState(status, 8, &total), n);
  T_EQ(total, 0); /* configGENERATE_RUN_TIME_STATS is 0 here */
  const TaskStatus_t* me = find_status(status, n, xTaskGetCurrentTaskHandle());
  const TaskStatus_t* other = find_status(status, n, worker);
  T_CHECK(me != NULL && other != NULL);
  if (me == NULL || other == NULL) return;
  T_EQ(strcmp(me->pcTaskName, "test"), 0);
  T_EQ(me->eCurrentState, eRunning);
  T_EQ(me->uxCurrentPriority, 2);
  T_EQ(me->uxBasePriority, 2);
  T_EQ(strcmp(other->pcTaskName, "sleeper"), 0);
  T_EQ(other->eCurrentState, eBlocked);
  T_EQ(other->uxCurrentPriority, 1);
  T_CHECK(me->xTaskNumber != other->xTaskNumber);
  T_CHECK(other->pxStackBase != NULL);
  T_CHECK(other->usStackHighWaterMark > 0 && other->usStackHighWaterMark <= T_STACK);
  T_EQ(other->usStackHighWaterMark, uxTaskGetStackHighWaterMark(worker));

  TaskStatus_t info;
  memset(&info, 0, sizeof info);
  vTaskGetInfo(worker, &info, pdTRUE, eInvalid);
  T_CHECK(info.xHandle == worker);
  T_EQ(info.eCurrentState, eBlocked);
  T_EQ(info.usStackHighWaterMark, other->usStackHighWaterMark);
  vTaskGetInfo(NULL, &info, pdFALSE, eSuspended); /* the state given is reported */
  T_CHECK(info.xHandle == xTaskGetCurrentTaskHandle());
  T_EQ(info.eCurrentState, eSuspended);
  T_EQ(info.usStackHighWaterMark, 0); /* not asked for */
  vTaskDelete(worker);
}

static void system_state(void) {
  t_run(body_system_state, NULL, 2);
}

/* Whether `text` contains `part` (the guest's string.h has no strstr). */
static int contains(const char* text, const char* part) {
  const size_t n = strlen(part);
  for (; *text != '\0'; ++text)
    if (strncmp(text, part, n) == 0) return 1;
  return 0;
}

static int count_lines(const char* text) {
  int n = 0;
  for (; *text != '\0'; ++text)
    if (text[0] == '\r' && text[1] == '\n') ++n;
  return n;
}

static void body_task_tables(void* p) {
  (void)p;
  TaskHandle_t worker = NULL;
  T_EQ(xTaskCreate(sleeper, "sleeper", T_STACK, NULL, 1, &worker), pdPASS);
  T_AWAIT(eTaskGetState(worker) == eBlocked); /* as in body_system_state */
  static char table[1024];
  vTaskListTasks(table, sizeof table);
  T_EQ(count_lines(table), uxTaskGetNumberOfTasks());
  /* The name padded to configMAX_TASK_NAME_LEN - 1, then the fields. */
  char want[64];
  snprintf(want, sizeof want, "%-*s\tX\t2\t", configMAX_TASK_NAME_LEN - 1, "test");
  T_CHECK(contains(table, want));
  snprintf(want, sizeof want, "%-*s\tB\t1\t", configMAX_TASK_NAME_LEN - 1, "sleeper");
  T_CHECK(contains(table, want));
  /* Bounded: cut, never overrun. */
  char small[12];
  memset(small, '#', sizeof small);
  vTaskListTasks(small, 10);
  T_EQ(strlen(small), 9);
  T_EQ(small[10], '#');
  /* Run-time statistics off in this configuration: every share is "<1%". */
  vTaskGetRunTimeStatistics(table, sizeof table);
  T_EQ(count_lines(table), uxTaskGetNumberOfTasks());
  T_CHECK(contains(table, "\t0\t\t<1%\r\n"));
  vTaskDelete(worker);
}

static void task_tables(void) {
  t_run(body_task_tables, NULL, 2);
}

static void kernel_version(void) {
  T_EQ(tskKERNEL_VERSION_MAJOR, 10);
  T_EQ(tskKERNEL_VERSION_MINOR, 4);
  T_EQ(tskKERNEL_VERSION_BUILD, 6);
  T_EQ(strcmp(tskKERNEL_VERSION_NUMBER, "V10.4.6"), 0);
}

/* A late xTaskDelayUntil does not block but still yields: the other task
 * of the same priority runs before the caller goes on. */
static void same_priority_other(void* p) {
  (void)p;
  t_log("other");
}

static void body_late_delay_until_yields(void* p) {
  (void)p;
  T_EQ(xTaskCreate(same_priority_other, "other", T_STACK, NULL, 2, NULL), pdPASS);
  /* Late for a 2-tick period, without spending ticks (which would let time
   * slicing run the other task first). */
  TickType_t previous = xTaskGetTickCount() - 3;
  t_log("late");
  T_EQ(xTaskDelayUntil(&previous, 2), pdFALSE);
  t_log("after");
  vTaskDelay(1);
}

static void late_delay_until_yields(void) {
  t_run(body_late_delay_until_yields, NULL, 2);
  T_LOG_IS("late other after");
}

const t_case t_task_cases[] = {
    {"Task.CreatePreempts", create_preempts, 0},
    {"Task.PriorityGetSet", priority_get_set, 0},
    {"Task.NamesHandlesCounts", names_handles_counts, 0},
    {"Task.DeleteSelfAndOther", delete_self_and_other, T_TIMED},
    {"Task.SchedulerReturnsWhenTasksEnd", ends_when_tasks_end, 0},
    {"Task.CreateStatic", create_static, T_TIMED},
    {"Task.DelayWaitsTicks", delay_waits_ticks, T_TIMED},
    {"Task.DelayUntilKeepsPeriod", delay_until_keeps_period, T_TIMED},
    {"Task.DelayUntilModularArithmetic", delay_until_modular_arithmetic, T_TIMED},
    {"Task.TickCountWraps", tick_count_wraps, T_TIMED},
    {"Task.SuspendResume", suspend_resume, 0},
    {"Task.ResumeFromISR", resume_from_isr, 0},
    {"Task.AbortDelay", abort_delay, T_TIMED},
    {"Task.SuspendAll", suspend_all, 0},
    {"Task.CriticalSections", critical_sections, 0},
    {"Task.CriticalFromISR", critical_from_isr, 0},
    {"Task.YieldRoundRobin", yield_round_robin, T_TIMED},
    {"Task.IdleHookRuns", idle_hook_runs, 0},
    {"Task.TickHookRunsEveryTick", tick_hook_runs, T_TIMED},
    {"Task.MisuseAsserts", task_misuse_asserts, 0},
    {"Task.BackwardCompatibleNames", backward_compatible_names, T_TIMED},
    {"Task.SystemState", system_state, 0},
    {"Task.KernelVersion", kernel_version, 0},
    {"Task.ListAndRunTimeTables", task_tables, 0},
    {"Task.LateDelayUntilYields", late_delay_until_yields, T_TIMED},
    {NULL, NULL, 0},
};

/* ---- fatal: the stack-overflow hook (run alone: the kernel stops after it) ---- */

static StackType_t overflow_stack[256];
static StaticTask_t overflow_tcb;

static void overflower(void* p) {
  (void)p;
  /* What an overflow does to the bottom of the stack, without faulting. */
  for (int i = 0; i < 8; ++i) overflow_stack[i] = 0;
  taskYIELD(); /* the switch finds the canary overwritten */
}

void t_fatal_stack_overflow(void) {
  xTaskCreateStatic(overflower, "overflower", sizeof overflow_stack / sizeof overflow_stack[0],
                    NULL, 2, overflow_stack, &overflow_tcb);
  vTaskStartScheduler();
}
