#include "hallq/kiosk/buttons.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "hallq/common/atomic_file.hpp"
#include "hallq/common/log.hpp"
#include "hallq/gpio/lines.hpp"

namespace hallq::kiosk {
namespace asio = boost::asio;
using namespace std::chrono_literals;

const char* to_string(Led l) {
  switch (l) {
    case Led::Off: return "off";
    case Led::On: return "on";
    case Led::Blink: return "blink";
    case Led::FastBlink: return "fast_blink";
  }
  return "off";
}

void Debouncer::level(bool pressed, SteadyTime t) {
  if (pressed != raw_) {
    raw_ = pressed;
    raw_since_ = t;
  }
}

bool Debouncer::poll(SteadyTime t) {
  if (raw_ == stable_ || t - raw_since_ < debounce_) return false;
  stable_ = raw_;
  if (!stable_) return false;  // released
  if (pressed_once_ && t - last_press_ < guard_) return false;
  pressed_once_ = true;
  last_press_ = t;
  return true;
}

namespace {

constexpr auto kGuard = 2s;  // one ticket per press, however eagerly the button is hit

// The LED's blinking, shared by both panels: on/off at the phase the mode asks for.
bool led_level(Led mode, SteadyTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  switch (mode) {
    case Led::Off: return false;
    case Led::On: return true;
    case Led::Blink: return (ms / 500) % 2 == 0;
    case Led::FastBlink: return (ms / 125) % 2 == 0;
  }
  return false;
}

// The real panel: GPIO lines through libgpiod (drivers/gpio), sampled on the executor's timer
// (every 50 ms, every 5 ms while a level is settling) and debounced here.
class GpioPanel final : public ButtonPanel {
 public:
  GpioPanel(asio::any_io_executor ex, const ButtonsConfig& c) : config_(c), timer_(std::move(ex)) {}
  ~GpioPanel() override { stop(); }

  Expected<bool, std::string> open() {
    gpio::LinesRequest r{config_.chip, {}, config_.led_line, "hallq-kiosk"};
    for (const auto& b : config_.buttons) {
      r.inputs.push_back(b.line);
      debounce_.emplace(b.line, Debouncer(std::chrono::milliseconds{config_.debounce_ms}, kGuard));
    }
    auto lines = gpio::open_button_lines(r);
    if (!lines) return unexpected(lines.error());
    lines_ = std::move(*lines);
    return true;
  }

  void start(std::function<void(int)> on_press) override {
    on_press_ = std::move(on_press);
    next(0ms);
  }
  void set_led(Led mode) override { led_mode_ = mode; }
  void stop() override {
    stopped_ = true;
    timer_.cancel();
    lines_.reset();  // releases the lines and turns the LED off
  }

 private:
  void next(std::chrono::milliseconds after) {
    timer_.expires_after(after);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopped_) next(sample());
    });
  }
  // Reads the edges that came, tells the presses, drives the LED; when to sample again.
  std::chrono::milliseconds sample() {
    auto levels = lines_->wait(0ms);
    const auto now = std::chrono::steady_clock::now();
    if (!levels) {
      logger("kiosk")->error("buttons: {}", levels.error());
      return 1000ms;  // a vanished chip must not spin the CPU
    }
    for (const auto& l : *levels) debounce_.at(l.offset).level(l.active, now);
    bool pending = false;
    for (auto& [line, d] : debounce_) {
      if (d.poll(now)) on_press_(line);
      pending = pending || d.pending();
    }
    const int v = led_level(led_mode_, now) ? 1 : 0;
    if (v != led_value_) lines_->set_output(v == 1);
    led_value_ = v;
    return pending ? 5ms : 50ms;
  }

  ButtonsConfig config_;
  std::unique_ptr<gpio::ButtonLines> lines_;
  std::map<int, Debouncer> debounce_;
  std::function<void(int)> on_press_;
  asio::steady_timer timer_;
  Led led_mode_ = Led::Off;
  int led_value_ = -1;
  bool stopped_ = false;
};

