#include "hallq/tls/conn_stream.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <optional>
#include <span>
#include <vector>

#include "hallq/tls/tls.hpp"

namespace hallq::tls {

namespace ssl = asio::ssl;

namespace {

// A TLS write sends one record from the first buffer only; an HTTP answer's header and body
// would go out as two records and two segments. Up to this many bytes of a write are copied
// into one buffer instead (as beast::flat_stream does for beast::ssl_stream).
constexpr std::size_t kCoalesceLimit = 16 * 1024;

// Boost 1.81: an any_completion_handler's associated executor cannot be required to be
// non-blocking, which Beast's teardown and basic_stream operations ask of it. The handler is
// bound to the stream's executor (the I/O thread's, on which its owner runs anyway).
template <class Handler>
auto on(beast::tcp_stream& s, Handler h) {
  return asio::bind_executor(s.get_executor(), std::move(h));
}

}  // namespace

struct ConnStream::Impl {
  explicit Impl(beast::tcp_stream s) : tcp(std::move(s)) {}
  beast::tcp_stream tcp;
  std::shared_ptr<ssl::context> ctx;                        // while tls is set
  std::optional<ssl::stream<beast::tcp_stream&>> tls;       // the TLS layer over `tcp`
  std::array<asio::mutable_buffer, kMaxBuffers> rbufs{};
  std::array<asio::const_buffer, kMaxBuffers> wbufs{};
  std::vector<unsigned char> coalesced;                     // a TLS write's bytes, joined
};

ConnStream::ConnStream(beast::tcp_stream stream) : impl_(std::make_unique<Impl>(std::move(stream))) {}
ConnStream::ConnStream(ConnStream&&) noexcept = default;
ConnStream& ConnStream::operator=(ConnStream&&) noexcept = default;
ConnStream::~ConnStream() = default;

ConnStream::executor_type ConnStream::get_executor() noexcept { return impl_->tcp.get_executor(); }
beast::tcp_stream& ConnStream::next_layer() noexcept { return impl_->tcp; }
bool ConnStream::is_tls() const noexcept { return impl_->tls.has_value(); }

std::array<asio::mutable_buffer, ConnStream::kMaxBuffers>& ConnStream::read_buffers() noexcept { return impl_->rbufs; }
std::array<asio::const_buffer, ConnStream::kMaxBuffers>& ConnStream::write_buffers() noexcept { return impl_->wbufs; }

void ConnStream::read_some(std::size_t n, IoHandler h) {
  std::span<const asio::mutable_buffer> bufs(impl_->rbufs.data(), n);
  if (impl_->tls)
    impl_->tls->async_read_some(bufs, on(impl_->tcp, std::move(h)));
  else
    impl_->tcp.async_read_some(bufs, on(impl_->tcp, std::move(h)));
}

void ConnStream::write_some(std::size_t n, IoHandler h) {
  std::span<const asio::const_buffer> bufs(impl_->wbufs.data(), n);
  if (!impl_->tls) {
    impl_->tcp.async_write_some(bufs, on(impl_->tcp, std::move(h)));
    return;
  }
  std::size_t total = 0, nonempty = 0;
  for (const auto& b : bufs) {
    total += b.size();
    nonempty += b.size() > 0 ? 1 : 0;
  }
  if (nonempty > 1 && total <= kCoalesceLimit) {
    impl_->coalesced.resize(total);
    asio::buffer_copy(asio::buffer(impl_->coalesced), bufs);
    impl_->wbufs[0] = asio::buffer(impl_->coalesced);
    bufs = bufs.first(1);
  }
  impl_->tls->async_write_some(bufs, on(impl_->tcp, std::move(h)));
}

void ConnStream::tls_accept(std::shared_ptr<ssl::context> ctx, asio::const_buffer pre, IoHandler h) {
  impl_->ctx = std::move(ctx);
  impl_->tls.emplace(impl_->tcp, *impl_->ctx);
  impl_->tls->async_handshake(ssl::stream_base::server, pre, on(impl_->tcp, std::move(h)));
}

void ConnStream::tls_connect(std::shared_ptr<ssl::context> ctx, const std::string& host, DoneHandler h) {
  impl_->ctx = std::move(ctx);
  impl_->tls.emplace(impl_->tcp, *impl_->ctx);
  set_server_name(impl_->tls->native_handle(), host);
  impl_->tls->async_handshake(ssl::stream_base::client, on(impl_->tcp, std::move(h)));
}

void* ConnStream::tls_handle() noexcept { return impl_->tls ? impl_->tls->native_handle() : nullptr; }

void ConnStream::teardown_async(beast::role_type role, DoneHandler h) {
  if (impl_->tls) {
    // close_notify, then the TCP shutdown (Beast's teardown for an Asio SSL stream).
    beast::async_teardown(role, *impl_->tls, on(impl_->tcp, std::move(h)));
  } else {
    beast::websocket::async_teardown(role, impl_->tcp.socket(), on(impl_->tcp, std::move(h)));
  }
}

void ConnStream::teardown(beast::role_type role, boost::system::error_code& ec) {
  if (impl_->tls)
    beast::teardown(role, *impl_->tls, ec);
  else
    beast::websocket::teardown(role, impl_->tcp.socket(), ec);
}

void teardown(beast::role_type role, ConnStream& stream, boost::system::error_code& ec) { stream.teardown(role, ec); }

}  // namespace hallq::tls
