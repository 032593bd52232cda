#include "hallq/controller/scoring.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <set>

#include "engine/rows.hpp"

namespace hallq::rules {
namespace json = boost::json;
using namespace std::chrono;
using engine::Event;
using engine::Seq;

namespace {

using engine::get_i;  // the engine's event-data readers (engine/rows.hpp)
using engine::get_s;
bool get_b(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_bool() && v->as_bool();
}

std::string leave_kind_zh(const std::string& k) {
  if (k == "personal") return "事假";
  if (k == "sick") return "病假";
  if (k == "annual") return "年休假";
  if (k == "maternity") return "产假";
  if (k == "official") return "公出";
  return "其他";
}

struct Interval {
  TimePoint from, to;
  Seq from_seq = 0, to_seq = 0;
  int window = 0;
};

// A clerk's day at the hall: sessions signed in and pauses past the alert.
struct Pause {
  Interval span;
  Seq overrun_seq = 0;
};

class Scorer {
 public:
  Scorer(const HallConfig& config, const Rulebook& book, const WorkingCalendar& calendar, const TimeZone& tz,
         const ScoreInput& in)
      : config_(config), book_(book), calendar_(calendar), tz_(tz), in_(in) {
    for (const auto& c : config.clerks)
      if (c.role == Role::Clerk) {
        ClerkScore s;
        s.clerk = c.id;
        s.name = c.name;
        index_[c.id] = out_.size();
        out_.push_back(std::move(s));
      }
    month_ = format_date(in.first).substr(0, 7);
  }

  std::vector<ClerkScore> run() {
    collect();
    attendance();
    for (auto& s : out_) finish(s);
    return std::move(out_);
  }

 private:
  bool in_period(Date d) const { return sys_days{d} >= sys_days{in_.first} && sys_days{d} <= sys_days{in_.last}; }
  bool in_period(TimePoint t) const { return in_period(tz_.to_local(t).date); }

  void line(const std::string& clerk, const std::string& rule_id, ScoreLine l, int times = 1) {
    auto it = index_.find(clerk);
    if (it == index_.end()) return;
    const ScoreRule* rule = book_.find(rule_id);
    if (!rule) return;  // the rulebook does not score this
    l.rule = rule->id;
    l.section = rule->section;
    l.zh = rule->zh;
    l.en = rule->en;
    if (!l.pending) l.points = rule->points * times;
    out_[it->second].lines.push_back(std::move(l));
  }

