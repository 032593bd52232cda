#pragma once
// The queue engine: a pure function of (state, command, now) -> events | error.
// It never reads a clock, a socket or a file (ARCHITECTURE "Principles"). Every command is
// validated first; on error nothing changes. On success the engine turns the command into
// events and applies them through apply(), the same path a replay of the event log takes, so
// replaying the log rebuilds exactly the state (R-HALL-8).
// Thread-safety: none; the controller drives it from one strand.
#include <boost/describe/enum.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/expected.hpp"
#include "hallq/common/time.hpp"
#include "hallq/controller/cases.hpp"
#include "hallq/controller/model.hpp"
#include "hallq/controller/commands.hpp"
#include "hallq/controller/events.hpp"

namespace hallq::engine {


const char* rating_label(int level);  // 非常满意 .. 非常不满意; "" when out of range
// How many days before the current one a finished service may still be rated (late, or at the
// window just after midnight): the engine keeps those tickets, the store loads them.
int rating_days_kept(const PolicyConfig& p);


struct HelpRequest {
  std::int64_t id = 0;
  std::string device;  // the kiosk it came from
  std::string kind;    // help
  TimePoint at;
};


// What the engine keeps of an unanswered complaint (the content stays in the log).
struct OpenComplaint {
  std::int64_t id = 0;
  Seq filed_seq = 0;
  TimePoint at;
  Date received, due;
  int window = 0;
  std::string clerk, channel;
};
// A bad review waiting for the manager's follow-up.
struct FollowUp {
  Seq rating = 0;
  TimePoint at;
  int window = 0;
  std::string clerk, number;
  TicketId ticket = 0;
  CaseId case_id = 0;
  int level = 0;
};
bool valid_complaint_category(std::string_view s);
// 13812345678 -> 138****5678; shorter numbers keep their last 4 digits only.
std::string mask_phone(std::string_view phone);

// ---- appointments (R-APPT-1, R-HOURS-3; 004 预约服务制) ----
// A request (by visit, phone, letter, the kiosk or an API) is answered within 1 working day:
// confirmed with a date, a slot, the place and the materials to bring, or declined with the
// reason. A clerk may also book directly. On its day the citizen checks in at a kiosk with the
// booking's 6-digit code inside [slot - early_minutes, slot + late_minutes] and gets a ticket
// with the appointment priority; a booking not checked in by the day's end is missed.
enum class AppointmentState { Requested, Confirmed, Declined, Cancelled, CheckedIn, Missed };
BOOST_DESCRIBE_ENUM(AppointmentState, Requested, Confirmed, Declined, Cancelled, CheckedIn, Missed)
const char* to_string(AppointmentState s);
struct Appointment {
  std::int64_t id = 0;
  AppointmentState state = AppointmentState::Requested;
  std::string service, item;  // item: a service item id, may be empty
  std::string channel;        // visit phone letter kiosk online counter
  Sealed name, phone;
  std::string note;           // what the citizen asked for, or wished
  TimePoint created_at;
  std::string created_by;
  bool requested = false;     // came as a request (it has an answer due), not booked directly
  Date received, due;         // requests: received, and the answer due (1 working day)
  std::optional<TimePoint> answered_at;
  bool answered_late = false;
  std::optional<Date> day;    // the booked day
  Minutes slot{0};            // its slot's start, minute of the day
  int slot_minutes = 0;
  std::string code;           // 6 digits, unique among live bookings
  std::string place;
  std::vector<std::string> materials;
  std::string booked_by;      // the clerk or manager who confirmed it
  std::string reason;         // declined / cancelled
  TicketId ticket = 0;        // checked in
  std::string number;
  std::optional<TimePoint> closed_at;  // declined, cancelled, checked in or missed
  bool live() const { return state == AppointmentState::Requested || state == AppointmentState::Confirmed; }
  // Takes a place in its slot.
  bool holds_slot() const {
    return state == AppointmentState::Confirmed || state == AppointmentState::CheckedIn || state == AppointmentState::Missed;
  }
};
// One slot of a day for a service, and how many bookings it holds.
struct AppointmentSlot {
  Minutes start{0}, end{0};
  int capacity = 0, booked = 0;
};

// A finished service still open to its one rating (R-EVAL-1): what the engine keeps of its
// ticket for policy.late_rating_hours, a few dozen bytes, so a big hall's days of finished
// tickets cost little memory.
struct DoneService {
  TicketId id = 0;
  std::string number, service, clerk, day;
  int window = 0;
  TimePoint finished_at;
  std::int64_t case_id = 0;
  int rating = 0;
  std::string rating_channel;
};

// Device health as last reported (kept in the engine's meta row).
struct DeviceStatus {
  std::string printer = "unknown";
  bool accepting = false;
  std::string detail;
  TimePoint since;  // last change
};


enum class Errc {
  InvalidArgument,   // a value out of range
  UnknownService,
  UnknownWindow,
  UnknownTicket,
  UnknownClerk,
  NotAssigned,       // clerk is neither the A nor the B post of the window
  NotYourWindow,     // the actor is not the clerk signed in at the window
  HallClosed,        // outside opening hours (R-HOURS-*)
  DailyLimitReached,
  NumbersExhausted,
  WindowClosed,
  WindowPaused,
  WindowBusy,        // a ticket is called or being served
  NoCurrentTicket,
  WrongState,        // the ticket is not in a state that allows this
  ReturnExpired,     // no-show came back too late
  NotYourTicket,     // a kiosk may void only the tickets it issued
  UnknownHelp,       // no such help request
  NothingToRate,     // no service finished at the window lately
  AlreadyRated,      // one rating per service
  RatingClosed,      // the late-rating period is over
  UnknownCase,
  NotYourCase,       // the case belongs to another clerk's window
  UnknownComplaint,
  UnknownFollowUp,   // no open follow-up for that rating
  NotManager,        // a manager's decision
  UnknownAppointment,
  NoSuchSlot,        // not a slot of that service on that day (closed, past or too far ahead)
  SlotFull,
  CodeInUse,         // the drawn booking code is taken: draw another
  TooEarly,          // check-in before the booking's window opens
  TooLate,           // check-in after it closed
  AppointmentsOnly,  // R-HOURS-3: today only appointments are served
};
BOOST_DESCRIBE_ENUM(Errc, InvalidArgument, UnknownService, UnknownWindow, UnknownTicket, UnknownClerk, NotAssigned, NotYourWindow, HallClosed, DailyLimitReached, NumbersExhausted, WindowClosed, WindowPaused, WindowBusy, NoCurrentTicket, WrongState, ReturnExpired, NotYourTicket, UnknownHelp, NothingToRate, AlreadyRated, RatingClosed, UnknownCase, NotYourCase, UnknownComplaint, UnknownFollowUp, NotManager, UnknownAppointment, NoSuchSlot, SlotFull, CodeInUse, TooEarly, TooLate, AppointmentsOnly)

struct Error {
  Errc code;
  std::string message;     // English
  std::string message_zh;  // Chinese, shown to citizens and clerks
};

const char* to_string(Errc e);  // stable error code, e.g. "hall_closed"
const char* to_string(Priority p);
const char* to_string(Channel c);
const char* to_string(TicketState s);
const char* to_string(WindowState s);
std::optional<Priority> parse_priority(std::string_view s);
std::optional<Channel> parse_channel(std::string_view s);
bool valid_void_reason(std::string_view s);
bool valid_printer_state(std::string_view s);

// Rows the store keeps as projections, serialised after each command or replayed event.
struct TicketRow {
  TicketId id = 0;
  std::string day, number, service, state, request_id;
  std::string json;  // the whole ticket
};
struct CaseRow {
  CaseId id = 0;
  std::string no, day, state, clerk;
  int window = 0;
  std::string json;  // the whole case
};
struct AppointmentRow {
  std::int64_t id = 0;
  std::string day;  // the booked day, or the day a request came in
  std::string state;
  std::string json;
};
struct Changes {
  std::vector<TicketRow> tickets;
  // Fields to set on the rows of finished tickets the engine keeps only in brief (R-EVAL-1:
  // a late rating, a case registered after the finish): ticket id -> a JSON object.
  std::vector<std::pair<TicketId, std::string>> ticket_patches;
  std::vector<CaseRow> cases;
  std::vector<AppointmentRow> appointments;
  std::vector<std::pair<int, std::string>> windows;       // number -> window JSON
  std::string meta;                                       // engine-wide state JSON
};

struct Outcome {
  std::vector<Event> events;
  Changes changes;
  boost::json::value reply;  // the ticket or window the command is about; null: nothing (204)
};

// The order in which call-next picks a ticket. Both strategies call priority classes first
// (vulnerable citizens, then appointments), then transferred-in and returned tickets; then
// "priority_fifo" takes the oldest ticket across the window's services, while
// "service_preference" empties the window's services in its configured order.
struct QueueKey {
  int tier;          // 0 vulnerable, 1 appointment, 2 transferred/returned, 3 normal
  std::int64_t at;   // queued_at, ms
  TicketId id;
  auto operator<=>(const QueueKey&) const = default;
};
class CallStrategy {
 public:
  virtual ~CallStrategy() = default;
  // Is candidate `a` (from the window's service at preference index ia) called before `b`?
  virtual bool before(const QueueKey& a, int ia, const QueueKey& b, int ib) const = 0;
};
std::unique_ptr<CallStrategy> make_call_strategy(const std::string& name);

class Engine {
 public:
  Engine(const HallConfig& config, TimeZone tz, WorkingCalendar calendar);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Validates `cmd` from `actor` at `now`; on success applies the events it makes.
  Expected<Outcome, Error> execute(const Command& cmd, const Actor& actor, TimePoint now);
  // Applies a logged event (replay). Events must come in sequence order. The data is decoded
  // strictly first: a damaged event changes nothing and comes back as the error, naming its seq.
  [[nodiscard]] std::optional<std::string> apply(const Event& e);
  // The projection rows changed since the last call; tickets that reached a final state are
  // then dropped from memory (the store keeps them).
  Changes take_changes();

