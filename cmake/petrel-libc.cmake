# The C library of guest applications: Debian's picolibc, built for the
# architecture (picolibc-aarch64-linux-gnu; picolibc-arm-none-eabi's
# thumb/v7ve+simd/hard build, which matches the AArch32 guests' Thumb-2,
# VFPv4/NEON, hard-float code), on Petrel's platform glue (libc/).
#
# Sets, for petrel_add_app (petrel-guest.cmake):
#   PETREL_LIBC_COMPILE_OPTIONS  picolibc's headers for C and C++ sources
#   PETREL_LIBC_ARCHIVES         libc.a and libm.a
#   PETREL_LIBC_LINK_OPTIONS     what linking them needs
# and the INTERFACE target petrel_libc_headers (the compile options).
# See docs/libc.md.
if(PETREL_GUEST_ARCH STREQUAL "arm64")
  set(_pico_triple aarch64-linux-gnu)
  set(_pico_multilib "")
else()
  set(_pico_triple arm-none-eabi)
  set(_pico_multilib /thumb/v7ve+simd/hard)
endif()
set(_pico_package picolibc-${_pico_triple})
set(PETREL_PICOLIBC_DIR /usr/lib/picolibc/${_pico_triple} CACHE PATH
    "picolibc for this architecture (Debian package ${_pico_package})")
# picolibc's default build is optimized for size; "release" is its build
# optimized for speed.
set(PETREL_LIBC_BUILD size CACHE STRING "picolibc build: size or release")
set_property(CACHE PETREL_LIBC_BUILD PROPERTY STRINGS size release)
if(PETREL_LIBC_BUILD STREQUAL "size")
  set(_pico_sub "")
elseif(PETREL_LIBC_BUILD STREQUAL "release")
  set(_pico_sub /release)
else()
  message(FATAL_ERROR "PETREL_LIBC_BUILD must be size or release, not '${PETREL_LIBC_BUILD}'")
endif()
set(_pico_include ${PETREL_PICOLIBC_DIR}/include${_pico_sub})
set(_pico_lib ${PETREL_PICOLIBC_DIR}/lib${_pico_sub}${_pico_multilib})
if(NOT EXISTS ${_pico_lib}/libc.a OR NOT EXISTS ${_pico_include}/stdio.h)
  message(FATAL_ERROR "picolibc not found in ${PETREL_PICOLIBC_DIR}: install it with "
                      "'apt-get install ${_pico_package}' (or run ./petrel setup)")
endif()

execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE _cc_include OUTPUT_STRIP_TRAILING_WHITESPACE)
# C: only picolibc's headers and the compiler's own (stddef.h, stdarg.h,
# ...), never the cross compiler's glibc ones. C++: picolibc's C headers
# come first; the C++ library's headers stay reachable for <new>,
# <type_traits> and the like (the <cstdio>-style wrappers would reach glibc,
# so C++ sources include <stdio.h>-style headers). Local-exec TLS: a guest is
# one static image (arch/arm/include/arch/tls_layout.h).
# Cache entries: petrel_add_app also runs in an application's own folders
# when Petrel is its subproject (docs/out-of-tree.md).
set(PETREL_LIBC_COMPILE_OPTIONS
  "$<$<COMPILE_LANGUAGE:C>:-nostdinc>"
  "SHELL:-isystem ${_pico_include}"
  "$<$<COMPILE_LANGUAGE:C>:SHELL:-isystem ${_cc_include}>"
  -ftls-model=local-exec CACHE INTERNAL "picolibc compile options")
set(PETREL_LIBC_ARCHIVES ${_pico_lib}/libc.a ${_pico_lib}/libm.a CACHE INTERNAL "picolibc archives")
set(_libc_link_options "")
if(PETREL_GUEST_ARCH STREQUAL "arm32")
  # arm-none-eabi code uses the smallest integer type that holds an enum's
  # values; arm-linux-gnueabihf code uses int. The linker warns about every
  # object. No picolibc interface a guest uses has an enum-typed parameter
  # or member except <search.h> (hsearch's ACTION, twalk's VISIT) and
  # <rpc/xdr.h>; an enum argument travels in a full register either way.
  # docs/libc.md says so.
  set(_libc_link_options -Wl,--no-enum-size-warning)
endif()
# printf/scanf: picolibc's full version (double), or a smaller one without
# floating point (integer). (picolibc's float-only variant needs every %f
# argument wrapped in printf_float(), so it is not offered.)
set(PETREL_LIBC_PRINTF double CACHE STRING "printf/scanf variant: double or integer")
set_property(CACHE PETREL_LIBC_PRINTF PROPERTY STRINGS double integer)
if(PETREL_LIBC_PRINTF STREQUAL "integer")
  list(APPEND _libc_link_options -Wl,--defsym=vfprintf=__i_vfprintf -Wl,--defsym=vfscanf=__i_vfscanf)
elseif(NOT PETREL_LIBC_PRINTF STREQUAL "double")
  message(FATAL_ERROR "PETREL_LIBC_PRINTF must be double or integer, not '${PETREL_LIBC_PRINTF}'")
endif()
set(PETREL_LIBC_LINK_OPTIONS ${_libc_link_options} CACHE INTERNAL "picolibc link options")

# The headers as a target: petrel_add_app links it, and so may an
# application's own libraries (target_link_libraries(mylib PRIVATE
# petrel_libc_headers)) so that their C sources see picolibc, not glibc.
add_library(petrel_libc_headers INTERFACE)
target_compile_options(petrel_libc_headers INTERFACE ${PETREL_LIBC_COMPILE_OPTIONS})
