// Queue engine tests. The engine is driven with a fake time and a small hall built in code; each
// TEST_CASE names the hall rule (shared/docs/hall-rules.md) it checks. Nothing reads the clock.
#include "hallq/controller/engine.hpp"

#include <boost/json.hpp>
#include "hallq_catch.hpp"

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using namespace hallq::engine;
using hallq::ClerkConfig;
using hallq::Date;
using hallq::Expected;
using hallq::HallConfig;
using hallq::Minutes;
using hallq::Role;
using hallq::ServiceConfig;
using hallq::TimePoint;
using hallq::TimeZone;
using hallq::WindowConfig;
using hallq::WorkingCalendar;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kMonday = "2026-03-02";
constexpr const char* kTuesday = "2026-03-03";
constexpr const char* kSaturday = "2026-03-07";
constexpr const char* kSunday = "2026-03-08";
constexpr const char* kNationalDay = "2026-10-01";  // a Thursday, public holiday
constexpr const char* kMakeupSaturday = "2026-10-10";  // 调休: a Saturday that is a working day

const TimeZone& tz() {
  static const TimeZone zone = TimeZone::fixed(hours{8}, "+08:00");
  return zone;
}

Date date(const char* s) {
  auto d = hallq::parse_date(s);
  REQUIRE(d.has_value());
  return *d;
}

TimePoint at(const char* day, int h, int m) { return tz().from_local(date(day), Minutes{h * 60 + m}); }

WorkingCalendar make_calendar() {
  std::vector<Date> holidays;
  for (const char* d : {"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
                        "2026-10-06", "2026-10-07"})
    holidays.push_back(date(d));
  return WorkingCalendar(holidays, {date(kMakeupSaturday)});
}

// Five windows: 1 and 2 share two services in opposite preference order and share the B clerk
// c02; 2 stays open over lunch; 3 is the weekend tax window; 4 and 5 are spare. c07 is a clerk
// of the centre with no window, m01 a manager.
HallConfig make_config() {
  HallConfig c;
  c.centre.name = "测试镇便民服务中心";
  c.services = {
      ServiceConfig{.id = "hukou", .name = "户籍", .prefix = 'A',
                    .items = {hallq::ServiceItem{.id = "qianyi", .name = "户口迁移", .kind = hallq::ItemKind::Promised,
                                                 .materials = {"身份证", "户口簿", "准迁证"}, .time_limit_days = 5},
                              hallq::ServiceItem{.id = "zhengming", .name = "户籍证明", .kind = hallq::ItemKind::Immediate,
                                                 .materials = {"身份证"}, .time_limit_days = 0}}},
      ServiceConfig{.id = "social", .name = "社保", .prefix = 'B'},
      ServiceConfig{.id = "tax", .name = "税务", .prefix = 'C'},
  };
  c.windows = {
      WindowConfig{.number = 1, .name = "1号窗口", .services = {"hukou", "social"}, .clerk_a = "c01", .clerk_b = "c02"},
      WindowConfig{.number = 2, .name = "2号窗口", .services = {"social", "hukou"}, .clerk_a = "c03", .clerk_b = "c02",
                   .lunch_service = true},
      WindowConfig{.number = 3, .name = "3号窗口", .services = {"tax"}, .clerk_a = "c05", .weekend_service = true},
      WindowConfig{.number = 4, .name = "4号窗口", .services = {"social"}, .clerk_a = "c04"},
      WindowConfig{.number = 5, .name = "5号窗口", .services = {"tax"}, .clerk_a = "c06"},
  };
  for (const char* id : {"c01", "c02", "c03", "c04", "c05", "c06", "c07"})
    c.clerks.push_back(ClerkConfig{.id = id, .name = id, .role = Role::Clerk, .pin_hash = "$argon2id$x"});
  c.clerks.push_back(ClerkConfig{.id = "m01", .name = "m01", .role = Role::Manager, .pin_hash = "$argon2id$x"});
  return c;
}

Actor clerk(std::string id) { return Actor{Actor::Kind::Clerk, std::move(id)}; }
const Actor kKiosk{Actor::Kind::Device, "kiosk-1"};
const Actor kKiosk2{Actor::Kind::Device, "kiosk-2"};
const Actor kSystem{Actor::Kind::System, "system"};
const Actor kEvaluator{Actor::Kind::Device, "display-1"};

std::string code(Errc e) { return to_string(e); }

std::string describe(const Expected<Outcome, Error>& r) {
  if (r.has_value()) return "ok";
  return code(r.error().code) + ": " + r.error().message;
}

const json::value& field(const json::value& v, const char* key) {
  REQUIRE(v.is_object());
  const json::value* f = v.as_object().if_contains(key);
  INFO("field " << key << " of " << json::serialize(v));
  REQUIRE(f != nullptr);
  return *f;
}
std::string str(const json::value& v, const char* key) {
  const json::value& f = field(v, key);
  return f.is_string() ? std::string(f.as_string()) : json::serialize(f);
}
std::int64_t num(const json::value& v, const char* key) {
  const json::value& f = field(v, key);
  REQUIRE(f.is_int64());
  return f.as_int64();
}

json::object event_json(const Event& e) {
  return json::object{{"seq", e.seq},
                      {"type", e.type},
                      {"at", e.at.time_since_epoch().count()},
                      {"actor_kind", static_cast<int>(e.actor.kind)},
                      {"actor", e.actor.id},
                      {"window", e.window},
                      {"data", e.data}};
}

// Everything a command produced, as one string, so two engines can be compared command by command.
std::string outcome_json(const Expected<Outcome, Error>& r) {
  json::object o;
  if (!r.has_value()) {
    o["error"] = code(r.error().code);
    o["message"] = r.error().message;
    return json::serialize(o);
  }
  json::array ev;
  for (const auto& e : r->events) ev.push_back(event_json(e));
  o["events"] = std::move(ev);
  o["reply"] = r->reply;
  json::array tickets;
  for (const auto& t : r->changes.tickets) tickets.push_back(json::value(t.json));
  o["tickets"] = std::move(tickets);
  json::array patches;
  for (const auto& [id, p] : r->changes.ticket_patches) patches.push_back(json::array{id, json::value(p)});
  o["ticket_patches"] = std::move(patches);
  json::array windows;
  for (const auto& [n, w] : r->changes.windows) windows.push_back(json::array{n, json::value(w)});
  o["windows"] = std::move(windows);
  json::array cases;
  for (const auto& c : r->changes.cases) cases.push_back(json::value(c.json));
  o["cases"] = std::move(cases);
  o["meta"] = r->changes.meta;
  return json::serialize(o);
}

// The last projection row of every ticket and window, as the store would keep them.
struct Rows {
  std::map<TicketId, TicketRow> tickets;
  std::map<int, std::string> windows;
  std::map<CaseId, CaseRow> cases;
  std::string meta;
  void add(const Changes& c) {
    for (const auto& t : c.tickets) tickets[t.id] = t;
    // A finished ticket's news (R-EVAL-1), set on its row as the store does.
    for (const auto& [id, patch] : c.ticket_patches) {
      REQUIRE(tickets.contains(id));
      json::value row = json::parse(tickets[id].json);
      const json::value fields = json::parse(patch);
      for (const auto& [k, v] : fields.as_object()) row.as_object()[k] = v;
      tickets[id].json = json::serialize(row);
    }
    for (const auto& k : c.cases) cases[k.id] = k;
    for (const auto& [n, w] : c.windows) windows[n] = w;
    meta = c.meta;
  }
};

// A hall under test: the engine plus the fake "now" every command is executed at.
struct Hall {
  explicit Hall(const HallConfig& config = make_config(), TimePoint start = at(kMonday, 9, 0))
      : engine(config, tz(), make_calendar()), now(start) {}

  Expected<Outcome, Error> run(const Command& cmd, const Actor& actor) { return engine.execute(cmd, actor, now); }

  Outcome ok(const Command& cmd, const Actor& actor) {
    Seq before = engine.last_seq();
    auto r = run(cmd, actor);
    INFO(describe(r));
    REQUIRE(r.has_value());
    // Every event is numbered on from the last one and carries the command's time and actor.
    for (const Event& e : r->events) {
      CHECK(e.seq == ++before);
      CHECK(e.at == now);
      CHECK(e.actor.kind == actor.kind);
      CHECK(e.actor.id == actor.id);
    }
    CHECK(engine.last_seq() == before);
    return std::move(*r);
  }

  Error fail(const Command& cmd, const Actor& actor, Errc expected) {
    auto r = run(cmd, actor);
    INFO(describe(r));
    REQUIRE_FALSE(r.has_value());
    CHECK(code(r.error().code) == code(expected));
    CHECK_FALSE(r.error().message.empty());
    CHECK_FALSE(r.error().message_zh.empty());
    return r.error();
  }

  TicketId issue(const std::string& service, Priority p = Priority::Normal, const std::string& request_id = {}) {
    Outcome o = ok(IssueTicket{service, p, Channel::Kiosk, request_id}, kKiosk);
    REQUIRE(o.events.size() == 1);
    return num(o.reply, "id");
  }
  void sign_in(int window, const std::string& who) { ok(SignIn{window}, clerk(who)); }
  // Calls the next ticket at `window`; 0 when nobody is waiting for it.
  TicketId call(int window, const std::string& who) {
    Outcome o = ok(CallNext{window}, clerk(who));
    if (o.reply.is_null()) return 0;
    return num(o.reply, "id");
  }
  const Ticket& ticket(TicketId id) const {
    const Ticket* t = engine.find_ticket(id);
    INFO("ticket " << id);
    REQUIRE(t != nullptr);
    return *t;
  }
  std::string state(TicketId id) const { return to_string(ticket(id).state); }
  std::string window_state(int number) const {
    const WindowStatus* w = engine.find_window(number);
    REQUIRE(w != nullptr);
    return to_string(w->state());
  }
  void advance(std::chrono::milliseconds d) { now += d; }

  Engine engine;
  TimePoint now;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Issuing tickets

TEST_CASE("R-HALL-5 tickets are numbered per prefix per local day at the policy width", "[engine]") {
  const int width = GENERATE(3, 4);
  HallConfig cfg = make_config();
  cfg.policy.number_width = width;
  Hall h(cfg);
  struct Row {
    const char* service;
    const char* number3;
    const char* number4;
  };
  const Row rows[] = {
      {"hukou", "A001", "A0001"}, {"hukou", "A002", "A0002"}, {"social", "B001", "B0001"},
      {"hukou", "A003", "A0003"}, {"tax", "C001", "C0001"},   {"social", "B002", "B0002"},
  };
  TicketId last = 0;
  for (const Row& r : rows) {
    h.advance(minutes{1});
    Outcome o = h.ok(IssueTicket{r.service}, kKiosk);
    REQUIRE(o.events.size() == 1);
    CHECK(o.events[0].type == "TicketIssued");
    CHECK(o.events[0].window == 0);
    CHECK(str(o.reply, "number") == (width == 3 ? r.number3 : r.number4));
    CHECK(str(o.reply, "service") == r.service);
    CHECK(str(o.reply, "state") == "waiting");
    TicketId id = num(o.reply, "id");
    CHECK(id > last);
    last = id;
    REQUIRE(o.changes.tickets.size() == 1);
    CHECK(o.changes.tickets[0].day == kMonday);
    CHECK(o.changes.tickets[0].number == (width == 3 ? r.number3 : r.number4));
  }
  CHECK(h.engine.waiting_count("hukou") == 3);
  CHECK(h.engine.waiting_count("social") == 2);
  CHECK(h.engine.waiting_count("tax") == 1);
  CHECK(h.engine.day() == kMonday);
}

TEST_CASE("R-HALL-8 a retried request id returns the same ticket and makes no events", "[engine]") {
  Hall h;
  TicketId first = h.issue("hukou", Priority::Normal, "req-1");
  const Seq seq = h.engine.last_seq();

  struct Row {
    const char* service;
    const char* why;
  };
  const Row retries[] = {{"hukou", "same service"}, {"social", "another service: the id already names a ticket"}};
  for (const Row& r : retries) {
    INFO(r.why);
    h.advance(seconds{5});
    Outcome again = h.ok(IssueTicket{r.service, Priority::Normal, Channel::Kiosk, "req-1"}, kKiosk);
    CHECK(again.events.empty());
    CHECK(again.changes.tickets.empty());
    CHECK(num(again.reply, "id") == first);
    CHECK(str(again.reply, "number") == "A001");
    CHECK(h.engine.last_seq() == seq);
    CHECK(h.engine.waiting_count("hukou") == 1);
    CHECK(h.engine.waiting_count("social") == 0);
  }
  // Another id, or none at all, makes a new ticket each time.
  TicketId second = h.issue("hukou", Priority::Normal, "req-2");
  TicketId third = h.issue("hukou");
  TicketId fourth = h.issue("hukou");
  CHECK(second != first);
  CHECK(third != second);
  CHECK(fourth != third);
  CHECK(h.ticket(fourth).number == "A004");
}

TEST_CASE("R-EVAL-1 request ids are scoped to their issuer: another device's id makes its own ticket", "[engine]") {
  // Issue 26: kiosk-2 replaying kiosk-1's request id got kiosk-1's ticket (and its rating key).
  Hall h;
  TicketId first = h.issue("hukou", Priority::Normal, "req-1");
  const Actor kiosk2{Actor::Kind::Device, "kiosk-2"};
  Outcome other = h.ok(IssueTicket{"hukou", Priority::Normal, Channel::Kiosk, "req-1"}, kiosk2);
  REQUIRE(other.events.size() == 1);
  CHECK(num(other.reply, "id") != first);
  CHECK(str(other.reply, "issued_by") == "kiosk-2");
  // A clerk at the counter has a scope of its own too ("" for staff).
  Outcome counter = h.ok(IssueTicket{"hukou", Priority::Normal, Channel::Counter, "req-1"}, clerk("c01"));
  REQUIRE(counter.events.size() == 1);
  CHECK(h.engine.find_request(kKiosk.id, "req-1") == first);
  CHECK(h.engine.find_request("kiosk-2", "req-1") == num(other.reply, "id"));
  CHECK(h.engine.find_request("", "req-1") == num(counter.reply, "id"));
  CHECK_FALSE(h.engine.find_request("kiosk-3", "req-1").has_value());
  // Each issuer's retry still finds its own ticket.
  Outcome again = h.ok(IssueTicket{"hukou", Priority::Normal, Channel::Kiosk, "req-1"}, kiosk2);
  CHECK(again.events.empty());
  CHECK(num(again.reply, "id") == num(other.reply, "id"));
}

TEST_CASE("R-HALL-5 a service's daily limit refuses further tickets that day", "[engine]") {
  HallConfig cfg = make_config();
  cfg.services[0].daily_limit = 2;  // hukou
  Hall h(cfg);
  h.issue("hukou");
  h.issue("hukou");
  const Seq seq = h.engine.last_seq();
  Error e = h.fail(IssueTicket{"hukou"}, kKiosk, Errc::DailyLimitReached);
  CHECK_THAT(e.message, HasSubstr("2"));
  CHECK(h.engine.last_seq() == seq);
  CHECK(h.engine.waiting_count("hukou") == 2);
  // The limit is per service.
  CHECK(h.ticket(h.issue("social")).number == "B001");
}

TEST_CASE("R-HALL-5 numbers run out at the width unless the policy widens them", "[engine]") {
  const bool widen = GENERATE(false, true);
  HallConfig cfg = make_config();
  cfg.hours.always_open = true;
  cfg.policy.widen_numbers = widen;
  Hall h(cfg);
  TicketId last = 0;
  for (int i = 0; i < 999; ++i) last = h.issue("hukou");
  CHECK(h.ticket(last).number == "A999");
  if (widen) {
    CHECK(h.ticket(h.issue("hukou")).number == "A1000");
    CHECK(h.ticket(h.issue("hukou")).number == "A1001");
  } else {
    h.fail(IssueTicket{"hukou"}, kKiosk, Errc::NumbersExhausted);
    CHECK(h.engine.waiting_count("hukou") == 999);
  }
  CHECK(h.ticket(h.issue("social")).number == "B001");
}

TEST_CASE("R-HALL-5 a ticket for an unknown service is refused", "[engine]") {
  Hall h;
  Error e = h.fail(IssueTicket{"visa"}, kKiosk, Errc::UnknownService);
  CHECK_THAT(e.message, HasSubstr("visa"));
  CHECK(h.engine.last_seq() == 0);
  CHECK(h.engine.day().empty());
}

// ---------------------------------------------------------------------------------------------
// Opening hours

TEST_CASE("R-HOURS-1/2/3 tickets are issued only in opening hours", "[engine]") {
  struct Row {
    const char* why;
    const char* day;
    int h, m;
    const char* service;
    bool weekend_service;
    bool always_open;
    bool ok;
    const char* mentions;  // in the English message, and in the Chinese one if it is a time
  };
  const Row rows[] = {
      {"before opening", kMonday, 8, 29, "hukou", false, false, false, "08:30"},
      {"at opening", kMonday, 8, 30, "hukou", false, false, true, ""},
      {"last minute", kMonday, 17, 29, "hukou", false, false, true, ""},
      {"at closing", kMonday, 17, 30, "hukou", false, false, false, "17:30"},
      {"evening", kMonday, 20, 0, "hukou", false, false, false, "17:30"},
      {"lunch, a lunch window serves it (R-HOURS-2)", kMonday, 12, 30, "hukou", false, false, true, ""},
      {"lunch, no lunch window serves it", kMonday, 12, 30, "tax", false, false, false, "14:00"},
      {"lunch starts", kMonday, 12, 0, "tax", false, false, false, "14:00"},
      {"lunch over", kMonday, 14, 0, "tax", false, false, true, ""},
      {"Saturday, no weekend service", kSaturday, 10, 0, "tax", false, false, false, "closed today"},
      {"Saturday, weekend window (R-HOURS-3)", kSaturday, 10, 0, "tax", true, false, true, ""},
      {"Saturday, no weekend window for it", kSaturday, 10, 0, "hukou", true, false, false, "closed today"},
      {"Saturday before weekend hours", kSaturday, 8, 45, "tax", true, false, false, "09:00-17:00"},
      {"Sunday at weekend closing", kSunday, 17, 0, "tax", true, false, false, "09:00-17:00"},
      {"Sunday over lunch: weekend hours have no lunch break", kSunday, 12, 30, "tax", true, false, true, ""},
      {"public holiday on a Thursday", kNationalDay, 10, 0, "hukou", false, false, false, "closed today"},
      {"public holiday with weekend service", kNationalDay, 10, 0, "tax", true, false, true, ""},
      {"make-up Saturday (调休) is a working day", kMakeupSaturday, 10, 0, "hukou", false, false, true, ""},
      {"make-up Saturday keeps weekday hours", kMakeupSaturday, 8, 0, "hukou", false, false, false, "08:30"},
      {"make-up Saturday keeps the lunch break", kMakeupSaturday, 12, 30, "tax", false, false, false, "14:00"},
      {"always open, Sunday night", kSunday, 3, 0, "hukou", false, true, true, ""},
      {"always open, holiday lunch", kNationalDay, 12, 30, "tax", false, true, true, ""},
  };
  for (const Row& r : rows) {
    INFO(r.why);
    HallConfig cfg = make_config();
    cfg.hours.weekend_service = r.weekend_service;
    cfg.hours.always_open = r.always_open;
    Hall h(cfg, at(r.day, r.h, r.m));
    auto closed = h.engine.closed_reason(r.service, h.now);
    CHECK(closed.has_value() == !r.ok);
    auto out = h.run(IssueTicket{r.service}, kKiosk);
    INFO(describe(out));
    REQUIRE(out.has_value() == r.ok);
    if (r.ok) {
      CHECK(out->events.size() == 1);
      CHECK(h.engine.day() == r.day);
      continue;
    }
    CHECK(code(out.error().code) == "hall_closed");
    CHECK_THAT(out.error().message, HasSubstr(r.mentions));
    if (r.mentions[0] >= '0' && r.mentions[0] <= '9') CHECK_THAT(out.error().message_zh, HasSubstr(r.mentions));
    CHECK(h.engine.last_seq() == 0);
  }
}

TEST_CASE("R-HOURS-1 tickets waiting at closing time stay callable after closing", "[engine]") {
  Hall h(make_config(), at(kMonday, 17, 0));
  h.sign_in(1, "c01");
  std::vector<TicketId> waiting{h.issue("hukou"), h.issue("social"), h.issue("hukou"), h.issue("social")};

  h.now = at(kMonday, 17, 30);
  h.fail(IssueTicket{"hukou"}, kKiosk, Errc::HallClosed);

  h.now = at(kMonday, 18, 45);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(h.call(1, "c01") == waiting[i]);
    h.ok(StartService{1}, clerk("c01"));
    h.advance(minutes{10});
    h.ok(Finish{1}, clerk("c01"));
  }
  // Another clerk may sign in after closing to help clear the queue.
  h.sign_in(2, "c03");
  CHECK(h.call(2, "c03") == waiting[3]);
  CHECK(h.call(1, "c01") == 0);
  CHECK(h.engine.waiting_count("hukou") + h.engine.waiting_count("social") == 0);
}

