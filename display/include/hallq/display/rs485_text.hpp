#pragma once
// The common cheap window screen (issue 6, hardware.md "Text frame over RS-485"): addressed text
// frames on one bus, in a configurable template —
//   prefix · address (1 byte) · length (1 byte, of the text) · text (GB18030 or GB2312) ·
//   checksum over address..text (none | sum8 | xor | CRC-16/ARC, low byte first) · suffix.
// The default template is AA · addr · len · text · sum8 · 55. The decoder reads a byte stream
// (the simulator's side of the bus): it resynchronises on garbage and counts bad frames.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/expected.hpp"

namespace hallq::display {

enum class Checksum { None, Sum8, Xor8, Crc16Arc };
Expected<Checksum, std::string> parse_checksum(std::string_view s);  // none sum8 xor crc16
std::uint16_t crc16_arc(std::span<const std::uint8_t> bytes);
// iconv from one charset to another ("GB2312", "UTF-8"); nullopt if any character does not convert.
std::optional<std::string> convert_charset(const char* to, const char* from, std::string_view in);

struct TextFrameTemplate {
  std::vector<std::uint8_t> prefix{0xAA};
  std::vector<std::uint8_t> suffix{0x55};
  Checksum checksum = Checksum::Sum8;
  std::string charset = "GB18030";  // or GB2312 (no 4-byte characters)
};

// The frame for `text` to the screen at `address` (0..255); an error if the text has a
// character the charset lacks or is over 255 bytes encoded.
Expected<std::vector<std::uint8_t>, std::string> encode_text_frame(const TextFrameTemplate& t, int address,
                                                                    std::string_view utf8);

struct TextFrame {
  int address = 0;
  std::string text;  // UTF-8
  bool operator==(const TextFrame&) const = default;
};

class TextFrameDecoder {
 public:
  explicit TextFrameDecoder(TextFrameTemplate t) : t_(std::move(t)) {}
  // Bytes in; the whole, valid frames they complete out.
  std::vector<TextFrame> feed(std::span<const std::uint8_t> bytes);
  int bad_frames() const { return bad_; }          // checksum, suffix or charset wrong
  std::size_t skipped_bytes() const { return skipped_; }  // bytes outside any frame

 private:
  TextFrameTemplate t_;
  std::vector<std::uint8_t> buf_;
  int bad_ = 0;
  std::size_t skipped_ = 0;
};

}  // namespace hallq::display
