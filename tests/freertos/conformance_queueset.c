/* Conformance: queue sets (configUSE_QUEUE_SETS), from FreeRTOS's
 * documentation of xQueueCreateSet, xQueueAddToSet, xQueueRemoveFromSet,
 * xQueueSelectFromSet and xQueueSelectFromSetFromISR. */
#include <stdint.h>

#include "harness.h"

/* Reads the member a select returned, as FreeRTOS's documentation asks:
 * with a zero timeout. Logs "q=<value>" for a queue, "s" for a semaphore. */
static void read_member(QueueSetMemberHandle_t m, QueueHandle_t q, SemaphoreHandle_t s) {
  if (m == NULL) {
    t_log("none");
  } else if (m == q) {
    uint32_t v = 0;
    T_EQ(xQueueReceive(q, &v, 0), pdPASS);
    t_log_n("q", (long)v);
  } else if (m == s) {
    T_EQ(xSemaphoreTake(s, 0), pdPASS);
    t_log("s");
  } else {
    t_log("other");
  }
}

static void body_posting_order(void* p) {
  (void)p;
  QueueHandle_t a = xQueueCreate(3, sizeof(uint32_t));
  QueueHandle_t b = xQueueCreate(2, sizeof(uint32_t));
  SemaphoreHandle_t s = xSemaphoreCreateBinary();
  QueueSetHandle_t set = xQueueCreateSet(3 + 2 + 1); /* the sum of the members' lengths */
  T_CHECK(a != NULL && b != NULL && s != NULL && set != NULL);
  T_EQ(xQueueAddToSet(a, set), pdPASS);
  T_EQ(xQueueAddToSet(b, set), pdPASS);
  T_EQ(xQueueAddToSet(s, set), pdPASS);
  T_CHECK(xQueueSelectFromSet(set, 0) == NULL);

  uint32_t v = 1;
  T_EQ(xQueueSend(b, &v, 0), pdPASS);
  T_EQ(xSemaphoreGive(s), pdPASS);
  v = 2;
  T_EQ(xQueueSendToBack(a, &v, 0), pdPASS);
  v = 3;
  T_EQ(xQueueSendToFront(a, &v, 0), pdPASS); /* first out of a, second event of a */
  v = 4;
  T_EQ(xQueueSend(b, &v, 0), pdPASS);
  T_EQ(uxQueueMessagesWaiting(set), 5);

  QueueSetMemberHandle_t order[5];
  for (int i = 0; i < 5; ++i) {
    order[i] = xQueueSelectFromSet(set, 0);
    uint32_t out = 0;
    if (order[i] == s) {
      T_EQ(xSemaphoreTake(s, 0), pdPASS);
    } else {
      T_EQ(xQueueReceive(order[i], &out, 0), pdPASS);
    }
    t_log_n(order[i] == a ? "a" : order[i] == b ? "b" : order[i] == s ? "s" : "?", (long)out);
  }
  T_LOG_IS("b=1 s=0 a=3 a=2 b=4");
  T_CHECK(xQueueSelectFromSet(set, 0) == NULL);
  T_EQ(uxQueueMessagesWaiting(set), 0);
  T_EQ(xQueueRemoveFromSet(a, set), pdPASS);
  T_EQ(xQueueRemoveFromSet(b, set), pdPASS);
  T_EQ(xQueueRemoveFromSet(s, set), pdPASS);
  vQueueDelete(set);
  vQueueDelete(a);
  vQueueDelete(b);
  vSemaphoreDelete(s);
}

static void select_in_posting_order(void) {
  t_run(body_posting_order, NULL, 2);
}

static void body_timeout(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreate(1, sizeof(uint32_t));
  QueueSetHandle_t set = xQueueCreateSet(1);
  T_EQ(xQueueAddToSet(q, set), pdPASS);
  TickType_t start = xTaskGetTickCount();
  T_CHECK(xQueueSelectFromSet(set, 10) == NULL);
  T_EQ(xTaskGetTickCount() - start, 10);
  vQueueDelete(set);
  vQueueDelete(q);
}

static void select_times_out(void) {
  t_run(body_timeout, NULL, 2);
}

/* xQueueAddToSet: pdFAIL for a member already in a set or not empty.
 * xQueueRemoveFromSet: pdFAIL for a member not in that set or not empty. */
