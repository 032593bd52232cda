#include "http.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace hallq::api {
namespace json = boost::json;

Response make_json(const Request& req, http::status status, const json::value& body) {
  Response res = httpd::json_reply(req, status, body);
  res.set(http::field::server, "hallq-controller");
  return res;
}

Response make_error(const Request& req, const ApiError& e) {
  Response res = httpd::error_reply(req, static_cast<http::status>(e.status), e.code, e.message, e.message_zh);
  res.set(http::field::server, "hallq-controller");
  return res;
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

Expected<std::pair<Date, Date>, ApiError> date_range_param(std::string_view target) {
  const std::string from = query_param(target, "from"), to = query_param(target, "to");
  const auto f = from.size() == 10 ? parse_date(from) : std::nullopt;
  const auto t = to.size() == 10 ? parse_date(to) : std::nullopt;
  using std::chrono::sys_days;
  if (!f || !t || sys_days{*t} < sys_days{*f} || sys_days{*t} - sys_days{*f} > std::chrono::days{366})
    return unexpected(api_error(422, "invalid_value", "from and to are dates YYYY-MM-DD, from <= to, at most 367 days",
                                "起止日期无效（最长一年）"));
  return std::pair{*f, *t};
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
