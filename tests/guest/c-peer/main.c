/* c-peer: a FreeRTOS task in C using Petrel's Xen services (petrel_xen.h)
 * with a Linux dom0: writes a key, waits on a watch for dom0's answer, reads
 * a missing key (an error with xenstored's name), then ends. */
#include <stdio.h>
#include <string.h>

#include "FreeRTOS.h"
#include "petrel_xen.h"
#include "semphr.h"
#include "task.h"

static SemaphoreHandle_t changed;
static int status = 1;

static void on_change(const char* path, void* ctx) {
  (void)path;
  (void)ctx;
  xSemaphoreGive(changed);
}

static void peer(void* arg) {
  (void)arg;
  char value[64];
  if (petrel_xenstore_write("data/c-peer/question", "are you there?") != 0) {
    printf("c-peer: FAILED write: %s\n", petrel_xen_last_error());
    vTaskDelete(NULL);
  }
  printf("c-peer: asked dom0\n");
  int watch = petrel_xenstore_watch("data/c-peer/answer", on_change, NULL);
  if (watch <= 0) {
    printf("c-peer: FAILED watch: %s\n", petrel_xen_last_error());
    vTaskDelete(NULL);
  }
  for (;;) {
    if (xSemaphoreTake(changed, pdMS_TO_TICKS(20000)) != pdPASS) {
      printf("c-peer: FAILED no answer\n");
      vTaskDelete(NULL);
    }
    if (petrel_xenstore_read("data/c-peer/answer", value, sizeof value) > 0) break;
  }
  printf("c-peer: dom0 answered \"%s\"\n", value);
  petrel_xenstore_unwatch(watch);
  int r = petrel_xenstore_read("data/c-peer/nothing-here", value, sizeof value);
  printf("c-peer: missing key: %d (%s, %s)\n", r, petrel_xen_strerror(r), petrel_xen_last_error());
  int port = petrel_evtchn_alloc_unbound(0);
  printf("c-peer: event channel for dom0: %s\n", port > 0 ? "allocated" : petrel_xen_last_error());
  if (port > 0) petrel_evtchn_close((uint32_t)port);
  status = (r == PETREL_XEN_ENOENT && port > 0) ? 0 : 1;
  vTaskDelete(NULL);
}

void vApplicationStackOverflowHook(TaskHandle_t task, char* name) {
  (void)task;
  printf("c-peer: stack overflow in task %s\n", name);
  for (;;) {
  }
}

int main(void) {
  if (!petrel_xenstore_available()) {
    printf("c-peer: no xenstore: run it with petrel run --dom0\n");
    return 2;
  }
  changed = xSemaphoreCreateBinary();
  xTaskCreate(peer, "c-peer", 4096, NULL, 2, NULL);
  vTaskStartScheduler();
  return status;
}
