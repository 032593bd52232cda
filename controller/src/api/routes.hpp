#pragma once
// The controller's route table: every method and path it answers, who may call it, and the
// handler that answers it. The router admits only what the table lists (anything else is 404,
// or 405 for a known path with another method) and checks the route's access before the
// handler runs, so the table is the whole API and the one place that says who may call what.
// `hallq-controller --list-routes` prints it; the credential test walks it
// (tests/integration/test_security.py); docs/api.md's route list is generated from it.
// Each concern's file declares its own part of the table (tickets_api, cases_api, ...).
// Thread-safety: the table is immutable data; handlers run on the I/O thread like the Hall.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http.hpp"

namespace hallq::api {

// Who may call a route. The router checks the principal against it before the handler runs
// (authorize); what depends on the thing acted on (a case's window, a ticket's issuer) is the
// handler's or the engine's to check.
enum class Access {  // what each means: kAccess in routes.cpp, and docs/api.md
  Anyone, Credential, Kiosk, KioskOrStaff, Staff, Clerk, CaseClerk, CaseOwnClerk, Manager,
  WindowClerk, WindowConsole, WindowKeypad, WindowEvaluator, OwnDevice, TicketKey, Pin, Password,
};

// One request as its handler sees it: the principal has passed the route's access check.
struct Call {
  Hall& hall;
  const Request& req;
  const Principal& p;
  const std::string& peer;                // the client's address
  std::vector<std::string_view> params;  // the path's {name} segments, in order

  Response fail(const ApiError& e) const { return make_error(req, e); }
  Response answer(http::status s, const boost::json::value& v) const { return make_json(req, s, v); }
  std::string query(std::string_view key) const { return query_param(req.target(), key); }
  // The {name} segment `i` as a number; nullopt when it is not one.
  std::optional<std::int64_t> number(std::size_t i = 0) const {
    return i < params.size() ? to_int(params[i]) : std::nullopt;
  }
};

// Handlers take the call by reference: the router keeps it alive while they run (GCC 12
// coroutine parameters, hall.hpp).
using Handler = asio::awaitable<Response> (*)(const Call&);

struct Route {
  boost::beast::http::verb method;
  std::string_view path;  // segments; "{name}" matches any one segment; "?…" documents the query
  Access access;
  Handler handler;
};

// The parts of the table, one per concern, and the whole of it in that order.
std::span<const Route> page_routes();         // public_api.cpp
std::span<const Route> ticket_routes();       // tickets_api.cpp
std::span<const Route> window_routes();       // windows_api.cpp
std::span<const Route> desk_routes();         // desk_api.cpp
std::span<const Route> case_routes();         // cases_api.cpp
std::span<const Route> appointment_routes();  // appointments_api.cpp
std::span<const Route> oversight_routes();    // reports_api.cpp
std::span<const Route> security_routes();     // security_api.cpp
std::span<const Route> routes();
std::string_view access_name(Access a);
std::string_view access_meaning(Access a);

enum class RouteMatch { Found, UnknownPath, WrongMethod };
struct Matched {
  RouteMatch result = RouteMatch::UnknownPath;
  const Route* route = nullptr;          // when Found
  std::vector<std::string_view> params;  // the {name} segments of `target`, when Found
};
// The route the table admits for `method` on `target` (a query is allowed). Two routes that
// differ only in their documented query are told apart by its first key: the one whose key
// the target's query carries, else the first listed.
Matched match_route(boost::beast::http::verb method, std::string_view target);

// Whether `c.p` may call a route with `access`: nullopt, or the refusal (401 without a
// credential, 403 with the wrong one, 404 for a window number that cannot exist).
std::optional<ApiError> authorize(Access access, const Call& c);

// The table as JSON text, one route per element: [{"method","path","access","meaning"}, ...].
std::string routes_json();

}  // namespace hallq::api
