# Run by cpack (CPACK_PRE_BUILD_SCRIPTS) on the staged tree of the .deb,
# before it is packed: what Debian policy asks of a package beyond what
# `cmake --install` puts in place (policy 12.1, 12.5, 12.7), checked by
# lintian in tests/system/install-test.sh:
#   - the manual pages compressed with gzip -9n (no name, no timestamp: the
#     same bytes at every build);
#   - /usr/share/doc/mssclampd/copyright (machine-readable, DEP-5) and
#     changelog.Debian.gz, whose latest entry must be this very version;
#   - the daemon without the .comment section (as dh_strip does);
#   - lintian's overrides, each with its reason (conf/deb/lintian-overrides).
set(_root ${CPACK_TEMPORARY_INSTALL_DIRECTORY})
set(_src ${CPACK_MSSCLAMPD_SOURCE_DIR}/conf/deb)
set(_version ${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})

file(STRINGS ${_src}/changelog _first LIMIT_COUNT 1)
if(NOT _first MATCHES "^mssclampd \\(${_version}\\) ")
  message(FATAL_ERROR "conf/deb/changelog: the latest entry is '${_first}', "
    "not mssclampd (${_version}): add an entry for this version")
endif()

file(GLOB _pages ${_root}/usr/share/man/man*/*)
foreach(_page ${_pages})
  if(NOT _page MATCHES "\\.gz$")
    execute_process(COMMAND gzip -9nf ${_page} RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "gzip -9n ${_page} failed")
    endif()
  endif()
endforeach()

set(_doc ${_root}/usr/share/doc/mssclampd)
file(MAKE_DIRECTORY ${_doc})
file(COPY ${_src}/copyright DESTINATION ${_doc}
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
execute_process(COMMAND gzip -9nc ${_src}/changelog
  OUTPUT_FILE ${_doc}/changelog.Debian.gz RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "gzip -9n conf/deb/changelog failed")
endif()
file(CHMOD ${_doc}/changelog.Debian.gz PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# cpack has stripped it already (CPACK_STRIP_FILES); the compiler's notes go too
execute_process(COMMAND objcopy --remove-section=.comment ${_root}/usr/sbin/mssclampd
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "objcopy --remove-section=.comment usr/sbin/mssclampd failed")
endif()

set(_overrides ${_root}/usr/share/lintian/overrides)
file(MAKE_DIRECTORY ${_overrides})
configure_file(${_src}/lintian-overrides ${_overrides}/mssclampd COPYONLY)
file(CHMOD ${_overrides}/mssclampd PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
