// ESC/POS encoder and status parsing (hardware.md, printer section). Expected bytes come
// from the command tables in hardware.md and GB18030 codes from Python's gb18030 codec,
// not from the encoder itself.
#include "hallq_catch.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <iterator>
#include <string>
#include <vector>

#include "hallq/escpos/encoder.hpp"
#include "hallq/escpos/glyphs.hpp"
#include "hallq/escpos/layouts.hpp"
#include "hallq/escpos/printer.hpp"
#include "hallq/escpos/render.hpp"
#include "hallq/escpos/status.hpp"

using namespace hallq::escpos;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes bytes(std::initializer_list<int> b) {
  Bytes out;
  for (int x : b) out.push_back(static_cast<std::uint8_t>(x));
  return out;
}

bool contains(const Bytes& hay, const Bytes& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

size_t count(const Bytes& hay, const Bytes& needle) {
  size_t n = 0;
  for (auto it = hay.begin(); (it = std::search(it, hay.end(), needle.begin(), needle.end())) != hay.end(); ++it) ++n;
  return n;
}

Bytes encode(const Document& d, PrinterProfile p = {}) {
  auto r = Encoder(p).encode(d);
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("GB18030: ASCII is one byte, Chinese two, CJK Ext-B four", "[escpos]") {
  auto r = to_gb18030("A1中号窗口𠮷");
  REQUIRE(r);
  REQUIRE(r->size() == 7);
  CHECK((*r)[0].gb == "A");
  CHECK((*r)[0].columns == 1);
  CHECK((*r)[2].gb == "\xD6\xD0");  // 中
  CHECK((*r)[3].gb == "\xBA\xC5");  // 号
  CHECK((*r)[4].gb == "\xB4\xB0");  // 窗
  CHECK((*r)[5].gb == "\xBF\xDA");  // 口
  CHECK((*r)[2].columns == 2);
  CHECK((*r)[6].gb == "\x95\x34\xB2\x35");  // 𠮷 U+20BB7
  CHECK((*r)[6].code == U'\U00020BB7');
}

TEST_CASE("GB18030: invalid UTF-8 is an error naming the byte", "[escpos]") {
  auto r = to_gb18030("ok\xC3(");
  REQUIRE(!r);
  CHECK(r.error().message.find("byte 2") != std::string::npos);
  CHECK(!to_gb18030("\xED\xA0\x80"));  // a UTF-16 surrogate
  CHECK(!to_gb18030("\xC0\xAF"));      // overlong '/'
}

TEST_CASE("text: init, alignment, size, bold, FS & before Chinese and FS . before ASCII", "[escpos]") {
  Document d;
  d.text("A001号", TextStyle{2, 2, true, Align::Center});
  Bytes b = encode(d);
  Bytes want = bytes({0x1B, 0x40,              // ESC @
                      0x1B, 0x61, 0x01,        // centre
                      0x1D, 0x21, 0x11,        // double width and height
                      0x1B, 0x45, 0x01,        // bold
                      0x1C, 0x2E, 'A', '0', '0', '1',  // FS . single-byte run
                      0x1C, 0x26, 0xBA, 0xC5,  // FS & 号
                      0x0A,
                      0x1D, 0x21, 0x00, 0x1B, 0x45, 0x00, 0x1B, 0x61, 0x00});
  CHECK(b == want);
}

TEST_CASE("text wraps to the paper: 58 mm has 32 columns, 80 mm 48; CJK takes two", "[escpos]") {
  Encoder e58(PrinterProfile{}), e80(PrinterProfile{576});
  CHECK(e58.columns({}) == 32);
  CHECK(e80.columns({}) == 48);
  CHECK(e58.columns(TextStyle{2, 2}) == 16);
  // 20 Chinese characters = 40 columns: two lines on 58 mm, one on 80 mm.
  std::string twenty;
  for (int i = 0; i < 20; ++i) twenty += "证";
  Document d;
  d.text(twenty);
  CHECK(count(encode(d), bytes({0x0A})) == 2);
  CHECK(count(encode(d, PrinterProfile{576}), bytes({0x0A})) == 1);
}

TEST_CASE("wrapping keeps ASCII words whole and indents continuation lines", "[escpos]") {
  Document d;
  d.text("1. abcdefghij klmnopqrstuvwxyz abcdefghij", {}, 3);
  Bytes b = encode(d);
  std::string s(b.begin(), b.end());
  CHECK(s.find("1. abcdefghij klmnopqrstuvwxyz\n") != std::string::npos);
  CHECK(s.find("\x1C\x2E   abcdefghij\n") != std::string::npos);
}

TEST_CASE("a character outside the double-byte font never goes out as 4-byte GB18030", "[escpos]") {
  Document d;
  d.text("吉𠮷");
  Bytes b = encode(d);
  CHECK(!contains(b, bytes({0x95, 0x34, 0xB2, 0x35})));
  CHECK(contains(b, bytes({0x1C, 0x26, 0xBC, 0xAA, 0xA1, 0xF5})));  // 吉 then □
}

TEST_CASE("native QR: model 2, module size, error level, store with pL pH, print", "[escpos]") {
  std::string url = "http://192.168.1.10:8080/t/20260302-A001";
  Document d;
  d.qr(url, 6, 'M');
  Bytes b = encode(d);
  CHECK(contains(b, bytes({0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00})));
  CHECK(contains(b, bytes({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06})));
  CHECK(contains(b, bytes({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31})));
  Bytes store = bytes({0x1D, 0x28, 0x6B, static_cast<int>(url.size() + 3), 0x00, 0x31, 0x50, 0x30});
  store.insert(store.end(), url.begin(), url.end());
  CHECK(contains(b, store));
  CHECK(contains(b, bytes({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30})));

  // pL + 256 * pH = len + 3 for data longer than 252 bytes.
  std::string long_data(300, 'x');
  Bytes q = cmd::qr_native(long_data, 4, 'H');
  CHECK(contains(q, bytes({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x33})));
  CHECK(contains(q, bytes({0x1D, 0x28, 0x6B, (303 & 0xFF), (303 >> 8), 0x31, 0x50, 0x30})));
}

TEST_CASE("QR without native support goes out as a full-width GS v 0 raster", "[escpos]") {
  PrinterProfile p;
  p.native_qr = false;
  Document d;
  d.qr("hall/t/1", 4, 'M');
  Bytes b = encode(d, p);
  CHECK(!contains(b, bytes({0x1D, 0x28, 0x6B})));
  // 8 bytes fit version 1 (21 modules) at level M; + 2x2 quiet modules = 25 modules of 4 dots = 100 rows of 48 bytes.
  CHECK(contains(b, bytes({0x1D, 0x76, 0x30, 0x00, 48, 0, 100, 0})));
  CHECK(b.size() == 2 + 8 + 48 * 100);
}

TEST_CASE("raster images are centred on the paper and split into bands", "[escpos]") {
  Raster r;
  r.width = 8;
  r.height = 3;
  r.bits = {0xFF, 0x81, 0xFF};
  Bytes b = cmd::raster(r, 384, 32 * 1024);
  REQUIRE(b.size() == 8 + 48 * 3);
  // 8 dots centred on 384: starts at dot 188 = byte 23, bit 4.
  CHECK(b[8 + 23] == 0x0F);
  CHECK(b[8 + 24] == 0xF0);
  CHECK(b[8 + 48 + 23] == 0x08);
  CHECK(b[8 + 48 + 24] == 0x10);
  Bytes banded = cmd::raster(r, 384, 48);  // one row per band
  CHECK(count(banded, bytes({0x1D, 0x76, 0x30, 0x00, 48, 0, 1, 0})) == 3);
}

TEST_CASE("cut: GS V 66 n with a cutter, a plain feed without", "[escpos]") {
  Document d;
  d.cut(3);
  PrinterProfile with;
  with.cutter = true;
  CHECK(contains(encode(d, with), bytes({0x1D, 0x56, 0x42, 0x03})));
  Bytes b = encode(d);
  CHECK(!contains(b, bytes({0x1D, 0x56})));
  CHECK(contains(b, bytes({0x1B, 0x64, 0x05})));
}

TEST_CASE("bad documents are refused with a reason", "[escpos]") {
  Document d;
  d.qr("");
  CHECK(!Encoder(PrinterProfile{}).encode(d));
  Document e;
  e.blocks.emplace_back(Raster{8, 2, {0xFF}, Align::Left});  // needs 2 bytes
  CHECK(!Encoder(PrinterProfile{}).encode(e));
  Document f;
  f.text("bad \xFF");
  auto r = Encoder(PrinterProfile{}).encode(f);
  REQUIRE(!r);
  CHECK(r.error().message.find("UTF-8") != std::string::npos);
}

TEST_CASE("DLE EOT replies: validity mask and each condition", "[escpos]") {
  CHECK(is_dle_eot_reply(0x12));
  CHECK(!is_dle_eot_reply(0x00));
  CHECK(!is_dle_eot_reply(0x92));
  Status s;
  CHECK(s.condition() == Condition::Unknown);  // never answered: unknown, printing goes on
  REQUIRE(apply_dle_eot(s, 1, 0x12));
  REQUIRE(apply_dle_eot(s, 2, 0x12));
  REQUIRE(apply_dle_eot(s, 4, 0x12));
  CHECK(s.condition() == Condition::Ok);
  Status near;
  apply_dle_eot(near, 4, 0x1E);  // bits 2-3
  CHECK(near.condition() == Condition::PaperNearEnd);
  Status out;
  apply_dle_eot(out, 4, 0x72);  // bits 5-6
  CHECK(out.condition() == Condition::PaperOut);
  Status stopped;
  apply_dle_eot(stopped, 2, 0x32);  // bit 5: stopped at paper end
  CHECK(stopped.condition() == Condition::PaperOut);
  Status cover;
  apply_dle_eot(cover, 2, 0x16);
  CHECK(cover.condition() == Condition::CoverOpen);
  Status err;
  apply_dle_eot(err, 2, 0x52);
  CHECK(err.condition() == Condition::Error);
  Status off;
  apply_dle_eot(off, 1, 0x1A);
  CHECK(off.condition() == Condition::Offline);
  Status junk;
  CHECK(!apply_dle_eot(junk, 4, 0xFF));
  CHECK(!junk.answered);
  CHECK(!apply_dle_eot(junk, 9, 0x12));
  CHECK(!apply_dle_eot(junk, 0, 0x1A));  // found by fuzz.escpos_status: it used to mark answered
  CHECK(!junk.answered);
  CHECK(to_string(Condition::PaperOut) == "paper_out");
}

TEST_CASE("automatic status back: four-byte blocks found in a stream", "[escpos]") {
  Bytes ok = bytes({0x10, 0x00, 0x00, 0x00});
  auto s = parse_asb(ok);
  REQUIRE(s);
  CHECK(s->condition() == Condition::Ok);
  CHECK(parse_asb(bytes({0x10, 0x00, 0x0C, 0x00}))->condition() == Condition::PaperOut);
  CHECK(parse_asb(bytes({0x10, 0x00, 0x03, 0x00}))->condition() == Condition::PaperNearEnd);
  CHECK(parse_asb(bytes({0x30, 0x00, 0x00, 0x00}))->condition() == Condition::CoverOpen);
  CHECK(!parse_asb(bytes({0x12, 0x00, 0x00, 0x00})));
  CHECK(!parse_asb(bytes({0x10, 0x00})));
  Bytes stream = bytes({0x12, 0xFF, 0x10, 0x00, 0x0C, 0x00});
  auto at = find_asb(stream);
  REQUIRE(at);
  CHECK(*at == 2);
  CHECK(!find_asb(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF})));
}

