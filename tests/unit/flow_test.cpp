// The kiosk's citizen flow (kiosk/flow.hpp), without a browser: every screen, every way back,
// time-outs, and each error that must leave the kiosk in a safe state (issue 5; R-ONCE-1
// materials before the ticket, R-HALL-7 priority choice).
#include "hallq/kiosk/flow.hpp"

#include "hallq/kiosk/buttons.hpp"

#include <boost/json.hpp>
#include "hallq_catch.hpp"

namespace {

namespace json = boost::json;
using namespace hallq;
using namespace hallq::kiosk;
using std::chrono::seconds;

const TimePoint t0 = TimePoint{std::chrono::milliseconds{1'772'416'800'000}};  // 2026-03-02 10:00 +08

KioskStatus status(bool online = true, bool accepting = true, std::string printer = "ok") {
  KioskStatus st;
  st.online = online;
  st.accepting = accepting;
  st.printer = std::move(printer);
  st.day = "2026-03-02";
  st.ticket_url = "http://192.168.1.10:8080/t/{id}";
  json::array materials{"申请书", "身份证"};
  st.services = json::array{
      json::object{{"id", "minzheng"}, {"name", "民政救助"}, {"issuing", true},
                   {"items", json::array{json::object{{"id", "dibao"}, {"name", "最低生活保障申请"}, {"materials", materials}}}}},
      json::object{{"id", "laodong"}, {"name", "劳动保障"}, {"issuing", true}, {"items", json::array{}}},
      json::object{{"id", "yibao"}, {"name", "医疗保险"}, {"issuing", false}, {"closed_reason", "午休时间暂停取号"}}};
  return st;
}

struct F {
  Flow flow{FlowOptions{seconds{60}, seconds{20}, seconds{15}}};
  KioskStatus st = status();
  TimePoint now = t0;
  std::optional<TakeRequest> ok(const std::string& type, const std::string& value = "") {
    auto r = flow.on(FlowEvent{type, value}, st, now);
    INFO(type << " " << value << ": " << (r ? "" : r.error()));
    REQUIRE(r);
    return r->take;
  }
  std::optional<LookupRequest> lookup(const std::string& type, const std::string& value = "") {
    auto r = flow.on(FlowEvent{type, value}, st, now);
    INFO(type << " " << value << ": " << (r ? "" : r.error()));
    REQUIRE(r);
    CHECK_FALSE(r->take);
    return r->lookup;
  }
  std::string refused(const std::string& type, const std::string& value = "") {
    const Screen before = flow.screen();
    auto r = flow.on(FlowEvent{type, value}, st, now);
    REQUIRE_FALSE(r);
    CHECK(flow.screen() == before);
    return r.error();
  }
  std::string screen() const { return to_string(flow.screen()); }
  json::object view() const { return flow.to_json(now); }
};

TakeOutcome printed(const char* number, int ahead, int wait_s) {
  TakeOutcome o;
  o.result = TakeResult::Printed;
  o.ticket = json::object{{"id", 1}, {"number", number}, {"ahead", ahead}, {"estimated_wait_s", wait_s}};
  o.message_zh = "请取走号票。";
  return o;
}

}  // namespace

TEST_CASE("R-ONCE-1 the full path: service, item, materials, priority, ticket", "[flow]") {
  F f;
  CHECK(f.screen() == "idle");
  f.ok("touch");
  CHECK(f.screen() == "services");
  f.ok("service", "minzheng");
  CHECK(f.screen() == "items");
  f.ok("item", "dibao");
  CHECK(f.screen() == "materials");  // everything to bring, before the ticket
  CHECK(f.view().at("item").at("name") == "最低生活保障申请");
  f.ok("ok");
  CHECK(f.screen() == "priority");
  auto req = f.ok("priority", "elderly");
  REQUIRE(req);
  CHECK(req->service == "minzheng");
  CHECK(req->item == "dibao");
  CHECK(req->priority == "elderly");
  CHECK(f.screen() == "working");
  // Nothing is accepted while the ticket is being issued and printed.
  f.refused("home");
  f.refused("touch");
  f.flow.finish(printed("A012", 3, 600), f.now);
  CHECK(f.screen() == "done");
  auto v = f.view();
  CHECK(v.at("result").at("number") == "A012");
  CHECK(v.at("result").at("ahead") == 3);
  CHECK(v.at("result").at("wait_minutes") == 10);
  CHECK(v.at("timeout_s") == 20);
  f.now += seconds{19};
  CHECK_FALSE(f.flow.tick(f.now));
  f.now += seconds{1};
  CHECK(f.flow.tick(f.now));
  CHECK(f.screen() == "idle");
  CHECK_FALSE(f.view().contains("result"));
}

TEST_CASE("R-HALL-7 a service without items goes straight to the priority choice", "[flow]") {
  F f;
  f.ok("service", "laodong");  // also from the attract screen
  CHECK(f.screen() == "priority");
  f.ok("back");
  CHECK(f.screen() == "services");
  f.ok("service", "minzheng");
  f.ok("item", "");  // other matters: no item, no materials screen
  CHECK(f.screen() == "priority");
  f.ok("back");
  CHECK(f.screen() == "items");
  f.ok("item", "dibao");
  f.ok("ok");
  f.ok("back");
  CHECK(f.screen() == "materials");
  f.ok("back");
  CHECK(f.screen() == "items");
  CHECK_FALSE(f.view().contains("item"));  // back on the list, nothing chosen yet
  f.ok("home");
  CHECK(f.screen() == "idle");
  CHECK_FALSE(f.view().contains("service"));
}

