# What both guest toolchain files share: Debian's cross compiler with prefix
# _prefix (set by the includer, with _package, the Debian package that has
# it, and _arch_flags, the architecture's own code-generation flags),
# freestanding, no exceptions/RTTI/libc, -O2 unless the build type says
# otherwise. No frame pointers: gdb unwinds the images by their
# .debug_frame (docs/debugging.md), and the register a frame pointer would
# hold (x29, Thumb's r7) is free for values, which saves each frame its
# set-up and spills: 8 instructions of a native semaphore round trip on
# either architecture, 26 of one through the FreeRTOS API on AArch32
# (`petrel bench --quick` before and after the change, 03b3f18).
find_program(PETREL_CROSS_GCC ${_prefix}gcc)
if(NOT PETREL_CROSS_GCC)
  message(FATAL_ERROR "${_prefix}gcc not found: install it with "
                      "'apt-get install ${_package}' (or run ./petrel setup)")
endif()
set(CMAKE_C_COMPILER ${_prefix}gcc)
set(CMAKE_CXX_COMPILER ${_prefix}g++)
set(CMAKE_ASM_COMPILER ${_prefix}gcc)
set(CMAKE_OBJCOPY ${_prefix}objcopy CACHE FILEPATH "objcopy")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# No warning flags here: they would reach the application's sources too.
# Petrel's own code gets its strict warnings from its own CMake files
# (CMakeLists.txt, petrel_freertos_library); an application keeps its own.
set(_common "${_arch_flags} -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
-fno-stack-protector -fomit-frame-pointer -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${_common}")
set(CMAKE_CXX_FLAGS_INIT "${_common} -fno-exceptions -fno-rtti -fno-threadsafe-statics \
-fno-use-cxa-atexit")
# Release is PETREL_OPTIMIZE (-O2 unless chosen otherwise: docs/build.md has
# the measurements behind the choice) with debug information. Set as the
# cache entries, not as CMAKE_<LANG>_FLAGS_RELEASE_INIT: CMake appends its own
# "-O3 -DNDEBUG" to an _INIT value, and the last -O wins, which made the
# guests -O3.
set(PETREL_OPTIMIZE "-O2" CACHE STRING "Optimization of Release guest builds: -O2, -O3 or -Os")
set_property(CACHE PETREL_OPTIMIZE PROPERTY STRINGS -O2 -O3 -Os)
if(NOT PETREL_OPTIMIZE MATCHES "^-O(2|3|s)$")
  message(FATAL_ERROR "PETREL_OPTIMIZE must be -O2, -O3 or -Os, not '${PETREL_OPTIMIZE}'")
endif()
set(CMAKE_C_FLAGS_RELEASE "${PETREL_OPTIMIZE} -g" CACHE STRING "C flags of Release guest builds" FORCE)
set(CMAKE_CXX_FLAGS_RELEASE "${PETREL_OPTIMIZE} -g" CACHE STRING "C++ flags of Release guest builds"
    FORCE)
# Link-time optimization across Petrel, the C library glue and the
# application: the kernel's small functions (critical sections, the
# scheduler's accessors) are inlined into every caller.
option(PETREL_LTO "Link-time optimization of guest images" ON)
set(CMAKE_INTERPROCEDURAL_OPTIMIZATION ${PETREL_LTO})
# (What LTO needs at the link: petrel_add_app, cmake/petrel-guest.cmake.)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -nostartfiles -static -Wl,--gc-sections \
-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
