// The AArch32 register view for `petrel debug --arch arm32`.
//
// Xen needs an AArch64 CPU, so QEMU's gdbstub always describes the CPU as
// AArch64 (x0-x30, sp, pc, cpsr), whatever state it is in. While an AArch32
// guest runs, those 64-bit registers are stale (QEMU copies the AArch32
// registers into them only when an exception enters AArch64 Xen): at a
// breakpoint in the guest, gdb would read Xen's last pc. Memory reads and
// breakpoints are right (they go through the CPU's current translation and
// QEMU compares the current pc), and QEMU's monitor (`info registers`, which
// gdb's `monitor` command reaches) prints the live AArch32 registers.
//
// So for AArch32 guests the tool puts a small proxy between gdb and QEMU's
// gdbstub: it hands gdb an ARM target description (r0-r12, sp, lr, pc,
// cpsr), answers gdb's register reads from `info registers` asked through
// the stub, refuses register writes, and passes every other packet through.
// The pure parts (packet framing, the monitor's text, the replies) are here;
// the sockets are in debug.cc.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

// "$payload#cs", the checksum in two hex digits.
std::string rsp_frame(std::string_view payload);

// Splits a byte stream of the GDB remote protocol into its units: a packet's
// payload ('$' ... '#' and two checksum digits; the checksum is not checked,
// a local socket does not corrupt), an acknowledgement ('+' or '-'), or an
// interrupt (the byte 0x03).
class RspStream {
 public:
  struct Unit {
    enum class Kind { kPacket, kAck, kNak, kInterrupt } kind;
    std::string payload;  // kPacket: run-length encoding left as it is
  };
  void feed(std::string_view bytes);
  std::optional<Unit> next();

 private:
  std::string buffer_;
};

// Hex of text, as qRcmd takes it and 'O' packets carry it; and back (empty
// on a malformed string).
std::string hex_encode(std::string_view text);
std::optional<std::string> hex_decode(std::string_view hex);

// The registers gdb sees for an AArch32 guest, in the order of the target
// description: r0-r12, sp, lr, pc, cpsr.
inline constexpr size_t kArm32Registers = 17;
using Arm32Registers = std::array<uint32_t, kArm32Registers>;

// The CPU's registers from the text of QEMU's `info registers`: in AArch32
// state (R00=... R15=..., PSR=...) as they are; in AArch64 state (the CPU is
// in Xen: PC=..., X00=..., SP=..., PSTATE=...) the low halves of x0-x12, sp,
// x30 as lr, pc and pstate, so gdb shows where the CPU is, not a guest
// frame. Nothing if the text has neither form.
struct MonitorRegisters {
  Arm32Registers regs{};
  bool aarch32 = false;
};
std::optional<MonitorRegisters> parse_monitor_registers(std::string_view text);

// The reply to 'g': every register, 8 hex digits each, little endian.
std::string arm32_g_reply(const Arm32Registers& regs);
// The reply to 'p N' (N in hex), or "E00" for a register it does not have.
std::string arm32_p_reply(const Arm32Registers& regs, std::string_view packet);

// The ARM target description (target.xml), and the reply to
// `qXfer:features:read:target.xml:OFFSET,LENGTH` (nothing for another
// packet; "E00" for another annex).
const std::string& arm32_target_xml();
std::optional<std::string> arm32_xfer_reply(std::string_view packet);

}  // namespace petrel::tool