TEST_CASE("invalid events change nothing", "[flow]") {
  F f;
  f.refused("ok");
  f.refused("priority", "normal");
  f.refused("item", "dibao");
  f.refused("service", "nope");
  f.refused("lang", "fr");
  f.refused("elderly", "maybe");
  f.refused("dance");
  f.ok("service", "minzheng");
  f.refused("item", "not-an-item");
  f.ok("item", "dibao");
  f.ok("ok");
  f.refused("priority", "vip");
  CHECK(f.screen() == "priority");
}

TEST_CASE("each fault shows its message and issues nothing", "[flow]") {
  struct Case {
    KioskStatus st;
    const char* service;
    const char* code;
    const char* zh;
  };
  const Case c = GENERATE(values<Case>({
      {status(false), "minzheng", "controller_unreachable", "暂停取号，请到咨询台办理。"},
      {status(true, false, "paper_out"), "minzheng", "printer_unavailable", "取号机打印纸已用完，暂停取号，请到咨询台办理。"},
      {status(true, false, "cover_open"), "laodong", "printer_unavailable", "取号机打印机盖未关好，暂停取号，请到咨询台办理。"},
      {status(), "yibao", "not_issuing", "午休时间暂停取号"},
  }));
  F f;
  f.st = c.st;
  f.ok("touch");
  CHECK_FALSE(f.ok("service", c.service));
  CHECK(f.screen() == "error");
  CHECK(f.view().at("result").at("code").as_string() == std::string(c.code));
  CHECK(f.view().at("result").at("message_zh") == c.zh);
  f.now += seconds{15};
  CHECK(f.flow.tick(f.now));
  CHECK(f.screen() == "idle");
}

TEST_CASE("a fault that appears while choosing is caught before issuing", "[flow]") {
  F f;
  f.ok("service", "minzheng");
  f.ok("item", "dibao");
  f.ok("ok");
  f.st.accepting = false;
  f.st.printer = "paper_out";
  CHECK_FALSE(f.ok("priority", "normal"));
  CHECK(f.screen() == "error");
}

TEST_CASE("a ticket that did not print ends on the error screen with the desk's message", "[flow]") {
  F f;
  f.ok("service", "laodong");
  REQUIRE(f.ok("priority", "normal"));
  TakeOutcome o;
  o.result = TakeResult::Voided;
  o.message_zh = "号票打印失败，本次取号已作废，请到咨询台办理。";
  f.flow.finish(o, f.now);
  CHECK(f.screen() == "error");
  CHECK(f.view().at("result").at("result") == "voided");
  CHECK(f.view().at("result").at("message_zh").as_string() == o.message_zh);
}

TEST_CASE("time-outs: choosing screens after a minute without a touch; touches keep them", "[flow]") {
  F f;
  f.ok("touch");
  f.ok("service", "minzheng");
  f.now += seconds{50};
  f.ok("touch");  // still reading
  f.now += seconds{50};
  CHECK_FALSE(f.flow.tick(f.now));
  CHECK(f.view().at("timeout_s") == 10);
  f.now += seconds{10};
  CHECK(f.flow.tick(f.now));
  CHECK(f.screen() == "idle");
  // Working never times out.
  f.ok("service", "laodong");
  f.ok("priority", "normal");
  f.now += seconds{3600};
  CHECK_FALSE(f.flow.tick(f.now));
  CHECK(f.screen() == "working");
}

TEST_CASE("button panel: one press, one ticket of that service", "[flow]") {
  F f;
  auto req = f.ok("button", "minzheng");
  REQUIRE(req);
  CHECK(req->service == "minzheng");
  CHECK(req->item.empty());
  CHECK(req->priority == "normal");
  CHECK(f.screen() == "working");
  f.refused("button", "minzheng");  // a second press while printing does nothing
  f.flow.finish(printed("A001", 0, 0), f.now);
  f.st.accepting = false;
  CHECK_FALSE(f.ok("button", "minzheng"));
  CHECK(f.screen() == "error");
}

TEST_CASE("language and large text for one citizen, then back to the defaults", "[flow]") {
  F f;
  f.ok("touch");
  f.ok("lang", "en");
  f.ok("elderly", "on");
  CHECK(f.view().at("lang") == "en");
  CHECK(f.view().at("elderly_mode") == true);
  f.ok("home");
  CHECK(f.view().at("elderly_mode") == false);
  CHECK(f.view().at("lang") == "zh");  // the next citizen starts in the kiosk's language
}

// ---------------------------------------------------------------------------------------------
// The button panel's debouncing (kiosk/buttons.hpp)

TEST_CASE("button panel: a press counts once it has held for the debounce time", "[flow]") {
  using namespace std::chrono_literals;
  Debouncer d(50ms, 2000ms);
  SteadyTime t{};
  t += 10s;
  // Contact bounce: levels flicker for 20 ms, then hold.
  for (int i = 0; i < 4; ++i) {
    d.level(i % 2 == 0, t);
    CHECK_FALSE(d.poll(t));
    t += 5ms;
  }
  d.level(true, t);
  t += 49ms;
  CHECK_FALSE(d.poll(t));
  t += 1ms;
  CHECK(d.poll(t));  // one press
  t += 100ms;
  CHECK_FALSE(d.poll(t));  // held: still one press
  d.level(false, t);
  t += 60ms;
  CHECK_FALSE(d.poll(t));  // released
  // Pressed again within the 2 s guard: no second ticket.
  d.level(true, t);
  t += 60ms;
  CHECK_FALSE(d.poll(t));
  d.level(false, t);
  t += 60ms;
  d.poll(t);
  t += 2s;
  d.level(true, t);
  t += 60ms;
  CHECK(d.poll(t));
  // A glitch shorter than the debounce time is no press.
  d.level(false, t);
  t += 60ms;
  d.poll(t);
  t += 3s;
  d.level(true, t);
  t += 20ms;
  d.level(false, t);
  t += 100ms;
  CHECK_FALSE(d.poll(t));
}