// ---------------------------------------------------------------------------------------------
// Call order

TEST_CASE("R-HALL-7 call order: vulnerable, appointment, transferred or returned, then normal", "[engine]") {
  struct Strategy {
    const char* name;
    std::vector<const char*> order;  // the labels below, in calling order at window 1
  };
  // Window 1 prefers hukou over social. Within each tier the older ticket is the social one, so
  // the two strategies disagree in every tier.
  const Strategy s = GENERATE(values<Strategy>({
      {"priority_fifo", {"P1", "E1", "A1", "A2", "X", "R", "N2", "N1", "N3"}},
      {"service_preference", {"E1", "P1", "A2", "A1", "R", "X", "N1", "N3", "N2"}},
  }));
  INFO(s.name);
  HallConfig cfg = make_config();
  cfg.policy.call_order = s.name;
  Hall h(cfg);
  std::map<TicketId, std::string> label;

  // R: a hukou ticket missed at window 2 that comes back (tier 2).
  TicketId r = h.issue("hukou");
  label[r] = "R";
  h.sign_in(2, "c03");
  REQUIRE(h.call(2, "c03") == r);
  h.ok(Skip{2}, clerk("c03"));
  // X: a tax ticket that window 3 transfers to social (tier 2), before R comes back.
  h.advance(minutes{1});
  TicketId x = h.issue("tax");
  label[x] = "X";
  h.sign_in(3, "c05");
  REQUIRE(h.call(3, "c05") == x);
  h.ok(TransferTicket{3, "social", 0}, clerk("c05"));
  h.advance(minutes{1});
  h.ok(ReturnNoShow{r}, kKiosk);
  h.ok(SignOut{2}, clerk("c03"));

  struct Issue {
    const char* label;
    const char* service;
    Priority priority;
  };
  const Issue issues[] = {
      {"N2", "social", Priority::Normal},       {"N1", "hukou", Priority::Normal},
      {"A1", "social", Priority::Appointment},  {"P1", "social", Priority::Pregnant},
      {"E1", "hukou", Priority::Elderly},       {"A2", "hukou", Priority::Appointment},
      {"N3", "hukou", Priority::Normal},
  };
  for (const Issue& i : issues) {
    h.advance(minutes{1});
    label[h.issue(i.service, i.priority)] = i.label;
  }

  h.sign_in(1, "c01");
  std::vector<std::string> called;
  for (size_t n = 0; n < s.order.size(); ++n) {
    h.advance(minutes{2});
    TicketId id = h.call(1, "c01");
    REQUIRE(id != 0);
    called.push_back(label[id]);
    h.ok(Finish{1}, clerk("c01"));
  }
  CHECK(called == std::vector<std::string>(s.order.begin(), s.order.end()));

  // Nobody left: a null reply and no events.
  const Seq seq = h.engine.last_seq();
  Outcome none = h.ok(CallNext{1}, clerk("c01"));
  CHECK(none.reply.is_null());
  CHECK(none.events.empty());
  CHECK(h.engine.last_seq() == seq);
  CHECK(h.window_state(1) == "open");
}

TEST_CASE("R-FIRST-2 a ticket transferred to one window is called only there, ahead of its queue", "[engine]") {
  const char* order = GENERATE("priority_fifo", "service_preference");
  INFO(order);
  HallConfig cfg = make_config();
  cfg.policy.call_order = order;
  Hall h(cfg);
  h.sign_in(1, "c01");
  h.sign_in(2, "c03");  // a transfer goes only to an open window
  TicketId t = h.issue("hukou");
  h.advance(minutes{1});
  TicketId n = h.issue("hukou");
  REQUIRE(h.call(1, "c01") == t);
  h.advance(minutes{3});
  Outcome moved = h.ok(TransferTicket{1, "", 2}, clerk("c01"));
  REQUIRE(moved.events.size() == 1);
  CHECK(moved.events[0].type == "TicketTransferred");
  CHECK(moved.events[0].window == 1);
  CHECK(num(moved.reply, "target_window") == 2);
  CHECK(h.state(t) == "waiting");
  CHECK(h.window_state(1) == "open");
  // Waiting for window 2 only: not in the service queue, first in window 2's own queue.
  CHECK(h.engine.waiting_count("hukou") == 1);
  CHECK(h.engine.ahead_of(h.ticket(t)) == 0);
  h.advance(minutes{1});
  TicketId m = h.issue("hukou");

  CHECK(h.call(1, "c01") == n);
  h.ok(Finish{1}, clerk("c01"));
  CHECK(h.call(1, "c01") == m);
  h.ok(Finish{1}, clerk("c01"));
  CHECK(h.call(1, "c01") == 0);

  CHECK(h.call(2, "c03") == t);
  CHECK(h.ticket(t).window == 2);
  CHECK(h.ticket(t).first_clerk == "c01");
}

TEST_CASE("R-HALL-6 a paused or busy window does not call", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  TicketId a = h.issue("hukou");
  h.issue("hukou");
  REQUIRE(h.call(1, "c01") == a);
  // Called, then serving: both keep the window busy.
  h.fail(CallNext{1}, clerk("c01"), Errc::WindowBusy);
  h.ok(StartService{1}, clerk("c01"));
  h.fail(CallNext{1}, clerk("c01"), Errc::WindowBusy);
  CHECK(h.window_state(1) == "serving");
  h.ok(Finish{1}, clerk("c01"));

  Outcome paused = h.ok(PauseWindow{1, ""}, clerk("c01"));
  REQUIRE(paused.events.size() == 1);
  CHECK(paused.events[0].type == "WindowPaused");
  CHECK(str(paused.reply, "state") == "paused");
  CHECK(str(paused.reply, "pause_reason") == "暂停服务");
  h.fail(CallNext{1}, clerk("c01"), Errc::WindowPaused);
  CHECK(h.engine.waiting_count("hukou") == 1);
  h.ok(ResumeWindow{1}, clerk("c01"));
  CHECK(h.window_state(1) == "open");
  CHECK(h.call(1, "c01") != 0);
}

// ---------------------------------------------------------------------------------------------
// Recall, skip and return

TEST_CASE("R-HALL-5 recall up to the limit, then the next recall is a no-show", "[engine]") {
  const int limit = GENERATE(0, 1, 2, 3);
  INFO("recall_limit " << limit);
  HallConfig cfg = make_config();
  cfg.policy.recall_limit = limit;
  Hall h(cfg);
  h.sign_in(1, "c01");
  TicketId t = h.issue("hukou");
  REQUIRE(h.call(1, "c01") == t);
  for (int i = 1; i <= limit; ++i) {
    h.advance(seconds{30});
    Outcome o = h.ok(Recall{1}, clerk("c01"));
    REQUIRE(o.events.size() == 1);
    CHECK(o.events[0].type == "TicketRecalled");
    CHECK(num(json::value(o.events[0].data), "recalls") == i);
    CHECK(h.ticket(t).recalls == i);
    CHECK(h.state(t) == "called");
    CHECK(h.engine.recent_calls().front().number == "A001");
  }
  h.advance(seconds{30});
  Outcome last = h.ok(Recall{1}, clerk("c01"));
  REQUIRE(last.events.size() == 1);
  CHECK(last.events[0].type == "TicketNoShow");
  CHECK(str(json::value(last.events[0].data), "reason") == "recall_limit");
  CHECK(h.state(t) == "no_show");
  CHECK(h.window_state(1) == "open");
  h.fail(Recall{1}, clerk("c01"), Errc::NoCurrentTicket);
}

TEST_CASE("R-HALL-5 a skipped ticket may come back near the front within the return time", "[engine]") {
  struct Row {
    int after_min;
    bool ok;
  };
  const Row row = GENERATE(values<Row>({{0, true}, {29, true}, {30, true}, {31, false}, {120, false}}));
  INFO("returns after " << row.after_min << " min");
  Hall h;
  h.sign_in(1, "c01");
  TicketId r = h.issue("hukou");
  TicketId n1 = h.issue("hukou");
  TicketId n2 = h.issue("hukou");
  REQUIRE(h.call(1, "c01") == r);
  Outcome skipped = h.ok(Skip{1}, clerk("c01"));
  REQUIRE(skipped.events.size() == 1);
  CHECK(skipped.events[0].type == "TicketNoShow");
  CHECK(str(json::value(skipped.events[0].data), "reason") == "skipped");
  CHECK(h.state(r) == "no_show");
  CHECK(h.window_state(1) == "open");
  TicketId e = h.issue("hukou", Priority::Elderly);

  h.advance(minutes{row.after_min});
  if (!row.ok) {
    Error err = h.fail(ReturnNoShow{r}, kKiosk, Errc::ReturnExpired);
    CHECK_THAT(err.message, HasSubstr("30"));
    CHECK(h.state(r) == "no_show");
    CHECK(h.call(1, "c01") == e);
    return;
  }
  Outcome back = h.ok(ReturnNoShow{r}, kKiosk);
  REQUIRE(back.events.size() == 1);
  CHECK(back.events[0].type == "TicketReturned");
  CHECK(back.events[0].window == 0);
  CHECK(str(back.reply, "state") == "waiting");
  CHECK(num(back.reply, "ahead") == 1);  // only the elderly citizen is before it
  CHECK(h.ticket(r).front);
  // Already back: a second return is refused.
  h.fail(ReturnNoShow{r}, kKiosk, Errc::WrongState);
  std::vector<TicketId> called;
  for (int i = 0; i < 4; ++i) {
    called.push_back(h.call(1, "c01"));
    h.ok(Finish{1}, clerk("c01"));
  }
  CHECK(called == std::vector<TicketId>{e, r, n1, n2});
}

// ---------------------------------------------------------------------------------------------
// Serving a ticket

TEST_CASE("R-CASE-1 start and finish, with and without a case record; the service time is averaged", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  TicketId a = h.issue("hukou");
  TicketId b = h.issue("hukou");
  TicketId c = h.issue("hukou");
  CHECK(h.engine.average_service_s("hukou") == Approx(300));  // the default until measured

  REQUIRE(h.call(1, "c01") == a);
  h.advance(seconds{20});
  Outcome started = h.ok(StartService{1}, clerk("c01"));
  REQUIRE(started.events.size() == 1);
  CHECK(started.events[0].type == "ServiceStarted");
  CHECK(str(started.reply, "state") == "serving");
  CHECK(h.window_state(1) == "serving");
  h.fail(StartService{1}, clerk("c01"), Errc::WrongState);
  h.advance(seconds{600});
  CaseInput record{.type = CaseType::Promised, .item = "qianyi", .applicant = {"张*", "sealed"},
                   .received = {"身份证", "户口簿", "准迁证"}};
  Outcome done = h.ok(Finish{1, record}, clerk("c01"));
  REQUIRE(done.events.size() == 2);
  CHECK(done.events[0].type == "TicketFinished");
  CHECK(done.events[1].type == "CaseRegistered");  // in the same step (R-CASE-8)
  CHECK(str(done.reply, "state") == "done");
  CHECK(str(field(done.reply, "case"), "deadline") == "2026-03-09");  // Monday + 5 working days
  REQUIRE(done.changes.tickets.size() == 1);
  CHECK(done.changes.tickets[0].state == "done");
  REQUIRE(done.changes.cases.size() == 1);
  CHECK(done.changes.cases[0].state == "open");
  CHECK(h.engine.unregistered().empty());
  CHECK(h.engine.find_ticket(a) == nullptr);  // final: the store keeps it, the engine lets go
  CHECK(h.window_state(1) == "open");
  CHECK(h.engine.average_service_s("hukou") == Approx(600));

  REQUIRE(h.call(1, "c01") == b);
  h.ok(StartService{1}, clerk("c01"));
  h.advance(seconds{300});
  Outcome plain = h.ok(Finish{1}, clerk("c01"));
  REQUIRE(plain.changes.tickets.size() == 1);
  REQUIRE(plain.events.size() == 1);
  CHECK(plain.changes.cases.empty());
  CHECK(h.engine.unregistered().contains(b));  // R-CASE-8: on the console's list to register
  CHECK(h.engine.average_service_s("hukou") == Approx(0.8 * 600 + 0.2 * 300));

  // Finished straight from "called": done, but no service time is measured.
  REQUIRE(h.call(1, "c01") == c);
  h.advance(seconds{5});
  h.ok(Finish{1}, clerk("c01"));
  CHECK(h.engine.average_service_s("hukou") == Approx(540));
  CHECK(h.engine.average_service_s("social") == Approx(300));
  h.fail(Finish{1}, clerk("c01"), Errc::NoCurrentTicket);
}

TEST_CASE("R-EVAL-1 one rating per service, at the window, soon after it finished (一次一评)", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  h.sign_in(2, "c03");
  TicketId a = h.issue("hukou");
  TicketId b = h.issue("hukou");
  // Nothing finished yet at window 1: nothing to rate.
  h.fail(RateService{1, 5}, kEvaluator, Errc::NothingToRate);
  REQUIRE(h.call(1, "c01") == a);
  h.ok(StartService{1}, clerk("c01"));
  h.fail(RateService{1, 5}, kEvaluator, Errc::NothingToRate);  // still being served
  h.ok(Finish{1}, clerk("c01"));

  // Nobody but the citizen at the evaluator rates: a clerk or a manager cannot.
  h.fail(RateService{1, 5}, clerk("c01"), Errc::NotYourWindow);
  h.fail(RateService{1, 5}, Actor{Actor::Kind::Manager, "m01"}, Errc::NotYourWindow);
  // Levels are 1..5.
  h.fail(RateService{1, 0}, kEvaluator, Errc::InvalidArgument);
  h.fail(RateService{1, 6}, kEvaluator, Errc::InvalidArgument);
  h.fail(RateService{9, 5}, kEvaluator, Errc::UnknownWindow);
  // Window 2 served nobody: its evaluator has nothing to rate.
  h.fail(RateService{2, 5}, kEvaluator, Errc::NothingToRate);

  h.advance(seconds{30});
  Outcome rated = h.ok(RateService{1, 2}, kEvaluator);
  REQUIRE(rated.events.size() == 1);
  const Event& e = rated.events[0];
  CHECK(e.type == "ServiceRated");
  CHECK(e.window == 1);
  CHECK(num(json::value(e.data), "ticket") == a);
  CHECK(str(json::value(e.data), "clerk") == "c01");
  CHECK(str(json::value(e.data), "number") == "A001");
  CHECK(num(json::value(e.data), "level") == 2);
  CHECK(str(json::value(e.data), "label") == "不满意");
  CHECK(str(json::value(e.data), "bad") == "true");  // 不满意 and 非常不满意 are bad reviews
  CHECK(str(rated.reply, "label") == "不满意");
  // Nobody can change a rating, and a second press is not a second rating.
  h.fail(RateService{1, 5}, kEvaluator, Errc::AlreadyRated);

  // The next service at the window can be rated on its own, but not after the rating period.
  REQUIRE(h.call(1, "c01") == b);
  h.fail(RateService{1, 5}, kEvaluator, Errc::AlreadyRated);  // still the last finished one
  h.ok(Finish{1}, clerk("c01"));
  h.advance(minutes{h.engine.config().policy.rating_minutes} + seconds{1});
  h.fail(RateService{1, 5}, kEvaluator, Errc::NothingToRate);

  for (int level = 1; level <= 5; ++level) CHECK(std::string(rating_label(level)).size() > 0);
  CHECK(std::string(rating_label(5)) == "非常满意");
  CHECK(std::string(rating_label(1)) == "非常不满意");
}

TEST_CASE("R-EVAL-1 a keypad acting for the clerk is recorded with the device it came through", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  h.issue("hukou");
  Actor via_keypad{Actor::Kind::Clerk, "c01", "display-1"};
  auto r = h.run(CallNext{1}, via_keypad);
  REQUIRE(r.has_value());
  REQUIRE(r->events.size() == 1);
  CHECK(r->events[0].actor.id == "c01");
  CHECK(r->events[0].actor.via.empty());
  CHECK(str(json::value(r->events[0].data), "via") == "display-1");
  // Without a clerk signed in at the window, the keypad does nothing.
  h.fail(CallNext{2}, Actor{Actor::Kind::Clerk, "", "display-1"}, Errc::WindowClosed);
}

TEST_CASE("R-HALL-5 cancel a waiting, called or held ticket", "[engine]") {
  enum class From { Waiting, Called, Held };
  struct Row {
    const char* why;
    From from;
    int event_window;
  };
  const Row row = GENERATE(values<Row>({{"waiting", From::Waiting, 0}, {"called", From::Called, 1}, {"held", From::Held, 0}}));
  INFO(row.why);
  Hall h;
  h.sign_in(1, "c01");
  TicketId t = h.issue("hukou");
  TicketId other = h.issue("hukou");
  if (row.from != From::Waiting) REQUIRE(h.call(1, "c01") == t);
  if (row.from == From::Held) h.ok(HoldTicket{1}, clerk("c01"));
  const int waiting = h.engine.waiting_count("hukou");

  Outcome o = h.ok(CancelTicket{t, "citizen left"}, kKiosk);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].type == "TicketCancelled");
  CHECK(o.events[0].window == row.event_window);
  CHECK(str(o.reply, "state") == "cancelled");
  CHECK(str(o.reply, "close_reason") == "citizen left");
  CHECK(h.engine.find_ticket(t) == nullptr);
  CHECK(h.engine.waiting_count("hukou") == waiting - (row.from == From::Waiting ? 1 : 0));
  CHECK(h.window_state(1) == "open");
  // Gone from memory: a second cancel does not find it.
  h.fail(CancelTicket{t, ""}, kKiosk, Errc::UnknownTicket);
  CHECK(h.call(1, "c01") == other);
}