// ---- decoder (the inverse of the encoder) ------------------------------------------------

TEST_CASE("decoder: an encoded document reads back line by line, with its QR", "[escpos]") {
  Document d;
  d.text("青溪镇便民服务中心", TextStyle{1, 1, true, Align::Center})
      .rule('=')
      .text("A012", TextStyle{4, 4, true, Align::Center})
      .text("请携带：居民身份证原件及复印件、户口簿、低保申请书", {}, 2)
      .qr("http://hall/t/1")
      .cut();
  PrinterProfile p;
  p.cutter = true;
  Bytes b = encode(d, p);
  auto job = decode(b, 384, nullptr);
  REQUIRE(job.lines.size() >= 5);
  CHECK(job.lines[0] == "青溪镇便民服务中心");
  CHECK(job.lines[1] == std::string(32, '='));
  CHECK(job.lines[2] == "A012");
  CHECK(job.lines[3] == "请携带：居民身份证原件及复印件、");
  CHECK(job.lines[4] == "  户口簿、低保申请书");
  REQUIRE(job.qr.size() == 1);
  CHECK(job.qr[0] == "http://hall/t/1");
  CHECK(job.cuts == 1);
  CHECK(job.unknown.empty());
  CHECK(job.page.width == 384);
  CHECK(job.page.height > 200);
  // The 4x number is centred: its black dots sit around the middle of the paper.
  int left = 384, right = 0;
  for (int y = 0; y < job.page.height; ++y)
    for (int x = 0; x < 384; ++x)
      if (job.page.at(x, y) && y > 80 && y < 170) {
        left = std::min(left, x);
        right = std::max(right, x);
      }
  CHECK(std::abs((left + right) / 2 - 192) <= 8);
}

