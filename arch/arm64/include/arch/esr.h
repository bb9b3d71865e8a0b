// Decoding ESR_EL1 for fault reports. Pure: unit-tested on the host.
#pragma once

#include <stdint.h>

namespace petrel::arch {

struct EsrInfo {
  uint32_t ec;          // exception class, ESR[31:26]
  const char* ec_name;  // "data abort (same EL)", ...
  bool is_abort;        // instruction or data abort: `fault` below is meaningful
  bool is_data_abort;
  bool write;         // data aborts: WnR
  const char* fault;  // "translation fault", "permission fault", ... or ""
  int level;          // translation level of the fault, -1 if none
};

EsrInfo decode_esr(uint64_t esr);

}  // namespace petrel::arch
