// SerialLine (display/serial_line.hpp): the display node's serial screen and keypad buses write
// on the node's io_context. Over a real pty: frames go out whole and in order, a frame larger
// than the port's buffer does not block the caller, and a port whose far end went away is
// closed with the error kept for the owner.
#include "hallq/display/serial_line.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "hallq_catch.hpp"

namespace {

using hallq::display::SerialLine;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

struct Pty {
  int master = -1;
  std::string slave;
  Pty() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    slave = ::ptsname(master);
  }
  ~Pty() {
    if (master >= 0) ::close(master);
  }
  // Reads what has come, running `io` meanwhile, until `n` bytes or 5 s.
  Bytes read(boost::asio::io_context& io, std::size_t n) {
    Bytes got;
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (got.size() < n && std::chrono::steady_clock::now() < until) {
      io.restart();
      io.run_for(5ms);
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 5) <= 0) continue;
      std::uint8_t buf[4096];
      const ssize_t k = ::read(master, buf, sizeof buf);
      if (k > 0) got.insert(got.end(), buf, buf + k);
    }
    return got;
  }
};

}  // namespace

TEST_CASE("serial line: frames go out whole and in order, and a large one does not block the caller", "[serial_line]") {
  Pty pty;
  boost::asio::io_context io;
  auto line = std::make_shared<SerialLine>(io.get_executor(), pty.slave, 9600);
  std::string why;
  REQUIRE(line->open(false, why));
  Bytes want;
  for (std::uint8_t f = 1; f <= 3; ++f) {
    Bytes frame(20, f);
    want.insert(want.end(), frame.begin(), frame.end());
    line->send(std::move(frame));
  }
  const Bytes big(256 * 1024, 0x55);  // far more than a pty holds
  const auto t0 = std::chrono::steady_clock::now();
  line->send(big);
  CHECK(std::chrono::steady_clock::now() - t0 < 100ms);  // queued, not written in the call
  want.insert(want.end(), big.begin(), big.end());
  CHECK(pty.read(io, want.size()) == want);
  CHECK(line->failed.empty());
}

TEST_CASE("serial line: a port whose far end went away is closed, the error kept for its owner", "[serial_line]") {
  Pty pty;
  boost::asio::io_context io;
  auto line = std::make_shared<SerialLine>(io.get_executor(), pty.slave, 9600);
  std::string why;
  REQUIRE(line->open(false, why));
  ::close(pty.master);
  pty.master = -1;
  line->send(Bytes(16, 0x01));
  for (int i = 0; i < 100 && line->failed.empty(); ++i) {
    io.restart();
    io.run_for(10ms);
  }
  CHECK_FALSE(line->failed.empty());
  CHECK_FALSE(line->port.is_open());
  line->send(Bytes(16, 0x02));  // dropped while closed, nothing queued
  CHECK(io.poll() == 0);
  SerialLine missing(io.get_executor(), "/dev/no-such-tty", 9600);
  CHECK_FALSE(missing.open(false, why));
  CHECK(why == std::strerror(ENOENT));
}
