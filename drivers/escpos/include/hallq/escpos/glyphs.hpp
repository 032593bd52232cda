#pragma once
// Glyphs for characters the printer's own font lacks (4-byte GB18030: CJK Ext-B and beyond,
// common in rural names), rendered 1-bit with FreeType from Debian fonts. The encoder prints
// a line holding such a character as a raster image. Immutable after open(); glyph() is
// safe from one thread at a time (FreeType faces are not shared across threads).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/escpos/encoder.hpp"

namespace hallq::escpos {

// HanaMin (Debian fonts-hanazono) covers CJK Unified Ideographs through Extension F.
inline const std::vector<std::string> kGlyphFonts = {
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
};

class FontGlyphs {
 public:
  // Opens each font file; fails if none opens. `pixels`: the em size (24 = the printer's
  // double-byte cell).
  static Expected<FontGlyphs, std::string> open(const std::vector<std::string>& files, int pixels = 24);
  // The first font with the character, as a `pixels` x `pixels` cell; nothing if none has it.
  std::optional<Glyph> glyph(char32_t c) const;
  // For the Encoder; shares this object's fonts.
  GlyphSource source() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hallq::escpos
