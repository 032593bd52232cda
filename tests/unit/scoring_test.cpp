// Staff scoring (R-SCORE-1..3, R-ATT-1, R-AB-3/4, R-EVAL-1, R-COMP-1, R-ONCE-4): months built
// from event sequences of a real engine (sign-ins, pauses, cases, roll-overs, ratings,
// complaints, the manager's findings), scored under both seed presets, every line checked with
// its rule, points and event. Nothing reads the clock.
#include "hallq/controller/scoring.hpp"

#include "engine/pick.hpp"
#include "engine/rows.hpp"
#include "hallq/controller/registers.hpp"
#include "hallq/controller/stats.hpp"

#include <boost/json.hpp>
#include "hallq_catch.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using namespace hallq::engine;
using hallq::Date;
using hallq::HallConfig;
using hallq::Minutes;
using hallq::TimePoint;
using hallq::TimeZone;
using hallq::rules::ClerkScore;
using hallq::rules::ScoreLine;
using std::chrono::hours;

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

// March 2026: the 2nd is a Monday. Two windows share the B clerk c02 (R-AB-1); m01 manages.
HallConfig make_config() {
  HallConfig c;
  c.centre.name = "测试镇便民服务中心";
  c.services = {hallq::ServiceConfig{
      .id = "hukou", .name = "户籍", .prefix = 'A',
      .items = {hallq::ServiceItem{.id = "qianyi", .name = "户口迁移", .kind = hallq::ItemKind::Promised,
                                   .materials = {"身份证", "户口簿", "准迁证"}, .time_limit_days = 5}}}};
  c.windows = {
      hallq::WindowConfig{.number = 1, .name = "1号窗口", .services = {"hukou"}, .clerk_a = "c01", .clerk_b = "c02"},
      hallq::WindowConfig{.number = 2, .name = "2号窗口", .services = {"hukou"}, .clerk_a = "c03", .clerk_b = "c02"},
  };
  for (const char* id : {"c01", "c02", "c03"})
    c.clerks.push_back(hallq::ClerkConfig{.id = id, .name = std::string("name-") + id, .role = hallq::Role::Clerk, .pin_hash = "x"});
  c.clerks.push_back(hallq::ClerkConfig{.id = "m01", .name = "m01", .role = hallq::Role::Manager, .pin_hash = "x"});
  return c;
}

const Actor kSystem{Actor::Kind::System, "system"};
const Actor kKiosk{Actor::Kind::Device, "kiosk-1"};
const Actor kEvaluator{Actor::Kind::Device, "display-1"};
const Actor kManager{Actor::Kind::Manager, "m01"};
Actor clerk(const char* id) { return Actor{Actor::Kind::Clerk, id}; }

// A hall whose engine keeps every event it made: the log the scores are computed from.
struct Hall {
  HallConfig config = make_config();
  hallq::WorkingCalendar calendar;
  Engine engine{config, tz(), calendar};
  std::vector<Event> log;
  std::map<TicketId, std::string> ticket_rows;  // the projections, as the store keeps them
  std::map<CaseId, std::string> case_rows;

  json::value run(const Command& c, const Actor& a, TimePoint t) {
    auto r = engine.execute(c, a, t);
    INFO((r ? std::string("ok") : r.error().message));
    REQUIRE(r.has_value());
    for (const auto& row : engine.take_changes().tickets) ticket_rows[row.id] = row.json;
    for (const auto& row : r->changes.cases) case_rows[row.id] = row.json;
    for (const auto& row : r->changes.tickets) ticket_rows[row.id] = row.json;
    for (const auto& e : r->events) log.push_back(e);
    return r->reply;
  }
  void day(const char* d) { run(RollOver{}, kSystem, at(d, 0, 1)); }
  void sign_in(const char* who, int window, const char* d, int h, int m) { run(SignIn{window}, clerk(who), at(d, h, m)); }
  void sign_out(const char* who, int window, const char* d, int h, int m) { run(SignOut{window}, clerk(who), at(d, h, m)); }
  // One citizen served at the window: called, started and finished, optionally with a case.
  void serve(const char* who, int window, const char* d, int h, int m, std::optional<CaseInput> input = std::nullopt,
             bool consultation = true) {
    run(IssueTicket{"hukou"}, kKiosk, at(d, h, m));
    run(CallNext{window}, clerk(who), at(d, h, m));
    run(StartService{window}, clerk(who), at(d, h, m));
    run(Finish{window, std::move(input), consultation}, clerk(who), at(d, h, m + 5));
  }
  // A full day at window w for clerk who: 08:30 to 17:30.
  void full_day(const char* who, int w, const char* d) {
    sign_in(who, w, d, 8, 30);
    sign_out(who, w, d, 17, 30);
  }

  std::vector<ClerkScore> score(const char* preset, const char* first, const char* last, TimePoint now,
                                std::vector<std::pair<std::string, int>> points = {}) {
    config.scoring.preset = preset;
    config.scoring.points = std::move(points);
    const hallq::Rulebook book = config.scoring.rulebook();
    hallq::rules::ScoreInput in{date(first), date(last), now, log};
    return hallq::rules::score_period(config, book, calendar, tz(), in);
  }
};

const ClerkScore& of(const std::vector<ClerkScore>& v, const std::string& id) {
  for (const auto& s : v)
    if (s.clerk == id) return s;
  FAIL("no score for " << id);
  return v.front();
}

// The lines of one rule (all rules: "").
std::vector<ScoreLine> lines(const ClerkScore& s, const std::string& rule) {
  std::vector<ScoreLine> out;
  for (const auto& l : s.lines)
    if (rule.empty() || l.rule == rule) out.push_back(l);
  return out;
}

std::string dump(const ClerkScore& s) {
  std::string out = s.clerk + " " + std::to_string(s.score) + ":";
  for (const auto& l : s.lines)
    out += " [" + l.rule + " " + std::to_string(l.points) + (l.pending ? " pending" : "") + " " + l.date + " #" +
           std::to_string(l.event) + " " + l.detail + "]";
  return out;
}

