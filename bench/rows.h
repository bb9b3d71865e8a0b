// The rows a bench guest prints between "bench: begin" and "bench: end"
// (bench/README.md), shared by kernel_bench.cc and freertos_bench.cc:
//   | name | ready tasks | operations | counter ticks per op | ns per op |
// Under icount one ns is one instruction; hundredths without floating point.
#pragma once

#include <petrel/arch.h>
#include <petrel/console.h>
#include <petrel/fmt.h>

namespace petrel::bench {

inline uint64_t ns_from_ticks(uint64_t ticks) {
  return ticks * 1'000'000'000ull / arch::timer_frequency();
}

// "12.34"
inline void print_hundredths(uint64_t value_x100) {
  print("%" PETREL_PRI64 "u.%02" PETREL_PRI64 "u", value_x100 / 100, value_x100 % 100);
}

// `ops` operations took `ticks`: the cost of one.
inline void row(const char* name, unsigned ready, uint64_t ops, uint64_t ticks) {
  print("| %-34s | %5u | %8" PETREL_PRI64 "u | ", name, ready, ops);
  print_hundredths(ticks * 100 / ops);
  print(" | ");
  print_hundredths(ns_from_ticks(ticks) * 100 / ops);
  print(" |\n");
}

// One measurement of `ticks` (one task ready, one operation).
inline void single_row(const char* name, uint64_t ticks) {
  print("| %-34s | %5d | %8d | %" PETREL_PRI64 "u | %" PETREL_PRI64 "u |\n", name, 1, 1, ticks,
        ns_from_ticks(ticks));
}

}  // namespace petrel::bench
