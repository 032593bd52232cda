#include "hallq/display/inputs.hpp"

#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <span>

#include "hallq/common/log.hpp"
#include "hallq/input/evdev.hpp"
#include "hallq/display/sinks.hpp"

namespace hallq::display {
namespace json = boost::json;

namespace {

constexpr int kReopenMs = 2000;

const char* label(int level) {
  static const char* names[] = {"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"};
  return level >= 1 && level <= 5 ? names[level] : "";
}

std::string window_path(int window, const std::string& action) {
  return "/api/v1/windows/" + std::to_string(window) + "/" + action;
}

}  // namespace

void InputThread::start(std::function<void()> body) {
  if (wake_[0] < 0 && ::pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
  thread_ = std::thread(std::move(body));
}

void InputThread::stop() {
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

bool InputThread::wait_stop(int ms) const {
  pollfd p{wake_[0], POLLIN, 0};
  return ::poll(&p, 1, ms) > 0 || stop_;
}

bool post_rating(const PostFn& post, int window, int level, const std::string& from) {
  const link::HttpReply r = post(window_path(window, "rate"), json::serialize(json::object{{"level", level}}));
  if (r.status == 201) {
    logger("input")->info("window {}: service rated {} ({}) at {}", window, level, label(level), from);
    return true;
  }
  if (r.answered())
    logger("input")->warn("window {}: rating {} not taken: {} ({})", window, level, r.code(), r.message());
  else
    logger("input")->warn("window {}: rating {} not sent: {}", window, level, r.error);
  return false;
}

// ---- keypads ----

KeypadBus::KeypadBus(KeypadsConfig config, std::vector<EvaluatorConfig> evaluators, MakePost make_post,
                     WindowLookup lookup)
    : config_(std::move(config)), evaluators_(std::move(evaluators)), make_post_(std::move(make_post)),
      lookup_(std::move(lookup)) {}

KeypadBus::~KeypadBus() { stop(); }

void KeypadBus::start() {
  runner_.start([this] { run(); });
}

void KeypadBus::stop() {
  runner_.stop();
  std::lock_guard lock(m_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

KeypadBus::Stats KeypadBus::stats() const {
  std::lock_guard lock(m_);
  return stats_;
}

void KeypadBus::send(const KeypadFrame& f) {
  const std::vector<std::uint8_t> bytes = encode_keypad_frame(f);
  std::lock_guard lock(m_);
  if (fd_ < 0) return;
  const std::uint8_t* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the reader notices a dead port and reopens it
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void KeypadBus::show(int window, int waiting, const std::string& number) {
  const int address = window + config_.address_offset;
  if (address < 0 || address > 255 || !config_.carries(window)) return;
  {
    std::lock_guard lock(m_);
    if (fd_ < 0) return;
    auto it = shown_.find(window);
    if (it != shown_.end() && it->second == std::make_pair(waiting, number)) return;
    shown_[window] = {waiting, number};
  }
  send(keypad_show_frame(static_cast<std::uint8_t>(address), waiting, number));
}

void KeypadBus::run() {
  const PostFn post = make_post_();
  KeypadDecoder decoder(config_.checksum);
  std::string last_error;
  while (!runner_.stopping()) {
    int fd = -1;
    {
      std::lock_guard lock(m_);
      fd = fd_;
    }
    if (fd < 0) {
      fd = open_serial(config_.device, config_.baud, true);
      if (fd < 0) {
        const std::string e = config_.device + ": " + std::strerror(errno);
        if (e != last_error) logger("input")->error("keypads: {}; retrying every {} s", e, kReopenMs / 1000);
        last_error = e;
        if (runner_.wait_stop(kReopenMs)) break;
        continue;
      }
      logger("input")->info("keypads on {} at {} baud", config_.device, config_.baud);
      last_error.clear();
      std::lock_guard lock(m_);
      fd_ = fd;
      shown_.clear();  // a keypad that lost power shows nothing: send everything again
    }
    pollfd p[2] = {{fd, POLLIN, 0}, {runner_.wake_fd(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (runner_.stopping() || (p[1].revents & POLLIN)) break;
    if (!p[0].revents) continue;
    std::uint8_t buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      const std::string e = config_.device + ": " + (n == 0 ? std::string("closed") : std::strerror(errno));
      logger("input")->warn("keypads: {}; reopening", e);
      last_error = e;
      {
        std::lock_guard lock(m_);
        ::close(fd_);
        fd_ = -1;
      }
      if (runner_.wait_stop(kReopenMs / 4)) break;
      continue;
    }
    const int bad_before = decoder.bad_frames();
    for (const KeypadFrame& f : decoder.feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)))) handle(f, post);
    if (decoder.bad_frames() != bad_before) {
      std::lock_guard lock(m_);
      stats_.bad += static_cast<std::uint64_t>(decoder.bad_frames() - bad_before);
    }
  }
}

void KeypadBus::handle(const KeypadFrame& f, const PostFn& post) {
  {
    std::lock_guard lock(m_);
    stats_.frames++;
  }
  for (const EvaluatorConfig& e : evaluators_) {
    if (e.bus_address != f.address || f.function == kKeypadShow || f.function == kKeypadBeep) continue;
    send(f);  // taken
    const int level = f.data.empty() ? 0 : e.level_of(f.data.back());
    if (level == 0) return;
    const bool ok = post_rating(post, e.window, level, "evaluator " + std::to_string(f.address));
    std::lock_guard lock(m_);
    if (ok) stats_.ratings++;
    return;
  }
  const std::optional<KeypadKey> key = keypad_key(f);
  if (!key) return;  // our own frames heard back on a two-wire bus, or keys with no meaning
  const int window = f.address - config_.address_offset;
  if (window < 1 || !config_.carries(window)) {
    logger("input")->debug("keypads: key from address {} of no window here", f.address);
    return;
  }
  send(f);  // the echo tells the keypad its key was taken
  const bool ok = act(window, *key, post);
  if (!ok) send(keypad_beep_frame(f.address));
  std::lock_guard lock(m_);
  stats_.keys++;
  (ok ? stats_.done : stats_.refused)++;
}

bool KeypadBus::act(int window, KeypadKey key, const PostFn& post) {
  const std::optional<WindowView> view = lookup_(window);
  auto call = [&](const std::string& action, const json::object& body) {
    link::HttpReply r = post(window_path(window, action), json::serialize(body));
    if (r.ok())
      logger("input")->info("window {}: keypad {} → {}", window, to_string(key), action);
    else if (r.answered())
      logger("input")->warn("window {}: keypad {} → {} refused: {} ({})", window, to_string(key), action, r.code(), r.message());
    else
      logger("input")->warn("window {}: keypad {} → {} not sent: {}", window, to_string(key), action, r.error);
    return r;
  };
  const json::object none;
  switch (key) {
    case KeypadKey::CallNext:
      // As on the public example's keypads, calling on a paused window resumes it first.
      if (view && view->mode == WindowView::Mode::Paused && !call("resume", none).ok()) return false;
      return call("call-next", none).status == 200;  // 204: nobody waiting — the keypad beeps
    case KeypadKey::Recall: return call("recall", none).ok();
    case KeypadKey::Evaluate:
      // The service ends; the window's evaluator now takes the citizen's rating.
      return call("finish", none).ok();
    case KeypadKey::Pause:
      if (view && view->mode == WindowView::Mode::Paused) return call("resume", none).ok();
      return call("pause", json::object{{"reason", config_.pause_reason}}).ok();
    case KeypadKey::Transfer:
      if (!config_.transfer_service.empty()) return call("transfer", json::object{{"service", config_.transfer_service}}).ok();
      if (config_.transfer_window) return call("transfer", json::object{{"window", config_.transfer_window}}).ok();
      logger("input")->warn("window {}: keypad transfer: no transfer_service or transfer_window configured", window);
      return false;
    case KeypadKey::GiveUp: return call("skip", none).ok();
    case KeypadKey::Hold: {
      link::HttpReply r = call("hold", none);
      if (!r.ok()) return false;
      if (r.body.is_object())
        if (auto* id = r.body.as_object().if_contains("id"); id && id->is_int64()) held_[window] = id->as_int64();
      return true;
    }
    case KeypadKey::CallBack: {
      auto it = held_.find(window);
      if (it == held_.end()) {
        logger("input")->warn("window {}: keypad call-back: this keypad has put nobody on hold", window);
        return false;
      }
      if (!call("unhold", json::object{{"ticket", it->second}}).ok()) return false;
      held_.erase(it);
      return true;
    }
  }
  return false;
}

// ---- evdev evaluators ----

EvdevEvaluator::EvdevEvaluator(EvaluatorConfig config, MakePost make_post)
    : config_(std::move(config)), make_post_(std::move(make_post)) {}

EvdevEvaluator::~EvdevEvaluator() { stop(); }

void EvdevEvaluator::start() {
  input::SourceOptions o;
  o.path = config_.device;
  o.kind = input::SourceOptions::Kind::Device;
  // Grabbed, the keys type into nothing else on the board (a FIFO in tests cannot be).
  o.grab = input::SourceOptions::Grab::BestEffort;
  o.retry = std::chrono::milliseconds{kReopenMs};
  o.after_loss = std::chrono::milliseconds{kReopenMs / 4};
  auto source = input::open_event_source(o);
  if (!source) {  // only a simulated FIFO can fail here, and an evaluator is never one
    logger("input")->error("window {} evaluator {}: {}", config_.window, config_.device, source.error());
    return;
  }
  source_ = std::move(*source);
  post_ = make_post_();
  input::SourceHandlers h;
  h.open_failed = [this](const std::string& e) {
    logger("input")->error("window {} evaluator {}: {}; retrying every {} s", config_.window, config_.device, e, kReopenMs / 1000);
  };
  h.not_grabbed = [this](const std::string& e) { logger("input")->debug("{}: not grabbed: {}", config_.device, e); };
  h.opened = [this](bool after_failure) {
    if (after_failure) logger("input")->info("window {} evaluator {}: open", config_.window, config_.device);
  };
  h.events = [this](std::span<const input_event> events, std::chrono::steady_clock::time_point) {
    for (const input_event& ev : events) {
      if (ev.type != EV_KEY || ev.value != 1) continue;  // presses only: no repeats, no releases
      if (const int level = config_.level_of(ev.code)) post_rating(post_, config_.window, level, "evaluator " + config_.device);
    }
  };
  source_->start(std::move(h));
}

void EvdevEvaluator::stop() {
  if (source_) source_->stop();
}

}  // namespace hallq::display
