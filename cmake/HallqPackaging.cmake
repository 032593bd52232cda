# .deb packages, one per node (hallq-controller; the kiosk and display nodes add theirs the
# same way), for the build's architecture: amd64 natively, armhf/arm64 from the cross presets.
#   cmake --preset trixie-arm64 && cmake --build --preset trixie-arm64 && cpack --preset trixie-arm64
#
# Depends are computed by dpkg-shlibdeps from the binaries' needed libraries and the
# shlibs/symbols files of the packages that ship them: the host's dpkg database for native
# builds, the sysroot's own database (made by deploy/sysroot.sh) for cross builds.

if(CMAKE_CROSSCOMPILING)
  set(HALLQ_DEB_ARCH ${HALLQ_TARGET_DEB_ARCH})
else()
  find_program(HALLQ_DPKG dpkg)
  if(HALLQ_DPKG)
    execute_process(COMMAND ${HALLQ_DPKG} --print-architecture
      OUTPUT_VARIABLE HALLQ_DEB_ARCH OUTPUT_STRIP_TRAILING_WHITESPACE)
  else()
    set(HALLQ_DEB_ARCH amd64)
  endif()
endif()

# The Debian release the packages are built for: the sysroot's for cross builds, the build
# machine's own otherwise. Package versions carry it ("0.1.0-1~deb13"), so an installer can
# tell which .deb is for which release; ~ sorts a deb12 build below a deb13 one of the same
# upstream version, as Debian's backports do.
if(CMAKE_CROSSCOMPILING)
  set(hallq_suite ${HALLQ_DEB_SUITE})
else()
  set(hallq_suite "")
  if(EXISTS /etc/os-release)
    file(STRINGS /etc/os-release hallq_codename REGEX "^VERSION_CODENAME=")
    string(REGEX REPLACE "^VERSION_CODENAME=\"?([a-z]*)\"?$" "\\1" hallq_suite "${hallq_codename}")
  endif()
endif()
set(hallq_suite_numbers bookworm 12 trixie 13)
list(FIND hallq_suite_numbers "${hallq_suite}" hallq_suite_index)
if(hallq_suite_index EQUAL -1)
  message(WARNING "Debian release '${hallq_suite}' unknown: packages are versioned as for Debian 12")
  set(hallq_suite_index 0)
endif()
math(EXPR hallq_suite_index "${hallq_suite_index} + 1")
list(GET hallq_suite_numbers ${hallq_suite_index} HALLQ_DEB_RELEASE_NUMBER)
set(HALLQ_DEB_REVISION "1~deb${HALLQ_DEB_RELEASE_NUMBER}")
set(HALLQ_DEB_VERSION "${PROJECT_VERSION}-${HALLQ_DEB_REVISION}")

set(HALLQ_PACKAGE_COMPONENTS "")

