# Freestanding AArch64 Xen guests, built with Debian's g++-aarch64-linux-gnu.
# No libc, no exceptions, no RTTI; -O2 unless the build type says otherwise.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(PETREL_GUEST_ARCH arm64)

set(_prefix aarch64-linux-gnu-)
set(_package g++-aarch64-linux-gnu)
# -mstrict-align: code runs with the MMU off (all data accesses Device-type) until
# the page tables are up, so no unaligned accesses may be generated anywhere.
# No unwind tables: the call-frame information then goes to .debug_frame
# (with -g), not to .eh_frame, which the linker script discards (there are
# no exceptions to unwind at run time); gdb unwinds by it.
set(_arch_flags "-mstrict-align -mno-outline-atomics -fno-asynchronous-unwind-tables -fno-unwind-tables")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake)
set(CMAKE_ASM_FLAGS_INIT "${_common}")
