#include "console_api.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

namespace hallq::api {
namespace json = boost::json;
using namespace std::chrono;

namespace {

constexpr int kHandoverEvents = 500;  // a session's events at one window: far more than a day's

json::value clerk_ref(const Hall& hall, const std::string& id) {
  if (id.empty()) return nullptr;
  json::object o{{"id", id}};
  const ClerkConfig* c = hall.config().find_clerk(id);
  o["name"] = c ? c->name : id;
  // Where this clerk is signed in now (any window), null when away.
  json::value at = nullptr;
  for (const auto& w : hall.engine().windows())
    if (w.open && w.clerk == id) at = w.number;
  o["signed_in_at"] = at;
  return o;
}

}  // namespace

std::optional<json::object> console_json(Hall& hall, const Principal& p, int window) {
  const engine::Engine& eng = hall.engine();
  const WindowConfig* wc = hall.config().find_window(window);
  const engine::WindowStatus* w = eng.find_window(window);
  if (!wc || !w) return std::nullopt;
  const TimeZone& tz = hall.timezone();
  const TimePoint now = hall.now();
  json::object o;
  o["seq"] = hall.published_seq();  // the event stream resumes after this
  o["now"] = format_rfc3339(now, tz);
  o["day"] = eng.day();

  json::object win = eng.window_json(*w, true);
  win["since"] = format_rfc3339(w->since, tz);
  win["printer"] = hall.window_has_printer(window);
  if (w->paused) {
    win["paused_at"] = format_rfc3339(w->since, tz);
    win["pause_alert_at"] = format_rfc3339(w->since + minutes{hall.config().policy.pause_alert_minutes}, tz);
    win["pause_alerted"] = w->pause_alerted;
  }
  o["window"] = std::move(win);
  o["pause_alert_minutes"] = hall.config().policy.pause_alert_minutes;
  o["sms"] = hall.has_sms();  // a result told by SMS goes out through the hall's modem
  o["recall_limit"] = hall.config().policy.recall_limit;

  // R-AB-1: the posts, and who is covering whom.
  o["posts"] = json::object{{"A", clerk_ref(hall, wc->clerk_a)}, {"B", clerk_ref(hall, wc->clerk_b)}};
  const std::string me = p.kind == Principal::Kind::Clerk ? p.id : w->clerk;
  o["me"] = clerk_ref(hall, me);
  // Staff names for the ids in histories, cases and the hand-over log.
  json::object names;
  for (const auto& c : hall.config().clerks) names[c.id] = c.name;
  names["system"] = "系统";
  o["clerks"] = std::move(names);
  if (w->open && w->post && *w->post == engine::Post::B && !wc->clerk_a.empty()) {
    const ClerkConfig* a = hall.config().find_clerk(wc->clerk_a);
    o["covering"] = json::object{{"clerk", w->clerk}, {"for", wc->clerk_a}, {"for_name", a ? a->name : wc->clerk_a}};
  } else {
    o["covering"] = nullptr;
  }

  // The ticket at the window, with its history and the recalls it has left.
  if (const engine::Ticket* t = w->current ? eng.find_ticket(w->current) : nullptr) {
    json::object c = eng.ticket_json(*t);
    c["recalls_left"] = std::max(0, hall.config().policy.recall_limit - t->recalls);
    o["current"] = std::move(c);
  } else {
    o["current"] = nullptr;
  }
  // The window's last finished ticket: a second matter of that citizen is registered on it.
  if (w->last_finished && format_date(tz.to_local(w->last_finished_at).date) == format_date(tz.to_local(now).date))
    o["last_finished"] = json::object{{"ticket", w->last_finished}, {"number", w->last_number}, {"service", w->last_service},
                                      {"at", format_rfc3339(w->last_finished_at, tz)}};
  else
    o["last_finished"] = nullptr;
  json::array held;
  for (const engine::Ticket* t : eng.held_at(window)) held.push_back(eng.ticket_json(*t));
  o["held"] = std::move(held);

  // Waiting for this window: each of its services, and the tickets transferred to it alone.
  json::array waiting;
  for (const auto& id : wc->services) {
    const ServiceConfig* sc = hall.config().find_service(id);
    if (!sc) continue;
    waiting.push_back(json::object{{"service", id}, {"name", sc->name}, {"name_en", sc->name_en},
                                   {"prefix", std::string(1, sc->prefix)}, {"waiting", eng.waiting_count(id)}});
  }
  o["waiting"] = std::move(waiting);
  o["waiting_for_window"] = eng.waiting_for_window(window);
  // Kiosks asking for a staff member (R-HALL-7): every console shows them until one answers.
  o["help_requests"] = hall.help_json();

  // Today's counts for the clerk (the console's own, not a score: issue 8 scores).
  const auto found = eng.clerk_day().find(me);
  const engine::Engine::ClerkDay cd = found == eng.clerk_day().end() ? engine::Engine::ClerkDay{} : found->second;
  json::object today{{"called", cd.called}, {"served", cd.served}, {"no_show", cd.no_show},
                     {"transferred", cd.transferred}, {"held", cd.held}, {"consultations", cd.consultations},
                     {"average_service_s", cd.measured ? cd.service_ms / cd.measured / 1000 : 0}};
  int cases = 0;
  for (const auto& [id, c] : eng.cases())
    if (c.clerk == me && format_date(c.received) == eng.day()) ++cases;
  today["cases"] = cases;
  today["enquiries"] = static_cast<std::int64_t>(
      std::count_if(eng.enquiries().begin(), eng.enquiries().end(), [&](const auto& q) { return q.clerk == me; }));
  int unregistered = 0;
  for (const auto& [id, u] : eng.unregistered())
    if (u.window == window) ++unregistered;
  today["unregistered"] = unregistered;
  o["today"] = std::move(today);

  // R-AB-1: what happened here in the other clerk's session, for the clerk who took over.
  if (!w->handover_clerk.empty() && w->open && w->clerk == me && w->session_day == format_date(tz.to_local(now).date)) {
    json::array events;
    std::map<std::int64_t, std::string> numbers;  // ticket id -> number, for events that name only the id
    for (const auto& e : hall.window_events(window, w->handover_from, w->handover_to, kHandoverEvents)) {
      json::object j = staff_event_json(e, tz);
      json::object& d = j["data"].as_object();
      if (const auto* t = d.if_contains("ticket"); t && t->is_int64() && t->as_int64() > 0 && !d.contains("number")) {
        auto [it, fresh] = numbers.try_emplace(t->as_int64());
        if (fresh)
          if (auto tj = hall.ticket(t->as_int64()))
            if (const auto* n = tj->if_contains("number"); n && n->is_string()) it->second = n->as_string();
        if (!it->second.empty()) d["number"] = it->second;
      }
      events.push_back(std::move(j));
    }
    o["handover"] = json::object{{"from", clerk_ref(hall, w->handover_clerk)}, {"events", std::move(events)}};
  } else {
    o["handover"] = nullptr;
  }
  return o;
}

}  // namespace hallq::api
