#pragma once
// The kiosk's citizen flow as an explicit state machine, independent of any screen: the touch
// page renders its JSON and sends it events; the button panel sends it button presses. Pure:
// no I/O, no clock (the caller passes `now`); thread-safety: none (the daemon's I/O thread).
//
//   Idle ──touch──▶ Services ──service──▶ Items ──item──▶ Materials ──ok──▶ Priority ──choose──▶ Working
//                       │  (no items) ─────────────────────────────────────▶ Priority            │
//                       ▼ (not issuing: printer, controller, hours, limit)                       ▼
//                     Error ◀──────────────────────────── the take's result if not printed ◀─ Done
//   Every screen but Working returns to Idle after a period without a touch; Done and Error after
//   a shorter one. Button (panel mode): Idle/any idle-able screen ──button(service)──▶ Working.
//
//   Self-service: Idle/Services ──open(lookup)──▶ Lookup ──lookup(A012)──▶ Searching ──▶ Progress
//   and from any screen but Working/Searching ──scan(ticket QR)──▶ Searching ──▶ Progress.
//   帮办代办: any screen but Working/Searching ──help──▶ Help (sending → open → answered).
//   R-COMP-1: Idle/Services ──open(complaint)──▶ Complaint ──complaint({…})──▶ Sending ──▶ Filed.
//   R-APPT-1: Idle/Services ──open(appointment)──▶ Appointment ──appointment(123456)──▶ Working,
//   and from any screen but Working/Searching ──scan(HQA:123456)──▶ Working; then Done or Error
//   as for any ticket (back from that Error: the number pad again).
//   R-EVAL-1 (GB/T 39734 一次一评, a late rating): scan(ticket QR with its key) ──▶ Searching ──▶
//   Rating when the ticket is done, not rated and inside its rating_until (whatever its day) ──rate(1..5)──▶
//   Sending ──▶ Rated (感谢您的评价) ──▶ Idle after the ticket screen's time; a refusal ──▶ Error with
//   返回 (back: the rating screen again when nothing was decided, such as no answer; else Services).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "hallq/common/time.hpp"
#include "hallq/kiosk/ticket_desk.hpp"

namespace hallq::kiosk {

enum class Screen {
  Idle, Services, Items, Materials, Priority, Working, Done, Error,
  Lookup, Searching, Progress, Help, Complaint, Sending, Filed, Appointment, Rating, Rated
};
const char* to_string(Screen s);

// What the kiosk knows of the world when an event arrives.
struct KioskStatus {
  bool online = false;     // the controller answered lately
  bool accepting = false;  // the printer can print (TicketDesk::accepting)
  std::string printer = "unknown";
  boost::json::array services;  // /api/v1/services merged with waiting/issuing from /api/v1/hall
  std::string centre;
  std::string day;         // the hall's business day (YYYY-MM-DD), from its snapshot
  std::string ticket_url;  // [printing] ticket_url: what a ticket's QR code holds
};

// A ticket to look up: by id (a scanned ticket QR) or by today's number (typed).
struct LookupRequest {
  std::int64_t id = 0;
  std::string number;
  // R-EVAL-1: the ticket's own secret from its QR ([printing] ticket_url {key}, 16 lowercase hex
  // digits), which lets whoever holds the ticket rate its service; "" for a typed number (nobody
  // rates someone else's ticket by typing its number) or a QR without one. Never shown or logged;
  // the flow keeps it for the rating, and the lookup it asks of the daemon goes without it.
  std::string key;
};

struct LookupOutcome {
  int status = 0;              // the controller's HTTP status; 0: no answer
  boost::json::object ticket;  // when found
};

// What a scanned code asks for: a ticket (its QR, as [printing] ticket_url makes it, or any
// URL ending in /t/ID, or a bare number such as A012), with the day the QR names if any. The key
// (request.key) comes from {key} in the template, or from the k query parameter of a /t/ID URL;
// a malformed one is no key (the QR then only shows progress).
struct ScannedTicket {
  LookupRequest request;
  std::string day;
};
std::optional<ScannedTicket> parse_scanned_ticket(const std::string& code, const std::string& ticket_url);
// A booking's QR ("HQA:" and its 6-digit code): the code, else nothing.
std::optional<std::string> parse_scanned_appointment(const std::string& code);
// A booking's code: 6 digits.
bool valid_appointment_code(const std::string& code);
// A012: one or two capital letters, one to four digits.
bool valid_ticket_number(const std::string& number);
// A ticket's rating key: 16 lowercase hex digits.
bool valid_rate_key(const std::string& key);

// R-EVAL-1: a late rating of a finished service, sent with the device credential to
// POST /api/v1/tickets/{ticket}/rating {"level","key"}.
struct RatingRequest {
  std::int64_t ticket = 0;
  int level = 0;  // 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意
  std::string key;
};
// The controller's answer to it. The daemon sends it once and, only when no answer came, once
// more with the same level and key (maybe_sent: the first attempt may have reached the
// controller, so already_rated from the second one means the first was recorded).
struct RatingOutcome {
  int status = 0;              // HTTP status of the last attempt; 0: no answer
  std::string code;            // the controller's error code (wrong_key, already_rated, ...)
  std::string message_zh;      // the controller's Chinese message
  boost::json::object reply;   // 201: {ticket, number, window, level, label}
  bool maybe_sent = false;
};

// A complaint as the kiosk's form gathers it (no free text: a kiosk has no Chinese input).
struct ComplaintRequest {
  std::vector<std::string> categories;
  int window = 0;     // 0: not known
  std::string phone;  // "" or 7..15 digits
};
// The page's form value: {"categories":[...],"window":N,"phone":"..."}; an error text if invalid.
Expected<ComplaintRequest, std::string> parse_complaint_form(const std::string& json);

// What an event asks the daemon to do next (at most one of them).
struct FlowAction {
  std::optional<TakeRequest> take;
  std::optional<LookupRequest> lookup;
  std::optional<ComplaintRequest> complaint;
  std::optional<RatingRequest> rate;
  bool help = false;  // ask the controller for a staff member
};

struct FlowOptions {
  std::chrono::seconds idle_after{60};    // no touch on a choosing screen
  std::chrono::seconds done_after{20};    // the ticket screen stays this long
  std::chrono::seconds error_after{15};
  std::string lang = "zh";  // each new citizen starts in this language
};

struct FlowEvent {
  // touch: wake from idle; service/item/priority: a choice (value = id); ok: materials read;
  // back; home; lang: value zh|en; elderly: value on|off; button: panel button (value = service);
  // open: a self-service screen (value lookup, complaint or appointment); lookup: a typed number
  // (A012); appointment: a typed booking code (6 digits); scan: a scanned code (a ticket's QR or a
  // booking's HQA:123456); help: call a staff member; complaint: the complaint form (value: its JSON);
  // rate: a level 1..5 on the rating screen (R-EVAL-1)
  std::string type;
  std::string value;
};

class Flow {
 public:
  explicit Flow(FlowOptions o = {}) : opt_(o), lang_(opt_.lang) {}

