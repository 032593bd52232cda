#pragma once
// Onbon BX-5K/BX-6K font-card screens (字库卡, protocol version 02; hardware.md, facts from the
// public analysis strongercjd/Onbon-Protocol-Analysis and third-party encoders): the screen
// draws GB2312 text with its own fonts; the host sends "update dynamic area" (A3 06) frames.
//   A5 ×8 · escaped( header · data · CRC ) · 5A
//   header (14 bytes, little-endian): screen address (2), source 0x8000 (2), 00 00 00,
//     barcode 00, checksum mode 00, display mode 00, device type FE (any), version 02,
//     data length (2)
//   data: group A3, command 06, reply flag (01 reply, 02 none), 2 reserved, then the A3 06
//     payload: areas to delete (count, ids), areas to update (count, records)
//   CRC-16/ARC over header and data, low byte first; escapes A5→A6 02, A6→A6 01, 5A→5B 02,
//     5B→5B 01 over everything between the start run and the end byte, CRC included.
// Pure: the sink and the screen simulator use it, the fuzz harness links it.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"

namespace hallq::display {

// One dynamic area's record (A3 06). Geometry in pixels: x and width go on the wire in 8-pixel
// units when both are multiples of 8, else in pixels with bit 15 set.
struct BxArea {
  int id = 0;
  int x = 0, y = 0, width = 64, height = 16;
  std::uint8_t type = 0;
  std::uint8_t line_spacing = 0;
  std::uint8_t run_mode = 0;  // 0 cycle
  std::uint16_t timeout_s = 2;
  std::uint8_t align = 2;  // bits 0-1: 0 left, 1 right, 2 centre; bits 2-3: 0 top, 4 bottom, 8 centre
  std::uint8_t single_line = 1;  // 1 single line, 2 several
  std::uint8_t wrap = 1;         // 1 manual, 2 automatic
  std::uint8_t effect = 1;       // 1 static, 2 quick type, 3 move left, 4 right, 5 up, 6 down
  std::uint8_t exit = 0;
  std::uint8_t speed = 0;  // 0 fastest .. 0x18 slowest
  std::uint8_t stay = 10;  // half seconds
  std::string text;        // UTF-8 here; GB2312 on the wire
  bool operator==(const BxArea&) const = default;
};

struct BxDynamicText {
  int screen = 1;  // the screen's address, 0..0xFFFF
  bool reply = false;
  std::uint8_t reserved[2] = {0, 0};
  std::vector<int> delete_ids;
  std::vector<BxArea> areas;
};

// A decoded frame (after unescaping and the CRC check).
struct BxFrame {
  int screen = 0, source = 0;
  std::uint8_t device_type = 0, version = 0;
  std::vector<std::uint8_t> data;  // group, command, reply flag / status, 2 reserved, payload
  bool operator==(const BxFrame&) const = default;
};

// The whole frame on the wire; an error if a text has a character GB2312 lacks or a value is
// out of range.
Expected<std::vector<std::uint8_t>, std::string> encode_bx_dynamic_text(const BxDynamicText& d);
// A frame around any data field (ping: A2 00 ...), for tests and the simulator's replies.
std::vector<std::uint8_t> encode_bx_frame(int screen, int source, std::span<const std::uint8_t> data);
// The A3 06 payload of a decoded frame, back into areas (texts as UTF-8).
Expected<BxDynamicText, std::string> parse_bx_dynamic_text(const BxFrame& f);

class BxDecoder {
 public:
  // Bytes in; the whole frames with a good CRC out. A frame that does not unescape, is short,
  // disagrees with its length field or fails the CRC is counted and dropped.
  std::vector<BxFrame> feed(std::span<const std::uint8_t> bytes);
  int bad_frames() const { return bad_; }

 private:
  void finish();
  std::vector<std::uint8_t> body_;  // escaped bytes of the frame being read
  bool in_frame_ = false;
  std::vector<BxFrame> out_;
  int bad_ = 0;
};

}  // namespace hallq::display
