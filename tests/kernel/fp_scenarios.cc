// FP/SIMD state belongs to each task: values kept in FP registers across
// switches (callee-saved d8-d15, and everything else around preemption)
// survive other tasks using FP/SIMD in between.
#include "ktest.h"

using namespace petrel::kernel;
using petrel::ktest::spawn;

namespace {

// Accumulates in doubles across yields; the compiler keeps `sum` in a
// callee-saved FP register across the call to task_yield.
__attribute__((noinline)) double accumulate(double seed, int rounds) {
  double sum = seed;
  for (int i = 0; i < rounds; ++i) {
    sum = sum * 1.0000001 + seed;
    task_yield();
  }
  return sum;
}

double expected(double seed, int rounds) {
  double sum = seed;
  for (int i = 0; i < rounds; ++i) sum = sum * 1.0000001 + seed;
  return sum;
}

}  // namespace

KTEST(Fp, EachTaskKeepsItsOwnFpRegistersAcrossYields) {
  double got_a = 0, got_b = 0;
  auto a = [&] { got_a = accumulate(1.5, 200); };
  auto b = [&] { got_b = accumulate(-7.25, 200); };
  auto integer_only = [&] {
    for (int i = 0; i < 200; ++i) task_yield();
  };
  spawn("fp-a", 2, &a);
  spawn("fp-b", 2, &b);
  spawn("int", 2, &integer_only);
  scheduler_start();
  KCHECK(got_a == expected(1.5, 200));
  KCHECK(got_b == expected(-7.25, 200));
}

KTEST(Fp, PreemptedFpWorkIsIntact) {
  // A high-priority FP task wakes every tick and preempts a low-priority one
  // in the middle of its FP loop.
  volatile bool done = false;
  double low_result = 0;
  int high_rounds = 0;
  auto low = [&] {
    double x = 0.5;
    for (int i = 0; i < 20000; ++i) x = x * 0.999 + 0.25;
    low_result = x;
    done = true;
  };
  auto high = [&] {
    double y = 3.0;
    while (!done) {
      y = y * 1.5 - 1.0;
      task_delay(Ticks{1});
      ++high_rounds;
    }
    KCHECK(y != 0.0);
  };
  spawn("low", 1, &low);
  spawn("high", 3, &high);
  scheduler_start();
  double want = 0.5;
  for (int i = 0; i < 20000; ++i) want = want * 0.999 + 0.25;
  KCHECK(low_result == want);
}
