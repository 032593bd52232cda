#include "hall.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <atomic>

#include "hallq/common/log.hpp"
#include "hallq/common/serial_worker.hpp"
#include "hallq/common/secret.hpp"
#include "hallq/controller/event_codec.hpp"

namespace hallq::api {
namespace json = boost::json;
using namespace std::chrono;

namespace {
ConnectionGate::Limits gate_limits(const ServerConfig& s) {
  return {s.max_connections, s.max_connections_per_address, s.reserved_connections, s.max_anonymous_streams,
          s.max_anonymous_streams_per_address};
}

SignInGuard::Settings guard_settings(const PolicyConfig& p) {
  return {p.pin_max_failures, p.pin_lockout_s, p.pin_daily_failures};
}

}  // namespace

ApiError from_engine(const engine::Error& e) {
  using engine::Errc;
  int status = 409;
  switch (e.code) {
    case Errc::InvalidArgument:
    case Errc::NoSuchSlot:
    case Errc::UnknownService: status = 422; break;
    case Errc::UnknownWindow:
    case Errc::UnknownHelp:
    case Errc::UnknownAppointment:
    case Errc::UnknownCase:
    case Errc::UnknownTicket: status = 404; break;
    case Errc::UnknownClerk:
    case Errc::NotAssigned:
    case Errc::NotYourTicket:
    case Errc::NotYourCase:
    case Errc::NotYourWindow: status = 403; break;
    default: status = 409; break;
  }
  return ApiError{status, engine::to_string(e.code), e.message, e.message_zh};
}

engine::Actor Principal::actor() const {
  using K = engine::Actor::Kind;
  switch (kind) {
    case Kind::Device: return {K::Device, id};
    case Kind::Clerk: return {K::Clerk, id};
    case Kind::Manager:
    case Kind::Admin: return {K::Manager, id};
    case Kind::None: break;
  }
  return {K::System, ""};
}

json::object staff_event_json(const engine::Event& e, const TimeZone& tz) {
  const char* kinds[] = {"system", "clerk", "device", "manager"};
  json::object o{{"seq", e.seq}, {"type", e.type}, {"at", format_rfc3339(e.at, tz)}, {"window", e.window}};
  o["actor"] = json::object{{"kind", kinds[static_cast<int>(e.actor.kind)]}, {"id", e.actor.id}};
  o["data"] = e.data;
  // A complainant's phone is shown masked to staff too (R-COMP-1); the log keeps it for the answer.
  if (auto* ph = o["data"].as_object().if_contains("phone"); ph && ph->is_string())
    *ph = engine::mask_phone(ph->as_string());
  // A ticket's request id is its kiosk's business (a clerk holding it could ask for the
  // ticket's rating key), and where a rating came from is for the manager's report only.
  o["data"].as_object().erase("request_id");
  if (e.type == "ServiceRated") o["data"].as_object().erase("from");
  // Sealed personal fields stay in the log: subscribers get the masked form only.
  for (const char* k : {"applicant", "phone", "id_number", "caller", "name"})
    if (auto* f = o["data"].as_object().if_contains(k); f && f->is_object()) *f = f->as_object()["masked"];
  return o;
}

WireEvent to_wire(const engine::Event& e, const TimeZone& tz) {
  json::object o = staff_event_json(e, tz);
  json::object pub{{"seq", e.seq}, {"type", e.type}, {"at", o["at"]}, {"window", e.window}};
  // The wall board and the unauthenticated stream see the fields each event type allows and
  // nothing else (events.hpp): no clerk's name, no case, no rating's level (R-EVAL-1), nothing
  // of a complaint, an appointment or the case register.
  json::object pd = engine::events::public_view(e.type, e.data);
  pub["data"] = std::move(pd);
  return WireEvent{e.seq, std::make_shared<const std::string>(json::serialize(o)),
                   std::make_shared<const std::string>(json::serialize(pub))};
}

// ---- the commit thread ----
// Commands are written in batches: whatever queued while the last transaction ran goes into
// the next one (group commit), on the worker's thread; each command's completion is posted
// back to the executor it came from.
class CommitThread {
 public:
  using Done = asio::any_completion_handler<void(std::optional<std::string>)>;

  explicit CommitThread(std::unique_ptr<store::Store> s) : store_(std::move(s)) {}
  ~CommitThread() { stop(); }

