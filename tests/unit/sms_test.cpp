// SMS through a GSM modem (issue 7, R-TIME-4): SMS-SUBMIT PDUs in UCS-2 as 3GPP TS 23.040
// lays them out, concatenation, and the AT dialogue against a fake modem on a pty (no SIM,
// nothing leaves the machine; hallq-modem-sim is driven through the controller in
// integration.console).
#include "hallq_catch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hallq/sms/modem.hpp"
#include "hallq/sms/pdu.hpp"

using namespace hallq::sms;

TEST_CASE("R-TIME-4 numbers: Chinese mobiles go international, others as dialled", "[sms]") {
  CHECK(parse_number("13812345678")->digits == "8613812345678");
  CHECK(parse_number("13812345678")->international);
  CHECK(parse_number("+86 138-1234-5678")->digits == "8613812345678");
  CHECK(parse_number("008613812345678")->digits == "8613812345678");
  CHECK(parse_number("07013780100")->digits == "07013780100");
  CHECK_FALSE(parse_number("07013780100")->international);
  for (const char* bad : {"", "12", "138x2345678", "++8613812345678", "123456789012345678901"}) {
    INFO(bad);
    CHECK_FALSE(parse_number(bad));
  }
}

TEST_CASE("R-TIME-4 one message in UCS-2: every field of the PDU", "[sms]") {
  auto p = encode_submit("13812345678", "你好", 7);
  REQUIRE(p);
  REQUIRE(p->size() == 1);
  // SMSC 00 | SUBMIT, relative validity 11 | MR 00 | 13 digits 0D, international 91,
  // 8613812345678 in swapped semi-octets 683118325476F8 | PID 00 | DCS 08 (UCS-2) |
  // VP A7 (1 day) | UDL 04 | 4F60 597D.
  CHECK((*p)[0].hex == "0011000D91683118325476F80008A7044F60597D");
  CHECK((*p)[0].tpdu_octets == 19);
  // A landline as dialled, an odd number of digits padded with F.
  auto q = encode_submit("0701378010", "A", 0);
  REQUIRE(q);
  CHECK((*q)[0].hex == "0011000A8170107308010008A7020041");
}

TEST_CASE("R-TIME-4 long texts are split into concatenated parts with one reference", "[sms]") {
  std::string text;
  for (int i = 0; i < 150; ++i) text += "办";  // 150 units: 67 + 67 + 16
  auto p = encode_submit("13812345678", text, 42);
  REQUIRE(p);
  REQUIRE(p->size() == 3);
  std::string joined;
  for (size_t i = 0; i < p->size(); ++i) {
    auto d = decode_submit((*p)[i].hex);
    REQUIRE(d);
    CHECK(d->to.digits == "8613812345678");
    CHECK(d->ref == 42);
    CHECK(d->parts == 3);
    CHECK(d->part == static_cast<int>(i) + 1);
    CHECK(d->tpdu_octets == (*p)[i].tpdu_octets);
    CHECK(d->tpdu_octets <= 140 + 13 + 7);  // user data at most 140 octets
    joined += d->text;
  }
  CHECK(joined == text);
  // Exactly 70 units still fit one message; 71 do not.
  CHECK(encode_submit("13812345678", std::string(70, 'a'), 1)->size() == 1);
  CHECK(encode_submit("13812345678", std::string(71, 'a'), 1)->size() == 2);
}

TEST_CASE("R-TIME-4 a surrogate pair is never split between parts", "[sms]") {
  std::string text(66, 'a');
  text += "😀";  // U+1F600: units 67 and 68
  text += std::string(10, 'b');
  auto p = encode_submit("13812345678", text, 1);
  REQUIRE(p);
  REQUIRE(p->size() == 2);
  auto a = decode_submit((*p)[0].hex), b = decode_submit((*p)[1].hex);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->text == std::string(66, 'a'));
  CHECK(b->text == "😀" + std::string(10, 'b'));
}

TEST_CASE("R-TIME-4 bad input is refused with a reason", "[sms]") {
  CHECK_FALSE(encode_submit("not a phone", "x", 1));
  CHECK_FALSE(encode_submit("13812345678", "", 1));
  CHECK_FALSE(encode_submit("13812345678", "\xC3\x28", 1));  // malformed UTF-8
  CHECK_FALSE(encode_submit("13812345678", std::string(67 * 8 + 1, 'a'), 1));  // 9 parts
  CHECK(encode_submit("13812345678", std::string(67 * 8, 'a'), 1)->size() == 8);
  for (const char* bad : {"", "0", "00", "0011", "zz11000D91683118325476F80008A7044F60597D",
                          "0011000D91683118325476F80008A7054F60597D",     // UDL says 5
                          "0011000D91683118325476F80000A7044F60597D"}) {  // GSM 7-bit
    INFO(bad);
    CHECK_FALSE(decode_submit(bad));
  }
  CHECK_FALSE(parse_modem_spec("ttyUSB2"));
  CHECK_FALSE(parse_modem_spec("serial:/dev/ttyUSB2@1234"));
  CHECK(parse_modem_spec("serial:/dev/ttyUSB2@9600")->baud == 9600);
  CHECK(parse_modem_spec("/dev/ttyUSB2")->baud == 115200);
}