TEST_CASE("R-HALL-5 a kiosk voids a waiting ticket it issued when it could not print it", "[engine]") {
  HallConfig cfg = make_config();
  cfg.services[0].daily_limit = 3;
  Hall h(cfg);
  h.sign_in(1, "c01");
  TicketId a = h.issue("hukou");
  TicketId b = h.issue("hukou");
  TicketId c = h.issue("hukou");
  CHECK(h.ticket(a).issued_by == "kiosk-1");
  h.fail(IssueTicket{"hukou", Priority::Normal, Channel::Kiosk, ""}, kKiosk, Errc::DailyLimitReached);

  // Only the issuing kiosk, only a known reason.
  h.fail(VoidTicket{b, "print_failed"}, kKiosk2, Errc::NotYourTicket);
  h.fail(VoidTicket{b, "print_failed"}, clerk("c01"), Errc::NotYourTicket);
  h.fail(VoidTicket{b, "paper jam"}, kKiosk, Errc::InvalidArgument);
  h.fail(VoidTicket{99, "print_failed"}, kKiosk, Errc::UnknownTicket);
  h.fail(CancelTicket{b, "left"}, kKiosk2, Errc::NotYourTicket);
  CHECK(h.state(b) == "waiting");

  Outcome o = h.ok(VoidTicket{b, "print_failed"}, kKiosk);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].type == "TicketVoided");
  CHECK(o.events[0].window == 0);
  CHECK(str(o.events[0].data, "number") == "A002");
  CHECK(str(o.reply, "state") == "voided");
  CHECK(str(o.reply, "close_reason") == "print_failed");
  CHECK(h.engine.find_ticket(b) == nullptr);
  CHECK(h.engine.waiting_count("hukou") == 2);
  CHECK(h.engine.voided_today() == 1);
  // A's "ahead" no longer counts B; C has one ahead instead of two.
  CHECK(h.engine.ahead_of(h.ticket(c)) == 1);

  // The voided slot goes back to the daily limit, but its number is never given out again.
  TicketId d = h.issue("hukou");
  CHECK(h.ticket(d).number == "A004");

  // Once called, a ticket is the clerk's business: no void.
  REQUIRE(h.call(1, "c01") == a);
  h.fail(VoidTicket{a, "print_failed"}, kKiosk, Errc::WrongState);
  h.ok(Skip{1}, clerk("c01"));
  // B is never called.
  CHECK(h.call(1, "c01") == c);
}

TEST_CASE("R-HALL-8 device status: an event only when the printer state or accepting changes", "[engine]") {
  Hall h;
  h.fail(ReportDevice{"ok", true, ""}, clerk("c01"), Errc::InvalidArgument);
  h.fail(ReportDevice{"jammed", true, ""}, kKiosk, Errc::InvalidArgument);
  CHECK(h.engine.devices().empty());

  Outcome o = h.ok(ReportDevice{"ok", true, ""}, kKiosk);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].type == "DeviceStatusChanged");
  CHECK(str(o.events[0].data, "device") == "kiosk-1");
  const TimePoint first = h.now;
  h.advance(seconds{30});
  CHECK(h.ok(ReportDevice{"ok", true, "heartbeat"}, kKiosk).events.empty());
  CHECK(h.engine.devices().at("kiosk-1").since == first);

  h.advance(seconds{30});
  o = h.ok(ReportDevice{"paper_out", false, "打印纸用完"}, kKiosk);
  REQUIRE(o.events.size() == 1);
  const DeviceStatus& st = h.engine.devices().at("kiosk-1");
  CHECK(st.printer == "paper_out");
  CHECK_FALSE(st.accepting);
  CHECK(st.since == h.now);
  // The meta row carries it over a restart.
  Changes ch = h.engine.take_changes();
  Engine restored(make_config(), tz(), make_calendar());
  std::string error;
  REQUIRE(restored.restore(ch.meta, {}, {}, {}, &error));
  REQUIRE(restored.devices().count("kiosk-1") == 1);
  CHECK(restored.devices().at("kiosk-1").printer == "paper_out");
  CHECK(restored.devices().at("kiosk-1").since == h.now);
}

TEST_CASE("R-HALL-3 a kiosk calls a staff member for help (帮办代办); one open request per kiosk", "[engine]") {
  Hall h;
  h.fail(RequestHelp{"help"}, clerk("c01"), Errc::InvalidArgument);
  h.fail(RequestHelp{"coffee"}, kKiosk, Errc::InvalidArgument);
  Outcome o = h.ok(RequestHelp{"help"}, kKiosk);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].type == "HelpRequested");
  const std::int64_t id = o.reply.as_object().at("id").as_int64();
  CHECK(o.reply.as_object().at("state") == "open");
  // Pressed again while staff are on their way: the same request, no event.
  h.advance(seconds{20});
  o = h.ok(RequestHelp{"help"}, kKiosk);
  CHECK(o.events.empty());
  CHECK(o.reply.as_object().at("id").as_int64() == id);
  const std::int64_t other = h.ok(RequestHelp{"help"}, kKiosk2).reply.as_object().at("id").as_int64();
  CHECK(other != id);
  CHECK(h.engine.open_help().size() == 2);

  h.fail(AnswerHelp{id}, kKiosk, Errc::InvalidArgument);
  h.fail(AnswerHelp{99}, clerk("c01"), Errc::UnknownHelp);
  h.advance(seconds{40});
  o = h.ok(AnswerHelp{id}, clerk("c01"));
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].type == "HelpAnswered");
  CHECK(o.events[0].data.at("waited_s").as_int64() == 60);
  CHECK(o.reply.as_object().at("answered_by") == "c01");
  h.fail(AnswerHelp{id}, clerk("c02"), Errc::WrongState);  // somebody else was quicker
  CHECK(h.engine.open_help().size() == 1);
  // A new press after the answer is a new request.
  CHECK(h.ok(RequestHelp{"help"}, kKiosk).events.size() == 1);

  // Open requests survive a restart, and the next id is never reused.
  Changes ch = h.engine.take_changes();
  Engine restored(make_config(), tz(), make_calendar());
  std::string error;
  REQUIRE(restored.restore(ch.meta, {}, {}, {}, &error));
  CHECK(restored.open_help().size() == 2);
  CHECK(restored.open_help().count(other) == 1);
}

TEST_CASE("R-COMP-1 a complaint is recorded with its answer due in 5 working days", "[engine]") {
  Hall h;  // Monday 2026-03-02
  h.fail(FileComplaint{}, kKiosk, Errc::InvalidArgument);  // nothing said
  h.fail(FileComplaint{{"bribes"}, "", 0, {}, {}}, kKiosk, Errc::InvalidArgument);
  h.fail(FileComplaint{{"waiting", "waiting"}, "", 0, {}, {}}, kKiosk, Errc::InvalidArgument);
  // The phone's digits are checked by the API, before it is sealed; the engine bounds its size.
  h.fail(FileComplaint{{"waiting"}, "", 0, {}, {std::string(16, '*'), "s2:2026-03:x"}}, kKiosk, Errc::InvalidArgument);
  h.fail(FileComplaint{{"waiting"}, "", 42, {}, {}}, kKiosk, Errc::UnknownWindow);
  h.fail(FileComplaint{{"waiting"}, "", 0, {}, {}}, kSystem, Errc::InvalidArgument);
  CHECK(h.engine.complaints_filed() == 0);

  Outcome o = h.ok(FileComplaint{{"attitude", "waiting"}, "", 3, {}, {"138****5678", "s2:2026-03:sealed"}}, kKiosk);
  REQUIRE(o.events.size() == 1);
  const Event& e = o.events[0];
  CHECK(e.type == "ComplaintFiled");
  CHECK(e.window == 3);
  CHECK(str(e.data, "channel") == "kiosk");
  // The log keeps it for the answer, sealed (issue 9): masked, and the sealed form.
  CHECK(e.data.at("phone").at("masked") == "138****5678");
  CHECK(e.data.at("phone").at("sealed") == "s2:2026-03:sealed");
  CHECK(str(e.data, "received") == "2026-03-02");
  CHECK(str(e.data, "due") == "2026-03-09");  // Monday + 5 working days: the next Monday
  CHECK(o.reply.as_object().at("phone") == "138****5678");  // what the citizen is shown
  CHECK(o.reply.as_object().at("id") == 1);
  o = h.ok(FileComplaint{{}, "窗口人员态度生硬", 0, {"张*", "s2:2026-03:x"}, {}}, clerk("c01"));
  CHECK(str(o.events[0].data, "channel") == "counter");
  CHECK(h.engine.complaints_filed() == 2);
  Changes ch = h.engine.take_changes();
  Engine restored(make_config(), tz(), make_calendar());
  std::string error;
  REQUIRE(restored.restore(ch.meta, {}, {}, {}, &error));
  CHECK(restored.complaints_filed() == 2);  // the next complaint is number 3

  CHECK(mask_phone("13812345678") == "138****5678");
  CHECK(mask_phone("37801001") == "****1001");
  CHECK(mask_phone("") == "");
}

TEST_CASE("R-CASE-4 hold (挂起) frees the window; unhold calls the ticket back", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  h.sign_in(2, "c03");
  TicketId a = h.issue("hukou");
  TicketId b = h.issue("hukou");
  REQUIRE(h.call(1, "c01") == a);
  h.ok(StartService{1}, clerk("c01"));
  Outcome held = h.ok(HoldTicket{1}, clerk("c01"));
  REQUIRE(held.events.size() == 1);
  CHECK(held.events[0].type == "TicketHeld");
  CHECK(held.events[0].window == 1);
  CHECK(h.state(a) == "held");
  CHECK(h.window_state(1) == "open");
  CHECK(h.engine.waiting_count("hukou") == 1);  // a held ticket is not waiting to be called

  REQUIRE(h.call(1, "c01") == b);
  h.fail(UnholdTicket{1, a}, clerk("c01"), Errc::WindowBusy);
  h.ok(Finish{1}, clerk("c01"));
  h.advance(minutes{10});
  Outcome back = h.ok(UnholdTicket{1, a}, clerk("c01"));
  REQUIRE(back.events.size() == 1);
  CHECK(back.events[0].type == "TicketResumed");
  CHECK(back.events[0].window == 1);
  CHECK(h.state(a) == "called");
  CHECK(h.engine.find_window(1)->current == a);
  h.fail(UnholdTicket{1, a}, clerk("c01"), Errc::WindowBusy);

  // Held again and resumed at another window: the first clerk stays responsible (R-FIRST-1).
  h.ok(HoldTicket{1}, clerk("c01"));
  h.ok(UnholdTicket{2, a}, clerk("c03"));
  CHECK(h.ticket(a).window == 2);
  CHECK(h.ticket(a).clerk == "c03");
  CHECK(h.ticket(a).first_clerk == "c01");
  CHECK(h.window_state(2) == "serving");
  CHECK(h.window_state(1) == "open");
  // Finished without starting again: the time on hold is not a measured service time.
  h.advance(minutes{5});
  h.ok(Finish{2}, clerk("c03"));
  CHECK(h.engine.average_service_s("hukou") == Approx(300));
}

TEST_CASE("R-FIRST-1/2 a transfer is recorded and goes to the front of the target queue", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  h.sign_in(3, "c05");
  TicketId older_tax = h.issue("tax");
  h.advance(minutes{1});
  TicketId t = h.issue("hukou");
  h.advance(minutes{1});
  REQUIRE(h.call(1, "c01") == t);
  h.ok(StartService{1}, clerk("c01"));
  h.advance(minutes{4});
  const TimePoint first_move = h.now;
  Outcome o = h.ok(TransferTicket{1, "tax", 0}, clerk("c01"));
  REQUIRE(o.events.size() == 1);
  const json::object& d = o.events[0].data;
  CHECK(o.events[0].window == 1);
  CHECK(d.at("from_clerk") == "c01");
  CHECK(d.at("to_service") == "tax");
  CHECK(d.at("to_window") == 0);
  CHECK(str(o.reply, "service") == "tax");
  CHECK(num(o.reply, "ahead") == 0);  // ahead of the older normal tax ticket
  CHECK(h.engine.waiting_count("tax") == 2);
  CHECK(h.engine.waiting_count("hukou") == 0);
  CHECK(h.window_state(1) == "open");

  h.advance(minutes{1});
  REQUIRE(h.call(3, "c05") == t);
  CHECK(h.ticket(t).clerk == "c05");
  CHECK(h.ticket(t).first_clerk == "c01");
  h.advance(minutes{2});
  h.ok(TransferTicket{3, "", 1}, clerk("c05"));

  const Ticket& moved = h.ticket(t);
  REQUIRE(moved.transfers.size() == 2);
  CHECK(moved.transfers[0].at == first_move);
  CHECK(moved.transfers[0].from_window == 1);
  CHECK(moved.transfers[0].from_clerk == "c01");
  CHECK(moved.transfers[0].to_service == "tax");
  CHECK(moved.transfers[0].to_window == 0);
  CHECK(moved.transfers[1].at == h.now);
  CHECK(moved.transfers[1].from_window == 3);
  CHECK(moved.transfers[1].from_clerk == "c05");
  CHECK(moved.transfers[1].to_service.empty());
  CHECK(moved.transfers[1].to_window == 1);
  CHECK(moved.first_clerk == "c01");
  json::value api = h.engine.ticket_json(moved);
  REQUIRE(field(api, "transfers").as_array().size() == 2);
  CHECK(field(api, "first_clerk") == "c01");

  // Window 1 does not serve tax, yet the ticket sent to it is called there.
  CHECK(h.call(1, "c01") == t);
  CHECK(h.call(3, "c05") == older_tax);
  // Finished there without a new start: the queueing since window 1 started it is not a
  // service time, and certainly not one of tax.
  h.advance(minutes{3});
  h.ok(Finish{1}, clerk("c01"));
  CHECK(h.engine.average_service_s("tax") == Approx(300));
  CHECK(h.engine.average_service_s("hukou") == Approx(300));
}

// ---------------------------------------------------------------------------------------------
// Windows and clerks

TEST_CASE("R-ACCT-1 only a window's A and B clerks sign in there, each under their own account", "[engine]") {
  struct Row {
    int window;
    Actor actor;
    const char* post;  // nullptr: refused with `code`
    Errc code;         // not looked at when the sign-in succeeds
  };
  const Row rows[] = {
      {1, clerk("c01"), "A", Errc::InvalidArgument},
      {1, clerk("c02"), "B", Errc::InvalidArgument},
      {2, clerk("c02"), "B", Errc::InvalidArgument},
      {2, clerk("c03"), "A", Errc::InvalidArgument},
      {3, clerk("c05"), "A", Errc::InvalidArgument},
      {1, clerk("c03"), nullptr, Errc::NotAssigned},
      {3, clerk("c02"), nullptr, Errc::NotAssigned},
      {1, clerk("c07"), nullptr, Errc::NotAssigned},
      {1, clerk("m01"), nullptr, Errc::NotAssigned},
      {1, clerk("ghost"), nullptr, Errc::UnknownClerk},
      {1, Actor{Actor::Kind::Device, "c01"}, nullptr, Errc::UnknownClerk},
      {1, Actor{Actor::Kind::Manager, "m01"}, nullptr, Errc::UnknownClerk},
      {9, clerk("c01"), nullptr, Errc::UnknownWindow},
  };
  for (const Row& r : rows) {
    INFO("window " << r.window << " by " << r.actor.id);
    Hall h;
    if (!r.post) {
      h.fail(SignIn{r.window}, r.actor, r.code);
      CHECK(h.engine.last_seq() == 0);
      for (const WindowStatus& w : h.engine.windows()) CHECK_FALSE(w.open);
      continue;
    }
    Outcome o = h.ok(SignIn{r.window}, r.actor);
    REQUIRE(o.events.size() == 1);  // R-ATT-1: the sign-in is recorded
    CHECK(o.events[0].type == "ClerkSignedIn");
    CHECK(o.events[0].window == r.window);
    CHECK(o.events[0].data.at("clerk") == r.actor.id.c_str());
    CHECK(o.events[0].data.at("post") == r.post);
    CHECK(str(o.reply, "state") == "open");
    CHECK(str(o.reply, "post") == r.post);
    CHECK(str(o.reply, "clerk") == r.actor.id);
    REQUIRE(o.changes.windows.size() == 1);
    CHECK(o.changes.windows[0].first == r.window);
  }
}

TEST_CASE("R-AB-1 R-ATT-1 the other post takes over a window with a recorded hand-over", "[engine]") {
  Hall h;
  std::vector<std::string> attendance;  // R-ATT-1: every sign-in and sign-out, in order
  auto record = [&](const Outcome& o) {
    for (const Event& e : o.events)
      if (e.type == "ClerkSignedIn" || e.type == "ClerkSignedOut")
        attendance.push_back(e.type + " " + str(json::value(e.data), "clerk") + " " + std::to_string(e.window));
  };
  record(h.ok(SignIn{1}, clerk("c01")));

  h.advance(minutes{30});
  Outcome cover = h.ok(SignIn{1}, clerk("c02"));
  record(cover);
  REQUIRE(cover.events.size() == 2);
  CHECK(cover.events[0].type == "ClerkSignedOut");
  CHECK(cover.events[0].data.at("clerk") == "c01");
  CHECK(cover.events[0].data.at("reason") == "handover");
  CHECK(cover.events[1].type == "ClerkSignedIn");
  CHECK(cover.events[1].data.at("post") == "B");
  CHECK(str(cover.reply, "clerk") == "c02");
  CHECK(str(cover.reply, "post") == "B");
  h.fail(CallNext{1}, clerk("c01"), Errc::NotYourWindow);

  // Signing in again where one already is: a new session only, nothing recorded.
  Outcome again = h.ok(SignIn{1}, clerk("c02"));
  CHECK(again.events.empty());
  CHECK(str(again.reply, "clerk") == "c02");
  // One clerk, one window.
  Error two = h.fail(SignIn{2}, clerk("c02"), Errc::WindowBusy);
  CHECK_THAT(two.message, HasSubstr("window 1"));

  // A comes back while B serves: the hand-over waits until the ticket is done.
  TicketId t = h.issue("hukou");
  REQUIRE(h.call(1, "c02") == t);
  h.fail(SignIn{1}, clerk("c01"), Errc::WindowBusy);
  h.fail(SignOut{1}, clerk("c02"), Errc::WindowBusy);
  h.ok(Finish{1}, clerk("c02"));
  record(h.ok(SignIn{1}, clerk("c01")));
  CHECK(h.engine.find_window(1)->clerk == "c01");
  CHECK(h.engine.find_window(1)->post == Post::A);
  // c02 is free again and may now cover window 2.
  record(h.ok(SignIn{2}, clerk("c02")));

  Outcome out = h.ok(SignOut{1}, clerk("c01"));
  record(out);
  REQUIRE(out.events.size() == 1);
  CHECK(out.events[0].data.at("reason") == "sign_out");
  CHECK(str(out.reply, "state") == "closed");
  CHECK(field(out.reply, "post").is_null());
  CHECK(field(out.reply, "clerk").is_null());
  h.fail(CallNext{1}, clerk("c01"), Errc::WindowClosed);
  h.fail(SignOut{1}, clerk("c01"), Errc::WindowClosed);

  CHECK(attendance == std::vector<std::string>{
                          "ClerkSignedIn c01 1", "ClerkSignedOut c01 1", "ClerkSignedIn c02 1",
                          "ClerkSignedOut c02 1", "ClerkSignedIn c01 1", "ClerkSignedIn c02 2",
                          "ClerkSignedOut c01 1"});
}

TEST_CASE("R-HALL-6 pause shows the reason; only the signed-in clerk runs the window", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  Outcome p = h.ok(PauseWindow{1, "临时离岗"}, clerk("c01"));
  CHECK(str(p.reply, "state") == "paused");
  CHECK(str(p.reply, "pause_reason") == "临时离岗");
  h.fail(PauseWindow{1, ""}, clerk("c01"), Errc::WindowPaused);
  // Others cannot touch the window: not the B clerk, not another window's clerk, not a device.
  for (const Actor& a : {clerk("c02"), clerk("c03"), Actor{Actor::Kind::Device, "kiosk-1"},
                         Actor{Actor::Kind::Manager, "m01"}}) {
    INFO(a.id);
    h.fail(ResumeWindow{1}, a, Errc::NotYourWindow);
    h.fail(CallNext{1}, a, Errc::NotYourWindow);
    h.fail(SignOut{1}, a, Errc::NotYourWindow);
  }
  Outcome r = h.ok(ResumeWindow{1}, clerk("c01"));
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == "WindowResumed");
  CHECK(str(r.reply, "state") == "open");
  CHECK_FALSE(field(r.reply, "clerk").is_null());
  h.fail(ResumeWindow{1}, clerk("c01"), Errc::WrongState);
  // A paused window may sign out; it is then closed, not paused.
  h.ok(PauseWindow{1, ""}, clerk("c01"));
  h.ok(SignOut{1}, clerk("c01"));
  CHECK(h.window_state(1) == "closed");
  CHECK_FALSE(h.engine.find_window(1)->paused);
}

