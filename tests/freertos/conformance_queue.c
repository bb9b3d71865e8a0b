/* Conformance: queues. */
#include <stdint.h>
#include <string.h>

#include "harness.h"

static void body_fifo(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreate(3, sizeof(uint32_t));
  T_CHECK(q != NULL);
  uint32_t v = 1;
  T_EQ(xQueueSend(q, &v, 0), pdPASS);
  v = 2;
  T_EQ(xQueueSendToBack(q, &v, 0), pdPASS);
  v = 0;
  T_EQ(xQueueSendToFront(q, &v, 0), pdPASS);
  T_EQ(uxQueueMessagesWaiting(q), 3);
  T_EQ(uxQueueSpacesAvailable(q), 0);
  v = 9;
  T_EQ(xQueueSend(q, &v, 0), errQUEUE_FULL);
  uint32_t out = 99;
  T_EQ(xQueuePeek(q, &out, 0), pdPASS);
  T_EQ(out, 0);
  for (uint32_t want = 0; want < 3; ++want) {
    T_EQ(xQueueReceive(q, &out, 0), pdPASS);
    T_EQ(out, want);
  }
  T_EQ(xQueueReceive(q, &out, 0), errQUEUE_EMPTY);
  T_EQ(uxQueueSpacesAvailable(q), 3);
  vQueueDelete(q);
}

static void fifo_front_back_peek(void) {
  t_run(body_fifo, NULL, 2);
}

static void body_timeouts(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreate(1, sizeof(int));
  int v = 5;
  TickType_t start = xTaskGetTickCount();
  T_EQ(xQueueReceive(q, &v, 10), errQUEUE_EMPTY);
  T_EQ(xTaskGetTickCount() - start, 10);
  T_EQ(xQueueSend(q, &v, 0), pdPASS);
  start = xTaskGetTickCount();
  T_EQ(xQueueSend(q, &v, 7), errQUEUE_FULL);
  T_EQ(xTaskGetTickCount() - start, 7);
  vQueueDelete(q);
}

static void send_receive_time_out(void) {
  t_run(body_timeouts, NULL, 2);
}

static QueueHandle_t g_q;

static void consumer(void* p) {
  (void)p;
  int v;
  for (int i = 0; i < 3; ++i) {
    T_EQ(xQueueReceive(g_q, &v, portMAX_DELAY), pdPASS);
    t_log_n("got", v);
  }
}

static void body_blocking(void* p) {
  (void)p;
  g_q = xQueueCreate(2, sizeof(int));
  T_EQ(xTaskCreate(consumer, "consumer", T_STACK, NULL, 3, NULL), pdPASS);
  for (int i = 1; i <= 3; ++i) {
    t_log_n("send", i);
    T_EQ(xQueueSend(g_q, &i, portMAX_DELAY), pdPASS); /* the consumer runs at once */
  }
  vQueueDelete(g_q);
}

static void blocked_receiver_wakes(void) {
  t_run(body_blocking, NULL, 2);
  T_LOG_IS("send=1 got=1 send=2 got=2 send=3 got=3");
}

static void producer(void* p) {
  (void)p;
  for (int i = 1; i <= 4; ++i) {
    T_EQ(xQueueSend(g_q, &i, portMAX_DELAY), pdPASS);
    t_log_n("sent", i);
  }
}

static void body_full(void* p) {
  (void)p;
  g_q = xQueueCreate(2, sizeof(int));
  T_EQ(xTaskCreate(producer, "producer", T_STACK, NULL, 3, NULL), pdPASS);
  /* The producer filled the queue and waits for space. */
  int v = 0;
  T_EQ(xQueueReceive(g_q, &v, 0), pdPASS);
  t_log_n("recv", v);
  vTaskDelay(1);
  while (xQueueReceive(g_q, &v, 0) == pdPASS) t_log_n("recv", v);
  vQueueDelete(g_q);
}

static void blocked_sender_wakes(void) {
  t_run(body_full, NULL, 2);
  T_LOG_IS("sent=1 sent=2 sent=3 recv=1 sent=4 recv=2 recv=3 recv=4");
}

