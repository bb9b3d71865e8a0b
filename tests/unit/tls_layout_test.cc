// The thread-local block layout (arch/arm/include/arch/tls_layout.h): where
// local-exec code finds the segment, and that the reserve always holds a
// block carved from any 16-aligned top.
#include "arch/tls_layout.h"

#include <gtest/gtest.h>

namespace petrel::arch {
namespace {

constexpr size_t kAarch64Tcb = 16;
constexpr size_t kAarch32Tcb = 8;

TEST(TlsLayout, NoThreadLocalsNeedsNothing) {
  const TlsLayout l = tls_layout(TlsImage{0, 0, 0, 1}, kAarch64Tcb);
  EXPECT_EQ(l.size, 0u);
  EXPECT_EQ(l.reserve, 0u);
}

TEST(TlsLayout, SegmentFollowsTheTcbAtItsAlignment) {
  // errno alone: 4 bytes of .tbss, aligned 4.
  TlsLayout l = tls_layout(TlsImage{0, 0, 4, 4}, kAarch64Tcb);
  EXPECT_EQ(l.data_offset, 16u);
  EXPECT_EQ(l.size, 20u);
  EXPECT_EQ(l.align, 16u);
  l = tls_layout(TlsImage{0, 0, 4, 4}, kAarch32Tcb);
  EXPECT_EQ(l.data_offset, 8u);
  EXPECT_EQ(l.size, 12u);
  // A segment aligned beyond the TCB starts at its alignment, as the
  // linker's TP-relative offsets assume (variant 1).
  l = tls_layout(TlsImage{8, 16, 100, 64}, kAarch32Tcb);
  EXPECT_EQ(l.data_offset, 64u);
  EXPECT_EQ(l.size, 64u + 116u);
  EXPECT_EQ(l.align, 64u);
}

TEST(TlsLayout, TdataOnlyAndTbssAfterPadding) {
  TlsLayout l = tls_layout(TlsImage{24, 24, 0, 8}, kAarch64Tcb);
  EXPECT_EQ(l.size, 16u + 24u);
  l = tls_layout(TlsImage{20, 24, 8, 8}, kAarch64Tcb);
  EXPECT_EQ(l.size, 16u + 32u);
}

TEST(TlsLayout, ReserveHoldsABlockCarvedFromAnyAlignedTop) {
  for (size_t tcb : {kAarch32Tcb, kAarch64Tcb}) {
    for (size_t align : {size_t{1}, size_t{4}, size_t{8}, size_t{16}, size_t{32}, size_t{128}}) {
      for (size_t bss : {size_t{1}, size_t{4}, size_t{120}, size_t{1035}}) {
        const TlsLayout l = tls_layout(TlsImage{0, 0, bss, align}, tcb);
        for (uintptr_t top = 0x10000; top < 0x10000 + 256; top += 16) {
          const uintptr_t tp = (top - l.size) & ~uintptr_t{l.align - 1};
          EXPECT_EQ(tp % l.align, 0u);
          EXPECT_GE(tp + l.reserve, top) << "tcb " << tcb << " align " << align << " bss " << bss;
          EXPECT_EQ(l.reserve % 16, 0u);
        }
      }
    }
  }
}

}  // namespace
}  // namespace petrel::arch
