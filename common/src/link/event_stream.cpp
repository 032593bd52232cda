#include "hallq/link/event_stream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "hallq/common/awaitable.hpp"
#include "hallq/common/log.hpp"
#include "hallq/tls/conn_stream.hpp"
#include "hallq/tls/tls.hpp"

namespace hallq::link {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct EventStream::Impl {
  explicit Impl(asio::any_io_executor ex) : executor(std::move(ex)) {}
  asio::any_io_executor executor;
  ControllerUrl url;
  std::string token;
  EventStream::OnEvent on_event;
  std::function<void(bool)> on_state;
  std::atomic<std::int64_t> since{0};
  bool connected = false;
  bool started = false;
  bool stopped = false;
  // What the subscriber waits on now, for stop() to end the wait (the executor's, like the rest).
  tcp::resolver* resolver = nullptr;
  beast::tcp_stream* conn = nullptr;
  asio::steady_timer* pause = nullptr;
};

EventStream::EventStream(asio::any_io_executor executor, ControllerUrl url, std::string token, OnEvent on_event,
                         std::function<void(bool)> on_state)
    : impl_(std::make_shared<Impl>(std::move(executor))) {
  impl_->url = std::move(url);
  impl_->token = std::move(token);
  impl_->on_event = std::move(on_event);
  impl_->on_state = std::move(on_state);
}

EventStream::~EventStream() { stop(); }

void EventStream::resume_from(std::int64_t seq) {
  std::int64_t cur = impl_->since.load();
  while (seq > cur && !impl_->since.compare_exchange_weak(cur, seq)) {
  }
}

std::optional<StreamMessage> parse_stream_message(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  StreamMessage m;
  m.event = std::move(v.as_object());
  if (auto* s = m.event.if_contains("seq"); s && s->is_int64()) m.seq = s->as_int64();
  if (auto* t = m.event.if_contains("type"); t && t->is_string()) m.type = std::string(t->as_string());
  return m;
}

namespace {

// One subscription: connect, (with https) the TLS handshake and the key pin, the WebSocket
// handshake, then events until the link breaks. Returns why it ended; `was_up` says whether
// it got as far as subscribed.
asio::awaitable<std::string> subscribe_once(EventStream::Impl& m, const std::shared_ptr<asio::ssl::context>& tls_ctx,
                                            const tcp::resolver::results_type& endpoints, bool& was_up) {
  websocket::stream<tls::ConnStream> ws(beast::tcp_stream(co_await asio::this_coro::executor));
  auto& lowest = beast::get_lowest_layer(ws);
  m.conn = &lowest;
  struct Forget {
    EventStream::Impl& m;
    ~Forget() { m.conn = nullptr; }
  } forget{m};
  lowest.expires_after(3s);
  auto [cec, ep] = co_await lowest.async_connect(endpoints, use_tuple);
  if (cec) co_return "connect: " + cec.message();
  if (tls_ctx) {
    lowest.expires_after(3s);
    auto [tec] = co_await ws.next_layer().async_tls_connect(tls_ctx, m.url.host, use_tuple);
    if (tec) co_return "TLS handshake: " + tec.message();
    // The token is sent only to a controller whose key is pinned.
    if (std::string why = tls::check_pin(ws.next_layer().tls_handle(), m.url.pins); !why.empty())
      co_return "TLS: " + why;
  }
  lowest.expires_never();
  websocket::stream_base::timeout to{};
  to.handshake_timeout = 3s;
  to.idle_timeout = 20s;
  to.keep_alive_pings = true;
  ws.set_option(to);
  const std::string token = m.token;
  ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& r) {
    r.set(beast::http::field::authorization, "Bearer " + token);
    r.set(beast::http::field::user_agent, "hallq-node");
  }));
  ws.read_message_max(256 * 1024);
  const std::string host = m.url.host + ":" + m.url.port;
  const std::string target = "/api/v1/events?since=" + std::to_string(m.since.load());
  auto [hec] = co_await ws.async_handshake(host, target, use_tuple);
  if (hec) co_return "handshake: " + hec.message();
  if (m.stopped) co_return "stopped";
  was_up = true;
  m.connected = true;
  logger("link")->info("event stream subscribed (since {}{})", m.since.load(), m.url.tls ? ", TLS" : "");
  m.on_state(true);
  std::string error;
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, use_tuple);
    if (m.stopped) co_return "stopped";
    if (ec) {
      error = "read: " + ec.message();
      break;
    }
    std::optional<StreamMessage> msg = parse_stream_message(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
    if (!msg) continue;
    std::int64_t cur = m.since.load();
    while (msg->seq > cur && !m.since.compare_exchange_weak(cur, msg->seq)) {
    }
    m.on_event(msg->seq, msg->type, msg->event);
  }
  m.connected = false;
  m.on_state(false);
  co_return error;
}

asio::awaitable<void> subscribe(std::shared_ptr<EventStream::Impl> impl) {
  EventStream::Impl& m = *impl;
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  m.resolver = &resolver;
  std::shared_ptr<asio::ssl::context> tls_ctx = m.url.tls ? tls::client_context() : nullptr;
  auto backoff = 1s;
  std::string last_error;
  while (!m.stopped) {
    std::string error;
    bool was_up = false;
    auto [rec, endpoints] = co_await resolver.async_resolve(m.url.host, m.url.port, use_tuple);
    if (m.stopped) break;
    if (rec) {
      error = "resolve: " + rec.message();
    } else {
      error = co_await subscribe_once(m, tls_ctx, endpoints, was_up);
      if (m.stopped) break;
    }
    if (was_up) {
      backoff = 1s;
      last_error.clear();
      logger("link")->warn("event stream lost ({}); resubscribing", error);
    } else if (error != last_error) {
      logger("link")->warn("event stream: {}; retrying", error);
      last_error = error;
    }
    asio::steady_timer wait(ex, backoff);
    m.pause = &wait;
    co_await wait.async_wait(use_tuple);
    m.pause = nullptr;
    backoff = std::min<std::chrono::seconds>(backoff * 2, 10s);
  }
  m.resolver = nullptr;
}

}  // namespace

void EventStream::start() {
  if (impl_->started) return;
  impl_->started = true;
  asio::co_spawn(impl_->executor, subscribe(impl_), asio::detached);
}

bool EventStream::connected() const { return impl_->connected; }

void EventStream::stop() {
  Impl& m = *impl_;
  if (m.stopped) return;
  m.stopped = true;
  m.connected = false;
  boost::system::error_code ignored;
  if (m.resolver) m.resolver->cancel();
  if (m.conn) m.conn->socket().close(ignored);  // the read or handshake under way ends
  if (m.pause) m.pause->cancel();
}

}  // namespace hallq::link
