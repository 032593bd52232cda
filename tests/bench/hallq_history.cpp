// hallq-history: writes a realistic multi-year history database for benchmarks.
// It drives the real engine::Engine with a synthetic clock that steps through past days (a
// RollOver just after each local midnight, as the controller's midnight loop does) and
// commits every command's events and projection rows through store::Store::commit in large
// batches. The result is the database the controller would have written had it run the hall
// for that time: `hallq-controller --verify-db` replays it to the same projections and the
// controller starts on it with an ordinary day roll-over (the history ends yesterday).
//
// A simulated day: the clerks of every window sign in before opening; tickets arrive between
// opening and closing (more in the morning and mid-afternoon); each window loops call-next ->
// start -> finish, with a few no-shows (recalled to the limit or skipped; some come back),
// transfers to another service or window, holds and cancellations; when nothing is left the
// clerks sign out.
// The rest of a hall's record comes with it, so the manager's reports have their real volume:
// about a third of the services register a case (the item's kind: 即办件 done at once, 承诺件
// completed on a later day, a few past their deadline, and the applicant told) and the rest
// are enquiries; most citizens rate the service on the window's evaluator (a few bad reviews,
// each reviewed by the manager the same day); now and then a complaint is filed and answered.
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/secret.hpp"
#include "hallq/common/time.hpp"
#include "hallq/controller/engine.hpp"
#include "hallq/controller/store.hpp"

namespace hallq::bench {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using engine::TicketId;

constexpr const char* kUsage = R"(Usage: hallq-history --data-dir DIR [options]
Writes DIR/hallq.db: a history of past days driven through the real engine and store.
Options:
  --config FILE       hall config (default deploy/examples/bench-hall.toml)
  --data-dir DIR      where hallq.db is written (required)
  --tickets N         tickets in total (default 1500000)
  --per-service-day N tickets per service per day (default 300)
  --batch N           commands per store commit (default 5000)
  --end-day YYYY-MM-DD  last day of the history (default: yesterday in the hall's time zone)
  --seed N            random seed (default 20240601)
  --force             replace an existing hallq.db in DIR
)";

struct Options {
  std::string config = "deploy/examples/bench-hall.toml";
  std::string data_dir;
  long long tickets = 1'500'000;
  int per_service_day = 300;
  int batch = 5000;
  std::string end_day;
  std::uint64_t seed = 20240601;
  bool force = false;
};

// Ticket fates, in per-mille of called tickets.
constexpr int kNoShowPerMille = 30;    // half recalled to the limit, half skipped
constexpr int kTransferPerMille = 20;  // a third of them to window 6 (综合受理), the rest to a service
constexpr int kHoldPerMille = 5;
constexpr int kCancelPerMille = 10;    // of issued tickets: the citizen leaves while waiting
constexpr int kReturnPercent = 30;     // of no-shows: the citizen comes back in time
constexpr int kCasePerMille = 350;     // of finished tickets: a case is registered
constexpr int kLatePerMille = 20;      // of promised cases: completed past the deadline
constexpr int kRatedPerMille = 700;    // of finished tickets: rated on the evaluator
constexpr int kComplaintPerMille = 100;  // of days: a complaint is filed

struct Counters {
  long long issued = 0, called = 0, finished = 0, noshows = 0, returned = 0, transfers = 0,
            holds = 0, cancels = 0, commits = 0, commands = 0, cases = 0, consultations = 0,
            cases_completed = 0, cases_late = 0, ratings = 0, bad_ratings = 0, complaints = 0;
};

// Windows move through these phases; one pending action per window at most.
enum class Phase { Off, Idle, Sleeping, Called, Serving };
enum class Plan { Finish, NoShowRecall, NoShowSkip, Transfer, Hold };

struct Win {
  const WindowConfig* cfg = nullptr;
  Phase phase = Phase::Off;
  std::string clerk, session;
  TicketId current = 0;
  Plan plan = Plan::Finish;
  std::vector<std::pair<TimePoint, TicketId>> held;  // due time, ticket
};

// Arrival, Return and Cancel come from citizens and keep the windows open (pending_); the
// rest are the clerks' and the manager's work beside the queue.
enum class Kind { Arrival, Window, Return, Cancel, Rate, Complete, Review, Complaint, Answer };
struct Action {
  TimePoint at;
  std::uint64_t order;  // ties break in scheduling order
  Kind kind;
  std::size_t index;    // arrival or window index
  TicketId ticket;
  bool operator>(const Action& o) const { return at != o.at ? at > o.at : order > o.order; }
};

struct Arrival {
  TimePoint at;
  std::size_t service;
  engine::Priority priority;
  engine::Channel channel;
};

// Commits batches on its own thread, so the engine makes the next batch while SQLite writes
// the previous one. Batches commit in order; at most two wait. The first failure stops it.
class BatchWriter {
 public:
  explicit BatchWriter(store::Store& st) : store_(st), th_([this] { loop(); }) {}
  ~BatchWriter() { finish(); }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Queues a batch; error text once a commit has failed.
  std::optional<std::string> push(std::vector<store::CommitItem> batch) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return q_.size() < 2 || error_; });
    if (error_) return error_;
    q_.push_back(std::move(batch));
    cv_.notify_all();
    return std::nullopt;
  }

  // Waits until everything queued is committed; error text if a commit failed.
  std::optional<std::string> finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (th_.joinable()) th_.join();
    return error_;
  }

  long long commits() const { return commits_; }  // after finish()

 private:
  void loop() {
    for (;;) {
      std::vector<store::CommitItem> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return done_ || !q_.empty(); });
        if (q_.empty()) return;
        batch = std::move(q_.front());
        q_.pop_front();
      }
      cv_.notify_all();
      std::vector<const store::CommitItem*> items;
      items.reserve(batch.size());
      for (const auto& i : batch) items.push_back(&i);
      auto e = store_.commit(items);
      std::lock_guard lock(mu_);
      commits_++;
      if (e) {
        error_ = "commit failed: " + *e;
        cv_.notify_all();
        return;
      }
    }
  }

  store::Store& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<store::CommitItem>> q_;
  bool done_ = false;
  std::optional<std::string> error_;
  long long commits_ = 0;
  std::thread th_;  // last: starts after the members it uses
};

