# Freestanding AArch32 Xen guests (ARMv7-A with the virtualization extensions'
# guest view: Cortex-A15 class, or an ARMv8 core in AArch32 state), built with
# Debian's g++-arm-linux-gnueabihf. Hard-float ABI with VFPv4 and NEON; C and
# C++ compile to Thumb-2 (smaller, as fast on these cores) and the assembly
# files are ARM state, the two interworking freely. Set PETREL_ARM32_ISA=arm
# to compile C and C++ to ARM state instead.
# No libc, no exceptions, no RTTI; -O2 unless the build type says otherwise.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(PETREL_GUEST_ARCH arm32)

set(_prefix arm-linux-gnueabihf-)
find_program(PETREL_CROSS_GCC ${_prefix}gcc)
if(NOT PETREL_CROSS_GCC)
  message(FATAL_ERROR "arm-linux-gnueabihf-gcc not found: install it with "
                      "'apt-get install g++-arm-linux-gnueabihf' (or run ./petrel setup)")
endif()
set(CMAKE_C_COMPILER ${_prefix}gcc)
set(CMAKE_CXX_COMPILER ${_prefix}g++)
set(CMAKE_ASM_COMPILER ${_prefix}gcc)
set(CMAKE_OBJCOPY ${_prefix}objcopy CACHE FILEPATH "objcopy")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(PETREL_ARM32_ISA thumb CACHE STRING "Instruction set for C and C++: thumb (Thumb-2) or arm")
set_property(CACHE PETREL_ARM32_ISA PROPERTY STRINGS thumb arm)
if(NOT PETREL_ARM32_ISA MATCHES "^(thumb|arm)$")
  message(FATAL_ERROR "PETREL_ARM32_ISA must be thumb or arm, not '${PETREL_ARM32_ISA}'")
endif()

# -mno-unaligned-access: code runs with the MMU off (all data accesses
# Device-type) until the page tables are up, so no unaligned accesses may be
# generated anywhere. armv7ve: ARMv7-A with the virtualization extensions
# (hvc, LPAE, the generic timer), what Xen requires of a guest CPU.
set(_common "-march=armv7ve -mfpu=neon-vfpv4 -mfloat-abi=hard -m${PETREL_ARM32_ISA} \
-ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -mno-unaligned-access \
-fno-stack-protector -fno-omit-frame-pointer -ffunction-sections -fdata-sections \
-Wall -Wextra -Werror")
set(CMAKE_C_FLAGS_INIT "${_common}")
set(CMAKE_CXX_FLAGS_INIT "${_common} -fno-exceptions -fno-rtti -fno-threadsafe-statics \
-fno-use-cxa-atexit -Wno-missing-field-initializers")
set(CMAKE_ASM_FLAGS_INIT "-march=armv7ve -mfpu=neon-vfpv4 -mfloat-abi=hard -marm")
set(CMAKE_C_FLAGS_RELEASE_INIT "-O2 -g")
set(CMAKE_CXX_FLAGS_RELEASE_INIT "-O2 -g")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -nostartfiles -static -Wl,--gc-sections -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
