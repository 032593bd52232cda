#pragma once
// An Asio stream for a driver that blocks on its worker thread (a printer's, a modem's): each
// call runs the stream's own io_context until the operation is done or its deadline has passed,
// and a late operation is cancelled and ends with asio::error::timed_out. So the drivers use
// the same Asio streams as the nodes' asynchronous code (tcp::socket, posix::stream_descriptor,
// or whatever a test hands them), and no driver writes its own poll() loop.
// Thread-safety: one thread at a time (the driver's worker).
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <span>
#include <utility>

namespace hallq {

// How an operation ended, and how many bytes it moved.
struct IoResult {
  boost::system::error_code ec;
  std::size_t n = 0;
};

template <class Stream>
class DeadlineStream {
 public:
  using Time = std::chrono::steady_clock::time_point;
  using error_code = boost::system::error_code;
  using Result = IoResult;

  DeadlineStream() : stream_(io_) {}
  Stream& stream() { return stream_; }
  boost::asio::io_context& io() { return io_; }

  // Runs the asynchronous operation `start(handler)` begins on the stream, until it completes
  // or `deadline`. What is ready is done even when the deadline has already passed.
  template <class Start>
  Result run(Start start, Time deadline) {
    Result r;
    bool done = false;
    start([&](error_code ec, std::size_t n = 0) {
      r = {ec, n};
      done = true;
    });
    io_.restart();
    io_.poll();
    while (!done && io_.run_one_until(deadline) > 0) {
    }
    if (!done) {
      error_code ignored;
      stream_.cancel(ignored);
      io_.restart();
      io_.run();  // the cancelled operation completes
      if (r.ec == boost::asio::error::operation_aborted) r.ec = boost::asio::error::timed_out;
    }
    return r;
  }

  // Writes every byte by `deadline`; r.n says how many went.
  Result write_all(std::span<const std::uint8_t> bytes, Time deadline) {
    return run([&](auto handler) { boost::asio::async_write(stream_, boost::asio::buffer(bytes.data(), bytes.size()), handler); },
               deadline);
  }
  // What has arrived (at least a byte), or timed_out at `deadline`; error::eof once the far
  // end has closed.
  Result read_some(std::span<std::uint8_t> into, Time deadline) {
    return run([&](auto handler) { stream_.async_read_some(boost::asio::buffer(into.data(), into.size()), handler); },
               deadline);
  }

 private:
  boost::asio::io_context io_{1};
  Stream stream_;
};

}  // namespace hallq
