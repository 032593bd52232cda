#include "hallq/controller/registers.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "engine/pick.hpp"

namespace hallq::rules {
namespace json = boost::json;
using namespace std::chrono;

namespace {

constexpr engine::CaseType kTypes[] = {engine::CaseType::Immediate, engine::CaseType::Promised,  engine::CaseType::Escalated,
                                       engine::CaseType::Joint,     engine::CaseType::Supplement, engine::CaseType::Returned,
                                       engine::CaseType::Agency};

const char* type_en(engine::CaseType t) {
  switch (t) {
    case engine::CaseType::Immediate: return "Immediate";
    case engine::CaseType::Promised: return "Promised";
    case engine::CaseType::Escalated: return "Escalated";
    case engine::CaseType::Joint: return "Joint";
    case engine::CaseType::Supplement: return "Supplement";
    case engine::CaseType::Returned: return "Returned";
    case engine::CaseType::Agency: return "Agency";
  }
  return "";
}

json::value rate(int part, int whole) {
  if (whole <= 0) return nullptr;
  return std::round(1000.0 * part / whole) / 10.0;
}

json::object type_counts(const std::map<std::string, int>& m) {
  json::object o;
  for (engine::CaseType t : kTypes) o[engine::to_string(t)] = m.count(engine::to_string(t)) ? m.at(engine::to_string(t)) : 0;
  return o;
}

std::string hhmm(const TimeZone& tz, TimePoint t) {
  const auto m = tz.to_local(t).minute_of_day.count();
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(m / 60 % 24), static_cast<int>(m % 60));
  return buf;
}

}  // namespace

// ---- 办件登记簿 ----

CaseBook::CaseBook(const HallConfig& config, const TimeZone& tz, const WorkingCalendar& calendar, Date from, Date to,
                   std::string classify)
    : config_(config), tz_(tz), calendar_(calendar), from_(from), to_(to), classify_(std::move(classify)) {}

void CaseBook::add(const engine::Case& c) {
  ++seen_;
  if (cases_.size() < kCaseBookLimit) cases_.push_back(c);
}

namespace {

// How a case stands in the register: its result line and the working days it is overdue.
struct Standing {
  int overdue = 0;
  std::string result, result_en;
};

Standing standing_of(const engine::Case& c, Date today, const WorkingCalendar& calendar) {
  Standing st;
  using S = engine::CaseState;
  switch (c.state) {
    case S::Done:
      st.overdue = c.overdue_days;
      if (c.type == engine::CaseType::Immediate) {
        st.result = "即时办结";
        st.result_en = "Done on the spot";
      } else if (st.overdue > 0) {
        st.result = "超期办结（" + std::to_string(st.overdue) + " 个工作日）";
        st.result_en = "Done " + std::to_string(st.overdue) + " working day(s) late";
      } else {
        st.result = "按时办结";
        st.result_en = "Done on time";
      }
      break;
    case S::Returned:
      st.result = "已退回：" + c.reason;
      st.result_en = "Returned: " + c.reason;
      break;
    case S::Open:
      if (c.deadline && sys_days{today} > sys_days{*c.deadline}) st.overdue = calendar.working_days_between(*c.deadline, today);
      st.result = st.overdue > 0 ? "办理中，已超期 " + std::to_string(st.overdue) + " 个工作日" : "办理中";
      st.result_en = st.overdue > 0 ? "Open, " + std::to_string(st.overdue) + " working day(s) overdue" : "Open";
      break;
    case S::AwaitingMaterials:
      st.result = "待补正材料";
      st.result_en = "Awaiting materials";
      break;
    case S::Suspended:
      st.result = "挂起";
      st.result_en = "Suspended";
      break;
  }
  return st;
}

}  // namespace

