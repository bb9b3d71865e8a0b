/* Conformance: the task utilities: a timeout across several waits
 * (vTaskSetTimeOutState, xTaskCheckForTimeOut), the idle task's handle,
 * run-time queries, a task's tag and thread-local storage pointers. The
 * configuration enables the tag and three storage pointers a task. */
#include <stddef.h>
#include <string.h>

#include "harness.h"

/* ---- a timeout across several waits ---- */

static void body_timeout_state(void* p) {
  (void)p;
  TimeOut_t timeout;
  TickType_t left = 10;
  vTaskSetTimeOutState(&timeout);
  /* No time passed: not timed out, nothing taken off. */
  T_EQ(xTaskCheckForTimeOut(&timeout, &left), pdFALSE);
  T_EQ(left, 10);
  vTaskDelay(3);
  T_EQ(xTaskCheckForTimeOut(&timeout, &left), pdFALSE);
  T_EQ(left, 7); /* the 3 ticks passed, and the record moved to now */
  vTaskDelay(4);
  T_EQ(xTaskCheckForTimeOut(&timeout, &left), pdFALSE);
  T_EQ(left, 3);
  vTaskDelay(3); /* exactly the time left */
  T_EQ(xTaskCheckForTimeOut(&timeout, &left), pdTRUE);
  T_EQ(left, 0);
  /* Past it by more: still timed out, still 0. */
  left = 2;
  vTaskSetTimeOutState(&timeout);
  vTaskDelay(5);
  T_EQ(xTaskCheckForTimeOut(&timeout, &left), pdTRUE);
  T_EQ(left, 0);
  /* portMAX_DELAY never times out and is left as it is. */
  left = portMAX_DELAY;
  vTaskSetTimeOutState(&timeout);
  vTaskDelay(2);
  T_EQ(xTaskCheckForTimeOut(&timeout, &left), pdFALSE);
  T_EQ(left, portMAX_DELAY);
  /* A wait of 0 is over at once. */
  left = 0;
  vTaskSetTimeOutState(&timeout);
  T_EQ(xTaskCheckForTimeOut(&timeout, &left), pdTRUE);
  T_EXPECT_ASSERT("vTaskSetTimeOutState: NULL TimeOut_t", vTaskSetTimeOutState(NULL));
  T_EXPECT_ASSERT("xTaskCheckForTimeOut: NULL ticks to wait",
                  T_EQ(xTaskCheckForTimeOut(&timeout, NULL), pdTRUE));
  T_EXPECT_ASSERT("xTaskCheckForTimeOut: NULL TimeOut_t",
                  T_EQ(xTaskCheckForTimeOut(NULL, &left), pdTRUE));
}

static void timeout_state(void) {
  t_run(body_timeout_state, NULL, 2);
}

/* The FreeRTOS documentation's pattern: a driver receives in pieces, each
 * wait only as long as the time left of one overall timeout. */
static volatile int g_pieces;
static TaskHandle_t g_reader;

static void piece_sender(void* p) {
  (void)p;
  for (int i = 0; i < 3; ++i) {
    vTaskDelay(2);
    ++g_pieces;
    xTaskNotifyGive(g_reader);
  }
  vTaskSuspend(NULL);
}

static void body_timeout_loop(void* p) {
  (void)p;
  g_pieces = 0;
  g_reader = xTaskGetCurrentTaskHandle();
  TaskHandle_t sender = NULL;
  T_EQ(xTaskCreate(piece_sender, "sender", T_STACK, NULL, 1, &sender), pdPASS);
  TimeOut_t timeout;
  TickType_t left = 20;
  const TickType_t start = xTaskGetTickCount();
  int got = 0;
  vTaskSetTimeOutState(&timeout);
  while (got < 5) { /* two more than will come: ends by the timeout */
    if (xTaskCheckForTimeOut(&timeout, &left) != pdFALSE) break;
    got += (int)ulTaskNotifyTake(pdTRUE, left);
  }
  T_EQ(got, 3);
  T_EQ(g_pieces, 3);
  T_EQ(left, 0);
  T_TICKS_WITHIN(xTaskGetTickCount() - start, 20, 20);
  vTaskDelete(sender);
}

