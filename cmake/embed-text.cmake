# Embeds a text file in C++ as a raw string literal, at build time:
#   cmake -DIN=file -DOUT=header.h -DNAME=kSymbol -P embed-text.cmake
# writes `inline constexpr char kSymbol[] = R"...(contents)...";` into OUT
# (rewritten only when it changes, so that its users rebuild only then).
cmake_minimum_required(VERSION 3.22)
set(delimiter PETREL_EMBED)
file(READ "${IN}" text)
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string end )${delimiter}\"; it cannot be embedded")
endif()
set(header "// Generated from ${IN} by cmake/embed-text.cmake: edit that file instead.\n#pragma once\n\ninline constexpr char ${NAME}[] = R\"${delimiter}(${text})${delimiter}\";\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL header)
  file(WRITE "${OUT}" "${header}")
endif()
