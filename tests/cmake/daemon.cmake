# The daemon's own modules: unit tests, netlink fuzzers, namespace integration tests.
set(S ${PROJECT_SOURCE_DIR}/src)
add_unit_test(test_iftable unit/test_iftable.c ${S}/iftable.c)
add_unit_test(test_links unit/test_links.c ${S}/links.c ${S}/iftable.c ${S}/log.c)
target_link_libraries(test_links PRIVATE PkgConfig::MNL)
add_unit_test(test_queue_parse unit/test_queue_parse.c ${S}/queue.c ${S}/log.c)
target_link_libraries(test_queue_parse PRIVATE PkgConfig::MNL PkgConfig::NFQ)

# Namespace integration tests: real kernel, real iptables, real TCP.
foreach(t clamp links lifecycle observe)
  add_script_test(integration_${t} ${PROJECT_SOURCE_DIR}/tests/integration/${t}.sh integration 300)
endforeach()

add_fuzzer(netlink SOURCES src/links.c src/queue.c src/iftable.c src/log.c src/engine.c src/csum.c
  tests/fuzz/fuzz_netlink.c LIBS -lmnl -lnetfilter_queue SECONDS 30 CORPUS tests/fuzz/corpus/netlink)

add_unit_test(test_view unit/test_view.c ${S}/view.c ${S}/iftable.c ${S}/ceiling.c ${S}/conf.c
  ${S}/conffile.c ${S}/presets.c ${S}/text.c ${S}/log.c)
add_script_test(integration_notify ${PROJECT_SOURCE_DIR}/tests/integration/notify.sh integration 120)

# Robustness (issue 6): hostile traffic, faults, valgrind; the soak runs about
# two minutes (SOAK_SECONDS) and carries its own label: ctest -L soak, or -LE soak.
add_script_test(integration_hostile ${PROJECT_SOURCE_DIR}/tests/integration/hostile.sh integration 600)
add_script_test(integration_faults ${PROJECT_SOURCE_DIR}/tests/integration/faults.sh integration 300)
add_script_test(integration_valgrind ${PROJECT_SOURCE_DIR}/tests/integration/valgrind.sh integration 300)
add_script_test(integration_soak ${PROJECT_SOURCE_DIR}/tests/integration/soak.sh soak 600)
