# Config, overhead presets, ceiling arithmetic and the calc/presets subcommands (cli.c).
# Each test compiles only the sources it exercises.
set(CONF_TEST_SRC ${PROJECT_SOURCE_DIR}/src)
set(CONF_TEST_UNIT ${PROJECT_SOURCE_DIR}/tests/unit)

add_unit_test(test_text ${CONF_TEST_UNIT}/test_text.c ${CONF_TEST_SRC}/text.c)
add_unit_test(test_presets ${CONF_TEST_UNIT}/test_presets.c ${CONF_TEST_SRC}/presets.c
  ${CONF_TEST_SRC}/text.c)
add_unit_test(test_ceiling ${CONF_TEST_UNIT}/test_ceiling.c
  ${CONF_TEST_SRC}/ceiling.c ${CONF_TEST_SRC}/presets.c ${CONF_TEST_SRC}/text.c)
add_unit_test(test_calc ${CONF_TEST_UNIT}/test_calc.c
  ${CONF_TEST_SRC}/cli.c ${CONF_TEST_SRC}/ceiling.c ${CONF_TEST_SRC}/presets.c
  ${CONF_TEST_SRC}/text.c)

# Also runs the golden files: tests/conf/bad-NAME.conf must fail with exactly
# bad-NAME.expected; good-NAME.conf must load. And the shipped sample config.
add_unit_test(test_conf ${CONF_TEST_UNIT}/test_conf.c
  ${CONF_TEST_SRC}/conf.c ${CONF_TEST_SRC}/conffile.c ${CONF_TEST_SRC}/presets.c
  ${CONF_TEST_SRC}/text.c)
target_compile_definitions(test_conf PRIVATE
  CONF_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/tests/conf"
  CONF_SAMPLE="${PROJECT_SOURCE_DIR}/conf/mssclampd.conf")

add_fuzzer(conf
  SOURCES tests/fuzz/fuzz_conf.c src/conf.c src/presets.c src/ceiling.c src/text.c
  SECONDS 20
  CORPUS tests/fuzz/corpus/conf)
