# The fuzz targets, NAME:LIBRARY (tests/fuzz/NAME_fuzz.cc, built as
# build/fuzz/fuzz_NAME). Read by the fuzz build (CMakeLists.txt)
# and by the host build, which registers a CTest case fuzz.NAME for each
# (register.cmake); `petrel fuzz` takes the same names.
set(PETREL_FUZZ_TARGETS
  fdt:fuzz_lib
  board:fuzz_lib
  bootargs:fuzz_lib
  xs_protocol:fuzz_xen
  byte_ring:fuzz_xen
  console_ring:fuzz_xen
  vchan:fuzz_xen
  evtchn_fifo:fuzz_xen
  grant_entries:fuzz_xen
  console_parse:fuzz_tool
  image_check:fuzz_tool)
# The targets whose seeds the fuzz build writes (make_seeds.cc), into
# build/fuzz/seeds/NAME.
set(PETREL_FUZZ_BUILT_SEEDS fdt board)
