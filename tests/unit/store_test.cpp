// Store tests: schema and refusals, crash safety (destroy-and-reopen, a SIGKILLed writer),
// group commit and rollback, a full disk, replay verification, the reader and sessions.
// Every test works in its own mkdtemp folder; events come from a real engine driven with a
// fixed +08:00 zone and hand-built times (no real clock).
#include "hallq_catch.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/time.hpp"
#include "hallq/controller/engine.hpp"
#include "hallq/controller/store.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace eng = hallq::engine;
namespace store = hallq::store;
using hallq::HallConfig;
using hallq::TimePoint;
using namespace std::chrono;

constexpr std::int64_t kHallqApplicationId = 0x48414C51;  // 'HALQ'

// ---- files and raw SQLite -----------------------------------------------------------------

struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = "/tmp/hallq-store-test-XXXXXX";
    char* p = mkdtemp(tmpl.data());
    REQUIRE(p != nullptr);
    path = p;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path + "/" + name; }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// Bytes plus modification time: "left untouched" means both are the same afterwards.
struct FileImage {
  std::string bytes;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileImage&) const = default;
};

FileImage image_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return FileImage{read_bytes(path), static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                                         st.st_mtim.tv_nsec};
}

// Sets the file's mtime well into the past, so a write during the test changes it visibly
// even on a file system with coarse timestamps.
void age_file(const std::string& path) {
  struct timespec times[2] = {{1'600'000'000, 0}, {1'600'000'000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// A raw connection, for looking at and tampering with the file behind the store's back.
class RawDb {
 public:
  explicit RawDb(const std::string& path, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    REQUIRE(rc == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    INFO(sql << ": " << msg);
    REQUIRE(rc == SQLITE_OK);
  }
  std::int64_t integer(const std::string& sql) { return sqlite3_column_int64(row(sql).get(), 0); }
  std::string text(const std::string& sql) {
    auto s = row(sql);
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    return p ? std::string(p) : std::string();
  }
  int changes() { return sqlite3_changes(db_); }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> row(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    INFO(sql);
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, Finalize> owned(s);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    return owned;
  }
  sqlite3* db_ = nullptr;
};

// ---- the hall ------------------------------------------------------------------------------

HallConfig small_hall() {
  HallConfig c;
  c.centre.name = "测试镇便民服务中心";
  c.centre.timezone = "+08:00";
  c.services = {
      hallq::ServiceConfig{.id = "minzheng", .name = "民政救助", .prefix = 'A',
                           .items = {hallq::ServiceItem{.id = "dibao", .name = "最低生活保障", .kind = hallq::ItemKind::Promised,
                                                        .materials = {"身份证", "户口簿"}, .time_limit_days = 30}}},
      hallq::ServiceConfig{.id = "laodong", .name = "劳动保障", .prefix = 'B'},
      hallq::ServiceConfig{.id = "zixun", .name = "综合咨询", .prefix = 'F'},
  };
  c.windows = {
      hallq::WindowConfig{.number = 1,
                          .name = "民政救助",
                          .services = {"minzheng"},
                          .clerk_a = "c01",
                          .clerk_b = "c02"},
      hallq::WindowConfig{.number = 2,
                          .name = "劳动保障",
                          .services = {"laodong"},
                          .clerk_a = "c03",
                          .clerk_b = "c04"},
      hallq::WindowConfig{.number = 3,
                          .name = "综合受理",
                          .services = {"zixun", "minzheng", "laodong"},
                          .clerk_a = "c05",
                          .clerk_b = "c06",
                          .lunch_service = true},
  };
  for (const char* id : {"c01", "c02", "c03", "c04", "c05", "c06"})
    c.clerks.push_back(hallq::ClerkConfig{.id = id, .name = std::string("clerk ") + id});
  c.clerks.push_back(
      hallq::ClerkConfig{.id = "m01", .name = "manager", .role = hallq::Role::Manager});
  c.policy.widen_numbers = true;  // the crash test issues many tickets
  return c;
}

const hallq::TimeZone& tz8() {
  static const hallq::TimeZone tz = hallq::TimeZone::fixed(hours{8});
  return tz;
}
const hallq::WorkingCalendar& no_holidays() {
  static const hallq::WorkingCalendar cal;
  return cal;
}

// 2026-11-23 is a Monday, 2026-11-24 a Tuesday.
TimePoint local(int day, int hour, int minute, int second = 0) {
  hallq::Date d = year{2026} / November / std::chrono::day{static_cast<unsigned>(day)};
  return tz8().from_local(d, hallq::Minutes{hour * 60 + minute}) + seconds{second};
}

const eng::Actor kKiosk{eng::Actor::Kind::Device, "kiosk-1"};
const eng::Actor kManager{eng::Actor::Kind::Manager, "m01"};
const eng::Actor kSystem{eng::Actor::Kind::System, "scheduler"};
eng::Actor clerk(const std::string& id) { return eng::Actor{eng::Actor::Kind::Clerk, id}; }

store::CommitItem item_of(eng::Outcome o) {
  store::CommitItem item;
  item.events = std::move(o.events);
  item.changes = std::move(o.changes);
  return item;
}

std::unique_ptr<store::Store> open_store(const std::string& path) {
  auto s = store::Store::open(path);
  INFO((s ? std::string() : s.error()));
  REQUIRE(s);
  return std::move(*s);
}

std::unique_ptr<store::StoreReader> open_reader(const std::string& path) {
  auto r = store::StoreReader::open(path);
  INFO((r ? std::string() : r.error()));
  REQUIRE(r);
  return std::move(*r);
}

store::Loaded load(store::Store& s) {
  auto l = s.load();
  INFO((l ? std::string() : l.error()));
  REQUIRE(l);
  return std::move(*l);
}

// Executes a command that must succeed and returns its commit item.
store::CommitItem must(eng::Engine& e, const eng::Command& cmd, const eng::Actor& actor,
                       TimePoint now) {
  auto out = e.execute(cmd, actor, now);
  INFO((out ? std::string() : out.error().message));
  REQUIRE(out);
  return item_of(std::move(*out));
}

void commit_one(store::Store& s, const store::CommitItem& item) {
  auto err = s.commit({&item});
  INFO(err.value_or(""));
  REQUIRE_FALSE(err);
}

std::unique_ptr<eng::Engine> restored_engine(const HallConfig& cfg, const store::Loaded& l) {
  auto e = std::make_unique<eng::Engine>(cfg, tz8(), no_holidays());
  std::string error;
  bool ok = e->restore(l.meta, l.tickets, l.windows, l.cases, l.appointments, &error);
  INFO(error);
  REQUIRE(ok);
  return e;
}

// The state a restart must bring back: sequence, day, queues, windows, live tickets.
void require_same_state(const eng::Engine& a, const eng::Engine& b, const HallConfig& cfg,
                        eng::TicketId max_id) {
  REQUIRE(a.last_seq() == b.last_seq());
  REQUIRE(a.day() == b.day());
  for (const auto& s : cfg.services) {
    INFO("service " << s.id);
    REQUIRE(a.waiting_count(s.id) == b.waiting_count(s.id));
  }
  REQUIRE(a.windows().size() == b.windows().size());
  for (std::size_t i = 0; i < a.windows().size(); ++i) {
    const auto& wa = a.windows()[i];
    const auto& wb = b.windows()[i];
    INFO("window " << wa.number);
    REQUIRE(wa.number == wb.number);
    REQUIRE(wa.open == wb.open);
    REQUIRE(wa.paused == wb.paused);
    REQUIRE(wa.pause_reason == wb.pause_reason);
    REQUIRE(wa.clerk == wb.clerk);
    REQUIRE(wa.post == wb.post);
    REQUIRE(wa.current == wb.current);
    REQUIRE(wa.since == wb.since);
  }
  REQUIRE(a.recent_calls().size() == b.recent_calls().size());
  for (eng::TicketId id = 1; id <= max_id; ++id) {
    const eng::Ticket* ta = a.find_ticket(id);
    const eng::Ticket* tb = b.find_ticket(id);
    INFO("ticket " << id);
    REQUIRE((ta == nullptr) == (tb == nullptr));
    if (!ta) continue;
    REQUIRE(json::serialize(a.ticket_json(*ta)) == json::serialize(b.ticket_json(*tb)));
  }
}

// Drives a hall with a seeded random mix of every kind of command, like a busy morning.
// Commands the engine refuses are simply not committed.
class Driver {
 public:
  Driver(const HallConfig& cfg, unsigned seed, TimePoint start)
      : cfg_(cfg),
        engine_(std::make_unique<eng::Engine>(cfg, tz8(), no_holidays())),
        rng_(seed),
        now_(start) {}

  eng::Engine& engine() { return *engine_; }
  void set_now(TimePoint t) { now_ = t; }

  // One random command up to `max_gap` after the last. Returns its commit item when the
  // engine accepted it.
  std::optional<store::CommitItem> step(milliseconds max_gap) {
    now_ += milliseconds{
        1 + static_cast<std::int64_t>(rng_() % static_cast<unsigned>(max_gap.count()))};
    auto [cmd, actor] = pick();
    return run(cmd, actor, now_);
  }

  std::optional<store::CommitItem> run(const eng::Command& cmd, const eng::Actor& actor,
                                       TimePoint at) {
    now_ = at;
    auto out = engine_->execute(cmd, actor, now_);
    if (!out) return std::nullopt;
    for (const auto& e : out->events) track(e);
    return item_of(std::move(*out));
  }

 private:
  int pct() { return static_cast<int>(rng_() % 100); }
  template <class T>
  const T& pick_one(const std::vector<T>& v) {
    return v[rng_() % v.size()];
  }

  std::pair<eng::Command, eng::Actor> pick() {
    int r = pct();
    if (r < 35) {
      eng::IssueTicket c;
      c.service = pick_one(cfg_.services).id;
      int p = pct();
      c.priority = p < 80   ? eng::Priority::Normal
                   : p < 90 ? eng::Priority::Elderly
                            : eng::Priority::Appointment;
      // A few retries of an earlier request: the same ticket again, no new events.
      c.request_id = (request_no_ > 0 && pct() < 5)
                         ? "req-" + std::to_string(rng_() % static_cast<unsigned>(request_no_) + 1)
                         : "req-" + std::to_string(++request_no_);
      return {c, kKiosk};
    }
    if (r < 38 && next_ticket_ > 1) {
      auto id = static_cast<eng::TicketId>(rng_() % static_cast<unsigned>(next_ticket_ - 1) + 1);
      return {eng::CancelTicket{id, "citizen left"}, kManager};
    }
    if (r < 41 && !noshow_.empty()) {
      return {eng::ReturnNoShow{
                  *std::next(noshow_.begin(), static_cast<long>(rng_() % noshow_.size()))},
              kKiosk};
    }
    if (r < 44 && !finished_.empty()) {
      // A late rating (R-EVAL-1) of a finished service, often of the day before; some twice.
      const eng::TicketId id = *std::next(finished_.begin(), static_cast<long>(rng_() % finished_.size()));
      const bool kiosk = pct() < 50;
      return {eng::RateTicket{id, pct() % 5 + 1, kiosk ? "kiosk" : "phone"},
              kiosk ? kKiosk : eng::Actor{eng::Actor::Kind::System, "phone"}};
    }
    const auto& wc = pick_one(cfg_.windows);
    const eng::WindowStatus* w = engine_->find_window(wc.number);
    if (!w->open) {
      std::string who = pct() < 70 || wc.clerk_b.empty() ? wc.clerk_a : wc.clerk_b;
      return {eng::SignIn{wc.number}, clerk(who)};
    }
    eng::Actor me = clerk(w->clerk);
    int a = pct();
    if (w->paused) return {eng::ResumeWindow{wc.number}, me};
    if (w->current == 0) {
      if (a < 6 && !held_.empty()) return {eng::UnholdTicket{wc.number, *held_.begin()}, me};
      if (a < 9) return {eng::PauseWindow{wc.number, "材料复印"}, me};
      if (a < 11) return {eng::SignOut{wc.number}, me};
      if (a < 12)
        return {eng::SignIn{wc.number}, clerk(wc.clerk_a == w->clerk ? wc.clerk_b : wc.clerk_a)};
      return {eng::CallNext{wc.number}, me};
    }
    const eng::Ticket* t = engine_->find_ticket(w->current);
    if (t && t->state == eng::TicketState::Called) {
      if (a < 10) return {eng::Recall{wc.number}, me};
      if (a < 18) return {eng::Skip{wc.number}, me};
      if (a < 22) return {eng::TransferTicket{wc.number, "", wc.number % 3 + 1}, me};
      return {eng::StartService{wc.number}, me};
    }
    if (a < 8) return {eng::TransferTicket{wc.number, pick_one(cfg_.services).id, 0}, me};
    if (a < 14) return {eng::HoldTicket{wc.number}, me};
    if (a < 20) return {eng::CancelTicket{w->current, "materials missing"}, kManager};
    eng::Finish f{wc.number};
    if (pct() < 50)
      f.case_input = eng::CaseInput{.type = eng::CaseType::Promised, .item = "dibao", .applicant = {"张*", "x"}};
    else if (pct() < 30)
      f.consultation = true;
    return {f, me};
  }

  void track(const eng::Event& e) {
    const json::value* tv = e.data.if_contains("ticket");
    eng::TicketId id = tv && tv->is_int64() ? tv->as_int64() : 0;
    if (e.type == "TicketIssued") next_ticket_ = std::max(next_ticket_, id + 1);
    if (e.type == "TicketHeld") held_.insert(id);
    if (e.type == "TicketResumed" || e.type == "TicketCancelled" || e.type == "TicketClosed")
      held_.erase(id);
    if (e.type == "TicketNoShow") noshow_.insert(id);
    if (e.type == "TicketFinished") finished_.insert(id);
    if (e.type == "TicketReturned" || e.type == "DayRolledOver") noshow_.clear();
  }

  const HallConfig& cfg_;
  std::unique_ptr<eng::Engine> engine_;
  std::mt19937 rng_;
  TimePoint now_;
  int request_no_ = 0;
  eng::TicketId next_ticket_ = 1;
  std::set<eng::TicketId> held_;
  std::set<eng::TicketId> noshow_;
  std::set<eng::TicketId> finished_;
};

// A realistic two-day run, one commit per accepted command. Returns the number committed.
int busy_two_days(store::Store& s, Driver& d, int day1_steps, int day2_steps) {
  int committed = 0;
  auto go = [&](std::optional<store::CommitItem> item) {
    if (!item) return;
    commit_one(s, *item);
    ++committed;
  };
  for (int i = 0; i < day1_steps; ++i) go(d.step(seconds{40}));
  go(d.run(eng::RollOver{}, kSystem, local(24, 0, 0, 5)));
  d.set_now(local(24, 8, 45));
  for (int i = 0; i < day2_steps; ++i) go(d.step(seconds{40}));
  return committed;
}

std::vector<eng::Event> all_events(store::StoreReader& r) {
  std::vector<eng::Event> out;
  for (;;) {
    auto batch = r.events_since(out.empty() ? 0 : out.back().seq, 97);
    if (batch.empty()) return out;
    out.insert(out.end(), batch.begin(), batch.end());
  }
}

void require_no_gaps(const std::vector<eng::Event>& events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    INFO("position " << i);
    REQUIRE(events[i].seq == static_cast<eng::Seq>(i + 1));
  }
}

}  // namespace

// ---- schema -----------------------------------------------------------------------------------

TEST_CASE("a new database gets the schema, WAL mode and the HallQ application id", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  {
    auto s = open_store(path);
    auto l = load(*s);
    CHECK(l.meta.empty());
    CHECK(l.tickets.empty());
    CHECK(l.windows.empty());
    CHECK(l.sessions.empty());
    CHECK(l.last_seq == 0);
  }
  {
    RawDb raw(path, SQLITE_OPEN_READONLY);
    CHECK(raw.integer("PRAGMA user_version") == store::kSchemaVersion);
    CHECK(raw.integer("PRAGMA application_id") == kHallqApplicationId);
    CHECK(raw.text("PRAGMA journal_mode") == "wal");
    for (const char* table : {"events", "tickets", "windows", "meta", "sessions", "cases", "appointments"}) {
      INFO(table);
      CHECK(raw.integer(
                std::string("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='") +
                table + "'") == 1);
    }
  }
  // Opening again runs no migration and keeps the version.
  auto again = open_store(path);
  CHECK(load(*again).last_seq == 0);
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.integer("PRAGMA user_version") == store::kSchemaVersion);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type='table'") == 7);
}

TEST_CASE("a version 1 database (before the case register) is migrated to version 2 and keeps its data",
          "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  {
    auto s = open_store(path);
    eng::Engine engine(cfg, tz8(), no_holidays());
    commit_one(*s, must(engine, eng::IssueTicket{"minzheng"}, kKiosk, local(23, 9, 0)));
  }
  {
    // What a version 1 controller left: no cases table, user_version 1.
    RawDb raw(path);
    raw.exec("DROP TABLE cases");
    raw.exec("DROP TABLE appointments");
    raw.exec("DROP INDEX events_manager");
    raw.exec("PRAGMA user_version=1");
  }
  auto s = open_store(path);
  store::Loaded l = load(*s);
  CHECK(l.last_seq == 1);
  CHECK(l.tickets.size() == 1);
  CHECK(l.cases.empty());
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.integer("PRAGMA user_version") == store::kSchemaVersion);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='cases'") == 1);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='cases_live'") == 1);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='events_manager'") == 1);
}

