// Static channels (static_channel.h): where a guest finds its shared region,
// and how a channel lays itself out in it. Pure code, unit-tested on the
// host.
//
// The region. For each static shared memory of the domain, Xen (4.17, built
// with CONFIG_STATIC_SHM) adds `/reserved-memory/xen-shmem@ADDR` to the
// guest's device tree: compatible "xen,shared-memory-v1", `reg` (the
// guest-physical range, in /reserved-memory's cells) and `xen,id` (the
// xen,shm-id the integrator gave the region: the channel's name). The
// region is checked before it is mapped: 4 KiB aligned, not empty, not
// wrapping, and clear of the guest's RAM.
//
// The layout, the same as a vchan's shared page (vchan_layout.h) so that
// one ring implementation serves both:
//   page 0: VchanShared (ring indices, orders, liveness, notify bits), then
//           a StaticHeader at offset 24 (magic, version, the region's size
//           in pages), written by the region's owner; the owner's magic is
//           stored last, so a borrower that sees it sees the rest;
//   rings:  a 4 KiB or 8 KiB region keeps both rings inside page 0 (orders
//           10 and 11, at offsets 1024 and 2048); a larger one gives each
//           direction 2^k pages, the left ring's from page 1, the right's
//           right after.
// The owner is the vchan "server" (it reads the left ring), the borrower the
// "client". What a borrower reads from page 0 is untrusted: the orders are
// checked against the region's size once, the indices at every access.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/board.h"
#include "petrel/fdt.h"
#include "petrel/result.h"
#include "petrel/xen/vchan_layout.h"

namespace petrel::xen {

struct StaticRegion {
  uint64_t base;  // guest-physical
  uint64_t size;
};

// The region named `id` in the guest's device tree, checked against the RAM
// of `board`.
Result<StaticRegion> find_static_region(const Fdt& fdt, const char* id, const BoardInfo& board);

struct StaticHeader {
  uint32_t magic;
  uint32_t version;
  uint32_t region_pages;
  uint32_t reserved;
};
inline constexpr size_t kStaticHeaderOffset = sizeof(VchanShared);
inline constexpr uint32_t kStaticMagic = 0x5045'4331;  // "PEC1"
inline constexpr uint32_t kStaticVersion = 1;

inline StaticHeader* static_header(void* page0) {
  return reinterpret_cast<StaticHeader*>(static_cast<char*>(page0) + kStaticHeaderOffset);
}

// The geometry an owner gives a region of `size` bytes (4 KiB aligned, at
// least 4 KiB): the largest equal ring pair that fits, up to
// kVchanMaxOrder.
Result<VchanGeometry> static_geometry_for(uint64_t size);

// A borrower's check of the orders an owner wrote (read once from page 0)
// against the region's size: what vchan_geometry() checks, and every ring
// page inside the region. `region_pages` is what the owner wrote into the
// header, which must agree with the region the borrower was given.
Result<VchanGeometry> check_static_geometry(uint16_t left_order, uint16_t right_order,
                                            uint32_t region_pages, uint64_t size);

// Where the rings of `geo` start in the region at `base`.
struct RingPlacement {
  char* left;
  char* right;
};
RingPlacement static_rings(void* base, const VchanGeometry& geo);

}  // namespace petrel::xen
