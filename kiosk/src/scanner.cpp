#include "hallq/kiosk/scanner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "hallq/common/log.hpp"

namespace hallq::kiosk {
using namespace std::chrono_literals;

namespace {

struct KeyChars {
  std::uint16_t code;
  char plain, shifted;
};

// The US layout, as keyboard-mode scanners send it (the layout most are set to out of the box).
constexpr KeyChars kKeymap[] = {
    {KEY_1, '1', '!'},  {KEY_2, '2', '@'},  {KEY_3, '3', '#'},  {KEY_4, '4', '$'},
    {KEY_5, '5', '%'},  {KEY_6, '6', '^'},  {KEY_7, '7', '&'},  {KEY_8, '8', '*'},
    {KEY_9, '9', '('},  {KEY_0, '0', ')'},  {KEY_MINUS, '-', '_'}, {KEY_EQUAL, '=', '+'},
    {KEY_Q, 'q', 'Q'},  {KEY_W, 'w', 'W'},  {KEY_E, 'e', 'E'},  {KEY_R, 'r', 'R'},
    {KEY_T, 't', 'T'},  {KEY_Y, 'y', 'Y'},  {KEY_U, 'u', 'U'},  {KEY_I, 'i', 'I'},
    {KEY_O, 'o', 'O'},  {KEY_P, 'p', 'P'},  {KEY_LEFTBRACE, '[', '{'}, {KEY_RIGHTBRACE, ']', '}'},
    {KEY_A, 'a', 'A'},  {KEY_S, 's', 'S'},  {KEY_D, 'd', 'D'},  {KEY_F, 'f', 'F'},
    {KEY_G, 'g', 'G'},  {KEY_H, 'h', 'H'},  {KEY_J, 'j', 'J'},  {KEY_K, 'k', 'K'},
    {KEY_L, 'l', 'L'},  {KEY_SEMICOLON, ';', ':'}, {KEY_APOSTROPHE, '\'', '"'}, {KEY_GRAVE, '`', '~'},
    {KEY_BACKSLASH, '\\', '|'}, {KEY_Z, 'z', 'Z'}, {KEY_X, 'x', 'X'}, {KEY_C, 'c', 'C'},
    {KEY_V, 'v', 'V'},  {KEY_B, 'b', 'B'},  {KEY_N, 'n', 'N'},  {KEY_M, 'm', 'M'},
    {KEY_COMMA, ',', '<'}, {KEY_DOT, '.', '>'}, {KEY_SLASH, '/', '?'}, {KEY_SPACE, ' ', ' '},
    // The keypad (some scanners type digits there): no shift meaning, num lock assumed on.
    {KEY_KP0, '0', '0'}, {KEY_KP1, '1', '1'}, {KEY_KP2, '2', '2'}, {KEY_KP3, '3', '3'},
    {KEY_KP4, '4', '4'}, {KEY_KP5, '5', '5'}, {KEY_KP6, '6', '6'}, {KEY_KP7, '7', '7'},
    {KEY_KP8, '8', '8'}, {KEY_KP9, '9', '9'}, {KEY_KPDOT, '.', '.'}, {KEY_KPSLASH, '/', '/'},
    {KEY_KPASTERISK, '*', '*'}, {KEY_KPMINUS, '-', '-'}, {KEY_KPPLUS, '+', '+'},
};

const KeyChars* find_key(std::uint16_t code) {
  for (const auto& k : kKeymap)
    if (k.code == code) return &k;
  return nullptr;
}

bool is_modifier(std::uint16_t code) {
  switch (code) {
    case KEY_LEFTSHIFT: case KEY_RIGHTSHIFT: case KEY_CAPSLOCK: case KEY_NUMLOCK:
    case KEY_LEFTCTRL: case KEY_RIGHTCTRL: case KEY_LEFTALT: case KEY_RIGHTALT:
    case KEY_LEFTMETA: case KEY_RIGHTMETA:
      return true;
    default:
      return false;
  }
}

}  // namespace

char key_char(std::uint16_t code, bool shift, bool caps) {
  const KeyChars* k = find_key(code);
  if (!k) return 0;
  const bool letter = k->plain >= 'a' && k->plain <= 'z';
  // Caps lock turns letters only, and shift turns them back.
  const bool upper = letter ? (shift != caps) : shift;
  return upper ? k->shifted : k->plain;
}

void ScanDecoder::reset() {
  buf_.clear();
  overlong_ = false;
  unmapped_ = 0;
}

std::optional<Scan> ScanDecoder::feed(const input_event& e, Clock::time_point t) {
  if (e.type != EV_KEY) return std::nullopt;
  const bool down = e.value == 1, up = e.value == 0;
  if (!down && !up) return std::nullopt;  // autorepeat
  switch (e.code) {
    case KEY_LEFTSHIFT: left_shift_ = down; return std::nullopt;
    case KEY_RIGHTSHIFT: right_shift_ = down; return std::nullopt;
    case KEY_CAPSLOCK:
      if (down) caps_ = !caps_;
      return std::nullopt;
    default: break;
  }
  if (!down || is_modifier(e.code)) return std::nullopt;
  if (!buf_.empty() || overlong_ || unmapped_) {
    if (t - last_ > gap_) reset();  // a stale start is not part of this code
  }
  last_ = t;
  if (e.code == KEY_ENTER || e.code == KEY_KPENTER) {
    if (buf_.empty() && !overlong_) {
      reset();
      return std::nullopt;  // a lone Enter
    }
    Scan s{overlong_ ? std::string() : std::move(buf_), overlong_, unmapped_};
    reset();
    return s;
  }
  char c = key_char(e.code, left_shift_ || right_shift_, caps_);
  if (!c) {
    ++unmapped_;
    return std::nullopt;
  }
  if (overlong_) return std::nullopt;
  if (buf_.size() >= max_) {
    overlong_ = true;
    buf_.clear();
    return std::nullopt;
  }
  buf_.push_back(c);
  return std::nullopt;
}

std::vector<input_event> scanner_events(const std::string& text) {
  std::vector<input_event> out;
  auto key = [&](std::uint16_t code, int value) {
    input_event e{};
    e.type = EV_KEY;
    e.code = code;
    e.value = value;
    out.push_back(e);
    input_event syn{};
    syn.type = EV_SYN;
    syn.code = SYN_REPORT;
    out.push_back(syn);
  };
  for (char c : text) {
    for (const auto& k : kKeymap) {  // the main block comes first in the table
      const bool shift = c != k.plain && c == k.shifted;
      if (c != k.plain && !shift) continue;
      if (shift) key(KEY_LEFTSHIFT, 1);
      key(k.code, 1);
      key(k.code, 0);
      if (shift) key(KEY_LEFTSHIFT, 0);
      break;
    }
  }
  key(KEY_ENTER, 1);
  key(KEY_ENTER, 0);
  return out;
}

namespace {

// Reads input_event records from a device node (grabbed) or the simulated FIFO, reopening a
// device that went away.
class EvdevScanner final : public ScannerSource {
 public:
  EvdevScanner(std::string path, bool sim) : path_(std::move(path)), sim_(sim) {}
  ~EvdevScanner() override { stop(); }

