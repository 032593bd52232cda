#pragma once
// Where screens' content goes (issue 6): one interface, DisplaySink, for every kind of screen a
// display node drives —
//   PngSink    pixel frames written as PNG files (the simulator, --out; window-<n>.png, hall.png)
//   FtSink     pixel frames as Flaschen-Taschen UDP PPM datagrams to a HUB75 panel process
//   Rs485Sink  the common text window screen: addressed text frames on a serial RS-485 bus
//   BxSink     Onbon BX-5K/6K font-card window screens: A3 06 dynamic-area frames on a serial bus
// A sink that cannot reach its device says why; the daemon logs it and shows the next change.
// Thread-safety: the node's io_context thread only.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "hallq/display/config.hpp"
#include "hallq/display/frame.hpp"
#include "hallq/display/layout.hpp"

namespace hallq::display {

class DisplaySink {
 public:
  virtual ~DisplaySink() = default;
  virtual std::string describe() const = 0;
  // Shows window w's view; an error text when the device did not take it.
  virtual std::optional<std::string> show_window(const WindowView& w) = 0;
  virtual std::optional<std::string> show_hall(const HallView& h) = 0;
  // Sinks with motion (blinking calls, scrolling titles) want tick() every few tens of ms to
  // send the next frame of what they show.
  virtual bool animated() const { return false; }
  virtual std::optional<std::string> tick(std::chrono::steady_clock::time_point) { return std::nullopt; }
};

// Pixel frames drawn with `font` (must outlive the sink) at the screen's size.
std::unique_ptr<DisplaySink> make_png_sink(const ScreenConfig& s, const escpos::BitmapFont& font);
std::unique_ptr<DisplaySink> make_ft_sink(const ScreenConfig& s, const escpos::BitmapFont& font);
// Serial screen buses write on `ex`, the node's io_context.
std::unique_ptr<DisplaySink> make_rs485_sink(const ScreenConfig& s, boost::asio::any_io_executor ex);
std::unique_ptr<DisplaySink> make_bx_sink(const ScreenConfig& s, boost::asio::any_io_executor ex);
std::unique_ptr<DisplaySink> make_sink(const ScreenConfig& s, const escpos::BitmapFont& font,
                                       boost::asio::any_io_executor ex);

// A serial port in raw mode at `baud` (8N1), for RS-485 adapters; -1 and errno on failure.
int open_serial(const std::string& device, int baud, bool read_write);

}  // namespace hallq::display