const Event& event(const Hall& h, Seq seq) {
  for (const auto& e : h.log)
    if (e.seq == seq) return e;
  FAIL("no event " << seq);
  return h.log.front();
}

CaseInput promised() {
  return CaseInput{.type = CaseType::Promised, .item = "qianyi", .applicant = {"王*", "sealed"},
                   .received = {"身份证", "户口簿", "准迁证"}};
}

}  // namespace

TEST_CASE("R-ATT-1: late, left early and away without cover, under both presets", "[scoring]") {
  Hall h;
  const char* d = "2026-03-02";
  h.day(d);
  h.sign_in("c01", 1, d, 8, 42);   // 12 min late
  h.sign_out("c01", 1, d, 10, 0);  // away 10:00-10:30, nobody at window 1
  h.sign_in("c01", 1, d, 10, 30);
  h.sign_out("c01", 1, d, 16, 55);  // 35 min early
  h.full_day("c03", 2, d);
  h.day("2026-03-03");
  const TimePoint now = at("2026-03-03", 9, 0);

  SECTION("shexi-2022: each instance -1 in discipline") {
    auto v = h.score("shexi-2022", d, d, now);
    const ClerkScore& c01 = of(v, "c01");
    INFO(dump(c01));
    REQUIRE(lines(c01, "late").size() == 1);
    CHECK(lines(c01, "late")[0].points == -1);
    CHECK(lines(c01, "late")[0].detail_en == "signed in 08:42 (12 min)");
    CHECK(event(h, lines(c01, "late")[0].event).type == "ClerkSignedIn");
    REQUIRE(lines(c01, "away").size() == 1);
    CHECK(lines(c01, "away")[0].detail_en == "10:00-10:30 signed out (30 min)");
    CHECK(event(h, lines(c01, "away")[0].event).type == "ClerkSignedOut");
    REQUIRE(lines(c01, "early_long").size() == 1);
    CHECK(lines(c01, "early_long")[0].points == -1);
    CHECK(c01.sections.at("discipline") == 27);
    CHECK(c01.score == 97);
    CHECK(of(v, "c03").score == 100);
    CHECK(lines(of(v, "c03"), "").size() == 1);  // the satisfaction line only: no ratings, no loss
    CHECK(lines(of(v, "c03"), "satisfaction")[0].points == 0);
    CHECK(of(v, "c02").score == 100);  // a B post alone is not expected every day
  }
  SECTION("erping-2023: over 30 minutes costs 2") {
    auto v = h.score("erping-2023", d, d, now);
    const ClerkScore& c01 = of(v, "c01");
    INFO(dump(c01));
    CHECK(lines(c01, "late")[0].points == -1);
    CHECK(lines(c01, "away")[0].points == -1);
    CHECK(lines(c01, "early_long")[0].points == -2);
    CHECK(c01.score == 96);
    CHECK(lines(of(v, "c03"), "").empty());  // no satisfaction bands in 002
  }
  SECTION("a grace period and changed points come from the config") {
    h.config.scoring.late_grace_minutes = 15;
    auto v = h.score("erping-2023", d, d, now, {{"away", -4}});
    const ClerkScore& c01 = of(v, "c01");
    INFO(dump(c01));
    CHECK(lines(c01, "late").empty());
    CHECK(lines(c01, "away")[0].points == -4);
    CHECK(c01.score == 94);
  }
  SECTION("a day is not scored before it is over") {
    auto v = h.score("erping-2023", d, d, at(d, 17, 0));
    CHECK(lines(of(v, "c01"), "").empty());
    v = h.score("erping-2023", d, d, at(d, 17, 30));
    CHECK(of(v, "c01").score == 96);
  }
}

TEST_CASE("R-ATT-1 / 002: more than an hour late is a day's absence, charged once", "[scoring]") {
  Hall h;
  const char* d = "2026-03-02";
  h.day(d);
  h.sign_in("c01", 1, d, 9, 31);  // 61 min late
  h.sign_out("c01", 1, d, 16, 55);
  h.full_day("c03", 2, d);
  h.day("2026-03-03");
  auto v = h.score("erping-2023", d, d, at("2026-03-03", 9, 0));
  const ClerkScore& c01 = of(v, "c01");
  INFO(dump(c01));
  REQUIRE(lines(c01, "").size() == 1);
  CHECK(lines(c01, "absent_day")[0].points == -3);
  CHECK(lines(c01, "absent_day")[0].detail_en == "signed in 09:31 (61 min)");
  CHECK(c01.score == 97);
  // 001 has no such rule: late and early are charged as they are.
  v = h.score("shexi-2022", d, d, at("2026-03-03", 9, 0));
  CHECK(lines(of(v, "c01"), "late_long").size() == 1);
  CHECK(lines(of(v, "c01"), "early_long").size() == 1);
  CHECK(of(v, "c01").score == 98);
}

