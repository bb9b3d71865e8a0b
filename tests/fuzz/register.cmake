# The CTest cases of the fuzz targets, in the host build (its CTest runs the
# whole suite): fuzz.NAME runs build/fuzz/fuzz_NAME, built by the fuzz
# preset, through run_fuzz.sh for a few seconds, replaying its seeds
# (corpus/NAME) and the inputs of crashes once found (regressions/NAME).
# Long campaigns: `petrel fuzz` (docs/reliability.md).
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
# Each case's bound: seconds of fuzzing, and executions. With 11 targets the
# fuzz cases add about 11 x 2 to 3 s of CPU to the default suite.
set(PETREL_FUZZ_SECONDS 2 CACHE STRING "seconds each fuzz.* CTest case fuzzes")
set(PETREL_FUZZ_RUNS 300000 CACHE STRING "executions each fuzz.* CTest case runs at most")
foreach(entry ${PETREL_FUZZ_TARGETS})
  string(REPLACE ":" ";" entry ${entry})
  list(GET entry 0 name)
  add_test(NAME fuzz.${name}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_fuzz.sh ${CMAKE_BINARY_DIR}/../fuzz/fuzz_${name}
      ${CMAKE_CURRENT_LIST_DIR}/corpus/${name} ${CMAKE_CURRENT_LIST_DIR}/regressions/${name}
      ${CMAKE_BINARY_DIR}/fuzz-work/${name} ${PETREL_FUZZ_SECONDS} ${PETREL_FUZZ_RUNS})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endforeach()
