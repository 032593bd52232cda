#pragma once
// A device node's view of its hall (kiosk, display): the hall snapshot (GET /api/v1/hall) at
// start, after each burst of events on the event stream (200 ms after the first event, so the
// several events of one call make one read), and every poll_s seconds while the stream is down
// (every 15 s at least while it is up: opening hours change with the clock, not with events).
// The stream is subscribed from the first snapshot that is read.
// Runs on the node's executor (its one io_context), where the handlers are called; the
// requests, which block, run in turn on a worker of the link's own.
// Thread-safety: start(), stop() and live() on the executor's thread (stop() also while its
// io_context does not run).
#include <boost/asio/any_io_executor.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hallq/common/serial_worker.hpp"
#include "hallq/link/controller_client.hpp"
#include "hallq/link/event_stream.hpp"

namespace hallq::link {

struct HallLinkOptions {
  ControllerUrl url;
  std::string device_id;
  std::string token;
  int poll_s = 5;
  Millis timeout{3000};  // of each request
  // Whether each snapshot moves the stream's resume point (the kiosk, which only counts), or
  // only the first (the display, which says the calls it missed while the stream was down).
  bool resume_at_each_snapshot = true;
};

struct HallLinkHandlers {
  // Each read of the snapshot, answered or not, with what `extra` returned after it.
  std::function<void(const HttpReply& hall, const boost::json::value& extra)> snapshot;
  // Each event of the stream (optional; type "resync": the controller dropped the backlog).
  EventStream::OnEvent event;
  // The sequence number to subscribe from, given the first snapshot's (optional: that one).
  std::function<std::int64_t(std::int64_t snapshot_seq)> subscribe_from;
  // More reads after each snapshot, on the worker with the link's client (optional).
  std::function<boost::json::value(HttpController& api, const HttpReply& hall)> extra;
};

class HallLink {
 public:
  HallLink(boost::asio::any_io_executor executor, HallLinkOptions options, HallLinkHandlers handlers);
  ~HallLink();
  HallLink(const HallLink&) = delete;
  HallLink& operator=(const HallLink&) = delete;

  void start();
  void stop();  // no handler is called after it
  bool live() const;  // subscribed to the event stream

  struct Impl;  // shared with the timer and worker completions (hall_link.cpp)

 private:
  std::shared_ptr<Impl> impl_;
  SerialWorker worker_;  // last: joined first, while the request under way still has impl_
};

}  // namespace hallq::link