TEST_CASE("R-AB-4: a day without a sign-in, covered by B or on recorded leave", "[scoring]") {
  Hall h;
  const char* mon = "2026-03-02";
  const char* tue = "2026-03-03";
  h.day(mon);
  h.full_day("c02", 1, mon);  // B covers window 1 on Monday
  h.full_day("c03", 2, mon);
  h.day(tue);
  h.full_day("c03", 2, tue);  // nobody at window 1 on Tuesday
  h.day("2026-03-04");
  const TimePoint now = at("2026-03-04", 9, 0);

  SECTION("shexi-2022: covered costs nothing, uncovered -2 a day") {
    auto v = h.score("shexi-2022", mon, tue, now);
    const ClerkScore& c01 = of(v, "c01");
    INFO(dump(c01));
    REQUIRE(lines(c01, "excused").size() == 1);
    CHECK(lines(c01, "excused")[0].date == mon);
    CHECK(lines(c01, "excused")[0].points == 0);
    REQUIRE(lines(c01, "absent_day").size() == 1);
    CHECK(lines(c01, "absent_day")[0].date == tue);
    CHECK(lines(c01, "absent_day")[0].points == -2);
    // The absence points at the roll-over that closed the day.
    CHECK(event(h, lines(c01, "absent_day")[0].event).type == "DayRolledOver");
    CHECK(c01.score == 98);
  }
  SECTION("erping-2023: -3 a day unless a manager recorded the leave") {
    auto v = h.score("erping-2023", mon, tue, now);
    CHECK(lines(of(v, "c01"), "absent_day").size() == 2);
    CHECK(of(v, "c01").score == 94);
    CHECK(json::serialize(h.run(RecordLeave{"c01", date(tue), date(tue), "sick", "病假"}, kManager, at("2026-03-04", 9, 0))) ==
          R"({"leave":1,"clerk":"c01","from":")" + std::string(tue) + R"(","to":")" + std::string(tue) + R"("})");
    v = h.score("erping-2023", mon, tue, now);
    const ClerkScore& c01 = of(v, "c01");
    INFO(dump(c01));
    REQUIRE(lines(c01, "absent_day").size() == 1);
    CHECK(lines(c01, "absent_day")[0].date == mon);
    REQUIRE(lines(c01, "excused").size() == 1);
    CHECK(event(h, lines(c01, "excused")[0].event).type == "LeaveRecorded");
    CHECK(c01.score == 97);
  }
}

TEST_CASE("R-AB-3: a pause past the alert is time away from the window", "[scoring]") {
  Hall h;
  const char* d = "2026-03-02";
  h.day(d);
  h.full_day("c01", 1, d);
  h.sign_in("c03", 2, d, 8, 30);
  h.run(PauseWindow{2, "取材料"}, clerk("c03"), at(d, 10, 0));
  h.run(FlagPauseOverruns{}, kSystem, at(d, 10, 4));
  h.run(ResumeWindow{2}, clerk("c03"), at(d, 10, 40));
  h.run(PauseWindow{2, "喝水"}, clerk("c03"), at(d, 11, 0));  // 2 minutes: no alert, no line
  h.run(ResumeWindow{2}, clerk("c03"), at(d, 11, 2));
  h.sign_out("c03", 2, d, 17, 30);
  h.day("2026-03-03");
  auto v = h.score("erping-2023", d, d, at("2026-03-03", 9, 0));
  const ClerkScore& c03 = of(v, "c03");
  INFO(dump(c03));
  REQUIRE(lines(c03, "").size() == 1);
  CHECK(lines(c03, "away_long")[0].points == -2);
  CHECK(lines(c03, "away_long")[0].detail_en == "10:00-10:40 paused (40 min)");
  CHECK(event(h, lines(c03, "away_long")[0].event).type == "WindowPauseOverrun");
  v = h.score("shexi-2022", d, d, at("2026-03-03", 9, 0));
  CHECK(of(v, "c03").score == 99);
}

TEST_CASE("R-SCORE-2: overdue working days per case, recorded by each roll-over", "[scoring]") {
  Hall h;
  h.day("2026-03-02");
  h.sign_in("c01", 1, "2026-03-02", 8, 30);
  h.serve("c01", 1, "2026-03-02", 9, 0, promised(), false);  // 5 working days: due Monday 9 March
  const Case& k = h.engine.cases().begin()->second;
  REQUIRE(hallq::format_date(*k.deadline) == "2026-03-09");
  for (const char* d : {"2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09",
                        "2026-03-10", "2026-03-11", "2026-03-12"})
    h.day(d);
  CaseAction done;
  done.id = k.id;
  done.action = "complete";
  h.run(done, clerk("c01"), at("2026-03-12", 15, 0));
  REQUIRE(h.log.back().type == "CaseCompleted");
  CHECK(h.log.back().data.at("overdue_days").as_int64() == 3);  // 10, 11 and 12 March
  h.day("2026-03-13");
  const TimePoint now = at("2026-03-13", 9, 0);
  auto v = h.score("shexi-2022", "2026-03-01", "2026-03-31", now);
  auto overdue = lines(of(v, "c01"), "overdue_day");
  REQUIRE(overdue.size() == 3);
  CHECK(overdue[0].date == "2026-03-10");
  CHECK(overdue[2].date == "2026-03-12");
  for (const auto& l : overdue) {
    CHECK(l.points == -2);
    CHECK(l.ref == k.no);
    CHECK(event(h, l.event).type == "DayRolledOver");
  }
  v = h.score("erping-2023", "2026-03-01", "2026-03-31", now);
  CHECK(lines(of(v, "c01"), "overdue_day").size() == 3);
  CHECK(lines(of(v, "c01"), "overdue_day")[0].points == -1);
  // A period that ends on the 10th sees one day.
  v = h.score("erping-2023", "2026-03-01", "2026-03-10", now);
  CHECK(lines(of(v, "c01"), "overdue_day").size() == 1);
}

TEST_CASE("R-CASE-8 / R-ONCE-4: unregistered tickets and incomplete one-time notices", "[scoring]") {
  Hall h;
  const char* d = "2026-03-02";
  h.day(d);
  h.sign_in("c01", 1, d, 8, 30);
  h.serve("c01", 1, d, 9, 0, std::nullopt, false);  // finished without a case: unregistered
  CaseInput sup = promised();
  sup.type = CaseType::Supplement;
  sup.received = {"身份证"};
  sup.missing = {"户口簿"};
  h.serve("c01", 1, d, 10, 0, sup, false);
  CaseId id = 0;
  for (const auto& [cid, k] : h.engine.cases()) id = cid;
  CaseAction more;
  more.id = id;
  more.action = "supplement";
  more.missing = {"户口簿", "准迁证"};  // 准迁证 was not on the first notice: R-ONCE-4
  h.run(more, clerk("c01"), at(d, 11, 0));
  h.sign_out("c01", 1, d, 17, 30);
  h.day("2026-03-03");
  auto v = h.score("shexi-2022", d, d, at("2026-03-03", 9, 0));
  const ClerkScore& c01 = of(v, "c01");
  INFO(dump(c01));
  REQUIRE(lines(c01, "unregistered").size() == 1);
  CHECK(lines(c01, "unregistered")[0].points == -2);
  CHECK(lines(c01, "unregistered")[0].ref == "A001");
  REQUIRE(lines(c01, "once_failure").size() == 1);
  CHECK(lines(c01, "once_failure")[0].points == -3);
  CHECK(lines(c01, "once_failure")[0].detail == "准迁证");
  CHECK(event(h, lines(c01, "once_failure")[0].event).type == "CaseSupplementRequested");
  CHECK(c01.score == 95);
  v = h.score("erping-2023", d, d, at("2026-03-03", 9, 0));
  CHECK(lines(of(v, "c01"), "unregistered").empty());  // 002 has no such rule
  CHECK(of(v, "c01").score == 99);
}

