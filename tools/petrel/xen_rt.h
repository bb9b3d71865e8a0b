// The Xen a run boots (xen_options.h): Debian's prebuilt hypervisor, or Xen
// 4.17 built for real time from Debian's own source package (`apt-get
// source xen`, through a private apt configuration so the system's sources
// are left alone) with the null, RTDS and ARINC653 schedulers, static memory
// and static shared memory: only the hypervisor, cross-compiled for arm64
// into $PETREL_CACHE/xen-4.17-rt. Nothing of it runs on the host; QEMU
// boots the image.
#pragma once

#include <filesystem>
#include <optional>

#include "setup.h"
#include "xen_options.h"

namespace petrel::tool {

// The hypervisor image of `build`, fetched or built first if the cache does
// not have it (under a lock, so parallel runs build it once). On failure
// says what is missing and how to get it, and returns nothing.
std::optional<std::filesystem::path> ensure_xen_image(const Paths& paths, XenBuild build);

}  // namespace petrel::tool
