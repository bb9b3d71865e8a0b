// Static channels' declarations and how a run pairs them
// (tools/petrel/static_channels.h).
#include "static_channels.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

std::vector<ChannelDecl> parse_ok(const char* text) {
  std::string error;
  auto d = parse_channels(text, &error);
  EXPECT_TRUE(d) << error;
  return d.value_or(std::vector<ChannelDecl>{});
}

std::string parse_error(const char* text) {
  std::string error;
  EXPECT_FALSE(parse_channels(text, &error)) << text;
  return error;
}

TEST(StaticChannels, ParsesDoorbellsAndRegions) {
  const auto d = parse_ok(
      "# ipc-ping's channels\n"
      "channel ping peer ipc-pong port 10 shm 65536 owner\n"
      "\n"
      "channel bell peer other port 1023   # a doorbell\n");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].name, "ping");
  EXPECT_EQ(d[0].peer, "ipc-pong");
  EXPECT_EQ(d[0].port, 10u);
  EXPECT_EQ(d[0].shm_size, 65536u);
  EXPECT_TRUE(d[0].owner);
  EXPECT_EQ(d[1].shm_size, 0u);
  EXPECT_EQ(d[1].port, 1023u);
  EXPECT_TRUE(parse_ok("").empty());
}

TEST(StaticChannels, RefusesMalformedLinesNamingThem) {
  EXPECT_NE(parse_error("channel a peer b\n").find("line 1: expected"), std::string::npos);
  EXPECT_NE(parse_error("\nchannel a peer b port 0\n").find("line 2: port '0'"), std::string::npos);
  EXPECT_NE(parse_error("channel a peer b port 1024\n").find("port '1024'"), std::string::npos);
  EXPECT_NE(parse_error("channel A peer b port 1\n").find("channel name 'A'"), std::string::npos);
  EXPECT_NE(parse_error("channel abcdefghijklmnop peer b port 1\n").find("1 to 15"),
            std::string::npos);
  EXPECT_NE(parse_error("channel a peer b port 1 shm 1000 owner\n").find("multiple of 4096"),
            std::string::npos);
  EXPECT_NE(parse_error("channel a peer b port 1 shm 33554432 owner\n").find("16 MiB"),
            std::string::npos);
  EXPECT_NE(parse_error("channel a peer b port 1 shm 4096 lender\n").find("owner or borrower"),
            std::string::npos);
  EXPECT_NE(parse_error("channel a peer b port 1\nchannel a peer c port 2\n").find("twice"),
            std::string::npos);
  EXPECT_NE(parse_error("channel a peer b port 1\nchannel c peer b port 1\n").find("port 1 used"),
            std::string::npos);
}

std::vector<GuestChannels> ping_pong(uint64_t size_ping, bool ping_owns, uint64_t size_pong,
                                     bool pong_owns) {
  return {{"ipc-ping", {{"ping", "ipc-pong", 10, size_ping, ping_owns}}},
          {"hello", {}},
          {"ipc-pong", {{"ping", "ipc-ping", 11, size_pong, pong_owns}}}};
}

TEST(StaticChannels, PairsBothEndsAndPlacesTheRegion) {
  std::vector<ChannelWire> wires;
  ASSERT_EQ(wire_channels(ping_pong(65536, false, 65536, true), true, &wires), "");
  ASSERT_EQ(wires.size(), 1u);
  const ChannelWire& w = wires[0];
  EXPECT_EQ(w.a, 0u);
  EXPECT_EQ(w.b, 2u);
  EXPECT_EQ(w.port_a, 10u);
  EXPECT_EQ(w.port_b, 11u);
  EXPECT_EQ(w.shm_size, 65536u);
  EXPECT_FALSE(w.a_owns);
  EXPECT_EQ(w.host_address, kShmHostTop - kShmAlign);
  EXPECT_EQ(w.guest_address, kShmGuestBase);
  EXPECT_EQ(describe_wire(w, ping_pong(65536, false, 65536, true)),
            "ping: ipc-ping port 10 <-> ipc-pong port 11, 64 KiB shared (owner ipc-pong) at "
            "host 0x7fe00000, guest 0x70000000");
}

TEST(StaticChannels, RegionsDoNotOverlap) {
  const std::vector<GuestChannels> guests = {
      {"a", {{"one", "b", 1, 4096, true}, {"two", "b", 2, 3 << 20, true}}},
      {"b", {{"one", "a", 5, 4096, false}, {"two", "a", 6, 3 << 20, false}}}};
  std::vector<ChannelWire> wires;
  ASSERT_EQ(wire_channels(guests, true, &wires), "");
  ASSERT_EQ(wires.size(), 2u);
  EXPECT_LE(wires[1].host_address + wires[1].shm_size, wires[0].host_address);
  EXPECT_GE(wires[1].guest_address, wires[0].guest_address + wires[0].shm_size);
  EXPECT_EQ(wires[1].host_address % kShmAlign, 0u);
}

TEST(StaticChannels, WithoutStaticSharedMemoryEveryChannelIsADoorbell) {
  std::vector<ChannelWire> wires;
  ASSERT_EQ(wire_channels(ping_pong(65536, true, 65536, false), false, &wires), "");
  ASSERT_EQ(wires.size(), 1u);
  EXPECT_EQ(wires[0].shm_size, 0u);
  EXPECT_NE(describe_wire(wires[0], ping_pong(65536, true, 65536, false)).find("a doorbell"),
            std::string::npos);
}

TEST(StaticChannels, RefusesWhatDoesNotPair) {
  std::vector<ChannelWire> wires;
  auto error = [&](const std::vector<GuestChannels>& g) { return wire_channels(g, true, &wires); };
  EXPECT_NE(error(ping_pong(4096, true, 8192, false)).find("shares 4096 bytes, ipc-pong 8192"),
            std::string::npos);
  EXPECT_NE(error(ping_pong(4096, true, 4096, true)).find("both are owner"), std::string::npos);
  EXPECT_NE(error({{"ipc-ping", {{"ping", "ipc-pong", 10, 0, false}}}})
                .find("needs its peer ipc-pong in the same run"),
            std::string::npos);
  EXPECT_NE(error({{"a", {{"x", "b", 1, 0, false}}}, {"b", {}}}).find("has no other end"),
            std::string::npos);
  EXPECT_NE(error({{"a", {{"x", "b", 1, 0, false}}}, {"b", {{"x", "c", 2, 0, false}}}})
                .find("has no other end"),
            std::string::npos);
  EXPECT_NE(error({{"a", {{"x", "a", 1, 0, false}}}}).find("its own app"), std::string::npos);
  EXPECT_NE(error({{"a", {{"x", "b", 1, 0, false}}}, {"b", {{"x", "a", 2, 0, false}}}, {"b", {}}})
                .find("each app once"),
            std::string::npos);
  EXPECT_TRUE(wires.empty());
}

}  // namespace
}  // namespace petrel::tool
