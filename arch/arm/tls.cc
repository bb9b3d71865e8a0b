// Thread-local storage: a block per task, carved from the top of its stack
// by context_init, and one for the boot context (main, before and after the
// scheduler) in the image's .bss. The C library keeps errno and its other
// per-thread state there; context_switch saves and loads the thread
// pointer. Layout: arch/tls_layout.h.
#include "arch/tls.h"

#include "arch/cpu.h"
#include "arch/fpu.h"
#include "petrel/arch.h"

// Absolute symbols from guest.ld: their addresses are the values.
extern "C" {
extern const char __petrel_tdata_start[];
extern const char __petrel_tdata_size[];
extern const char __petrel_tbss_offset[];
extern const char __petrel_tbss_size[];
extern const char __petrel_tls_align[];
extern char __petrel_boot_tls_start[];
extern char __petrel_boot_tls_end[];
}

namespace petrel::arch {
namespace {

// Laundered through an empty asm: the compiler may assume an object's
// address is never 0, and these values are 0 when the image has no TLS.
size_t value(const char* symbol) {
  auto v = reinterpret_cast<uintptr_t>(symbol);
  __asm__("" : "+r"(v));
  return v;
}

}  // namespace

TlsLayout tls_image_layout() {
  return tls_layout(TlsImage{value(__petrel_tdata_size), value(__petrel_tbss_offset),
                             value(__petrel_tbss_size), value(__petrel_tls_align)},
                    kTcbSize);
}

uintptr_t tls_carve(uintptr_t& top) {
  const TlsLayout layout = tls_image_layout();
  if (layout.size == 0) return 0;
  const uintptr_t tp = (top - layout.size) & ~uintptr_t{layout.align - 1};
  auto* block = reinterpret_cast<char*>(tp);
  const size_t tdata = value(__petrel_tdata_size);
  // Byte loops: this also runs before the MMU is on (the boot block), where
  // every access must be aligned.
  for (size_t i = 0; i < layout.data_offset; ++i) block[i] = 0;
  for (size_t i = 0; i < tdata; ++i) block[layout.data_offset + i] = __petrel_tdata_start[i];
  for (size_t i = layout.data_offset + tdata; i < layout.size; ++i) block[i] = 0;
  top = tp;
  return tp;
}

size_t tls_reserve() {
  return tls_image_layout().reserve;
}

void boot_context_init() {
  // guest.ld reserves TlsLayout::reserve bytes (it checks the arithmetic).
  uintptr_t top = reinterpret_cast<uintptr_t>(__petrel_boot_tls_end) & ~uintptr_t{15};
  const uintptr_t tp = tls_carve(top);
  if (tp != 0 && top < reinterpret_cast<uintptr_t>(__petrel_boot_tls_start)) __builtin_trap();
  write_thread_pointer(tp);
  boot_context().tp = tp;  // context_switch only loads a context's thread pointer
  fpu_boot();
}

}  // namespace petrel::arch
