#pragma once
// HTTP helpers shared by the controller's routes: JSON answers and errors, body and query
// readers with bounds, and running an engine command as the request's principal.
// Thread-safety: plain functions; run_command runs on the I/O thread like the Hall.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hall.hpp"
#include "hallq/common/http_reply.hpp"

namespace hallq::api {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response make_json(const Request& req, http::status status, const boost::json::value& body);
Response make_error(const Request& req, const ApiError& e);
ApiError api_error(int status, std::string code, std::string message, std::string zh = {});
std::optional<std::int64_t> to_int(std::string_view s);
std::vector<std::string_view> split_path(std::string_view path);
// The token of an "Authorization: Bearer" header ("" when there is none).
std::string bearer_of(const Request& req);
// Issue 26: a request body the API takes must say it is JSON (Content-Type application/json),
// so that a web page in a LAN browser cannot post to the API as a "simple" form or text
// request; 415 otherwise. Bodyless requests pass.
std::optional<ApiError> check_content_type(const Request& req);
// Issue 26: a Transfer-Encoding other than exactly "chunked" is refused (400): the body would
// otherwise be taken for the next request on the connection (request smuggling).
std::optional<ApiError> check_transfer_encoding(const Request& req);
using httpd::query_param;
using httpd::set_page_headers;
// The period of a report or list: from=YYYY-MM-DD&to=YYYY-MM-DD in the target, from <= to,
// at most 367 days; 422 otherwise.
Expected<std::pair<Date, Date>, ApiError> date_range_param(std::string_view target);
// The JSON body as an object; an empty body is an empty object.
Expected<boost::json::object, ApiError> body_object(const Request& req);
// Whether text from a request may be kept, shown and printed: no C0/C1 control characters
// but tab and line breaks (a printer takes ESC and GS as commands), no DEL, and no Unicode
// direction overrides or isolates (U+202A..U+202E, U+2066..U+2069) that make a name read as
// something else on a screen. The JSON parser has already refused invalid UTF-8.
bool clean_text(std::string_view s);
// Field readers: absent -> "" / 0 (or 400 if required), wrong type -> 400, too long -> 422,
// control characters -> 422 (clean_text).
Expected<std::string, ApiError> str_field(const boost::json::object& o, const char* key, bool required,
                                          std::size_t max_len = 256);
Expected<std::int64_t, ApiError> int_field(const boost::json::object& o, const char* key, bool required);
// Runs `cmd` as the principal and answers with its result (`ok` status) or its error.
asio::awaitable<Response> run_command(Hall& hall, const Request& req, const engine::Command& cmd,
                                      const Principal& p, http::status ok);

}  // namespace hallq::api