// One line of the register (登记簿): the case as filed, personal data only masked.
json::object CaseBook::line(const engine::Case& c, int overdue, const std::string& result,
                            const std::string& result_en) const {
  const ClerkConfig* clerk = config_.find_clerk(c.clerk);
  const WindowConfig* win = config_.find_window(c.window);
  const ServiceConfig* svc = config_.find_service(c.service);
  return json::object{
      {"id", c.id},
      {"no", c.no},
      {"received", format_date(c.received)},
      {"time", hhmm(tz_, c.received_at)},
      {"window", c.window},
      {"window_name", win ? win->name : std::string()},
      {"clerk", c.clerk},
      {"clerk_name", clerk ? clerk->name : c.clerk},
      {"service", c.service},
      {"service_name", svc ? svc->name : c.service},
      {"item", c.item},
      {"item_name", c.item_name},
      {"type", engine::to_string(c.type)},
      {"type_label", engine::label_zh(c.type)},
      {"number", c.number},
      // Personal data only masked (the register is printed and filed).
      {"applicant", c.applicant.masked},
      {"phone", c.phone.masked},
      {"time_limit_days", c.time_limit_days},
      {"deadline", c.deadline ? format_date(*c.deadline) : std::string()},
      {"state", engine::to_string(c.state)},
      {"state_label", engine::label_zh(c.state)},
      {"done", c.done_at ? format_date(tz_.to_local(*c.done_at).date) : std::string()},
      {"overdue_days", overdue},
      {"notified", c.notified_at ? format_date(tz_.to_local(*c.notified_at).date) : std::string()},
      {"result", result},
      {"result_en", result_en},
      {"note", c.note}};
}

json::object CaseBook::result(TimePoint now) const {
  const Date today = tz_.to_local(now).date;
  std::vector<const engine::Case*> order;
  order.reserve(cases_.size());
  for (const auto& c : cases_) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](const engine::Case* a, const engine::Case* b) {
    return a->received_at != b->received_at ? a->received_at < b->received_at : a->id < b->id;
  });

  // The classes in a fixed order: the types as the rules list them, or the items as the
  // config lists them (an item no longer in the config last, under its stored name).
  struct Group {
    std::string key, label, label_en;
    int done = 0, on_time = 0, late = 0, returned = 0, open = 0, open_overdue = 0;
    json::array lines;
  };
  std::vector<Group> groups;
  auto group_of = [&](const engine::Case& c) -> Group& {
    const std::string key = classify_ == "item" ? c.item : engine::to_string(c.type);
    for (auto& g : groups)
      if (g.key == key) return g;
    Group g;
    g.key = key;
    if (classify_ == "item") {
      g.label = c.item_name.empty() ? c.item : c.item_name;
      g.label_en = g.label;
    } else {
      g.label = engine::label_zh(c.type);
      g.label_en = type_en(c.type);
    }
    groups.push_back(std::move(g));
    return groups.back();
  };
  auto rank = [&](const std::string& key) -> std::size_t {
    std::size_t i = 0;
    if (classify_ == "item") {
      for (const auto& s : config_.services)
        for (const auto& it : s.items) {
          if (it.id == key) return i;
          ++i;
        }
      return i;
    }
    for (engine::CaseType t : kTypes) {
      if (key == engine::to_string(t)) return i;
      ++i;
    }
    return i;
  };

  for (const engine::Case* cp : order) {
    const engine::Case& c = *cp;
    Group& g = group_of(c);
    const Standing st = standing_of(c, today, calendar_);
    switch (c.state) {
      case engine::CaseState::Done:
        g.done++;
        (st.overdue > 0 ? g.late : g.on_time)++;
        break;
      case engine::CaseState::Returned: g.returned++; break;
      case engine::CaseState::Open:
        g.open++;
        if (st.overdue > 0) g.open_overdue++;
        break;
      case engine::CaseState::AwaitingMaterials:
      case engine::CaseState::Suspended: g.open++; break;
    }
    g.lines.push_back(line(c, st.overdue, st.result, st.result_en));
  }
  std::stable_sort(groups.begin(), groups.end(), [&](const Group& a, const Group& b) { return rank(a.key) < rank(b.key); });
  json::array out;
  int n = 0;  // numbered down the book as it prints: class by class, in order of registration
  for (auto& g : groups) {
    const int count = static_cast<int>(g.lines.size());
    for (auto& line : g.lines) line.as_object()["n"] = ++n;
    out.push_back(json::object{{"key", g.key},         {"label", g.label},     {"label_en", g.label_en},
                               {"count", count},       {"done", g.done},       {"on_time", g.on_time},
                               {"late", g.late},       {"returned", g.returned}, {"open", g.open},
                               {"open_overdue", g.open_overdue}, {"cases", std::move(g.lines)}});
  }
  return json::object{{"from", format_date(from_)},
                      {"to", format_date(to_)},
                      {"classify", classify_},
                      {"total", static_cast<std::int64_t>(seen_)},
                      {"listed", static_cast<std::int64_t>(cases_.size())},
                      {"truncated", seen_ > cases_.size()},
                      {"groups", std::move(out)}};
}

