#pragma once
// Hall: the controller's domain service. It owns the engine, runs every command on the I/O
// thread (the one strand of the domain), hands the resulting events to the commit thread,
// and tells the caller and the event subscribers only once they are durable.
// Commit thread: group commit. Every command that is queued while a transaction runs is
// committed in the next one, so one fsync serves many commands.
// Thread-safety: all public members are for the I/O thread only.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/time.hpp"
#include "hallq/controller/engine.hpp"
#include "hallq/controller/store.hpp"
#include "metrics.hpp"
#include "conn_gate.hpp"
#include "guard.hpp"
#include "notices.hpp"
#include "seal.hpp"
#include "hallq/sms/modem.hpp"

namespace hallq::api {

namespace asio = boost::asio;

struct ApiError {
  int status = 500;
  std::string code;
  std::string message;
  std::string message_zh;
};
ApiError from_engine(const engine::Error& e);

struct Principal {
  enum class Kind { None, Device, Clerk, Manager, Admin };
  Kind kind = Kind::None;
  std::string id;           // device id or clerk id
  int window = 0;           // clerk sessions: their window; devices: bound window
  DeviceKind device_kind = DeviceKind::Kiosk;
  std::vector<int> windows;  // display nodes: the windows whose keypads and evaluators they carry
  std::string digest;       // the token's digest: the session's (to sign out) or the device's
  engine::Actor actor() const;
  bool is_staff() const { return kind == Kind::Clerk || kind == Kind::Manager || kind == Kind::Admin; }
  bool is_kiosk() const { return kind == Kind::Device && device_kind == DeviceKind::Kiosk; }
};

// An event serialised once for each audience, shared by all subscribers.
struct WireEvent {
  std::int64_t seq = 0;
  std::shared_ptr<const std::string> full;    // with actors and clerk ids
  std::shared_ptr<const std::string> public_; // the wall board's view: no personal data
};
WireEvent to_wire(const engine::Event& e, const TimeZone& tz);
// The staff's view of an event (the full stream's JSON): personal fields masked.
boost::json::object staff_event_json(const engine::Event& e, const TimeZone& tz);

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Called on the I/O thread for each durable event in order; must not block.
  virtual void deliver(const WireEvent& e) = 0;
  // The digest of the token it subscribed with ("" for none), and the order to close because
  // that credential is no longer valid (close_revoked_streams).
  virtual const std::string& credential() const = 0;
  virtual void revoke() = 0;
};

class CommitThread;

class Hall {
 public:
  Hall(asio::any_io_executor ex, const HallConfig& config, TimeZone tz, WorkingCalendar calendar,
       const Clock& clock, std::unique_ptr<store::Store> store,
       std::unique_ptr<store::StoreReader> reader, const store::Loaded& loaded);
  ~Hall();
  Hall(const Hall&) = delete;
  Hall& operator=(const Hall&) = delete;

  // Restores the engine from the loaded rows; error text if the rows are damaged.
  std::optional<std::string> start(const store::Loaded& loaded);
  void stop();
  // The folder of the pages the controller serves (/board); "" serves none.
  void set_web_dir(std::string dir) { web_dir_ = std::move(dir); }
  const std::string& web_dir() const { return web_dir_; }

  // SIGHUP: takes a new, already validated config. The live state is rebuilt from the
  // database under it; if that fails (a service with waiting tickets was removed) the old
  // config stays and the reason is returned. Call only when settled().
  std::optional<std::string> reload(const HallConfig& config);

  Principal authenticate(std::string_view bearer);
  // Executes a command; resolves once its events are durable (or it failed).
  // Coroutine parameters are references to the caller's named locals: GCC 12 corrupts
  // by-value parameters and temporaries inside co_await expressions.
  asio::awaitable<Expected<boost::json::value, ApiError>> run(const engine::Command& cmd,
                                                              const engine::Actor& actor,
                                                              store::CommitItem& extra);
  asio::awaitable<Expected<boost::json::value, ApiError>> sign_in(int window,
                                                                  const std::string& clerk,
                                                                  const std::string& pin,
                                                                  const std::string& peer);
  asio::awaitable<Expected<boost::json::value, ApiError>> open_session(const std::string& user,
                                                                       const std::string& password,
                                                                       const std::string& peer);
  // Ends the session `p` presented; with `everywhere`, every session of the same user.
  asio::awaitable<Expected<boost::json::value, ApiError>> close_session(const Principal& p, const bool& everywhere);
  // Token bucket per device (429).
  bool allow_device_request(const std::string& device_id);
  // Accounts being guessed at today (the manager's alert), and lifting an account's lock.
  std::vector<SignInGuard::Guessing> sign_in_guessing() const;
  bool unlock_account(const std::string& user, const Principal& by);