static void body_overwrite(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreate(1, sizeof(int));
  int v = 1, out = 0;
  T_EQ(xQueueOverwrite(q, &v), pdPASS);
  v = 2;
  T_EQ(xQueueOverwrite(q, &v), pdPASS);
  T_EQ(uxQueueMessagesWaiting(q), 1);
  T_EQ(xQueuePeek(q, &out, 0), pdPASS);
  T_EQ(out, 2);
  QueueHandle_t longer = xQueueCreate(2, sizeof(int));
  T_EXPECT_ASSERT("xQueueOverwrite: overwrite needs a queue of length 1",
                  T_EQ(xQueueOverwrite(longer, &v), pdFAIL));
  vQueueDelete(q);
  vQueueDelete(longer);
}

static void overwrite_mailbox(void) {
  t_run(body_overwrite, NULL, 2);
}

static void body_reset(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreate(4, sizeof(char));
  char c = 'x';
  for (int i = 0; i < 4; ++i) T_EQ(xQueueSend(q, &c, 0), pdPASS);
  T_EQ(xQueueReset(q), pdPASS);
  T_EQ(uxQueueMessagesWaiting(q), 0);
  T_EQ(uxQueueSpacesAvailable(q), 4);
  vQueueDelete(q);
}

static void reset_empties(void) {
  t_run(body_reset, NULL, 2);
}

typedef struct {
  uint16_t id;
  char text[10];
} message_t;

static StaticQueue_t g_queue_buffer;
static uint8_t g_queue_storage[4 * sizeof(message_t)];

static void body_static(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreateStatic(4, sizeof(message_t), g_queue_storage, &g_queue_buffer);
  T_CHECK(q == (QueueHandle_t)&g_queue_buffer);
  message_t m = {7, "seven"};
  T_EQ(xQueueSend(q, &m, 0), pdPASS);
  memset(&m, 0, sizeof m);
  T_EQ(xQueueReceive(q, &m, 0), pdPASS);
  T_EQ(m.id, 7);
  T_EQ(strcmp(m.text, "seven"), 0);
  vQueueDelete(q);
  T_EXPECT_ASSERT("xQueueSend: invalid or deleted handle", xQueueSend(q, &m, 0));
}

static void create_static(void) {
  t_run(body_static, NULL, 2);
}

/* ---- interrupts ---- */

static volatile BaseType_t g_woken;
static volatile BaseType_t g_result;

static void isr_send(void* p) {
  BaseType_t woken = pdFALSE;
  int v = *(int*)p;
  g_result = xQueueSendFromISR(g_q, &v, &woken);
  g_woken = woken;
  portYIELD_FROM_ISR(woken);
}

static void isr_receive(void* p) {
  BaseType_t woken = pdFALSE;
  g_result = xQueueReceiveFromISR(g_q, p, &woken);
  g_woken = woken;
  portEND_SWITCHING_ISR(woken);
}

static void isr_fill(void* p) {
  (void)p;
  int v = 3;
  T_EQ(xQueueSendToFrontFromISR(g_q, &v, NULL), pdPASS);
  v = 4;
  T_EQ(xQueueSendToBackFromISR(g_q, &v, NULL), pdPASS);
  T_EQ(xQueueIsQueueFullFromISR(g_q), pdTRUE);
  T_EQ(xQueueSendFromISR(g_q, &v, NULL), errQUEUE_FULL);
  T_EQ(uxQueueMessagesWaitingFromISR(g_q), 2);
  int out = 0;
  T_EQ(xQueuePeekFromISR(g_q, &out), pdPASS);
  T_EQ(out, 3);
  T_EXPECT_ASSERT("xQueueReceive: blocking call from interrupt context (use the FromISR variant)",
                  T_EQ(xQueueReceive(g_q, &out, 10), errQUEUE_EMPTY));
  T_EXPECT_ASSERT("xQueueOverwriteFromISR: overwrite needs a queue of length 1",
                  T_EQ(xQueueOverwriteFromISR(g_q, &out, NULL), pdFAIL));
}

static void waits_for_item(void* p) {
  (void)p;
  int v = 0;
  T_EQ(xQueueReceive(g_q, &v, portMAX_DELAY), pdPASS);
  t_log_n("task got", v);
}

static void body_isr(void* p) {
  (void)p;
  g_q = xQueueCreate(2, sizeof(int));
  T_EQ(xTaskCreate(waits_for_item, "waiter", T_STACK, NULL, 3, NULL), pdPASS);
  int v = 11;
  t_platform_isr(isr_send, &v);
  t_log("after isr");
  T_EQ(g_result, pdPASS);
  T_EQ(g_woken, pdTRUE); /* the waiter outranks the interrupted task */
  /* Nobody waits now: no switch is due. */
  v = 12;
  t_platform_isr(isr_send, &v);
  T_EQ(g_woken, pdFALSE);
  T_EQ(uxQueueMessagesWaiting(g_q), 1);
  int out = 0;
  t_platform_isr(isr_receive, &out);
  T_EQ(g_result, pdPASS);
  T_EQ(out, 12);
  t_platform_isr(isr_receive, &out);
  T_EQ(g_result, errQUEUE_EMPTY);
  t_platform_isr(isr_fill, NULL);
  vQueueDelete(g_q);
}

