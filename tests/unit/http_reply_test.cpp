// The answers the controller and the kiosk's local page share (hallq/common/http_reply.hpp).
#include "hallq/common/http_reply.hpp"

#include <boost/json.hpp>

#include "hallq_catch.hpp"

namespace httpd = hallq::httpd;
namespace http = boost::beast::http;

namespace {

httpd::Request get(bool keep_alive) {
  httpd::Request req{http::verb::get, "/x", 11};
  req.keep_alive(keep_alive);
  return req;
}

}  // namespace

TEST_CASE("JSON answers are well-formed UTF-8 whatever the strings held", "[http_reply]") {
  // "\xC3\xA9" is é; "\xFF", a lone continuation byte, a surrogate (ED A0 80) and an overlong
  // slash (C0 AF) are not UTF-8 and become U+FFFD each byte.
  CHECK(httpd::well_formed_utf8("caf\xC3\xA9 \xE5\x8F\xB7") == "caf\xC3\xA9 \xE5\x8F\xB7");
  CHECK(httpd::well_formed_utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(httpd::well_formed_utf8("\x80") == "\xEF\xBF\xBD");
  CHECK(httpd::well_formed_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(httpd::well_formed_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(httpd::well_formed_utf8("\xE5\x8F") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
  const auto res = httpd::error_reply(get(true), http::status::not_found, "not_found", "no such path: /\xFF");
  CHECK(res.result() == http::status::not_found);
  CHECK(res[http::field::content_type] == "application/json; charset=utf-8");
  CHECK(res[http::field::cache_control] == "no-store");
  CHECK(res.keep_alive());
  const auto v = boost::json::parse(res.body());  // throws if the body were not valid JSON text
  CHECK(v.at("error").at("message").as_string() == "no such path: /\xEF\xBF\xBD");
  CHECK_FALSE(v.at("error").as_object().contains("message_zh"));
  const auto zh = httpd::error_reply(get(false), http::status::forbidden, "forbidden", "no", "不可");
  CHECK(boost::json::parse(zh.body()).at("error").at("message_zh").as_string() == "不可");
  CHECK_FALSE(zh.keep_alive());
}

TEST_CASE("a page's file is revalidated and kept from other sites", "[http_reply]") {
  const auto res = httpd::page_file(get(true), hallq::WebFile{"<p>hi</p>", "text/html; charset=utf-8"});
  CHECK(res.body() == "<p>hi</p>");
  CHECK(res[http::field::cache_control] == "no-cache");
  CHECK(res["X-Frame-Options"] == "DENY");
  CHECK(res["Referrer-Policy"] == "no-referrer");
  const std::string csp(res["Content-Security-Policy"]);
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(res[http::field::content_length] == "9");
}

TEST_CASE("query parameters are read raw by exact key", "[http_reply]") {
  CHECK(httpd::query_param("/a?x=1&xy=2&y=", "x") == "1");
  CHECK(httpd::query_param("/a?x=1&xy=2&y=", "xy") == "2");
  CHECK(httpd::query_param("/a?x=1&xy=2&y=", "y").empty());
  CHECK(httpd::query_param("/a?x=1&xy=2&y=", "z").empty());
  CHECK(httpd::query_param("/a", "x").empty());
  CHECK(httpd::query_param("/a?k=%41", "k") == "%41");  // not decoded
  CHECK(httpd::query_param("/a?&&k=v", "k") == "v");
}