TEST_CASE("R-AB-3 a pause past the policy's minutes alerts the manager once", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  h.sign_in(4, "c04");
  const Actor system{};
  CHECK(h.ok(FlagPauseOverruns{}, system).events.empty());  // nobody is paused
  h.ok(PauseWindow{1, "临时离岗"}, clerk("c01"));
  h.advance(minutes{1});
  h.ok(PauseWindow{4, ""}, clerk("c04"));
  h.advance(minutes{2} - std::chrono::milliseconds{1});
  CHECK(h.ok(FlagPauseOverruns{}, system).events.empty());  // 2:59.999 at window 1
  h.advance(std::chrono::milliseconds{1});
  Outcome o = h.ok(FlagPauseOverruns{}, system);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].type == "WindowPauseOverrun");
  CHECK(o.events[0].window == 1);
  CHECK(o.events[0].data.at("clerk") == "c01");
  CHECK(o.events[0].data.at("reason") == "临时离岗");
  CHECK(o.events[0].data.at("minutes") == 3);
  CHECK(h.engine.find_window(1)->pause_alerted);
  // Once per pause; the other window's turn comes a minute later.
  CHECK(h.ok(FlagPauseOverruns{}, system).events.empty());
  h.advance(minutes{1});
  Outcome o4 = h.ok(FlagPauseOverruns{}, system);
  REQUIRE(o4.events.size() == 1);
  CHECK(o4.events[0].window == 4);
  // Back at the window: the next pause is timed afresh.
  h.ok(ResumeWindow{1}, clerk("c01"));
  CHECK_FALSE(h.engine.find_window(1)->pause_alerted);
  h.ok(PauseWindow{1, ""}, clerk("c01"));
  h.advance(minutes{2});
  CHECK(h.ok(FlagPauseOverruns{}, system).events.empty());
  h.advance(minutes{1});
  CHECK(h.ok(FlagPauseOverruns{}, system).events.size() == 1);
  // A closed window is not paused, whatever its clerk does.
  h.ok(SignOut{4}, clerk("c04"));
  h.advance(minutes{10});
  CHECK(h.ok(FlagPauseOverruns{}, system).events.empty());
}

TEST_CASE("R-AB-1 the clerk who takes over gets the other's session as the hand-over log", "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  const Seq a_in = h.engine.last_seq();
  CHECK(h.engine.find_window(1)->handover_clerk.empty());
  h.ok(SignOut{1}, clerk("c01"));
  // B covers A's absence: A's morning is B's hand-over.
  h.sign_in(1, "c02");
  const Seq b_in = h.engine.last_seq();
  const WindowStatus* w = h.engine.find_window(1);
  CHECK(w->handover_clerk == "c01");
  CHECK(w->handover_from == a_in);
  CHECK(w->handover_to == b_in);
  const TicketId t = h.issue("hukou");
  REQUIRE(h.call(1, "c02") == t);
  h.ok(Finish{1, std::nullopt, true}, clerk("c02"));
  // A comes back (B is still at the window: a hand-over): what B did is A's to read.
  h.sign_in(1, "c01");
  w = h.engine.find_window(1);
  CHECK(w->handover_clerk == "c02");
  CHECK(w->handover_from == b_in);
  CHECK(w->handover_to == h.engine.last_seq());
  // A leaves and comes back with nobody in between: nothing new to read.
  h.ok(SignOut{1}, clerk("c01"));
  h.sign_in(1, "c01");
  CHECK(h.engine.find_window(1)->handover_clerk.empty());
  // Yesterday's session is no hand-over.
  h.ok(SignOut{1}, clerk("c01"));
  h.advance(hours{24});
  h.ok(RollOver{}, Actor{});
  h.sign_in(1, "c02");
  CHECK(h.engine.find_window(1)->handover_clerk.empty());
}

TEST_CASE("R-CASE-8 the console's counts of a clerk's day: called, served, no-show, transferred, held",
          "[engine]") {
  Hall h;
  h.sign_in(1, "c01");
  h.sign_in(2, "c03");
  std::vector<TicketId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(h.issue("hukou"));
  REQUIRE(h.call(1, "c01") == ids[0]);
  h.ok(StartService{1}, clerk("c01"));
  h.advance(minutes{4});
  h.ok(Finish{1, std::nullopt, true}, clerk("c01"));  // an enquiry only
  REQUIRE(h.call(1, "c01") == ids[1]);
  h.ok(StartService{1}, clerk("c01"));
  h.advance(minutes{6});
  h.ok(Finish{1}, clerk("c01"));
  REQUIRE(h.call(1, "c01") == ids[2]);
  for (int i = 0; i <= h.engine.config().policy.recall_limit; ++i) h.ok(Recall{1}, clerk("c01"));
  CHECK(h.state(ids[2]) == "no_show");
  REQUIRE(h.call(1, "c01") == ids[3]);
  h.ok(TransferTicket{1, "", 2}, clerk("c01"));
  REQUIRE(h.call(1, "c01") == ids[4]);
  h.ok(HoldTicket{1}, clerk("c01"));
  const auto& day = h.engine.clerk_day().at("c01");
  CHECK(day.called == 5);
  CHECK(day.served == 2);
  CHECK(day.consultations == 1);
  CHECK(day.no_show == 1);
  CHECK(day.transferred == 1);
  CHECK(day.held == 1);
  CHECK(day.measured == 2);
  CHECK(day.service_ms == 10 * 60 * 1000);
  CHECK_FALSE(h.engine.clerk_day().contains("c02"));
  // They survive a restore (they travel in the meta row) and end with the day.
  Changes c = h.engine.take_changes();
  Engine restored(make_config(), tz(), make_calendar());
  std::vector<std::string> tickets, windows;
  for (const auto& t : c.tickets) tickets.push_back(t.json);
  for (const auto& [n, row] : c.windows) windows.push_back(row);
  std::string error;
  REQUIRE(restored.restore(c.meta, tickets, windows, {}, &error));
  CHECK(restored.clerk_day().at("c01").called == 5);
  CHECK(restored.clerk_day().at("c01").service_ms == 10 * 60 * 1000);
  h.advance(hours{24});
  h.ok(RollOver{}, Actor{});
  CHECK(h.engine.clerk_day().empty());
}

// ---------------------------------------------------------------------------------------------
// Day roll-over

TEST_CASE("R-HOURS-1 at local midnight the day closes: unserved tickets end, numbers restart", "[engine]") {
  const bool carry = GENERATE(false, true);
  INFO("carry_over_waiting " << carry);
  HallConfig cfg = make_config();
  cfg.policy.carry_over_waiting = carry;
  Hall h(cfg, at(kMonday, 16, 0));
  h.sign_in(1, "c01");
  h.sign_in(2, "c03");
  TicketId serving = h.issue("hukou", Priority::Normal, "r1");
  TicketId held = h.issue("hukou", Priority::Normal, "r2");
  TicketId missed = h.issue("hukou", Priority::Normal, "r3");
  TicketId waiting = h.issue("hukou", Priority::Normal, "r4");
  REQUIRE(h.call(1, "c01") == serving);
  h.ok(StartService{1}, clerk("c01"));
  REQUIRE(h.call(2, "c03") == held);
  h.ok(HoldTicket{2}, clerk("c03"));
  h.now = at(kMonday, 23, 45);
  REQUIRE(h.call(2, "c03") == missed);
  h.ok(Skip{2}, clerk("c03"));

  // Midnight +08:00 (16:00 UTC), before the roll-over ran: no tickets for the new day yet.
  h.now = tz().next_midnight(h.now);
  CHECK(h.now == at(kTuesday, 0, 0));
  CHECK(h.now.time_since_epoch() % hours{24} == hours{16});
  h.fail(IssueTicket{"hukou"}, kKiosk, Errc::HallClosed);

  Outcome o = h.ok(RollOver{}, kSystem);
  std::vector<std::string> types;
  for (const Event& e : o.events) {
    types.push_back(e.type);
    if (e.type == "TicketClosed") CHECK(e.data.at("reason") == "day_end");
    if (e.type == "ClerkSignedOut") {
      // R-ATT-1: window 2's clerk forgot to sign out; window 1 still serves (R-HOURS-1).
      CHECK(e.window == 2);
      CHECK(e.data.at("clerk") == "c03");
      CHECK(e.data.at("reason") == "day_end");
    } else {
      CHECK(e.window == 0);
    }
  }
  CHECK(h.window_state(1) == "serving");
  CHECK(h.window_state(2) == "closed");
  if (carry) {
    CHECK(types == std::vector<std::string>{"ClerkSignedOut", "DayRolledOver"});
    CHECK(h.state(held) == "held");
    CHECK(h.state(waiting) == "waiting");
  } else {
    CHECK(types == std::vector<std::string>{"TicketClosed", "TicketClosed", "ClerkSignedOut", "DayRolledOver"});
    CHECK(o.events[0].data.at("ticket") == held);
    CHECK(o.events[1].data.at("ticket") == waiting);
    CHECK(h.engine.find_ticket(held) == nullptr);
    CHECK(h.engine.find_ticket(waiting) == nullptr);
    std::set<TicketId> closed;
    for (const TicketRow& r : o.changes.tickets) {
      CHECK(r.state == "closed");
      CHECK(str(json::parse(r.json), "close_reason") == "day_end");
      closed.insert(r.id);
    }
    CHECK(closed == std::set<TicketId>{held, waiting});
  }
  CHECK(o.events.back().data.at("day") == kTuesday);
  CHECK(h.engine.day() == kTuesday);
  // The ticket at a window is left to finish; a missed ticket of yesterday is forgotten.
  CHECK(h.state(serving) == "serving");
  CHECK(h.engine.find_ticket(missed) == nullptr);
  h.fail(ReturnNoShow{missed}, kKiosk, Errc::UnknownTicket);
  // Rolling over again the same day does nothing.
  CHECK(h.ok(RollOver{}, kSystem).events.empty());

  h.now = at(kTuesday, 9, 0);
  h.ok(Finish{1}, clerk("c01"));
  Outcome fresh = h.ok(IssueTicket{"hukou", Priority::Normal, Channel::Kiosk, "r1"}, kKiosk);
  REQUIRE(fresh.events.size() == 1);  // yesterday's request id no longer dedupes
  CHECK(num(fresh.reply, "id") != serving);
  CHECK(str(fresh.reply, "number") == "A001");
  REQUIRE(fresh.changes.tickets.size() == 1);
  CHECK(fresh.changes.tickets[0].day == kTuesday);
  CHECK(num(fresh.reply, "ahead") == (carry ? 1 : 0));
  CHECK(h.engine.waiting_count("hukou") == (carry ? 2 : 1));
  if (carry) {
    CHECK(h.call(1, "c01") == waiting);
    h.sign_in(2, "c03");
    h.ok(UnholdTicket{2, held}, clerk("c03"));
    CHECK(h.state(held) == "called");
  }
}

// ---------------------------------------------------------------------------------------------
// People ahead and the estimated wait

TEST_CASE("R-HALL-5 people ahead and the estimated wait", "[engine]") {
  struct Row {
    std::vector<std::pair<int, const char*>> open;  // windows signed in
    int serving;                                    // of them, windows serving hukou
  };
  const Row row = GENERATE(values<Row>({
      {{}, 1},  // none open: counted as one, so the estimate is still a time
      {{{1, "c01"}}, 1},
      {{{1, "c01"}, {2, "c03"}}, 2},
      {{{1, "c01"}, {3, "c05"}, {4, "c04"}}, 1},  // windows 3 and 4 do not serve hukou
  }));
  INFO(row.open.size() << " windows open");
  Hall h;
  for (const auto& [n, c] : row.open) h.sign_in(n, c);
  TicketId n1 = h.issue("hukou");
  TicketId n2 = h.issue("hukou");
  Outcome third = h.ok(IssueTicket{"hukou"}, kKiosk);
  CHECK(num(third.reply, "ahead") == 2);
  TicketId n3 = num(third.reply, "id");
  h.advance(minutes{1});
  Outcome elderly = h.ok(IssueTicket{"hukou", Priority::Elderly}, kKiosk);
  CHECK(num(elderly.reply, "ahead") == 0);
  const TicketId e = num(elderly.reply, "id");
  CHECK(num(h.ok(IssueTicket{"social"}, kKiosk).reply, "ahead") == 0);  // another queue

  const std::pair<TicketId, int> ahead[] = {{e, 0}, {n1, 1}, {n2, 2}, {n3, 3}};
  for (const auto& [id, n] : ahead) {
    INFO("ticket " << id);
    CHECK(h.engine.ahead_of(h.ticket(id)) == n);
    const int wait = (n * 300 + row.serving - 1) / row.serving;  // default 300 s, rounded up
    CHECK(h.engine.estimated_wait_s(h.ticket(id), n) == wait);
    CHECK(num(json::value(h.engine.ticket_json(h.ticket(id))), "estimated_wait_s") == wait);
  }
  if (row.open.empty()) return;

  // Measured service times replace the default: 100 s, then 200 s (EWMA weight 0.2).
  REQUIRE(h.call(1, "c01") == e);
  h.ok(StartService{1}, clerk("c01"));
  h.advance(seconds{100});
  h.ok(Finish{1}, clerk("c01"));
  CHECK(h.engine.ahead_of(h.ticket(n3)) == 2);
  CHECK(h.engine.estimated_wait_s(h.ticket(n3), 2) == (2 * 100 + row.serving - 1) / row.serving);
  REQUIRE(h.call(1, "c01") == n1);
  h.ok(StartService{1}, clerk("c01"));
  h.advance(seconds{200});
  h.ok(Finish{1}, clerk("c01"));
  CHECK(h.engine.average_service_s("hukou") == Approx(120));
  CHECK(h.engine.ahead_of(h.ticket(n3)) == 1);
  CHECK(h.engine.estimated_wait_s(h.ticket(n3), 1) == (120 + row.serving - 1) / row.serving);
}

// ---------------------------------------------------------------------------------------------
// Refused commands change nothing

namespace {

// What a refused command must leave alone: the sequence, the waiting counts, every window and
// every ticket the test knows, as the API shows them.
std::string snapshot(const Engine& e, const std::vector<TicketId>& ids) {
  json::object s;
  s["seq"] = e.last_seq();
  s["day"] = e.day();
  json::object waiting;
  for (const char* svc : {"hukou", "social", "tax"}) waiting[svc] = e.waiting_count(svc);
  s["waiting"] = std::move(waiting);
  json::array windows;
  for (const WindowStatus& w : e.windows()) windows.push_back(e.window_json(w, true));
  s["windows"] = std::move(windows);
  json::array tickets;
  for (TicketId id : ids) {
    const Ticket* t = e.find_ticket(id);
    tickets.push_back(t ? json::value(e.ticket_json(*t)) : json::value(nullptr));
  }
  s["tickets"] = std::move(tickets);
  return json::serialize(s);
}

}  // namespace

TEST_CASE("R-HALL-8 a refused command changes nothing", "[engine]") {
  HallConfig cfg = make_config();
  cfg.services[1].daily_limit = 2;  // social
  Hall h(cfg, at(kMonday, 10, 0));
  h.sign_in(1, "c01");
  h.sign_in(2, "c02");
  h.sign_in(3, "c05");
  h.sign_in(4, "c04");
  const TicketId a1 = h.issue("hukou");
  const TicketId b1 = h.issue("social");
  const TicketId a2 = h.issue("hukou");
  const TicketId c1 = h.issue("tax");
  REQUIRE(h.call(1, "c01") == a1);
  h.ok(Skip{1}, clerk("c01"));  // a1: no-show at 10:00
  const TicketId b2 = h.issue("social", Priority::Appointment);
  REQUIRE(h.call(1, "c01") == b2);
  h.ok(StartService{1}, clerk("c01"));  // window 1 serving b2
  REQUIRE(h.call(3, "c05") == c1);      // window 3 has c1 called
  h.ok(PauseWindow{4, ""}, clerk("c04"));  // window 4 paused; window 2 open and free; 5 closed
  h.advance(minutes{20});
  const std::vector<TicketId> ids{a1, b1, a2, c1, b2};
  const std::string before = snapshot(h.engine, ids);
  const std::string meta = h.engine.take_changes().meta;

  struct Refusal {
    const char* why;
    Command cmd;
    Actor actor;
    Errc code;
    TimePoint when;
  };
  const TimePoint now = h.now;
  const Actor c01 = clerk("c01"), c02 = clerk("c02"), c04 = clerk("c04"), c05 = clerk("c05");
  const Refusal rows[] = {
      {"call while serving", CallNext{1}, c01, Errc::WindowBusy, now},
      {"call while a ticket is called", CallNext{3}, c05, Errc::WindowBusy, now},
      {"call at a paused window", CallNext{4}, c04, Errc::WindowPaused, now},
      {"call at a closed window", CallNext{5}, clerk("c06"), Errc::WindowClosed, now},
      {"call at an unknown window", CallNext{9}, c01, Errc::UnknownWindow, now},
      {"call by the B clerk not signed in", CallNext{1}, c02, Errc::NotYourWindow, now},
      {"call by a device", CallNext{1}, kKiosk, Errc::NotYourWindow, now},
      {"call by a manager", CallNext{1}, Actor{Actor::Kind::Manager, "m01"}, Errc::NotYourWindow, now},
      {"recall with nothing called", Recall{2}, c02, Errc::NoCurrentTicket, now},
      {"recall a ticket being served", Recall{1}, c01, Errc::WrongState, now},
      {"skip a ticket being served", Skip{1}, c01, Errc::WrongState, now},
      {"start twice", StartService{1}, c01, Errc::WrongState, now},
      {"start with nothing called", StartService{2}, c02, Errc::NoCurrentTicket, now},
      {"finish with nothing called", Finish{2}, c02, Errc::NoCurrentTicket, now},
      {"hold with nothing called", HoldTicket{2}, c02, Errc::NoCurrentTicket, now},
      {"cancel a ticket being served", CancelTicket{b2, ""}, kKiosk, Errc::WrongState, now},
      {"cancel a no-show", CancelTicket{a1, ""}, kKiosk, Errc::WrongState, now},
      {"cancel an unknown ticket", CancelTicket{9999, ""}, kKiosk, Errc::UnknownTicket, now},
      {"transfer to nothing", TransferTicket{1, "", 0}, c01, Errc::InvalidArgument, now},
      {"transfer to a service and a window", TransferTicket{1, "tax", 2}, c01, Errc::InvalidArgument, now},
      {"transfer to its own service", TransferTicket{1, "social", 0}, c01, Errc::InvalidArgument, now},
      {"transfer to an unknown service", TransferTicket{1, "visa", 0}, c01, Errc::UnknownService, now},
      {"transfer to the same window", TransferTicket{1, "", 1}, c01, Errc::InvalidArgument, now},
      {"transfer to an unknown window", TransferTicket{1, "", 9}, c01, Errc::UnknownWindow, now},
      {"transfer to a closed window", TransferTicket{1, "", 5}, c01, Errc::WindowClosed, now},
      {"transfer with nothing called", TransferTicket{2, "tax", 0}, c02, Errc::NoCurrentTicket, now},
      {"unhold a waiting ticket", UnholdTicket{2, a2}, c02, Errc::WrongState, now},
      {"unhold an unknown ticket", UnholdTicket{2, 9999}, c02, Errc::UnknownTicket, now},
      {"unhold at a paused window", UnholdTicket{4, a2}, c04, Errc::WindowPaused, now},
      {"unhold at a busy window", UnholdTicket{1, a2}, c01, Errc::WindowBusy, now},
      {"return a waiting ticket", ReturnNoShow{a2}, kKiosk, Errc::WrongState, now},
      {"return an unknown ticket", ReturnNoShow{9999}, kKiosk, Errc::UnknownTicket, now},
      {"return too late", ReturnNoShow{a1}, kKiosk, Errc::ReturnExpired, now + minutes{11}},
      {"sign in at two windows", SignIn{1}, c02, Errc::WindowBusy, now},
      {"sign in where not assigned", SignIn{1}, clerk("c07"), Errc::NotAssigned, now},
      {"sign in as an unknown clerk", SignIn{1}, clerk("ghost"), Errc::UnknownClerk, now},
      {"sign in at an unknown window", SignIn{9}, c01, Errc::UnknownWindow, now},
      {"sign out while serving", SignOut{1}, c01, Errc::WindowBusy, now},
      {"sign out of another's window", SignOut{4}, c01, Errc::NotYourWindow, now},
      {"sign out of a closed window", SignOut{5}, clerk("c06"), Errc::WindowClosed, now},
      {"pause twice", PauseWindow{4, ""}, c04, Errc::WindowPaused, now},
      {"pause while serving", PauseWindow{1, ""}, c01, Errc::WindowBusy, now},
      {"resume an open window", ResumeWindow{2}, c02, Errc::WrongState, now},
      {"issue for an unknown service", IssueTicket{"visa"}, kKiosk, Errc::UnknownService, now},
      {"issue over the daily limit", IssueTicket{"social"}, kKiosk, Errc::DailyLimitReached, now},
      {"issue over lunch", IssueTicket{"tax"}, kKiosk, Errc::HallClosed, at(kMonday, 12, 30)},
      {"issue after closing", IssueTicket{"hukou"}, kKiosk, Errc::HallClosed, at(kMonday, 20, 0)},
      {"issue before the roll-over", IssueTicket{"hukou"}, kKiosk, Errc::HallClosed, at(kTuesday, 9, 0)},
  };
  for (const Refusal& r : rows) {
    INFO(r.why);
    h.now = r.when;
    h.fail(r.cmd, r.actor, r.code);
    Changes c = h.engine.take_changes();
    CHECK(c.tickets.empty());
    CHECK(c.windows.empty());
    CHECK(c.meta == meta);
    CHECK(snapshot(h.engine, ids) == before);
  }
  // The same hall still works afterwards.
  h.now = now;
  h.ok(Finish{1}, c01);
  CHECK(h.call(1, "c01") == b1);
}