static void timeout_loop(void) {
  t_run(body_timeout_loop, NULL, 2);
}

/* Ticks that pass with interrupts held off are not lost: the task due in
 * the meantime runs as soon as they are enabled, and there is nothing left
 * for xTaskCatchUpTicks to add. */
static volatile TickType_t g_woke_at;

static void wakes_after_two(void* p) {
  (void)p;
  vTaskDelay(2);
  g_woke_at = xTaskGetTickCount();
  vTaskSuspend(NULL);
}

static void body_catch_up(void* p) {
  (void)p;
  g_woke_at = 0;
  TaskHandle_t waker = NULL;
  T_EQ(xTaskCreate(wakes_after_two, "waker", T_STACK, NULL, 3, &waker), pdPASS);
  const TickType_t start = xTaskGetTickCount();
  taskENTER_CRITICAL();
  t_platform_spend_ticks(5);
  T_EQ(g_woke_at, 0); /* due, but held off */
  taskEXIT_CRITICAL();
  /* It ran at once, seeing the whole time passed. */
  T_TICKS_WITHIN(g_woke_at - start, 5, 5);
  T_TICKS_WITHIN(xTaskGetTickCount() - start, 5, 5);
  T_EQ(xTaskCatchUpTicks(5), pdFALSE);
  T_TICKS_WITHIN(xTaskGetTickCount() - start, 5, 5); /* not counted twice */
  vTaskSuspendAll();
  T_EXPECT_ASSERT("xTaskCatchUpTicks: called with the scheduler suspended",
                  T_EQ(xTaskCatchUpTicks(1), pdFALSE));
  xTaskResumeAll();
  vTaskDelete(waker);
}

static void catch_up(void) {
  t_run(body_catch_up, NULL, 2);
}

/* ---- the idle task, run time ---- */

static void body_idle_and_run_time(void* p) {
  (void)p;
  TaskHandle_t idle = xTaskGetIdleTaskHandle();
  T_CHECK(idle != NULL);
  T_CHECK(idle != xTaskGetCurrentTaskHandle());
  T_EQ(uxTaskPriorityGet(idle), tskIDLE_PRIORITY);
  vTaskDelay(2); /* the idle task runs meanwhile */
  T_EQ(eTaskGetState(idle), eReady);
  /* The same as uxTaskGetStackHighWaterMark, in configSTACK_DEPTH_TYPE. */
  T_EQ(uxTaskGetStackHighWaterMark2(NULL), uxTaskGetStackHighWaterMark(NULL));
  T_EQ(uxTaskGetStackHighWaterMark2(idle), uxTaskGetStackHighWaterMark(idle));
  /* Run-time statistics are off in this configuration: every count is 0,
   * as in TaskStatus_t. */
  TaskStatus_t status;
  vTaskGetInfo(idle, &status, pdFALSE, eInvalid);
  T_EQ(ulTaskGetIdleRunTimeCounter(), status.ulRunTimeCounter);
  T_EQ(ulTaskGetIdleRunTimeCounter(), 0);
  T_EQ(ulTaskGetIdleRunTimePercent(), 0);
  T_EQ(ulTaskGetRunTimeCounter(NULL), 0);
  T_EQ(ulTaskGetRunTimePercent(idle), 0);
}

static void idle_and_run_time(void) {
  T_EXPECT_ASSERT("xTaskGetIdleTaskHandle: the scheduler has not started",
                  T_CHECK(xTaskGetIdleTaskHandle() == NULL));
  t_run(body_idle_and_run_time, NULL, 2);
}

/* ---- a task's tag ---- */

static BaseType_t add_one(void* p) {
  return (BaseType_t)((long)(intptr_t)p + 1);
}
static BaseType_t add_two(void* p) {
  return (BaseType_t)((long)(intptr_t)p + 2);
}

