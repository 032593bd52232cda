#include "server.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "hallq/common/log.hpp"
#include "hallq/common/web_files.hpp"
#include "appointments_api.hpp"
#include "cases_api.hpp"
#include "console_api.hpp"
#include "http.hpp"
#include "reports_api.hpp"
#include "routes.hpp"
#include "security_api.hpp"
#include "ticket_page.hpp"
#include "tickets_api.hpp"

namespace hallq::api {
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {


// ---- routing ----

asio::awaitable<Response> window_command(Hall& hall, const Request& req, const Principal& p,
                                         int window, const std::string& action, const std::string& peer) {
  auto fail = [&](const ApiError& e) { return make_error(req, e); };
  auto body = body_object(req);
  if (!body) co_return fail(body.error());
  if (action == "sign-in") {
    auto clerk = str_field(*body, "clerk", true, 64);
    if (!clerk) co_return fail(clerk.error());
    auto pin = str_field(*body, "pin", true, 128);
    if (!pin) co_return fail(pin.error());
    if (!hall.config().find_window(window)) co_return fail(api_error(404, "unknown_window", "no window " + std::to_string(window), "没有该窗口"));
    auto r = co_await hall.sign_in(window, *clerk, *pin, peer);
    co_return r ? make_json(req, http::status::ok, *r) : fail(r.error());
  }
  if (p.kind == Principal::Kind::None)
    co_return fail(api_error(401, "unauthorized", "sign in at the window first", "请先签到"));
  // A display node carries the caller keypads and evaluators of its windows.
  const bool device_here = p.kind == Principal::Kind::Device && p.device_kind == DeviceKind::Display &&
                           std::find(p.windows.begin(), p.windows.end(), window) != p.windows.end();
  if (action == "rate") {
    // Only the citizen rates, at the window's evaluator: never a clerk or a manager (R-EVAL-1).
    if (!device_here)
      co_return fail(api_error(403, "forbidden", "only the evaluator of window " + std::to_string(window) + " rates its services",
                               "评价只能由群众在本窗口评价器上进行"));
    auto level = int_field(*body, "level", true);
    if (!level) co_return fail(level.error());
    if (*level < 1 || *level > 5) co_return fail(api_error(422, "invalid_value", "field 'level' must be 1..5", "评价等级应为 1 到 5"));
    engine::Command rate = engine::RateService{window, static_cast<int>(*level)};
    Response res = co_await run_command(hall, req, rate, p, http::status::created);
    co_return res;
  }
  static const std::set<std::string> keypad_actions{"call-next", "recall", "skip",  "start", "finish",
                                                    "transfer",  "hold",   "unhold", "pause", "resume"};
  engine::Actor actor = p.actor();
  if (device_here && keypad_actions.contains(action)) {
    // The keypad acts for the clerk signed in at the window; the event names the device.
    const engine::WindowStatus* ws = hall.engine().find_window(window);
    actor = engine::Actor{engine::Actor::Kind::Clerk, ws ? ws->clerk : std::string(), p.id};
  } else if (p.kind != Principal::Kind::Clerk || p.window != window) {
    co_return fail(api_error(403, "forbidden", "this credential is not signed in at window " + std::to_string(window), "您未在该窗口签到"));
  }
  engine::Command cmd;
  store::CommitItem extra;
  if (action == "call-next") cmd = engine::CallNext{window};
  else if (action == "recall") cmd = engine::Recall{window};
  else if (action == "skip") cmd = engine::Skip{window};
  else if (action == "start") cmd = engine::StartService{window};
  else if (action == "finish") {
    // R-CASE-8: the case is registered with the finish, or the clerk says it was an enquiry
    // only ("consultation": true); otherwise the ticket waits on the console's list.
    engine::Finish f{window};
    if (auto* c = body->if_contains("case"); c && !c->is_null()) {
      if (!c->is_object()) co_return fail(api_error(400, "bad_field", "field 'case' must be an object"));
      auto in = parse_case_input(hall, c->as_object());
      if (!in) co_return fail(in.error());
      f.case_input = std::move(*in);
    }
    if (auto* c = body->if_contains("consultation"); c && !c->is_null()) {
      if (!c->is_bool()) co_return fail(api_error(400, "bad_field", "field 'consultation' must be true or false"));
      f.consultation = c->as_bool();
    }
    cmd = std::move(f);
  } else if (action == "transfer") {
    auto svc = str_field(*body, "service", false, 64);
    if (!svc) co_return fail(svc.error());
    auto to = int_field(*body, "window", false);
    if (!to) co_return fail(to.error());
    if (*to < 0 || *to > 999) co_return fail(api_error(422, "invalid_value", "field 'window' must be 1..999"));
    cmd = engine::TransferTicket{window, *svc, static_cast<int>(*to)};
  } else if (action == "hold") cmd = engine::HoldTicket{window};
  else if (action == "unhold") {
    auto t = int_field(*body, "ticket", true);
    if (!t) co_return fail(t.error());
    cmd = engine::UnholdTicket{window, *t};
  } else if (action == "pause") {
    auto reason = str_field(*body, "reason", false, 200);
    if (!reason) co_return fail(reason.error());
    cmd = engine::PauseWindow{window, *reason};
  } else if (action == "resume") cmd = engine::ResumeWindow{window};
  else if (action == "sign-out") {
    // Every session the clerk holds at this window ends with it (a second PC, a keypad's
    // clerk), and their event streams close (issue 26).
    cmd = engine::SignOut{window};
    const std::string clerk = p.kind == Principal::Kind::Clerk ? p.id : actor.id;
    extra.sessions_del = hall.sessions_of(clerk, window);
    if (!p.digest.empty() && std::find(extra.sessions_del.begin(), extra.sessions_del.end(), p.digest) == extra.sessions_del.end())
      extra.sessions_del.push_back(p.digest);
  } else {
    co_return fail(api_error(404, "not_found", "no such window action"));
  }
  auto r = co_await hall.run(cmd, actor, extra);
  if (!r) co_return fail(r.error());
  if (r->is_null()) co_return make_json(req, http::status::no_content, nullptr);
  co_return make_json(req, http::status::ok, *r);
}

asio::awaitable<Response> route(Hall& hall, const Request& req, const std::string& peer) {
  auto fail = [&](const ApiError& e) { return make_error(req, e); };
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  auto parts = split_path(path);
  const auto method = req.method();
  // Only what the route table lists is answered (routes.hpp): the table is the whole API.
  switch (match_route(method, path)) {
    case RouteMatch::Found: break;
    case RouteMatch::WrongMethod: co_return fail(api_error(405, "method_not_allowed", "method not allowed here"));
    case RouteMatch::UnknownPath: co_return fail(api_error(404, "not_found", "no such path: " + std::string(path)));
  }
  if (req.count(http::field::authorization) > 1)
    co_return fail(api_error(400, "bad_request", "more than one Authorization header"));
  if (path.starts_with("/api/"))
    if (auto bad = check_content_type(req)) co_return fail(*bad);
  const std::string bearer = bearer_of(req);
  Principal p = hall.authenticate(bearer);
  if (!bearer.empty() && p.kind == Principal::Kind::None)
    co_return fail(api_error(401, "unauthorized", "the credential is unknown or expired", "凭证无效或已过期，请重新登录"));
  if (p.kind == Principal::Kind::Device && !hall.allow_device_request(p.id))
    co_return fail(api_error(429, "too_many_requests", "too many requests from this device", "请求过于频繁"));
  if (p.kind == Principal::Kind::Device) hall.device_seen(p.id);
  auto method_not_allowed = [&] { return fail(api_error(405, "method_not_allowed", "method not allowed here")); };

  if (path == "/") {
    if (method != http::verb::get) co_return method_not_allowed();
    co_return make_json(req, http::status::ok,
                        json::object{{"service", "hallq-controller"}, {"version", HALLQ_VERSION},
                                     {"centre", hall.config().centre.name},
                                     {"links", json::object{{"health", "/api/v1/health"}, {"hall", "/api/v1/hall"},
                                                            {"services", "/api/v1/services"}, {"events", "/api/v1/events?since=0"},
                                                            {"metrics", "/metrics"}}}});
  }
  if (path == "/metrics") {
    if (method != http::verb::get) co_return method_not_allowed();
    Response res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.keep_alive(req.keep_alive());
    res.body() = render_metrics(hall);
    res.prepare_payload();
    co_return res;
  }
  if (path == "/board" || path == "/counter" || path == "/admin" || (parts.size() == 2 && parts[0] == "web")) {
    // The pages (docs/pages.md): /board, /counter and
    // /admin, and their scripts and styles under /web/.
    if (method != http::verb::get) co_return method_not_allowed();
    const std::string file = path == "/board"     ? "board.html"
                             : path == "/counter" ? "counter.html"
                             : path == "/admin"   ? "admin.html"
                                                  : std::string(parts[1]);
    auto f = read_web_file(hall.web_dir(), file);
    if (!f) co_return fail(api_error(404, "not_found", "no such file: " + std::string(path)));
    Response res{http::status::ok, req.version()};
    res.set(http::field::content_type, f->content_type);
    res.set(http::field::cache_control, "no-cache");
    set_page_headers(res);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(f->body);
    res.prepare_payload();
    co_return res;
  }
  if (parts.size() == 2 && parts[0] == "t") {
    const std::int64_t id = to_int(parts[1]).value_or(0);
    Response res = co_await ticket_page(hall, req, id, peer);
    co_return res;
  }
  if (parts.size() < 2 || parts[0] != "api" || parts[1] != "v1")
    co_return fail(api_error(404, "not_found", "no such path: " + std::string(path)));
  parts.erase(parts.begin(), parts.begin() + 2);
  if (parts.empty()) co_return fail(api_error(404, "not_found", "no such path"));

  if (parts.size() == 1 && parts[0] == "health") {
    if (method != http::verb::get) co_return method_not_allowed();
    co_return make_json(req, http::status::ok,
                        json::object{{"status", "ok"}, {"seq", hall.published_seq()}, {"version", HALLQ_VERSION},
                                     {"centre", hall.config().centre.name}, {"time", format_rfc3339(hall.now(), hall.timezone())}});
  }
  if (parts.size() == 1 && parts[0] == "events") {
    // The event stream is a WebSocket (the upgrade is taken before routing).
    Response res = make_error(req, api_error(426, "upgrade_required", "the event stream is a WebSocket: send Upgrade: websocket"));
    res.set(http::field::upgrade, "websocket");
    co_return res;
  }
  if (parts.size() == 1 && parts[0] == "hall") {
    if (method != http::verb::get) co_return method_not_allowed();
    co_return make_json(req, http::status::ok, hall.snapshot(p.kind != Principal::Kind::None));
  }
  if (parts.size() == 1 && parts[0] == "services") {
    if (method != http::verb::get) co_return method_not_allowed();
    co_return make_json(req, http::status::ok, json::object{{"services", hall.services_json()}});
  }
  {
    std::optional<Response> r = co_await ticket_routes(hall, req, p, parts, peer);
    if (r) co_return std::move(*r);
  }
  if (parts[0] == "windows" && parts.size() == 3) {
    auto n = to_int(parts[1]);
    if (!n || *n < 1 || *n > 999) co_return fail(api_error(404, "unknown_window", "no such window"));
    if (parts[2] == "console") {
      // The clerk console's view of the window: its clerk, or a manager.
      if (method != http::verb::get) co_return method_not_allowed();
      if (p.kind == Principal::Kind::None)
        co_return fail(api_error(401, "unauthorized", "sign in at the window first", "请先签到"));
      const bool staff = p.kind == Principal::Kind::Manager || p.kind == Principal::Kind::Admin;
      if (!staff && !(p.kind == Principal::Kind::Clerk && p.window == *n))
        co_return fail(api_error(403, "forbidden", "this credential is not signed in at window " + std::to_string(*n), "您未在该窗口签到"));
      auto view = console_json(hall, p, static_cast<int>(*n));
      if (!view) co_return fail(api_error(404, "unknown_window", "no window " + std::to_string(*n), "没有该窗口"));
      co_return make_json(req, http::status::ok, *view);
    }
    if (method != http::verb::post) co_return method_not_allowed();
    const std::string action(parts[2]);
    Response res = co_await window_command(hall, req, p, static_cast<int>(*n), action, peer);
    co_return res;
  }
  if (parts[0] == "devices" && parts.size() == 3 && parts[2] == "status") {
    if (method != http::verb::post) co_return method_not_allowed();
    if (p.kind != Principal::Kind::Device) co_return fail(api_error(401, "unauthorized", "a device credential is required"));
    if (parts[1] != p.id) co_return fail(api_error(403, "forbidden", "a device reports only its own status"));
    auto body = body_object(req);
    if (!body) co_return fail(body.error());
    auto printer = str_field(*body, "printer", true, 32);
    if (!printer) co_return fail(printer.error());
    auto detail = str_field(*body, "detail", false, 200);
    if (!detail) co_return fail(detail.error());
    bool accepting = false;
    if (auto* a = body->if_contains("accepting")) {
      if (!a->is_bool()) co_return fail(api_error(422, "invalid_value", "accepting must be true or false"));
      accepting = a->as_bool();
    } else {
      co_return fail(api_error(422, "missing_field", "accepting is required"));
    }
    auto reply = [&] {
      for (auto& d : hall.devices_json())
        if (d.as_object().at("id").as_string() == p.id) return make_json(req, http::status::ok, d);
      return make_json(req, http::status::ok, nullptr);
    };
    // A heartbeat that changes nothing is answered without a commit.
    auto it = hall.engine().devices().find(p.id);
    if (it != hall.engine().devices().end() && it->second.printer == *printer && it->second.accepting == accepting &&
        engine::valid_printer_state(*printer))
      co_return reply();
    const engine::Command cmd = engine::ReportDevice{*printer, accepting, *detail};
    const engine::Actor actor = p.actor();
    store::CommitItem extra;
    auto r = co_await hall.run(cmd, actor, extra);
    if (!r) co_return fail(r.error());
    co_return reply();
  }
  if (parts.size() == 1 && parts[0] == "complaints" && method == http::verb::post) {
    // R-COMP-1: recorded from a kiosk, the counter or the manager (the list and the answers:
    // reports_api).
    if (p.kind == Principal::Kind::None || (p.kind == Principal::Kind::Device && p.device_kind != DeviceKind::Kiosk))
      co_return fail(api_error(401, "unauthorized", "a kiosk, clerk or manager credential is required"));
    auto body = body_object(req);
    if (!body) co_return fail(body.error());
    engine::FileComplaint fc;
    if (auto* cats = body->if_contains("categories")) {
      if (!cats->is_array() || cats->as_array().size() > 7)
        co_return fail(api_error(400, "bad_field", "categories must be an array of at most 7 strings"));
      for (const auto& c : cats->as_array()) {
        if (!c.is_string()) co_return fail(api_error(400, "bad_field", "categories must be an array of strings"));
        fc.categories.emplace_back(c.as_string());
      }
    }
    auto content = str_field(*body, "content", false, 2000);
    if (!content) co_return fail(content.error());
    auto name = str_field(*body, "name", false, 64);
    if (!name) co_return fail(name.error());
    auto phone = str_field(*body, "phone", false, 15);
    if (!phone) co_return fail(phone.error());
    if (auto* w = body->if_contains("window"); w && !w->is_null()) {
      if (!w->is_int64() || w->as_int64() < 0 || w->as_int64() > 999)
        co_return fail(api_error(400, "bad_field", "window must be a window number"));
      fc.window = static_cast<int>(w->as_int64());
    }
    // Staff may name the clerk complained about; a kiosk names the window only.
    auto clerk = str_field(*body, "clerk", false, 64);
    if (!clerk) co_return fail(clerk.error());
    if (!clerk->empty() && p.kind == Principal::Kind::Device)
      co_return fail(api_error(422, "invalid_value", "a kiosk names the window, not the clerk", "取号机投诉只能选择窗口"));
    if (!phone->empty() && (phone->size() < 7 || !std::all_of(phone->begin(), phone->end(), [](char c) { return c >= '0' && c <= '9'; })))
      co_return fail(api_error(422, "invalid_value", "phone is 7 to 15 digits", "电话号码应为 7 至 15 位数字"));
    // R-COMP-1: the complainant's name and phone are kept for the answer, sealed like an
    // applicant's: masked on every screen and event, purged with their month (seal.hpp).
    auto sealed_name = hall.seal(Personal::Name, *name);
    if (!sealed_name) co_return fail(sealed_name.error());
    auto sealed_phone = hall.seal(Personal::Phone, *phone);
    if (!sealed_phone) co_return fail(sealed_phone.error());
    fc.clerk = *clerk;
    fc.content = *content;
    fc.name = std::move(*sealed_name);
    fc.phone = std::move(*sealed_phone);
    const engine::Command cmd = std::move(fc);
    Response res = co_await run_command(hall, req, cmd, p, http::status::created);
    co_return res;
  }
  if (parts[0] == "help-requests") {
    // 帮办代办: a kiosk calls a staff member; a clerk or the manager answers (docs/api.md).
    const bool staff = p.kind == Principal::Kind::Clerk || p.kind == Principal::Kind::Manager || p.kind == Principal::Kind::Admin;
    if (parts.size() == 1 && method == http::verb::get) {
      if (p.kind == Principal::Kind::None) co_return fail(api_error(401, "unauthorized", "a device, clerk or manager credential is required"));
      co_return make_json(req, http::status::ok, json::object{{"help_requests", hall.help_json()}});
    }
    if (parts.size() == 1) {
      if (method != http::verb::post) co_return method_not_allowed();
      if (p.kind != Principal::Kind::Device || p.device_kind != DeviceKind::Kiosk)
        co_return fail(api_error(401, "unauthorized", "a kiosk credential is required"));
      auto body = body_object(req);
      if (!body) co_return fail(body.error());
      auto kind = str_field(*body, "kind", false, 16);
      if (!kind) co_return fail(kind.error());
      const engine::Command cmd = engine::RequestHelp{kind->empty() ? "help" : *kind};
      Response res = co_await run_command(hall, req, cmd, p, http::status::ok);
      co_return res;
    }
    auto id = to_int(parts[1]);
    if (parts.size() == 3 && parts[2] == "answer" && id) {
      if (method != http::verb::post) co_return method_not_allowed();
      if (!staff) co_return fail(api_error(401, "unauthorized", "a clerk or manager credential is required"));
      const engine::Command cmd = engine::AnswerHelp{*id};
      Response res = co_await run_command(hall, req, cmd, p, http::status::ok);
      co_return res;
    }
    co_return fail(api_error(404, "not_found", "no such path"));
  }
  if (parts.size() == 1 && parts[0] == "sessions") {
    if (method == http::verb::post) {
      auto body = body_object(req);
      if (!body) co_return fail(body.error());
      auto user = str_field(*body, "user", true, 64);
      if (!user) co_return fail(user.error());
      auto password = str_field(*body, "password", true, 128);
      if (!password) co_return fail(password.error());
      auto r = co_await hall.open_session(*user, *password, peer);
      co_return r ? make_json(req, http::status::created, *r) : fail(r.error());
    }
    if (method == http::verb::delete_) {
      if (p.kind != Principal::Kind::Manager && p.kind != Principal::Kind::Admin)
        co_return fail(api_error(401, "unauthorized", "no manager session"));
      auto body = body_object(req);
      if (!body) co_return fail(body.error());
      bool everywhere = false;
      if (auto* e = body->if_contains("everywhere"); e && !e->is_null()) {
        if (!e->is_bool()) co_return fail(api_error(400, "bad_field", "field 'everywhere' must be true or false"));
        everywhere = e->as_bool();
      }
      auto r = co_await hall.close_session(p, everywhere);
      co_return r ? make_json(req, http::status::ok, *r) : fail(r.error());
    }
    co_return method_not_allowed();
  }
  {
    std::optional<Response> r = co_await case_routes(hall, req, p, parts);
    if (r) co_return std::move(*r);
  }
  {
    std::optional<Response> r = co_await oversight_routes(hall, req, p, parts);
    if (r) co_return std::move(*r);
  }
  {
    std::optional<Response> r = co_await appointment_routes(hall, req, p, parts);
    if (r) co_return std::move(*r);
  }
  {
    std::optional<Response> r = co_await security_routes(hall, req, p, parts);
    if (r) co_return std::move(*r);
  }
  co_return fail(api_error(404, "not_found", "no such path: " + std::string(path)));
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
