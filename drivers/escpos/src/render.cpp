#include "hallq/escpos/render.hpp"

#include <iconv.h>
#include <png.h>
#include <qrencode.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "hallq/common/atomic_file.hpp"

namespace hallq::escpos {

// ---- font --------------------------------------------------------------------------------

Expected<BitmapFont, std::string> BitmapFont::load_unifont_hex(const std::string& path) {
  std::ifstream in(path);
  if (!in) return unexpected(path + ": cannot open (install Debian's unifont package)");
  BitmapFont f;
  std::string line;
  int lineno = 0;
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  while (std::getline(in, line)) {
    ++lineno;
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || colon > 6) continue;
    char32_t cp = 0;
    bool ok = true;
    for (size_t i = 0; i < colon; ++i) {
      int v = hexval(line[i]);
      ok = ok && v >= 0;
      cp = (cp << 4) | static_cast<char32_t>(std::max(v, 0));
    }
    std::string bits = line.substr(colon + 1);
    if (!ok || (bits.size() != 32 && bits.size() != 64))
      return unexpected(path + ":" + std::to_string(lineno) + ": not a Unifont hex line");
    Glyph g;
    g.width = bits.size() == 32 ? 8 : 16;
    g.height = 16;
    for (size_t i = 0; i + 1 < bits.size(); i += 2) {
      int hi = hexval(bits[i]), lo = hexval(bits[i + 1]);
      if (hi < 0 || lo < 0) return unexpected(path + ":" + std::to_string(lineno) + ": bad hex digit");
      g.bits.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    f.glyphs_[cp] = std::move(g);
  }
  if (f.glyphs_.empty()) return unexpected(path + ": no glyphs");
  return f;
}

std::optional<Glyph> BitmapFont::glyph(char32_t c) const {
  auto it = glyphs_.find(c);
  if (it == glyphs_.end()) return std::nullopt;
  return it->second;
}

// ---- page --------------------------------------------------------------------------------

void Page::grow(int rows) {
  if (rows <= height) return;
  dots.resize(static_cast<size_t>(width) * static_cast<size_t>(rows), 0);
  height = rows;
}

void Page::set(int x, int y) {
  if (x < 0 || x >= width || y < 0) return;
  grow(y + 1);
  dots[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] = 1;
}

bool Page::at(int x, int y) const {
  if (x < 0 || x >= width || y < 0 || y >= height) return false;
  return dots[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] != 0;
}

// ---- decoder -----------------------------------------------------------------------------

namespace {

constexpr int kLineSpacing = 30;  // ESC 2 default: 1/6 inch at 203 dpi

std::string utf8_of(char32_t c) {
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  return s;
}

struct Cell {
  char32_t code;
  bool wide;
  int wm, hm;
  bool bold;
  int width() const { return (wide ? 24 : 12) * wm; }
};

class Interpreter {
 public:
  Interpreter(std::span<const std::uint8_t> b, int paper, const BitmapFont* font)
      : b_(b), font_(font), gb_(iconv_open("UTF-32LE", "GB18030")) {
    job_.page.width = paper;
  }
  ~Interpreter() {
    if (gb_ != reinterpret_cast<iconv_t>(-1)) iconv_close(gb_);
  }
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  DecodedJob run() {
    while (i_ < b_.size()) step();
    flush_line(false);
    job_.page.grow(y_ + 24);  // bottom margin
    return std::move(job_);
  }

 private:
  bool has(size_t n) const { return i_ + n <= b_.size(); }
  std::uint8_t at(size_t k) const { return b_[i_ + k]; }
  void unknown(const char* prefix, std::uint8_t c, size_t skip) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s 0x%02X", prefix, c);
    job_.unknown.emplace_back(buf);
    i_ += skip;
  }
  void reset() {
    align_ = Align::Left;
    bold_ = false;
    wm_ = hm_ = 1;
    dbcs_ = true;  // Chinese printers power up in double-byte mode
  }

