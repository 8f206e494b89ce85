# What `cmake --install` and `cpack -G DEB` ship: the binary, the systemd unit, the annotated
# /etc/earshot/earshot.yaml and the silences file it names, /etc/earshot/silences.yaml (conffiles:
# upgrades keep the operator's edits), the rule packs and
# the lexicon, and the docs. Build the package with:
#   cmake -S . -B build/pkg -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr
#   cmake --build build/pkg && (cd build/pkg && cpack -G DEB)
include(GNUInstallDirs)

install(DIRECTORY ${CMAKE_SOURCE_DIR}/rules/ DESTINATION ${CMAKE_INSTALL_DATADIR}/earshot/rules
        PATTERN "tests" EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/earshot.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/earshot.yaml ${CMAKE_SOURCE_DIR}/systemd/silences.yaml
        DESTINATION /etc/earshot)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)

set(CPACK_PACKAGE_NAME earshot)
set(CPACK_PACKAGE_VENDOR "earshot")
set(CPACK_PACKAGE_CONTACT "earshot maintainers <earshot@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "hears customer complaints on social networks and pages the right person once")
set(CPACK_PACKAGE_DESCRIPTION
    "earshot polls hashtag and mention streams (Mastodon), flags specific complaints with RE2\n"
    "rules and a VADER sentiment score, groups them into incidents and delivers escalations\n"
    "to sinks over ZeroMQ, at least once and in order.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the libraries the binary links
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
# Mark the config files as conffiles so dpkg never overwrites an operator's edits on upgrade.
file(WRITE ${CMAKE_BINARY_DIR}/debian/conffiles
     "/etc/earshot/earshot.yaml\n/etc/earshot/silences.yaml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/debian/conffiles)
include(CPack)
