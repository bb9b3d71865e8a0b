// Finding devices in the guest's device tree (petrel/drivers/device.h).
#include "petrel/drivers/device.h"

#include "arch/mmio.h"
#include "petrel/arch.h"
#include "petrel/fdt.h"
#include "petrel/guest.h"

namespace petrel::drivers {
namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Result<Device> find_device(const char* compatible) {
  auto fdt = Fdt::open(reinterpret_cast<const void*>(device_tree_address()), kMaxDeviceTreeSize);
  if (!fdt) return fdt.error();
  auto node = fdt->find_compatible(compatible);
  if (!node) return Error{Errc::kNotFound, "device: not in this guest's device tree"};
  auto reg = fdt->read_reg(*node, 0);
  if (!reg) return Error{Errc::kInvalid, "device: its reg is malformed"};
  if (reg->size == 0 || reg->base % 4096 != 0 || reg->base + reg->size < reg->base ||
      reg->base + reg->size - 1 > UINTPTR_MAX)
    return Error{Errc::kInvalid, "device: its registers are not a page-aligned range in reach"};
  auto irq = fdt->property(*node, "interrupts");
  if (!irq || irq->size < 12)
    return Error{Errc::kInvalid, "device: no interrupt (three GIC cells) in its node"};
  const uint32_t type = be32(irq->data), number = be32(irq->data + 4);
  if ((type == 0 && number >= 988) || (type == 1 && number >= 16) || type > 1)
    return Error{Errc::kInvalid, "device: its interrupt is not a GIC SPI or PPI"};
  Device d{static_cast<uintptr_t>(reg->base), static_cast<size_t>((reg->size + 4095) & ~4095ull),
           type == 0 ? 32 + number : 16 + number};
  if (Status s = arch::map_device_memory(d.base, d.size); !s) return s.error();
  return d;
}

Status check_primecell(const Device& d, uint32_t part) {
  if (d.size < 4096) return Error{Errc::kInvalid, "device: a PrimeCell has a 4 KiB frame"};
  auto id = [&](uintptr_t offset) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= (arch::mmio_read32(d.base + offset + 4 * i) & 0xff) << (8 * i);
    return v;
  };
  if (id(0xff0) != 0xb105f00d) return Error{Errc::kIo, "device: no PrimeCell ID at its registers"};
  if ((id(0xfe0) & 0xfff) != part)
    return Error{Errc::kIo, "device: a PrimeCell, but not the part this driver drives"};
  return ok();
}

}  // namespace petrel::drivers
