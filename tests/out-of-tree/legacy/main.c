/* A FreeRTOS 7.x-style application, written the way such applications were:
 * xTaskHandle, xQueueHandle, portTickType and portBASE_TYPE, tasks declared
 * with portTASK_FUNCTION, names cast to (signed char *), the stack-overflow
 * hook with 7.x's signature, an unused task parameter. It is built with its
 * own flags (tests/out-of-tree/CMakeLists.txt), not Petrel's, and is named
 * "hello" like Petrel's own example, which must not clash.
 *
 * A producer sends five numbers through a queue to a consumer that uses FP;
 * the consumer checks the sum, uses the C library (<stdlib.h>, <math.h>,
 * <ctype.h>, <limits.h>), lists the tasks with uxTaskGetSystemState, waits
 * out an xTimeOutType, calls the producer's tag (pdTASK_HOOK_CODE) and reads
 * the idle task's run time by its old name, and ends; main returns 0 when
 * everything matched. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "queue.h"
#include "semphr.h"
#include "task.h"

static xQueueHandle xNumbers;
static xSemaphoreHandle xPrintMutex;
static xTaskHandle xProducerHandle;
static volatile unsigned portBASE_TYPE uxFailures;

/* Counts a failed check and says which. */
#define vCheck(x)                                                    \
  do {                                                               \
    if (!(x)) {                                                      \
      printf("legacy: check failed at line %d: %s\n", __LINE__, #x); \
      uxFailures++;                                                  \
    }                                                                \
  } while (0)

static portTASK_FUNCTION_PROTO(vProducer, pvParameters);
static portTASK_FUNCTION_PROTO(vConsumer, pvParameters);

static void vReport(const char* pcWhat, long lValue) {
  xSemaphoreTake(xPrintMutex, portMAX_DELAY);
  printf("legacy: %s %ld\n", pcWhat, lValue);
  xSemaphoreGive(xPrintMutex);
}

static portBASE_TYPE prvAddOne(void* pvParameter) {
  return (portBASE_TYPE)(long)pvParameter + 1;
}

static portTASK_FUNCTION(vProducer, pvParameters) {
  unsigned portBASE_TYPE ux;
  portTickType xLastWake = xTaskGetTickCount();
  vTaskSetApplicationTaskTag(NULL, (pdTASK_HOOK_CODE)prvAddOne);
  for (ux = 1; ux <= 5; ux++) {
    vCheck(xQueueSend(xNumbers, &ux, (portTickType)100 / portTICK_RATE_MS) == pdPASS);
    vTaskDelayUntil(&xLastWake, (portTickType)2 / portTICK_RATE_MS);
  }
  vTaskSuspend(NULL); /* the consumer deletes it */
}

static portTASK_FUNCTION(vConsumer, pvParameters) {
  unsigned portBASE_TYPE ux, uxSum = 0, uxTasks, uxListed, i;
  float fAverage;
  xTaskStatusType xStatus[8];
  unsigned long ulTotalRunTime = 0;
  signed char cFound = 0;

  portTASK_USES_FLOATING_POINT();
  for (i = 0; i < 5; i++) {
    if (xQueueReceive(xNumbers, &ux, (portTickType)1000 / portTICK_RATE_MS) != pdPASS) {
      uxFailures++;
      break;
    }
    uxSum += ux;
  }
  fAverage = (float)uxSum / 5.0f;
  vReport("sum", (long)uxSum);
  vReport("average x 10", (long)(fAverage * 10.0f));
  vCheck(uxSum == 15);

  /* The C library, as 7.x applications used it. */
  {
    char* pcText = (char*)malloc(32);
    vCheck(pcText != NULL);
    if (pcText != NULL) {
      sprintf(pcText, "%u", (unsigned)uxSum * 100);
      vCheck(atoi(pcText) == 1500 && isdigit((unsigned char)pcText[0]));
      free(pcText);
    }
    vCheck(CHAR_BIT == 8 && LONG_MAX > 0 && abs(-3) == 3);
    vReport("sqrt(sum + 1) x 10", (long)(sqrt((double)uxSum + 1.0) * 10.0));
  }

  /* The producer suspends itself after its last send and delay. */
  while (eTaskStateGet(xProducerHandle) != eSuspended) vTaskDelay(1);
  uxTasks = uxTaskGetNumberOfTasks();
  uxListed = uxTaskGetSystemState(xStatus, 8, &ulTotalRunTime);
  vReport("tasks listed", (long)uxListed);
  vCheck(uxListed == uxTasks && uxListed >= 3);
  for (i = 0; i < uxListed; i++) {
    if (strcmp(xStatus[i].pcTaskName, "Cons") == 0) {
      cFound = 1;
      vCheck(xStatus[i].eCurrentState == eRunning);
      vCheck(xStatus[i].uxCurrentPriority == tskIDLE_PRIORITY + 1);
      vCheck(xStatus[i].ulRunTimeCounter <= ulTotalRunTime);
      vCheck(xStatus[i].usStackHighWaterMark > 0);
    }
    if (xStatus[i].xHandle == xProducerHandle) vCheck(xStatus[i].eCurrentState == eSuspended);
  }
  vCheck(cFound && ulTotalRunTime > 0);
  vReport("run time us > 0", (long)(ulTotalRunTime > 0));

  /* A timeout across several waits. */
  {
    xTimeOutType xTimeOut;
    portTickType xLeft = 3, xStart = xTaskGetTickCount();
    unsigned portBASE_TYPE uxWaits = 0;
    vTaskSetTimeOutState(&xTimeOut);
    while (xTaskCheckForTimeOut(&xTimeOut, &xLeft) == pdFALSE) {
      vTaskDelay(1);
      uxWaits++;
    }
    /* Without icount one delay may last several ticks: the number of waits
     * is not fixed, only that the time ran out and none of it was lost. */
    vCheck(xLeft == 0 && uxWaits >= 1 && xTaskGetTickCount() - xStart >= 3);
  }
  /* The producer's tag; the idle task, which has run while we waited. */
  vCheck(xTaskCallApplicationTaskHook(xProducerHandle, (void*)5) == 6);
  vCheck(xTaskCallApplicationTaskHook(NULL, (void*)5) == pdFAIL);
  vCheck(uxTaskPriorityGet(xTaskGetIdleTaskHandle()) == tskIDLE_PRIORITY);
  vCheck(xTaskGetIdleRunTimeCounter() > 0);
  vReport("idle ran", (long)(xTaskGetIdleRunTimeCounter() > 0));
  xSemaphoreTake(xPrintMutex, portMAX_DELAY);
  printf("legacy: FreeRTOS API %s, %s\n", tskKERNEL_VERSION_NUMBER,
         uxFailures == 0 ? "all as expected" : "FAILED");
  xSemaphoreGive(xPrintMutex);
  vTaskDelete(xProducerHandle);
  vTaskDelete(NULL);
}

void vApplicationStackOverflowHook(xTaskHandle pxTask, signed char* pcTaskName) {
  (void)pxTask;
  printf("legacy: stack overflow in %s\n", (char*)pcTaskName);
}

int main(void) {
  xNumbers = xQueueCreate(4, sizeof(unsigned portBASE_TYPE));
  xPrintMutex = xSemaphoreCreateMutex();
  if (xNumbers == NULL || xPrintMutex == NULL) return 1;
  xTaskCreate(vProducer, (signed char*)"Prod", configMINIMAL_STACK_SIZE, NULL, tskIDLE_PRIORITY + 2,
              &xProducerHandle);
  xTaskCreate(vConsumer, (signed char*)"Cons", configMINIMAL_STACK_SIZE * 2, NULL,
              tskIDLE_PRIORITY + 1, NULL);
  vTaskStartScheduler();
  return uxFailures == 0 ? 0 : 1;
}
