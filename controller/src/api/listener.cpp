// The controller's listeners: which connections are taken (ConnectionGate), how long each may
// take to say something, HTTP framing, and the hand-over of an upgrade to the event stream.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "hallq/common/awaitable.hpp"
#include "hallq/common/log.hpp"
#include "conn_gate.hpp"
#include "http.hpp"
#include "server.hpp"
#include "ws_session.hpp"

namespace hallq::api {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kBodyLimit = 64 * 1024;
using Slot = ConnectionGate::Slot;

std::string peer_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? "?" : ep.address().to_string();
}

// An answer to a request that could not be parsed or may not be served; the connection closes.
asio::awaitable<void> answer_and_close(ConnStream& stream, const ApiError& e) {
  Request dummy;
  dummy.version(11);
  dummy.keep_alive(false);
  auto res = make_error(dummy, e);
  beast::get_lowest_layer(stream).expires_after(5s);
  co_await http::async_write(stream, res, use_tuple);
}

ApiError reserved_only() {
  return api_error(503, "too_many_connections",
                   "the controller is busy: the last places are kept for devices and signed-in staff", "系统繁忙，请稍后再试");
}

// A sign-in may use a reserved place: it is how a clerk gets the credential.
bool is_sign_in(const Request& req) {
  std::string_view path = req.target();
  path = path.substr(0, path.find('?'));
  const bool window = path.starts_with("/api/v1/windows/") && path.ends_with("/sign-in");
  return req.method() == http::verb::post && (window || path == "/api/v1/sessions");
}

// An upgrade to the event stream. Returns after the stream has ended.
asio::awaitable<void> open_stream(ConnStream& stream, Hall& hall, Slot& slot, const Request& req, const Principal& p,
                                  const bool& credential_given) {
  std::string_view path = req.target();
  path = path.substr(0, path.find('?'));
  // Named errors: GCC 12 mishandles temporaries inside co_await expressions (hall.hpp).
  std::optional<ApiError> refusal;
  if (path != "/api/v1/events")
    refusal = api_error(404, "not_found", "WebSocket is served at /api/v1/events");
  else if (credential_given && p.kind == Principal::Kind::None)
    // A stale session must not quietly become a public stream: the page signs in again.
    refusal = api_error(401, "unauthorized", "the credential is unknown or expired", "凭证无效或已过期，请重新登录");
  else if (p.kind == Principal::Kind::None && !slot.open_anonymous_stream())
    refusal = api_error(503, "too_many_streams", "too many event streams without a credential", "系统繁忙，请稍后再试");
  if (refusal) {
    co_await answer_and_close(stream, *refusal);
    co_return;
  }
  const auto view = p.is_staff() ? WsSession::View::Staff : WsSession::View::Public;
  auto ws = std::make_shared<WsSession>(std::move(stream), hall, view, p.digest);
  co_await ws->run(req);
}

// Serves requests on one connection until it closes, errs or idles out. `buffer` may hold
// bytes already read. Returns true when the connection became an event stream (the stream
// was moved into its WebSocket session, which has ended by then).
asio::awaitable<bool> serve_requests(ConnStream& stream, beast::flat_buffer& buffer, Hall& hall, Slot& slot) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  const ServerConfig& sc = hall.config().server;
  const std::string& peer = slot.address();
  for (bool first = true;; first = false) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    parser.header_limit(16 * 1024);
    if (buffer.size() == 0) {
      // Between requests a connection may idle (a new one that says nothing only for
      // first_request_timeout_s); once a request's first byte is here, all of it must follow
      // within request_timeout_s (a slow sender is cut off: slowloris).
      tcp_layer.expires_after(std::chrono::seconds{first ? sc.first_request_timeout_s : sc.idle_timeout_s});
      auto [iec, in] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
      if (iec == beast::error::timeout && first) hall.metrics().idle_connections_cut++;
      if (iec) break;
      buffer.commit(in);
    }
    tcp_layer.expires_after(std::chrono::seconds{sc.request_timeout_s});
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec == http::error::end_of_stream || ec == asio::error::eof) break;
    if (ec == beast::error::timeout) {
      hall.metrics().slow_requests_cut++;
      break;
    }
    if (ec) {
      const ApiError e = ec == http::error::body_limit
                             ? api_error(413, "body_too_large", "the body is over 64 KiB")
                             : api_error(400, "bad_request", "malformed HTTP request: " + ec.message());
      co_await answer_and_close(stream, e);
      break;
    }
    Request req = parser.release();
    if (auto bad = check_transfer_encoding(req)) {
      co_await answer_and_close(stream, *bad);  // what follows the body is never read as a request
      break;
    }
    std::string token = bearer_of(req);
    const bool upgrade = websocket::is_upgrade(req);
    if (upgrade && token.empty()) token = query_param(req.target(), "token");  // browsers cannot set headers on WebSocket
    const Principal p = hall.authenticate(token);
    if (p.kind != Principal::Kind::None) slot.prove();
    if (slot.on_probation() && !(is_sign_in(req) && !upgrade)) {
      hall.metrics().connections_refused_reserved++;
      const ApiError e = reserved_only();
      co_await answer_and_close(stream, e);
      break;
    }
    if (upgrade) {
      const bool credential_given = !token.empty();
      co_await open_stream(stream, hall, slot, req, p, credential_given);
      co_return true;
    }
    auto t0 = std::chrono::steady_clock::now();
    hall.metrics().requests++;
    Response res = co_await handle_request(hall, req, peer);
    hall.metrics().observe_latency(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (slot.on_probation()) {
      // A sign-in in the reserve: the connection keeps its place only if it worked.
      if (res.result() == http::status::ok || res.result() == http::status::created) slot.prove();
      else res.keep_alive(false);
    }
    bool keep = res.keep_alive();
    tcp_layer.expires_after(30s);  // a client that does not read its answer is cut off
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !keep) break;
  }
  co_return false;
}

