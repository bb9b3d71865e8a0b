/* The C library in a FreeRTOS C application on a Petrel guest: what
 * FreeRTOS applications use from <stdio.h>, <stdlib.h>, <string.h>,
 * <math.h>, <ctype.h>, <limits.h>, <time.h> and <errno.h>, and what Petrel's
 * glue promises (docs/libc.md): malloc on the FreeRTOS heap, errno and
 * stdout lines per task, exit() ending the domain with its status. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "FreeRTOS.h"
#include "task.h"

int libc_cpp_checks(void); /* main.cc */

static int g_passed;
static int g_failures;

static void check(int ok, const char* what, int line) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failures;
    printf("checks.c:%d: failed: %s\n", line, what);
  }
}
#define CHECK(cond) check((cond) != 0, #cond, __LINE__)

static void check_str(const char* got, const char* want, int line) {
  if (strcmp(got, want) == 0) {
    ++g_passed;
  } else {
    ++g_failures;
    printf("checks.c:%d: failed: \"%s\", want \"%s\"\n", line, got, want);
  }
}
#define CHECK_STR(got, want) check_str((got), (want), __LINE__)

static int near(double a, double b) {
  return fabs(a - b) <= 1e-9 * (fabs(b) > 1.0 ? fabs(b) : 1.0);
}

static void formatting(void) {
  char buf[160];
  snprintf(buf, sizeof buf, "%d %5.2f %e %g %s %x %" PRId64 " %c%%", -42, 3.14159, 12345.678,
           0.0001, "ok", 255u, (int64_t)1 << 40, 'z');
  CHECK_STR(buf, "-42  3.14 1.234568e+04 0.0001 ok ff 1099511627776 z%");
  CHECK(snprintf(NULL, 0, "%d", 12345) == 5);
  CHECK(snprintf(buf, 4, "%s", "truncated") == 9 && strcmp(buf, "tru") == 0);
  int n = 0;
  double d = 0;
  char word[8];
  CHECK(sscanf("17 2.5 hello", "%d %lf %7s", &n, &d, word) == 3);
  CHECK(n == 17 && d == 2.5 && strcmp(word, "hello") == 0);
}

static void conversions(void) {
  char* end;
  CHECK(strtol("123abc", &end, 10) == 123 && *end == 'a');
  CHECK(strtoul("ff", NULL, 16) == 255);
  CHECK(atoi("-7") == -7 && atol("40000") == 40000L);
  CHECK(strtod("2.5e3", NULL) == 2500.0);
  errno = 0;
  CHECK(strtol("99999999999999999999999", NULL, 10) == LONG_MAX && errno == ERANGE);
  CHECK(llabs(-5LL) == 5 && abs(INT_MIN + 1) == INT_MAX);
}

static int compare_ints(const void* a, const void* b) {
  const int x = *(const int*)a;
  const int y = *(const int*)b;
  return (x > y) - (x < y);
}

static void strings_and_sorting(void) {
  char buf[64] = "alpha,beta;gamma";
  CHECK(strstr(buf, "beta") == buf + 6);
  CHECK(strrchr(buf, 'a') == buf + 15 && memchr(buf, ';', sizeof buf) == buf + 10);
  char* save;
  const char* first = strtok_r(buf, ",;", &save);
  const char* second = strtok_r(NULL, ",;", &save);
  const char* third = strtok_r(NULL, ",;", &save);
  CHECK(first && second && third && strcmp(second, "beta") == 0 && strcmp(third, "gamma") == 0);
  CHECK(toupper('q') == 'Q' && isdigit('7') && !isalpha('7') && isspace('\t'));
  char* copy = strdup("duplicate");
  CHECK(copy != NULL && strcmp(copy, "duplicate") == 0);
  free(copy);

  int values[] = {42, -3, 17, 0, 99, 5, -80};
  const size_t count = sizeof values / sizeof values[0];
  qsort(values, count, sizeof values[0], compare_ints);
  int sorted = 1;
  for (size_t i = 1; i < count; ++i) sorted = sorted && values[i - 1] <= values[i];
  CHECK(sorted && values[0] == -80 && values[count - 1] == 99);
  const int key = 17;
  CHECK(bsearch(&key, values, count, sizeof values[0], compare_ints) == &values[4]);
}

