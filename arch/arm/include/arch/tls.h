// Thread-local storage blocks (arch/arm/tls.cc; the layout: tls_layout.h).
#pragma once

#include <stdint.h>

#include "arch/tls_layout.h"

namespace petrel::arch {

// The image's TLS layout, from the symbols guest.ld defines.
TlsLayout tls_image_layout();

// Sets up a block (the .tdata template copied, the rest zeroed) that ends
// at or below `top` (16-aligned) and lowers `top` to the block's start.
// Returns the thread pointer for it; 0, with `top` unchanged, when the
// image has no thread-local variables.
uintptr_t tls_carve(uintptr_t& top);

}  // namespace petrel::arch