// ---------------------------------------------------------------------------------------------
// Events, replay and restore

TEST_CASE("R-HALL-5 every event carries its sequence, time, actor and window", "[engine]") {
  Hall h;
  struct Step {
    Command cmd;
    Actor actor;
    std::vector<std::pair<const char*, int>> events;  // type, window
  };
  const Actor c01 = clerk("c01"), c05 = clerk("c05");
  const Step steps[] = {
      {SignIn{1}, c01, {{"ClerkSignedIn", 1}}},
      {SignIn{3}, c05, {{"ClerkSignedIn", 3}}},
      {IssueTicket{"hukou"}, kKiosk, {{"TicketIssued", 0}}},
      {IssueTicket{"hukou"}, kKiosk, {{"TicketIssued", 0}}},
      {CallNext{1}, c01, {{"TicketCalled", 1}}},
      {Recall{1}, c01, {{"TicketRecalled", 1}}},
      {StartService{1}, c01, {{"ServiceStarted", 1}}},
      {TransferTicket{1, "tax", 0}, c01, {{"TicketTransferred", 1}}},
      {CallNext{3}, c05, {{"TicketCalled", 3}}},
      {HoldTicket{3}, c05, {{"TicketHeld", 3}}},
      {UnholdTicket{3, 1}, c05, {{"TicketResumed", 3}}},
      {Finish{3}, c05, {{"TicketFinished", 3}}},
      {CallNext{1}, c01, {{"TicketCalled", 1}}},
      {Skip{1}, c01, {{"TicketNoShow", 1}}},
      {ReturnNoShow{2}, kKiosk, {{"TicketReturned", 0}}},
      {CallNext{1}, c01, {{"TicketCalled", 1}}},
      {CancelTicket{2, "left"}, Actor{Actor::Kind::Manager, "m01"}, {{"TicketCancelled", 1}}},
      {PauseWindow{1, ""}, c01, {{"WindowPaused", 1}}},
      {ResumeWindow{1}, c01, {{"WindowResumed", 1}}},
      {SignIn{1}, clerk("c02"), {{"ClerkSignedOut", 1}, {"ClerkSignedIn", 1}}},
      {SignOut{1}, clerk("c02"), {{"ClerkSignedOut", 1}}},
  };
  Seq seq = 0;
  for (const Step& s : steps) {
    h.advance(seconds{37});
    Outcome o = h.ok(s.cmd, s.actor);
    INFO("step " << seq);
    REQUIRE(o.events.size() == s.events.size());
    for (size_t i = 0; i < o.events.size(); ++i) {
      CHECK(o.events[i].seq == ++seq);
      CHECK(o.events[i].type == s.events[i].first);
      CHECK(o.events[i].window == s.events[i].second);
      CHECK(o.events[i].at == h.now);
      CHECK(o.events[i].actor.id == s.actor.id);
    }
  }
  CHECK(h.engine.last_seq() == seq);
  h.now = tz().next_midnight(h.now);
  Outcome roll = h.ok(RollOver{}, kSystem);
  REQUIRE_FALSE(roll.events.empty());
  CHECK(roll.events.back().type == "DayRolledOver");
  for (const Event& e : roll.events) {
    CHECK(e.seq == ++seq);
    CHECK(e.actor.kind == Actor::Kind::System);
  }
}

namespace {

// Everything a client could see of a hall, to compare two engines that should be the same.
json::object full_snapshot(const Engine& e, const std::map<TicketId, TicketRow>& known) {
  json::object s;
  s["seq"] = e.last_seq();
  s["day"] = e.day();
  json::object services;
  for (const char* svc : {"hukou", "social", "tax"})
    services[svc] = json::object{{"waiting", e.waiting_count(svc)}, {"avg", e.average_service_s(svc)}};
  s["services"] = std::move(services);
  json::array windows;
  for (const WindowStatus& w : e.windows()) windows.push_back(e.window_json(w, true));
  s["windows"] = std::move(windows);
  json::array recent;
  for (const RecentCall& r : e.recent_calls())
    recent.push_back(json::object{{"number", r.number}, {"window", r.window}, {"at", r.at.time_since_epoch().count()}});
  s["recent"] = std::move(recent);
  json::object tickets;
  for (const auto& [id, row] : known) {
    const Ticket* t = e.find_ticket(id);
    tickets[std::to_string(id)] = t ? json::value(e.ticket_json(*t)) : json::value(nullptr);
  }
  s["tickets"] = std::move(tickets);
  // The live cases and today's, as the console lists them, and the tickets left to register.
  const TimePoint now = at(kMonday, 9, 0);
  json::array cases;
  for (const auto& [id, c] : e.cases()) cases.push_back(e.case_json(c, now));
  s["cases"] = std::move(cases);
  json::array unregistered;
  for (const auto& [id, u] : e.unregistered()) unregistered.push_back(json::array{id, u.number, u.window});
  s["unregistered"] = std::move(unregistered);
  return s;
}

void check_same(const json::object& a, const json::object& b) {
  for (const auto& [k, v] : a) {
    INFO(std::string(k));
    REQUIRE(b.contains(k));
    if (v.is_object() && k == "tickets") {
      for (const auto& [id, t] : v.as_object()) {
        INFO("ticket " << std::string(id));
        CHECK(json::serialize(t) == json::serialize(b.at(k).as_object().at(id)));
      }
      CHECK(v.as_object().size() == b.at(k).as_object().size());
    } else {
      CHECK(json::serialize(v) == json::serialize(b.at(k)));
    }
  }
}

}  // namespace

TEST_CASE("R-HALL-8 replaying the log or restoring the rows rebuilds the same hall", "[engine]") {
  struct Variant {
    const char* call_order;
    bool carry_over;
    bool weekend_service;
    std::uint32_t seed;
  };
  const Variant v = GENERATE(values<Variant>({
      {"priority_fifo", false, false, 11},
      {"service_preference", true, true, 22},
      {"priority_fifo", true, false, 33},
      {"service_preference", false, true, 44},
  }));
  INFO(v.call_order << " carry_over " << v.carry_over << " seed " << v.seed);
  HallConfig cfg = make_config();
  cfg.policy.call_order = v.call_order;
  cfg.policy.carry_over_waiting = v.carry_over;
  cfg.hours.weekend_service = v.weekend_service;
  Hall h(cfg, at(kMonday, 8, 0));
  std::mt19937 rng(v.seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::mt19937 orng(v.seed + 1000);
  auto opick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(orng); };
  auto one_of = [&](const auto& list) { return list[static_cast<size_t>(pick(0, static_cast<int>(list.size()) - 1))]; };

  const std::vector<std::string> services{"hukou", "hukou", "social", "social", "tax", "visa"};
  const std::vector<Priority> priorities{Priority::Normal, Priority::Normal, Priority::Normal, Priority::Normal,
                                         Priority::Normal, Priority::Elderly, Priority::Disabled,
                                         Priority::Pregnant, Priority::Appointment};
  const std::map<int, std::vector<std::string>> posts{
      {1, {"c01", "c02"}}, {2, {"c03", "c02"}}, {3, {"c05"}}, {4, {"c04"}}, {5, {"c06"}}, {7, {"c01"}}};
  const std::vector<std::string> everyone{"c01", "c02", "c03", "c04", "c05", "c06", "c07", "ghost"};

  std::vector<std::vector<Event>> log;
  Rows rows1;
  rows1.meta = h.engine.take_changes().meta;
  std::map<std::string, int> made;  // event type -> count
  std::map<std::string, int> refused;  // error code -> count
  std::vector<TicketId> issued, missed, held;

  auto windows_now = [&] {
    std::vector<std::string> out;
    for (const WindowStatus& w : h.engine.windows()) out.push_back(json::serialize(h.engine.window_json(w, true)));
    return out;
  };
  auto run = [&](const Command& cmd, const Actor& actor, int window) {
    const Seq seq = h.engine.last_seq();
    std::map<std::string, int> waiting;
    for (const char* s : {"hukou", "social", "tax"}) waiting[s] = h.engine.waiting_count(s);
    const std::vector<std::string> wins = windows_now();
    auto r = h.run(cmd, actor);
    if (!r.has_value()) {
      refused[code(r.error().code)]++;
      Changes c = h.engine.take_changes();
      CHECK(h.engine.last_seq() == seq);
      CHECK(c.tickets.empty());
      CHECK(c.windows.empty());
      CHECK(c.cases.empty());
      CHECK(c.meta == rows1.meta);
      for (const auto& [s, n] : waiting) CHECK(h.engine.waiting_count(s) == n);
      CHECK(windows_now() == wins);
      return;
    }
    Seq next = seq;
    for (const Event& e : r->events) {
      CHECK(e.seq == ++next);
      CHECK(e.at == h.now);
      CHECK(e.actor.id == actor.id);
      if (window != 0) CHECK(e.window == window);
      if (e.type == "TicketIssued" || e.type == "TicketReturned" || e.type == "TicketClosed" || e.type == "DayRolledOver")
        CHECK(e.window == 0);
      made[e.type]++;
      const TicketId id = e.data.contains("ticket") ? e.data.at("ticket").as_int64() : 0;
      if (e.type == "TicketIssued") issued.push_back(id);
      if (e.type == "TicketNoShow") missed.push_back(id);
      if (e.type == "TicketHeld") held.push_back(id);
    }
    CHECK(h.engine.last_seq() == next);
    log.push_back(r->events);
    rows1.add(r->changes);
  };
  // One of the last `n` ids of a list: recent tickets are the ones still worth acting on.
  auto recent = [&](const std::vector<TicketId>& ids, size_t n) -> TicketId {
    if (ids.empty()) return 9999;
    const size_t from = ids.size() > n ? ids.size() - n : 0;
    return ids[from + static_cast<size_t>(pick(0, static_cast<int>(ids.size() - from) - 1))];
  };

  constexpr int kCommands = 4500;
  for (int i = 0; i < kCommands; ++i) {
    h.advance(seconds{pick(5, 150)});
    if (tz().to_local(h.now).minute_of_day >= Minutes{18 * 60 + 30}) {
      h.now = tz().next_midnight(h.now);
      run(RollOver{}, kSystem, 0);
      h.now = tz().from_local(tz().to_local(h.now).date, Minutes{8 * 60 + 15});
    }
    run(FlagPauseOverruns{}, kSystem, 0);  // the controller's 5-second check (R-AB-3)
    const int window = pick(0, 49) == 0 ? 7 : pick(1, 5);  // 7: no such window
    Actor actor;
    if (pick(0, 9) < 8) {
      const WindowStatus* w = h.engine.find_window(window);
      actor = w && w->open ? clerk(w->clerk) : clerk(one_of(posts.at(window)));
    } else {
      actor = clerk(one_of(everyone));
    }
    if (pick(0, 14) == 0 && !h.engine.cases().empty()) {
      // Someone works a case: its own clerk, the other post, a manager or a stranger.
      auto it = h.engine.cases().begin();
      std::advance(it, pick(0, static_cast<int>(h.engine.cases().size()) - 1));
      if (pick(0, 2) == 0)  // suspended cases come back more often than chance would have it
        for (auto s = h.engine.cases().begin(); s != h.engine.cases().end(); ++s)
          if (s->second.state == CaseState::Suspended) it = s;
      const std::vector<std::string> actions{"materials-complete", "extend", "suspend", "resume", "report",
                                             "complete", "complete", "return", "notify", "supplement", "bogus"};
      CaseAction a{.id = it->first, .action = one_of(actions), .days = pick(0, 4), .window = pick(1, 5),
                   .reason = pick(0, 4) ? "原因" : "", .channel = pick(0, 3) ? "phone" : "pigeon",
                   .missing = pick(0, 5) ? std::vector<std::string>{pick(0, 1) ? "户口簿" : "准迁证"}
                                         : std::vector<std::string>{"结婚证"}};
      if (it->second.state == CaseState::Suspended && pick(0, 1)) a.action = "resume";
      const Actor who = pick(0, 5) ? clerk(it->second.clerk) : pick(0, 1) ? Actor{Actor::Kind::Manager, "m01"} : actor;
      run(a, who, 0);
      continue;
    }
    const int kind = pick(0, 99);
    if (kind < 26) {
      std::string request = pick(0, 3) == 0 ? "r" + std::to_string(pick(0, 30)) : "";
      run(IssueTicket{one_of(services), one_of(priorities), Channel::Kiosk, request}, kKiosk, 0);
    } else if (kind < 40) {
      run(CallNext{window}, actor, window);
    } else if (kind < 45) {
      run(Recall{window}, actor, window);
    } else if (kind < 49) {
      run(Skip{window}, actor, window);
    } else if (kind < 58) {
      run(StartService{window}, actor, window);
    } else if (kind < 65) {
      // Finished with a case (a supplement without its missing list is refused, and so is the
      // finish), as an enquiry only, or with nothing (left to register later).
      Finish f{window};
      const int how = pick(0, 3);
      if (how == 0)
        f.case_input = CaseInput{.type = pick(0, 4) ? CaseType::Promised : CaseType::Supplement, .item = "qianyi",
                                 .applicant = {"张*", "s1:" + std::to_string(i)}, .received = {"身份证"}};
      if (how == 1) f.consultation = true;
      run(f, actor, window);
      // Registered later (the console's "to register" list), or a second matter.
      if (how >= 2 && pick(0, 1) == 0) {
        TicketId ticket = 0;
        if (!h.engine.unregistered().empty() && pick(0, 3)) ticket = h.engine.unregistered().rbegin()->first;
        run(RegisterCase{window, ticket,
                         CaseInput{.type = pick(0, 2) ? CaseType::Promised : CaseType::Joint, .item = "qianyi",
                                   .applicant = {"李*", "s1:r" + std::to_string(i)},
                                   .participants = pick(0, 2) ? std::vector<int>{} : std::vector<int>{window % 5 + 1}}},
            actor, window);
      }
      // The citizen rates at the window's evaluator (a clerk or a level of 0 or 6 is refused).
      if (pick(0, 2) == 0) run(RateService{window, pick(0, 6)}, pick(0, 5) ? kEvaluator : actor, window);
    } else if (kind < 66) {
      run(FileComplaint{{pick(0, 5) ? "waiting" : "bribes"}, "", pick(0, 6), {}, pick(0, 1) ? Sealed{"138****8000", "s2:2026-03:x"} : Sealed{}},
          pick(0, 1) ? kKiosk : actor, 0);
      // The manager's side (issue 8): answers, follow-ups, score items and leave, now and then
      // from someone who may not, or about something that is not there. Its own random numbers:
      // the queue's sequence stays the one the checks below were tuned on.
      const Actor who = opick(0, 5) ? Actor{Actor::Kind::Manager, "m01"} : actor;
      const std::string outcome = opick(0, 6) ? (opick(0, 1) ? "verified" : "not_verified") : "perhaps";
      const auto& oc = h.engine.open_complaints();
      run(AnswerComplaint{oc.empty() || !opick(0, 4) ? opick(0, 30) : oc.begin()->first, outcome, "", opick(0, 6) ? "已答复" : ""},
          who, 0);
      const auto& fu = h.engine.follow_ups();
      if (opick(0, 1)) run(ReviewRating{fu.empty() || !opick(0, 4) ? opick(0, 99) : fu.begin()->first, outcome, "已核实"}, who, 0);
      if (opick(0, 3) == 0) run(AdjustScore{everyone[static_cast<size_t>(opick(0, static_cast<int>(everyone.size()) - 1))], opick(0, 5) ? "praise" : "Praise", opick(-6, 6), "2026-03", "表扬"}, who, 0);
      if (opick(0, 5) == 0) {
        const Date from = tz().to_local(h.now).date;
        run(RecordLeave{everyone[static_cast<size_t>(opick(0, static_cast<int>(everyone.size()) - 1))], from, Date{std::chrono::sys_days{from} + std::chrono::days{opick(-1, 3)}},
                        opick(0, 5) ? "sick" : "fishing", ""},
            who, 0);
      }
    } else if (kind < 67) {
      run(RequestHelp{pick(0, 9) ? "help" : "coffee"}, pick(0, 1) ? kKiosk : kKiosk2, 0);
    } else if (kind < 68) {
      const auto& open = h.engine.open_help();
      std::int64_t id = open.empty() || pick(0, 3) == 0 ? pick(0, 40) : open.begin()->first;
      run(AnswerHelp{id}, pick(0, 4) ? actor : kKiosk, 0);
    } else if (kind < 72) {
      if (pick(0, 1))
        run(TransferTicket{window, one_of(services), 0}, actor, window);
      else
        run(TransferTicket{window, "", pick(1, 6)}, actor, window);
    } else if (kind < 76) {
      run(HoldTicket{window}, actor, window);
    } else if (kind < 81) {
      run(UnholdTicket{window, recent(held, 3)}, actor, window);
    } else if (kind < 82) {
      const Actor kiosk = pick(0, 3) ? kKiosk : kKiosk2;
      run(VoidTicket{recent(issued, 4), pick(0, 5) ? "print_failed" : "jammed"}, kiosk, 0);
    } else if (kind < 83) {
      const std::vector<std::string> states{"ok", "near_end", "paper_out", "unknown", "bogus"};
      run(ReportDevice{one_of(states), pick(0, 1) == 0, "d"}, pick(0, 1) ? kKiosk : kKiosk2, 0);
    } else if (kind < 84) {
      run(CancelTicket{recent(issued, 12), "left"}, pick(0, 1) ? kKiosk : actor, 0);
    } else if (kind < 89) {
      run(ReturnNoShow{recent(missed, 2)}, kKiosk, 0);
    } else if (kind < 94) {
      run(SignIn{window}, actor, window);
    } else if (kind < 96) {
      run(SignOut{window}, actor, window);
    } else if (kind < 98) {
      run(PauseWindow{window, pick(0, 1) ? "" : "会议"}, actor, window);
    } else {
      run(ResumeWindow{window}, actor, window);
    }
  }

  // The run went through every kind of event and many kinds of refusal. Some need two steps
  // in a row on the same window or case (pause then resume, suspend then resume): once is enough.
  for (const char* type : {"TicketIssued", "TicketCalled", "TicketRecalled", "TicketNoShow",
                           "ServiceStarted", "TicketFinished", "TicketCancelled", "TicketTransferred",
                           "TicketHeld", "TicketResumed", "ClerkSignedIn", "ClerkSignedOut", "WindowPaused",
                           "DayRolledOver", "TicketVoided", "DeviceStatusChanged", "HelpRequested", "HelpAnswered",
                           "ServiceRated", "CaseRegistered", "CaseCompleted", "CaseSuspended"}) {
    INFO(type);
    CHECK(made[type] >= 3);
  }
  for (const char* type : {"TicketReturned", "WindowResumed", "ComplaintFiled", "CaseExtended", "CaseResumed",
                           "CaseNotified", "WindowPauseOverrun", "CaseSupplementRequested", "ComplaintAnswered",
                           "RatingReviewed", "ScoreAdjusted", "LeaveRecorded"}) {
    INFO(type);
    CHECK(made[type] >= 1);
  }
  if (!v.carry_over) CHECK(made["TicketClosed"] >= 5);
  CHECK(made["DayRolledOver"] >= 5);
  CHECK(refused.size() >= 12);
  CHECK(rows1.tickets.size() > 400);

  // 1. Replay the log, as the store hands it back (the data went through JSON text).
  Engine replayed(cfg, tz(), make_calendar());
  Rows rows2;
  for (const auto& batch : log) {
    for (const Event& e : batch) {
      Event copy = e;
      copy.data = json::parse(json::serialize(e.data)).as_object();
      REQUIRE(replayed.apply(copy).value_or("") == "");
    }
    rows2.add(replayed.take_changes());
  }
  CHECK(replayed.last_seq() == h.engine.last_seq());
  CHECK(rows2.meta == rows1.meta);
  CHECK(rows2.tickets.size() == rows1.tickets.size());
  for (const auto& [id, row] : rows1.tickets) {
    INFO("ticket " << id);
    auto it = rows2.tickets.find(id);
    REQUIRE(it != rows2.tickets.end());
    CHECK(it->second.json == row.json);
    CHECK(it->second.state == row.state);
    CHECK(it->second.day == row.day);
    CHECK(it->second.number == row.number);
    CHECK(it->second.request_id == row.request_id);
  }
  CHECK(rows2.windows == rows1.windows);

  // 2. Restore from the projections: the meta row, the tickets that are not final or were issued
  // on the meta's day, and every window row.
  const std::string day = str(json::parse(rows1.meta), "day");
  CHECK(day == h.engine.day());
  std::vector<std::string> live, wins;
  for (const auto& [id, row] : rows1.tickets) {
    const bool final = row.state == "done" || row.state == "cancelled" || row.state == "closed";
    if (!final || row.day == day) live.push_back(row.json);
  }
  for (const auto& [n, w] : rows1.windows) wins.push_back(w);
  std::vector<std::string> case_rows;  // as Store::load picks them
  for (const auto& [id, row] : rows1.cases)
    if (row.state != "returned" || row.day == day) case_rows.push_back(row.json);
  Engine restored(cfg, tz(), make_calendar());
  std::string error;
  REQUIRE(restored.restore(rows1.meta, live, wins, case_rows, &error));
  CHECK(error.empty());

  const json::object first = full_snapshot(h.engine, rows1.tickets);
  {
    INFO("replayed");
    check_same(first, full_snapshot(replayed, rows1.tickets));
  }
  {
    INFO("restored");
    check_same(first, full_snapshot(restored, rows1.tickets));
  }

  // 3. All three go on the same way: the next call at every window, today's request ids, a
  // roll-over and a new day.
  Engine* engines[] = {&h.engine, &replayed, &restored};
  auto same = [&](const Command& cmd, const Actor& actor) {
    std::vector<std::string> out;
    for (Engine* e : engines) out.push_back(outcome_json(e->execute(cmd, actor, h.now)));
    CHECK(out[0] == out[1]);
    CHECK(out[0] == out[2]);
  };
  auto every_window = [&] {
    for (const WindowStatus& w : h.engine.windows()) {
      INFO("window " << w.number);
      const Actor a = w.open ? clerk(w.clerk) : clerk(posts.at(w.number).front());
      same(Finish{w.number}, a);
      same(RateService{w.number, 3}, kEvaluator);
      same(ResumeWindow{w.number}, a);
      same(SignIn{w.number}, a);
      same(CallNext{w.number}, a);
    }
  };
  every_window();
  for (int r = 0; r <= 30; ++r) same(IssueTicket{"hukou", Priority::Normal, Channel::Kiosk, "r" + std::to_string(r)}, kKiosk);
  for (TicketId id : missed) same(ReturnNoShow{id}, kKiosk);
  h.now = tz().next_midnight(h.now);
  same(RollOver{}, kSystem);
  h.now = tz().from_local(tz().to_local(h.now).date, Minutes{10 * 60});
  for (const char* s : {"hukou", "social", "tax"}) same(IssueTicket{s, Priority::Elderly}, kKiosk);
  every_window();
}

