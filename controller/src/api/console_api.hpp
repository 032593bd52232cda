#pragma once
// The clerk console's view of one window (docs/api.md: GET /api/v1/windows/{n}/console):
// the window and its A/B posts (who covers whom, R-AB-1), the current ticket with its history
// and the recalls left, the tickets on hold, the waiting for this window's services, today's
// counts for the signed-in clerk, the pause and its alert time (R-AB-3), and the hand-over log
// of the session before this clerk's (R-AB-1).
// Thread-safety: I/O thread only, like the Hall.
#include <boost/json/object.hpp>

#include "hall.hpp"

namespace hallq::api {

// nullopt when the window does not exist. `p` must be the window's clerk or a manager.
std::optional<boost::json::object> console_json(Hall& hall, const Principal& p, int window);

}  // namespace hallq::api
