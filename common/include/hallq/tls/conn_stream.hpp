#pragma once
// One connection's byte stream: plain TCP or TLS over TCP, chosen at run time. The controller
// serves on it (server.listen, server.tls_listen), and a device node reaches its controller on
// it (http:// or https:// with a pinned key).
//
// Beast's HTTP and WebSocket operations are templates on the stream type. With one type for
// plain TCP and one for TLS, they were compiled twice: on aarch64 the second copy added about
// 1 MB to the controller (over the 3 MB footprint budget of a board node), and the two copies
// of the device link's client took most of a cross build's compile time. Through this type
// they are compiled once. Only the reads and writes below pick the layer, and they hand
// type-erased handlers to it, so the TLS layer's operations are compiled once as well.
//
// It meets Beast's AsyncStream requirements. next_layer() is the TCP stream, so
// beast::get_lowest_layer() reaches its timeouts. teardown()/async_teardown() (found by
// argument-dependent lookup) close a WebSocket on it: close_notify first when TLS is used.
//
// At most one read and one write may be outstanding at a time, as on any Asio stream.
// Thread-safety: one strand (the I/O thread), like the socket it owns.
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <string>

namespace hallq::tls {

namespace asio = boost::asio;
namespace beast = boost::beast;

class ConnStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;
  using next_layer_type = beast::tcp_stream;
  using IoHandler = asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
  using DoneHandler = asio::any_completion_handler<void(boost::system::error_code)>;

  // A read or write passes on at most this many buffers (the rest wait for the next call,
  // which read_some/write_some allow).
  static constexpr std::size_t kMaxBuffers = 16;

  explicit ConnStream(beast::tcp_stream tcp);
  ConnStream(ConnStream&&) noexcept;
  ConnStream& operator=(ConnStream&&) noexcept;
  ~ConnStream();

  executor_type get_executor() noexcept;
  beast::tcp_stream& next_layer() noexcept;
  bool is_tls() const noexcept;

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](IoHandler h, const MutableBuffers& b) {
          std::size_t n = 0;
          for (auto it = asio::buffer_sequence_begin(b); it != asio::buffer_sequence_end(b) && n < kMaxBuffers; ++it)
            read_buffers()[n++] = asio::mutable_buffer(*it);
          read_some(n, std::move(h));
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](IoHandler h, const ConstBuffers& b) {
          std::size_t n = 0;
          for (auto it = asio::buffer_sequence_begin(b); it != asio::buffer_sequence_end(b) && n < kMaxBuffers; ++it)
            write_buffers()[n++] = asio::const_buffer(*it);
          write_some(n, std::move(h));
        },
        token, buffers);
  }

  // Turns the connection into TLS (server side) and completes with the handshake. `already_read`
  // holds bytes of the ClientHello read before (while telling TLS from plain HTTP); the
  // completion's size_t is how many of them the handshake used. `ctx` is kept alive.
  template <class Token>
  auto async_tls_accept(std::shared_ptr<asio::ssl::context> ctx, asio::const_buffer already_read, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](IoHandler h, std::shared_ptr<asio::ssl::context> c, asio::const_buffer pre) {
          tls_accept(std::move(c), pre, std::move(h));
        },
        token, std::move(ctx), already_read);
  }

  // Turns the connection into TLS (client side) and completes with the handshake; SNI names
  // `host` when it is a name. The caller then checks the peer's key (tls_handle(), check_pin).
  template <class Token>
  auto async_tls_connect(std::shared_ptr<asio::ssl::context> ctx, const std::string& host, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](DoneHandler h, std::shared_ptr<asio::ssl::context> c, const std::string& name) {
          tls_connect(std::move(c), name, std::move(h));
        },
        token, std::move(ctx), host);
  }

  // OpenSSL's SSL* of the TLS layer (for check_pin), or nullptr on a plain connection.
  void* tls_handle() noexcept;

  // Ends the connection: TLS close_notify when TLS is in use, then a TCP shutdown (send side
  // for a server; both for a client), as a WebSocket close does.
  template <class Token>
  auto async_teardown(beast::role_type role, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code)>(
        [this, role](DoneHandler h) { teardown_async(role, std::move(h)); }, token);
  }
  void teardown(beast::role_type role, boost::system::error_code& ec);

 private:
  struct Impl;
  std::array<asio::mutable_buffer, kMaxBuffers>& read_buffers() noexcept;
  std::array<asio::const_buffer, kMaxBuffers>& write_buffers() noexcept;
  void read_some(std::size_t n, IoHandler h);
  void write_some(std::size_t n, IoHandler h);
  void tls_accept(std::shared_ptr<asio::ssl::context> ctx, asio::const_buffer pre, IoHandler h);
  void tls_connect(std::shared_ptr<asio::ssl::context> ctx, const std::string& host, DoneHandler h);
  void teardown_async(beast::role_type role, DoneHandler h);

  std::unique_ptr<Impl> impl_;  // on the heap: its address outlives moves of ConnStream
};

// Beast's WebSocket close, through argument-dependent lookup.
void teardown(beast::role_type role, ConnStream& stream, boost::system::error_code& ec);

template <class Handler>
void async_teardown(beast::role_type role, ConnStream& stream, Handler&& handler) {
  stream.async_teardown(role, std::forward<Handler>(handler));
}

}  // namespace hallq::tls