  void push(store::CommitItem item, std::int64_t gen, Done done, asio::any_io_executor ex) {
    bool first = false;
    {
      std::lock_guard lock(mu_);
      first = q_.empty();
      q_.push_back(Job{std::move(item), gen, std::move(done), std::move(ex)});
    }
    if (first) worker_.post([this] { commit_queued(); });
  }

  // Writes everything queued, then ends; nothing may be pushed after.
  void stop() { worker_.join(); }

  std::atomic<std::uint64_t> transactions{0};

 private:
  struct Job {
    store::CommitItem item;
    std::int64_t gen;
    Done done;
    asio::any_io_executor ex;
  };

  static void finish(Job& j, std::optional<std::string> r) {
    asio::post(j.ex, [d = std::move(j.done), r = std::move(r)]() mutable { std::move(d)(std::move(r)); });
  }

  void commit_queued() {
    std::deque<Job> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(q_);
    }
    // Commands made on top of a failed commit are void: the engine is being rebuilt.
    std::vector<const store::CommitItem*> items;
    for (auto& j : batch)
      if (j.gen > failed_gen_) items.push_back(&j.item);
    std::optional<std::string> err;
    if (!items.empty()) {
      err = store_->commit(items);
      transactions++;
      if (err) {
        failed_gen_ = batch.back().gen;
        logger("store")->error("commit of {} commands failed: {}", items.size(), *err);
      }
    }
    for (auto& j : batch)
      finish(j, j.gen <= failed_gen_ ? std::optional<std::string>(err ? *err : "an earlier command failed to commit") : std::nullopt);
  }

  std::unique_ptr<store::Store> store_;
  std::mutex mu_;
  std::deque<Job> q_;
  std::int64_t failed_gen_ = -1;  // the worker's only
  SerialWorker worker_;           // last: its batches use the store
};

Hall::Hall(asio::any_io_executor ex, const HallConfig& config, TimeZone tz, WorkingCalendar calendar,
           const Clock& clock, std::unique_ptr<store::Store> store,
           std::unique_ptr<store::StoreReader> reader, const store::Loaded& loaded)
    : ex_(std::move(ex)),
      config_(config),
      tz_(std::move(tz)),
      calendar_(std::move(calendar)),
      clock_(clock),
      engine_(std::make_unique<engine::Engine>(config_, tz_, calendar_)),
      reader_(std::move(reader)),
      committer_(std::make_unique<CommitThread>(std::move(store))),
      hash_pool_(std::make_unique<asio::thread_pool>(1)),
      report_pool_(std::make_unique<asio::thread_pool>(1)),
      device_buckets_(config_.policy.device_rate_per_s, config_.policy.device_burst),
      phone_ratings_(config_.policy.phone_rating_per_hour / 3600.0, config_.policy.phone_rating_burst),
      guard_(guard_settings(config_.policy)),
      gate_(gate_limits(config_.server)) {
  for (const auto& d : config_.devices) devices_[d.token_hash] = &d;
  for (const auto& s : loaded.sessions) sessions_[s.digest] = s;
}

Hall::~Hall() { stop(); }

void Hall::stop() {
  printers_.reset();  // finishes the jobs queued; their outcomes are no longer recorded
  sms_.reset();       // likewise the messages queued
  if (committer_) committer_->stop();
  if (hash_pool_) hash_pool_->join();
  if (report_pool_) report_pool_->join();
}

std::vector<engine::Event> Hall::manager_events(const std::vector<std::string>& types) {
  return reader_ ? reader_->manager_events(types) : std::vector<engine::Event>{};
}

std::optional<engine::Event> Hall::event_at(std::int64_t seq) {
  if (!reader_ || seq < 1) return std::nullopt;
  auto v = reader_->events_since(seq - 1, 1);
  if (v.empty() || v.front().seq != seq) return std::nullopt;
  return v.front();
}

std::optional<std::string> Hall::start(const store::Loaded& loaded) {
  auto sealer = Sealer::open(config_.server.data_dir + "/case.key", config_.server.data_dir + "/keys");
  if (!sealer) return sealer.error();
  sealer_ = std::move(*sealer);
  auto printers = WindowPrinters::open(config_);
  if (!printers) return printers.error();
  printers_ = std::move(*printers);
  if (!config_.sms.device.empty()) {
    auto spec = sms::parse_modem_spec(config_.sms.device);
    if (!spec) return "sms.device: " + spec.error();
    sms_ = std::make_unique<sms::SmsQueue>(std::move(*spec));
  }
  std::string error;
  if (!loaded.meta.empty() && !engine_->restore(loaded.meta, loaded.tickets, loaded.windows, loaded.cases, loaded.appointments, &error))
    return error;
  if (engine_->last_seq() != loaded.last_seq)
    return "the engine state (seq " + std::to_string(engine_->last_seq()) +
           ") does not match the event log (seq " + std::to_string(loaded.last_seq) + ")";
  published_seq_ = engine_->last_seq();
  purge_personal_data();
  return std::nullopt;
}

