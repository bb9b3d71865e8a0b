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

#include <cstring>

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

// Run-time statistics, on in this configuration: the host's counter runs at
// 1 MHz and moves only when told to, so every figure is exact.
configRUN_TIME_COUNTER_TYPE g_own, g_idle, g_own_percent, g_idle_percent, g_status_own,
    g_status_total, g_late_percent, g_late_idle_percent;
char g_table[512];

void runs_then_sleeps(void*) {
  petrel::host::advance(30'000);  // runs 30 ms
  vTaskDelay(70);                 // the idle task runs 70 ms
  g_own = ulTaskGetRunTimeCounter(nullptr);
  g_idle = ulTaskGetIdleRunTimeCounter();
  g_own_percent = ulTaskGetRunTimePercent(nullptr);
  g_idle_percent = ulTaskGetIdleRunTimePercent();
  TaskStatus_t status[4];
  const UBaseType_t n = uxTaskGetSystemState(status, 4, &g_status_total);
  for (UBaseType_t i = 0; i < n; ++i)
    if (status[i].xHandle == xTaskGetCurrentTaskHandle()) g_status_own = status[i].ulRunTimeCounter;
  // Past 2^32 microseconds (about 71.6 minutes), where a 32-bit counter
  // wraps: the total does, this task's time does not. The percentages come
  // from the kernel's 64-bit counts, so they stay right.
  petrel::host::advance(3'000'000'000);
  vTaskDelay(2'000'000);
  g_late_percent = ulTaskGetRunTimePercent(nullptr);
  g_late_idle_percent = ulTaskGetIdleRunTimePercent();
  vTaskGetRunTimeStatistics(g_table, sizeof g_table);
  vTaskEndScheduler();
}

TEST(FreeRtosUnchecked, RunTimeQueriesAgreeWithTaskStatus) {
  petrel::host::reset();
  ASSERT_EQ(xTaskCreate(runs_then_sleeps, "runner", configMINIMAL_STACK_SIZE, nullptr, 2, nullptr),
            pdPASS);
  vTaskStartScheduler();
  EXPECT_EQ(g_own, 30'000u);
  EXPECT_EQ(g_idle, 70'000u);
  EXPECT_EQ(g_status_own, g_own);
  EXPECT_EQ(g_status_total, 100'000u);
  EXPECT_EQ(g_own_percent, 30u);
  EXPECT_EQ(g_idle_percent, 70u);
  EXPECT_EQ(g_late_percent, 59u);       // (3e9 + 3e4) / (5e9 + 1e5), rounded down
  EXPECT_EQ(g_late_idle_percent, 40u);  // (2e9 + 7e4) / (5e9 + 1e5)
  // The table's shares too: name, microseconds, share.
  EXPECT_NE(std::strstr(g_table, "runner         \t3000030000\t\t59%\r\n"), nullptr) << g_table;
  EXPECT_NE(std::strstr(g_table, "\t2000070000\t\t40%\r\n"), nullptr) << g_table;
}

// The idle task's storage pointer starts NULL in every scheduler run, even
// when the run before set it (the host resets the kernel between runs; the
// FreeRTOS layer keeps the idle task's storage itself).
int g_marker;
void *g_idle_first, *g_idle_second;

void marks_idle(void*) {
  g_idle_first = pvTaskGetThreadLocalStoragePointer(xTaskGetIdleTaskHandle(), 0);
  vTaskSetThreadLocalStoragePointer(xTaskGetIdleTaskHandle(), 0, &g_marker);
  g_idle_second = pvTaskGetThreadLocalStoragePointer(xTaskGetIdleTaskHandle(), 0);
  vTaskEndScheduler();
}

TEST(FreeRtosUnchecked, IdleTaskStoragePointerStartsNullEachRun) {
  for (int run = 0; run < 2; ++run) {
    petrel::host::reset();
    g_idle_first = g_idle_second = nullptr;
    ASSERT_EQ(xTaskCreate(marks_idle, "marker", configMINIMAL_STACK_SIZE, nullptr, 2, nullptr),
              pdPASS);
    vTaskStartScheduler();
    EXPECT_EQ(g_idle_first, nullptr) << "run " << run;
    EXPECT_EQ(g_idle_second, &g_marker) << "run " << run;
  }
}

}  // namespace