# hallq_package(<component> PACKAGE <name> UNIT <file in deploy/systemd>
#               DESCRIPTION <one line> [GROUPS <group>...] [CONFIGS <example>...]
#               [RECOMMENDS <package>...] [DEPENDS <package>...] [MODULES <kernel module>...])
# Installs the unit, the example configs as /etc/hallq conffiles, and generates the
# maintainer scripts (system user hallq, device groups, /var/lib/hallq, systemd enable).
# MODULES go to /usr/lib/modules-load.d/<package>.conf: the drivers whose device groups the
# unit's DeviceAllow= names, loaded at boot so that the groups exist when the unit starts
# (systemd resolves char-<group> against /proc/devices then, not later).
function(hallq_package component)
  cmake_parse_arguments(P "" "PACKAGE;UNIT;DESCRIPTION" "GROUPS;CONFIGS;RECOMMENDS;DEPENDS;MODULES" ${ARGN})
  string(TOUPPER ${component} C)
  set(gen ${CMAKE_BINARY_DIR}/debian/${component})
  file(MAKE_DIRECTORY ${gen})

  install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/${P_UNIT}
    DESTINATION /lib/systemd/system COMPONENT ${component})
  # The unit's Documentation= points here.
  install(FILES ${PROJECT_SOURCE_DIR}/README.md
    DESTINATION share/doc/${P_PACKAGE} COMPONENT ${component})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
    DESTINATION share/doc/${P_PACKAGE} COMPONENT ${component})
  if(P_MODULES)
    list(JOIN P_MODULES "\n" modules)
    file(WRITE ${gen}/modules-load.conf
      "# ${P_PACKAGE}: drivers of the device groups its unit may open (DeviceAllow=).\n${modules}\n")
    install(FILES ${gen}/modules-load.conf DESTINATION lib/modules-load.d
      RENAME ${P_PACKAGE}.conf COMPONENT ${component})
  endif()
  set(conffiles "")
  foreach(cfg IN LISTS P_CONFIGS)
    get_filename_component(name ${cfg} NAME)
    install(FILES ${PROJECT_SOURCE_DIR}/${cfg} DESTINATION /etc/hallq COMPONENT ${component})
    list(APPEND conffiles /etc/hallq/${name})
  endforeach()
  list(GET conffiles 0 HALLQ_MAIN_CONFIG)
  list(JOIN conffiles "\n" conffile_lines)
  file(WRITE ${gen}/conffiles "${conffile_lines}\n")

  set(HALLQ_PACKAGE ${P_PACKAGE})
  set(HALLQ_UNIT ${P_UNIT})
  list(JOIN P_GROUPS " " HALLQ_GROUPS)
  list(JOIN conffiles " " HALLQ_CONFFILES)
  foreach(script postinst prerm postrm)
    configure_file(${PROJECT_SOURCE_DIR}/deploy/debian/${script}.in ${gen}/${script} @ONLY
      FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
      WORLD_READ WORLD_EXECUTE)
  endforeach()

  set(CPACK_DEBIAN_${C}_PACKAGE_NAME ${P_PACKAGE} PARENT_SCOPE)
  set(CPACK_DEBIAN_${C}_PACKAGE_CONTROL_EXTRA
    "${gen}/conffiles;${gen}/postinst;${gen}/prerm;${gen}/postrm" PARENT_SCOPE)
  set(CPACK_COMPONENT_${C}_DESCRIPTION "${P_DESCRIPTION}" PARENT_SCOPE)
  if(P_RECOMMENDS)
    list(JOIN P_RECOMMENDS ", " recommends)
    set(CPACK_DEBIAN_${C}_PACKAGE_RECOMMENDS "${recommends}" PARENT_SCOPE)
  endif()
  if(P_DEPENDS)
    # Beyond the computed library Depends and the common ones (hallq_finish_packaging).
    list(JOIN P_DEPENDS ", " depends)
    set(CPACK_DEBIAN_${C}_PACKAGE_DEPENDS "passwd, tzdata, ${depends}" PARENT_SCOPE)
  endif()
  set(HALLQ_PACKAGE_COMPONENTS ${HALLQ_PACKAGE_COMPONENTS} ${component} PARENT_SCOPE)
endfunction()

macro(hallq_finish_packaging)
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGE_NAME hallq)
  set(CPACK_PACKAGE_VENDOR "HallQ")
  set(CPACK_PACKAGE_CONTACT "HallQ developers <hallq@localhost>")
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
  set(CPACK_STRIP_FILES ON)
  set(CPACK_COMPONENTS_ALL ${HALLQ_PACKAGE_COMPONENTS})
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_RELEASE ${HALLQ_DEB_REVISION})
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${HALLQ_DEB_ARCH})
  set(CPACK_DEBIAN_PACKAGE_SECTION net)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  # Beyond the libraries dpkg-shlibdeps finds: the maintainer scripts use
  # useradd/groupadd/usermod (passwd), and the hall's time zone comes from tzdata.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, tzdata")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  if(CMAKE_CROSSCOMPILING)
    # dpkg-shlibdeps finds the target's libraries in the sysroot and their packages'
    # shlibs/symbols in the sysroot's dpkg database (see deploy/sysroot.sh).
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
      "${HALLQ_SYSROOT}/usr/lib/${HALLQ_TARGET_TRIPLET};${HALLQ_SYSROOT}/lib/${HALLQ_TARGET_TRIPLET}")
    set(HALLQ_CPACK_ENV "set(ENV{DPKG_ADMINDIR} \"${HALLQ_SYSROOT}/.hallq/dpkg\")\n")
    string(APPEND HALLQ_CPACK_ENV "set(ENV{DEB_HOST_ARCH} \"${HALLQ_DEB_ARCH}\")\n")
    string(APPEND HALLQ_CPACK_ENV "set(ENV{OBJDUMP} \"${CMAKE_OBJDUMP}\")\n")
    file(WRITE ${CMAKE_BINARY_DIR}/HallqCPackEnv.cmake "${HALLQ_CPACK_ENV}")
    set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/HallqCPackEnv.cmake)
  endif()
  include(CPack)
endmacro()