  void step() {
    std::uint8_t c = b_[i_];
    if (c == 0x0A) {
      flush_line(true);
      ++i_;
    } else if (c == 0x1B) {
      esc();
    } else if (c == 0x1D) {
      gs();
    } else if (c == 0x1C) {
      fs();
    } else if (c == 0x10) {
      if (has(3) && at(1) == 0x04) {
        job_.status_queries.push_back(at(2));
        i_ += 3;
      } else {
        unknown("DLE", has(2) ? at(1) : 0, 2);
      }
    } else if (c < 0x20) {
      ++i_;  // CR, HT and other controls: nothing to draw
    } else {
      text_char();
    }
  }

  void esc() {
    if (!has(2)) { i_ = b_.size(); return; }
    std::uint8_t c = at(1);
    auto arg = [&](size_t k) -> int { return has(k + 1) ? at(k) : 0; };
    switch (c) {
      case '@': reset(); i_ += 2; break;
      case 'a': align_ = arg(2) % 3 == 1 ? Align::Center : arg(2) % 3 == 2 ? Align::Right : Align::Left; i_ += 3; break;
      case 'E': bold_ = arg(2) & 1; i_ += 3; break;
      case '!': bold_ = arg(2) & 0x08; hm_ = arg(2) & 0x10 ? 2 : 1; wm_ = arg(2) & 0x20 ? 2 : 1; i_ += 3; break;
      case 'd': flush_line(false); y_ += arg(2) * kLineSpacing; i_ += 3; break;
      case 'J': flush_line(false); y_ += arg(2); i_ += 3; break;
      case '2': i_ += 2; break;
      case '3': case '-': case 't': case 'R': case 'M': case 'G': case 'V': case '{': i_ += 3; break;
      default: unknown("ESC", c, 2);
    }
  }

  void gs() {
    if (!has(2)) { i_ = b_.size(); return; }
    std::uint8_t c = at(1);
    switch (c) {
      case '!':
        if (has(3)) { wm_ = (at(2) >> 4) + 1; hm_ = (at(2) & 0x0F) + 1; }
        i_ += 3;
        break;
      case 'v': raster(); break;
      case '(': qr(); break;
      case 'V': {
        std::uint8_t m = has(3) ? at(2) : 0;
        flush_line(false);
        cut();
        i_ += (m == 65 || m == 66) ? 4 : 3;
        break;
      }
      case 'a': case 'B': case 'H': case 'h': case 'w': case 'f': case 'b': i_ += 3; break;
      case 'L': case 'W': i_ += 4; break;
      default: unknown("GS", c, 2);
    }
  }

  void fs() {
    if (!has(2)) { i_ = b_.size(); return; }
    std::uint8_t c = at(1);
    switch (c) {
      case '&': dbcs_ = true; i_ += 2; break;
      case '.': dbcs_ = false; i_ += 2; break;
      case '!': case 'C': case 'W': i_ += 3; break;
      default: unknown("FS", c, 2);
    }
  }

  void text_char() {
    std::uint8_t c = b_[i_];
    if (!dbcs_ || c < 0x81 || c == 0xFF || !has(2)) {
      push(c < 0x80 ? c : U'?', false);
      ++i_;
      return;
    }
    size_t n = (has(4) && at(1) >= 0x30 && at(1) <= 0x39) ? 4 : 2;
    char in[4];
    for (size_t k = 0; k < n; ++k) in[k] = static_cast<char>(at(k));
    char32_t cp = U'?';
    if (gb_ != reinterpret_cast<iconv_t>(-1)) {
      std::uint8_t out[8];
      char* inp = in;
      size_t inleft = n;
      char* outp = reinterpret_cast<char*>(out);
      size_t outleft = sizeof out;
      iconv(gb_, nullptr, nullptr, nullptr, nullptr);
      if (iconv(gb_, &inp, &inleft, &outp, &outleft) != static_cast<size_t>(-1) && outleft == 4)
        cp = static_cast<char32_t>(out[0] | (out[1] << 8) | (out[2] << 16) | (static_cast<char32_t>(out[3]) << 24));
    }
    push(cp, true);
    i_ += n;
  }