  // Restores from projections: meta from take_changes(), the tickets that are not final or
  // were issued on the meta's day, and the window rows.
  // Cases: the live ones and all registered on the meta's day.
  bool restore(const std::string& meta, const std::vector<std::string>& tickets,
               const std::vector<std::string>& windows, const std::vector<std::string>& cases,
               std::string* error);
  // Appointments: the live ones and all of the meta's day and later.
  bool restore(const std::string& meta, const std::vector<std::string>& tickets,
               const std::vector<std::string>& windows, const std::vector<std::string>& cases,
               const std::vector<std::string>& appointments, std::string* error);

  // ---- queries ----
  Seq last_seq() const { return seq_; }
  const std::string& day() const { return day_; }
  const Ticket* find_ticket(TicketId id) const;
  // A finished ticket still open to a late rating (R-EVAL-1), kept for
  // policy.late_rating_hours after its finish; nullptr otherwise.
  const DoneService* find_done(TicketId id) const;
  // The ticket a request id made today, if any (kiosks resolving an unanswered issue). Request
  // ids are scoped to their issuer: `issuer` is the kiosk's device id, or "" for staff, so a
  // device replaying another's id never reaches that ticket.
  std::optional<TicketId> find_request(const std::string& issuer, const std::string& request_id) const {
    auto it = by_request_.find(request_key(issuer, request_id));
    return it == by_request_.end() ? std::nullopt : std::optional(it->second);
  }
  static std::string request_key(const std::string& issuer, const std::string& request_id) {
    return issuer + '\x1f' + request_id;
  }
  // The issuer scope of a request made by `actor` (see find_request).
  static std::string issuer_of(const Actor& actor) { return actor.kind == Actor::Kind::Device ? actor.id : std::string(); }
  const WindowStatus* find_window(int number) const;
  const std::vector<WindowStatus>& windows() const { return windows_; }
  const std::deque<RecentCall>& recent_calls() const { return recent_; }
  const std::map<std::string, DeviceStatus>& devices() const { return devices_; }
  const std::map<std::int64_t, HelpRequest>& open_help() const { return open_help_; }
  std::int64_t complaints_filed() const { return next_complaint_id_ - 1; }
  const std::map<std::int64_t, OpenComplaint>& open_complaints() const { return open_complaints_; }
  const std::map<Seq, FollowUp>& follow_ups() const { return follow_ups_; }
  boost::json::object help_json(const HelpRequest& h) const;
  std::uint64_t voided_today() const { return voided_today_; }
  int waiting_count(const std::string& service) const;
  // Tickets transferred to this window alone (ahead of its services' queues).
  int waiting_for_window(int window) const {
    auto it = window_queues_.find(window);
    return it == window_queues_.end() ? 0 : static_cast<int>(it->second.size());
  }
  // Tickets on hold at this window, oldest first.
  std::vector<const Ticket*> held_at(int window) const;
  int issued_today(const std::string& service) const {
    auto it = services_.find(service);
    return it == services_.end() ? 0 : it->second.issued_today;
  }
  // Tickets called before this one if nothing else changes, and the estimated wait.
  int ahead_of(const Ticket& t) const;
  int estimated_wait_s(const Ticket& t, int ahead) const;
  double average_service_s(const std::string& service) const;
  const HallConfig& config() const { return config_; }
  const TimeZone& timezone() const { return tz_; }
  // Is the hall taking tickets for this service now? nullopt if yes, else the reason.
  std::optional<Error> closed_reason(const std::string& service, TimePoint now) const;

