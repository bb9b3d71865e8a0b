// Petrel's FreeRTOS API built with configASSERT defined empty (the way
// FreeRTOS applications turn asserts off): the hot calls' misuse checks are
// compiled out, as FreeRTOS compiles its own asserts out. The case that
// shows it: a blocking take with the scheduler suspended is misuse, which
// the checked build reports and fails (the conformance suite covers that);
// here nothing is reported and the take of an available unit succeeds.
#include <FreeRTOS.h>
#include <gtest/gtest.h>
#include <queue.h>
#include <semphr.h>
#include <task.h>

#include "petrel/host.h"

namespace {

SemaphoreHandle_t g_sem;
QueueHandle_t g_queue;
BaseType_t g_take_result = -1;
BaseType_t g_receive_result = -1;
uint32_t g_item;

void suspended_caller(void*) {
  vTaskSuspendAll();
  g_take_result = xSemaphoreTake(g_sem, 10);
  g_receive_result = xQueueReceive(g_queue, &g_item, 10);
  (void)xTaskResumeAll();
  vTaskEndScheduler();
}

TEST(FreeRtosUnchecked, BlockingCallsWithTheSchedulerSuspendedAreNotChecked) {
  petrel::host::reset();
  g_sem = xSemaphoreCreateBinary();
  ASSERT_NE(g_sem, nullptr);
  ASSERT_EQ(xSemaphoreGive(g_sem), pdPASS);
  g_queue = xQueueCreate(1, sizeof(uint32_t));
  ASSERT_NE(g_queue, nullptr);
  const uint32_t item = 42;
  ASSERT_EQ(xQueueSend(g_queue, &item, 0), pdPASS);
  ASSERT_EQ(xTaskCreate(suspended_caller, "caller", configMINIMAL_STACK_SIZE, nullptr, 2, nullptr),
            pdPASS);
  vTaskStartScheduler();
  EXPECT_EQ(g_take_result, pdPASS);
  EXPECT_EQ(g_receive_result, pdPASS);
  EXPECT_EQ(g_item, 42u);
  const char* message = pcPetrelAssertMessage();
  EXPECT_TRUE(message == nullptr || message[0] == '\0') << message;
}

// The unchecked fast paths still do the work: a semaphore ping-pong and a
// queue hand the right values across.
SemaphoreHandle_t g_ping, g_pong;
uint32_t g_rounds;
void pinger(void*) {
  for (int i = 0; i < 100; ++i) {
    xSemaphoreGive(g_ping);
    xSemaphoreTake(g_pong, portMAX_DELAY);
    ++g_rounds;
  }
  vTaskEndScheduler();
}
void ponger(void*) {
  for (;;) {
    xSemaphoreTake(g_ping, portMAX_DELAY);
    xSemaphoreGive(g_pong);
  }
}

TEST(FreeRtosUnchecked, PingPongRuns) {
  petrel::host::reset();
  g_rounds = 0;
  g_ping = xSemaphoreCreateBinary();
  g_pong = xSemaphoreCreateBinary();
  ASSERT_EQ(xTaskCreate(pinger, "ping", configMINIMAL_STACK_SIZE, nullptr, 2, nullptr), pdPASS);
  ASSERT_EQ(xTaskCreate(ponger, "pong", configMINIMAL_STACK_SIZE, nullptr, 2, nullptr), pdPASS);
  vTaskStartScheduler();
  EXPECT_EQ(g_rounds, 100u);
}

}  // namespace
