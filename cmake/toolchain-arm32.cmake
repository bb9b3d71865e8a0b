# Freestanding AArch32 Xen guests (ARMv7-A with the virtualization extensions'
# guest view: Cortex-A15 class, or an ARMv8 core in AArch32 state), built with
# Debian's g++-arm-linux-gnueabihf. Hard-float ABI with VFPv4 and NEON; C and
# C++ compile to Thumb-2 (smaller, as fast on these cores) and the assembly
# files are ARM state, the two interworking freely. Set PETREL_ARM32_ISA=arm
# to compile C and C++ to ARM state instead. See docs/aarch32.md.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(PETREL_GUEST_ARCH arm32)

set(PETREL_ARM32_ISA thumb CACHE STRING "Instruction set for C and C++: thumb (Thumb-2) or arm")
set_property(CACHE PETREL_ARM32_ISA PROPERTY STRINGS thumb arm)
if(NOT PETREL_ARM32_ISA MATCHES "^(thumb|arm)$")
  message(FATAL_ERROR "PETREL_ARM32_ISA must be thumb or arm, not '${PETREL_ARM32_ISA}'")
endif()

set(_prefix arm-linux-gnueabihf-)
set(_package g++-arm-linux-gnueabihf)
# armv7ve: ARMv7-A with the virtualization extensions (HVC, LPAE, the generic
# timer), what Xen requires of a guest CPU. -mno-unaligned-access: code runs
# with the MMU off (all data accesses Device-type) until the page tables are
# up, so no unaligned accesses may be generated anywhere.
set(_cpu_flags "-march=armv7ve -mfpu=neon-vfpv4 -mfloat-abi=hard")
set(_arch_flags "${_cpu_flags} -m${PETREL_ARM32_ISA} -mno-unaligned-access")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake)
set(CMAKE_ASM_FLAGS_INIT "${_cpu_flags} -marm")
