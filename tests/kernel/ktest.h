// ktest: kernel scenario tests written once and run in two places: on the
// host port under GoogleTest (tests/unit/ktest_gtest.cc) and inside a guest
// on Xen (tests/guest/kernel-tests). Freestanding: no STL, no exceptions.
//
//   KTEST(Queue, SendBlocksWhenFull) { ... KCHECK(x); KCHECK_EQ(a, b); }
//
// Each test starts with a fresh kernel (ktest::reset), creates tasks with
// ktest::spawn, runs them with scheduler_start() and checks what happened.
// Time is relative: a test reads tick_count() at its start. ktest::spend()
// makes time pass inside a task (simulated on the host, real on a guest).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/sched.h"
#include "petrel/kernel/task.h"

namespace petrel::ktest {

struct Case {
  const char* suite;
  const char* name;
  void (*fn)();
  Case* next;
};

Case* first_case();
struct Registrar {
  explicit Registrar(Case* c);
};

// Records a failed check in the running test (the test goes on).
void fail(const char* file, int line, const char* what);
void fail_eq(const char* file, int line, const char* a, const char* b, uint64_t va, uint64_t vb);
void fail_str(const char* file, int line, const char* what, const char* got, const char* want);

// Fresh kernel state and heap for the next test.
void reset();
// Lets `counter_ticks` of the timer counter pass while the caller "works".
void spend(uint64_t counter_ticks);
uint64_t counter_per_tick();

// Creates a heap task running `(*fn)()`; checks that creation worked.
template <typename F>
kernel::Task* spawn(const char* name, kernel::Priority prio, F* fn, size_t stack = 16 * 1024) {
  auto t = kernel::task_create(
      kernel::TaskConfig{name, prio, stack, [](void* p) { (*static_cast<F*>(p))(); }, fn});
  if (!t) {
    fail(__FILE__, __LINE__, t.error().message);
    return nullptr;
  }
  return *t;
}

// An event log for order checks: note("a"); note("b"); KCHECK_LOG(log, "a b").
class Log {
 public:
  void note(const char* word);
  void note_number(const char* word, uint64_t n);  // "word=n"
  const char* text() const { return buf_; }

 private:
  char buf_[1024] = {};
  size_t len_ = 0;
};

bool same(const char* a, const char* b);

// Whether `r` failed with `code` (and, if given, exactly `message`).
template <typename T>
bool failed_with(const Result<T>& r, Errc code, const char* message = nullptr) {
  return !r.ok() && r.error().code == code &&
         (message == nullptr || same(r.error().message, message));
}

}  // namespace petrel::ktest

#define KTEST_CAT2(a, b) a##b
#define KTEST_CAT(a, b) KTEST_CAT2(a, b)
#define KTEST(suite, name)                                                                        \
  static void ktest_##suite##_##name();                                                           \
  static ::petrel::ktest::Case ktest_case_##suite##_##name{#suite, #name, ktest_##suite##_##name, \
                                                           nullptr};                              \
  static ::petrel::ktest::Registrar ktest_reg_##suite##_##name(&ktest_case_##suite##_##name);     \
  static void ktest_##suite##_##name()

#define KCHECK(cond) \
  ((cond) ? (void)0 : ::petrel::ktest::fail(__FILE__, __LINE__, "KCHECK(" #cond ")"))
#define KCHECK_EQ(a, b)                                                                      \
  do {                                                                                       \
    const uint64_t ktest_a_ = static_cast<uint64_t>(a), ktest_b_ = static_cast<uint64_t>(b); \
    if (ktest_a_ != ktest_b_)                                                                \
      ::petrel::ktest::fail_eq(__FILE__, __LINE__, #a, #b, ktest_a_, ktest_b_);              \
  } while (0)
#define KCHECK_LOG(log, expected)                                                  \
  do {                                                                             \
    if (!::petrel::ktest::same((log).text(), expected))                            \
      ::petrel::ktest::fail_str(__FILE__, __LINE__, #log, (log).text(), expected); \
  } while (0)