static void from_isr(void) {
  t_run(body_isr, NULL, 2);
  T_LOG_IS("task got=11 after isr");
}

/* ---- misuse, memory ---- */

static void body_misuse(void* p) {
  (void)p;
  int v = 0;
  T_EXPECT_ASSERT("xQueueSend: NULL queue handle", T_EQ(xQueueSend(NULL, &v, 0), pdFAIL));
  T_EXPECT_ASSERT("xQueueReceive: NULL queue handle", T_EQ(xQueueReceive(NULL, &v, 0), pdFAIL));
  T_EXPECT_ASSERT("uxQueueMessagesWaiting: NULL queue handle", uxQueueMessagesWaiting(NULL));
  T_EXPECT_ASSERT("xQueueCreate: queue length 0", T_CHECK(xQueueCreate(0, 4) == NULL));
  SemaphoreHandle_t s = xSemaphoreCreateBinary();
  T_EXPECT_ASSERT("xQueueSend: the handle is a semaphore or mutex, not a queue",
                  xQueueSend(s, &v, 0));
  vSemaphoreDelete(s);
  /* More than the heap can hold: NULL and the malloc-failed hook. */
  T_CHECK(xQueueCreate((UBaseType_t)1 << 22, 256) == NULL);
  T_EQ(t_malloc_failed_calls, 1);
  T_CHECK(pvPortMalloc(SIZE_MAX / 4) == NULL);
  T_EQ(t_malloc_failed_calls, 2);
  void* mem = pvPortMalloc(64);
  T_CHECK(mem != NULL);
  vPortFree(mem);
  T_CHECK(xPortGetFreeHeapSize() >= xPortGetMinimumEverFreeHeapSize());
}

static void misuse_and_memory(void) {
  t_run(body_misuse, NULL, 2);
}

static void body_zero_size(void* p) {
  (void)p;
  QueueHandle_t q = xQueueCreate(2, 0); /* counts events */
  T_EQ(xQueueSend(q, NULL, 0), pdPASS);
  T_EQ(xQueueSend(q, NULL, 0), pdPASS);
  T_EQ(xQueueSend(q, NULL, 0), errQUEUE_FULL);
  T_EQ(xQueueReceive(q, NULL, 0), pdPASS);
  T_EQ(uxQueueMessagesWaiting(q), 1);
  vQueueDelete(q);
}

static void zero_size_items(void) {
  t_run(body_zero_size, NULL, 2);
}

/* ---- the queue registry (configQUEUE_REGISTRY_SIZE 2) ---- */

static int name_is(const char* got, const char* want) {
  return got != NULL && strcmp(got, want) == 0;
}

static void body_registry(void* p) {
  (void)p;
  QueueHandle_t a = xQueueCreate(1, 4), b = xQueueCreate(1, 4);
  SemaphoreHandle_t s = xSemaphoreCreateBinary();
  T_CHECK(a != NULL && b != NULL && s != NULL);
  T_CHECK(pcQueueGetName(a) == NULL);
  vQueueAddToRegistry(a, "alpha");
  vQueueAddToRegistry(s, "sem");
  T_CHECK(name_is(pcQueueGetName(a), "alpha"));
  T_CHECK(name_is(pcQueueGetName(s), "sem"));
  /* Full: b is not added. A NULL name adds nothing either. */
  vQueueAddToRegistry(b, "beta");
  T_CHECK(pcQueueGetName(b) == NULL);
  /* Added again: renamed, still one entry. */
  vQueueAddToRegistry(a, "alpha2");
  T_CHECK(name_is(pcQueueGetName(a), "alpha2"));
  vQueueUnregisterQueue(a);
  T_CHECK(pcQueueGetName(a) == NULL);
  vQueueAddToRegistry(b, NULL);
  T_CHECK(pcQueueGetName(b) == NULL);
  vQueueAddToRegistry(b, "beta"); /* the freed entry */
  T_CHECK(name_is(pcQueueGetName(b), "beta"));
  /* Deleting a queue takes it out: its entry is free for another. */
  vSemaphoreDelete(s);
  vQueueAddToRegistry(a, "alpha3");
  T_CHECK(name_is(pcQueueGetName(a), "alpha3"));
  T_EXPECT_ASSERT("vQueueAddToRegistry: NULL queue handle", vQueueAddToRegistry(NULL, "x"));
  T_EXPECT_ASSERT("pcQueueGetName: NULL queue handle", T_CHECK(pcQueueGetName(NULL) == NULL));
  vQueueDelete(a);
  vQueueDelete(b);
}

