#include "hallq/escpos/encoder.hpp"

#include <iconv.h>
#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string_view>

namespace hallq::escpos {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put(Bytes& out, std::initializer_list<std::uint8_t> b) { out.insert(out.end(), b); }
void put(Bytes& out, const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }

std::uint8_t align_byte(Align a) {
  switch (a) {
    case Align::Left: return 0;
    case Align::Center: return 1;
    case Align::Right: return 2;
  }
  return 0;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 if invalid.
size_t utf8_next(const std::string& s, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  static constexpr char32_t min_for[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};

int clamp_mult(int m, bool any_size) {
  m = std::clamp(m, 1, 8);
  return any_size ? m : std::min(m, 2);
}

}  // namespace

Expected<std::vector<GbChar>, EncodeError> to_gb18030(const std::string& utf8) {
  std::vector<GbChar> out;
  iconv_t raw = iconv_open("GB18030", "UTF-8");
  if (raw == reinterpret_cast<iconv_t>(-1)) return unexpected(EncodeError{"iconv has no GB18030 converter"});
  std::unique_ptr<void, IconvCloser> cd(raw);
  for (size_t i = 0; i < utf8.size();) {
    char32_t cp = 0;
    size_t n = utf8_next(utf8, i, cp);
    if (n == 0) return unexpected(EncodeError{"invalid UTF-8 at byte " + std::to_string(i)});
    GbChar ch;
    ch.code = cp;
    if (cp < 0x80) {
      ch.gb.assign(1, static_cast<char>(cp));
    } else {
      std::string in = utf8.substr(i, n);
      char buf[8];
      char* inp = in.data();
      size_t inleft = in.size();
      char* outp = buf;
      size_t outleft = sizeof buf;
      if (iconv(raw, &inp, &inleft, &outp, &outleft) == static_cast<size_t>(-1))
        return unexpected(EncodeError{"U+" + std::to_string(static_cast<unsigned>(cp)) + " has no GB18030 code"});
      ch.gb.assign(buf, static_cast<size_t>(outp - buf));
      ch.columns = 2;
    }
    out.push_back(std::move(ch));
    i += n;
  }
  return out;
}

namespace cmd {

std::vector<std::uint8_t> qr_native(const std::string& data, int module, char level) {
  Bytes out;
  std::uint8_t ec = level == 'L' ? 0x30 : level == 'Q' ? 0x32 : level == 'H' ? 0x33 : 0x31;
  put(out, {GS, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00});                          // model 2
  put(out, {GS, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, static_cast<std::uint8_t>(std::clamp(module, 1, 16))});
  put(out, {GS, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, ec});
  size_t len = data.size() + 3;
  put(out, {GS, 0x28, 0x6B, static_cast<std::uint8_t>(len & 0xFF), static_cast<std::uint8_t>(len >> 8), 0x31, 0x50,
            0x30});
  put(out, data);
  put(out, {GS, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30});  // print
  return out;
}

std::vector<std::uint8_t> raster(const Raster& r, int paper_dots, int band_bytes) {
  // The image is placed on a full paper-width canvas by its alignment: printers differ in
  // whether ESC a applies to GS v 0, a full-width image prints the same on all of them.
  const int row_bytes = paper_dots / 8;
  const int src_bytes = (r.width + 7) / 8;
  const int w = std::min(r.width, paper_dots);
  int x0 = 0;
  if (r.align == Align::Center) x0 = (paper_dots - w) / 2;
  if (r.align == Align::Right) x0 = paper_dots - w;
  Bytes canvas(static_cast<size_t>(row_bytes) * static_cast<size_t>(r.height), 0);
  for (int y = 0; y < r.height; ++y)
    for (int x = 0; x < w; ++x) {
      size_t si = static_cast<size_t>(y) * static_cast<size_t>(src_bytes) + static_cast<size_t>(x / 8);
      if (si >= r.bits.size() || !(r.bits[si] & (0x80 >> (x % 8)))) continue;
      int dx = x0 + x;
      canvas[static_cast<size_t>(y) * static_cast<size_t>(row_bytes) + static_cast<size_t>(dx / 8)] |=
          static_cast<std::uint8_t>(0x80 >> (dx % 8));
    }
  Bytes out;
  const int band_rows = std::max(1, band_bytes / std::max(1, row_bytes));
  for (int y = 0; y < r.height; y += band_rows) {
    int rows = std::min(band_rows, r.height - y);
    put(out, {GS, 0x76, 0x30, 0x00, static_cast<std::uint8_t>(row_bytes & 0xFF),
              static_cast<std::uint8_t>(row_bytes >> 8), static_cast<std::uint8_t>(rows & 0xFF),
              static_cast<std::uint8_t>(rows >> 8)});
    auto first = canvas.begin() + static_cast<std::ptrdiff_t>(y) * row_bytes;
    out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(rows) * row_bytes);
  }
  return out;
}

}  // namespace cmd

Encoder::Encoder(PrinterProfile profile, GlyphSource glyphs) : profile_(profile), glyphs_(std::move(glyphs)) {}

Raster Encoder::line_raster(const std::vector<GbChar>& line, int w, int h, const TextStyle& style) const {
  // Each character in its printer cell (12 or 24 dots wide per width unit, 24 high per height
  // unit); glyphs come as square cells, narrow characters use their left half.
  Raster img;
  for (const GbChar& c : line) img.width += c.columns * profile_.ascii_dots * w;
  img.width = std::min(img.width, profile_.paper_dots);
  img.height = 24 * h;
  const int rb = (img.width + 7) / 8;
  img.bits.assign(static_cast<size_t>(rb) * static_cast<size_t>(img.height), 0);
  auto set = [&](int x, int y) {
    if (x < 0 || x >= img.width || y < 0 || y >= img.height) return;
    img.bits[static_cast<size_t>(y * rb + x / 8)] |= static_cast<std::uint8_t>(0x80 >> (x % 8));
  };
  int x0 = 0;
  for (const GbChar& c : line) {
    const int cw = c.columns * profile_.ascii_dots * w, ch = img.height;
    std::optional<Glyph> g = c.code == U' ' ? std::nullopt : glyphs_(c.code);
    if (g && g->width > 0 && g->height > 0) {
      const int gw = c.columns == 1 ? std::max(1, g->width / 2) : g->width;
      const int grb = (g->width + 7) / 8;
      for (int ty = 0; ty < ch; ++ty)
        for (int tx = 0; tx < cw; ++tx) {
          int sx = tx * gw / cw, sy = ty * g->height / ch;
          if (!(g->bits[static_cast<size_t>(sy * grb + sx / 8)] & (0x80 >> (sx % 8)))) continue;
          set(x0 + tx, ty);
          if (style.bold) set(x0 + tx + 1, ty);
        }
    } else if (c.code != U' ') {
      // No font has it: an outlined box, so the gap is visible and the line keeps its layout.
      for (int tx = 2; tx < cw - 2; ++tx) set(x0 + tx, 2), set(x0 + tx, ch - 3);
      for (int ty = 2; ty < ch - 2; ++ty) set(x0 + 2, ty), set(x0 + cw - 3, ty);
    }
    x0 += cw;
  }
  return img;
}

int Encoder::columns(const TextStyle& style) const {
  int w = clamp_mult(style.width, profile_.any_size);
  return std::max(1, profile_.paper_dots / (profile_.ascii_dots * w));
}

namespace {

bool is_closing(char32_t c) {
  static constexpr std::u32string_view closing = U"）】》」』〕，。、；：！？)]}.,;:!?%";
  return closing.find(c) != std::u32string_view::npos;
}

// Splits characters into lines of at most `cols` columns. ASCII words are not split when a
// space allows; CJK breaks anywhere. Continuation lines start with `indent` spaces.
std::vector<std::vector<GbChar>> wrap(const std::vector<GbChar>& chars, int cols, int indent) {
  std::vector<std::vector<GbChar>> lines(1);
  int used = 0;
  indent = std::clamp(indent, 0, cols / 2);
  auto new_line = [&] {
    lines.emplace_back();
    for (int i = 0; i < indent; ++i) lines.back().push_back(GbChar{U' ', " ", 1});
    used = indent;
  };
  for (size_t i = 0; i < chars.size(); ++i) {
    const GbChar& c = chars[i];
    if (c.code == U'\n') {
      new_line();
      continue;
    }
    if (used + c.columns > cols) {
      // Move a trailing ASCII word to the next line if it fits there.
      auto& cur = lines.back();
      size_t k = cur.size();
      while (k > 0 && cur[k - 1].columns == 1 && cur[k - 1].code != U' ' && c.columns == 1 && c.code != U' ') --k;
      std::vector<GbChar> carry;
      if (k > static_cast<size_t>(indent) && k < cur.size()) {
        carry.assign(cur.begin() + static_cast<std::ptrdiff_t>(k), cur.end());
        cur.resize(k);
      }
      while (cur.size() > static_cast<size_t>(indent) && cur.back().code == U' ') cur.pop_back();
      // Closing punctuation never starts a line: the character before it moves down too.
      if (carry.empty() && is_closing(c.code) && cur.size() > static_cast<size_t>(indent) + 1) {
        carry.push_back(cur.back());
        cur.pop_back();
      }
      new_line();
      for (auto& x : carry) {
        lines.back().push_back(x);
        used += x.columns;
      }
      if (c.code == U' ') continue;  // no leading space after a break
    }
    lines.back().push_back(c);
    used += c.columns;
  }
  return lines;
}

}  // namespace

Expected<std::vector<std::uint8_t>, EncodeError> Encoder::encode(const Document& doc) const {
  Bytes out;
  put(out, {cmd::ESC, 0x40});  // ESC @: initialise
  for (const Block& block : doc.blocks) {
    if (const auto* t = std::get_if<Text>(&block)) {
      auto chars = to_gb18030(t->utf8);
      if (!chars) return unexpected(chars.error());
      int w = clamp_mult(t->style.width, profile_.any_size), h = clamp_mult(t->style.height, profile_.any_size);
      put(out, {cmd::ESC, 0x61, align_byte(t->style.align)});
      put(out, {cmd::GS, 0x21, static_cast<std::uint8_t>(((w - 1) << 4) | (h - 1))});
      put(out, {cmd::ESC, 0x45, static_cast<std::uint8_t>(t->style.bold ? 1 : 0)});
      for (const auto& line : wrap(*chars, columns(t->style), t->indent)) {
        bool rare = std::any_of(line.begin(), line.end(), [](const GbChar& c) { return c.gb.size() == 4; });
        if (rare && glyphs_) {
          auto img = line_raster(line, w, h, t->style);
          img.align = t->style.align;
          auto r = cmd::raster(img, profile_.paper_dots, profile_.raster_band_bytes);
          out.insert(out.end(), r.begin(), r.end());
          // A text line advances 30 dots (24 + 6 spacing); keep the rhythm.
          put(out, {cmd::ESC, 0x4A, 0x06});
          continue;
        }
        bool dbcs = false, first = true;
        for (const GbChar& c : line) {
          std::string gb = c.gb;
          if (gb.size() == 4) {
            // Outside the printer's double-byte font and no glyph source to draw it: a
            // white square (□) keeps the line's layout.
            gb = "\xA1\xF5";
          }
          bool wide = gb.size() > 1;
          if (first || wide != dbcs) {
            if (wide) put(out, {cmd::FS, 0x26});   // FS &: double-byte mode
            else put(out, {cmd::FS, 0x2E});        // FS .: single-byte mode
            dbcs = wide;
            first = false;
          }
          put(out, gb);
        }
        out.push_back(cmd::LF);
      }
      put(out, {cmd::GS, 0x21, 0x00, cmd::ESC, 0x45, 0x00, cmd::ESC, 0x61, 0x00});
    } else if (const auto* r = std::get_if<Rule>(&block)) {
      put(out, {cmd::ESC, 0x61, 0x00, cmd::FS, 0x2E});
      out.insert(out.end(), static_cast<size_t>(columns(TextStyle{})), static_cast<std::uint8_t>(r->ch));
      out.push_back(cmd::LF);
    } else if (const auto* f = std::get_if<Feed>(&block)) {
      put(out, {cmd::ESC, 0x64, static_cast<std::uint8_t>(std::clamp(f->lines, 0, 255))});
    } else if (const auto* q = std::get_if<Qr>(&block)) {
      if (q->data.empty() || q->data.size() > 2000)
        return unexpected(EncodeError{"QR data must be 1..2000 bytes, got " + std::to_string(q->data.size())});
      if (profile_.native_qr) {
        put(out, {cmd::ESC, 0x61, align_byte(q->align)});
        auto b = cmd::qr_native(q->data, q->module, q->level);
        out.insert(out.end(), b.begin(), b.end());
        put(out, {cmd::LF, cmd::ESC, 0x61, 0x00});
      } else {
        QRecLevel lv = q->level == 'L' ? QR_ECLEVEL_L : q->level == 'Q' ? QR_ECLEVEL_Q
                     : q->level == 'H' ? QR_ECLEVEL_H : QR_ECLEVEL_M;
        QRcode* code = QRcode_encodeData(static_cast<int>(q->data.size()),
                                         reinterpret_cast<const unsigned char*>(q->data.data()), 0, lv);
        if (!code) return unexpected(EncodeError{"libqrencode could not encode the QR data"});
        std::unique_ptr<QRcode, void (*)(QRcode*)> guard(code, QRcode_free);
        const int quiet = 2;  // modules of white around the code
        int m = std::clamp(q->module, 1, 16);
        int size = (code->width + 2 * quiet) * m;
        while (size > profile_.paper_dots && m > 1) size = (code->width + 2 * quiet) * --m;
        Raster img{size, size, {}, q->align};
        int rb = (size + 7) / 8;
        img.bits.assign(static_cast<size_t>(rb) * static_cast<size_t>(size), 0);
        for (int y = 0; y < code->width; ++y)
          for (int x = 0; x < code->width; ++x) {
            if (!(code->data[y * code->width + x] & 1)) continue;
            for (int dy = 0; dy < m; ++dy)
              for (int dx = 0; dx < m; ++dx) {
                int px = (x + quiet) * m + dx, py = (y + quiet) * m + dy;
                img.bits[static_cast<size_t>(py) * static_cast<size_t>(rb) + static_cast<size_t>(px / 8)] |=
                    static_cast<std::uint8_t>(0x80 >> (px % 8));
              }
          }
        auto b = cmd::raster(img, profile_.paper_dots, profile_.raster_band_bytes);
        out.insert(out.end(), b.begin(), b.end());
      }
    } else if (const auto* img = std::get_if<Raster>(&block)) {
      size_t need = static_cast<size_t>((img->width + 7) / 8) * static_cast<size_t>(std::max(0, img->height));
      if (img->width <= 0 || img->height <= 0 || img->bits.size() < need)
        return unexpected(EncodeError{"raster image has no pixels or too few bytes"});
      auto b = cmd::raster(*img, profile_.paper_dots, profile_.raster_band_bytes);
      out.insert(out.end(), b.begin(), b.end());
    } else if (const auto* c = std::get_if<Cut>(&block)) {
      if (profile_.cutter) {
        put(out, {cmd::GS, 0x56, 0x42, static_cast<std::uint8_t>(std::clamp(c->feed, 0, 255))});
      } else {
        put(out, {cmd::ESC, 0x64, static_cast<std::uint8_t>(std::clamp(c->feed + 2, 0, 255))});
      }
    }
  }
  return out;
}

}  // namespace hallq::escpos
