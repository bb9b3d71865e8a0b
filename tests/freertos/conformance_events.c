/* Conformance: event groups. */
#include "harness.h"

static EventGroupHandle_t g_eg;

static void body_set_clear(void* p) {
  (void)p;
  EventGroupHandle_t g = xEventGroupCreate();
  T_CHECK(g != NULL);
  T_EQ(xEventGroupGetBits(g), 0);
  T_EQ(xEventGroupSetBits(g, 0x5), 0x5);
  T_EQ(xEventGroupSetBits(g, 0x800000), 0x800005);
  T_EQ(xEventGroupClearBits(g, 0x800001), 0x800005); /* the value before clearing */
  T_EQ(xEventGroupGetBits(g), 0x4);
  /* Already set: wait returns at once, with or without clearing. */
  T_EQ(xEventGroupWaitBits(g, 0x4, pdFALSE, pdTRUE, 0), 0x4);
  T_EQ(xEventGroupWaitBits(g, 0x6, pdTRUE, pdFALSE, 0), 0x4);
  T_EQ(xEventGroupGetBits(g), 0);
  vEventGroupDelete(g);
}

static void set_clear_get(void) {
  t_run(body_set_clear, NULL, 2);
}

static void all_waiter(void* p) {
  (void)p;
  t_log_n("all", (long)xEventGroupWaitBits(g_eg, 0x3, pdTRUE, pdTRUE, portMAX_DELAY));
}

static void any_waiter(void* p) {
  (void)p;
  t_log_n("any", (long)xEventGroupWaitBits(g_eg, 0x3, pdFALSE, pdFALSE, portMAX_DELAY));
}

static void body_wait(void* p) {
  (void)p;
  g_eg = xEventGroupCreate();
  T_EQ(xTaskCreate(all_waiter, "all", T_STACK, NULL, 3, NULL), pdPASS);
  T_EQ(xTaskCreate(any_waiter, "any", T_STACK, NULL, 3, NULL), pdPASS);
  vTaskDelay(1);
  t_log("set1");
  T_EQ(xEventGroupSetBits(g_eg, 0x1), 0x1); /* wakes "any" only */
  t_log("set2");
  /* wakes "all", which clears 0x3 on exit; the value returned is after that */
  T_EQ(xEventGroupSetBits(g_eg, 0x6), 0x4);
  vEventGroupDelete(g_eg);
}

static void wait_any_all_clear(void) {
  t_run(body_wait, NULL, 2);
  T_LOG_IS("set1 any=1 set2 all=7");
}

static void body_timeout(void* p) {
  (void)p;
  EventGroupHandle_t g = xEventGroupCreate();
  (void)xEventGroupSetBits(g, 0x10);
  TickType_t start = xTaskGetTickCount();
  T_EQ(xEventGroupWaitBits(g, 0x11, pdTRUE, pdTRUE, 10), 0x10); /* the value at the timeout */
  T_EQ(xTaskGetTickCount() - start, 10);
  T_EQ(xEventGroupGetBits(g), 0x10); /* not cleared: the condition was not met */
  start = xTaskGetTickCount();
  T_EQ(xEventGroupSync(g, 0x1, 0x3, 4), 0x11);
  T_EQ(xTaskGetTickCount() - start, 4);
  vEventGroupDelete(g);
}

static void wait_and_sync_time_out(void) {
  t_run(body_timeout, NULL, 2);
}

static void sync_party(void* p) {
  EventBits_t mine = (EventBits_t)(uintptr_t)p;
  t_log_n("sync", (long)xEventGroupSync(g_eg, mine, 0x7, portMAX_DELAY));
}

static void body_sync(void* p) {
  (void)p;
  g_eg = xEventGroupCreate();
  T_EQ(xTaskCreate(sync_party, "a", T_STACK, (void*)1, 3, NULL), pdPASS);
  T_EQ(xTaskCreate(sync_party, "b", T_STACK, (void*)2, 3, NULL), pdPASS);
  vTaskDelay(1);
  T_EQ(xEventGroupGetBits(g_eg), 0x3);
  t_log("last");
  T_EQ(xEventGroupSync(g_eg, 0x4, 0x7, portMAX_DELAY), 0x7);
  T_EQ(xEventGroupGetBits(g_eg), 0);
  vTaskDelay(1);
  vEventGroupDelete(g_eg);
}