TEST_CASE("decoder: unknown commands are skipped and listed, truncated input is safe", "[escpos]") {
  Bytes b = bytes({0x1B, 0x40, 0x1B, 0x7E, 'h', 'i', 0x0A, 0x1D, 0x99, 0x0A});
  auto job = decode(b, 384, nullptr);
  CHECK(job.unknown.size() == 2);
  CHECK(job.unknown[0] == "ESC 0x7E");
  REQUIRE(!job.lines.empty());
  CHECK(job.lines[0] == "hi");
  // Every prefix of a real job decodes without reading past the end.
  Document d;
  d.text("中文 text").qr("x").rule();
  Bytes full = encode(d);
  for (size_t n = 0; n <= full.size(); ++n) {
    auto part = decode(std::span<const std::uint8_t>(full.data(), n), 384, nullptr);
    CHECK(part.page.width == 384);
  }
  // A raster that claims more rows than it carries draws what is there.
  auto r = decode(bytes({0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0xFF, 0xFF, 0xFF}), 384, nullptr);
  CHECK(r.rasters == 1);
  CHECK(r.page.at(0, 8));
}

TEST_CASE("Unifont glyphs: 中 is 16 dots wide, A is 8", "[escpos]") {
  auto font = BitmapFont::load_unifont_hex(kUnifontHex);
  REQUIRE(font);
  CHECK(font->size() > 50000);
  REQUIRE(font->glyph(U'中'));
  CHECK(font->glyph(U'中')->width == 16);
  CHECK(font->glyph(U'A')->width == 8);
  CHECK(!font->glyph(U'\U00020BB7'));  // Plane 2 is not in unifont.hex
  CHECK(!BitmapFont::load_unifont_hex("/nonexistent.hex"));
}

