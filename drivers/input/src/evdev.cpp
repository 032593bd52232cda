#include "hallq/input/evdev.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <thread>

namespace hallq::input {
namespace {

class Reader final : public EventSource {
 public:
  explicit Reader(SourceOptions options) : opt_(std::move(options)) {}
  ~Reader() override { stop(); }

  Expected<bool, std::string> prepare() {
    if (opt_.kind == SourceOptions::Kind::Fifo) {
      struct stat st {};
      if (::stat(opt_.path.c_str(), &st) != 0 && ::mkfifo(opt_.path.c_str(), 0660) != 0)
        return unexpected(opt_.path + ": " + std::strerror(errno));
    }
    // Without the pipe, stop() is noticed within a poll period instead of at once.
    if (::pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
    return true;
  }
  void start(SourceHandlers handlers) override {
    thread_ = std::thread([this, h = std::move(handlers)] { run(h); });
  }
  void stop() override {
    stop_ = true;
    if (wake_[1] >= 0) {
      const char c = 0;
      [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
    }
    if (thread_.joinable()) thread_.join();
    for (int& fd : wake_)
      if (fd >= 0) {
        ::close(fd);
        fd = -1;
      }
  }

 private:
  bool fifo() const { return opt_.kind == SourceOptions::Kind::Fifo; }
  int poll_ms(std::chrono::milliseconds ms) const {
    return wake_[0] >= 0 ? static_cast<int>(ms.count()) : static_cast<int>(std::min<std::int64_t>(ms.count(), 100));
  }

  // Sleeps up to `ms`; true when stopping.
  bool wait_stop(std::chrono::milliseconds ms) const {
    const auto until = std::chrono::steady_clock::now() + ms;
    while (!stop_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{wake_[0], POLLIN, 0};
      if (::poll(&p, 1, poll_ms(left)) > 0) return true;
    }
    return true;
  }

  // The open device, grabbed as asked, or -1 with errno set.
  int open_device(const SourceHandlers& h) {
    // The FIFO read-write, so it never reports end of file when a writer closes it.
    const int fd = ::open(opt_.path.c_str(), (fifo() ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fifo()) return fd;
    grabbed_ = ::ioctl(fd, EVIOCGRAB, 1) == 0;
    if (grabbed_) return fd;
    const int err = errno;
    if (opt_.grab == SourceOptions::Grab::BestEffort) {
      if (h.not_grabbed) h.not_grabbed(std::strerror(err));
      return fd;
    }
    // Someone else holds it: reading it too would hand its events to two programs.
    ::close(fd);
    errno = err;
    return -1;
  }

  void release(int fd) {
    if (grabbed_) ::ioctl(fd, EVIOCGRAB, 0);
    grabbed_ = false;
    ::close(fd);
  }

  // Reads whole records until the device goes away (false) or stop() (true).
  bool read_until_lost(int fd, const SourceHandlers& h) {
    std::array<input_event, 64> records{};
    auto* bytes = reinterpret_cast<char*>(records.data());
    std::size_t have = 0;  // bytes of a partial record (a FIFO may split one)
    for (;;) {
      pollfd p[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      const int r = ::poll(p, 2, wake_[0] >= 0 ? -1 : 100);
      if (stop_ || (p[1].revents & POLLIN)) return true;
      if (r < 0 && errno != EINTR) {
        if (h.lost) h.lost(std::strerror(errno));
        return false;
      }
      if (r <= 0) continue;
      const ssize_t n = ::read(fd, bytes + have, sizeof records - have);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        // Unplugged (ENODEV), or a FIFO opened read-only whose writer went away.
        if (h.lost) h.lost(n < 0 ? std::strerror(errno) : "gone");
        return false;
      }
      have += static_cast<std::size_t>(n);
      const std::size_t whole = have / sizeof(input_event);
      if (whole > 0 && h.events) h.events(std::span<const input_event>(records.data(), whole), std::chrono::steady_clock::now());
      const std::size_t rest = have - whole * sizeof(input_event);
      std::memmove(bytes, bytes + whole * sizeof(input_event), rest);
      have = rest;
    }
  }

  void run(const SourceHandlers& h) {
    std::string last_error;
    while (!stop_) {
      const int fd = open_device(h);
      if (fd < 0) {
        std::string err = std::strerror(errno);
        if (err != last_error && h.open_failed) h.open_failed(err);
        last_error = std::move(err);
        if (wait_stop(opt_.retry)) return;
        continue;
      }
      if (h.opened) h.opened(!last_error.empty());
      last_error.clear();
      const bool stopping = read_until_lost(fd, h);
      release(fd);
      if (stopping || wait_stop(opt_.after_loss)) return;
    }
  }

  SourceOptions opt_;
  std::atomic<bool> stop_{false};
  bool grabbed_ = false;  // the reader thread's
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace

Expected<std::unique_ptr<EventSource>, std::string> open_event_source(const SourceOptions& options) {
  auto r = std::make_unique<Reader>(options);
  if (auto p = r->prepare(); !p) return unexpected(p.error());
  return std::unique_ptr<EventSource>(std::move(r));
}

}  // namespace hallq::input
