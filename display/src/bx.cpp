#include "hallq/display/bx.hpp"

#include "hallq/display/rs485_text.hpp"

namespace hallq::display {
namespace {

constexpr std::uint8_t kBxStart = 0xA5, kBxEnd = 0x5A;
constexpr std::size_t kBxHeader = 14;
constexpr int kSource = 0x8000;
constexpr std::size_t kMaxFrame = 64 * 1024;  // a text frame is a few hundred bytes

void put16(std::vector<std::uint8_t>& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v & 0xFF));
  b.push_back(static_cast<std::uint8_t>((v >> 8) & 0xFF));
}
void put32(std::vector<std::uint8_t>& b, unsigned v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}

// x or width: 8-pixel units when x and width are both whole bytes, else pixels | 0x8000.
unsigned x_units(int v, bool bytes) { return bytes ? static_cast<unsigned>(v / 8) : (static_cast<unsigned>(v) | 0x8000u); }

struct Reader {
  std::span<const std::uint8_t> b;
  std::size_t at = 0;
  bool ok = true;
  unsigned u8() {
    if (at + 1 > b.size()) {
      ok = false;
      return 0;
    }
    return b[at++];
  }
  unsigned u16() {
    unsigned lo = u8();
    return lo | (u8() << 8);
  }
  unsigned u32() {
    unsigned lo = u16();
    return lo | (u16() << 16);
  }
  std::span<const std::uint8_t> take(std::size_t n) {
    if (!ok || n > b.size() - at) {
      ok = false;
      return {};
    }
    auto s = b.subspan(at, n);
    at += n;
    return s;
  }
};

int from_x_units(unsigned v) { return (v & 0x8000u) ? static_cast<int>(v & 0x7FFFu) : static_cast<int>(v) * 8; }

}  // namespace

std::vector<std::uint8_t> encode_bx_frame(int screen, int source, std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> body;
  put16(body, static_cast<unsigned>(screen) & 0xFFFF);
  put16(body, static_cast<unsigned>(source) & 0xFFFF);
  for (int i = 0; i < 6; ++i) body.push_back(0);  // reserved 3, barcode, checksum mode, display mode
  body.push_back(0xFE);                           // any device type
  body.push_back(0x02);                           // protocol version
  put16(body, static_cast<unsigned>(data.size()));
  for (std::uint8_t b : data) body.push_back(b);
  put16(body, crc16_arc(body));
  std::vector<std::uint8_t> out(8, kBxStart);
  out.reserve(body.size() + body.size() / 8 + 10);
  for (std::uint8_t b : body) {
    switch (b) {
      case 0xA5: out.push_back(0xA6); out.push_back(0x02); break;
      case 0xA6: out.push_back(0xA6); out.push_back(0x01); break;
      case 0x5A: out.push_back(0x5B); out.push_back(0x02); break;
      case 0x5B: out.push_back(0x5B); out.push_back(0x01); break;
      default: out.push_back(b);
    }
  }
  out.push_back(kBxEnd);
  return out;
}

Expected<std::vector<std::uint8_t>, std::string> encode_bx_dynamic_text(const BxDynamicText& d) {
  if (d.screen < 0 || d.screen > 0xFFFF) return unexpected(std::string("screen address out of 0..65535"));
  if (d.areas.size() > 255 || d.delete_ids.size() > 255) return unexpected(std::string("too many areas"));
  std::vector<std::uint8_t> data{0xA3, 0x06, static_cast<std::uint8_t>(d.reply ? 0x01 : 0x02), d.reserved[0], d.reserved[1]};
  data.push_back(static_cast<std::uint8_t>(d.delete_ids.size()));
  for (int id : d.delete_ids) data.push_back(static_cast<std::uint8_t>(id));
  data.push_back(static_cast<std::uint8_t>(d.areas.size()));
  for (const BxArea& a : d.areas) {
    if (a.id < 0 || a.id > 255 || a.x < 0 || a.y < 0 || a.width <= 0 || a.height <= 0 || a.x > 0x7FFF ||
        a.width > 0x7FFF || a.y > 0xFFFF || a.height > 0xFFFF)
      return unexpected("area " + std::to_string(a.id) + ": geometry out of range");
    auto text = convert_charset("GB2312", "UTF-8", a.text);
    if (!text) return unexpected("area " + std::to_string(a.id) + ": \"" + a.text + "\" has a character GB2312 lacks");
    if (text->size() > 4096) return unexpected("area " + std::to_string(a.id) + ": text too long");
    std::vector<std::uint8_t> r;
    r.push_back(a.type);
    const bool bytes = a.x % 8 == 0 && a.width % 8 == 0;
    put16(r, x_units(a.x, bytes));
    put16(r, static_cast<unsigned>(a.y));
    put16(r, x_units(a.width, bytes));
    put16(r, static_cast<unsigned>(a.height));
    r.push_back(static_cast<std::uint8_t>(a.id));
    r.push_back(a.line_spacing);
    r.push_back(a.run_mode);
    put16(r, a.timeout_s);
    r.push_back(0);  // no voice
    r.push_back(0);  // no extension bytes
    for (std::uint8_t b : {a.align, a.single_line, a.wrap, a.effect, a.exit, a.speed, a.stay}) r.push_back(b);
    put32(r, static_cast<unsigned>(text->size()));
    for (char c : *text) r.push_back(static_cast<std::uint8_t>(c));
    put16(data, static_cast<unsigned>(r.size()));
    for (std::uint8_t b : r) data.push_back(b);
  }
  if (data.size() > 0xFFFF) return unexpected(std::string("frame too long"));
  return encode_bx_frame(d.screen, kSource, data);
}

