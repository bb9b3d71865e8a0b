/* The conformance suite's harness: checks, expected asserts, the event log,
 * t_run and the FreeRTOS hooks. */
#include "harness.h"

#include <stdio.h>
#include <string.h>

const t_case* const t_all_tables[] = {
    t_task_cases,  t_task_utility_cases, t_queue_cases,  t_semphr_cases,   t_notify_cases,
    t_timer_cases, t_event_cases,        t_stream_cases, t_queueset_cases, NULL};

int t_real_time;
volatile unsigned long t_idle_hook_calls;
volatile unsigned long t_malloc_failed_calls;
volatile unsigned long t_tick_hook_calls;
volatile unsigned long t_daemon_startup_calls;
void (*volatile t_tick_hook_fn)(void);

static int g_failures;
static const char* g_expected; /* armed by t_expect_assert_begin */
static int g_asserts_seen;
static char g_assert_seen[160];
static char g_log[1024];
static size_t g_log_len;

/* Called from interrupt handlers too (configASSERT, t_log_n), which must
 * not touch FP/SIMD registers: the C library's formatted output does (its
 * variadic functions save them), so these copy and format by hand. Copies at
 * most size - 1 bytes of `src` and terminates; returns the length. */
static size_t copy_bounded(char* dst, size_t size, const char* src) {
  size_t n = 0;
  while (n + 1 < size && src[n] != '\0') {
    dst[n] = src[n];
    ++n;
  }
  dst[n] = '\0';
  return n;
}

void t_fail(const char* file, int line, const char* what) {
  ++g_failures;
  printf("%s:%d: failed: %s\n", file, line, what);
}

void t_fail_eq(const char* file, int line, const char* a, const char* b, long long va,
               long long vb) {
  ++g_failures;
  printf("%s:%d: failed: %s == %s: %lld != %lld\n", file, line, a, b, va, vb);
}

void t_config_assert(const char* file, int line) {
  const char* message = pcPetrelAssertMessage();
  if (g_expected == NULL) {
    ++g_failures;
    printf("%s:%d: unexpected configASSERT: %s\n", file, line, message);
    return;
  }
  ++g_asserts_seen;
  copy_bounded(g_assert_seen, sizeof g_assert_seen, message);
}

void t_expect_assert_begin(const char* message) {
  g_expected = message;
  g_asserts_seen = 0;
  g_assert_seen[0] = '\0';
}

void t_expect_assert_end(const char* file, int line) {
  if (g_asserts_seen != 1 || strcmp(g_assert_seen, g_expected) != 0) {
    ++g_failures;
    printf("%s:%d: failed: expected one configASSERT \"%s\", got %d (last \"%s\")\n", file, line,
           g_expected, g_asserts_seen, g_assert_seen);
  }
  g_expected = NULL;
}

void t_log(const char* word) {
  size_t n = strlen(word);
  if (g_log_len + n + 2 >= sizeof g_log) return;
  if (g_log_len > 0) g_log[g_log_len++] = ' ';
  memcpy(g_log + g_log_len, word, n);
  g_log_len += n;
  g_log[g_log_len] = '\0';
}

void t_log_n(const char* word, long n) {
  char buf[64];
  size_t len = copy_bounded(buf, sizeof buf - 24, word);
  buf[len++] = '=';
  unsigned long u = n < 0 ? 0ul - (unsigned long)n : (unsigned long)n;
  char digits[24];
  size_t d = 0;
  do {
    digits[d++] = (char)('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (n < 0) buf[len++] = '-';
  while (d > 0) buf[len++] = digits[--d];
  buf[len] = '\0';
  t_log(buf);
}

void t_log_check(const char* file, int line, const char* want) {
  if (strcmp(g_log, want) != 0) {
    ++g_failures;
    printf("%s:%d: failed: log \"%s\", want \"%s\"\n", file, line, g_log, want);
  }
}

struct t_run_args {
  void (*body)(void*);
  void* arg;
};

static void t_run_task(void* p) {
  struct t_run_args* a = (struct t_run_args*)p;
  a->body(a->arg);
  vTaskEndScheduler();
}

void t_run(void (*body)(void*), void* arg, UBaseType_t priority) {
  struct t_run_args a = {body, arg};
  TaskHandle_t h = NULL;
  T_EQ(xTaskCreate(t_run_task, "test", T_STACK, &a, priority, &h), pdPASS);
  vTaskStartScheduler();
}

void t_begin_case(void) {
  g_failures = 0;
  g_expected = NULL;
  g_log_len = 0;
  g_log[0] = '\0';
  t_idle_hook_calls = 0;
  t_malloc_failed_calls = 0;
  t_tick_hook_calls = 0;
  t_tick_hook_fn = NULL;
  t_daemon_startup_calls = 0;
}

int t_end_case(void) {
  return g_failures;
}

/* ---- the hooks FreeRTOSConfig.h enables ---- */

void vApplicationIdleHook(void) {
  ++t_idle_hook_calls;
}

void vApplicationTickHook(void) {
  ++t_tick_hook_calls;
  void (*fn)(void) = t_tick_hook_fn;
  if (fn != NULL) fn();
}

void vApplicationDaemonTaskStartupHook(void) {
  ++t_daemon_startup_calls;
}

void vApplicationMallocFailedHook(void) {
  ++t_malloc_failed_calls;
}

void vApplicationStackOverflowHook(TaskHandle_t task, char* name) {
  (void)task;
  printf("stack overflow in task %s\n", name);
}
