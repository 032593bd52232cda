#include "hallq/kiosk/scanner.hpp"

#include <span>
#include <vector>

#include "hallq/common/log.hpp"
#include "hallq/input/evdev.hpp"

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

// Turns the records of an input::EventSource (the device node, grabbed, or the simulated
// FIFO) into scans.
class EvdevScanner final : public ScannerSource {
 public:
  EvdevScanner(std::string path, bool sim, std::unique_ptr<input::EventSource> source)
      : path_(std::move(path)), sim_(sim), source_(std::move(source)) {}
  ~EvdevScanner() override { stop(); }

  void start(std::function<void(const Scan&)> on_scan) override {
    input::SourceHandlers h;
    h.open_failed = [this](const std::string& err) { logger("kiosk")->warn("scanner {}: {}; retrying", path_, err); };
    h.opened = [this](bool) {
      logger("kiosk")->info("scanner {} open{}", path_, sim_ ? " (simulated)" : ", grabbed");
      decoder_.reset();
    };
    h.lost = [this](const std::string& err) { logger("kiosk")->warn("scanner {}: {}", path_, err); };
    h.events = [this, on_scan = std::move(on_scan)](std::span<const input_event> events,
                                                     std::chrono::steady_clock::time_point t) {
      for (const input_event& e : events) {
        if (auto s = decoder_.feed(e, t)) {
          if (s->overlong) logger("kiosk")->warn("scanner: a code longer than the limit was dropped");
          else if (s->unmapped) logger("kiosk")->warn("scanner: {} keys without a character (check the scanner's keyboard layout)", s->unmapped);
          on_scan(*s);
        }
      }
    };
    source_->start(std::move(h));
  }
  void stop() override { source_->stop(); }

 private:
  std::string path_;
  bool sim_;
  std::unique_ptr<input::EventSource> source_;
  ScanDecoder decoder_;
};

}  // namespace

Expected<std::unique_ptr<ScannerSource>, std::string> open_scanner(boost::asio::any_io_executor executor,
                                                                   const std::string& device) {
  const bool sim = device.rfind("sim:", 0) == 0;
  input::SourceOptions o;
  o.path = sim ? device.substr(4) : device;
  o.kind = sim ? input::SourceOptions::Kind::Fifo : input::SourceOptions::Kind::Device;
  o.grab = input::SourceOptions::Grab::Required;
  o.retry = std::chrono::milliseconds{2000};
  o.after_loss = std::chrono::milliseconds{0};  // an unplugged scanner is looked for again at once
  auto source = input::open_event_source(std::move(executor), o);
  if (!source) return unexpected(source.error());
  return std::unique_ptr<ScannerSource>(std::make_unique<EvdevScanner>(o.path, sim, std::move(*source)));
}

}  // namespace hallq::kiosk