  // The facts other than attendance, and the sessions for attendance.
  void collect() {
    std::map<std::int64_t, const Event*> answers;  // complaint -> ComplaintAnswered
    std::map<Seq, const Event*> reviews;           // rating -> RatingReviewed
    for (const auto& e : in_.events) {
      if (e.type == "ComplaintAnswered") answers[get_i(e.data, "complaint")] = &e;
      if (e.type == "RatingReviewed") reviews[get_i(e.data, "rating")] = &e;
      if (e.type == "LeaveRecorded") {
        auto f = parse_date(get_s(e.data, "from")), t = parse_date(get_s(e.data, "to"));
        if (f && t)
          for (sys_days d = sys_days{*f}; d <= sys_days{*t}; d += days{1})
            leave_[get_s(e.data, "clerk")][format_date(Date{d})] = &e;
      }
    }
    for (const auto& e : in_.events) {
      const json::object& d = e.data;
      const std::string date = format_date(tz_.to_local(e.at).date);
      if (e.type == "DayRolledOver") {
        rollovers_.push_back(&e);
        const std::string closed = closed_day(e);
        if (auto* ov = d.if_contains("overdue"); ov && ov->is_array())
          for (const auto& v : ov->as_array()) {
            if (!v.is_object()) continue;
            const json::object& o = v.as_object();
            auto* ds = o.if_contains("days");
            if (!ds || !ds->is_array()) continue;
            for (const auto& dv : ds->as_array()) {
              auto day = dv.is_string() ? parse_date(dv.as_string()) : std::nullopt;
              if (!day || !in_period(*day)) continue;
              line(get_s(o, "clerk"), "overdue_day",
                   ScoreLine{.date = format_date(*day), .event = e.seq, .window = static_cast<int>(get_i(o, "window")),
                             .ref = get_s(o, "no"), .detail = "承诺期限 " + get_s(o, "deadline"),
                             .detail_en = "deadline " + get_s(o, "deadline")});
            }
          }
        auto cd = parse_date(closed);
        if (cd && in_period(*cd))
          if (auto* un = d.if_contains("unregistered"); un && un->is_array())
            for (const auto& v : un->as_array()) {
              if (!v.is_object()) continue;
              const json::object& o = v.as_object();
              line(get_s(o, "clerk"), "unregistered",
                   ScoreLine{.date = closed, .event = e.seq, .window = static_cast<int>(get_i(o, "window")),
                             .ref = get_s(o, "number")});
            }
        continue;
      }
      if (e.type == "CaseSupplementRequested") {
        if (get_b(d, "once_failure") && in_period(e.at)) {
          std::string items;
          if (auto* ni = d.if_contains("new_items"); ni && ni->is_array())
            for (const auto& v : ni->as_array())
              if (v.is_string()) items += (items.empty() ? "" : "、") + std::string(v.as_string());
          line(get_s(d, "clerk"), "once_failure",
               ScoreLine{.date = date, .event = e.seq, .window = e.window, .ref = get_s(d, "no"), .detail = items, .detail_en = items});
        }
        continue;
      }
      if (e.type == "ComplaintFiled") {
        if (!in_period(e.at)) continue;
        const std::int64_t id = get_i(d, "complaint");
        const std::string ref = "#" + std::to_string(id);
        auto a = answers.find(id);
        if (a == answers.end()) {
          line(get_s(d, "clerk"), "complaint",
               ScoreLine{.pending = true, .date = date, .event = e.seq, .window = e.window, .ref = ref,
                         .detail = "答复期限 " + get_s(d, "due"), .detail_en = "due " + get_s(d, "due")});
        } else if (get_s(a->second->data, "outcome") == "verified") {
          line(get_s(a->second->data, "clerk"), "complaint",
               ScoreLine{.date = date, .event = a->second->seq, .window = e.window, .ref = ref,
                         .detail = "投诉登记于事件 " + std::to_string(e.seq), .detail_en = "filed as event " + std::to_string(e.seq)});
        }
        continue;
      }
      if (e.type == "ServiceRated") {
        if (!in_period(e.at)) continue;
        const std::string clerk = get_s(d, "clerk");
        const int level = static_cast<int>(get_i(d, "level"));
        if (auto it = index_.find(clerk); it != index_.end() && level >= 1 && level <= 5) {
          out_[it->second].ratings++;
          if (level >= 3) out_[it->second].satisfied++;
        }
        if (level >= 1 && level <= 2) {
          // Raters are never identified: the line shows the day, window and level only.
          auto r = reviews.find(e.seq);
          const std::string detail = engine::rating_label(level), detail_en = "level " + std::to_string(level);
          if (r == reviews.end())
            line(clerk, "bad_review", ScoreLine{.pending = true, .date = date, .event = e.seq, .window = e.window, .detail = detail, .detail_en = detail_en});
          else if (get_s(r->second->data, "outcome") == "verified")
            line(clerk, "bad_review", ScoreLine{.date = date, .event = r->second->seq, .window = e.window, .detail = detail, .detail_en = detail_en});
        }
        continue;
      }
      if (e.type == "ScoreAdjusted") {
        if (get_s(d, "month") != month_) continue;
        auto it = index_.find(get_s(d, "clerk"));
        if (it == index_.end()) continue;
        const ScoreRule* rule = book_.find(get_s(d, "rule"));
        ScoreLine l{.rule = get_s(d, "rule"), .points = static_cast<int>(get_i(d, "points")), .date = date,
                    .event = e.seq, .detail = get_s(d, "reason"), .detail_en = get_s(d, "reason")};
        if (rule) {
          l.section = rule->section;
          l.zh = rule->zh;
          l.en = rule->en;
        } else {
          l.zh = "其他";
          l.en = "Other";
        }
        out_[it->second].lines.push_back(std::move(l));
        continue;
      }
      track_attendance(e);
    }
    // Sessions and pauses still open when the events end run to the end of their day.
    for (auto& [w, s] : open_sessions_) close_session(w, s.from_seq, day_end(s.from), 0);
    for (auto& [w, p] : open_pauses_) {
      p.span.to = day_end(p.span.from);
      pauses_[pause_clerk_[w]].push_back(p);
    }
  }

