# The CTest cases of the fuzz targets, in the host build (its CTest runs the
# whole suite): fuzz.NAME runs build/fuzz/fuzz_NAME, built by the fuzz
# preset, through run_fuzz.sh for a few seconds, replaying its seeds
# (corpus/NAME, and build/fuzz/seeds/NAME, the ones the fuzz build writes)
# and the inputs of crashes once found (regressions/NAME).
# Long campaigns: `petrel fuzz` (docs/reliability.md).
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
# Each case's bound: seconds of fuzzing, and executions. The 11 cases add
# about 25 s of CPU to the default suite (start-up and the replay included).
set(PETREL_FUZZ_SECONDS 1 CACHE STRING "seconds each fuzz.* CTest case fuzzes")
set(PETREL_FUZZ_RUNS 100000 CACHE STRING "executions each fuzz.* CTest case runs at most")
foreach(entry ${PETREL_FUZZ_TARGETS})
  string(REPLACE ":" ";" entry ${entry})
  list(GET entry 0 name)
  set(built_seeds -)
  if(name IN_LIST PETREL_FUZZ_BUILT_SEEDS)
    set(built_seeds ${CMAKE_BINARY_DIR}/../fuzz/seeds/${name})
  endif()
  add_test(NAME fuzz.${name}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_fuzz.sh ${CMAKE_BINARY_DIR}/../fuzz/fuzz_${name}
      ${CMAKE_CURRENT_LIST_DIR}/corpus/${name} ${built_seeds}
      ${CMAKE_CURRENT_LIST_DIR}/regressions/${name}
      ${CMAKE_BINARY_DIR}/fuzz-work/${name} ${PETREL_FUZZ_SECONDS} ${PETREL_FUZZ_RUNS})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endforeach()
