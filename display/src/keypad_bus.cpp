#include "hallq/display/keypad_bus.hpp"

#include <algorithm>
#include <string>

namespace hallq::display {
namespace {

constexpr std::uint8_t kBusStart0 = 0xFF, kBusStart1 = 0x68, kBusEnd = 0x16;
constexpr std::size_t kBusHeader = 5;  // FF 68 L L 68

std::uint8_t sum8(std::span<const std::uint8_t> b) {
  unsigned s = 0;
  for (std::uint8_t x : b) s += x;
  return static_cast<std::uint8_t>(s & 0xFF);
}

}  // namespace

std::vector<std::uint8_t> encode_keypad_frame(const KeypadFrame& f) {
  const std::size_t n = std::min<std::size_t>(f.data.size(), 253);
  const auto len = static_cast<std::uint8_t>(n + 2);
  std::vector<std::uint8_t> out{kBusStart0, kBusStart1, len, len, kBusStart1, f.address, f.function};
  for (std::size_t i = 0; i < n; ++i) out.push_back(f.data[i]);  // (insert: GCC 12 -Warray-bounds)
  out.push_back(sum8(std::span<const std::uint8_t>(out).subspan(kBusHeader)));
  out.push_back(kBusEnd);
  return out;
}

std::vector<KeypadFrame> KeypadDecoder::feed(std::span<const std::uint8_t> bytes) {
  std::vector<KeypadFrame> out;
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  std::size_t at = 0;
  auto skip = [&](std::size_t n) {
    at += n;
    skipped_ += n;
  };
  while (at < buf_.size()) {
    if (buf_[at] != kBusStart0) {
      skip(1);
      continue;
    }
    if (buf_.size() - at < kBusHeader) break;  // wait for the header
    const std::uint8_t len = buf_[at + 2];
    if (buf_[at + 1] != kBusStart1 || buf_[at + 4] != kBusStart1 || buf_[at + 3] != len || len < 2) {
      skip(1);  // not a frame start (or a broken header): look again from the next byte
      continue;
    }
    const std::size_t total = kBusHeader + len + 2;
    if (buf_.size() - at < total) break;  // wait for the rest
    std::span<const std::uint8_t> body(buf_.data() + at + kBusHeader, len);
    const std::uint8_t cs = buf_[at + kBusHeader + len];
    const std::uint8_t end = buf_[at + kBusHeader + len + 1];
    if (end != kBusEnd || (checksum_ == KeypadChecksum::Sum8 && cs != sum8(body))) {
      ++bad_;
      skip(1);  // a frame may start inside the broken one
      continue;
    }
    out.push_back(KeypadFrame{body[0], body[1], std::vector<std::uint8_t>(body.begin() + 2, body.end())});
    at += total;
  }
  buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(at));
  // A false header inside noise holds the search at most one longest frame (264 bytes).
  return out;
}

const char* to_string(KeypadKey k) {
  switch (k) {
    case KeypadKey::CallNext: return "call-next";
    case KeypadKey::Recall: return "recall";
    case KeypadKey::Evaluate: return "evaluate";
    case KeypadKey::Pause: return "pause";
    case KeypadKey::Transfer: return "transfer";
    case KeypadKey::GiveUp: return "give-up";
    case KeypadKey::Hold: return "hold";
    case KeypadKey::CallBack: return "call-back";
  }
  return "?";
}

std::optional<KeypadKey> keypad_key(const KeypadFrame& f) {
  if (f.function == kKeypadShow || f.function == kKeypadBeep || f.data.empty()) return std::nullopt;
  switch (f.data.back()) {
    case 0x0C: return KeypadKey::CallNext;
    case 0x0D: return KeypadKey::Recall;
    case 0x0B: return KeypadKey::Evaluate;
    case 0x12: return KeypadKey::Pause;
    case 0x13: return KeypadKey::Transfer;
    case 0x0F:
      if (f.data.size() != 2) return std::nullopt;  // confirm alone, or a longer entry
      switch (f.data[0]) {
        case 0x06: return KeypadKey::GiveUp;
        case 0x00: return KeypadKey::Hold;
        case 0x03: return KeypadKey::CallBack;
        default: return std::nullopt;
      }
    default: return std::nullopt;
  }
}

KeypadFrame keypad_show_frame(std::uint8_t address, std::optional<int> waiting, std::string_view number) {
  KeypadFrame f{address, kKeypadShow, {}};
  if (waiting) {
    const int w = std::clamp(*waiting, 0, 999);
    f.data = {static_cast<std::uint8_t>(w / 100), static_cast<std::uint8_t>(w / 10 % 10),
              static_cast<std::uint8_t>(w % 10)};
  } else {
    f.data = {kKeypadBlank, kKeypadBlank, kKeypadBlank};
  }
  std::string digits;
  for (char c : number)
    if (c >= '0' && c <= '9') digits += c;
  if (digits.size() > 3) digits = digits.substr(digits.size() - 3);
  for (std::size_t i = 0; i < 3 - digits.size(); ++i) f.data.push_back(kKeypadBlank);
  for (char c : digits) f.data.push_back(static_cast<std::uint8_t>(c - '0'));
  return f;
}

KeypadFrame keypad_beep_frame(std::uint8_t address) { return KeypadFrame{address, kKeypadBeep, {}}; }

}  // namespace hallq::display