  static std::string closed_day_fallback(const TimeZone& tz, const Event& e) {
    return format_date(Date{sys_days{tz.to_local(e.at).date} - days{1}});
  }
  std::string closed_day(const Event& e) const {
    std::string c = get_s(e.data, "closed");
    return c.empty() ? closed_day_fallback(tz_, e) : c;
  }

  TimePoint day_end(TimePoint t) const { return tz_.next_midnight(t); }

  void close_session(int window, Seq, TimePoint to, Seq to_seq) {
    auto it = open_sessions_.find(window);
    if (it == open_sessions_.end()) return;
    Interval s = it->second;
    s.to = to;
    s.to_seq = to_seq;
    sessions_[session_clerk_[window]].push_back(s);
  }

  void track_attendance(const Event& e) {
    const json::object& d = e.data;
    const int w = e.window;
    if (e.type == "ClerkSignedIn") {
      open_sessions_[w] = Interval{e.at, e.at, e.seq, 0, w};
      session_clerk_[w] = get_s(d, "clerk");
    } else if (e.type == "ClerkSignedOut") {
      end_pause(w, e.at);
      if (open_sessions_.contains(w)) {
        close_session(w, 0, e.at, e.seq);
        open_sessions_.erase(w);
      }
    } else if (e.type == "WindowPaused") {
      open_pauses_[w] = Pause{Interval{e.at, e.at, e.seq, 0, w}, 0};
      pause_clerk_[w] = session_clerk_.contains(w) ? session_clerk_[w] : e.actor.id;
    } else if (e.type == "WindowPauseOverrun") {
      if (auto it = open_pauses_.find(w); it != open_pauses_.end()) it->second.overrun_seq = e.seq;
    } else if (e.type == "WindowResumed") {
      end_pause(w, e.at);
    }
  }

  void end_pause(int w, TimePoint at) {
    auto it = open_pauses_.find(w);
    if (it == open_pauses_.end()) return;
    it->second.span.to = at;
    pauses_[pause_clerk_[w]].push_back(it->second);
    open_pauses_.erase(it);
  }

  // The day's duty hours for a clerk whose window is `wc` (R-HOURS-2: over lunch if it serves then).
  std::vector<std::pair<TimePoint, TimePoint>> duty(Date d, const WindowConfig* wc) const {
    const auto& h = config_.hours;
    if (wc && wc->lunch_service) return {{tz_.from_local(d, h.open), tz_.from_local(d, h.close)}};
    return {{tz_.from_local(d, h.open), tz_.from_local(d, h.lunch_start)},
            {tz_.from_local(d, h.lunch_end), tz_.from_local(d, h.close)}};
  }
  static std::int64_t overlap_ms(TimePoint a0, TimePoint a1, TimePoint b0, TimePoint b1) {
    const TimePoint lo = std::max(a0, b0), hi = std::min(a1, b1);
    return hi > lo ? (hi - lo).count() : 0;
  }
  static std::int64_t duty_ms(const std::vector<std::pair<TimePoint, TimePoint>>& dt, TimePoint a, TimePoint b) {
    std::int64_t n = 0;
    for (const auto& [f, t] : dt) n += overlap_ms(a, b, f, t);
    return n;
  }
  // Milliseconds of [a,b) on duty while nobody else was signed in at the window (A/B cover, R-AB-1).
  std::int64_t uncovered_ms(const std::vector<std::pair<TimePoint, TimePoint>>& dt, TimePoint a, TimePoint b,
                            const std::string& clerk, int window) const {
    std::int64_t n = duty_ms(dt, a, b);
    for (const auto& [other, list] : sessions_) {
      if (other == clerk) continue;
      for (const auto& s : list)
        if (s.window == window)
          for (const auto& [f, t] : dt) n -= overlap_ms(std::max(a, f), std::min(b, t), s.from, s.to);
    }
    return std::max<std::int64_t>(0, n);
  }
  // Whole minutes, rounded down: a sign-in 40 s after opening is not a minute late.
  static int whole_minutes(std::int64_t ms) { return static_cast<int>(ms / 60000); }