  // Applies an event. Returns the ticket request when the flow moves to Working (the caller
  // runs it on the desk and then calls finish()), the lookup when it moves to Searching (then
  // finish_lookup()), the complaint or the rating when it moves to Sending (then
  // finish_complaint() or finish_rating()); an invalid event changes nothing and returns an
  // error text.
  Expected<FlowAction, std::string> on(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  void finish(const TakeOutcome& o, TimePoint now);
  void finish_lookup(const LookupOutcome& o, TimePoint now);
  // The controller's answer to a help request: status 200 with the request, else no answer.
  void finish_help(int status, const boost::json::object& request, TimePoint now);
  // The controller's answer to a complaint: 201 with {id, due, phone}, else an error.
  void finish_complaint(int status, const boost::json::object& reply, TimePoint now);
  // The controller's answer to a rating (R-EVAL-1): 201 thanks, else the refusal or no answer.
  void finish_rating(const RatingOutcome& o, TimePoint now);
  // The hall snapshot no longer lists this kiosk's open request: someone is coming.
  void help_answered(std::int64_t id);
  // Time-outs; true if the screen changed.
  bool tick(TimePoint now);

  Screen screen() const { return screen_; }
  const std::string& lang() const { return lang_; }
  bool elderly_mode() const { return elderly_mode_; }
  // The page's view: screen, selection, result or error, and seconds to the time-out.
  boost::json::object to_json(TimePoint now) const;

 private:
  void go(Screen s, TimePoint now);
  std::optional<std::string> why_not_issuing(const KioskStatus& st, const std::string& service,
                                             std::string* en) const;
  const boost::json::object* find_service(const KioskStatus& st, const std::string& id) const;
  // R-EVAL-1: a rating not taken; retry: nothing was decided, 返回 shows the rating screen again.
  void rating_error(const std::string& code, const std::string& zh, const std::string& en, bool retry, TimePoint now);

  // The error screen with its code and message.
  void error(const std::string& code, const std::string& zh, const std::string& en, TimePoint now);
  // The error screen when no ticket for `service` can be issued now; true if so. A check-in
  // names no service.
  bool refuse_unless_issuing(const KioskStatus& st, const std::string& service, bool check_in, TimePoint now);
  // Steps of the event handlers below.
  Expected<bool, std::string> choose_service(const KioskStatus& st, const std::string& id, TimePoint now);
  FlowAction start_take(const KioskStatus& st, TimePoint now);
  FlowAction check_in(const KioskStatus& st, const std::string& code, TimePoint now);
  FlowAction look_up(const KioskStatus& st, const LookupRequest& q, TimePoint now);
  void back_from_error(TimePoint now);
  // One handler per FlowEvent type; on() dispatches to them.
  Expected<FlowAction, std::string> on_touch(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_home(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_lang(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_elderly(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_button(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_service(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_item(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_ok(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_priority(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_open(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_appointment(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_complaint(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_lookup(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_scan(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_rate(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_help(const FlowEvent& e, const KioskStatus& st, TimePoint now);
  Expected<FlowAction, std::string> on_back(const FlowEvent& e, const KioskStatus& st, TimePoint now);

  FlowOptions opt_;
  Screen screen_ = Screen::Idle;
  TimePoint since_{};
  std::string lang_;
  bool elderly_mode_ = false;
  std::string service_, service_name_, item_, item_name_, priority_ = "normal";
  bool has_items_ = false;
  bool checking_in_ = false;    // the ticket being taken (or just taken) is a booking's check-in
  boost::json::object result_;  // Done / Error / Progress: what the citizen reads
  std::string lookup_day_;      // the hall's day when the lookup started
  // R-EVAL-1. The key of the QR being looked up or rated (never in the view); the QR's day
  // when it names another day than the hall's (then only a rateable ticket is shown).
  std::string rate_key_, scan_day_;
  std::int64_t rate_ticket_ = 0;
  bool rating_ = false;           // the rating screen, its sending, thanks or refusal
  bool rating_retry_ = false;     // that refusal decided nothing: 返回 is the rating screen again
  bool rating_maybe_sent_ = false;  // an earlier press for this ticket may have been recorded
  boost::json::object rating_view_;  // number, service_name, window: the rating screen's text
};

}  // namespace hallq::kiosk
