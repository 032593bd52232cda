#include "ws_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "hallq/common/awaitable.hpp"
#include "hallq/common/log.hpp"

namespace hallq::api {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {
constexpr std::size_t kWsQueueLimit = 4096;  // a client this far behind is told to resync
constexpr int kBacklogLimit = 10000;         // beyond this a client must resync from /hall

const std::shared_ptr<const std::string>& pick(const WireEvent& e, WsSession::View v) {
  return v == WsSession::View::Staff ? e.full : e.public_;
}
}  // namespace

WsSession::WsSession(ConnStream stream, Hall& hall, View view, std::string credential)
    : ws_(std::move(stream)), hall_(hall), view_(view), credential_(std::move(credential)), signal_(ws_.get_executor()) {
  signal_.expires_at(std::chrono::steady_clock::time_point::max());
}

void WsSession::deliver(const WireEvent& e) {
  if (closed_ || revoked_) return;
  if (resyncing_) {
    // The client was told to start over from a snapshot; it needs nothing older than it.
    if (queue_.size() >= kWsQueueLimit) return;
  } else if (queue_.size() >= kWsQueueLimit) {
    // A slow client never grows memory: its backlog is dropped and it is told to fetch
    // /api/v1/hall (whose seq it then resumes from) instead of being disconnected.
    logger("api")->warn("event subscriber fell {} events behind; sending resync", queue_.size());
    queue_.clear();
    queue_.push_back(resync_message(e.seq - 1));
    resyncing_ = true;
  }
  queue_.push_back(pick(e, view_));
  signal_.cancel_one();
}

void WsSession::revoke() {
  if (closed_ || revoked_) return;
  revoked_ = true;
  queue_.clear();
  signal_.cancel();
}

void WsSession::queue_backlog(const Request& req) {
  std::string since_s = query_param(req.target(), "since");
  if (since_s.empty()) return;
  auto since = to_int(since_s);
  if (!since || *since < 0) return;
  std::int64_t upto = hall_.published_seq();
  auto backlog = hall_.events_since(*since, kBacklogLimit + 1);
  if (static_cast<int>(backlog.size()) > kBacklogLimit) {
    queue_.push_back(resync_message(upto));
    return;
  }
  for (const auto& e : backlog) {
    if (e.seq > upto) break;  // published later through deliver()
    auto w = to_wire(e, hall_.timezone());
    queue_.push_back(pick(w, view_));
  }
}

asio::awaitable<void> WsSession::run(const Request& req) {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 10s;
  opt.idle_timeout = std::chrono::seconds{hall_.config().server.stream_idle_s};
  opt.keep_alive_pings = true;
  ws_.set_option(opt);
  ws_.read_message_max(4096);
  beast::get_lowest_layer(ws_).expires_never();
  auto [ec] = co_await ws_.async_accept(req, use_tuple);
  if (ec) co_return;
  queue_backlog(req);
  hall_.subscribe(shared_from_this());
  asio::co_spawn(ws_.get_executor(), read_loop(shared_from_this()), asio::detached);
  while (!closed_ && !revoked_) {
    if (queue_.empty()) {
      co_await signal_.async_wait(use_tuple);
      continue;
    }
    auto msg = queue_.front();
    queue_.pop_front();
    if (queue_.empty()) resyncing_ = false;
    ws_.text(true);
    auto [wec, n] = co_await ws_.async_write(asio::buffer(*msg), use_tuple);
    if (wec) break;
  }
  hall_.unsubscribe(this);
  if (revoked_ && !closed_) {
    // The session it was opened with has ended: say so, then let the read loop see the reply.
    websocket::close_reason why(websocket::close_code::policy_error, "session ended");
    auto [cec] = co_await ws_.async_close(why, use_tuple);
    (void)cec;
  }
  closed_ = true;
}

std::shared_ptr<const std::string> WsSession::resync_message(std::int64_t seq) {
  return std::make_shared<const std::string>(json::serialize(json::object{
      {"type", "resync"}, {"seq", seq}, {"message", "too far behind: fetch /api/v1/hall, then follow events after its seq"}}));
}

// Reads (and ignores) what the client sends, so pings, pongs and the close handshake work.
asio::awaitable<void> WsSession::read_loop(std::shared_ptr<WsSession> self) {
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await self->ws_.async_read(buf, use_tuple);
    if (ec) break;
    buf.consume(buf.size());
  }
  self->closed_ = true;
  self->signal_.cancel();
}

}  // namespace hallq::api
