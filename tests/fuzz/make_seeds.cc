// The device-tree seeds of the fdt and board fuzz targets, written with
// libfdt's sequential-write calls when the fuzz build is built (so the
// project keeps their source, not compiled blobs):
//   - gicv3-guest: a dom0less guest's tree as Xen 4.17 builds it on a GICv3
//     board (written by hand after one);
//   - gicv2-vpl011: a dom0less guest on a GICv2 board with Xen's vpl011 UART
//     (two-cell addresses and sizes at the root, two memory banks, a memory
//     reservation).
// make_seeds OUT writes OUT/board/NAME (the blob) and OUT/fdt/NAME (the
// blob after the fdt target's first byte, the misalignment it reads it at:
// 0, and 1 for gicv3-guest-unaligned). Exits non-zero, naming the failing
// call, if libfdt refuses one.
#include <libfdt.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace {

using Blob = std::vector<uint8_t>;

class Tree {
 public:
  Tree() : buf_(64 * 1024) {
    check(fdt_create(buf_.data(), static_cast<int>(buf_.size())), "create");
  }
  Tree& reserve(uint64_t address, uint64_t size) {
    check(fdt_add_reservemap_entry(buf_.data(), address, size), "reservemap entry");
    return *this;
  }
  Tree& begin(const char* name) {
    if (!reserved_) {
      check(fdt_finish_reservemap(buf_.data()), "finish reservemap");
      reserved_ = true;
    }
    check(fdt_begin_node(buf_.data(), name), name);
    return *this;
  }
  Tree& end() {
    check(fdt_end_node(buf_.data()), "end node");
    return *this;
  }
  Tree& empty(const char* name) {
    check(fdt_property(buf_.data(), name, nullptr, 0), name);
    return *this;
  }
  Tree& str(const char* name, const char* value) {
    check(fdt_property_string(buf_.data(), name, value), name);
    return *this;
  }
  Tree& strs(const char* name, std::initializer_list<const char*> values) {
    std::string all;
    for (const char* v : values) all.append(v, std::strlen(v) + 1);
    check(fdt_property(buf_.data(), name, all.data(), static_cast<int>(all.size())), name);
    return *this;
  }
  Tree& cells(const char* name, std::initializer_list<uint32_t> values) {
    std::vector<fdt32_t> be;
    for (uint32_t v : values) be.push_back(cpu_to_fdt32(v));
    check(fdt_property(buf_.data(), name, be.data(), static_cast<int>(be.size() * 4)), name);
    return *this;
  }
  Blob finish() {
    check(fdt_finish(buf_.data()), "finish");
    return Blob(buf_.begin(), buf_.begin() + fdt_totalsize(buf_.data()));
  }

 private:
  static void check(int rc, const char* what) {
    if (rc == 0) return;
    std::fprintf(stderr, "make_seeds: libfdt refused %s: %s\n", what, fdt_strerror(rc));
    std::exit(1);
  }
  Blob buf_;
  bool reserved_ = false;
};

constexpr uint32_t kGicPhandle = 0xfde8;

Blob gicv3_guest() {
  Tree t;
  t.begin("")
      .cells("#address-cells", {2})
      .cells("#size-cells", {1})
      .strs("compatible", {"xen,dom0less", "xen,xenvm"})
      .cells("interrupt-parent", {kGicPhandle});
  t.begin("chosen").str("bootargs", "greeting=from-the-seed console=hvc0").end();
  t.begin("cpus").cells("#address-cells", {1}).cells("#size-cells", {0});
  t.begin("cpu@0")
      .str("device_type", "cpu")
      .str("compatible", "arm,armv8")
      .str("enable-method", "psci")
      .cells("reg", {0})
      .end();
  t.end();
  t.begin("psci")
      .strs("compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"})
      .str("method", "hvc")
      .end();
  t.begin("memory@40000000")
      .str("device_type", "memory")
      .cells("reg", {0x0, 0x40000000, 0x4000000})
      .end();
  t.begin("interrupt-controller@3001000")
      .str("compatible", "arm,gic-v3")
      .cells("#interrupt-cells", {3})
      .cells("#address-cells", {2})
      .cells("#size-cells", {2})
      .empty("interrupt-controller")
      .cells("redistributor-stride", {0x20000})
      .cells("#redistributor-regions", {1})
      .cells("reg", {0x0, 0x3001000, 0x10000, 0x0, 0x3020000, 0x20000})
      .cells("phandle", {kGicPhandle})
      .cells("linux,phandle", {kGicPhandle})
      .end();
  t.begin("timer")
      .str("compatible", "arm,armv8-timer")
      .cells("interrupts", {1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08})
      .cells("interrupt-parent", {kGicPhandle})
      .cells("clock-frequency", {62500000})
      .end();
  t.begin("hypervisor")
      .strs("compatible", {"xen,xen-4.17", "xen,xen"})
      .cells("reg", {0x0, 0x38000000, 0x1000000})
      .cells("interrupts", {1, 15, 0xf08})
      .cells("interrupt-parent", {kGicPhandle})
      .end();
  t.end();
  return t.finish();
}

Blob gicv2_vpl011() {
  Tree t;
  t.reserve(0x48000000, 0x1000);
  t.begin("").cells("#address-cells", {2}).cells("#size-cells", {2}).cells("interrupt-parent", {1});
  t.begin("chosen").str("stdout-path", "/sbsa-uart@22000000").end();
  t.begin("memory@40000000")
      .str("device_type", "memory")
      .cells("reg", {0x0, 0x40000000, 0x0, 0x2000000, 0x2, 0x0, 0x0, 0x1000000})
      .end();
  t.begin("interrupt-controller@3001000")
      .strs("compatible", {"arm,gic-400", "arm,cortex-a15-gic"})
      .cells("#interrupt-cells", {3})
      .empty("interrupt-controller")
      .cells("reg", {0x0, 0x3001000, 0x0, 0x1000, 0x0, 0x3002000, 0x0, 0x2000})
      .cells("phandle", {1})
      .end();
  t.begin("timer")
      .str("compatible", "arm,armv7-timer")
      .cells("interrupts", {1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08})
      .end();
  t.begin("sbsa-uart@22000000")
      .str("compatible", "arm,sbsa-uart")
      .cells("reg", {0x0, 0x22000000, 0x0, 0x1000})
      .cells("interrupts", {0, 0, 4})
      .cells("interrupt-parent", {1})
      .end();
  t.end();
  return t.finish();
}

// Writes `blob` to `path`, after the byte `prefix` when there is one (0-255).
void write(const std::filesystem::path& path, const Blob& blob, int prefix = -1) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (prefix >= 0) out.put(static_cast<char>(prefix));
  out.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size()));
  if (!out) {
    std::fprintf(stderr, "make_seeds: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUT\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::error_code ec;
  for (const char* dir : {"board", "fdt"}) {
    std::filesystem::create_directories(out / dir, ec);
    if (ec) {
      std::fprintf(stderr, "make_seeds: cannot create %s: %s\n", (out / dir).c_str(),
                   ec.message().c_str());
      return 1;
    }
  }
  const Blob v3 = gicv3_guest();
  const Blob v2 = gicv2_vpl011();
  write(out / "board" / "gicv3-guest", v3);
  write(out / "board" / "gicv2-vpl011", v2);
  write(out / "fdt" / "gicv3-guest", v3, 0);
  write(out / "fdt" / "gicv3-guest-unaligned", v3, 1);
  write(out / "fdt" / "gicv2-vpl011", v2, 0);
  return 0;
}