  // Day roll-over at local midnight; also checked before every command.
  void roll_over_if_new_day();
  // R-AB-3: flags windows paused past policy.pause_alert_minutes (run every few seconds).
  void check_pauses();

  boost::json::object snapshot(bool with_personal) const;
  boost::json::array devices_json() const;
  boost::json::array help_json() const;  // open help requests (帮办代办), oldest first
  // Any authenticated request from a device counts as a sign of life.
  void device_seen(const std::string& id);
  bool device_online(const std::string& id) const;
  std::optional<boost::json::object> ticket(engine::TicketId id);
  // Adds "rate_key", the secret of the ticket's QR ([printing] ticket_url {key}), when `to` is
  // the kiosk that issued the ticket and prints it; to nobody else (R-EVAL-1, issue 26).
  void add_rate_key(boost::json::object& ticket, const Principal& to) const;
  // A rating without a credential (the phone page) from `address`: false past
  // policy.phone_rating_per_hour (429).
  bool allow_phone_rating(const std::string& address);
  // A case, live (engine) or closed (database).
  std::optional<engine::Case> find_case(engine::CaseId id);
  // Cases registered from..to (YYYY-MM-DD), newest first, from the database.
  // Appointment rows filed under days from..to, from the store (days the engine let go of).
  std::vector<std::string> appointment_history(const std::string& from, const std::string& to);
  std::vector<engine::Case> case_history(const std::string& from, const std::string& to, int window,
                                         const std::string& clerk, int limit);
  // Seals applicants' personal data (seal.hpp); null before start().
  const Sealer* sealer() const { return sealer_.get(); }
  // Masks and seals one personal field under this month's key (503 when the key cannot be
  // written, 503 before start()).
  Expected<engine::Sealed, ApiError> seal(Personal kind, const std::string& clear) const;
  // [policy] personal_data_days: destroys the keys of months that far past, except months that
  // live cases, bookings or complaints still need. Run at start and at every day roll-over.
  void purge_personal_data();
  std::int64_t personal_months_purged() const { return personal_months_purged_; }
  const WorkingCalendar& calendar() const { return calendar_; }
  // Prints a case's notice at its window's printer (reprint from the console); the outcome is
  // recorded against the case when the printer answers. Error when it cannot be queued.
  std::optional<ApiError> print_notice(engine::CaseId id, const std::string& doc);
  // R-TIME-4: SMS through the hall's GSM modem ([sms] device). Resolves when the network took
  // the message (its references) or with why not. One message per case at a time: begin_sms
  // is false while one is being sent for it.
  bool has_sms() const { return sms_ != nullptr; }
  bool begin_sms(engine::CaseId id) { return sms_in_flight_.insert(id).second; }
  void end_sms(engine::CaseId id) { sms_in_flight_.erase(id); }
  asio::awaitable<Expected<std::vector<int>, std::string>> send_sms(const std::string& phone, const std::string& text);
  // The notice as it prints (the applicant's name in clear: for the case's own clerks only),
  // for the console's browser print where the window has no printer.
  Expected<escpos::Document, ApiError> notice_document(const engine::Case& c, const std::string& doc);
  bool window_has_printer(int window) const { return printers_ && printers_->has(window); }
  // Today's ticket with this number (A012), for a citizen asking at a kiosk.
  std::optional<boost::json::object> ticket_by_number(const std::string& number);
  boost::json::array services_json() const;
  std::vector<engine::Event> events_since(std::int64_t seq, int limit);
  std::vector<engine::Event> window_events(int window, std::int64_t after, std::int64_t before, int limit);
  std::int64_t published_seq() const { return published_seq_; }
  // Every event the engine made is durable and published.
  bool settled() const { return published_seq_ == engine_->last_seq(); }
  void subscribe(const std::shared_ptr<Subscriber>& s);
  // Closes the streams whose session ended (signed out, deleted, expired) or whose device left
  // the config. Run after sessions change and every second.
  void close_revoked_streams();
  // Whether a token digest is a configured device or a live session.
  bool credential_live(const std::string& digest) const;
  // Window sign-out: every session `clerk` holds at `window` (issue 26: sign-out signs out).
  std::vector<std::string> sessions_of(const std::string& clerk, int window) const;
  ConnectionGate& gate() { return gate_; }
  void unsubscribe(Subscriber* s);
  size_t subscriber_count() const { return subscribers_.size(); }