asio::awaitable<void> http_session(tcp::socket socket, Hall& hall, std::unique_ptr<Slot> slot) {
  ConnStream stream{beast::tcp_stream(std::move(socket))};
  beast::flat_buffer buffer(16 * 1024);
  if (co_await serve_requests(stream, buffer, hall, *slot)) co_return;
  boost::system::error_code ignore;
  stream.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignore);
}

// A connection to the TLS listener: HTTPS, and WSS for the event stream. Someone speaking
// plain HTTP to it (a browser or curl given http://) is told in plain HTTP where to go.
asio::awaitable<void> tls_session(tcp::socket socket, Hall& hall, std::shared_ptr<ssl::context> ctx,
                                  std::unique_ptr<Slot> slot) {
  const std::string peer = slot->address();
  ConnStream stream{beast::tcp_stream(std::move(socket))};
  beast::flat_buffer buffer(16 * 1024);
  stream.next_layer().expires_after(std::chrono::seconds{hall.config().server.first_request_timeout_s});
  auto [dec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, use_tuple);
  if (dec) {
    if (dec == beast::error::timeout) hall.metrics().idle_connections_cut++;
    co_return;
  }
  if (!is_tls) {
    hall.metrics().tls_handshakes_failed++;
    const ApiError e = api_error(400, "tls_required", "this port serves HTTPS only: use https:// (plain HTTP is on server.listen)");
    co_await answer_and_close(stream, e);
    boost::system::error_code ignore;
    stream.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignore);
    co_return;
  }
  auto [hec, used] = co_await stream.async_tls_accept(ctx, buffer.data(), use_tuple);
  if (hec) {
    hall.metrics().tls_handshakes_failed++;
    logger("api")->debug("TLS handshake with {} failed: {}", peer, hec.message());
    co_return;
  }
  buffer.consume(used);
  if (co_await serve_requests(stream, buffer, hall, *slot)) co_return;
  // close_notify, bounded: a peer that never answers it costs at most two seconds.
  stream.next_layer().expires_after(2s);
  auto [sec] = co_await stream.async_teardown(beast::role_type::server, use_tuple);
  (void)sec;
}

// Over a limit: a short answer without a coroutine or a buffer, then close.
void refuse(tcp::socket& socket, Hall& hall, ConnectionGate::Refused why) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
      "Retry-After: 1\r\nContent-Length: 84\r\n\r\n"
      "{\"error\":{\"code\":\"too_many_connections\",\"message\":\"the controller is at its limit\"}}";
  static constexpr std::string_view kAddress =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
      "Retry-After: 5\r\nContent-Length: 93\r\n\r\n"
      "{\"error\":{\"code\":\"too_many_from_address\",\"message\":\"too many connections from this address\"}}";
  boost::system::error_code ignore;
  socket.non_blocking(true, ignore);
  socket.write_some(asio::buffer(why == ConnectionGate::Refused::AddressFull ? kAddress : kBusy), ignore);
  socket.close(ignore);
  switch (why) {
    case ConnectionGate::Refused::TooMany: hall.metrics().connections_refused++; break;
    case ConnectionGate::Refused::AddressFull: hall.metrics().connections_refused_address++; break;
    case ConnectionGate::Refused::ReservedOnly: hall.metrics().connections_refused_reserved++; break;
  }
}

}  // namespace

asio::awaitable<void> serve(tcp::acceptor& acceptor, Hall& hall, TlsContext* tls) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      logger("api")->warn("accept failed: {}", ec.message());
      continue;
    }
    auto admitted = hall.gate().admit(peer_of(socket));
    if (!admitted.slot) {
      refuse(socket, hall, admitted.why);
      continue;
    }
    auto slot = std::make_unique<Slot>(std::move(*admitted.slot));
    socket.set_option(tcp::no_delay(true));
    auto done = [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        logger("api")->error("connection failed: {}", x.what());
      }
    };
    if (tls)
      asio::co_spawn(acceptor.get_executor(), tls_session(std::move(socket), hall, tls->current, std::move(slot)), done);
    else
      asio::co_spawn(acceptor.get_executor(), http_session(std::move(socket), hall, std::move(slot)), done);
  }
}

}  // namespace hallq::api