// The simulated panel: a FIFO of line numbers in, read on the executor; the LED's mode out to
// a file.
class SimPanel final : public ButtonPanel {
 public:
  SimPanel(asio::any_io_executor ex, std::string path, const ButtonsConfig& c)
      : path_(std::move(path)), config_(c), fifo_(std::move(ex)) {}
  ~SimPanel() override { stop(); }

  Expected<bool, std::string> open() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 && ::mkfifo(path_.c_str(), 0660) != 0)
      return unexpected(path_ + ": " + std::strerror(errno));
    // Read-write, so the FIFO never reports end of file when a writer closes it.
    const int fd = ::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return unexpected(path_ + ": " + std::strerror(errno));
    boost::system::error_code ec;
    fifo_.assign(fd, ec);
    if (ec) {
      ::close(fd);
      return unexpected(path_ + ": " + ec.message());
    }
    write_led(Led::Off);
    return true;
  }
  void start(std::function<void(int)> on_press) override {
    on_press_ = std::move(on_press);
    read();
  }
  void set_led(Led mode) override {
    if (mode != led_) write_led(mode);
    led_ = mode;
  }
  void stop() override {
    stopped_ = true;
    boost::system::error_code ignored;
    fifo_.close(ignored);
  }

 private:
  // Best effort, as before: the LED state for whoever watches the simulated panel.
  void write_led(Led mode) { (void)write_file_atomically(path_ + ".led", std::string(to_string(mode)) + "\n", 0666); }
  void read() {
    fifo_.async_read_some(asio::buffer(chunk_), [this](boost::system::error_code ec, std::size_t n) {
      if (stopped_) return;
      if (ec) {
        logger("kiosk")->error("simulated buttons {}: {}", path_, ec.message());
        return;
      }
      buf_.append(chunk_.data(), n);
      for (size_t nl = buf_.find('\n'); nl != std::string::npos; nl = buf_.find('\n')) {
        const std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        press(line);
      }
      read();
    });
  }
  void press(const std::string& line) {
    char* end = nullptr;
    const long v = std::strtol(line.c_str(), &end, 10);
    if (line.empty() || *end != '\0' || v < 0 || v > 511) {
      logger("kiosk")->warn("simulated buttons: ignoring '{}'", line);
      return;
    }
    const int offset = static_cast<int>(v);
    bool known = false;
    for (const auto& b : config_.buttons) known = known || b.line == offset;
    if (!known) return;
    // A simulated press is clean (no bounce), but the double-press guard still applies.
    auto [it, fresh] = guards_.try_emplace(offset, Debouncer(0ms, kGuard));
    const auto t = std::chrono::steady_clock::now();
    it->second.level(true, t);
    const bool pressed = it->second.poll(t);
    it->second.level(false, t);
    it->second.poll(t);
    if (pressed) on_press_(offset);
  }

  std::string path_;
  ButtonsConfig config_;
  asio::posix::stream_descriptor fifo_;
  std::array<char, 256> chunk_{};
  std::string buf_;
  std::map<int, Debouncer> guards_;
  std::function<void(int)> on_press_;
  Led led_ = Led::Off;
  bool stopped_ = false;
};

}  // namespace

Expected<std::unique_ptr<ButtonPanel>, std::string> open_button_panel(asio::any_io_executor executor,
                                                                      const ButtonsConfig& config) {
  if (config.chip.rfind("sim:", 0) == 0) {
    auto p = std::make_unique<SimPanel>(std::move(executor), config.chip.substr(4), config);
    if (auto o = p->open(); !o) return unexpected(o.error());
    return std::unique_ptr<ButtonPanel>(std::move(p));
  }
  auto p = std::make_unique<GpioPanel>(std::move(executor), config);
  if (auto o = p->open(); !o) return unexpected(o.error());
  return std::unique_ptr<ButtonPanel>(std::move(p));
}

}  // namespace hallq::kiosk
