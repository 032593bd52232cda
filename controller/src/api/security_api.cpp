#include "security_api.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "report_thread.hpp"

namespace hallq::api {
namespace json = boost::json;
using namespace std::chrono;

namespace {

using JsonResult = Expected<json::value, std::string>;
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

asio::awaitable<Response> ratings_report(Hall& hall, const Request& req) {
  const std::string_view target = req.target();
  auto f = parse_date(query_param(target, "from")), t = parse_date(query_param(target, "to"));
  if (!f || !t || sys_days{*t} < sys_days{*f} || sys_days{*t} - sys_days{*f} > days{366})
    co_return make_error(req, api_error(422, "invalid_value", "from and to are dates YYYY-MM-DD, from <= to, at most 367 days",
                                        "起止日期无效（最长一年）"));
  const auto work = [db = hall.db_path(), tz = hall.timezone(), from = *f, to = *t]() -> JsonResult {
    return rating_sources(db, tz, from, to);
  };
  auto r = co_await on_report_thread<JsonResult>(hall, work);
  if (!r) co_return make_error(req, api_error(500, "report_failed", r.error(), "报表生成失败"));
  co_return make_json(req, http::status::ok, *r);
}

}  // namespace

asio::awaitable<std::optional<Response>> security_routes(Hall& hall, const Request& req, const Principal& p,
                                                         const std::vector<std::string_view>& parts) {
  const bool ratings = parts.size() == 2 && parts[0] == "reports" && parts[1] == "ratings";
  const bool unlock = parts.size() == 3 && parts[0] == "accounts" && parts[2] == "unlock";
  if (!ratings && !unlock) co_return std::nullopt;
  auto fail = [&](const ApiError& e) { return std::optional<Response>(make_error(req, e)); };
  if (p.kind == Principal::Kind::None) co_return fail(api_error(401, "unauthorized", "a manager credential is required", "请先以管理员身份登录"));
  if (p.kind != Principal::Kind::Manager && p.kind != Principal::Kind::Admin)
    co_return fail(api_error(403, "forbidden", "for the centre's managers only", "仅中心管理人员可用"));
  if (ratings) {
    Response res = co_await ratings_report(hall, req);
    co_return res;
  }
  const std::string user(parts[1]);
  if (!hall.config().find_clerk(user)) co_return fail(api_error(404, "unknown_account", "no such account", "没有该账号"));
  const bool was = hall.unlock_account(user, p);
  co_return make_json(req, http::status::ok, json::object{{"user", user}, {"was_locked", was}});
}

}  // namespace hallq::api
