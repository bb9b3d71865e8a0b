// Naming the fault status code of an abort (AArch64 ESR_EL1.DFSC/IFSC, and
// AArch32 DFSR/IFSR STATUS in the long-descriptor format, which Petrel always
// uses there: the encodings are the same). Pure: unit-tested on the host.
#pragma once

#include <stdint.h>

namespace petrel::arch {

// "translation fault", "permission fault", ...; *level is the translation
// level for the faults that have one, -1 otherwise.
const char* fault_status_name(uint32_t fsc, int* level);

}  // namespace petrel::arch
