// The QR/barcode scanner (kiosk/scanner.hpp): a keyboard-mode scanner's key events back into
// the text it read — shift, caps lock, the keypad, Enter — and the reader that takes them from a
// device node, here the simulated scanner's FIFO (issue 5).
#include "hallq/kiosk/scanner.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "hallq_catch.hpp"
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <vector>

namespace {

using namespace hallq::kiosk;
using namespace std::chrono_literals;

input_event key(std::uint16_t code, int value) {
  input_event e{};
  e.type = EV_KEY;
  e.code = code;
  e.value = value;
  return e;
}

// Feeds events 1 ms apart; returns every scan.
std::vector<Scan> decode(ScanDecoder& d, const std::vector<input_event>& events,
                         ScanDecoder::Clock::time_point start = {}) {
  std::vector<Scan> out;
  auto t = start;
  for (const auto& e : events) {
    if (auto s = d.feed(e, t)) out.push_back(*s);
    t += 1ms;
  }
  return out;
}

}  // namespace

TEST_CASE("scanner: every printable ASCII character survives the keymap and back", "[scanner]") {
  std::string all;
  for (char c = 32; c < 127; ++c) all.push_back(c);
  ScanDecoder d(1024);
  auto scans = decode(d, scanner_events(all));
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].text == all);
  CHECK(scans[0].unmapped == 0);
}

TEST_CASE("scanner: a ticket QR as a scanner types it", "[scanner]") {
  ScanDecoder d;
  auto scans = decode(d, scanner_events("http://192.168.1.10:8080/t/42?d=2026-03-02"));
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].text == "http://192.168.1.10:8080/t/42?d=2026-03-02");
  // Two codes in a row are two scans.
  auto ev = scanner_events("A012");
  auto ev2 = scanner_events("B003");
  ev.insert(ev.end(), ev2.begin(), ev2.end());
  scans = decode(d, ev);
  REQUIRE(scans.size() == 2);
  CHECK(scans[0].text == "A012");
  CHECK(scans[1].text == "B003");
}

TEST_CASE("scanner: caps lock turns letters only; shift turns them back", "[scanner]") {
  ScanDecoder d;
  auto scans = decode(d, {key(KEY_CAPSLOCK, 1), key(KEY_CAPSLOCK, 0), key(KEY_A, 1), key(KEY_A, 0),
                          key(KEY_1, 1), key(KEY_1, 0), key(KEY_RIGHTSHIFT, 1), key(KEY_B, 1), key(KEY_B, 0),
                          key(KEY_SLASH, 1), key(KEY_RIGHTSHIFT, 0), key(KEY_ENTER, 1)});
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].text == "A1b?");
  CHECK(key_char(KEY_Q, false, false) == 'q');
  CHECK(key_char(KEY_Q, true, true) == 'q');
  CHECK(key_char(KEY_F1, false, false) == 0);
}

TEST_CASE("scanner: keypad digits and keypad Enter; autorepeat and other events ignored", "[scanner]") {
  ScanDecoder d;
  input_event syn{};
  syn.type = EV_SYN;
  input_event msc{};
  msc.type = EV_MSC;
  msc.code = MSC_SCAN;
  msc.value = 0x70004;
  auto scans = decode(d, {msc, key(KEY_KP4, 1), syn, key(KEY_KP4, 2), key(KEY_KP4, 2), key(KEY_KP4, 0),
                          key(KEY_KP2, 1), key(KEY_KPENTER, 1)});
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].text == "42");
}

TEST_CASE("scanner: a lone Enter is no scan; a stale prefix is dropped after a pause", "[scanner]") {
  ScanDecoder d(512, 500ms);
  const ScanDecoder::Clock::time_point t0{};
  CHECK_FALSE(d.feed(key(KEY_ENTER, 1), t0));
  // Someone pressed "7" on a keyboard long before the scanner typed its code.
  CHECK_FALSE(d.feed(key(KEY_7, 1), t0));
  auto scans = decode(d, scanner_events("A012"), t0 + 2s);
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].text == "A012");
}

TEST_CASE("scanner: an overlong code is refused whole; unmapped keys are counted", "[scanner]") {
  ScanDecoder d(8);
  auto scans = decode(d, scanner_events("123456789"));
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].overlong);
  CHECK(scans[0].text.empty());
  // The next code is read normally.
  scans = decode(d, scanner_events("12345678"));
  REQUIRE(scans.size() == 1);
  CHECK_FALSE(scans[0].overlong);
  CHECK(scans[0].text == "12345678");
  scans = decode(d, {key(KEY_A, 1), key(KEY_F5, 1), key(KEY_LEFTCTRL, 1), key(KEY_B, 1), key(KEY_ENTER, 1)});
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].text == "ab");
  CHECK(scans[0].unmapped == 1);
}

TEST_CASE("scanner: the simulated scanner reads input_event records from its FIFO, split anyhow", "[scanner]") {
  auto dir = std::filesystem::temp_directory_path() / ("hallq-scan-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string fifo = (dir / "scanner").string();
  boost::asio::io_context io;
  auto src = open_scanner(io.get_executor(), "sim:" + fifo);
  REQUIRE(src);
  std::vector<std::string> got;
  (*src)->start([&](const Scan& s) { got.push_back(s.text); });
  io.run_for(100ms);  // the FIFO is opened on the io_context
  auto events = scanner_events("http://hall/t/7");
  auto more = scanner_events("A012");
  events.insert(events.end(), more.begin(), more.end());
  const auto* bytes = reinterpret_cast<const char*>(events.data());
  const std::size_t size = events.size() * sizeof(input_event);
  int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  // Odd-sized writes: a record may arrive in two reads.
  for (std::size_t at = 0; at < size;) {
    std::size_t n = std::min<std::size_t>(37, size - at);
    REQUIRE(::write(fd, bytes + at, n) == static_cast<ssize_t>(n));
    at += n;
  }
  ::close(fd);
  for (const auto until = std::chrono::steady_clock::now() + 5s; got.size() < 2 && std::chrono::steady_clock::now() < until;) {
    io.restart();
    io.run_for(10ms);
  }
  (*src)->stop();
  std::filesystem::remove_all(dir);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == "http://hall/t/7");
  CHECK(got[1] == "A012");
}

TEST_CASE("scanner: a device that is not there yet is waited for, not an error", "[scanner]") {
  boost::asio::io_context io;
  auto src = open_scanner(io.get_executor(), "/dev/input/by-id/no-such-scanner-event-kbd");
  REQUIRE(src);
  (*src)->start([](const Scan&) {});
  io.run_for(50ms);
  (*src)->stop();
  CHECK_FALSE(open_scanner(io.get_executor(), "sim:/no/such/dir/fifo"));
}
