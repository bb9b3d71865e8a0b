// Passthrough devices (passthrough.h).
#include "passthrough.h"

#include <libfdt.h>

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace petrel::tool {
namespace {

// Xen's phandle of the guest's GIC (GUEST_PHANDLE_GIC in its public
// headers), which a partial device tree's interrupts must name.
constexpr uint32_t kGuestGicPhandle = 65000;

uint32_t cell(const void* p, int i) {
  return fdt32_to_cpu(static_cast<const fdt32_t*>(p)[i]);
}

}  // namespace

std::optional<std::vector<std::string>> parse_passthrough_list(const std::string& list,
                                                               std::string* error) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    if (std::find(std::begin(kPassthroughNames), std::end(kPassthroughNames), name) ==
        std::end(kPassthroughNames)) {
      *error =
          "--passthrough: '" + name + "' is not a device Petrel has a driver for (pl061, pl031)";
      return std::nullopt;
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      *error = "--passthrough: " + name + " is given twice";
      return std::nullopt;
    }
    names.push_back(name);
    start = comma + 1;
  }
  return names;
}

std::optional<std::vector<PassthroughDevice>> find_passthrough_devices(
    const std::vector<char>& board, const std::vector<std::string>& names, std::string* error) {
  const void* fdt = board.data();
  if (board.size() < sizeof(fdt_header) || fdt_check_header(fdt) != 0 ||
      fdt_totalsize(fdt) > board.size()) {
    *error = "the board's device tree is malformed";
    return std::nullopt;
  }
  const int root_ac = fdt_address_cells(fdt, 0), root_sc = fdt_size_cells(fdt, 0);
  std::vector<PassthroughDevice> out;
  for (const std::string& name : names) {
    const std::string compat = "arm," + name;
    const int node = fdt_node_offset_by_compatible(fdt, -1, compat.c_str());
    if (node < 0) {
      *error = "the board has no " + name;
      *error += " (no node compatible with \"" + compat + "\")";
      return std::nullopt;
    }
    PassthroughDevice d;
    d.name = name;
    char path[256];
    if (fdt_get_path(fdt, node, path, sizeof path) != 0 || fdt_parent_offset(fdt, node) != 0) {
      *error = name + ": only a device directly under the root can be passed through";
      return std::nullopt;
    }
    d.path = path;
    int len = 0;
    const void* c = fdt_getprop(fdt, node, "compatible", &len);
    d.compatible.assign(static_cast<const char*>(c), static_cast<size_t>(len));
    const void* reg = fdt_getprop(fdt, node, "reg", &len);
    if (root_ac != 2 || root_sc != 2 || reg == nullptr || len < 16) {
      *error = name + ": no 2-cell reg (address and size) under the root";
      return std::nullopt;
    }
    d.base = (uint64_t{cell(reg, 0)} << 32) | cell(reg, 1);
    d.size = (uint64_t{cell(reg, 2)} << 32) | cell(reg, 3);
    const void* irq = fdt_getprop(fdt, node, "interrupts", &len);
    if (irq == nullptr || len < 12 || cell(irq, 0) != 0) {
      *error = name + ": its first interrupt is not a GIC SPI";
      return std::nullopt;
    }
    d.spi = cell(irq, 1);
    d.irq_flags = cell(irq, 2);
    if (d.size == 0 || d.base % 4096 != 0 || d.spi >= 988) {
      *error = name + ": its registers or its interrupt are out of range";
      return std::nullopt;
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<char> make_partial_device_tree(const std::vector<PassthroughDevice>& devices,
                                           bool with_paths) {
  std::vector<char> buf(16 * 1024);
  void* fdt = buf.data();
  int err = fdt_create(fdt, static_cast<int>(buf.size()));
  auto check = [&err](int r) {
    if (err == 0) err = r;
  };
  auto cells = [&](const char* prop, std::initializer_list<uint32_t> values) {
    std::vector<fdt32_t> be;
    for (uint32_t v : values) be.push_back(cpu_to_fdt32(v));
    check(fdt_property(fdt, prop, be.data(), static_cast<int>(be.size() * 4)));
  };
  auto hi = [](uint64_t v) { return static_cast<uint32_t>(v >> 32); };
  auto lo = [](uint64_t v) { return static_cast<uint32_t>(v); };
  check(fdt_finish_reservemap(fdt));
  check(fdt_begin_node(fdt, ""));
  check(fdt_property_u32(fdt, "#address-cells", 2));
  check(fdt_property_u32(fdt, "#size-cells", 2));
  check(fdt_begin_node(fdt, "passthrough"));
  check(fdt_property_string(fdt, "compatible", "simple-bus"));
  check(fdt_property(fdt, "ranges", nullptr, 0));
  check(fdt_property_u32(fdt, "#address-cells", 2));
  check(fdt_property_u32(fdt, "#size-cells", 2));
  for (const PassthroughDevice& d : devices) {
    char name[64];
    std::snprintf(name, sizeof name, "%s@%llx", d.name.c_str(),
                  static_cast<unsigned long long>(d.base));
    check(fdt_begin_node(fdt, name));
    check(fdt_property(fdt, "compatible", d.compatible.data(),
                       static_cast<int>(d.compatible.size())));
    cells("reg", {hi(d.base), lo(d.base), hi(d.size), lo(d.size)});
    cells("interrupts", {0, d.spi, d.irq_flags});
    check(fdt_property_u32(fdt, "interrupt-parent", kGuestGicPhandle));
    if (with_paths) {
      // Map the registers at the same guest-physical address.
      cells("xen,reg", {hi(d.base), lo(d.base), hi(d.size), lo(d.size), hi(d.base), lo(d.base)});
      check(fdt_property_string(fdt, "xen,path", d.path.c_str()));
      check(fdt_property(fdt, "xen,force-assign-without-iommu", nullptr, 0));
    }
    check(fdt_end_node(fdt));
  }
  check(fdt_end_node(fdt));
  check(fdt_end_node(fdt));
  check(fdt_finish(fdt));
  if (err != 0) return {};
  buf.resize(fdt_totalsize(fdt));
  return buf;
}

std::string xl_passthrough_lines(const std::vector<PassthroughDevice>& devices,
                                 const std::string& partial_dtb) {
  std::string iomem, irqs;
  for (const PassthroughDevice& d : devices) {
    char m[64];
    std::snprintf(m, sizeof m, "%s\"0x%llx,%llu\"", iomem.empty() ? "" : ", ",
                  static_cast<unsigned long long>(d.base >> 12),
                  static_cast<unsigned long long>((d.size + 4095) >> 12));
    iomem += m;
    irqs += (irqs.empty() ? "" : ", ") + std::to_string(32 + d.spi);
  }
  return "iomem = [" + iomem + "]\nirqs = [" + irqs + "]\ndevice_tree = \"" + partial_dtb + "\"\n";
}

}  // namespace petrel::tool
