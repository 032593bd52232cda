// The day's end (engine.hpp "decide"): at local midnight the day closes. Unserved tickets
// close (unless carried over), forgotten sign-outs are made (R-ATT-1), bookings nobody checked
// in for are missed (R-APPT-1), tickets finished without a case are recorded (R-CASE-8) and
// every case past its deadline is charged to its clerk for each working day (R-SCORE-2).
#include <boost/json.hpp>

#include <algorithm>

#include "errors.hpp"
#include "hallq/controller/engine.hpp"
#include "rows.hpp"

namespace hallq::engine {
namespace json = boost::json;
using namespace std::chrono;

Engine::Decision Engine::decide(const RollOver&, const Actor& actor, TimePoint now, Reply&) {
  std::vector<Event> ev;
  const std::string local_day = format_date(tz_.to_local(now).date);
  // ISO dates compare as strings; a clock that went backwards never reopens a closed day.
  if (!day_.empty() && local_day <= day_) return ev;
  if (!day_.empty() && !config_.policy.carry_over_waiting) {
    // Unserved tickets of the closed day end here; tickets at a window are left to finish.
    std::vector<TicketId> ids;
    for (const auto& [id, t] : tickets_)
      if (t.state == TicketState::Waiting || t.state == TicketState::Held) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (TicketId id : ids)
      ev.push_back(make_event(actor, 0, now, events::TicketClosed{.ticket = id, .reason = "day_end"}));
  }
  if (!day_.empty()) {
    // R-ATT-1: a clerk who forgot to sign out is signed out by the system at midnight, so
    // attendance shows it and the new day starts with closed windows. A window still
    // serving someone (R-HOURS-1) stays open.
    for (const auto& w : windows_)
      if (w.open && w.current == 0)
        ev.push_back(make_event(actor, w.number, now, events::ClerkSignedOut{.clerk = w.clerk, .reason = "day_end"}));
  }
  // R-APPT-1: a booking of a closed day that nobody checked in for is missed.
  for (const auto& [id, a] : appointments_)
    if (a.state == AppointmentState::Confirmed && a.day && format_date(*a.day) < local_day)
      ev.push_back(make_event(actor, 0, now,
                              events::AppointmentMissed{.appointment = id, .service = a.service,
                                                        .day = format_date(*a.day), .slot = format_hhmm(a.slot)}));
  // R-CASE-8: the day's tickets finished without a case stay on record as unregistered.
  std::vector<events::Unregistered> unregistered;
  for (const auto& [id, u] : unregistered_)
    unregistered.push_back(events::Unregistered{.ticket = id, .number = u.number, .window = u.window, .clerk = u.clerk});
  events::DayRolledOver rolled{.day = local_day};
  if (!day_.empty()) rolled.closed = day_;  // the business day this roll-over closes
  if (!unregistered.empty()) rolled.unregistered = std::move(unregistered);
  // R-SCORE-2: every case past its deadline on the closed day(s), one entry per case with
  // the working days it was overdue; the scores charge each day to its clerk.
  if (!day_.empty()) {
    const auto f = parse_date(day_);
    const sys_days last_day = sys_days{tz_.to_local(now).date} - days{1};
    if (f && last_day >= sys_days{*f} && last_day - sys_days{*f} < days{366}) {
      const Date first = *f, last{last_day};
      auto overdue = overdue_on(first, last);
      if (!overdue.empty()) rolled.overdue = std::move(overdue);
    }
  }
  ev.push_back(make_event(actor, 0, now, std::move(rolled)));
  return ev;
}

void Engine::on(const Event& e, const events::DayRolledOver& d) {
  refs(e, 0);
  day_ = d.day;
  voided_today_ = 0;
  open_help_.clear();  // nobody waits at a kiosk overnight
  for (auto& [id, s] : services_) {
    s.issued_today = 0;
    s.next_number = 1;
  }
  by_request_.clear();
  unregistered_.clear();
  enquiries_.clear();
  clerk_day_.clear();
  std::erase_if(cases_, [](const auto& kv) { return !kv.second.live(); });
  // Bookings of past days that are settled (checked in, missed, cancelled) leave memory.
  // (Those this very command changed go after their rows are taken: take_changes.)
  std::erase_if(appointments_, [&](const auto& kv) {
    return !kv.second.live() && appointment_day(kv.second) < day_ && !touched_appointments_.contains(kv.first);
  });
  // Missed tickets of earlier days can no longer come back: forget them.
  std::erase_if(tickets_, [](const auto& kv) { return kv.second.state == TicketState::NoShow; });
  // Services whose rating period is over leave memory (the store keeps them).
  const std::string cutoff = done_cutoff();
  std::erase_if(done_, [&](const auto& kv) { return !keep_done(kv.second.day, kv.second.finished_at, cutoff); });
}

std::vector<events::Overdue> Engine::overdue_on(Date first, Date last) const {
  std::vector<events::Overdue> out;
  for (const auto& [id, c] : cases_) {
    if (!c.deadline) continue;
    sys_days end;
    if (c.state == CaseState::Open) {
      end = sys_days{last};
    } else if (c.state == CaseState::Done && c.done_at) {
      // Completed on a closed day: the day it was done counts as overdue (overdue_days does too).
      end = std::min(sys_days{tz_.to_local(*c.done_at).date}, sys_days{last});
    } else {
      continue;  // waiting for materials or suspended: the clock is stopped
    }
    std::vector<std::string> dates;
    for (sys_days d = std::max(sys_days{first}, sys_days{*c.deadline} + days{1}); d <= end; d += days{1})
      if (calendar_.is_working_day(Date{d})) dates.push_back(format_date(Date{d}));
    if (dates.empty()) continue;
    out.push_back(events::Overdue{.case_ = id, .no = c.no, .clerk = c.clerk, .window = c.window,
                                  .deadline = *c.deadline, .days = std::move(dates)});
  }
  return out;
}

}  // namespace hallq::engine
