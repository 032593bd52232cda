#pragma once
// HTTP answers of the programs that serve pages and a JSON API (the controller, the kiosk's
// local page): JSON and error bodies, the files of a page with the headers that keep it from
// being framed or running foreign scripts, and query parameters.
// Thread-safety: plain functions.
#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

#include "hallq/common/web_files.hpp"

namespace hallq::httpd {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// `body` as `content_type`, not cached, kept alive as the request asked.
Response reply(const Request& req, http::status status, std::string body, std::string_view content_type);
// JSON, written as well-formed UTF-8 (each byte of an ill-formed sequence becomes U+FFFD: not
// every string in an answer went through the parser, an error may quote the request's path).
Response json_reply(const Request& req, http::status status, const boost::json::value& body);
// {"error":{"code","message","message_zh"?}}.
Response error_reply(const Request& req, http::status status, std::string_view code, std::string_view message,
                     std::string_view message_zh = {});
// A page's file (HTML, script, style), revalidated on every load, with set_page_headers.
Response page_file(const Request& req, WebFile file);
// Not framed by other sites; scripts, styles and connections only from the server itself.
void set_page_headers(Response& res);
// The raw value of `key` in the target's query string ("" when absent); not URL-decoded.
std::string query_param(std::string_view target, std::string_view key);
// Text as RFC 8259 wants it on the wire: each byte of an ill-formed UTF-8 sequence replaced.
std::string well_formed_utf8(std::string text);

}  // namespace hallq::httpd
