/* Conformance: stream buffers and message buffers. */
#include <string.h>

#include "harness.h"

static StreamBufferHandle_t g_sb;

static void body_stream(void* p) {
  (void)p;
  StreamBufferHandle_t sb = xStreamBufferCreate(16, 1);
  T_CHECK(sb != NULL);
  T_EQ(xStreamBufferIsEmpty(sb), pdTRUE);
  T_EQ(xStreamBufferSend(sb, "0123456789", 10, 0), 10);
  T_EQ(xStreamBufferBytesAvailable(sb), 10);
  T_EQ(xStreamBufferSpacesAvailable(sb), 6);
  T_EQ(xStreamBufferSend(sb, "abcdefghij", 10, 0), 6); /* as much as fits */
  T_EQ(xStreamBufferIsFull(sb), pdTRUE);
  char buf[20] = {0};
  T_EQ(xStreamBufferReceive(sb, buf, 4, 0), 4);
  T_EQ(memcmp(buf, "0123", 4), 0);
  T_EQ(xStreamBufferReceive(sb, buf, sizeof buf, 0), 12);
  T_EQ(memcmp(buf, "456789abcdef", 12), 0);
  T_EQ(xStreamBufferNextMessageLengthBytes(sb), 0); /* no messages in a stream */
  T_EQ(xStreamBufferSend(sb, "xy", 2, 0), 2);
  T_EQ(xStreamBufferReset(sb), pdPASS);
  T_EQ(xStreamBufferIsEmpty(sb), pdTRUE);
  T_EQ(xStreamBufferSetTriggerLevel(sb, 17), pdFALSE);
  T_EQ(xStreamBufferSetTriggerLevel(sb, 16), pdTRUE);
  vStreamBufferDelete(sb);
}

static void stream_send_receive(void) {
  t_run(body_stream, NULL, 2);
}

static void trigger_reader(void* p) {
  (void)p;
  char buf[8];
  t_log_n("got", (long)xStreamBufferReceive(g_sb, buf, sizeof buf, portMAX_DELAY));
}

static void body_trigger(void* p) {
  (void)p;
  g_sb = xStreamBufferCreate(32, 4);
  char buf[8];
  TickType_t start = xTaskGetTickCount();
  T_EQ(xStreamBufferReceive(g_sb, buf, sizeof buf, 10), 0);
  T_EQ(xTaskGetTickCount() - start, 10);
  T_EQ(xTaskCreate(trigger_reader, "reader", T_STACK, NULL, 3, NULL), pdPASS);
  vTaskDelay(1);
  t_log("two");
  T_EQ(xStreamBufferSend(g_sb, "ab", 2, 0), 2); /* below the trigger level */
  t_log("four");
  T_EQ(xStreamBufferSend(g_sb, "cd", 2, 0), 2); /* reaches it: the reader runs */
  /* A full buffer: a send times out with nothing written. */
  for (int i = 0; i < 4; ++i) T_EQ(xStreamBufferSend(g_sb, "01234567", 8, 0), 8);
  start = xTaskGetTickCount();
  T_EQ(xStreamBufferSend(g_sb, "z", 1, 7), 0);
  T_EQ(xTaskGetTickCount() - start, 7);
  vStreamBufferDelete(g_sb);
}

static void stream_trigger_level_and_timeouts(void) {
  t_run(body_trigger, NULL, 2);
  T_LOG_IS("two four got=4");
}

static BaseType_t g_woken;
static size_t g_isr_n;
static char g_isr_buf[16];

static void isr_send(void* p) {
  g_woken = pdFALSE;
  g_isr_n = xStreamBufferSendFromISR(g_sb, (const char*)p, strlen((const char*)p), &g_woken);
}

static void isr_receive(void* p) {
  (void)p;
  g_woken = pdFALSE;
  g_isr_n = xStreamBufferReceiveFromISR(g_sb, g_isr_buf, sizeof g_isr_buf, &g_woken);
}

static void isr_reader(void* p) {
  (void)p;
  char buf[8];
  t_log_n("read", (long)xStreamBufferReceive(g_sb, buf, sizeof buf, portMAX_DELAY));
}

static StaticStreamBuffer_t g_static_sb;
static uint8_t g_sb_storage[16];

static void body_stream_isr(void* p) {
  (void)p;
  g_sb = xStreamBufferCreateStatic(sizeof g_sb_storage, 1, g_sb_storage, &g_static_sb);
  T_CHECK(g_sb != NULL);
  T_EQ(xTaskCreate(isr_reader, "reader", T_STACK, NULL, 3, NULL), pdPASS);
  vTaskDelay(1);
  t_platform_isr(isr_send, "abc");
  t_log("back");
  T_EQ(g_isr_n, 3);
  T_EQ(g_woken, pdTRUE);
  t_platform_isr(isr_send, "hello");
  T_EQ(g_woken, pdFALSE); /* nobody waiting */
  t_platform_isr(isr_receive, NULL);
  T_EQ(g_isr_n, 5);
  T_EQ(memcmp(g_isr_buf, "hello", 5), 0);
  vStreamBufferDelete(g_sb);
}

static void stream_from_isr_and_static(void) {
  t_run(body_stream_isr, NULL, 2);
  T_LOG_IS("read=3 back");
}

