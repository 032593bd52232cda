# All dependencies come from Debian 12 packages installed by deploy/bootstrap.sh.
find_package(Threads REQUIRED)
find_package(Boost 1.81...<1.82 CONFIG REQUIRED COMPONENTS json)
find_package(SQLite3 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(spdlog REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# Optional TLS on the LAN (hallq_tls).
find_package(OpenSSL 3 REQUIRED)
# sd_notify readiness and watchdog for the systemd units (Type=notify).
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

# Asio and Beast are compiled once, in one translation unit per library that needs them,
# instead of in every file that includes them (keeps 2-core builds fast).
add_compile_definitions(BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED)
