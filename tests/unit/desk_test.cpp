// The kiosk's ticket desk under the no-phantom-ticket contract (docs/printing.md), against a
// scripted controller and printer: every branch of issue → print → reprint → void, and what
// the journal keeps for later. The same branches run against the real controller and printer
// simulator in tests/integration/test_no_phantom.py.
#include "hallq/kiosk/ticket_desk.hpp"

#include <boost/json.hpp>
#include "hallq_catch.hpp"

#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace json = boost::json;
using namespace hallq;
using namespace hallq::kiosk;
using escpos::JobOutcome;
using escpos::JobResult;
using escpos::Status;

HttpReply answer(int status, json::value body = nullptr) {
  HttpReply r;
  r.status = status;
  r.sent = true;
  r.body = std::move(body);
  return r;
}
HttpReply no_answer(bool sent) {
  HttpReply r;
  r.sent = sent;
  r.error = sent ? "read: timed out" : "connect: Connection refused";
  return r;
}
HttpReply error_reply(int status, const char* code, const char* zh) {
  return answer(status, json::object{{"error", json::object{{"code", code}, {"message", code}, {"message_zh", zh}}}});
}
json::object ticket(std::int64_t id, const char* number, const char* state = "waiting") {
  return json::object{{"id", id},         {"number", number},         {"service", "minzheng"},
                      {"service_name", "民政救助"}, {"priority", "elderly"},   {"state", state},
                      {"issued_at", "2026-03-02T10:00:01.001+08:00"}, {"ahead", 3}, {"estimated_wait_s", 61},
                      {"rate_key", "00112233445566" + std::to_string(10 + id % 90)}};
}

// A controller that answers from scripts and records every call.
struct FakeController final : ControllerApi {
  std::deque<HttpReply> issues, finds, voids, check_ins;
  std::vector<std::string> calls;
  std::vector<std::string> request_ids;
  std::vector<std::pair<std::string, bool>> reports;
  static HttpReply next(std::deque<HttpReply>& q) {
    REQUIRE_FALSE(q.empty());
    HttpReply r = q.front();
    q.pop_front();
    return r;
  }
  HttpReply issue(const std::string&, const std::string&, const std::string& rid) override {
    calls.push_back("issue");
    request_ids.push_back(rid);
    return next(issues);
  }
  // Not ControllerApi's: the desk reaches it through DeskOptions::check_in.
  HttpReply check_in(const std::string& code, const std::string& rid) {
    calls.push_back("check-in " + code);
    request_ids.push_back(rid);
    return next(check_ins);
  }
  HttpReply find_request(const std::string& rid) override {
    calls.push_back("find " + rid);
    return next(finds);
  }
  HttpReply void_ticket(std::int64_t id, const std::string& reason) override {
    calls.push_back("void " + std::to_string(id) + " " + reason);
    return next(voids);
  }
  HttpReply report(const std::string& printer, bool accepting, const std::string&) override {
    reports.emplace_back(printer, accepting);
    return answer(200, json::object{});
  }
  HttpReply services() override {
    json::array materials{"申请书", "身份证"};
    json::object item{{"id", "dibao"}, {"name", "最低生活保障申请"}, {"materials", materials},
                      {"guide_url", "https://guide.example.org/dibao"}};
    return answer(200, json::object{{"services", json::array{json::object{{"id", "minzheng"}, {"items", json::array{item}}}}}});
  }
  HttpReply hall() override {
    json::object printing{{"header", json::array{"便民 高效"}}, {"footer", json::array{"过号请到咨询台"}},
                          {"ticket_url", "http://centre/t/{id}"}};
    return answer(200, json::object{{"centre", "测试镇便民服务中心"}, {"complaint_phone", "12345"}, {"printing", printing}});
  }
};

Status st(bool answered, bool paper_out = false, bool cover = false, bool near = false) {
  Status s;
  s.answered = answered;
  s.paper_out = paper_out;
  s.cover_open = cover;
  s.paper_near_end = near;
  return s;
}
const Status kOk = st(true);
const Status kPaperOut = st(true, true);

