#include "hallq/display/frame.hpp"

#include <png.h>

#include <cstdio>

#include "hallq/common/atomic_file.hpp"

namespace hallq::display {

void Frame::set(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= w_ || y >= h_) return;
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(w_) + static_cast<size_t>(x)) * 3;
  px_[i] = c.r;
  px_[i + 1] = c.g;
  px_[i + 2] = c.b;
}

Rgb Frame::at(int x, int y) const {
  if (x < 0 || y < 0 || x >= w_ || y >= h_) return kBlack;
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(w_) + static_cast<size_t>(x)) * 3;
  return Rgb{px_[i], px_[i + 1], px_[i + 2]};
}

std::u32string utf8_decode(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = len > 0 && i + static_cast<size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += static_cast<size_t>(len);
  }
  return out;
}

int text_width(const escpos::BitmapFont& font, std::string_view text) {
  int w = 0;
  for (char32_t c : utf8_decode(text)) {
    auto g = font.glyph(c);
    w += g ? g->width : 16;
  }
  return w;
}

int draw_text(Frame& f, const escpos::BitmapFont& font, int x, int y, std::string_view text, Rgb color) {
  for (char32_t c : utf8_decode(text)) {
    auto g = font.glyph(c);
    if (!g) g = font.glyph(0xFFFD);
    if (!g) {
      x += 16;
      continue;
    }
    const int row_bytes = (g->width + 7) / 8;
    for (int gy = 0; gy < g->height; ++gy)
      for (int gx = 0; gx < g->width; ++gx) {
        const std::uint8_t byte = g->bits[static_cast<size_t>(gy * row_bytes + gx / 8)];
        if (byte & (0x80 >> (gx % 8))) f.set(x + gx, y + gy, color);
      }
    x += g->width;
  }
  return x;
}

void draw_centred(Frame& f, const escpos::BitmapFont& font, int y, std::string_view text, Rgb color) {
  const int w = text_width(font, text);
  draw_text(f, font, w >= f.width() ? 0 : (f.width() - w) / 2, y, text, color);
}

std::optional<std::string> write_png(const Frame& f, const std::string& path) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = static_cast<png_uint_32>(f.width());
  img.height = static_cast<png_uint_32>(f.height());
  img.format = PNG_FORMAT_RGB;
  // Encoded in memory (the first call measures), then written whole.
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&img, nullptr, &size, 0, f.rgb().data(), f.width() * 3, nullptr))
    return path + ": " + img.message;
  std::string png(size, '\0');
  if (!png_image_write_to_memory(&img, png.data(), &size, 0, f.rgb().data(), f.width() * 3, nullptr))
    return path + ": " + img.message;
  png.resize(size);
  if (auto err = write_file_atomically(path, png, 0666)) return err->message;
  return std::nullopt;
}

std::string to_ppm(const Frame& f) {
  std::string out = "P6\n" + std::to_string(f.width()) + " " + std::to_string(f.height()) + "\n255\n";
  out.append(reinterpret_cast<const char*>(f.rgb().data()), f.rgb().size());
  return out;
}

}  // namespace hallq::display
