# Raspberry Pi 3/4/5 on 64-bit Raspberry Pi OS bookworm (Debian arm64).
set(HALLQ_TARGET_TRIPLET aarch64-linux-gnu)
set(HALLQ_TARGET_DEB_ARCH arm64)
set(HALLQ_TARGET_PROCESSOR aarch64)
set(HALLQ_TARGET_QEMU qemu-aarch64)
# qemu emulates cortex-a53, the Pi 3's and Zero 2 W's CPU, the oldest boards supported: the tests then fail on any instruction that
# board lacks.
set(HALLQ_TARGET_QEMU_CPU cortex-a53)
include(${CMAKE_CURRENT_LIST_DIR}/HallqCrossToolchain.cmake)
