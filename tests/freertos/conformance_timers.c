/* Conformance: software timers and the timer daemon (configUSE_TIMERS 1,
 * configTIMER_TASK_PRIORITY 6, configTIMER_QUEUE_LENGTH 6: shorter than the
 * kernel's ring, configUSE_DAEMON_TASK_STARTUP_HOOK 1). */
#include <string.h>

#include "harness.h"

static volatile int g_fired;
static volatile TickType_t g_fired_at;

static void count_cb(TimerHandle_t t) {
  ++g_fired;
  g_fired_at = xTaskGetTickCount();
  (void)t;
}

static void body_one_shot(void* p) {
  (void)p;
  int id = 7;
  g_fired = 0;
  TimerHandle_t t = xTimerCreate("one", 10, pdFALSE, &id, count_cb);
  T_CHECK(t != NULL);
  T_EQ(xTimerIsTimerActive(t), pdFALSE);
  T_EQ(strcmp(pcTimerGetName(t), "one"), 0);
  T_CHECK(pvTimerGetTimerID(t) == &id);
  T_EQ(xTimerGetPeriod(t), 10);
  T_EQ(uxTimerGetReloadMode(t), 0);
  T_EQ(xTimerGetReloadMode(t), pdFALSE);
  TickType_t start = xTaskGetTickCount();
  T_EQ(xTimerStart(t, 0), pdPASS); /* the daemon outranks this task: applied now */
  T_EQ(xTimerIsTimerActive(t), pdTRUE);
  T_EQ(xTimerGetExpiryTime(t), start + 10);
  vTaskDelay(25);
  T_EQ(g_fired, 1);
  T_EQ(g_fired_at - start, 10);
  T_EQ(xTimerIsTimerActive(t), pdFALSE);
  T_EQ(xTimerDelete(t, portMAX_DELAY), pdPASS);
}

static void one_shot(void) {
  t_run(body_one_shot, NULL, 2);
}

static void body_periodic(void* p) {
  (void)p;
  g_fired = 0;
  TimerHandle_t t = xTimerCreate("tick", 5, pdTRUE, NULL, count_cb);
  T_EQ(xTimerGetReloadMode(t), pdTRUE);
  TickType_t start = xTaskGetTickCount();
  T_EQ(xTimerStart(t, 0), pdPASS);
  vTaskDelay(22);
  T_EQ(g_fired, 4);
  T_EQ(g_fired_at - start, 20);
  T_EQ(xTimerStop(t, 0), pdPASS);
  T_EQ(xTimerIsTimerActive(t), pdFALSE);
  vTaskDelay(20);
  T_EQ(g_fired, 4);
  /* One-shot from now on: one more expiry, then dormant. */
  vTimerSetReloadMode(t, pdFALSE);
  T_EQ(uxTimerGetReloadMode(t), 0);
  T_EQ(xTimerStart(t, 0), pdPASS);
  vTaskDelay(20);
  T_EQ(g_fired, 5);
  T_EQ(xTimerDelete(t, 0), pdPASS);
}

static void periodic_stop_reload_mode(void) {
  t_run(body_periodic, NULL, 2);
}

static void body_reset_change(void* p) {
  (void)p;
  g_fired = 0;
  TimerHandle_t t = xTimerCreate("r", 10, pdFALSE, NULL, count_cb);
  TickType_t start = xTaskGetTickCount();
  T_EQ(xTimerStart(t, 0), pdPASS);
  vTaskDelay(6);
  T_EQ(xTimerReset(t, 0), pdPASS); /* 10 ticks from now */
  T_EQ(xTimerGetExpiryTime(t), start + 16);
  vTaskDelay(6);
  T_EQ(g_fired, 0);
  T_EQ(xTimerChangePeriod(t, 3, 0), pdPASS); /* restarts with the new period */
  T_EQ(xTimerGetPeriod(t), 3);
  T_EQ(xTimerGetExpiryTime(t), start + 15);
  vTaskDelay(10);
  T_EQ(g_fired, 1);
  T_EQ(g_fired_at - start, 15);
  /* xTimerChangePeriod starts a dormant timer too. */
  T_EQ(xTimerChangePeriod(t, 4, 0), pdPASS);
  T_EQ(xTimerIsTimerActive(t), pdTRUE);
  vTaskDelay(5);
  T_EQ(g_fired, 2);
  T_EQ(xTimerDelete(t, 0), pdPASS);
}

