// Fuzz target: the device tree parser (lib/src/fdt.cc) on any blob. open()
// validates it; then every lookup and a Cursor pass must stay inside the
// blob (ASan: the blob is an exactly sized heap copy, at whatever alignment
// the input's first byte asks for, so both the aligned and the byte-by-byte
// readings are fuzzed).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_check.h"
#include "petrel/fdt.h"

using petrel::Fdt;
using petrel::fuzz::expect;

namespace {

// A pointer into the blob (or a static "" from the parser) for a name.
bool inside(const char* p, const uint8_t* blob, size_t size) {
  const auto* b = reinterpret_cast<const char*>(blob);
  return p != nullptr && ((p >= b && p < b + size) || *p == '\0');
}

void exercise(const Fdt& fdt, const uint8_t* blob, size_t size) {
  static constexpr const char* kPaths[] = {
      "/",  "/chosen", "/cpus/cpu@0", "/memory", "/hypervisor", "/timer", "/interrupt-controller",
      "//", "/a/b/c/d"};
  for (const char* path : kPaths) {
    auto n = fdt.find(path);
    if (n) {
      expect(inside(fdt.name(*n), blob, size), "node name inside the blob");
      (void)fdt.read_string(*n, "bootargs");
      (void)fdt.read_u32(*n, "#address-cells");
    }
  }
  uint32_t nodes = 0;
  fdt.for_each_node([&](Fdt::Node n) {
    if (++nodes > 64) return;  // enough lookups per input: each walks the tree
    expect(inside(fdt.name(n), blob, size), "node name inside the blob");
    for (const char* prop : {"reg", "compatible", "interrupts", "status"}) {
      auto p = fdt.property(n, prop);
      if (p && p->size != 0)
        expect(p->data >= blob && p->data + p->size <= blob + size, "property inside the blob");
    }
    for (size_t i = 0; i < 3; ++i) (void)fdt.read_reg(n, i);
    (void)fdt.is_compatible(n, "arm,gic-v3");
    if (auto parent = fdt.parent(n)) (void)fdt.name(*parent);
    if (auto child = fdt.first_child(n)) (void)fdt.next_sibling(*child);
  });
  (void)fdt.find_compatible("xen,xen");
  (void)fdt.find_compatible("arm,armv8-timer");

  Fdt::Cursor cursor(fdt);
  uint32_t depth_max = 0;
  for (uint32_t steps = 0; steps < 100000; ++steps) {
    auto item = cursor.next();
    if (!item) break;
    expect(
        item->kind == Fdt::Item::Kind::kEnd || (item->depth >= 1 && item->depth <= Fdt::kMaxDepth),
        "cursor depth within 1..kMaxDepth");
    if (item->depth > depth_max) depth_max = item->depth;
    if (item->kind == Fdt::Item::Kind::kEnd) break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // First byte: the blob's misalignment (0-3); the rest is the blob.
  const size_t shift = data[0] % 4;
  ++data;
  --size;
  // Exactly the blob's bytes after `shift` padding ones: a read past its
  // end is past the allocation (the allocation itself is 16-byte aligned).
  std::vector<uint8_t> storage(shift + size);
  if (size != 0) std::memcpy(storage.data() + shift, data, size);
  const uint8_t* blob = storage.data() + shift;
  auto fdt = Fdt::open(blob, size);
  if (fdt) {
    expect(fdt->total_size() <= size, "total size within the input");
    exercise(*fdt, blob, size);
  }
  // The one-pass reading must agree with open() on whether the blob is valid.
  auto pass = Fdt::open_reading(blob, size, [](const Fdt::Item&) { return petrel::ok(); });
  expect(pass.ok() == fdt.ok(), "open_reading() agrees with open()");
  return 0;
}
