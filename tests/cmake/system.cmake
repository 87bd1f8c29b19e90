# system tests: notify (sd_notify datagrams), the firewall rules on a real
# kernel in a namespace of their own, the systemd unit.

add_unit_test(test_notify unit/test_notify.c
  ${PROJECT_SOURCE_DIR}/src/notify.c ${PROJECT_SOURCE_DIR}/src/log.c)

# The subprocess runner: exit status, output capture, stdin, timeout, cancel.
add_unit_test(test_spawn unit/test_spawn.c ${PROJECT_SOURCE_DIR}/src/spawn.c
  ${PROJECT_SOURCE_DIR}/src/log.c)
target_link_libraries(test_spawn PRIVATE Threads::Threads)

# The firewall test's driver: the firewall (facade, backends, runner) and
# privs.c, nothing else of the daemon.
add_executable(fwctl system/fwctl.c
  ${PROJECT_SOURCE_DIR}/src/firewall.c ${PROJECT_SOURCE_DIR}/src/fw_iptables.c
  ${PROJECT_SOURCE_DIR}/src/fw_nftables.c ${PROJECT_SOURCE_DIR}/src/spawn.c
  ${PROJECT_SOURCE_DIR}/src/privs.c ${PROJECT_SOURCE_DIR}/src/log.c)
target_link_libraries(fwctl PRIVATE Threads::Threads PkgConfig::CAPNG)

# Root and network namespaces, else they skip (77).
add_script_test(firewall_iptables ${MSSCLAMPD_TESTS_DIR}/system/firewall-test.sh system 180
  iptables $<TARGET_FILE:fwctl>)
add_script_test(firewall_nftables ${MSSCLAMPD_TESTS_DIR}/system/firewall-test.sh system 120
  nftables $<TARGET_FILE:fwctl>)

# systemd-analyze verify and security --offline on systemd/mssclampd.service.
add_script_test(systemd_unit ${MSSCLAMPD_TESTS_DIR}/system/unit-test.sh system 120)

# cmake --install into a DESTDIR and cpack -G DEB, from a fresh build of its
# own configured with -DCMAKE_INSTALL_PREFIX=/usr: files land where stated.
add_script_test(install ${MSSCLAMPD_TESTS_DIR}/system/install-test.sh system 300)
