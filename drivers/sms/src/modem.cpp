#include "hallq/sms/modem.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <span>

#include "hallq/common/deadline_stream.hpp"
#include "hallq/common/serial.hpp"
#include "hallq/sms/pdu.hpp"

namespace hallq::sms {
namespace {

using Clock = std::chrono::steady_clock;

// One open port (closed when it goes out of scope), each read and write bounded by a deadline.
class Port {
 public:
  explicit Port(int fd) { s_.stream().assign(fd, assigned_); }
  // False when the port cannot be used (not a descriptor the reactor takes).
  bool usable() const { return !assigned_; }

  bool write_all(std::string_view s, Clock::time_point deadline) {
    return !s_.write_all(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), deadline).ec;
  }

  // Reads until `done(buffer)` says so, or the deadline; false on timeout or a closed port.
  template <class Done>
  bool read_until(Done done, Clock::time_point deadline) {
    std::array<std::uint8_t, 256> buf{};
    while (!done(in_)) {
      const auto r = s_.read_some(buf, deadline);
      if (r.ec) return false;
      in_.append(reinterpret_cast<const char*>(buf.data()), r.n);
    }
    return true;
  }
  std::string& input() { return in_; }

 private:
  DeadlineStream<boost::asio::posix::stream_descriptor> s_;
  boost::system::error_code assigned_;
  std::string in_;
};

// A final result line of a command: OK, ERROR, +CMS ERROR: n, +CME ERROR: n.
bool has_final(const std::string& in) {
  if (in.starts_with("OK\r\n") || in.find("\r\nOK\r\n") != std::string::npos) return true;
  const size_t e = in.find("ERROR");
  return e != std::string::npos && in.find("\r\n", e) != std::string::npos;
}

std::string error_line(const std::string& in) {
  for (const char* e : {"+CMS ERROR:", "+CME ERROR:", "ERROR"}) {
    const size_t at = in.find(e);
    if (at != std::string::npos) return in.substr(at, in.find('\r', at) - at);
  }
  return {};
}

}  // namespace

Expected<ModemSpec, std::string> parse_modem_spec(const std::string& spec) {
  ModemSpec s;
  s.text = spec;
  std::string rest = spec;
  if (rest.starts_with("serial:")) rest = rest.substr(7);
  const size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    const std::string b = rest.substr(at + 1);
    if (b.empty() || b.size() > 6 || b.find_first_not_of("0123456789") != std::string::npos)
      return unexpected("bad baud rate in '" + spec + "'");
    s.baud = std::stoi(b);
    if (s.baud != 9600 && s.baud != 19200 && s.baud != 38400 && s.baud != 57600 && s.baud != 115200)
      return unexpected("baud rate " + b + " in '" + spec + "' is not 9600, 19200, 38400, 57600 or 115200");
    rest = rest.substr(0, at);
  }
  if (!rest.starts_with("/")) return unexpected("'" + spec + "' is not serial:/dev/DEVICE[@BAUD]");
  s.path = rest;
  return s;
}

Expected<std::vector<int>, std::string> GsmModem::send(const std::string& phone, const std::string& text) {
  auto pdus = encode_submit(phone, text, next_ref_++);
  if (!pdus) return unexpected(pdus.error());
  const int fd = ::open(spec_.path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return unexpected(spec_.path + ": " + std::strerror(errno));
  set_serial_raw(fd, spec_.baud);
  Port port(fd);
  if (!port.usable()) {
    ::close(fd);
    return unexpected(spec_.path + ": not a serial port");
  }
  // Commands answered OK, with their echo (until ATE0) and any unsolicited lines ignored.
  auto command = [&](const std::string& cmd) -> std::optional<std::string> {
    port.input().clear();
    if (!port.write_all(cmd + "\r", Clock::now() + t_.command)) return "cannot write to " + spec_.path;
    if (!port.read_until(has_final, Clock::now() + t_.command)) return cmd + ": no answer from the modem";
    if (auto e = error_line(port.input()); !e.empty()) return cmd + ": " + e;
    return std::nullopt;
  };
  for (const char* c : {"AT", "ATE0", "AT+CMGF=0"})
    if (auto e = command(c)) return unexpected(*e);
  std::vector<int> refs;
  for (const auto& p : *pdus) {
    port.input().clear();
    const std::string cmgs = "AT+CMGS=" + std::to_string(p.tpdu_octets);
    if (!port.write_all(cmgs + "\r", Clock::now() + t_.command)) return unexpected("cannot write to " + spec_.path);
    const bool prompt = port.read_until(
        [](const std::string& in) { return in.find('>') != std::string::npos || in.find("ERROR") != std::string::npos; },
        Clock::now() + t_.prompt);
    if (!prompt) return unexpected(cmgs + ": no prompt from the modem");
    if (auto e = error_line(port.input()); !e.empty()) return unexpected(cmgs + ": " + e);
    port.input().clear();
    if (!port.write_all(p.hex + "\x1A", Clock::now() + t_.command)) return unexpected("cannot write to " + spec_.path);
    if (!port.read_until(has_final, Clock::now() + t_.submit))
      return unexpected("no answer from the network after " + std::to_string(t_.submit.count() / 1000) + " s");
    if (auto e = error_line(port.input()); !e.empty()) return unexpected("the network refused the message: " + e);
    const size_t at = port.input().find("+CMGS:");
    refs.push_back(at == std::string::npos ? -1 : std::atoi(port.input().c_str() + at + 6));
  }
  return refs;
}

SmsQueue::SmsQueue(ModemSpec spec, ModemTimeouts t) : modem_(std::move(spec), t) {}

void SmsQueue::submit(std::string phone, std::string text, Done done) {
  worker_.post([this, phone = std::move(phone), text = std::move(text), done = std::move(done)] {
    SmsResult r;
    auto sent = modem_.send(phone, text);
    if (sent) {
      r.sent = true;
      r.references = std::move(*sent);
    } else {
      r.error = sent.error();
    }
    if (done) done(r);
  });
}

}  // namespace hallq::sms
