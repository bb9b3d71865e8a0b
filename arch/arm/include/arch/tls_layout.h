// Thread-local storage layout on ARM, pure arithmetic (host-tested).
//
// AArch64 and AArch32 both use ELF TLS "variant 1": the thread pointer
// (TPIDR_EL0, TPIDRURO) points at a thread control block of kTcbSize bytes
// (16 on AArch64, 8 on AArch32, arch/context.h) that Petrel leaves unused,
// and the image's TLS segment follows at the first multiple of the
// segment's alignment. Code linked into a static image (local-exec model)
// reads variable v at
//
//     tp + round_up(tcb, align) + offset of v in the segment
//
// so each task's copy is one block, carved from the top of its stack
// (context_init) and laid out as
//
//     tp -> [tcb][pad][.tdata copy][pad][.tbss zeros]
//
// .tdata is copied from the image's template; .tbss (at tbss_offset in the
// segment, after alignment padding) is zeroed.
#pragma once

#include <stddef.h>

namespace petrel::arch {

// What the linker says about the image's TLS segment (guest.ld).
struct TlsImage {
  size_t tdata_size;   // initialized part (the template's size)
  size_t tbss_offset;  // where the zero part starts in the segment
  size_t tbss_size;    // zero part
  size_t align;        // the segment's alignment (a power of two, or 0/1)
};

struct TlsLayout {
  size_t align;        // tp's alignment: the segment's, at least 16
  size_t data_offset;  // from tp to the segment
  size_t size;         // from tp to the segment's end (0: the image has no TLS)
  size_t reserve;      // bytes to set aside for a block at any 16-aligned top
};

constexpr size_t tls_round_up(size_t n, size_t align) {
  return (n + align - 1) & ~(align - 1);
}

constexpr TlsLayout tls_layout(const TlsImage& image, size_t tcb_size) {
  const size_t segment =
      image.tbss_size == 0 ? image.tdata_size : image.tbss_offset + image.tbss_size;
  if (segment == 0) return TlsLayout{16, 0, 0, 0};
  const size_t align = image.align > 16 ? image.align : 16;
  const size_t data_offset = tls_round_up(tcb_size, image.align > 1 ? image.align : 1);
  const size_t size = data_offset + segment;
  // Carving at align_down(top - size, align) from a 16-aligned top uses at
  // most size + (align - 16) bytes, rounded to 16.
  return TlsLayout{align, data_offset, size, tls_round_up(size, 16) + (align - 16)};
}

}  // namespace petrel::arch
