#pragma once
// The kiosk's QR/barcode scanner: a USB scanner in keyboard mode is an evdev device that
// "types" what it reads and ends with Enter. The kiosk grabs it exclusively (so a scan never
// lands in Chromium's page as keystrokes), turns key events into text with a US keymap
// (shift and caps lock included) and hands each complete code to the flow: a ticket QR opens
// the progress screen (issue 5), an appointment code checks in (issue 8).
//
// "sim:PATH" instead of a device is the simulated scanner: a FIFO at PATH that carries the
// same `struct input_event` records a device node gives (tests and the demo write them).
#include <linux/input.h>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hallq/common/expected.hpp"

namespace hallq::kiosk {

struct Scan {
  std::string text;         // what the scanner read (printable ASCII)
  bool overlong = false;    // longer than the limit: text is empty, the code is refused
  int unmapped = 0;         // keys with no character (a wrong scanner setting; dropped)
};

// Key events → scans. Pure; thread-safety: none.
class ScanDecoder {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ScanDecoder(std::size_t max_length = 512, std::chrono::milliseconds gap = std::chrono::milliseconds{500})
      : max_(max_length), gap_(gap) {}

  // One event; a scan when it was the Enter that ends one. Autorepeat (value 2) and events
  // other than EV_KEY are ignored; a pause longer than `gap` between keys drops what came before
  // (a scanner types a code in one burst; a stray key press must not prefix the next code).
  std::optional<Scan> feed(const input_event& e, Clock::time_point t);
  void reset();

 private:
  std::size_t max_;
  std::chrono::milliseconds gap_;
  std::string buf_;
  bool overlong_ = false;
  int unmapped_ = 0;
  bool left_shift_ = false, right_shift_ = false, caps_ = false;
  Clock::time_point last_{};
};

// The character a key gives (US layout), or 0.
char key_char(std::uint16_t code, bool shift, bool caps);

// The events a scanner sends for `text` (key down/up, shift around capitals and symbols, Enter
// last): the simulated scanner's input, and the decoder's tests. Characters the keymap cannot
// type are skipped.
std::vector<input_event> scanner_events(const std::string& text);

class ScannerSource {
 public:
  virtual ~ScannerSource() = default;
  // Starts reading; on_scan is called on the executor given to open_scanner.
  virtual void start(std::function<void(const Scan&)> on_scan) = 0;
  // On the executor's thread (or while its io_context does not run): no scan is told after it.
  virtual void stop() = 0;
};

// A device path (/dev/input/by-id/...-event-kbd) or "sim:PATH". A device that is missing or
// unplugged is retried every few seconds (a scanner may be plugged in later); the error is
// only for a path that can never work (the simulated FIFO cannot be made).
Expected<std::unique_ptr<ScannerSource>, std::string> open_scanner(boost::asio::any_io_executor executor,
                                                                   const std::string& device);

}  // namespace hallq::kiosk