namespace {

// A modem on a pty, in-process (it runs under qemu-user in the cross builds too): OK to AT
// commands, "> " to AT+CMGS, then "+CMGS: n" / OK for each PDU (collected), or the fault set.
struct FakeModem {
  int master = -1, hold = -1;
  std::string link;
  std::atomic<bool> stop{false};
  std::mutex m;
  std::vector<std::string> pdus;
  std::string fault;  // "", "error", "silent"
  std::thread th;

  FakeModem() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    link = ::ptsname(master);
    hold = ::open(link.c_str(), O_RDWR | O_NOCTTY);  // keeps the pty readable between opens
    th = std::thread([this] { run(); });
  }
  ~FakeModem() {
    stop = true;
    th.join();
    ::close(hold);
    ::close(master);
  }
  void set_fault(const std::string& f) {
    std::lock_guard l(m);
    fault = f;
  }
  void reply(const std::string& s) {
    std::lock_guard l(m);
    if (fault == "silent") return;
    ssize_t n = ::write(master, s.data(), s.size());
    (void)n;
  }
  void run() {
    std::string line;
    bool in_pdu = false;
    char buf[256];
    while (!stop) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::read(master, buf, sizeof buf);
      for (ssize_t i = 0; i < n; ++i) {
        const char c = buf[i];
        if (in_pdu && c == 0x1A) {
          in_pdu = false;
          bool error;
          {
            std::lock_guard l(m);
            pdus.push_back(line);
            error = fault == "error";
          }
          line.clear();
          reply(error ? "\r\n+CMS ERROR: 500\r\n" : "\r\n+CMGS: " + std::to_string(pdus.size()) + "\r\n\r\nOK\r\n");
        } else if (in_pdu || (c != '\r' && c != '\n')) {
          line += c;
        } else if (c == '\r') {
          if (line.starts_with("AT+CMGS=")) {
            in_pdu = true;
            reply("\r\n> ");
          } else {
            reply("\r\nOK\r\n");
          }
          line.clear();
        }
      }
    }
  }
  std::vector<std::string> received() {
    std::lock_guard l(m);
    return pdus;
  }
};

}  // namespace

TEST_CASE("R-TIME-4 the AT dialogue with a modem: sent, refused by the network, no answer", "[sms]") {
  FakeModem fake;
  auto spec = parse_modem_spec("serial:" + fake.link);
  REQUIRE(spec);
  GsmModem modem(*spec, ModemTimeouts{std::chrono::milliseconds{1000}, std::chrono::milliseconds{1000},
                                      std::chrono::milliseconds{1500}});
  const std::string text = "【青溪镇便民服务中心】张三丰您好：您申请的“最低生活保障申请”已办结。";
  auto sent = modem.send("13812345678", text);
  REQUIRE(sent);
  REQUIRE(sent->size() == 1);
  CHECK((*sent)[0] == 1);
  auto got = fake.received();
  REQUIRE(got.size() == 1);
  auto d = decode_submit(got[0]);
  REQUIRE(d);
  CHECK(d->to.digits == "8613812345678");
  CHECK(d->text == text);
  // Long: three parts with one reference, put together again at the far end.
  std::string lng;
  for (int i = 0; i < 140; ++i) lng += "字";
  auto three = modem.send("+8613900001111", lng);
  REQUIRE(three);
  CHECK(*three == std::vector<int>{2, 3, 4});
  got = fake.received();
  REQUIRE(got.size() == 4);
  std::string joined;
  for (size_t i = 1; i < 4; ++i) {
    auto part = decode_submit(got[i]);
    REQUIRE(part);
    CHECK(part->ref == decode_submit(got[1])->ref);
    joined += part->text;
  }
  CHECK(joined == lng);

  fake.set_fault("error");
  auto refused = modem.send("13812345678", "x");
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error(), HasSubstr("+CMS ERROR: 500"));
  fake.set_fault("silent");
  auto silent = modem.send("13812345678", "x");
  REQUIRE_FALSE(silent);
  CHECK_THAT(silent.error(), HasSubstr("no answer"));
  fake.set_fault("");
  CHECK(modem.send("13812345678", "好了")->size() == 1);

  GsmModem missing(ModemSpec{"/nonexistent/ttyUSB9", 115200, "x"});
  auto none = missing.send("13812345678", "x");
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error(), HasSubstr("/nonexistent/ttyUSB9"));
}