// ---- 统计簿 ----

// The row fields the ledger reads (a namespace of their own: stats.cpp reads others).
namespace ledger_row {
enum TicketField : std::size_t { kTDay, kTState, kTConsultation };
enum CaseField : std::size_t { kCType, kCState, kCOverdue, kCItem, kCService, kCReceived };
enum EventField : std::size_t { kELevel, kEOverdue };
}  // namespace ledger_row

Ledger::Ledger(const HallConfig& config, const TimeZone& tz, Date from, Date to, std::string by)
    : config_(config),
      tz_(tz),
      from_(from),
      to_(to),
      by_(std::move(by)),
      ticket_pick_(std::make_unique<engine::RowPicker>(std::vector<std::string>{"day", "state", "consultation"})),
      case_pick_(std::make_unique<engine::RowPicker>(
          std::vector<std::string>{"type", "state", "overdue_days", "item", "service", "received"})),
      event_pick_(std::make_unique<engine::RowPicker>(std::vector<std::string>{"level", "overdue_days"})) {
  // Every day (or month) of the period has its line, busy or not: a ledger skips no date.
  for (sys_days d{from_}; d <= sys_days{to_}; d += days{1}) row(Date{d});
  for (const auto& s : config_.services)
    for (const auto& it : s.items) items_[it.id].service = s.id;
}

Ledger::~Ledger() = default;

const std::vector<std::string>& Ledger::event_types() {
  static const std::vector<std::string> types{"CaseCompleted", "CaseReturned", "ServiceRated", "ComplaintFiled"};
  return types;
}

Ledger::Row& Ledger::row(Date day) {
  const std::string d = format_date(day);
  return rows_[by_ == "month" ? d.substr(0, 7) : d];
}

Ledger::Row& Ledger::row_of_text(std::string_view day) {
  if (last_row_ && day == last_day_) return *last_row_;
  last_day_.assign(day);
  last_row_ = &rows_[by_ == "month" ? last_day_.substr(0, 7) : last_day_];
  return *last_row_;
}

bool Ledger::add_ticket_row(std::string_view text) {
  engine::RowPicker& p = *ticket_pick_;
  if (!p.parse(text) || p[ledger_row::kTDay].kind != engine::RowPicker::Kind::String || p[ledger_row::kTState].kind != engine::RowPicker::Kind::Int)
    return false;
  const std::string_view day = p.s(ledger_row::kTDay);
  if (day.size() != 10 || !parse_date(std::string(day))) return false;
  using S = engine::TicketState;
  const auto st = static_cast<S>(p.i(ledger_row::kTState));
  if (p.i(ledger_row::kTState) < 0 || st > S::Voided) return false;
  if (st == S::Voided) return true;  // never printed: not a ticket a citizen held
  Row& r = row_of_text(day);
  r.issued++;
  if (st == S::Done) {
    r.served++;
    if (p.b(ledger_row::kTConsultation)) r.consultations++;
  } else if (st == S::NoShow) {
    r.no_show++;
  } else if (st == S::Cancelled) {
    r.cancelled++;
  }
  return true;
}

bool Ledger::add_case_row(std::string_view text) {
  engine::RowPicker& p = *case_pick_;
  if (!p.parse(text)) return false;
  auto type = engine::parse_case_type(p.s(ledger_row::kCType));
  auto state = engine::parse_case_state(p.s(ledger_row::kCState));
  auto received = parse_date(std::string(p.s(ledger_row::kCReceived)));
  if (!type || !state || !received) return false;
  const std::string t = engine::to_string(*type);
  Row& r = row(*received);
  r.registered[t]++;
  r.registered_total++;
  ItemRow& it = items_[std::string(p.s(ledger_row::kCItem))];
  if (it.service.empty()) it.service = std::string(p.s(ledger_row::kCService));
  it.registered[t]++;
  it.registered_total++;
  // 即办件 are done as they are registered (no later completion event): done that day.
  if (*type == engine::CaseType::Immediate && *state == engine::CaseState::Done) {
    r.completed++;
    r.on_time++;
  }
  using S = engine::CaseState;
  if (*state == S::Done) {
    it.done++;
    (p.i(ledger_row::kCOverdue) > 0 ? it.late : it.on_time)++;
  } else if (*state == S::Returned) {
    it.returned++;
  } else {
    it.open++;
  }
  return true;
}