void Hall::rebuild_after_failure() {
  generation_++;
  auto loaded = reader_->load(engine::rating_days_kept(config_.policy));
  auto fresh = std::make_unique<engine::Engine>(config_, tz_, calendar_);
  std::string error;
  if (!loaded || (!loaded->meta.empty() && !fresh->restore(loaded->meta, loaded->tickets, loaded->windows, loaded->cases, loaded->appointments, &error)))
    throw std::runtime_error("cannot rebuild the hall state after a failed commit: " +
                             (loaded ? error : loaded.error()));
  engine_ = std::move(fresh);
  published_seq_ = engine_->last_seq();
  logger("engine")->warn("state rebuilt from the database at seq {}", published_seq_);
}

std::optional<std::string> Hall::reload(const HallConfig& config) {
  auto loaded = reader_->load(engine::rating_days_kept(config.policy));
  if (!loaded) return loaded.error();
  auto fresh = std::make_unique<engine::Engine>(config, tz_, WorkingCalendar(config.calendar.holidays, config.calendar.makeup_workdays));
  std::string error;
  if (!loaded->meta.empty() && !fresh->restore(loaded->meta, loaded->tickets, loaded->windows, loaded->cases, loaded->appointments, &error)) return error;
  if (fresh->last_seq() != published_seq_) return "the state changed while reloading; try again";
  config_ = config;
  calendar_ = WorkingCalendar(config_.calendar.holidays, config_.calendar.makeup_workdays);
  engine_ = std::move(fresh);
  devices_.clear();
  for (const auto& d : config_.devices) devices_[d.token_hash] = &d;
  device_buckets_ = TokenBuckets(config_.policy.device_rate_per_s, config_.policy.device_burst);
  guard_.set_settings(guard_settings(config_.policy));
  gate_.set_limits(gate_limits(config_.server));
  close_revoked_streams();  // devices removed from the config
  phone_ratings_ = TokenBuckets(config_.policy.phone_rating_per_hour / 3600.0, config_.policy.phone_rating_burst);
  return std::nullopt;
}

bool Hall::allow_device_request(const std::string& device_id) {
  if (device_buckets_.take(device_id, clock_.now())) return true;
  metrics_.rejected_429++;
  return false;
}

void Hall::roll_over_if_new_day() {
  if (format_date(tz_.to_local(clock_.now()).date) == engine_->day()) return;
  if (!run_system(engine::RollOver{}).empty()) logger("engine")->info("day rolled over to {}", engine_->day());
  purge_personal_data();
}

Expected<engine::Sealed, ApiError> Hall::seal(Personal kind, const std::string& clear) const {
  if (!sealer_) return unexpected(ApiError{503, "unavailable", "the controller is starting", "系统正在启动"});
  const std::string month = format_date(tz_.to_local(clock_.now()).date).substr(0, 7);
  auto s = seal_field(*sealer_, kind, clear, month);
  if (!s) {
    logger("api")->error("cannot seal personal data: {}", s.error());
    return unexpected(ApiError{503, "storage_failed", "personal data cannot be sealed: " + s.error(), "存储失败，请稍后再试"});
  }
  return std::move(*s);
}