static volatile int g_tag_step;
static volatile TaskHookFunction_t g_isr_tag;

static void tags_itself(void* p) {
  (void)p;
  T_CHECK(xTaskGetApplicationTaskTag(NULL) == add_two); /* set by its creator */
  vTaskSetApplicationTaskTag(NULL, add_one);
  g_tag_step = 1;
  vTaskSuspend(NULL);
}

static void read_tag_in_isr(void* p) {
  g_isr_tag = xTaskGetApplicationTaskTagFromISR((TaskHandle_t)p);
}

static void body_tags(void* p) {
  (void)p;
  /* A new task has none; calling it then fails. */
  T_CHECK(xTaskGetApplicationTaskTag(NULL) == NULL);
  T_EQ(xTaskCallApplicationTaskHook(NULL, (void*)40), pdFAIL);
  vTaskSetApplicationTaskTag(NULL, add_one);
  T_CHECK(xTaskGetApplicationTaskTag(NULL) == add_one);
  T_CHECK(xTaskGetApplicationTaskTag(xTaskGetCurrentTaskHandle()) == add_one);
  T_EQ(xTaskCallApplicationTaskHook(NULL, (void*)40), 41);
  /* Another task's, set before it runs and by itself, each its own. */
  g_tag_step = 0;
  TaskHandle_t other = NULL;
  T_EQ(xTaskCreate(tags_itself, "other", T_STACK, NULL, 1, &other), pdPASS);
  T_CHECK(xTaskGetApplicationTaskTag(other) == NULL);
  vTaskSetApplicationTaskTag(other, add_two);
  T_EQ(xTaskCallApplicationTaskHook(other, (void*)40), 42);
  T_AWAIT(g_tag_step == 1);
  T_EQ(xTaskCallApplicationTaskHook(other, (void*)40), 41);
  T_EQ(xTaskCallApplicationTaskHook(NULL, (void*)10), 11); /* ours unchanged */
  g_isr_tag = NULL;
  t_platform_isr(read_tag_in_isr, other);
  T_CHECK(g_isr_tag == add_one);
  vTaskSetApplicationTaskTag(NULL, NULL);
  T_EQ(xTaskCallApplicationTaskHook(NULL, (void*)40), pdFAIL);
  /* The tasks the kernel creates have one too. */
  TaskHandle_t idle = xTaskGetIdleTaskHandle();
  T_CHECK(xTaskGetApplicationTaskTag(idle) == NULL);
  vTaskSetApplicationTaskTag(idle, add_two);
  T_EQ(xTaskCallApplicationTaskHook(idle, (void*)1), 3);
  TaskHandle_t daemon = xTimerGetTimerDaemonTaskHandle();
  vTaskSetApplicationTaskTag(daemon, add_one);
  T_EQ(xTaskCallApplicationTaskHook(daemon, (void*)1), 2);
  vTaskDelete(other);
}

static void tags(void) {
  t_run(body_tags, NULL, 2);
}

/* ---- thread-local storage pointers ---- */

static int g_values[4];
static StackType_t g_static_stack[2048];
static StaticTask_t g_static_tcb;

static void stores_its_own(void* p) {
  for (BaseType_t i = 0; i < configNUM_THREAD_LOCAL_STORAGE_POINTERS; ++i)
    T_CHECK(pvTaskGetThreadLocalStoragePointer(NULL, i) == NULL);
  vTaskSetThreadLocalStoragePointer(NULL, 2, p);
  vTaskSuspend(NULL);
}