TEST_CASE("R-TIME-2 a clock that goes backwards never reopens a closed day", "[engine]") {
  Hall h;
  h.now = at(kMonday, 10, 0);
  TicketId a1 = h.issue("hukou");
  h.now = at(kTuesday, 9, 0);
  REQUIRE_FALSE(h.ok(RollOver{}, kSystem).events.empty());
  TicketId b1 = h.issue("hukou");
  // The real-time clock lost a day (a power cut without NTP): no roll-over back to Monday,
  // numbering goes on instead of restarting, and the ticket belongs to the hall's day.
  h.now = at(kMonday, 11, 0);
  CHECK(h.ok(RollOver{}, kSystem).events.empty());
  TicketId b2 = h.issue("hukou");
  CHECK(h.engine.day() == kTuesday);
  CHECK(h.engine.find_ticket(b2)->day == kTuesday);
  CHECK(h.engine.find_ticket(b1)->number == "A001");
  CHECK(h.engine.find_ticket(b2)->number == "A002");
  CHECK(h.engine.find_ticket(a1) == nullptr);  // Monday's ticket was closed at the roll-over
}

TEST_CASE("R-HALL-6 a paused window does not count towards the estimated wait", "[engine]") {
  Hall h;
  h.ok(SignIn{4}, clerk("c04"));
  h.ok(SignIn{2}, clerk("c03"));
  TicketId first = h.issue("social");
  TicketId second = h.issue("social");
  const Ticket* t = h.engine.find_ticket(second);
  REQUIRE(t != nullptr);
  REQUIRE(h.engine.ahead_of(*t) == 1);
  int both_open = h.engine.estimated_wait_s(*t, 1);
  h.ok(PauseWindow{4, "暂离"}, clerk("c04"));
  int one_paused = h.engine.estimated_wait_s(*t, 1);
  CHECK(one_paused == 2 * both_open);
  (void)first;
}

// ---------------------------------------------------------------------------------------------
// The case register (hall-rules §3-§7)

namespace {

CaseInput case_of(CaseType type, std::vector<std::string> received = {"身份证", "户口簿", "准迁证"}) {
  return CaseInput{.type = type, .item = "qianyi", .applicant = {"王*", "s1:sealed-name"},
                   .phone = {"138****5678", "s1:sealed-phone"}, .received = std::move(received)};
}

// Serves one ticket at window 1 (c01) and finishes it with `in`; returns the case's JSON.
json::value serve_and_register(Hall& h, const CaseInput& in) {
  h.issue("hukou");
  REQUIRE(h.call(1, "c01") != 0);
  h.ok(StartService{1}, clerk("c01"));
  Outcome o = h.ok(Finish{1, in}, clerk("c01"));
  return field(o.reply, "case");
}

CaseId case_id(const json::value& c) { return num(c, "id"); }

json::value act(Hall& h, CaseAction a, const Actor& who = clerk("c01")) {
  Outcome o = h.ok(a, who);
  REQUIRE(o.events.size() == 1);
  return o.reply;
}

}  // namespace

TEST_CASE("R-CASE-1/R-CASE-2 an immediate case is done at once; a promised one runs to its deadline",
          "[engine][cases]") {
  Hall h;  // Monday 2026-03-02 09:00
  h.sign_in(1, "c01");
  json::value imm = serve_and_register(h, CaseInput{.type = CaseType::Immediate, .item = "zhengming",
                                                    .applicant = {"李*", "s1:x"}, .received = {"身份证"}});
  CHECK(str(imm, "state") == "done");
  CHECK(str(imm, "type_label") == "即办件");
  CHECK(field(imm, "deadline").is_null());
  CHECK(str(imm, "no") == "20260302-001");
  CHECK_FALSE(field(imm, "to_notify").as_bool());  // settled on the spot

  json::value pro = serve_and_register(h, case_of(CaseType::Promised));
  CHECK(str(pro, "no") == "20260302-002");
  CHECK(str(pro, "state") == "open");
  CHECK(str(pro, "received") == kMonday);
  CHECK(str(pro, "deadline") == "2026-03-09");  // R-TIME-1: Tuesday is day 1 ... Monday day 5
  CHECK(num(pro, "days_left") == 5);
  CHECK(str(pro, "applicant") == "王*");  // the engine only ever holds the masked form
  CHECK(str(pro, "phone") == "138****5678");
  CHECK(h.engine.find_case(case_id(pro))->applicant.sealed == "s1:sealed-name");

  // A week on the case is overdue: days_left goes negative, working days only.
  h.now = at("2026-03-11", 9, 0);  // Wednesday
  json::value late = h.engine.case_json(*h.engine.find_case(case_id(pro)), h.now);
  CHECK(num(late, "days_left") == -2);
  CHECK(field(late, "overdue").as_bool());
  json::value done = act(h, CaseAction{.id = case_id(pro), .action = "complete"});
  CHECK(str(done, "state") == "done");
  CHECK(num(done, "overdue_days") == 2);  // R-TIME-5: counted per working day overdue
  CHECK(field(done, "to_notify").as_bool());  // R-TIME-4: the applicant must still be told
  h.fail(CaseAction{.id = case_id(pro), .action = "notify", .channel = "pigeon"}, clerk("c01"), Errc::InvalidArgument);
  json::value told = act(h, CaseAction{.id = case_id(pro), .action = "notify", .channel = "sms"});
  CHECK(str(told, "notify_channel") == "sms");
  CHECK_FALSE(field(told, "to_notify").as_bool());
  h.fail(CaseAction{.id = case_id(pro), .action = "notify", .channel = "phone"}, clerk("c01"), Errc::WrongState);
}

TEST_CASE("R-ONCE-2/R-TIME-1 a supplement case starts its clock the day after the materials are complete",
          "[engine][cases]") {
  Hall h;
  h.sign_in(1, "c01");
  // Every missing material must come from the item's list, and none may be both.
  h.issue("hukou");
  REQUIRE(h.call(1, "c01") != 0);
  CaseInput bad = case_of(CaseType::Supplement, {"身份证"});
  bad.missing = {"结婚证"};
  h.fail(Finish{1, bad}, clerk("c01"), Errc::InvalidArgument);
  bad.missing = {};
  h.fail(Finish{1, bad}, clerk("c01"), Errc::InvalidArgument);  // a supplement lists what is missing
  CaseInput promised_missing = case_of(CaseType::Promised, {"身份证"});
  promised_missing.missing = {"户口簿"};
  h.fail(Finish{1, promised_missing}, clerk("c01"), Errc::InvalidArgument);  // that is a supplement case
  CHECK(h.engine.find_window(1)->current != 0);  // a refused registration refuses the finish

  CaseInput sup = case_of(CaseType::Supplement, {"身份证"});
  sup.missing = {"户口簿", "准迁证"};
  Outcome o = h.ok(Finish{1, sup}, clerk("c01"));
  json::value c = field(o.reply, "case");
  CHECK(str(c, "state") == "awaiting_materials");
  CHECK(field(c, "deadline").is_null());
  CHECK(field(c, "missing").as_array().size() == 2);
  h.fail(CaseAction{.id = case_id(c), .action = "complete"}, clerk("c01"), Errc::WrongState);

  // The materials arrive on Friday: counting starts on Saturday, i.e. Monday.
  h.now = at("2026-03-06", 10, 0);
  json::value back = act(h, CaseAction{.id = case_id(c), .action = "materials-complete"});
  CHECK(str(back, "state") == "open");
  CHECK(str(back, "clock_start") == "2026-03-06");
  CHECK(str(back, "deadline") == "2026-03-13");  // Mon 9 .. Fri 13 = 5 working days
}

TEST_CASE("R-CASE-6/R-ONCE-4 materials still missing: a new notice, the clock stops, an incomplete notice is recorded",
          "[engine][cases]") {
  Hall h;
  h.sign_in(1, "c01");
  CaseInput sup = case_of(CaseType::Supplement, {"身份证"});
  sup.missing = {"户口簿", "准迁证"};
  const CaseId id = case_id(serve_and_register(h, sup));
  // The citizen brings the 户口簿 only: the notice had asked for both, so no failure.
  h.fail(CaseAction{.id = id, .action = "supplement"}, clerk("c01"), Errc::InvalidArgument);  // nothing listed
  h.fail(CaseAction{.id = id, .action = "supplement", .missing = {"结婚证"}}, clerk("c01"), Errc::InvalidArgument);
  h.fail(CaseAction{.id = id, .action = "supplement", .missing = {"准迁证", "准迁证"}}, clerk("c01"), Errc::InvalidArgument);
  h.fail(CaseAction{.id = id, .action = "supplement", .missing = {"准迁证"}}, clerk("c04"), Errc::NotYourCase);
  Outcome again = h.ok(CaseAction{.id = id, .action = "supplement", .missing = {"准迁证"}}, clerk("c01"));
  REQUIRE(again.events.size() == 1);
  CHECK(again.events[0].type == "CaseSupplementRequested");
  CHECK_FALSE(again.events[0].data.at("once_failure").as_bool());
  CHECK(num(again.reply, "once_failures") == 0);
  // Materials complete, the clock runs; then the review finds the ID card copy unreadable. The
  // 身份证 was on no notice: the citizen comes back for something they were not told about.
  h.now = at("2026-03-04", 10, 0);
  json::value open = act(h, CaseAction{.id = id, .action = "materials-complete"});
  CHECK(str(open, "state") == "open");
  CHECK_FALSE(field(open, "deadline").is_null());
  json::value more = act(h, CaseAction{.id = id, .action = "supplement", .note = "复印件不清晰", .missing = {"身份证"}});
  CHECK(str(more, "state") == "awaiting_materials");
  CHECK(field(more, "deadline").is_null());   // R-CASE-6: the clock stops until they arrive
  CHECK(field(more, "days_left").is_null());
  CHECK(num(more, "once_failures") == 1);     // R-ONCE-4
  const auto& steps = field(more, "steps").as_array();
  CHECK(str(steps.back(), "what") == "supplement_requested");
  CHECK_THAT(std::string(field(steps.back(), "note").as_string()), HasSubstr("R-ONCE-4"));
  // Nothing more to ask of a case that is done.
  h.now = at("2026-03-05", 10, 0);
  act(h, CaseAction{.id = id, .action = "materials-complete"});
  act(h, CaseAction{.id = id, .action = "complete"});
  h.fail(CaseAction{.id = id, .action = "supplement", .missing = {"身份证"}}, clerk("c01"), Errc::WrongState);
}

TEST_CASE("R-TIME-3 extensions need a reason and stay within the policy's working days", "[engine][cases]") {
  HallConfig cfg = make_config();
  cfg.policy.case_extension_max_days = 5;
  Hall h(cfg);
  h.sign_in(1, "c01");
  json::value c = serve_and_register(h, case_of(CaseType::Promised));
  const CaseId id = case_id(c);
  h.fail(CaseAction{.id = id, .action = "extend", .days = 3}, clerk("c01"), Errc::InvalidArgument);  // no reason
  h.fail(CaseAction{.id = id, .action = "extend", .days = 6, .reason = "需实地核查"}, clerk("c01"), Errc::InvalidArgument);
  h.fail(CaseAction{.id = id, .action = "extend", .days = 0, .reason = "需实地核查"}, clerk("c01"), Errc::InvalidArgument);
  json::value x = act(h, CaseAction{.id = id, .action = "extend", .days = 3, .reason = "需实地核查"});
  CHECK(str(x, "deadline") == "2026-03-12");  // 2026-03-09 + 3 working days
  REQUIRE(field(x, "extensions").as_array().size() == 1);
  CHECK(str(field(x, "extensions").as_array()[0], "from") == "2026-03-09");
  // Two days are left of the five.
  Error e = h.fail(CaseAction{.id = id, .action = "extend", .days = 3, .reason = "再次核查"}, clerk("c01"), Errc::InvalidArgument);
  CHECK_THAT(e.message, HasSubstr("1..2"));
  x = act(h, CaseAction{.id = id, .action = "extend", .days = 2, .reason = "再次核查"});
  CHECK(str(x, "deadline") == "2026-03-16");

  // Another centre's preset (003: 30 working days).
  HallConfig cfg30 = make_config();
  cfg30.policy.case_extension_max_days = 30;
  Hall h30(cfg30);
  h30.sign_in(1, "c01");
  json::value c30 = serve_and_register(h30, case_of(CaseType::Promised));
  json::value x30 = act(h30, CaseAction{.id = case_id(c30), .action = "extend", .days = 30, .reason = "专家论证"});
  CHECK(str(x30, "deadline") == "2026-04-20");
}

TEST_CASE("R-CASE-4 a suspended case stops its clock; resuming moves the deadline by the working days lost",
          "[engine][cases]") {
  Hall h;
  h.sign_in(1, "c01");
  json::value c = serve_and_register(h, case_of(CaseType::Promised));  // deadline 2026-03-09
  const CaseId id = case_id(c);
  h.fail(CaseAction{.id = id, .action = "suspend"}, clerk("c01"), Errc::InvalidArgument);  // needs a reason
  h.now = at("2026-03-03", 10, 0);  // Tuesday
  json::value s = act(h, CaseAction{.id = id, .action = "suspend", .reason = "申请人未按时补交现场核验"});
  CHECK(str(s, "state") == "suspended");
  h.fail(CaseAction{.id = id, .action = "complete"}, clerk("c01"), Errc::WrongState);
  h.fail(CaseAction{.id = id, .action = "extend", .days = 1, .reason = "x"}, clerk("c01"), Errc::WrongState);
  h.now = at("2026-03-10", 9, 0);  // the next Tuesday: Wed..Tue = 5 working days stood still
  json::value r = act(h, CaseAction{.id = id, .action = "resume"});
  CHECK(str(r, "state") == "open");
  CHECK(num(r, "suspended_days") == 5);
  CHECK(str(r, "deadline") == "2026-03-16");
  CHECK(num(r, "days_left") == 4);
}

