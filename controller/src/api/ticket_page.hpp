#pragma once
// The page a ticket's QR opens on a citizen's phone ([printing] ticket_url): GET /t/{id} shows
// where the ticket stands, refreshed every 20 s while it is live. With the QR's key
// (?k=, Sealer::ticket_key) a finished service also takes its one rating (R-EVAL-1, GB/T 39734
// 一次一评) within policy.late_rating_hours: POST /t/{id} with the form fields k and level, then
// back to the page (post/redirect/get, so reloading never rates twice). Server-rendered, no
// script: it works on any phone browser. Thread-safety: I/O thread only, like the Hall.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

#include "http.hpp"

namespace hallq::api {

// `peer` is the phone's address: ratings from one address are limited (policy.
// phone_rating_per_hour) and recorded with it for the manager's view of rating sources.
// Parameters are references to the caller's locals (GCC 12 coroutine parameters, hall.hpp).
asio::awaitable<Response> ticket_page(Hall& hall, const Request& req, const std::int64_t& id, const std::string& peer);

}  // namespace hallq::api