struct FakePrinter final : TicketPrinter {
  std::deque<Expected<Status, std::string>> statuses;  // the last one repeats
  std::deque<JobResult> results;
  std::vector<std::vector<std::uint8_t>> printed;
  Expected<Status, std::string> status() override {
    REQUIRE_FALSE(statuses.empty());
    auto s = statuses.front();
    if (statuses.size() > 1) statuses.pop_front();
    return s;
  }
  JobResult print(const std::vector<std::uint8_t>& job) override {
    REQUIRE_FALSE(results.empty());
    printed.push_back(job);
    JobResult r = results.front();
    results.pop_front();
    return r;
  }
};
JobResult job(JobOutcome o, Status after = kOk) {
  JobResult r;
  r.outcome = o;
  r.before = kOk;
  r.after = after;
  r.confirmed = o == JobOutcome::Printed;
  return r;
}

struct Desk {
  FakeController api;
  FakePrinter printer;
  Journal journal;
  std::vector<Millis> slept;
  TicketDesk desk;
  explicit Desk(std::string path = "")
      : journal(std::move(path)), desk(options(), api, printer, journal) {}
  DeskOptions options() {
    DeskOptions o;
    o.device_id = "kiosk-1";
    o.status_url = "http://hall.local/t/{id}?n={number}&d={day}&k={key}";
    o.reprint_within = Millis{200};
    o.printer_poll = Millis{10};
    o.issue_attempts = 3;
    o.issue_retry_gap = Millis{5};
    o.sleep = [this](Millis d) {
      slept.push_back(d);
      std::this_thread::sleep_for(d);
    };
    o.check_in = [this](const std::string& code, const std::string& rid) { return api.check_in(code, rid); };
    return o;
  }
  TakeOutcome take() { return desk.take(TakeRequest{"minzheng", "elderly", "dibao"}); }
};

}  // namespace

TEST_CASE("no phantom: an empty printer issues nothing and stops the kiosk", "[desk]") {
  Desk d;
  d.printer.statuses = {kPaperOut};
  TakeOutcome o = d.take();
  CHECK(o.result == TakeResult::PrinterUnavailable);
  CHECK(o.code == "paper_out");
  CHECK(o.message_zh.find("打印纸已用完") != std::string::npos);
  CHECK(d.api.calls.empty());
  CHECK_FALSE(d.desk.accepting());
  REQUIRE(d.api.reports.size() == 1);
  CHECK(d.api.reports[0] == std::pair<std::string, bool>("paper_out", false));
  // Nothing changed: no second report; a heartbeat reports again.
  d.take();
  CHECK(d.api.reports.size() == 1);
  d.desk.check_printer(true);
  CHECK(d.api.reports.size() == 2);
  // An unreachable printer counts as offline; a silent one (never answers) still prints.
  d.printer.statuses = {Expected<Status, std::string>(unexpected(std::string("connect: refused")))};
  CHECK_FALSE(d.desk.check_printer(false));
  CHECK(d.desk.printer_state() == "offline");
  d.printer.statuses = {st(false)};
  CHECK(d.desk.check_printer(false));
  CHECK(d.desk.printer_state() == "unknown");
}

TEST_CASE("no phantom: printed at once, with the materials list and the status QR", "[desk]") {
  Desk d;
  d.printer.statuses = {kOk};
  d.api.issues = {answer(201, ticket(7, "A007"))};
  d.printer.results = {job(JobOutcome::Printed)};
  TakeOutcome o = d.take();
  CHECK(o.result == TakeResult::Printed);
  CHECK(o.prints == 1);
  CHECK(d.journal.entries().empty());
  CHECK(d.desk.accepting());
  CHECK(o.message_zh.find("A007") != std::string::npos);
  escpos::TicketData t = d.desk.ticket_data(ticket(7, "A007"), "dibao");
  CHECK(t.centre == "测试镇便民服务中心");
  CHECK(t.priority == "老年人优先");
  CHECK(t.wait_minutes == 2);  // 61 s rounds up
  CHECK(t.issued_at == "2026-03-02 10:00");
  // {key}: the ticket's own secret from the controller, which lets its page take the rating.
  CHECK(t.status_url == "http://hall.local/t/7?n=A007&d=2026-03-02&k=0011223344556617");
  CHECK(t.item == "最低生活保障申请");
  CHECK(t.materials == std::vector<std::string>{"申请书", "身份证"});
  CHECK(t.complaint_phone == "12345");
  // The ticket as printed carries the centre's [printing] header and footer.
  REQUIRE(d.printer.printed.size() == 1);
  const std::string bytes(d.printer.printed[0].begin(), d.printer.printed[0].end());
  for (const char* gb : {"\xB1\xE3\xC3\xF1", "\xB9\xFD\xBA\xC5"})  // 便民, 过号 in GB18030
    CHECK(bytes.find(gb) != std::string::npos);
}