TEST_CASE("progress lookup: a typed number, found, not found, offline", "[flow]") {
  F f;
  f.refused("lookup", "A012");  // only from the lookup screen
  f.ok("open", "lookup");
  CHECK(f.screen() == "lookup");
  f.refused("lookup", "a012");
  f.refused("lookup", "A12345");
  f.refused("lookup", "");
  auto q = f.lookup("lookup", "A012");
  REQUIRE(q);
  CHECK(q->number == "A012");
  CHECK(q->id == 0);
  CHECK(f.screen() == "searching");
  f.refused("touch");  // nothing else while the controller is asked
  f.refused("scan", "A013");
  LookupOutcome found;
  found.status = 200;
  found.ticket = json::object{{"id", 12}, {"number", "A012"}, {"state", "called"}, {"window", 3},
                              {"ahead", 0}, {"estimated_wait_s", 0}, {"issued_at", "2026-03-02T09:10:00+08:00"},
                              {"service_name", "民政救助"}};
  f.flow.finish_lookup(found, f.now);
  CHECK(f.screen() == "progress");
  auto r = f.view().at("result").as_object();
  CHECK(r.at("found") == true);
  CHECK(r.at("state") == "called");
  CHECK(r.at("window") == 3);
  CHECK(r.at("today") == true);
  f.now += seconds{21};
  CHECK(f.flow.tick(f.now));  // the progress screen times out like the ticket screen
  CHECK(f.screen() == "idle");

  f.ok("open", "lookup");
  f.lookup("lookup", "B001");
  LookupOutcome missing;
  missing.status = 404;
  f.flow.finish_lookup(missing, f.now);
  CHECK(f.screen() == "progress");
  CHECK(f.view().at("result").at("found") == false);
  f.ok("back");
  CHECK(f.screen() == "services");

  f.ok("open", "lookup");
  f.lookup("lookup", "B001");
  f.flow.finish_lookup(LookupOutcome{}, f.now);  // no answer
  CHECK(f.screen() == "error");
  CHECK(f.view().at("result").at("code") == "controller_unreachable");

  f.ok("home");
  f.st.online = false;
  f.ok("open", "lookup");
  CHECK_FALSE(f.lookup("lookup", "A001"));
  CHECK(f.screen() == "error");
}

TEST_CASE("a scanned ticket QR opens its progress from any screen but a running take", "[flow]") {
  F f;
  f.ok("touch");
  f.ok("service", "minzheng");
  f.ok("item", "dibao");
  auto q = f.lookup("scan", "http://192.168.1.10:8080/t/42");
  REQUIRE(q);
  CHECK(q->id == 42);
  CHECK(f.screen() == "searching");
  // The citizen goes home before the answer: the answer is dropped.
  f.flow.finish_lookup(LookupOutcome{}, f.now);
  CHECK(f.screen() == "error");
  f.ok("home");
  f.flow.finish_lookup(LookupOutcome{200, json::object{{"number", "A001"}}}, f.now);
  CHECK(f.screen() == "idle");

  // Unknown codes say so; nothing is looked up.
  CHECK_FALSE(f.lookup("scan", "https://example.com/pay?x=1"));
  CHECK(f.screen() == "error");
  CHECK(f.view().at("result").at("code") == "unknown_code");
  // A bare number is today's number.
  f.ok("home");
  q = f.lookup("scan", "C007");
  REQUIRE(q);
  CHECK(q->number == "C007");

  // Not while a ticket is being issued.
  F g;
  g.ok("touch");
  g.ok("service", "laodong");
  REQUIRE(g.ok("priority", "normal"));
  g.refused("scan", "http://192.168.1.10:8080/t/42");
}

TEST_CASE("ticket QR codes: the hall's template, any /t/ID URL, bare numbers, other days", "[flow]") {
  auto p = parse_scanned_ticket("http://hall.local/q?n=A012&d=2026-03-01", "http://hall.local/q?n={number}&d={day}");
  REQUIRE(p);
  CHECK(p->request.number == "A012");
  CHECK(p->day == "2026-03-01");
  p = parse_scanned_ticket("http://10.0.0.5:8080/t/77?x", "http://hall.local/q?n={number}&d={day}");
  REQUIRE(p);
  CHECK(p->request.id == 77);
  CHECK_FALSE(parse_scanned_ticket("http://hall.local/q?n=a12&d=2026-03-01", "http://hall.local/q?n={number}&d={day}"));
  CHECK_FALSE(parse_scanned_ticket("http://10.0.0.5/t/", ""));
  CHECK_FALSE(parse_scanned_ticket("http://10.0.0.5/t/12x", ""));
  CHECK_FALSE(parse_scanned_ticket("http://10.0.0.5/t/99999999999999999999", ""));
  CHECK_FALSE(parse_scanned_ticket("A0123456", ""));
  CHECK_FALSE(parse_scanned_ticket("", ""));
  CHECK(valid_ticket_number("AB1234"));
  CHECK_FALSE(valid_ticket_number("ABC1"));

  // A QR from another day: said so, not looked up.
  F f;
  f.st.ticket_url = "http://hall.local/q?n={number}&d={day}";
  CHECK_FALSE(f.lookup("scan", "http://hall.local/q?n=A012&d=2026-03-01"));
  CHECK(f.screen() == "progress");
  CHECK(f.view().at("result").at("code") == "other_day");
}