static void registry(void) {
  t_run(body_registry, NULL, 2);
}

/* ---- FreeRTOS's wake rule: a woken task tries again when it runs ---- */

static volatile BaseType_t g_result;
static volatile TickType_t g_waited;

static void late_sender(void* p) {
  (void)p;
  int v = 2;
  const TickType_t start = xTaskGetTickCount();
  const BaseType_t result = xQueueSend(g_q, &v, 20); /* the queue is full: blocks */
  /* g_result last: the body, woken by a tick at any point here, reads
   * g_waited once g_result is set. */
  g_waited = xTaskGetTickCount() - start;
  g_result = result;
  vTaskSuspend(NULL); /* its handle stays valid for eTaskGetState */
}

/* A receive from a full queue wakes the blocked sender; the higher-priority
 * receiver refills the queue before that sender runs, so the refill succeeds
 * and the sender, finding the queue full again, times out. */
static void body_refill_before_woken_sender(void* p) {
  (void)p;
  g_q = xQueueCreate(1, sizeof(int));
  int v = 1;
  T_EQ(xQueueSend(g_q, &v, 0), pdPASS);
  g_result = 99;
  TaskHandle_t sender = NULL;
  T_EQ(xTaskCreate(late_sender, "sender", T_STACK, NULL, 1, &sender), pdPASS);
  /* The sender runs and blocks on the full queue (waited for: in real time
   * a one-tick delay may end before it did, and the receive below would
   * then wake nobody). Not ready any more: blocked, or (only if a host stall
   * outlasted its timeout) done and suspended. */
  T_AWAIT(eTaskGetState(sender) != eReady);
  T_EQ(xQueueReceive(g_q, &v, 0), pdPASS);
  T_EQ(v, 1);
  T_EQ(uxQueueMessagesWaiting(g_q), 0); /* nothing handed over */
  v = 3;
  T_EQ(xQueueSend(g_q, &v, 0), pdPASS); /* the refill gets the room */
  T_AWAIT(g_result != 99);
  T_EQ(g_result, errQUEUE_FULL);
  T_TICKS_WITHIN(g_waited, 19, 21); /* its whole timeout, counted from its call */
  T_EQ(xQueueReceive(g_q, &v, 0), pdPASS);
  T_EQ(v, 3);
  vTaskDelete(sender);
  vQueueDelete(g_q);
}

static void refill_before_woken_sender(void) {
  t_run(body_refill_before_woken_sender, NULL, 2);
}

static volatile BaseType_t g_peeked[2];

static volatile TickType_t g_peek_ticks;

static void peeker(void* p) {
  int v = 0;
  g_peeked[(intptr_t)p] = xQueuePeek(g_q, &v, g_peek_ticks);
  vTaskSuspend(NULL); /* its handle stays valid for eTaskGetState */
}

/* A send wakes one peeker, not all: when a higher-priority task takes the
 * item before the peekers run, they find the queue empty and wait on. */
