// Output through HYPERVISOR_console_io: Xen prints it as "(dN) text". Works
// in dom0less guests (when Xen runs with guest_loglvl=all); a release Xen
// refuses it for guests made by `xl create`, which need the PV console.
#include "petrel/xen/console.h"
#include "petrel/xen/hypercall.h"

namespace petrel::xen {

void console_io_write(const char* text, size_t len) {
  while (len > 0) {
    long n = console_io(CONSOLEIO_write, len, text);
    // Xen returns 0 when it took everything; a negative value is an error
    // that retrying will not fix.
    if (n <= 0) return;
    if (static_cast<size_t>(n) >= len) return;
    text += n;
    len -= static_cast<size_t>(n);
  }
}

}  // namespace petrel::xen
