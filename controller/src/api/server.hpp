#pragma once
// The controller's HTTP and WebSocket front: accepts connections, parses requests with
// bounded buffers and deadlines, routes them to the Hall, and streams events to subscribers.
// Thread-safety: runs on the I/O thread only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

#include "hall.hpp"
#include "http.hpp"

namespace hallq::api {

// Serves until the acceptor is closed. Logs each accepted connection's failures once.
asio::awaitable<void> serve(asio::ip::tcp::acceptor& acceptor, Hall& hall);

// Answers one parsed request exactly as a connection does (routing, credentials, errors; an
// exception becomes 500). For in-process callers such as the HTTP fuzz harness.
// `req` and `peer` must outlive the coroutine (GCC 12: no temporaries in co_await).
asio::awaitable<Response> handle_request(Hall& hall, const Request& req, const std::string& peer);

}  // namespace hallq::api
