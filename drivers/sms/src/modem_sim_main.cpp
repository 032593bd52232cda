// hallq-modem-sim: a GSM modem in PDU mode on a pty, for tests, the demo and an installer
// without a SIM card (issue 7). Nothing leaves the machine.
//   hallq-modem-sim --link LINK --out DIR
// The far end of a pty pair is linked at LINK (give the controller [sms] device =
// "serial:LINK"). It answers AT, ATE0/ATE1, AT+CMGF=0 and AT+CMGS=<n> as a modem does (with
// echo until ATE0), checks each PDU (its announced length, UCS-2 text, the concatenation
// header) and writes each complete message to DIR/sms-NNNN.txt:
//   to +8613812345678
//   parts 2
//   (blank line)
//   the text
// A file DIR/fault holding "error" makes it answer +CMS ERROR: 500 (no network); "silent",
// no answer at all. Prints "hallq-modem-sim ready on LINK (/dev/pts/N)" and runs until
// SIGINT/SIGTERM.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "hallq/common/atomic_file.hpp"
#include "hallq/common/serial.hpp"
#include "hallq/sms/pdu.hpp"

using namespace hallq;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

bool write_file(const std::string& path, const std::string& text) {
  return !write_file_atomically(path, text, 0666);
}

std::string fault(const std::string& out) {
  std::ifstream f(out + "/fault");
  std::string s;
  std::getline(f, s);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string link, out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--link") link = argv[i + 1];
    else if (k == "--out") out = argv[i + 1];
  }
  if (link.empty() || out.empty()) {
    std::cerr << "Usage: hallq-modem-sim --link LINK --out DIR\n";
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::filesystem::create_directories(out);
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    std::perror("hallq-modem-sim: pty");
    return 1;
  }
  const std::string slave = ptsname(master);
  // Holding the far end open keeps the pty readable between the controller's opens.
  const int hold = ::open(slave.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (hold >= 0) set_serial_raw(hold, 115200);
  std::filesystem::remove(link);
  std::error_code ec;
  std::filesystem::create_symlink(slave, link, ec);
  if (ec) {
    std::cerr << "hallq-modem-sim: " << link << ": " << ec.message() << "\n";
    return 1;
  }
  std::cout << "hallq-modem-sim ready on " << link << " (" << slave << ")" << std::endl;

  bool echo = true;
  int pdu_mode = 0;       // AT+CMGF=0 seen
  int expect_octets = -1; // after AT+CMGS=<n>: reading the PDU up to Ctrl-Z
  int mr = 0, messages = 0;
  std::string line;
  struct Pending { std::string to; int parts = 0; std::map<int, std::string> texts; };
  std::map<std::string, Pending> pending;  // by destination and reference
  auto reply = [&](const std::string& s) {
    if (fault(out) == "silent") return;
    ssize_t n = ::write(master, s.data(), s.size());
    (void)n;
  };
  char buf[512];
  while (!g_stop) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) continue;
    for (ssize_t i = 0; i < n; ++i) {
      const char c = buf[i];
      if (expect_octets >= 0) {
        if (c == 0x1B) {  // Esc: the sender gave up
          expect_octets = -1;
          line.clear();
          reply("\r\nOK\r\n");
          continue;
        }
        if (c != 0x1A) {
          if (c != '\r' && c != '\n') line += c;
          continue;
        }
        const int announced = expect_octets;
        expect_octets = -1;
        auto d = sms::decode_submit(line);
        line.clear();
        if (fault(out) == "error") {
          reply("\r\n+CMS ERROR: 500\r\n");
          continue;
        }
        if (!d || d->tpdu_octets != announced) {
          std::cerr << "hallq-modem-sim: bad PDU: " << (d ? "length " + std::to_string(d->tpdu_octets) + " != " + std::to_string(announced) : d.error()) << "\n";
          reply("\r\n+CMS ERROR: 304\r\n");  // invalid PDU mode parameter
          continue;
        }
        mr = (mr + 1) % 256;
        reply("\r\n+CMGS: " + std::to_string(mr) + "\r\n\r\nOK\r\n");
        const std::string to = (d->to.international ? "+" : "") + d->to.digits;
        Pending& pm = pending[to + "/" + std::to_string(d->ref)];
        pm.to = to;
        pm.parts = d->parts;
        pm.texts[d->part] = d->text;
        if (static_cast<int>(pm.texts.size()) == pm.parts) {
          std::string text;
          for (const auto& [k, t] : pm.texts) text += t;
          char name[32];
          std::snprintf(name, sizeof name, "/sms-%04d.txt", ++messages);
          write_file(out + name, "to " + pm.to + "\nparts " + std::to_string(pm.parts) + "\n\n" + text + "\n");
          pending.erase(to + "/" + std::to_string(d->ref));
        }
        continue;
      }
      if (echo) reply(std::string(1, c));
      if (c == '\n') continue;
      if (c != '\r') {
        line += c;
        continue;
      }
      std::string cmd = line;
      line.clear();
      for (auto& ch : cmd) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (cmd == "AT") reply("\r\nOK\r\n");
      else if (cmd == "ATE0") { echo = false; reply("\r\nOK\r\n"); }
      else if (cmd == "ATE1") { echo = true; reply("\r\nOK\r\n"); }
      else if (cmd == "AT+CMGF=0") { pdu_mode = 1; reply("\r\nOK\r\n"); }
      else if (cmd.starts_with("AT+CMGS=") && pdu_mode) {
        expect_octets = std::atoi(cmd.c_str() + 8);
        reply("\r\n> ");
      } else if (!cmd.empty()) {
        reply("\r\nERROR\r\n");
      }
    }
  }
  std::filesystem::remove(link);
  if (hold >= 0) ::close(hold);
  ::close(master);
  return 0;
}
