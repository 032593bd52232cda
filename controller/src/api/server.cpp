#include "server.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "hallq/common/log.hpp"
#include "http.hpp"
#include "routes.hpp"

namespace hallq::api {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// The table admits the request (routes.hpp), the credential is checked once against the
// route's access, and the route's handler answers.
asio::awaitable<Response> route(Hall& hall, const Request& req, const std::string& peer) {
  auto fail = [&](const ApiError& e) { return make_error(req, e); };
  const std::string_view target = req.target();
  const std::string_view path = target.substr(0, target.find('?'));
  Matched m = match_route(req.method(), target);
  switch (m.result) {
    case RouteMatch::Found: break;
    case RouteMatch::WrongMethod: co_return fail(api_error(405, "method_not_allowed", "method not allowed here"));
    case RouteMatch::UnknownPath: co_return fail(api_error(404, "not_found", "no such path: " + std::string(path)));
  }
  if (req.count(http::field::authorization) > 1)
    co_return fail(api_error(400, "bad_request", "more than one Authorization header"));
  if (path.starts_with("/api/"))
    if (auto bad = check_content_type(req)) co_return fail(*bad);
  const std::string bearer = bearer_of(req);
  const Principal p = hall.authenticate(bearer);
  if (!bearer.empty() && p.kind == Principal::Kind::None)
    co_return fail(api_error(401, "unauthorized", "the credential is unknown or expired", "凭证无效或已过期，请重新登录"));
  if (p.kind == Principal::Kind::Device && !hall.allow_device_request(p.id))
    co_return fail(api_error(429, "too_many_requests", "too many requests from this device", "请求过于频繁"));
  if (p.kind == Principal::Kind::Device) hall.device_seen(p.id);
  const Call call{hall, req, p, peer, std::move(m.params)};
  if (auto refused = authorize(m.route->access, call)) co_return fail(*refused);
  Response res = co_await m.route->handler(call);
  co_return res;
}

}  // namespace

asio::awaitable<Response> handle_request(Hall& hall, const Request& req, const std::string& peer) {
  try {
    Response res = co_await route(hall, req, peer);
    co_return res;
  } catch (const std::exception& e) {
    logger("api")->error("{} {}: {}", std::string(req.method_string()), std::string(req.target()), e.what());
  }
  co_return make_error(req, api_error(500, "internal", "internal error"));
}

}  // namespace hallq::api