TEST_CASE("R-COMP-1: complaints count once verified; 002 caps reviews and complaints at -10", "[scoring]") {
  Hall h;
  const char* d = "2026-03-02";
  h.day(d);
  h.sign_in("c01", 1, d, 8, 30);
  for (int i = 0; i < 7; ++i) {
    FileComplaint fc;
    fc.content = "态度差 " + std::to_string(i);
    fc.window = 1;
    h.run(fc, kKiosk, at(d, 9, i));
  }
  REQUIRE(h.log.back().data.at("clerk").as_string() == "c01");  // the clerk at the window then
  for (std::int64_t i = 1; i <= 6; ++i)
    h.run(AnswerComplaint{i, i == 6 ? "not_verified" : "verified", "", "已核实处理"}, kManager, at(d, 15, 0));
  h.sign_out("c01", 1, d, 17, 30);
  h.day("2026-03-03");
  const TimePoint now = at("2026-03-03", 9, 0);

  SECTION("shexi-2022: -5 each, the service section stops at 0") {
    auto v = h.score("shexi-2022", d, d, now);
    const ClerkScore& c01 = of(v, "c01");
    INFO(dump(c01));
    auto cl = lines(c01, "complaint");
    REQUIRE(cl.size() == 6);  // 5 verified, 1 pending (#7); #6 not verified
    int pending = 0;
    for (const auto& l : cl) {
      if (l.pending) {
        pending++;
        CHECK(l.points == 0);
        CHECK(l.ref == "#7");
      } else {
        CHECK(l.points == -5);
        CHECK(event(h, l.event).type == "ComplaintAnswered");
      }
    }
    CHECK(pending == 1);
    // 5 x -5 = -25 against a section of 20: a cap line gives 5 back.
    auto cap = lines(c01, "cap");
    REQUIRE(cap.size() == 1);
    CHECK(cap[0].section == "service");
    CHECK(cap[0].points == 5);
    CHECK(c01.sections.at("service") == 0);
    CHECK(c01.score == 80);
  }
  SECTION("erping-2023: -2 each, at most -10 with bad reviews") {
    auto v = h.score("erping-2023", d, d, now);
    const ClerkScore& c01 = of(v, "c01");
    INFO(dump(c01));
    CHECK(lines(c01, "complaint").size() == 6);
    CHECK(lines(c01, "cap").empty());  // exactly -10: no cap yet
    CHECK(c01.score == 90);
    h.run(AnswerComplaint{7, "verified", "", "已处理"}, kManager, at("2026-03-03", 10, 0));
    v = h.score("erping-2023", d, d, now);
    INFO(dump(of(v, "c01")));
    REQUIRE(lines(of(v, "c01"), "cap").size() == 1);
    CHECK(lines(of(v, "c01"), "cap")[0].points == 2);
    CHECK(of(v, "c01").score == 90);
  }
}

TEST_CASE("R-EVAL-1: bad reviews wait for the follow-up; satisfaction bands at their edges", "[scoring]") {
  Hall h;
  const char* d = "2026-03-02";
  h.day(d);
  h.sign_in("c01", 1, d, 8, 30);
  // 10 services: 8 satisfied, 2 bad (80 %: the 7-point band of 001).
  for (int i = 0; i < 10; ++i) {
    h.serve("c01", 1, d, 9, i * 6);
    h.run(RateService{1, i < 2 ? 1 + i : 5}, kEvaluator, at(d, 9, i * 6 + 6));
  }
  h.sign_out("c01", 1, d, 17, 30);
  REQUIRE(h.engine.follow_ups().size() == 2);
  const Seq first_bad = h.engine.follow_ups().begin()->first;
  h.run(ReviewRating{first_bad, "verified", "态度问题属实"}, kManager, at(d, 16, 0));
  CHECK(h.engine.follow_ups().size() == 1);
  h.day("2026-03-03");
  const TimePoint now = at("2026-03-03", 9, 0);

  auto v = h.score("erping-2023", d, d, now);
  const ClerkScore& c01 = of(v, "c01");
  INFO(dump(c01));
  auto bad = lines(c01, "bad_review");
  REQUIRE(bad.size() == 2);
  // Lines sort by day, then event: the finding (a later event) comes after the pending review.
  CHECK(bad[0].pending);
  CHECK(bad[0].points == 0);
  CHECK(event(h, bad[0].event).type == "ServiceRated");
  CHECK(bad[1].points == -1);
  CHECK(event(h, bad[1].event).type == "RatingReviewed");
  CHECK(bad[0].ref.empty());  // raters are not identifiable: no ticket number on the line
  CHECK(c01.score == 99);

  v = h.score("shexi-2022", d, d, now);
  CHECK(lines(of(v, "c01"), "bad_review").empty());  // 001 scores the rate, not single reviews
  REQUIRE(lines(of(v, "c01"), "satisfaction").size() == 1);
  CHECK(lines(of(v, "c01"), "satisfaction")[0].detail_en == "8/10 satisfied");
  CHECK(lines(of(v, "c01"), "satisfaction")[0].points == -3);
  CHECK(of(v, "c01").score == 97);
}

