#include "hallq/common/http_reply.hpp"

#include <boost/json.hpp>

namespace hallq::httpd {
namespace json = boost::json;

namespace {

// The length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  const std::size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(k) & 0xc0) != 0x80) return 0;
  if ((c == 0xe0 && b(1) < 0xa0) || (c == 0xed && b(1) > 0x9f) || (c == 0xf0 && b(1) < 0x90) ||
      (c == 0xf4 && b(1) > 0x8f))
    return 0;
  return n;
}

}  // namespace

std::string well_formed_utf8(std::string text) {
  std::size_t i = 0;
  while (i < text.size() && utf8_sequence(text, i)) i += utf8_sequence(text, i);
  if (i == text.size()) return text;
  std::string out = text.substr(0, i);
  while (i < text.size()) {
    const std::size_t n = utf8_sequence(text, i);
    if (n) out.append(text, i, n);
    else out += "\xEF\xBF\xBD";
    i += n ? n : 1;
  }
  return out;
}

Response reply(const Request& req, http::status status, std::string body, std::string_view content_type) {
  Response res{status, req.version()};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  if (status != http::status::no_content) res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_reply(const Request& req, http::status status, const json::value& body) {
  return reply(req, status, well_formed_utf8(json::serialize(body)), "application/json; charset=utf-8");
}

Response error_reply(const Request& req, http::status status, std::string_view code, std::string_view message,
                     std::string_view message_zh) {
  json::object err{{"code", code}, {"message", message}};
  if (!message_zh.empty()) err["message_zh"] = message_zh;
  return json_reply(req, status, json::object{{"error", std::move(err)}});
}

Response page_file(const Request& req, WebFile file) {
  Response res = reply(req, http::status::ok, std::move(file.body), file.content_type);
  res.set(http::field::cache_control, "no-cache");
  set_page_headers(res);
  return res;
}

void set_page_headers(Response& res) {
  res.set("X-Frame-Options", "DENY");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
          "connect-src 'self' ws: wss:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'");
}

std::string query_param(std::string_view target, std::string_view key) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view qs = target.substr(q + 1);
  while (!qs.empty()) {
    auto amp = qs.find('&');
    std::string_view kv = qs.substr(0, amp);
    auto eq = kv.find('=');
    if (kv.substr(0, eq) == key) return std::string(eq == std::string_view::npos ? "" : kv.substr(eq + 1));
    qs = amp == std::string_view::npos ? std::string_view{} : qs.substr(amp + 1);
  }
  return {};
}

}  // namespace hallq::httpd