class Generator {
 public:
  Generator(const Options& o, const HallConfig& cfg, const TimeZone& tz, const WorkingCalendar& cal,
            store::Store& st)
      : opt_(o), cfg_(cfg), tz_(tz), eng_(cfg, tz, cal), writer_(st), rng_(o.seed) {
    for (const auto& d : cfg_.devices)
      if (d.kind == DeviceKind::Kiosk) {
        kiosk_ = engine::Actor{engine::Actor::Kind::Device, d.id};
        break;
      }
    for (const auto& w : cfg_.windows) {
      Win win;
      win.cfg = &w;
      wins_.push_back(win);
    }
    // Service capacity: spread the day's tickets over the windows with some slack, so every
    // day's queue drains before the evening.
    double open_s = duration<double>(cfg_.hours.close - cfg_.hours.open).count();
    double per_day = static_cast<double>(o.per_service_day) * static_cast<double>(cfg_.services.size());
    double cycle_s = open_s * static_cast<double>(wins_.size()) / per_day;
    mean_service_s_ = std::max(20.0, 0.7 * cycle_s - 35.0);
  }

  // Runs the whole history; error text on failure.
  std::optional<std::string> run(Date first, long long days) {
    long long per_day = static_cast<long long>(opt_.per_service_day) * static_cast<long long>(cfg_.services.size());
    // The oldest day takes the remainder, so the days the controller loads are full ones.
    long long short_by = days * per_day - opt_.tickets;
    sys_days d{first};
    for (long long i = 0; i < days; ++i, d += std::chrono::days{1}) {
      long long n = i == 0 ? per_day - short_by : per_day;
      if (auto e = run_day(Date{d}, n)) return e;
    }
    if (auto e = flush()) return e;
    auto e = writer_.finish();
    n_.commits = writer_.commits();
    return e;
  }

  const Counters& counters() const { return n_; }
  engine::Seq events() const { return eng_.last_seq(); }

 private:
  TimePoint local(Date d, Minutes m, milliseconds extra = milliseconds{0}) const {
    return tz_.from_local(d, m) + extra;
  }
  milliseconds uniform_ms(double lo_s, double hi_s) {
    std::uniform_real_distribution<double> u(lo_s, hi_s);
    return milliseconds{static_cast<long long>(u(rng_) * 1000)};
  }
  int per_mille() { return std::uniform_int_distribution<int>(0, 999)(rng_); }

  static bool citizen(Kind k) { return k == Kind::Arrival || k == Kind::Return || k == Kind::Cancel; }

  void schedule(TimePoint at, Kind k, std::size_t index, TicketId ticket = 0) {
    if (citizen(k)) pending_++;
    heap_.push(Action{at, order_++, k, index, ticket});
  }

