#include "fuzz_hall.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "api/server.hpp"
#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/log.hpp"
#include "hallq/common/secret.hpp"
#include "hallq/controller/store.hpp"

namespace hallq::fuzz {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "fuzz hall: %s\n", why.c_str());
  std::abort();
}

TimePoint hall_start_time() {
  auto t = parse_rfc3339("2026-03-02T10:00:00+08:00");  // a Monday, a working day, open
  if (!t) die("bad start time");
  return *t;
}

// A folder of its own for the database: in RAM where there is /dev/shm (commits fsync).
std::string make_data_dir() {
  std::string tpl = std::filesystem::is_directory("/dev/shm") ? "/dev/shm/hallq-fuzz-XXXXXX" : "/tmp/hallq-fuzz-XXXXXX";
  if (!::mkdtemp(tpl.data())) die("cannot make a data folder");
  return tpl;
}

// The token in a sign-in's answer, or "".
std::string token_of(const api::Response& res) {
  if (res.result() != http::status::ok && res.result() != http::status::created) return {};
  boost::system::error_code ec;
  json::value v = json::parse(res.body(), ec);
  if (ec || !v.is_object()) return {};
  const json::value* t = v.as_object().if_contains("token");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

}  // namespace

api::Request make_request(http::verb method, const std::string& target, const std::string& bearer,
                          const std::string& body) {
  api::Request req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

FuzzHall::FuzzHall() : data_dir_(make_data_dir()), clock_(hall_start_time()) {
  if (const char* level = std::getenv("HALLQ_FUZZ_LOG")) set_log_level(level);
  else set_log_level("off");
  if (!init_secrets()) die("libsodium failed to initialise");
  const std::string path = std::string(HALLQ_SOURCE_DIR) + "/deploy/examples/hall.toml";
  auto cfg = load_config(path);
  if (!cfg) die(cfg.error().to_string());
  HallConfig config = std::move(*cfg);
  config.server.data_dir = data_dir_;
  // The clock never moves, so a device's token bucket would never refill: after 30 requests
  // every device credential would only ever get 429. A bucket that does not run dry keeps the
  // kiosk and the display node in play (the hall is built afresh every few thousand inputs).
  config.policy.device_burst = 1000000;
  // Likewise ratings from the phone page's address, and event streams without a credential
  // from the one loopback address (fuzz.ws opens one per input).
  config.policy.phone_rating_burst = 1000000;
  config.server.max_anonymous_streams = 10000;
  config.server.max_anonymous_streams_per_address = 10000;
  auto tz = TimeZone::load(config.centre.timezone);
  if (!tz) die(tz.error());
  WorkingCalendar calendar(config.calendar.holidays, config.calendar.makeup_workdays);
  const std::string db = data_dir_ + "/hallq.db";
  auto st = store::Store::open(db);
  if (!st) die(st.error());
  auto loaded = (*st)->load(engine::rating_days_kept(config.policy));
  if (!loaded) die(loaded.error());
  auto reader = store::StoreReader::open(db);
  if (!reader) die(reader.error());
  hall_ = std::make_unique<api::Hall>(io_.get_executor(), config, *tz, calendar, clock_, std::move(*st),
                                      std::move(*reader), *loaded);
  hall_->set_web_dir(std::string(HALLQ_SOURCE_DIR) + "/controller/web");
  if (auto e = hall_->start(*loaded)) die(*e);
  hall_->roll_over_if_new_day();
  if (!run([this] { return hall_->settled(); }, std::chrono::seconds{10})) die("the start-up roll-over was not stored");
  clerk_token_ = sign_in_clerk();
  manager_token_ = open_manager_session();
  if (clerk_token_.empty() || manager_token_.empty()) die("the demo credentials did not sign in");
}

FuzzHall::~FuzzHall() {
  // Whatever a request left posted (a hash or a report answered late) runs first.
  run([this] { return hall_->settled(); }, std::chrono::seconds{10});
  io_.restart();
  io_.poll();
  hall_->stop();
  io_.restart();
  io_.poll();
  hall_.reset();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

bool FuzzHall::run(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return false;
    // run_one_for returns 0 when it timed out or ran out of work (then the context stopped).
    if (io_.run_one_for(until - now) == 0 && io_.stopped()) io_.restart();
  }
  return true;
}

api::Response FuzzHall::run_request(const api::Request& req) {
  std::optional<api::Response> res;
  const std::string peer = "127.0.0.1";
  asio::co_spawn(io_, api::handle_request(*hall_, req, peer), [&res](std::exception_ptr e, api::Response r) {
    if (e) die("handle_request threw");  // it turns every exception into a 500 itself
    res = std::move(r);
  });
  if (!run([&] { return res.has_value() && hall_->settled(); }, std::chrono::seconds{10}))
    die("no answer (or events not stored) within 10 s: " + std::string(req.target()));
  return std::move(*res);
}

std::string FuzzHall::sign_in_clerk() {
  auto req = make_request(http::verb::post, "/api/v1/windows/1/sign-in", "", R"({"clerk":"c01","pin":"123456"})");
  return token_of(run_request(req));
}

std::string FuzzHall::open_manager_session() {
  auto req = make_request(http::verb::post, "/api/v1/sessions", "", R"({"user":"m01","password":"123456"})");
  return token_of(run_request(req));
}

bool FuzzHall::restore_sessions() {
  api::Principal c = hall_->authenticate(clerk_token_);
  const engine::WindowStatus* w = hall_->engine().find_window(1);
  const bool clerk_ok = c.kind == api::Principal::Kind::Clerk && c.window == 1 && w && w->open && w->clerk == "c01";
  if (!clerk_ok) {
    clerk_token_ = sign_in_clerk();
    if (clerk_token_.empty()) return false;
  }
  if (hall_->authenticate(manager_token_).kind != api::Principal::Kind::Manager) {
    manager_token_ = open_manager_session();
    if (manager_token_.empty()) return false;
  }
  return true;
}

}  // namespace hallq::fuzz