static void body_membership(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreate(2, sizeof(uint32_t));
  SemaphoreHandle_t c = xSemaphoreCreateCounting(3, 1); /* not empty: count 1 */
  QueueSetHandle_t set = xQueueCreateSet(5);
  QueueSetHandle_t other = xQueueCreateSet(5);
  uint32_t v = 7;

  T_EQ(xQueueSend(q, &v, 0), pdPASS);
  T_EQ(xQueueAddToSet(q, set), pdFAIL);
  T_EQ(xQueueAddToSet(c, set), pdFAIL);
  T_EQ(xQueueReceive(q, &v, 0), pdPASS);
  T_EQ(xSemaphoreTake(c, 0), pdPASS);

  T_EQ(xQueueAddToSet(q, set), pdPASS);
  T_EQ(xQueueAddToSet(q, other), pdFAIL); /* already in a set */
  T_EQ(xQueueAddToSet(q, set), pdFAIL);
  T_EQ(xQueueRemoveFromSet(q, other), pdFAIL); /* not in that set */
  T_EQ(xQueueRemoveFromSet(c, set), pdFAIL);
  T_EQ(xQueueAddToSet(c, other), pdPASS);

  T_EQ(xQueueSend(q, &v, 0), pdPASS);
  T_EQ(xQueueRemoveFromSet(q, set), pdFAIL); /* not empty */
  T_EQ(xSemaphoreGive(c), pdPASS);
  T_EQ(xQueueRemoveFromSet(c, other), pdFAIL);
  T_CHECK(xQueueSelectFromSet(set, 0) == q);
  T_EQ(xQueueReceive(q, &v, 0), pdPASS);
  T_CHECK(xQueueSelectFromSet(other, 0) == c);
  T_EQ(xSemaphoreTake(c, 0), pdPASS);

  /* Empty again: they leave, and join the other set. */
  T_EQ(xQueueRemoveFromSet(q, set), pdPASS);
  T_EQ(xQueueRemoveFromSet(c, other), pdPASS);
  T_EQ(xQueueAddToSet(q, other), pdPASS);
  T_EQ(xQueueAddToSet(c, set), pdPASS);
  T_EQ(xQueueSend(q, &v, 0), pdPASS);
  T_EQ(xSemaphoreGive(c), pdPASS);
  T_CHECK(xQueueSelectFromSet(set, 0) == c);
  T_CHECK(xQueueSelectFromSet(other, 0) == q);
  T_EQ(xQueueReceive(q, &v, 0), pdPASS);
  T_EQ(xSemaphoreTake(c, 0), pdPASS);
  vQueueDelete(set);
  vQueueDelete(other);
  vQueueDelete(q);
  vSemaphoreDelete(c);
}

static void add_and_remove_rules(void) {
  t_run(body_membership, NULL, 2);
}

/* A counting semaphore is a member of length its maximum count: one event
 * per give. */
static void body_semaphore_member(void* p) {
  (void)p;
  SemaphoreHandle_t c = xSemaphoreCreateCounting(2, 0);
  QueueHandle_t q = xQueueCreate(1, sizeof(uint32_t));
  QueueSetHandle_t set = xQueueCreateSet(2 + 1);
  T_EQ(xQueueAddToSet(c, set), pdPASS);
  T_EQ(xQueueAddToSet(q, set), pdPASS);
  T_EQ(xSemaphoreGive(c), pdPASS);
  uint32_t v = 5;
  T_EQ(xQueueSend(q, &v, 0), pdPASS);
  T_EQ(xSemaphoreGive(c), pdPASS);
  T_EQ(xSemaphoreGive(c), pdFAIL); /* at its maximum: no event either */
  T_EQ(uxQueueMessagesWaiting(set), 3);
  for (int i = 0; i < 3; ++i) read_member(xQueueSelectFromSet(set, 0), q, c);
  read_member(xQueueSelectFromSet(set, 0), q, c);
  T_LOG_IS("s q=5 s none");
  T_EQ(uxSemaphoreGetCount(c), 0);
  vQueueDelete(set);
  vQueueDelete(q);
  vSemaphoreDelete(c);
}

static void semaphore_member(void) {
  t_run(body_semaphore_member, NULL, 2);
}

/* ---- a selector blocked on the set ---- */

static QueueSetHandle_t g_set;
static QueueHandle_t g_q;
static SemaphoreHandle_t g_s;

static void selector(void* p) {
  int rounds = (int)(intptr_t)p;
  for (int i = 0; i < rounds; ++i) read_member(xQueueSelectFromSet(g_set, portMAX_DELAY), g_q, g_s);
  t_log("selector done");
}

