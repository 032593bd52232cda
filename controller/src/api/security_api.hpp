#pragma once
// The manager's view of what an attacker on the LAN might be doing (issue 26,
// docs/security.md): where ratings came from (R-EVAL-1: odd patterns such as one phone address rating
// many services badly), and lifting the sign-in lock of an account that was guessed at.
//   GET  /api/v1/reports/ratings?from=YYYY-MM-DD&to=YYYY-MM-DD
//   POST /api/v1/accounts/{user}/unlock
// Manager or admin credential only. Thread-safety: I/O thread only, like the Hall; the
// ratings report reads the log on the Hall's report thread.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include "http.hpp"

namespace hallq::api {

// Handles `parts` (the path after /api/v1) if it is one of these routes; nullopt otherwise.
// Parameters are references to the caller's locals (GCC 12 coroutine parameters, hall.hpp).
asio::awaitable<std::optional<Response>> security_routes(Hall& hall, const Request& req, const Principal& p,
                                                         const std::vector<std::string_view>& parts);

}  // namespace hallq::api
