#include "petrel/xen/vchan_layout.h"

namespace petrel::xen {

unsigned vchan_order_for(size_t min_bytes) {
  unsigned order = kVchanMinOrder;
  while (order < kVchanMaxOrder && (size_t{1} << order) < min_bytes) ++order;
  return order;
}

Result<VchanGeometry> vchan_geometry(uint16_t left_order, uint16_t right_order) {
  if (left_order < kVchanMinOrder || left_order > kVchanMaxOrder || right_order < kVchanMinOrder ||
      right_order > kVchanMaxOrder)
    return Error{Errc::kOutOfRange, "vchan: ring order out of range"};
  if (left_order <= 11 && left_order == right_order)
    return Error{Errc::kInvalid, "vchan: both in-page rings at the same offset"};
  VchanGeometry g{};
  g.left_order = left_order;
  g.right_order = right_order;
  g.left_pages = left_order >= 12 ? 1u << (left_order - 12) : 0;
  g.right_pages = right_order >= 12 ? 1u << (right_order - 12) : 0;
  g.left_offset = left_order <= 11 ? size_t{1} << left_order : 0;
  g.right_offset = right_order <= 11 ? size_t{1} << right_order : 0;
  // The grant list must end before the first in-page ring.
  size_t limit = kVchanPageSize;
  if (g.left_offset != 0 && g.left_offset < limit) limit = g.left_offset;
  if (g.right_offset != 0 && g.right_offset < limit) limit = g.right_offset;
  const size_t grants_end =
      sizeof(VchanShared) + (size_t{g.left_pages} + g.right_pages) * sizeof(uint32_t);
  if (grants_end > limit) return Error{Errc::kOutOfRange, "vchan: grant list overlaps a ring"};
  return g;
}

}  // namespace petrel::xen