TEST_CASE("reports read a time range of the log by type, and the manager's events by index", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  auto s = open_store(path);
  eng::Engine engine(cfg, tz8(), no_holidays());
  commit_one(*s, must(engine, eng::SignIn{1}, clerk("c01"), local(23, 8, 30)));             // seq 1
  commit_one(*s, must(engine, eng::IssueTicket{"minzheng"}, kKiosk, local(23, 9, 0)));      // 2
  eng::FileComplaint fc;
  fc.content = "排队太久";
  commit_one(*s, must(engine, fc, kKiosk, local(23, 9, 30)));                               // 3
  commit_one(*s, must(engine, eng::AnswerComplaint{1, "not_verified", "", "已解释"}, kManager, local(23, 10, 0)));  // 4
  commit_one(*s, must(engine, eng::SignOut{1}, clerk("c01"), local(23, 17, 30)));          // 5
  auto reader = store::StoreReader::open(path);
  REQUIRE(reader);
  auto& r = **reader;
  CHECK(r.first_seq_at(local(23, 0, 0)) == 1);
  CHECK(r.first_seq_at(local(23, 9, 1)) == 3);
  CHECK(r.first_seq_at(local(23, 18, 0)) == 6);
  auto ev = r.events_between(local(23, 8, 0), local(23, 17, 0), {"ClerkSignedIn", "ClerkSignedOut", "ComplaintFiled"});
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].type == "ClerkSignedIn");
  CHECK(ev[1].type == "ComplaintFiled");
  CHECK(r.events_between(local(23, 9, 0), local(23, 9, 0), {"TicketIssued"}).empty());
  auto mgr = r.manager_events({"ComplaintAnswered", "ScoreAdjusted"});
  REQUIRE(mgr.size() == 1);
  CHECK(mgr[0].seq == 4);
  CHECK(mgr[0].data.at("outcome").as_string() == "not_verified");
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='events_manager'") == 1);
}

