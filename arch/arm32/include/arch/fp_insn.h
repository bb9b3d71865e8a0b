// Is an instruction a VFP or Advanced SIMD (NEON) instruction? With FPEXC.EN
// off those are undefined, which is how AArch32 traps a task's first use of
// VFP/NEON for lazy switching; any other undefined instruction is a real
// fault. Pure: unit-tested on the host.
#pragma once

#include <stdint.h>

namespace petrel::arch {

// `insn`: an ARM instruction, or a Thumb one as (first halfword << 16) |
// second halfword (a 16-bit Thumb instruction in the upper half, lower half
// ignored).
bool is_fp_simd_instruction(uint32_t insn, bool thumb);

// Whether a Thumb instruction whose first halfword is `hw1` has a second one.
constexpr bool thumb_is_32bit(uint16_t hw1) {
  return (hw1 >> 11) >= 0x1d;
}

}  // namespace petrel::arch
