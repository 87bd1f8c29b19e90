# engine tests: each program compiles only what it tests, plus the test-only
# packet builder (tests/unit/pkt.c), which has its own checksum code.
add_unit_test(test_csum
  ${PROJECT_SOURCE_DIR}/tests/unit/test_csum.c
  ${PROJECT_SOURCE_DIR}/src/csum.c)
add_unit_test(test_engine
  ${PROJECT_SOURCE_DIR}/tests/unit/test_engine.c
  ${PROJECT_SOURCE_DIR}/tests/unit/pkt.c
  ${PROJECT_SOURCE_DIR}/src/engine.c
  ${PROJECT_SOURCE_DIR}/src/csum.c)

# Seeds: /usr/bin/python3 tests/fuzz/make-engine-seeds.py
add_fuzzer(engine
  SOURCES src/engine.c src/csum.c tests/fuzz/fuzz_engine.c
  SECONDS 60
  CORPUS tests/fuzz/corpus/engine)