// ---- raster glyphs for characters outside the printer's font -----------------------------

TEST_CASE("a line holding a 4-byte character prints as one raster of printer cells", "[escpos]") {
  // A stub font: every character is a solid 24x24 cell, so the expected dots are exact.
  GlyphSource solid = [](char32_t) {
    Glyph g{24, 24, std::vector<std::uint8_t>(3 * 24, 0xFF)};
    return std::optional<Glyph>(g);
  };
  Document d;
  d.text("吉𠮷A", TextStyle{1, 1, false, Align::Left});
  auto r = Encoder(PrinterProfile{}, solid).encode(d);
  REQUIRE(r);
  const Bytes& b = *r;
  CHECK(!contains(b, bytes({0x95, 0x34, 0xB2, 0x35})));
  CHECK(!contains(b, bytes({0xA1, 0xF5})));  // no white square either
  // 2 + 2 + 1 columns of 12 dots = 60 dots, 24 rows, on a 48-byte full-width canvas.
  REQUIRE(contains(b, bytes({0x1D, 0x76, 0x30, 0x00, 48, 0, 24, 0})));
  auto job = decode(b, 384, nullptr);
  CHECK(job.rasters == 1);
  int black = 0;
  for (int y = 0; y < job.page.height; ++y)
    for (int x = 0; x < 384; ++x) black += job.page.at(x, y);
  CHECK(black == 60 * 24);
  CHECK(contains(b, bytes({0x1B, 0x4A, 0x06})));  // keeps the 30-dot line rhythm
}

