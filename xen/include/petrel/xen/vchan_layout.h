// libxenvchan's shared page, as Petrel reads and writes it. Xen's public
// header io/libxenvchan.h describes it but includes <sys/types.h>, which a
// freestanding guest does not have, so the layout is restated here and a
// host unit test checks it against Xen's header field by field.
//
// The page starts with the two rings' indices ("left": the client writes,
// the server reads; "right": the server writes, the client reads), their
// sizes as orders (10: 1 KiB at offset 1024 of this page, 11: 2 KiB at
// offset 2048, 12 and up: 2^(order-12) separate pages whose grant references
// follow the header, left's first), the two ends' liveness and notification
// request bits. Pure: the checks a client applies to a page a peer made are
// unit-tested on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/result.h"

namespace petrel::xen {

struct VchanRingIndices {
  uint32_t cons;
  uint32_t prod;
};

struct VchanShared {
  VchanRingIndices left, right;
  uint16_t left_order, right_order;
  uint8_t cli_live, srv_live;      // 0: gone, 1: connected, 2: client not yet connected
  uint8_t cli_notify, srv_notify;  // kVchanNotify* bits: what that end must notify
  // Grant references of the ring pages follow (uint32_t each).
};
static_assert(sizeof(VchanShared) == 24);

inline constexpr uint8_t kVchanNotifyWrite = 0x1;  // notify after writing data
inline constexpr uint8_t kVchanNotifyRead = 0x2;   // notify after consuming data
inline constexpr size_t kVchanPageSize = 4096;
inline constexpr unsigned kVchanMinOrder = 10;
inline constexpr unsigned kVchanMaxOrder = 20;  // 1 MiB per direction (256 pages)

inline uint32_t* vchan_grants(VchanShared* page) {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(page) + sizeof(VchanShared));
}

struct VchanGeometry {
  unsigned left_order, right_order;
  unsigned left_pages, right_pages;  // separate pages (0 for an in-page ring)
  size_t left_offset, right_offset;  // in-page rings: offset in the shared page
};

// The ring order a server picks for at least `min_bytes` of buffer: 10 or
// 11 fit in the shared page (the two must differ), larger ones are pages.
unsigned vchan_order_for(size_t min_bytes);

// Checks orders read from a shared page (untrusted when a peer wrote them):
// each from 10 to kVchanMaxOrder, the two in-page rings at different
// offsets, and the grant list fitting between the header and the first
// in-page ring (or the page's end).
Result<VchanGeometry> vchan_geometry(uint16_t left_order, uint16_t right_order);

}  // namespace petrel::xen