// ---- crash safety -----------------------------------------------------------------------------

namespace {

void require_same_events(const std::vector<eng::Event>& a, const std::vector<eng::Event>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("event " << i << ": " << a[i].type << " vs " << b[i].type);
    REQUIRE(a[i].seq == b[i].seq);
    REQUIRE(a[i].type == b[i].type);
    REQUIRE(a[i].at == b[i].at);
    REQUIRE(a[i].actor.kind == b[i].actor.kind);
    REQUIRE(a[i].actor.id == b[i].actor.id);
    REQUIRE(a[i].window == b[i].window);
    REQUIRE(json::serialize(a[i].data) == json::serialize(b[i].data));
  }
}

}  // namespace

TEST_CASE("what was committed is back after the Store is destroyed and reopened", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  eng::Engine engine(cfg, tz8(), no_holidays());
  std::string last_meta;
  auto s = open_store(path);
  auto run = [&](const eng::Command& c, const eng::Actor& a, TimePoint t) {
    auto item = must(engine, c, a, t);
    last_meta = item.changes.meta;
    commit_one(*s, item);
  };
  run(eng::SignIn{1}, clerk("c01"), local(23, 8, 31));
  run(eng::SignIn{3}, clerk("c06"), local(23, 8, 32));  // the B post
  run(eng::SignIn{2}, clerk("c03"), local(23, 8, 33));
  for (int i = 0; i < 6; ++i)  // tickets 1..6: A001 B001 A002 B002 A003 B003
    run(eng::IssueTicket{i % 2 ? "laodong" : "minzheng", eng::Priority::Normal, eng::Channel::Kiosk,
                         "k-" + std::to_string(i)},
        kKiosk, local(23, 8, 40 + i));
  run(eng::IssueTicket{"zixun", eng::Priority::Elderly, eng::Channel::Counter, "k-elder"}, kKiosk,
      local(23, 8, 47));                                  // ticket 7
  run(eng::CallNext{1}, clerk("c01"), local(23, 8, 50));  // ticket 1
  run(eng::StartService{1}, clerk("c01"), local(23, 8, 51));
  run(eng::Finish{1}, clerk("c01"), local(23, 8, 58));  // ticket 1 is done (final)
  run(eng::CallNext{1}, clerk("c01"), local(23, 9, 0));          // ticket 3
  run(eng::CallNext{3}, clerk("c06"), local(23, 9, 1));          // the elderly citizen first
  run(eng::CallNext{2}, clerk("c03"), local(23, 9, 2));          // ticket 2
  run(eng::Skip{2}, clerk("c03"), local(23, 9, 5));              // ticket 2 missed
  run(eng::SignOut{2}, clerk("c03"), local(23, 9, 6));
  // Two commands in one group as well.
  auto a =
      must(engine, eng::IssueTicket{"minzheng", eng::Priority::Normal, eng::Channel::Kiosk, "k-7"},
           kKiosk, local(23, 9, 10));
  auto b =
      must(engine, eng::IssueTicket{"laodong", eng::Priority::Pregnant, eng::Channel::Kiosk, "k-8"},
           kKiosk, local(23, 9, 11));
  REQUIRE_FALSE(s->commit({&a, &b}));
  last_meta = b.changes.meta;
  const eng::Seq last_seq = engine.last_seq();
  REQUIRE(last_seq == 20);

  // Destroyed with no shutdown call of any kind (sqlite3_close in the destructor still
  // checkpoints; the SIGKILL test below leaves the WAL behind as a real crash does).
  s.reset();
  s = open_store(path);
  store::Loaded l = load(*s);
  REQUIRE(l.last_seq == last_seq);
  REQUIRE(l.meta == last_meta);
  REQUIRE(l.windows.size() == 3);
  REQUIRE(l.tickets.size() == 9);  // all were issued today, final ones included
  auto restored = restored_engine(cfg, l);
  require_same_state(engine, *restored, cfg, 9);
  CHECK(restored->waiting_count("minzheng") == 2);  // tickets 5 and 8
  CHECK(restored->waiting_count("laodong") == 3);   // tickets 4, 6 and 9
  CHECK(restored->find_window(3)->current == 7);

  // The restored engine carries on exactly as the original one does.
  auto o1 = must(engine, eng::SignIn{2}, clerk("c04"), local(23, 9, 20));
  auto r1 = must(*restored, eng::SignIn{2}, clerk("c04"), local(23, 9, 20));
  auto o2 = must(engine, eng::CallNext{2}, clerk("c04"), local(23, 9, 21));
  auto r2 = must(*restored, eng::CallNext{2}, clerk("c04"), local(23, 9, 21));
  require_same_events(o1.events, r1.events);
  require_same_events(o2.events, r2.events);
  REQUIRE(o2.events.at(0).data.at("ticket").as_int64() == 9);  // the pregnant citizen first
}

