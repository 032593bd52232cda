#include "hallq/input/evdev.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>

namespace hallq::input {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

// What the reading coroutine and its owner share: the coroutine holds it, so a stopped source
// can be destroyed while the coroutine's last completion still waits in the io_context.
struct State {
  State(asio::any_io_executor ex, SourceOptions o) : opt(std::move(o)), device(ex), timer(ex) {}

  bool fifo() const { return opt.kind == SourceOptions::Kind::Fifo; }

  // The open device, grabbed as asked, or -1 with errno set.
  int open_device() {
    // The FIFO read-write, so it never reports end of file when a writer closes it.
    const int fd = ::open(opt.path.c_str(), (fifo() ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fifo()) return fd;
    grabbed = ::ioctl(fd, EVIOCGRAB, 1) == 0;
    if (grabbed) return fd;
    const int err = errno;
    if (opt.grab == SourceOptions::Grab::BestEffort) {
      if (h.not_grabbed) h.not_grabbed(std::strerror(err));
      return fd;
    }
    // Someone else holds it: reading it too would hand its events to two programs.
    ::close(fd);
    errno = err;
    return -1;
  }

  void release() {
    if (!device.is_open()) return;
    if (grabbed) ::ioctl(device.native_handle(), EVIOCGRAB, 0);
    grabbed = false;
    error_code ignored;
    device.close(ignored);  // a read under way completes with operation_aborted
  }

  SourceOptions opt;
  SourceHandlers h;
  asio::posix::stream_descriptor device;
  asio::steady_timer timer;
  bool stopped = false;
  bool grabbed = false;
};

// Waits `ms`; false when the source was stopped meanwhile.
awaitable<bool> pause(State& s, std::chrono::milliseconds ms) {
  if (s.stopped) co_return false;
  s.timer.expires_after(ms);
  error_code ec;
  co_await s.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return !s.stopped;
}

// Reads whole records until the device goes away or the source is stopped.
awaitable<void> read_until_lost(State& s) {
  std::array<input_event, 64> records{};
  auto* bytes = reinterpret_cast<char*>(records.data());
  std::size_t have = 0;  // bytes of a partial record (a FIFO may split one)
  for (;;) {
    // Readable first, then read: a FIFO opened read-only that no writer has opened yet reads as
    // end of file at once, though it is not gone; it only becomes readable once written to.
    error_code ec;
    co_await s.device.async_wait(asio::posix::descriptor_base::wait_read, asio::redirect_error(asio::use_awaitable, ec));
    std::size_t n = 0;
    if (!ec && !s.stopped)
      n = co_await s.device.async_read_some(asio::buffer(bytes + have, sizeof records - have),
                                            asio::redirect_error(asio::use_awaitable, ec));
    if (s.stopped) co_return;
    if (ec) {
      // Unplugged (ENODEV), or a FIFO opened read-only whose writer went away (end of file).
      if (s.h.lost) s.h.lost(ec == asio::error::eof ? std::string("gone") : ec.message());
      co_return;
    }
    have += n;
    const std::size_t whole = have / sizeof(input_event);
    if (whole > 0 && s.h.events)
      s.h.events(std::span<const input_event>(records.data(), whole), std::chrono::steady_clock::now());
    const std::size_t rest = have - whole * sizeof(input_event);
    std::memmove(bytes, bytes + whole * sizeof(input_event), rest);
    have = rest;
  }
}

awaitable<void> run(std::shared_ptr<State> s) {
  std::string last_error;
  while (!s->stopped) {
    const int fd = s->open_device();
    error_code ec;
    if (fd >= 0) s->device.assign(fd, ec);
    if (fd < 0 || ec) {
      std::string err = fd < 0 ? std::strerror(errno) : ec.message();
      if (fd >= 0) ::close(fd);
      if (err != last_error && s->h.open_failed) s->h.open_failed(err);
      last_error = std::move(err);
      if (!co_await pause(*s, s->opt.retry)) co_return;
      continue;
    }
    if (s->h.opened) s->h.opened(!last_error.empty());
    last_error.clear();
    co_await read_until_lost(*s);
    s->release();
    if (!co_await pause(*s, s->opt.after_loss)) co_return;
  }
}

class Reader final : public EventSource {
 public:
  Reader(asio::any_io_executor ex, const SourceOptions& options)
      : ex_(ex), state_(std::make_shared<State>(ex, options)) {}
  ~Reader() override { stop(); }

  Expected<bool, std::string> prepare() {
    const SourceOptions& o = state_->opt;
    if (o.kind == SourceOptions::Kind::Fifo) {
      struct stat st {};
      if (::stat(o.path.c_str(), &st) != 0 && ::mkfifo(o.path.c_str(), 0660) != 0)
        return unexpected(o.path + ": " + std::strerror(errno));
    }
    return true;
  }
  void start(SourceHandlers handlers) override {
    state_->h = std::move(handlers);
    asio::co_spawn(ex_, run(state_), asio::detached);
  }
  void stop() override {
    state_->stopped = true;
    state_->timer.cancel();
    state_->release();
  }

 private:
  asio::any_io_executor ex_;
  std::shared_ptr<State> state_;
};

}  // namespace

Expected<std::unique_ptr<EventSource>, std::string> open_event_source(asio::any_io_executor executor,
                                                                      const SourceOptions& options) {
  auto r = std::make_unique<Reader>(executor, options);
  if (auto p = r->prepare(); !p) return unexpected(p.error());
  return std::unique_ptr<EventSource>(std::move(r));
}

}  // namespace hallq::input