TEST_CASE("no phantom: the kiosk's own ticket URL wins over the centre's", "[desk]") {
  FakeController api;
  FakePrinter printer;
  Journal journal("");
  DeskOptions o;
  o.device_id = "kiosk-1";
  TicketDesk plain(o, api, printer, journal);
  plain.refresh_info();
  CHECK(plain.ticket_data(ticket(7, "A007"), "").status_url == "http://centre/t/7");
  o.status_url = "http://kiosk/{number}";
  TicketDesk own(o, api, printer, journal);
  own.refresh_info();
  CHECK(own.ticket_data(ticket(7, "A007"), "").status_url == "http://kiosk/A007");
}

TEST_CASE("no phantom: paper ends right after a printed ticket: it stands, the kiosk stops", "[desk]") {
  Desk d;
  d.printer.statuses = {kOk};
  d.api.issues = {answer(201, ticket(7, "A007"))};
  d.printer.results = {job(JobOutcome::Printed, kPaperOut)};
  CHECK(d.take().result == TakeResult::Printed);
  CHECK(d.api.calls == std::vector<std::string>{"issue"});
  CHECK_FALSE(d.desk.accepting());
  CHECK(d.api.reports.back() == std::pair<std::string, bool>("paper_out", false));
}

TEST_CASE("no phantom: the controller refuses or never got the request: nothing to settle", "[desk]") {
  Desk d;
  d.printer.statuses = {kOk};
  d.api.issues = {error_reply(409, "daily_limit_reached", "该业务今日号源已取完")};
  TakeOutcome o = d.take();
  CHECK(o.result == TakeResult::Refused);
  CHECK(o.code == "daily_limit_reached");
  CHECK(o.message_zh == "该业务今日号源已取完");
  CHECK(d.journal.entries().empty());

  d.api.issues = {no_answer(false), no_answer(false), no_answer(false)};
  o = d.take();
  CHECK(o.result == TakeResult::ControllerUnreachable);
  CHECK(o.message_zh == "暂停取号，请到咨询台办理。");
  CHECK(d.journal.entries().empty());
  CHECK(d.slept.size() == 2);
}

TEST_CASE("no phantom: a lost answer is retried with the same request id", "[desk]") {
  Desk d;
  d.printer.statuses = {kOk};
  d.api.issues = {no_answer(true), answer(201, ticket(7, "A007"))};
  d.printer.results = {job(JobOutcome::Printed)};
  CHECK(d.take().result == TakeResult::Printed);
  REQUIRE(d.api.request_ids.size() == 2);
  CHECK(d.api.request_ids[0] == d.api.request_ids[1]);
  CHECK(d.api.request_ids[0].rfind("kiosk-1-", 0) == 0);
  CHECK(d.api.request_ids[0].size() <= 64);
  // The next ticket gets a new id.
  d.api.issues = {answer(201, ticket(8, "A008"))};
  d.printer.results = {job(JobOutcome::Printed)};
  d.take();
  CHECK(d.api.request_ids[2] != d.api.request_ids[0]);
}

