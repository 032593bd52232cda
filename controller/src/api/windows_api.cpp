// The window part of the route table (routes.hpp): a clerk signs in with the PIN, reads the
// window's console, works the queue from the counter PC or the display node's keypad, signs
// out; the window's evaluator rates the service (R-EVAL-1). The router has checked the route's
// access against window {n} before a handler runs.
#include <boost/json.hpp>

#include <algorithm>
#include <array>

#include "cases_api.hpp"
#include "console_api.hpp"
#include "routes.hpp"

namespace hallq::api {
namespace json = boost::json;

namespace {

// Window {n}: the router has checked it is 1..999 for every Window* access.
int window_number(const Call& c) { return static_cast<int>(c.number().value_or(0)); }

asio::awaitable<Response> sign_in(const Call& c) {
  const auto n = c.number();
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto clerk = str_field(*body, "clerk", true, 64);
  if (!clerk) co_return c.fail(clerk.error());
  auto pin = str_field(*body, "pin", true, 128);
  if (!pin) co_return c.fail(pin.error());
  if (!n || *n < 1 || *n > 999 || !c.hall.config().find_window(static_cast<int>(*n)))
    co_return c.fail(api_error(404, "unknown_window", "no window " + std::string(c.params.at(0)), "没有该窗口"));
  auto r = co_await c.hall.sign_in(static_cast<int>(*n), *clerk, *pin, c.peer);
  co_return r ? c.answer(http::status::ok, *r) : c.fail(r.error());
}

// The clerk console's view of the window: its clerk, or a manager.
asio::awaitable<Response> console(const Call& c) {
  const int n = window_number(c);
  auto view = console_json(c.hall, c.p, n);
  if (!view) co_return c.fail(api_error(404, "unknown_window", "no window " + std::to_string(n), "没有该窗口"));
  co_return c.answer(http::status::ok, *view);
}

// Runs a window command as the caller: the clerk, or for a display node's keypad the clerk
// signed in at the window (the event names the device as `via`).
asio::awaitable<Response> run_at_window(const Call& c, const engine::Command& cmd, store::CommitItem& extra) {
  engine::Actor actor = c.p.actor();
  if (c.p.kind == Principal::Kind::Device) {
    const engine::WindowStatus* ws = c.hall.engine().find_window(window_number(c));
    actor = engine::Actor{engine::Actor::Kind::Clerk, ws ? ws->clerk : std::string(), c.p.id};
  }
  auto r = co_await c.hall.run(cmd, actor, extra);
  if (!r) co_return c.fail(r.error());
  if (r->is_null()) co_return c.answer(http::status::no_content, nullptr);
  co_return c.answer(http::status::ok, *r);
}

// The same, with nothing to commit beside the command's events (only sign-out has more).
asio::awaitable<Response> run_at_window(const Call& c, const engine::Command& cmd) {
  store::CommitItem extra;
  Response res = co_await run_at_window(c, cmd, extra);
  co_return res;
}

// A window action whose command needs nothing but the window (the body must still be JSON).
template <typename Cmd>
asio::awaitable<Response> plain_action(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  const engine::Command cmd = Cmd{window_number(c)};
  Response res = co_await run_at_window(c, cmd);
  co_return res;
}

// R-CASE-8: the case is registered with the finish, or the clerk says it was an enquiry only
// ("consultation": true); otherwise the ticket waits on the console's list.
asio::awaitable<Response> finish(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  engine::Finish f{window_number(c)};
  if (auto* v = body->if_contains("case"); v && !v->is_null()) {
    if (!v->is_object()) co_return c.fail(api_error(400, "bad_field", "field 'case' must be an object"));
    auto in = parse_case_input(c.hall, v->as_object());
    if (!in) co_return c.fail(in.error());
    f.case_input = std::move(*in);
  }
  if (auto* v = body->if_contains("consultation"); v && !v->is_null()) {
    if (!v->is_bool()) co_return c.fail(api_error(400, "bad_field", "field 'consultation' must be true or false"));
    f.consultation = v->as_bool();
  }
  const engine::Command cmd = std::move(f);
  Response res = co_await run_at_window(c, cmd);
  co_return res;
}

asio::awaitable<Response> transfer(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto svc = str_field(*body, "service", false, 64);
  if (!svc) co_return c.fail(svc.error());
  auto to = int_field(*body, "window", false);
  if (!to) co_return c.fail(to.error());
  if (*to < 0 || *to > 999) co_return c.fail(api_error(422, "invalid_value", "field 'window' must be 1..999"));
  const engine::Command cmd = engine::TransferTicket{window_number(c), *svc, static_cast<int>(*to)};
  Response res = co_await run_at_window(c, cmd);
  co_return res;
}

asio::awaitable<Response> unhold(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto t = int_field(*body, "ticket", true);
  if (!t) co_return c.fail(t.error());
  const engine::Command cmd = engine::UnholdTicket{window_number(c), *t};
  Response res = co_await run_at_window(c, cmd);
  co_return res;
}

asio::awaitable<Response> pause_window(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto reason = str_field(*body, "reason", false, 200);
  if (!reason) co_return c.fail(reason.error());
  const engine::Command cmd = engine::PauseWindow{window_number(c), *reason};
  Response res = co_await run_at_window(c, cmd);
  co_return res;
}

// Every session the clerk holds at this window ends with it (a second PC), and their event
// streams close (issue 26).
asio::awaitable<Response> sign_out(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  const int n = window_number(c);
  store::CommitItem extra;
  extra.sessions_del = c.hall.sessions_of(c.p.id, n);
  if (!c.p.digest.empty() &&
      std::find(extra.sessions_del.begin(), extra.sessions_del.end(), c.p.digest) == extra.sessions_del.end())
    extra.sessions_del.push_back(c.p.digest);
  const engine::Command cmd = engine::SignOut{n};
  Response res = co_await run_at_window(c, cmd, extra);
  co_return res;
}

// Only the citizen rates, at the window's evaluator: never a clerk or a manager (R-EVAL-1).
asio::awaitable<Response> rate_service(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto level = int_field(*body, "level", true);
  if (!level) co_return c.fail(level.error());
  if (*level < 1 || *level > 5) co_return c.fail(api_error(422, "invalid_value", "field 'level' must be 1..5", "评价等级应为 1 到 5"));
  const engine::Command cmd = engine::RateService{window_number(c), static_cast<int>(*level)};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

using boost::beast::http::verb;
using enum Access;
namespace e = engine;

const std::array kWindowRoutes{
    Route{verb::post, "/api/v1/windows/{n}/sign-in", Pin, sign_in},
    Route{verb::get, "/api/v1/windows/{n}/console", WindowConsole, console},
    Route{verb::post, "/api/v1/windows/{n}/call-next", WindowKeypad, plain_action<e::CallNext>},
    Route{verb::post, "/api/v1/windows/{n}/recall", WindowKeypad, plain_action<e::Recall>},
    Route{verb::post, "/api/v1/windows/{n}/skip", WindowKeypad, plain_action<e::Skip>},
    Route{verb::post, "/api/v1/windows/{n}/start", WindowKeypad, plain_action<e::StartService>},
    Route{verb::post, "/api/v1/windows/{n}/finish", WindowKeypad, finish},
    Route{verb::post, "/api/v1/windows/{n}/transfer", WindowKeypad, transfer},
    Route{verb::post, "/api/v1/windows/{n}/hold", WindowKeypad, plain_action<e::HoldTicket>},
    Route{verb::post, "/api/v1/windows/{n}/unhold", WindowKeypad, unhold},
    Route{verb::post, "/api/v1/windows/{n}/pause", WindowKeypad, pause_window},
    Route{verb::post, "/api/v1/windows/{n}/resume", WindowKeypad, plain_action<e::ResumeWindow>},
    Route{verb::post, "/api/v1/windows/{n}/sign-out", WindowClerk, sign_out},
    Route{verb::post, "/api/v1/windows/{n}/rate", WindowEvaluator, rate_service},
};

}  // namespace

std::span<const Route> window_routes() { return kWindowRoutes; }

}  // namespace hallq::api
