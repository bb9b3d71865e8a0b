#include "static_channels.h"

#include <cstdio>
#include <set>
#include <sstream>
#include <utility>

#include "text.h"

namespace petrel::tool {
namespace {

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 15) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

bool number(const std::string& s, uint64_t* out) {
  const auto n = decimal(s, 12);
  if (n) *out = *n;
  return n.has_value();
}

std::string size_text(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

const ChannelDecl* find(const GuestChannels& g, const std::string& name) {
  for (const auto& d : g.decls)
    if (d.name == name) return &d;
  return nullptr;
}

}  // namespace

std::optional<std::vector<ChannelDecl>> parse_channels(std::string_view text, std::string* error) {
  std::vector<ChannelDecl> out;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number_of_line = 1; std::getline(in, line); ++number_of_line) {
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty()) continue;
    auto fail = [&](const std::string& why) {
      *error = "line " + std::to_string(number_of_line) + ": " + why;
      return std::nullopt;
    };
    if (!(w.size() == 6 || w.size() == 9) || w[0] != "channel" || w[2] != "peer" ||
        w[4] != "port" || (w.size() == 9 && w[6] != "shm"))
      return fail("expected 'channel NAME peer APP port PORT [shm SIZE owner|borrower]'");
    ChannelDecl d;
    d.name = w[1];
    d.peer = w[3];
    if (!valid_name(d.name))
      return fail("channel name '" + d.name + "': 1 to 15 characters of a-z, 0-9, _ and -");
    uint64_t port = 0;
    if (!number(w[5], &port) || port == 0 || port > kMaxStaticPort)
      return fail("port '" + w[5] + "': 1 to " + std::to_string(kMaxStaticPort));
    d.port = static_cast<uint32_t>(port);
    if (w.size() == 9) {
      if (!number(w[7], &d.shm_size) || d.shm_size == 0 || d.shm_size % 4096 != 0 ||
          d.shm_size > kMaxShmSize)
        return fail("shm size '" + w[7] + "': a multiple of 4096 bytes, at most 16 MiB");
      if (w[8] != "owner" && w[8] != "borrower")
        return fail("shm role '" + w[8] + "': owner or borrower");
      d.owner = w[8] == "owner";
    }
    for (const auto& o : out) {
      if (o.name == d.name) return fail("channel '" + d.name + "' declared twice");
      if (o.port == d.port) return fail("port " + w[5] + " used by channel '" + o.name + "' too");
    }
    out.push_back(d);
  }
  return out;
}

std::string wire_channels(const std::vector<GuestChannels>& guests, bool with_shm,
                          std::vector<ChannelWire>* out) {
  out->clear();  // and left empty on an error
  std::vector<ChannelWire> wires;
  uint64_t host_next = kShmHostTop;
  uint64_t guest_next = kShmGuestBase;
  std::set<std::string> apps;
  for (const auto& g : guests) apps.insert(g.app);
  for (size_t a = 0; a < guests.size(); ++a) {
    for (const ChannelDecl& d : guests[a].decls) {
      const std::string where = guests[a].app + "'s channel '" + d.name + "'";
      if (d.peer == guests[a].app) return where + " names its own app as the peer";
      size_t b = 0;
      while (b < guests.size() && guests[b].app != d.peer) ++b;
      if (b == guests.size())
        return where + " needs its peer " + d.peer + " in the same run (petrel run " +
               guests[a].app + " " + d.peer + ")";
      if (apps.size() != guests.size())
        return "static channels need each app once in the run (" + d.peer + " is there twice)";
      const ChannelDecl* e = find(guests[b], d.name);
      if (e == nullptr || e->peer != guests[a].app)
        return where + " has no other end: " + d.peer + " declares no channel '" + d.name +
               "' with peer " + guests[a].app;
      if (b < a) continue;  // paired when its first end came by
      if (d.shm_size != e->shm_size)
        return "channel '" + d.name + "': " + guests[a].app + " shares " +
               std::to_string(d.shm_size) + " bytes, " + d.peer + " " + std::to_string(e->shm_size);
      if (d.shm_size != 0 && d.owner == e->owner)
        return "channel '" + d.name + "': exactly one end owns the region (both are " +
               (d.owner ? "owner" : "borrower") + ")";
      ChannelWire w;
      w.name = d.name;
      w.a = a;
      w.b = b;
      w.port_a = d.port;
      w.port_b = e->port;
      if (with_shm && d.shm_size != 0) {
        const uint64_t span = (d.shm_size + kShmAlign - 1) / kShmAlign * kShmAlign;
        host_next -= span;
        w.shm_size = d.shm_size;
        w.a_owns = d.owner;
        w.host_address = host_next;
        w.guest_address = guest_next;
        guest_next += span;
      }
      wires.push_back(w);
    }
  }
  *out = std::move(wires);
  return "";
}

std::string describe_wire(const ChannelWire& w, const std::vector<GuestChannels>& guests) {
  std::string s = w.name + ": " + guests[w.a].app + " port " + std::to_string(w.port_a) + " <-> " +
                  guests[w.b].app + " port " + std::to_string(w.port_b);
  if (w.shm_size == 0) return s + ", a doorbell (no shared region)";
  return s + ", " + size_text(w.shm_size) + " shared (owner " + guests[w.a_owns ? w.a : w.b].app +
         ") at host " + hex(w.host_address) + ", guest " + hex(w.guest_address);
}

}  // namespace petrel::tool