static void body_message(void* p) {
  (void)p;
  MessageBufferHandle_t mb = xMessageBufferCreate(64);
  T_CHECK(mb != NULL);
  T_EQ(xMessageBufferIsEmpty(mb), pdTRUE);
  T_EQ(xMessageBufferSend(mb, "hello", 5, 0), 5);
  T_EQ(xMessageBufferSend(mb, "hi", 2, 0), 2);
  T_EQ(xMessageBufferNextLengthBytes(mb), 5);
  T_EQ(xStreamBufferNextMessageLengthBytes(mb), 5);
  T_EQ(xMessageBufferSpacesAvailable(mb), 64 - (5 + sizeof(size_t)) - (2 + sizeof(size_t)));
  T_EQ(xMessageBufferSpaceAvailable(mb), xMessageBufferSpacesAvailable(mb));
  char buf[16] = {0};
  T_EQ(xMessageBufferReceive(mb, buf, 3, 0), 0); /* too small: the message stays */
  T_EQ(xMessageBufferNextLengthBytes(mb), 5);
  T_EQ(xMessageBufferReceive(mb, buf, sizeof buf, 0), 5);
  T_EQ(memcmp(buf, "hello", 5), 0);
  T_EQ(xMessageBufferReceive(mb, buf, sizeof buf, 0), 2);
  T_EQ(memcmp(buf, "hi", 2), 0);
  T_EQ(xMessageBufferSend(mb, buf, 100, 0), 0); /* can never fit */
  /* Fill it: whole messages only, then a send times out. */
  while (xMessageBufferSend(mb, "0123456789", 10, 0) == 10) {
  }
  T_EQ(xMessageBufferIsFull(mb), pdFALSE); /* a 1-byte message still fits */
  TickType_t start = xTaskGetTickCount();
  T_EQ(xMessageBufferSend(mb, "0123456789", 10, 6), 0);
  T_EQ(xTaskGetTickCount() - start, 6);
  T_EQ(xMessageBufferReset(mb), pdPASS);
  T_EQ(xMessageBufferIsEmpty(mb), pdTRUE);
  start = xTaskGetTickCount();
  T_EQ(xMessageBufferReceive(mb, buf, sizeof buf, 4), 0);
  T_EQ(xTaskGetTickCount() - start, 4);
  vMessageBufferDelete(mb);
}

static void message_send_receive(void) {
  t_run(body_message, NULL, 2);
}

static MessageBufferHandle_t g_mb;
static StaticMessageBuffer_t g_static_mb;
static uint8_t g_mb_storage[40];

static void message_reader(void* p) {
  (void)p;
  char buf[16] = {0};
  size_t n = xMessageBufferReceive(g_mb, buf, sizeof buf, portMAX_DELAY);
  t_log_n(buf, (long)n);
}

static void isr_message(void* p) {
  g_woken = pdFALSE;
  g_isr_n = xMessageBufferSendFromISR(g_mb, (const char*)p, strlen((const char*)p), &g_woken);
}

static void isr_message_receive(void* p) {
  (void)p;
  g_woken = pdFALSE;
  memset(g_isr_buf, 0, sizeof g_isr_buf);
  g_isr_n = xMessageBufferReceiveFromISR(g_mb, g_isr_buf, sizeof g_isr_buf, &g_woken);
}

static void body_message_isr(void* p) {
  (void)p;
  g_mb = xMessageBufferCreateStatic(sizeof g_mb_storage, g_mb_storage, &g_static_mb);
  T_CHECK(g_mb != NULL);
  T_EQ(xTaskCreate(message_reader, "reader", T_STACK, NULL, 3, NULL), pdPASS);
  vTaskDelay(1);
  t_platform_isr(isr_message, "ping");
  t_log("back");
  T_EQ(g_isr_n, 4);
  T_EQ(g_woken, pdTRUE);
  t_platform_isr(isr_message, "pong");
  t_platform_isr(isr_message_receive, NULL);
  T_EQ(g_isr_n, 4);
  T_EQ(strcmp(g_isr_buf, "pong"), 0);
  vMessageBufferDelete(g_mb);
}

static void message_from_isr_and_static(void) {
  t_run(body_message_isr, NULL, 2);
  T_LOG_IS("ping=4 back");
}

static void body_misuse(void* p) {
  (void)p;
  StreamBufferHandle_t sb = xStreamBufferCreate(8, 1);
  T_EXPECT_ASSERT("xMessageBufferSend: the handle is a stream buffer, not a message buffer",
                  T_EQ(xMessageBufferSend(sb, "x", 1, 0), 0));
  T_EXPECT_ASSERT("xStreamBufferCreate: trigger level above the buffer size",
                  T_CHECK(xStreamBufferCreate(8, 9) == NULL));
  T_EXPECT_ASSERT("xStreamBufferSend: NULL buffer handle",
                  T_EQ(xStreamBufferSend(NULL, "x", 1, 0), 0));
  vStreamBufferDelete(sb);
}

static void misuse(void) {
  t_run(body_misuse, NULL, 2);
}

const t_case t_stream_cases[] = {
    {"Stream.SendReceive", stream_send_receive, T_TIMED},
    {"Stream.TriggerLevelAndTimeouts", stream_trigger_level_and_timeouts, T_TIMED},
    {"Stream.FromISRAndStatic", stream_from_isr_and_static, T_TIMED},
    {"Message.SendReceive", message_send_receive, T_TIMED},
    {"Message.FromISRAndStatic", message_from_isr_and_static, 0},
    {"Stream.Misuse", misuse, 0},
    {NULL, NULL, 0},
};