  boost::json::object ticket_json(const Ticket& t) const;
  // The API view of a ticket the engine no longer holds, from its projection row.
  std::optional<boost::json::object> ticket_json_from_row(const std::string& row) const;
  boost::json::object window_json(const WindowStatus& w, bool with_personal) const;

  // ---- cases ----
  const WorkingCalendar& calendar() const { return calendar_; }
  const std::map<CaseId, Case>& cases() const { return cases_; }  // live cases and today's
  const Case* find_case(CaseId id) const;
  // Today's tickets finished without a case and not as a pure enquiry (R-CASE-8).
  struct Unregistered {
    TicketId ticket = 0;
    std::string number, service, clerk;
    int window = 0;
    TimePoint finished_at;
    std::string day;  // the ticket's day of issue
  };
  const std::map<TicketId, Unregistered>& unregistered() const { return unregistered_; }
  const std::vector<Enquiry>& enquiries() const { return enquiries_; }  // today's
  // Today's work of one clerk, for the console (reset at the day roll-over).
  struct ClerkDay {
    int called = 0, served = 0, no_show = 0, transferred = 0, held = 0, consultations = 0;
    std::int64_t service_ms = 0;  // start->finish of the served tickets that were started
    int measured = 0;
  };
  const std::map<std::string, ClerkDay>& clerk_day() const { return clerk_day_; }
  // The API view: masked personal fields, the working days left (negative: overdue) at `now`.
  boost::json::object case_json(const Case& c, TimePoint now) const;
  std::optional<boost::json::object> case_json_from_row(const std::string& row, TimePoint now) const;
  boost::json::object enquiry_json(const Enquiry& e) const;
  // R-AB-1: the clerks whose case it is: the responsible clerk, an agency case's handler and
  // the A and B posts of its window (they see its personal data and act on it).
  bool case_clerk(const Case& c, const std::string& clerk) const;
  // ---- appointments ----
  // Requests waiting for an answer, bookings still to come, and all of today's.
  const std::map<std::int64_t, Appointment>& appointments() const { return appointments_; }
  const Appointment* find_appointment(std::int64_t id) const;
  // The slots of a service on a day (none when it is not booked or not served that day), with
  // the bookings each holds.
  std::vector<AppointmentSlot> appointment_slots(const std::string& service, Date day) const;
  int slot_capacity(const std::string& service) const;
  // Where the service is done: "3号窗口、4号窗口（民政）".
  std::string appointment_place(const std::string& service) const;
  // R-HOURS-3: today (a weekend or holiday) only appointments are served.
  bool appointments_only(Date d) const;
  // The API view; the code only for staff, personal fields masked.
  boost::json::object appointment_json(const Appointment& a, bool staff, TimePoint now) const;
  std::optional<boost::json::object> appointment_json_from_row(const std::string& row, bool staff, TimePoint now) const;
  // R-APPT-1: requests whose answer is overdue at `now`.
  int unanswered_appointments(TimePoint now) const;

