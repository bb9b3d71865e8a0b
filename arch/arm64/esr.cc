#include "arch/esr.h"

#include <stdint.h>

#include "arch/fault_status.h"

namespace petrel::arch {
namespace {

// The exception classes with a name: their EC values, and the names as one
// string of NUL-terminated entries in the same order. A switch over the ECs
// (0x00-0x3c) compiled into a table of 61 pointers, 488 bytes for 20 names.
constexpr uint8_t kClasses[] = {0x00, 0x01, 0x07, 0x0e, 0x15, 0x16, 0x17, 0x18,
                                0x20, 0x21, 0x22, 0x24, 0x25, 0x26, 0x2c, 0x2f,
                                0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x3c};
constexpr char kClassNames[] =
    "undefined instruction\0"
    "trapped WFI/WFE\0"
    "FP/SIMD access trap\0"
    "illegal execution state\0"
    "SVC\0"
    "HVC\0"
    "SMC\0"
    "trapped system register access\0"
    "instruction abort (lower EL)\0"
    "instruction abort\0"
    "PC alignment fault\0"
    "data abort (lower EL)\0"
    "data abort\0"
    "SP alignment fault\0"
    "floating-point exception\0"
    "SError\0"
    "breakpoint\0"
    "breakpoint\0"
    "software step\0"
    "software step\0"
    "watchpoint\0"
    "watchpoint\0"
    "BRK instruction\0";

const char* class_name(uint32_t ec) {
  const char* name = kClassNames;
  for (uint8_t c : kClasses) {
    if (c == ec) return name;
    while (*name != '\0') ++name;
    ++name;
  }
  return "unknown exception class";
}

}  // namespace

EsrInfo decode_esr(uint64_t esr) {
  EsrInfo info{};
  info.ec = static_cast<uint32_t>((esr >> 26) & 0x3f);
  info.ec_name = class_name(info.ec);
  info.fault = "";
  info.level = -1;
  if (info.ec == 0x20 || info.ec == 0x21 || info.ec == 0x24 || info.ec == 0x25) {
    info.is_abort = true;
    info.is_data_abort = info.ec >= 0x24;
    info.write = info.is_data_abort && ((esr >> 6) & 1) != 0;
    info.fault = fault_status_name(static_cast<uint32_t>(esr & 0x3f), &info.level);
  }
  return info;
}

}  // namespace petrel::arch
