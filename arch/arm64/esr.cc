#include "arch/esr.h"

#include "arch/fault_status.h"

namespace petrel::arch {
namespace {

const char* class_name(uint32_t ec) {
  switch (ec) {
    case 0x00:
      return "undefined instruction";
    case 0x01:
      return "trapped WFI/WFE";
    case 0x07:
      return "FP/SIMD access trap";
    case 0x0e:
      return "illegal execution state";
    case 0x15:
      return "SVC";
    case 0x16:
      return "HVC";
    case 0x17:
      return "SMC";
    case 0x18:
      return "trapped system register access";
    case 0x20:
      return "instruction abort (lower EL)";
    case 0x21:
      return "instruction abort";
    case 0x22:
      return "PC alignment fault";
    case 0x24:
      return "data abort (lower EL)";
    case 0x25:
      return "data abort";
    case 0x26:
      return "SP alignment fault";
    case 0x2c:
      return "floating-point exception";
    case 0x2f:
      return "SError";
    case 0x30:
    case 0x31:
      return "breakpoint";
    case 0x32:
    case 0x33:
      return "software step";
    case 0x34:
    case 0x35:
      return "watchpoint";
    case 0x3c:
      return "BRK instruction";
    default:
      return "unknown exception class";
  }
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
