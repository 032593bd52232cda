// DeadlineStream (common/deadline_stream.hpp): the blocking, deadline-bounded use of an Asio
// stream that the printer and modem drivers share, over a real socketpair whose far end the
// test drives byte by byte.
#include "hallq/common/deadline_stream.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <vector>

#include "hallq_catch.hpp"

namespace {

using hallq::DeadlineStream;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace asio = boost::asio;

// A stream over one end of a socketpair; `peer` is the other end, for the test.
struct Pair {
  DeadlineStream<asio::posix::stream_descriptor> s;
  int peer = -1;
  explicit Pair(int sndbuf = 0) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    if (sndbuf > 0) {
      ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
      ::setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof sndbuf);
    }
    s.stream().assign(fds[0]);
    peer = fds[1];
  }
  ~Pair() {
    if (peer >= 0) ::close(peer);
  }
  void send(std::uint8_t b) { REQUIRE(::write(peer, &b, 1) == 1); }
};

}  // namespace

TEST_CASE("deadline stream: a read waits until its deadline, then ends timed out", "[deadline_stream]") {
  Pair p;
  std::array<std::uint8_t, 8> buf{};
  const auto t0 = Clock::now();
  auto r = p.s.read_some(buf, t0 + 150ms);
  const auto took = Clock::now() - t0;
  CHECK(r.ec == asio::error::timed_out);
  CHECK(r.n == 0);
  CHECK(took >= 150ms);
  CHECK(took < 2s);
  // The cancelled read took nothing: the next byte goes to the next read.
  p.send(0x12);
  r = p.s.read_some(buf, Clock::now() + 1s);
  REQUIRE_FALSE(r.ec);
  REQUIRE(r.n == 1);
  CHECK(buf[0] == 0x12);
}

TEST_CASE("deadline stream: what has arrived is read even when the deadline has passed", "[deadline_stream]") {
  Pair p;
  p.send(0x10);
  p.send(0x14);
  std::array<std::uint8_t, 8> buf{};
  auto r = p.s.read_some(buf, Clock::now() - 1s);
  REQUIRE_FALSE(r.ec);
  REQUIRE(r.n == 2);
  CHECK(buf[0] == 0x10);
  CHECK(buf[1] == 0x14);
  r = p.s.read_some(buf, Clock::now() - 1s);  // and nothing more: at once, timed out
  CHECK(r.ec == asio::error::timed_out);
}

TEST_CASE("deadline stream: a peer that stops reading times a write out part-way; a closed one is end of file",
          "[deadline_stream]") {
  Pair p(4096);
  const std::vector<std::uint8_t> job(4 << 20, 0x1B);  // far more than the socket buffers hold
  const auto r = p.s.write_all(job, Clock::now() + 200ms);
  CHECK(r.ec == asio::error::timed_out);
  CHECK(r.n > 0);
  CHECK(r.n < job.size());
  // A far end that goes away having read everything: end of file (with bytes unread it would
  // be a reset).
  Pair q;
  q.send(0x01);
  ::close(q.peer);
  q.peer = -1;
  std::array<std::uint8_t, 8> buf{};
  auto got = q.s.read_some(buf, Clock::now() + 1s);
  CHECK(got.n == 1);
  CHECK(q.s.read_some(buf, Clock::now() + 1s).ec == asio::error::eof);
}
