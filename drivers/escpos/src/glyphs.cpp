#include "hallq/escpos/glyphs.hpp"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>

namespace hallq::escpos {

struct FontGlyphs::Impl {
  FT_Library lib = nullptr;
  std::vector<FT_Face> faces;
  int pixels = 24;
  ~Impl() {
    for (FT_Face f : faces) FT_Done_Face(f);
    if (lib) FT_Done_FreeType(lib);
  }
};

Expected<FontGlyphs, std::string> FontGlyphs::open(const std::vector<std::string>& files, int pixels) {
  auto impl = std::make_shared<Impl>();
  impl->pixels = std::clamp(pixels, 8, 96);
  if (FT_Init_FreeType(&impl->lib) != 0) return unexpected(std::string("FreeType failed to initialise"));
  std::string errors;
  for (const auto& f : files) {
    FT_Face face = nullptr;
    if (FT_New_Face(impl->lib, f.c_str(), 0, &face) != 0) {
      errors += (errors.empty() ? "" : "; ") + f + ": cannot open";
      continue;
    }
    FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(impl->pixels));
    impl->faces.push_back(face);
  }
  if (impl->faces.empty())
    return unexpected("no glyph font could be opened (" + errors + "; install Debian's fonts-hanazono)");
  FontGlyphs g;
  g.impl_ = std::move(impl);
  return g;
}

std::optional<Glyph> FontGlyphs::glyph(char32_t c) const {
  for (FT_Face face : impl_->faces) {
    if (FT_Get_Char_Index(face, c) == 0) continue;
    if (FT_Load_Char(face, c, FT_LOAD_RENDER | FT_LOAD_TARGET_MONO | FT_LOAD_MONOCHROME) != 0) continue;
    const FT_Bitmap& bm = face->glyph->bitmap;
    if (bm.pixel_mode != FT_PIXEL_MODE_MONO) continue;
    const int n = impl_->pixels;
    Glyph g;
    g.width = n;
    g.height = n;
    const int rb = (n + 7) / 8;
    g.bits.assign(static_cast<size_t>(rb) * static_cast<size_t>(n), 0);
    // Baseline at the face's ascender, scaled into the cell.
    const int ascender = static_cast<int>(face->size->metrics.ascender >> 6);
    const int descender = static_cast<int>(-(face->size->metrics.descender >> 6));
    const int baseline = ascender * n / std::max(1, ascender + descender);
    const int x0 = face->glyph->bitmap_left, y0 = baseline - face->glyph->bitmap_top;
    for (unsigned y = 0; y < bm.rows; ++y)
      for (unsigned x = 0; x < bm.width; ++x) {
        if (!(bm.buffer[y * static_cast<unsigned>(std::abs(bm.pitch)) + x / 8] & (0x80 >> (x % 8)))) continue;
        int px = x0 + static_cast<int>(x), py = y0 + static_cast<int>(y);
        if (px < 0 || px >= n || py < 0 || py >= n) continue;
        g.bits[static_cast<size_t>(py * rb + px / 8)] |= static_cast<std::uint8_t>(0x80 >> (px % 8));
      }
    return g;
  }
  return std::nullopt;
}

GlyphSource FontGlyphs::source() const {
  FontGlyphs self = *this;
  return [self](char32_t c) { return self.glyph(c); };
}

}  // namespace hallq::escpos