  void push(char32_t cp, bool wide) {
    Cell cell{cp, wide, std::clamp(wm_, 1, 8), std::clamp(hm_, 1, 8), bold_};
    int used = 0;
    for (const Cell& x : line_) used += x.width();
    if (used + cell.width() > job_.page.width && !line_.empty()) flush_line(true);  // the printer wraps
    if (line_.empty()) line_align_ = align_;
    line_.push_back(cell);
  }

  void draw_glyph(const Cell& c, int x, int y, int line_h) {
    const int tw = c.width(), th = 24 * c.hm;
    const int base = y + line_h - th;  // characters sit on the line's baseline
    std::optional<Glyph> g = font_ ? font_->glyph(c.code) : std::nullopt;
    if (c.code == U' ') return;
    for (int ty = 0; ty < th; ++ty)
      for (int tx = 0; tx < tw; ++tx) {
        bool on;
        if (g) {
          int sx = tx * g->width / tw, sy = ty * g->height / th;
          int rb = (g->width + 7) / 8;
          on = g->bits[static_cast<size_t>(sy * rb + sx / 8)] & (0x80 >> (sx % 8));
        } else {
          on = tx > 1 && tx < tw - 2 && ty > 2 && ty < th - 2;  // no font: a box per character
        }
        if (!on) continue;
        job_.page.set(x + tx, base + ty);
        if (c.bold) job_.page.set(x + tx + 1, base + ty);
      }
  }

  void flush_line(bool line_feed) {
    if (line_.empty()) {
      if (line_feed) {
        job_.lines.emplace_back();
        y_ += kLineSpacing;
      }
      return;
    }
    int total = 0, line_h = 24;
    std::string text;
    for (const Cell& c : line_) {
      total += c.width();
      line_h = std::max(line_h, 24 * c.hm);
      text += utf8_of(c.code);
    }
    int x = line_align_ == Align::Center ? (job_.page.width - total) / 2
          : line_align_ == Align::Right  ? job_.page.width - total : 0;
    x = std::max(0, x);
    job_.page.grow(y_ + line_h);
    for (const Cell& c : line_) {
      draw_glyph(c, x, y_, line_h);
      x += c.width();
    }
    job_.lines.push_back(std::move(text));
    y_ += std::max(kLineSpacing, line_h + 6);
    line_.clear();
  }

  void raster() {
    // GS v 0 m xL xH yL yH d1..dk
    if (!has(8) || at(2) != 0x30) { unknown("GS v", has(3) ? at(2) : 0, 2); return; }
    int m = at(3), xb = at(4) + at(5) * 256, rows = at(6) + at(7) * 256;
    size_t need = static_cast<size_t>(xb) * static_cast<size_t>(rows);
    i_ += 8;
    flush_line(false);
    int sx = (m & 1) ? 2 : 1, sy = (m & 2) ? 2 : 1;
    size_t avail = std::min(need, b_.size() - i_);
    for (size_t k = 0; k < avail; ++k) {
      std::uint8_t byte = b_[i_ + k];
      if (!byte) continue;
      int row = static_cast<int>(k / static_cast<size_t>(xb)), col = static_cast<int>(k % static_cast<size_t>(xb));
      for (int bit = 0; bit < 8; ++bit)
        if (byte & (0x80 >> bit))
          for (int dy = 0; dy < sy; ++dy)
            for (int dx = 0; dx < sx; ++dx) job_.page.set((col * 8 + bit) * sx + dx, y_ + row * sy + dy);
    }
    i_ += avail;
    y_ += rows * sy;
    job_.page.grow(y_);
    job_.rasters++;
  }

