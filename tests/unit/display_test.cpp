// The display node's core (issue 6): what each screen shows from the hall snapshot and the
// event stream (R-HALL-2 hall screen, R-HALL-5 calls, R-HALL-6 暂停服务), and the Mandarin
// call-out assembled from clips (R-HALL-7: said twice, slower on request).
#include "hallq/display/announcer.hpp"
#include "hallq/display/bx.hpp"
#include "hallq/display/keypad_bus.hpp"
#include "hallq/display/layout.hpp"
#include "hallq/display/rs485_text.hpp"
#include "hallq/display/screens.hpp"
#include "hallq/display/voice.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include <boost/json.hpp>
#include "hallq_catch.hpp"
#include <filesystem>
#include <fstream>

namespace {

namespace json = boost::json;
using namespace hallq::display;
using V = std::vector<std::string>;

json::object snapshot() {
  return json::parse(R"({
    "centre": "青溪镇便民服务中心", "complaint_phone": "0701-3780100",
    "notices": ["中心实行首问负责制"],
    "services": [{"id": "minzheng", "name": "民政救助", "prefix": "A", "waiting": 4},
                 {"id": "laodong", "name": "劳动保障", "prefix": "B", "waiting": 0}],
    "windows": [
      {"number": 1, "name": "民政救助", "state": "open", "current": null},
      {"number": 2, "name": "劳动保障", "state": "serving", "current": {"id": 7, "number": "B003", "state": "serving"}},
      {"number": 3, "name": "医疗保险", "state": "paused", "pause_reason": "会议", "current": null},
      {"number": 4, "name": "人口计生", "state": "closed", "current": null},
      {"number": 5, "name": "土规农综", "state": "serving", "current": {"id": 9, "number": "E001", "state": "called"}}],
    "recent_calls": [{"number": "E001", "window": 5}, {"number": "B003", "window": 2}, {"number": "B002", "window": 2}]
  })").as_object();
}

json::object event(const char* type, int window, json::object data = {}) {
  return json::object{{"type", type}, {"window", window}, {"data", std::move(data)}};
}

// A clip set of synthetic clips: `len` samples of `value` each (exact lengths to count with).
std::string synthetic_clips(int len, std::int16_t value) {
  auto dir = std::filesystem::temp_directory_path() / ("hallq-clips-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const auto& name : clip_names()) {
    Pcm p;
    p.rate = 16000;
    p.samples.assign(static_cast<size_t>(len), value);
    REQUIRE_FALSE(write_wav(p, (dir / (name + ".wav")).string()));
  }
  return dir.string();
}

}  // namespace

