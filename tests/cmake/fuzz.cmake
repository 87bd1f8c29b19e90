# libFuzzer targets need clang. If the project is built with another compiler
# they are compiled by a custom command with clang directly.
find_program(CLANG_EXECUTABLE NAMES clang clang-14)
set(FUZZ_FLAGS -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
  -D_GNU_SOURCE -std=c11 -I${PROJECT_SOURCE_DIR}/include)

# add_fuzzer(NAME SOURCES file... LIBS -lx... SECONDS n CORPUS dir)
# Builds fuzz_NAME and registers a test that runs it for SECONDS over CORPUS.
function(add_fuzzer name)
  cmake_parse_arguments(F "" "SECONDS;CORPUS" "SOURCES;LIBS" ${ARGN})
  if(NOT MSSCLAMPD_FUZZ OR NOT CLANG_EXECUTABLE)
    message(STATUS "fuzzer ${name}: skipped (no clang)")
    return()
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/fuzz_${name})
  set(srcs)
  foreach(s ${F_SOURCES})
    list(APPEND srcs ${PROJECT_SOURCE_DIR}/${s})
  endforeach()
  add_custom_command(OUTPUT ${out}
    COMMAND ${CLANG_EXECUTABLE} ${FUZZ_FLAGS} -o ${out} ${srcs} ${F_LIBS}
    DEPENDS ${srcs} COMMENT "Building fuzzer ${name} with clang" VERBATIM)
  add_custom_target(fuzz_${name} ALL DEPENDS ${out})
  add_test(NAME fuzz_${name}
    COMMAND ${PROJECT_SOURCE_DIR}/tests/fuzz/run-fuzzer.sh ${out} ${PROJECT_SOURCE_DIR}/${F_CORPUS} ${F_SECONDS})
  set_tests_properties(fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT 600)
endfunction()
