// Devices of the emulated board given to a guest (`petrel run --passthrough
// pl061,pl031`, docs/passthrough.md): found in the board's own device tree,
// and described to Xen the way a dom0less system does it. The host node
// gets `xen,passthrough` (not for dom0), and the guest gets a partial
// device tree, a "multiboot,device-tree" module, whose /passthrough node
// holds each device with its registers, interrupt, `xen,reg` (the MMIO to
// map), `xen,path` (the host node) and `xen,force-assign-without-iommu`
// (QEMU's virt board has no IOMMU: the guest could make the device DMA
// anywhere, which Xen cannot stop; these two devices do no DMA). Pure
// functions over blobs, unit-tested on the host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace petrel::tool {

struct PassthroughDevice {
  std::string name;        // "pl061"
  std::string path;        // its node in the board's tree, "/pl061@9030000"
  std::string compatible;  // the node's compatible list, NULs included
  uint64_t base = 0;       // its registers (the first reg entry)
  uint64_t size = 0;
  uint32_t spi = 0;        // its interrupt: SPI number (GIC ID 32 + spi)
  uint32_t irq_flags = 0;  // the interrupt's trigger cell (4: level high)
};

// The devices Petrel has drivers for.
inline constexpr const char* kPassthroughNames[] = {"pl061", "pl031"};

// Splits "pl061,pl031" into names, each one of kPassthroughNames and given
// once; nothing, with *error, otherwise.
std::optional<std::vector<std::string>> parse_passthrough_list(const std::string& list,
                                                               std::string* error);

// The devices `names` in the board's device tree `board` (a blob): for
// NAME, the node compatible with "arm,NAME", with a 2-cell reg under the
// root and one SPI in its interrupts. Nothing, with *error naming the
// device and what is missing, otherwise.
std::optional<std::vector<PassthroughDevice>> find_passthrough_devices(
    const std::vector<char>& board, const std::vector<std::string>& names, std::string* error);

// The partial device tree of a guest that owns `devices` (a blob).
// `with_paths`: dom0less (Xen reads xen,reg, xen,path and the force flag);
// without: for xl's device_tree= (xl maps iomem= and routes irqs=, and
// copies /passthrough into the guest's tree).
std::vector<char> make_partial_device_tree(const std::vector<PassthroughDevice>& devices,
                                           bool with_paths);

// xl configuration lines that give `devices` to a guest whose partial
// device tree is at `partial_dtb` (in dom0): iomem=, irqs= and
// device_tree=.
std::string xl_passthrough_lines(const std::vector<PassthroughDevice>& devices,
                                 const std::string& partial_dtb);

}  // namespace petrel::tool
