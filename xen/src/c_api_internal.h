// What the C API's files (c_api.cc, static_channel_c.cc) share.
#pragma once

#include <stdint.h>

#include "petrel/kernel/ticks.h"
#include "petrel/result.h"

namespace petrel::xen::c_api {

// Records `e` as the last error (petrel_xen_last_error) and returns its
// negated code (PETREL_XEN_E*).
int fail(const Error& e);
inline int status(const Status& s) {
  return s ? 0 : fail(s.error());
}
// A C timeout in milliseconds as kernel ticks.
kernel::Ticks ticks_from_ms(uint32_t ms);

}  // namespace petrel::xen::c_api
