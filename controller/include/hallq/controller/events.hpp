#pragma once
// The events the engine writes to its log, one struct per type (issue 28). An event is the
// envelope engine::Event (seq, type, time, actor, window) and one of these as its data. The
// codec (event_codec.hpp) is the only place where they meet JSON; it reads them strictly.
//
// Every struct says, for each of its fields, who may see it:
//   kPublic:  the wall board and the unauthenticated event stream (R-EVAL-1: nothing that points
//             at a citizen, a clerk's name, a case or a rating's level).
//   kPrivate: staff only; the staff view then masks personal fields (event_codec.hpp).
// A field in neither list does not compile (event_codec.cpp checks it), so a new field is
// never public by accident. Names are space-separated; a member named after a C++ keyword ends
// in '_' ("case_"), which the JSON name drops.
// A field added after logs were written either is std::optional (absent: not set), or is named
// in kDefaulted, where an absent field takes the member's initial value.
#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hallq/common/time.hpp"
#include "hallq/controller/cases.hpp"

namespace hallq::engine::events {

using Strings = std::vector<std::string>;

// ---- tickets and windows ----
struct TicketIssued {
  static constexpr std::string_view kType = "TicketIssued";
  static constexpr std::string_view kPublic = "ticket number seqno service priority channel day issued_by appointment";
  static constexpr std::string_view kPrivate = "request_id";
  std::int64_t ticket = 0;
  std::string number;
  int seqno = 0;
  std::string service, priority, channel, request_id, day;
  std::optional<std::string> issued_by;     // the kiosk that issued it
  std::optional<std::int64_t> appointment;  // checked in for this booking
};
BOOST_DESCRIBE_STRUCT(TicketIssued, (), (ticket, number, seqno, service, priority, channel, request_id, day, issued_by, appointment))

struct TicketVoided {
  static constexpr std::string_view kType = "TicketVoided";
  static constexpr std::string_view kPublic = "ticket number service reason";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
  std::string number, service, reason;
};
BOOST_DESCRIBE_STRUCT(TicketVoided, (), (ticket, number, service, reason))

struct DeviceStatusChanged {
  static constexpr std::string_view kType = "DeviceStatusChanged";
  static constexpr std::string_view kPublic = "device printer accepting detail";
  static constexpr std::string_view kPrivate = "";
  std::string device, printer;
  bool accepting = false;
  std::string detail;
};
BOOST_DESCRIBE_STRUCT(DeviceStatusChanged, (), (device, printer, accepting, detail))

struct HelpRequested {
  static constexpr std::string_view kType = "HelpRequested";
  static constexpr std::string_view kPublic = "help device kind";
  static constexpr std::string_view kPrivate = "";
  std::int64_t help = 0;
  std::string device, kind;
};
BOOST_DESCRIBE_STRUCT(HelpRequested, (), (help, device, kind))

struct HelpAnswered {
  static constexpr std::string_view kType = "HelpAnswered";
  static constexpr std::string_view kPublic = "help device waited_s";
  static constexpr std::string_view kPrivate = "by";
  std::int64_t help = 0;
  std::string device, by;
  std::int64_t waited_s = 0;
};
BOOST_DESCRIBE_STRUCT(HelpAnswered, (), (help, device, by, waited_s))

struct TicketCalled {
  static constexpr std::string_view kType = "TicketCalled";
  static constexpr std::string_view kPublic = "ticket number service";
  static constexpr std::string_view kPrivate = "clerk";
  std::int64_t ticket = 0;
  std::string clerk, number, service;
};
BOOST_DESCRIBE_STRUCT(TicketCalled, (), (ticket, clerk, number, service))

struct TicketRecalled {
  static constexpr std::string_view kType = "TicketRecalled";
  static constexpr std::string_view kPublic = "ticket recalls number service";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
  int recalls = 0;
  std::string number, service;
};
BOOST_DESCRIBE_STRUCT(TicketRecalled, (), (ticket, recalls, number, service))

// reason: recall_limit | skipped
struct TicketNoShow {
  static constexpr std::string_view kType = "TicketNoShow";
  static constexpr std::string_view kPublic = "ticket reason";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(TicketNoShow, (), (ticket, reason))

struct ServiceStarted {
  static constexpr std::string_view kType = "ServiceStarted";
  static constexpr std::string_view kPublic = "ticket";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
};
BOOST_DESCRIBE_STRUCT(ServiceStarted, (), (ticket))

struct TicketFinished {
  static constexpr std::string_view kType = "TicketFinished";
  static constexpr std::string_view kPublic = "ticket consultation";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
  std::optional<bool> consultation;  // written only when true (R-CASE-8: an enquiry only)
};
BOOST_DESCRIBE_STRUCT(TicketFinished, (), (ticket, consultation))

struct TicketCancelled {
  static constexpr std::string_view kType = "TicketCancelled";
  static constexpr std::string_view kPublic = "ticket reason";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(TicketCancelled, (), (ticket, reason))

// The day's end closes a ticket nobody served (reason day_end).
struct TicketClosed {
  static constexpr std::string_view kType = "TicketClosed";
  static constexpr std::string_view kPublic = "ticket reason";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(TicketClosed, (), (ticket, reason))

struct TicketTransferred {
  static constexpr std::string_view kType = "TicketTransferred";
  static constexpr std::string_view kPublic = "ticket to_service to_window";
  static constexpr std::string_view kPrivate = "from_clerk";
  std::int64_t ticket = 0;
  std::string from_clerk, to_service;
  int to_window = 0;
};
BOOST_DESCRIBE_STRUCT(TicketTransferred, (), (ticket, from_clerk, to_service, to_window))

struct TicketHeld {
  static constexpr std::string_view kType = "TicketHeld";
  static constexpr std::string_view kPublic = "ticket";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
};
BOOST_DESCRIBE_STRUCT(TicketHeld, (), (ticket))

struct TicketResumed {
  static constexpr std::string_view kType = "TicketResumed";
  static constexpr std::string_view kPublic = "ticket";
  static constexpr std::string_view kPrivate = "clerk";
  std::int64_t ticket = 0;
  std::string clerk;
};
BOOST_DESCRIBE_STRUCT(TicketResumed, (), (ticket, clerk))

struct TicketReturned {
  static constexpr std::string_view kType = "TicketReturned";
  static constexpr std::string_view kPublic = "ticket";
  static constexpr std::string_view kPrivate = "";
  std::int64_t ticket = 0;
};
BOOST_DESCRIBE_STRUCT(TicketReturned, (), (ticket))

struct ClerkSignedIn {
  static constexpr std::string_view kType = "ClerkSignedIn";
  static constexpr std::string_view kPublic = "post";
  static constexpr std::string_view kPrivate = "clerk";
  std::string clerk, post;  // post: A | B
};
BOOST_DESCRIBE_STRUCT(ClerkSignedIn, (), (clerk, post))

// reason: sign_out | handover | day_end
struct ClerkSignedOut {
  static constexpr std::string_view kType = "ClerkSignedOut";
  static constexpr std::string_view kPublic = "reason";
  static constexpr std::string_view kPrivate = "clerk";
  std::string clerk, reason;
};
BOOST_DESCRIBE_STRUCT(ClerkSignedOut, (), (clerk, reason))

struct WindowPaused {
  static constexpr std::string_view kType = "WindowPaused";
  static constexpr std::string_view kPublic = "reason";
  static constexpr std::string_view kPrivate = "";
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(WindowPaused, (), (reason))

struct WindowResumed {
  static constexpr std::string_view kType = "WindowResumed";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "";
};
BOOST_DESCRIBE_STRUCT(WindowResumed, (), ())

// R-AB-3: a pause ran past policy.pause_alert_minutes (the manager is alerted).
struct WindowPauseOverrun {
  static constexpr std::string_view kType = "WindowPauseOverrun";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "clerk reason paused_at minutes";
  std::string clerk, reason, paused_at;
  int minutes = 0;
};
BOOST_DESCRIBE_STRUCT(WindowPauseOverrun, (), (clerk, reason, paused_at, minutes))

// R-EVAL-1: one rating per service; the wall board learns only that a rating was made.
// channel: evaluator | kiosk | phone; from and finished_at: late ratings only.
struct ServiceRated {
  static constexpr std::string_view kType = "ServiceRated";
  static constexpr std::string_view kPublic = "service";
  static constexpr std::string_view kPrivate = "ticket number clerk level label bad case channel from finished_at";
  std::int64_t ticket = 0;
  std::string number, service, clerk;
  int level = 0;
  std::string label;
  bool bad = false;
  std::int64_t case_ = 0;
  std::string channel;
  std::optional<std::string> from, finished_at;
};
BOOST_DESCRIBE_STRUCT(ServiceRated, (), (ticket, number, service, clerk, level, label, bad, case_, channel, from, finished_at))

// ---- the day's end ----
struct Unregistered {
  std::int64_t ticket = 0;
  std::string number;
  int window = 0;
  std::string clerk;
};
BOOST_DESCRIBE_STRUCT(Unregistered, (), (ticket, number, window, clerk))

// R-SCORE-2: a case past its deadline, with the closed working days it was overdue.
struct Overdue {
  std::int64_t case_ = 0;
  std::string no, clerk;
  int window = 0;
  Date deadline{};
  Strings days;
};
BOOST_DESCRIBE_STRUCT(Overdue, (), (case_, no, clerk, window, deadline, days))

struct DayRolledOver {
  static constexpr std::string_view kType = "DayRolledOver";
  static constexpr std::string_view kPublic = "day closed";
  static constexpr std::string_view kPrivate = "unregistered overdue";
  std::string day;
  std::optional<std::string> closed;  // the business day this roll-over closes
  std::optional<std::vector<Unregistered>> unregistered;
  std::optional<std::vector<Overdue>> overdue;
};
BOOST_DESCRIBE_STRUCT(DayRolledOver, (), (day, closed, unregistered, overdue))

// ---- complaints, help and oversight ----
struct ComplaintFiled {
  static constexpr std::string_view kType = "ComplaintFiled";
  static constexpr std::string_view kPublic = "complaint channel categories received due";
  static constexpr std::string_view kPrivate = "content name phone clerk";
  std::int64_t complaint = 0;
  std::string channel;
  Strings categories;
  std::string content;
  Sealed name, phone;
  std::string clerk;
  Date received{}, due{};
};
BOOST_DESCRIBE_STRUCT(ComplaintFiled, (), (complaint, channel, categories, content, name, phone, clerk, received, due))

struct ComplaintAnswered {
  static constexpr std::string_view kType = "ComplaintAnswered";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "complaint outcome clerk answer filed_seq received due late";
  std::int64_t complaint = 0;
  std::string outcome, clerk, answer;
  std::int64_t filed_seq = 0;
  Date received{}, due{};
  bool late = false;
};
BOOST_DESCRIBE_STRUCT(ComplaintAnswered, (), (complaint, outcome, clerk, answer, filed_seq, received, due, late))

struct RatingReviewed {
  static constexpr std::string_view kType = "RatingReviewed";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "rating outcome clerk level note";
  std::int64_t rating = 0;  // the ServiceRated event's seq
  std::string outcome, clerk;
  int level = 0;
  std::string note;
};
BOOST_DESCRIBE_STRUCT(RatingReviewed, (), (rating, outcome, clerk, level, note))

struct ScoreAdjusted {
  static constexpr std::string_view kType = "ScoreAdjusted";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "adjustment clerk rule points month reason";
  std::int64_t adjustment = 0;
  std::string clerk, rule;
  int points = 0;
  std::string month, reason;
};
BOOST_DESCRIBE_STRUCT(ScoreAdjusted, (), (adjustment, clerk, rule, points, month, reason))

struct LeaveRecorded {
  static constexpr std::string_view kType = "LeaveRecorded";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "leave clerk from to kind reason";
  std::int64_t leave = 0;
  std::string clerk;
  Date from{}, to{};
  std::string kind, reason;
};
BOOST_DESCRIBE_STRUCT(LeaveRecorded, (), (leave, clerk, from, to, kind, reason))

// ---- cases and enquiries: staff business, nothing on the wall board ----
struct EnquiryLogged {
  static constexpr std::string_view kType = "EnquiryLogged";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "enquiry channel subject caller phone forwarded_to clerk";
  std::int64_t enquiry = 0;
  std::string channel, subject;
  Sealed caller, phone;
  std::string forwarded_to, clerk;
};
BOOST_DESCRIBE_STRUCT(EnquiryLogged, (), (enquiry, channel, subject, caller, phone, forwarded_to, clerk))

struct CaseRegistered {
  static constexpr std::string_view kType = "CaseRegistered";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate =
      "case no seqno type service item item_name ticket number clerk applicant phone id_number received "
      "received_materials missing time_limit_days participants reason note first_clerk state clock_start deadline "
      "provisional";
  std::int64_t case_ = 0;
  std::string no;
  int seqno = 0;
  std::string type, service, item, item_name;
  std::int64_t ticket = 0;
  std::string number, clerk;
  Sealed applicant, phone, id_number;
  Date received{};
  Strings received_materials, missing;
  int time_limit_days = 0;
  std::vector<int> participants;
  std::string reason, note;
  std::optional<std::string> first_clerk;  // R-FIRST-1, when another clerk received the citizen
  std::string state;
  std::optional<Date> clock_start, deadline;  // an open case's clock
  std::optional<bool> provisional;
};
BOOST_DESCRIBE_STRUCT(CaseRegistered, (),
                      (case_, no, seqno, type, service, item, item_name, ticket, number, clerk, applicant, phone,
                       id_number, received, received_materials, missing, time_limit_days, participants, reason, note,
                       first_clerk, state, clock_start, deadline, provisional))

// What every action on a case carries: the case, and its responsible clerk (R-ONCE-4).
#define HALLQ_CASE_EVENT_HEAD \
  std::int64_t case_ = 0;     \
  std::string no, clerk;

struct CaseMaterialsCompleted {
  static constexpr std::string_view kType = "CaseMaterialsCompleted";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk clock_start deadline provisional note";
  HALLQ_CASE_EVENT_HEAD
  Date clock_start{}, deadline{};
  bool provisional = false;
  std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(CaseMaterialsCompleted, (), (case_, no, clerk, clock_start, deadline, provisional, note))

struct CaseSupplementRequested {
  static constexpr std::string_view kType = "CaseSupplementRequested";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk once_failure missing new_items note";
  HALLQ_CASE_EVENT_HEAD
  bool once_failure = false;  // R-ONCE-4: a material the notice before did not ask for
  Strings missing, new_items;
  std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(CaseSupplementRequested, (), (case_, no, clerk, once_failure, missing, new_items, note))

struct CaseExtended {
  static constexpr std::string_view kType = "CaseExtended";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk days reason from to provisional";
  HALLQ_CASE_EVENT_HEAD
  int days = 0;
  std::string reason;
  Date from{}, to{};
  bool provisional = false;
};
BOOST_DESCRIBE_STRUCT(CaseExtended, (), (case_, no, clerk, days, reason, from, to, provisional))

struct CaseSuspended {
  static constexpr std::string_view kType = "CaseSuspended";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk reason";
  HALLQ_CASE_EVENT_HEAD
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(CaseSuspended, (), (case_, no, clerk, reason))

struct CaseResumed {
  static constexpr std::string_view kType = "CaseResumed";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk days deadline provisional";
  HALLQ_CASE_EVENT_HEAD
  int days = 0;
  std::optional<Date> deadline;
  std::optional<bool> provisional;
};
BOOST_DESCRIBE_STRUCT(CaseResumed, (), (case_, no, clerk, days, deadline, provisional))

struct CaseParticipantReported {
  static constexpr std::string_view kType = "CaseParticipantReported";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk window note";
  HALLQ_CASE_EVENT_HEAD
  int window = 0;
  std::string note;
};
BOOST_DESCRIBE_STRUCT(CaseParticipantReported, (), (case_, no, clerk, window, note))

struct CaseReportedUpward {
  static constexpr std::string_view kType = "CaseReportedUpward";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk note";
  HALLQ_CASE_EVENT_HEAD
  std::string note;
};
BOOST_DESCRIBE_STRUCT(CaseReportedUpward, (), (case_, no, clerk, note))

struct CaseHandlerAssigned {
  static constexpr std::string_view kType = "CaseHandlerAssigned";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk handler note";
  HALLQ_CASE_EVENT_HEAD
  std::string handler, note;
};
BOOST_DESCRIBE_STRUCT(CaseHandlerAssigned, (), (case_, no, clerk, handler, note))

struct CaseCompleted {
  static constexpr std::string_view kType = "CaseCompleted";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk overdue_days note";
  HALLQ_CASE_EVENT_HEAD
  int overdue_days = 0;
  std::string note;
};
BOOST_DESCRIBE_STRUCT(CaseCompleted, (), (case_, no, clerk, overdue_days, note))

struct CaseReturned {
  static constexpr std::string_view kType = "CaseReturned";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk reason late";
  HALLQ_CASE_EVENT_HEAD
  std::string reason;
  bool late = false;
};
BOOST_DESCRIBE_STRUCT(CaseReturned, (), (case_, no, clerk, reason, late))

struct CaseNotified {
  static constexpr std::string_view kType = "CaseNotified";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk channel note";
  HALLQ_CASE_EVENT_HEAD
  std::string channel, note;
};
BOOST_DESCRIBE_STRUCT(CaseNotified, (), (case_, no, clerk, channel, note))

struct CaseFeedback {
  static constexpr std::string_view kType = "CaseFeedback";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no clerk note";
  HALLQ_CASE_EVENT_HEAD
  std::string note;
};
BOOST_DESCRIBE_STRUCT(CaseFeedback, (), (case_, no, clerk, note))
#undef HALLQ_CASE_EVENT_HEAD

// A notice printed (or not) for a case (R-ONCE-3).
struct CaseNoticePrinted {
  static constexpr std::string_view kType = "CaseNoticePrinted";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "case no doc outcome detail";
  std::int64_t case_ = 0;
  std::string no, doc, outcome, detail;
};
BOOST_DESCRIBE_STRUCT(CaseNoticePrinted, (), (case_, no, doc, outcome, detail))

// ---- appointments (R-APPT-1): a booking's code checks it in, so none of it is public ----
struct AppointmentRequested {
  static constexpr std::string_view kType = "AppointmentRequested";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "appointment service item channel name phone note received due";
  std::int64_t appointment = 0;
  std::string service, item, channel;
  Sealed name, phone;
  std::string note;
  Date received{}, due{};
};
BOOST_DESCRIBE_STRUCT(AppointmentRequested, (), (appointment, service, item, channel, name, phone, note, received, due))

// A request answered with a slot (late), or a booking made directly (booked, with who comes).
struct AppointmentConfirmed {
  static constexpr std::string_view kType = "AppointmentConfirmed";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate =
      "appointment service item code day slot slot_minutes place materials late booked channel name phone note received";
  std::int64_t appointment = 0;
  std::string service, item, code;
  Date day{};
  std::string slot;  // HH:MM
  int slot_minutes = 0;
  std::string place;
  Strings materials;
  std::optional<bool> late, booked;
  std::optional<std::string> channel;
  std::optional<Sealed> name, phone;
  std::optional<std::string> note;
  std::optional<Date> received;
};
BOOST_DESCRIBE_STRUCT(AppointmentConfirmed, (),
                      (appointment, service, item, code, day, slot, slot_minutes, place, materials, late, booked, channel,
                       name, phone, note, received))

struct AppointmentDeclined {
  static constexpr std::string_view kType = "AppointmentDeclined";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "appointment reason late";
  std::int64_t appointment = 0;
  std::string reason;
  bool late = false;
};
BOOST_DESCRIBE_STRUCT(AppointmentDeclined, (), (appointment, reason, late))

struct AppointmentCancelled {
  static constexpr std::string_view kType = "AppointmentCancelled";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "appointment reason was";
  std::int64_t appointment = 0;
  std::string reason, was;
};
BOOST_DESCRIBE_STRUCT(AppointmentCancelled, (), (appointment, reason, was))

struct AppointmentCheckedIn {
  static constexpr std::string_view kType = "AppointmentCheckedIn";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "appointment ticket number service day slot";
  std::int64_t appointment = 0, ticket = 0;
  std::string number, service, day, slot;
};
BOOST_DESCRIBE_STRUCT(AppointmentCheckedIn, (), (appointment, ticket, number, service, day, slot))

struct AppointmentMissed {
  static constexpr std::string_view kType = "AppointmentMissed";
  static constexpr std::string_view kPublic = "";
  static constexpr std::string_view kPrivate = "appointment service day slot";
  std::int64_t appointment = 0;
  std::string service, day, slot;
};
BOOST_DESCRIBE_STRUCT(AppointmentMissed, (), (appointment, service, day, slot))

// Every event type the engine writes; the order is not stored anywhere.
using Body = std::variant<
    TicketIssued, TicketVoided, DeviceStatusChanged, HelpRequested, HelpAnswered, TicketCalled, TicketRecalled,
    TicketNoShow, ServiceStarted, TicketFinished, TicketCancelled, TicketClosed, TicketTransferred, TicketHeld,
    TicketResumed, TicketReturned, ClerkSignedIn, ClerkSignedOut, WindowPaused, WindowResumed, WindowPauseOverrun,
    ServiceRated, DayRolledOver, ComplaintFiled, ComplaintAnswered, RatingReviewed, ScoreAdjusted, LeaveRecorded,
    EnquiryLogged, CaseRegistered, CaseMaterialsCompleted, CaseSupplementRequested, CaseExtended, CaseSuspended,
    CaseResumed, CaseParticipantReported, CaseReportedUpward, CaseHandlerAssigned, CaseCompleted, CaseReturned,
    CaseNotified, CaseFeedback, CaseNoticePrinted, AppointmentRequested, AppointmentConfirmed, AppointmentDeclined,
    AppointmentCancelled, AppointmentCheckedIn, AppointmentMissed>;

}  // namespace hallq::engine::events

namespace hallq::engine {
// A personal field in event data: {masked, sealed}; the staff view shows the masked form.
BOOST_DESCRIBE_STRUCT(Sealed, (), (masked, sealed))
}  // namespace hallq::engine
