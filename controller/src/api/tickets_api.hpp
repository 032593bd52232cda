#pragma once
// The ticket routes (docs/api.md): /api/v1/tickets... issue, look up, rate, void, cancel.
// R-EVAL-1: a ticket's rating key (the secret in its QR) goes to the kiosk that issued and
// prints it and to nobody else; request ids are scoped to the device that made them.
// Thread-safety: I/O thread only, like the Hall.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http.hpp"

namespace hallq::api {

// The view of a ticket for anyone without a staff credential (the phone page, devices): an
// allow-list of its fields, with no clerk ids.
boost::json::object public_ticket_json(const boost::json::object& t);

// Handles `parts` (the path after /api/v1) if it starts with "tickets"; nullopt otherwise.
// Parameters are references to the caller's locals (GCC 12 coroutine parameters, hall.hpp).
asio::awaitable<std::optional<Response>> ticket_routes(Hall& hall, const Request& req, const Principal& p,
                                                       const std::vector<std::string_view>& parts,
                                                       const std::string& peer);

}  // namespace hallq::api
