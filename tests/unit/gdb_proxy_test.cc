// The AArch32 register view of `petrel debug` (tools/petrel/gdb_proxy.h):
// QEMU 7.2's `info registers` text in both CPU states, the replies gdb gets,
// and the packet framing.
#include "gdb_proxy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace petrel::tool {
namespace {

// As QEMU 7.2 prints them (through the gdbstub: lines end in "\r\n").
constexpr const char* kAarch32Text =
    "\r\nCPU#0\r\n"
    "R00=00000001 R01=4006d3a8 R02=4000f92d R03=4006d390\r\n"
    "R04=00000001 R05=40016550 R06=00000000 R07=40075fc0\r\n"
    "R08=00000000 R09=00000000 R10=00000000 R11=00000000\r\n"
    "R12=00000000 R13=40075fc0 R14=4000f945 R15=40008030\r\n"
    "PSR=60000173 -ZC- T svc32\r\n"
    "s00=00000000 s01=00000000 d00=0000000000000000\r\n"
    "FPSCR: 00000000\r\n";

std::string aarch64_text() {
  std::string s = "\r\nCPU#0\r\n PC=00000000002574b0 ";
  char buf[32];
  for (int i = 0; i < 31; ++i) {
    std::snprintf(buf, sizeof buf, "X%02d=%016llx%s", i, 0x1000ull + static_cast<unsigned>(i),
                  (i + 2) % 3 != 0 ? " " : "\r\n");
    s += buf;
  }
  s += " SP=00008000080effc0\r\nPSTATE=60000349 -ZC- NS EL2h\r\n";
  return s;
}

TEST(GdbProxy, ReadsTheLiveAarch32Registers) {
  const auto m = parse_monitor_registers(kAarch32Text);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->aarch32);
  EXPECT_EQ(m->regs[0], 1u);
  EXPECT_EQ(m->regs[7], 0x40075fc0u);
  EXPECT_EQ(m->regs[13], 0x40075fc0u);  // sp
  EXPECT_EQ(m->regs[14], 0x4000f945u);  // lr
  EXPECT_EQ(m->regs[15], 0x40008030u);  // pc
  EXPECT_EQ(m->regs[16], 0x60000173u);  // cpsr
}

TEST(GdbProxy, ShowsXenAsItIsWhenTheCpuIsInAarch64) {
  const auto m = parse_monitor_registers(aarch64_text());
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->aarch32);
  EXPECT_EQ(m->regs[0], 0x1000u);
  EXPECT_EQ(m->regs[12], 0x100cu);
  EXPECT_EQ(m->regs[13], 0x080effc0u);  // sp, low half
  EXPECT_EQ(m->regs[14], 0x101eu);      // x30 as lr
  EXPECT_EQ(m->regs[15], 0x002574b0u);  // pc
  EXPECT_EQ(m->regs[16], 0x60000349u);  // M[4] clear: the extension sees "in Xen"
}

TEST(GdbProxy, RefusesTextWithoutRegisters) {
  EXPECT_FALSE(parse_monitor_registers(""));
  EXPECT_FALSE(parse_monitor_registers("unknown command: 'info registerz'\r\n"));
  // A register missing (a truncated reply) is not filled with zero.
  std::string t = kAarch32Text;
  t.replace(t.find("R05"), 3, "Q05");
  EXPECT_FALSE(parse_monitor_registers(t));
}

TEST(GdbProxy, RepliesWithLittleEndianRegisters) {
  Arm32Registers r{};
  r[0] = 0x11223344;
  r[16] = 0x60000173;
  const std::string g = arm32_g_reply(r);
  ASSERT_EQ(g.size(), kArm32Registers * 8);
  EXPECT_EQ(g.substr(0, 8), "44332211");
  EXPECT_EQ(g.substr(16 * 8), "73010060");
  EXPECT_EQ(arm32_p_reply(r, "p10"), "73010060");  // register 16, in hex
  EXPECT_EQ(arm32_p_reply(r, "p0"), "44332211");
  EXPECT_EQ(arm32_p_reply(r, "p11"), "E00");  // no register 17
  EXPECT_EQ(arm32_p_reply(r, "pzz"), "E00");
}

TEST(GdbProxy, ServesTheArmTargetDescriptionInParts) {
  const std::string& xml = arm32_target_xml();
  EXPECT_NE(xml.find("<architecture>arm</architecture>"), std::string::npos);
  EXPECT_NE(xml.find("org.gnu.gdb.arm.core"), std::string::npos);
  std::string got;
  for (size_t off = 0;;) {
    char req[64];
    std::snprintf(req, sizeof req, "qXfer:features:read:target.xml:%zx,40", off);
    const auto reply = arm32_xfer_reply(req);
    ASSERT_TRUE(reply);
    ASSERT_FALSE(reply->empty());
    got += reply->substr(1);
    off += reply->size() - 1;
    if (reply->front() == 'l') break;
    ASSERT_EQ(reply->front(), 'm');
  }
  EXPECT_EQ(got, xml);
  EXPECT_EQ(arm32_xfer_reply("qXfer:features:read:other.xml:0,40"), "E00");
  EXPECT_FALSE(arm32_xfer_reply("qSupported"));
}

TEST(GdbProxy, SplitsAStreamIntoPacketsAcksAndInterrupts) {
  RspStream s;
  s.feed("+$OK#9a\x03$T05thr");
  auto u = s.next();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, RspStream::Unit::Kind::kAck);
  u = s.next();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, RspStream::Unit::Kind::kPacket);
  EXPECT_EQ(u->payload, "OK");
  u = s.next();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, RspStream::Unit::Kind::kInterrupt);
  EXPECT_FALSE(s.next());  // the rest has not come yet
  s.feed("ead:01;#");
  EXPECT_FALSE(s.next());  // nor its checksum
  s.feed("c8");
  u = s.next();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->payload, "T05thread:01;");
}

TEST(GdbProxy, FramesAndHexEncodes) {
  EXPECT_EQ(rsp_frame("OK"), "$OK#9a");
  EXPECT_EQ(rsp_frame(""), "$#00");
  EXPECT_EQ(hex_encode("info registers"), "696e666f20726567697374657273");
  EXPECT_EQ(hex_decode("4f4b"), "OK");
  EXPECT_FALSE(hex_decode("4f4"));
  EXPECT_FALSE(hex_decode("zz"));
}

}  // namespace
}  // namespace petrel::tool
