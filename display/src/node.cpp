#include "hallq/display/node.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "hallq/controller/events.hpp"
#include "hallq/common/atomic_file.hpp"
#include "hallq/common/json_fields.hpp"
#include "hallq/common/log.hpp"
#include "hallq/common/time.hpp"
#include "hallq/link/controller_client.hpp"
#include "hallq/link/hall_link.hpp"

namespace hallq::display {
namespace ev = engine::events;  // the event types, as the controller names them
namespace json = boost::json;
using namespace std::chrono_literals;

DisplayNode::DisplayNode(DisplayConfig config, std::vector<std::unique_ptr<DisplaySink>> sinks,
                         std::unique_ptr<Announcer> voice)
    : config_(std::move(config)),
      sinks_(std::move(sinks)),
      sink_errors_(sinks_.size()),
      voice_(std::move(voice)),
      layout_(config_.recent_calls) {}

DisplayNode::~DisplayNode() { stop(); }

bool DisplayNode::live() const { return link_ && link_->live(); }
bool DisplayNode::online() const {
  std::lock_guard lock(m_);
  return online_;
}
std::int64_t DisplayNode::shown_seq() const {
  std::lock_guard lock(m_);
  return shown_seq_;
}

std::optional<KeypadBus::Stats> DisplayNode::keypad_stats() const {
  if (!keypads_) return std::nullopt;
  return keypads_->stats();
}

void DisplayNode::draw(const LayoutChange& change) {
  // The keypads' displays: waiting for the window's services, and the number at the window.
  if (keypads_)
    for (const auto& [n, w] : layout_.windows())
      if (keypads_->carries(n))
        keypads_->show(n, layout_.waiting_at(n),
                       w.mode == WindowView::Mode::Calling || w.mode == WindowView::Mode::Serving ? w.ticket : "");
  for (size_t i = 0; i < sinks_.size(); ++i) {
    const ScreenConfig& s = config_.screens[i];
    if (s.kind == ScreenConfig::Kind::Hall) {
      if (change.hall) report(i, sinks_[i]->show_hall(layout_.hall()));
      continue;
    }
    for (int n : change.windows)
      if (s.shows(n))
        if (const WindowView* w = layout_.window(n)) report(i, sinks_[i]->show_window(*w));
  }
}

void DisplayNode::report(std::size_t i, std::optional<std::string> err) {
  if (err && *err != sink_errors_[i]) logger("display")->error("{}", *err);
  else if (!err && !sink_errors_[i].empty()) logger("display")->info("{}: working again", sinks_[i]->describe());
  sink_errors_[i] = err.value_or("");
}

void DisplayNode::handle_event(std::int64_t seq, const std::string& type, const json::object& event) {
  if (type == "resync") {
    // The controller dropped our backlog: read the snapshot now (calls in the gap are not said).
    logger("display")->warn("event stream resync at {}: reading the hall snapshot", seq);
  } else {
    std::optional<Announcement> say;
    {
      std::lock_guard lock(m_);
      if (seq > 0 && seq <= event_seq_) return;  // seen already
      event_seq_ = std::max(event_seq_, seq);
      if (seq > shown_seq_) {
        LayoutChange change = layout_.apply(event);
        shown_seq_ = seq;
        draw(change);
      }
      // Every call is said, even one the screens already had from a newer snapshot.
      if (type == ev::TicketCalled::kType || type == ev::TicketRecalled::kType) {
        const json::object* data = nullptr;
        if (auto* d = event.if_contains("data"); d && d->is_object()) data = &d->as_object();
        const std::string number = data ? json_fields::str(*data, "number") : std::string();
        const int window = static_cast<int>(json_fields::num(event, "window"));
        if (!number.empty() && window > 0 && config_.voice.says(window)) {
          if (fresh_call(json_fields::str(event, "at")))
            say = Announcement{number, window, type == ev::TicketRecalled::kType};
          else
            logger("display")->info("{} to window {} not said: called over {} s ago", number, window, config_.late_call_s);
        }
      }
    }
    if (say && voice_) voice_->say(*say);
    save_seq(seq);
  }
}

void DisplayNode::handle_snapshot(const json::object& hall) {
  std::int64_t seq = 0;
  if (auto* s = hall.if_contains("seq"); s && s->is_int64()) seq = s->as_int64();
  std::lock_guard lock(m_);
  online_ = true;
  if (auto* t = hall.if_contains("time"); t && t->is_string())
    if (auto at = parse_rfc3339(t->as_string()))
      clock_offset_ = std::chrono::duration_cast<std::chrono::milliseconds>(
          *at - std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  if (seq < shown_seq_) return;  // read before an event we have shown: the next one will do
  LayoutChange change = layout_.load_snapshot(hall);
  shown_seq_ = seq;
  draw(change);
}

bool DisplayNode::fresh_call(const std::string& at) const {
  if (config_.late_call_s <= 0 || !clock_offset_) return true;
  auto t = parse_rfc3339(at);
  if (!t) return true;
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()) + *clock_offset_;
  return now - *t <= std::chrono::seconds(config_.late_call_s);
}

void DisplayNode::save_seq(std::int64_t seq) {
  if (config_.state_file.empty() || seq <= 0) return;
  std::lock_guard lock(save_m_);
  if (seq <= saved_seq_) return;
  // A hint, not a log: replaced whole (write_file_atomically), at most once per new sequence.
  std::string err;
  if (auto e = write_file_atomically(config_.state_file, std::to_string(seq) + "\n", 0666)) err = e->message;
  if (!err.empty() && err != save_error_) logger("display")->warn("state file: {}", err);
  save_error_ = err;
  if (err.empty()) saved_seq_ = seq;
}

std::optional<std::string> DisplayNode::start(boost::asio::any_io_executor executor) {
  if (!config_.state_file.empty())
    if (std::FILE* f = std::fopen(config_.state_file.c_str(), "r")) {
      long long v = 0;
      if (std::fscanf(f, "%lld", &v) == 1 && v > 0) resume_seq_ = saved_seq_ = v;
      std::fclose(f);
    }
  auto url = link::parse_controller_url(config_.controller, config_.controller_pin);
  if (!url) return "controller: " + url.error();
  link::HallLinkOptions o{.url = *url, .device_id = config_.id, .token = config_.token, .poll_s = config_.poll_s};
  o.resume_at_each_snapshot = false;  // calls missed while the stream was down are said (if fresh)
  link::HallLinkHandlers h;
  h.snapshot = [this](const link::HttpReply& hall, const json::value&) { on_hall(hall); };
  h.event = [this](std::int64_t seq, const std::string& type, const json::object& e) { handle_event(seq, type, e); };
  h.subscribe_from = [this](std::int64_t seq) { return subscribe_from(seq); };
  link_ = std::make_unique<link::HallLink>(executor, std::move(o), std::move(h));
  // Keypads and evaluators: each input's worker makes its own HTTP client.
  MakePost make_post = [u = *url, id = config_.id, token = config_.token] {
    auto api = std::make_shared<link::HttpController>(u, id, token);
    return PostFn([api](const std::string& path, const std::string& body) { return api->request("POST", path, body); });
  };
  if (config_.keypads) {
    std::vector<EvaluatorConfig> on_bus;
    for (const auto& e : config_.evaluators)
      if (e.bus_address >= 0) on_bus.push_back(e);
    keypads_ = std::make_unique<KeypadBus>(executor, *config_.keypads, std::move(on_bus), make_post, [this](int window) {
      std::lock_guard lock(m_);
      const WindowView* w = layout_.window(window);
      return w ? std::optional<WindowView>(*w) : std::nullopt;
    });
    keypads_->start();
  }
  for (const auto& e : config_.evaluators)
    if (!e.device.empty()) {
      evaluators_.push_back(std::make_unique<EvdevEvaluator>(executor, e, make_post));
      evaluators_.back()->start();
    }
  link_->start();
  // 25 frames a second at most; a sink sends only frames that changed.
  if (std::any_of(sinks_.begin(), sinks_.end(), [](const auto& s) { return s->animated(); }))
    every(motion_.emplace(executor), 40ms, &DisplayNode::tick_sinks);
  every(roll_.emplace(executor), std::chrono::seconds(config_.notice_s), &DisplayNode::turn_notices);
  return std::nullopt;
}

void DisplayNode::every(boost::asio::steady_timer& timer, std::chrono::milliseconds period, void (DisplayNode::*step)()) {
  timer.expires_after(period);
  timer.async_wait([this, &timer, period, step](boost::system::error_code ec) {
    if (ec || stop_) return;
    (this->*step)();
    every(timer, period, step);
  });
}

void DisplayNode::tick_sinks() {
  std::lock_guard screens(m_);
  const auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < sinks_.size(); ++i)
    if (sinks_[i]->animated()) report(i, sinks_[i]->tick(now));
}

