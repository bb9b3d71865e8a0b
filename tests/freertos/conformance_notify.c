/* Conformance: direct-to-task notifications, plain and indexed. */
#include "harness.h"

static TaskHandle_t g_taker;
static volatile int g_taker_done;

static void counting_taker(void* p) {
  (void)p;
  for (int i = 0; i < 2; ++i) t_log_n("took", (long)ulTaskNotifyTake(pdFALSE, portMAX_DELAY));
  t_log_n("cleared", (long)ulTaskNotifyTake(pdTRUE, portMAX_DELAY));
  t_log_n("timeout", (long)ulTaskNotifyTake(pdTRUE, 3));
  g_taker_done = 1;
}

static void body_give_take(void* p) {
  (void)p;
  g_taker_done = 0;
  T_EQ(xTaskCreate(counting_taker, "taker", T_STACK, NULL, 1, &g_taker), pdPASS);
  for (int i = 0; i < 3; ++i) T_EQ(xTaskNotifyGive(g_taker), pdPASS);
  /* The taker runs while we wait: 3 -> 2 -> 1, clears 1, then times out.
   * Waited for, not a fixed delay: it is lower, so after a host stall that
   * ends its timeout and a delay of ours at once, we would run first. */
  T_AWAIT(g_taker_done);
}

static void give_and_take(void) {
  t_run(body_give_take, NULL, 2);
  T_LOG_IS("took=3 took=2 cleared=1 timeout=0");
}

/* A taker that is already blocked when the give comes: it wakes with the
 * count (FreeRTOS returns the value before the decrement or clear). */
static void blocked_taker(void* p) {
  (void)p;
  for (int i = 0; i < 2; ++i) t_log_n("took", (long)ulTaskNotifyTake(pdFALSE, portMAX_DELAY));
  t_log_n("cleared", (long)ulTaskNotifyTake(pdTRUE, portMAX_DELAY));
}

static void body_give_to_blocked(void* p) {
  (void)p;
  /* Higher priority: it runs at once and blocks; each give wakes it. */
  T_EQ(xTaskCreate(blocked_taker, "taker", T_STACK, NULL, 3, &g_taker), pdPASS);
  for (int i = 0; i < 3; ++i) T_EQ(xTaskNotifyGive(g_taker), pdPASS);
}

static void give_to_blocked_taker(void) {
  t_run(body_give_to_blocked, NULL, 2);
  T_LOG_IS("took=1 took=1 cleared=1");
}

static void waiter(void* p) {
  (void)p;
  uint32_t value = 0;
  T_EQ(xTaskNotifyWait(0, 0xffffffffu, &value, portMAX_DELAY), pdTRUE);
  t_log_n("bits", (long)value);
  T_EQ(xTaskNotifyWait(0, 0, &value, portMAX_DELAY), pdTRUE);
  t_log_n("value", (long)value);
  T_EQ(xTaskNotifyWait(0xffffffffu, 0, &value, 2), pdFALSE);
  t_log_n("timeout", (long)value);
}

static void body_wait(void* p) {
  (void)p;
  T_EQ(xTaskCreate(waiter, "waiter", T_STACK, NULL, 3, &g_taker), pdPASS);
  vTaskSuspendAll();
  T_EQ(xTaskNotify(g_taker, 0x1, eSetBits), pdPASS);
  T_EQ(xTaskNotify(g_taker, 0x4, eSetBits), pdPASS);
  (void)xTaskResumeAll(); /* the waiter sees both bits */
  T_EQ(xTaskNotify(g_taker, 42, eSetValueWithOverwrite), pdPASS);
  vTaskDelay(5);
}

static void wait_bits_and_values(void) {
  t_run(body_wait, NULL, 2);
  T_LOG_IS("bits=5 value=42 timeout=0");
}

static void sleeper(void* p) {
  (void)p;
  vTaskDelay(portMAX_DELAY);
}

static void body_actions(void* p) {
  (void)p;
  TaskHandle_t t = NULL;
  T_EQ(xTaskCreate(sleeper, "sleeper", T_STACK, NULL, 1, &t), pdPASS);
  uint32_t prev = 99;
  T_EQ(xTaskNotifyAndQuery(t, 7, eSetValueWithoutOverwrite, &prev), pdPASS);
  T_EQ(prev, 0);
  T_EQ(xTaskNotifyAndQuery(t, 8, eSetValueWithoutOverwrite, &prev), pdFAIL); /* still pending */
  T_EQ(prev, 7);
  T_EQ(xTaskNotify(t, 0, eIncrement), pdPASS);
  T_EQ(xTaskNotifyAndQuery(t, 0, eNoAction, &prev), pdPASS);
  T_EQ(prev, 8);
  T_EQ(ulTaskNotifyValueClear(t, 0xf0), 8);
  T_EQ(ulTaskNotifyValueClear(t, 0x0f), 8);
  T_EQ(ulTaskNotifyValueClear(t, 0), 0);
  T_EQ(xTaskNotifyStateClear(t), pdTRUE);
  T_EQ(xTaskNotifyStateClear(t), pdFALSE);
  vTaskDelete(t);
}

static void actions_query_clear(void) {
  t_run(body_actions, NULL, 2);
}

