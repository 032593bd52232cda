#pragma once
// hallq-display's core (issue 6): the controller's hall snapshot and event stream in, the
// screens and the voice out.
//   - At start and after each burst of events (200 ms later), and every poll_s seconds while the
//     stream is down, it reads the hall snapshot: waiting counts, notices, windows opened.
//   - Calls come from the event stream and go straight to the screens that show their window
//     and to the voice queue: the fast path. The stream resumes from the last sequence number
//     seen, so a reconnect misses no call and says none twice.
//   - A snapshot older than an event already shown is ignored (it would undo the call).
// Runs on the node's executor (its one io_context): the link, the notices' pages and the
// sinks that blink and scroll; only the inputs' requests and the voice have workers.
// Thread-safety: handle_event() and handle_snapshot() may be called from any thread; screens are
// drawn under one lock (the keypads' workers read the layout).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hallq/display/announcer.hpp"
#include "hallq/display/config.hpp"
#include "hallq/display/inputs.hpp"
#include "hallq/display/layout.hpp"
#include "hallq/display/sinks.hpp"

namespace hallq::link {
class HallLink;
struct HttpReply;
}

namespace hallq::display {

class DisplayNode {
 public:
  // `voice` may be null (no voice on this node).
  DisplayNode(DisplayConfig config, std::vector<std::unique_ptr<DisplaySink>> sinks,
              std::unique_ptr<Announcer> voice);
  ~DisplayNode();
  DisplayNode(const DisplayNode&) = delete;
  DisplayNode& operator=(const DisplayNode&) = delete;

  // Starts the link to the controller, the timers and the inputs on `executor` (the node's
  // io_context); an error text if the URL is bad. stop() is called on the executor's thread or
  // while its io_context does not run.
  std::optional<std::string> start(boost::asio::any_io_executor executor);
  void stop();

  // One event of the stream (public view) / one hall snapshot (GET /api/v1/hall).
  void handle_event(std::int64_t seq, const std::string& type, const boost::json::object& event);
  void handle_snapshot(const boost::json::object& hall);

  bool live() const;              // subscribed to the event stream
  bool online() const;            // the last snapshot read worked
  std::int64_t shown_seq() const;  // the newest event or snapshot on the screens
  std::size_t voice_queued() const { return voice_ ? voice_->queued() : 0; }  // calls waiting to be said
  std::optional<KeypadBus::Stats> keypad_stats() const;

 private:
  void draw(const LayoutChange& change);
  void save_seq(std::int64_t seq);
  // Whether a call made at `at` (RFC 3339) is still worth saying: not older than late_call_s
  // by the controller's clock (estimated from the last snapshot's "time").
  bool fresh_call(const std::string& at) const;
  void report(std::size_t sink, std::optional<std::string> error);  // logs a sink's trouble once
  void on_hall(const link::HttpReply& hall);                         // a snapshot read, or not
  std::int64_t subscribe_from(std::int64_t snapshot_seq);
  // Calls step() every `period` on `timer` until stop().
  void every(boost::asio::steady_timer& timer, std::chrono::milliseconds period, void (DisplayNode::*step)());
  void turn_notices();
  void tick_sinks();

  DisplayConfig config_;
  std::vector<std::unique_ptr<DisplaySink>> sinks_;  // one per config_.screens entry
  std::vector<std::string> sink_errors_;             // the last error of each, logged once
  std::unique_ptr<Announcer> voice_;
  Layout layout_;
  mutable std::mutex m_;  // layout_, sinks_, the seqs
  std::int64_t shown_seq_ = 0, event_seq_ = 0;
  std::int64_t resume_seq_ = 0;  // from the state file at start
  std::optional<std::chrono::milliseconds> clock_offset_;  // controller clock - ours
  std::mutex save_m_;
  std::int64_t saved_seq_ = 0;
  std::string save_error_;
  bool online_ = false;
  std::string link_error_;  // the last failure to read the snapshot, logged once

  bool stop_ = false;
  std::unique_ptr<link::HallLink> link_;
  std::optional<boost::asio::steady_timer> roll_;    // turns the notices' pages
  std::optional<boost::asio::steady_timer> motion_;  // ticks the sinks that blink and scroll
  std::unique_ptr<KeypadBus> keypads_;
  std::vector<std::unique_ptr<EvdevEvaluator>> evaluators_;
};

}  // namespace hallq::display