TEST_CASE("R-EVAL-1 / 001: satisfaction bands at 100, 90, 80 % and just below", "[scoring]") {
  struct Row {
    int satisfied, total, points;
  };
  for (Row r : {Row{10, 10, 0}, Row{9, 10, -1}, Row{99, 100, -1}, Row{89, 100, -3}, Row{8, 10, -3}, Row{79, 100, -5},
                Row{0, 3, -5}}) {
    Hall h;
    h.day("2026-03-02");
    Seq seq = 1000;
    for (int i = 0; i < r.total; ++i)
      h.log.push_back(Event{++seq, "ServiceRated", at("2026-03-02", 10, 0), kEvaluator, 1,
                            json::object{{"clerk", "c03"}, {"level", i < r.satisfied ? 3 : 2}}});
    auto v = h.score("shexi-2022", "2026-03-02", "2026-03-02", at("2026-03-02", 9, 0));
    INFO(r.satisfied << "/" << r.total << ": " << dump(of(v, "c03")));
    CHECK(lines(of(v, "c03"), "satisfaction")[0].points == r.points);
    CHECK(of(v, "c03").sections.at("evaluation") == 10 + r.points);
  }
}

TEST_CASE("R-SCORE-1: manual items with their reason; praise within its section, bonuses above 100", "[scoring]") {
  Hall h;
  h.day("2026-03-02");
  // The manager is answered with what was recorded (a typed reply the engine renders).
  CHECK(json::serialize(h.run(AdjustScore{"c03", "praise", 5, "2026-03", "群众送锦旗"}, kManager, at("2026-03-02", 9, 0))) ==
        R"({"adjustment":1,"clerk":"c03","rule":"praise","points":5,"month":"2026-03"})");
  h.run(AdjustScore{"c03", "media_city", 3, "2026-03", "市报表扬"}, kManager, at("2026-03-02", 9, 0));
  h.run(AdjustScore{"c01", "praise", 5, "2026-03", "表扬信"}, kManager, at("2026-03-02", 9, 0));
  h.run(AdjustScore{"c01", "praise", 5, "2026-02", "上月表扬"}, kManager, at("2026-03-02", 9, 0));  // another month
  FileComplaint fc;
  fc.content = "态度";
  fc.clerk = "c01";
  h.run(fc, kManager, at("2026-03-02", 9, 0));
  h.run(AnswerComplaint{1, "verified", "", "属实"}, kManager, at("2026-03-02", 10, 0));
  auto v = h.score("shexi-2022", "2026-03-02", "2026-03-02", at("2026-03-02", 9, 0));
  const ClerkScore& c03 = of(v, "c03");
  INFO(dump(c03));
  // +5 praise in a full service section is capped back; +3 city praise is a bonus item.
  REQUIRE(lines(c03, "praise").size() == 1);
  CHECK(lines(c03, "praise")[0].detail == "群众送锦旗");
  CHECK(event(h, lines(c03, "praise")[0].event).type == "ScoreAdjusted");
  REQUIRE(lines(c03, "cap").size() == 1);
  CHECK(lines(c03, "cap")[0].points == -5);
  CHECK(c03.score == 103);
  const ClerkScore& c01 = of(v, "c01");
  INFO(dump(c01));
  CHECK(lines(c01, "praise").size() == 1);  // February's item is not March's
  CHECK(lines(c01, "complaint").size() == 1);
  CHECK(lines(c01, "cap").empty());  // -5 + 5 within the section
  CHECK(c01.score == 100);
}

TEST_CASE("engine: oversight commands are the manager's and are checked", "[scoring]") {
  Hall h;
  h.day("2026-03-02");
  const TimePoint t = at("2026-03-02", 9, 0);
  auto code = [&](const Command& c, const Actor& a) {
    auto r = h.engine.execute(c, a, t);
    return r ? std::string("ok") : std::string(to_string(r.error().code));
  };
  CHECK(code(AdjustScore{"c01", "praise", 5, "2026-03", "x"}, clerk("c01")) == "not_manager");
  CHECK(code(AdjustScore{"c09", "praise", 5, "2026-03", "x"}, kManager) == "unknown_clerk");
  CHECK(code(AdjustScore{"c01", "Praise!", 5, "2026-03", "x"}, kManager) == "invalid_argument");
  CHECK(code(AdjustScore{"c01", "praise", 0, "2026-03", "x"}, kManager) == "invalid_argument");
  CHECK(code(AdjustScore{"c01", "praise", 5, "2026-13", "x"}, kManager) == "invalid_argument");
  CHECK(code(AdjustScore{"c01", "praise", 5, "2026-03", ""}, kManager) == "invalid_argument");
  CHECK(code(AnswerComplaint{1, "verified", "", "x"}, kManager) == "unknown_complaint");
  CHECK(code(ReviewRating{5, "verified", "x"}, kManager) == "unknown_follow_up");
  CHECK(code(RecordLeave{"c01", date("2026-03-05"), date("2026-03-04"), "sick", ""}, kManager) == "invalid_argument");
  CHECK(code(RecordLeave{"c01", date("2026-03-05"), date("2026-03-05"), "holiday", ""}, kManager) == "invalid_argument");
  FileComplaint fc;
  fc.content = "x";
  fc.window = 2;
  h.run(fc, kKiosk, t);
  CHECK(h.log.back().data.at("clerk").as_string() == "c03");  // nobody at window 2: its A post
  CHECK(code(AnswerComplaint{1, "maybe", "", "x"}, kManager) == "invalid_argument");
  CHECK(code(AnswerComplaint{1, "verified", "", ""}, kManager) == "invalid_argument");
  CHECK(code(AnswerComplaint{1, "verified", "c09", "x"}, kManager) == "unknown_clerk");
  h.run(AnswerComplaint{1, "verified", "c02", "x"}, kManager, t);
  CHECK(code(AnswerComplaint{1, "verified", "", "x"}, kManager) == "wrong_state");  // answered once
  CHECK(h.engine.open_complaints().empty());
  // A replay of the log rebuilds the open complaints and follow-ups the same way.
  Engine replay{h.config, tz(), h.calendar};
  for (const auto& e : h.log) REQUIRE(replay.apply(e).value_or("") == "");
  CHECK(replay.open_complaints().size() == h.engine.open_complaints().size());
}