static void reset_and_change_period(void) {
  t_run(body_reset_change, NULL, 2);
}

/* The timer's ID as its own counter, as FreeRTOS's documentation shows. */
static void id_counter_cb(TimerHandle_t t) {
  uintptr_t n = (uintptr_t)pvTimerGetTimerID(t) + 1;
  vTimerSetTimerID(t, (void*)n);
  if (n == 3) T_EQ(xTimerStop(t, 0), pdPASS); /* from a callback: never waits */
}

static StaticTimer_t g_timer_buffer;

static void body_static(void* p) {
  (void)p;
  TimerHandle_t t =
      xTimerCreateStatic("static", 2, pdTRUE, (void*)0, id_counter_cb, &g_timer_buffer);
  T_CHECK(t != NULL);
  T_EQ(xTimerStart(t, 0), pdPASS);
  vTaskDelay(20);
  T_EQ((uintptr_t)pvTimerGetTimerID(t), 3);
  T_EQ(xTimerIsTimerActive(t), pdFALSE);
  T_EQ(xTimerDelete(t, 0), pdPASS);
}

static void static_timer_and_id(void) {
  t_run(body_static, NULL, 2);
}

static void pended(void* p1, uint32_t p2) {
  T_CHECK(xTaskGetCurrentTaskHandle() == xTimerGetTimerDaemonTaskHandle());
  t_log_n((const char*)p1, (long)p2);
}

static void body_pend(void* p) {
  (void)p;
  TaskHandle_t daemon = xTimerGetTimerDaemonTaskHandle();
  T_CHECK(daemon != NULL);
  T_EQ(uxTaskPriorityGet(daemon), configTIMER_TASK_PRIORITY);
  T_EQ(xTimerPendFunctionCall(pended, (void*)"call", 42, 0), pdPASS);
  t_log("back");
}

static void pend_function_call(void) {
  t_run(body_pend, NULL, 2);
  T_LOG_IS("call=42 back");
}

static TimerHandle_t g_isr_timer;
static BaseType_t g_woken;

static void isr_start(void* p) {
  (void)p;
  g_woken = pdFALSE;
  T_EQ(xTimerStartFromISR(g_isr_timer, &g_woken), pdPASS);
}
static void isr_reset_change(void* p) {
  (void)p;
  g_woken = pdFALSE;
  T_EQ(xTimerResetFromISR(g_isr_timer, &g_woken), pdPASS);
  T_EQ(xTimerChangePeriodFromISR(g_isr_timer, 3, &g_woken), pdPASS);
}
static void isr_stop(void* p) {
  (void)p;
  g_woken = pdFALSE;
  T_EQ(xTimerStopFromISR(g_isr_timer, &g_woken), pdPASS);
}
static void isr_pend(void* p) {
  (void)p;
  g_woken = pdFALSE;
  T_EQ(xTimerPendFunctionCallFromISR(pended, (void*)"isr", 5, &g_woken), pdPASS);
}

static void body_isr(void* p) {
  (void)p;
  g_fired = 0;
  g_isr_timer = xTimerCreate("isr", 5, pdTRUE, NULL, count_cb);
  TickType_t start = xTaskGetTickCount();
  t_platform_isr(isr_start, NULL);
  T_EQ(g_woken, pdTRUE); /* the daemon outranks this task */
  T_EQ(xTimerIsTimerActive(g_isr_timer), pdTRUE);
  vTaskDelay(7);
  T_EQ(g_fired, 1);
  t_platform_isr(isr_reset_change, NULL);
  T_EQ(g_woken, pdTRUE);
  T_EQ(xTimerGetPeriod(g_isr_timer), 3);
  T_EQ(xTimerGetExpiryTime(g_isr_timer), start + 10);
  t_platform_isr(isr_stop, NULL);
  T_EQ(xTimerIsTimerActive(g_isr_timer), pdFALSE);
  t_platform_isr(isr_pend, NULL);
  T_EQ(g_woken, pdTRUE);
  t_log("back");
  T_EQ(xTimerDelete(g_isr_timer, 0), pdPASS);
}

static void from_isr(void) {
  t_run(body_isr, NULL, 2);
  T_LOG_IS("isr=5 back");
}