bool Ledger::add_event(std::string_view type, TimePoint at, std::string_view data) {
  engine::RowPicker& p = *event_pick_;
  if (!p.parse(data)) return false;
  const Date day = tz_.to_local(at).date;
  if (sys_days{day} < sys_days{from_} || sys_days{day} > sys_days{to_}) return true;
  Row& r = row(day);
  if (type == "CaseCompleted") {
    r.completed++;
    (p.i(ledger_row::kEOverdue) > 0 ? r.late : r.on_time)++;
  } else if (type == "CaseReturned") {
    r.returned++;
  } else if (type == "ServiceRated") {
    const auto level = p.i(ledger_row::kELevel);
    if (level < 1 || level > 5) return false;
    r.ratings++;
    if (level >= 3) r.satisfied++;
  } else if (type == "ComplaintFiled") {
    r.complaints++;
  }
  return true;
}

json::object Ledger::result() const {
  auto fill = [](const Row& r) {
    return json::object{{"issued", r.issued},
                        {"served", r.served},
                        {"consultations", r.consultations},
                        {"no_show", r.no_show},
                        {"cancelled", r.cancelled},
                        {"registered", type_counts(r.registered)},
                        {"registered_total", r.registered_total},
                        {"completed", r.completed},
                        {"on_time", r.on_time},
                        {"late", r.late},
                        {"on_time_rate", rate(r.on_time, r.completed)},
                        {"returned", r.returned},
                        {"ratings", r.ratings},
                        {"satisfied", r.satisfied},
                        {"satisfaction_rate", rate(r.satisfied, r.ratings)},
                        {"complaints", r.complaints}};
  };
  json::array rows;
  Row total;
  for (const auto& [period, r] : rows_) {
    json::object o = fill(r);
    o["period"] = period;
    if (period.size() == 10)
      if (auto d = parse_date(period)) o["weekday"] = static_cast<int>((weekday{sys_days{*d}}.c_encoding() + 6) % 7);  // Monday 0
    rows.push_back(std::move(o));
    total.issued += r.issued;
    total.served += r.served;
    total.consultations += r.consultations;
    total.no_show += r.no_show;
    total.cancelled += r.cancelled;
    for (const auto& [t, n] : r.registered) total.registered[t] += n;
    total.registered_total += r.registered_total;
    total.completed += r.completed;
    total.on_time += r.on_time;
    total.late += r.late;
    total.returned += r.returned;
    total.ratings += r.ratings;
    total.satisfied += r.satisfied;
    total.complaints += r.complaints;
  }
  // The items in the config's order, then any the config no longer lists; only items with
  // cases in the period.
  json::array items;
  std::vector<std::string> order;
  for (const auto& s : config_.services)
    for (const auto& it : s.items) order.push_back(it.id);
  for (const auto& [id, it] : items_)
    if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
  for (const auto& id : order) {
    const ItemRow& it = items_.at(id);
    if (!it.registered_total) continue;
    const ServiceConfig* svc = config_.find_service(it.service);
    std::string name = id;
    if (svc)
      for (const auto& x : svc->items)
        if (x.id == id) name = x.name;
    items.push_back(json::object{{"item", id},
                                 {"name", name},
                                 {"service", it.service},
                                 {"service_name", svc ? svc->name : it.service},
                                 {"registered", type_counts(it.registered)},
                                 {"registered_total", it.registered_total},
                                 {"done", it.done},
                                 {"on_time", it.on_time},
                                 {"late", it.late},
                                 {"on_time_rate", rate(it.on_time, it.done)},
                                 {"returned", it.returned},
                                 {"open", it.open}});
  }
  json::array types;
  for (engine::CaseType t : kTypes)
    types.push_back(json::object{{"type", engine::to_string(t)}, {"label", engine::label_zh(t)}, {"label_en", type_en(t)}});
  return json::object{{"from", format_date(from_)}, {"to", format_date(to_)},     {"by", by_},
                      {"rows", std::move(rows)},   {"totals", fill(total)},       {"items", std::move(items)},
                      {"types", std::move(types)}};
}

}  // namespace hallq::rules