TEST_CASE("statistics of a small day against hand-computed figures", "[scoring]") {
  Hall h;
  const char* d = "2026-03-02";  // a Monday
  h.day(d);
  h.sign_in("c01", 1, d, 8, 30);
  for (auto [hh, mm] : {std::pair{9, 0}, std::pair{9, 0}, std::pair{9, 10}, std::pair{9, 20}})
    h.run(IssueTicket{"hukou"}, kKiosk, at(d, hh, mm));
  h.run(CallNext{1}, clerk("c01"), at(d, 9, 5));     // A001 waited 300 s
  h.run(StartService{1}, clerk("c01"), at(d, 9, 6));
  h.run(Finish{1, std::nullopt, true}, clerk("c01"), at(d, 9, 16));  // served 600 s
  h.run(RateService{1, 5}, kEvaluator, at(d, 9, 17));
  h.run(CallNext{1}, clerk("c01"), at(d, 9, 20));    // A002 waited 1200 s, then missed
  h.run(Skip{1}, clerk("c01"), at(d, 9, 22));
  h.run(CallNext{1}, clerk("c01"), at(d, 9, 25));    // A003 waited 900 s
  h.run(StartService{1}, clerk("c01"), at(d, 9, 26));
  h.run(Finish{1, promised(), false}, clerk("c01"), at(d, 9, 30));  // served 240 s, a promised case
  h.run(RateService{1, 2}, kEvaluator, at(d, 9, 31));
  h.run(CancelTicket{4, "left"}, kKiosk, at(d, 9, 40));  // A004

  auto stats = [&](const char* by, const char* group) {
    hallq::rules::StatsBuilder b(h.config, tz(), hallq::rules::StatsQuery{date(d), date(d), by, group});
    for (const auto& [id, row] : h.ticket_rows) {
      Ticket t;
      REQUIRE(ticket_from_row(json::parse(row).as_object(), t));
      b.add_ticket(t);
    }
    for (const auto& [id, row] : h.case_rows) {
      Case c;
      REQUIRE(case_from_row(json::parse(row).as_object(), c));
      b.add_case(c);
    }
    for (const auto& e : h.log)
      if (e.type == "ServiceRated") b.add_rating(e);
    return b.result(at("2026-03-20", 12, 0));
  };
  json::object r = stats("day", "service");
  INFO(json::serialize(r));
  REQUIRE(r.at("rows").as_array().size() == 1);
  const json::object& row = r.at("rows").as_array()[0].as_object();
  CHECK(row.at("period").as_string() == d);
  CHECK(row.at("name").as_string() == "户籍");
  CHECK(row.at("issued").as_int64() == 4);
  CHECK(row.at("served").as_int64() == 2);
  CHECK(row.at("consultations").as_int64() == 1);
  CHECK(row.at("no_show").as_int64() == 1);
  CHECK(row.at("cancelled").as_int64() == 1);
  // Waits 300, 900, 1200 s: nearest rank p50 900, p90 1200. Service 240 and 600 s.
  CHECK(row.at("wait_p50_s").as_int64() == 900);
  CHECK(row.at("wait_p90_s").as_int64() == 1200);
  CHECK(row.at("service_p50_s").as_int64() == 240);
  CHECK(row.at("service_p90_s").as_int64() == 600);
  CHECK(row.at("ratings").as_int64() == 2);
  CHECK(row.at("satisfaction_rate").as_double() == 50.0);
  // Three calls on Monday (weekday 0) in the 9 o'clock hour.
  CHECK(r.at("calls_by_weekday_hour").as_array()[0].as_array()[9].as_int64() == 3);
  // The promised case is due on 9 March; on the 20th it is open and overdue.
  const json::object& promised_cases = r.at("cases").as_object().at("promised").as_object();
  CHECK(promised_cases.at("registered").as_int64() == 1);
  CHECK(promised_cases.at("open_overdue").as_int64() == 1);
  // By clerk and week: the same figures under c01's name, the week of Monday 2 March.
  json::object w = stats("week", "clerk");
  // A004 was never called: it has no clerk and counts under "—".
  REQUIRE(w.at("rows").as_array().size() == 2);
  const json::object& none = w.at("rows").as_array()[0].as_object();
  CHECK(none.at("name").as_string() == "—");
  CHECK(none.at("cancelled").as_int64() == 1);
  const json::object& wrow = w.at("rows").as_array()[1].as_object();
  CHECK(wrow.at("period").as_string() == "2026-03-02");
  CHECK(wrow.at("name").as_string() == "name-c01");
  CHECK(wrow.at("issued").as_int64() == 3);
  CHECK(w.at("totals").as_object().at("issued").as_int64() == 4);
  // The report reads the stored text with a field picker instead of whole rows: the same
  // figures for every grouping, and damaged text counted as damaged and nothing else.
  auto from_text = [&](const char* by, const char* group) {
    hallq::rules::StatsBuilder b(h.config, tz(), hallq::rules::StatsQuery{date(d), date(d), by, group});
    for (const auto& [id, text] : h.ticket_rows) REQUIRE(b.add_ticket_row(text));
    for (const auto& [id, text] : h.case_rows) REQUIRE(b.add_case_row(text));
    for (const auto& e : h.log)
      if (e.type == "ServiceRated") REQUIRE(b.add_rating_data(e.at, e.window, json::serialize(e.data)));
    for (const char* bad : {"", "[1,2]", "{\"day\":", "{\"day\":\"2026-03-02\",\"state\":\"done\"}",
                            "{\"day\":\"2026-03-02\",\"state\":99}", "{\"day\":\"2026-03-02\",\"state\":4} x"})
      CHECK_FALSE(b.add_ticket_row(bad));
    CHECK_FALSE(b.add_case_row("{\"type\":\"promised\",\"state\":\"open\",\"deadline\":\"3月9日\"}"));
    CHECK_FALSE(b.add_case_row("{\"type\":\"unheard-of\",\"state\":\"open\"}"));
    CHECK_FALSE(b.add_rating_data(at(d, 9, 50), 1, "not json"));
    return b.result(at("2026-03-20", 12, 0));
  };
  for (const char* by : {"day", "week", "month", "all"})
    for (const char* group : {"service", "window", "clerk", "none"}) {
      INFO(by << " " << group);
      CHECK(json::serialize(from_text(by, group)) == json::serialize(stats(by, group)));
    }
  std::string why;
  CHECK_FALSE(hallq::rules::valid_stats_query(hallq::rules::StatsQuery{date(d), date("2026-01-01"), "day", "service"}, &why));
  CHECK_FALSE(hallq::rules::valid_stats_query(hallq::rules::StatsQuery{date(d), date(d), "hour", "service"}, &why));
  CHECK(why == "by is day, week, month or all");
}

