#pragma once
// A device's side of the controller's HTTP API (docs/api.md): a blocking client with one
// deadline per request, for a worker thread of the kiosk or display node. ControllerApi is the part the ticket
// desk needs, so the desk can be tested against a fake.
// Thread-safety: one HttpController per thread.
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"

namespace hallq::link {

using Millis = std::chrono::milliseconds;

struct HttpReply {
  int status = 0;           // 0: no answer
  bool sent = false;        // the request may have reached the controller (connected, wrote)
  boost::json::value body;  // the JSON body; null when none
  std::string error;        // why there was no answer
  bool answered() const { return status != 0; }
  bool ok() const { return status >= 200 && status < 300; }
  std::string code() const;        // body.error.code, "" if none
  std::string message_zh() const;  // body.error.message_zh, else message
  std::string message() const;     // body.error.message
};

class ControllerApi {
 public:
  virtual ~ControllerApi() = default;
  virtual HttpReply issue(const std::string& service, const std::string& priority,
                          const std::string& request_id) = 0;
  virtual HttpReply find_request(const std::string& request_id) = 0;
  virtual HttpReply void_ticket(std::int64_t id, const std::string& reason) = 0;
  virtual HttpReply report(const std::string& printer, bool accepting, const std::string& detail) = 0;
  virtual HttpReply services() = 0;
  virtual HttpReply hall() = 0;
};

struct ControllerUrl {
  std::string host;
  std::string port = "80";
  bool tls = false;               // https://: HTTPS and WSS, the controller's key checked
  std::vector<std::string> pins;  // with tls: the key pins the controller must match (one of)
};
// http://HOST[:PORT][/] or https://HOST[:PORT][/] (port 443 by default); `pins` is the
// device's controller_pin ("sha256//...", comma-separated while a key is replaced), required
// with https and refused with http. Anything else is an error naming what is wrong.
Expected<ControllerUrl, std::string> parse_controller_url(const std::string& url, const std::string& pins = "");

class HttpController final : public ControllerApi {
 public:
  HttpController(ControllerUrl url, std::string device_id, std::string token, Millis timeout = Millis{4000});
  ~HttpController() override;
  HttpController(const HttpController&) = delete;
  HttpController& operator=(const HttpController&) = delete;

  // method "GET" or "POST"; body: JSON text or "" for none.
  HttpReply request(const std::string& method, const std::string& target, const std::string& body);

  HttpReply issue(const std::string& service, const std::string& priority, const std::string& request_id) override;
  HttpReply find_request(const std::string& request_id) override;
  HttpReply void_ticket(std::int64_t id, const std::string& reason) override;
  HttpReply report(const std::string& printer, bool accepting, const std::string& detail) override;
  HttpReply services() override;
  HttpReply hall() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallq::link