static void math(void) {
  CHECK(near(sqrt(2.0), 1.4142135623730951));
  CHECK(near(sin(M_PI / 2), 1.0) && near(cos(0.0), 1.0));
  CHECK(pow(2.0, 10.0) == 1024.0 && floor(-2.5) == -3.0 && ceil(2.1) == 3.0);
  CHECK(near(exp(log(5.0)), 5.0) && near(atan2(1.0, 1.0), M_PI / 4));
  CHECK(fmod(7.5, 2.0) == 1.5 && fabsf(sqrtf(4.0f) - 2.0f) < 1e-6f);
  CHECK(isnan(nan("")) && isinf(HUGE_VAL));
}

static void limits(void) {
  CHECK(CHAR_BIT == 8 && INT_MAX == 2147483647 && LLONG_MAX == 9223372036854775807LL);
  CHECK(UINT32_MAX == 4294967295u && sizeof(long) == sizeof(void*));
}

static void memory(void) {
  const size_t free_before = xPortGetFreeHeapSize();
  unsigned char* p = malloc(10000);
  CHECK(p != NULL);
  if (p == NULL) return;
  /* One heap: malloc takes from what FreeRTOS reports. */
  CHECK(xPortGetFreeHeapSize() <= free_before - 10000);
  for (size_t i = 0; i < 10000; ++i) p[i] = (unsigned char)i;
  unsigned char* q = realloc(p, 50000);
  CHECK(q != NULL);
  if (q == NULL) {
    free(p);
    return;
  }
  int same = 1;
  for (size_t i = 0; i < 10000; ++i) same = same && q[i] == (unsigned char)i;
  CHECK(same);
  free(q);
  int* zeros = calloc(1000, sizeof(int));
  int all_zero = zeros != NULL;
  for (size_t i = 0; zeros != NULL && i < 1000; ++i) all_zero = all_zero && zeros[i] == 0;
  CHECK(all_zero);
  free(zeros);
  void* aligned = aligned_alloc(256, 100);
  CHECK(aligned != NULL && ((uintptr_t)aligned & 255) == 0);
  free(aligned);
  CHECK(xPortGetFreeHeapSize() == free_before);

  volatile size_t huge = SIZE_MAX / 2; /* volatile: no compile-time diagnosis */
  errno = 0;
  CHECK(malloc(huge) == NULL && errno == ENOMEM);
  errno = 0;
  CHECK(calloc(huge, 4) == NULL && errno == ENOMEM);
}

static void clock_and_files(void) {
  struct timeval before;
  struct timeval after;
  CHECK(gettimeofday(&before, NULL) == 0);
  const clock_t c0 = clock();
  vTaskDelay(pdMS_TO_TICKS(50));
  CHECK(gettimeofday(&after, NULL) == 0);
  const long long us =
      (after.tv_sec - before.tv_sec) * 1000000LL + (after.tv_usec - before.tv_usec);
  /* vTaskDelay(n) blocks for at least n - 1 whole tick periods. */
  CHECK(us >= 49000 && us < 1000000);
  CHECK(clock() - c0 >= CLOCKS_PER_SEC / 20);
  CHECK(time(NULL) == after.tv_sec || time(NULL) == after.tv_sec + 1);

  srand(7);
  const int r = rand();
  srand(7);
  CHECK(rand() == r && r >= 0 && r <= RAND_MAX);

  errno = 0;
  CHECK(fopen("/etc/config", "r") == NULL && errno == ENOENT);
}

/* errno and stdout lines belong to the task. Two tasks of one priority,
 * time-sliced: each sets errno through the library, yields, and finds its
 * own value again; each builds lines a character at a time with a spin
 * between characters that spans several ticks, so the other task runs in
 * the middle of every line: the lines still come out whole. */
enum { kLines = 6, kLineChars = 60, kSpin = 40000 };

static TaskHandle_t g_checker;

