#include "hallq/controller/stats.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "engine/pick.hpp"

namespace hallq::rules {
namespace json = boost::json;
using namespace std::chrono;

namespace {

// Nearest-rank percentile of whole seconds; null without samples.
json::value percentile(std::vector<std::int32_t> v, double p) {
  if (v.empty()) return nullptr;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  const std::size_t i = std::clamp<std::size_t>(rank, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

std::int32_t seconds_between(TimePoint a, TimePoint b) {
  return static_cast<std::int32_t>(std::max<std::int64_t>(0, duration_cast<seconds>(b - a).count()));
}

}  // namespace

bool valid_stats_query(const StatsQuery& q, std::string* why) {
  auto fail = [&](const char* m) {
    if (why) *why = m;
    return false;
  };
  if (!q.from.ok() || !q.to.ok() || sys_days{q.to} < sys_days{q.from}) return fail("from and to are dates, from <= to");
  if (sys_days{q.to} - sys_days{q.from} > days{366}) return fail("at most a year (367 days) at a time");
  if (q.by != "day" && q.by != "week" && q.by != "month" && q.by != "all") return fail("by is day, week, month or all");
  if (q.group != "service" && q.group != "window" && q.group != "clerk" && q.group != "none")
    return fail("group is service, window, clerk or none");
  return true;
}

// The row fields the figures read (engine/rows.cpp writes them).
enum TicketField : std::size_t { kTDay, kTService, kTClerk, kTWindow, kTState, kTConsultation, kTIssued, kTCalled, kTStarted, kTFinished };
enum CaseField : std::size_t { kCType, kCState, kCOverdue, kCDeadline };
enum RatingField : std::size_t { kRLevel, kRService, kRClerk, kRChannel };
// Where ratings come from (R-EVAL-1); events from before late ratings name none: the window's.
constexpr const char* kRatingChannels[] = {"evaluator", "kiosk", "phone"};

StatsBuilder::StatsBuilder(const HallConfig& config, const TimeZone& tz, StatsQuery q)
    : config_(config),
      tz_(tz),
      q_(std::move(q)),
      ticket_pick_(std::make_unique<engine::RowPicker>(std::vector<std::string>{
          "day", "service", "clerk", "window", "state", "consultation", "issued_at", "called_at", "started_at", "finished_at"})),
      case_pick_(std::make_unique<engine::RowPicker>(std::vector<std::string>{"type", "state", "overdue_days", "deadline"})),
      rating_pick_(std::make_unique<engine::RowPicker>(std::vector<std::string>{"level", "service", "clerk", "channel"})) {}

StatsBuilder::~StatsBuilder() = default;

std::string StatsBuilder::period(Date d) const {
  if (q_.by == "all") return "all";
  if (q_.by == "month") return format_date(d).substr(0, 7);
  if (q_.by == "week") {
    // The Monday that starts the week (ISO weeks: Monday first).
    const weekday wd{sys_days{d}};
    const int back = (wd.c_encoding() + 6) % 7;
    return format_date(Date{sys_days{d} - days{back}});
  }
  return format_date(d);
}

StatsBuilder::Bucket& StatsBuilder::bucket(std::string_view day, std::string_view key) {
  if (q_.group == "none") key = {};
  if (day != last_day_) {
    auto d = parse_date(std::string(day));
    std::string p = d ? period(*d) : std::string(day);
    last_day_.assign(day);
    if (p != last_period_) {
      last_period_ = std::move(p);
      period_buckets_.clear();
    }
  }
  for (const auto& [k, b] : period_buckets_)
    if (k == key) return *b;
  Bucket* b = &buckets_[{last_period_, std::string(key)}];
  period_buckets_.emplace_back(std::string(key), b);
  return *b;
}

void StatsBuilder::add_ticket(const engine::Ticket& t) {
  TicketFacts f;
  f.day = t.day;
  f.service = t.service;
  f.clerk = t.clerk;
  f.window = t.window;
  f.state = t.state;
  f.consultation = t.consultation;
  f.issued_at = t.issued_at;
  f.called_at = t.called_at;
  f.started_at = t.started_at;
  f.finished_at = t.finished_at;
  add(f);
}

bool StatsBuilder::add_ticket_row(std::string_view row) {
  engine::RowPicker& p = *ticket_pick_;
  if (!p.parse(row) || p[kTDay].kind != engine::RowPicker::Kind::String || p[kTState].kind != engine::RowPicker::Kind::Int)
    return false;
  const std::int64_t st = p.i(kTState);
  if (st < 0 || st > static_cast<std::int64_t>(engine::TicketState::Voided)) return false;
  TicketFacts f;
  f.day = p.s(kTDay);
  f.service = p.s(kTService);
  f.clerk = p.s(kTClerk);
  f.window = static_cast<int>(p.i(kTWindow));
  f.state = static_cast<engine::TicketState>(st);
  f.consultation = p.b(kTConsultation);
  f.issued_at = p.t(kTIssued).value_or(TimePoint{});
  f.called_at = p.t(kTCalled);
  f.started_at = p.t(kTStarted);
  f.finished_at = p.t(kTFinished);
  add(f);
  return true;
}

void StatsBuilder::add(const TicketFacts& t) {
  if (t.day != last_day_ && !parse_date(std::string(t.day))) return;
  ++tickets_;
  std::string window_key;
  if (q_.group == "window" && t.window) window_key = std::to_string(t.window);
  const std::string_view key = q_.group == "service" ? t.service
                               : q_.group == "window" ? std::string_view(window_key)
                               : q_.group == "clerk"  ? t.clerk
                                                      : std::string_view();
  Bucket& b = bucket(t.day, key);
  using S = engine::TicketState;
  if (t.state == S::Voided) {
    b.voided++;  // never printed, never called: not a ticket a citizen held
    return;
  }
  b.issued++;
  switch (t.state) {
    case S::Done:
      b.served++;
      if (t.consultation) b.consultations++;
      break;
    case S::NoShow: b.no_show++; break;
    case S::Cancelled: b.cancelled++; break;
    case S::Closed: b.closed++; break;
    default: break;
  }
  if (t.called_at) {
    b.waits.push_back(seconds_between(t.issued_at, *t.called_at));
    const LocalTime l = tz_.to_local(*t.called_at);
    calls_[static_cast<size_t>((l.weekday.c_encoding() + 6) % 7)][static_cast<size_t>(l.minute_of_day.count() / 60)]++;
  }
  if (t.started_at && t.finished_at && t.state == S::Done) b.services.push_back(seconds_between(*t.started_at, *t.finished_at));
}

void StatsBuilder::add_rating(const engine::Event& e) {
  const auto* lv = e.data.if_contains("level");
  auto str = [&](const char* k) {
    const auto* v = e.data.if_contains(k);
    return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
  };
  add_rating_facts(e.at, e.window, lv && lv->is_int64() ? lv->as_int64() : 0, str("service"), str("clerk"),
                   str("channel"));
}

bool StatsBuilder::add_rating_data(TimePoint at, int window, std::string_view data) {
  engine::RowPicker& p = *rating_pick_;
  if (!p.parse(data)) return false;
  add_rating_facts(at, window, p.i(kRLevel), p.s(kRService), p.s(kRClerk), p.s(kRChannel));
  return true;
}

void StatsBuilder::add_rating_facts(TimePoint at, int window, std::int64_t level, std::string_view service,
                                    std::string_view clerk, std::string_view channel) {
  if (level < 1 || level > 5) return;
  for (std::size_t i = 0; i < rating_channels_.size(); ++i)
    if (channel == kRatingChannels[i] || (i == 0 && channel.empty())) rating_channels_[i]++;
  const std::string window_key = q_.group == "window" ? std::to_string(window) : std::string();
  const std::string_view key = q_.group == "service" ? service
                               : q_.group == "window" ? std::string_view(window_key)
                               : q_.group == "clerk"  ? clerk
                                                      : std::string_view();
  Bucket& b = bucket(format_date(tz_.to_local(at).date), key);
  b.ratings++;
  if (level >= 3) b.satisfied++;
}

void StatsBuilder::add_case(const engine::Case& c) { add_case_facts(c.type, c.state, c.overdue_days, c.deadline); }

bool StatsBuilder::add_case_row(std::string_view row) {
  engine::RowPicker& p = *case_pick_;
  if (!p.parse(row)) return false;
  auto type = engine::parse_case_type(p.s(kCType));
  auto state = engine::parse_case_state(p.s(kCState));
  if (!type || !state) return false;
  std::optional<Date> deadline;
  if (p[kCDeadline].kind == engine::RowPicker::Kind::String) {
    deadline = parse_date(std::string(p.s(kCDeadline)));
    if (!deadline) return false;
  }
  add_case_facts(*type, *state, static_cast<int>(p.i(kCOverdue)), deadline);
  return true;
}

void StatsBuilder::add_case_facts(engine::CaseType type, engine::CaseState state, int overdue_days,
                                  std::optional<Date> deadline) {
  CaseCount& n = cases_[engine::to_string(type)];
  n.registered++;
  using S = engine::CaseState;
  if (state == S::Done) {
    n.done++;
    (overdue_days > 0 ? n.late : n.on_time)++;
  } else if (state == S::Returned) {
    n.returned++;
  } else {
    n.open++;
    if (state == S::Open && deadline) open_deadlines_.emplace_back(engine::to_string(type), *deadline);
  }
}

json::object StatsBuilder::result(TimePoint now) const {
  const Date today = tz_.to_local(now).date;
  auto name_of = [&](const std::string& key) -> std::string {
    if (key.empty()) return q_.group == "none" ? "全部" : "—";
    if (q_.group == "service") {
      const ServiceConfig* s = config_.find_service(key);
      return s ? s->name : key;
    }
    if (q_.group == "window") {
      const WindowConfig* w = config_.find_window(std::atoi(key.c_str()));
      return w ? key + " · " + w->name : key;
    }
    const ClerkConfig* c = config_.find_clerk(key);
    return c ? c->name : key;
  };
  auto fill = [](json::object& o, const Bucket& b) {
    o["issued"] = b.issued;
    o["served"] = b.served;
    o["consultations"] = b.consultations;
    o["no_show"] = b.no_show;
    o["cancelled"] = b.cancelled;
    o["closed"] = b.closed;
    o["voided"] = b.voided;
    o["wait_p50_s"] = percentile(b.waits, 0.5);
    o["wait_p90_s"] = percentile(b.waits, 0.9);
    o["service_p50_s"] = percentile(b.services, 0.5);
    o["service_p90_s"] = percentile(b.services, 0.9);
    o["ratings"] = b.ratings;
    o["satisfied"] = b.satisfied;
    o["satisfaction_rate"] = b.ratings ? json::value(std::round(1000.0 * b.satisfied / b.ratings) / 10.0) : json::value(nullptr);
  };
  json::array rows;
  Bucket total;
  for (const auto& [k, b] : buckets_) {
    json::object o{{"period", k.first}, {"key", k.second}, {"name", name_of(k.second)}};
    fill(o, b);
    rows.push_back(std::move(o));
    total.issued += b.issued;
    total.served += b.served;
    total.consultations += b.consultations;
    total.no_show += b.no_show;
    total.cancelled += b.cancelled;
    total.closed += b.closed;
    total.voided += b.voided;
    total.ratings += b.ratings;
    total.satisfied += b.satisfied;
    total.waits.insert(total.waits.end(), b.waits.begin(), b.waits.end());
    total.services.insert(total.services.end(), b.services.begin(), b.services.end());
  }
  json::object totals;
  fill(totals, total);
  json::object cases;
  for (const auto& [type, n] : cases_) {
    int overdue = 0;
    for (const auto& [t, d] : open_deadlines_)
      if (t == type && sys_days{d} < sys_days{today}) overdue++;
    cases[type] = json::object{{"registered", n.registered}, {"done", n.done},     {"on_time", n.on_time},
                               {"late", n.late},             {"open", n.open},     {"open_overdue", overdue},
                               {"returned", n.returned}};
  }
  json::object channels;
  for (std::size_t i = 0; i < rating_channels_.size(); ++i) channels[kRatingChannels[i]] = rating_channels_[i];
  totals["ratings_by_channel"] = std::move(channels);
  json::array heat;
  for (const auto& day : calls_) {
    json::array hours;
    for (int c : day) hours.push_back(c);
    heat.push_back(std::move(hours));
  }
  return json::object{{"from", format_date(q_.from)}, {"to", format_date(q_.to)}, {"by", q_.by}, {"group", q_.group},
                      {"rows", std::move(rows)},       {"totals", std::move(totals)}, {"cases", std::move(cases)},
                      {"calls_by_weekday_hour", std::move(heat)}};
}

}  // namespace hallq::rules