TEST_CASE("HanaMin draws CJK Ext-B: 𠮷 has ink, an unassigned code point has no glyph", "[escpos]") {
  auto fonts = FontGlyphs::open(kGlyphFonts);
  REQUIRE(fonts);
  auto g = fonts->glyph(U'\U00020BB7');
  REQUIRE(g);
  CHECK(g->width == 24);
  int ink = 0;
  for (auto byte : g->bits) ink += __builtin_popcount(byte);
  CHECK(ink > 40);
  CHECK(ink < 24 * 24 / 2);
  CHECK(!fonts->glyph(U'\U0010FFFD'));
  CHECK(!FontGlyphs::open({"/nonexistent.ttf"}));
}

TEST_CASE("closing punctuation never starts a wrapped line", "[escpos]") {
  // 16 CJK characters fill all 32 columns; "）" would start the next line alone.
  Document d;
  d.text("最低生活保障申请书本人签字确认附）");
  auto job = decode(encode(d), 384, nullptr);
  REQUIRE(job.lines.size() == 2);
  CHECK(job.lines[0] == "最低生活保障申请书本人签字确认");
  CHECK(job.lines[1].rfind("）", 0) != 0);
  CHECK(job.lines[1] == "附）");
}

// ---- layouts -----------------------------------------------------------------------------

