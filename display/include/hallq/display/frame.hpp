#pragma once
// Pixel frames for LED panels and their simulators (issue 6): an RGB image drawn with GNU
// Unifont's 16×16 glyphs (the usual LED dot-matrix size), written as PNG (the simulator, --out)
// or as a binary PPM (the Flaschen-Taschen UDP protocol a HUB75 panel process takes).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/escpos/render.hpp"

namespace hallq::display {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};
inline constexpr Rgb kBlack{0, 0, 0};
inline constexpr Rgb kRed{255, 32, 0};      // the common single-colour LED
inline constexpr Rgb kGreen{0, 220, 60};
inline constexpr Rgb kAmber{255, 176, 0};
inline constexpr Rgb kCyan{0, 200, 255};    // notices, apart from the calls

class Frame {
 public:
  Frame(int width, int height) : w_(width), h_(height), px_(static_cast<size_t>(width * height) * 3, 0) {}
  int width() const { return w_; }
  int height() const { return h_; }
  void set(int x, int y, Rgb c);  // outside the frame: ignored
  Rgb at(int x, int y) const;
  const std::vector<std::uint8_t>& rgb() const { return px_; }
  bool operator==(const Frame&) const = default;

 private:
  int w_, h_;
  std::vector<std::uint8_t> px_;
};

// UTF-8 → code points; invalid bytes become U+FFFD.
std::u32string utf8_decode(std::string_view s);
// Width in pixels of `text` in Unifont (8 or 16 per character; missing glyphs count 16).
int text_width(const escpos::BitmapFont& font, std::string_view text);
// Draws `text` with its top-left at (x, y); returns the x after it. Pixels outside are clipped.
int draw_text(Frame& f, const escpos::BitmapFont& font, int x, int y, std::string_view text, Rgb color);
// Centred on the row at y (left-aligned from 0 when wider than the frame).
void draw_centred(Frame& f, const escpos::BitmapFont& font, int y, std::string_view text, Rgb color);

std::optional<std::string> write_png(const Frame& f, const std::string& path);
// "P6\n<w> <h>\n255\n" and the pixels: one Flaschen-Taschen frame.
std::string to_ppm(const Frame& f);

}  // namespace hallq::display
