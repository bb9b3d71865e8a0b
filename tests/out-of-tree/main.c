/* An out-of-tree Petrel application: one FreeRTOS task that reports and
 * ends; main returns 0 once it has. */
#include <stdio.h>

#include "FreeRTOS.h"
#include "task.h"

static void vHello(void* pvParameters) {
  printf("out-of-tree: hello from task '%s'\n", pcTaskGetName(NULL));
  (void)pvParameters;
}

void vApplicationStackOverflowHook(TaskHandle_t xTask, char* pcTaskName) {
  (void)xTask;
  printf("stack overflow in task %s\n", pcTaskName);
}

int main(void) {
  if (xTaskCreate(vHello, "oot", configMINIMAL_STACK_SIZE, NULL, 1, NULL) != pdPASS) return 1;
  vTaskStartScheduler();
  printf("out-of-tree: done\n");
  return 0;
}
