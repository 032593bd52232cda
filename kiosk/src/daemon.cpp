#include "daemon.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "hallq/common/awaitable.hpp"
#include "hallq/common/json_fields.hpp"
#include "hallq/common/log.hpp"
#include "hallq/common/http_reply.hpp"
#include "hallq/common/push_socket.hpp"
#include "hallq/common/serial_worker.hpp"
#include "hallq/common/web_files.hpp"
#include "hallq/escpos/glyphs.hpp"
#include "hallq/kiosk/journal.hpp"
#include "hallq/escpos/qr_svg.hpp"
#include "hallq/kiosk/ticket_desk.hpp"
#include "hallq/link/hall_link.hpp"

namespace hallq::kiosk {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

using json_fields::str;

// R-APPT-1: the desk checks a booking in on its own link to the controller, as it issues.
DeskOptions with_check_in(DeskOptions o, HttpController& api) {
  o.check_in = [&api](const std::string& code, const std::string& request_id) {
    json::object body{{"code", code}, {"request_id", request_id}};
    return api.request("POST", "/api/v1/appointments/check-in", json::serialize(body));
  };
  return o;
}

}  // namespace

struct Daemon::Workers {
  Workers(const KioskConfig& c, const ControllerUrl& url, DeskOptions opt, escpos::PrinterSpec spec)
      : journal(c.data_dir + "/journal.json"),
        desk_api(url, c.id, c.token),
        printer(std::move(spec), escpos::PrinterTimeouts{}),
        desk(with_check_in(std::move(opt), desk_api), desk_api, printer, journal),
        lookup_api(url, c.id, c.token, Millis{3000}) {}
  Journal journal;
  HttpController desk_api;
  EscposTicketPrinter printer;
  TicketDesk desk;
  HttpController lookup_api;
  // In order, each on a thread of its own: the desk blocks on the printer and the network.
  std::unique_ptr<SerialWorker> desk_thread, lookup_thread;
  std::unique_ptr<link::HallLink> link;
};

// ---- the local page and API ----
namespace {

using httpd::Request;
using httpd::Response;
using httpd::json_reply;
using httpd::query_param;

Response error_reply(const Request& req, http::status st, std::string_view code, std::string_view message) {
  return httpd::error_reply(req, st, code, message);
}

// A file straight in the web folder, by a plain name: no paths, no dot-files.
Response static_file(const Request& req, const std::string& dir, std::string name) {
  if (name.empty()) name = "index.html";
  auto f = read_web_file(dir, name);
  if (!f) return error_reply(req, http::status::not_found, "not_found", "no such file");
  return httpd::page_file(req, std::move(*f));
}

// The page's state stream: only the newest state matters to a page, so a slow page skips
// the states it had no time for.
class StreamSession final : public StateSubscriber, public std::enable_shared_from_this<StreamSession> {
 public:
  explicit StreamSession(beast::tcp_stream s) : push_(std::move(s)) {}
  void deliver(std::shared_ptr<const std::string> state) override {
    latest_ = std::move(state);
    push_.wake();
  }
  asio::awaitable<void> run(const Request& req, Daemon& d) {
    push_.ws().set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    push_.ws().read_message_max(4096);
    push_.ws().auto_fragment(false);  // one state, one frame
    beast::get_lowest_layer(push_.ws()).expires_never();
    if (!co_await push_.accept(req)) co_return;
    latest_ = std::make_shared<const std::string>(json::serialize(d.state()));
    d.subscribe(shared_from_this());
    const std::shared_ptr<void> owner = shared_from_this();
    const std::function<std::shared_ptr<const std::string>()> take = [this] { return std::exchange(latest_, nullptr); };
    co_await push_.pump(owner, take);
  }

