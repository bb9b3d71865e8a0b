// Ending the guest. The last console line of every Petrel guest is the exit
// marker, which `petrel run` turns into its own exit status:
//
//     @petrel-exit reason=poweroff code=N      (exit(N), main returned N)
//     @petrel-exit reason=crash code=N         (a fault or panic)
//
// after which the domain shuts down through SCHEDOP_shutdown with the
// matching reason.
#pragma once

namespace petrel {

inline constexpr const char kExitMarker[] = "@petrel-exit";

[[noreturn]] void exit(int code);
// Reports a fatal error (the message goes before the marker) and crashes
// the domain. Never returns.
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Crash without a message: the caller printed its own report.
[[noreturn]] void crash(int code);

}  // namespace petrel

extern "C" [[noreturn]] void petrel_exit(int code);