  // Executes one command; its events and rows join the current batch.
  Expected<engine::Outcome, std::string> exec(const engine::Command& cmd, const engine::Actor& actor,
                                              TimePoint now, store::CommitItem extra = {}) {
    n_.commands++;
    auto out = eng_.execute(cmd, actor, now);
    if (!out)
      return unexpected("engine refused a command at " + format_rfc3339(now, tz_) + ": " +
                        engine::to_string(out.error().code) + ": " + out.error().message);
    // A command without events changes nothing the store keeps (its meta row is the same);
    // the controller would commit that same meta again, which leaves the file identical.
    if (!out->events.empty() || !extra.sessions_put.empty() || !extra.sessions_del.empty()) {
      extra.events = out->events;
      extra.changes = std::move(out->changes);
      batch_.push_back(std::move(extra));
      if (static_cast<int>(batch_.size()) >= opt_.batch) {
        if (auto e = flush()) return unexpected(*e);
      }
    }
    return std::move(*out);
  }

  std::optional<std::string> flush() {
    if (batch_.empty()) return std::nullopt;
    std::vector<store::CommitItem> full;
    full.swap(batch_);
    batch_.reserve(static_cast<std::size_t>(opt_.batch));
    return writer_.push(std::move(full));
  }

  engine::Actor clerk_of(const Win& w) const { return engine::Actor{engine::Actor::Kind::Clerk, w.clerk}; }

  bool serves(const Win& w, const std::string& service) const {
    return std::find(w.cfg->services.begin(), w.cfg->services.end(), service) != w.cfg->services.end();
  }

  // Sleeping windows that could call a ticket of `service` (or any, if empty) look again.
  void wake(TimePoint now, const std::string& service, int only_window = 0) {
    for (std::size_t i = 0; i < wins_.size(); ++i) {
      Win& w = wins_[i];
      if (w.phase != Phase::Sleeping) continue;
      if (only_window ? w.cfg->number != only_window : !service.empty() && !serves(w, service)) continue;
      w.phase = Phase::Idle;
      schedule(now + uniform_ms(2, 15), Kind::Window, i);
    }
  }

  bool others_busy(const Win& self) const {
    for (const auto& w : wins_)
      if (&w != &self && (w.phase == Phase::Called || w.phase == Phase::Serving)) return true;
    return false;
  }

  std::vector<Arrival> arrivals(Date day, long long n) {
    // Relative demand per hour from opening: busy mornings, a lunch dip, a mid-afternoon peak.
    static const double kWeights[] = {1.2, 1.6, 1.5, 1.0, 0.6, 0.7, 1.2, 1.3, 0.9};
    double open_h = duration<double>(cfg_.hours.close - cfg_.hours.open).count() / 3600.0;
    std::vector<double> bounds, weights;
    std::size_t slots = std::max<std::size_t>(1, static_cast<std::size_t>(open_h));
    for (std::size_t i = 0; i <= slots; ++i) bounds.push_back(open_h * static_cast<double>(i) / static_cast<double>(slots));
    for (std::size_t i = 0; i < slots; ++i) weights.push_back(kWeights[i % std::size(kWeights)]);
    std::piecewise_constant_distribution<double> when(bounds.begin(), bounds.end(), weights.begin());
    std::uniform_int_distribution<std::size_t> svc(0, cfg_.services.size() - 1);
    TimePoint open = local(day, cfg_.hours.open);
    std::vector<Arrival> out;
    out.reserve(static_cast<std::size_t>(n));
    for (long long i = 0; i < n; ++i) {
      Arrival a;
      a.at = open + milliseconds{static_cast<long long>(when(rng_) * 3'600'000.0)};
      a.service = svc(rng_);
      int p = per_mille();
      a.priority = p < 60 ? engine::Priority::Elderly
                 : p < 75 ? engine::Priority::Disabled
                 : p < 90 ? engine::Priority::Pregnant
                 : p < 130 ? engine::Priority::Appointment
                           : engine::Priority::Normal;
      a.channel = a.priority == engine::Priority::Appointment ? engine::Channel::Appointment
                                                              : engine::Channel::Kiosk;
      out.push_back(a);
    }
    std::sort(out.begin(), out.end(), [](const Arrival& x, const Arrival& y) { return x.at < y.at; });
    return out;
  }

