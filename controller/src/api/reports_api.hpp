#pragma once
// The manager's routes (docs/api.md, issue 8): complaints answered (R-COMP-1), bad reviews
// followed up (R-EVAL-1), manual score items and approved leave, the rulebook, and the monthly
// staff scores (R-SCORE-*): GET /api/v1/reports/scores?month=YYYY-MM and the quarter/year
// summary with the top windows and clerks (R-SCORE-3). Manager or admin credential only.
// Thread-safety: I/O thread only, like the Hall; the score reads run on the Hall's report pool.
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include "http.hpp"

namespace hallq::api {

// What needs the manager now (docs/pages.md "Manager's page"), most urgent first: each {"kind","severity"
// (alarm|warn|info),"window","device","ref","since","message","message_en"}. Kinds:
// pause_overrun (R-AB-3), window_unstaffed (A and B both away in opening hours, R-AB-2),
// printer_out, printer_near_end, device_offline, case_overdue, case_due_today,
// complaint_overdue, complaint_due_today (R-COMP-1), follow_up (a bad review, R-EVAL-1),
// help_waiting (a kiosk's call for staff unanswered 2 minutes).
boost::json::array hall_alerts(Hall& hall);

}  // namespace hallq::api
