// The board's device tree with Xen's /chosen nodes added (edited with
// libfdt): Xen's own bootargs and one "xen,domain" node per dom0less guest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace petrel::tool {

// A static event channel of a dom0less guest (Xen's "xen,evtchn-v1" node):
// `local_port` here, bound to `peer_port` of guest `peer` (an index into the
// run's guests).
struct StaticEvtchnSpec {
  uint32_t local_port;
  size_t peer;
  uint32_t peer_port;
};

// A static shared-memory region of a dom0less guest (Xen's
// "xen,domain-shared-memory-v1" node), named `id` on both sides.
struct StaticShmSpec {
  std::string id;
  bool owner;
  uint64_t host_address;
  uint64_t guest_address;
  uint64_t size;
};

// A file QEMU's loader puts in memory for Xen (a boot module): where, and
// its exact size.
struct BootModule {
  uint64_t address = 0;
  uint64_t size = 0;
};

struct GuestSpec {
  std::string name;       // shown in output
  std::string image;      // path of the .bin
  uint64_t load_address;  // where QEMU's loader puts the image
  uint64_t size;          // exact file size
  uint64_t memory_mib;
  bool vpl011;
  std::string bootargs;
  std::vector<StaticEvtchnSpec> evtchns = {};
  std::vector<StaticShmSpec> shms = {};
  // Devices given to the guest (passthrough.h): their nodes in the board's
  // tree, marked xen,passthrough, and the guest's partial device tree
  // ("multiboot,device-tree"; size 0: none).
  std::vector<std::string> passthrough_paths = {};
  BootModule partial_dtb = {};
};

// Reads `board_dtb` (dumped by QEMU), adds /chosen for Xen and the guests and
// writes `out_dtb`. Returns an error message, or "" on success.
std::string make_run_device_tree(const std::string& board_dtb, const std::string& out_dtb,
                                 const std::string& xen_bootargs,
                                 const std::vector<GuestSpec>& guests);

// Reads `board_dtb`, adds /chosen for Xen with a dom0: Xen's and dom0's
// command lines, dom0's kernel ("multiboot,kernel") and initramfs
// ("multiboot,ramdisk") modules, marks the nodes `passthrough_paths`
// xen,passthrough (kept from dom0, for a guest's iomem= and irqs=), and
// writes `out_dtb`. Returns an error message, or "" on success.
std::string make_dom0_device_tree(const std::string& board_dtb, const std::string& out_dtb,
                                  const std::string& xen_bootargs, const std::string& dom0_bootargs,
                                  BootModule kernel, BootModule ramdisk,
                                  const std::vector<std::string>& passthrough_paths = {});

}  // namespace petrel::tool
