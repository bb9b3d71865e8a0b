#include "devicetree.h"

#include <libfdt.h>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace petrel::tool {
namespace {

std::string fdt_failure(const char* what, int err) {
  return std::string("device tree: ") + what + ": " + fdt_strerror(err);
}

// The board's tree, opened for editing with room to grow, with Xen's
// /chosen properties set. `error` is set on failure.
struct EditableTree {
  std::vector<char> dt;
  int chosen = -1;
  std::string error;
  void* fdt() { return dt.data(); }
};

EditableTree open_for_xen(const std::string& board_dtb, const std::string& xen_bootargs) {
  EditableTree t;
  std::ifstream in(board_dtb, std::ios::binary);
  std::vector<char> board((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (board.empty()) {
    t.error = "device tree: cannot read " + board_dtb;
    return t;
  }
  if (int err = fdt_check_header(board.data()); err != 0) {
    t.error = fdt_failure(board_dtb.c_str(), err);
    return t;
  }
  t.dt.resize(board.size() + 64 * 1024);
  void* fdt = t.fdt();
  if (int err = fdt_open_into(board.data(), fdt, static_cast<int>(t.dt.size())); err != 0) {
    t.error = fdt_failure("open", err);
    return t;
  }
  int chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen < 0) chosen = fdt_add_subnode(fdt, 0, "chosen");
  if (chosen < 0) {
    t.error = fdt_failure("/chosen", chosen);
    return t;
  }
  int err = fdt_setprop_u32(fdt, chosen, "#address-cells", 2);
  if (err == 0) err = fdt_setprop_u32(fdt, chosen, "#size-cells", 2);
  if (err == 0) err = fdt_setprop_string(fdt, chosen, "xen,xen-bootargs", xen_bootargs.c_str());
  if (err != 0) {
    t.error = fdt_failure("/chosen properties", err);
    return t;
  }
  t.chosen = chosen;
  return t;
}

// Marks the nodes `paths` xen,passthrough: not dom0's, for a guest.
std::string mark_passthrough(void* fdt, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    const int node = fdt_path_offset(fdt, path.c_str());
    if (node < 0) return fdt_failure(path.c_str(), node);
    if (int e = fdt_setprop_empty(fdt, node, "xen,passthrough"); e != 0)
      return fdt_failure(path.c_str(), e);
  }
  return "";
}

std::string pack_and_write(EditableTree* t, const std::string& out_dtb) {
  void* fdt = t->fdt();
  if (int e = fdt_pack(fdt); e != 0) return fdt_failure("pack", e);
  std::ofstream out(out_dtb, std::ios::binary);
  out.write(t->dt.data(), static_cast<std::streamsize>(fdt_totalsize(fdt)));
  if (!out) return "device tree: cannot write " + out_dtb;
  return "";
}

}  // namespace

