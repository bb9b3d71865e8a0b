#include "arch/fault_status.h"

namespace petrel::arch {

const char* fault_status_name(uint32_t fsc, int* level) {
  fsc &= 0x3f;
  *level = static_cast<int>(fsc & 3);
  switch (fsc & 0x3c) {
    case 0x00:
      return "address size fault";
    case 0x04:
      return "translation fault";
    case 0x08:
      return "access flag fault";
    case 0x0c:
      return "permission fault";
    default:
      break;
  }
  *level = -1;
  switch (fsc) {
    case 0x10:
      return "synchronous external abort";
    case 0x21:
      return "alignment fault";
    case 0x22:
      return "debug event";
    case 0x30:
      return "TLB conflict abort";
    default:
      return "other abort";
  }
}

}  // namespace petrel::arch
