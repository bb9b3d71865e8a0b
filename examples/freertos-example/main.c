/* The classic first FreeRTOS application: two tasks that each print a line
 * and delete themselves. On Petrel, vTaskStartScheduler returns once every
 * application task has ended, and main's return value becomes the domain's
 * exit status. */
#include <stdio.h>

#include "FreeRTOS.h"
#include "task.h"

static void vTask1(void* pvParameters) {
  (void)pvParameters;
  printf("Task 1 is running\n");
  vTaskDelete(NULL);
}

static void vTask2(void* pvParameters) {
  (void)pvParameters;
  printf("Task 2 is running\n");
  vTaskDelete(NULL);
}

void vApplicationStackOverflowHook(TaskHandle_t xTask, char* pcTaskName) {
  (void)xTask;
  printf("stack overflow in task %s\n", pcTaskName);
}

int main(void) {
  if (xTaskCreate(vTask1, "Task 1", configMINIMAL_STACK_SIZE, NULL, 1, NULL) != pdPASS ||
      xTaskCreate(vTask2, "Task 2", configMINIMAL_STACK_SIZE, NULL, 1, NULL) != pdPASS) {
    printf("Example: cannot create the tasks\n");
    return 1;
  }
  vTaskStartScheduler();
  /* Every task has ended: shut the domain down with status 0. */
  printf("Example: all tasks have ended\n");
  return 0;
}
