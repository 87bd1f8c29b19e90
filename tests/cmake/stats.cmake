# stats tests: the pure formatters, then the files they end up in
add_unit_test(test_stats
  ${PROJECT_SOURCE_DIR}/tests/unit/test_stats.c
  ${PROJECT_SOURCE_DIR}/src/stats.c
  ${PROJECT_SOURCE_DIR}/src/engine.c
  ${PROJECT_SOURCE_DIR}/src/csum.c)
add_unit_test(test_statlog
  ${PROJECT_SOURCE_DIR}/tests/unit/test_statlog.c
  ${PROJECT_SOURCE_DIR}/src/statlog.c
  ${PROJECT_SOURCE_DIR}/src/stats.c
  ${PROJECT_SOURCE_DIR}/src/log.c
  ${PROJECT_SOURCE_DIR}/src/engine.c
  ${PROJECT_SOURCE_DIR}/src/csum.c)
