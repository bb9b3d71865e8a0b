// Byte and string helpers for freestanding code. In guests, lib/src/string_abi.cc
// exports them as memcpy/memset/... (the compiler emits calls to those); on the
// host they live only in namespace petrel::str so they can be unit-tested
// beside libc.
//
// Semantics are those of the C functions named beside each one: copy's regions
// must not overlap, move's may (either direction); compare and the string
// comparisons look at bytes as unsigned char and return -1, 0 or 1;
// length_bounded and compare_strings_n read no more than `max` / `n` bytes;
// find_char converts `c` to char and can find the terminating NUL. Any length
// may be 0, in which case the pointers are not dereferenced.
#pragma once

#include <stddef.h>

namespace petrel::str {

void* copy(void* dst, const void* src, size_t n);               // memcpy
void* move(void* dst, const void* src, size_t n);               // memmove
void* fill(void* dst, int byte, size_t n);                      // memset
int compare(const void* a, const void* b, size_t n);            // memcmp
size_t length(const char* s);                                   // strlen
size_t length_bounded(const char* s, size_t max);               // strnlen
int compare_strings(const char* a, const char* b);              // strcmp
int compare_strings_n(const char* a, const char* b, size_t n);  // strncmp
const char* find_char(const char* s, int c);                    // strchr

}  // namespace petrel::str
