# Compiles one dom0 tool with Debian's AArch64 cross compiler, looked up when
# the tool is built, not when the host build is configured: `./petrel`
# configures the host build before it installs the cross compilers, and a
# compiler looked up (and not found) then would stay unfound in the cache.
#
#   cmake -DSOURCE=x.c -DOUTPUT=x -P cross-cc.cmake     (or x.cc, C++)
cmake_minimum_required(VERSION 3.22)  # CMP0109: a program must be executable
# A .cc tool is C++ (g++-aarch64-linux-gnu), anything else C.
if(SOURCE MATCHES "\\.cc$")
  set(compiler aarch64-linux-gnu-g++)
  set(package g++-aarch64-linux-gnu)
  set(language_flags -std=c++20)
else()
  set(compiler aarch64-linux-gnu-gcc)
  set(package gcc-aarch64-linux-gnu)
  set(language_flags "")
endif()
find_program(cc ${compiler} NO_CACHE)
if(NOT cc)
  message(FATAL_ERROR
    "${compiler} not found: the dom0 tools (${OUTPUT}) are built with "
    "Debian's AArch64 cross compiler; install it with\n"
    "  sudo apt-get install ${package}\n"
    "(or run ./petrel setup)")
endif()
execute_process(
  COMMAND ${cc} ${language_flags} -O2 -static -Wall -Wextra -Werror -o ${OUTPUT} ${SOURCE}
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "building the dom0 tool ${OUTPUT} failed (${cc}: ${status})")
endif()