static void sync_rendezvous(void) {
  t_run(body_sync, NULL, 2);
  T_LOG_IS("last sync=7 sync=7");
}

static BaseType_t g_woken;

static void isr_set(void* p) {
  (void)p;
  g_woken = pdFALSE;
  T_EQ(xEventGroupSetBitsFromISR(g_eg, 0x20, &g_woken), pdPASS);
  T_EQ(xEventGroupGetBitsFromISR(g_eg), 0x20);
}

static void isr_clear(void* p) {
  (void)p;
  T_EQ(xEventGroupClearBitsFromISR(g_eg, 0x20), pdPASS);
}

static void isr_waiter(void* p) {
  (void)p;
  t_log_n("woke", (long)xEventGroupWaitBits(g_eg, 0x20, pdFALSE, pdFALSE, portMAX_DELAY));
}

static void body_isr(void* p) {
  (void)p;
  g_eg = xEventGroupCreate();
  T_EQ(xTaskCreate(isr_waiter, "waiter", T_STACK, NULL, 3, NULL), pdPASS);
  vTaskDelay(1);
  t_platform_isr(isr_set, NULL);
  t_log("back");
  T_EQ(g_woken, pdTRUE);
  t_platform_isr(isr_clear, NULL);
  T_EQ(xEventGroupGetBits(g_eg), 0);
  vEventGroupDelete(g_eg);
}

static void from_isr(void) {
  t_run(body_isr, NULL, 2);
  T_LOG_IS("woke=32 back");
}

static StaticEventGroup_t g_static_group;

static void forever_waiter(void* p) {
  (void)p;
  t_log_n("deleted", (long)xEventGroupWaitBits(g_eg, 0x1, pdFALSE, pdFALSE, portMAX_DELAY));
}

static void body_static(void* p) {
  (void)p;
  g_eg = xEventGroupCreateStatic(&g_static_group);
  T_CHECK(g_eg != NULL);
  (void)xEventGroupSetBits(g_eg, 0x2);
  T_EQ(xTaskCreate(forever_waiter, "waiter", T_STACK, NULL, 3, NULL), pdPASS);
  vTaskDelay(1);
  vEventGroupDelete(g_eg); /* the waiter returns */
  t_log("after");
}

static void static_and_delete(void) {
  t_run(body_static, NULL, 2);
  T_LOG_IS("deleted=2 after");
}

static void body_misuse(void* p) {
  (void)p;
  EventGroupHandle_t g = xEventGroupCreate();
  T_EXPECT_ASSERT("xEventGroupSetBits: bits include the top 8 (reserved) bits",
                  T_EQ(xEventGroupSetBits(g, 0x01000000), 0));
  T_EXPECT_ASSERT("xEventGroupWaitBits: no bits to wait for",
                  T_EQ(xEventGroupWaitBits(g, 0, pdFALSE, pdFALSE, 0), 0));
  T_EXPECT_ASSERT("xEventGroupSetBits: NULL event group handle",
                  T_EQ(xEventGroupSetBits(NULL, 1), 0));
  vEventGroupDelete(g);
}

static void misuse(void) {
  t_run(body_misuse, NULL, 2);
}

const t_case t_event_cases[] = {
    {"Event.SetClearGet", set_clear_get, 0},
    {"Event.WaitAnyAllClear", wait_any_all_clear, T_TIMED},
    {"Event.WaitAndSyncTimeOut", wait_and_sync_time_out, T_TIMED},
    {"Event.SyncRendezvous", sync_rendezvous, T_TIMED},
    {"Event.FromISR", from_isr, 0},
    {"Event.StaticAndDelete", static_and_delete, 0},
    {"Event.Misuse", misuse, 0},
    {NULL, NULL, 0},
};