TEST_CASE("R-HALL-3 call a staff member (帮办代办) from any screen but a running take", "[flow]") {
  F f;
  f.ok("touch");
  f.ok("service", "minzheng");
  auto r = f.flow.on(FlowEvent{"help", ""}, f.st, f.now);
  REQUIRE(r);
  CHECK(r->help);
  CHECK_FALSE(r->take);
  CHECK(f.screen() == "help");
  CHECK(f.view().at("result").at("state") == "sending");
  CHECK_FALSE(f.view().contains("service"));  // the choice so far is dropped
  // Pressed again while it is being sent or open: nothing new is asked.
  r = f.flow.on(FlowEvent{"help", ""}, f.st, f.now);
  REQUIRE(r);
  CHECK_FALSE(r->help);
  f.flow.finish_help(200, json::object{{"id", 7}, {"at", "2026-03-02T10:00:00+08:00"}}, f.now);
  CHECK(f.view().at("result").at("state") == "open");
  f.flow.help_answered(8);  // another kiosk's
  CHECK(f.view().at("result").at("state") == "open");
  f.flow.help_answered(7);
  CHECK(f.view().at("result").at("state") == "answered");
  f.now += seconds{61};
  CHECK(f.flow.tick(f.now));
  CHECK(f.screen() == "idle");

  // No answer from the controller: an error with its message.
  f.ok("help");
  f.flow.finish_help(0, json::object{}, f.now);
  CHECK(f.screen() == "error");
  CHECK(f.view().at("result").at("code") == "controller_unreachable");
  // Offline: said at once.
  f.ok("home");
  f.st.online = false;
  r = f.flow.on(FlowEvent{"help", ""}, f.st, f.now);
  REQUIRE(r);
  CHECK_FALSE(r->help);
  CHECK(f.screen() == "error");

  F g;
  g.ok("touch");
  g.ok("service", "laodong");
  REQUIRE(g.ok("priority", "normal"));
  g.refused("help");
}

TEST_CASE("R-COMP-1 the complaint form: categories, window, phone; sent once; masked answer", "[flow]") {
  F f;
  f.refused("complaint", R"({"categories":["waiting"]})");  // only from the form
  f.ok("open", "complaint");
  CHECK(f.screen() == "complaint");
  for (const char* bad : {"", "[]", R"({"categories":[]})", R"({"categories":["bribes"]})",
                          R"({"categories":["waiting","waiting"]})", R"({"categories":["waiting"],"phone":"12345"})",
                          R"({"categories":["waiting"],"phone":"1381234567x"})", R"({"categories":["waiting"],"window":-1})",
                          R"({"categories":["waiting"],"name":"张三"})"})
    f.refused("complaint", bad);
  auto r = f.flow.on(FlowEvent{"complaint", R"({"categories":["attitude","fees"],"window":3,"phone":"13812345678"})"}, f.st, f.now);
  REQUIRE(r);
  REQUIRE(r->complaint);
  CHECK(r->complaint->categories == std::vector<std::string>{"attitude", "fees"});
  CHECK(r->complaint->window == 3);
  CHECK(r->complaint->phone == "13812345678");
  CHECK(f.screen() == "sending");
  f.refused("complaint", R"({"categories":["waiting"]})");  // no double submit
  f.refused("home");
  f.flow.finish_complaint(201, json::object{{"id", 4}, {"due", "2026-03-09"}, {"phone", "138****5678"}}, f.now);
  CHECK(f.screen() == "filed");
  CHECK(f.view().at("result").at("phone") == "138****5678");
  CHECK(f.view().at("result").at("due") == "2026-03-09");
  f.now += seconds{21};
  CHECK(f.flow.tick(f.now));
  CHECK(f.screen() == "idle");

  f.ok("open", "complaint");
  f.ok("complaint", R"({"categories":["other"]})");
  f.flow.finish_complaint(0, json::object{}, f.now);
  CHECK(f.screen() == "error");
  CHECK(f.view().at("result").at("code") == "controller_unreachable");

  f.ok("home");
  f.ok("open", "complaint");
  f.st.online = false;
  auto off = f.flow.on(FlowEvent{"complaint", R"({"categories":["other"]})"}, f.st, f.now);
  REQUIRE(off);
  CHECK_FALSE(off->complaint);
  CHECK(f.screen() == "error");
}

namespace {
TakeOutcome checked_in(const char* number) {
  TakeOutcome o = printed(number, 0, 0);
  o.ticket["service"] = "minzheng";
  o.ticket["service_name"] = "民政救助";
  o.ticket["priority"] = "appointment";
  return o;
}
TakeOutcome refused(const char* code, const char* zh) {
  TakeOutcome o;
  o.result = TakeResult::Refused;
  o.code = code;
  o.message_zh = zh;
  return o;
}
}  // namespace

TEST_CASE("R-APPT-1 check-in on the number pad: 预约签到, six digits, the ticket screen", "[flow]") {
  F f;
  f.refused("appointment", "123456");  // only from the number pad
  f.ok("touch");
  f.ok("open", "appointment");
  CHECK(f.screen() == "appointment");
  CHECK(f.view().at("timeout_s") == 60);
  for (const char* bad : {"", "12345", "1234567", "12345a", "HQA:123456", "１２３４５６"}) f.refused("appointment", bad);
  f.ok("back");
  CHECK(f.screen() == "services");
  f.ok("open", "appointment");
  auto req = f.ok("appointment", "012345");
  REQUIRE(req);
  CHECK(req->appointment == "012345");
  CHECK(req->priority == "appointment");
  CHECK(req->service.empty());  // the booking's, from the controller
  CHECK(f.screen() == "working");
  CHECK(f.view().at("check_in") == true);
  f.refused("home");
  f.refused("scan", "HQA:123456");
  f.flow.finish(checked_in("A003"), f.now);
  CHECK(f.screen() == "done");
  auto r = f.view().at("result").as_object();
  CHECK(r.at("number") == "A003");
  CHECK(r.at("priority") == "appointment");
  CHECK(r.at("service_name") == "民政救助");
  f.now += seconds{20};
  CHECK(f.flow.tick(f.now));
  CHECK(f.screen() == "idle");
  CHECK_FALSE(f.view().contains("check_in"));

  // The number pad times out like any choosing screen.
  f.ok("open", "appointment");
  f.now += seconds{60};
  CHECK(f.flow.tick(f.now));
  CHECK(f.screen() == "idle");
}