TEST_CASE("R-CASE-4 a joint case completes only when every participating window reported back", "[engine][cases]") {
  Hall h;
  h.sign_in(1, "c01");
  h.issue("hukou");
  REQUIRE(h.call(1, "c01") != 0);
  CaseInput joint = case_of(CaseType::Joint);
  h.fail(Finish{1, joint}, clerk("c01"), Errc::InvalidArgument);  // no participants
  joint.participants = {1};
  h.fail(Finish{1, joint}, clerk("c01"), Errc::InvalidArgument);  // the lead is not its own participant
  joint.participants = {2, 9};
  h.fail(Finish{1, joint}, clerk("c01"), Errc::UnknownWindow);
  joint.participants = {2, 4};
  json::value c = field(h.ok(Finish{1, joint}, clerk("c01")).reply, "case");
  const CaseId id = case_id(c);
  CHECK(str(c, "type_label") == "联办件");
  Error e = h.fail(CaseAction{.id = id, .action = "complete"}, clerk("c01"), Errc::WrongState);
  CHECK_THAT(e.message, HasSubstr("window 2"));
  // Window 4's clerk reports for window 4, not for window 2; a stranger not at all.
  h.fail(CaseAction{.id = id, .action = "report", .window = 2}, clerk("c04"), Errc::NotYourCase);
  h.fail(CaseAction{.id = id, .action = "report", .window = 4}, clerk("c05"), Errc::NotYourCase);
  json::value r = act(h, CaseAction{.id = id, .action = "report", .window = 4, .note = "社保已核"}, clerk("c04"));
  CHECK(field(field(r, "participants").as_array()[1], "reported").as_bool());
  h.fail(CaseAction{.id = id, .action = "report", .window = 4}, clerk("c04"), Errc::WrongState);
  // Past the deadline, the window that has not reported is flagged.
  h.now = at("2026-03-10", 9, 0);
  json::value late = h.engine.case_json(*h.engine.find_case(id), h.now);
  CHECK(field(field(late, "participants").as_array()[0], "overdue").as_bool());
  CHECK_FALSE(field(field(late, "participants").as_array()[1], "overdue").as_bool());
  act(h, CaseAction{.id = id, .action = "report", .window = 2}, clerk("c03"));
  CHECK(str(act(h, CaseAction{.id = id, .action = "complete"}), "state") == "done");
}

TEST_CASE("R-CASE-3/R-CASE-5/R-CASE-7 escalated, returned and agency cases follow their steps", "[engine][cases]") {
  Hall h;
  h.sign_in(1, "c01");
  // 上报件: reported upward before it can be completed.
  json::value esc = serve_and_register(h, case_of(CaseType::Escalated));
  h.fail(CaseAction{.id = case_id(esc), .action = "complete"}, clerk("c01"), Errc::WrongState);
  act(h, CaseAction{.id = case_id(esc), .action = "report-upward", .note = "报县民政局"});
  h.fail(CaseAction{.id = case_id(esc), .action = "report-upward"}, clerk("c01"), Errc::WrongState);
  CHECK(str(act(h, CaseAction{.id = case_id(esc), .action = "complete"}), "state") == "done");

  // 退回件: with a written reason, closed at once; an open case may be returned later too.
  h.issue("hukou");
  REQUIRE(h.call(1, "c01") != 0);
  h.fail(Finish{1, case_of(CaseType::Returned)}, clerk("c01"), Errc::InvalidArgument);
  CaseInput ret = case_of(CaseType::Returned);
  ret.reason = "不属于本中心受理范围，已告知向县公安局户政科申请";
  json::value r = field(h.ok(Finish{1, ret}, clerk("c01")).reply, "case");
  CHECK(str(r, "state") == "returned");
  CHECK(str(r, "reason") == ret.reason);
  // 委托代办: a handler is assigned before completion; the citizen's feedback after.
  json::value ag = serve_and_register(h, case_of(CaseType::Agency));
  h.fail(CaseAction{.id = case_id(ag), .action = "complete"}, clerk("c01"), Errc::WrongState);
  h.fail(CaseAction{.id = case_id(ag), .action = "assign", .handler = "nobody"}, clerk("c01"), Errc::UnknownClerk);
  json::value as = act(h, CaseAction{.id = case_id(ag), .action = "assign", .handler = "c07"});
  CHECK(str(as, "handler") == "c07");
  // The handler works the case although it is not at their window.
  act(h, CaseAction{.id = case_id(ag), .action = "complete", .note = "证件已代领"}, clerk("c07"));
  h.fail(CaseAction{.id = case_id(ag), .action = "feedback"}, clerk("c07"), Errc::InvalidArgument);
  json::value fb = act(h, CaseAction{.id = case_id(ag), .action = "feedback", .note = "满意"}, clerk("c07"));
  CHECK(str(fb, "feedback") == "满意");
  // Returned days after receipt: later than the 2-day rule, which the event records.
  json::value open = serve_and_register(h, case_of(CaseType::Promised));
  h.now = at("2026-03-06", 9, 0);  // 4 working days after receipt: later than the 2-day rule
  Outcome late = h.ok(CaseAction{.id = case_id(open), .action = "return", .reason = "材料虚假"}, clerk("c01"));
  CHECK(str(late.reply, "state") == "returned");
  CHECK(late.events[0].data.at("late") == true);
  CHECK(h.engine.find_case(case_id(open))->steps.back().what == "returned");

}

TEST_CASE("R-AB-1 the A and B posts share a window's cases; other clerks cannot touch them", "[engine][cases]") {
  Hall h;
  h.sign_in(1, "c01");
  json::value c = serve_and_register(h, case_of(CaseType::Promised));
  const CaseId id = case_id(c);
  h.fail(CaseAction{.id = id, .action = "suspend", .reason = "x"}, clerk("c04"), Errc::NotYourCase);
  h.fail(CaseAction{.id = id, .action = "suspend", .reason = "x"}, kKiosk, Errc::NotYourCase);
  act(h, CaseAction{.id = id, .action = "suspend", .reason = "x"}, clerk("c02"));  // the B post covers
  act(h, CaseAction{.id = id, .action = "resume"}, Actor{Actor::Kind::Manager, "m01"});
  h.fail(CaseAction{.id = 999, .action = "complete"}, clerk("c01"), Errc::UnknownCase);
  h.fail(CaseAction{.id = id, .action = "archive"}, clerk("c01"), Errc::InvalidArgument);
}

TEST_CASE("R-CASE-8 tickets finished without a case wait on the list until registered the same day",
          "[engine][cases]") {
  Hall h;
  h.sign_in(1, "c01");
  h.sign_in(4, "c04");
  const TicketId a = h.issue("hukou");
  const TicketId b = h.issue("hukou");
  const TicketId c = h.issue("hukou");
  REQUIRE(h.call(1, "c01") == a);
  h.ok(Finish{1}, clerk("c01"));
  REQUIRE(h.call(1, "c01") == b);
  Finish enquiry{1};
  enquiry.consultation = true;
  h.ok(enquiry, clerk("c01"));  // an enquiry only: nothing to register
  REQUIRE(h.call(1, "c01") == c);
  h.ok(Finish{1}, clerk("c01"));
  CHECK(h.engine.unregistered().size() == 2);
  CHECK(h.engine.unregistered().contains(a));
  CHECK(h.engine.unregistered().contains(c));

  // Registered at its window only, for a ticket on the list (or the last one served here).
  h.fail(RegisterCase{4, a, case_of(CaseType::Promised)}, clerk("c04"), Errc::NotYourTicket);
  h.fail(RegisterCase{1, b, case_of(CaseType::Promised)}, clerk("c01"), Errc::UnknownTicket);
  Outcome r = h.ok(RegisterCase{1, a, case_of(CaseType::Promised)}, clerk("c01"));
  CHECK(num(r.reply, "ticket") == a);
  CHECK(h.engine.unregistered().size() == 1);
  // A second matter of the citizen just served (ticket c), and one without a ticket (phone).
  h.ok(RegisterCase{1, c, case_of(CaseType::Promised)}, clerk("c01"));
  h.ok(RegisterCase{1, c, case_of(CaseType::Immediate, {"身份证"})}, clerk("c01"));
  Outcome phone = h.ok(RegisterCase{1, 0, case_of(CaseType::Agency)}, clerk("c01"));
  CHECK(field(phone.reply, "ticket").is_null());
  CHECK(h.engine.unregistered().empty());

  // What is left at midnight is recorded as unregistered (a scoring deduction, R-CASE-8).
  const TicketId d = h.issue("hukou");
  REQUIRE(h.call(1, "c01") == d);
  h.ok(Finish{1}, clerk("c01"));
  h.now = at(kTuesday, 0, 0);
  Outcome rolled = h.ok(RollOver{}, kSystem);
  const Event& day = rolled.events.back();
  REQUIRE(day.type == "DayRolledOver");
  REQUIRE(day.data.at("unregistered").as_array().size() == 1);
  CHECK(day.data.at("unregistered").as_array()[0].at("ticket") == d);
  CHECK(h.engine.unregistered().empty());
  // Today's closed cases leave memory with the day; live ones stay.
  for (const auto& [id, k] : h.engine.cases()) CHECK(k.live());
  CHECK(h.engine.cases().size() == 3);  // two promised, one agency
}

TEST_CASE("R-FIRST-3 enquiries are logged with the caller's data masked", "[engine][cases]") {
  Hall h;
  h.sign_in(1, "c01");
  h.fail(LogEnquiry{.channel = "phone", .subject = ""}, clerk("c01"), Errc::InvalidArgument);
  h.fail(LogEnquiry{.channel = "fax", .subject = "x"}, clerk("c01"), Errc::InvalidArgument);
  h.fail(LogEnquiry{.channel = "phone", .subject = "x"}, kKiosk, Errc::InvalidArgument);
  Outcome o = h.ok(LogEnquiry{.channel = "phone", .subject = "低保申请条件", .caller = {"赵*", "s1:a"},
                              .phone = {"139****0000", "s1:b"}, .forwarded_to = "2号窗口 民政", .window = 1},
                   clerk("c01"));
  CHECK(str(o.reply, "caller") == "赵*");
  CHECK(str(o.reply, "phone") == "139****0000");
  CHECK(str(o.reply, "forwarded_to") == "2号窗口 民政");
  REQUIRE(h.engine.enquiries().size() == 1);
  h.now = at(kTuesday, 0, 0);
  h.ok(RollOver{}, kSystem);
  CHECK(h.engine.enquiries().empty());  // the log keeps them; the console shows today's
}

TEST_CASE("R-TIME-2 a deadline outside the calendar's years is marked provisional", "[engine][cases]") {
  Hall h(make_config(), at("2026-12-28", 9, 0));  // the test calendar lists 2026 only
  h.sign_in(1, "c01");
  json::value c = serve_and_register(h, case_of(CaseType::Promised));
  CHECK(str(c, "deadline") == "2027-01-04");
  CHECK(field(c, "provisional").as_bool());
}

// ---------------------------------------------------------------------------------------------
// Appointments (R-APPT-1, R-HOURS-3)

namespace {

const Actor kManager{Actor::Kind::Manager, "m01"};

// Slots of 30 minutes, 2 bookings each; check-in from 30 minutes before to 15 after; 14 days
// ahead; social is not booked ahead; weekends (tax at window 3) for appointments only.
HallConfig appointment_config(bool weekend_only = true) {
  HallConfig c = make_config();
  c.appointments = hallq::AppointmentsConfig{.enabled = true, .slot_minutes = 30, .capacity = 2, .early_minutes = 30,
                                             .late_minutes = 15, .book_days_ahead = 14, .weekend_only = weekend_only};
  c.hours.weekend_service = true;
  c.services[1].appointment_capacity = 0;
  return c;
}

Sealed sealed(const char* masked) { return Sealed{masked, std::string("s1:") + masked}; }

BookAppointment booking(const char* service, const char* day, int h, int m, const char* code, const char* item = "") {
  return BookAppointment{service, item, "phone", sealed("张*"), sealed("138****5678"), "", SlotChoice{date(day), Minutes{h * 60 + m}, code}};
}

std::int64_t booked_id(const Outcome& o) { return num(o.reply, "id"); }

std::vector<std::string> slot_starts(const Engine& e, const char* service, const char* day) {
  std::vector<std::string> out;
  for (const auto& s : e.appointment_slots(service, date(day))) out.push_back(hallq::format_hhmm(s.start));
  return out;
}

}  // namespace

TEST_CASE("R-APPT-1 slots follow each service's opening hours and hold a fixed number of bookings", "[engine][appointments]") {
  Hall h(appointment_config(), at(kMonday, 9, 0));
  // hukou: window 2 serves it over lunch, so its slots run 08:30..17:00 without a break.
  auto hukou = slot_starts(h.engine, "hukou", kTuesday);
  CHECK(hukou.size() == 18);
  CHECK(hukou.front() == "08:30");
  CHECK(hukou.back() == "17:00");
  // tax: no window over lunch: 08:30..11:30 and 14:00..17:00.
  auto tax = slot_starts(h.engine, "tax", kTuesday);
  CHECK(tax.size() == 14);
  CHECK(tax[6] == "11:30");
  CHECK(tax[7] == "14:00");
  // R-HOURS-3: on a weekend only the weekend window's services, in weekend hours.
  auto tax_sat = slot_starts(h.engine, "tax", kSaturday);
  CHECK(tax_sat.size() == 16);
  CHECK(tax_sat.front() == "09:00");
  CHECK(slot_starts(h.engine, "hukou", kSaturday).empty());
  CHECK(slot_starts(h.engine, "hukou", kNationalDay).empty());
  CHECK(slot_starts(h.engine, "hukou", kMakeupSaturday).size() == 18);  // 调休: a working day
  CHECK(slot_starts(h.engine, "social", kTuesday).empty());  // appointment_capacity = 0

  // Two bookings fill a slot; a third is refused, and so is a code in use.
  Outcome a = h.ok(booking("hukou", kTuesday, 10, 0, "111111", "qianyi"), clerk("c01"));
  REQUIRE(a.events.size() == 1);
  CHECK(a.events[0].type == "AppointmentConfirmed");
  CHECK(str(a.reply, "state") == "confirmed");
  CHECK(str(a.reply, "day") == kTuesday);
  CHECK(str(a.reply, "slot") == "10:00");
  CHECK(str(a.reply, "slot_end") == "10:30");
  CHECK(str(a.reply, "checkin_from") == "09:30");
  CHECK(str(a.reply, "checkin_until") == "10:15");
  CHECK(str(a.reply, "place") == "测试镇便民服务中心 1号、2号窗口");
  CHECK(json::serialize(field(a.reply, "materials")) == R"(["身份证","户口簿","准迁证"])");
  CHECK(str(a.reply, "name") == "张*");
  CHECK(str(a.reply, "code") == "111111");
  h.fail(booking("hukou", kTuesday, 11, 0, "111111"), clerk("c01"), Errc::CodeInUse);
  h.ok(booking("hukou", kTuesday, 10, 0, "222222"), kManager);
  h.fail(booking("hukou", kTuesday, 10, 0, "333333"), clerk("c03"), Errc::SlotFull);
  auto slots = h.engine.appointment_slots("hukou", date(kTuesday));
  auto ten = std::find_if(slots.begin(), slots.end(), [](const auto& s) { return s.start == Minutes{600}; });
  REQUIRE(ten != slots.end());
  CHECK(ten->booked == 2);
  CHECK(ten->capacity == 2);

  // Not a slot: begun already, off the grid, lunch for tax, past, too far ahead, not booked.
  h.fail(booking("hukou", kMonday, 9, 0, "444444"), clerk("c01"), Errc::NoSuchSlot);
  h.ok(booking("hukou", kMonday, 9, 30, "444444"), clerk("c01"));
  h.fail(booking("hukou", kTuesday, 10, 15, "555555"), clerk("c01"), Errc::NoSuchSlot);
  h.fail(booking("tax", kTuesday, 12, 30, "555555"), clerk("c01"), Errc::NoSuchSlot);
  h.fail(booking("hukou", "2026-02-27", 10, 0, "555555"), clerk("c01"), Errc::NoSuchSlot);
  h.ok(booking("hukou", "2026-03-16", 10, 0, "555555"), clerk("c01"));  // 14 days ahead
  h.fail(booking("hukou", "2026-03-17", 10, 0, "666666"), clerk("c01"), Errc::NoSuchSlot);
  h.fail(booking("social", kTuesday, 10, 0, "666666"), clerk("c01"), Errc::InvalidArgument);
  h.fail(booking("visa", kTuesday, 10, 0, "666666"), clerk("c01"), Errc::UnknownService);
  h.fail(booking("hukou", kTuesday, 11, 0, "12345"), clerk("c01"), Errc::InvalidArgument);
  h.fail(booking("hukou", kTuesday, 11, 0, "666666", "no-such-item"), clerk("c01"), Errc::InvalidArgument);
  BookAppointment nameless = booking("hukou", kTuesday, 11, 0, "666666");
  nameless.name = Sealed{};
  h.fail(nameless, clerk("c01"), Errc::InvalidArgument);
  // Devices do not book; nothing changed by any refusal.
  h.fail(booking("hukou", kTuesday, 11, 0, "666666"), kKiosk, Errc::NotManager);
  CHECK(h.engine.appointments().size() == 4);

  // Cancelling frees the place.
  const std::int64_t first = booked_id(a);
  h.fail(CancelAppointment{first, ""}, clerk("c01"), Errc::InvalidArgument);
  Outcome c = h.ok(CancelAppointment{first, "群众来电取消"}, clerk("c02"));
  CHECK(str(c.reply, "state") == "cancelled");
  h.fail(CancelAppointment{first, "again"}, clerk("c02"), Errc::WrongState);
  h.ok(booking("hukou", kTuesday, 10, 0, "111111"), clerk("c03"));  // the code is free again too

  // Disabled: every appointment command is refused.
  Hall off(make_config(), at(kMonday, 9, 0));
  off.fail(booking("hukou", kTuesday, 10, 0, "111111"), clerk("c01"), Errc::InvalidArgument);
  CHECK(off.engine.appointment_slots("hukou", date(kTuesday)).empty());
}

TEST_CASE("R-APPT-1 a request is answered within one working day, or flagged", "[engine][appointments]") {
  Hall h(appointment_config(), at("2026-02-27", 16, 0));  // a Friday
  RequestAppointment rq{"hukou", "qianyi", "kiosk", sealed("李*"), sealed("139****0000"), "想办户口迁移"};
  Outcome r = h.ok(rq, kKiosk);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == "AppointmentRequested");
  const std::int64_t id = booked_id(r);
  CHECK(str(r.reply, "state") == "requested");
  CHECK(str(r.reply, "due") == kMonday);  // one working day after Friday
  CHECK(field(r.reply, "requested").as_bool());
  CHECK(field(r.reply, "overdue").as_bool() == false);
  // A kiosk's request comes by kiosk or online; a clerk's by visit, phone, letter or online.
  rq.channel = "phone";
  h.fail(rq, kKiosk, Errc::InvalidArgument);
  h.ok(rq, clerk("c01"));
  rq.channel = "pigeon";
  h.fail(rq, clerk("c01"), Errc::InvalidArgument);

  CHECK(h.engine.unanswered_appointments(h.now) == 0);
  h.now = at(kMonday, 17, 0);
  CHECK(h.engine.unanswered_appointments(h.now) == 0);  // due today
  h.now = at(kTuesday, 8, 40);
  CHECK(h.engine.unanswered_appointments(h.now) == 2);

  // Only staff answer; an accepted request takes a slot like a booking.
  h.fail(AnswerAppointment{id, true, SlotChoice{date(kTuesday), Minutes{600}, "777777"}, {}}, kKiosk, Errc::NotManager);
  h.fail(AnswerAppointment{99, true, SlotChoice{date(kTuesday), Minutes{600}, "777777"}, {}}, clerk("c01"), Errc::UnknownAppointment);
  Outcome ans = h.ok(AnswerAppointment{id, true, SlotChoice{date(kTuesday), Minutes{600}, "777777"}, {}}, clerk("c01"));
  CHECK(ans.events[0].type == "AppointmentConfirmed");
  CHECK(ans.events[0].data.at("late").as_bool());
  CHECK(str(ans.reply, "state") == "confirmed");
  CHECK(field(ans.reply, "answered_late").as_bool());
  CHECK(str(ans.reply, "name") == "李*");
  CHECK(json::serialize(field(ans.reply, "materials")) == R"(["身份证","户口簿","准迁证"])");
  h.fail(AnswerAppointment{id, false, {}, "no"}, clerk("c01"), Errc::WrongState);
  CHECK(h.engine.unanswered_appointments(h.now) == 1);
  // A decline needs its reason.
  h.fail(AnswerAppointment{id + 1, false, {}, ""}, clerk("c01"), Errc::InvalidArgument);
  Outcome dec = h.ok(AnswerAppointment{id + 1, false, {}, "该事项需本人现场办理，无需预约"}, kManager);
  CHECK(str(dec.reply, "state") == "declined");
  CHECK(str(dec.reply, "reason") == "该事项需本人现场办理，无需预约");
  CHECK(h.engine.unanswered_appointments(h.now) == 0);
}

