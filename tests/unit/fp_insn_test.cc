// Recognizing VFP/NEON instructions (AArch32's lazy FP trap): encodings as
// GNU as assembles them for -march=armv7ve -mfpu=neon-vfpv4.
#include "arch/fp_insn.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace petrel::arch {
namespace {

struct Case {
  uint32_t insn;
  const char* text;
};

TEST(FpInsn, ArmVfpAndNeonAreRecognized) {
  const Case fp[] = {
      {0xee310b02, "vadd.f64 d0, d1, d2"},  {0xed903b02, "vldr d3, [r0, #8]"},
      {0xeca18b10, "vstmia r1!, {d8-d15}"}, {0xec510b15, "vmov r0, r1, d5"},
      {0xeef12a10, "vmrs r2, fpscr"},       {0xee003a10, "vmov s0, r3"},
      {0xf2220844, "vadd.i32 q0, q1, q2"},  {0xf4200a8f, "vld1.32 {d0-d1}, [r0]"},
      {0xf401270d, "vst1.8 {d2}, [r1]!"},   {0xeeb80ae0, "vcvt.f32.s32 s0, s1"},
  };
  for (const Case& c : fp) EXPECT_TRUE(is_fp_simd_instruction(c.insn, false)) << c.text;
}

TEST(FpInsn, OtherArmInstructionsAreNot) {
  const Case other[] = {
      {0xe0810002, "add r0, r1, r2"},
      {0xe5910004, "ldr r0, [r1, #4]"},
      {0xee110f10, "mrc p15, 0, r0, c1, c0, 0 (coprocessor 15)"},
      {0xec410f02, "mcrr p15, 0, r0, r1, c2"},
      {0xe7f000f0, "udf #0"},
      {0xf5d0f000, "pld [r0] (unconditional space, not SIMD)"},
      {0xfe000a00, "cdp2-like unconditional coprocessor 10 space"},
  };
  for (const Case& c : other) EXPECT_FALSE(is_fp_simd_instruction(c.insn, false)) << c.text;
}

TEST(FpInsn, ThumbVfpAndNeonAreRecognized) {
  const Case fp[] = {
      {0xee310b02, "vadd.f64 d0, d1, d2"},   {0xed903b02, "vldr d3, [r0, #8]"},
      {0xeef12a10, "vmrs r2, fpscr"},        {0xef220844, "vadd.i32 q0, q1, q2"},
      {0xf9200a8f, "vld1.32 {d0-d1}, [r0]"}, {0xec510b15, "vmov r0, r1, d5"},
  };
  for (const Case& c : fp) EXPECT_TRUE(is_fp_simd_instruction(c.insn, true)) << c.text;
}

TEST(FpInsn, OtherThumbInstructionsAreNot) {
  const Case other[] = {
      {0x18880000, "adds r0, r1, r2 (16-bit)"},
      {0xde000000, "udf #0 (16-bit)"},
      {0xf8d10004, "ldr.w r0, [r1, #4]"},
      {0xee110f10, "mrc p15, 0, r0, c1, c0, 0"},
      {0xf7fffffe, "bl"},
      {0xf890f000, "pld [r0]"},
  };
  for (const Case& c : other) EXPECT_FALSE(is_fp_simd_instruction(c.insn, true)) << c.text;
}

TEST(FpInsn, ThumbInstructionLength) {
  EXPECT_TRUE(thumb_is_32bit(0xe800));
  EXPECT_TRUE(thumb_is_32bit(0xf000));
  EXPECT_TRUE(thumb_is_32bit(0xf800));
  EXPECT_FALSE(thumb_is_32bit(0xe7fe));  // b.n
  EXPECT_FALSE(thumb_is_32bit(0xde00));  // udf
  EXPECT_FALSE(thumb_is_32bit(0x1888));
}

}  // namespace
}  // namespace petrel::arch
