# Debian's libfdt-dev ships no pkg-config file: find it by hand.
find_path(LIBFDT_INCLUDE_DIR libfdt.h)
find_library(LIBFDT_LIBRARY fdt)
if(NOT LIBFDT_INCLUDE_DIR OR NOT LIBFDT_LIBRARY)
  message(FATAL_ERROR "libfdt not found: install it with 'apt-get install libfdt-dev'")
endif()
if(NOT TARGET petrel::libfdt)
  add_library(petrel::libfdt UNKNOWN IMPORTED)
  set_target_properties(petrel::libfdt PROPERTIES
    IMPORTED_LOCATION ${LIBFDT_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${LIBFDT_INCLUDE_DIR})
endif()