static void body_queue_full(void* p) {
  (void)p;
  /* With the daemon suspended, commands stay in its queue. */
  TaskHandle_t daemon = xTimerGetTimerDaemonTaskHandle();
  vTaskDelay(1); /* the daemon has started and waits for commands */
  vTaskSuspend(daemon);
  g_fired = 0;
  /* The starts count their period from their call, and the daemon must see
   * them before it ends (else it applies them, then expires the timer at
   * once): a period longer than any host stall (as T_AWAIT's bound). */
  TimerHandle_t t = xTimerCreate("q", 1000, pdFALSE, NULL, count_cb);
  for (int i = 0; i < configTIMER_QUEUE_LENGTH; ++i) T_EQ(xTimerStart(t, 0), pdPASS);
  T_EQ(xTimerStart(t, 0), pdFAIL);
  TickType_t start = xTaskGetTickCount();
  T_EQ(xTimerReset(t, 5), pdFAIL); /* waits 5 ticks for a slot, in vain */
  T_TICKS_WITHIN(xTaskGetTickCount() - start, 5, 5);
  T_EQ(xTimerIsTimerActive(t), pdFALSE); /* the daemon has not seen the starts */
  vTaskResume(daemon);                   /* it outranks this task: runs now */
  T_EQ(xTimerIsTimerActive(t), pdTRUE);
  T_EQ(xTimerDelete(t, portMAX_DELAY), pdPASS);
  vTaskDelay(1010); /* past the expiry it would have had */
  T_EQ(g_fired, 0);
}

static void command_queue_full(void) {
  t_run(body_queue_full, NULL, 2);
}

static void body_misuse(void* p) {
  (void)p;
  T_EXPECT_ASSERT("xTimerCreate: timer period of 0 ticks",
                  T_CHECK(xTimerCreate("z", 0, pdFALSE, NULL, count_cb) == NULL));
  T_EXPECT_ASSERT("xTimerCreate: NULL callback function",
                  T_CHECK(xTimerCreate("z", 1, pdFALSE, NULL, NULL) == NULL));
  T_EXPECT_ASSERT("xTimerStart: NULL timer handle", T_EQ(xTimerStart(NULL, 0), pdFAIL));
  TimerHandle_t t = xTimerCreate("m", 5, pdFALSE, NULL, count_cb);
  T_EXPECT_ASSERT("xTimerChangePeriod: timer period of 0 ticks",
                  T_EQ(xTimerChangePeriod(t, 0, 0), pdFAIL));
  vTaskSuspendAll();
  T_EXPECT_ASSERT("xTimerStart: blocking call with the scheduler suspended (vTaskSuspendAll)",
                  T_EQ(xTimerStart(t, 10), pdFAIL));
  (void)xTaskResumeAll();
  T_EQ(xTimerDelete(t, 0), pdPASS);
}

static void misuse(void) {
  t_run(body_misuse, NULL, 2);
}

/* ---- a reset from the tick hook at the tick the timer expires ---- */

static TimerHandle_t g_hook_timer;
static volatile TickType_t g_hook_reset_at;
static volatile BaseType_t g_hook_reset_result;

static void reset_at_expiry(void) {
  const TickType_t now = xTaskGetTickCountFromISR();
  if (g_hook_reset_at == 0 && now == xTimerGetExpiryTime(g_hook_timer)) {
    BaseType_t woken = pdFALSE;
    g_hook_reset_result = xTimerResetFromISR(g_hook_timer, &woken);
    g_hook_reset_at = now;
  }
}

/* FreeRTOS's timer task handles the commands it finds on waking before it
 * looks for expired timers: a reset issued at the expiry tick (from the tick
 * hook here) restarts the timer, and the callback comes one period later
 * only, not also at that tick. */
static void body_reset_at_expiry_tick(void* p) {
  (void)p;
  g_fired = 0;
  g_hook_reset_at = 0;
  g_hook_reset_result = 99;
  g_hook_timer = xTimerCreate("hooked", 5, pdFALSE, NULL, count_cb);
  T_CHECK(g_hook_timer != NULL);
  T_EQ(xTimerStart(g_hook_timer, 0), pdPASS);
  t_tick_hook_fn = reset_at_expiry;
  vTaskDelay(20);
  t_tick_hook_fn = NULL;
  T_EQ(g_hook_reset_result, pdPASS);
  T_CHECK(g_hook_reset_at != 0);
  T_EQ(g_fired, 1);
  T_EQ(g_fired_at - g_hook_reset_at, 5);
  T_EQ(xTimerDelete(g_hook_timer, portMAX_DELAY), pdPASS);
}

