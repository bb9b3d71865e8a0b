// Shared by the C library glue's files (libc/src).
#pragma once

namespace petrel::libc {

// Writes the calling task's partial stdout line to the console (stdio.cc).
void flush_line();

}  // namespace petrel::libc
