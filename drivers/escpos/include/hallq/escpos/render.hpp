#pragma once
// The inverse of the encoder: an ESC/POS byte stream -> what the paper shows, as dots, plus
// what was printed (text lines, QR data, cuts). Tolerant of commands it does not know
// (skipped and listed). Used by the printer simulator, the tests and hallq-print-preview.
// Pure apart from load_unifont_hex and write_png; thread-compatible.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/escpos/encoder.hpp"

namespace hallq::escpos {

// GNU Unifont (Debian package unifont, /usr/share/unifont/unifont.hex): 8x16 and 16x16
// bitmaps for every Plane 0 character.
class BitmapFont {
 public:
  static Expected<BitmapFont, std::string> load_unifont_hex(const std::string& path);
  std::optional<Glyph> glyph(char32_t c) const;
  size_t size() const { return glyphs_.size(); }

 private:
  std::unordered_map<char32_t, Glyph> glyphs_;
};
inline constexpr const char* kUnifontHex = "/usr/share/unifont/unifont.hex";

// A strip of paper: `width` dots across, grows downwards; 1 = black.
struct Page {
  int width = 384;
  int height = 0;
  std::vector<std::uint8_t> dots;
  void grow(int rows);
  void set(int x, int y);
  bool at(int x, int y) const;
};

struct DecodedJob {
  Page page;
  std::vector<std::string> lines;      // printed text, one UTF-8 string per line feed
  std::vector<std::string> qr;         // data of each native QR code printed
  int rasters = 0;                     // GS v 0 images
  int cuts = 0;
  std::vector<int> status_queries;     // n of each DLE EOT n in the stream
  std::vector<std::string> unknown;    // commands skipped, e.g. "ESC 0x74"
};

// `font` may be null: text then prints as filled boxes (still laid out and listed in lines).
DecodedJob decode(std::span<const std::uint8_t> bytes, int paper_dots, const BitmapFont* font);

// Writes the page as an 8-bit grey PNG (white paper, black dots); error text on failure.
std::optional<std::string> write_png(const Page& page, const std::string& path);

}  // namespace hallq::escpos
