#pragma once
// Sending SMS through a GSM modem (a USB 4G dongle or an industrial modem on RS-232) with the
// standard AT commands of 3GPP TS 27.005: AT, ATE0, AT+CMGF=0 (PDU mode), then per part
// AT+CMGS=<length>, the PDU after the "> " prompt, Ctrl-Z, and "+CMGS: <mr>" / "OK" or an
// error. The port is opened for each message, so a replugged dongle is picked up.
// GsmModem is for one thread at a time; SmsQueue gives it a worker thread and callbacks.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/common/serial_worker.hpp"

namespace hallq::sms {

// serial:/dev/ttyUSB2[@BAUD] (default 115200), or a bare device path.
struct ModemSpec {
  std::string path;
  int baud = 115200;
  std::string text;  // as given
};
Expected<ModemSpec, std::string> parse_modem_spec(const std::string& spec);

struct ModemTimeouts {
  std::chrono::milliseconds command{3000};  // AT, ATE0, AT+CMGF
  std::chrono::milliseconds prompt{5000};   // the "> " after AT+CMGS
  std::chrono::milliseconds submit{60000};  // the network's answer to one part
};

class GsmModem {
 public:
  explicit GsmModem(ModemSpec spec, ModemTimeouts t = {}) : spec_(std::move(spec)), t_(t) {}
  // Sends `text` to `phone` (in as many parts as it needs); the message references the network
  // gave, one per part, or why it was not sent (a part already sent may have gone out).
  Expected<std::vector<int>, std::string> send(const std::string& phone, const std::string& text);
  const ModemSpec& spec() const { return spec_; }

 private:
  ModemSpec spec_;
  ModemTimeouts t_;
  std::uint8_t next_ref_ = 1;
};

struct SmsResult {
  bool sent = false;
  std::vector<int> references;
  std::string error;
};

class SmsQueue {
 public:
  using Done = std::function<void(const SmsResult&)>;
  explicit SmsQueue(ModemSpec spec, ModemTimeouts t = {});
  // The destructor finishes the queued messages (the worker's), then stops.
  void submit(std::string phone, std::string text, Done done);

 private:
  GsmModem modem_;
  SerialWorker worker_;  // last: its jobs use the modem
};

}  // namespace hallq::sms