TEST_CASE("no phantom: network cut between issue and answer: resolved later by request id", "[desk]") {
  Desk d;
  d.printer.statuses = {kOk};
  d.api.issues = {no_answer(true), no_answer(true), no_answer(true)};
  TakeOutcome o = d.take();
  CHECK(o.result == TakeResult::IssueUnconfirmed);
  CHECK(d.printer.printed.empty());
  REQUIRE(d.journal.entries().size() == 1);
  const std::string rid = d.journal.entries()[0].request_id;
  CHECK(d.journal.entries()[0].stage == PendingTicket::Stage::Issuing);

  SECTION("still cut off: kept") {
    d.api.finds = {no_answer(false)};
    CHECK(d.desk.resolve_pending() == 1);
  }
  SECTION("the controller had issued it: voided") {
    d.api.finds = {answer(200, ticket(9, "A009"))};
    d.api.voids = {answer(200, ticket(9, "A009", "voided"))};
    CHECK(d.desk.resolve_pending() == 0);
    CHECK(d.api.calls.back() == "void 9 issue_unconfirmed");
  }
  SECTION("it was never issued: dropped without a void") {
    d.api.finds = {error_reply(404, "unknown_request", "今日没有该请求的号码")};
    CHECK(d.desk.resolve_pending() == 0);
    CHECK(d.api.calls.back() == "find " + rid);
  }
  SECTION("already called by a clerk: left alone") {
    d.api.finds = {answer(200, ticket(9, "A009", "called"))};
    CHECK(d.desk.resolve_pending() == 0);
    CHECK(d.api.calls.back() == "find " + rid);
  }
}

TEST_CASE("no phantom: a failed print is reprinted once if the printer recovers in time", "[desk]") {
  Desk d;
  d.printer.statuses = {kOk, kPaperOut, kPaperOut, kOk};
  d.api.issues = {answer(201, ticket(7, "A007"))};
  d.printer.results = {job(JobOutcome::Suspect, kPaperOut), job(JobOutcome::Printed)};
  TakeOutcome o = d.take();
  CHECK(o.result == TakeResult::Reprinted);
  CHECK(o.prints == 2);
  REQUIRE(d.printer.printed.size() == 2);
  CHECK(d.printer.printed[0] == d.printer.printed[1]);  // the same ticket, the same number
  CHECK(d.journal.entries().empty());
  CHECK(d.desk.accepting());
  CHECK(std::find(d.api.calls.begin(), d.api.calls.end(), "void 7 print_failed") == d.api.calls.end());
}

TEST_CASE("no phantom: a ticket that does not print is voided and the kiosk stops", "[desk]") {
  Desk d;
  d.printer.statuses = {kOk, kPaperOut};
  d.api.issues = {answer(201, ticket(7, "A007"))};
  const JobOutcome how = GENERATE(JobOutcome::Suspect, JobOutcome::Failed, JobOutcome::Refused);
  d.printer.results = {job(how, kPaperOut)};

  SECTION("void accepted") {
    d.api.voids = {answer(200, ticket(7, "A007", "voided"))};
    TakeOutcome o = d.take();
    CHECK(o.result == TakeResult::Voided);
    CHECK(o.message_zh == "号票打印失败，本次取号已作废，请到咨询台办理。");
    CHECK(d.api.calls.back() == "void 7 print_failed");
    CHECK(d.journal.entries().empty());
    CHECK_FALSE(d.desk.accepting());
    CHECK(d.api.reports.back() == std::pair<std::string, bool>("paper_out", false));
    CHECK(d.printer.printed.size() == 1);  // the printer never recovered: no reprint
  }
  SECTION("void not answered: kept and sent later") {
    d.api.voids = {no_answer(true)};
    TakeOutcome o = d.take();
    CHECK(o.result == TakeResult::VoidPending);
    REQUIRE(d.journal.entries().size() == 1);
    CHECK(d.journal.entries()[0].stage == PendingTicket::Stage::VoidPending);
    CHECK(d.journal.entries()[0].ticket == 7);
    d.api.voids = {answer(200, ticket(7, "A007", "voided"))};
    CHECK(d.desk.resolve_pending() == 0);
    CHECK(d.api.calls.back() == "void 7 print_failed");
  }
  SECTION("already called: the number stands and the citizen is told so") {
    d.api.voids = {error_reply(409, "wrong_state", "该号码已被叫号，不能作废")};
    TakeOutcome o = d.take();
    CHECK(o.result == TakeResult::PrintFailedCalled);
    CHECK(o.message_zh.find("A007") != std::string::npos);
    CHECK(d.journal.entries().empty());
  }
}

