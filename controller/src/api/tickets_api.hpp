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

}  // namespace hallq::api