  // Long reads (reports over months of the log) run on this thread with their own read-only
  // connection to db_path(), so the I/O thread keeps answering meanwhile.
  asio::thread_pool& report_pool() { return *report_pool_; }
  std::string db_path() const { return config_.server.data_dir + "/hallq.db"; }
  asio::any_io_executor executor() const { return ex_; }
  // A few manager events by type (complaint answers, leave), from the log's index.
  std::vector<engine::Event> manager_events(const std::vector<std::string>& types);
  std::optional<engine::Event> event_at(std::int64_t seq);

  Metrics& metrics() { return metrics_; }
  const engine::Engine& engine() const { return *engine_; }
  const HallConfig& config() const { return config_; }
  const TimeZone& timezone() const { return tz_; }
  TimePoint now() const { return clock_.now(); }

 private:
  struct Prepared {
    std::optional<ApiError> error;
    std::vector<engine::Event> events;
    boost::json::value reply;
  };
  Prepared prepare(const engine::Command& cmd, const engine::Actor& actor, store::CommitItem& item);
  asio::awaitable<std::optional<std::string>> commit(store::CommitItem& item);
  void publish(const std::vector<engine::Event>& events);
  void print_notices(const std::vector<engine::Event>& events);
  // Runs a command of the system actor (roll-over, pause alerts) and commits it in the
  // background; the events it made.
  std::vector<engine::Event> run_system(const engine::Command& cmd);
  asio::awaitable<void> commit_roll_over(
      std::shared_ptr<std::pair<store::CommitItem, std::vector<engine::Event>>> job);
  void rebuild_after_failure();
  std::vector<std::string> expired_sessions() const;
  asio::awaitable<bool> check_secret(const std::string& hash, const std::string& secret);
  // The sign-in guard's verdict on `user` (a configured account, else "") trying from `peer`.
  std::optional<ApiError> check_guessing(const std::string& user, const std::string& peer);
  void record_failure(const std::string& user, const std::string& given, const std::string& peer,
                      const std::string& where);

  asio::any_io_executor ex_;
  HallConfig config_;
  TimeZone tz_;
  WorkingCalendar calendar_;
  const Clock& clock_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<store::StoreReader> reader_;
  std::unique_ptr<CommitThread> committer_;
  std::unique_ptr<asio::thread_pool> hash_pool_;  // argon2id off the I/O thread
  std::unique_ptr<asio::thread_pool> report_pool_;
  std::int64_t generation_ = 0;  // bumped when the engine is rebuilt after a failed commit
  std::int64_t published_seq_ = 0;
  std::map<std::string, const DeviceConfig*> devices_;  // token digest -> device
  std::unordered_map<std::string, store::SessionRow> sessions_;
  TokenBuckets device_buckets_;  // device id -> requests
  TokenBuckets phone_ratings_;   // address -> ratings without a credential
  std::unordered_map<std::string, TimePoint> last_seen_;  // device id -> last request
  SignInGuard guard_;
  ConnectionGate gate_;
  std::vector<std::weak_ptr<Subscriber>> subscribers_;
  Metrics metrics_;
  std::string web_dir_;
  std::unique_ptr<Sealer> sealer_;
  std::int64_t personal_months_purged_ = 0;
  std::unique_ptr<WindowPrinters> printers_;
  std::unique_ptr<sms::SmsQueue> sms_;
  std::set<engine::CaseId> sms_in_flight_;
};

}  // namespace hallq::api