  std::optional<std::string> run_day(Date day, long long n) {
    const std::string day_s = format_date(day);
    TimePoint midnight = local(day, Minutes{0});
    // The controller's midnight loop wakes 50 ms after midnight; a fresh database starts with
    // the same roll-over the controller makes when it first starts.
    {
      const engine::Command cmd = engine::RollOver{};
      auto r = exec(cmd, engine::Actor{}, midnight + milliseconds{50});
      if (!r) return r.error();
    }
    // Both posts take turns by day where a window has a B post.
    bool b_day = (sys_days{day}.time_since_epoch().count() % 2) != 0;
    for (std::size_t i = 0; i < wins_.size(); ++i) {
      Win& w = wins_[i];
      w.clerk = b_day && !w.cfg->clerk_b.empty() ? w.cfg->clerk_b : w.cfg->clerk_a;
      w.session = token_digest("hallq-history-" + day_s + "-" + std::to_string(w.cfg->number));
      w.phase = Phase::Off;
      w.held.clear();
      schedule(local(day, cfg_.hours.open) - uniform_ms(60, 900), Kind::Window, i);
    }
    day_arrivals_ = arrivals(day, n);
    for (std::size_t i = 0; i < day_arrivals_.size(); ++i) schedule(day_arrivals_[i].at, Kind::Arrival, i);
    // Promised cases due to be completed today, during the morning.
    for (auto it = to_complete_.begin(); it != to_complete_.end();) {
      if (it->first > day) {
        ++it;
        continue;
      }
      schedule(local(day, cfg_.hours.open) + uniform_ms(600, 3 * 3600), Kind::Complete, 0, it->second);
      it = to_complete_.erase(it);
    }
    if (per_mille() < kComplaintPerMille)
      schedule(local(day, cfg_.hours.open) + uniform_ms(1800, 5 * 3600), Kind::Complaint,
               std::uniform_int_distribution<std::size_t>(0, wins_.size() - 1)(rng_));

    TimePoint limit = local(day, Minutes{23 * 60 + 30});
    while (!heap_.empty()) {
      Action a = heap_.top();
      heap_.pop();
      if (a.at >= limit)
        return "day " + day_s + " did not finish by 23:30 (lower --per-service-day)";
      if (citizen(a.kind)) pending_--;
      std::optional<std::string> e;
      switch (a.kind) {
        case Kind::Arrival: e = on_arrival(a); break;
        case Kind::Window: e = on_window(a); break;
        case Kind::Return: e = on_return(a); break;
        case Kind::Cancel: e = on_cancel(a); break;
        case Kind::Rate: e = on_rate(a); break;
        case Kind::Complete: e = on_complete(a); break;
        case Kind::Review: e = on_review(a); break;
        case Kind::Complaint: e = on_complaint(a); break;
        case Kind::Answer: e = on_answer(a); break;
      }
      if (e) return e;
      // The day's last outside event: sleeping windows look once more, then close.
      if (citizen(a.kind) && pending_ == 0) wake(a.at, {});
    }
    for (const auto& w : wins_)
      if (w.phase != Phase::Off) return "window " + std::to_string(w.cfg->number) + " still open at the end of " + day_s;
    return std::nullopt;
  }

  std::optional<std::string> on_arrival(const Action& a) {
    const Arrival& ar = day_arrivals_[a.index];
    const std::string& service = cfg_.services[ar.service].id;
    // A kiosk's request id, unique within the day (appended piecewise: GCC 12 warns falsely
    // about `"literal" + std::string` at -O2).
    std::string request_id = "h";
    request_id += std::to_string(eng_.last_seq());
    request_id += '-';
    request_id += std::to_string(a.order);
    const engine::Command cmd = engine::IssueTicket{service, ar.priority, ar.channel, request_id};
    auto r = exec(cmd, kiosk_, a.at);
    if (!r) return r.error();
    n_.issued++;
    TicketId id = r->reply.as_object().at("id").as_int64();
    if (per_mille() < kCancelPerMille) schedule(a.at + uniform_ms(120, 2400), Kind::Cancel, 0, id);
    wake(a.at, service);
    return std::nullopt;
  }

  std::optional<std::string> on_return(const Action& a) {
    const engine::Ticket* t = eng_.find_ticket(a.ticket);
    if (!t || t->state != engine::TicketState::NoShow) return std::nullopt;
    std::string service = t->service;
    const engine::Command cmd = engine::ReturnNoShow{a.ticket};
    auto r = exec(cmd, kiosk_, a.at);
    if (!r) return r.error();
    n_.returned++;
    wake(a.at, service);
    return std::nullopt;
  }

  std::optional<std::string> on_cancel(const Action& a) {
    const engine::Ticket* t = eng_.find_ticket(a.ticket);
    if (!t || t->state != engine::TicketState::Waiting) return std::nullopt;  // called meanwhile
    const engine::Command cmd = engine::CancelTicket{a.ticket, "citizen left"};
    auto r = exec(cmd, kiosk_, a.at);
    if (!r) return r.error();
    n_.cancels++;
    return std::nullopt;
  }

