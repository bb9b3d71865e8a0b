// The tool's passthrough devices (tools/petrel/passthrough.cc): the device
// list, the devices found in a board tree like QEMU's virt, the partial
// device tree Xen reads, and xl's lines.
#include "passthrough.h"

#include <gtest/gtest.h>
#include <libfdt.h>

#include <cstring>

#include "fdt_writer.h"

namespace petrel::tool {
namespace {

// A board like QEMU's virt: the GPIO and RTC at the root, a UART without
// interrupts, and a node under a bus.
Blob Board(bool rtc_irq = true) {
  Writer w;
  w.begin("").u32("#address-cells", 2).u32("#size-cells", 2);
  w.begin("pl061@9030000").strs("compatible", {"arm,pl061", "arm,primecell"});
  w.cells("reg", {0, 0x9030000, 0, 0x1000}).cells("interrupts", {0, 7, 4}).end();
  w.begin("pl031@9010000").strs("compatible", {"arm,pl031", "arm,primecell"});
  w.cells("reg", {0, 0x9010000, 0, 0x1000});
  if (rtc_irq) w.cells("interrupts", {0, 2, 4});
  w.end();
  return w.end().finish();
}

std::vector<char> Chars(const Blob& b) {
  return std::vector<char>(b.begin(), b.end());
}

TEST(Passthrough, TheList) {
  std::string error;
  auto names = parse_passthrough_list("pl061,pl031", &error);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"pl061", "pl031"}));
  EXPECT_FALSE(parse_passthrough_list("pl011", &error));
  EXPECT_NE(error.find("'pl011' is not a device Petrel has a driver for"), std::string::npos);
  EXPECT_FALSE(parse_passthrough_list("pl061,pl061", &error));
  EXPECT_NE(error.find("twice"), std::string::npos);
  EXPECT_FALSE(parse_passthrough_list("", &error));
  EXPECT_FALSE(parse_passthrough_list("pl061,", &error));
}

TEST(Passthrough, DevicesFromTheBoardsTree) {
  std::string error;
  auto d = find_passthrough_devices(Chars(Board()), {"pl061", "pl031"}, &error);
  ASSERT_TRUE(d) << error;
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0].path, "/pl061@9030000");
  EXPECT_EQ((*d)[0].base, 0x9030000u);
  EXPECT_EQ((*d)[0].size, 0x1000u);
  EXPECT_EQ((*d)[0].spi, 7u);
  EXPECT_EQ((*d)[0].irq_flags, 4u);
  EXPECT_EQ((*d)[0].compatible, std::string("arm,pl061\0arm,primecell\0", 24));
  EXPECT_EQ((*d)[1].spi, 2u);
}

TEST(Passthrough, WhatTheBoardLacksIsNamed) {
  std::string error;
  EXPECT_FALSE(find_passthrough_devices(Chars(Board(false)), {"pl031"}, &error));
  EXPECT_NE(error.find("pl031: its first interrupt is not a GIC SPI"), std::string::npos);
  Writer w;
  w.begin("").u32("#address-cells", 2).u32("#size-cells", 2).end();
  EXPECT_FALSE(find_passthrough_devices(Chars(w.finish()), {"pl061"}, &error));
  EXPECT_NE(error.find("the board has no pl061"), std::string::npos);
  EXPECT_FALSE(find_passthrough_devices({'x', 'y'}, {"pl061"}, &error));
  EXPECT_NE(error.find("malformed"), std::string::npos);
}

TEST(Passthrough, ThePartialDeviceTree) {
  std::string error;
  auto d = find_passthrough_devices(Chars(Board()), {"pl061"}, &error);
  ASSERT_TRUE(d);
  for (bool with_paths : {true, false}) {
    const std::vector<char> blob = make_partial_device_tree(*d, with_paths);
    ASSERT_FALSE(blob.empty());
    const void* fdt = blob.data();
    ASSERT_EQ(fdt_check_header(fdt), 0);
    const int node = fdt_path_offset(fdt, "/passthrough/pl061@9030000");
    ASSERT_GE(node, 0);
    EXPECT_EQ(fdt_node_check_compatible(fdt, node, "arm,pl061"), 0);
    int len = 0;
    const auto* irq = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "interrupts", &len));
    ASSERT_EQ(len, 12);
    EXPECT_EQ(fdt32_to_cpu(irq[1]), 7u);
    const auto* parent =
        static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "interrupt-parent", &len));
    ASSERT_NE(parent, nullptr);
    EXPECT_EQ(fdt32_to_cpu(*parent), 65000u);  // Xen's GUEST_PHANDLE_GIC
    const auto* xreg = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "xen,reg", &len));
    if (with_paths) {
      ASSERT_EQ(len, 24);
      EXPECT_EQ(fdt32_to_cpu(xreg[5]), 0x9030000u);  // mapped at the same address
      EXPECT_STREQ(static_cast<const char*>(fdt_getprop(fdt, node, "xen,path", nullptr)),
                   "/pl061@9030000");
      EXPECT_NE(fdt_getprop(fdt, node, "xen,force-assign-without-iommu", nullptr), nullptr);
    } else {
      EXPECT_EQ(xreg, nullptr);
    }
  }
}

TEST(Passthrough, XlLines) {
  std::string error;
  auto d = find_passthrough_devices(Chars(Board()), {"pl061", "pl031"}, &error);
  ASSERT_TRUE(d);
  EXPECT_EQ(xl_passthrough_lines(*d, "/petrel/devices.dtb"),
            "iomem = [\"0x9030,1\", \"0x9010,1\"]\nirqs = [39, 34]\n"
            "device_tree = \"/petrel/devices.dtb\"\n");
}

}  // namespace
}  // namespace petrel::tool