TEST_CASE("a writer SIGKILLed in the middle of its commits loses nothing it reported",
          "[store][fork]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child: a controller committing one command after another, reporting each seq once
    // its commit returned. No Catch2 here; any failure is an exit code.
    ::close(fds[0]);
    auto s = store::Store::open(path);
    if (!s) ::_exit(2);
    Driver d(cfg, 4242, local(23, 8, 30));
    for (int i = 0; i < 200000; ++i) {
      auto item = d.step(milliseconds{200});
      if (!item) continue;
      if ((*s)->commit({&*item})) ::_exit(3);
      std::int64_t seq = d.engine().last_seq();
      if (::write(fds[1], &seq, sizeof seq) != static_cast<ssize_t>(sizeof seq)) ::_exit(4);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::int64_t reported = 0;
  int reports = 0;
  std::string pending;
  auto read_some = [&] {
    char buf[4096];
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) return false;
    pending.append(buf, static_cast<std::size_t>(n));
    while (pending.size() >= sizeof(std::int64_t)) {
      std::int64_t v = 0;
      std::memcpy(&v, pending.data(), sizeof v);
      pending.erase(0, sizeof v);
      REQUIRE(v >= reported);
      reported = v;
      ++reports;
    }
    return true;
  };
  while (reports < 400 && read_some()) {
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  while (read_some()) {  // whatever it reported before it died
  }
  ::close(fds[0]);
  INFO("child status " << status);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  REQUIRE(reports >= 400);
  REQUIRE(reported > 300);
  CHECK(fs::exists(path + "-wal"));  // left behind, as after a power cut

  auto s = open_store(path);
  store::Loaded l = load(*s);
  REQUIRE(l.last_seq >= reported);
  REQUIRE(json::parse(l.meta).as_object().at("seq").as_int64() == l.last_seq);  // no half command
  auto r = open_reader(path);
  auto events = all_events(*r);
  REQUIRE(static_cast<eng::Seq>(events.size()) == l.last_seq);
  require_no_gaps(events);
  auto diff = store::verify_replay(path, cfg, tz8(), no_holidays());
  INFO(diff.value_or(""));
  REQUIRE_FALSE(diff);
  auto restored = restored_engine(cfg, l);
  REQUIRE(restored->last_seq() == l.last_seq);
}

TEST_CASE("one commit writes a whole group; a failing item rolls the group back", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  eng::Engine engine(cfg, tz8(), no_holidays());
  auto s = open_store(path);
  const std::int64_t expires = local(23, 20, 31).time_since_epoch().count();

  std::vector<store::CommitItem> group;
  group.push_back(must(engine, eng::SignIn{1}, clerk("c01"), local(23, 8, 31)));
  group.back().sessions_put.push_back({"digest-c01", "clerk", "c01", 1, expires});
  group.push_back(
      must(engine, eng::IssueTicket{"minzheng", {}, {}, "g-1"}, kKiosk, local(23, 8, 40)));
  group.push_back(
      must(engine, eng::IssueTicket{"minzheng", {}, {}, "g-2"}, kKiosk, local(23, 8, 41)));
  group.push_back(must(engine, eng::CallNext{1}, clerk("c01"), local(23, 8, 45)));
  std::vector<const store::CommitItem*> items;
  for (const auto& g : group) items.push_back(&g);
  REQUIRE_FALSE(s->commit(items));
  const eng::Seq seq1 = engine.last_seq();
  REQUIRE(seq1 == 4);

  {
    auto r = open_reader(path);
    auto ev = r->events_since(0, 100);
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].type == "ClerkSignedIn");
    CHECK(ev[1].type == "TicketIssued");
    CHECK(ev[2].type == "TicketIssued");
    CHECK(ev[3].type == "TicketCalled");
    // Ticket 1 was written twice in the group; the last row wins.
    REQUIRE(group[3].changes.tickets.size() == 1);
    CHECK(r->ticket_row(1) == group[3].changes.tickets[0].json);
    CHECK(r->ticket_row(2) == group[2].changes.tickets[0].json);
    auto l = r->load();
    REQUIRE(l);
    CHECK(l->meta == group.back().changes.meta);
    CHECK(l->sessions.size() == 1);
    CHECK(l->windows.size() == 1);
  }

  // A good command, then one whose event repeats a logged seq: the constraint fails late.
  auto good = must(engine, eng::IssueTicket{"laodong", {}, {}, "g-3"}, kKiosk, local(23, 8, 50));
  good.sessions_put.push_back({"digest-c02", "clerk", "c02", 0, expires});
  good.sessions_del.push_back("digest-c01");
  store::CommitItem dup;
  dup.events.push_back(group[1].events.at(0));  // seq 2 again
  dup.changes.meta = R"({"seq":2})";
  auto err = s->commit({&good, &dup});
  REQUIRE(err);
  CHECK_THAT(*err, HasSubstr(path));
  CHECK_THAT(*err, HasSubstr("constraint"));

  s.reset();
  s = open_store(path);
  store::Loaded after = load(*s);
  REQUIRE(after.last_seq == seq1);
  REQUIRE(after.meta == group.back().changes.meta);
  REQUIRE(after.sessions.size() == 1);
  CHECK(after.sessions[0].digest == "digest-c01");
  REQUIRE(after.tickets.size() == 2);
  CHECK_FALSE(open_reader(path)->ticket_row(3));

  // The engine ran ahead of the store: rebuild it from the store, as the controller does,
  // and the same command goes through again.
  auto rebuilt = restored_engine(cfg, after);
  REQUIRE(rebuilt->last_seq() == seq1);
  auto retry = must(*rebuilt, eng::IssueTicket{"laodong", {}, {}, "g-3"}, kKiosk, local(23, 8, 50));
  REQUIRE(retry.events.size() == 1);
  REQUIRE(retry.events[0].seq == seq1 + 1);
  commit_one(*s, retry);
  REQUIRE_FALSE(s->commit({}));  // an empty group is nothing to do
  CHECK(load(*s).last_seq == seq1 + 1);
  CHECK(open_reader(path)->ticket_row(3) == retry.changes.tickets.at(0).json);
}