std::string make_run_device_tree(const std::string& board_dtb, const std::string& out_dtb,
                                 const std::string& xen_bootargs,
                                 const std::vector<GuestSpec>& guests) {
  EditableTree tree = open_for_xen(board_dtb, xen_bootargs);
  if (!tree.error.empty()) return tree.error;
  void* fdt = tree.fdt();
  const int chosen = tree.chosen;
  int err = 0;
  auto check = [&err](int r) {
    if (err == 0 && r < 0) err = r;
  };

  // Every static event channel's node gets a phandle, so the other end can
  // name it: numbered from above the board's own.
  uint32_t max_phandle = 0;
  if (int e = fdt_find_max_phandle(fdt, &max_phandle); e != 0) return fdt_failure("phandles", e);
  auto phandle_of = [&](size_t guest, uint32_t port) -> uint32_t {
    uint32_t n = max_phandle;
    for (size_t g = 0; g < guests.size(); ++g)
      for (const auto& ev : guests[g].evtchns) {
        ++n;
        if (g == guest && ev.local_port == port) return n;
      }
    return 0;
  };

  static const char kDomainCompat[] = "xen,domain";
  static const char kKernelCompat[] = "multiboot,kernel\0multiboot,module";
  static const char kEvtchnCompat[] = "xen,evtchn-v1";
  static const char kShmCompat[] = "xen,domain-shared-memory-v1";
  static const char kPartialCompat[] = "multiboot,device-tree\0multiboot,module";
  // fdt_add_subnode() makes each new node the first child, and Xen creates
  // domains in tree order: add the guests last to first so that guest i
  // becomes domain i + 1.
  for (size_t i = guests.size(); i-- > 0;) {
    const GuestSpec& g = guests[i];
    std::string node_name = "domU" + std::to_string(i + 1);
    int dom = fdt_add_subnode(fdt, chosen, node_name.c_str());
    if (dom < 0) return fdt_failure(node_name.c_str(), dom);
    check(fdt_setprop(fdt, dom, "compatible", kDomainCompat, sizeof kDomainCompat));
    check(fdt_setprop_u32(fdt, dom, "#address-cells", 2));
    check(fdt_setprop_u32(fdt, dom, "#size-cells", 2));
    check(fdt_setprop_u64(fdt, dom, "memory", g.memory_mib * 1024));  // <0 KiB>
    check(fdt_setprop_u32(fdt, dom, "cpus", 1));
    if (g.vpl011) check(fdt_setprop_empty(fdt, dom, "vpl011"));
    if (err != 0) return fdt_failure(node_name.c_str(), err);

    char module_name[32];
    std::snprintf(module_name, sizeof module_name, "module@%llx",
                  static_cast<unsigned long long>(g.load_address));
    int mod = fdt_add_subnode(fdt, dom, module_name);
    if (mod < 0) return fdt_failure(module_name, mod);
    check(fdt_setprop(fdt, mod, "compatible", kKernelCompat, sizeof kKernelCompat));
    check(fdt_setprop_u64(fdt, mod, "reg", g.load_address));
    check(fdt_appendprop_u64(fdt, mod, "reg", g.size));
    if (!g.bootargs.empty()) check(fdt_setprop_string(fdt, mod, "bootargs", g.bootargs.c_str()));
    if (err != 0) return fdt_failure(module_name, err);
    if (g.partial_dtb.size != 0) {
      std::snprintf(module_name, sizeof module_name, "module@%llx",
                    static_cast<unsigned long long>(g.partial_dtb.address));
      const int part = fdt_add_subnode(fdt, dom, module_name);
      if (part < 0) return fdt_failure(module_name, part);
      check(fdt_setprop(fdt, part, "compatible", kPartialCompat, sizeof kPartialCompat));
      check(fdt_setprop_u64(fdt, part, "reg", g.partial_dtb.address));
      check(fdt_appendprop_u64(fdt, part, "reg", g.partial_dtb.size));
      if (err != 0) return fdt_failure(module_name, err);
    }

    for (const StaticEvtchnSpec& ev : g.evtchns) {
      const uint32_t peer = phandle_of(ev.peer, ev.peer_port);
      if (ev.peer >= guests.size() || peer == 0)
        return "device tree: " + node_name + "'s event channel " + std::to_string(ev.local_port) +
               " names no port of another guest";
      const std::string name = "evtchn@" + std::to_string(ev.local_port);
      const int node = fdt_add_subnode(fdt, dom, name.c_str());
      if (node < 0) return fdt_failure(name.c_str(), node);
      check(fdt_setprop(fdt, node, "compatible", kEvtchnCompat, sizeof kEvtchnCompat));
      check(fdt_setprop_u32(fdt, node, "phandle", phandle_of(i, ev.local_port)));
      check(fdt_setprop_u32(fdt, node, "xen,evtchn", ev.local_port));
      check(fdt_appendprop_u32(fdt, node, "xen,evtchn", peer));
      if (err != 0) return fdt_failure(name.c_str(), err);
    }
    for (const StaticShmSpec& shm : g.shms) {
      char name[32];
      std::snprintf(name, sizeof name, "shm@%llx",
                    static_cast<unsigned long long>(shm.guest_address));
      const int node = fdt_add_subnode(fdt, dom, name);
      if (node < 0) return fdt_failure(name, node);
      check(fdt_setprop(fdt, node, "compatible", kShmCompat, sizeof kShmCompat));
      check(fdt_setprop_string(fdt, node, "role", shm.owner ? "owner" : "borrower"));
      check(fdt_setprop_string(fdt, node, "xen,shm-id", shm.id.c_str()));
      check(fdt_setprop_u64(fdt, node, "xen,shared-mem", shm.host_address));
      check(fdt_appendprop_u64(fdt, node, "xen,shared-mem", shm.guest_address));
      check(fdt_appendprop_u64(fdt, node, "xen,shared-mem", shm.size));
      if (err != 0) return fdt_failure(name, err);
    }
  }
  for (const GuestSpec& g : guests)
    if (std::string e = mark_passthrough(fdt, g.passthrough_paths); !e.empty()) return e;
  return pack_and_write(&tree, out_dtb);
}

std::string make_dom0_device_tree(const std::string& board_dtb, const std::string& out_dtb,
                                  const std::string& xen_bootargs, const std::string& dom0_bootargs,
                                  BootModule kernel, BootModule ramdisk,
                                  const std::vector<std::string>& passthrough_paths) {
  EditableTree tree = open_for_xen(board_dtb, xen_bootargs);
  if (!tree.error.empty()) return tree.error;
  void* fdt = tree.fdt();
  int err = fdt_setprop_string(fdt, tree.chosen, "xen,dom0-bootargs", dom0_bootargs.c_str());
  if (err != 0) return fdt_failure("xen,dom0-bootargs", err);

  static const char kKernelCompat[] = "multiboot,kernel\0multiboot,module";
  static const char kRamdiskCompat[] = "multiboot,ramdisk\0multiboot,module";
  // Added last to first: fdt_add_subnode() puts each new node first.
  const struct {
    BootModule m;
    const char* compat;
    size_t compat_size;
  } modules[] = {{ramdisk, kRamdiskCompat, sizeof kRamdiskCompat},
                 {kernel, kKernelCompat, sizeof kKernelCompat}};
  for (const auto& mod : modules) {
    char name[32];
    std::snprintf(name, sizeof name, "module@%llx", static_cast<unsigned long long>(mod.m.address));
    const int node = fdt_add_subnode(fdt, tree.chosen, name);
    if (node < 0) return fdt_failure(name, node);
    err = fdt_setprop(fdt, node, "compatible", mod.compat, static_cast<int>(mod.compat_size));
    if (err == 0) err = fdt_setprop_u64(fdt, node, "reg", mod.m.address);
    if (err == 0) err = fdt_appendprop_u64(fdt, node, "reg", mod.m.size);
    if (err != 0) return fdt_failure(name, err);
  }
  if (std::string e = mark_passthrough(fdt, passthrough_paths); !e.empty()) return e;
  return pack_and_write(&tree, out_dtb);
}

}  // namespace petrel::tool
