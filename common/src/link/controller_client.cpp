#include "hallq/link/controller_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "hallq/tls/conn_stream.hpp"
#include "hallq/tls/tls.hpp"

namespace hallq::link {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {
const json::object* error_of(const json::value& body) {
  if (!body.is_object()) return nullptr;
  auto* e = body.as_object().if_contains("error");
  return e && e->is_object() ? &e->as_object() : nullptr;
}
std::string str_of(const json::object* o, const char* key) {
  if (!o) return {};
  auto* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Percent-encodes a query value (request ids are plain, but nothing is assumed).
std::string query_escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}
}  // namespace

std::string HttpReply::code() const { return str_of(error_of(body), "code"); }
std::string HttpReply::message() const { return str_of(error_of(body), "message"); }
std::string HttpReply::message_zh() const {
  std::string zh = str_of(error_of(body), "message_zh");
  return zh.empty() ? message() : zh;
}

Expected<ControllerUrl, std::string> parse_controller_url(const std::string& url, const std::string& pins) {
  ControllerUrl u;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    u.tls = true;
    u.port = "443";
  } else {
    return unexpected("controller URL '" + url + "': expected http://HOST[:PORT] or https://HOST[:PORT]");
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos)
    return unexpected("controller URL '" + url + "': expected http(s)://HOST[:PORT] with no path");
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    u.host = rest.substr(0, colon);
    u.port = rest.substr(colon + 1);
    if (u.port.empty() || u.port.size() > 5 || !std::all_of(u.port.begin(), u.port.end(), ::isdigit) ||
        std::stoi(u.port) < 1 || std::stoi(u.port) > 65535)
      return unexpected("controller URL '" + url + "': port must be 1..65535");
  } else {
    u.host = rest;
  }
  if (u.host.empty()) return unexpected("controller URL '" + url + "': no host");
  if (u.tls) {
    if (pins.empty())
      return unexpected("controller URL '" + url +
                        "' is https: controller_pin must name the controller's key (hallq-controller --tls-pin prints it)");
    auto p = tls::parse_pins(pins);
    if (!p) return unexpected("controller_pin: " + p.error());
    u.pins = std::move(*p);
  } else if (!pins.empty()) {
    return unexpected("controller_pin is set but the controller URL '" + url + "' is http://: use https://");
  }
  return u;
}

struct HttpController::Impl {
  ControllerUrl url;
  std::string device_id, token;
  Millis timeout;
  asio::io_context io;
  std::shared_ptr<asio::ssl::context> tls;  // made on first use, for https:// only
};

HttpController::HttpController(ControllerUrl url, std::string device_id, std::string token, Millis timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->url = std::move(url);
  impl_->device_id = std::move(device_id);
  impl_->token = std::move(token);
  impl_->timeout = timeout;
}
HttpController::~HttpController() = default;

namespace {

// resolve, connect, [TLS handshake and key pin], write, read: each step under what is left of
// one deadline. Runs on `io`; the caller runs it.
void start_exchange(tcp::resolver& resolver, tls::ConnStream& stream, const std::shared_ptr<asio::ssl::context>& tls_ctx,
                    const ControllerUrl& url, http::request<http::string_body>& req, beast::flat_buffer& buffer,
                    http::response<http::string_body>& res, HttpReply& out,
                    std::chrono::steady_clock::time_point deadline) {
  auto left = [deadline] {
    return std::max(Millis{1}, std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()));
  };
  auto fail = [&out](const char* what, beast::error_code ec) { out.error = std::string(what) + ": " + ec.message(); };
  auto& lowest = beast::get_lowest_layer(stream);
  auto exchange = [&, left, fail] {
    out.sent = true;  // from here on the controller may have acted on it
    lowest.expires_after(left());
    http::async_write(stream, req, [&, left, fail](beast::error_code ec3, std::size_t) {
      if (ec3) return fail("write", ec3);
      lowest.expires_after(left());
      http::async_read(stream, buffer, res, [&, fail](beast::error_code ec4, std::size_t) {
        if (ec4) return fail("read", ec4);
        out.status = static_cast<int>(res.result_int());
      });
    });
  };
  resolver.async_resolve(url.host, url.port, [&, left, fail, exchange](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve", ec);
    lowest.expires_after(left());
    lowest.async_connect(results, [&, left, fail, exchange](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) return fail("connect", ec2);
      if (!tls_ctx) return exchange();
      lowest.expires_after(left());
      stream.async_tls_connect(tls_ctx, url.host, [&, fail, exchange](beast::error_code hec) {
        if (hec) return fail("TLS handshake", hec);
        // Nothing is written to a controller whose key is not pinned: the token stays here.
        if (std::string why = tls::check_pin(stream.tls_handle(), url.pins); !why.empty()) {
          out.error = "TLS: " + why;
          return;
        }
        exchange();
      });
    });
  });
}

}  // namespace