TEST_CASE("R-HALL-6 window screens from the snapshot: welcome, serving, calling, 暂停服务, closed", "[layout]") {
  Layout l(2);
  auto change = l.load_snapshot(snapshot());
  CHECK(change.windows == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(change.hall);
  CHECK(l.window(1)->mode == WindowView::Mode::Welcome);
  CHECK(l.window(2)->mode == WindowView::Mode::Serving);
  CHECK(l.window(2)->ticket == "B003");
  CHECK(l.window(3)->mode == WindowView::Mode::Paused);
  CHECK(l.window(3)->pause_reason == "会议");
  CHECK(l.window(4)->mode == WindowView::Mode::Closed);
  CHECK(l.window(5)->mode == WindowView::Mode::Calling);
  CHECK(l.window(9) == nullptr);
  // R-HALL-2: the newest calls first, at most N; waiting per service; notices.
  CHECK(l.hall().recent == std::vector<HallCall>{{"E001", 5}, {"B003", 2}});
  CHECK(l.hall().waiting.at(0) == ServiceWaiting{"民政救助", "A", 4});
  CHECK(l.hall().notices == V{"中心实行首问负责制"});
  // The same snapshot again changes nothing.
  change = l.load_snapshot(snapshot());
  CHECK(change.windows.empty());
  CHECK_FALSE(change.hall);
}

TEST_CASE("R-HALL-5 a call reaches the window, the hall list and the voice at once", "[layout]") {
  Layout l(3);
  l.load_snapshot(snapshot());
  auto change = l.apply(event("TicketCalled", 1, {{"ticket", 12}, {"number", "A012"}, {"service", "minzheng"}}));
  CHECK(change.windows == std::vector<int>{1});
  CHECK(change.hall);
  REQUIRE(change.announce);
  CHECK(*change.announce == Announcement{"A012", 1, false});
  CHECK(l.window(1)->mode == WindowView::Mode::Calling);
  CHECK(l.window(1)->ticket == "A012");
  CHECK(l.hall().recent.front() == HallCall{"A012", 1});
  CHECK(l.hall().recent.size() == 3);
  // The same call again (a snapshot that already held it, then its event): still one line.
  const auto before = l.hall().recent;
  change = l.apply(event("TicketCalled", 1, {{"ticket", 12}, {"number", "A012"}, {"service", "minzheng"}}));
  CHECK(l.hall().recent == before);
  CHECK(change.announce);  // said: the node decides what is said from the stream, not the list
  // Called again at the same window later (back from no-show): moved to the top, not doubled.
  l.apply(event("TicketCalled", 5, {{"ticket", 9}, {"number", "E001"}}));
  CHECK(l.hall().recent.front() == HallCall{"E001", 5});
  CHECK(l.hall().recent.size() == 3);
  CHECK(l.hall().recent.at(1) == HallCall{"A012", 1});
  l.apply(event("TicketCalled", 1, {{"ticket", 12}, {"number", "A012"}}));
  CHECK(l.hall().recent == before);
  // A recall is said again but is not a new line on the hall screen.
  change = l.apply(event("TicketRecalled", 1, {{"ticket", 12}, {"number", "A012"}, {"recalls", 1}}));
  REQUIRE(change.announce);
  CHECK(change.announce->recall);
  CHECK_FALSE(change.hall);
  change = l.apply(event("ServiceStarted", 1, {{"ticket", 12}}));
  CHECK(l.window(1)->mode == WindowView::Mode::Serving);
  change = l.apply(event("TicketFinished", 1, {{"ticket", 12}}));
  CHECK(l.window(1)->mode == WindowView::Mode::Welcome);
  CHECK(l.window(1)->ticket.empty());
  // 暂停服务 with its reason; back; signed out.
  l.apply(event("WindowPaused", 1, {{"reason", "暂停服务"}}));
  CHECK(l.window(1)->mode == WindowView::Mode::Paused);
  l.apply(event("WindowResumed", 1));
  CHECK(l.window(1)->mode == WindowView::Mode::Welcome);
  l.apply(event("ClerkSignedOut", 1));
  CHECK(l.window(1)->mode == WindowView::Mode::Closed);
  // Events about no window, unknown windows or without a number change nothing.
  CHECK(l.apply(event("TicketIssued", 0, {{"number", "A013"}})).windows.empty());
  CHECK(l.apply(event("TicketCalled", 42, {{"number", "A013"}})).windows.empty());
  CHECK_FALSE(l.apply(event("TicketCalled", 2, {{"ticket", 3}})).announce);
}

TEST_CASE("R-HALL-7 the phrase of a call: 请 A012 号到 3 号窗口办理, digits one by one", "[voice]") {
  CHECK(call_phrase("A012", 3) == V{"chime", "qing", "letter-a", "digit-0", "digit-1", "digit-2", "hao", "dao",
                                    "digit-3", "hao", "chuangkou", "banli"});
  CHECK(call_phrase("AB100", 12) == V{"chime", "qing", "letter-a", "letter-b", "digit-1", "digit-0", "digit-0", "hao",
                                      "dao", "shi", "digit-2", "hao", "chuangkou", "banli"});
  CHECK(window_numeral(1) == V{"digit-1"});
  CHECK(window_numeral(10) == V{"shi"});
  CHECK(window_numeral(20) == V{"digit-2", "shi"});
  CHECK(window_numeral(105) == V{"digit-1", "bai", "digit-0", "digit-5"});
  CHECK(window_numeral(110) == V{"digit-1", "bai", "digit-1", "shi"});
  CHECK(window_numeral(999) == V{"digit-9", "bai", "digit-9", "shi", "digit-9"});
  CHECK(window_numeral(0).empty());
  CHECK(window_numeral(1000).empty());
  CHECK(clip_names().size() == 8 + 10 + 26);
}

TEST_CASE("R-HALL-7 the call is said twice after one chime, with gaps that the pace stretches", "[voice]") {
  const std::string dir = synthetic_clips(1600, 1000);  // 0.1 s per clip
  auto set = ClipSet::load(dir);
  REQUIRE(set);
  const auto phrase = call_phrase("A012", 3);  // the chime and 11 words
  VoiceOptions o;
  auto pcm = set->render(phrase, o);
  REQUIRE(pcm);
  const size_t gap = 1920;  // 120 ms at 16 kHz
  const size_t once = 11 * 1600 + 10 * gap;
  CHECK(pcm->samples.size() == 1600 + 2 * gap + 2 * once + 11200);  // 700 ms between the two
  o.pace = 1.5;
  o.repeat = 1;
  auto slow = set->render(phrase, o);
  REQUIRE(slow);
  CHECK(slow->samples.size() == 1600 + 2 * 2880 + 11 * 1600 + 10 * 2880);
  // Louder is louder, and never wraps round.
  o.volume = 4.0;
  auto loud = set->render(phrase, o);
  REQUIRE(loud);
  CHECK(loud->samples.front() == 4000);
  const std::string hot = synthetic_clips(10, 20000);
  auto hot_set = ClipSet::load(hot);
  REQUIRE(hot_set);
  CHECK(hot_set->render(phrase, o)->samples.front() == 32767);
  CHECK_FALSE(set->render(V{"qing", "nonsense"}, o));
  std::filesystem::remove_all(dir);
}

TEST_CASE("R-HALL-7 WAV files: written and read back; anything but mono 16-bit refused", "[voice]") {
  auto dir = std::filesystem::temp_directory_path() / ("hallq-wav-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Pcm p;
  p.rate = 22050;
  p.samples = {0, 1, -1, 32767, -32768, 1234};
  const std::string path = (dir / "a.wav").string();
  REQUIRE_FALSE(write_wav(p, path));
  auto back = read_wav(path);
  REQUIRE(back);
  CHECK(back->rate == 22050);
  CHECK(back->samples == p.samples);
  // Stereo, truncated and foreign files are refused with the reason.
  std::string bytes;
  {
    std::ifstream f(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  std::string stereo = bytes;
  stereo[22] = 2;
  std::ofstream(dir / "stereo.wav", std::ios::binary) << stereo;
  CHECK_THAT(read_wav((dir / "stereo.wav").string()).error(), HasSubstr("mono 16-bit"));
  std::ofstream(dir / "short.wav", std::ios::binary) << bytes.substr(0, 50);
  CHECK_FALSE(read_wav((dir / "short.wav").string()));
  std::ofstream(dir / "text.wav", std::ios::binary) << "hello";
  CHECK_THAT(read_wav((dir / "text.wav").string()).error(), HasSubstr("RIFF"));
  // A clip set missing a clip names it.
  std::filesystem::remove(dir / "a.wav");
  CHECK_THAT(ClipSet::load(dir.string()).error(), HasSubstr("chime.wav"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("R-HALL-7 the default clip set (espeak-ng) says A012 at window 3 in a few seconds", "[voice]") {
  auto set = ClipSet::load(HALLQ_VOICE_DIR);
  INFO((set ? "" : set.error()));
  REQUIRE(set);
  CHECK(set->rate() == 16000);
  auto pcm = set->render(call_phrase("A012", 3), VoiceOptions{});
  REQUIRE(pcm);
  // Each word a quarter to a second long, said twice: 4..20 s in all.
  CHECK(pcm->seconds() > 4.0);
  CHECK(pcm->seconds() < 20.0);
  // Not silence: the loudest sample is near full scale (the clips are normalised to -1 dB).
  std::int16_t peak = 0;
  for (auto s : pcm->samples) peak = std::max<std::int16_t>(peak, static_cast<std::int16_t>(std::abs(s)));
  CHECK(peak > 20000);
  // The WAV it becomes is what sox measures.
  const std::string path = (std::filesystem::temp_directory_path() / ("hallq-call-" + std::to_string(::getpid()) + ".wav")).string();
  REQUIRE_FALSE(write_wav(*pcm, path));
  std::string out;
  if (FILE* f = ::popen(("sox --i -D " + path).c_str(), "r")) {
    char buf[64];
    while (std::fgets(buf, sizeof buf, f)) out += buf;
    ::pclose(f);
  }
  std::filesystem::remove(path);
  INFO("sox says: " << out);
  REQUIRE_FALSE(out.empty());
  CHECK(std::abs(std::stod(out) - pcm->seconds()) < 0.001);
}

namespace {
const hallq::escpos::BitmapFont& unifont() {
  static auto font = hallq::escpos::BitmapFont::load_unifont_hex(hallq::escpos::kUnifontHex);
  REQUIRE(font);
  return *font;
}
std::string artefact(const std::string& name) {
  std::filesystem::create_directories(HALLQ_ARTEFACTS);
  return std::string(HALLQ_ARTEFACTS) + "/" + name;
}
int lit(const Frame& f, int y0, int y1, Rgb c) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = 0; x < f.width(); ++x) n += f.at(x, y) == c;
  return n;
}
}  // namespace

TEST_CASE("R-HALL-7 a burst of 50 calls: said in order, one at a time, none dropped", "[voice]") {
  auto set = ClipSet::load(HALLQ_VOICE_DIR);
  REQUIRE(set);
  // An output that takes 2 ms per announcement and notes when each one started and ended.
  struct Played {
    Announcement a;
    std::int64_t serial;
    std::chrono::steady_clock::time_point start, end;
    double seconds;
  };
  struct Recorder final : AudioOutput {
    std::mutex m;
    std::vector<Played> played;
    std::atomic<int> playing{0};
    std::atomic<bool> overlapped{false};
    std::string describe() const override { return "recorder"; }
    std::optional<std::string> play(const Pcm& pcm, const Announcement& a, std::int64_t serial) override {
      if (playing.fetch_add(1) != 0) overlapped = true;
      const auto start = std::chrono::steady_clock::now();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      const auto end = std::chrono::steady_clock::now();
      playing.fetch_sub(1);
      std::lock_guard lock(m);
      played.push_back(Played{a, serial, start, end, pcm.seconds()});
      return std::nullopt;
    }
  };
  auto rec = std::make_unique<Recorder>();
  Recorder* r = rec.get();
  std::vector<Announcement> sent;
  {
    Announcer announcer(std::move(*set), VoiceOptions{}, std::move(rec));
    // Five clerks calling at once from five threads, ten calls each.
    std::vector<std::thread> clerks;
    std::mutex sent_m;
    for (int w = 1; w <= 5; ++w)
      clerks.emplace_back([&, w] {
        for (int i = 1; i <= 10; ++i) {
          char number[8];
          std::snprintf(number, sizeof number, "%c%03d", 'A' + w - 1, i);
          std::lock_guard lock(sent_m);  // the order they were handed over is the order to say them
          sent.push_back(Announcement{number, w, false});
          announcer.say(sent.back());
        }
      });
    for (auto& t : clerks) t.join();
    for (int i = 0; i < 2000 && announcer.said() < 50; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(announcer.said() == 50);
    CHECK(announcer.queued() == 0);
    // (The recorder belongs to the announcer: read it while the announcer lives.)
    std::lock_guard lock(r->m);
    REQUIRE(r->played.size() == 50);
    CHECK_FALSE(r->overlapped.load());
    for (size_t i = 0; i < 50; ++i) {
      INFO("announcement " << i);
      CHECK(r->played[i].a == sent[i]);
      CHECK(r->played[i].serial == static_cast<std::int64_t>(i) + 1);
      CHECK(r->played[i].seconds > 4.0);  // the whole call, twice
      if (i > 0) CHECK(r->played[i].start >= r->played[i - 1].end);
    }
  }
}

TEST_CASE("screens: text is drawn dot for dot from Unifont's 16x16 glyphs", "[screens]") {
  const auto& font = unifont();
  Frame f(32, 16);
  CHECK(draw_text(f, font, 0, 0, "号A", kRed) == 24);  // 16 + 8
  auto g = font.glyph(U'号');
  REQUIRE(g);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      const bool on = g->bits[static_cast<size_t>(y * 2 + x / 8)] & (0x80 >> (x % 8));
      INFO(x << "," << y);
      CHECK((f.at(x, y) == kRed) == on);
    }
  CHECK(text_width(font, "请A012号") == 16 + 4 * 8 + 16);
  CHECK(utf8_decode("号\xff") == std::u32string{U'号', 0xFFFD});
  // Clipped, never out of bounds.
  draw_text(f, font, 30, 10, "窗口窗口", kGreen);
  CHECK(to_ppm(f).size() == std::string("P6\n32 16\n255\n").size() + 32 * 16 * 3);
}

TEST_CASE("R-HALL-5 R-HALL-6 window and hall screens drawn for 128x32 and 256x128 panels", "[screens]") {
  const auto& font = unifont();
  Layout l(5);
  l.load_snapshot(snapshot());
  l.apply(event("TicketCalled", 1, {{"ticket", 12}, {"number", "A012"}, {"service", "minzheng"}}));
  Frame calling = render_window(*l.window(1), 128, 32, font);
  CHECK(window_message(*l.window(1)) == "请A012号");
  CHECK(lit(calling, 0, 16, kAmber) > 100);   // 1号窗口 民政救助
  CHECK(lit(calling, 16, 32, kRed) > 100);    // 请A012号
  CHECK(lit(calling, 16, 32, kGreen) == 0);
  Frame paused = render_window(*l.window(3), 128, 32, font);
  CHECK(window_message(*l.window(3)) == "暂停服务");
  CHECK(lit(paused, 16, 32, kRed) > 100);
  CHECK_FALSE(paused == calling);
  CHECK(render_window(*l.window(1), 128, 32, font) == calling);  // pure: the same view, the same frame
  Frame hall = render_hall(l.hall(), 256, 128, font);
  CHECK(lit(hall, 16, 32, kRed) > 40);  // the newest call, A012, on the first line under the title
  REQUIRE_FALSE(write_png(calling, artefact("window-1.png")));
  REQUIRE_FALSE(write_png(paused, artefact("window-3.png")));
  REQUIRE_FALSE(write_png(render_window(*l.window(2), 128, 32, font), artefact("window-2.png")));
  REQUIRE_FALSE(write_png(hall, artefact("hall.png")));
  std::ifstream png(artefact("hall.png"), std::ios::binary);
  char sig[8] = {};
  png.read(sig, 8);
  CHECK(std::string(sig + 1, 3) == "PNG");
}

TEST_CASE("R-HALL-2 the hall screen rolls the notices and the complaint phone, page by page", "[screens]") {
  const auto& font = unifont();
  Layout l(5);
  l.load_snapshot(snapshot());
  // 中心实行首问负责制 (9 characters, 144 dots) fits a 256-dot row; 投诉电话 0701-3780100 too.
  auto pages = notice_pages(l.hall(), 256, font);
  CHECK(pages == V{"中心实行首问负责制", "投诉电话 0701-3780100"});
  // On a 96-dot row (6 characters) the notice is cut at character boundaries.
  pages = notice_pages(l.hall(), 96, font);
  CHECK(pages.at(0) == "中心实行首问");
  CHECK(pages.at(1) == "负责制");
  for (const auto& p : pages) CHECK(text_width(font, p) <= 96);
  // 8 rows: title, 5 calls, the notice row, the waiting row.
  auto text = screen_text(l.hall(), 256, 128, font);
  REQUIRE(text.size() == 6);  // title, 3 calls, notice, waiting
  CHECK(text[4] == "中心实行首问负责制");
  const Frame first = render_hall(l.hall(), 256, 128, font);
  CHECK(lit(first, 96, 112, kCyan) > 40);  // the notice on row 6
  auto change = l.next_notice_page();
  CHECK(change.hall);
  CHECK(screen_text(l.hall(), 256, 128, font)[4] == "投诉电话 0701-3780100");
  CHECK_FALSE(render_hall(l.hall(), 256, 128, font) == first);
  l.next_notice_page();
  CHECK(screen_text(l.hall(), 256, 128, font)[4] == "中心实行首问负责制");  // wraps
  // A snapshot keeps the roll where it is.
  l.load_snapshot(snapshot());
  CHECK(l.hall().notice_page == 2);
}

TEST_CASE("RS-485 text frames: golden bytes of the default template; CRC-16/ARC check value", "[rs485]") {
  const std::uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  CHECK(crc16_arc(check) == 0xBB3D);  // the catalogued check value of CRC-16/ARC
  TextFrameTemplate t;
  auto f = encode_text_frame(t, 3, "请A012号");
  REQUIRE(f);
  // AA · 03 · 08 · C7EB 41 30 31 32 BAC5 · sum8 · 55   (请 = C7 EB, 号 = BA C5 in GB18030)
  const std::vector<std::uint8_t> body{0x03, 0x08, 0xC7, 0xEB, 0x41, 0x30, 0x31, 0x32, 0xBA, 0xC5};
  std::uint8_t sum = 0;
  for (auto b : body) sum = static_cast<std::uint8_t>(sum + b);
  const std::vector<std::uint8_t> want{0xAA, 0x03, 0x08, 0xC7, 0xEB, 0x41, 0x30, 0x31, 0x32, 0xBA, 0xC5, sum, 0x55};
  CHECK(*f == want);
  t.checksum = Checksum::Crc16Arc;
  t.prefix = {0x02};
  t.suffix = {0x03, 0x0D};
  f = encode_text_frame(t, 1, "暂停服务");
  REQUIRE(f);
  REQUIRE(f->size() == 1 + 2 + 8 + 2 + 2);
  const std::uint16_t crc = crc16_arc(std::span<const std::uint8_t>(f->data() + 1, 10));
  CHECK((*f)[11] == (crc & 0xFF));
  CHECK((*f)[12] == (crc >> 8));
  t.charset = "GB2312";
  CHECK_FALSE(encode_text_frame(t, 1, "𠀀"));  // CJK Ext-B: not in GB2312
  CHECK_FALSE(encode_text_frame(t, 256, "A"));
  CHECK_FALSE(encode_text_frame(t, 1, std::string(300, 'A')));
  CHECK(parse_checksum("xor").value() == Checksum::Xor8);
  CHECK_FALSE(parse_checksum("md5"));
}

TEST_CASE("RS-485 text frames: the decoder finds frames in noise, split anyhow, and refuses bad ones", "[rs485]") {
  for (auto c : {Checksum::None, Checksum::Sum8, Checksum::Xor8, Checksum::Crc16Arc}) {
    TextFrameTemplate t;
    t.checksum = c;
    TextFrameDecoder d(t);
    std::vector<std::uint8_t> stream{0x00, 0xAA, 0x13};  // noise, with a false prefix
    for (auto [addr, text] : std::vector<std::pair<int, std::string>>{{1, "请A012号"}, {2, "暂停服务"}, {3, "欢迎光临"}}) {
      auto f = encode_text_frame(t, addr, text);
      REQUIRE(f);
      stream.insert(stream.end(), f->begin(), f->end());
    }
    std::vector<TextFrame> got;
    for (size_t at = 0; at < stream.size(); at += 5) {  // in 5-byte pieces
      auto part = std::span<const std::uint8_t>(stream).subspan(at, std::min<size_t>(5, stream.size() - at));
      for (auto& fr : d.feed(part)) got.push_back(fr);
    }
    INFO("checksum " << static_cast<int>(c));
    CHECK(got == std::vector<TextFrame>{{1, "请A012号"}, {2, "暂停服务"}, {3, "欢迎光临"}});
  }
  // A corrupted frame is counted and dropped; the next one still decodes.
  TextFrameTemplate t;
  TextFrameDecoder d(t);
  auto a = encode_text_frame(t, 1, "A001").value();
  auto b = encode_text_frame(t, 2, "B002").value();
  a[4] ^= 0x01;
  a.insert(a.end(), b.begin(), b.end());
  auto got = d.feed(a);
  CHECK(got == std::vector<TextFrame>{{2, "B002"}});
  CHECK(d.bad_frames() == 1);
}

// ---- caller keypads (hardware.md "Caller keypads") ----

TEST_CASE("keypad frames: golden bytes of the display and buzzer frames, as the public example builds them", "[keypad]") {
  using B = std::vector<std::uint8_t>;
  // Ticket A012 on keypad 1, waiting count blank: FF 68 08 08 68 01 02 0A 0A 0A 00 01 02 CS 16,
  // CS = (1 + 2 + 3 × 0x0A + 0 + 1 + 2) mod 256.
  CHECK(encode_keypad_frame(keypad_show_frame(1, std::nullopt, "A012")) ==
        B{0xFF, 0x68, 0x08, 0x08, 0x68, 0x01, 0x02, 0x0A, 0x0A, 0x0A, 0x00, 0x01, 0x02, 0x24, 0x16});
  // 37 waiting and no ticket on keypad 0x21: CS = 0x21 + 2 + 0 + 3 + 7 + 3 × 0x0A = 0x4B.
  CHECK(encode_keypad_frame(keypad_show_frame(0x21, 37, "")) ==
        B{0xFF, 0x68, 0x08, 0x08, 0x68, 0x21, 0x02, 0x00, 0x03, 0x07, 0x0A, 0x0A, 0x0A, 0x4B, 0x16});
  // Over 999 waiting shows 999; a four-digit number shows its last three digits.
  CHECK(keypad_show_frame(2, 1500, "B1234").data == B{9, 9, 9, 2, 3, 4});
  CHECK(keypad_show_frame(2, -3, "C7").data == B{0, 0, 0, 0x0A, 0x0A, 7});
  CHECK(encode_keypad_frame(keypad_beep_frame(5)) == B{0xFF, 0x68, 0x02, 0x02, 0x68, 0x05, 0x03, 0x08, 0x16});
}

TEST_CASE("keypad frames: the decoder finds key frames in noise, split anyhow, and drops broken ones", "[keypad]") {
  using B = std::vector<std::uint8_t>;
  auto key = [](std::uint8_t addr, B data) { return encode_keypad_frame(KeypadFrame{addr, 0x01, std::move(data)}); };
  B stream{0x00, 0xFF, 0x68, 0x05};  // noise with a false start
  for (const B& f : {key(1, {0x0C}), key(2, {0x06, 0x0F}), key(3, {0x0D})}) stream.insert(stream.end(), f.begin(), f.end());
  for (size_t piece : {1, 3, 7, 100}) {
    KeypadDecoder d;
    std::vector<KeypadFrame> got;
    for (size_t at = 0; at < stream.size(); at += piece) {
      auto part = std::span<const std::uint8_t>(stream).subspan(at, std::min(piece, stream.size() - at));
      for (auto& f : d.feed(part)) got.push_back(f);
    }
    INFO("pieces of " << piece);
    REQUIRE(got.size() == 3);
    CHECK(keypad_key(got[0]) == KeypadKey::CallNext);
    CHECK(got[0].address == 1);
    CHECK(keypad_key(got[1]) == KeypadKey::GiveUp);
    CHECK(got[1].address == 2);
    CHECK(keypad_key(got[2]) == KeypadKey::Recall);
    CHECK(d.bad_frames() == 0);
  }
  // A wrong checksum or end byte is counted and dropped; the next frame still decodes.
  B bad = key(4, {0x12});
  bad[bad.size() - 2] ^= 0x40;
  B bad_end = key(4, {0x12});
  bad_end.back() = 0x17;
  B good = key(5, {0x13});
  B all = bad;
  all.insert(all.end(), bad_end.begin(), bad_end.end());
  all.insert(all.end(), good.begin(), good.end());
  KeypadDecoder d;
  auto got = d.feed(all);
  REQUIRE(got.size() == 1);
  CHECK(got[0].address == 5);
  CHECK(keypad_key(got[0]) == KeypadKey::Transfer);
  CHECK(d.bad_frames() == 2);
  // Keypads that send no real checksum: "none" takes the frame as long as its end byte is right.
  KeypadDecoder lax(KeypadChecksum::None);
  CHECK(lax.feed(bad).size() == 1);
  CHECK(lax.feed(bad_end).empty());
}

TEST_CASE("keypad keys: single keys and digit + confirm combinations; host frames are no keys", "[keypad]") {
  struct Row {
    std::vector<std::uint8_t> data;
    std::optional<KeypadKey> key;
  };
  const Row rows[] = {
      {{0x0C}, KeypadKey::CallNext},  {{0x0D}, KeypadKey::Recall},    {{0x0B}, KeypadKey::Evaluate},
      {{0x12}, KeypadKey::Pause},     {{0x13}, KeypadKey::Transfer},  {{0x06, 0x0F}, KeypadKey::GiveUp},
      {{0x00, 0x0F}, KeypadKey::Hold}, {{0x03, 0x0F}, KeypadKey::CallBack},
      {{0x05, 0x0F}, std::nullopt},   {{0x0F}, std::nullopt},         {{0x01, 0x06, 0x0F}, std::nullopt},
      {{0x0E}, std::nullopt},         {{0x11}, std::nullopt},         {{}, std::nullopt},
      // The key is the last byte: a leading digit before a single key does not matter.
      {{0x04, 0x0C}, KeypadKey::CallNext},
  };
  for (const Row& r : rows) {
    INFO("data size " << r.data.size());
    CHECK(keypad_key(KeypadFrame{7, 0x01, r.data}) == r.key);
  }
  CHECK_FALSE(keypad_key(keypad_show_frame(7, 3, "A001")).has_value());
  CHECK_FALSE(keypad_key(KeypadFrame{7, kKeypadBeep, {0x0C}}).has_value());
  CHECK(std::string(to_string(KeypadKey::CallBack)) == "call-back");
}

TEST_CASE("R-HALL-5 pixel panels: a new call blinks, then stays lit; a title too wide scrolls", "[screens]") {
  const auto& font = unifont();
  // Blinking: lit 500 ms, dark 300 ms, for blink_ms after the call; no call, no blink.
  CHECK_FALSE(motion_at(0, 6000, 0, 0).call_off);
  CHECK_FALSE(motion_at(499, 6000, 0, 0).call_off);
  CHECK(motion_at(500, 6000, 0, 0).call_off);
  CHECK(motion_at(799, 6000, 0, 0).call_off);
  CHECK_FALSE(motion_at(800, 6000, 0, 0).call_off);
  CHECK(motion_at(5300, 6000, 0, 0).call_off);   // 5300 = 6 × 800 + 500
  CHECK_FALSE(motion_at(6100, 6000, 0, 0).call_off);  // over: the call stays lit
  CHECK_FALSE(motion_at(-1, 6000, 0, 0).call_off);
  CHECK_FALSE(motion_at(500, 0, 0, 0).call_off);      // blink_s = 0: never
  CHECK(motion_at(-1, 0, 2500, 24).scroll_px == 60);  // 24 dots a second
  CHECK(motion_at(-1, 0, 2500, 0).scroll_px == 0);

  Layout l(5);
  l.load_snapshot(snapshot());
  l.apply(event("TicketCalled", 1, {{"ticket", 12}, {"number", "A012"}, {"service", "minzheng"}}));
  const WindowView& w = *l.window(1);
  Motion dark;
  dark.call_off = true;
  const Frame lit_frame = render_window(w, 128, 32, font);
  const Frame dark_frame = render_window(w, 128, 32, font, dark);
  CHECK(lit(dark_frame, 16, 32, kRed) == 0);                         // the call row is dark
  CHECK(lit(dark_frame, 0, 16, kAmber) == lit(lit_frame, 0, 16, kAmber));  // the title is not
  // Only a call blinks: 欢迎光临 and 暂停服务 stay lit.
  CHECK(render_window(*l.window(3), 128, 32, font, dark) == render_window(*l.window(3), 128, 32, font));
  // The hall screen blinks its newest call only.
  const Frame hall = render_hall(l.hall(), 256, 128, font);
  const Frame hall_dark = render_hall(l.hall(), 256, 128, font, dark);
  CHECK(lit(hall_dark, 16, 32, kRed) == 0);
  CHECK(lit(hall_dark, 32, 48, kRed) == lit(hall, 32, 48, kRed));

  // 1号窗口 民政救助 is 128 dots: on a 96-dot panel it scrolls one dot per step, coming round
  // after its width and the gap; on a 128-dot panel it stands still.
  const int tw = text_width(font, window_title(w));
  REQUIRE(tw == 128);
  auto at = [&](int px, int width) {
    Motion m;
    m.scroll_px = px;
    return render_window(w, width, 32, font, m);
  };
  CHECK(at(37, 128) == lit_frame);
  for (int px : {1, 10, 100, 150}) {
    const Frame a = at(px - 1, 96), b = at(px, 96);
    INFO("scrolled " << px);
    CHECK_FALSE(a == b);
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x + 1 < 96; ++x) {
        if (b.at(x, y) == a.at(x + 1, y)) continue;
        FAIL_CHECK("dot " << x << "," << y << " did not move left by one");
        x = 96;
        y = 16;
      }
  }
  CHECK(at(1, 96) == at(1 + tw + kScrollGap, 96));
  std::vector<Frame> strip;
  for (int px : {0, 24, 48, 96, 144}) strip.push_back(at(px, 96));
  Frame sheet(96, 32 * 5 + 4 * 2);
  for (size_t i = 0; i < strip.size(); ++i)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 96; ++x) sheet.set(x, static_cast<int>(i) * 34 + y, strip[i].at(x, y));
  REQUIRE_FALSE(write_png(sheet, artefact("window-1-scrolling-96.png")));
  REQUIRE_FALSE(write_png(dark_frame, artefact("window-1-blink-dark.png")));
}

// ---- Onbon BX font-card screens (hardware.md) ----

namespace {
std::vector<std::uint8_t> hex(const std::string& s) {
  std::vector<std::uint8_t> out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
    i += 2;
  }
  return out;
}
}  // namespace

TEST_CASE("BX frames: golden bytes of two published A3 06 text frames", "[bx]") {
  // A third-party BX-5K encoder's documented example: "012345QRSTTV'B" moving left in a
  // 192×32 area, reply wanted, reserved bytes 2D 00.
  BxDynamicText a;
  a.screen = 1;
  a.reply = true;
  a.reserved[0] = 0x2D;
  BxArea left;
  left.width = 192;
  left.height = 32;
  left.align = 0;
  left.single_line = 2;
  left.wrap = 2;
  left.effect = 3;
  left.speed = 4;
  left.stay = 5;
  left.text = "012345QRSTTV'B";
  a.areas.push_back(left);
  CHECK(encode_bx_dynamic_text(a).value() ==
        hex("A5A5A5A5A5A5A5A5 0100 0080 000000000000 FE 02 3200 A306 01 2D00 00 01 2900 00 0000 0000 1800 2000"
            " 00 00 00 0200 00 00 00 02 02 03 00 04 05 0E000000 3031323334355152535454562742 A87D 5A"));
  // A field capture: a 12-dot row of an environment display, no reply, with a font code and ℃.
  BxDynamicText b;
  b.screen = 1;
  BxArea row;
  row.id = 1;
  row.y = 12;
  row.width = 512;
  row.height = 12;
  row.line_spacing = 0x0A;
  row.run_mode = 1;
  row.align = 0;
  row.speed = 0x17;
  row.stay = 2;
  row.text = "\\FO000TEMPER:21℃";
  b.areas.push_back(row);
  CHECK(encode_bx_dynamic_text(b).value() ==
        hex("A5A5A5A5A5A5A5A5 0100 0080 000000000000 FE 02 3500 A306 02 0000 00 01 2C00 00 0000 0C00 4000 0C00"
            " 01 0A 01 0200 00 00 00 01 01 01 00 17 02 11000000 5C464F303030 54454D5045523A3231 A1E6 82DA 5A"));
  // A ping frame from the same encoder: the framing alone.
  const std::vector<std::uint8_t> ping{0xA2, 0x00, 0x01, 0x00, 0x00};
  CHECK(encode_bx_frame(1, 0x8000, ping) ==
        hex("A5A5A5A5A5A5A5A5 0100 0080 000000000000 FE 02 0500 A200 01 0000 68F8 5A"));
}

TEST_CASE("BX frames: escapes, the decoder, and a round trip through the A3 06 parser", "[bx]") {
  // Address 0x5AA5 and a CRC that may need escaping: every A5 5A A6 5B inside is escaped.
  BxDynamicText d;
  d.screen = 0x5AA5;
  BxArea title;
  title.width = 128;
  title.text = "3号窗口 民政救助";
  BxArea call;
  call.id = 1;
  call.y = 16;
  call.width = 100;  // not whole bytes: pixels with bit 15
  call.text = "请A012号";
  d.areas = {title, call};
  const auto bytes = encode_bx_dynamic_text(d).value();
  CHECK(std::count(bytes.begin(), bytes.end(), 0xA5) == 8);  // the start run only
  CHECK(std::count(bytes.begin(), bytes.end(), 0x5A) == 1);  // the end byte only
  CHECK(bytes.back() == 0x5A);
  // Noise, the frame in 3-byte pieces, a broken frame, the frame again.
  std::vector<std::uint8_t> stream{0x00, 0x5A, 0x13};
  stream.insert(stream.end(), bytes.begin(), bytes.end());
  auto broken = bytes;
  broken[20] ^= 0x01;
  stream.insert(stream.end(), broken.begin(), broken.end());
  stream.insert(stream.end(), bytes.begin(), bytes.end());
  BxDecoder dec;
  std::vector<BxFrame> got;
  for (size_t at = 0; at < stream.size(); at += 3) {
    auto part = std::span<const std::uint8_t>(stream).subspan(at, std::min<size_t>(3, stream.size() - at));
    for (auto& f : dec.feed(part)) got.push_back(f);
  }
  REQUIRE(got.size() == 2);
  CHECK(dec.bad_frames() == 1);
  CHECK(got[0] == got[1]);
  CHECK(got[0].screen == 0x5AA5);
  CHECK(got[0].source == 0x8000);
  CHECK((got[0].device_type == 0xFE && got[0].version == 0x02));
  auto back = parse_bx_dynamic_text(got[0]);
  REQUIRE(back);
  CHECK(back->areas == d.areas);
  // Text GB2312 cannot say is refused, not sent garbled.
  d.areas[0].text = "😀";
  CHECK_FALSE(encode_bx_dynamic_text(d));
  // A frame that is not A3 06 is no text update.
  const std::vector<std::uint8_t> ping{0xA2, 0x00, 0x01, 0x00, 0x00};
  BxDecoder d2;
  auto pf = d2.feed(encode_bx_frame(1, 0x8000, ping));
  REQUIRE(pf.size() == 1);
  CHECK_FALSE(parse_bx_dynamic_text(pf[0]));
}
