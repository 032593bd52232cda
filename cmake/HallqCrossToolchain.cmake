# Shared body of the Raspberry Pi toolchain files (toolchain-armhf.cmake,
# toolchain-arm64.cmake): Debian's cross g++ against a sysroot made from Debian's own
# armhf/arm64 packages of one release by deploy/sysroot.sh, and qemu-user as the emulator so
# that ctest runs the unit tests of the target architecture on the build machine.
#
# The caller sets HALLQ_TARGET_TRIPLET, HALLQ_TARGET_DEB_ARCH, HALLQ_TARGET_PROCESSOR,
# HALLQ_TARGET_QEMU and HALLQ_TARGET_QEMU_CPU. The Debian release is
# -DHALLQ_DEB_SUITE=bookworm|trixie (the presets set it; default bookworm). The sysroot is taken from -DHALLQ_SYSROOT=..., else from the
# environment variable HALLQ_SYSROOT, else from deploy/sysroot.sh's default cache folder.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${HALLQ_TARGET_PROCESSOR})

if(NOT HALLQ_DEB_SUITE)
  set(HALLQ_DEB_SUITE bookworm)
endif()
set(hallq_sysroot_name "sysroot-${HALLQ_DEB_SUITE}-${HALLQ_TARGET_DEB_ARCH}")
if(NOT HALLQ_SYSROOT)
  if(DEFINED ENV{HALLQ_SYSROOT} AND NOT "$ENV{HALLQ_SYSROOT}" STREQUAL "")
    set(HALLQ_SYSROOT "$ENV{HALLQ_SYSROOT}")
  elseif(DEFINED ENV{HALLQ_SYSROOT_CACHE} AND NOT "$ENV{HALLQ_SYSROOT_CACHE}" STREQUAL "")
    set(HALLQ_SYSROOT "$ENV{HALLQ_SYSROOT_CACHE}/${hallq_sysroot_name}")
  elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
    set(HALLQ_SYSROOT "$ENV{XDG_CACHE_HOME}/hallq/${hallq_sysroot_name}")
  else()
    set(HALLQ_SYSROOT "$ENV{HOME}/.cache/hallq/${hallq_sysroot_name}")
  endif()
endif()
if(NOT EXISTS "${HALLQ_SYSROOT}/.hallq/stamp")
  message(FATAL_ERROR "No ${HALLQ_DEB_SUITE} ${HALLQ_TARGET_DEB_ARCH} sysroot at ${HALLQ_SYSROOT}: "
    "run 'deploy/sysroot.sh ${HALLQ_TARGET_DEB_ARCH} ${HALLQ_DEB_SUITE}' first (or set HALLQ_SYSROOT)")
endif()
file(STRINGS "${HALLQ_SYSROOT}/.hallq/suite" hallq_sysroot_suite LIMIT_COUNT 1)
if(NOT hallq_sysroot_suite STREQUAL HALLQ_DEB_SUITE)
  message(FATAL_ERROR "The sysroot at ${HALLQ_SYSROOT} is Debian '${hallq_sysroot_suite}', "
    "the build asks for '${HALLQ_DEB_SUITE}'")
endif()
set(HALLQ_SYSROOT "${HALLQ_SYSROOT}" CACHE PATH "Sysroot made by deploy/sysroot.sh")
set(HALLQ_DEB_SUITE "${HALLQ_DEB_SUITE}" CACHE STRING "Debian release of the sysroot")
# try_compile projects re-read this file; hand them the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES HALLQ_SYSROOT HALLQ_DEB_SUITE)

set(CMAKE_SYSROOT "${HALLQ_SYSROOT}")
set(CMAKE_C_COMPILER ${HALLQ_TARGET_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${HALLQ_TARGET_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${HALLQ_TARGET_TRIPLET})
# The cross compiler's own target libraries (/usr/<triplet>/lib: Debian 12's glibc and
# libstdc++) come first in its search path. Link against the sysroot's instead, which the
# release's libraries were built against (trixie's need glibc 2.38+ and libstdc++ from GCC
# 14); the headers stay GCC 12's, so the binaries need only what both releases have.
set(hallq_link_dirs
  "-L${HALLQ_SYSROOT}/usr/lib/${HALLQ_TARGET_TRIPLET} -L${HALLQ_SYSROOT}/usr/lib/gcc/${HALLQ_TARGET_TRIPLET}/12")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${hallq_link_dirs}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${hallq_link_dirs}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${hallq_link_dirs}")

set(CMAKE_FIND_ROOT_PATH "${HALLQ_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (libsodium, libsystemd) reads only the sysroot's .pc files.
set(ENV{PKG_CONFIG_DIR} "")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_LIBDIR}
  "${HALLQ_SYSROOT}/usr/lib/${HALLQ_TARGET_TRIPLET}/pkgconfig:${HALLQ_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${HALLQ_SYSROOT}")

find_program(HALLQ_QEMU_PROGRAM NAMES ${HALLQ_TARGET_QEMU} ${HALLQ_TARGET_QEMU}-static)
if(HALLQ_QEMU_PROGRAM)
  # A named CPU, not qemu's default "max": max has SVE, which Debian 13's glibc then uses for
  # memcpy and friends, and qemu emulates SVE about 15 times slower (the engine's replay test:
  # 237 s against 15 s).
  set(CMAKE_CROSSCOMPILING_EMULATOR "${HALLQ_QEMU_PROGRAM};-cpu;${HALLQ_TARGET_QEMU_CPU};-L;${HALLQ_SYSROOT}")
endif()

set(HALLQ_TARGET_DEB_ARCH ${HALLQ_TARGET_DEB_ARCH} CACHE STRING "Debian architecture of the build")
set(HALLQ_TARGET_QEMU_CPU ${HALLQ_TARGET_QEMU_CPU} CACHE STRING "CPU model qemu emulates (the oldest board supported)")
