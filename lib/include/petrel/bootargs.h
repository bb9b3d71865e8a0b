// Reading a guest's command line (/chosen/bootargs, or xl's extra=): words
// separated by spaces, each "key" or "key=value".
#pragma once

#include <stddef.h>

namespace petrel {

// Whether word `key` or "key=..." is in `args`.
bool bootarg_present(const char* args, const char* key);
// Copies the value of "key=value" (the first one) into `out`, NUL-terminated
// and cut to size - 1 bytes; "" for a bare "key". False (and out = "") when
// the key is absent.
bool bootarg_value(const char* args, const char* key, char* out, size_t size);

}  // namespace petrel