static void body_blocked_selector(void* p) {
  (void)p;
  g_q = xQueueCreate(2, sizeof(uint32_t));
  g_s = xSemaphoreCreateBinary();
  g_set = xQueueCreateSet(3);
  T_EQ(xQueueAddToSet(g_q, g_set), pdPASS);
  T_EQ(xQueueAddToSet(g_s, g_set), pdPASS);
  /* Outranks this task: runs at once and blocks on the set. */
  T_EQ(xTaskCreate(selector, "selector", T_STACK, (void*)(intptr_t)2, 3, NULL), pdPASS);
  uint32_t v = 21;
  t_log("send");
  T_EQ(xQueueSend(g_q, &v, 0), pdPASS); /* the selector preempts this task */
  t_log("give");
  T_EQ(xSemaphoreGive(g_s), pdPASS);
  t_log("back");
  vQueueDelete(g_set);
  vQueueDelete(g_q);
  vSemaphoreDelete(g_s);
}

static void blocked_selector_wakes(void) {
  t_run(body_blocked_selector, NULL, 2);
  T_LOG_IS("send q=21 give s selector done back");
}

/* ---- interrupts ---- */

static volatile BaseType_t g_isr_result;
static volatile BaseType_t g_isr_woken;

static void isr_send_and_give(void* p) {
  (void)p;
  BaseType_t woken = pdFALSE;
  uint32_t v = 31;
  g_isr_result = xQueueSendFromISR(g_q, &v, &woken);
  T_EQ(xSemaphoreGiveFromISR(g_s, &woken), pdPASS);
  g_isr_woken = woken;
  portYIELD_FROM_ISR(woken);
}

static QueueSetMemberHandle_t volatile g_isr_selected[3];

static void isr_select(void* p) {
  (void)p;
  for (int i = 0; i < 3; ++i) g_isr_selected[i] = xQueueSelectFromSetFromISR(g_set);
}

static void body_from_isr(void* p) {
  (void)p;
  g_q = xQueueCreate(2, sizeof(uint32_t));
  g_s = xSemaphoreCreateBinary();
  g_set = xQueueCreateSet(3);
  T_EQ(xQueueAddToSet(g_q, g_set), pdPASS);
  T_EQ(xQueueAddToSet(g_s, g_set), pdPASS);
  T_EQ(xTaskCreate(selector, "selector", T_STACK, (void*)(intptr_t)2, 3, NULL), pdPASS);
  g_isr_woken = pdFALSE;
  t_platform_isr(isr_send_and_give, NULL);
  t_log("after isr");
  T_EQ(g_isr_result, pdPASS);
  T_EQ(g_isr_woken, pdTRUE); /* the selector outranks the interrupted task */

  /* Nobody selecting: the events wait in the set, and an interrupt selects. */
  uint32_t v = 32;
  T_EQ(xQueueSend(g_q, &v, 0), pdPASS);
  T_EQ(xSemaphoreGive(g_s), pdPASS);
  t_platform_isr(isr_select, NULL);
  T_CHECK(g_isr_selected[0] == g_q);
  T_CHECK(g_isr_selected[1] == g_s);
  T_CHECK(g_isr_selected[2] == NULL);
  T_EQ(xQueueReceive(g_q, &v, 0), pdPASS);
  T_EQ(v, 32);
  T_EQ(xSemaphoreTake(g_s, 0), pdPASS);
  vQueueDelete(g_set);
  vQueueDelete(g_q);
  vSemaphoreDelete(g_s);
}

static void from_isr(void) {
  t_run(body_from_isr, NULL, 2);
  T_LOG_IS("q=31 s selector done after isr");
}

static void isr_overwrite(void* p) {
  uint32_t v = 3;
  g_isr_result = xQueueOverwriteFromISR((QueueHandle_t)p, &v, NULL);
}

/* xQueueOverwrite to a member that already holds its item replaces the
 * item and posts no second event. */