  // R-TIME-1/2: the deadline for a limit counted from `start` (the day after it is day 1).
  Date deadline_for(Date start, int days) const { return calendar_.add_working_days(start, days); }

 private:
  struct ServiceState {
    std::set<QueueKey> queue;  // waiting tickets for any window of the service
    std::array<int, 4> tier_count{};
    int issued_today = 0;
    int next_number = 1;
    double avg_service_s = 0;  // EWMA of start->finish, 0: no sample yet
  };

  Event make_event(const Actor& actor, int window, TimePoint now, const events::Body& body);
  // ---- decide: one overload per command, so a command without one does not compile ----
  // What a command answers, rendered by execute() once its events took effect.
  struct replies {
    struct None {};           // nothing (204)
    struct Ticket { TicketId id; };
    struct Case { CaseId id; };
    struct Enquiry {};        // the newest enquiry
    struct Appointment { std::int64_t id; };
    struct Help { std::int64_t id; };
    struct Window { int number; };
    // Replies about what the command has just closed or recorded, carried whole.
    struct HelpAnswered { HelpRequest help; std::string by; };
    struct Rated { TicketId ticket; std::string number; int window; int level; };
    struct ComplaintFiled { std::int64_t id; Date received, due; int window; std::string phone; };  // phone masked
    struct ComplaintAnswered { std::int64_t complaint; std::string outcome, clerk; bool late; };
    struct RatingReviewed { Seq rating; std::string outcome, clerk; };
    struct ScoreAdjusted { std::int64_t adjustment; std::string clerk, rule; int points; std::string month; };
    struct LeaveRecorded { std::int64_t leave; std::string clerk; Date from, to; };
  };
  using Reply = std::variant<replies::None, replies::Ticket, replies::Case, replies::Enquiry, replies::Appointment, replies::Help,
                             replies::Window, replies::HelpAnswered, replies::Rated, replies::ComplaintFiled,
                             replies::ComplaintAnswered, replies::RatingReviewed, replies::ScoreAdjusted,
                             replies::LeaveRecorded>;
  using Decision = Expected<std::vector<Event>, Error>;
  boost::json::value render(const Reply& r, const std::vector<Event>& events, TimePoint now) const;
  // Tickets and windows (decide_queue.cpp).
  Decision decide(const IssueTicket&, const Actor&, TimePoint, Reply&);
  Decision decide(const VoidTicket&, const Actor&, TimePoint, Reply&);
  Decision decide(const ReportDevice&, const Actor&, TimePoint, Reply&);
  Decision decide(const RequestHelp&, const Actor&, TimePoint, Reply&);
  Decision decide(const AnswerHelp&, const Actor&, TimePoint, Reply&);
  Decision decide(const CallNext&, const Actor&, TimePoint, Reply&);
  Decision decide(const Recall&, const Actor&, TimePoint, Reply&);
  Decision decide(const Skip&, const Actor&, TimePoint, Reply&);
  Decision decide(const StartService&, const Actor&, TimePoint, Reply&);
  Decision decide(const Finish&, const Actor&, TimePoint, Reply&);
  Decision decide(const CancelTicket&, const Actor&, TimePoint, Reply&);
  Decision decide(const TransferTicket&, const Actor&, TimePoint, Reply&);
  Decision decide(const HoldTicket&, const Actor&, TimePoint, Reply&);
  Decision decide(const UnholdTicket&, const Actor&, TimePoint, Reply&);
  Decision decide(const ReturnNoShow&, const Actor&, TimePoint, Reply&);
  Decision decide(const SignIn&, const Actor&, TimePoint, Reply&);
  Decision decide(const SignOut&, const Actor&, TimePoint, Reply&);
  Decision decide(const PauseWindow&, const Actor&, TimePoint, Reply&);
  Decision decide(const ResumeWindow&, const Actor&, TimePoint, Reply&);
  Decision decide(const FlagPauseOverruns&, const Actor&, TimePoint, Reply&);
  // Ratings and complaints (ratings.cpp), the manager's oversight (oversight.cpp).
  Decision decide(const RateService&, const Actor&, TimePoint, Reply&);
  Decision decide(const RateTicket&, const Actor&, TimePoint, Reply&);
  Decision decide(const FileComplaint&, const Actor&, TimePoint, Reply&);
  Decision decide(const AnswerComplaint&, const Actor&, TimePoint, Reply&);
  Decision decide(const ReviewRating&, const Actor&, TimePoint, Reply&);
  Decision decide(const AdjustScore&, const Actor&, TimePoint, Reply&);
  Decision decide(const RecordLeave&, const Actor&, TimePoint, Reply&);
  // The day's end (rollover.cpp).
  Decision decide(const RollOver&, const Actor&, TimePoint, Reply&);
  // Cases and enquiries (cases.cpp).
  Decision decide(const RegisterCase&, const Actor&, TimePoint, Reply&);
  Decision decide(const LogEnquiry&, const Actor&, TimePoint, Reply&);
  Decision decide(const RecordPrint&, const Actor&, TimePoint, Reply&);
  Decision decide(const CaseAction&, const Actor&, TimePoint, Reply&);
  // Appointments (appointments.cpp).
  Decision decide(const RequestAppointment&, const Actor&, TimePoint, Reply&);
  Decision decide(const AnswerAppointment&, const Actor&, TimePoint, Reply&);
  Decision decide(const BookAppointment&, const Actor&, TimePoint, Reply&);
  Decision decide(const CancelAppointment&, const Actor&, TimePoint, Reply&);
  Decision decide(const CheckInAppointment&, const Actor&, TimePoint, Reply&);
  std::optional<Error> appointments_closed() const;
  std::optional<Error> check_booking(const std::string& service, const std::string& item, const Sealed& name,
                                     const std::string& note) const;
  events::AppointmentConfirmed booking(std::int64_t id, const std::string& service, const std::string& item,
                                       const SlotChoice& c) const;
  Error unknown_or_settled(std::int64_t appointment) const;
  Ticket* current_of(WindowStatus& w) { return w.current ? ticket_mut(w.current) : nullptr; }
  Expected<Ticket*, Error> current_ticket(int window, const Actor& actor);
  Ticket* ticket_mut(TicketId id);
  // R-EVAL-1: done_ holds the done tickets issued and finished on done_cutoff() or later.
  // The same rule whether built live, by replay or by restore, so the rows agree.
  std::string done_cutoff() const;
  bool keep_done(const std::string& day, TimePoint finished_at, const std::string& cutoff) const;
  void keep_if_rateable(const Ticket& t, const std::string& cutoff);
  WindowStatus* window_mut(int number);
  Expected<WindowStatus*, Error> clerk_window(int number, const Actor& actor);
  void enqueue(Ticket& t);
  void dequeue(const Ticket& t);
  QueueKey key_of(const Ticket& t) const;
  std::optional<TicketId> pick_next(int window) const;
  void touch_ticket(TicketId id) { touched_tickets_.insert(id); }
  void touch_window(int number) { touched_windows_.insert(number); }
  std::string meta_json() const;
  void restore_meta(const boost::json::object& m);
  std::optional<std::string> restore_rows(const boost::json::object& m, const std::vector<std::string>& tickets,
                                          const std::vector<std::string>& windows, const std::vector<std::string>& cases,
                                          const std::vector<std::string>& appointments);
  Expected<events::Body, Error> clock_action(const CaseAction& a, const Case& cs, Date today) const;
  Expected<events::Body, Error> progress_action(const CaseAction& a, const Case& cs, Date today) const;
  Expected<Event, Error> register_event(const CaseInput& in, int window, const Ticket* ticket,
                                        const Unregistered* done, const Actor& actor, TimePoint now);
  // The checks every booked slot passes: a slot of the service that day, not past, not too far
  // ahead, not full; the code free.
  std::optional<Error> check_slot(const std::string& service, const SlotChoice& c, TimePoint now) const;
  // The TicketIssued data of a new ticket, or why none can be issued.
  Expected<events::TicketIssued, Error> issue_data(const ServiceConfig& sc, Priority priority, Channel channel,
                                                  const std::string& request_id, const Actor& actor,
                                                  const std::string& local_day, bool limit) const;
  Appointment* appointment_mut(std::int64_t id);
  // R-SCORE-2: the cases whose clock ran past the deadline on the days a roll-over closes.
  std::vector<events::Overdue> overdue_on(Date first, Date last) const;
  Case* case_mut(CaseId id);
  bool may_act_on(const Case& c, const Actor& actor) const;