  Seq rollover_of(const std::string& day) const {
    for (const Event* e : rollovers_)
      if (closed_day(*e) == day) return e->seq;
    return 0;
  }

  // R-ATT-1 / R-AB-3 / R-AB-4: each working day of the period that is over and closed by a
  // roll-over, for every clerk holding an A post: no sign-in, late, left early, away without
  // cover; and for every clerk, pauses past the alert.
  void attendance() {
    const LocalTime now = tz_.to_local(in_.now);
    for (sys_days sd = sys_days{in_.first}; sd <= sys_days{in_.last}; sd += days{1}) {
      const Date d{sd};
      if (!calendar_.is_working_day(d)) continue;
      if (sd > sys_days{now.date} || (sd == sys_days{now.date} && now.minute_of_day < config_.hours.close)) continue;
      const TimePoint day0 = tz_.from_local(d, Minutes{0}), day1 = tz_.next_midnight(day0);
      const std::string date = format_date(d);
      // Only days the controller saw through to their roll-over: a day it was not running
      // (before it was installed, a power cut all day) has no evidence either way.
      if (!rollover_of(date)) continue;
      for (auto& score : out_) {
        const WindowConfig* home = nullptr;
        for (const auto& wc : config_.windows)
          if (wc.clerk_a == score.clerk) {
            home = &wc;
            break;
          }
        const auto dt = duty(d, home);
        const TimePoint open = dt.front().first, close = dt.back().second;
        std::vector<Interval> today;
        if (auto it = sessions_.find(score.clerk); it != sessions_.end())
          for (const auto& s : it->second)
            if (s.to > day0 && s.from < day1) today.push_back(s);
        std::sort(today.begin(), today.end(), [](const Interval& a, const Interval& b) { return a.from < b.from; });
        const Event* on_leave = nullptr;
        if (auto it = leave_.find(score.clerk); it != leave_.end())
          if (auto jt = it->second.find(date); jt != it->second.end()) on_leave = jt->second;
        if (on_leave && book_.absence_excused_by_leave) {
          if (today.empty())
            excused(score.clerk, date, on_leave->seq, "请假（" + leave_kind_zh(get_s(on_leave->data, "kind")) + "）",
                    "On leave (" + get_s(on_leave->data, "kind") + ")");
          continue;
        }
        struct Found {
          std::string rule;
          int minutes = 0;
          Seq event = 0;
          int window = 0;
          std::string detail, detail_en;
        };
        std::vector<Found> found;
        if (home && today.empty()) {
          if (book_.absence_excused_by_cover && uncovered_ms(dt, open, close, score.clerk, home->number) < duty_ms(dt, open, close)) {
            excused(score.clerk, date, rollover_of(date), "B岗顶岗", "Covered by the other post");
            continue;
          }
          line(score.clerk, "absent_day", ScoreLine{.date = date, .event = rollover_of(date), .window = home->number,
                                                      .detail = "全天未签到", .detail_en = "no sign-in"});
          continue;
        }
        if (home) {
          const int late = whole_minutes(duty_ms(dt, open, today.front().from));
          if (late > book_.late_grace_minutes)
            found.push_back({late > book_.long_minutes ? "late_long" : "late", late, today.front().from_seq,
                             today.front().window, format_hhmm(tz_.to_local(today.front().from).minute_of_day) + " 签到",
                             "signed in " + format_hhmm(tz_.to_local(today.front().from).minute_of_day)});
          TimePoint last_out = today.front().to;
          Seq last_seq = today.front().to_seq;
          for (const auto& s : today)
            if (s.to >= last_out) {
              last_out = s.to;
              last_seq = s.to_seq;
            }
          const int early = whole_minutes(duty_ms(dt, std::max(last_out, open), close)) ;
          if (early > 0 && last_out < close)
            found.push_back({early > book_.long_minutes ? "early_long" : "early", early, last_seq, home->number,
                             format_hhmm(tz_.to_local(last_out).minute_of_day) + " 签退",
                             "signed out " + format_hhmm(tz_.to_local(last_out).minute_of_day)});
          // Gaps between sessions with nobody covering the window.
          TimePoint reach = today.front().to;
          Seq reach_seq = today.front().to_seq;
          for (size_t i = 1; i < today.size(); ++i) {
            if (today[i].from > reach) {
              const int away = whole_minutes(uncovered_ms(dt, reach, today[i].from, score.clerk, home->number));
              if (away > config_.policy.pause_alert_minutes)
                found.push_back({"away", away, reach_seq, home->number,
                                 format_hhmm(tz_.to_local(reach).minute_of_day) + "-" +
                                     format_hhmm(tz_.to_local(today[i].from).minute_of_day) + " 签退离岗无人顶岗",
                                 format_hhmm(tz_.to_local(reach).minute_of_day) + "-" +
                                     format_hhmm(tz_.to_local(today[i].from).minute_of_day) + " signed out"});
            }
            if (today[i].to > reach) {
              reach = today[i].to;
              reach_seq = today[i].to_seq;
            }
          }
        }
        // Pauses past the alert (R-AB-3): the whole pause, on duty, is time away.
        if (auto it = pauses_.find(score.clerk); it != pauses_.end())
          for (const auto& p : it->second) {
            if (!p.overrun_seq || p.span.to <= day0 || p.span.from >= day1) continue;
            const int away = whole_minutes(duty_ms(duty(d, config_.find_window(p.span.window)), p.span.from, p.span.to));
            if (away > 0)
              found.push_back({"away", away, p.overrun_seq, p.span.window,
                               format_hhmm(tz_.to_local(p.span.from).minute_of_day) + "-" +
                                   format_hhmm(tz_.to_local(p.span.to).minute_of_day) + " 暂停超时",
                               format_hhmm(tz_.to_local(p.span.from).minute_of_day) + "-" +
                                   format_hhmm(tz_.to_local(p.span.to).minute_of_day) + " paused"});
          }
        // 002: late, early or away for more than an hour is a day's absence (旷工), charged once.
        if (book_.absence_after_minutes > 0) {
          auto worst = std::find_if(found.begin(), found.end(), [&](const Found& f) { return f.minutes > book_.absence_after_minutes; });
          if (worst != found.end()) {
            line(score.clerk, "absent_day", ScoreLine{.date = date, .event = worst->event, .window = worst->window,
                                                        .detail = worst->detail + "（" + std::to_string(worst->minutes) + " 分钟）",
                                                        .detail_en = worst->detail_en + " (" + std::to_string(worst->minutes) + " min)"});
            continue;
          }
        }
        for (auto& f : found) {
          std::string rule = f.rule;
          if (rule == "away" && f.minutes > book_.long_minutes) rule = "away_long";
          line(score.clerk, rule, ScoreLine{.date = date, .event = f.event, .window = f.window,
                                            .detail = f.detail + "（" + std::to_string(f.minutes) + " 分钟）",
                                            .detail_en = f.detail_en + " (" + std::to_string(f.minutes) + " min)"});
        }
      }
    }
  }

