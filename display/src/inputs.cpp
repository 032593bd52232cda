#include "hallq/display/inputs.hpp"

#include <linux/input.h>
#include <unistd.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "hallq/common/log.hpp"
#include "hallq/input/evdev.hpp"
#include "hallq/display/serial_line.hpp"

namespace hallq::display {
namespace asio = boost::asio;
namespace json = boost::json;
using boost::system::error_code;

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

// The keypads' serial port: read by a coroutine on the executor that holds it, so a stopped
// bus may go while the coroutine's last completion still waits in the io_context. Frames go
// out through the SerialLine, one at a time, in order. Everything here is the executor's.
struct BusPort {
  BusPort(asio::any_io_executor ex, std::string device, int baud)
      : line(std::make_shared<SerialLine>(ex, std::move(device), baud)), timer(ex) {}

  void send(std::vector<std::uint8_t> bytes) {
    if (!stopped) line->send(std::move(bytes));
  }
  void close() {
    line->close();
    shown.clear();  // a keypad that lost power shows nothing: send everything again
  }

  std::shared_ptr<SerialLine> line;
  asio::steady_timer timer;
  bool stopped = false;
  std::map<int, std::pair<int, std::string>> shown;  // window -> (waiting, number) last sent
  std::function<void(std::span<const std::uint8_t>)> on_bytes;  // not called once stopped
};

namespace {

// Waits `ms`; false when the bus was stopped meanwhile.
asio::awaitable<bool> pause(BusPort& p, std::chrono::milliseconds ms) {
  if (p.stopped) co_return false;
  p.timer.expires_after(ms);
  error_code ec;
  co_await p.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return !p.stopped;
}

// Opens the port (again after errors) and hands what it reads to on_bytes until stopped.
asio::awaitable<void> read_bus(std::shared_ptr<BusPort> p) {
  std::string last_error;
  std::array<std::uint8_t, 256> buf{};
  while (!p->stopped) {
    SerialLine& line = *p->line;
    std::string why;
    if (!line.open(true, why)) {
      const std::string e = line.device + ": " + why;
      if (e != last_error) logger("input")->error("keypads: {}; retrying every {} s", e, kReopenMs / 1000);
      last_error = e;
      if (!co_await pause(*p, std::chrono::milliseconds{kReopenMs})) co_return;
      continue;
    }
    logger("input")->info("keypads on {} at {} baud", line.device, line.baud);
    last_error.clear();
    for (;;) {
      error_code ec;
      const std::size_t n = co_await line.port.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (p->stopped) co_return;
      if (ec) {
        last_error = line.device + ": " + (ec == asio::error::eof ? std::string("closed") : ec.message());
        logger("input")->warn("keypads: {}; reopening", last_error);
        break;
      }
      p->on_bytes(std::span<const std::uint8_t>(buf.data(), n));
    }
    p->close();
    if (!co_await pause(*p, std::chrono::milliseconds{kReopenMs / 4})) co_return;
  }
}

}  // namespace

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

KeypadBus::KeypadBus(asio::any_io_executor executor, KeypadsConfig config, std::vector<EvaluatorConfig> evaluators,
                     MakePost make_post, WindowLookup lookup)
    : executor_(std::move(executor)), config_(std::move(config)), evaluators_(std::move(evaluators)),
      make_post_(std::move(make_post)), lookup_(std::move(lookup)),
      port_(std::make_shared<BusPort>(executor_, config_.device, config_.baud)),
      decoder_(config_.checksum) {}

KeypadBus::~KeypadBus() { stop(); }

void KeypadBus::start() {
  worker_.post([this] { post_ = make_post_(); });
  port_->on_bytes = [this](std::span<const std::uint8_t> bytes) { on_bytes(bytes); };
  asio::co_spawn(executor_, read_bus(port_), asio::detached);
}

void KeypadBus::stop() {
  stopping_ = true;  // the worker drops the keys still queued
  port_->stopped = true;
  port_->timer.cancel();
  port_->close();
}

KeypadBus::Stats KeypadBus::stats() const {
  std::lock_guard lock(stats_m_);
  return stats_;
}

void KeypadBus::count(std::uint64_t Stats::*field, std::uint64_t n) {
  std::lock_guard lock(stats_m_);
  stats_.*field += n;
}

void KeypadBus::show(int window, int waiting, const std::string& number) {
  const int address = window + config_.address_offset;
  if (address < 0 || address > 255 || !config_.carries(window)) return;
  asio::post(executor_, [p = port_, window, waiting, number, address] {
    if (p->stopped || !p->line->port.is_open()) return;
    auto it = p->shown.find(window);
    if (it != p->shown.end() && it->second == std::make_pair(waiting, number)) return;
    p->shown[window] = {waiting, number};
    p->send(encode_keypad_frame(keypad_show_frame(static_cast<std::uint8_t>(address), waiting, number)));
  });
}

void KeypadBus::on_bytes(std::span<const std::uint8_t> bytes) {
  const int bad_before = decoder_.bad_frames();
  for (const KeypadFrame& f : decoder_.feed(bytes)) handle(f);
  if (decoder_.bad_frames() != bad_before) count(&Stats::bad, static_cast<std::uint64_t>(decoder_.bad_frames() - bad_before));
}

void KeypadBus::handle(const KeypadFrame& f) {
  count(&Stats::frames);
  for (const EvaluatorConfig& e : evaluators_) {
    if (e.bus_address != f.address || f.function == kKeypadShow || f.function == kKeypadBeep) continue;
    port_->send(encode_keypad_frame(f));  // taken
    const int level = f.data.empty() ? 0 : e.level_of(f.data.back());
    if (level == 0) return;
    worker_.post([this, window = e.window, level, address = f.address] {
      if (stopping_) return;
      if (post_rating(post_, window, level, "evaluator " + std::to_string(address))) count(&Stats::ratings);
    });
    return;
  }
  const std::optional<KeypadKey> key = keypad_key(f);
  if (!key) return;  // our own frames heard back on a two-wire bus, or keys with no meaning
  const int window = f.address - config_.address_offset;
  if (window < 1 || !config_.carries(window)) {
    logger("input")->debug("keypads: key from address {} of no window here", f.address);
    return;
  }
  port_->send(encode_keypad_frame(f));  // the echo tells the keypad its key was taken
  worker_.post([this, window, key = *key, address = f.address] {
    if (stopping_) return;
    const bool ok = act(window, key);
    if (!ok)
      asio::post(executor_, [p = port_, address] { p->send(encode_keypad_frame(keypad_beep_frame(address))); });
    count(&Stats::keys);
    count(ok ? &Stats::done : &Stats::refused);
  });
}

bool KeypadBus::act(int window, KeypadKey key) {
  const std::optional<WindowView> view = lookup_(window);
  auto call = [&](const std::string& action, const json::object& body) {
    link::HttpReply r = post_(window_path(window, action), json::serialize(body));
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

EvdevEvaluator::EvdevEvaluator(asio::any_io_executor executor, EvaluatorConfig config, MakePost make_post)
    : executor_(std::move(executor)), config_(std::move(config)), make_post_(std::move(make_post)) {}

EvdevEvaluator::~EvdevEvaluator() { stop(); }

void EvdevEvaluator::start() {
  input::SourceOptions o;
  o.path = config_.device;
  o.kind = input::SourceOptions::Kind::Device;
  // Grabbed, the keys type into nothing else on the board (a FIFO in tests cannot be).
  o.grab = input::SourceOptions::Grab::BestEffort;
  o.retry = std::chrono::milliseconds{kReopenMs};
  o.after_loss = std::chrono::milliseconds{kReopenMs / 4};
  auto source = input::open_event_source(executor_, o);
  if (!source) {  // only a simulated FIFO can fail here, and an evaluator is never one
    logger("input")->error("window {} evaluator {}: {}", config_.window, config_.device, source.error());
    return;
  }
  source_ = std::move(*source);
  worker_.post([this] { post_ = make_post_(); });
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
      if (const int level = config_.level_of(ev.code))
        worker_.post([this, level] {
          if (!stopping_) post_rating(post_, config_.window, level, "evaluator " + config_.device);
        });
    }
  };
  source_->start(std::move(h));
}

void EvdevEvaluator::stop() {
  stopping_ = true;
  if (source_) source_->stop();
}

}  // namespace hallq::display
