#pragma once
// The commands the engine decides on (engine.hpp Engine::execute): what a kiosk, a clerk, a
// manager, a device or the system asks for. Each is handled by its own Engine::decide
// overload, so a command without a handler does not compile.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hallq/common/time.hpp"
#include "hallq/controller/cases.hpp"
#include "hallq/controller/model.hpp"

namespace hallq::engine {

struct IssueTicket {
  std::string service;
  Priority priority = Priority::Normal;
  Channel channel = Channel::Kiosk;
  std::string request_id;  // same id, same ticket
};
struct CallNext { int window = 0; };
struct Recall { int window = 0; };
struct Skip { int window = 0; };  // no-show
struct StartService { int window = 0; };
// Finishing registers the case in the same step (R-CASE-8), or says there is none (a pure
// enquiry); a ticket finished with neither waits on the console's "to register" list.
struct Finish {
  int window = 0;
  std::optional<CaseInput> case_input;
  bool consultation = false;
};
// A case registered after its ticket was finished (the same day), for the window's last
// finished ticket (a second matter of the same citizen), or without a ticket (ticket 0).
struct RegisterCase {
  int window = 0;
  TicketId ticket = 0;
  CaseInput input;
};
struct CancelTicket { TicketId ticket = 0; std::string reason; };
struct TransferTicket { int window = 0; std::string to_service; int to_window = 0; };
struct HoldTicket { int window = 0; };
struct UnholdTicket { int window = 0; TicketId ticket = 0; };
struct ReturnNoShow { TicketId ticket = 0; };
struct SignIn { int window = 0; };  // the actor is the clerk
struct SignOut { int window = 0; };
struct PauseWindow { int window = 0; std::string reason; };
// The window's evaluator rates the service last finished there, once, within
// policy.rating_minutes. Levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (the last
// two are bad reviews). The actor is the evaluator's device; clerks cannot rate.
struct RateService { int window = 0; int level = 0; };
// A late rating (R-EVAL-1): the citizen rates a finished service afterwards, at a kiosk (the
// ticket's QR scanned; the actor is the kiosk) or on a phone (the QR's page; the system actor),
// within policy.late_rating_hours of the finish. The API has checked the QR's key: ticket ids
// are guessable, keys are not. One rating per service, whichever channel comes first.
// `from` says where the rating came from, for the manager's view of rating sources: the
// kiosk's id, or the phone's network address (never shown on the stream).
struct RateTicket { std::int64_t ticket = 0; int level = 0; std::string channel; std::string from; };
struct ResumeWindow { int window = 0; };
struct RollOver {};  // local midnight: close the day (system actor)
// R-AB-3 (system actor, run every few seconds): flags each window paused for longer than
// policy.pause_alert_minutes, once per pause, so the manager is alerted.
struct FlagPauseOverruns {};
// The no-phantom-ticket contract (docs/printing.md): a kiosk whose printer failed voids the
// ticket it issued, while the ticket still waits. reason: print_failed | print_unconfirmed |
// issue_unconfirmed.
struct VoidTicket { TicketId ticket = 0; std::string reason; };
// A device's health as it reports it; an event only when printer state or accepting changes.
struct ReportDevice {
  std::string printer;  // ok | near_end | paper_out | cover_open | offline | error | unknown | none
  bool accepting = true;  // the kiosk offers tickets
  std::string detail;
};
// 帮办代办: a citizen at a kiosk presses "call a staff member"; a clerk or the manager answers.
// One open request per device: pressing again while one is open changes nothing.
struct RequestHelp { std::string kind = "help"; };
struct AnswerHelp { std::int64_t help = 0; };
// R-COMP-1: a complaint, from a kiosk (channel kiosk), a clerk (counter) or a manager (admin).
// Categories from a fixed list and/or free text; the window concerned (0: not known); the
// complainant's name and phone are optional and never leave the full event (public views mask
// or drop them). The answer is due within 5 working days of receipt.
struct FileComplaint {
  std::vector<std::string> categories;  // attitude waiting efficiency materials fees rules other
  std::string content;
  int window = 0;
  // The complainant, sealed by the API (its phone checked there: 7 to 15 digits).
  Sealed name, phone;
  // The clerk complained about; empty: the clerk at the window then (or its last, or its A post).
  std::string clerk;
};
// ---- oversight (issue 8): the manager's answers and records that feed the monthly scores ----
// R-COMP-1: the manager answers a complaint. verified: the clerk was at fault (a deduction
// under the centre's rulebook); not_verified: no fault found. clerk corrects who was at fault.
struct AnswerComplaint {
  std::int64_t complaint = 0;
  std::string outcome;  // verified | not_verified
  std::string clerk;    // empty: the clerk recorded on filing
  std::string answer;   // what the complainant was told (required)
};
// R-EVAL-1: a bad review (level 1-2) opens a follow-up; the manager closes it with what the
// check found (002 deducts only 经核实 bad reviews).
struct ReviewRating {
  Seq rating = 0;  // the ServiceRated event's seq
  std::string outcome;  // verified | not_verified
  std::string note;
};
// A manual score item (written praise, media mentions, ...) with its reason: audited in the log.
struct AdjustScore {
  std::string clerk;
  std::string rule;    // [a-z0-9_]{1,32}; the rulebook's manual item, or "other"
  int points = 0;      // -50..50, not 0
  std::string month;   // YYYY-MM the item counts in
  std::string reason;  // required
};
// Approved leave (请假): absences on these days are excused under rulebooks that excuse them.
struct RecordLeave {
  std::string clerk;
  Date from, to;      // inclusive
  std::string kind;   // personal sick annual maternity official other
  std::string reason;
};
struct RequestAppointment {
  std::string service, item, channel;  // channel: visit phone letter kiosk online
  Sealed name, phone;
  std::string note;
};
// The slot a booking takes; code: 6 random digits the controller draws (the engine is pure).
struct SlotChoice {
  Date day;
  Minutes slot{0};
  std::string code;
};
struct AnswerAppointment {
  std::int64_t appointment = 0;
  bool accept = true;
  SlotChoice choice;   // accept
  std::string reason;  // decline (required)
};
struct BookAppointment {
  std::string service, item, channel;  // channel: visit phone letter counter
  Sealed name, phone;
  std::string note;
  SlotChoice choice;
};
struct CancelAppointment { std::int64_t appointment = 0; std::string reason; };
struct CheckInAppointment { std::string code; std::string request_id; };

using Command = std::variant<IssueTicket, CallNext, Recall, Skip, StartService, Finish,
                             CancelTicket, TransferTicket, HoldTicket, UnholdTicket, ReturnNoShow,
                             SignIn, SignOut, PauseWindow, ResumeWindow, RollOver, FlagPauseOverruns, VoidTicket,
                             ReportDevice, RequestHelp, AnswerHelp, FileComplaint, RateService, RateTicket,
                             RegisterCase, CaseAction, RecordPrint, LogEnquiry, AnswerComplaint,
                             ReviewRating, AdjustScore, RecordLeave, RequestAppointment,
                             AnswerAppointment, BookAppointment, CancelAppointment, CheckInAppointment>;

}  // namespace hallq::engine
