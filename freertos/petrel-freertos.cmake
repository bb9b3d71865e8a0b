# petrel_freertos_library(NAME CONFIG_DIR): see freertos/CMakeLists.txt.
# Included from there and by any folder that needs the function before
# freertos/ is added (examples/, out-of-tree apps): include(<petrel>/freertos/petrel-freertos.cmake).
include_guard(GLOBAL)
set(PETREL_FREERTOS_DIR ${CMAKE_CURRENT_LIST_DIR} CACHE INTERNAL "freertos/")

function(petrel_freertos_library name config_dir)
  set(src ${PETREL_FREERTOS_DIR}/src)
  add_library(${name} STATIC ${src}/port.cc ${src}/task.cc ${src}/queue.cc ${src}/semphr.cc
              ${src}/timers.cc ${src}/event_groups.cc ${src}/stream_buffer.cc)
  target_include_directories(${name} PUBLIC ${PETREL_FREERTOS_DIR}/include ${config_dir})
  # Petrel's sources are strict wherever the library is defined (the
  # application's folder included); the application's own sources are not
  # affected.
  target_compile_options(${name} PRIVATE -Wall -Wextra -Werror
    $<$<COMPILE_LANGUAGE:CXX>:-Wno-missing-field-initializers>)
  if(PETREL_GUEST_ARCH)
    target_link_libraries(${name} PUBLIC petrel)
    # Its FromISR calls run in interrupt handlers, which must not touch
    # FP/SIMD registers (as the kernel).
    target_compile_options(${name} PRIVATE -mgeneral-regs-only)
    # The application's sources get the C library from petrel_add_app.
  else()
    target_link_libraries(${name} PUBLIC petrel_kernel_host)
  endif()
endfunction()

