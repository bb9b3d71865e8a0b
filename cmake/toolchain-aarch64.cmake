# Freestanding AArch64 Xen guests, built with Debian's g++-aarch64-linux-gnu.
# No libc, no exceptions, no RTTI; -O2 unless the build type says otherwise.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(PETREL_GUEST_ARCH arm64)

set(_prefix aarch64-linux-gnu-)
set(_package g++-aarch64-linux-gnu)
# -mstrict-align: code runs with the MMU off (all data accesses Device-type) until
# the page tables are up, so no unaligned accesses may be generated anywhere.
set(_arch_flags "-mstrict-align -mno-outline-atomics")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake)
set(CMAKE_ASM_FLAGS_INIT "${_common}")
