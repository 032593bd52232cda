#include "server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <deque>
#include <set>

#include "hallq/common/log.hpp"
#include "hallq/common/web_files.hpp"
#include "appointments_api.hpp"
#include "conn_stream.hpp"
#include "cases_api.hpp"
#include "console_api.hpp"
#include "http.hpp"
#include "reports_api.hpp"
#include "routes.hpp"
#include "ticket_page.hpp"

namespace hallq::api {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = 64 * 1024;
constexpr std::size_t kWsQueueLimit = 4096;  // a client this far behind is told to resync
constexpr int kBacklogLimit = 10000;         // beyond this a client must resync from /hall
// Connections being served ([server] max_connections); one I/O thread, so a plain counter.
int g_connections = 0;

std::string bearer_of(const Request& req) {
  auto h = req[http::field::authorization];
  constexpr std::string_view kPrefix = "Bearer ";
  if (h.size() <= kPrefix.size() || h.substr(0, kPrefix.size()) != kPrefix) return {};
  return std::string(h.substr(kPrefix.size()));
}

std::string render_metrics(Hall& hall) {
  const Metrics& m = hall.metrics();
  std::string o;
  auto line = [&](const std::string& s) { o += s; o += '\n'; };
  line("# HELP hallq_tickets_issued_total Tickets issued since start.");
  line("# TYPE hallq_tickets_issued_total counter");
  line("hallq_tickets_issued_total " + std::to_string(m.tickets_issued));
  line("# HELP hallq_tickets_called_total Tickets called since start.");
  line("# TYPE hallq_tickets_called_total counter");
  line("hallq_tickets_called_total " + std::to_string(m.tickets_called));
  line("# HELP hallq_events_total Events committed and published since start.");
  line("# TYPE hallq_events_total counter");
  line("hallq_events_total " + std::to_string(m.events));
  line("# HELP hallq_commit_transactions_total SQLite transactions (group commits).");
  line("# TYPE hallq_commit_transactions_total counter");
  line("hallq_commit_transactions_total " + std::to_string(m.commits));
  line("# HELP hallq_commit_failures_total Commands refused because their commit failed.");
  line("# TYPE hallq_commit_failures_total counter");
  line("hallq_commit_failures_total " + std::to_string(m.commit_failures));
  line("# HELP hallq_rate_limited_total Requests answered 429.");
  line("# TYPE hallq_rate_limited_total counter");
  line("hallq_rate_limited_total " + std::to_string(m.rejected_429));
  line("# HELP hallq_waiting_tickets Tickets waiting, per service.");
  line("# TYPE hallq_waiting_tickets gauge");
  for (const auto& s : hall.config().services)
    line("hallq_waiting_tickets{service=\"" + s.id + "\"} " + std::to_string(hall.engine().waiting_count(s.id)));
  line("# HELP hallq_window_pause_overrun Windows paused past policy.pause_alert_minutes (R-AB-3), 1 each.");
  line("# TYPE hallq_window_pause_overrun gauge");
  for (const auto& w : hall.engine().windows())
    line("hallq_window_pause_overrun{window=\"" + std::to_string(w.number) + "\"} " +
         (w.paused && w.pause_alerted ? "1" : "0"));
  line("# HELP hallq_alerts What needs the manager now, per kind (README \"Alerts\"; GET /api/v1/alerts lists them).");
  line("# TYPE hallq_alerts gauge");
  {
    std::map<std::string, int> counts;
    for (const char* k : {"pause_overrun", "window_unstaffed", "printer_out", "printer_near_end", "device_offline",
                          "case_overdue", "case_due_today", "complaint_overdue", "complaint_due_today", "follow_up",
                          "help_waiting", "appointment_unanswered", "appointment_due_today"})
      counts[k] = 0;
    for (const auto& a : hall_alerts(hall)) counts[std::string(a.as_object().at("kind").as_string())]++;
    for (const auto& [k, n] : counts) line("hallq_alerts{kind=\"" + k + "\"} " + std::to_string(n));
  }
  line("# HELP hallq_connections Connections being served (pages, devices, event streams).");
  line("# TYPE hallq_connections gauge");
  line("hallq_connections " + std::to_string(g_connections));
  line("# HELP hallq_connections_refused_total Connections answered 503 at [server] max_connections.");
  line("# TYPE hallq_connections_refused_total counter");
  line("hallq_connections_refused_total " + std::to_string(m.connections_refused));
  line("# HELP hallq_slow_requests_cut_total Requests not complete within [server] request_timeout_s, cut off.");
  line("# TYPE hallq_slow_requests_cut_total counter");
  line("hallq_slow_requests_cut_total " + std::to_string(m.slow_requests_cut));
  line("# HELP hallq_tls_handshake_failures_total Connections to server.tls_listen that did not complete a TLS handshake (plain HTTP included).");
  line("# TYPE hallq_tls_handshake_failures_total counter");
  line("hallq_tls_handshake_failures_total " + std::to_string(m.tls_handshakes_failed));
  line("# HELP hallq_websocket_clients Event stream subscribers.");
  line("# TYPE hallq_websocket_clients gauge");
  line("hallq_websocket_clients " + std::to_string(hall.subscriber_count()));
  line("# HELP hallq_tickets_voided_total Tickets voided by their kiosk because they did not print.");
  line("# TYPE hallq_tickets_voided_total counter");
  line("hallq_tickets_voided_total " + std::to_string(m.tickets_voided));
  line("# HELP hallq_complaints_total Complaints recorded (R-COMP-1), from kiosks, counters and managers.");
  line("# TYPE hallq_complaints_total counter");
  line("hallq_complaints_total " + std::to_string(hall.engine().complaints_filed()));
  line("# HELP hallq_appointments_unanswered Appointment requests not answered within one working day (R-APPT-1).");
  line("# TYPE hallq_appointments_unanswered gauge");
  line("hallq_appointments_unanswered " + std::to_string(hall.engine().unanswered_appointments(hall.now())));
  line("# HELP hallq_help_requests_open Help requests (帮办代办) from kiosks that no staff member answered yet.");
  line("# TYPE hallq_help_requests_open gauge");
  line("hallq_help_requests_open " + std::to_string(hall.engine().open_help().size()));
  line("# HELP hallq_device_up Whether the device was heard from within policy.device_offline_after_s.");
  line("# TYPE hallq_device_up gauge");
  for (const auto& d : hall.config().devices)
    line("hallq_device_up{device=\"" + d.id + "\"} " + (hall.device_online(d.id) ? "1" : "0"));
  line("# HELP hallq_device_accepting Whether the kiosk offers tickets (0 while its printer cannot print).");
  line("# TYPE hallq_device_accepting gauge");
  line("# HELP hallq_device_printer_status The printer state a device last reported (1 for the current state).");
  line("# TYPE hallq_device_printer_status gauge");
  std::string printer_lines;
  for (const auto& d : hall.config().devices) {
    auto it = hall.engine().devices().find(d.id);
    if (it == hall.engine().devices().end()) continue;
    line("hallq_device_accepting{device=\"" + d.id + "\"} " + (it->second.accepting ? "1" : "0"));
    for (const char* st : {"ok", "near_end", "paper_out", "cover_open", "offline", "error", "unknown", "none"})
      printer_lines += "hallq_device_printer_status{device=\"" + d.id + "\",state=\"" + st + "\"} " +
                       (it->second.printer == st ? "1" : "0") + "\n";
  }
  o += printer_lines;
  line("# HELP hallq_request_duration_seconds HTTP request handling time.");
  line("# TYPE hallq_request_duration_seconds histogram");
  for (std::size_t i = 0; i < Metrics::kBuckets.size(); ++i) {
    char le[32];
    std::snprintf(le, sizeof le, "%g", Metrics::kBuckets[i]);
    line(std::string("hallq_request_duration_seconds_bucket{le=\"") + le + "\"} " + std::to_string(m.latency_counts[i]));
  }
  line("hallq_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(m.latency_count));
  line("hallq_request_duration_seconds_sum " + std::to_string(m.latency_sum));
  line("hallq_request_duration_seconds_count " + std::to_string(m.latency_count));
  return o;
}

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
    cmd = engine::SignOut{window};
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
    // The pages (README "Wall board", "Clerk console", "Manager's page"): /board, /counter and
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
    res.keep_alive(req.keep_alive());
    res.body() = std::move(f->body);
    res.prepare_payload();
    co_return res;
  }
  if (parts.size() == 2 && parts[0] == "t") {
    const std::int64_t id = to_int(parts[1]).value_or(0);
    Response res = co_await ticket_page(hall, req, id);
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
  if (parts[0] == "tickets") {
    if (parts.size() == 1 && method == http::verb::get && !query_param(req.target(), "number").empty()) {
      // A citizen asks a kiosk how far today's ticket A012 is (the kiosk's progress screen).
      if (p.kind == Principal::Kind::None)
        co_return fail(api_error(401, "unauthorized", "a device, clerk or manager credential is required"));
      std::string number = query_param(req.target(), "number");
      bool plain = number.size() <= 16 && std::all_of(number.begin(), number.end(), [](char c) {
                     return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                   });
      if (!plain) co_return fail(api_error(422, "invalid_value", "number is a ticket number such as A012"));
      auto t = hall.ticket_by_number(number);
      if (!t) co_return fail(api_error(404, "unknown_ticket", "no ticket with this number today", "今日没有该号码"));
      co_return make_json(req, http::status::ok, *t);
    }
    if (parts.size() == 1 && method == http::verb::get) {
      // A kiosk whose issue request went unanswered asks what became of it (README "Printing").
      if (p.kind == Principal::Kind::None || (p.kind == Principal::Kind::Device && p.device_kind != DeviceKind::Kiosk))
        co_return fail(api_error(401, "unauthorized", "a kiosk, clerk or manager credential is required"));
      std::string rid = query_param(req.target(), "request_id");
      if (rid.empty() || rid.size() > 64) co_return fail(api_error(422, "invalid_value", "give request_id (1..64 characters)"));
      auto id = hall.engine().find_request(rid);
      auto t = id ? hall.ticket(*id) : std::nullopt;
      if (t && p.kind == Principal::Kind::Device) {
        auto* by = t->if_contains("issued_by");
        if (!by || !by->is_string() || by->as_string() != p.id) t.reset();
      }
      if (!t) co_return fail(api_error(404, "unknown_request", "no ticket was issued today for this request id", "今日没有该请求的号码"));
      hall.add_rate_key(*t);
      co_return make_json(req, http::status::ok, *t);
    }
    if (parts.size() == 1) {
      if (method != http::verb::post) co_return method_not_allowed();
      if (p.kind == Principal::Kind::None) co_return fail(api_error(401, "unauthorized", "a kiosk or clerk credential is required"));
      if (p.kind == Principal::Kind::Device && p.device_kind != DeviceKind::Kiosk)
        co_return fail(api_error(403, "forbidden", "only kiosks issue tickets"));
      auto body = body_object(req);
      if (!body) co_return fail(body.error());
      auto service = str_field(*body, "service", true, 64);
      if (!service) co_return fail(service.error());
      auto prio = str_field(*body, "priority", false, 32);
      if (!prio) co_return fail(prio.error());
      auto chan = str_field(*body, "channel", false, 32);
      if (!chan) co_return fail(chan.error());
      auto rid = str_field(*body, "request_id", false, 64);
      if (!rid) co_return fail(rid.error());
      auto priority = engine::parse_priority(prio->empty() ? "normal" : *prio);
      if (!priority) co_return fail(api_error(422, "invalid_value", "priority must be normal, elderly, disabled, pregnant or appointment"));
      std::string default_channel = p.kind == Principal::Kind::Device ? "kiosk" : "counter";
      auto channel = engine::parse_channel(chan->empty() ? default_channel : *chan);
      if (!channel) co_return fail(api_error(422, "invalid_value", "channel must be kiosk, counter, appointment or phone"));
      const engine::Command cmd = engine::IssueTicket{*service, *priority, *channel, *rid};
      Response res = co_await run_command(hall, req, cmd, p, http::status::created);
      co_return res;
    }
    auto id = to_int(parts[1]);
    if (!id) co_return fail(api_error(404, "unknown_ticket", "no such ticket"));
    if (parts.size() == 2) {
      if (method != http::verb::get) co_return method_not_allowed();
      auto t = hall.ticket(*id);
      if (!t) co_return fail(api_error(404, "unknown_ticket", "no such ticket", "没有该号码"));
      co_return make_json(req, http::status::ok, *t);
    }
    if (parts.size() == 3 && parts[2] == "rating") {
      // R-EVAL-1: a late rating by whoever holds the ticket, its QR's key the proof: a kiosk
      // that scanned the QR, or the phone page (no credential). Clerks and managers never rate.
      if (method != http::verb::post) co_return method_not_allowed();
      const bool kiosk = p.kind == Principal::Kind::Device && p.device_kind == DeviceKind::Kiosk;
      if (p.kind != Principal::Kind::None && !kiosk)
        co_return fail(api_error(403, "forbidden", "only the citizen rates a service, at a kiosk or on the ticket's page",
                                 "评价只能由群众本人进行"));
      auto body = body_object(req);
      if (!body) co_return fail(body.error());
      auto level = int_field(*body, "level", true);
      if (!level) co_return fail(level.error());
      if (*level < 1 || *level > 5)
        co_return fail(api_error(422, "invalid_value", "level must be 1..5", "评价等级应为 1 到 5"));
      auto key = str_field(*body, "key", true, 64);
      if (!key) co_return fail(key.error());
      if (!hall.sealer() || !hall.sealer()->ticket_key_ok(*id, *key))
        co_return fail(api_error(403, "wrong_key", "the key does not belong to this ticket", "号票二维码无效"));
      const engine::Command cmd = engine::RateTicket{*id, static_cast<int>(*level), kiosk ? "kiosk" : "phone"};
      Response res = co_await run_command(hall, req, cmd, p, http::status::created);
      co_return res;
    }
    if (parts.size() == 3 && parts[2] == "void") {
      if (method != http::verb::post) co_return method_not_allowed();
      if (p.kind != Principal::Kind::Device || p.device_kind != DeviceKind::Kiosk)
        co_return fail(api_error(401, "unauthorized", "only the kiosk that issued a ticket can void it"));
      auto body = body_object(req);
      if (!body) co_return fail(body.error());
      auto reason = str_field(*body, "reason", true, 32);
      if (!reason) co_return fail(reason.error());
      const engine::Command cmd = engine::VoidTicket{*id, *reason};
      const engine::Actor actor = p.actor();
      store::CommitItem extra;
      auto r = co_await hall.run(cmd, actor, extra);
      if (!r && (r.error().code == "unknown_ticket" || r.error().code == "wrong_state")) {
        // A retried void (its answer was lost on the way) is answered like the first one.
        auto t = hall.ticket(*id);
        auto* by = t ? t->if_contains("issued_by") : nullptr;
        auto* st = t ? t->if_contains("state") : nullptr;
        if (st && st->is_string() && st->as_string() == "voided" && by && by->is_string() && by->as_string() == p.id)
          co_return make_json(req, http::status::ok, *t);
      }
      if (!r) co_return fail(r.error());
      co_return make_json(req, http::status::ok, *r);
    }
    if (parts.size() == 3 && (parts[2] == "cancel" || parts[2] == "return")) {
      if (method != http::verb::post) co_return method_not_allowed();
      if (p.kind == Principal::Kind::None || (p.kind == Principal::Kind::Device && p.device_kind != DeviceKind::Kiosk))
        co_return fail(api_error(401, "unauthorized", "a kiosk, clerk or manager credential is required"));
      auto body = body_object(req);
      if (!body) co_return fail(body.error());
      engine::Command cmd = engine::ReturnNoShow{*id};
      if (parts[2] == "cancel") {
        auto reason = str_field(*body, "reason", false, 200);
        if (!reason) co_return fail(reason.error());
        cmd = engine::CancelTicket{*id, *reason};
      }
      Response res = co_await run_command(hall, req, cmd, p, http::status::ok);
      co_return res;
    }
    co_return fail(api_error(404, "not_found", "no such path"));
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
    // 帮办代办: a kiosk calls a staff member; a clerk or the manager answers (README "API").
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
      auto r = co_await hall.close_session(p);
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
  co_return fail(api_error(404, "not_found", "no such path: " + std::string(path)));
}

// ---- WebSocket event stream ----

class WsSession final : public Subscriber, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(ConnStream stream, Hall& hall, bool full_view)
      : ws_(std::move(stream)), hall_(hall), full_(full_view), signal_(ws_.get_executor()) {
    signal_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  void deliver(const WireEvent& e) override {
    if (closed_) return;
    if (resyncing_) {
      // The client was told to start over from a snapshot; it needs nothing older than it.
      if (queue_.size() >= kWsQueueLimit) return;
    } else if (queue_.size() >= kWsQueueLimit) {
      // A slow client never grows memory: its backlog is dropped and it is told to fetch
      // /api/v1/hall (whose seq it then resumes from) instead of being disconnected.
      logger("api")->warn("event subscriber fell {} events behind; sending resync", queue_.size());
      queue_.clear();
      queue_.push_back(resync_message(e.seq - 1));
      resyncing_ = true;
    }
    queue_.push_back(full_ ? e.full : e.public_);
    signal_.cancel_one();
  }

  asio::awaitable<void> run(const Request& req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4096);
    beast::get_lowest_layer(ws_).expires_never();
    auto [ec] = co_await ws_.async_accept(req, use_tuple);
    if (ec) co_return;
    std::string since_s = query_param(req.target(), "since");
    if (!since_s.empty()) {
      auto since = to_int(since_s);
      std::int64_t upto = hall_.published_seq();
      if (since && *since >= 0) {
        auto backlog = hall_.events_since(*since, kBacklogLimit + 1);
        if (static_cast<int>(backlog.size()) > kBacklogLimit) {
          queue_.push_back(resync_message(upto));
        } else {
          for (const auto& e : backlog) {
            if (e.seq > upto) break;  // published later through deliver()
            auto w = to_wire(e, hall_.timezone());
            queue_.push_back(full_ ? w.full : w.public_);
          }
        }
      }
    }
    hall_.subscribe(shared_from_this());
    asio::co_spawn(ws_.get_executor(), read_loop(shared_from_this()), asio::detached);
    while (!closed_) {
      if (queue_.empty()) {
        co_await signal_.async_wait(use_tuple);
        continue;
      }
      auto msg = queue_.front();
      queue_.pop_front();
      if (queue_.empty()) resyncing_ = false;
      ws_.text(true);
      auto [wec, n] = co_await ws_.async_write(asio::buffer(*msg), use_tuple);
      if (wec) break;
    }
    closed_ = true;
    hall_.unsubscribe(this);
  }

 private:
  static std::shared_ptr<const std::string> resync_message(std::int64_t seq) {
    return std::make_shared<const std::string>(json::serialize(json::object{
        {"type", "resync"}, {"seq", seq},
        {"message", "too far behind: fetch /api/v1/hall, then follow events after its seq"}}));
  }

  // Reads (and ignores) what the client sends, so pings and the close handshake work.
  static asio::awaitable<void> read_loop(std::shared_ptr<WsSession> self) {
    beast::flat_buffer buf;
    for (;;) {
      auto [ec, n] = co_await self->ws_.async_read(buf, use_tuple);
      if (ec) break;
      buf.consume(buf.size());
    }
    self->closed_ = true;
    self->signal_.cancel();
  }

  websocket::stream<ConnStream> ws_;
  Hall& hall_;
  bool full_;
  asio::steady_timer signal_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool closed_ = false;
  bool resyncing_ = false;  // a resync is queued and the backlog was dropped
};

// A session holds a connection slot from its start to its end, whatever ends it.
struct ConnectionSlot {
  ConnectionSlot() { ++g_connections; }
  ~ConnectionSlot() { --g_connections; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
};

std::string peer_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? "?" : ep.address().to_string();
}

// Serves requests on one connection until it closes, errs or idles out. `buffer` may hold
// bytes already read. Returns true when the connection became an event stream (the stream
// was moved into its WebSocket session, which has ended by then).
asio::awaitable<bool> serve_requests(ConnStream& stream, beast::flat_buffer& buffer, Hall& hall, const std::string& peer) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    parser.header_limit(16 * 1024);
    const ServerConfig& sc = hall.config().server;
    if (buffer.size() == 0) {
      // Between requests a connection may idle; once a request's first byte is here, all of
      // it must follow within request_timeout_s (a slow sender is cut off: slowloris).
      tcp_layer.expires_after(std::chrono::seconds{sc.idle_timeout_s});
      auto [iec, in] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
      if (iec) break;
      buffer.commit(in);
    }
    tcp_layer.expires_after(std::chrono::seconds{sc.request_timeout_s});
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec == http::error::end_of_stream || ec == asio::error::eof) break;
    if (ec == beast::error::timeout) {
      hall.metrics().slow_requests_cut++;
      break;
    }
    if (ec) {
      Request dummy;
      dummy.version(11);
      dummy.keep_alive(false);
      ApiError e = ec == http::error::body_limit
                       ? api_error(413, "body_too_large", "the body is over 64 KiB")
                       : api_error(400, "bad_request", "malformed HTTP request: " + ec.message());
      auto res = make_error(dummy, e);
      tcp_layer.expires_after(5s);
      co_await http::async_write(stream, res, use_tuple);
      break;
    }
    Request req = parser.release();
    if (websocket::is_upgrade(req)) {
      std::string_view path = req.target();
      path = path.substr(0, path.find('?'));
      if (path != "/api/v1/events") {
        auto res = make_error(req, api_error(404, "not_found", "WebSocket is served at /api/v1/events"));
        co_await http::async_write(stream, res, use_tuple);
        break;
      }
      Principal p = hall.authenticate(bearer_of(req));
      if (p.kind == Principal::Kind::None) {
        std::string t = query_param(req.target(), "token");  // browsers cannot set headers on WebSocket
        p = hall.authenticate(t);
      }
      auto ws = std::make_shared<WsSession>(std::move(stream), hall, p.kind != Principal::Kind::None);
      co_await ws->run(req);
      co_return true;
    }
    auto t0 = std::chrono::steady_clock::now();
    hall.metrics().requests++;
    Response res = co_await handle_request(hall, req, peer);
    hall.metrics().observe_latency(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    bool keep = res.keep_alive();
    tcp_layer.expires_after(30s);  // a client that does not read its answer is cut off
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !keep) break;
  }
  co_return false;
}

