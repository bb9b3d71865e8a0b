// The encodings (ARM ARM, ARMv7-A/R, A5 and A6 "instruction set encoding"):
//   VFP: the coprocessor instruction space with coprocessor 10 or 11
//   (bits 11:9 = 0b101): ARM cond != 0b1111 and bits 27:24 = 0b1110 (CDP,
//   MCR, MRC: data processing, VMOV, VMRS/VMSR) or bits 27:25 = 0b110 (LDC,
//   STC, MCRR, MRRC: VLDR/VSTR/VLDM/VSTM/VPUSH/VPOP, 64-bit VMOV); Thumb
//   first halfword 0b111x11xx (0xEC00 mask) with the same coprocessor bits in
//   the second halfword.
//   Advanced SIMD data processing: ARM 0b1111001x in bits 31:24, Thumb first
//   halfword 0b111x1111 (bits 15:8).
//   Advanced SIMD element/structure loads and stores: ARM 0b11110100 in bits
//   31:24 with bit 20 = 0, Thumb first halfword 0b11111001 with bit 4 = 0.
#include "arch/fp_insn.h"

namespace petrel::arch {

bool is_fp_simd_instruction(uint32_t insn, bool thumb) {
  if (thumb) {
    const uint32_t hw1 = insn >> 16, hw2 = insn & 0xffff;
    if (!thumb_is_32bit(static_cast<uint16_t>(hw1))) return false;
    if ((hw1 & 0xef00) == 0xef00) return true;                    // Advanced SIMD data processing
    if ((hw1 & 0xff10) == 0xf900) return true;                    // Advanced SIMD loads and stores
    return (hw1 & 0xec00) == 0xec00 && (hw2 & 0x0e00) == 0x0a00;  // VFP (cp10/cp11)
  }
  if ((insn >> 25) == 0x79) return true;  // 1111001x: SIMD data processing
  if ((insn >> 24) == 0xf4 && (insn & (1u << 20)) == 0) return true;  // SIMD loads and stores
  if ((insn >> 28) == 0xf) return false;  // other unconditional instructions
  const bool coproc = ((insn >> 24) & 0xf) == 0xe || ((insn >> 25) & 0x7) == 0x6;
  return coproc && ((insn >> 9) & 0x7) == 0x5;
}

}  // namespace petrel::arch