  // The window's evaluator: the citizen just served rates the service (R-EVAL-1).
  std::optional<std::string> on_rate(const Action& a) {
    const int n = wins_[a.index].cfg->number;
    int p = per_mille();
    int level = p < 850 ? 5 : p < 950 ? 4 : p < 980 ? 3 : p < 995 ? 2 : 1;
    const engine::Command cmd = engine::RateService{n, level};
    const engine::Actor evaluator{engine::Actor::Kind::Device, "evaluator-" + std::to_string(n)};
    auto r = exec(cmd, evaluator, a.at);
    if (!r) return r.error();
    n_.ratings++;
    if (level <= 2) {
      n_.bad_ratings++;
      // The follow-up is keyed by the rating's event; the manager calls back within hours.
      schedule(a.at + uniform_ms(1800, 3 * 3600), Kind::Review, 0, static_cast<TicketId>(r->events.front().seq));
    }
    return std::nullopt;
  }

  std::optional<std::string> on_review(const Action& a) {
    engine::ReviewRating rv;
    rv.rating = static_cast<engine::Seq>(a.ticket);
    rv.outcome = per_mille() < 300 ? "verified" : "not_verified";
    rv.note = "电话回访";
    const engine::Command cmd = rv;
    auto r = exec(cmd, manager_, a.at);
    if (!r) return r.error();
    return std::nullopt;
  }

  // A promised case completed by its window's clerk of the day.
  std::optional<std::string> on_complete(const Action& a) {
    const engine::Case* c = eng_.find_case(static_cast<engine::CaseId>(a.ticket));
    if (!c || c->state != engine::CaseState::Open) return std::nullopt;
    std::string clerk;
    for (const auto& w : wins_)
      if (w.cfg->number == c->window) clerk = w.clerk;
    engine::CaseAction act;
    act.id = c->id;
    act.action = "complete";
    const engine::Command cmd = act;
    auto r = exec(cmd, engine::Actor{engine::Actor::Kind::Clerk, clerk}, a.at);
    if (!r) return r.error();
    n_.cases_completed++;
    for (const auto& e : r->events)
      if (e.type == "CaseCompleted" && e.data.at("overdue_days").as_int64() > 0) n_.cases_late++;
    // The applicant is told of the result the same day (R-TIME-4), which closes the case.
    act.action = "notify";
    act.channel = "phone";
    const engine::Command tell = act;
    auto t = exec(tell, engine::Actor{engine::Actor::Kind::Clerk, clerk}, a.at);  // the log's times never go back
    if (!t) return t.error();
    return std::nullopt;
  }

  std::optional<std::string> on_complaint(const Action& a) {
    engine::FileComplaint fc;
    fc.categories = {per_mille() < 500 ? "waiting" : "attitude"};
    fc.content = "等候时间较长，希望增加窗口。";
    fc.window = wins_[a.index].cfg->number;
    fc.name = engine::Sealed{"李**", ""};  // as sealed by the API; the bench keeps no clear data
    fc.phone = engine::Sealed{"138****1234", ""};
    const engine::Command cmd = fc;
    auto r = exec(cmd, manager_, a.at);
    if (!r) return r.error();
    n_.complaints++;
    schedule(a.at + uniform_ms(3600, 4 * 3600), Kind::Answer, 0, r->reply.as_object().at("id").as_int64());
    return std::nullopt;
  }

  std::optional<std::string> on_answer(const Action& a) {
    engine::AnswerComplaint ac;
    ac.complaint = a.ticket;
    ac.outcome = per_mille() < 400 ? "verified" : "not_verified";
    ac.answer = "已电话答复，并督促窗口改进。";
    const engine::Command cmd = ac;
    auto r = exec(cmd, manager_, a.at);
    if (!r) return r.error();
    return std::nullopt;
  }

  // Finishing: a case registered with it (its kind from the item), or an enquiry.
  engine::Finish finish_command(int n, TicketId ticket) {
    engine::Finish fin{n, std::nullopt, false};
    const engine::Ticket* t = eng_.find_ticket(ticket);
    const ServiceConfig* svc = nullptr;
    for (const auto& s : cfg_.services)
      if (t && s.id == t->service) svc = &s;
    if (!svc || svc->items.empty() || per_mille() >= kCasePerMille) {
      fin.consultation = true;
      return fin;
    }
    const ServiceItem& item = svc->items.front();
    engine::CaseInput in;
    in.type = item.kind == ItemKind::Promised ? engine::CaseType::Promised : engine::CaseType::Immediate;
    in.item = item.id;
    in.applicant.masked = "张*";
    in.received = item.materials;
    fin.case_input = std::move(in);
    return fin;
  }

