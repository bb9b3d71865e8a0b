/* Conformance: binary and counting semaphores, mutexes, recursive mutexes. */
#include "harness.h"

static SemaphoreHandle_t g_s;

static void body_binary(void* p) {
  (void)p;
  SemaphoreHandle_t s = xSemaphoreCreateBinary();
  T_CHECK(s != NULL);
  T_EQ(uxSemaphoreGetCount(s), 0); /* created empty */
  T_EQ(xSemaphoreTake(s, 0), pdFAIL);
  T_EQ(xSemaphoreGive(s), pdPASS);
  T_EQ(xSemaphoreGive(s), pdFAIL); /* already given */
  T_EQ(uxSemaphoreGetCount(s), 1);
  T_EQ(xSemaphoreTake(s, 0), pdPASS);
  TickType_t start = xTaskGetTickCount();
  T_EQ(xSemaphoreTake(s, 5), pdFAIL);
  T_EQ(xTaskGetTickCount() - start, 5);
  vSemaphoreDelete(s);
  SemaphoreHandle_t old;
  vSemaphoreCreateBinary(old); /* the old creator: starts given */
  T_EQ(uxSemaphoreGetCount(old), 1);
  vSemaphoreDelete(old);
}

static void binary_semaphore(void) {
  t_run(body_binary, NULL, 2);
}

static void body_counting(void* p) {
  (void)p;
  SemaphoreHandle_t s = xSemaphoreCreateCounting(3, 1);
  T_EQ(uxSemaphoreGetCount(s), 1);
  T_EQ(xSemaphoreGive(s), pdPASS);
  T_EQ(xSemaphoreGive(s), pdPASS);
  T_EQ(xSemaphoreGive(s), pdFAIL);
  T_EQ(uxSemaphoreGetCount(s), 3);
  for (int i = 0; i < 3; ++i) T_EQ(xSemaphoreTake(s, 0), pdPASS);
  T_EQ(xSemaphoreTake(s, 0), pdFAIL);
  vSemaphoreDelete(s);
  T_EXPECT_ASSERT("xSemaphoreCreateCounting: initial count above the maximum",
                  T_CHECK(xSemaphoreCreateCounting(2, 3) == NULL));
}

static void counting_semaphore(void) {
  t_run(body_counting, NULL, 2);
}

static void taker(void* p) {
  T_EQ(xSemaphoreTake(g_s, portMAX_DELAY), pdPASS);
  t_log((const char*)p);
}

static void body_wake_order(void* p) {
  (void)p;
  g_s = xSemaphoreCreateCounting(5, 0);
  T_EQ(xTaskCreate(taker, "low", T_STACK, (void*)"low", 3, NULL), pdPASS);
  T_EQ(xTaskCreate(taker, "high", T_STACK, (void*)"high", 4, NULL), pdPASS);
  T_EQ(xTaskCreate(taker, "low2", T_STACK, (void*)"low2", 3, NULL), pdPASS);
  for (int i = 0; i < 3; ++i) T_EQ(xSemaphoreGive(g_s), pdPASS);
  vSemaphoreDelete(g_s);
}

static void waiters_wake_by_priority(void) {
  t_run(body_wake_order, NULL, 2);
  T_LOG_IS("high low low2");
}

static StaticSemaphore_t g_buffers[4];

static void body_static(void* p) {
  (void)p;
  SemaphoreHandle_t b = xSemaphoreCreateBinaryStatic(&g_buffers[0]);
  SemaphoreHandle_t c = xSemaphoreCreateCountingStatic(2, 2, &g_buffers[1]);
  SemaphoreHandle_t m = xSemaphoreCreateMutexStatic(&g_buffers[2]);
  SemaphoreHandle_t r = xSemaphoreCreateRecursiveMutexStatic(&g_buffers[3]);
  T_CHECK(b != NULL && c != NULL && m != NULL && r != NULL);
  T_EQ(uxSemaphoreGetCount(b), 0);
  T_EQ(uxSemaphoreGetCount(c), 2);
  T_EQ(uxSemaphoreGetCount(m), 1); /* a free mutex counts as available */
  T_EQ(xSemaphoreTake(m, 0), pdPASS);
  T_EQ(uxSemaphoreGetCount(m), 0);
  T_EQ(xSemaphoreGive(m), pdPASS);
  T_EQ(xSemaphoreTakeRecursive(r, 0), pdPASS);
  T_EQ(xSemaphoreGiveRecursive(r), pdPASS);
  vSemaphoreDelete(b);
  vSemaphoreDelete(c);
  vSemaphoreDelete(m);
  vSemaphoreDelete(r);
  T_EXPECT_ASSERT("xSemaphoreCreateMutexStatic: NULL StaticSemaphore_t buffer",
                  T_CHECK(xSemaphoreCreateMutexStatic(NULL) == NULL));
}