TEST_CASE("R-APPT-1 a refused check-in shows the controller's message; back is the number pad", "[flow]") {
  F f;
  f.ok("open", "appointment");
  REQUIRE(f.ok("appointment", "654321"));
  f.flow.finish(refused("too_early", "您的预约时段为 11:30，请于 11:00 后签到"), f.now);
  CHECK(f.screen() == "error");
  auto r = f.view().at("result").as_object();
  CHECK(r.at("code") == "too_early");
  CHECK(r.at("message_zh") == "您的预约时段为 11:30，请于 11:00 后签到");
  CHECK(f.view().at("check_in") == true);  // the page offers 返回
  f.ok("back");
  CHECK(f.screen() == "appointment");
  CHECK_FALSE(f.view().contains("result"));
  REQUIRE(f.ok("appointment", "000000"));
  f.flow.finish(refused("unknown_appointment", "没有该预约码，请核对后重新输入"), f.now);
  CHECK(f.view().at("result").at("message_zh") == "没有该预约码，请核对后重新输入");
  f.ok("home");
  CHECK(f.screen() == "idle");
  CHECK_FALSE(f.view().contains("check_in"));

  // An error that was no check-in still goes home.
  f.st.accepting = false;
  f.ok("service", "laodong");
  CHECK(f.screen() == "error");
  f.ok("back");
  CHECK(f.screen() == "idle");
}

TEST_CASE("R-APPT-1 a scanned booking QR (HQA:123456) checks in from any screen but a running take", "[flow]") {
  F f;
  f.ok("service", "minzheng");
  f.ok("item", "dibao");
  auto req = f.ok("scan", "HQA:123456");
  REQUIRE(req);
  CHECK(req->appointment == "123456");
  CHECK(req->priority == "appointment");
  CHECK(req->item.empty());  // the choice before the scan is dropped
  CHECK(f.screen() == "working");
  f.flow.finish(checked_in("A004"), f.now);
  CHECK(f.screen() == "done");
  // Not a booking's QR: a ticket's, or nothing known; never a check-in.
  f.ok("home");
  for (const char* code : {"HQA:12345", "HQA:1234567", "hqa:123456", "HQA:12345x", "123456"}) {
    auto r = f.flow.on(FlowEvent{"scan", code}, f.st, f.now);
    REQUIRE(r);
    CHECK_FALSE(r->take);
    CHECK(f.screen() == "error");
    CHECK(f.view().at("result").at("code") == "unknown_code");
    f.ok("home");
  }
  CHECK(parse_scanned_appointment("HQA:000001") == std::optional<std::string>("000001"));
  CHECK_FALSE(parse_scanned_appointment("HQA:"));
  CHECK_FALSE(parse_scanned_appointment(" HQA:123456"));
  CHECK(valid_appointment_code("987654"));
  CHECK_FALSE(valid_appointment_code("98765"));
}

TEST_CASE("R-APPT-1 no check-in while no ticket can be printed", "[flow]") {
  struct Case {
    KioskStatus st;
    const char* code;
    const char* zh;
  };
  const Case c = GENERATE(values<Case>({
      {status(false), "controller_unreachable", "暂停取号，请到咨询台办理。"},
      {status(true, false, "paper_out"), "printer_unavailable", "取号机打印纸已用完，暂停取号，请到咨询台办理。"},
  }));
  F f;
  f.st = c.st;
  f.ok("touch");
  CHECK_FALSE(f.ok("open", "appointment"));
  CHECK(f.screen() == "error");
  CHECK(f.view().at("result").at("code").as_string() == std::string(c.code));
  CHECK(f.view().at("result").at("message_zh") == c.zh);
  f.ok("back");
  CHECK(f.screen() == "idle");  // no number pad to go back to
  CHECK_FALSE(f.ok("scan", "HQA:123456"));
  CHECK(f.screen() == "error");
  CHECK(f.view().at("result").at("message_zh") == c.zh);

  // The printer fails while the code is typed: caught before checking in.
  F g;
  g.ok("open", "appointment");
  g.st = c.st;
  CHECK_FALSE(g.ok("appointment", "123456"));
  CHECK(g.screen() == "error");
}

namespace {
// R-EVAL-1: the example hall's ticket_url and a ticket's 16-hex-digit key.
const char* const kKeyedUrl = "http://192.168.1.10:8080/t/{id}?k={key}";
const char* const kKey = "0123456789abcdef";
std::string keyed_qr(std::int64_t id, const std::string& key = kKey) {
  return "http://192.168.1.10:8080/t/" + std::to_string(id) + "?k=" + key;
}
// A ticket as GET /api/v1/tickets/{id} answers: state, and for a done one rated/rating_until.
json::object ticket_reply(const char* state, std::optional<bool> rated = std::nullopt, const char* until = nullptr,
                          const char* issued_at = "2026-03-02T09:10:00+08:00") {
  json::object t{{"id", 42}, {"number", "A001"}, {"state", state}, {"service", "minzheng"}, {"service_name", "民政救助"}, {"window", 1},
                 {"ahead", 0}, {"estimated_wait_s", 0}, {"issued_at", issued_at}};
  if (rated) t["rated"] = *rated;
  if (until) t["rating_until"] = until;
  return t;
}
const char* const kOpenUntil = "2026-03-05T10:00:00.073+08:00";  // t0 + 72 h: still open
const char* const kClosedUntil = "2026-03-02T09:59:59+08:00";    // just past at t0
LookupOutcome answer(json::object t) { return LookupOutcome{200, std::move(t)}; }

// A flow at the rating screen of ticket 42 (A001), scanned with its key.
F at_rating() {
  F f;
  f.st.ticket_url = kKeyedUrl;
  auto q = f.lookup("scan", keyed_qr(42));
  REQUIRE(q);
  f.flow.finish_lookup(answer(ticket_reply("done", false, kOpenUntil)), f.now);
  REQUIRE(f.screen() == "rating");
  return f;
}
std::optional<RatingRequest> rate(F& f, const std::string& level) {
  auto r = f.flow.on(FlowEvent{"rate", level}, f.st, f.now);
  INFO("rate " << level << ": " << (r ? "" : r.error()));
  REQUIRE(r);
  CHECK_FALSE(r->take);
  CHECK_FALSE(r->lookup);
  return r->rate;
}
RatingOutcome rating_reply(int status, const char* code = "", const char* zh = "", bool maybe_sent = false) {
  RatingOutcome o;
  o.status = status;
  o.code = code;
  o.message_zh = zh;
  o.maybe_sent = maybe_sent;
  if (status == 201)
    o.reply = json::object{{"ticket", 42}, {"number", "A001"}, {"window", 1}, {"level", 4}, {"label", "满意"}};
  return o;
}
}  // namespace

