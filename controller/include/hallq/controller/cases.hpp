#pragma once
// The case register (办件登记, hall-rules §3-§7): every matter a window accepts becomes a case
// with a type, an applicant, the materials received or missing, and, for matters not settled on
// the spot, a deadline on the working-day calendar (R-TIME-1/2) that extensions and suspensions
// move. Cases are engine state like tickets: commands validate, events change them, and a
// replay of the log rebuilds them. The applicant's personal data reaches the engine already
// masked and encrypted by the API layer: the engine never holds it in clear.
#include <boost/describe/enum.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/time.hpp"

namespace hallq::engine {

using CaseId = std::int64_t;

// R-CASE-1..7. The zh labels are what the console, the registers and the notices print.
enum class CaseType { Immediate, Promised, Escalated, Joint, Supplement, Returned, Agency };
enum class CaseState {
  Open,               // being handled, the clock runs
  AwaitingMaterials,  // 补办件: the notice was given, the clock has not started (R-TIME-1)
  Suspended,          // 挂起: the applicant is late (R-CASE-4), the clock stops
  Done,               // 办结
  Returned,           // 退回 (R-CASE-5)
};
BOOST_DESCRIBE_ENUM(CaseType, Immediate, Promised, Escalated, Joint, Supplement, Returned, Agency)
BOOST_DESCRIBE_ENUM(CaseState, Open, AwaitingMaterials, Suspended, Done, Returned)
const char* to_string(CaseType t);
const char* label_zh(CaseType t);  // 即办件 承诺件 上报件 联办件 补办件 退回件 委托代办
const char* to_string(CaseState s);
const char* label_zh(CaseState s);
std::optional<CaseType> parse_case_type(std::string_view s);
std::optional<CaseState> parse_case_state(std::string_view s);

// A personal field as the engine keeps it: shown masked everywhere, and sealed (encrypted with
// the controller's key) for the clerk whose case it is.
struct Sealed {
  std::string masked;  // 张*, 138****5678, 5101**********1234
  std::string sealed;  // opaque; empty when not given
  bool empty() const { return masked.empty() && sealed.empty(); }
};

// What a clerk registers (on finishing a ticket, or later the same day).
struct CaseInput {
  CaseType type = CaseType::Immediate;
  std::string item;       // a service item id from the config
  Sealed applicant;       // the applicant's name (required)
  Sealed phone, id_number;  // optional
  std::vector<std::string> received;  // materials received, from the item's list
  std::vector<std::string> missing;   // 补办件: every missing material, from the item's list
  int time_limit_days = 0;  // 0: the item's promised limit
  std::vector<int> participants;  // 联办件: participating windows
  std::string reason;       // 退回件: the written reason
  std::string note;
};

// One step of a case's history, for the console, the registers and the A/B hand-over.
struct CaseStep {
  TimePoint at;
  std::string what;  // registered materials_complete extended suspended resumed reported
                     // reported_upward assigned completed returned notified feedback printed
  std::string by;    // clerk or manager id, or "system"
  std::string note;
};

struct CaseParticipant {
  int window = 0;
  bool reported = false;
  std::optional<TimePoint> reported_at;
  std::string by, note;
};

struct CaseExtension {
  TimePoint at;
  std::string by, reason;
  int days = 0;
  Date from, to;  // deadline before and after
};

struct Case {
  CaseId id = 0;
  std::string no;  // 20260302-007: registration day and its running number
  CaseType type = CaseType::Immediate;
  CaseState state = CaseState::Open;
  std::string service, item, item_name;
  std::int64_t ticket = 0;  // 0: registered without a ticket (phone, agency)
  std::string number;       // the ticket's number
  int window = 0;           // the accepting (lead) window
  std::string clerk;        // responsible clerk (R-FIRST-1: the one who accepted it)
  std::string first_clerk;  // the first clerk who received the citizen, if another
  Sealed applicant, phone, id_number;
  TimePoint received_at;
  Date received;
  std::vector<std::string> received_materials, missing;
  int time_limit_days = 0;
  std::optional<Date> clock_start;  // counting starts the day after (R-TIME-1)
  std::optional<Date> deadline;
  bool provisional = false;  // the deadline lies outside the calendar's listed years
  std::vector<CaseExtension> extensions;
  std::optional<TimePoint> suspended_at;  // while suspended
  std::string suspend_reason;
  int suspended_days = 0;  // working days added to the deadline by suspensions
  std::vector<CaseParticipant> participants;
  std::optional<TimePoint> reported_upward_at;  // 上报件
  std::string handler;                          // 委托代办: the staff member handling it
  std::string reason;                           // 退回件
  std::optional<TimePoint> done_at;
  int overdue_days = 0;  // working days past the deadline when it was done
  // R-ONCE-4: further supplement notices that asked for materials the notice before did not
  // list (the citizen came back because the one-time notice was incomplete).
  int once_failures = 0;
  std::optional<TimePoint> notified_at;  // R-TIME-4
  std::string notify_channel;
  std::string feedback;  // 委托代办: the citizen's feedback on return
  std::string note;
  std::vector<CaseStep> steps;
  // Still on the console's list: open, or done but the applicant not yet told.
  bool live() const;
  bool needs_notice() const {
    return type != CaseType::Immediate && type != CaseType::Returned && state != CaseState::Returned;
  }
};

// What a clerk (or manager) does to a registered case; one command, the action decides which
// fields count.
struct CaseAction {
  CaseId id = 0;
  std::string action;  // materials-complete supplement extend suspend resume report
                       // report-upward assign complete return notify feedback
  int days = 0;        // extend
  int window = 0;      // report: the participating window reporting back
  std::string reason;  // extend suspend return
  std::string handler; // assign
  std::string channel; // notify: phone sms in_person post
  std::string note;    // report feedback complete supplement
  std::vector<std::string> missing;  // supplement: every material still missing
};

// A notice printed (or not) at a window printer; recorded against the case (R-ONCE-3 keeps
// the window's copy).
struct RecordPrint {
  CaseId id = 0;
  std::string doc;      // acceptance supplement extension return agency_receipt agency_slip
  std::string outcome;  // printed refused failed suspect no_printer
  std::string detail;
};

// R-FIRST-3: phone and walk-in enquiries, recorded by the clerk who took them.
struct LogEnquiry {
  std::string channel = "phone";  // phone walk_in
  std::string subject;
  Sealed caller, phone;
  std::string forwarded_to;  // a window, a clerk or a department, free text
  int window = 0;
};

struct Enquiry {
  std::int64_t id = 0;
  TimePoint at;
  std::string channel, subject, forwarded_to, clerk;
  Sealed caller, phone;
  int window = 0;
};

// A sealed field as events, rows and the meta row keep it: {"masked","sealed"}.
boost::json::object sealed_to_json(const Sealed& s);
Sealed sealed_from_json(const boost::json::value* v);  // empty when absent or malformed

boost::json::object case_to_row(const Case& c);
bool case_from_row(const boost::json::object& o, Case& c);

}  // namespace hallq::engine
