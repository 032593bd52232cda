#pragma once
// The appointment routes (docs/api.md, R-APPT-1, R-HOURS-3): /api/v1/appointments...: the
// slots of a service's day, requests and their answers, direct bookings, cancellations, the
// day's list for staff, and the check-in that issues a ticket with the appointment priority.
// Thread-safety: I/O thread only, like the Hall.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include "http.hpp"

namespace hallq::api {

// Handles `parts` (the path after /api/v1) if it is one of these routes; nullopt otherwise.
// Parameters are references to the caller's locals (GCC 12 coroutine parameters, hall.hpp).
asio::awaitable<std::optional<Response>> appointment_routes(Hall& hall, const Request& req, const Principal& p,
                                                            const std::vector<std::string_view>& parts);

}  // namespace hallq::api
