#include "reports_api.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>

#include "engine/rows.hpp"
#include "report_thread.hpp"
#include "routes.hpp"
#include "hallq/controller/registers.hpp"
#include "hallq/controller/scoring.hpp"
#include "hallq/controller/stats.hpp"

namespace hallq::api {
namespace json = boost::json;
using namespace std::chrono;

namespace {

// "2026-11" -> first and last day of that month.
std::optional<std::pair<Date, Date>> month_range(std::string_view m) {
  if (m.size() != 7 || m[4] != '-') return std::nullopt;
  auto first = parse_date(std::string(m) + "-01");
  if (!first) return std::nullopt;
  const year_month_day_last l{first->year(), month_day_last{first->month()}};
  return std::pair{*first, Date{l}};
}

std::string month_of(Date d) { return format_date(d).substr(0, 7); }

// What a score computation needs, copied for the report thread.
struct ScoreJob {
  HallConfig config;
  Rulebook book;
  WorkingCalendar calendar;
  TimeZone tz;
  std::string db;
  TimePoint now;
};

ScoreJob make_job(Hall& hall) {
  return ScoreJob{hall.config(), hall.config().scoring.rulebook(), hall.calendar(), hall.timezone(), hall.db_path(), hall.now()};
}

// One month's scores from the log (runs on the report thread).
Expected<std::vector<rules::ClerkScore>, std::string> score_month(const ScoreJob& job, store::StoreReader& reader, Date first,
                                                                 Date last) {
  // The period plus the next day: the roll-over that closes the last day happens after it.
  const TimePoint from = job.tz.from_local(first, Minutes{0});
  const TimePoint to = job.tz.from_local(Date{sys_days{last} + days{2}}, Minutes{0});
  auto events = reader.events_between(from, to, rules::period_event_types());
  auto decisions = reader.manager_events(rules::manager_event_types());
  std::vector<engine::Event> all;
  all.reserve(events.size() + decisions.size());
  std::merge(std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()),
             std::make_move_iterator(decisions.begin()), std::make_move_iterator(decisions.end()), std::back_inserter(all),
             [](const engine::Event& a, const engine::Event& b) { return a.seq < b.seq; });
  rules::ScoreInput in{first, last, job.now, std::move(all)};
  return rules::score_period(job.config, job.book, job.calendar, job.tz, in);
}

json::object line_json(const rules::ScoreLine& l) {
  return json::object{{"rule", l.rule},     {"section", l.section}, {"label", l.zh},     {"label_en", l.en},
                      {"points", l.points}, {"pending", l.pending}, {"date", l.date},    {"event", l.event},
                      {"window", l.window}, {"ref", l.ref},         {"detail", l.detail},
                      {"detail_en", l.detail_en}};
}

json::object score_json(const rules::ClerkScore& s, const std::string& month, const Rulebook& book) {
  json::array lines;
  int deducted = 0, added = 0, pending = 0;
  for (const auto& l : s.lines) {
    lines.push_back(line_json(l));
    if (l.points < 0) deducted += l.points;
    if (l.points > 0) added += l.points;
    if (l.pending) pending++;
  }
  json::object sections;
  for (const auto& [id, kept] : s.sections) sections[id] = kept;
  json::value rate = nullptr;
  if (s.ratings > 0) rate = std::round(1000.0 * s.satisfied / s.ratings) / 10.0;
  return json::object{{"clerk", s.clerk},        {"name", s.name},         {"month", month},       {"preset", book.preset},
                      {"base", book.base},       {"score", s.score},       {"deducted", deducted}, {"added", added},
                      {"pending", pending},      {"ratings", s.ratings},   {"satisfied", s.satisfied},
                      {"satisfaction_rate", rate}, {"sections", std::move(sections)}, {"lines", std::move(lines)}};
}


json::object rulebook_json(const Rulebook& b) {
  json::array sections, rules, bands;
  for (const auto& s : b.sections) sections.push_back(json::object{{"id", s.id}, {"max", s.max}, {"label", s.zh}, {"label_en", s.en}});
  for (const auto& r : b.rules)
    rules.push_back(json::object{{"id", r.id}, {"points", r.points}, {"section", r.section}, {"label", r.zh},
                                 {"label_en", r.en}, {"manual", r.manual}});
  for (const auto& x : b.satisfaction) bands.push_back(json::object{{"min_percent", x.min_percent}, {"points", x.points}});
  return json::object{{"preset", b.preset},
                      {"source", b.source},
                      {"base", b.base},
                      {"sections", std::move(sections)},
                      {"rules", std::move(rules)},
                      {"satisfaction", std::move(bands)},
                      {"review_complaint_cap", b.review_complaint_cap},
                      {"late_grace_minutes", b.late_grace_minutes},
                      {"long_minutes", b.long_minutes},
                      {"absence_after_minutes", b.absence_after_minutes},
                      {"absence_excused_by_cover", b.absence_excused_by_cover},
                      {"absence_excused_by_leave", b.absence_excused_by_leave}};
}

// R-SCORE-3: a quarter or a year as the mean of its months so far, with the top 3 clerks
// (工作标兵) and windows (流动红旗窗口; a window's score is the mean of its A and B posts').
JsonResult summary(const ScoreJob& job, const std::string& label, Date first, Date last) {
  auto reader = store::StoreReader::open(job.db);
  if (!reader) return unexpected(reader.error());
  const Date today = job.tz.to_local(job.now).date;
  std::map<std::string, std::vector<std::pair<std::string, int>>> by_clerk;
  std::map<std::string, std::string> names;
  json::array months;
  for (Date m = first; sys_days{m} <= sys_days{last} && sys_days{m} <= sys_days{today};
       m = Date{year_month_day{m.year() / m.month() / 1} + std::chrono::months{1}}) {
    auto r = month_range(month_of(m));
    // A month the controller did not run at all (before it was installed) has no evidence: it
    // is not counted as a perfect month.
    const TimePoint m0 = job.tz.from_local(r->first, Minutes{0});
    const TimePoint m1 = job.tz.from_local(Date{sys_days{r->second} + days{1}}, Minutes{0});
    if ((*reader)->first_seq_at(m0) == (*reader)->first_seq_at(m1)) continue;
    auto scores = score_month(job, **reader, r->first, r->second);
    if (!scores) return unexpected(scores.error());
    months.push_back(json::value(month_of(m)));
    for (const auto& s : *scores) {
      by_clerk[s.clerk].emplace_back(month_of(m), s.score);
      names[s.clerk] = s.name;
    }
  }
  auto mean = [](const std::vector<double>& v) {
    if (v.empty()) return 0.0;
    double t = 0;
    for (double x : v) t += x;
    return std::round(10.0 * t / static_cast<double>(v.size())) / 10.0;
  };
  std::map<std::string, double> clerk_mean;
  json::array clerks;
  for (const auto& c : job.config.clerks) {
    auto it = by_clerk.find(c.id);
    if (it == by_clerk.end()) continue;
    std::vector<double> v;
    json::array per;
    for (const auto& [m, sc] : it->second) {
      v.push_back(sc);
      per.push_back(json::object{{"month", m}, {"score", sc}});
    }
    clerk_mean[c.id] = mean(v);
    clerks.push_back(json::object{{"clerk", c.id}, {"name", names[c.id]}, {"score", clerk_mean[c.id]}, {"months", std::move(per)}});
  }
  json::array windows;
  std::vector<std::pair<double, int>> window_rank;
  for (const auto& w : job.config.windows) {
    std::vector<double> v;
    json::array who;
    for (const auto& id : {w.clerk_a, w.clerk_b})
      if (auto it = clerk_mean.find(id); it != clerk_mean.end()) {
        v.push_back(it->second);
        who.push_back(json::value(id));
      }
    if (v.empty()) continue;
    const double sc = mean(v);
    window_rank.emplace_back(sc, w.number);
    windows.push_back(json::object{{"window", w.number}, {"name", w.name}, {"clerks", std::move(who)}, {"score", sc}});
  }
  std::vector<std::pair<double, std::string>> clerk_rank;
  for (const auto& [id, sc] : clerk_mean) clerk_rank.emplace_back(sc, id);
  // Highest first; ties by id / number so the order is stable.
  std::sort(clerk_rank.begin(), clerk_rank.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::sort(window_rank.begin(), window_rank.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  json::array top_clerks, top_windows;
  for (size_t i = 0; i < clerk_rank.size() && i < 3; ++i)
    top_clerks.push_back(json::object{{"clerk", clerk_rank[i].second}, {"name", names[clerk_rank[i].second]}, {"score", clerk_rank[i].first}});
  for (size_t i = 0; i < window_rank.size() && i < 3; ++i) {
    const WindowConfig* wc = job.config.find_window(window_rank[i].second);
    top_windows.push_back(json::object{{"window", window_rank[i].second}, {"name", wc ? wc->name : ""}, {"score", window_rank[i].first}});
  }
  return json::value(json::object{{"period", label},
                                  {"from", format_date(first)},
                                  {"to", format_date(last)},
                                  {"preset", job.book.preset},
                                  {"months", std::move(months)},
                                  {"clerks", std::move(clerks)},
                                  {"windows", std::move(windows)},
                                  {"top_clerks", std::move(top_clerks)},
                                  {"top_windows", std::move(top_windows)}});
}

// Statistics of issue days from..to (runs on the report thread): tickets and cases row by row,
// ratings from the log.
JsonResult stats(const ScoreJob& job, const rules::StatsQuery& q) {
  auto reader = store::StoreReader::open(job.db);
  if (!reader) return unexpected(reader.error());
  rules::StatsBuilder b(job.config, job.tz, q);
  std::size_t damaged = 0;
  (*reader)->for_each_ticket_row(format_date(q.from), format_date(q.to), [&](std::string_view row) {
    if (!b.add_ticket_row(row)) damaged++;
  });
  (*reader)->for_each_case_row(format_date(q.from), format_date(q.to), [&](std::string_view row) {
    if (!b.add_case_row(row)) damaged++;
  });
  const TimePoint from = job.tz.from_local(q.from, Minutes{0});
  const TimePoint to = job.tz.from_local(Date{sys_days{q.to} + days{1}}, Minutes{0});
  (*reader)->for_each_event_data(from, to, {"ServiceRated"}, [&](std::string_view, TimePoint at, int window, std::string_view data) {
    if (!b.add_rating_data(at, window, data)) damaged++;
  });
  json::object out = b.result(job.now);
  out["damaged_rows"] = damaged;
  return json::value(std::move(out));
}

// 办件登记簿: the cases registered from..to, classified (runs on the report thread).
JsonResult case_book(const ScoreJob& job, Date from, Date to, const std::string& classify) {
  auto reader = store::StoreReader::open(job.db);
  if (!reader) return unexpected(reader.error());
  rules::CaseBook book(job.config, job.tz, job.calendar, from, to, classify);
  std::size_t damaged = 0;
  std::array<unsigned char, 16384> arena;  // each row parsed into it, reused by the next
  (*reader)->for_each_case_row(format_date(from), format_date(to), [&](std::string_view row) {
    boost::system::error_code ec;
    json::monotonic_resource mr(arena.data(), arena.size());
    json::value v = json::parse(row, ec, &mr);
    engine::Case c;
    if (ec || !v.is_object() || !engine::case_from_row(v.as_object(), c)) {
      damaged++;
      return;
    }
    book.add(c);
  });
  json::object out = book.result(job.now);
  out["centre"] = job.config.centre.name;
  out["damaged_rows"] = damaged;
  return json::value(std::move(out));
}

// 统计簿: tickets, cases and ratings per day or month of from..to (runs on the report thread).
JsonResult ledger(const ScoreJob& job, Date from, Date to, const std::string& by) {
  auto reader = store::StoreReader::open(job.db);
  if (!reader) return unexpected(reader.error());
  rules::Ledger l(job.config, job.tz, from, to, by);
  std::size_t damaged = 0;
  (*reader)->for_each_ticket_row(format_date(from), format_date(to), [&](std::string_view row) {
    if (!l.add_ticket_row(row)) damaged++;
  });
  (*reader)->for_each_case_row(format_date(from), format_date(to), [&](std::string_view row) {
    if (!l.add_case_row(row)) damaged++;
  });
  const TimePoint a = job.tz.from_local(from, Minutes{0});
  const TimePoint b = job.tz.from_local(Date{sys_days{to} + days{1}}, Minutes{0});
  (*reader)->for_each_event_data(a, b, rules::Ledger::event_types(), [&](std::string_view type, TimePoint at, int, std::string_view data) {
    if (!l.add_event(type, at, data)) damaged++;
  });
  json::object out = l.result();
  out["centre"] = job.config.centre.name;
  out["damaged_rows"] = damaged;
  return json::value(std::move(out));
}

json::object complaint_json(Hall& hall, const engine::OpenComplaint& c) {
  json::object o{{"id", c.id},          {"received", format_date(c.received)}, {"due", format_date(c.due)},
                 {"window", c.window},  {"clerk", c.clerk},                    {"channel", c.channel},
                 {"filed_at", format_rfc3339(c.at, hall.timezone())}, {"event", c.filed_seq}};
  const Date today = hall.timezone().to_local(hall.now()).date;
  o["overdue"] = sys_days{today} > sys_days{c.due};
  o["due_today"] = sys_days{today} == sys_days{c.due};
  if (auto e = hall.event_at(c.filed_seq); e && e->type == "ComplaintFiled") {
    o["content"] = e->data.contains("content") ? e->data.at("content") : json::value("");
    o["categories"] = e->data.contains("categories") ? e->data.at("categories") : json::array{};
    // Sealed since issue 9 ({masked, sealed}); a complaint logged before that holds the clear
    // strings, masked here. The manager answering it may see the phone in clear (R-COMP-1),
    // until its month's data is purged.
    auto* name = e->data.if_contains("name");
    auto* phone = e->data.if_contains("phone");
    if ((name && name->is_object()) || (phone && phone->is_object())) {
      const engine::Sealed n = engine::sealed_from_json(name), ph = engine::sealed_from_json(phone);
      o["name"] = n.masked;
      o["phone"] = ph.masked;
      if (hall.sealer() && !ph.sealed.empty()) {
        if (auto clear = hall.sealer()->open_text(ph.sealed)) o["phone_clear"] = *clear;
        else o["personal_data"] = "purged";
      }
    } else {
      o["name"] = mask_name(name && name->is_string() ? std::string_view(name->as_string()) : std::string_view());
      o["phone"] = engine::mask_phone(phone && phone->is_string() ? std::string_view(phone->as_string()) : std::string_view());
    }
  }
  return o;
}

// Should window `w` be staffed now? Its hours, not the ticket rules: a demo hall that issues
// tickets at any hour (always_open) still expects its clerks only in opening hours.
bool staffed_hours(const HallConfig& cfg, const WorkingCalendar& cal, const WindowConfig& w, const LocalTime& l) {
  const HoursConfig& h = cfg.hours;
  if (!cal.is_working_day(l.date))
    return h.weekend_service && w.weekend_service && l.minute_of_day >= h.weekend_open && l.minute_of_day < h.weekend_close;
  if (l.minute_of_day < h.open || l.minute_of_day >= h.close) return false;
  return w.lunch_service || l.minute_of_day < h.lunch_start || l.minute_of_day >= h.lunch_end;
}

}  // namespace

namespace {

// The manager's alerts as they are collected: each with its kind, severity and message.
struct Alerts {
  Hall& hall;
  const engine::Engine& eng;
  const HallConfig& cfg;
  const TimeZone& tz;
  TimePoint now;
  LocalTime local;
  std::string today;
  std::vector<std::pair<int, json::object>> out;  // severity rank, alert

  std::string name_of(const std::string& id) const {
    const ClerkConfig* c = cfg.find_clerk(id);
    return c ? c->name : id;
  }
  void add(const char* kind, const char* severity, json::object o, std::string zh, std::string en) {
    o["kind"] = kind;
    o["severity"] = severity;
    o["message"] = std::move(zh);
    o["message_en"] = std::move(en);
    const int rank = std::string_view(severity) == "alarm" ? 0 : std::string_view(severity) == "warn" ? 1 : 2;
    out.emplace_back(rank, std::move(o));
  }
};

// R-AB-2, R-AB-3: windows paused too long, or unstaffed in their hours.
void window_alerts(Alerts& x) {
  Hall& hall = x.hall;
  const engine::Engine& eng = x.eng;
  const HallConfig& cfg = x.cfg;
  const TimeZone& tz = x.tz;
  const TimePoint now = x.now;
  const LocalTime& local = x.local;
  for (const auto& w : eng.windows()) {
    const WindowConfig* wc = cfg.find_window(w.number);
    if (!wc) continue;
    const std::string n = std::to_string(w.number);
    if (w.open && w.paused && w.pause_alerted) {
      const auto mins = duration_cast<minutes>(now - w.since).count();
      x.add("pause_overrun", "alarm", json::object{{"window", w.number}, {"clerk", w.clerk}, {"since", format_rfc3339(w.since, tz)}},
          n + " 号窗口暂停已 " + std::to_string(mins) + " 分钟（" + x.name_of(w.clerk) + "，" + w.pause_reason + "）",
          "Window " + n + " paused for " + std::to_string(mins) + " min");
    }
    if (!w.open && staffed_hours(cfg, hall.calendar(), *wc, local)) {
      // R-AB-2: neither post is at the window. Say where each is, if signed in elsewhere.
      auto where = [&](const std::string& id) -> std::string {
        if (id.empty()) return "未设";
        for (const auto& o : eng.windows())
          if (o.open && o.clerk == id) return x.name_of(id) + "在 " + std::to_string(o.number) + " 号窗口";
        return x.name_of(id) + "不在岗";
      };
      x.add("window_unstaffed", "alarm",
          json::object{{"window", w.number}, {"clerk_a", wc->clerk_a}, {"clerk_b", wc->clerk_b}},
          n + " 号窗口无人在岗：A岗 " + where(wc->clerk_a) + "，B岗 " + where(wc->clerk_b),
          "Window " + n + " unstaffed: neither A nor B is signed in");
    }
  }
}

// Devices offline and printers out of paper.
void device_alerts(Alerts& x) {
  Hall& hall = x.hall;
  const engine::Engine& eng = x.eng;
  const HallConfig& cfg = x.cfg;
  const TimeZone& tz = x.tz;
  for (const auto& d : cfg.devices) {
    auto it = eng.devices().find(d.id);
    const std::string where = d.location.empty() ? d.id : d.location + "（" + d.id + "）";
    if (!hall.device_online(d.id))
      x.add("device_offline", "alarm", json::object{{"device", d.id}}, where + " 离线", "Device " + d.id + " offline");
    if (it == eng.devices().end()) continue;
    const std::string& st = it->second.printer;
    if (st == "paper_out" || st == "cover_open" || st == "error" || st == "offline")
      x.add("printer_out", "alarm", json::object{{"device", d.id}, {"state", st}, {"since", format_rfc3339(it->second.since, tz)}},
          where + " 打印机不可用（" + st + "）", "Printer of " + d.id + ": " + st);
    else if (st == "near_end")
      x.add("printer_near_end", "warn", json::object{{"device", d.id}, {"state", st}, {"since", format_rfc3339(it->second.since, tz)}},
          where + " 打印纸将尽，请及时更换", "Printer of " + d.id + ": paper near end");
  }
}

// Deadlines: cases (R-TIME-*), complaints (R-COMP-1), appointment requests (R-APPT-1).
void deadline_alerts(Alerts& x) {
  const engine::Engine& eng = x.eng;
  const std::string& today = x.today;
  for (const auto& [id, c] : eng.cases()) {
    if (c.state != engine::CaseState::Open || !c.deadline) continue;
    const std::string due = format_date(*c.deadline);
    json::object o{{"case", id}, {"ref", c.no}, {"window", c.window}, {"clerk", c.clerk}, {"deadline", due}};
    if (due < today)
      x.add("case_overdue", "alarm", std::move(o),
          "办件 " + c.no + "（" + c.item_name + "）已超期，承诺期限 " + due + "，" + x.name_of(c.clerk),
          "Case " + c.no + " overdue since " + due);
    else if (due == today)
      x.add("case_due_today", "warn", std::move(o), "办件 " + c.no + "（" + c.item_name + "）今日到期，" + x.name_of(c.clerk),
          "Case " + c.no + " due today");
  }
  for (const auto& [id, c] : eng.open_complaints()) {
    const std::string due = format_date(c.due);
    json::object o{{"complaint", id}, {"ref", "#" + std::to_string(id)}, {"window", c.window}, {"due", due}};
    if (due < today)
      x.add("complaint_overdue", "alarm", std::move(o), "投诉 #" + std::to_string(id) + " 答复已超期（应于 " + due + " 前答复）",
          "Complaint #" + std::to_string(id) + " answer overdue since " + due);
    else if (due == today)
      x.add("complaint_due_today", "warn", std::move(o), "投诉 #" + std::to_string(id) + " 今日须答复",
          "Complaint #" + std::to_string(id) + " to be answered today");
  }
  // R-APPT-1: a request is answered within one working day.
  for (const auto& [id, a] : eng.appointments()) {
    if (a.state != engine::AppointmentState::Requested) continue;
    const std::string due = format_date(a.due);
    json::object o{{"appointment", id}, {"ref", "#" + std::to_string(id)}, {"service", a.service}, {"due", due}};
    if (due < today)
      x.add("appointment_unanswered", "alarm", std::move(o),
          "预约申请 #" + std::to_string(id) + "（" + a.name.masked + "）未在一个工作日内答复（应于 " + due + " 前答复）",
          "Appointment request #" + std::to_string(id) + " unanswered since " + due);
    else if (due == today)
      x.add("appointment_due_today", "warn", std::move(o), "预约申请 #" + std::to_string(id) + "（" + a.name.masked + "）今日须答复",
          "Appointment request #" + std::to_string(id) + " to be answered today");
  }
}

// People waiting on the manager: bad reviews to follow up, kiosks calling for help, and
// accounts whose PIN or password is being guessed at.
void people_alerts(Alerts& x) {
  Hall& hall = x.hall;
  const engine::Engine& eng = x.eng;
  const HallConfig& cfg = x.cfg;
  const TimeZone& tz = x.tz;
  const TimePoint now = x.now;
  for (const auto& [seq, f] : eng.follow_ups())
    x.add("follow_up", "info", json::object{{"rating", seq}, {"window", f.window}, {"clerk", f.clerk}, {"since", format_rfc3339(f.at, tz)}},
        std::to_string(f.window) + " 号窗口差评（" + engine::rating_label(f.level) + "）待跟进",
        "Bad review at window " + std::to_string(f.window) + " to follow up");
  for (const auto& [id, h] : eng.open_help())
    if (now - h.at >= minutes{2}) {
      const DeviceConfig* dc = nullptr;
      for (const auto& d : cfg.devices)
        if (d.id == h.device) dc = &d;
      x.add("help_waiting", "alarm", json::object{{"device", h.device}, {"help", id}, {"since", format_rfc3339(h.at, tz)}},
          (dc && !dc->location.empty() ? dc->location : h.device) + " 的群众呼叫帮办，已等候 " +
              std::to_string(duration_cast<minutes>(now - h.at).count()) + " 分钟",
          "Help requested at " + h.device + ", waiting");
    }
  // Issue 26: an account whose PIN or password is being guessed at (docs/security.md).
  for (const auto& g : hall.sign_in_guessing()) {
    json::array from;
    std::string list;
    for (const auto& a : g.addresses) {
      from.push_back(json::value(a));
      if (from.size() <= 3) list += (list.empty() ? "" : ", ") + a;
    }
    if (g.addresses.size() > 3) list += " …";
    const std::string who = g.user.empty() ? std::string("不存在的工号") : x.name_of(g.user) + "（" + g.user + "）";
    const std::string who_en = g.user.empty() ? std::string("unknown ids") : g.user;
    x.add("sign_in_guessing", g.capped ? "alarm" : "warn",
        json::object{{"user", g.user}, {"failures", g.failures}, {"addresses", std::move(from)}, {"locked", g.capped}},
        "账号 " + who + " 今日密码错误 " + std::to_string(g.failures) + " 次，来自 " + list +
            (g.capped ? "；已暂停在其他电脑登录，核实后可解锁" : ""),
        "Wrong PINs or passwords for " + who_en + " today: " + std::to_string(g.failures) + ", from " + list +
            (g.capped ? "; locked except on its usual PCs until unlocked" : ""));
  }
}

}  // namespace

json::array hall_alerts(Hall& hall) {
  const TimePoint now = hall.now();
  const LocalTime local = hall.timezone().to_local(now);
  Alerts x{hall, hall.engine(), hall.config(), hall.timezone(), now, local, format_date(local.date), {}};
  window_alerts(x);
  device_alerts(x);
  deadline_alerts(x);
  people_alerts(x);
  std::stable_sort(x.out.begin(), x.out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json::array arr;
  for (auto& [rank, o] : x.out) arr.push_back(std::move(o));
  return arr;
}

namespace {

asio::awaitable<Response> alerts(const Call& c) {
  co_return c.answer(http::status::ok, json::object{{"now", format_rfc3339(c.hall.now(), c.hall.timezone())},
                                                    {"alerts", hall_alerts(c.hall)}});
}

asio::awaitable<Response> rulebook(const Call& c) {
  co_return c.answer(http::status::ok, rulebook_json(c.hall.config().scoring.rulebook()));
}

// The month's scores, one entry per clerk, every line with its rule, points and event.
asio::awaitable<Response> month_scores(const Call& c) {
  const std::string month = c.query("month");
  auto range = month_range(month);
  if (!range) co_return c.fail(api_error(422, "invalid_value", "month must be YYYY-MM", "月份格式应为 YYYY-MM"));
  const auto work = [job = make_job(c.hall), range, month]() -> JsonResult {
    auto reader = store::StoreReader::open(job.db);
    if (!reader) return unexpected(reader.error());
    auto scores = score_month(job, **reader, range->first, range->second);
    if (!scores) return unexpected(scores.error());
    json::array out;
    for (const auto& s : *scores) out.push_back(score_json(s, month, job.book));
    return json::value(std::move(out));
  };
  auto r = co_await on_report_thread<JsonResult>(c.hall, work);
  co_return report_answer(c.req, r);
}

asio::awaitable<Response> stats_report(const Call& c) {
  rules::StatsQuery q;
  auto f = parse_date(c.query("from")), t = parse_date(c.query("to"));
  if (f) q.from = *f;
  if (t) q.to = *t;
  if (!c.query("by").empty()) q.by = c.query("by");
  if (!c.query("group").empty()) q.group = c.query("group");
  std::string why;
  if (!f || !t || !rules::valid_stats_query(q, &why))
    co_return c.fail(api_error(422, "invalid_value", why.empty() ? "from and to are dates YYYY-MM-DD" : why, "统计条件无效"));
  const auto work = [job = make_job(c.hall), q]() -> JsonResult { return stats(job, q); };
  auto r = co_await on_report_thread<JsonResult>(c.hall, work);
  co_return report_answer(c.req, r);
}

// The case register (classify=type|item) and the service ledger (by=day|month) of a period.
template <bool CaseRegister>
asio::awaitable<Response> register_report(const Call& c) {
  auto range = date_range_param(c.req.target());
  if (!range) co_return c.fail(range.error());
  std::string mode = c.query(CaseRegister ? "classify" : "by");
  if (mode.empty()) mode = CaseRegister ? "type" : "day";
  if (CaseRegister ? mode != "type" && mode != "item" : mode != "day" && mode != "month")
    co_return c.fail(api_error(422, "invalid_value", CaseRegister ? "classify is type or item" : "by is day or month",
                               CaseRegister ? "分类方式应为类型或事项" : "统计方式应为按日或按月"));
  const auto work = [job = make_job(c.hall), from = range->first, to = range->second, mode]() -> JsonResult {
    return CaseRegister ? case_book(job, from, to, mode) : ledger(job, from, to, mode);
  };
  auto r = co_await on_report_thread<JsonResult>(c.hall, work);
  co_return report_answer(c.req, r);
}

// ?quarter=YYYY-Qn or ?year=YYYY: the first and last day, and the label.
std::optional<std::tuple<Date, Date, std::string>> summary_period(const std::string& quarter, const std::string& year) {
  std::optional<std::pair<Date, Date>> a, b;
  std::string label;
  if (quarter.size() == 7 && quarter[4] == '-' && quarter[5] == 'Q' && quarter[6] >= '1' && quarter[6] <= '4') {
    static const char* const firsts[] = {"-01", "-04", "-07", "-10"};
    static const char* const lasts[] = {"-03", "-06", "-09", "-12"};
    const int q = quarter[6] - '1';
    a = month_range(quarter.substr(0, 4) + firsts[q]);
    b = month_range(quarter.substr(0, 4) + lasts[q]);
    label = quarter;
  } else if (year.size() == 4) {
    a = month_range(year + "-01");
    b = month_range(year + "-12");
    label = year;
  }
  if (!a || !b) return std::nullopt;
  return std::tuple{a->first, b->second, label};
}

asio::awaitable<Response> score_summary(const Call& c) {
  auto period = summary_period(c.query("quarter"), c.query("year"));
  if (!period)
    co_return c.fail(api_error(422, "invalid_value", "give quarter=YYYY-Qn or year=YYYY", "请指定季度（YYYY-Qn）或年度（YYYY）"));
  const auto work = [job = make_job(c.hall), p = *period]() -> JsonResult {
    return summary(job, std::get<2>(p), std::get<0>(p), std::get<1>(p));
  };
  auto r = co_await on_report_thread<JsonResult>(c.hall, work);
  co_return report_answer(c.req, r);
}

asio::awaitable<Response> open_complaints(const Call& c) {
  json::array list;
  for (const auto& [id, x] : c.hall.engine().open_complaints()) list.push_back(complaint_json(c.hall, x));
  co_return c.answer(http::status::ok, json::object{{"open", std::move(list)}});
}

asio::awaitable<Response> answer_complaint(const Call& c) {
  const auto id = c.number();
  if (!id || *id < 1) co_return c.fail(api_error(404, "not_found", "no such complaint", "没有该投诉"));
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto outcome = str_field(*body, "outcome", true, 16);
  auto clerk = str_field(*body, "clerk", false, 64);
  auto text = str_field(*body, "answer", true, 2000);
  for (auto* f : {&outcome, &clerk, &text})
    if (!*f) co_return c.fail(f->error());
  const engine::Command cmd = engine::AnswerComplaint{*id, *outcome, *clerk, *text};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

asio::awaitable<Response> open_follow_ups(const Call& c) {
  const TimeZone& tz = c.hall.timezone();
  const Date today = tz.to_local(c.hall.now()).date;
  json::array list;
  for (const auto& [seq, f] : c.hall.engine().follow_ups())
    list.push_back(json::object{{"rating", seq},
                                {"at", format_rfc3339(f.at, tz)},
                                {"window", f.window},
                                {"clerk", f.clerk},
                                {"number", f.number},
                                {"case", f.case_id},
                                {"level", f.level},
                                {"label", engine::rating_label(f.level)},
                                {"age_days", (sys_days{today} - sys_days{tz.to_local(f.at).date}).count()}});
  co_return c.answer(http::status::ok, json::object{{"open", std::move(list)}});
}

asio::awaitable<Response> review_follow_up(const Call& c) {
  const auto seq = c.number();
  if (!seq || *seq < 1) co_return c.fail(api_error(404, "not_found", "no such follow-up", "没有该差评跟进"));
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto outcome = str_field(*body, "outcome", true, 16);
  auto note = str_field(*body, "note", true, 2000);
  for (auto* f : {&outcome, &note})
    if (!*f) co_return c.fail(f->error());
  const engine::Command cmd = engine::ReviewRating{*seq, *outcome, *note};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

// The points of a manual item: the rulebook's, or for "other" the ones given.
Expected<int, ApiError> manual_points(const Rulebook& book, const std::string& rule, std::int64_t points) {
  const ScoreRule* r = book.find(rule);
  if (!r || !r->manual) {
    std::string names;
    for (const auto& x : book.rules)
      if (x.manual) names += (names.empty() ? "" : ", ") + x.id;
    return unexpected(api_error(422, "invalid_value", "rule must be one of the rulebook's manual items: " + names,
                                "考评项目应为考评细则中的手工项目"));
  }
  if (r->id == "other") {
    if (points == 0) return unexpected(api_error(422, "invalid_value", "an 'other' item needs its points", "“其他”项目须填写分值"));
    return static_cast<int>(std::clamp<std::int64_t>(points, -1000, 1000));
  }
  if (points != 0 && points != r->points)
    return unexpected(api_error(422, "invalid_value",
                                "the rulebook gives '" + r->id + "' " + std::to_string(r->points) + " points; use 'other' for a different value",
                                "该项目分值由考评细则规定"));
  return r->points;
}

// A manual item (praise, media, ...) under the rulebook's points, with the reason (audited).
asio::awaitable<Response> adjust_score(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto clerk = str_field(*body, "clerk", true, 64);
  auto rule = str_field(*body, "rule", true, 32);
  auto month = str_field(*body, "month", false, 7);
  auto reason = str_field(*body, "reason", true, 500);
  for (auto* f : {&clerk, &rule, &month, &reason})
    if (!*f) co_return c.fail(f->error());
  auto points = int_field(*body, "points", false);
  if (!points) co_return c.fail(points.error());
  auto pts = manual_points(c.hall.config().scoring.rulebook(), *rule, *points);
  if (!pts) co_return c.fail(pts.error());
  const std::string m = month->empty() ? month_of(c.hall.timezone().to_local(c.hall.now()).date) : *month;
  const engine::Command cmd = engine::AdjustScore{*clerk, *rule, *pts, m, *reason};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

asio::awaitable<Response> list_leave(const Call& c) {
  json::array list;
  for (const auto& e : c.hall.manager_events({"LeaveRecorded"})) {
    json::object o = e.data;
    o["event"] = e.seq;
    o["by"] = e.actor.id;
    o["at"] = format_rfc3339(e.at, c.hall.timezone());
    list.push_back(std::move(o));
  }
  co_return c.answer(http::status::ok, json::object{{"leave", std::move(list)}});
}

asio::awaitable<Response> record_leave(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto clerk = str_field(*body, "clerk", true, 64);
  auto from = str_field(*body, "from", true, 10);
  auto to = str_field(*body, "to", false, 10);
  auto kind = str_field(*body, "kind", true, 16);
  auto reason = str_field(*body, "reason", false, 500);
  for (auto* f : {&clerk, &from, &to, &kind, &reason})
    if (!*f) co_return c.fail(f->error());
  auto f = parse_date(*from);
  auto t = to->empty() ? f : parse_date(*to);
  if (!f || !t) co_return c.fail(api_error(422, "invalid_value", "from and to are dates YYYY-MM-DD", "日期格式应为 YYYY-MM-DD"));
  const engine::Command cmd = engine::RecordLeave{*clerk, *f, *t, *kind, *reason};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

using boost::beast::http::verb;
using enum Access;

const std::array kOversightRoutes{
    Route{verb::get, "/api/v1/alerts", Manager, alerts},
    Route{verb::get, "/api/v1/complaints", Manager, open_complaints},
    Route{verb::post, "/api/v1/complaints/{id}/answer", Manager, answer_complaint},
    Route{verb::get, "/api/v1/follow-ups", Manager, open_follow_ups},
    Route{verb::post, "/api/v1/follow-ups/{id}/review", Manager, review_follow_up},
    Route{verb::get, "/api/v1/leave", Manager, list_leave},
    Route{verb::post, "/api/v1/leave", Manager, record_leave},
    Route{verb::post, "/api/v1/scores/adjustments", Manager, adjust_score},
    Route{verb::get, "/api/v1/scoring/rulebook", Manager, rulebook},
    Route{verb::get, "/api/v1/reports/scores?month={month}", Manager, month_scores},
    Route{verb::get, "/api/v1/reports/scores/summary?quarter={q}", Manager, score_summary},
    Route{verb::get, "/api/v1/reports/stats?from={date}&to={date}", Manager, stats_report},
    Route{verb::get, "/api/v1/reports/register?from={date}&to={date}", Manager, register_report<true>},
    Route{verb::get, "/api/v1/reports/ledger?from={date}&to={date}", Manager, register_report<false>},
};

}  // namespace

std::span<const Route> oversight_routes() { return kOversightRoutes; }

}  // namespace hallq::api
