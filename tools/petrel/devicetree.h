// The board's device tree with Xen's /chosen nodes added (edited with
// libfdt): Xen's own bootargs and one "xen,domain" node per dom0less guest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace petrel::tool {

struct GuestSpec {
  std::string name;       // shown in output
  std::string image;      // path of the .bin
  uint64_t load_address;  // where QEMU's loader puts the image
  uint64_t size;          // exact file size
  uint64_t memory_mib;
  bool vpl011;
  std::string bootargs;
};

// Reads `board_dtb` (dumped by QEMU), adds /chosen for Xen and the guests and
// writes `out_dtb`. Returns an error message, or "" on success.
std::string make_run_device_tree(const std::string& board_dtb, const std::string& out_dtb,
                                 const std::string& xen_bootargs,
                                 const std::vector<GuestSpec>& guests);

}  // namespace petrel::tool
