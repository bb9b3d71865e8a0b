// Guest consoles provided by Xen.
#pragma once

#include <stddef.h>

namespace petrel::xen {

// HYPERVISOR_console_io (CONSOLEIO_write).
void console_io_write(const char* text, size_t len);

}  // namespace petrel::xen