void Hall::purge_personal_data() {
  const int days_kept = config_.policy.personal_data_days;
  if (!sealer_ || days_kept <= 0) return;
  const Date today = tz_.to_local(clock_.now()).date;
  // Every day of a month before the month of (today - N days) is more than N days past.
  const std::string first_kept = format_date(Date{sys_days{today} - std::chrono::days{days_kept}}).substr(0, 7);
  // A record still being worked keeps its month's key however old: its clerk needs the phone.
  std::vector<std::string> keep;
  auto need = [&](const engine::Sealed& f) {
    std::string m = Sealer::month_of(f.sealed);
    if (!m.empty() && m < first_kept && std::find(keep.begin(), keep.end(), m) == keep.end()) keep.push_back(m);
  };
  // A case done but its applicant not yet told of the result (R-TIME-4) still needs the phone.
  for (const auto& [id, c] : engine_->cases())
    if (c.state == engine::CaseState::Open || c.state == engine::CaseState::AwaitingMaterials ||
        c.state == engine::CaseState::Suspended || (c.state == engine::CaseState::Done && c.needs_notice() && !c.notified_at))
      for (const auto* f : {&c.applicant, &c.phone, &c.id_number}) need(*f);
  for (const auto& [id, a] : engine_->appointments())
    if (a.state == engine::AppointmentState::Requested || a.state == engine::AppointmentState::Confirmed)
      for (const auto* f : {&a.name, &a.phone}) need(*f);
  for (const auto& [id, c] : engine_->open_complaints()) {
    const std::string m = format_date(c.received).substr(0, 7);
    if (m < first_kept && std::find(keep.begin(), keep.end(), m) == keep.end()) keep.push_back(m);
  }
  auto done = sealer_->purge(first_kept, keep);
  if (!done) {
    logger("api")->error("personal data retention: {}", done.error());
    return;
  }
  for (const auto& m : *done)
    logger("api")->warn("personal data of {} destroyed (its key deleted): [policy] personal_data_days = {}", m, days_kept);
  for (const auto& m : keep)
    logger("api")->info("personal data of {} kept past its {} days: live cases, bookings or complaints need it", m, days_kept);
  personal_months_purged_ += static_cast<std::int64_t>(done->size());
}

void Hall::check_pauses() {
  roll_over_if_new_day();
  for (const auto& e : run_system(engine::FlagPauseOverruns{}))
    logger("engine")->warn("window {} paused past {} minutes (R-AB-3): {}", e.window,
                           config_.policy.pause_alert_minutes, json::serialize(e.data));
}

std::vector<engine::Event> Hall::run_system(const engine::Command& cmd) {
  auto out = engine_->execute(cmd, engine::Actor{}, clock_.now());
  if (!out || out->events.empty()) return {};
  std::vector<engine::Event> made = out->events;
  store::CommitItem item;
  item.events = out->events;
  item.changes = std::move(out->changes);
  auto events = std::move(out->events);
  auto job = std::make_shared<std::pair<store::CommitItem, std::vector<engine::Event>>>(
      std::move(item), std::move(events));
  asio::co_spawn(ex_, commit_roll_over(job), asio::detached);
  return made;
}

asio::awaitable<void> Hall::commit_roll_over(
    std::shared_ptr<std::pair<store::CommitItem, std::vector<engine::Event>>> job) {
  std::int64_t gen = generation_;
  std::optional<std::string> failure = co_await commit(job->first);
  if (failure) {
    if (gen == generation_) rebuild_after_failure();
  } else {
    publish(job->second);
  }
}

asio::awaitable<std::optional<std::string>> Hall::commit(store::CommitItem& item) {
  std::int64_t gen = generation_;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::optional<std::string>)>(
      [this, gen, &item](auto handler) { committer_->push(std::move(item), gen, std::move(handler), ex_); },
      asio::use_awaitable);
}

void Hall::publish(const std::vector<engine::Event>& events) {
  for (const auto& e : events) {
    if (e.seq <= published_seq_) continue;
    published_seq_ = e.seq;
    metrics_.events++;
    if (e.type == "TicketIssued") metrics_.tickets_issued++;
    else if (e.type == "TicketCalled") metrics_.tickets_called++;
    else if (e.type == "TicketVoided") metrics_.tickets_voided++;
    WireEvent w = to_wire(e, tz_);
    std::erase_if(subscribers_, [&](const std::weak_ptr<Subscriber>& s) {
      auto sp = s.lock();
      if (!sp) return true;
      sp->deliver(w);
      return false;
    });
  }
  metrics_.commits = committer_->transactions.load();
}

void Hall::subscribe(const std::shared_ptr<Subscriber>& s) { subscribers_.push_back(s); }

void Hall::unsubscribe(Subscriber* s) {
  std::erase_if(subscribers_, [&](const std::weak_ptr<Subscriber>& w) {
    auto sp = w.lock();
    return !sp || sp.get() == s;
  });
}

