# Differential test against the kernel's own TCPMSS target (tests/kernel/).
# pcap_clamp runs the engine over a pcap file; diff-test.sh sends the same
# corpus through a router namespace and compares. Needs root: skips otherwise.
add_executable(pcap_clamp ${MSSCLAMPD_TESTS_DIR}/kernel/pcap_clamp.c)
target_link_libraries(pcap_clamp PRIVATE mssclamp_core)
add_script_test(kernel_diff ${PROJECT_SOURCE_DIR}/tests/kernel/diff-test.sh kernel 300)