static void body_peekers_one_at_a_time(void* p) {
  (void)p;
  g_q = xQueueCreate(1, sizeof(int));
  g_peeked[0] = g_peeked[1] = 99;
  g_peek_ticks = 10;
  TaskHandle_t peek[2] = {NULL, NULL};
  T_EQ(xTaskCreate(peeker, "peek0", T_STACK, (void*)0, 3, &peek[0]), pdPASS);
  T_EQ(xTaskCreate(peeker, "peek1", T_STACK, (void*)1, 3, &peek[1]), pdPASS);
  /* Lower than this task: they run and wait on the empty queue once we
   * block. Waited for, not a fixed delay (whose tick may come before they
   * ran, in real time): until neither is ready, i.e. both wait (or, only
   * after a host stall longer than their timeout, are done). */
  T_AWAIT(eTaskGetState(peek[0]) != eReady && eTaskGetState(peek[1]) != eReady);
  int v = 7;
  T_EQ(xQueueSend(g_q, &v, 0), pdPASS);
  T_EQ(xQueueReceive(g_q, &v, 0), pdPASS); /* taken before they run */
  T_AWAIT(g_peeked[0] != 99 && g_peeked[1] != 99);
  T_EQ(g_peeked[0], errQUEUE_EMPTY);
  T_EQ(g_peeked[1], errQUEUE_EMPTY);
  vTaskDelete(peek[0]);
  vTaskDelete(peek[1]);
  /* Left in the queue, the item reaches every peeker, one after another
   * (a long wait: they must not time out first, whatever the host does). */
  g_peeked[0] = g_peeked[1] = 99;
  g_peek_ticks = 5000;
  T_EQ(xTaskCreate(peeker, "peek0", T_STACK, (void*)0, 3, &peek[0]), pdPASS);
  T_EQ(xTaskCreate(peeker, "peek1", T_STACK, (void*)1, 3, &peek[1]), pdPASS);
  T_AWAIT(eTaskGetState(peek[0]) == eBlocked && eTaskGetState(peek[1]) == eBlocked);
  T_EQ(xQueueSend(g_q, &v, 0), pdPASS);
  T_AWAIT(g_peeked[0] != 99 && g_peeked[1] != 99);
  T_EQ(g_peeked[0], pdPASS);
  T_EQ(g_peeked[1], pdPASS);
  T_EQ(uxQueueMessagesWaiting(g_q), 1);
  vTaskDelete(peek[0]);
  vTaskDelete(peek[1]);
  vQueueDelete(g_q);
}

static void peekers_one_at_a_time(void) {
  t_run(body_peekers_one_at_a_time, NULL, 4);
}

static void two_sends_from_isr(void* p) {
  (void)p;
  BaseType_t woken = pdFALSE;
  int v = 1;
  T_EQ(xQueueSendFromISR(g_q, &v, &woken), pdPASS);
  v = 2;
  T_EQ(xQueueSendFromISR(g_q, &v, &woken), errQUEUE_FULL); /* the first is still queued */
  T_EQ(woken, pdTRUE);
}

static void isr_receiver(void* p) {
  (void)p;
  int v = 0;
  /* No timeout: the wait must not end before the interrupt, whatever the
   * host does. */
  g_result = xQueueReceive(g_q, &v, portMAX_DELAY);
  t_log_n("got", v);
}

/* From an interrupt, a length-1 queue with a receiver waiting takes one
 * item: the receiver only gets it when it runs. */
static void body_isr_sends_to_waiting_receiver(void* p) {
  (void)p;
  g_q = xQueueCreate(1, sizeof(int));
  T_EQ(xTaskCreate(isr_receiver, "receiver", T_STACK, NULL, 3, NULL), pdPASS);
  t_platform_isr(two_sends_from_isr, NULL);
  vTaskDelay(2);
  T_EQ(g_result, pdPASS);
  T_EQ(uxQueueMessagesWaiting(g_q), 0);
  vQueueDelete(g_q);
}

static void isr_sends_to_waiting_receiver(void) {
  t_run(body_isr_sends_to_waiting_receiver, NULL, 2);
  T_LOG_IS("got=1");
}

const t_case t_queue_cases[] = {
    {"Queue.FifoFrontBackPeek", fifo_front_back_peek, T_TIMED},
    {"Queue.SendReceiveTimeOut", send_receive_time_out, T_TIMED},
    {"Queue.BlockedReceiverWakes", blocked_receiver_wakes, 0},
    {"Queue.BlockedSenderWakes", blocked_sender_wakes, 0},
    {"Queue.OverwriteMailbox", overwrite_mailbox, 0},
    {"Queue.ResetEmpties", reset_empties, 0},
    {"Queue.CreateStatic", create_static, 0},
    {"Queue.FromISR", from_isr, 0},
    {"Queue.MisuseAndMemory", misuse_and_memory, 0},
    {"Queue.ZeroSizeItems", zero_size_items, 0},
    {"Queue.Registry", registry, 0},
    {"Queue.RefillBeforeWokenSender", refill_before_woken_sender, 0},
    {"Queue.PeekersOneAtATime", peekers_one_at_a_time, 0},
    {"Queue.IsrSendsToWaitingReceiver", isr_sends_to_waiting_receiver, 0},
    {NULL, NULL, 0},
};