TEST_CASE("R-EVAL-1 the ticket QR's key: from the hall's template or a /t/ID URL's k, never from a typed number",
          "[flow]") {
  auto p = parse_scanned_ticket(keyed_qr(42), kKeyedUrl);
  REQUIRE(p);
  CHECK(p->request.id == 42);
  CHECK(p->request.key == kKey);
  CHECK(p->day.empty());
  // {key} anywhere in the template, with {day} and {number}.
  p = parse_scanned_ticket("http://hall.local/r/2026-03-01/7/fedcba9876543210", "http://hall.local/r/{day}/{id}/{key}");
  REQUIRE(p);
  CHECK((p->request.id == 7 && p->day == "2026-03-01" && p->request.key == "fedcba9876543210"));
  p = parse_scanned_ticket("http://hall.local/q?n=B012&k=fedcba9876543210", "http://hall.local/q?n={number}&k={key}");
  REQUIRE(p);
  CHECK((p->request.number == "B012" && p->request.key == "fedcba9876543210"));
  // A malformed key is no key: the QR still shows the ticket's progress (any /t/ID URL).
  for (const char* bad : {"0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg", ""}) {
    p = parse_scanned_ticket(keyed_qr(42, bad), kKeyedUrl);
    REQUIRE(p);
    CHECK(p->request.id == 42);
    CHECK(p->request.key.empty());
  }
  // Any /t/ID URL: the k query parameter, wherever it stands; not kk, not in the fragment.
  p = parse_scanned_ticket("https://other.example/x/t/9?lang=zh&k=fedcba9876543210#top", kKeyedUrl);
  REQUIRE(p);
  CHECK((p->request.id == 9 && p->request.key == "fedcba9876543210"));
  p = parse_scanned_ticket("http://10.0.0.5/t/9?k=fedcba9876543210", "");
  REQUIRE(p);
  CHECK(p->request.key == "fedcba9876543210");
  for (const char* none : {"http://10.0.0.5/t/9?kk=fedcba9876543210", "http://10.0.0.5/t/9#k=fedcba9876543210",
                           "http://10.0.0.5/t/9?x=k=fedcba9876543210", "http://10.0.0.5/t/9"}) {
    p = parse_scanned_ticket(none, kKeyedUrl);
    REQUIRE(p);
    CHECK(p->request.id == 9);
    CHECK(p->request.key.empty());
  }
  // A key alone names no ticket.
  CHECK_FALSE(parse_scanned_ticket("http://hall.local/k/0123456789abcdef", "http://hall.local/k/{key}"));
  // A bare number (a scanned or typed A012) never has one.
  p = parse_scanned_ticket("A012", kKeyedUrl);
  REQUIRE(p);
  CHECK(p->request.key.empty());
  CHECK(valid_rate_key("00000000deadbeef"));
  CHECK_FALSE(valid_rate_key("00000000DEADBEEF"));
  CHECK_FALSE(valid_rate_key("00000000deadbee"));

  // The lookup the daemon is asked for goes without the key; a typed number of a finished,
  // unrated service shows its progress, never the rating screen.
  F f;
  f.st.ticket_url = kKeyedUrl;
  auto q = f.lookup("scan", keyed_qr(42));
  REQUIRE(q);
  CHECK(q->id == 42);
  CHECK(q->key.empty());
  f.flow.finish_lookup(answer(ticket_reply("waiting")), f.now);
  f.ok("home");
  f.ok("open", "lookup");
  q = f.lookup("lookup", "A001");
  REQUIRE(q);
  CHECK(q->key.empty());
  f.flow.finish_lookup(answer(ticket_reply("done", false, kOpenUntil)), f.now);
  CHECK(f.screen() == "progress");
  CHECK(f.view().at("result").at("state") == "done");
  CHECK_FALSE(f.view().at("result").as_object().contains("rating"));
  CHECK_FALSE(f.view().contains("rating"));
  // Nor does a QR without its key.
  f.ok("home");
  REQUIRE(f.lookup("scan", "http://192.168.1.10:8080/t/42"));
  f.flow.finish_lookup(answer(ticket_reply("done", false, kOpenUntil)), f.now);
  CHECK(f.screen() == "progress");
  CHECK_FALSE(f.view().at("result").as_object().contains("rating"));
}

