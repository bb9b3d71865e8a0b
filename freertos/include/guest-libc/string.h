/* string.h for FreeRTOS C applications on a Petrel guest (freestanding: no
 * libc): the functions Petrel's lib/src/string_abi.cc provides. Host builds
 * use the host's own string.h. */
#ifndef PETREL_GUEST_STRING_H
#define PETREL_GUEST_STRING_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int byte, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
char* strchr(const char* s, int c);

#ifdef __cplusplus
}
#endif

#endif /* PETREL_GUEST_STRING_H */
