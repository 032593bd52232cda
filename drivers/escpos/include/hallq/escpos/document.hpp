#pragma once
// A printed document for an ESC/POS thermal printer, independent of bytes: what the layouts
// (ticket, notices) build and the encoder turns into commands. Plain values; thread-compatible.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace hallq::escpos {

enum class Align { Left, Center, Right };

struct TextStyle {
  int width = 1;   // character width multiplier, 1..8 (GS !)
  int height = 1;  // character height multiplier, 1..8
  bool bold = false;
  Align align = Align::Left;
};

// One paragraph of UTF-8 text; the encoder wraps it to the paper width. `indent` columns
// (in single-width ASCII columns) start every wrapped continuation line (hanging indent).
struct Text {
  std::string utf8;
  TextStyle style;
  int indent = 0;
};

// A full-width line drawn with `ch` (e.g. '-', '=').
struct Rule {
  char ch = '-';
};

struct Feed {
  int lines = 1;
};

// A QR code: native GS ( k when the printer has it, else a raster bitmap from libqrencode.
struct Qr {
  std::string data;
  int module = 6;  // dots per module, 1..16
  char level = 'M';  // error correction L, M, Q, H
  Align align = Align::Center;
};

// A 1-bit image, rows of `(width + 7) / 8` bytes, MSB = leftmost dot, 1 = black.
struct Raster {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> bits;
  Align align = Align::Center;
};

// Feed `feed` lines and cut (partial), if the printer has a cutter; else just feed.
struct Cut {
  int feed = 3;
};

using Block = std::variant<Text, Rule, Feed, Qr, Raster, Cut>;

struct Document {
  std::vector<Block> blocks;

  Document& text(std::string utf8, TextStyle style = {}, int indent = 0) {
    blocks.emplace_back(Text{std::move(utf8), style, indent});
    return *this;
  }
  Document& rule(char ch = '-') {
    blocks.emplace_back(Rule{ch});
    return *this;
  }
  Document& feed(int lines = 1) {
    blocks.emplace_back(Feed{lines});
    return *this;
  }
  Document& qr(std::string data, int module = 6, char level = 'M', Align align = Align::Center) {
    blocks.emplace_back(Qr{std::move(data), module, level, align});
    return *this;
  }
  Document& cut(int feed_lines = 3) {
    blocks.emplace_back(Cut{feed_lines});
    return *this;
  }
};

// What one printer model can do. Defaults: a common 58 mm Chinese clone (Xprinter/GPrinter).
struct PrinterProfile {
  int paper_dots = 384;        // 384 (58 mm) or 576 (80 mm) at 203 dpi
  bool native_qr = true;       // GS ( k supported; else QR sent as raster
  bool cutter = false;         // GS V supported (many 58 mm units have none)
  bool any_size = true;        // GS ! any multiplier; false: only 1x/2x (some clones)
  int ascii_dots = 12;         // font A: 12x24 ASCII, 24x24 CJK
  int raster_band_bytes = 32 * 1024;  // GS v 0 band limit
};

}  // namespace hallq::escpos
