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

}  // namespace petrel