 private:
  PushSocket<beast::tcp_stream> push_;
  std::shared_ptr<const std::string> latest_;
};

Response route(Daemon& d, const Request& req) {
  std::string target(req.target());
  std::string path = target.substr(0, target.find('?'));
  if (path == "/api/state") {
    if (req.method() != http::verb::get) return error_reply(req, http::status::method_not_allowed, "method_not_allowed", "GET only");
    return json_reply(req, http::status::ok, d.state());
  }
  if (path == "/api/health") return json_reply(req, http::status::ok, json::object{{"status", "ok"}});
  if (path == "/api/qr.svg") {
    // The QR of an item's guide (only those: this is not a QR code service).
    if (req.method() != http::verb::get) return error_reply(req, http::status::method_not_allowed, "method_not_allowed", "GET only");
    std::string url = d.guide_url(query_param(target, "service"), query_param(target, "item"));
    auto svg = url.empty() ? std::nullopt : escpos::qr_svg(url);
    if (!svg) return error_reply(req, http::status::not_found, "not_found", "no guide for this item");
    Response res = httpd::reply(req, http::status::ok, std::move(*svg), "image/svg+xml");
    res.set(http::field::cache_control, "max-age=60");
    return res;
  }
  if (path == "/api/event") {
    if (req.method() != http::verb::post) return error_reply(req, http::status::method_not_allowed, "method_not_allowed", "POST only");
    boost::system::error_code ec;
    json::value v = json::parse(req.body(), ec);
    if (ec || !v.is_object()) return error_reply(req, http::status::bad_request, "bad_json", "the body must be a JSON object");
    auto* type = v.as_object().if_contains("type");
    auto* value = v.as_object().if_contains("value");
    if (!type || !type->is_string() || type->as_string().size() > 32 || (value && !value->is_string()) ||
        (value && value->as_string().size() > 256))
      return error_reply(req, http::status::bad_request, "bad_field", "give {\"type\": string, \"value\": string}");
    FlowEvent e{std::string(type->as_string()), value ? std::string(value->as_string()) : std::string()};
    auto r = d.event(e);
    if (!r) return error_reply(req, http::status::conflict, "refused", r.error());
    return json_reply(req, http::status::ok, *r);
  }
  if (path.rfind("/api/", 0) == 0) return error_reply(req, http::status::not_found, "not_found", "no such path");
  if (req.method() != http::verb::get) return error_reply(req, http::status::method_not_allowed, "method_not_allowed", "GET only");
  return static_file(req, d.web_dir(), path.substr(1));
}

asio::awaitable<void> session(tcp::socket socket, Daemon& d) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(8 * 1024);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(16 * 1024);
    stream.expires_after(60s);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) break;
    Request req = parser.release();
    if (!d.local_request(req[http::field::host], req[http::field::origin])) {
      logger("kiosk")->warn("local API: refused {} {} for Host '{}' Origin '{}'", std::string(req.method_string()),
                            std::string(req.target()), std::string(req[http::field::host]), std::string(req[http::field::origin]));
      Response res = error_reply(req, http::status::forbidden, "forbidden_origin",
                                "the kiosk's local API answers its own page only");
      res.keep_alive(false);
      co_await http::async_write(stream, res, use_tuple);
      break;
    }
    if (websocket::is_upgrade(req)) {
      std::string target(req.target());
      if (target.substr(0, target.find('?')) != "/api/stream") break;
      auto s = std::make_shared<StreamSession>(std::move(stream));
      co_await s->run(req, d);
      co_return;
    }
    Response res;
    try {
      res = route(d, req);
    } catch (const std::exception& e) {
      logger("kiosk")->error("{} {}: {}", std::string(req.method_string()), std::string(req.target()), e.what());
      res = error_reply(req, http::status::internal_server_error, "internal", "internal error");
    }
    bool keep = res.keep_alive();
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !keep) break;
  }
  boost::system::error_code ignore;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignore);
}

asio::awaitable<void> serve(tcp::acceptor& acceptor, Daemon& d) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), d), asio::detached);
  }
}

