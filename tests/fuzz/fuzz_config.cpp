// libFuzzer: the three config parsers (TOML text in, validated plain structs out): the hall's
// (controller), the kiosk's and the display node's. The first byte picks the parser; the rest
// is the file's text. Invariants:
//   - never crashes, whatever the text (a parser reports every problem as a ConfigError);
//   - a refusal names the file it was given and a line >= 0, and says what is wrong;
//   - what a parser accepts holds what the readers promise (a zone that loads, services that
//     exist for every window, screen sizes in range).
// Seeds: deploy/examples/*.toml, each behind the byte that picks its parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hallq/common/config.hpp"
#include "hallq/common/time.hpp"
#include "hallq/display/config.hpp"
#include "hallq/kiosk/config.hpp"

using namespace hallq;

namespace {

const std::string kSource = "fuzz.toml";

void check_refusal(const ConfigError& e) {
  if (e.file != kSource || e.line < 0 || e.message.empty()) std::abort();
  (void)e.to_string();
}

void check_hall(const HallConfig& c) {
  if (!TimeZone::load(c.centre.timezone)) std::abort();  // validated by the reader
  for (const auto& w : c.windows) {
    if (w.services.empty()) std::abort();
    for (const auto& s : w.services)
      if (!c.find_service(s)) std::abort();
    if (c.find_window(w.number) == nullptr) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto c = parse_config(text, kSource);
      if (!c) check_refusal(c.error());
      else check_hall(*c);
      break;
    }
    case 1: {
      auto c = kiosk::parse_kiosk_config(text, kSource);
      if (!c) check_refusal(c.error());
      break;
    }
    default: {
      auto c = display::parse_display_config(text, kSource);
      if (!c) {
        check_refusal(c.error());
        break;
      }
      for (const auto& s : c->screens)
        if (s.width < 16 || s.width > 1024 || s.height < 16 || s.height > 512) std::abort();  // range-checked
      break;
    }
  }
  return 0;
}
