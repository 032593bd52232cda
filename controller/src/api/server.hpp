#pragma once
// The controller's HTTP and WebSocket front: accepts connections, parses requests with
// bounded buffers and deadlines, routes them to the Hall, and streams events to subscribers.
// Thread-safety: runs on the I/O thread only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

#include "hall.hpp"

namespace hallq::api {

// Serves until the acceptor is closed. Logs each accepted connection's failures once.
asio::awaitable<void> serve(asio::ip::tcp::acceptor& acceptor, Hall& hall);

}  // namespace hallq::api