HttpReply HttpController::request(const std::string& method, const std::string& target, const std::string& body) {
  // One connection per request: a kiosk makes a few requests a minute, and a fresh
  // connection never trips over one the controller or a NAT closed in between.
  HttpReply out;
  Impl& m = *impl_;
  m.io.restart();
  tcp::resolver resolver(m.io);
  beast::flat_buffer buffer;
  http::request<http::string_body> req{method == "POST" ? http::verb::post : http::verb::get, target, 11};
  req.set(http::field::host, m.url.host);
  req.set(http::field::user_agent, "hallq-node");
  if (!m.token.empty()) req.set(http::field::authorization, "Bearer " + m.token);  // none: sign-in
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::response<http::string_body> res;
  const auto deadline = std::chrono::steady_clock::now() + m.timeout;
  if (m.url.tls && !m.tls) m.tls = tls::client_context();
  const std::shared_ptr<asio::ssl::context> tls_ctx = m.url.tls ? m.tls : nullptr;  // outlives the run below
  tls::ConnStream stream{beast::tcp_stream(m.io)};
  start_exchange(resolver, stream, tls_ctx, m.url, req, buffer, res, out, deadline);
  m.io.run_for(m.timeout + Millis{500});
  if (!m.io.stopped()) {  // the resolver itself hung
    m.io.stop();
    if (out.error.empty()) out.error = "resolve: timed out";
  }
  // One request per connection: closing the socket is enough (no TLS close_notify wait).
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (out.status == 0 && out.error.empty()) out.error = "no answer";
  if (out.status != 0 && !res.body().empty()) {
    boost::system::error_code ec;
    out.body = json::parse(res.body(), ec);
    if (ec) out.body = nullptr;
  }
  return out;
}

HttpReply HttpController::issue(const std::string& service, const std::string& priority, const std::string& request_id) {
  json::object b{{"service", service}, {"priority", priority}, {"channel", "kiosk"}, {"request_id", request_id}};
  return request("POST", "/api/v1/tickets", json::serialize(b));
}

HttpReply HttpController::find_request(const std::string& request_id) {
  return request("GET", "/api/v1/tickets?request_id=" + query_escape(request_id), "");
}

HttpReply HttpController::void_ticket(std::int64_t id, const std::string& reason) {
  return request("POST", "/api/v1/tickets/" + std::to_string(id) + "/void", json::serialize(json::object{{"reason", reason}}));
}

HttpReply HttpController::report(const std::string& printer, bool accepting, const std::string& detail) {
  json::object b{{"printer", printer}, {"accepting", accepting}, {"detail", detail}};
  return request("POST", "/api/v1/devices/" + impl_->device_id + "/status", json::serialize(b));
}

HttpReply HttpController::services() { return request("GET", "/api/v1/services", ""); }
HttpReply HttpController::hall() { return request("GET", "/api/v1/hall", ""); }

}  // namespace hallq::link
