# Guest builds: the `petrel` library every guest links, and petrel_add_app().
#
# All of Petrel's guest code goes into one static library; its parts add
# their sources from their own folders. Xen's public headers come from the
# system (Debian's libxen-dev); they are reached through a folder holding
# only a `xen` link, so the cross compiler never sees the host's libc headers.
set(PETREL_XEN_HEADERS /usr/include/xen CACHE PATH "Xen public headers (libxen-dev)")
if(NOT EXISTS ${PETREL_XEN_HEADERS}/xen.h)
  message(FATAL_ERROR "Xen public headers not found in ${PETREL_XEN_HEADERS}: "
                      "install them with 'apt-get install libxen-dev' (or run ./petrel setup)")
endif()
set(_xen_inc ${CMAKE_BINARY_DIR}/xen-include)
file(MAKE_DIRECTORY ${_xen_inc})
file(CREATE_LINK ${PETREL_XEN_HEADERS} ${_xen_inc}/xen SYMBOLIC)

add_library(petrel STATIC)
target_include_directories(petrel PUBLIC
  ${PETREL_ROOT}/lib/include
  ${PETREL_ROOT}/kernel/include
  ${PETREL_ROOT}/xen/include
  ${PETREL_ROOT}/arch/include
  ${PETREL_ROOT}/arch/arm/include
  ${PETREL_ROOT}/arch/${PETREL_GUEST_ARCH}/include)
target_include_directories(petrel SYSTEM PUBLIC ${_xen_inc})
target_compile_definitions(petrel PUBLIC
  __XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__
  PETREL_ARCH_${PETREL_GUEST_ARCH}=1)
# The scheduler trace (kernel/include/petrel/kernel/trace.h,
# docs/debugging.md): ON records trace events into a ring that exit()
# prints for `petrel trace`, which builds its own trees with it
# (presets arm64-trace and arm32-trace). OFF, the default, compiles every
# trace point to nothing.
option(PETREL_TRACE "Record the scheduler trace (petrel trace)" OFF)
if(PETREL_TRACE)
  target_compile_definitions(petrel PUBLIC PETREL_CONFIG_TRACE=1)
endif()
set(PETREL_LINKER_SCRIPT ${PETREL_ROOT}/arch/${PETREL_GUEST_ARCH}/guest.ld)
include(${CMAKE_CURRENT_LIST_DIR}/petrel-libc.cmake)

# petrel_add_app(NAME SOURCES...) builds apps/NAME.elf (with symbols, for
# GDB) and apps/NAME.bin (the image a Xen domain boots), linked with the C
# library (petrel-libc.cmake).
function(petrel_add_app name)
  set(elf ${name}.elf)
  add_executable(${elf} ${ARGN})
  # The app's own sources get the C library's headers; the glue's objects
  # (petrel_libc, an object library) are linked whole, before picolibc's
  # archives. The archives come twice: picolibc calls into Petrel (memcpy)
  # and libgcc (its atomics), which calls back into the glue (__getauxval).
  target_link_libraries(${elf} PRIVATE petrel_libc_headers petrel_libc)
  target_link_options(${elf} PRIVATE ${PETREL_LIBC_LINK_OPTIONS})
  set(_archives petrel ${PETREL_LIBC_ARCHIVES} gcc)
  target_link_libraries(${elf} PRIVATE ${_archives} ${_archives})
  target_link_options(${elf} PRIVATE -T ${PETREL_LINKER_SCRIPT} -Wl,-Map=${CMAKE_BINARY_DIR}/apps/${name}.map)
  # memset/memcpy/memmove/memcmp: calls the compiler makes up during
  # link-time optimization (PETREL_LTO) come after the archives were
  # searched; -u pulls Petrel's definitions (lib/src/string_abi.cc, built
  # without LTO) in first.
  target_link_options(${elf} PRIVATE -Wl,-u,memset -Wl,-u,memcpy -Wl,-u,memmove -Wl,-u,memcmp)
  # Cortex-A53 erratum 843419 (an ADRP at a page offset of 0xff8 or 0xffc):
  # Debian's compiler has the linker fix it, by default with a veneer in a
  # stub section padded to 4 KiB, a page of the image for each section that
  # needs one. An image is far smaller than ADR's +-1 MiB reach, so the fix
  # can always rewrite the ADRP into an ADR in place instead (the link fails
  # if it ever cannot).
  if(PETREL_GUEST_ARCH STREQUAL "arm64")
    target_link_options(${elf} PRIVATE -Wl,--fix-cortex-a53-843419=adr)
  endif()
  set_target_properties(${elf} PROPERTIES
    OUTPUT_NAME ${name}
    SUFFIX .elf
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/apps
    LINK_DEPENDS ${PETREL_LINKER_SCRIPT})
  add_custom_command(TARGET ${elf} POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${elf}> ${CMAKE_BINARY_DIR}/apps/${name}.bin
    COMMENT "Making ${name}.bin")
endfunction()

include(${CMAKE_CURRENT_LIST_DIR}/petrel-xl.cmake)  # petrel_add_xl_config()
include(${CMAKE_CURRENT_LIST_DIR}/petrel-channels.cmake)  # petrel_static_channel()
# Kernel code never touches FP/SIMD registers: only application tasks do,
# and their FP state is switched for them.
target_compile_options(petrel PRIVATE -mgeneral-regs-only)
# AArch64: no padding to align functions, loops and branch targets beyond
# the 4 bytes of an instruction: -O2 pads each to 16 bytes, with nops that
# are also executed where a loop is entered. Under icount the kernel's
# figures are the same (within an instruction) and hello is 2 KiB smaller
# (docs/build.md). Not on AArch32, where the same flags made GCC's Thumb-2
# code longer on the kernel's paths (semaphore round trip +10 instructions,
# queue item +9).
if(PETREL_GUEST_ARCH STREQUAL "arm64")
  target_compile_options(petrel PRIVATE -falign-functions=4 -falign-loops=4 -falign-jumps=4
                                        -falign-labels=4)
endif()