static void create_static(void) {
  t_run(body_static, NULL, 2);
}

/* ---- mutexes ---- */

static void holder_task(void* p) {
  (void)p;
  T_EQ(xSemaphoreTake(g_s, portMAX_DELAY), pdPASS);
  t_log("low holds");
  t_platform_spend_ticks(1);
  t_log_n("low prio", (long)uxTaskPriorityGet(NULL));
  T_EQ(xSemaphoreGive(g_s), pdPASS);
  t_log_n("low after give", (long)uxTaskPriorityGet(NULL));
}

static void high_task(void* p) {
  (void)p;
  T_EQ(xSemaphoreTake(g_s, portMAX_DELAY), pdPASS);
  t_log("high holds");
  T_CHECK(xSemaphoreGetMutexHolder(g_s) == xTaskGetCurrentTaskHandle());
  T_EQ(xSemaphoreGive(g_s), pdPASS);
}

static void body_inheritance(void* p) {
  (void)p;
  g_s = xSemaphoreCreateMutex();
  TaskHandle_t low = NULL;
  T_EQ(xTaskCreate(holder_task, "low", T_STACK, NULL, 1, &low), pdPASS);
  vTaskDelay(1); /* low takes the mutex and works */
  T_CHECK(xSemaphoreGetMutexHolder(g_s) == low);
  T_EQ(xTaskCreate(high_task, "high", T_STACK, NULL, 5, NULL), pdPASS);
  vTaskDelay(5);
  T_CHECK(xSemaphoreGetMutexHolder(g_s) == NULL);
  vSemaphoreDelete(g_s);
}

static void mutex_priority_inheritance(void) {
  t_run(body_inheritance, NULL, 3);
  T_LOG_IS("low holds low prio=5 high holds low after give=1");
}

static void takes_and_keeps(void* p) {
  (void)p;
  T_EQ(xSemaphoreTake(g_s, 0), pdPASS);
  vTaskSuspend(NULL); /* keeps holding it (deleting it would release it) */
}

static void body_mutex_misuse(void* p) {
  (void)p;
  g_s = xSemaphoreCreateMutex();
  T_EQ(xSemaphoreGive(g_s), pdFAIL); /* not held: nothing to give */
  T_EQ(xTaskCreate(takes_and_keeps, "keeper", T_STACK, NULL, 3, NULL), pdPASS);
  T_EXPECT_ASSERT("xSemaphoreGive: mutex given by a task that does not hold it",
                  T_EQ(xSemaphoreGive(g_s), pdFAIL));
  T_EQ(xSemaphoreTake(g_s, 0), pdFAIL);
  SemaphoreHandle_t m = xSemaphoreCreateMutex();
  T_EQ(xSemaphoreTake(m, 0), pdPASS);
  T_EXPECT_ASSERT(
      "xSemaphoreTake: deadlock: the calling task already holds this (non-recursive) mutex",
      T_EQ(xSemaphoreTake(m, 10), pdFAIL));
  T_EXPECT_ASSERT("xSemaphoreTakeRecursive: not a recursive mutex (xSemaphoreCreateRecursiveMutex)",
                  xSemaphoreTakeRecursive(m, 0));
  T_EXPECT_ASSERT("xSemaphoreGiveFromISR: mutexes cannot be used from interrupts",
                  xSemaphoreGiveFromISR(m, NULL));
  T_EXPECT_ASSERT("xSemaphoreTake: NULL semaphore handle", xSemaphoreTake(NULL, 0));
  T_EXPECT_ASSERT("xSemaphoreGive: NULL semaphore handle", xSemaphoreGive(NULL));
  QueueHandle_t q = xQueueCreate(1, 4);
  T_EXPECT_ASSERT("xSemaphoreTake: the handle is a queue, not a semaphore", xSemaphoreTake(q, 0));
  vQueueDelete(q);
  T_EQ(xSemaphoreGive(m), pdPASS);
  vSemaphoreDelete(m);
}

