#pragma once
// The button panel of a kiosk without a screen (简易取号机): one big button per service on
// GPIO lines (libgpiod, active low with the pull-up on), a status LED, debounced presses and
// a guard against the double press that would print two tickets. "sim:PATH" instead of a
// chip is the simulated panel: presses are lines ("5") written to the FIFO at PATH, and the
// LED's state is written to PATH.led (tests and the demo).
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "hallq/common/expected.hpp"
#include "hallq/kiosk/config.hpp"

namespace hallq::kiosk {

using SteadyTime = std::chrono::steady_clock::time_point;

// One line's level (true = pressed) turned into presses: the level must hold for `debounce`
// to count, and a press within `guard` of the previous one on the same line is ignored.
// Pure; thread-safety: none.
class Debouncer {
 public:
  Debouncer(std::chrono::milliseconds debounce, std::chrono::milliseconds guard) : debounce_(debounce), guard_(guard) {}
  // A new raw level at `t` (an edge, or a sample).
  void level(bool pressed, SteadyTime t);
  // True once per press, when the pressed level has held for the debounce time.
  bool poll(SteadyTime t);
  bool pending() const { return raw_ != stable_; }

 private:
  std::chrono::milliseconds debounce_, guard_;
  bool raw_ = false, stable_ = false;
  SteadyTime raw_since_{}, last_press_{};
  bool pressed_once_ = false;
};

enum class Led { Off, On, Blink, FastBlink };
const char* to_string(Led l);

// Runs on the executor given to open_button_panel (the kiosk's io_context): on_press(line) is
// called there. Thread-safety: every call on the executor's thread (stop() also while its
// io_context does not run); no press is told after stop().
class ButtonPanel {
 public:
  virtual ~ButtonPanel() = default;
  virtual void start(std::function<void(int line)> on_press) = 0;
  virtual void set_led(Led mode) = 0;
  virtual void stop() = 0;
};

Expected<std::unique_ptr<ButtonPanel>, std::string> open_button_panel(boost::asio::any_io_executor executor,
                                                                      const ButtonsConfig& config);

}  // namespace hallq::kiosk