Hall::Prepared Hall::prepare(const engine::Command& cmd, const engine::Actor& actor, store::CommitItem& item) {
  roll_over_if_new_day();
  auto out = engine_->execute(cmd, actor, clock_.now());
  Prepared p;
  if (!out) {
    p.error = from_engine(out.error());
    return p;
  }
  p.events = out->events;
  item.events = std::move(out->events);
  item.changes = std::move(out->changes);
  p.reply = std::move(out->reply);
  return p;
}

asio::awaitable<Expected<json::value, ApiError>> Hall::run(const engine::Command& cmd,
                                                           const engine::Actor& actor,
                                                           store::CommitItem& extra) {
  // Nothing returned by the engine is held across the co_await below: GCC 12 mishandles
  // some non-trivial locals that live across a suspension point (seen as heap corruption).
  Prepared p = prepare(cmd, actor, extra);
  if (p.error) co_return unexpected(std::move(*p.error));
  // Even a command that made no events goes through the commit queue: its answer must not
  // overtake the durability of an earlier command it may depend on (a retried request id).
  std::int64_t gen = generation_;
  std::vector<store::SessionRow> put = extra.sessions_put;
  std::vector<std::string> del = extra.sessions_del;
  std::optional<std::string> failure = co_await commit(extra);
  if (failure) {
    metrics_.commit_failures++;
    if (gen == generation_) rebuild_after_failure();
    co_return unexpected(ApiError{503, "storage_failed", "the change could not be stored: " + *failure,
                                  "系统存储故障，本次操作未生效，请稍后重试"});
  }
  for (auto& s : put) sessions_[s.digest] = s;
  for (auto& d : del) sessions_.erase(d);
  if (!del.empty()) close_revoked_streams();
  publish(p.events);
  print_notices(p.events);
  if (p.reply.is_int64()) {  // a ticket the engine no longer holds in memory
    auto t = ticket(p.reply.as_int64());
    p.reply = t ? json::value(std::move(*t)) : json::value(nullptr);
  }
  co_return std::move(p.reply);
}

json::object Hall::snapshot(bool with_personal) const {
  json::object o;
  o["seq"] = published_seq_;
  o["centre"] = config_.centre.name;
  o["day"] = engine_->day();
  o["time"] = format_rfc3339(clock_.now(), tz_);
  o["complaint_phone"] = config_.centre.complaint_phone;
  json::array notices;
  for (const auto& n : config_.centre.notices) notices.push_back(json::value(n));
  o["notices"] = std::move(notices);
  json::array services;
  for (const auto& s : config_.services) {
    auto closed = engine_->closed_reason(s.id, clock_.now());
    std::string reason = closed ? closed->message_zh : "";
    if (!closed && s.daily_limit > 0 && engine_->issued_today(s.id) >= s.daily_limit)
      reason = "该业务今日号源已取完（" + std::to_string(s.daily_limit) + " 个）";  // as the engine refuses it
    json::object so{{"id", s.id}, {"name", s.name}, {"prefix", std::string(1, s.prefix)},
                    {"waiting", engine_->waiting_count(s.id)}, {"issuing", reason.empty()}};
    if (!reason.empty()) so["closed_reason"] = reason;
    services.push_back(std::move(so));
  }
  o["services"] = std::move(services);
  json::array windows;
  for (const auto& w : engine_->windows()) windows.push_back(engine_->window_json(w, with_personal));
  o["windows"] = std::move(windows);
  json::array recent;
  for (const auto& r : engine_->recent_calls())
    recent.push_back(json::object{{"number", r.number}, {"service", r.service}, {"window", r.window},
                                  {"at", format_rfc3339(r.at, tz_)}});
  o["recent_calls"] = std::move(recent);
  o["devices"] = devices_json();
  o["help_requests"] = help_json();
  json::array header, footer;
  for (const auto& l : config_.printing.header) header.push_back(json::value(l));
  for (const auto& l : config_.printing.footer) footer.push_back(json::value(l));
  o["printing"] = json::object{{"header", std::move(header)}, {"footer", std::move(footer)},
                               {"ticket_url", config_.printing.ticket_url}};
  return o;
}

void Hall::device_seen(const std::string& id) { last_seen_[id] = clock_.now(); }

bool Hall::device_online(const std::string& id) const {
  auto it = last_seen_.find(id);
  return it != last_seen_.end() && clock_.now() - it->second <= seconds{config_.policy.device_offline_after_s};
}