static void mutex_misuse(void) {
  t_run(body_mutex_misuse, NULL, 2);
}

static void body_recursive(void* p) {
  (void)p;
  SemaphoreHandle_t r = xSemaphoreCreateRecursiveMutex();
  g_s = r;
  for (int i = 0; i < 3; ++i) T_EQ(xSemaphoreTakeRecursive(r, 0), pdPASS);
  T_CHECK(xSemaphoreGetMutexHolder(r) == xTaskGetCurrentTaskHandle());
  T_EQ(xSemaphoreGiveRecursive(r), pdPASS);
  T_EQ(xSemaphoreGiveRecursive(r), pdPASS);
  T_CHECK(xSemaphoreGetMutexHolder(r) != NULL);
  T_EQ(xSemaphoreGiveRecursive(r), pdPASS);
  T_CHECK(xSemaphoreGetMutexHolder(r) == NULL);
  T_EQ(xSemaphoreGiveRecursive(r), pdFAIL);
  T_EXPECT_ASSERT("xSemaphoreTake: recursive mutex: use xSemaphoreTakeRecursive",
                  xSemaphoreTake(r, 0));
  vSemaphoreDelete(r);
}

static void recursive_mutex(void) {
  t_run(body_recursive, NULL, 2);
}

/* A recursive give by a task that does not hold the mutex fails (pdFAIL), as
 * FreeRTOS documents, without a misuse report; the holder keeps it. */
static void hold_recursive(void* p) {
  T_EQ(xSemaphoreTakeRecursive((SemaphoreHandle_t)p, 0), pdPASS);
  T_EQ(xSemaphoreTakeRecursive((SemaphoreHandle_t)p, 0), pdPASS);
  vTaskSuspend(NULL);
}

static void body_recursive_give_by_other(void* p) {
  (void)p;
  SemaphoreHandle_t r = xSemaphoreCreateRecursiveMutex();
  TaskHandle_t holder = NULL;
  T_EQ(xTaskCreate(hold_recursive, "holder", T_STACK, r, 3, &holder), pdPASS);
  T_CHECK(xSemaphoreGetMutexHolder(r) == holder);
  T_EQ(xSemaphoreGiveRecursive(r), pdFAIL);
  T_CHECK(xSemaphoreGetMutexHolder(r) == holder);
  T_EQ(xSemaphoreTakeRecursive(r, 0), pdFAIL);
  vTaskDelete(holder); /* its mutexes are released */
  T_EQ(xSemaphoreTakeRecursive(r, 0), pdPASS);
  T_EQ(xSemaphoreGiveRecursive(r), pdPASS);
  vSemaphoreDelete(r);
}

static void recursive_give_by_other(void) {
  t_run(body_recursive_give_by_other, NULL, 2);
}

/* ---- interrupts ---- */

static volatile BaseType_t g_woken;

static void isr_give(void* p) {
  (void)p;
  BaseType_t woken = pdFALSE;
  T_EQ(xSemaphoreGiveFromISR(g_s, &woken), pdPASS);
  g_woken = woken;
  portYIELD_FROM_ISR(woken);
}

static void isr_take(void* p) {
  BaseType_t woken = pdFALSE;
  *(BaseType_t*)p = xSemaphoreTakeFromISR(g_s, &woken);
  T_EQ(woken, pdFALSE);
  T_EQ(uxSemaphoreGetCountFromISR(g_s), 0);
  T_EXPECT_ASSERT("xSemaphoreTake: blocking call from interrupt context (use the FromISR variant)",
                  xSemaphoreTake(g_s, 1));
}

