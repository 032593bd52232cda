#pragma once
// A WebSocket that only pushes: the controller's event stream, the kiosk's state stream to its
// own page. One writer sends what its owner has waiting; one reader answers pings and the close
// handshake and ignores whatever the client sends. The owner decides what waits (a bounded
// queue with resync, or only the newest state), hands it out through `next`, and calls wake()
// when it has more. Thread-safety: one executor (the I/O thread), like its owner.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "hallq/common/awaitable.hpp"

namespace hallq {

template <typename Stream>
class PushSocket {
 public:
  using Message = std::shared_ptr<const std::string>;

  explicit PushSocket(Stream stream) : ws_(std::move(stream)), signal_(ws_.get_executor()) {
    signal_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  // For options before accept() and the close handshake after pump().
  boost::beast::websocket::stream<Stream>& ws() { return ws_; }
  // The client went, or pump() ended.
  bool closed() const { return gone_ || done_; }
  // The client went (its close, an error, a failed write).
  bool client_gone() const { return gone_; }
  // The owner has a message waiting.
  void wake() { signal_.cancel_one(); }
  // Ends pump() without waiting for the client (a revoked session).
  void stop() {
    stopped_ = true;
    signal_.cancel();
  }

  // Takes the upgrade request; false when the handshake failed.
  template <typename Request>
  boost::asio::awaitable<bool> accept(const Request& req) {
    auto [ec] = co_await ws_.async_accept(req, use_tuple);
    co_return !ec;
  }

  // Sends what `next` hands out (nullptr: nothing now, wait for wake()) until the client goes
  // or stop(). `owner` keeps the owner, and so this socket, alive for the reader. Both are the
  // caller's named locals (GCC 12 and coroutine parameters: hallq-controller's hall.hpp).
  boost::asio::awaitable<void> pump(const std::shared_ptr<void>& owner, const std::function<Message()>& next) {
    boost::asio::co_spawn(ws_.get_executor(), read_loop(this, owner), boost::asio::detached);
    while (!gone_ && !stopped_) {
      Message msg = next();
      if (!msg) {
        co_await signal_.async_wait(use_tuple);
        continue;
      }
      ws_.text(true);
      auto [ec, n] = co_await ws_.async_write(boost::asio::buffer(*msg), use_tuple);
      if (ec) gone_ = true;
    }
    done_ = true;
  }

 private:
  // Reads (and drops) what the client sends, so pings, pongs and the close handshake work.
  // `owner` lives in the coroutine frame: the socket outlives the loop.
  static boost::asio::awaitable<void> read_loop(PushSocket* self, [[maybe_unused]] std::shared_ptr<void> owner) {
    boost::beast::flat_buffer buf;
    for (;;) {
      auto [ec, n] = co_await self->ws_.async_read(buf, use_tuple);
      if (ec) break;
      buf.consume(buf.size());
    }
    self->gone_ = true;
    self->signal_.cancel();
  }

  boost::beast::websocket::stream<Stream> ws_;
  boost::asio::steady_timer signal_;
  bool gone_ = false;
  bool done_ = false;
  bool stopped_ = false;
};

}  // namespace hallq