// ---- replay
// --------------------------------------------------------------------------------------

TEST_CASE("verify_replay agrees after a busy run and finds tampered rows", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  Driver d(cfg, 20261123, local(23, 8, 30));
  {
    auto s = open_store(path);
    int committed = busy_two_days(*s, d, 320, 130);
    INFO("committed " << committed);
    REQUIRE(committed > 250);
    auto r = open_reader(path);
    auto events = all_events(*r);
    require_no_gaps(events);
    REQUIRE(events.back().seq == d.engine().last_seq());
    std::set<std::string> types;
    for (const auto& e : events) types.insert(e.type);
    for (const char* t :
         {"TicketIssued", "TicketCalled", "TicketRecalled", "TicketNoShow", "TicketReturned",
          "ServiceStarted", "TicketFinished", "TicketCancelled", "TicketTransferred", "TicketHeld",
          "TicketResumed", "TicketClosed", "DayRolledOver", "ClerkSignedIn", "ClerkSignedOut",
          "WindowPaused", "WindowResumed", "ServiceRated"}) {
      INFO("event type " << t);
      CHECK(types.count(t) == 1);
    }
  }
  {
    auto diff = store::verify_replay(path, cfg, tz8(), no_holidays());
    INFO(diff.value_or(""));
    REQUIRE_FALSE(diff);
  }
  // The store's close checkpointed: the main file alone holds everything (a read-only
  // connection may leave an empty -wal behind).
  REQUIRE((!fs::exists(path + "-wal") || fs::file_size(path + "-wal") == 0));

  struct Tamper {
    const char* what;
    std::string sql;
    std::string expect;
  };
  const std::vector<Tamper> tampers = {
      {"a window row", "UPDATE windows SET row=json_set(row,'$.clerk','intruder') WHERE number=1",
       "window 1 differs"},
      {"a missing window row", "DELETE FROM windows WHERE number=2", "windows, the projection has"},
      {"a ticket row", "UPDATE tickets SET row=json_set(row,'$.recalls',7) WHERE id=5",
       "ticket 5 differs"},
      {"a missing ticket row", "DELETE FROM tickets WHERE id=(SELECT max(id) FROM tickets)",
       "the projection has"},
      {"a missing event", "DELETE FROM events WHERE seq=100", "gap before seq 101"},
      {"an event in the log",
       "UPDATE events SET data=json_set(data,'$.number','Z999')"
       " WHERE seq=(SELECT min(seq) FROM events WHERE type='TicketIssued')",
       "ticket 1 differs"},
  };
  for (const auto& t : tampers) {
    INFO("tampered: " << t.what);
    const std::string copy = dir.file("tampered.db");
    fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
    {
      RawDb raw(copy);
      raw.exec(t.sql);
      REQUIRE(raw.changes() == 1);
    }
    auto diff = store::verify_replay(copy, cfg, tz8(), no_holidays());
    REQUIRE(diff);
    CHECK_THAT(*diff, HasSubstr(t.expect));
  }
}

// ---- refusals
// ------------------------------------------------------------------------------------

namespace {

// A database with a few hundred committed commands, closed cleanly (no -wal file left).
void make_busy_database(const std::string& path, int steps = 300) {
  const HallConfig cfg = small_hall();
  Driver d(cfg, 99, local(23, 8, 30));
  auto s = open_store(path);
  for (int i = 0; i < steps; ++i)
    if (auto item = d.step(seconds{40})) commit_one(*s, *item);
}

}  // namespace

TEST_CASE("a database from a newer HallQ is refused and left untouched", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  make_busy_database(path, 20);
  {
    RawDb raw(path);
    raw.exec("PRAGMA user_version=" + std::to_string(store::kSchemaVersion + 1));
  }
  age_file(path);
  const FileImage before = image_of(path);
  auto s = store::Store::open(path);
  REQUIRE_FALSE(s);
  CHECK_THAT(s.error(), HasSubstr(path));
  CHECK_THAT(s.error(), HasSubstr("newer"));
  REQUIRE(image_of(path) == before);
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.integer("PRAGMA user_version") == store::kSchemaVersion + 1);
}

TEST_CASE("another application's SQLite database is refused and left untouched", "[store]") {
  TempDir dir;
  const std::string path = dir.file("music.db");
  int user_version = 0;
  SECTION("without a user_version") { user_version = 0; }
  SECTION("with a user_version of its own, higher than ours") { user_version = 7; }
  {
    RawDb raw(path);
    raw.exec("CREATE TABLE songs(id INTEGER PRIMARY KEY, title TEXT NOT NULL)");
    raw.exec("INSERT INTO songs(title) VALUES('茉莉花'),('月亮代表我的心')");
    raw.exec("PRAGMA user_version=" + std::to_string(user_version));
    REQUIRE(raw.integer("PRAGMA application_id") == 0);
  }
  age_file(path);
  const FileImage before = image_of(path);
  auto s = store::Store::open(path);
  REQUIRE_FALSE(s);
  CHECK_THAT(s.error(), HasSubstr(path));
  CHECK_THAT(s.error(), HasSubstr("not a HallQ database"));
  REQUIRE(image_of(path) == before);
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.integer("SELECT count(*) FROM songs") == 2);
}

