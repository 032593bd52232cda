#include "ticket_page.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <string>

#include "seal.hpp"

namespace hallq::api {
namespace json = boost::json;
using namespace std::chrono;

namespace {

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// "2026-03-02T10:00:01+08:00" -> "2026-03-02 10:00"
std::string short_time(std::string t) {
  if (t.size() < 16) return t;
  t.resize(16);
  t[10] = ' ';
  return t;
}

// A key as Sealer::ticket_key makes them; anything else is not looked at.
bool key_shaped(const std::string& k) {
  if (k.size() != 16) return false;
  for (char c : k)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

struct Level {
  int level;
  const char* zh;
  const char* en;
};
constexpr Level kLevels[] = {{5, "非常满意", "Very satisfied"},
                             {4, "满意", "Satisfied"},
                             {3, "基本满意", "Fairly satisfied"},
                             {2, "不满意", "Dissatisfied"},
                             {1, "非常不满意", "Very dissatisfied"}};

Response page(const Request& req, Hall& hall, http::status status, const std::string& body, bool refresh) {
  const std::string centre = html_escape(hall.config().centre.name);
  Response res = httpd::reply(
      req, status,
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">" +
          std::string(refresh ? "<meta http-equiv=\"refresh\" content=\"20\">" : "") + "<title>" + centre +
          " 排队进度</title><link rel=\"stylesheet\" href=\"/web/ticket.css\"></head><body><h1>" + centre + "</h1>" +
          body + (refresh ? "<p class=\"small\">本页每 20 秒自动刷新 · refreshes every 20 s</p>" : "") + "</body></html>",
      "text/html; charset=utf-8");
  // The key is in this page's address: never hand it on to another site (Referrer-Policy, in
  // the page headers), nor let another site frame the rating buttons.
  set_page_headers(res);
  return res;
}

std::string state_text(const json::object& t) {
  auto s = [&](const char* k) {
    auto* v = t.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto n = [&](const char* k) -> std::int64_t {
    auto* v = t.if_contains(k);
    return v && v->is_int64() ? v->as_int64() : 0;
  };
  const std::string state = s("state");
  std::string zh, en;
  if (state == "waiting") {
    zh = "等候中，前面还有 " + std::to_string(n("ahead")) + " 人";
    en = "Waiting: " + std::to_string(n("ahead")) + " ahead";
    if (n("estimated_wait_s") > 0) {
      zh += "，预计等候 " + std::to_string((n("estimated_wait_s") + 59) / 60) + " 分钟";
      en += ", about " + std::to_string((n("estimated_wait_s") + 59) / 60) + " min";
    }
  } else if (state == "called") {
    zh = "正在叫号，请到 " + std::to_string(n("window")) + " 号窗口";
    en = "Called: please go to window " + std::to_string(n("window"));
  } else if (state == "serving") {
    zh = "正在 " + std::to_string(n("window")) + " 号窗口办理";
    en = "Being served at window " + std::to_string(n("window"));
  } else if (state == "held") {
    zh = "业务挂起，请留意窗口通知";
    en = "On hold: the window will call you";
  } else if (state == "done") {
    zh = "已办结";
    en = "Done";
  } else if (state == "no_show") {
    zh = "已过号，请到咨询台";
    en = "Missed: please go to the help desk";
  } else if (state == "voided") {
    zh = "号票打印失败，已作废，请到咨询台";
    en = "Voided (not printed): please go to the help desk";
  } else {
    zh = "已结束";
    en = "Closed";
  }
  return "<p class=\"number\">" + html_escape(s("number")) + "</p><p>" + html_escape(s("service_name")) +
         "</p><p class=\"state\">" + html_escape(zh) + "</p><p class=\"en\">" + html_escape(en) +
         "</p><p class=\"small\">取号时间 " + html_escape(short_time(s("issued_at"))) + "</p>";
}

// The rating part of a finished ticket's page, for whoever holds its key.
std::string rating_part(Hall& hall, const json::object& t, std::int64_t id, const std::string& key, bool just_rated) {
  auto* rated = t.if_contains("rated");
  if (rated && rated->is_bool() && rated->as_bool())
    return just_rated ? "<p class=\"thanks\">感谢您的评价！</p><p class=\"en\">Thank you for your rating.</p>" : "<p class=\"state\">本次服务已评价</p><p class=\"en\">This service has been rated (one rating per service).</p>";
  const engine::DoneService* d = hall.engine().find_done(id);
  const int hours_open = hall.config().policy.late_rating_hours;
  if (!d || hall.now() - d->finished_at > hours{hours_open})
    return "<p class=\"small\">评价期限已过（办结后 " + std::to_string(hours_open) +
           " 小时内可评价）</p><p class=\"en\">Rating has closed for this service.</p>";
  std::string f = "<form class=\"rate\" method=\"post\" action=\"/t/" + std::to_string(id) +
                  "\"><p class=\"state\">请您对本次服务进行评价</p><p class=\"en\">Please rate this service</p>"
                  "<input type=\"hidden\" name=\"k\" value=\"" + html_escape(key) + "\">";
  for (const Level& l : kLevels)
    f += "<button type=\"submit\" name=\"level\" value=\"" + std::to_string(l.level) + "\"" +
         (l.level <= 2 ? " class=\"bad\"" : "") + ">" + l.zh + "<span>" + l.en + "</span></button>";
  auto* until = t.if_contains("rating_until");
  f += "<p class=\"small\">一次一评，提交后不能修改；评价不记名。";
  if (until && until->is_string()) f += "评价截止 " + html_escape(short_time(std::string(until->as_string())));
  f += "</p><p class=\"small en\">One rating per service; it cannot be changed and does not name you.</p></form>";
  return f;
}

}  // namespace

asio::awaitable<Response> ticket_page(Hall& hall, const Request& req, const std::int64_t& id, const std::string& peer) {
  const bool post = req.method() == http::verb::post;
  if (!post && req.method() != http::verb::get) {
    Response res = page(req, hall, http::status::method_not_allowed, "<p class=\"state\">不支持的请求</p>", false);
    res.set(http::field::allow, "GET, POST");
    co_return res;
  }
  auto t = hall.ticket(id);
  if (!t)
    co_return page(req, hall, http::status::not_found,
                   "<p class=\"state\">没有该号码</p><p class=\"en\">No such ticket.</p>", false);
  // The QR's key: in the address (GET) or the form (POST). Without the right one the page is
  // the progress page anyone may see and takes no rating.
  const std::string key = post ? query_param("?" + req.body(), "k") : query_param(req.target(), "k");
  const bool key_ok = key_shaped(key) && hall.sealer() && hall.sealer()->ticket_key_ok(id, key);
  if (post) {
    if (!hall.allow_phone_rating(peer))
      co_return page(req, hall, http::status::too_many_requests,
                     "<p class=\"state warn\">评价过于频繁，请稍后再试</p><p class=\"en\">Too many ratings from this "
                     "network: try again later.</p>",
                     false);
    if (!key_ok)
      co_return page(req, hall, http::status::forbidden,
                     "<p class=\"state warn\">二维码无效，无法评价</p><p class=\"en\">This link cannot rate the "
                     "service: scan the QR on your ticket.</p>",
                     false);
    const std::string lv = query_param("?" + req.body(), "level");
    const int level = lv.size() == 1 && lv[0] >= '1' && lv[0] <= '5' ? lv[0] - '0' : 0;
    const engine::Command cmd = engine::RateTicket{id, level, "phone", peer};
    const engine::Actor actor{engine::Actor::Kind::System, "phone"};
    store::CommitItem extra;
    auto r = co_await hall.run(cmd, actor, extra);
    if (!r) {
      const std::string back = "/t/" + std::to_string(id) + "?k=" + key;
      co_return page(req, hall, http::status(r.error().status),
                     "<p class=\"state warn\">" + html_escape(r.error().message_zh) + "</p><p class=\"en\">" +
                         html_escape(r.error().message) + "</p><p><a href=\"" + html_escape(back) + "\">返回 Back</a></p>",
                     false);
    }
    // Post/redirect/get: reloading the page that follows never rates again.
    Response res{http::status::see_other, req.version()};
    res.set(http::field::location, "/t/" + std::to_string(id) + "?k=" + key + "&rated=1");
    res.set(http::field::cache_control, "no-store");
    res.set("Referrer-Policy", "no-referrer");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_return res;
  }
  auto* st = t->if_contains("state");
  const std::string state = st && st->is_string() ? std::string(st->as_string()) : std::string();
  const bool live = state == "waiting" || state == "called" || state == "serving" || state == "held";
  std::string body = state_text(*t);
  if (key_ok && state == "done")
    body += rating_part(hall, *t, id, key, query_param(req.target(), "rated") == "1");
  co_return page(req, hall, http::status::ok, body, live);
}

}  // namespace hallq::api
