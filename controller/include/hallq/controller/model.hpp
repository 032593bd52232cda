#pragma once
// What the queue engine is about (engine.hpp): tickets, windows, the people who act, and the
// envelope of a logged event. Plain data; the engine owns the rules.
#include <boost/describe/enum.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hallq/common/time.hpp"

namespace hallq::engine {

using TicketId = std::int64_t;
using Seq = std::int64_t;

// R-HALL-7: elderly, disabled and pregnant citizens are called first; appointments next.
enum class Priority { Normal, Elderly, Disabled, Pregnant, Appointment };
enum class Channel { Kiosk, Counter, Appointment, Phone };
// Voided: issued, but the kiosk could not print it; the number is never called (issue 4).
enum class TicketState { Waiting, Called, Serving, Held, Done, NoShow, Cancelled, Closed, Voided };
enum class WindowState { Closed, Open, Paused, Serving };
enum class Post { A, B };
BOOST_DESCRIBE_ENUM(Priority, Normal, Elderly, Disabled, Pregnant, Appointment)
BOOST_DESCRIBE_ENUM(Channel, Kiosk, Counter, Appointment, Phone)
BOOST_DESCRIBE_ENUM(TicketState, Waiting, Called, Serving, Held, Done, NoShow, Cancelled, Closed, Voided)
BOOST_DESCRIBE_ENUM(WindowState, Closed, Open, Paused, Serving)

struct Actor {
  enum class Kind { System, Clerk, Device, Manager };
  Kind kind = Kind::System;
  std::string id;
  // A clerk acting through a device at the window (a caller keypad on a display node): the
  // device id, recorded in the event's data as "via".
  std::string via;
};

// One recorded hand-over of a ticket (R-FIRST-2): from whom, to whom, when.
struct Transfer {
  TimePoint at;
  int from_window = 0;
  std::string from_clerk;
  std::string to_service;  // empty when transferred to a window
  int to_window = 0;       // 0 when transferred to a service
};

struct Ticket {
  TicketId id = 0;
  std::string number;  // "A012"
  std::string service;
  Priority priority = Priority::Normal;
  Channel channel = Channel::Kiosk;
  std::string request_id;
  std::string issued_by;  // the kiosk (device id) that issued it; empty for clerks
  std::int64_t appointment = 0;  // the booking it was checked in for (R-APPT-1)
  std::string day;  // local date of issue, "2026-11-22"
  TimePoint issued_at;
  TimePoint queued_at;  // when it entered its current queue (orders call-next)
  TicketState state = TicketState::Waiting;
  int target_window = 0;  // transferred to one window; 0: any window of the service
  bool front = false;     // transferred-in or returned no-show: ahead of normal tickets
  int window = 0;         // window that called it last
  std::string clerk;      // clerk who called it last
  std::string first_clerk;  // R-FIRST-1: the first clerk who received the citizen
  int recalls = 0;
  std::vector<Transfer> transfers;
  std::optional<TimePoint> called_at, started_at, finished_at, noshow_at;
  std::string close_reason;
  bool consultation = false;  // finished as an enquiry only: no case to register (R-CASE-8)
  // R-EVAL-1 一次一评: the service's one rating, whichever way it came (0: not rated), and the
  // case registered for it (the newest, for a ticket that brought several matters).
  int rating = 0;
  std::string rating_channel;  // evaluator | kiosk | phone
  std::int64_t case_id = 0;
};

struct WindowStatus {
  int number = 0;
  bool open = false;  // a clerk is signed in
  bool paused = false;
  std::string pause_reason;
  std::optional<Post> post;
  std::string clerk;
  TicketId current = 0;  // called or serving ticket, 0: none
  TimePoint since;       // last state change
  // The last service finished here, for its one rating at the window (GB/T 39734 一次一评,
  // R-EVAL-1). A newer finish replaces it.
  TicketId last_finished = 0;
  std::string last_number, last_service, last_clerk;
  TimePoint last_finished_at;
  bool last_rated = false;
  // R-AB-3: the manager was alerted that this pause ran past policy.pause_alert_minutes.
  bool pause_alerted = false;
  // R-AB-1 hand-over: the clerk of the latest session here and the event that opened it; when
  // a different clerk signs in on the same day, the events of the session before (seq after
  // handover_from, before handover_to) are what happened while they were away.
  std::string session_clerk, session_day;
  Seq session_seq = 0;
  std::string handover_clerk;
  Seq handover_from = 0, handover_to = 0;
  WindowState state() const;
};

struct RecentCall {
  std::string number;
  std::string service;
  int window = 0;
  TimePoint at;
};

// An event as the log keeps it: the envelope, and its data as the codec wrote it
// (events.hpp, event_codec.hpp).
struct Event {
  Seq seq = 0;
  std::string type;
  TimePoint at;
  Actor actor;
  int window = 0;  // 0 when not about a window
  boost::json::object data;
};

}  // namespace hallq::engine