  // ---- apply: one handler per event type, so a type without one does not compile ----
  // Queue and windows (apply_queue.cpp).
  void on(const Event&, const events::TicketIssued&);
  void on(const Event&, const events::TicketVoided&);
  void on(const Event&, const events::DeviceStatusChanged&);
  void on(const Event&, const events::HelpRequested&);
  void on(const Event&, const events::HelpAnswered&);
  void on(const Event&, const events::TicketCalled&);
  void on(const Event&, const events::TicketRecalled&);
  void on(const Event&, const events::TicketNoShow&);
  void on(const Event&, const events::ServiceStarted&);
  void on(const Event&, const events::TicketFinished&);
  void on(const Event&, const events::TicketCancelled&);
  void on(const Event&, const events::TicketClosed&);
  void on(const Event&, const events::TicketTransferred&);
  void on(const Event&, const events::TicketHeld&);
  void on(const Event&, const events::TicketResumed&);
  void on(const Event&, const events::TicketReturned&);
  void on(const Event&, const events::ClerkSignedIn&);
  void on(const Event&, const events::ClerkSignedOut&);
  void on(const Event&, const events::WindowPaused&);
  void on(const Event&, const events::WindowResumed&);
  void on(const Event&, const events::WindowPauseOverrun&);
  void on(const Event&, const events::ServiceRated&);
  void on(const Event&, const events::DayRolledOver&);
  void on(const Event&, const events::ComplaintFiled&);
  // Oversight (oversight.cpp).
  void on(const Event&, const events::ComplaintAnswered&);
  void on(const Event&, const events::RatingReviewed&);
  void on(const Event&, const events::ScoreAdjusted&);
  void on(const Event&, const events::LeaveRecorded&);
  // Cases and enquiries (cases.cpp).
  void on(const Event&, const events::EnquiryLogged&);
  void on(const Event&, const events::CaseRegistered&);
  void on(const Event&, const events::CaseMaterialsCompleted&);
  void on(const Event&, const events::CaseSupplementRequested&);
  void on(const Event&, const events::CaseExtended&);
  void on(const Event&, const events::CaseSuspended&);
  void on(const Event&, const events::CaseResumed&);
  void on(const Event&, const events::CaseParticipantReported&);
  void on(const Event&, const events::CaseReportedUpward&);
  void on(const Event&, const events::CaseHandlerAssigned&);
  void on(const Event&, const events::CaseCompleted&);
  void on(const Event&, const events::CaseReturned&);
  void on(const Event&, const events::CaseNotified&);
  void on(const Event&, const events::CaseFeedback&);
  void on(const Event&, const events::CaseNoticePrinted&);
  // The case an event is about, touched, with a step recorded; nullptr if no longer held.
  Case* case_step(const Event& e, CaseId id, const std::string& what, std::string note);
  // Appointments (appointments.cpp).
  void on(const Event&, const events::AppointmentRequested&);
  void on(const Event&, const events::AppointmentConfirmed&);
  void on(const Event&, const events::AppointmentDeclined&);
  void on(const Event&, const events::AppointmentCancelled&);
  void on(const Event&, const events::AppointmentCheckedIn&);
  void on(const Event&, const events::AppointmentMissed&);
  Appointment* appointment_step(std::int64_t id);
  // What a ticket event changes: the ticket and the event's window (either may be null),
  // both marked changed.
  struct QueueRefs {
    Ticket* t;
    WindowStatus* w;
  };
  QueueRefs refs(const Event& e, TicketId ticket);
  void push_recent(const Ticket& t, int window, TimePoint at);
  void free_window(int number, TimePoint at);
  void to_window(const Event& e, TicketId ticket, const std::string& clerk, bool new_call);
  void end_ticket(const Event& e, TicketId ticket, TicketState state, const std::string& reason);