static void worker(void* arg) {
  const char tag = (char)(uintptr_t)arg;
  int errno_kept = 1;
  for (int i = 0; i < 50; ++i) {
    if (tag == 'A') {
      (void)strtol("99999999999999999999999", NULL, 10); /* ERANGE */
    } else {
      (void)fopen("/nothing", "r"); /* ENOENT */
    }
    taskYIELD();
    errno_kept = errno_kept && errno == (tag == 'A' ? ERANGE : ENOENT);
    void* block = malloc(64 + (size_t)i * 8);
    memset(block, tag, 64);
    taskYIELD();
    errno_kept = errno_kept && ((unsigned char*)block)[63] == (unsigned char)tag;
    free(block);
  }
  for (int line = 0; line < kLines; ++line) {
    printf("libc-line %c %d ", tag, line);
    for (int c = 0; c < kLineChars; ++c) {
      putchar(tag);
      for (volatile int spin = 0; spin < kSpin; ++spin) {
      }
    }
    putchar('\n');
  }
  check(errno_kept, tag == 'A' ? "errno of task A kept" : "errno of task B kept", __LINE__);
  xTaskNotifyGive(g_checker);
  vTaskDelete(NULL);
}

/* A static stack gives up its top to the task's thread-local storage: one
 * of exactly Petrel's minimum (1024 bytes) is refused, one with room to
 * spare is taken. */
static StaticTask_t g_static_task;
static StackType_t g_static_stack[2048 / sizeof(StackType_t)];

static void static_task(void* arg) {
  (void)arg;
  errno = EDOM; /* its own errno */
  vTaskDelete(NULL);
}

static char g_assert_message[128];

void libc_config_assert(void) {
  snprintf(g_assert_message, sizeof g_assert_message, "%s", pcPetrelAssertMessage());
}

static void static_stacks(void) {
  CHECK(xTaskCreateStatic(static_task, "tiny", 1024 / sizeof(StackType_t), NULL, 1, g_static_stack,
                          &g_static_task) == NULL);
  CHECK_STR(g_assert_message,
            "xTaskCreateStatic: task: stack too small for its thread-local storage");
  errno = 0;
  CHECK(xTaskCreateStatic(static_task, "roomy", sizeof g_static_stack / sizeof(StackType_t), NULL,
                          3, g_static_stack, &g_static_task) != NULL);
  CHECK(errno == 0); /* it ran (higher priority) and set only its own */
}

static void task_at_exit(void) {
  printf("\nlibc-tests: at-exit handler registered by a task ran");
}

static void checker(void* arg) {
  (void)arg;
  formatting();
  conversions();
  strings_and_sorting();
  math();
  limits();
  memory();
  clock_and_files();
  static_stacks();
  const int cpp_failures = libc_cpp_checks();
  check(cpp_failures == 0, "C++ checks", __LINE__);

  g_checker = xTaskGetCurrentTaskHandle();
  CHECK(xTaskCreate(worker, "errA", 2048, (void*)'A', 1, NULL) == pdPASS);
  CHECK(xTaskCreate(worker, "errB", 2048, (void*)'B', 1, NULL) == pdPASS);
  (void)ulTaskNotifyTake(pdFALSE, portMAX_DELAY);
  (void)ulTaskNotifyTake(pdFALSE, portMAX_DELAY);

  /* Registered from a task: the C library takes its lock (a Petrel mutex)
   * with the scheduler running. It runs in exit(), below. */
  CHECK(atexit(task_at_exit) == 0);

  /* No newline: exit() writes the partial line out. */
  printf("libc-tests: %d passed, %d failed", g_passed, g_failures);
  exit(g_failures == 0 && g_passed > 0 ? 0 : 1);
}

void libc_run_checks(void) {
  xTaskCreate(checker, "checker", 4096, NULL, 2, NULL);
  vTaskStartScheduler();
  printf("libc-tests: the scheduler returned\n");
  exit(2);
}

void vApplicationStackOverflowHook(TaskHandle_t task, char* name) {
  (void)task;
  printf("libc-tests: stack overflow in task %s\n", name);
}

static void at_exit_handler(void) {
  printf("libc-tests: at-exit handler ran\n");
}

void libc_exit_case(void) {
  atexit(at_exit_handler);
  exit(7);
}

void libc_assert_case(void) {
  volatile int two = 2;
  assert(two + 2 == 5);
}