TEST_CASE("R-EVAL-1 the rating screen only for a done, unrated ticket inside its period, scanned with its key",
          "[flow]") {
  struct Case {
    const char* name;
    json::object ticket;
    const char* rating;  // the progress screen's "rating" note; nullptr: none
  };
  const Case c = GENERATE(values<Case>({
      {"waiting", ticket_reply("waiting"), nullptr},
      {"serving", ticket_reply("serving"), nullptr},
      {"no_show", ticket_reply("no_show"), nullptr},
      {"done, rated", ticket_reply("done", true, kOpenUntil), "rated"},
      {"done, period over", ticket_reply("done", false, kClosedUntil), "closed"},
      {"done, late ratings off (no rating_until)", ticket_reply("done", false), nullptr},
      {"done, no rated field", ticket_reply("done", std::nullopt, kOpenUntil), nullptr},
  }));
  INFO(c.name);
  F f;
  f.st.ticket_url = kKeyedUrl;
  REQUIRE(f.lookup("scan", keyed_qr(42)));
  f.flow.finish_lookup(answer(c.ticket), f.now);
  CHECK(f.screen() == "progress");
  const auto r = f.view().at("result").as_object();
  CHECK(r.at("found") == true);
  if (c.rating) CHECK(r.at("rating") == c.rating);
  else CHECK_FALSE(r.contains("rating"));
  f.refused("rate", "5");

  // Done, unrated, open: the rating screen with the number, service and window; the key is
  // nowhere in what the page reads.
  F g = at_rating();
  auto v = g.view();
  CHECK(v.at("rating") == true);
  CHECK(v.at("result").at("number") == "A001");
  CHECK(v.at("result").at("service") == "minzheng");
  CHECK(v.at("result").at("service_name") == "民政救助");
  CHECK(v.at("result").at("window") == 1);
  CHECK(v.at("timeout_s") == 60);
  CHECK(json::serialize(v).find(kKey) == std::string::npos);
  // It times out like a choosing screen; back is the start.
  g.now += seconds{60};
  CHECK(g.flow.tick(g.now));
  CHECK(g.screen() == "idle");
  F h = at_rating();
  h.ok("back");
  CHECK(h.screen() == "services");
  CHECK_FALSE(h.view().contains("rating"));
  h.refused("rate", "5");
}

TEST_CASE("R-EVAL-1 a QR of another day with its key is looked up and rated; else the other-day message", "[flow]") {
  F f;
  f.st.ticket_url = "http://hall.local/t/{id}?d={day}&k={key}";
  const std::string yesterday = "http://hall.local/t/42?d=2026-03-01&k=0123456789abcdef";
  const char* issued = "2026-03-01T15:00:00+08:00";
  auto q = f.lookup("scan", yesterday);
  REQUIRE(q);
  CHECK(q->id == 42);
  f.flow.finish_lookup(answer(ticket_reply("done", false, kOpenUntil, issued)), f.now);
  CHECK(f.screen() == "rating");
  auto req = rate(f, "2");
  REQUIRE(req);
  CHECK((req->ticket == 42 && req->level == 2 && req->key == kKey));

  // Not rateable: the other-day message as before (period over, never finished, unknown).
  for (const json::object& t : {ticket_reply("done", false, kClosedUntil, issued), ticket_reply("no_show", {}, nullptr, issued),
                                ticket_reply("done", false, nullptr, issued)}) {
    F g;
    g.st.ticket_url = f.st.ticket_url;
    REQUIRE(g.lookup("scan", yesterday));
    g.flow.finish_lookup(answer(t), g.now);
    CHECK(g.screen() == "progress");
    CHECK(g.view().at("result").at("code") == "other_day");
    CHECK(g.view().at("result").at("message_zh") == "这是 2026-03-01 的号票，当日有效，已过期。");
  }
  F g;
  g.st.ticket_url = f.st.ticket_url;
  REQUIRE(g.lookup("scan", yesterday));
  g.flow.finish_lookup(LookupOutcome{404, {}}, g.now);
  CHECK(g.view().at("result").at("code") == "other_day");
  // Rated already: said so (a day that is not today, and 本次服务已评价).
  g.ok("home");
  REQUIRE(g.lookup("scan", yesterday));
  g.flow.finish_lookup(answer(ticket_reply("done", true, kOpenUntil, issued)), g.now);
  CHECK(g.screen() == "progress");
  CHECK(g.view().at("result").at("rating") == "rated");
  CHECK(g.view().at("result").at("today") == false);

  // Without a key, or by number (today's numbers only): not looked up, as before.
  F n;
  n.st.ticket_url = "http://hall.local/t/{id}?d={day}";
  CHECK_FALSE(n.lookup("scan", "http://hall.local/t/42?d=2026-03-01"));
  CHECK(n.view().at("result").at("code") == "other_day");
  n.st.ticket_url = "http://hall.local/q?n={number}&d={day}&k={key}";
  CHECK_FALSE(n.lookup("scan", "http://hall.local/q?n=A001&d=2026-03-01&k=0123456789abcdef"));
  CHECK(n.view().at("result").at("code") == "other_day");
  // The controller away: said so, nothing pretended.
  F off;
  off.st.ticket_url = f.st.ticket_url;
  off.st.online = false;
  CHECK_FALSE(off.lookup("scan", yesterday));
  CHECK(off.screen() == "error");
  CHECK(off.view().at("result").at("code") == "controller_unreachable");
}

TEST_CASE("R-EVAL-1 one press, one rating sent; the thank-you screen times out to idle", "[flow]") {
  F f = at_rating();
  for (const char* bad : {"0", "6", "", "45", "a", " 5", "5 "}) f.refused("rate", bad);
  auto req = rate(f, "4");
  REQUIRE(req);
  CHECK(req->ticket == 42);
  CHECK(req->level == 4);
  CHECK(req->key == kKey);
  CHECK(f.screen() == "sending");
  // A double tap, or anything else, while it is sent: refused, nothing sent again.
  f.refused("rate", "4");
  f.refused("rate", "1");
  f.refused("home");
  f.refused("scan", keyed_qr(42));
  // A complaint's answer is not this one's.
  f.flow.finish_complaint(201, json::object{{"id", 1}}, f.now);
  CHECK(f.screen() == "sending");
  f.flow.finish_rating(rating_reply(201), f.now);
  CHECK(f.screen() == "rated");
  auto r = f.view().at("result").as_object();
  CHECK(r.at("number") == "A001");
  CHECK(r.at("level") == 4);
  CHECK(r.at("label") == "满意");
  CHECK(f.view().at("timeout_s") == 20);
  f.refused("rate", "4");
  f.now += seconds{19};
  CHECK_FALSE(f.flow.tick(f.now));
  f.now += seconds{1};
  CHECK(f.flow.tick(f.now));
  CHECK(f.screen() == "idle");
  CHECK_FALSE(f.view().contains("rating"));
  CHECK_FALSE(f.view().contains("result"));
  // A late answer changes nothing.
  f.flow.finish_rating(rating_reply(201), f.now);
  CHECK(f.screen() == "idle");
}

