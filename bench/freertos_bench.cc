// The FreeRTOS-API benchmarks: the shapes an application written for
// FreeRTOS uses on its hot paths, through Petrel's FreeRTOS layer
// (freertos/), measured the same way as the native ones (kernel_bench.cc:
// under `./petrel bench`'s -icount one ns is one instruction). The shapes
// are those of issue 14's comparison with FreeRTOS 7.6 and Zephyr 3.2
// (bench/README.md):
//   - yield A -> B -> A: two tasks of one priority calling taskYIELD(); one
//     round trip is two switches;
//   - binary semaphore ping-pong: A gives S1 and takes S2, B takes S1 and
//     gives S2, both at one priority; one round trip;
//   - queue: a producer sends a 4-byte item, a consumer at the same
//     priority receives it (queue length 1); one item;
//   - main() -> first task: from main's first line to the first task's.
#include <FreeRTOS.h>
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <queue.h>
#include <semphr.h>
#include <task.h>

#include "rows.h"

namespace {

using petrel::print;

constexpr UBaseType_t kPriority = 2;
uint32_t g_scale = 1;  // bootargs "quick": a tenth of the iterations

uint64_t now() {
  return petrel::arch::timer_now();
}

// Every measured shape has two tasks ready.
void row(const char* name, uint64_t ops, uint64_t ticks) {
  petrel::bench::row(name, 2, ops, ticks);
}

void check(bool ok, const char* what) {
  if (!ok) {
    print("freertos-bench: %s failed\n", what);
    petrel::exit(1);
  }
}

// Each benchmark's two tasks meet here when both are done; the second one
// to arrive wakes the controller.
TaskHandle_t g_control;
uint64_t g_start, g_end;

void finished() {
  xTaskNotifyGive(g_control);
  vTaskSuspend(nullptr);
}

// --- yield ------------------------------------------------------------------
uint32_t g_yield_rounds;
void yield_task(void*) {
  if (g_start == 0) g_start = now();
  for (uint32_t i = 0; i < g_yield_rounds; ++i) taskYIELD();
  g_end = now();
  finished();
}

// --- semaphore ping-pong ------------------------------------------------------
SemaphoreHandle_t g_ping, g_pong;
uint32_t g_sem_rounds;
void sem_a(void*) {
  g_start = now();
  for (uint32_t i = 0; i < g_sem_rounds; ++i) {
    xSemaphoreGive(g_ping);
    xSemaphoreTake(g_pong, portMAX_DELAY);
  }
  g_end = now();
  finished();
}
void sem_b(void*) {
  for (;;) {
    xSemaphoreTake(g_ping, portMAX_DELAY);
    xSemaphoreGive(g_pong);
  }
}

// --- queue ------------------------------------------------------------------
QueueHandle_t g_queue;
uint32_t g_items;
void producer(void*) {
  g_start = now();
  for (uint32_t i = 0; i < g_items; ++i) xQueueSend(g_queue, &i, portMAX_DELAY);
  vTaskSuspend(nullptr);
}
void consumer(void*) {
  uint32_t item = 0;
  for (uint32_t i = 0; i < g_items; ++i) {
    xQueueReceive(g_queue, &item, portMAX_DELAY);
    check(item == i, "queue order");
  }
  g_end = now();
  finished();
}

// Runs one benchmark: its tasks at kPriority, the controller above them
// waiting for `notifications` of them to finish; then deletes them.
void measure(TaskFunction_t a, TaskFunction_t b, uint32_t notifications) {
  TaskHandle_t ta = nullptr, tb = nullptr;
  g_start = g_end = 0;
  check(xTaskCreate(a, "a", 1024, nullptr, kPriority, &ta) == pdPASS, "xTaskCreate");
  check(xTaskCreate(b, "b", 1024, nullptr, kPriority, &tb) == pdPASS, "xTaskCreate");
  // pdFALSE: one count at a time, so two gives before the first take are
  // both counted.
  for (uint32_t i = 0; i < notifications; ++i) ulTaskNotifyTake(pdFALSE, portMAX_DELAY);
  vTaskDelete(ta);
  vTaskDelete(tb);
}

uint64_t g_main_at, g_first_task_at;

void control(void*) {
  g_first_task_at = now();
  if (petrel::bootarg_present(petrel::board().bootargs, "quick")) g_scale = 10;
  print("bench: begin\n");
  print("| benchmark | ready tasks | operations | counter ticks per op | ns per op |\n");
  print("|---|---|---|---|---|\n");
  petrel::bench::single_row("FreeRTOS: guest entry -> first task",
                            g_first_task_at - petrel::entry_counter());
  petrel::bench::single_row("FreeRTOS: main() -> first task", g_first_task_at - g_main_at);

  g_yield_rounds = 20000 / g_scale;
  measure(yield_task, yield_task, 2);
  row("FreeRTOS: yield A->B->A (2 switches)", g_yield_rounds, g_end - g_start);

  g_sem_rounds = 10000 / g_scale;
  g_ping = xSemaphoreCreateBinary();
  g_pong = xSemaphoreCreateBinary();
  check(g_ping != nullptr && g_pong != nullptr, "xSemaphoreCreateBinary");
  measure(sem_a, sem_b, 1);
  row("FreeRTOS: semaphore ping-pong round trip", g_sem_rounds, g_end - g_start);

  g_items = 10000 / g_scale;
  g_queue = xQueueCreate(1, sizeof(uint32_t));
  check(g_queue != nullptr, "xQueueCreate");
  measure(producer, consumer, 1);
  row("FreeRTOS: queue send -> receive (4 B)", g_items, g_end - g_start);

  print("bench: end\n");
  petrel::exit(0);
}

}  // namespace

extern "C" int main() {
  g_main_at = now();
  g_control = nullptr;
  xTaskCreate(control, "control", 2048, nullptr, kPriority + 1, &g_control);
  vTaskStartScheduler();
  return 1;  // not reached
}
