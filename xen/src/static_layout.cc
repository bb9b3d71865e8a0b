// Static channels' regions and layout (petrel/xen/static_layout.h).
#include "petrel/xen/static_layout.h"

#include "petrel/string.h"

namespace petrel::xen {
namespace {

constexpr uint64_t kPage = kVchanPageSize;

bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size) {
  return a < b + b_size && b < a + a_size;
}

}  // namespace

Result<StaticRegion> find_static_region(const Fdt& fdt, const char* id, const BoardInfo& board) {
  auto parent = fdt.find("/reserved-memory");
  if (!parent)
    return Error{Errc::kNotFound,
                 "static channel: no /reserved-memory node: Xen gave this guest no static shared "
                 "memory (it needs a Xen built with CONFIG_STATIC_SHM: petrel run --xen rt)"};
  for (auto n = fdt.first_child(*parent); n; n = fdt.next_sibling(*n)) {
    if (!fdt.is_compatible(*n, "xen,shared-memory-v1")) continue;
    auto name = fdt.read_string(*n, "xen,id");
    if (!name || str::compare_strings(*name, id) != 0) continue;
    auto reg = fdt.read_reg(*n, 0);
    if (!reg) return Error{Errc::kInvalid, "static channel: the region's reg is malformed"};
    if (reg->size == 0) return Error{Errc::kInvalid, "static channel: the region is empty"};
    if (reg->base % kPage != 0 || reg->size % kPage != 0)
      return Error{Errc::kInvalid, "static channel: the region is not 4 KiB aligned"};
    if (reg->base + reg->size < reg->base)
      return Error{Errc::kOutOfRange, "static channel: the region wraps around"};
    for (size_t i = 0; i < board.memory_count; ++i)
      if (overlaps(reg->base, reg->size, board.memory[i].base, board.memory[i].size))
        return Error{Errc::kInvalid, "static channel: the region overlaps the guest's RAM"};
    return StaticRegion{reg->base, reg->size};
  }
  return Error{Errc::kNotFound,
               "static channel: no /reserved-memory region has this channel's xen,id: Xen gave "
               "this guest no shared memory for it (it needs a Xen built with CONFIG_STATIC_SHM: "
               "petrel run --xen rt)"};
}

Result<VchanGeometry> static_geometry_for(uint64_t size) {
  if (size < kPage || size % kPage != 0)
    return Error{Errc::kInvalid, "static channel: a region is whole 4 KiB pages"};
  const uint64_t pages = size / kPage;
  unsigned order = 0;
  // The largest 2^k pages per direction with both rings and page 0 inside.
  for (unsigned o = 12; o <= kVchanMaxOrder; ++o)
    if (1 + 2 * (uint64_t{1} << (o - 12)) <= pages) order = o;
  if (order == 0) return vchan_geometry(10, 11);  // both rings inside page 0
  return vchan_geometry(static_cast<uint16_t>(order), static_cast<uint16_t>(order));
}

Result<VchanGeometry> check_static_geometry(uint16_t left_order, uint16_t right_order,
                                            uint32_t region_pages, uint64_t size) {
  if (size % kPage != 0 || region_pages != size / kPage)
    return Error{Errc::kInvalid,
                 "static channel: the owner's region size differs from ours (the two ends were "
                 "given different regions)"};
  auto geo = vchan_geometry(left_order, right_order);
  if (!geo) return geo.error();
  if (1 + uint64_t{geo->left_pages} + geo->right_pages > region_pages)
    return Error{Errc::kOutOfRange, "static channel: the owner's rings do not fit the region"};
  return geo;
}

RingPlacement static_rings(void* base, const VchanGeometry& geo) {
  char* b = static_cast<char*>(base);
  return RingPlacement{
      geo.left_pages != 0 ? b + kPage : b + geo.left_offset,
      geo.right_pages != 0 ? b + (1 + size_t{geo.left_pages}) * kPage : b + geo.right_offset};
}

}  // namespace petrel::xen
