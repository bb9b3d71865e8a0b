// Static channels between dom0less guests (docs/static-ipc.md): what each
// app declares (petrel_static_channel() in CMake writes apps/APP.channels
// beside APP.bin), and how `petrel run A B` pairs the declarations into the
// device tree's static event channels and static shared memory. Pure code,
// unit-tested on the host.
//
// APP.channels, one line per channel ('#' starts a comment):
//   channel NAME peer PEER_APP port PORT [shm SIZE owner|borrower]
// NAME is the channel's name on both sides (Xen's xen,shm-id: at most 15
// characters of [a-z0-9_-]); PORT the event-channel port this side binds
// (1..1023, unique in the app); SIZE the shared region in bytes (a multiple
// of 4 KiB, at most 16 MiB), the same on both sides, with one owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

struct ChannelDecl {
  std::string name;
  std::string peer;       // the peer app's name (its image's stem)
  uint32_t port = 0;      // this side's event-channel port
  uint64_t shm_size = 0;  // 0: a doorbell, no shared region
  bool owner = false;
};

inline constexpr uint32_t kMaxStaticPort = 1023;
inline constexpr uint64_t kMaxShmSize = 16 << 20;

// The declarations of `text` (an APP.channels file); nothing, with *error
// naming the line and what is wrong, if a line is malformed.
std::optional<std::vector<ChannelDecl>> parse_channels(std::string_view text, std::string* error);

struct GuestChannels {
  std::string app;  // the guest's app name
  std::vector<ChannelDecl> decls;
};

// One channel of the run, both ends found.
struct ChannelWire {
  std::string name;
  size_t a = 0, b = 0;  // guest indexes (a < b: the order of the run)
  uint32_t port_a = 0, port_b = 0;
  uint64_t shm_size = 0;  // 0 when there is no region (a doorbell)
  bool a_owns = false;
  uint64_t host_address = 0;   // the region in host RAM (when shm_size != 0)
  uint64_t guest_address = 0;  // where both guests see it
};

// Where the tool puts shared regions: host RAM below kShmHostTop (QEMU's 1
// GiB board ends there; Xen reserves the ranges from every other use), and
// guest-physical addresses from kShmGuestBase (above any guest's RAM: at
// most 512 MiB from 0x40000000), each region 2 MiB aligned.
inline constexpr uint64_t kShmHostTop = 0x80000000;
inline constexpr uint64_t kShmGuestBase = 0x70000000;
inline constexpr uint64_t kShmAlign = 2 << 20;

// Pairs every declaration of `guests` with its peer's. `with_shm` false
// (Xen built without static shared memory): regions are left out and every
// channel is a doorbell. Returns why the declarations do not pair (a peer
// not in the run, a one-sided channel, sizes or owners that disagree, a
// port used twice), or "" with the channels in *out (left empty on an
// error).
std::string wire_channels(const std::vector<GuestChannels>& guests, bool with_shm,
                          std::vector<ChannelWire>* out);

// One line per channel for the user: "ping: ipc-ping port 10 <-> ipc-pong
// port 11, 64 KiB shared (owner ipc-ping) at host 0x7fe00000, guest
// 0x70000000".
std::string describe_wire(const ChannelWire& w, const std::vector<GuestChannels>& guests);

}  // namespace petrel::tool