  // After a finish: the rating a few seconds later, and the day a promised case is completed.
  void after_finish(const engine::Outcome& out, std::size_t win, TimePoint now) {
    if (per_mille() < kRatedPerMille) schedule(now + uniform_ms(2, 8), Kind::Rate, win);
    for (const auto& e : out.events) {
      if (e.type != "CaseRegistered") continue;
      n_.cases++;
      const engine::Case* c = eng_.find_case(e.data.at("case").as_int64());
      if (!c || !c->deadline) continue;
      Date today = tz_.to_local(now).date;
      long long span = (sys_days{*c->deadline} - sys_days{today}).count();
      long long d = per_mille() < kLatePerMille
                        ? span + std::uniform_int_distribution<long long>(1, 4)(rng_)
                        : std::uniform_int_distribution<long long>(1, std::max<long long>(1, span))(rng_);
      to_complete_.emplace_back(Date{sys_days{today} + days{d}}, c->id);
    }
    if (std::none_of(out.events.begin(), out.events.end(), [](const auto& e) { return e.type == "CaseRegistered"; }))
      n_.consultations++;
  }

  std::optional<std::string> on_window(const Action& a) {
    Win& w = wins_[a.index];
    const int n = w.cfg->number;
    const engine::Actor actor = clerk_of(w);
    TimePoint now = a.at;
    auto after = [&](double lo, double hi) { schedule(now + uniform_ms(lo, hi), Kind::Window, a.index); };

    switch (w.phase) {
      case Phase::Off: {
        store::CommitItem extra;
        extra.sessions_put.push_back(store::SessionRow{
            w.session, "clerk", w.clerk, n,
            (now + hours{cfg_.policy.session_hours}).time_since_epoch().count()});
        const engine::Command cmd = engine::SignIn{n};
        auto r = exec(cmd, actor, now, std::move(extra));
        if (!r) return r.error();
        w.phase = Phase::Idle;
        after(5, 60);
        return std::nullopt;
      }
      case Phase::Sleeping:
        return std::nullopt;  // woken only through wake()
      case Phase::Idle: {
        // A held ticket whose citizen is back is resumed before anyone new is called.
        auto due = std::find_if(w.held.begin(), w.held.end(), [&](const auto& h) { return h.first <= now; });
        if (due != w.held.end()) {
          const engine::Command cmd = engine::UnholdTicket{n, due->second};
          w.held.erase(due);
          auto r = exec(cmd, actor, now);
          if (!r) return r.error();
          w.current = eng_.find_window(n)->current;
          w.phase = Phase::Called;
          w.plan = Plan::Finish;
          after(5, 30);
          return std::nullopt;
        }
        const engine::Command cmd = engine::CallNext{n};
        auto r = exec(cmd, actor, now);
        if (!r) return r.error();
        if (TicketId id = eng_.find_window(n)->current) {
          n_.called++;
          w.current = id;
          w.phase = Phase::Called;
          int p = per_mille();
          w.plan = p < kNoShowPerMille / 2 ? Plan::NoShowRecall
                 : p < kNoShowPerMille ? Plan::NoShowSkip
                 : p < kNoShowPerMille + kTransferPerMille ? Plan::Transfer
                 : p < kNoShowPerMille + kTransferPerMille + kHoldPerMille ? Plan::Hold
                                                                           : Plan::Finish;
          if (w.plan == Plan::NoShowRecall) after(25, 40);
          else if (w.plan == Plan::NoShowSkip) after(50, 90);
          else after(5, 40);
          return std::nullopt;
        }
        // Nobody waiting for this window.
        if (!w.held.empty()) {
          auto next = std::min_element(w.held.begin(), w.held.end());
          schedule(std::max(now, next->first), Kind::Window, a.index);
          return std::nullopt;
        }
        if (pending_ > 0 || others_busy(w)) {
          w.phase = Phase::Sleeping;
          return std::nullopt;
        }
        store::CommitItem extra;
        extra.sessions_del.push_back(w.session);
        const engine::Command out = engine::SignOut{n};
        auto s = exec(out, actor, now, std::move(extra));
        if (!s) return s.error();
        w.phase = Phase::Off;
        wake(now, {});  // the others may close too
        return std::nullopt;
      }
      case Phase::Called: {
        if (w.plan == Plan::NoShowRecall || w.plan == Plan::NoShowSkip) {
          engine::Command cmd = engine::Recall{n};
          if (w.plan == Plan::NoShowSkip) cmd = engine::Skip{n};
          auto r = exec(cmd, actor, now);
          if (!r) return r.error();
          const engine::Ticket* t = eng_.find_ticket(w.current);
          if (t && t->state == engine::TicketState::NoShow) {
            n_.noshows++;
            if (std::uniform_int_distribution<int>(0, 99)(rng_) < kReturnPercent)
              schedule(now + uniform_ms(60, 25 * 60), Kind::Return, 0, w.current);
            w.current = 0;
            w.phase = Phase::Idle;
            after(3, 15);
          } else {
            after(25, 40);  // recall again
          }
          return std::nullopt;
        }
        const engine::Command cmd = engine::StartService{n};
        auto r = exec(cmd, actor, now);
        if (!r) return r.error();
        w.phase = Phase::Serving;
        std::exponential_distribution<double> service(1.0 / mean_service_s_);
        double s = std::clamp(service(rng_), 15.0, 10 * mean_service_s_);
        schedule(now + milliseconds{static_cast<long long>(s * 1000)}, Kind::Window, a.index);
        return std::nullopt;
      }
      case Phase::Serving: {
        if (w.plan == Plan::Transfer) {
          const engine::Ticket* t = eng_.find_ticket(w.current);
          std::string from = t ? t->service : std::string();
          engine::TransferTicket tr{n, {}, 0};
          const WindowConfig& last = cfg_.windows.back();
          if (per_mille() < 333 && last.number != n && serves(wins_.back(), from)) {
            tr.to_window = last.number;
          } else {
            std::uniform_int_distribution<std::size_t> pick(0, cfg_.services.size() - 1);
            do tr.to_service = cfg_.services[pick(rng_)].id;
            while (tr.to_service == from && cfg_.services.size() > 1);
            if (tr.to_service == from) tr.to_service.clear();
          }
          if (!tr.to_service.empty() || tr.to_window) {
            const engine::Command cmd = tr;
            auto r = exec(cmd, actor, now);
            if (!r) return r.error();
            n_.transfers++;
            w.current = 0;
            w.phase = Phase::Idle;
            wake(now, tr.to_service, tr.to_window);
            after(3, 15);
            return std::nullopt;
          }
        }
        if (w.plan == Plan::Hold) {
          const engine::Command cmd = engine::HoldTicket{n};
          auto r = exec(cmd, actor, now);
          if (!r) return r.error();
          n_.holds++;
          w.held.emplace_back(now + uniform_ms(180, 900), w.current);
          w.current = 0;
          w.phase = Phase::Idle;
          after(3, 15);
          return std::nullopt;
        }
        const engine::Command cmd = finish_command(n, w.current);
        auto r = exec(cmd, actor, now);
        if (!r) return r.error();
        after_finish(*r, a.index, now);
        n_.finished++;
        w.current = 0;
        w.phase = Phase::Idle;
        after(3, 15);
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  const Options& opt_;
  const HallConfig& cfg_;
  const TimeZone& tz_;
  engine::Engine eng_;
  BatchWriter writer_;
  std::mt19937_64 rng_;
  engine::Actor kiosk_{engine::Actor::Kind::Device, "kiosk-1"};
  engine::Actor manager_{engine::Actor::Kind::Manager, "m01"};
  std::vector<std::pair<Date, engine::CaseId>> to_complete_;  // promised cases: completion day
  std::vector<Win> wins_;
  double mean_service_s_ = 60;
  std::vector<Arrival> day_arrivals_;
  std::priority_queue<Action, std::vector<Action>, std::greater<>> heap_;
  std::uint64_t order_ = 0;
  long long pending_ = 0;  // arrivals, returns and cancellations not yet processed today
  std::vector<store::CommitItem> batch_;
  Counters n_;
};

int usage_error(const std::string& m) {
  std::cerr << "hallq-history: " << m << "\n" << kUsage;
  return 2;
}

std::uintmax_t file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  auto s = fs::file_size(p, ec);
  return ec ? 0 : s;
}

int run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](long long lo) -> std::optional<long long> {
      auto v = value();
      if (!v) return std::nullopt;
      char* end = nullptr;
      long long n = std::strtoll(v->c_str(), &end, 10);
      if (end == v->c_str() || *end != '\0' || n < lo) return std::nullopt;
      return n;
    };
    if (k == "--help" || k == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (k == "--config") {
      auto v = value();
      if (!v) return usage_error("--config needs a file");
      o.config = *v;
    } else if (k == "--data-dir") {
      auto v = value();
      if (!v) return usage_error("--data-dir needs a folder");
      o.data_dir = *v;
    } else if (k == "--tickets") {
      auto v = number(1);
      if (!v) return usage_error("--tickets needs a positive number");
      o.tickets = *v;
    } else if (k == "--per-service-day") {
      auto v = number(1);
      if (!v || *v > 100000) return usage_error("--per-service-day needs a number 1..100000");
      o.per_service_day = static_cast<int>(*v);
    } else if (k == "--batch") {
      auto v = number(1);
      if (!v || *v > 1000000) return usage_error("--batch needs a number 1..1000000");
      o.batch = static_cast<int>(*v);
    } else if (k == "--seed") {
      auto v = number(0);
      if (!v) return usage_error("--seed needs a number");
      o.seed = static_cast<std::uint64_t>(*v);
    } else if (k == "--end-day") {
      auto v = value();
      if (!v) return usage_error("--end-day needs YYYY-MM-DD");
      o.end_day = *v;
    } else if (k == "--force") {
      o.force = true;
    } else {
      return usage_error("unknown option '" + k + "'");
    }
  }
  if (o.data_dir.empty()) return usage_error("--data-dir is required");
  if (!init_secrets()) {
    std::cerr << "hallq-history: libsodium failed to initialise\n";
    return 1;
  }
  auto cfg = load_config(o.config);
  if (!cfg) {
    std::cerr << cfg.error().to_string() << "\n";
    return 1;
  }
  auto tz = TimeZone::load(cfg->centre.timezone);
  if (!tz) {
    std::cerr << o.config << ": centre.timezone: " << tz.error() << "\n";
    return 1;
  }
  WorkingCalendar calendar(cfg->calendar.holidays, cfg->calendar.makeup_workdays);
  if (!cfg->hours.always_open || cfg->windows.empty() || cfg->services.empty()) {
    std::cerr << "hallq-history: the hall must be always_open with windows and services (use a bench hall)\n";
    return 1;
  }

