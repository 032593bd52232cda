#pragma once
// One subscriber of the event stream (GET /api/v1/events, a WebSocket): a backlog from
// ?since=, then every durable event as it is published, in the view its credential allows.
//  - Staff (a signed-in clerk, a manager, the admin) get the staff view; devices and wall
//    boards get the public view, which is everything they draw (issue 26).
//  - One writer drains a bounded queue; a client too far behind is told to resync.
//  - The controller pings a stream that has been silent for half of [server] stream_idle_s and
//    closes it when the whole of it passes with nothing, not even the pong, from the client.
//  - A stream opened with a session is closed (1008) within a second of that session ending:
//    sign-out, DELETE /api/v1/sessions, expiry (Hall::close_revoked_streams).
// Thread-safety: I/O thread only.
#include <boost/beast/websocket.hpp>

#include <deque>
#include <memory>
#include <string>

#include "hallq/common/push_socket.hpp"
#include "hallq/tls/conn_stream.hpp"
#include "hall.hpp"
#include "http.hpp"

namespace hallq::api {

using tls::ConnStream;

class WsSession final : public Subscriber, public std::enable_shared_from_this<WsSession> {
 public:
  enum class View { Staff, Public };
  // `credential` is the token digest the stream was opened with ("" for none).
  WsSession(ConnStream stream, Hall& hall, View view, std::string credential);

  void deliver(const WireEvent& e) override;
  const std::string& credential() const override { return credential_; }
  void revoke() override;
  // Serves the stream until it closes; `req` is the upgrade request (which must outlive it).
  asio::awaitable<void> run(const Request& req);

 private:
  static std::shared_ptr<const std::string> resync_message(std::int64_t seq);
  void queue_backlog(const Request& req);
  std::shared_ptr<const std::string> next();

  PushSocket<ConnStream> push_;
  Hall& hall_;
  View view_;
  std::string credential_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool revoked_ = false;
  bool resyncing_ = false;  // a resync is queued and the backlog was dropped
};

}  // namespace hallq::api
