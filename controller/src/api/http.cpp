#include "http.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace hallq::api {
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

// JSON text as RFC 8259 wants it on the wire, UTF-8: each byte of an ill-formed sequence
// becomes U+FFFD. Boost.JSON writes strings byte for byte, and not every string in an answer
// went through its parser: an error names the request's path, which may hold any byte.
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

}  // namespace

Response make_json(const Request& req, http::status status, const json::value& body) {
  Response res{status, req.version()};
  res.set(http::field::server, "hallq-controller");
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  if (status != http::status::no_content) res.body() = well_formed_utf8(json::serialize(body));
  res.prepare_payload();
  return res;
}

Response make_error(const Request& req, const ApiError& e) {
  json::object err{{"code", e.code}, {"message", e.message}};
  if (!e.message_zh.empty()) err["message_zh"] = e.message_zh;
  return make_json(req, static_cast<http::status>(e.status), json::object{{"error", std::move(err)}});
}

ApiError api_error(int status, std::string code, std::string message, std::string zh) {
  return ApiError{status, std::move(code), std::move(message), std::move(zh)};
}

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto n = path.find('/');
    parts.push_back(path.substr(0, n));
    path = n == std::string_view::npos ? std::string_view{} : path.substr(n);
  }
  return parts;
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

std::string bearer_of(const Request& req) {
  auto h = req[http::field::authorization];
  constexpr std::string_view kPrefix = "Bearer ";
  if (h.size() <= kPrefix.size() || h.substr(0, kPrefix.size()) != kPrefix) return {};
  return std::string(h.substr(kPrefix.size()));
}

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}
}  // namespace

std::optional<ApiError> check_content_type(const Request& req) {
  if (req.body().empty()) return std::nullopt;
  std::string type = lower(req[http::field::content_type]);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type == "application/json") return std::nullopt;
  return api_error(415, "unsupported_media_type", "the body must be sent as Content-Type: application/json",
                   "请求内容须为 JSON（Content-Type: application/json）");
}

std::optional<ApiError> check_transfer_encoding(const Request& req) {
  if (req.count(http::field::transfer_encoding) == 0) return std::nullopt;
  if (req.count(http::field::transfer_encoding) == 1 && lower(req[http::field::transfer_encoding]) == "chunked")
    return std::nullopt;
  return api_error(400, "bad_request", "only Transfer-Encoding: chunked is accepted");
}

void set_page_headers(Response& res) {
  res.set("X-Frame-Options", "DENY");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
          "connect-src 'self' ws: wss:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'");
}

// The JSON body as an object; an empty body is an empty object.
Expected<json::object, ApiError> body_object(const Request& req) {
  if (req.body().empty()) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(req.body(), ec);
  if (ec) return unexpected(api_error(400, "bad_json", "the body is not valid JSON: " + ec.message()));
  if (!v.is_object()) return unexpected(api_error(400, "bad_json", "the body must be a JSON object"));
  return std::move(v.as_object());
}

bool clean_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    if (c == 0x7f) return false;
    // C1 controls U+0080..U+009F: C2 80..C2 9F in UTF-8.
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f) return false;
    // U+202A..U+202E: E2 80 AA..AE; U+2066..U+2069: E2 81 A6..A9.
    if (c == 0xe2 && i + 2 < s.size()) {
      const auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      if (b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) return false;
      if (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9) return false;
    }
  }
  return true;
}

// Field readers: absent -> fallback (or 400 if required), wrong type -> 400.
Expected<std::string, ApiError> str_field(const json::object& o, const char* key, bool required,
                                          std::size_t max_len) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required) return unexpected(api_error(400, "bad_field", std::string("missing field '") + key + "'"));
    return std::string();
  }
  if (!v->is_string()) return unexpected(api_error(400, "bad_field", std::string("field '") + key + "' must be a string"));
  if (v->as_string().size() > max_len)
    return unexpected(api_error(422, "invalid_value", std::string("field '") + key + "' is too long"));
  if (!clean_text(v->as_string()))
    return unexpected(api_error(422, "invalid_value", std::string("field '") + key + "' holds control characters",
                                "输入内容含有不可见的控制字符"));
  return std::string(v->as_string());
}

Expected<std::int64_t, ApiError> int_field(const json::object& o, const char* key, bool required) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required) return unexpected(api_error(400, "bad_field", std::string("missing field '") + key + "'"));
    return std::int64_t{0};
  }
  if (!v->is_int64()) return unexpected(api_error(400, "bad_field", std::string("field '") + key + "' must be an integer"));
  return v->as_int64();
}


// Runs `cmd` as the principal and answers with its result (`ok` status) or its error.
asio::awaitable<Response> run_command(Hall& hall, const Request& req, const engine::Command& cmd,
                                      const Principal& p, http::status ok) {
  const engine::Actor actor = p.actor();
  store::CommitItem extra;
  auto r = co_await hall.run(cmd, actor, extra);
  if (!r) co_return make_error(req, r.error());
  // A new ticket's reply carries its QR's secret for the kiosk that prints it (R-EVAL-1).
  if ((std::holds_alternative<engine::IssueTicket>(cmd) || std::holds_alternative<engine::CheckInAppointment>(cmd)) &&
      r->is_object())
    hall.add_rate_key(r->as_object(), p);
  co_return make_json(req, ok, *r);
}

}  // namespace hallq::api
