#pragma once
// Caller keypads (呼叫器) on a window RS-485 bus (issue 6, hardware.md "Caller keypads"). The
// frame, as in the public example (JackQChen/QueueSystem CallSystem/frmMain.cs), 9600 8N1:
//   FF 68 · L · L · 68 · address · function · data (L − 2 bytes) · CS · 16
// L counts address, function and data; CS is the 8-bit sum of address, function and data (or
// unchecked, for keypads that send garbage there). A key press is a frame whose last data byte
// is the key: 0C call, 0D recall, 0B evaluate, 12 pause, 13 transfer, and digit + 0F (confirm)
// combinations: 6+确认 give up (no-show), 0+确认 suspend (hold), 3+确认 call back (unhold).
// The host echoes each frame it takes, and drives the keypad's six-digit display (function 02:
// three digits of waiting count, three of the ticket number; 0A is a blank digit) and its
// buzzer (function 03).
// Pure: bytes in, frames out; the fuzz harness links it. Thread-safety: none.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hallq::display {

enum class KeypadChecksum { Sum8, None };

struct KeypadFrame {
  std::uint8_t address = 0;
  std::uint8_t function = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const KeypadFrame&) const = default;
};

constexpr std::uint8_t kKeypadShow = 0x02;  // host → keypad: the six digits
constexpr std::uint8_t kKeypadBeep = 0x03;  // host → keypad: the buzzer
constexpr std::uint8_t kKeypadBlank = 0x0A;

// The frame's bytes (data of at most 253 bytes).
std::vector<std::uint8_t> encode_keypad_frame(const KeypadFrame& f);

class KeypadDecoder {
 public:
  explicit KeypadDecoder(KeypadChecksum checksum = KeypadChecksum::Sum8) : checksum_(checksum) {}
  // Bytes in; the whole frames they complete out. A broken frame (length bytes that differ, a
  // wrong checksum or end byte) is dropped and counted, and the search goes on at its next byte.
  std::vector<KeypadFrame> feed(std::span<const std::uint8_t> bytes);
  int bad_frames() const { return bad_; }
  std::size_t skipped_bytes() const { return skipped_; }

 private:
  KeypadChecksum checksum_;
  std::vector<std::uint8_t> buf_;
  int bad_ = 0;
  std::size_t skipped_ = 0;
};

enum class KeypadKey { CallNext, Recall, Evaluate, Pause, Transfer, GiveUp, Hold, CallBack };
const char* to_string(KeypadKey k);
// The key a frame from a keypad carries; nullopt for frames the host sends (02, 03), keys
// without a meaning here, and confirm combinations that mean nothing.
std::optional<KeypadKey> keypad_key(const KeypadFrame& f);

// The keypad's display: waiting count (capped at 999; nullopt blanks it) and the last three
// digits of the ticket number ("" blanks them; letters are dropped: A012 → 012).
KeypadFrame keypad_show_frame(std::uint8_t address, std::optional<int> waiting, std::string_view number);
KeypadFrame keypad_beep_frame(std::uint8_t address);

}  // namespace hallq::display