  // The history ends yesterday, so the controller's first roll-over on it is an ordinary one.
  Date end;
  if (o.end_day.empty()) {
    end = Date{sys_days{tz->to_local(time_point_cast<milliseconds>(system_clock::now())).date} - days{1}};
  } else {
    auto d = parse_date(o.end_day);
    if (!d) return usage_error("--end-day needs YYYY-MM-DD");
    end = *d;
  }
  long long per_day = static_cast<long long>(o.per_service_day) * static_cast<long long>(cfg->services.size());
  long long ndays = (o.tickets + per_day - 1) / per_day;
  Date first{sys_days{end} - days{ndays - 1}};

  fs::path dir(o.data_dir);
  fs::path db = dir / "hallq.db";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::cerr << "hallq-history: cannot create " << dir << ": " << ec.message() << "\n";
    return 1;
  }
  if (fs::exists(db)) {
    if (!o.force) {
      std::cerr << "hallq-history: " << db.string() << " exists (use --force to replace it)\n";
      return 1;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix, ec);
  }

  auto t0 = steady_clock::now();
  auto st = store::Store::open(db.string());
  if (!st) {
    std::cerr << "hallq-history: " << st.error() << "\n";
    return 1;
  }
  Counters counters;
  engine::Seq events = 0;
  {
    Generator gen(o, *cfg, *tz, calendar, **st);
    if (auto e = gen.run(first, ndays)) {
      std::cerr << "hallq-history: " << *e << "\n";
      return 1;
    }
    counters = gen.counters();
    events = gen.events();
  }
  st->reset();  // closing the last connection checkpoints the WAL into the main file
  double secs = duration<double>(steady_clock::now() - t0).count();

  auto size = file_size_or_zero(db) + file_size_or_zero(db.string() + "-wal");
  std::printf("database: %s\n", db.string().c_str());
  std::printf("days: %lld (%s .. %s)\n", ndays, format_date(first).c_str(), format_date(end).c_str());
  std::printf("tickets: %lld\n", counters.issued);
  std::printf("events: %lld\n", static_cast<long long>(events));
  std::printf("commands: %lld\n", counters.commands);
  std::printf("commits: %lld\n", counters.commits);
  std::printf("called: %lld\n", counters.called);
  std::printf("finished: %lld\n", counters.finished);
  std::printf("no_shows: %lld\n", counters.noshows);
  std::printf("returned: %lld\n", counters.returned);
  std::printf("transfers: %lld\n", counters.transfers);
  std::printf("holds: %lld\n", counters.holds);
  std::printf("cancelled: %lld\n", counters.cancels);
  std::printf("cases: %lld\n", counters.cases);
  std::printf("enquiries: %lld\n", counters.consultations);
  std::printf("cases_completed_later: %lld\n", counters.cases_completed);
  std::printf("cases_late: %lld\n", counters.cases_late);
  std::printf("ratings: %lld\n", counters.ratings);
  std::printf("bad_ratings: %lld\n", counters.bad_ratings);
  std::printf("complaints: %lld\n", counters.complaints);
  std::printf("file_size_bytes: %llu\n", static_cast<unsigned long long>(size));
  std::printf("file_size_mb: %.1f\n", static_cast<double>(size) / (1024.0 * 1024.0));
  std::printf("time_s: %.1f\n", secs);
  std::printf("tickets_per_s: %.0f\n", static_cast<double>(counters.issued) / secs);
  return 0;
}

}  // namespace
}  // namespace hallq::bench

int main(int argc, char** argv) { return hallq::bench::run(argc, argv); }