// /api/v1/services with the live figures of /api/v1/hall (waiting, issuing, closed_reason).
json::array merge_services(const json::value& services, const json::value& hall) {
  json::array out;
  if (!services.is_object()) return out;
  auto* list = services.as_object().if_contains("services");
  if (!list || !list->is_array()) return out;
  const json::array* live = nullptr;
  if (hall.is_object())
    if (auto* s = hall.as_object().if_contains("services"); s && s->is_array()) live = &s->as_array();
  for (const auto& sv : list->as_array()) {
    if (!sv.is_object()) continue;
    json::object o = sv.as_object();
    o.erase("average_service_s");
    o.erase("daily_limit");
    if (live)
      for (const auto& l : *live)
        if (l.is_object() && str(l.as_object(), "id") == str(o, "id")) {
          for (const char* k : {"waiting", "issuing", "closed_reason"})
            if (auto* v = l.as_object().if_contains(k)) o[k] = *v;
        }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

// ---- the daemon ----

Daemon::Daemon(asio::io_context& io, KioskConfig config, std::string web_dir)
    : io_(io),
      config_(std::move(config)),
      web_dir_(std::move(web_dir)),
      flow_(FlowOptions{std::chrono::seconds{config_.idle_after_s}, std::chrono::seconds{config_.done_after_s},
                        std::chrono::seconds{config_.error_after_s}, config_.language}),
      acceptor_(io),
      timer_(io) {}

Daemon::~Daemon() { stop(); }

std::optional<std::string> Daemon::start() {
  auto url = parse_controller_url(config_.controller, config_.controller_pin);
  if (!url) return url.error();
  auto spec = escpos::parse_printer_spec(config_.printer.device);
  if (!spec) return spec.error();
  std::error_code fec;
  if (std::filesystem::create_directories(config_.data_dir, fec))
    std::filesystem::permissions(config_.data_dir, std::filesystem::perms(0750), fec);  // the journal is not for all
  if (fec) return "cannot create " + config_.data_dir + ": " + fec.message();

  workers_ = std::make_unique<Workers>(config_, *url, desk_options(), *spec);
  if (auto l = workers_->journal.load(); !l) {
    // A damaged journal was set aside; the kiosk goes on with an empty one and says so.
    logger("kiosk")->error("{}", l.error());
  }
  pending_ = static_cast<int>(workers_->journal.entries().size());

  if (auto err = listen()) return err;
  // The desk: settle the journal, check the printer.
  workers_->desk_thread = std::make_unique<SerialWorker>();
  workers_->lookup_thread = std::make_unique<SerialWorker>();
  start_link(*url);
  if (auto err = start_inputs()) return err;
  tick();  // the first printer check and journal settling at once
  logger("kiosk")->info("kiosk {} serving the page on http://{}/ (controller {}, printer {}, mode {})", config_.id,
                        config_.listen, config_.controller, config_.printer.device, config_.mode);
  return std::nullopt;
}

DeskOptions Daemon::desk_options() const {
  DeskOptions opt;
  opt.device_id = config_.id;
  opt.paper_dots = config_.printer.paper;
  opt.cutter = config_.printer.cutter;
  opt.raster_qr = !config_.printer.native_qr;
  opt.reprint_within = std::chrono::seconds{config_.printer.reprint_within_s};
  auto fonts = escpos::FontGlyphs::open(escpos::kGlyphFonts);
  if (fonts) opt.glyphs = fonts->source();
  return opt;
}

std::optional<std::string> Daemon::listen() {
  std::string host = config_.listen.substr(0, config_.listen.rfind(':'));
  int port = std::stoi(config_.listen.substr(config_.listen.rfind(':') + 1));
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return "listen address '" + host + "': " + ec.message();
  tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on " + config_.listen + ": " + ec.message();
  asio::co_spawn(io_, serve(acceptor_, *this), asio::detached);
  return std::nullopt;
}

// The link (link::HallLink): the hall snapshot after each burst of events on the controller's
// event stream, so waiting counts are live, and the service list with it once a minute.
void Daemon::start_link(const ControllerUrl& url) {
  link::HallLinkOptions o{.url = url, .device_id = config_.id, .token = config_.token, .poll_s = config_.poll_s};
  link::HallLinkHandlers h;
  // On the link's worker: the services, read again at most once a minute, merged with the
  // snapshot's waiting counts.
  h.extra = [services = json::value(), last = std::chrono::steady_clock::time_point{}](
                HttpController& api, const HttpReply& hall) mutable -> json::value {
    const bool online = hall.ok() && hall.body.is_object();
    if (online && (services.is_null() || std::chrono::steady_clock::now() - last > 60s)) {
      HttpReply s = api.services();
      if (s.ok()) {
        services = s.body;
        last = std::chrono::steady_clock::now();
      }
    }
    return merge_services(services, hall.body);
  };
  h.snapshot = [this](const HttpReply& reply, const json::value& merged) {
    const bool online = reply.ok() && reply.body.is_object();
    json::object hall = online ? reply.body.as_object() : json::object{};
    TimePoint t{};
    // The hall's clock (the controller's, which tests and demos inject).
    if (online)
      if (auto p = parse_rfc3339(str(hall, "time"))) t = *p;
    stream_up_ = workers_->link->live();
    on_snapshot(online, merged.is_array() ? merged.as_array() : json::array{}, std::move(hall), t);
  };
  workers_->link = std::make_unique<link::HallLink>(io_.get_executor(), std::move(o), std::move(h));
  workers_->link->start();
}

// The button panel (buttons mode) and the scanner, both read on io_.
std::optional<std::string> Daemon::start_inputs() {
  if (config_.mode == "buttons") {
    auto panel = open_button_panel(io_.get_executor(), config_.buttons);
    if (!panel) return "button panel: " + panel.error();
    panel_ = std::move(*panel);
    panel_->start([this](int line) {
      for (const auto& b : config_.buttons.buttons) {
        if (b.line != line) continue;
        auto r = event(FlowEvent{"button", b.service});
        if (!r) logger("kiosk")->info("button {} ({}): {}", line, b.service, r.error());
      }
    });
  }
  if (!config_.scanner.device.empty()) {
    auto scanner = open_scanner(io_.get_executor(), config_.scanner.device);
    if (!scanner) return "scanner: " + scanner.error();
    scanner_ = std::move(*scanner);
    scanner_->start([this](const Scan& scan) { on_scan(scan); });
  }
  return std::nullopt;
}

void Daemon::stop() {
  if (stopped_ || !workers_) return;
  stopped_ = true;
  if (panel_) panel_->stop();
  if (scanner_) scanner_->stop();
  boost::system::error_code ec;
  acceptor_.close(ec);
  timer_.cancel();
  if (workers_->link) workers_->link->stop();
  workers_->lookup_thread.reset();
  workers_->desk_thread.reset();  // finishes a take in progress: a ticket is never left half-done
}

bool Daemon::local_request(std::string_view host, std::string_view origin) const {
  const std::string port = std::to_string(local_endpoint().port());
  const std::string listen_host = config_.listen.substr(0, config_.listen.rfind(':'));
  auto ours = [&](std::string_view h) {
    for (const std::string& name : {std::string("127.0.0.1"), std::string("localhost"), std::string("[::1]"), listen_host})
      if (!name.empty() && name != "0.0.0.0" && name != "::" && h == name + ":" + port) return true;
    return false;
  };
  if (!ours(host)) return false;
  if (origin.empty()) return true;  // not a browser's cross-origin request (curl, the page's own GETs)
  return origin.starts_with("http://") && ours(origin.substr(7));
}

tcp::endpoint Daemon::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

TimePoint Daemon::now() const {
  // The hall's clock (the controller's, which demos and tests inject) as last read, run on by
  // this board's monotonic clock; the board's own clock until the controller answered once.
  if (hall_time_ == TimePoint{})
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return hall_time_ + std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - hall_time_at_);
}

json::object Daemon::state() const {
  const TimePoint t = now();
  json::object o;
  o["flow"] = flow_.to_json(t);
  o["kiosk"] = json::object{{"id", config_.id},
                            {"online", status_.online},
                            {"accepting", status_.accepting},
                            {"printer", status_.printer},
                            {"mode", config_.mode},
                            {"scanner", !config_.scanner.device.empty()},
                            {"help_open", help_open_},
                            {"live", stream_up_},
                            {"pending", pending_}};
  o["centre"] = status_.centre;
  o["complaint_phone"] = complaint_phone_;
  o["notices"] = notices_;
  o["time"] = format_rfc3339(t, hall_tz_);
  o["services"] = status_.services;
  o["windows"] = windows_;
  return o;
}

std::string Daemon::guide_url(const std::string& service, const std::string& item) const {
  for (const auto& sv : status_.services) {
    if (!sv.is_object() || str(sv.as_object(), "id") != service) continue;
    auto* items = sv.as_object().if_contains("items");
    if (!items || !items->is_array()) return {};
    for (const auto& it : items->as_array())
      if (it.is_object() && str(it.as_object(), "id") == item) return str(it.as_object(), "guide_url");
  }
  return {};
}

void Daemon::subscribe(const std::shared_ptr<StateSubscriber>& s) { subscribers_.push_back(s); }

void Daemon::publish() {
  if (panel_) {
    // The panel's LED: steady while tickets are offered, fast while one prints, slow when
    // the kiosk cannot issue (controller, printer).
    panel_->set_led(busy_ ? Led::FastBlink : (status_.online && status_.accepting) ? Led::On : Led::Blink);
  }
  auto msg = std::make_shared<const std::string>(json::serialize(state()));
  std::erase_if(subscribers_, [&](const std::weak_ptr<StateSubscriber>& w) {
    auto s = w.lock();
    if (!s) return true;
    s->deliver(msg);
    return false;
  });
}

Expected<json::object, std::string> Daemon::event(const FlowEvent& e) {
  auto r = flow_.on(e, status_, now());
  if (!r) return unexpected(r.error());
  if (r->lookup) {
    // Searching: the lookup worker asks the controller; the page follows the stream.
    LookupRequest q = *r->lookup;
    Workers* w = workers_.get();
    w->lookup_thread->post([this, w, q] {
      std::string target = q.id ? "/api/v1/tickets/" + std::to_string(q.id) : "/api/v1/tickets?number=" + q.number;
      HttpReply h = w->lookup_api.request("GET", target, "");
      LookupOutcome o;
      o.status = h.status;
      if (h.ok() && h.body.is_object()) o.ticket = h.body.as_object();
      else if (h.ok()) o.status = 502;  // not a ticket
      asio::post(io_, [this, o = std::move(o)] {
        flow_.finish_lookup(o, now());
        publish();
      });
    });
  }
  if (r->complaint) {
    json::array cats;
    for (const auto& c : r->complaint->categories) cats.push_back(json::value(c));
    json::object body{{"categories", std::move(cats)}, {"phone", r->complaint->phone}};
    if (r->complaint->window) body["window"] = r->complaint->window;
    std::string text = json::serialize(body);
    Workers* w = workers_.get();
    w->lookup_thread->post([this, w, text] {
      HttpReply h = w->lookup_api.request("POST", "/api/v1/complaints", text);
      json::object reply = h.body.is_object() ? h.body.as_object() : json::object{};
      if (!h.ok()) logger("kiosk")->warn("complaint not recorded: {} {}", h.status, h.answered() ? h.message() : h.error);
      asio::post(io_, [this, status = h.status, reply = std::move(reply)] {
        flow_.finish_complaint(status, reply, now());
        publish();
      });
    });
  }
  if (r->rate) {
    // R-EVAL-1: the late rating, with this kiosk's credential and the QR's key, on the lookup
    // thread. Sent once; only when no answer came, once more (same level, same key) after a
    // moment: the controller takes one rating per service, so a first attempt that did land
    // makes the second answer already_rated, which the flow then counts as recorded. The key
    // is never logged.
    RatingRequest q = *r->rate;
    Workers* w = workers_.get();
    w->lookup_thread->post([this, w, q] {
      const std::string target = "/api/v1/tickets/" + std::to_string(q.ticket) + "/rating";
      const std::string body = json::serialize(json::object{{"level", q.level}, {"key", q.key}});
      RatingOutcome o;
      HttpReply h = w->lookup_api.request("POST", target, body);
      if (!h.answered()) {
        o.maybe_sent = h.sent;
        logger("kiosk")->warn("rating of ticket {}: no answer ({}), once more", q.ticket, h.error);
        std::this_thread::sleep_for(500ms);
        h = w->lookup_api.request("POST", target, body);
        o.maybe_sent = o.maybe_sent || (!h.answered() && h.sent);
      }
      o.status = h.status;
      o.code = h.code();
      o.message_zh = h.message_zh();
      if (h.ok() && h.body.is_object()) o.reply = h.body.as_object();
      logger("kiosk")->info("rating of ticket {}: {} {}", q.ticket, h.status, h.answered() ? o.code : h.error);
      asio::post(io_, [this, o = std::move(o)] {
        flow_.finish_rating(o, now());
        publish();
      });
    });
  }
  if (r->help) {
    Workers* w = workers_.get();
    w->lookup_thread->post([this, w] {
      HttpReply h = w->lookup_api.request("POST", "/api/v1/help-requests", R"({"kind":"help"})");
      json::object req = h.ok() && h.body.is_object() ? h.body.as_object() : json::object{};
      int status = h.ok() ? 200 : h.status;
      asio::post(io_, [this, status, req = std::move(req)] {
        if (auto* id = req.if_contains("id"); id && id->is_int64()) help_id_ = id->as_int64();
        flow_.finish_help(status, req, now());
        publish();
      });
    });
  }
  if (r->take) {
    // Working: the desk issues and prints; the page follows the stream (or polls).
    busy_ = true;
    TakeRequest req = *r->take;
    Workers* w = workers_.get();
    w->desk_thread->post([this, w, req] {
      TakeOutcome o = w->desk.take(req);
      bool accepting = w->desk.accepting();
      std::string printer = w->desk.printer_state();
      int pending = static_cast<int>(w->journal.entries().size());
      asio::post(io_, [this, o = std::move(o), accepting, printer, pending] {
        busy_ = false;
        status_.accepting = accepting;
        status_.printer = printer;
        pending_ = pending;
        flow_.finish(o, now());
        publish();
      });
    });
  }
  publish();
  return state();
}

void Daemon::on_scan(const Scan& scan) {
  if (config_.mode == "buttons") {
    logger("kiosk")->info("scanner: ignored in button-panel mode (no screen to answer on)");
    return;
  }
  // An overlong code arrives empty: the flow says it does not know it.
  auto r = event(FlowEvent{"scan", scan.overlong ? std::string() : scan.text});
  if (!r) logger("kiosk")->info("scan ignored: {}", r.error());
}

void Daemon::on_snapshot(bool online, json::array services, json::object hall, TimePoint hall_time) {
  const bool was_online = status_.online;
  status_.online = online;
  if (online) {
    // The desk prints the centre's name, lines and materials from the same read.
    Workers* w = workers_.get();
    w->desk_thread->post([w, services, hall] { w->desk.set_info(services, hall); });
    status_.services = std::move(services);
    status_.centre = str(hall, "centre");
    status_.day = str(hall, "day");
    windows_.clear();
    if (auto* ws = hall.if_contains("windows"); ws && ws->is_array())
      for (const auto& v : ws->as_array())
        if (v.is_object())
          windows_.push_back(json::object{{"number", v.as_object().contains("number") ? v.as_object().at("number") : json::value(0)},
                                          {"name", str(v.as_object(), "name")}});
    // This kiosk's help request: open while the hall lists it; then someone answered it.
    bool open = false;
    if (auto* hr = hall.if_contains("help_requests"); hr && hr->is_array())
      for (const auto& v : hr->as_array())
        if (v.is_object() && str(v.as_object(), "device") == config_.id) {
          open = true;
          if (auto* id = v.as_object().if_contains("id"); id && id->is_int64()) help_id_ = id->as_int64();
        }
    if (help_open_ && !open && help_id_) flow_.help_answered(help_id_);
    help_open_ = open;
    if (auto* pr = hall.if_contains("printing"); pr && pr->is_object()) status_.ticket_url = str(pr->as_object(), "ticket_url");
    complaint_phone_ = str(hall, "complaint_phone");
    if (auto* n = hall.if_contains("notices"); n && n->is_array()) notices_ = n->as_array();
    if (hall_time != TimePoint{}) {
      hall_time_ = hall_time;
      hall_time_at_ = std::chrono::steady_clock::now();
      std::string at = str(hall, "time");
      // The offset the controller wrote ("+08:00"): the hall's time zone for this page.
      if (at.size() >= 6 && (at[at.size() - 6] == '+' || at[at.size() - 6] == '-')) {
        int sign = at[at.size() - 6] == '-' ? -1 : 1;
        int hh = std::atoi(at.substr(at.size() - 5, 2).c_str()), mm = std::atoi(at.substr(at.size() - 2, 2).c_str());
        hall_tz_ = TimeZone::fixed(Minutes{sign * (hh * 60 + mm)}, at.substr(at.size() - 6));
      }
    }
  }
  if (online && !was_online) logger("kiosk")->info("controller {} reachable", config_.controller);
  if (!online && was_online) logger("kiosk")->warn("controller {} unreachable; tickets paused", config_.controller);
  if (online && !was_online) last_check_ = {};  // settle the journal and report at once
  publish();
}

void Daemon::tick() {
  if (stopped_) return;
  // systemd's watchdog: this thread serves the page and runs the flow; if it stalls, restart.
  if (auto iv = notifier_.watchdog_interval()) {
    if (std::chrono::steady_clock::now() - last_ping_ >= *iv / 2) {
      notifier_.watchdog_ping();
      last_ping_ = std::chrono::steady_clock::now();
    }
  }
  if (flow_.tick(now())) publish();
  // The desk's routine: printer check every 5 s (a heartbeat to the controller every 30 s),
  // settling the journal when the controller is back. Never while a citizen's take runs.
  auto t = std::chrono::steady_clock::now();
  if (!routine_running_ && t - last_check_ >= 5s) {
    last_check_ = t;
    const bool heartbeat = t - last_heartbeat_ >= 30s;
    if (heartbeat) last_heartbeat_ = t;
    const bool settle = status_.online && pending_ > 0;
    routine_running_ = true;
    Workers* w = workers_.get();
    w->desk_thread->post([this, w, heartbeat, settle] {
      if (settle) w->desk.resolve_pending();
      w->desk.check_printer(heartbeat);
      bool accepting = w->desk.accepting();
      std::string printer = w->desk.printer_state();
      int pending = static_cast<int>(w->journal.entries().size());
      asio::post(io_, [this, accepting, printer, pending] {
        routine_running_ = false;
        bool changed = status_.accepting != accepting || status_.printer != printer || pending_ != pending;
        status_.accepting = accepting;
        status_.printer = printer;
        pending_ = pending;
        if (changed) publish();
      });
    });
  }
  timer_.expires_after(1s);
  timer_.async_wait([this](boost::system::error_code e) {
    if (!e) tick();
  });
}

}  // namespace hallq::kiosk
