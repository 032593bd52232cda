#include "hallq/kiosk/buttons.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "hallq/common/atomic_file.hpp"
#include "hallq/common/log.hpp"
#include "hallq/gpio/lines.hpp"

namespace hallq::kiosk {
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

// The real panel: GPIO lines through libgpiod (drivers/gpio), debounced here.
class GpioPanel final : public ButtonPanel {
 public:
  explicit GpioPanel(const ButtonsConfig& c) : config_(c) {}
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
    th_ = std::thread([this, on_press = std::move(on_press)] { loop(on_press); });
  }
  void set_led(Led mode) override { led_mode_ = mode; }
  void stop() override {
    stop_ = true;
    if (th_.joinable()) th_.join();
    lines_.reset();  // releases the lines and turns the LED off
  }

 private:
  void loop(const std::function<void(int)>& on_press) {
    int led_value = -1;
    while (!stop_) {
      bool pending = false;
      for (auto& [line, d] : debounce_) pending = pending || d.pending();
      auto levels = lines_->wait(pending ? 5ms : 50ms);
      auto now = std::chrono::steady_clock::now();
      if (!levels) {
        logger("kiosk")->error("buttons: {}", levels.error());
        std::this_thread::sleep_for(1s);  // a vanished chip must not spin the CPU
        continue;
      }
      for (const auto& l : *levels) debounce_.at(l.offset).level(l.active, now);
      for (auto& [line, d] : debounce_)
        if (d.poll(now)) on_press(line);
      int v = led_level(led_mode_, now) ? 1 : 0;
      if (v != led_value) lines_->set_output(v == 1);
      led_value = v;
    }
  }

  ButtonsConfig config_;
  std::unique_ptr<gpio::ButtonLines> lines_;
  std::map<int, Debouncer> debounce_;
  std::atomic<Led> led_mode_{Led::Off};
  std::atomic<bool> stop_{false};
  std::thread th_;
};

// The simulated panel: a FIFO of line numbers in, the LED's mode out to a file.
class SimPanel final : public ButtonPanel {
 public:
  explicit SimPanel(std::string path, const ButtonsConfig& c) : path_(std::move(path)), config_(c) {}
  ~SimPanel() override { stop(); }

  Expected<bool, std::string> open() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 && ::mkfifo(path_.c_str(), 0660) != 0)
      return unexpected(path_ + ": " + std::strerror(errno));
    // Read-write, so the FIFO never reports end of file when a writer closes it.
    fd_ = ::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) return unexpected(path_ + ": " + std::strerror(errno));
    write_led(Led::Off);
    return true;
  }
  void start(std::function<void(int)> on_press) override {
    th_ = std::thread([this, on_press = std::move(on_press)] { loop(on_press); });
  }
  void set_led(Led mode) override {
    if (mode != led_.exchange(mode)) write_led(mode);
  }
  void stop() override {
    stop_ = true;
    if (th_.joinable()) th_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  // Best effort, as before: the LED state for whoever watches the simulated panel.
  void write_led(Led mode) { (void)write_file_atomically(path_ + ".led", std::string(to_string(mode)) + "\n", 0666); }
  void loop(const std::function<void(int)>& on_press) {
    std::map<int, Debouncer> guards;
    std::string buf;
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char chunk[256];
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) continue;
      buf.append(chunk, static_cast<size_t>(n));
      for (size_t nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n')) {
        std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        char* end = nullptr;
        long v = std::strtol(line.c_str(), &end, 10);
        if (line.empty() || *end != '\0' || v < 0 || v > 511) {
          logger("kiosk")->warn("simulated buttons: ignoring '{}'", line);
          continue;
        }
        int offset = static_cast<int>(v);
        bool known = false;
        for (const auto& b : config_.buttons) known = known || b.line == offset;
        if (!known) continue;
        // A simulated press is clean (no bounce), but the double-press guard still applies.
        auto [it, fresh] = guards.try_emplace(offset, Debouncer(0ms, kGuard));
        auto t = std::chrono::steady_clock::now();
        it->second.level(true, t);
        bool press = it->second.poll(t);
        it->second.level(false, t);
        it->second.poll(t);
        if (press) on_press(offset);
      }
    }
  }

  std::string path_;
  ButtonsConfig config_;
  int fd_ = -1;
  std::atomic<Led> led_{Led::Off};
  std::atomic<bool> stop_{false};
  std::thread th_;
};

}  // namespace

Expected<std::unique_ptr<ButtonPanel>, std::string> open_button_panel(const ButtonsConfig& config) {
  if (config.chip.rfind("sim:", 0) == 0) {
    auto p = std::make_unique<SimPanel>(config.chip.substr(4), config);
    if (auto o = p->open(); !o) return unexpected(o.error());
    return std::unique_ptr<ButtonPanel>(std::move(p));
  }
  auto p = std::make_unique<GpioPanel>(config);
  if (auto o = p->open(); !o) return unexpected(o.error());
  return std::unique_ptr<ButtonPanel>(std::move(p));
}

}  // namespace hallq::kiosk
