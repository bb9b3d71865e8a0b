// The arch seam's hot functions, inline on ARM: the kernel calls them on
// every critical section and every task switch, where an out-of-line call
// and return cost as much as the work itself. Their contracts are in
// petrel/arch.h, which includes this header after declaring them; the host
// port's arch/hot.h is empty and defines them in arch/host/host.cc.
#pragma once

#include "arch/cpu.h"
#include "arch/fpu.h"

extern "C" void petrel_context_switch(petrel::arch::ArchContext* from,
                                      petrel::arch::ArchContext* to);

namespace petrel::arch {

inline uint64_t irq_save() {
  return irq_flags_save();
}
inline void irq_restore(uint64_t saved) {
  irq_flags_restore(saved);
}
inline uint64_t timer_now() {
  return read_cntvct();
}
inline uint64_t timer_now_relaxed() {
  return read_cntvct_unordered();
}
// The registers: arch/*/context.S; the first frame: arch/*/context.cc.
inline void context_switch(ArchContext& from, ArchContext& to) {
  fpu_switch(&from, &to);
  petrel_context_switch(&from, &to);
}

}  // namespace petrel::arch
