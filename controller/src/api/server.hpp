#pragma once
// The controller's HTTP and WebSocket front: accepts connections, parses requests with
// bounded buffers and deadlines, routes them to the Hall, and streams events to subscribers.
// Thread-safety: runs on the I/O thread only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>

#include <string>

#include "hall.hpp"
#include "http.hpp"

namespace hallq::api {

// The TLS listener's certificate and key. `current` may be replaced (SIGHUP, a renewed
// certificate): connections already open keep the context they started with.
struct TlsContext {
  std::shared_ptr<asio::ssl::context> current;
};

// Serves until the acceptor is closed. Logs each accepted connection's failures once. With
// `tls` (which must outlive it), every connection is HTTPS/WSS; plain HTTP gets a 400 saying so.
asio::awaitable<void> serve(asio::ip::tcp::acceptor& acceptor, Hall& hall, TlsContext* tls = nullptr);

// Answers one parsed request exactly as a connection does (routing, credentials, errors; an
// exception becomes 500). For in-process callers such as the HTTP fuzz harness.
// `req` and `peer` must outlive the coroutine (GCC 12: no temporaries in co_await).
asio::awaitable<Response> handle_request(Hall& hall, const Request& req, const std::string& peer);

// GET /metrics: the Prometheus text of the hall's counters and gauges.
std::string render_metrics(Hall& hall);

}  // namespace hallq::api