json::array Hall::devices_json() const {
  // Every configured device, with what it last reported (R-HALL-8: a kiosk out of paper is
  // visible to the manager at once) and whether it has been heard from lately.
  json::array out;
  for (const auto& d : config_.devices) {
    json::object o{{"id", d.id}, {"kind", d.kind == DeviceKind::Kiosk ? "kiosk" : "display"},
                   {"online", device_online(d.id)}};
    if (d.window) o["window"] = *d.window;
    auto seen = last_seen_.find(d.id);
    o["last_seen"] = seen == last_seen_.end() ? json::value(nullptr) : json::value(format_rfc3339(seen->second, tz_));
    auto st = engine_->devices().find(d.id);
    if (st != engine_->devices().end()) {
      o["printer"] = st->second.printer;
      o["accepting"] = st->second.accepting;
      if (!st->second.detail.empty()) o["detail"] = st->second.detail;
      o["since"] = format_rfc3339(st->second.since, tz_);
    } else {
      o["printer"] = nullptr;
      o["accepting"] = nullptr;
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::optional<json::object> Hall::ticket(engine::TicketId id) {
  if (const engine::Ticket* t = engine_->find_ticket(id)) return engine_->ticket_json(*t);
  if (auto row = reader_->ticket_row(id)) return engine_->ticket_json_from_row(*row);
  return std::nullopt;
}

void Hall::print_notices(const std::vector<engine::Event>& events) {
  for (const auto& e : events) {
    if (e.type.rfind("Case", 0) != 0 || e.type == "CaseNoticePrinted") continue;
    const auto* id = e.data.if_contains("case");
    if (!id || !id->is_int64()) continue;
    auto c = find_case(id->as_int64());
    if (!c || !window_has_printer(c->window)) continue;
    if (auto doc = notice_for(e, *c))
      if (auto err = print_notice(c->id, *doc))
        logger("print")->warn("case {}: {} notice not printed: {}", c->no, *doc, err->message);
  }
}

Expected<escpos::Document, ApiError> Hall::notice_document(const engine::Case& c, const std::string& doc) {
  if (!valid_notice(doc))
    return unexpected(ApiError{422, "invalid_value",
                               "doc is acceptance, supplement, extension, return, agency_receipt or agency_slip",
                               "文书类型无效"});
  NoticeContext ctx{&config_, c.applicant.masked, clock_.now(), &tz_};
  if (sealer_)
    if (auto name = sealer_->open_text(c.applicant.sealed)) ctx.applicant = *name;
  auto document = build_notice(doc, c, ctx);
  if (!document)
    return unexpected(ApiError{409, "wrong_state", "this case has no " + doc + " notice now", "该办件当前没有此类文书"});
  return std::move(*document);
}

std::optional<ApiError> Hall::print_notice(engine::CaseId id, const std::string& doc) {
  auto c = find_case(id);
  if (!c) return ApiError{404, "unknown_case", "no such case", "没有该办件"};
  if (!valid_notice(doc))
    return ApiError{422, "invalid_value", "doc is acceptance, supplement, extension, return, agency_receipt or agency_slip",
                    "文书类型无效"};
  if (!window_has_printer(c->window))
    return ApiError{409, "no_printer", "window " + std::to_string(c->window) + " has no printer configured",
                    "该窗口未配置打印机，请使用浏览器打印"};
  auto document = notice_document(*c, doc);
  if (!document) return document.error();
  std::string error;
  const std::string no = c->no;
  auto done = [this, id, doc, no, ex = ex_](const escpos::JobResult& r) {
    // On the printer's thread: record the outcome from the I/O thread, as the engine wants.
    const std::string outcome(escpos::to_string(r.outcome));
    std::string detail = r.error;
    asio::post(ex, [this, id, doc, no, outcome, detail] {
      if (outcome != "printed") logger("print")->warn("case {}: {} notice {}: {}", no, doc, outcome, detail);
      asio::co_spawn(
          ex_,
          [this, rp = engine::RecordPrint{id, doc, outcome, detail}]() -> asio::awaitable<void> {
            const engine::Command cmd = rp;
            const engine::Actor actor{engine::Actor::Kind::System, "printer"};
            store::CommitItem extra;
            auto recorded = co_await run(cmd, actor, extra);
            if (!recorded) logger("print")->warn("print outcome not recorded: {}", recorded.error().message);
          },
          asio::detached);
    });
  };
  if (!printers_->submit(c->window, *document, std::move(done), &error))
    return ApiError{409, "print_failed", error, "打印失败"};
  return std::nullopt;
}

asio::awaitable<Expected<std::vector<int>, std::string>> Hall::send_sms(const std::string& phone, const std::string& text) {
  using Result = Expected<std::vector<int>, std::string>;
  if (!sms_) co_return Result(unexpected(std::string("no modem is configured")));
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Result)>(
      [this, &phone, &text](auto handler) {
        // The modem's thread answers; the coroutine resumes on the I/O thread.
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        sms_->submit(phone, text, [h, ex = ex_](const sms::SmsResult& r) {
          Result res = r.sent ? Result(r.references) : Result(unexpected(r.error));
          asio::post(ex, [h, res]() mutable { (*h)(std::move(res)); });
        });
      },
      asio::use_awaitable);
}

std::optional<engine::Case> Hall::find_case(engine::CaseId id) {
  if (const engine::Case* c = engine_->find_case(id)) return *c;
  auto row = reader_->case_row(id);
  if (!row) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*row, ec);
  engine::Case c;
  if (ec || !v.is_object() || !engine::case_from_row(v.as_object(), c)) return std::nullopt;
  return c;
}

std::vector<std::string> Hall::appointment_history(const std::string& from, const std::string& to) {
  std::vector<std::string> out;
  for (auto& [id, row] : reader_->appointment_rows(from, to)) out.push_back(std::move(row));
  return out;
}

std::vector<engine::Case> Hall::case_history(const std::string& from, const std::string& to, int window,
                                             const std::string& clerk, int limit) {
  std::vector<engine::Case> out;
  for (const auto& row : reader_->case_rows(from, to, window, clerk, limit)) {
    boost::system::error_code ec;
    json::value v = json::parse(row, ec);
    engine::Case c;
    if (!ec && v.is_object() && engine::case_from_row(v.as_object(), c)) out.push_back(std::move(c));
  }
  return out;
}

json::array Hall::help_json() const {
  json::array out;
  for (const auto& [id, h] : engine_->open_help()) out.push_back(engine_->help_json(h));
  return out;
}

void Hall::add_rate_key(json::object& t, const Principal& to) const {
  auto* id = t.if_contains("id");
  auto* by = t.if_contains("issued_by");
  if (!to.is_kiosk() || !by || !by->is_string() || by->as_string() != to.id) return;
  if (id && id->is_int64() && sealer_) t["rate_key"] = sealer_->ticket_key(id->as_int64());
}

bool Hall::allow_phone_rating(const std::string& address) {
  if (phone_ratings_.take(address, clock_.now())) return true;
  metrics_.rejected_429++;
  logger("api")->warn("ratings from {} refused: over policy.phone_rating_per_hour ({})", address,
                      config_.policy.phone_rating_per_hour);
  return false;
}

std::optional<json::object> Hall::ticket_by_number(const std::string& number) {
  auto id = reader_->ticket_by_number(engine_->day(), number);
  return id ? ticket(*id) : std::nullopt;
}

json::array Hall::services_json() const {
  json::array out;
  for (const auto& s : config_.services) {
    json::array items;
    for (const auto& i : s.items) {
      json::array mats;
      for (const auto& m : i.materials) mats.push_back(json::value(m));
      items.push_back(json::object{{"id", i.id}, {"name", i.name},
                                   {"kind", i.kind == ItemKind::Promised ? "promised" : "immediate"},
                                   {"materials", std::move(mats)}, {"legal_basis", i.legal_basis},
                                   {"conditions", i.conditions}, {"procedure", i.procedure},
                                   {"time_limit_days", i.time_limit_days}, {"fee", i.fee},
                                   {"phone", i.phone}, {"guide_url", i.guide_url}});
    }
    out.push_back(json::object{{"id", s.id}, {"name", s.name}, {"name_en", s.name_en},
                               {"prefix", std::string(1, s.prefix)}, {"daily_limit", s.daily_limit},
                               {"waiting", engine_->waiting_count(s.id)},
                               {"average_service_s", engine_->average_service_s(s.id)},
                               {"items", std::move(items)}});
  }
  return out;
}

std::vector<engine::Event> Hall::events_since(std::int64_t seq, int limit) {
  return reader_->events_since(seq, limit);
}

std::vector<engine::Event> Hall::window_events(int window, std::int64_t after, std::int64_t before, int limit) {
  return reader_->window_events(window, after, before, limit);
}

}  // namespace hallq::api