Expected<BxDynamicText, std::string> parse_bx_dynamic_text(const BxFrame& f) {
  Reader rd{f.data};
  if (rd.u8() != 0xA3 || rd.u8() != 0x06) return unexpected(std::string("not an A3 06 frame"));
  BxDynamicText d;
  d.screen = f.screen;
  d.reply = rd.u8() == 0x01;
  d.reserved[0] = static_cast<std::uint8_t>(rd.u8());
  d.reserved[1] = static_cast<std::uint8_t>(rd.u8());
  const unsigned deletes = rd.u8();
  for (unsigned i = 0; i < deletes && rd.ok; ++i) d.delete_ids.push_back(static_cast<int>(rd.u8()));
  const unsigned n = rd.u8();
  for (unsigned i = 0; i < n && rd.ok; ++i) {
    const unsigned len = rd.u16();
    Reader r{rd.take(len)};
    if (!rd.ok) break;
    BxArea a;
    a.type = static_cast<std::uint8_t>(r.u8());
    a.x = from_x_units(r.u16());
    a.y = static_cast<int>(r.u16());
    a.width = from_x_units(r.u16());
    a.height = static_cast<int>(r.u16());
    a.id = static_cast<int>(r.u8());
    a.line_spacing = static_cast<std::uint8_t>(r.u8());
    a.run_mode = static_cast<std::uint8_t>(r.u8());
    a.timeout_s = static_cast<std::uint16_t>(r.u16());
    if (r.u8() != 0) return unexpected("area " + std::to_string(a.id) + ": voice blocks are not read");
    const unsigned ext = r.u8();
    r.take(ext * 2);
    for (std::uint8_t* p : {&a.align, &a.single_line, &a.wrap, &a.effect, &a.exit, &a.speed, &a.stay})
      *p = static_cast<std::uint8_t>(r.u8());
    const unsigned tl = r.u32();
    auto t = r.take(tl);
    if (!r.ok || r.at != r.b.size()) return unexpected("area " + std::to_string(a.id) + ": record length does not add up");
    auto utf8 = convert_charset("UTF-8", "GB2312", std::string_view(reinterpret_cast<const char*>(t.data()), t.size()));
    if (!utf8) return unexpected("area " + std::to_string(a.id) + ": text is not GB2312");
    a.text = std::move(*utf8);
    d.areas.push_back(std::move(a));
  }
  if (!rd.ok) return unexpected(std::string("truncated A3 06 payload"));
  if (rd.at != f.data.size()) return unexpected(std::string("bytes after the last area"));
  return d;
}

std::vector<BxFrame> BxDecoder::feed(std::span<const std::uint8_t> bytes) {
  for (std::uint8_t b : bytes) {
    if (b == kBxStart) {
      // A run of A5 starts a frame; an A5 inside one means the frame broke off.
      if (in_frame_ && !body_.empty()) ++bad_;
      in_frame_ = true;
      body_.clear();
      continue;
    }
    if (!in_frame_) continue;  // noise between frames
    if (b == kBxEnd) {
      finish();
      in_frame_ = false;
      body_.clear();
      continue;
    }
    body_.push_back(b);
    if (body_.size() > kMaxFrame) {
      ++bad_;
      in_frame_ = false;
      body_.clear();
    }
  }
  std::vector<BxFrame> out;
  out.swap(out_);
  return out;
}

void BxDecoder::finish() {
  std::vector<std::uint8_t> raw;
  raw.reserve(body_.size());
  for (std::size_t i = 0; i < body_.size(); ++i) {
    const std::uint8_t b = body_[i];
    if (b == 0xA6 || b == 0x5B) {
      if (i + 1 >= body_.size() || (body_[i + 1] != 0x01 && body_[i + 1] != 0x02)) {
        ++bad_;
        return;
      }
      raw.push_back(b == 0xA6 ? (body_[i + 1] == 0x02 ? 0xA5 : 0xA6) : (body_[i + 1] == 0x02 ? 0x5A : 0x5B));
      ++i;
    } else {
      raw.push_back(b);
    }
  }
  if (raw.size() < kBxHeader + 2) {
    ++bad_;
    return;
  }
  const std::size_t len = raw[12] | (static_cast<std::size_t>(raw[13]) << 8);
  if (raw.size() != kBxHeader + len + 2) {
    ++bad_;
    return;
  }
  const std::uint16_t crc = static_cast<std::uint16_t>(raw[raw.size() - 2] | (raw[raw.size() - 1] << 8));
  if (crc != crc16_arc(std::span<const std::uint8_t>(raw).first(raw.size() - 2))) {
    ++bad_;
    return;
  }
  BxFrame f;
  f.screen = raw[0] | (raw[1] << 8);
  f.source = raw[2] | (raw[3] << 8);
  f.device_type = raw[10];
  f.version = raw[11];
  f.data.assign(raw.begin() + kBxHeader, raw.end() - 2);
  out_.push_back(std::move(f));
}

}  // namespace hallq::display
