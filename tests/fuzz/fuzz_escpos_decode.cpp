// libFuzzer: the ESC/POS decoder (the simulator decodes whatever arrives on its port).
// Invariants: never crashes or reads past the input (ASan); the page is consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "hallq/escpos/render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  int paper = size > 0 && (data[0] & 1) ? 576 : 384;
  auto job = hallq::escpos::decode(std::span<const std::uint8_t>(data, size), paper, nullptr);
  if (job.page.width != paper) std::abort();
  if (job.page.dots.size() != static_cast<std::size_t>(job.page.width) * static_cast<std::size_t>(job.page.height))
    std::abort();
  if (job.page.height > 64 * 1024 * 64) std::abort();  // bounded by the input
  return 0;
}