TEST_CASE("a file of random bytes is refused with an error naming it", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  write_bytes(path, random_bytes(64 * 1024, 1));
  age_file(path);
  const FileImage before = image_of(path);
  // Refused by open(): SQLite cannot read a database header from it.
  auto s = store::Store::open(path);
  REQUIRE_FALSE(s);
  CHECK_THAT(s.error(), HasSubstr(path));
  CHECK_THAT(s.error(), HasSubstr("not a database"));
  // A reader opens lazily; its first read fails instead.
  auto r = open_reader(path);
  auto l = r->load();
  REQUIRE_FALSE(l);
  CHECK_THAT(l.error(), HasSubstr(path));
  CHECK(r->events_since(0, 10).empty());
  CHECK_FALSE(r->ticket_row(1));
  r.reset();
  REQUIRE(image_of(path) == before);
}

TEST_CASE("a truncated HallQ database is refused with an error naming it", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  make_busy_database(path);
  std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() > 64 * 1024);
  bytes.resize(bytes.size() / 2 + 1000);  // cut in the middle of a page
  write_bytes(path, bytes);
  age_file(path);
  const FileImage before = image_of(path);
  // Refused by open(): the header promises more pages than the file has.
  auto s = store::Store::open(path);
  REQUIRE_FALSE(s);
  CHECK_THAT(s.error(), HasSubstr(path));
  CHECK_THAT(s.error(), HasSubstr("damaged"));
  REQUIRE(image_of(path) == before);
}

TEST_CASE("a HallQ database with garbage pages in the middle is refused, not crashed on",
          "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  make_busy_database(path);
  std::string bytes = read_bytes(path);
  const std::size_t page = (static_cast<std::size_t>(static_cast<unsigned char>(bytes[16])) << 8) |
                           static_cast<unsigned char>(bytes[17]);
  REQUIRE(page == 4096);
  const std::size_t pages = bytes.size() / page;
  REQUIRE(pages > 20);
  // The middle third of the pages: tickets, their indexes and events are spread over it.
  const std::string garbage = random_bytes((pages / 3) * page, 2);
  bytes.replace((pages / 3) * page, garbage.size(), garbage);
  write_bytes(path, bytes);
  age_file(path);
  const FileImage before = image_of(path);

  {
    // open() only reads the header, which is intact, so it accepts the file; load() reads
    // every ticket of the day and refuses it with a clear error instead of crashing.
    auto s = store::Store::open(path);
    INFO((s ? std::string() : s.error()));
    REQUIRE(s);
    auto l = (*s)->load();
    REQUIRE_FALSE(l);
    CHECK_THAT(l.error(), HasSubstr(path));
    CHECK_THAT(l.error(), HasSubstr("damaged"));
    // A reader on it answers without crashing too.
    auto r = open_reader(path);
    CHECK_FALSE(r->load());
    (void)r->events_since(0, 100000);
    (void)r->all_ticket_rows();
  }
  REQUIRE(image_of(path) == before);
}

TEST_CASE("a path that is a directory gives an error, not an exception", "[store]") {
  TempDir dir;
  std::optional<std::string> error;
  REQUIRE_NOTHROW([&] {
    auto s = store::Store::open(dir.path);
    if (!s) error = s.error();
  }());
  REQUIRE(error);
  CHECK_THAT(*error, HasSubstr(dir.path));
}

// ---- full disk
// -----------------------------------------------------------------------------------

TEST_CASE("a full disk fails the commit whole, and the next one works once there is room",
          "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  eng::Engine engine(cfg, tz8(), no_holidays());
  auto s = open_store(path);
  std::string meta;
  for (auto [cmd, who, at] : std::vector<std::tuple<eng::Command, eng::Actor, TimePoint>>{
           {eng::SignIn{1}, clerk("c01"), local(23, 8, 31)},
           {eng::IssueTicket{"minzheng", {}, {}, "f-1"}, kKiosk, local(23, 8, 40)},
           {eng::IssueTicket{"minzheng", {}, {}, "f-2"}, kKiosk, local(23, 8, 41)},
           {eng::CallNext{1}, clerk("c01"), local(23, 8, 45)},
           {eng::StartService{1}, clerk("c01"), local(23, 8, 46)}}) {
    auto item = must(engine, cmd, who, at);
    meta = item.changes.meta;
    commit_one(*s, item);
  }
  const eng::Seq seq_before = engine.last_seq();
  auto reader = open_reader(path);
  const auto row_before = reader->ticket_row(1);
  REQUIRE(row_before);

  const std::int64_t cap = s->set_max_pages_for_test(1);  // raised to the current size
  REQUIRE(cap > 1);
  // The clerk finishes with a large case record: it needs pages the "disk" does not have.
  std::string note;
  while (note.size() < 490) note += "材料清单：身份证复印件";
  const eng::CaseInput case_record{.type = eng::CaseType::Promised, .item = "dibao", .applicant = {"张*", std::string(60000, 'x')},
                                   .note = note.substr(0, 480)};
  auto big = must(engine, eng::Finish{1, case_record}, clerk("c01"), local(23, 9, 0));
  auto err = s->commit({&big});
  REQUIRE(err);
  CHECK_THAT(*err, HasSubstr("disk is full"));
  CHECK_THAT(*err, HasSubstr(path));

  // Nothing of it was written, seen from the same connection and from a reader.
  store::Loaded l = load(*s);
  REQUIRE(l.last_seq == seq_before);
  REQUIRE(l.meta == meta);
  CHECK(reader->events_since(seq_before, 10).empty());
  CHECK(reader->ticket_row(1) == row_before);

  // Room again: the controller rebuilds its engine from the store and retries.
  REQUIRE(s->set_max_pages_for_test(1 << 30) == (1 << 30));
  auto rebuilt = restored_engine(cfg, l);
  auto retry = must(*rebuilt, eng::Finish{1, case_record}, clerk("c01"), local(23, 9, 0));
  commit_one(*s, retry);

  s.reset();
  reader.reset();
  s = open_store(path);
  store::Loaded after = load(*s);
  REQUIRE(after.last_seq == seq_before + 2);
  reader = open_reader(path);
  auto ev = reader->events_since(seq_before, 10);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].type == "TicketFinished");
  CHECK(ev[1].type == "CaseRegistered");
  CHECK(reader->ticket_row(1) == retry.changes.tickets.at(0).json);
  auto diff = store::verify_replay(path, cfg, tz8(), no_holidays());
  INFO(diff.value_or(""));
  CHECK_FALSE(diff);
}

// ---- reader
// --------------------------------------------------------------------------------------

