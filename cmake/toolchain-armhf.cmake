# Raspberry Pi 2/3/4/Zero 2 on 32-bit Raspberry Pi OS bookworm (Debian armhf = ARMv7, VFPv3).
set(HALLQ_TARGET_TRIPLET arm-linux-gnueabihf)
set(HALLQ_TARGET_DEB_ARCH armhf)
set(HALLQ_TARGET_PROCESSOR arm)
set(HALLQ_TARGET_QEMU qemu-arm)
# qemu emulates cortex-a7, the Pi 2's CPU, the oldest board supported: the tests then fail on any instruction that
# board lacks.
set(HALLQ_TARGET_QEMU_CPU cortex-a7)
include(${CMAKE_CURRENT_LIST_DIR}/HallqCrossToolchain.cmake)