static void deferred_handler(void* p) {
  (void)p;
  for (int i = 0; i < 2; ++i) {
    T_EQ(xSemaphoreTake(g_s, portMAX_DELAY), pdPASS);
    t_log("handled");
  }
}

static void body_isr(void* p) {
  (void)p;
  g_s = xSemaphoreCreateBinary();
  T_EQ(xTaskCreate(deferred_handler, "handler", T_STACK, NULL, 4, NULL), pdPASS);
  t_platform_isr(isr_give, NULL);
  t_log("back");
  T_EQ(g_woken, pdTRUE);
  t_platform_isr(isr_give, NULL);
  /* The handler has ended: a give now stays in the semaphore. */
  t_platform_isr(isr_give, NULL);
  T_EQ(g_woken, pdFALSE);
  BaseType_t took = pdFAIL;
  t_platform_isr(isr_take, &took);
  T_EQ(took, pdPASS);
  vSemaphoreDelete(g_s);
}

static void from_isr(void) {
  t_run(body_isr, NULL, 2);
  T_LOG_IS("handled back handled");
}

/* ---- FreeRTOS's wake rule: a woken taker tries again when it runs ---- */

static volatile BaseType_t g_taken;
static volatile int g_takes;

static void slow_taker(void* p) {
  (void)p;
  /* The first wait must not end before the interrupt, whatever the host
   * does: no timeout. Then it waits 30 ticks for a second unit, in vain. */
  if (xSemaphoreTake(g_s, portMAX_DELAY) == pdPASS) g_takes++;
  while (xSemaphoreTake(g_s, 30) == pdPASS) g_takes++;
  g_taken = pdTRUE;
}

static void two_gives_from_isr(void* p) {
  (void)p;
  BaseType_t woken = pdFALSE;
  T_EQ(xSemaphoreGiveFromISR(g_s, &woken), pdPASS);
  /* The unit is in the semaphore until the taker runs: a binary one is full. */
  T_EQ(xSemaphoreGiveFromISR(g_s, &woken), pdFAIL);
  T_EQ(woken, pdTRUE);
}

/* Two gives from an interrupt while a task waits on a binary semaphore: the
 * second fails, so the events merge and the taker runs once. */
static void body_isr_gives_merge(void* p) {
  (void)p;
  g_s = xSemaphoreCreateBinary();
  g_takes = 0;
  g_taken = pdFALSE;
  /* Higher: it runs at once and waits. */
  T_EQ(xTaskCreate(slow_taker, "taker", T_STACK, NULL, 3, NULL), pdPASS);
  t_platform_isr(two_gives_from_isr, NULL);
  /* It took the unit as the interrupt returned and waits again; its
   * 30-tick wait ends before our 40 ticks, or at the same tick after a
   * host stall, when it runs first (it outranks us). */
  vTaskDelay(40);
  T_EQ(g_takes, 1);
  T_EQ(g_taken, pdTRUE);
  vSemaphoreDelete(g_s);
}

static void isr_gives_merge(void) {
  t_run(body_isr_gives_merge, NULL, 2);
}

static volatile BaseType_t g_mutex_result;
static volatile int g_mutex_waiter_done;

static void mutex_waiter(void* p) {
  (void)p;
  /* No timeout: the wait must last until the second give, whatever the
   * host does. */
  g_mutex_result = xSemaphoreTake(g_s, portMAX_DELAY);
  t_log("waiter-took");
  if (g_mutex_result == pdPASS) xSemaphoreGive(g_s);
  g_mutex_waiter_done = 1;
  vTaskSuspend(NULL); /* its handle stays valid for eTaskGetState */
}

/* A give wakes the waiting task without making it the owner: the giver, of
 * higher priority, takes the mutex back at once; the waiter gets it at the
 * next give, and inheritance is unchanged. */
