#pragma once
// GPIO lines through the kernel's character device (/dev/gpiochipN), as a button panel needs
// them: input lines with both edges reported, active low with the pull-up on (a button pulls
// the line to ground), and at most one output line for a status LED.
//
// Two real backends, one chosen at build time by the libgpiod the build finds: libgpiod 1
// (Debian 12, Raspberry Pi OS bookworm) and libgpiod 2 (Debian 13, Raspberry Pi OS trixie),
// whose C APIs differ. The kiosk's simulated panel stands in for both in tests and the demo.
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/expected.hpp"

namespace hallq::gpio {

// One input line's level after its edges: pressed = active (pulled low).
struct LineLevel {
  int offset = 0;
  bool active = false;
};

class ButtonLines {
 public:
  virtual ~ButtonLines() = default;
  // Waits up to `timeout` for edges on the inputs. Returns the lines that had any, each with
  // its level read after them (bounces arrive as edges; the level is what counts), or an
  // empty list when none came. An error names the chip and what failed.
  virtual Expected<std::vector<LineLevel>, std::string> wait(std::chrono::milliseconds timeout) = 0;
  // Drives the output line (no-op without one).
  virtual void set_output(bool on) = 0;
};

struct LinesRequest {
  std::string chip;                 // "/dev/gpiochip0"
  std::vector<int> inputs;          // line offsets on that chip
  std::optional<int> output;        // the LED's line, driven low at first
  std::string consumer = "hallq";   // shown by gpioinfo
};

// Opens the chip and requests the lines, or says which and why not (no such chip, not a GPIO
// chip, a line out of range or held by another program).
Expected<std::unique_ptr<ButtonLines>, std::string> open_button_lines(const LinesRequest& request);

// "libgpiod 1.6.3": the library the build uses, for --version and the logs.
std::string library_version();

}  // namespace hallq::gpio
