#include "hallq/display/sinks.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "hallq/common/atomic_file.hpp"
#include "hallq/common/serial.hpp"
#include "hallq/display/bx.hpp"
#include "hallq/display/rs485_text.hpp"
#include "hallq/display/serial_line.hpp"
#include "hallq/display/screens.hpp"

namespace hallq::display {
namespace {

using Clock = std::chrono::steady_clock;

class PngSink final : public DisplaySink {
 public:
  PngSink(const ScreenConfig& s, const escpos::BitmapFont& font) : s_(s), font_(font) {}
  std::string describe() const override { return "png:" + s_.sink.target; }
  std::optional<std::string> show_window(const WindowView& w) override {
    const std::string base = s_.sink.target + "/window-" + std::to_string(w.number);
    if (auto e = write_text(screen_text(w), base + ".txt")) return e;
    return write_png(render_window(w, s_.width, s_.height, font_), base + ".png");
  }
  std::optional<std::string> show_hall(const HallView& h) override {
    if (auto e = write_text(screen_text(h, s_.width, s_.height, font_), s_.sink.target + "/hall.txt")) return e;
    return write_png(render_hall(h, s_.width, s_.height, font_), s_.sink.target + "/hall.png");
  }

 private:
  // The lines beside the picture (tests and people read them), written before the PNG.
  static std::optional<std::string> write_text(const std::vector<std::string>& lines, const std::string& path) {
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    if (auto err = write_file_atomically(path, text, 0666)) return err->message;
    return std::nullopt;
  }