TEST_CASE("R-APPT-1 a booking's check-in is issued, printed and voided like any ticket", "[desk]") {
  Desk d;
  d.printer.statuses = {kOk};
  json::object t = ticket(8, "A008");
  t["priority"] = "appointment";
  const TakeRequest req{.priority = "appointment", .appointment = "123456"};

  SECTION("printed, with the 预约 mark; a lost answer retried with the same request id") {
    d.api.check_ins = {no_answer(true), answer(201, t)};
    d.printer.results = {job(JobOutcome::Printed)};
    TakeOutcome o = d.desk.take(req);
    CHECK(o.result == TakeResult::Printed);
    CHECK(d.api.calls == std::vector<std::string>{"check-in 123456", "check-in 123456"});
    REQUIRE(d.api.request_ids.size() == 2);
    CHECK(d.api.request_ids[0] == d.api.request_ids[1]);
    CHECK(d.journal.entries().empty());
    CHECK(d.desk.ticket_data(o.ticket, "").priority == "预约");
    REQUIRE(d.printer.printed.size() == 1);
    const std::string bytes(d.printer.printed[0].begin(), d.printer.printed[0].end());
    CHECK(bytes.find("\xD4\xA4\xD4\xBC") != std::string::npos);  // 预约 in GB18030
  }
  SECTION("refused (too early): the controller's message, nothing printed or kept") {
    d.api.check_ins = {error_reply(409, "too_early", "您的预约时段为 11:30，请于 11:00 后签到")};
    TakeOutcome o = d.desk.take(req);
    CHECK(o.result == TakeResult::Refused);
    CHECK(o.code == "too_early");
    CHECK(o.message_zh == "您的预约时段为 11:30，请于 11:00 后签到");
    CHECK(d.printer.printed.empty());
    CHECK(d.journal.entries().empty());
  }
  SECTION("not printed: voided") {
    d.printer.statuses = {kOk, kPaperOut};
    d.api.check_ins = {answer(201, t)};
    d.printer.results = {job(JobOutcome::Failed, kPaperOut)};
    d.api.voids = {answer(200, ticket(8, "A008", "voided"))};
    CHECK(d.desk.take(req).result == TakeResult::Voided);
    CHECK(d.api.calls == std::vector<std::string>{"check-in 123456", "void 8 print_failed"});
    CHECK(d.journal.entries().empty());
  }
  SECTION("no answer at all: resolved later by request id") {
    d.api.check_ins = {no_answer(true), no_answer(true), no_answer(true)};
    CHECK(d.desk.take(req).result == TakeResult::IssueUnconfirmed);
    REQUIRE(d.journal.entries().size() == 1);
    d.api.finds = {answer(200, t)};
    d.api.voids = {answer(200, ticket(8, "A008", "voided"))};
    CHECK(d.desk.resolve_pending() == 0);
    CHECK(d.api.calls.back() == "void 8 issue_unconfirmed");
  }
}

TEST_CASE("no phantom: a kiosk that stopped while printing voids the ticket on restart", "[desk]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("hallq-desk-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "journal.json").string();
  {
    Journal j(path);
    REQUIRE(j.load());
    PendingTicket p;
    p.stage = PendingTicket::Stage::Printing;
    p.request_id = "kiosk-1-x-1";
    p.ticket = 7;
    p.number = "A007";
    REQUIRE(j.put(p));
  }
  Desk d(path);
  REQUIRE(d.journal.load());
  REQUIRE(d.journal.entries().size() == 1);
  d.api.voids = {answer(200, ticket(7, "A007", "voided"))};
  CHECK(d.desk.resolve_pending() == 0);
  CHECK(d.api.calls == std::vector<std::string>{"void 7 print_unconfirmed"});
  Journal again(path);
  REQUIRE(again.load());
  CHECK(again.entries().empty());
  fs::remove_all(dir);
}

