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
};

// Reads `board_dtb` (dumped by QEMU), adds /chosen for Xen and the guests and
// writes `out_dtb`. Returns an error message, or "" on success.
std::string make_run_device_tree(const std::string& board_dtb, const std::string& out_dtb,
                                 const std::string& xen_bootargs,
                                 const std::vector<GuestSpec>& guests);

// A boot module for dom0 (`petrel run --dom0`): where QEMU's loader puts a
// file, and its exact size.
struct BootModule {
  uint64_t address;
  uint64_t size;
};

// Reads `board_dtb`, adds /chosen for Xen with a dom0: Xen's and dom0's
// command lines, dom0's kernel ("multiboot,kernel") and initramfs
// ("multiboot,ramdisk") modules, and writes `out_dtb`. Returns an error
// message, or "" on success.
std::string make_dom0_device_tree(const std::string& board_dtb, const std::string& out_dtb,
                                  const std::string& xen_bootargs, const std::string& dom0_bootargs,
                                  BootModule kernel, BootModule ramdisk);

}  // namespace petrel::tool
