#include "ws_session.hpp"

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
    : push_(std::move(stream)), hall_(hall), view_(view), credential_(std::move(credential)) {}

void WsSession::deliver(const WireEvent& e) {
  if (push_.closed() || revoked_) return;
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
  push_.wake();
}

void WsSession::revoke() {
  if (push_.closed() || revoked_) return;
  revoked_ = true;
  queue_.clear();
  push_.stop();
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

std::shared_ptr<const std::string> WsSession::next() {
  if (queue_.empty()) return nullptr;
  auto msg = std::move(queue_.front());
  queue_.pop_front();
  if (queue_.empty()) resyncing_ = false;
  return msg;
}

asio::awaitable<void> WsSession::run(const Request& req) {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 10s;
  opt.idle_timeout = std::chrono::seconds{hall_.config().server.stream_idle_s};
  opt.keep_alive_pings = true;
  push_.ws().set_option(opt);
  push_.ws().read_message_max(4096);
  beast::get_lowest_layer(push_.ws()).expires_never();
  if (!co_await push_.accept(req)) co_return;
  queue_backlog(req);
  hall_.subscribe(shared_from_this());
  const std::shared_ptr<void> owner = shared_from_this();
  const std::function<std::shared_ptr<const std::string>()> take = [this] { return next(); };
  co_await push_.pump(owner, take);
  hall_.unsubscribe(this);
  if (revoked_ && !push_.client_gone()) {
    // The session it was opened with has ended: say so, then let the read loop see the reply.
    websocket::close_reason why(websocket::close_code::policy_error, "session ended");
    auto [cec] = co_await push_.ws().async_close(why, use_tuple);
    (void)cec;
  }
}

std::shared_ptr<const std::string> WsSession::resync_message(std::int64_t seq) {
  return std::make_shared<const std::string>(json::serialize(json::object{
      {"type", "resync"}, {"seq", seq}, {"message", "too far behind: fetch /api/v1/hall, then follow events after its seq"}}));
}

}  // namespace hallq::api
