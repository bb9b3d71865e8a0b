/* chan-probe: the well-behaved end of two static channels, in C through
 * petrel_xen.h from a FreeRTOS task, facing chan-rogue (rogue.cc), which
 * misbehaves as its bootargs say. It owns channel "a" and borrows "b", and
 * reports every outcome as a line the system tests look for:
 *   a: connected / the peer never connected (the error)
 *   a: N exchanges intact / exchange K failed (the error)
 *   b: connected, the owner said "b-hello" / open failed (the error)
 * then exits 0: whatever the peer did, the probe ends with an error it can
 * name, never a fault. */
#include <stdio.h>
#include <string.h>

#include "FreeRTOS.h"
#include "petrel_xen.h"
#include "task.h"

enum { kExchanges = 20, kMessage = 32 };

static void report(const char* what, int code) {
  printf("chan-probe: %s: %s: %s\n", what, petrel_xen_strerror(code), petrel_xen_last_error());
}

static void exchange(petrel_channel* a) {
  char out[kMessage], back[kMessage];
  for (int i = 1; i <= kExchanges; ++i) {
    memset(out, 0, sizeof out);
    snprintf(out, sizeof out, "message %d", i);
    int r = petrel_channel_write_all(a, out, sizeof out, 2000);
    if (r == 0) r = petrel_channel_read_all(a, back, sizeof back, 2000);
    if (r == 0 && memcmp(out, back, sizeof out) != 0) {
      printf("chan-probe: a: exchange %d came back changed\n", i);
      return;
    }
    if (r != 0) {
      char what[48];
      snprintf(what, sizeof what, "a: exchange %d failed", i);
      report(what, r);
      return;
    }
  }
  printf("chan-probe: a: %d exchanges intact\n", kExchanges);
}

static void probe(void* arg) {
  (void)arg;
  int error = 0;
  petrel_channel* a = petrel_channel_open("a", 1000, &error);
  if (a == NULL) {
    report("a: open failed", error);
  } else {
    int r = petrel_channel_wait_connected(a, 2000);
    if (r != 0) {
      report("a: the peer never connected", r);
    } else {
      printf("chan-probe: a: connected\n");
      exchange(a);
    }
    petrel_channel_close(a);
  }
  petrel_channel* b = petrel_channel_open("b", 1500, &error);
  if (b == NULL) {
    report("b: open failed", error);
  } else {
    char hello[8];
    int r = petrel_channel_read_all(b, hello, sizeof hello, 2000);
    if (r != 0) {
      report("b: no greeting", r);
    } else {
      printf("chan-probe: b: connected, the owner said \"%.7s\"\n", hello);
    }
    petrel_channel_close(b);
  }
  printf("chan-probe: done\n");
  vTaskDelete(NULL);
}

void vApplicationStackOverflowHook(TaskHandle_t task, char* name) {
  (void)task;
  printf("chan-probe: stack overflow in task %s\n", name);
  for (;;) {
  }
}

int main(void) {
  xTaskCreate(probe, "probe", 4096, NULL, 2, NULL);
  vTaskStartScheduler();
  return 0;
}