static void body_overwrite(void* p) {
  (void)p;
  QueueHandle_t box = xQueueCreate(1, sizeof(uint32_t));
  QueueSetHandle_t set = xQueueCreateSet(1);
  T_EQ(xQueueAddToSet(box, set), pdPASS);
  uint32_t v = 1;
  T_EQ(xQueueOverwrite(box, &v), pdPASS);
  T_EQ(uxQueueMessagesWaiting(set), 1);
  v = 2;
  T_EQ(xQueueOverwrite(box, &v), pdPASS);
  g_isr_result = pdFAIL;
  t_platform_isr(isr_overwrite, box);
  T_EQ(g_isr_result, pdPASS);
  T_EQ(uxQueueMessagesWaiting(set), 1);
  read_member(xQueueSelectFromSet(set, 0), box, NULL);
  read_member(xQueueSelectFromSet(set, 0), box, NULL);
  T_LOG_IS("q=3 none");
  vQueueDelete(set);
  vQueueDelete(box);
}

static void overwrite_posts_once(void) {
  t_run(body_overwrite, NULL, 2);
}

/* A set too short for its members: FreeRTOS asserts; Petrel reports the
 * send through configASSERT and fails it, storing nothing. */
static void body_misuse(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreate(2, sizeof(uint32_t));
  SemaphoreHandle_t s = xSemaphoreCreateBinary();
  SemaphoreHandle_t m = xSemaphoreCreateMutex();
  QueueSetHandle_t set = xQueueCreateSet(1);
  T_EQ(xQueueAddToSet(q, set), pdPASS);
  T_EQ(xQueueAddToSet(s, set), pdPASS);
  uint32_t v = 1;
  T_EQ(xQueueSend(q, &v, 0), pdPASS);
  T_EXPECT_ASSERT(
      "xQueueSend: its queue set is full (make the set's length the sum of its "
      "members' lengths)",
      T_EQ(xQueueSend(q, &v, 0), errQUEUE_FULL));
  T_EXPECT_ASSERT(
      "xSemaphoreGive: its queue set is full (make the set's length the sum of its "
      "members' lengths)",
      T_EQ(xSemaphoreGive(s), pdFAIL));
  T_EQ(uxQueueMessagesWaiting(q), 1);
  T_EQ(uxSemaphoreGetCount(s), 0);

  T_EXPECT_ASSERT("xQueueAddToSet: mutexes cannot be members of a queue set",
                  T_EQ(xQueueAddToSet(m, set), pdFAIL));
  T_EXPECT_ASSERT("xQueueAddToSet: a queue set cannot be a member of a queue set",
                  T_EQ(xQueueAddToSet(set, set), pdFAIL));
  T_EXPECT_ASSERT("xQueueSelectFromSet: the handle is not a queue set (xQueueCreateSet)",
                  T_CHECK(xQueueSelectFromSet(q, 0) == NULL));
  T_EXPECT_ASSERT("xQueueSelectFromSet: NULL queue set handle",
                  T_CHECK(xQueueSelectFromSet(NULL, 0) == NULL));
  T_EXPECT_ASSERT("xQueueReceive: the handle is a queue set (use xQueueSelectFromSet)",
                  T_EQ(xQueueReceive(set, &v, 0), errQUEUE_EMPTY));
  T_EXPECT_ASSERT("xQueueCreateSet: queue set length 0", T_CHECK(xQueueCreateSet(0) == NULL));
  vTaskSuspendAll();
  T_EXPECT_ASSERT(
      "xQueueSelectFromSet: blocking call with the scheduler suspended (vTaskSuspendAll)",
      T_CHECK(xQueueSelectFromSet(set, 10) == NULL));
  (void)xTaskResumeAll();

  /* Deleting a member takes it out of its set; deleting the set leaves the
   * others in no set. */
  vQueueDelete(q);
  T_EQ(uxQueueMessagesWaiting(set), 0);
  vQueueDelete(set);
  T_EQ(xSemaphoreGive(s), pdPASS);
  vSemaphoreDelete(s);
  vSemaphoreDelete(m);
}

static void misuse(void) {
  t_run(body_misuse, NULL, 2);
}

const t_case t_queueset_cases[] = {
    {"QueueSet.SelectInPostingOrder", select_in_posting_order, T_TIMED},
    {"QueueSet.SelectTimesOut", select_times_out, T_TIMED},
    {"QueueSet.AddAndRemoveRules", add_and_remove_rules, 0},
    {"QueueSet.SemaphoreMember", semaphore_member, 0},
    {"QueueSet.BlockedSelectorWakes", blocked_selector_wakes, 0},
    {"QueueSet.FromISR", from_isr, 0},
    {"QueueSet.OverwritePostsOnce", overwrite_posts_once, 0},
    {"QueueSet.Misuse", misuse, 0},
    {NULL, NULL, 0},
};