static void body_mutex_retaken_by_giver(void* p) {
  (void)p;
  g_s = xSemaphoreCreateMutex();
  g_mutex_result = 99;
  g_mutex_waiter_done = 0;
  T_EQ(xSemaphoreTake(g_s, 0), pdPASS);
  TaskHandle_t waiter = NULL;
  T_EQ(xTaskCreate(mutex_waiter, "waiter", T_STACK, NULL, 1, &waiter), pdPASS);
  /* Every wait below is for what the waiter has done, not a fixed delay: in
   * real time a tick may end a short delay before the lower waiter got that
   * far. */
  T_AWAIT(eTaskGetState(waiter) == eBlocked); /* the waiter blocks on the mutex */
  T_EQ(eTaskGetState(waiter), eBlocked);
  T_EQ(xSemaphoreGive(g_s), pdPASS);
  T_EQ(eTaskGetState(waiter), eReady);  /* woken, not yet run */
  T_EQ(xSemaphoreTake(g_s, 0), pdPASS); /* still free: the waiter has not run */
  T_CHECK(xSemaphoreGetMutexHolder(g_s) == xTaskGetCurrentTaskHandle());
  t_log("giver-retook");
  T_AWAIT(eTaskGetState(waiter) != eReady); /* the waiter runs, finds it held and waits on */
  T_EQ(g_mutex_result, 99);
  T_EQ(eTaskGetState(waiter), eBlocked);
  T_EQ(xSemaphoreGive(g_s), pdPASS);
  T_AWAIT(g_mutex_waiter_done);
  T_EQ(g_mutex_result, pdPASS);
  vTaskDelete(waiter);
  vSemaphoreDelete(g_s);
}

static void mutex_retaken_by_giver(void) {
  t_run(body_mutex_retaken_by_giver, NULL, 2);
  T_LOG_IS("giver-retook waiter-took");
}

/* ---- a task suspended while it waits goes on waiting once resumed ---- */

static volatile BaseType_t g_suspended_results[3];
static SemaphoreHandle_t g_wait_sem, g_wait_mutex;
static QueueHandle_t g_wait_queue;

static void suspended_waiter(void* p) {
  const intptr_t which = (intptr_t)p;
  int v = 0;
  if (which == 0) g_suspended_results[0] = xQueueReceive(g_wait_queue, &v, portMAX_DELAY);
  if (which == 1) g_suspended_results[1] = xSemaphoreTake(g_wait_sem, portMAX_DELAY);
  if (which == 2) {
    g_suspended_results[2] = xSemaphoreTake(g_wait_mutex, portMAX_DELAY);
    if (g_suspended_results[2] == pdPASS) xSemaphoreGive(g_wait_mutex);
  }
}

static void body_suspend_while_waiting(void* p) {
  (void)p;
  g_wait_queue = xQueueCreate(1, sizeof(int));
  g_wait_sem = xSemaphoreCreateBinary();
  g_wait_mutex = xSemaphoreCreateMutex();
  T_EQ(xSemaphoreTake(g_wait_mutex, 0), pdPASS);
  TaskHandle_t w[3];
  for (intptr_t i = 0; i < 3; ++i) {
    g_suspended_results[i] = 99;
    T_EQ(xTaskCreate(suspended_waiter, "waiter", T_STACK, (void*)i, 3, &w[i]), pdPASS);
  }
  vTaskDelay(1); /* all three wait */
  for (int i = 0; i < 3; ++i) vTaskSuspend(w[i]);
  vTaskDelay(2);
  for (int i = 0; i < 3; ++i) vTaskResume(w[i]); /* they wait on */
  vTaskDelay(2);
  for (int i = 0; i < 3; ++i) {
    T_EQ(g_suspended_results[i], 99);
    T_EQ(eTaskGetState(w[i]), eBlocked);
  }
  int v = 5;
  T_EQ(xQueueSend(g_wait_queue, &v, 0), pdPASS);
  T_EQ(xSemaphoreGive(g_wait_sem), pdPASS);
  T_EQ(xSemaphoreGive(g_wait_mutex), pdPASS);
  vTaskDelay(2);
  for (int i = 0; i < 3; ++i) T_EQ(g_suspended_results[i], pdPASS);
  vQueueDelete(g_wait_queue);
  vSemaphoreDelete(g_wait_sem);
  vSemaphoreDelete(g_wait_mutex);
}