void DisplayNode::turn_notices() {
  std::lock_guard screens(m_);
  draw(layout_.next_notice_page());
}

// Subscribe from the first snapshot on, or from the last event this node saw before it
// restarted: calls made while it was down are then said (unless too old).
std::int64_t DisplayNode::subscribe_from(std::int64_t snapshot_seq) {
  if (resume_seq_ > 0 && resume_seq_ < snapshot_seq && snapshot_seq - resume_seq_ <= 1000) {
    logger("display")->info("resuming the event stream at {} (the snapshot is at {})", resume_seq_, snapshot_seq);
    return resume_seq_;
  }
  return snapshot_seq;
}

void DisplayNode::on_hall(const link::HttpReply& h) {
  if (h.ok() && h.body.is_object()) {
    handle_snapshot(h.body.as_object());
    if (!link_error_.empty()) logger("display")->info("controller reachable again");
    link_error_.clear();
    return;
  }
  std::string err = h.answered() ? "hall snapshot: HTTP " + std::to_string(h.status) + " " + h.message() : h.error;
  if (err != link_error_) logger("display")->warn("{}; the screens keep what they show", err);
  link_error_ = err;
  std::lock_guard lock(m_);
  online_ = false;
}

void DisplayNode::stop() {
  stop_ = true;
  for (auto& e : evaluators_) e->stop();
  if (keypads_) keypads_->stop();
  if (link_) link_->stop();
  if (roll_) roll_->cancel();
  if (motion_) motion_->cancel();
}

}  // namespace hallq::display