static void indexed_waiter(void* p) {
  (void)p;
  uint32_t v = 0;
  T_EQ(xTaskNotifyWaitIndexed(2, 0, 0, &v, portMAX_DELAY), pdTRUE);
  t_log_n("index2", (long)v);
  t_log_n("index1", (long)ulTaskNotifyTakeIndexed(1, pdTRUE, 0));
  t_log_n("index0", (long)ulTaskNotifyTakeIndexed(0, pdTRUE, 0));
}

static void body_indexed(void* p) {
  (void)p;
  T_EQ(xTaskCreate(indexed_waiter, "waiter", T_STACK, NULL, 3, &g_taker), pdPASS);
  T_EQ(xTaskNotifyGiveIndexed(g_taker, 1), pdPASS);
  T_EQ(xTaskNotifyGiveIndexed(g_taker, 1), pdPASS);
  T_EQ(ulTaskNotifyValueClearIndexed(g_taker, 1, 0), 2); /* reads, clears nothing */
  T_EQ(xTaskNotifyStateClearIndexed(g_taker, 0), pdFALSE);
  T_EXPECT_ASSERT(
      "xTaskNotifyIndexed: notification index at or above "
      "configTASK_NOTIFICATION_ARRAY_ENTRIES",
      T_EQ(xTaskNotifyIndexed(g_taker, 3, 1, eSetBits), pdFAIL));
  uint32_t prev = 1;
  /* Wakes the waiter, which runs to its end at once. */
  T_EQ(xTaskNotifyAndQueryIndexed(g_taker, 2, 0x10, eSetBits, &prev), pdPASS);
  T_EQ(prev, 0);
}

static void indexed_are_independent(void) {
  t_run(body_indexed, NULL, 2);
  T_LOG_IS("index2=16 index1=2 index0=0");
}

static volatile BaseType_t g_woken;

static void isr_notify(void* p) {
  (void)p;
  BaseType_t woken = pdFALSE;
  vTaskNotifyGiveFromISR(g_taker, &woken);
  T_EQ(xTaskNotifyFromISR(g_taker, 0x2, eSetBits, &woken), pdPASS);
  uint32_t prev = 0;
  T_EQ(xTaskNotifyAndQueryFromISR(g_taker, 0, eNoAction, &prev, &woken), pdPASS);
  T_EQ(prev, 3);
  T_EQ(xTaskNotifyIndexedFromISR(g_taker, 1, 5, eSetValueWithOverwrite, &woken), pdPASS);
  vTaskNotifyGiveIndexedFromISR(g_taker, 2, &woken);
  T_EQ(xTaskNotifyAndQueryIndexedFromISR(g_taker, 2, 0, eIncrement, &prev, &woken), pdPASS);
  T_EQ(prev, 1);
  g_woken = woken;
  T_EXPECT_ASSERT(
      "ulTaskNotifyTake: blocking call from interrupt context (use the FromISR "
      "variant)",
      ulTaskNotifyTake(pdTRUE, 5));
  portYIELD_FROM_ISR(woken);
}

static void isr_waiter(void* p) {
  (void)p;
  uint32_t v = 0;
  T_EQ(xTaskNotifyWait(0, 0, &v, portMAX_DELAY), pdTRUE);
  t_log_n("woke", (long)v);
  t_log_n("index1", (long)ulTaskNotifyValueClearIndexed(NULL, 1, 0));
  t_log_n("index2", (long)ulTaskNotifyTakeIndexed(2, pdTRUE, 0));
}

static void body_isr(void* p) {
  (void)p;
  T_EQ(xTaskCreate(isr_waiter, "waiter", T_STACK, NULL, 3, &g_taker), pdPASS);
  t_platform_isr(isr_notify, NULL);
  t_log("back");
  T_EQ(g_woken, pdTRUE);
}

static void from_isr(void) {
  t_run(body_isr, NULL, 2);
  T_LOG_IS("woke=3 index1=5 index2=2 back");
}

/* ulTaskNotifyTake ends at any notification, even one that leaves the
 * value 0, and returns that 0 (it does not wait out its timeout). */
static volatile TickType_t g_take_returned_after;

static void zero_taker(void* p) {
  (void)p;
  const TickType_t start = xTaskGetTickCount();
  t_log_n("took", (long)ulTaskNotifyTake(pdTRUE, 50));
  g_take_returned_after = xTaskGetTickCount() - start;
}

static void body_take_woken_by_zero(void* p) {
  (void)p;
  g_take_returned_after = 99;
  T_EQ(xTaskCreate(zero_taker, "taker", T_STACK, NULL, 3, &g_taker), pdPASS);
  vTaskDelay(2); /* it waits */
  T_EQ(xTaskNotify(g_taker, 0, eNoAction), pdPASS);
  vTaskDelay(2);
  T_CHECK(g_take_returned_after <= 3);
}

static void take_woken_by_zero(void) {
  t_run(body_take_woken_by_zero, NULL, 2);
  T_LOG_IS("took=0");
}

const t_case t_notify_cases[] = {
    {"Notify.GiveAndTake", give_and_take, 0},
    {"Notify.GiveToBlockedTaker", give_to_blocked_taker, 0},
    {"Notify.WaitBitsAndValues", wait_bits_and_values, 0},
    {"Notify.ActionsQueryClear", actions_query_clear, 0},
    {"Notify.IndexedAreIndependent", indexed_are_independent, 0},
    {"Notify.FromISR", from_isr, 0},
    {"Notify.TakeWokenByZero", take_woken_by_zero, T_TIMED},
    {NULL, NULL, 0},
};
