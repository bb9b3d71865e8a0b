// A device tree for host tests, written with libfdt's sequential-write
// calls: Writer().begin("").u32("#address-cells", 2)...end().finish().
#pragma once

#include <gtest/gtest.h>
#include <libfdt.h>
#include <string.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace petrel {

using Blob = std::vector<uint8_t>;
using Cells = std::vector<uint32_t>;

class Writer {
 public:
  // `reserved`: the memory reservation block's entries (address, size).
  explicit Writer(std::initializer_list<std::pair<uint64_t, uint64_t>> reserved = {})
      : buf_(64 * 1024) {
    Check(fdt_create(buf_.data(), static_cast<int>(buf_.size())));
    for (auto [addr, size] : reserved) Check(fdt_add_reservemap_entry(buf_.data(), addr, size));
    Check(fdt_finish_reservemap(buf_.data()));
  }
  Writer& begin(const char* name) { return Check(fdt_begin_node(buf_.data(), name)); }
  Writer& end() { return Check(fdt_end_node(buf_.data())); }
  Writer& u32(const char* name, uint32_t v) {
    return Check(fdt_property_u32(buf_.data(), name, v));
  }
  Writer& str(const char* name, const char* s) {
    return Check(fdt_property_string(buf_.data(), name, s));
  }
  Writer& raw(const char* name, const void* data, size_t len) {
    return Check(fdt_property(buf_.data(), name, data, static_cast<int>(len)));
  }
  Writer& cells(const char* name, const Cells& values) {
    std::vector<fdt32_t> be;
    for (uint32_t v : values) be.push_back(cpu_to_fdt32(v));
    return raw(name, be.data(), be.size() * 4);
  }
  Writer& strs(const char* name, std::initializer_list<const char*> list) {
    std::string all;
    for (const char* s : list) all.append(s, strlen(s) + 1);
    return raw(name, all.data(), all.size());
  }
  Blob finish() {
    Check(fdt_finish(buf_.data()));
    return Blob(buf_.begin(), buf_.begin() + fdt_totalsize(buf_.data()));
  }

 private:
  Writer& Check(int rc) {
    EXPECT_EQ(rc, 0) << fdt_strerror(rc);
    return *this;
  }
  Blob buf_;
};

}  // namespace petrel