TEST_CASE("R-APPT-1 check-in inside the booking's window issues a ticket with the appointment priority",
          "[engine][appointments]") {
  Hall h(appointment_config(), at(kMonday, 9, 0));
  const std::int64_t ten = booked_id(h.ok(booking("hukou", kTuesday, 10, 0, "123456"), clerk("c01")));
  h.ok(booking("hukou", kTuesday, 10, 0, "654321"), clerk("c01"));
  h.ok(booking("hukou", kTuesday, 10, 30, "111222"), clerk("c01"));
  const std::int64_t missed = booked_id(h.ok(booking("hukou", kTuesday, 14, 0, "333444"), clerk("c01")));

  // The day before: too early, and it says when.
  Error early = h.fail(CheckInAppointment{"123456", "r1"}, kKiosk, Errc::TooEarly);
  CHECK(early.message_zh.find("2026-03-03 10:00") != std::string::npos);
  h.now = at(kTuesday, 0, 1);
  h.ok(RollOver{}, kSystem);
  h.now = at(kTuesday, 9, 29);
  Error opens = h.fail(CheckInAppointment{"123456", "r1"}, kKiosk, Errc::TooEarly);
  CHECK(opens.message_zh.find("09:30") != std::string::npos);
  h.fail(CheckInAppointment{"000000", "r1"}, kKiosk, Errc::UnknownAppointment);
  h.fail(CheckInAppointment{"12345a", "r1"}, kKiosk, Errc::InvalidArgument);

  // A walk-in ticket issued before the check-in.
  h.now = at(kTuesday, 9, 29) + seconds{30};
  const TicketId walk_in = h.issue("hukou");
  h.fail(IssueTicket{"hukou", Priority::Appointment, Channel::Kiosk, ""}, kKiosk, Errc::InvalidArgument);
  h.fail(IssueTicket{"hukou", Priority::Normal, Channel::Appointment, ""}, kKiosk, Errc::InvalidArgument);

  h.now = at(kTuesday, 9, 30);
  Outcome in = h.ok(CheckInAppointment{"123456", "r1"}, kKiosk);
  REQUIRE(in.events.size() == 2);
  CHECK(in.events[0].type == "TicketIssued");
  CHECK(in.events[0].data.at("appointment").as_int64() == ten);
  CHECK(in.events[1].type == "AppointmentCheckedIn");
  CHECK(str(in.reply, "priority") == "appointment");
  CHECK(str(in.reply, "channel") == "appointment");
  CHECK(num(in.reply, "appointment") == ten);
  const TicketId ticket = num(in.reply, "id");
  const Appointment* a = h.engine.find_appointment(ten);
  REQUIRE(a != nullptr);
  CHECK(a->state == AppointmentState::CheckedIn);
  CHECK(a->ticket == ticket);
  CHECK(a->number == str(in.reply, "number"));
  // The same request again is the same ticket; the same code again is refused with the number.
  Outcome again = h.ok(CheckInAppointment{"123456", "r1"}, kKiosk);
  CHECK(again.events.empty());
  CHECK(num(again.reply, "id") == ticket);
  Error twice = h.fail(CheckInAppointment{"123456", "r2"}, kKiosk, Errc::WrongState);
  CHECK(twice.message_zh.find(a->number) != std::string::npos);

  // A check-in whose ticket did not print is voided by its kiosk: the booking opens again and
  // checks in anew (no phantom ticket, no lost booking).
  {
    Hall v(appointment_config(), at(kTuesday, 9, 0));
    const std::int64_t b = booked_id(v.ok(booking("hukou", kTuesday, 10, 0, "909090"), clerk("c01")));
    v.now = at(kTuesday, 9, 40);
    const TicketId first = num(v.ok(CheckInAppointment{"909090", "v1"}, kKiosk).reply, "id");
    v.fail(VoidTicket{first, "print_failed"}, kKiosk2, Errc::NotYourTicket);
    Outcome voided = v.ok(VoidTicket{first, "print_failed"}, kKiosk);
    REQUIRE(voided.changes.appointments.size() == 1);
    CHECK(voided.changes.appointments[0].state == "confirmed");
    CHECK(v.engine.find_appointment(b)->state == AppointmentState::Confirmed);
    const TicketId second = num(v.ok(CheckInAppointment{"909090", "v2"}, kKiosk2).reply, "id");
    CHECK(second != first);
    CHECK(v.engine.find_appointment(b)->ticket == second);
  }

  // R-HALL-7: the appointment is called before the walk-in who came earlier.
  h.sign_in(1, "c01");
  CHECK(h.call(1, "c01") == ticket);
  CHECK(h.ticket(walk_in).state == TicketState::Waiting);

  // The edges: 10:15 is still in time for 10:00; 10:46 is too late for 10:30.
  h.now = at(kTuesday, 10, 15);
  h.ok(CheckInAppointment{"654321", "r3"}, clerk("c02"));  // a clerk may check a citizen in
  h.now = at(kTuesday, 10, 46);
  Error late = h.fail(CheckInAppointment{"111222", "r4"}, kKiosk, Errc::TooLate);
  CHECK(late.message_zh.find("10:45") != std::string::npos);

  // The day's end: bookings nobody checked in for are missed; the checked-in ones stay so.
  h.now = at("2026-03-04", 0, 1);
  Outcome roll = h.ok(RollOver{}, kSystem);
  int missed_events = 0;
  for (const auto& e : roll.events)
    if (e.type == "AppointmentMissed") ++missed_events;
  CHECK(missed_events == 2);  // 10:30 and 14:00
  CHECK(roll.changes.appointments.size() == 2);
  for (const auto& row : roll.changes.appointments) CHECK(row.state == "missed");
  // Settled bookings of past days leave memory.
  CHECK(h.engine.find_appointment(missed) == nullptr);
  CHECK(h.engine.find_appointment(ten) == nullptr);
}

TEST_CASE("R-HOURS-3 weekends and holidays open for appointments only, if the centre says so", "[engine][appointments]") {
  Hall h(appointment_config(true), at("2026-03-06", 10, 0));
  h.ok(booking("tax", kSaturday, 10, 0, "246810"), clerk("c05"));
  h.now = at(kSaturday, 9, 45);
  Error only = h.fail(IssueTicket{"tax", Priority::Normal, Channel::Kiosk, ""}, kKiosk, Errc::AppointmentsOnly);
  CHECK(only.message_zh.find("预约") != std::string::npos);
  Outcome in = h.ok(CheckInAppointment{"246810", ""}, kKiosk);
  CHECK(str(in.reply, "service") == "tax");
  CHECK(h.engine.appointments_only(date(kSaturday)));
  CHECK_FALSE(h.engine.appointments_only(date(kMakeupSaturday)));

  // weekend = "open": walk-ins are served on weekends as before.
  Hall open(appointment_config(false), at(kSaturday, 9, 45));
  open.issue("tax");
  CHECK_FALSE(open.engine.appointments_only(date(kSaturday)));
}

TEST_CASE("R-HALL-8 appointments replay from the log and restore from their rows", "[engine][appointments]") {
  Hall h(appointment_config(), at(kMonday, 9, 0));
  std::vector<Event> log;
  std::map<std::int64_t, std::string> rows;
  Rows all;
  auto run = [&](const Command& cmd, const Actor& actor) {
    Outcome o = h.ok(cmd, actor);
    for (const auto& e : o.events) log.push_back(e);
    for (const auto& r : o.changes.appointments) rows[r.id] = r.json;
    all.add(o.changes);
    return o;
  };
  run(booking("hukou", kTuesday, 10, 0, "100001", "qianyi"), clerk("c01"));
  run(booking("tax", kTuesday, 9, 0, "100002"), clerk("c05"));
  run(RequestAppointment{"hukou", "", "letter", sealed("王*"), {}, "来信"}, clerk("c02"));
  run(RequestAppointment{"tax", "", "online", sealed("赵*"), {}, ""}, kKiosk);
  run(AnswerAppointment{3, true, SlotChoice{date(kTuesday), Minutes{630}, "100003"}, {}}, clerk("c01"));
  run(CancelAppointment{2, "改期"}, clerk("c05"));
  h.now = at(kTuesday, 0, 1);
  run(RollOver{}, kSystem);
  h.now = at(kTuesday, 9, 40);
  run(CheckInAppointment{"100001", "x1"}, kKiosk);

  // Replay: the same rows, event by event.
  Engine replayed(appointment_config(), tz(), make_calendar());
  std::map<std::int64_t, std::string> replay_rows;
  for (const auto& e : log) {
    REQUIRE(replayed.apply(e).value_or("") == "");
    for (const auto& r : replayed.take_changes().appointments) replay_rows[r.id] = r.json;
  }
  CHECK(replay_rows == rows);
  CHECK(rows.size() == 4);

  // Restore from the rows the store would load: live ones and the meta's day's.
  std::vector<std::string> live;
  for (const auto& [id, row] : rows) live.push_back(row);
  std::vector<std::string> tickets, windows;
  for (const auto& [id, t] : all.tickets) tickets.push_back(t.json);
  for (const auto& [n, w] : all.windows) windows.push_back(w);
  Engine restored(appointment_config(), tz(), make_calendar());
  std::string error;
  REQUIRE(restored.restore(all.meta, tickets, windows, {}, live, &error));
  for (Engine* e : {&replayed, &restored}) {
    REQUIRE(e->appointments().size() == h.engine.appointments().size());
    for (const auto& [id, a] : h.engine.appointments())
      CHECK(json::serialize(e->appointment_json(*e->find_appointment(id), true, h.now)) ==
            json::serialize(h.engine.appointment_json(a, true, h.now)));
    // The next booking takes the same id, and a full slot stays full.
    auto next = e->execute(booking("tax", kTuesday, 11, 0, "100005"), clerk("c05"), h.now);
    REQUIRE(next.has_value());
    CHECK(num(next->reply, "id") == 5);
    auto dup = e->execute(booking("tax", kTuesday, 11, 0, "100003"), clerk("c05"), h.now);
    REQUIRE_FALSE(dup.has_value());
    CHECK(dup.error().code == Errc::CodeInUse);
  }
  // A damaged row is refused with a clear message.
  Engine broken(appointment_config(), tz(), make_calendar());
  CHECK_FALSE(broken.restore(all.meta, tickets, windows, {}, {R"({"id":1,"state":"nonsense"})"}, &error));
  CHECK(error.find("appointment row is damaged") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Late ratings (R-EVAL-1, GB/T 39734 一次一评): at a kiosk or on the ticket's phone page

TEST_CASE("R-EVAL-1 a late rating from the kiosk or the phone page: once per service, within late_rating_hours", "[engine]") {
  const Actor phone{Actor::Kind::System, "phone"};
  Hall h(make_config(), at(kMonday, 9, 0));
  REQUIRE(h.engine.config().policy.late_rating_hours == 72);
  h.sign_in(1, "c01");
  const TicketId a = h.issue("hukou");
  const TicketId b = h.issue("hukou");
  const TicketId c = h.issue("hukou");
  REQUIRE(h.call(1, "c01") == a);
  h.ok(StartService{1}, clerk("c01"));
  // Not finished yet: nothing to rate; an unknown ticket neither.
  h.fail(RateTicket{a, 4, "phone"}, phone, Errc::WrongState);
  h.fail(RateTicket{999, 4, "phone"}, phone, Errc::NothingToRate);
  h.advance(minutes{5});
  Outcome fin = h.ok(Finish{1, case_of(CaseType::Promised)}, clerk("c01"));
  const CaseId case_a = num(field(fin.reply, "case"), "id");
  CHECK(h.engine.find_ticket(a) == nullptr);  // finished: out of the live tickets
  REQUIRE(h.engine.find_done(a) != nullptr);  // but open to its rating
  CHECK(h.engine.find_done(a)->case_id == case_a);

  // Only the citizen: a kiosk for channel kiosk, the phone page (system actor) for phone.
  h.fail(RateTicket{a, 4, "kiosk"}, clerk("c01"), Errc::NotYourWindow);
  h.fail(RateTicket{a, 4, "kiosk"}, phone, Errc::NotYourWindow);
  h.fail(RateTicket{a, 4, "phone"}, kKiosk, Errc::NotYourWindow);
  h.fail(RateTicket{a, 4, "phone"}, Actor{Actor::Kind::Manager, "m01"}, Errc::NotYourWindow);
  h.fail(RateTicket{a, 4, "sms"}, phone, Errc::InvalidArgument);
  h.fail(RateTicket{a, 0, "phone"}, phone, Errc::InvalidArgument);
  h.fail(RateTicket{a, 6, "phone"}, phone, Errc::InvalidArgument);

  h.advance(hours{2});  // long past rating_minutes: the window's evaluator is done with it
  h.fail(RateService{1, 5}, kEvaluator, Errc::NothingToRate);
  Outcome r = h.ok(RateTicket{a, 4, "phone"}, phone);
  REQUIRE(r.events.size() == 1);
  const json::value d(r.events[0].data);
  CHECK(r.events[0].type == "ServiceRated");
  CHECK(r.events[0].window == 1);  // the window that served it, for the scores and follow-ups
  CHECK(num(d, "ticket") == a);
  CHECK(str(d, "clerk") == "c01");
  CHECK(num(d, "level") == 4);
  CHECK(str(d, "channel") == "phone");
  CHECK(num(d, "case") == case_a);
  CHECK(str(r.reply, "label") == "满意");
  // The ticket's row records it, with its case, so a restart still knows.
  CHECK(r.changes.tickets.empty());
  REQUIRE(r.changes.ticket_patches.size() == 1);
  CHECK(r.changes.ticket_patches[0].first == a);
  const json::value patch = json::parse(r.changes.ticket_patches[0].second);
  CHECK(num(patch, "rating") == 4);
  CHECK(str(patch, "rating_channel") == "phone");
  CHECK(num(patch, "case") == case_a);
  // One rating, whichever way: not again by phone, nor at a kiosk.
  h.fail(RateTicket{a, 1, "phone"}, phone, Errc::AlreadyRated);
  h.fail(RateTicket{a, 1, "kiosk"}, kKiosk, Errc::AlreadyRated);

  // b: rated at the window first, then the kiosk is refused; c: the kiosk first, then the window.
  REQUIRE(h.call(1, "c01") == b);
  h.ok(Finish{1}, clerk("c01"));
  Outcome at_window = h.ok(RateService{1, 5}, kEvaluator);
  CHECK(str(json::value(at_window.events[0].data), "channel") == "evaluator");
  h.fail(RateTicket{b, 1, "kiosk"}, kKiosk, Errc::AlreadyRated);
  REQUIRE(h.call(1, "c01") == c);
  h.ok(Finish{1}, clerk("c01"));
  Outcome bad = h.ok(RateTicket{c, 1, "kiosk"}, kKiosk);
  CHECK(str(json::value(bad.events[0].data), "bad") == "true");
  h.fail(RateService{1, 5}, kEvaluator, Errc::AlreadyRated);
  // A bad review opens its follow-up like one from the window.
  REQUIRE(h.engine.follow_ups().contains(bad.events[0].seq));
  CHECK(h.engine.follow_ups().at(bad.events[0].seq).ticket == c);

  // d: finished Monday, rated late on Thursday just inside 72 hours, after three roll-overs;
  // e: the same, a second too late.
  const TicketId dd = h.issue("hukou");
  const TicketId e = h.issue("hukou");
  REQUIRE(h.call(1, "c01") == dd);
  h.ok(Finish{1}, clerk("c01"));
  const TimePoint d_finished = h.now;
  REQUIRE(h.call(1, "c01") == e);
  h.ok(Finish{1}, clerk("c01"));
  const TimePoint e_finished = h.now;
  for (const char* day : {kTuesday, "2026-03-04", "2026-03-05"}) {
    h.now = at(day, 0, 0);
    h.ok(RollOver{}, kSystem);
  }
  CHECK(h.engine.find_done(dd) != nullptr);
  CHECK(rating_days_kept(h.engine.config().policy) == 3);
  h.now = d_finished + hours{72};
  Outcome late = h.ok(RateTicket{dd, 3, "kiosk"}, kKiosk);
  CHECK(str(json::value(late.events[0].data), "label") == "基本满意");
  h.now = e_finished + hours{72} + seconds{1};
  h.fail(RateTicket{e, 3, "kiosk"}, kKiosk, Errc::RatingClosed);
  // Friday's roll-over lets Monday's services go from memory.
  h.now = at("2026-03-06", 0, 0);
  h.ok(RollOver{}, kSystem);
  CHECK(h.engine.find_done(e) == nullptr);
  CHECK(h.engine.find_done(a) == nullptr);
}

TEST_CASE("R-EVAL-1 late ratings survive a restart: the restored engine holds the same finished services", "[engine]") {
  const Actor phone{Actor::Kind::System, "phone"};
  Hall h(make_config(), at(kMonday, 9, 0));
  Rows rows;
  auto run = [&](const Command& cmd, const Actor& actor) {
    Outcome o = h.ok(cmd, actor);
    rows.add(o.changes);
    return o;
  };
  run(SignIn{1}, clerk("c01"));
  std::vector<TicketId> ids;
  for (int i = 0; i < 3; ++i) {
    Outcome o = run(IssueTicket{"hukou"}, kKiosk);
    ids.push_back(num(o.reply, "id"));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    run(CallNext{1}, clerk("c01"));
    h.advance(minutes{3});
    run(Finish{1}, clerk("c01"));
  }
  run(RateTicket{ids[0], 5, "phone"}, phone);
  // A case registered for a finished ticket after the fact is tied to its rating too.
  Outcome reg = run(RegisterCase{1, ids[1], case_of(CaseType::Promised)}, clerk("c01"));
  const CaseId case_b = num(reg.reply, "id");
  h.now = at(kTuesday, 0, 0);
  run(RollOver{}, kSystem);
  h.now = at(kTuesday, 9, 0);

  // The store loads what is live plus the days rating_days_kept reaches back: Monday's rows.
  std::vector<std::string> tickets, windows;
  for (const auto& [id, t] : rows.tickets) tickets.push_back(t.json);
  for (const auto& [n, w] : rows.windows) windows.push_back(w);
  std::vector<std::string> cases;
  for (const auto& [id, k] : rows.cases) cases.push_back(k.json);
  Engine restored(make_config(), tz(), make_calendar());
  std::string error;
  REQUIRE(restored.restore(rows.meta, tickets, windows, cases, &error));
  for (TicketId id : ids) {
    INFO("ticket " << id);
    REQUIRE(restored.find_done(id) != nullptr);
    CHECK(restored.find_done(id)->rating == h.engine.find_done(id)->rating);
    CHECK(restored.find_done(id)->case_id == h.engine.find_done(id)->case_id);
  }
  CHECK(restored.find_done(ids[1])->case_id == case_b);
  // Both take the same decisions, to the byte.
  const Actor kiosk{Actor::Kind::Device, "kiosk-1"};
  for (TicketId id : ids) {
    CHECK(outcome_json(restored.execute(RateTicket{id, 2, "kiosk"}, kiosk, h.now)) ==
          outcome_json(h.engine.execute(RateTicket{id, 2, "kiosk"}, kiosk, h.now)));
  }
}