static void reset_at_expiry_tick(void) {
  t_run(body_reset_at_expiry_tick, NULL, 2);
}

static volatile unsigned long g_startup_calls_seen;

static void body_daemon_startup_hook(void* p) {
  (void)p;
  vTaskDelay(1); /* the daemon has run */
  g_startup_calls_seen = t_daemon_startup_calls;
}

/* The daemon calls vApplicationDaemonTaskStartupHook once per start. */
static void daemon_startup_hook(void) {
  g_startup_calls_seen = 0;
  t_run(body_daemon_startup_hook, NULL, 2);
  T_EQ(g_startup_calls_seen, 1);
  T_EQ(t_daemon_startup_calls, 1);
}

/* FreeRTOS creates the timer task ("Tmr Svc", configTIMER_TASK_PRIORITY)
 * in vTaskStartScheduler: it is counted from then on, timer or not. */
static void body_daemon_at_start(void* p) {
  (void)p;
  TaskHandle_t daemon = xTimerGetTimerDaemonTaskHandle();
  T_CHECK(daemon != NULL);
  T_EQ(strcmp(pcTaskGetName(daemon), "Tmr Svc"), 0);
  T_CHECK(xTaskGetHandle("Tmr Svc") == daemon);
  T_EQ(uxTaskPriorityGet(daemon), configTIMER_TASK_PRIORITY);
  /* this task, the idle task and the daemon: no timer was ever created */
  T_EQ(uxTaskGetNumberOfTasks(), 3);
}

static void daemon_created_at_scheduler_start(void) {
  T_EQ(uxTaskGetNumberOfTasks(), 0);
  T_EXPECT_ASSERT("xTimerGetTimerDaemonTaskHandle: the scheduler has not started",
                  T_CHECK(xTimerGetTimerDaemonTaskHandle() == NULL));
  t_run(body_daemon_at_start, NULL, 2);
}

static TimerHandle_t g_early_timer;
static volatile TickType_t g_started_at;

static void body_timer_before_start(void* p) {
  (void)p;
  g_started_at = xTaskGetTickCount();
  T_EQ(uxTaskGetNumberOfTasks(), 3);
  T_EQ(t_daemon_startup_calls, 1); /* the daemon ran first: it outranks this task */
  vTaskDelay(10);
  T_EQ(g_fired, 1);
  /* Counted from the scheduler's start, when the daemon applied it (at
   * most a tick before this task first ran, on a guest). */
  T_EQ(g_fired_at, xTimerGetExpiryTime(g_early_timer));
  T_CHECK(g_fired_at - g_started_at == 4 || g_fired_at - g_started_at == 3);
  T_EQ(xTimerDelete(g_early_timer, portMAX_DELAY), pdPASS);
}

/* A timer created and started before vTaskStartScheduler: the start command
 * waits in the daemon's queue, and no daemon is counted before the start. */
static void timer_created_before_start(void) {
  g_fired = 0;
  g_early_timer = xTimerCreate("early", 4, pdFALSE, NULL, count_cb);
  T_CHECK(g_early_timer != NULL);
  T_EQ(xTimerStart(g_early_timer, 0), pdPASS);
  T_EQ(uxTaskGetNumberOfTasks(), 0);
  t_run(body_timer_before_start, NULL, 2);
  T_EQ(t_daemon_startup_calls, 1);
}

const t_case t_timer_cases[] = {
    {"Timer.OneShot", one_shot, T_TIMED},
    {"Timer.PeriodicStopReloadMode", periodic_stop_reload_mode, T_TIMED},
    {"Timer.ResetAndChangePeriod", reset_and_change_period, T_TIMED},
    {"Timer.StaticAndID", static_timer_and_id, 0},
    {"Timer.PendFunctionCall", pend_function_call, 0},
    {"Timer.FromISR", from_isr, T_TIMED},
    {"Timer.CommandQueueFull", command_queue_full, 0},
    {"Timer.Misuse", misuse, T_TIMED},
    {"Timer.ResetAtExpiryTick", reset_at_expiry_tick, T_TIMED},
    {"Timer.DaemonStartupHook", daemon_startup_hook, 0},
    {"Timer.DaemonCreatedAtSchedulerStart", daemon_created_at_scheduler_start, 0},
    {"Timer.CreatedBeforeSchedulerStart", timer_created_before_start, T_TIMED},
    {NULL, NULL, 0},
};