TEST_CASE("R-EVAL-1 a refused rating shows the controller's words with 返回; no answer lets the citizen try again",
          "[flow]") {
  struct Case {
    int status;
    const char* code;
    const char* zh;
  };
  const Case c = GENERATE(values<Case>({
      {403, "wrong_key", "号票二维码无效"},
      {409, "already_rated", "本次服务已评价，一次一评"},
      {409, "rating_closed", "已超过评价期限（办结后 72 小时内）"},
      {409, "wrong_state", "业务尚未办结，办结后再评价"},
      {409, "nothing_to_rate", "该号码没有可评价的服务"},
      {422, "invalid_argument", "评价等级应为 1 到 5"},
  }));
  F f = at_rating();
  REQUIRE(rate(f, "1"));
  f.flow.finish_rating(rating_reply(c.status, c.code, c.zh), f.now);
  CHECK(f.screen() == "error");
  auto r = f.view().at("result").as_object();
  CHECK(r.at("code") == c.code);
  CHECK(r.at("message_zh") == c.zh);
  CHECK_FALSE(r.at("message_en").as_string().empty());
  CHECK(f.view().at("rating") == true);  // the page offers 返回
  f.ok("back");
  CHECK(f.screen() == "services");  // decided: nothing to try again
  f.refused("rate", "1");
}

TEST_CASE("R-EVAL-1 no answer, or the controller away: try again; already_rated after a lost send is thanks",
          "[flow]") {
  SECTION("the controller's Chinese missing: the kiosk's own") {
    F f = at_rating();
    REQUIRE(rate(f, "3"));
    f.flow.finish_rating(rating_reply(409, "rating_closed"), f.now);
    CHECK(f.view().at("result").at("message_zh") == "已超过评价期限");
    CHECK(f.view().at("result").at("message_en") == "The time for rating this service is over.");
  }
  SECTION("already rated at the first answer (the window's evaluator or a phone came first): refused") {
    F f = at_rating();
    REQUIRE(rate(f, "5"));
    f.flow.finish_rating(rating_reply(409, "already_rated", "本次服务已评价，一次一评"), f.now);
    CHECK(f.screen() == "error");
    CHECK(f.view().at("result").at("message_zh") == "本次服务已评价，一次一评");
  }
  SECTION("the daemon's retry after no answer meets already_rated: the first one was recorded") {
    F f = at_rating();
    REQUIRE(rate(f, "5"));
    f.flow.finish_rating(rating_reply(409, "already_rated", "本次服务已评价，一次一评", true), f.now);
    CHECK(f.screen() == "rated");
    auto r = f.view().at("result").as_object();
    CHECK(r.at("number") == "A001");
    CHECK_FALSE(r.contains("level"));  // not claimed: it may not be this press's
  }
  SECTION("no answer at all: said so; 返回 is the rating screen, and a retry meeting already_rated is thanks") {
    F f = at_rating();
    REQUIRE(rate(f, "2"));
    f.flow.finish_rating(rating_reply(0, "", "", true), f.now);
    CHECK(f.screen() == "error");
    CHECK(f.view().at("result").at("code") == "controller_unreachable");
    CHECK(f.view().at("result").at("message_zh") == "暂时无法提交评价，请按“返回”再试一次，或到咨询台。");
    f.ok("back");
    CHECK(f.screen() == "rating");
    CHECK(f.view().at("result").at("number") == "A001");
    auto req = rate(f, "2");
    REQUIRE(req);
    CHECK((req->ticket == 42 && req->key == kKey));
    f.flow.finish_rating(rating_reply(409, "already_rated", "本次服务已评价，一次一评"), f.now);
    CHECK(f.screen() == "rated");
  }
  SECTION("a 503 (not stored) decided nothing: try again") {
    F f = at_rating();
    REQUIRE(rate(f, "4"));
    f.flow.finish_rating(rating_reply(503, "store_failed", "暂时无法保存"), f.now);
    CHECK(f.view().at("result").at("code") == "rating_failed");
    f.ok("back");
    CHECK(f.screen() == "rating");
    REQUIRE(rate(f, "4"));
    f.flow.finish_rating(rating_reply(201), f.now);
    CHECK(f.screen() == "rated");
    CHECK(f.view().at("result").at("label") == "满意");
  }
  SECTION("the controller known to be away when pressed: nothing sent") {
    F f = at_rating();
    f.st.online = false;
    CHECK_FALSE(rate(f, "5"));
    CHECK(f.screen() == "error");
    CHECK(f.view().at("result").at("code") == "controller_unreachable");
    f.st.online = true;
    f.ok("back");
    CHECK(f.screen() == "rating");
    CHECK(rate(f, "5"));
  }
  SECTION("the error screen times out to idle like any other") {
    F f = at_rating();
    REQUIRE(rate(f, "5"));
    f.flow.finish_rating(rating_reply(0), f.now);
    f.now += seconds{15};
    CHECK(f.flow.tick(f.now));
    CHECK(f.screen() == "idle");
    CHECK_FALSE(f.view().contains("rating"));
  }
}
