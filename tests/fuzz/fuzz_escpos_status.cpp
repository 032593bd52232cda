// libFuzzer: printer status replies (bytes a printer or anything on its port sends back).
// Invariants: never crashes; a rejected byte changes nothing; a found ASB block parses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "hallq/escpos/status.hpp"

using namespace hallq::escpos;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  Status s;
  for (std::size_t i = 0; i + 1 < size; i += 2) {
    Status before = s;
    bool ok = apply_dle_eot(s, data[i] % 6, data[i + 1]);
    if (!ok && (s.answered != before.answered || s.paper_out != before.paper_out || s.offline != before.offline ||
                s.cover_open != before.cover_open || s.error != before.error || s.paper_near_end != before.paper_near_end))
      std::abort();  // rejected input changed the status
  }
  (void)s.condition();
  (void)to_string(s.condition());
  if (auto at = find_asb(in)) {
    if (*at + 4 > size || !parse_asb(in.subspan(*at, 4))) std::abort();
  }
  return 0;
}
