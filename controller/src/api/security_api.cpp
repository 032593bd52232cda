// The manager's view of what an attacker on the LAN might be doing (issue 26,
// docs/security.md): where ratings came from (R-EVAL-1: odd patterns such as one phone address
// rating many services badly), and lifting the sign-in lock of an account that was guessed at.
// Managers only (the route table); the ratings report reads the log on the Hall's report thread.
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "report_thread.hpp"
#include "routes.hpp"

namespace hallq::api {
namespace json = boost::json;
using namespace std::chrono;

namespace {

constexpr std::size_t kRecentRatings = 200;

struct Source {
  int ratings = 0;
  int bad = 0;
  std::set<std::int64_t> windows;
  std::string first, last;
};

std::string field(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Every rating of the period from the log, by channel and by where it came from (a kiosk's
// id, a phone's address; the window's evaluator for ratings at the window).
JsonResult rating_sources(const std::string& db, const TimeZone& tz, Date from, Date to) {
  auto reader = store::StoreReader::open(db);
  if (!reader) return unexpected(reader.error());
  std::map<std::string, int> by_channel{{"evaluator", 0}, {"kiosk", 0}, {"phone", 0}};
  std::map<std::pair<std::string, std::string>, Source> sources;
  json::array recent;
  std::size_t damaged = 0;
  const TimePoint t0 = tz.from_local(from, Minutes{0});
  const TimePoint t1 = tz.from_local(Date{sys_days{to} + days{1}}, Minutes{0});
  (*reader)->for_each_event_data(t0, t1, {"ServiceRated"}, [&](std::string_view, TimePoint at, int window, std::string_view data) {
    boost::system::error_code ec;
    json::value v = json::parse(data, ec);
    if (ec || !v.is_object()) {
      damaged++;
      return;
    }
    const json::object& d = v.as_object();
    std::string channel = field(d, "channel");
    if (channel.empty()) channel = "evaluator";
    std::string src = field(d, "from");
    if (channel == "evaluator") src = "window " + std::to_string(window);
    const bool bad = d.contains("bad") && d.at("bad").is_bool() && d.at("bad").as_bool();
    const std::string when = format_rfc3339(at, tz);
    by_channel[channel]++;
    Source& s = sources[{channel, src}];
    s.ratings++;
    s.bad += bad ? 1 : 0;
    s.windows.insert(window);
    if (s.first.empty()) s.first = when;
    s.last = when;
    if (channel != "evaluator") {
      recent.push_back(json::object{{"at", when}, {"number", field(d, "number")}, {"window", window},
                                    {"clerk", field(d, "clerk")}, {"level", d.contains("level") ? d.at("level") : json::value()},
                                    {"label", field(d, "label")}, {"channel", channel}, {"from", src}});
      if (recent.size() > kRecentRatings) recent.erase(recent.begin());
    }
  });
  json::array list;
  for (const auto& [key, s] : sources) {
    json::array windows;
    for (auto w : s.windows) windows.push_back(w);
    list.push_back(json::object{{"channel", key.first}, {"from", key.second}, {"ratings", s.ratings}, {"bad", s.bad},
                                {"windows", std::move(windows)}, {"first", s.first}, {"last", s.last}});
  }
  std::stable_sort(list.begin(), list.end(), [](const json::value& x, const json::value& y) {
    return x.as_object().at("ratings").as_int64() > y.as_object().at("ratings").as_int64();
  });
  std::reverse(recent.begin(), recent.end());
  json::object channels;
  for (const auto& [k, n] : by_channel) channels[k] = n;
  return json::value(json::object{{"from", format_date(from)}, {"to", format_date(to)}, {"by_channel", std::move(channels)},
                                  {"sources", std::move(list)}, {"recent", std::move(recent)}, {"damaged_rows", damaged}});
}

asio::awaitable<Response> ratings_report(const Call& c) {
  auto range = date_range_param(c.req.target());
  if (!range) co_return c.fail(range.error());
  const auto work = [db = c.hall.db_path(), tz = c.hall.timezone(), from = range->first, to = range->second]() -> JsonResult {
    return rating_sources(db, tz, from, to);
  };
  auto r = co_await on_report_thread<JsonResult>(c.hall, work);
  co_return report_answer(c.req, r);
}

// Lifts the sign-in lock of an account that was guessed at (the lock-out, hall_sessions.cpp).
asio::awaitable<Response> unlock_account(const Call& c) {
  const std::string user(c.params.at(0));
  if (!c.hall.config().find_clerk(user)) co_return c.fail(api_error(404, "unknown_account", "no such account", "没有该账号"));
  const bool was = c.hall.unlock_account(user, c.p);
  co_return c.answer(http::status::ok, json::object{{"user", user}, {"was_locked", was}});
}

using boost::beast::http::verb;
using enum Access;

const std::array kSecurityRoutes{
    Route{verb::get, "/api/v1/reports/ratings?from={date}&to={date}", Manager, ratings_report},
    Route{verb::post, "/api/v1/accounts/{user}/unlock", Manager, unlock_account},
};

}  // namespace

std::span<const Route> security_routes() { return kSecurityRoutes; }

}  // namespace hallq::api