  void excused(const std::string& clerk, const std::string& date, Seq event, std::string zh, std::string en) {
    auto it = index_.find(clerk);
    if (it == index_.end()) return;
    out_[it->second].lines.push_back(ScoreLine{.rule = "excused", .zh = std::move(zh), .en = std::move(en),
                                               .date = date, .event = event});
  }

  void finish(ClerkScore& s) {
    // Citizen evaluation (001 (4)): the band of the month's satisfaction rate; no ratings, no loss.
    if (!book_.satisfaction.empty()) {
      const ScoreSection* sec = book_.find_section(book_.satisfaction_section);
      const int max = sec ? sec->max : book_.satisfaction.front().points;
      int band = book_.satisfaction.front().points;
      std::string detail = "本月无评价", detail_en = "no ratings";
      if (s.ratings > 0) {
        // Integer compare: satisfied/ratings >= p%  <=>  100*satisfied >= p*ratings.
        for (const auto& b : book_.satisfaction)
          if (100LL * s.satisfied >= static_cast<long long>(b.min_percent) * s.ratings) {
            band = b.points;
            break;
          }
        detail = "满意 " + std::to_string(s.satisfied) + " / 共 " + std::to_string(s.ratings);
        detail_en = std::to_string(s.satisfied) + "/" + std::to_string(s.ratings) + " satisfied";
      }
      s.lines.push_back(ScoreLine{.rule = "satisfaction", .section = book_.satisfaction_section, .zh = "群众满意率",
                                  .en = "Satisfaction rate", .points = band - max, .date = format_date(in_.last),
                                  .detail = detail, .detail_en = detail_en});
    }
    std::stable_sort(s.lines.begin(), s.lines.end(), [](const ScoreLine& a, const ScoreLine& b) {
      return a.date != b.date ? a.date < b.date : a.event < b.event;
    });
    // 002 (5): bad reviews and complaints together take at most the cap in a month.
    if (book_.review_complaint_cap > 0) {
      int sum = 0;
      for (const auto& l : s.lines)
        if (!l.pending && (l.rule == "bad_review" || l.rule == "complaint")) sum += l.points;
      if (sum < -book_.review_complaint_cap)
        s.lines.push_back(ScoreLine{.rule = "cap", .zh = "差评与投诉当月最多扣" + std::to_string(book_.review_complaint_cap) + "分",
                                    .en = "Bad reviews and complaints capped at " + std::to_string(book_.review_complaint_cap) + " a month",
                                    .points = -book_.review_complaint_cap - sum, .date = format_date(in_.last)});
    }
    // 001: a section never goes below 0 nor above its weight.
    for (const auto& sec : book_.sections) {
      int sum = 0;
      for (const auto& l : s.lines)
        if (l.section == sec.id) sum += l.points;
      const int kept = std::clamp(sec.max + sum, 0, sec.max);
      if (kept != sec.max + sum)
        s.lines.push_back(ScoreLine{.rule = "cap", .section = sec.id, .zh = sec.zh + "分数封顶或扣完为止",
                                    .en = sec.en + ": kept within 0.." + std::to_string(sec.max),
                                    .points = kept - (sec.max + sum), .date = format_date(in_.last)});
      s.sections[sec.id] = kept;
    }
    s.score = book_.base;
    for (const auto& l : s.lines) s.score += l.points;
  }