TEST_CASE("StoreReader returns events in order with every field, and ticket rows", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  eng::Engine engine(cfg, tz8(), no_holidays());
  auto s = open_store(path);
  std::vector<eng::Event> sent;
  std::map<eng::TicketId, std::string> last_rows;
  auto run = [&](const eng::Command& c, const eng::Actor& a, TimePoint t) {
    auto item = must(engine, c, a, t);
    sent.insert(sent.end(), item.events.begin(), item.events.end());
    for (const auto& row : item.changes.tickets) last_rows[row.id] = row.json;
    commit_one(*s, item);
  };
  run(eng::SignIn{1}, clerk("c01"), local(23, 8, 31));
  run(eng::IssueTicket{"minzheng", eng::Priority::Elderly, eng::Channel::Counter, "r-1"}, kKiosk,
      local(23, 8, 40, 17));
  run(eng::IssueTicket{"laodong", eng::Priority::Normal, eng::Channel::Phone, "r-2"}, kKiosk,
      local(23, 8, 41));
  run(eng::IssueTicket{"minzheng", eng::Priority::Normal, eng::Channel::Kiosk, "r-3"}, kKiosk,
      local(23, 8, 42));
  run(eng::CallNext{1}, clerk("c01"), local(23, 8, 45));
  run(eng::StartService{1}, clerk("c01"), local(23, 8, 46));
  run(eng::CancelTicket{2, "不办了 \"quoted\" 'single'"}, kManager, local(23, 8, 50));
  // A case in the same step: nested objects, arrays, booleans and quoted text round-trip.
  run(eng::Finish{1, eng::CaseInput{.type = eng::CaseType::Promised, .item = "dibao", .applicant = {"张*", "s1:x"},
                                    .received = {"身份证", "户口簿"}, .note = "二 \"quoted\" 'single' \\ \n"}},
      clerk("c01"), local(23, 9, 3) + milliseconds{999});
  run(eng::SignOut{1}, clerk("c01"), local(23, 17, 0));
  run(eng::RollOver{}, kSystem, local(24, 0, 0, 1));  // closes ticket 3, rolls the day

  auto r = open_reader(path);
  auto got = r->events_since(0, 1000);
  REQUIRE(sent.size() == 12);
  require_same_events(got, sent);
  CHECK(got[8].type == "CaseRegistered");
  CHECK(got[8].data.at("applicant").at("masked") == "张*");
  CHECK(got[8].data.at("note") == "二 \"quoted\" 'single' \\ \n");
  std::set<eng::Actor::Kind> kinds;
  for (const auto& e : got) kinds.insert(e.actor.kind);
  CHECK(kinds.size() == 4);  // system, clerk, device and manager all round-trip
  CHECK(got[1].at == local(23, 8, 40, 17));
  CHECK(got[7].type == "TicketFinished");
  CHECK(got[7].at == local(23, 9, 3) + milliseconds{999});  // milliseconds survive

  // `since` is exclusive, `limit` caps the batch.
  auto mid = r->events_since(2, 3);
  REQUIRE(mid.size() == 3);
  CHECK(mid[0].seq == 3);
  CHECK(mid[2].seq == 5);
  CHECK(r->events_since(static_cast<std::int64_t>(sent.size()), 10).empty());
  CHECK(r->events_since(0, 0).empty());

  // ticket_row gives the row of each ticket's last change.
  REQUIRE(last_rows.size() == 3);
  for (const auto& [id, row] : last_rows) {
    INFO("ticket " << id);
    CHECK(r->ticket_row(id) == row);
  }
  CHECK_FALSE(r->ticket_row(99));
  auto all = r->all_ticket_rows();
  REQUIRE(all.size() == 3);
  CHECK(all[2].second == last_rows[3]);
  auto view = engine.ticket_json_from_row(*r->ticket_row(3));
  REQUIRE(view);
  CHECK(view->at("state") == "closed");
}

TEST_CASE("a StoreReader sees commits made after its earlier reads", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  eng::Engine engine(cfg, tz8(), no_holidays());
  auto s = open_store(path);
  commit_one(*s, must(engine, eng::SignIn{1}, clerk("c01"), local(23, 8, 31)));
  commit_one(*s,
             must(engine, eng::IssueTicket{"minzheng", {}, {}, "x-1"}, kKiosk, local(23, 8, 40)));
  auto r = open_reader(path);
  REQUIRE(r->ticket_row(1));
  auto l = r->load();
  REQUIRE(l);
  REQUIRE(l->last_seq == 2);
  REQUIRE(r->events_since(0, 100).size() == 2);

  commit_one(*s,
             must(engine, eng::IssueTicket{"laodong", {}, {}, "x-2"}, kKiosk, local(23, 8, 41)));
  CHECK(r->events_since(2, 100).size() == 1);
  CHECK(r->ticket_row(2));
  auto l2 = r->load();
  REQUIRE(l2);
  CHECK(l2->last_seq == 3);
  CHECK(l2->tickets.size() == 2);
}

TEST_CASE("the write-ahead log stays bounded while the store runs after load()", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  Driver d(cfg, 5, local(23, 8, 30));
  auto s = open_store(path);
  load(*s);  // as the controller does at start-up, before it commits for the whole day
  int committed = 0;
  while (committed < 4000) {
    if (auto item = d.step(seconds{10})) {
      commit_one(*s, *item);
      ++committed;
    }
  }
  // Background checkpoints start at ~1000 pages and force a restart of the log past ~4000
  // pages (16 MiB); how far past depends on thread timing in this tight loop (seen: 8-50
  // MB, the high end with the other core busy). A log that is never recycled grows by ~27 KB
  // per commit: ~110 MB for this run, and keeps growing.
  const auto peak = fs::file_size(path + "-wal");
  INFO("wal bytes after the burst " << peak);
  CHECK(peak < 96u * 1024 * 1024);
  // At a hall's pace the checkpointer catches up: the log restarts and is cut back to
  // journal_size_limit (16 MiB). Commit one step every 20 ms for up to 10 s until it has.
  auto wal = peak;
  for (int i = 0; i < 500 && wal > 17u * 1024 * 1024; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    if (auto item = d.step(seconds{10})) commit_one(*s, *item);
    wal = fs::file_size(path + "-wal");
  }
  INFO("wal bytes after the calm " << wal);
  CHECK(wal <= 17u * 1024 * 1024);
}

// ---- sessions
// ------------------------------------------------------------------------------------

TEST_CASE("sessions are put and deleted through commit and come back from load", "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const std::int64_t t0 = local(23, 20, 0).time_since_epoch().count();
  auto sorted = [](std::vector<store::SessionRow> v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.digest < b.digest; });
    return v;
  };
  auto same = [](const store::SessionRow& a, const store::SessionRow& b) {
    return a.digest == b.digest && a.role == b.role && a.user == b.user && a.window == b.window &&
           a.expires_ms == b.expires_ms;
  };
  const store::SessionRow clerk_row{"blake2b:aa01", "clerk", "c01", 1, t0};
  const store::SessionRow manager_row{"blake2b:bb02", "manager", "m01", 0, t0 + 1};
  const store::SessionRow admin_row{"blake2b:cc03", "admin", "admin", 0, t0 + 2};
  {
    auto s = open_store(path);
    store::CommitItem login;
    login.sessions_put = {clerk_row, manager_row};
    commit_one(*s, login);
  }
  {
    auto s = open_store(path);
    auto got = sorted(load(*s).sessions);
    REQUIRE(got.size() == 2);
    CHECK(same(got[0], clerk_row));
    CHECK(same(got[1], manager_row));
    // Sign-out of the clerk, the manager's session renewed, an admin logs in, and a
    // delete of a session that is already gone is harmless.
    store::CommitItem next;
    store::SessionRow renewed = manager_row;
    renewed.expires_ms += 3'600'000;
    next.sessions_put = {renewed, admin_row};
    next.sessions_del = {clerk_row.digest, "blake2b:gone"};
    commit_one(*s, next);
    CHECK(load(*s).last_seq == 0);  // sessions are not events
  }
  auto s = open_store(path);
  auto got = sorted(load(*s).sessions);
  REQUIRE(got.size() == 2);
  CHECK(got[0].digest == manager_row.digest);
  CHECK(got[0].expires_ms == manager_row.expires_ms + 3'600'000);
  CHECK(same(got[1], admin_row));
  auto r = open_reader(path);
  auto rl = r->load();
  REQUIRE(rl);
  CHECK(rl->sessions.size() == 2);
}