TEST_CASE("the row picker reads top-level fields and skips the rest", "[stats]") {
  hallq::engine::RowPicker p({"a", "k\u00e9y", "s", "n", "b", "nested", "d", "missing"});
  using K = hallq::engine::RowPicker::Kind;
  // Nested objects and arrays may repeat the wanted keys: only the top level counts.
  REQUIRE(p.parse(R"({"x":{"a":1,"s":"inner"},"a":-42,"k\u00e9y":"v\"1\u4e2d","s":"\u5f20*",)"
                  R"("n":null,"b":true,"nested":[{"a":2}],"d":1.5,"z":[[["s"]]]})"));
  CHECK(p.i(0) == -42);
  CHECK(p[1].kind == K::String);
  CHECK(p.s(1) == "v\"1\u4e2d");
  CHECK(p.s(2) == "\u5f20*");
  CHECK(p[3].kind == K::Null);
  CHECK_FALSE(p.t(3).has_value());
  CHECK(p.b(4));
  CHECK(p[5].kind == K::Other);
  CHECK(p[6].kind == K::Other);  // a double is not an integer field
  CHECK(p[7].kind == K::Absent);
  // The next row starts afresh: fields it lacks are absent, not left over.
  REQUIRE(p.parse(R"({"s":"x"})"));
  CHECK(p[0].kind == K::Absent);
  CHECK(p.s(2) == "x");
  for (const char* bad : {"", "null", "\"a\"", "[{\"a\":1}]", "{\"a\":1", "{\"a\":1}{}", "{\"a\":01}"}) {
    INFO(bad);
    CHECK_FALSE(p.parse(bad));
    CHECK(p[0].kind == K::Absent);
  }
}

