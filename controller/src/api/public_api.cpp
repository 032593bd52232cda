// The public part of the route table (routes.hpp): the pages and their files, the phone's
// ticket page, and the reads that need no credential (health, the hall, the services).
#include <boost/json.hpp>

#include <array>

#include "hallq/common/web_files.hpp"
#include "routes.hpp"
#include "server.hpp"
#include "ticket_page.hpp"

namespace hallq::api {
namespace json = boost::json;

namespace {

asio::awaitable<Response> root_index(const Call& c) {
  const json::object links{{"health", "/api/v1/health"}, {"hall", "/api/v1/hall"}, {"services", "/api/v1/services"},
                           {"events", "/api/v1/events?since=0"}, {"metrics", "/metrics"}};
  co_return c.answer(http::status::ok, json::object{{"service", "hallq-controller"}, {"version", HALLQ_VERSION},
                                                    {"centre", c.hall.config().centre.name}, {"links", links}});
}

asio::awaitable<Response> metrics(const Call& c) {
  co_return httpd::reply(c.req, http::status::ok, render_metrics(c.hall), "text/plain; version=0.0.4");
}

// The pages (docs/pages.md) and their scripts and styles under /web/.
Response web_file(const Call& c, const std::string& file) {
  auto f = read_web_file(c.hall.web_dir(), file);
  if (!f) return c.fail(api_error(404, "not_found", "no such file: " + file));
  return httpd::page_file(c.req, std::move(*f));
}

asio::awaitable<Response> board_page(const Call& c) { co_return web_file(c, "board.html"); }
asio::awaitable<Response> counter_page(const Call& c) { co_return web_file(c, "counter.html"); }
asio::awaitable<Response> admin_page(const Call& c) { co_return web_file(c, "admin.html"); }
asio::awaitable<Response> web_asset(const Call& c) { co_return web_file(c, std::string(c.params.at(0))); }

asio::awaitable<Response> phone_page(const Call& c) {
  const std::int64_t id = c.number().value_or(0);
  Response res = co_await ticket_page(c.hall, c.req, id, c.peer);
  co_return res;
}

asio::awaitable<Response> health(const Call& c) {
  Hall& hall = c.hall;
  co_return c.answer(http::status::ok,
                     json::object{{"status", "ok"}, {"seq", hall.published_seq()}, {"version", HALLQ_VERSION},
                                  {"centre", hall.config().centre.name},
                                  {"time", format_rfc3339(hall.now(), hall.timezone())}});
}

asio::awaitable<Response> hall_view(const Call& c) {
  co_return c.answer(http::status::ok, c.hall.snapshot(c.p.kind != Principal::Kind::None));
}

asio::awaitable<Response> services(const Call& c) {
  co_return c.answer(http::status::ok, json::object{{"services", c.hall.services_json()}});
}

// The event stream is a WebSocket: the upgrade is taken before routing, so a plain GET is told.
asio::awaitable<Response> events_not_upgraded(const Call& c) {
  Response res = c.fail(api_error(426, "upgrade_required", "the event stream is a WebSocket: send Upgrade: websocket"));
  res.set(http::field::upgrade, "websocket");
  co_return res;
}

using boost::beast::http::verb;
using enum Access;

const std::array kPageRoutes{
    Route{verb::get, "/", Anyone, root_index},
    Route{verb::get, "/metrics", Anyone, metrics},
    Route{verb::get, "/board", Anyone, board_page},
    Route{verb::get, "/counter", Anyone, counter_page},
    Route{verb::get, "/admin", Anyone, admin_page},
    Route{verb::get, "/web/{file}", Anyone, web_asset},
    Route{verb::get, "/t/{id}", Anyone, phone_page},
    Route{verb::post, "/t/{id}", TicketKey, phone_page},
    Route{verb::get, "/api/v1/health", Anyone, health},
    Route{verb::get, "/api/v1/hall", Anyone, hall_view},
    Route{verb::get, "/api/v1/services", Anyone, services},
    Route{verb::get, "/api/v1/events?since={seq}", Anyone, events_not_upgraded},
};

}  // namespace

std::span<const Route> page_routes() { return kPageRoutes; }

}  // namespace hallq::api