TEST_CASE("no phantom: a kiosk that cannot write its journal issues nothing", "[desk]") {
  Desk d("/nonexistent-dir/journal.json");
  d.printer.statuses = {kOk};
  TakeOutcome o = d.take();
  CHECK(o.result == TakeResult::KioskFault);
  CHECK(d.api.calls.empty());
}

TEST_CASE("journal: round trip, damaged files set aside, nothing guessed", "[desk]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("hallq-journal-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "j.json").string();
  Journal j(path);
  REQUIRE(j.load());  // missing: empty
  CHECK(j.entries().empty());
  PendingTicket a{PendingTicket::Stage::Issuing, "r1", 0, "", ""};
  PendingTicket b{PendingTicket::Stage::VoidPending, "r2", 9, "A009", "print_failed"};
  REQUIRE(j.put(a));
  REQUIRE(j.put(b));
  a.stage = PendingTicket::Stage::Printing;
  a.ticket = 8;
  REQUIRE(j.put(a));  // replaces
  Journal k(path);
  REQUIRE(k.load());
  REQUIRE(k.entries().size() == 2);
  CHECK(k.entries()[0].stage == PendingTicket::Stage::Printing);
  CHECK(k.entries()[0].ticket == 8);
  CHECK(k.entries()[1].reason == "print_failed");
  REQUIRE(k.remove("r1"));
  REQUIRE(k.load());
  CHECK(k.entries().size() == 1);

  for (const char* bad : {"{not json", "[]", "{\"version\":2,\"pending\":[]}",
                          "{\"version\":1,\"pending\":[{\"stage\":\"printing\",\"request_id\":\"r\",\"ticket\":0}]}",
                          "{\"version\":1,\"pending\":[{\"stage\":\"lost\",\"request_id\":\"r\",\"ticket\":1}]}"}) {
    INFO(bad);
    { std::ofstream(path) << bad; }
    Journal m(path);
    auto r = m.load();
    REQUIRE_FALSE(r);
    CHECK(r.error().find("damaged") != std::string::npos);
    CHECK(fs::exists(path + ".damaged"));
    CHECK_FALSE(fs::exists(path));
    CHECK(m.entries().empty());
  }
  fs::remove_all(dir);
}

TEST_CASE("controller URL parsing", "[desk]") {
  auto u = parse_controller_url("http://192.168.1.10:8080/");
  REQUIRE(u);
  CHECK(u->host == "192.168.1.10");
  CHECK(u->port == "8080");
  CHECK(parse_controller_url("http://hall.local")->port == "80");
  for (const char* bad : {"https://x:1", "x:80", "http://", "http://h:0", "http://h:99999", "http://h:80/api"}) {
    INFO(bad);
    CHECK_FALSE(parse_controller_url(bad));
  }
  // https: the controller's key pin(s) (docs/security.md "TLS on the LAN").
  const std::string a = "sha256//W5rHj0JIG1iShj3x3/jaIOoKMID4E4rRdmYbjHHXcyA=";
  const std::string b = "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  auto s = parse_controller_url("https://192.168.1.10", a);
  REQUIRE(s);
  CHECK(s->tls);
  CHECK(s->port == "443");
  CHECK(s->pins == std::vector<std::string>{a});
  auto two = parse_controller_url("https://hall.local:8443/", a + ", " + b);
  REQUIRE(two);
  CHECK(two->port == "8443");
  CHECK(two->pins == std::vector<std::string>{a, b});
  CHECK_FALSE(parse_controller_url("https://h", ""));                      // a pin is required
  CHECK_FALSE(parse_controller_url("http://h", a));                        // and only with https
  CHECK_FALSE(parse_controller_url("https://h", a + ","));                 // an empty pin in the list
  CHECK_FALSE(parse_controller_url("https://h", "sha1//" + a.substr(8)));  // another digest
  CHECK_FALSE(parse_controller_url("https://h", a.substr(0, a.size() - 1)));
  CHECK_FALSE(parse_controller_url("https://h", a.substr(0, 20) + "*" + a.substr(21)));
  CHECK_FALSE(parse_controller_url("https://h", "sha256//" + std::string(44, 'A')));  // no padding
}
