# Freestanding AArch64 Xen guests, built with Debian's g++-aarch64-linux-gnu.
# No libc, no exceptions, no RTTI; -O2 unless the build type says otherwise.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(PETREL_GUEST_ARCH arm64)

set(_prefix aarch64-linux-gnu-)
find_program(PETREL_CROSS_GCC ${_prefix}gcc)
if(NOT PETREL_CROSS_GCC)
  message(FATAL_ERROR "aarch64-linux-gnu-gcc not found: install it with "
                      "'apt-get install g++-aarch64-linux-gnu' (or run ./petrel setup)")
endif()
set(CMAKE_C_COMPILER ${_prefix}gcc)
set(CMAKE_CXX_COMPILER ${_prefix}g++)
set(CMAKE_ASM_COMPILER ${_prefix}gcc)
set(CMAKE_OBJCOPY ${_prefix}objcopy CACHE FILEPATH "objcopy")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# -mstrict-align: code runs with the MMU off (all data accesses Device-type) until
# the page tables are up, so no unaligned accesses may be generated anywhere.
set(_common "-ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -mstrict-align \
-fno-stack-protector -fno-omit-frame-pointer -ffunction-sections -fdata-sections \
-mno-outline-atomics -Wall -Wextra -Werror")
set(CMAKE_C_FLAGS_INIT "${_common}")
set(CMAKE_CXX_FLAGS_INIT "${_common} -fno-exceptions -fno-rtti -fno-threadsafe-statics \
-fno-use-cxa-atexit -Wno-missing-field-initializers")
set(CMAKE_ASM_FLAGS_INIT "${_common}")
set(CMAKE_C_FLAGS_RELEASE_INIT "-O2 -g")
set(CMAKE_CXX_FLAGS_RELEASE_INIT "-O2 -g")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -nostartfiles -static -Wl,--gc-sections -Wl,-z,max-page-size=4096 -Wl,--build-id=none")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