  Expected<bool, std::string> prepare() {
    if (!sim_) return true;
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 && ::mkfifo(path_.c_str(), 0660) != 0)
      return unexpected(path_ + ": " + std::strerror(errno));
    return true;
  }
  void start(std::function<void(const Scan&)> on_scan) override {
    th_ = std::thread([this, on_scan = std::move(on_scan)] { loop(on_scan); });
  }
  void stop() override {
    stop_ = true;
    if (th_.joinable()) th_.join();
  }

 private:
  int open_device() {
    // The FIFO read-write, so it never reports end of file when a writer closes it.
    int fd = ::open(path_.c_str(), (sim_ ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    if (!sim_ && ::ioctl(fd, EVIOCGRAB, 1) != 0) {
      // Someone else holds it (another kiosk process?): reading it would type into the page.
      int err = errno;
      ::close(fd);
      errno = err;
      return -1;
    }
    return fd;
  }
  void loop(const std::function<void(const Scan&)>& on_scan) {
    ScanDecoder decoder;
    int fd = -1;
    std::string last_error;
    std::array<input_event, 64> events{};
    std::size_t have = 0;  // bytes of a partial record (a FIFO may split one)
    while (!stop_) {
      if (fd < 0) {
        fd = open_device();
        if (fd < 0) {
          std::string err = std::strerror(errno);
          if (err != last_error) logger("kiosk")->warn("scanner {}: {}; retrying", path_, err);
          last_error = err;
          for (int i = 0; i < 20 && !stop_; ++i) std::this_thread::sleep_for(100ms);
          continue;
        }
        logger("kiosk")->info("scanner {} open{}", path_, sim_ ? " (simulated)" : ", grabbed");
        last_error.clear();
        decoder.reset();
        have = 0;
      }
      pollfd p{fd, POLLIN, 0};
      int r = ::poll(&p, 1, 100);
      if (r <= 0) continue;
      auto* bytes = reinterpret_cast<char*>(events.data());
      ssize_t n = ::read(fd, bytes + have, sizeof events - have);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        // Unplugged (ENODEV): close and wait for it to come back.
        logger("kiosk")->warn("scanner {}: {}", path_, n < 0 ? std::strerror(errno) : "gone");
        ::close(fd);
        fd = -1;
        continue;
      }
      have += static_cast<std::size_t>(n);
      const std::size_t whole = have / sizeof(input_event);
      const auto t = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < whole; ++i) {
        if (auto s = decoder.feed(events[i], t)) {
          if (s->overlong) logger("kiosk")->warn("scanner: a code longer than the limit was dropped");
          else if (s->unmapped) logger("kiosk")->warn("scanner: {} keys without a character (check the scanner's keyboard layout)", s->unmapped);
          on_scan(*s);
        }
      }
      const std::size_t rest = have - whole * sizeof(input_event);
      std::memmove(bytes, bytes + whole * sizeof(input_event), rest);
      have = rest;
    }
    if (fd >= 0) {
      if (!sim_) ::ioctl(fd, EVIOCGRAB, 0);
      ::close(fd);
    }
  }

  std::string path_;
  bool sim_;
  std::atomic<bool> stop_{false};
  std::thread th_;
};

}  // namespace

Expected<std::unique_ptr<ScannerSource>, std::string> open_scanner(const std::string& device) {
  const bool sim = device.rfind("sim:", 0) == 0;
  auto s = std::make_unique<EvdevScanner>(sim ? device.substr(4) : device, sim);
  if (auto p = s->prepare(); !p) return unexpected(p.error());
  return std::unique_ptr<ScannerSource>(std::move(s));
}

}  // namespace hallq::kiosk
