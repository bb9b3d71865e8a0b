// The shared libraries a set of ELF programs needs, found the way the
// dynamic loader finds them, in an unpacked tree of Debian packages (a
// "sysroot"). The ELF facts come from the host's `readelf -d -l -W`, which
// reads arm64 files as well as host ones: nothing is ever executed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

struct ElfDynamicInfo {
  std::vector<std::string> needed;   // DT_NEEDED sonames, in order
  std::vector<std::string> runpath;  // DT_RUNPATH, or else DT_RPATH, directories
  std::string interpreter;           // PT_INTERP ("/lib/ld-linux-aarch64.so.1"), or ""
};

// Parses the output of `readelf -d -l -W FILE`.
ElfDynamicInfo parse_readelf(std::string_view output);

struct LibraryClosure {
  // Paths relative to the sysroot ("lib/aarch64-linux-gnu/libc.so.6"): the
  // programs' interpreters and every library they need, directly or not,
  // each once, in the order found.
  std::vector<std::string> files;
  // "soname (needed by path)" for each library found nowhere.
  std::vector<std::string> missing;
};

// Resolves the libraries of `programs` (sysroot-relative paths). A soname is
// looked for in the needing file's runpath, then in `search_dirs`
// (sysroot-relative, e.g. "lib/aarch64-linux-gnu"). `inspect` gives a file's
// ELF facts (nothing: not an ELF file, or unreadable); `exists` tells
// whether a sysroot-relative path is there.
LibraryClosure resolve_library_closure(
    const std::vector<std::string>& programs, const std::vector<std::string>& search_dirs,
    const std::function<std::optional<ElfDynamicInfo>(const std::string&)>& inspect,
    const std::function<bool(const std::string&)>& exists);

}  // namespace petrel::tool
