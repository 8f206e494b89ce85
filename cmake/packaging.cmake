# What `cmake --install` and `cpack -G DEB` ship: the binary, the systemd unit, the annotated
# /etc/earshot/earshot.yaml and the silences file it names, /etc/earshot/silences.yaml (conffiles:
# upgrades keep the operator's edits), the rule packs and the lexicon, the docs, and what Debian
# policy asks of every package: the machine-readable copyright file and the changelog. CPack
# writes two packages, earshot (the binary stripped) and earshot-dbgsym (its debug symbols, by
# build id). Build them with (RelWithDebInfo, so that the dbgsym package has full debug info):
#   cmake -S . -B build/pkg -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build/pkg --target earshot && (cd build/pkg && cpack -G DEB)
# lintian --fail-on error,warning passes on the package; tests/service/lintian_test.sh checks it.
include(GNUInstallDirs)

install(DIRECTORY ${CMAKE_SOURCE_DIR}/rules/ DESTINATION ${CMAKE_INSTALL_DATADIR}/earshot/rules
        PATTERN "tests" EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/earshot.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/earshot.yaml ${CMAKE_SOURCE_DIR}/systemd/silences.yaml
        DESTINATION /etc/earshot)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)

# Debian policy 12.5: /usr/share/doc/<package>/copyright, in the DEP-5 machine-readable format:
# earshot's own licence and the VADER lexicon's (MIT, C.J. Hutto) that ships with it.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Debian policy 12.7: the changelog, compressed with gzip -9n (-n: no name or time stamp in the
# header, so the package builds the same twice). earshot is a native package (its version has no
# Debian revision), so the file is changelog.gz, not changelog.Debian.gz. Its newest entry must
# name the version CPack writes in the control file; a release bumps both.
set(EARSHOT_DEBIAN_CHANGELOG ${CMAKE_SOURCE_DIR}/packaging/debian/changelog)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${EARSHOT_DEBIAN_CHANGELOG})
file(READ ${EARSHOT_DEBIAN_CHANGELOG} _earshot_changelog_head LIMIT 200)
string(REGEX MATCH "^[^\n]*" _earshot_changelog_head "${_earshot_changelog_head}")
if(NOT _earshot_changelog_head MATCHES "^earshot \\(([^)]+)\\) "
   OR NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "packaging/debian/changelog: the newest entry must be for earshot "
                      "${PROJECT_VERSION} (the project's version), found: ${_earshot_changelog_head}")
endif()
find_program(EARSHOT_GZIP gzip REQUIRED)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/debian)
execute_process(COMMAND ${EARSHOT_GZIP} -9nc ${EARSHOT_DEBIAN_CHANGELOG}
                OUTPUT_FILE ${CMAKE_BINARY_DIR}/debian/changelog.gz
                COMMAND_ERROR_IS_FATAL ANY)
install(FILES ${CMAKE_BINARY_DIR}/debian/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME earshot)
set(CPACK_PACKAGE_VENDOR "earshot")
set(CPACK_PACKAGE_CONTACT "earshot maintainers <maintainers@earshot.example>")
# One line of at most 80 characters, no final full stop (Debian policy 3.4.1).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "hears customer complaints on social networks and pages the right person once")
# One string whose lines end in \n: CPack puts one space before each line of the extended
# description, which lintian wants at most 80 characters wide. Separate quoted arguments would
# make a CMake list, joined with ';' into the control file; a literal ';' needs "\;".
set(CPACK_PACKAGE_DESCRIPTION "\
earshot reads hashtag and mention streams (Mastodon, X, Bluesky, Reddit),\n\
tells a specific complaint from noise and from praise with RE2 rules, a VADER\n\
sentiment score and a complaint scorer, groups complaints into incidents and\n\
escalates each once to the people who must act: console, file, webhook, Slack,\n\
PagerDuty, email or exec sinks, delivered at least once and in order.\n\
It runs as a hardened systemd service (Type=notify, watchdog) and serves\n\
Prometheus metrics.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the libraries the binary links
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
# The shipped binary is stripped and its debug symbols go to earshot-dbgsym
# (earshot-dbgsym_<version>_<arch>.ddeb, installed under /usr/lib/debug/.build-id/), where gdb
# and debuginfod find them by the binary's build id. CPackDeb splits and strips the files it
# sees unstripped; CPACK_STRIP_FILES stays off, because it would strip them during the install,
# before CPackDeb could copy the symbols out, leaving no dbgsym package.
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
set(CPACK_STRIP_FILES OFF)
# CMake 3.25 writes the dbgsym package's md5sums with absolute staging paths; this rewrites them
# and links its doc directory to earshot's, as Debian's own dbgsym packages do.
set(CPACK_POST_BUILD_SCRIPTS ${CMAKE_SOURCE_DIR}/packaging/fix_dbgsym_package.cmake)
# Mark the config files as conffiles so dpkg never overwrites an operator's edits on upgrade.
file(WRITE ${CMAKE_BINARY_DIR}/debian/conffiles
     "/etc/earshot/earshot.yaml\n/etc/earshot/silences.yaml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/debian/conffiles)
include(CPack)