namespace {
Bytes golden(const std::string& name) {
  std::ifstream f(std::string(HALLQ_SOURCE_DIR) + "/tests/data/print/" + name + ".bin", std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// A job split into its commands and text (every byte but raster image data; the GS v 0
// headers with their sizes stay) and the raster images' data.
struct SplitJob {
  Bytes commands;
  std::vector<Bytes> images;
};
SplitJob split_rasters(const Bytes& b) {
  SplitJob s;
  for (size_t i = 0; i < b.size();) {
    if (i + 8 <= b.size() && b[i] == 0x1d && b[i + 1] == 'v' && b[i + 2] == '0') {
      size_t n = size_t(b[i + 4] | b[i + 5] << 8) * size_t(b[i + 6] | b[i + 7] << 8);
      s.commands.insert(s.commands.end(), b.begin() + long(i), b.begin() + long(i + 8));
      size_t end = std::min(b.size(), i + 8 + n);
      s.images.emplace_back(b.begin() + long(i + 8), b.begin() + long(end));
      i = end;
    } else {
      s.commands.push_back(b[i++]);
    }
  }
  return s;
}

// The golden job, byte for byte in its commands and text. Rare characters are rasterised by
// the release's FreeType (2.12 in Debian 12, 2.13 in Debian 13), whose anti-aliasing
// thresholds differ by a pixel here and there: each image may differ in at most 1 % of its
// dots, and must be the same size.
void check_golden(const Bytes& job, const std::string& name) {
  SplitJob got = split_rasters(job), want = split_rasters(golden(name));
  INFO(name << ": regenerate with tests/data/print/README.md after an intended change");
  CHECK(got.commands == want.commands);
  REQUIRE(got.images.size() == want.images.size());
  for (size_t k = 0; k < got.images.size(); ++k) {
    REQUIRE(got.images[k].size() == want.images[k].size());
    size_t differ = 0;
    for (size_t j = 0; j < got.images[k].size(); ++j)
      differ += size_t(std::popcount(unsigned(got.images[k][j] ^ want.images[k][j])));
    INFO("image " << k << ": " << differ << " of " << got.images[k].size() * 8 << " dots differ");
    CHECK(differ * 100 <= got.images[k].size() * 8);
  }
}
}  // namespace

TEST_CASE("layouts encode to the golden jobs in tests/data/print", "[escpos]") {
  auto fonts = FontGlyphs::open(kGlyphFonts);
  REQUIRE(fonts);
  Encoder e(PrinterProfile{}, fonts->source());
  auto t = e.encode(ticket(sample_ticket(), sample_options()));
  auto s = e.encode(supplement_notice(sample_supplement_notice(), sample_options()));
  auto a = e.encode(acceptance_notice(sample_acceptance_notice(), sample_options()));
  REQUIRE((t && s && a));
  check_golden(*t, "ticket");
  check_golden(*s, "supplement-notice");
  check_golden(*a, "acceptance-notice");
}

TEST_CASE("ticket layout: materials list only with an item, priority mark, no QR without URL", "[escpos]") {
  TicketData t = sample_ticket();
  auto with = decode(encode(ticket(t, {})), 384, nullptr);
  CHECK(std::find(with.lines.begin(), with.lines.end(), "【老年人优先】") != with.lines.end());
  CHECK(with.qr.size() == 2);
  t.item.clear();
  t.materials.clear();
  t.priority.clear();
  t.status_url.clear();
  auto bare = decode(encode(ticket(t, {})), 384, nullptr);
  CHECK(bare.qr.empty());
  for (const auto& l : bare.lines) {
    CHECK(l.find("一次性告知") == std::string::npos);
    CHECK(l.find("优先") == std::string::npos);
  }
  CHECK(bare.lines.size() < with.lines.size());
}

TEST_CASE("supplement notice: two copies, every missing material in each (R-ONCE-2/3)", "[escpos]") {
  auto n = sample_supplement_notice();
  n.missing = {"材料甲", "材料乙", "材料丙"};
  auto job = decode(encode(supplement_notice(n, {})), 384, nullptr);
  int copies = 0, listed = 0, applicant = 0;
  for (const auto& l : job.lines) {
    copies += l.find("补正材料一次性告知书") != std::string::npos;
    listed += l == "1. 材料甲" || l == "2. 材料乙" || l == "3. 材料丙";
    applicant += l == "申请人：张□";  // 𠮷 without a glyph font: a white square, never its 4-byte code
  }
  CHECK(copies == 2);
  CHECK(listed == 6);
  CHECK(applicant == 2);
}

// ---- print queue -------------------------------------------------------------------------

TEST_CASE("PrintQueue: jobs run in order, each reports once, the destructor finishes the queue", "[escpos]") {
  char tmpl[] = "/tmp/hallq-queue-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string out = std::string(tmpl) + "/printer.out";
  auto spec = parse_printer_spec("file:" + out);
  REQUIRE(spec);
  std::vector<std::pair<int, JobOutcome>> done;
  std::mutex m;
  {
    PrintQueue q(*spec);
    for (int i = 0; i < 3; ++i)
      q.submit(Bytes(100, static_cast<std::uint8_t>('a' + i)), [&, i](const JobResult& r) {
        std::lock_guard<std::mutex> lock(m);
        done.emplace_back(i, r.outcome);
      });
  }  // ~PrintQueue: every queued job is printed before it returns
  REQUIRE(done.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(done[static_cast<size_t>(i)].first == i);
    CHECK(done[static_cast<size_t>(i)].second == JobOutcome::Printed);
  }
  std::ifstream f(out, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  CHECK(content == std::string(100, 'a') + std::string(100, 'b') + std::string(100, 'c'));
  std::remove(out.c_str());
  rmdir(tmpl);
}

TEST_CASE("a printer that cannot be opened fails and backs off", "[escpos]") {
  auto spec = parse_printer_spec("usb:/nonexistent/lp0");
  REQUIRE(spec);
  PrinterTimeouts t;
  t.backoff_min = Millis{60000};
  Printer p(*spec, t);
  auto first = p.print(Bytes{0x1B, 0x40});
  CHECK(first.outcome == JobOutcome::Failed);
  CHECK(first.error.find("/nonexistent/lp0") != std::string::npos);
  auto second = p.print(Bytes{0x1B, 0x40});
  CHECK(second.outcome == JobOutcome::Failed);
  CHECK(second.error.find("reconnecting in") != std::string::npos);
}