static void body_tls(void* p) {
  (void)p;
  T_EQ(configNUM_THREAD_LOCAL_STORAGE_POINTERS, 3);
  for (BaseType_t i = 0; i < 3; ++i) {
    T_CHECK(pvTaskGetThreadLocalStoragePointer(NULL, i) == NULL);
    vTaskSetThreadLocalStoragePointer(NULL, i, &g_values[i]);
  }
  for (BaseType_t i = 0; i < 3; ++i)
    T_CHECK(pvTaskGetThreadLocalStoragePointer(NULL, i) == &g_values[i]);
  /* Outside the array: the set is ignored and the get reads NULL, as on
   * FreeRTOS; the three stay as they were. */
  vTaskSetThreadLocalStoragePointer(NULL, 3, &g_values[3]);
  vTaskSetThreadLocalStoragePointer(NULL, -1, &g_values[3]);
  T_CHECK(pvTaskGetThreadLocalStoragePointer(NULL, 3) == NULL);
  T_CHECK(pvTaskGetThreadLocalStoragePointer(NULL, -1) == NULL);
  for (BaseType_t i = 0; i < 3; ++i)
    T_CHECK(pvTaskGetThreadLocalStoragePointer(NULL, i) == &g_values[i]);

  /* A heap task and a static one: their own, zero at first, set from
   * outside and from inside. */
  TaskHandle_t heap_task = NULL;
  T_EQ(xTaskCreate(stores_its_own, "heap", T_STACK, &g_values[0], 3, &heap_task), pdPASS);
  memset(&g_static_tcb, 0xa5, sizeof g_static_tcb); /* a buffer never cleared */
  TaskHandle_t static_task =
      xTaskCreateStatic(stores_its_own, "static", sizeof g_static_stack / sizeof g_static_stack[0],
                        &g_values[1], 3, g_static_stack, &g_static_tcb);
  T_CHECK(static_task != NULL);
  /* Both outrank this task: they ran, checked their zeros and stored. */
  T_CHECK(pvTaskGetThreadLocalStoragePointer(heap_task, 2) == &g_values[0]);
  T_CHECK(pvTaskGetThreadLocalStoragePointer(static_task, 2) == &g_values[1]);
  T_CHECK(pvTaskGetThreadLocalStoragePointer(static_task, 0) == NULL);
  vTaskSetThreadLocalStoragePointer(static_task, 0, &g_values[3]);
  T_CHECK(pvTaskGetThreadLocalStoragePointer(static_task, 0) == &g_values[3]);
  T_CHECK(pvTaskGetThreadLocalStoragePointer(heap_task, 0) == NULL);
  T_EQ(strcmp(pcTaskGetName(static_task), "static"), 0); /* the task is intact */
  T_EQ(eTaskGetState(static_task), eSuspended);
  for (BaseType_t i = 0; i < 3; ++i) /* ours untouched */
    T_CHECK(pvTaskGetThreadLocalStoragePointer(NULL, i) == &g_values[i]);
  /* The idle task has them too; and a new scheduler run starts it bare
   * (the tag case before this one left a tag on it). */
  T_CHECK(xTaskGetApplicationTaskTag(xTaskGetIdleTaskHandle()) == NULL);
  T_CHECK(pvTaskGetThreadLocalStoragePointer(xTaskGetIdleTaskHandle(), 1) == NULL);
  vTaskSetThreadLocalStoragePointer(xTaskGetIdleTaskHandle(), 1, &g_values[2]);
  T_CHECK(pvTaskGetThreadLocalStoragePointer(xTaskGetIdleTaskHandle(), 1) == &g_values[2]);
  vTaskDelete(heap_task);
  vTaskDelete(static_task);
}

static void thread_local_storage(void) {
  t_run(body_tls, NULL, 2);
}

const t_case t_task_utility_cases[] = {
    {"TaskUtils.TimeOutState", timeout_state, T_TIMED},
    {"TaskUtils.TimeOutAcrossWaits", timeout_loop, T_TIMED},
    {"TaskUtils.CatchUpTicksHasNothingToAdd", catch_up, T_TIMED},
    {"TaskUtils.IdleHandleAndRunTime", idle_and_run_time, 0},
    {"TaskUtils.ApplicationTaskTag", tags, 0},
    {"TaskUtils.ThreadLocalStoragePointers", thread_local_storage, 0},
    {NULL, NULL, 0},
};
