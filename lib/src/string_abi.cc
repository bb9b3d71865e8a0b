// The C string functions for freestanding guests, forwarding to petrel::str.
//
// GCC emits calls to memcpy, memmove, memset and memcmp on its own (struct
// copies, zero-initialisation, loops it recognises), even with -ffreestanding,
// so a guest must define them. The others are here for C code and for
// completeness. Host builds use libc instead: this file is only listed in
// lib/CMakeLists.txt for guests, and refuses to compile in a hosted build.
//
// Like string.cc, this file is built with -fno-tree-loop-distribute-patterns.
#include <stddef.h>

#include "petrel/string.h"

#if __STDC_HOSTED__
#error "string_abi.cc is for freestanding guests only (it would replace libc's memcpy)"
#endif

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
  return petrel::str::copy(dst, src, n);
}

void* memmove(void* dst, const void* src, size_t n) {
  return petrel::str::move(dst, src, n);
}

void* memset(void* dst, int byte, size_t n) {
  return petrel::str::fill(dst, byte, n);
}

int memcmp(const void* a, const void* b, size_t n) {
  return petrel::str::compare(a, b, n);
}

size_t strlen(const char* s) {
  return petrel::str::length(s);
}

size_t strnlen(const char* s, size_t max) {
  return petrel::str::length_bounded(s, max);
}

int strcmp(const char* a, const char* b) {
  return petrel::str::compare_strings(a, b);
}

int strncmp(const char* a, const char* b, size_t n) {
  return petrel::str::compare_strings_n(a, b, n);
}

// C's strchr takes a const string and returns a non-const pointer.
char* strchr(const char* s, int c) {
  return const_cast<char*>(petrel::str::find_char(s, c));
}

}  // extern "C"
