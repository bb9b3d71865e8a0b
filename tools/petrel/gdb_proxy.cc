#include "gdb_proxy.h"

#include <charconv>
#include <cstdio>

namespace petrel::tool {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The hex number after "NAME=" where NAME starts a word of `text` (at its
// start or after a space, so "R1=" does not match inside "PSR1="), or
// nothing.
std::optional<uint64_t> field(std::string_view text, std::string_view name) {
  for (size_t pos = text.find(name); pos != std::string_view::npos;
       pos = text.find(name, pos + 1)) {
    const bool word = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\n';
    const size_t value = pos + name.size();
    if (!word || value >= text.size() || text[value] != '=') continue;
    uint64_t v = 0;
    const char* begin = text.data() + value + 1;
    const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v, 16);
    if (ec == std::errc() && end != begin) return v;
  }
  return std::nullopt;
}

std::string hex32_le(uint32_t v) {
  std::string s;
  for (int byte = 0; byte < 4; ++byte) {
    const unsigned b = (v >> (8 * byte)) & 0xffu;
    s += kHex[b >> 4];
    s += kHex[b & 0xfu];
  }
  return s;
}

}  // namespace

std::string rsp_frame(std::string_view payload) {
  unsigned sum = 0;
  for (const char c : payload) sum += static_cast<unsigned char>(c);
  std::string out = "$";
  out.append(payload);
  out += '#';
  out += kHex[(sum >> 4) & 0xfu];
  out += kHex[sum & 0xfu];
  return out;
}

void RspStream::feed(std::string_view bytes) {
  buffer_.append(bytes);
}

std::optional<RspStream::Unit> RspStream::next() {
  while (!buffer_.empty()) {
    const char c = buffer_.front();
    if (c == '+' || c == '-' || c == '\x03') {
      buffer_.erase(0, 1);
      return Unit{c == '+'   ? Unit::Kind::kAck
                  : c == '-' ? Unit::Kind::kNak
                             : Unit::Kind::kInterrupt,
                  {}};
    }
    if (c != '$') {  // noise between packets
      buffer_.erase(0, 1);
      continue;
    }
    const size_t hash = buffer_.find('#');
    if (hash == std::string::npos || buffer_.size() < hash + 3) return std::nullopt;
    Unit u{Unit::Kind::kPacket, buffer_.substr(1, hash - 1)};
    buffer_.erase(0, hash + 3);
    return u;
  }
  return std::nullopt;
}

std::string hex_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    out += kHex[b >> 4];
    out += kHex[b & 0xfu];
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_digit(hex[i]);
    const int lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::optional<MonitorRegisters> parse_monitor_registers(std::string_view text) {
  MonitorRegisters m;
  char name[8];
  if (const auto psr = field(text, "PSR")) {
    for (unsigned i = 0; i < 16; ++i) {
      std::snprintf(name, sizeof name, "R%02u", i);
      const auto v = field(text, name);
      if (!v) return std::nullopt;
      m.regs[i] = static_cast<uint32_t>(*v);
    }
    m.regs[16] = static_cast<uint32_t>(*psr);
    m.aarch32 = true;
    return m;
  }
  const auto pc = field(text, "PC");
  const auto sp = field(text, "SP");
  const auto pstate = field(text, "PSTATE");
  const auto lr = field(text, "X30");
  if (!pc || !sp || !pstate || !lr) return std::nullopt;
  for (unsigned i = 0; i < 13; ++i) {
    std::snprintf(name, sizeof name, "X%02u", i);
    const auto v = field(text, name);
    if (!v) return std::nullopt;
    m.regs[i] = static_cast<uint32_t>(*v);
  }
  m.regs[13] = static_cast<uint32_t>(*sp);
  m.regs[14] = static_cast<uint32_t>(*lr);
  m.regs[15] = static_cast<uint32_t>(*pc);
  m.regs[16] = static_cast<uint32_t>(*pstate);
  return m;
}

std::string arm32_g_reply(const Arm32Registers& regs) {
  std::string out;
  for (const uint32_t r : regs) out += hex32_le(r);
  return out;
}

std::string arm32_p_reply(const Arm32Registers& regs, std::string_view packet) {
  if (packet.size() < 2 || packet.front() != 'p') return "E00";
  size_t n = 0;
  const auto [end, ec] = std::from_chars(packet.data() + 1, packet.data() + packet.size(), n, 16);
  if (ec != std::errc() || end != packet.data() + packet.size() || n >= regs.size()) return "E00";
  return hex32_le(regs[n]);
}

const std::string& arm32_target_xml() {
  static const std::string xml = [] {
    std::string s =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
        "<target>\n<architecture>arm</architecture>\n"
        "<feature name=\"org.gnu.gdb.arm.core\">\n";
    for (int i = 0; i < 13; ++i)
      s += "<reg name=\"r" + std::to_string(i) + "\" bitsize=\"32\" type=\"uint32\"/>\n";
    s += "<reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
         "<reg name=\"lr\" bitsize=\"32\"/>\n"
         "<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>\n"
         "<reg name=\"cpsr\" bitsize=\"32\"/>\n"
         "</feature>\n</target>\n";
    return s;
  }();
  return xml;
}

std::optional<std::string> arm32_xfer_reply(std::string_view packet) {
  constexpr std::string_view kPrefix = "qXfer:features:read:";
  if (packet.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  packet.remove_prefix(kPrefix.size());
  constexpr std::string_view kAnnex = "target.xml:";
  if (packet.substr(0, kAnnex.size()) != kAnnex) return "E00";
  packet.remove_prefix(kAnnex.size());
  const size_t comma = packet.find(',');
  if (comma == std::string_view::npos) return "E00";
  size_t offset = 0;
  size_t length = 0;
  const auto a = std::from_chars(packet.data(), packet.data() + comma, offset, 16);
  const auto b =
      std::from_chars(packet.data() + comma + 1, packet.data() + packet.size(), length, 16);
  if (a.ec != std::errc() || b.ec != std::errc()) return "E00";
  const std::string& xml = arm32_target_xml();
  if (offset >= xml.size()) return "l";
  const std::string part = xml.substr(offset, length);
  // The description has none of the characters the binary reply escapes
  // ('#', '$', '}', '*').
  return (offset + part.size() >= xml.size() ? "l" : "m") + part;
}

}  // namespace petrel::tool