TEST_CASE("a start loads only live cases: done and finished with is closed in the store, also after a migration",
          "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  const HallConfig cfg = small_hall();
  {
    eng::Engine engine(cfg, tz8(), no_holidays());
    auto s = open_store(path);
    auto run = [&](const eng::Command& c, const eng::Actor& a, TimePoint t) { commit_one(*s, must(engine, c, a, t)); };
    run(eng::SignIn{1}, clerk("c01"), local(23, 8, 31));
    auto serve = [&](int minute, eng::CaseType type) {
      run(eng::IssueTicket{"minzheng"}, kKiosk, local(23, 9, minute));
      run(eng::CallNext{1}, clerk("c01"), local(23, 9, minute));
      run(eng::StartService{1}, clerk("c01"), local(23, 9, minute));
      run(eng::Finish{1, eng::CaseInput{.type = type, .item = "dibao", .applicant = {"张*", "x"}}}, clerk("c01"),
          local(23, 9, minute + 1));
    };
    serve(0, eng::CaseType::Immediate);  // case 1: done at once
    serve(5, eng::CaseType::Promised);   // case 2: completed and told
    serve(10, eng::CaseType::Promised);  // case 3: completed, not yet told (live, R-TIME-4)
    serve(15, eng::CaseType::Promised);  // case 4: open
    for (eng::CaseId id : {2, 3}) run(eng::CaseAction{.id = id, .action = "complete"}, clerk("c01"), local(23, 10, 0));
    run(eng::CaseAction{.id = 2, .action = "notify", .channel = "phone"}, clerk("c01"), local(23, 10, 5));
    run(eng::SignOut{1}, clerk("c01"), local(23, 17, 0));
    run(eng::RollOver{}, kSystem, local(24, 0, 0, 1));  // the next day: yesterday's cases load only if live
  }
  auto states = [&] {
    RawDb raw(path, SQLITE_OPEN_READONLY);
    std::string out;
    for (int id = 1; id <= 4; ++id) out += raw.text("SELECT state FROM cases WHERE id=" + std::to_string(id)) + " ";
    return out;
  };
  auto loaded_ids = [&] {
    auto s = open_store(path);
    std::set<std::int64_t> ids;
    for (const auto& row : load(*s).cases) ids.insert(json::parse(row).at("id").as_int64());
    return ids;
  };
  CHECK(states() == "closed closed done open ");
  CHECK(loaded_ids() == std::set<std::int64_t>{3, 4});
  {
    // What a version 3 controller left: every completed case "done" in the column.
    RawDb raw(path);
    raw.exec("UPDATE cases SET state='done' WHERE state='closed'");
    raw.exec("DROP TABLE appointments");
    raw.exec("PRAGMA user_version=3");
  }
  CHECK(loaded_ids() == std::set<std::int64_t>{3, 4});  // the migration closes them again
  CHECK(states() == "closed closed done open ");
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.integer("PRAGMA user_version") == store::kSchemaVersion);
  // The rows themselves still say what the case is.
  CHECK(json::parse(raw.text("SELECT row FROM cases WHERE id=2")).at("state") == "done");
}

TEST_CASE("R-APPT-1 appointments: a start loads requests, bookings to come and the day's; a version 4 database gains the table",
          "[store]") {
  TempDir dir;
  const std::string path = dir.file("hallq.db");
  HallConfig cfg = small_hall();
  cfg.appointments.enabled = true;
  auto book = [](const char* code, int day, int h, int m) {
    return eng::BookAppointment{"minzheng", "dibao", "phone", {"张*", "s1:x"}, {"138****5678", "s1:y"}, "",
                                eng::SlotChoice{year{2026} / November / std::chrono::day{static_cast<unsigned>(day)},
                                                hallq::Minutes{h * 60 + m}, code}};
  };
  {
    eng::Engine engine(cfg, tz8(), no_holidays());
    auto s = open_store(path);
    auto run = [&](const eng::Command& c, const eng::Actor& a, TimePoint t) { commit_one(*s, must(engine, c, a, t)); };
    run(book("100001", 24, 10, 0), clerk("c01"), local(23, 9, 0));   // 1: checks in on the 24th
    run(book("100002", 24, 10, 30), clerk("c01"), local(23, 9, 0));  // 2: missed
    run(eng::RequestAppointment{"minzheng", "", "letter", {"李*", "s1:z"}, {}, "来信"}, clerk("c02"), local(23, 9, 5));  // 3
    run(book("100004", 23, 14, 0), clerk("c01"), local(23, 9, 10));  // 4: cancelled
    run(eng::CancelAppointment{4, "改期"}, clerk("c01"), local(23, 9, 20));
    run(book("100005", 26, 9, 0), clerk("c01"), local(23, 9, 30));   // 5: still to come
    run(eng::RollOver{}, kSystem, local(24, 0, 0, 1));
    run(eng::CheckInAppointment{"100001", "k1"}, kKiosk, local(24, 9, 45));
    run(eng::RollOver{}, kSystem, local(25, 0, 0, 1));
  }
  {
    RawDb raw(path, SQLITE_OPEN_READONLY);
    std::string states;
    for (int id = 1; id <= 5; ++id) states += raw.text("SELECT state FROM appointments WHERE id=" + std::to_string(id)) + " ";
    CHECK(states == "checked_in missed requested cancelled confirmed ");
    CHECK(raw.text("SELECT day FROM appointments WHERE id=3") == "2026-11-23");  // a request: the day it came
  }
  auto s = open_store(path);
  store::Loaded l = load(*s);
  std::set<std::int64_t> ids;
  for (const auto& row : l.appointments) ids.insert(json::parse(row).at("id").as_int64());
  CHECK(ids == std::set<std::int64_t>{3, 5});
  auto e = restored_engine(cfg, l);
  REQUIRE(e->find_appointment(5) != nullptr);
  CHECK(e->find_appointment(5)->code == "100005");
  CHECK(e->find_appointment(3)->state == eng::AppointmentState::Requested);
  CHECK(e->unanswered_appointments(local(25, 9, 0)) == 1);
  CHECK_FALSE(store::verify_replay(path, cfg, tz8(), no_holidays()).has_value());
  auto reader = open_reader(path);
  CHECK(reader->appointment_rows("2026-11-24", "2026-11-24").size() == 2);
  s.reset();
  {
    // What a version 4 controller left: no appointments table.
    RawDb raw(path);
    raw.exec("DROP TABLE appointments");
    raw.exec("PRAGMA user_version=4");
  }
  auto again = open_store(path);
  CHECK(load(*again).appointments.empty());
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.integer("PRAGMA user_version") == store::kSchemaVersion);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='appointments_live'") == 1);
}