static void suspend_while_waiting(void) {
  t_run(body_suspend_while_waiting, NULL, 2);
}

static void timed_waiter(void* p) {
  (void)p;
  int v;
  g_suspended_results[0] = xQueueReceive(g_wait_queue, &v, 20);
}

/* The timeout still counts from the call: suspended and resumed, the
 * receive times out 20 ticks after it began. */
static void body_suspend_keeps_deadline(void* p) {
  (void)p;
  g_wait_queue = xQueueCreate(1, sizeof(int));
  g_suspended_results[0] = 99;
  TaskHandle_t w = NULL;
  const TickType_t start = xTaskGetTickCount();
  T_EQ(xTaskCreate(timed_waiter, "waiter", T_STACK, NULL, 3, &w), pdPASS);
  vTaskDelay(5);
  vTaskSuspend(w);
  vTaskDelay(5);
  vTaskResume(w);
  vTaskDelay(5);
  T_EQ(g_suspended_results[0], 99); /* waiting on */
  while (g_suspended_results[0] == 99 && xTaskGetTickCount() - start < 40) vTaskDelay(1);
  T_EQ(g_suspended_results[0], errQUEUE_EMPTY);
  T_CHECK(xTaskGetTickCount() - start >= 20 && xTaskGetTickCount() - start <= 22);
  vQueueDelete(g_wait_queue);
}

static void suspend_keeps_deadline(void) {
  t_run(body_suspend_keeps_deadline, NULL, 2);
}

/* Before vTaskStartScheduler there is no task to block: a call that may
 * wait does not (FreeRTOS drops the wait), succeeds if it can and fails at
 * once if not, and none of it is misuse. The fast paths pass the wait on and
 * the kernel, finding no task to block, fails the call: the same results. */
static void wait_before_scheduler_start(void) {
  SemaphoreHandle_t s = xSemaphoreCreateBinary();
  QueueHandle_t q = xQueueCreate(1, sizeof(uint32_t));
  T_CHECK(s != NULL && q != NULL);
  uint32_t item = 7;
  T_EQ(xSemaphoreTake(s, portMAX_DELAY), pdFAIL);
  T_EQ(xSemaphoreTake(s, 10), pdFAIL);
  T_EQ(xSemaphoreGive(s), pdPASS);
  T_EQ(xSemaphoreTake(s, portMAX_DELAY), pdPASS);
  T_EQ(xQueueReceive(q, &item, portMAX_DELAY), errQUEUE_EMPTY);
  T_EQ(xQueueSend(q, &item, portMAX_DELAY), pdPASS);
  item = 8;
  T_EQ(xQueueSend(q, &item, 10), errQUEUE_FULL);
  T_EQ(xQueueReceive(q, &item, portMAX_DELAY), pdPASS);
  T_EQ(item, 7);
  vQueueDelete(q);
  vSemaphoreDelete(s);
}

const t_case t_semphr_cases[] = {
    {"Semaphore.WaitBeforeSchedulerStart", wait_before_scheduler_start, 0},
    {"Semaphore.Binary", binary_semaphore, T_TIMED},
    {"Semaphore.Counting", counting_semaphore, 0},
    {"Semaphore.WaitersWakeByPriority", waiters_wake_by_priority, T_TIMED},
    {"Semaphore.CreateStatic", create_static, 0},
    {"Semaphore.MutexPriorityInheritance", mutex_priority_inheritance, T_TIMED},
    {"Semaphore.MutexMisuse", mutex_misuse, 0},
    {"Semaphore.RecursiveMutex", recursive_mutex, 0},
    {"Semaphore.RecursiveGiveByOtherFails", recursive_give_by_other, 0},
    {"Semaphore.FromISR", from_isr, 0},
    {"Semaphore.IsrGivesMerge", isr_gives_merge, 0},
    {"Semaphore.MutexRetakenByGiver", mutex_retaken_by_giver, 0},
    {"Semaphore.SuspendWhileWaiting", suspend_while_waiting, T_TIMED},
    {"Semaphore.SuspendKeepsDeadline", suspend_keeps_deadline, T_TIMED},
    {NULL, NULL, 0},
};