// The registers the county checks (seed 004: 登记簿、统计簿，分类汇总): a week and a half of
// cases of every outcome, the book classified by type and by item, the ledger per day.
TEST_CASE("the case book and the ledger of a period", "[registers]") {
  Hall h;
  auto with = [](CaseType type, const char* reason = "") {
    CaseInput in = promised();
    in.type = type;
    in.reason = reason;
    in.phone.masked = "139****1111";
    return in;
  };
  auto registered = [&]() -> CaseId {
    for (auto it = h.log.rbegin(); it != h.log.rend(); ++it)
      if (it->type == "CaseRegistered") return get_i(it->data, "case");
    return 0;
  };
  h.day("2026-03-02");
  h.sign_in("c01", 1, "2026-03-02", 8, 30);
  h.serve("c01", 1, "2026-03-02", 9, 0, with(CaseType::Immediate), false);
  h.serve("c01", 1, "2026-03-02", 9, 10, with(CaseType::Promised), false);  // P1, due 9 March
  const CaseId p1 = registered();
  h.serve("c01", 1, "2026-03-02", 9, 20, with(CaseType::Returned, "非本镇户籍"), false);
  h.serve("c01", 1, "2026-03-02", 9, 30);  // an enquiry, rated
  h.run(RateService{1, 5}, kEvaluator, at("2026-03-02", 9, 36));
  h.serve("c01", 1, "2026-03-02", 9, 40, with(CaseType::Promised), false);  // P2, never completed
  const CaseId p2 = registered();
  h.day("2026-03-03");
  h.sign_in("c01", 1, "2026-03-03", 8, 30);
  h.serve("c01", 1, "2026-03-03", 9, 0, with(CaseType::Promised), false);  // P3, due 10 March
  const CaseId p3 = registered();
  h.run(CaseAction{.id = p1, .action = "complete"}, clerk("c01"), at("2026-03-03", 10, 0));
  FileComplaint fc;
  fc.content = "等候太久";
  fc.window = 1;
  h.run(fc, kKiosk, at("2026-03-03", 11, 0));
  for (const char* d : {"2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10",
                        "2026-03-11", "2026-03-12"})
    h.day(d);
  h.run(CaseAction{.id = p3, .action = "complete"}, clerk("c01"), at("2026-03-12", 10, 0));
  const TimePoint now = at("2026-03-12", 12, 0);

  auto cases = [&](hallq::rules::CaseBook& b) {
    for (const auto& [id, text] : h.case_rows) {
      Case c;
      REQUIRE(case_from_row(json::parse(text).as_object(), c));
      b.add(c);
    }
  };
  hallq::rules::CaseBook by_type(h.config, tz(), h.calendar, date("2026-03-01"), date("2026-03-31"), "type");
  cases(by_type);
  json::object book = by_type.result(now);
  INFO(json::serialize(book));
  CHECK(book.at("total").as_int64() == 5);
  CHECK_FALSE(book.at("truncated").as_bool());
  const json::array& groups = book.at("groups").as_array();
  REQUIRE(groups.size() == 3);  // in the rules' order: 即办件, 承诺件, 退回件
  CHECK(groups[0].at("label").as_string() == "即办件");
  CHECK(groups[1].at("label").as_string() == "承诺件");
  CHECK(groups[2].at("label").as_string() == "退回件");
  const json::object& prom = groups[1].as_object();
  CHECK(prom.at("count").as_int64() == 3);
  CHECK(prom.at("done").as_int64() == 2);
  CHECK(prom.at("on_time").as_int64() == 1);
  CHECK(prom.at("late").as_int64() == 1);
  CHECK(prom.at("open").as_int64() == 1);
  CHECK(prom.at("open_overdue").as_int64() == 1);
  const json::array& lines = prom.at("cases").as_array();
  // Numbered through the book in registration order.
  CHECK(groups[0].at("cases").as_array()[0].at("n").as_int64() == 1);
  CHECK(lines[0].at("n").as_int64() == 2);
  CHECK(lines[0].at("id").as_int64() == p1);
  CHECK(lines[0].at("result").as_string() == "按时办结");
  CHECK(lines[0].at("deadline").as_string() == "2026-03-09");
  CHECK(lines[0].at("done").as_string() == "2026-03-03");
  CHECK(lines[0].at("clerk_name").as_string() == "name-c01");
  CHECK(lines[0].at("phone").as_string() == "139****1111");
  CHECK(lines[1].at("id").as_int64() == p2);
  const int p2_overdue = h.calendar.working_days_between(date("2026-03-09"), date("2026-03-12"));
  CHECK(p2_overdue > 0);
  CHECK(lines[1].at("overdue_days").as_int64() == p2_overdue);
  CHECK(lines[1].at("result").as_string() == "办理中，已超期 " + std::to_string(p2_overdue) + " 个工作日");
  CHECK(lines[2].at("id").as_int64() == p3);
  const int p3_late = h.calendar.working_days_between(date("2026-03-10"), date("2026-03-12"));
  CHECK(lines[2].at("result").as_string() == "超期办结（" + std::to_string(p3_late) + " 个工作日）");
  CHECK(groups[2].at("cases").as_array()[0].at("result").as_string() == "已退回：非本镇户籍");
  hallq::rules::CaseBook by_item(h.config, tz(), h.calendar, date("2026-03-01"), date("2026-03-31"), "item");
  cases(by_item);
  json::object items = by_item.result(now);
  REQUIRE(items.at("groups").as_array().size() == 1);
  CHECK(items.at("groups").as_array()[0].at("label").as_string() == "户口迁移");
  CHECK(items.at("groups").as_array()[0].at("count").as_int64() == 5);

  hallq::rules::Ledger ledger(h.config, tz(), date("2026-03-02"), date("2026-03-12"), "day");
  for (const auto& [id, text] : h.ticket_rows) REQUIRE(ledger.add_ticket_row(text));
  for (const auto& [id, text] : h.case_rows) REQUIRE(ledger.add_case_row(text));
  for (const auto& e : h.log) {
    const auto& types = hallq::rules::Ledger::event_types();
    if (std::find(types.begin(), types.end(), e.type) != types.end())
      REQUIRE(ledger.add_event(e.type, e.at, json::serialize(e.data)));
  }
  CHECK_FALSE(ledger.add_ticket_row("{\"day\":\"2026-03-02\"}"));
  CHECK_FALSE(ledger.add_case_row("{\"type\":\"promised\",\"state\":\"open\",\"received\":\"soon\"}"));
  json::object l = ledger.result();
  INFO(json::serialize(l));
  const json::array& rows = l.at("rows").as_array();
  REQUIRE(rows.size() == 11);  // every day, the quiet ones too
  const json::object& mon = rows[0].as_object();
  CHECK(mon.at("period").as_string() == "2026-03-02");
  CHECK(mon.at("weekday").as_int64() == 0);
  CHECK(mon.at("issued").as_int64() == 5);
  CHECK(mon.at("served").as_int64() == 5);
  CHECK(mon.at("consultations").as_int64() == 1);
  CHECK(mon.at("registered_total").as_int64() == 4);
  CHECK(mon.at("registered").at("immediate").as_int64() == 1);
  CHECK(mon.at("registered").at("promised").as_int64() == 2);
  CHECK(mon.at("registered").at("returned").as_int64() == 1);
  CHECK(mon.at("completed").as_int64() == 1);  // the immediate case, done as registered
  CHECK(mon.at("ratings").as_int64() == 1);
  CHECK(mon.at("satisfaction_rate").as_double() == 100.0);
  const json::object& tue = rows[1].as_object();
  CHECK(tue.at("issued").as_int64() == 1);
  CHECK(tue.at("completed").as_int64() == 1);
  CHECK(tue.at("on_time").as_int64() == 1);
  CHECK(tue.at("complaints").as_int64() == 1);
  const json::object& thu = rows[10].as_object();
  CHECK(thu.at("period").as_string() == "2026-03-12");
  CHECK(thu.at("completed").as_int64() == 1);
  CHECK(thu.at("late").as_int64() == 1);
  CHECK(rows[5].at("issued").as_int64() == 0);  // Saturday: a line with nothing
  const json::object& tot = l.at("totals").as_object();
  CHECK(tot.at("issued").as_int64() == 6);
  CHECK(tot.at("registered_total").as_int64() == 5);
  CHECK(tot.at("completed").as_int64() == 3);
  CHECK(tot.at("on_time_rate").as_double() == 66.7);
  REQUIRE(l.at("items").as_array().size() == 1);
  const json::object& item = l.at("items").as_array()[0].as_object();
  CHECK(item.at("name").as_string() == "户口迁移");
  CHECK(item.at("registered_total").as_int64() == 5);
  CHECK(item.at("done").as_int64() == 3);  // the immediate one, P1 and P3
  CHECK(item.at("late").as_int64() == 1);
  CHECK(item.at("returned").as_int64() == 1);
  CHECK(item.at("open").as_int64() == 1);
  hallq::rules::Ledger months(h.config, tz(), date("2026-03-02"), date("2026-03-12"), "month");
  for (const auto& [id, text] : h.ticket_rows) REQUIRE(months.add_ticket_row(text));
  REQUIRE(months.result().at("rows").as_array().size() == 1);
  CHECK(months.result().at("rows").as_array()[0].at("issued").as_int64() == 6);
}