  const HallConfig& config_;
  const Rulebook& book_;
  const WorkingCalendar& calendar_;
  const TimeZone& tz_;
  const ScoreInput& in_;
  std::string month_;
  std::vector<ClerkScore> out_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::map<std::string, const Event*>> leave_;  // clerk -> date -> LeaveRecorded
  std::vector<const Event*> rollovers_;
  std::map<int, Interval> open_sessions_;
  std::map<int, std::string> session_clerk_, pause_clerk_;
  std::map<int, Pause> open_pauses_;
  std::map<std::string, std::vector<Interval>> sessions_;
  std::map<std::string, std::vector<Pause>> pauses_;
};

}  // namespace

const std::vector<std::string>& period_event_types() {
  static const std::vector<std::string> t{"ClerkSignedIn",     "ClerkSignedOut", "WindowPaused",
                                          "WindowResumed",     "WindowPauseOverrun", "ServiceRated",
                                          "ComplaintFiled",    "DayRolledOver",  "CaseSupplementRequested"};
  return t;
}

const std::vector<std::string>& manager_event_types() {
  static const std::vector<std::string> t{"ComplaintAnswered", "RatingReviewed", "ScoreAdjusted", "LeaveRecorded"};
  return t;
}

std::vector<ClerkScore> score_period(const HallConfig& config, const Rulebook& book, const WorkingCalendar& calendar,
                                     const TimeZone& tz, const ScoreInput& in) {
  return Scorer(config, book, calendar, tz, in).run();
}

}  // namespace hallq::rules