asio::awaitable<void> http_session(tcp::socket socket, Hall& hall) {
  ConnectionSlot slot;
  const std::string peer = peer_of(socket);
  ConnStream stream{beast::tcp_stream(std::move(socket))};
  beast::flat_buffer buffer(16 * 1024);
  if (co_await serve_requests(stream, buffer, hall, peer)) co_return;
  boost::system::error_code ignore;
  stream.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignore);
}

// A connection to the TLS listener: HTTPS, and WSS for the event stream. Someone speaking
// plain HTTP to it (a browser or curl given http://) is told in plain HTTP where to go.
asio::awaitable<void> tls_session(tcp::socket socket, Hall& hall, std::shared_ptr<ssl::context> ctx) {
  ConnectionSlot slot;
  const std::string peer = peer_of(socket);
  ConnStream stream{beast::tcp_stream(std::move(socket))};
  beast::flat_buffer buffer(16 * 1024);
  stream.next_layer().expires_after(std::chrono::seconds{hall.config().server.request_timeout_s});
  auto [dec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, use_tuple);
  if (dec) {
    if (dec == beast::error::timeout) hall.metrics().slow_requests_cut++;
    co_return;
  }
  if (!is_tls) {
    hall.metrics().tls_handshakes_failed++;
    Request dummy;
    dummy.version(11);
    dummy.keep_alive(false);
    auto res = make_error(dummy, api_error(400, "tls_required",
                                           "this port serves HTTPS only: use https:// (plain HTTP is on server.listen)"));
    stream.next_layer().expires_after(5s);
    co_await http::async_write(stream, res, use_tuple);
    boost::system::error_code ignore;
    stream.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignore);
    co_return;
  }
  auto [hec, used] = co_await stream.async_tls_accept(ctx, buffer.data(), use_tuple);
  if (hec) {
    hall.metrics().tls_handshakes_failed++;
    logger("api")->debug("TLS handshake with {} failed: {}", peer, hec.message());
    co_return;
  }
  buffer.consume(used);
  if (co_await serve_requests(stream, buffer, hall, peer)) co_return;
  // close_notify, bounded: a peer that never answers it costs at most two seconds.
  stream.next_layer().expires_after(2s);
  auto [sec] = co_await stream.async_teardown(beast::role_type::server, use_tuple);
  (void)sec;
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

asio::awaitable<void> serve(tcp::acceptor& acceptor, Hall& hall, TlsContext* tls) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      logger("api")->warn("accept failed: {}", ec.message());
      continue;
    }
    if (g_connections >= hall.config().server.max_connections) {
      // Over the limit: a short answer without a coroutine or a buffer, then close.
      static constexpr std::string_view kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
          "Retry-After: 1\r\nContent-Length: 84\r\n\r\n"
          "{\"error\":{\"code\":\"too_many_connections\",\"message\":\"the controller is at its limit\"}}";
      boost::system::error_code ignore;
      socket.non_blocking(true, ignore);
      socket.write_some(asio::buffer(kBusy), ignore);
      socket.close(ignore);
      hall.metrics().connections_refused++;
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    auto done = [](std::exception_ptr e) {
                     if (!e) return;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& x) {
                       logger("api")->error("connection failed: {}", x.what());
                     }
    };
    if (tls)
      asio::co_spawn(acceptor.get_executor(), tls_session(std::move(socket), hall, tls->current), done);
    else
      asio::co_spawn(acceptor.get_executor(), http_session(std::move(socket), hall), done);
  }
}

}  // namespace hallq::api
