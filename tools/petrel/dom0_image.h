// dom0 for `petrel run --dom0`: Debian's arm64 Linux kernel and an initramfs
// with Xen's tools (xl, xenstored, xenconsoled, xenstore-*), their shared
// libraries, the kernel's Xen modules and busybox, built once from Debian's
// packages (`apt-get download`, `dpkg-deb -x`; nothing arm64 is run on the
// host) and kept in the cache: $PETREL_CACHE/dom0-FORMAT-xen-V-linux-V/.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "setup.h"

namespace petrel::tool {

struct Dom0Image {
  std::filesystem::path dir;
  std::filesystem::path kernel;     // dir/Image (Linux arm64 Image, uncompressed)
  std::filesystem::path initramfs;  // dir/initramfs.cpio.gz
  std::string versions;             // dir/versions: one "what: version" line per piece
};

// The cached dom0, built first if it is not there (unless installing is off:
// then an older cached one will do). On failure prints what is missing and
// how to get it, and returns nothing.
std::optional<Dom0Image> ensure_dom0(const Paths& paths);

}  // namespace petrel::tool