  void qr() {
    // GS ( k pL pH cn fn [params]
    if (!has(7) || at(2) != 'k') { unknown("GS (", has(3) ? at(2) : 0, 2); return; }
    size_t len = at(3) + at(4) * 256u;
    if (!has(5 + len) || len < 2) { i_ = b_.size(); return; }
    std::uint8_t cn = at(5), fn = at(6);
    if (cn == 0x31) {
      if (fn == 0x43 && len >= 3) qr_module_ = std::clamp<int>(at(7), 1, 16);
      if (fn == 0x45 && len >= 3) qr_level_ = at(7);
      if (fn == 0x50 && len >= 3) qr_data_.assign(b_.begin() + static_cast<std::ptrdiff_t>(i_ + 8),
                                                 b_.begin() + static_cast<std::ptrdiff_t>(i_ + 5 + len));
      if (fn == 0x51) draw_qr();
    }
    i_ += 5 + len;
  }

  void draw_qr() {
    if (qr_data_.empty()) return;
    QRecLevel lv = qr_level_ == 0x30 ? QR_ECLEVEL_L : qr_level_ == 0x32 ? QR_ECLEVEL_Q
                 : qr_level_ == 0x33 ? QR_ECLEVEL_H : QR_ECLEVEL_M;
    QRcode* code = QRcode_encodeData(static_cast<int>(qr_data_.size()),
                                     reinterpret_cast<const unsigned char*>(qr_data_.data()), 0, lv);
    if (!code) return;
    std::unique_ptr<QRcode, void (*)(QRcode*)> guard(code, QRcode_free);
    flush_line(false);
    int size = code->width * qr_module_;
    int x0 = align_ == Align::Center ? (job_.page.width - size) / 2 : align_ == Align::Right ? job_.page.width - size : 0;
    x0 = std::max(0, x0);
    y_ += 2 * qr_module_;  // the printer's own top margin
    for (int y = 0; y < code->width; ++y)
      for (int x = 0; x < code->width; ++x)
        if (code->data[y * code->width + x] & 1)
          for (int dy = 0; dy < qr_module_; ++dy)
            for (int dx = 0; dx < qr_module_; ++dx) job_.page.set(x0 + x * qr_module_ + dx, y_ + y * qr_module_ + dy);
    y_ += size + 2 * qr_module_;
    job_.page.grow(y_);
    job_.qr.emplace_back(qr_data_.begin(), qr_data_.end());
  }

  void cut() {
    y_ += 8;
    for (int x = 0; x < job_.page.width; ++x)
      if ((x / 8) % 2 == 0) job_.page.set(x, y_);
    y_ += 8;
    job_.page.grow(y_);
    job_.cuts++;
  }

  std::span<const std::uint8_t> b_;
  const BitmapFont* font_;
  iconv_t gb_;
  size_t i_ = 0;
  int y_ = 8;  // top margin
  DecodedJob job_;
  std::vector<Cell> line_;
  Align align_ = Align::Left, line_align_ = Align::Left;
  bool bold_ = false, dbcs_ = true;
  int wm_ = 1, hm_ = 1;
  int qr_module_ = 3;
  std::uint8_t qr_level_ = 0x31;
  std::vector<std::uint8_t> qr_data_;
};

}  // namespace

DecodedJob decode(std::span<const std::uint8_t> bytes, int paper_dots, const BitmapFont* font) {
  Interpreter in(bytes, std::clamp(paper_dots, 8, 2048), font);
  return in.run();
}

std::optional<std::string> write_png(const Page& page, const std::string& path) {
  if (page.width <= 0 || page.height <= 0) return "empty page";
  std::vector<std::uint8_t> grey(page.dots.size());
  for (size_t k = 0; k < grey.size(); ++k) grey[k] = page.dots[k] ? 0 : 255;
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = static_cast<png_uint_32>(page.width);
  img.height = static_cast<png_uint_32>(page.height);
  img.format = PNG_FORMAT_GRAY;
  // Encoded in memory (the first call measures), then written whole.
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&img, nullptr, &size, 0, grey.data(), page.width, nullptr))
    return path + ": " + img.message;
  std::string png(size, '\0');
  if (!png_image_write_to_memory(&img, png.data(), &size, 0, grey.data(), page.width, nullptr))
    return path + ": " + img.message;
  png.resize(size);
  if (auto err = write_file_atomically(path, png, 0666)) return err->message;
  return std::nullopt;
}

}  // namespace hallq::escpos
