// Reading a guest's command line (/chosen/bootargs, or xl's extra=): words
// separated by spaces, each "key" or "key=value".
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace petrel {

// Whether word `key` or "key=..." is in `args`.
bool bootarg_present(const char* args, const char* key);
// Copies the value of "key=value" (the first one) into `out`, NUL-terminated
// and cut to size - 1 bytes; "" for a bare "key". False (and out = "") when
// the key is absent.
bool bootarg_value(const char* args, const char* key, char* out, size_t size);

// The value of "key=N" as a number: decimal digits, or hexadecimal after
// "0x" (either case). The whole value must be the number: an empty value, a
// bare "key", another character or a number above 2^64 - 1 is kMalformed,
// and *out is left as it was (so it can hold the default) unless kNumber.
enum class BootargNumber { kAbsent, kNumber, kMalformed };
BootargNumber bootarg_number(const char* args, const char* key, uint64_t* out);

}  // namespace petrel