  HallConfig config_;
  TimeZone tz_;
  WorkingCalendar calendar_;
  std::unique_ptr<CallStrategy> strategy_;
  Seq seq_ = 0;
  TicketId next_ticket_id_ = 1;
  std::string day_;
  std::unordered_map<TicketId, Ticket> tickets_;
  // Finished (done) tickets within their late-rating period; the roll-over prunes them.
  std::unordered_map<TicketId, DoneService> done_;
  std::unordered_map<std::string, TicketId> by_request_;  // today's request ids, by request_key()
  std::map<std::string, ServiceState> services_;
  std::map<int, std::set<QueueKey>> window_queues_;  // tickets transferred to one window
  std::vector<WindowStatus> windows_;
  std::deque<RecentCall> recent_;
  std::map<std::string, DeviceStatus> devices_;
  std::map<std::int64_t, HelpRequest> open_help_;
  std::int64_t next_help_id_ = 1;
  std::int64_t next_complaint_id_ = 1;
  std::map<std::int64_t, OpenComplaint> open_complaints_;
  std::map<Seq, FollowUp> follow_ups_;
  std::int64_t next_adjustment_id_ = 1, next_leave_id_ = 1;
  std::uint64_t voided_today_ = 0;
  std::map<CaseId, Case> cases_;
  CaseId next_case_id_ = 1;
  std::string case_day_;  // the day case numbers run for
  int case_day_count_ = 0;
  std::map<TicketId, Unregistered> unregistered_;
  std::vector<Enquiry> enquiries_;
  std::int64_t next_enquiry_id_ = 1;
  std::map<std::string, ClerkDay> clerk_day_;
  std::map<std::int64_t, Appointment> appointments_;
  std::int64_t next_appointment_id_ = 1;
  std::set<std::int64_t> touched_appointments_;
  std::set<CaseId> touched_cases_;
  std::set<TicketId> touched_tickets_;
  std::set<int> touched_windows_;
};

}  // namespace hallq::engine
