#include "petrel/bootargs.h"

#include "petrel/string.h"

namespace petrel {
namespace {

// The first character after "key" or "key=" where the word `key` starts a
// word of `args`, or nullptr.
const char* find(const char* args, const char* key) {
  if (args == nullptr || key == nullptr) return nullptr;
  const size_t n = str::length(key);
  if (n == 0) return nullptr;
  for (const char* p = args; *p != '\0'; ++p) {
    if ((p != args && p[-1] != ' ') || str::compare_strings_n(p, key, n) != 0) continue;
    if (p[n] == '=') return p + n + 1;
    if (p[n] == ' ' || p[n] == '\0') return p + n;
  }
  return nullptr;
}

}  // namespace

bool bootarg_present(const char* args, const char* key) {
  return find(args, key) != nullptr;
}

bool bootarg_value(const char* args, const char* key, char* out, size_t size) {
  const char* v = find(args, key);
  if (size > 0) out[0] = '\0';
  if (v == nullptr) return false;
  size_t i = 0;
  for (; v[i] != '\0' && v[i] != ' ' && i + 1 < size; ++i) out[i] = v[i];
  if (size > 0) out[i] = '\0';
  return true;
}

BootargNumber bootarg_number(const char* args, const char* key, uint64_t* out) {
  const char* p = find(args, key);
  if (p == nullptr) return BootargNumber::kAbsent;
  if (p == args || p[-1] != '=') return BootargNumber::kMalformed;  // a bare "key"
  uint64_t base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  uint64_t n = 0;
  const char* digits = p;
  for (; *p != '\0' && *p != ' '; ++p) {
    const char c = *p;
    uint64_t d = base;
    if (c >= '0' && c <= '9') d = static_cast<uint64_t>(c - '0');
    if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<uint64_t>(c - 'a') + 10;
    if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<uint64_t>(c - 'A') + 10;
    if (d >= base || n > (UINT64_MAX - d) / base) return BootargNumber::kMalformed;
    n = n * base + d;
  }
  if (p == digits) return BootargNumber::kMalformed;  // no digit
  *out = n;
  return BootargNumber::kNumber;
}

}  // namespace petrel