  ScreenConfig s_;
  const escpos::BitmapFont& font_;
};

// Flaschen-Taschen: one UDP datagram per frame, a binary PPM (P6). A 256×128 frame is 98 KB,
// under the 64 KiB UDP limit only up to ~21 800 pixels: bigger frames go as horizontal strips
// with the protocol's y offset in a trailing footer ("x y z").
class FtSink final : public DisplaySink {
 public:
  FtSink(const ScreenConfig& s, const escpos::BitmapFont& font) : s_(s), font_(font) {}
  ~FtSink() override {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string describe() const override { return "ft:" + s_.sink.target; }
  std::optional<std::string> show_window(const WindowView& w) override {
    const auto now = Clock::now();
    const bool new_call = w.mode == WindowView::Mode::Calling &&
                          (!window_ || window_->mode != WindowView::Mode::Calling || window_->ticket != w.ticket);
    if (new_call) call_at_ = now;
    window_ = w;
    return draw(now, true);
  }
  std::optional<std::string> show_hall(const HallView& h) override {
    const auto now = Clock::now();
    if (!h.recent.empty() && (!hall_ || hall_->recent.empty() || hall_->recent.front() != h.recent.front())) call_at_ = now;
    hall_ = h;
    return draw(now, true);
  }
  bool animated() const override { return s_.blink_ms > 0 || s_.scroll_dps > 0; }
  std::optional<std::string> tick(Clock::time_point now) override { return draw(now, false); }

 private:
  std::optional<std::string> connect() {
    if (fd_ >= 0) return std::nullopt;
    const auto colon = s_.sink.target.rfind(':');
    std::string host = s_.sink.target.substr(0, colon), port = s_.sink.target.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
      return describe() + ": " + ::gai_strerror(rc);
    fd_ = ::socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ >= 0 && ::connect(fd_, res->ai_addr, res->ai_addrlen) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    ::freeaddrinfo(res);
    if (fd_ < 0) return describe() + ": " + std::strerror(errno);
    return std::nullopt;
  }

  std::optional<std::string> send(const Frame& f) {
    if (auto e = connect()) return e;
    const int rows_per = std::max(1, 60000 / (f.width() * 3));
    for (int y0 = 0; y0 < f.height(); y0 += rows_per) {
      const int rows = std::min(rows_per, f.height() - y0);
      std::string msg = "P6\n" + std::to_string(f.width()) + " " + std::to_string(rows) + "\n255\n";
      msg.append(reinterpret_cast<const char*>(f.rgb().data()) + static_cast<size_t>(y0) * static_cast<size_t>(f.width()) * 3,
                 static_cast<size_t>(rows) * static_cast<size_t>(f.width()) * 3);
      msg += "\n0\n" + std::to_string(y0) + "\n0\n";  // footer: x, y, z offsets
      if (::send(fd_, msg.data(), msg.size(), MSG_NOSIGNAL) < 0) return describe() + ": " + std::strerror(errno);
    }
    return std::nullopt;
  }

  // The frame of what the sink shows at `now`; sent when it changed (or always, for a new view).
  std::optional<std::string> draw(Clock::time_point now, bool force) {
    if (!window_ && !hall_) return std::nullopt;
    const auto ms = [](Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    const std::int64_t since_call = call_at_ ? ms(now - *call_at_) : -1;
    const Motion m = motion_at(since_call, s_.blink_ms, ms(now - start_), s_.scroll_dps);
    Frame f = window_ ? render_window(*window_, s_.width, s_.height, font_, m)
                      : render_hall(*hall_, s_.width, s_.height, font_, m);
    if (!force && last_ && *last_ == f) return std::nullopt;
    last_.reset();
    if (auto e = send(f)) return e;  // not sent: tried again at the next tick
    last_ = std::move(f);
    return std::nullopt;
  }

  ScreenConfig s_;
  const escpos::BitmapFont& font_;
  int fd_ = -1;
  const Clock::time_point start_ = Clock::now();
  std::optional<WindowView> window_;
  std::optional<HallView> hall_;
  std::optional<Clock::time_point> call_at_;
  std::optional<Frame> last_;
};

// A window screen bus on a serial port: one frame per change of a window, queued whole on the
// node's io_context (a frame takes tens of ms at 9600 baud, and the voice and the other screens
// do not wait for it). A write that fails closes the port: the next change reopens it, and
// says what went wrong.
class SerialSink : public DisplaySink {
 public:
  SerialSink(const ScreenConfig& s, boost::asio::any_io_executor ex)
      : s_(s), line_(std::make_shared<SerialLine>(std::move(ex), s.sink.target, s.sink.baud)) {}
  ~SerialSink() override { line_->close(); }
  std::optional<std::string> show_window(const WindowView& w) override {
    auto frame = frame_for(w);
    if (!frame) return describe() + ": window " + std::to_string(w.number) + ": " + frame.error();
    std::optional<std::string> lost;
    if (!line_->failed.empty()) lost = describe() + ": " + std::exchange(line_->failed, {});
    if (!line_->port.is_open()) {
      std::string why;
      if (!line_->open(false, why)) return describe() + ": " + why;
    }
    line_->send(std::move(*frame));
    return lost;  // an earlier frame's failure, if one failed since
  }
  std::optional<std::string> show_hall(const HallView&) override { return std::nullopt; }

 protected:
  virtual Expected<std::vector<std::uint8_t>, std::string> frame_for(const WindowView& w) const = 0;
  ScreenConfig s_;

 private:
  std::shared_ptr<SerialLine> line_;
};

// The common text screens: the second row's text (请A012号, 暂停服务 ...) in the configured template.
class Rs485Sink final : public SerialSink {
 public:
  using SerialSink::SerialSink;
  std::string describe() const override { return "rs485:" + s_.sink.target; }

 private:
  Expected<std::vector<std::uint8_t>, std::string> frame_for(const WindowView& w) const override {
    return encode_text_frame(s_.frame, w.number + s_.address_offset, window_message(w));
  }
};

// Onbon BX font-card screens: window n is screen address n + address_offset; its title and its
// call go as two static, centred dynamic areas (ids 0 and 1; only the call on a 16-dot screen).
class BxSink final : public SerialSink {
 public:
  using SerialSink::SerialSink;
  std::string describe() const override { return "bx:" + s_.sink.target; }

 private:
  Expected<std::vector<std::uint8_t>, std::string> frame_for(const WindowView& w) const override {
    BxDynamicText d;
    d.screen = w.number + s_.address_offset;
    BxArea title;
    title.width = s_.width;
    title.text = window_title(w);
    BxArea call = title;
    call.text = window_message(w);
    if (s_.height >= 32) {
      call.id = 1;
      call.y = 16;
      d.areas.push_back(std::move(title));
    }
    d.areas.push_back(std::move(call));
    return encode_bx_dynamic_text(d);
  }
};

}  // namespace

int open_serial(const std::string& device, int baud, bool read_write) {
  int fd = ::open(device.c_str(), (read_write ? O_RDWR : O_WRONLY) | O_NOCTTY | O_CLOEXEC);
  if (fd >= 0) set_serial_raw(fd, baud);  // a plain file (tests) has no terminal attributes
  return fd;
}

std::unique_ptr<DisplaySink> make_png_sink(const ScreenConfig& s, const escpos::BitmapFont& font) {
  return std::make_unique<PngSink>(s, font);
}
std::unique_ptr<DisplaySink> make_ft_sink(const ScreenConfig& s, const escpos::BitmapFont& font) {
  return std::make_unique<FtSink>(s, font);
}
std::unique_ptr<DisplaySink> make_rs485_sink(const ScreenConfig& s, boost::asio::any_io_executor ex) {
  return std::make_unique<Rs485Sink>(s, std::move(ex));
}
std::unique_ptr<DisplaySink> make_bx_sink(const ScreenConfig& s, boost::asio::any_io_executor ex) {
  return std::make_unique<BxSink>(s, std::move(ex));
}

std::unique_ptr<DisplaySink> make_sink(const ScreenConfig& s, const escpos::BitmapFont& font,
                                       boost::asio::any_io_executor ex) {
  switch (s.sink.kind) {
    case SinkSpec::Kind::Png: return make_png_sink(s, font);
    case SinkSpec::Kind::FlaschenTaschen: return make_ft_sink(s, font);
    case SinkSpec::Kind::Rs485Text: return make_rs485_sink(s, std::move(ex));
    case SinkSpec::Kind::OnbonBx: return make_bx_sink(s, std::move(ex));
  }
  return nullptr;
}

}  // namespace hallq::display
