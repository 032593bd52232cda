#pragma once
// Document -> ESC/POS bytes. Pure: no I/O, no clock; thread-safe (no shared state).
// Text is GB18030: `FS &` before double-byte runs and `FS .` before single-byte runs.
// Characters the printer's double-byte font lacks (4-byte GB18030, e.g. CJK Ext-B in names)
// are drawn by a GlyphSource and the line is sent as a raster image instead.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/escpos/document.hpp"

namespace hallq::escpos {

// A glyph as a bitmap: rows of (width + 7) / 8 bytes, MSB leftmost, 1 = black.
struct Glyph {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> bits;
};
// Returns the glyph of a Unicode code point, or nothing if the font lacks it.
using GlyphSource = std::function<std::optional<Glyph>(char32_t)>;

struct EncodeError {
  std::string message;
};

// One character of text: its code point, its GB18030 bytes (1, 2 or 4) and its width in
// single-byte columns (1 for ASCII, 2 for everything printed from the double-byte font).
struct GbChar {
  char32_t code = 0;
  std::string gb;
  int columns = 1;
};
// UTF-8 -> characters with their GB18030 bytes; an error names the first invalid byte.
Expected<std::vector<GbChar>, EncodeError> to_gb18030(const std::string& utf8);

class Encoder {
 public:
  explicit Encoder(PrinterProfile profile, GlyphSource glyphs = {});
  Expected<std::vector<std::uint8_t>, EncodeError> encode(const Document& doc) const;
  // Single-width columns per line for a text style (paper width / char width).
  int columns(const TextStyle& style) const;
  const PrinterProfile& profile() const { return profile_; }

 private:
  Raster line_raster(const std::vector<GbChar>& line, int w, int h, const TextStyle& style) const;
  PrinterProfile profile_;
  GlyphSource glyphs_;
};

// Command helpers (exact bytes from hardware.md; shared with tests and the decoder).
namespace cmd {
inline constexpr std::uint8_t ESC = 0x1B, GS = 0x1D, FS = 0x1C, DLE = 0x10, EOT = 0x04, LF = 0x0A;
std::vector<std::uint8_t> qr_native(const std::string& data, int module, char level);
std::vector<std::uint8_t> raster(const Raster& r, int paper_dots, int band_bytes);
}  // namespace cmd

}  // namespace hallq::escpos
