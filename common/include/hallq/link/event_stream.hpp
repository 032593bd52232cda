#pragma once
// The controller's event stream (/api/v1/events, WebSocket) as this device: a kiosk learns at
// once that a ticket was issued or called elsewhere (live waiting counts), a display node that a
// number was called. Resumes
// from the last sequence number it saw (or the last snapshot's), so a reconnect misses nothing;
// reconnects by itself with back-off (1 s doubling to 10 s); keep-alive pings find a dead
// controller within 20 s. Runs on its owner's executor (the node's one io_context); the
// callbacks are called there. start(), stop() and connected() are called on the executor's
// thread (or, for stop(), while its io_context does not run); resume_from() from any thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hallq/link/controller_client.hpp"

namespace hallq::link {

// One message of the stream as the subscriber reads it: a JSON object, with its "seq" (0 when
// absent) and "type" ("" when absent); nullopt for anything else, which the subscriber skips.
struct StreamMessage {
  std::int64_t seq = 0;
  std::string type;
  boost::json::object event;
};
std::optional<StreamMessage> parse_stream_message(std::string_view text);

class EventStream {
 public:
  // on_event(seq, type, event) for each event (type "resync": fetch the snapshot again; the
  // event is the whole message as the controller sent it); on_state(connected) when the
  // subscription comes up or goes down.
  using OnEvent = std::function<void(std::int64_t, const std::string&, const boost::json::object&)>;
  EventStream(boost::asio::any_io_executor executor, ControllerUrl url, std::string token, OnEvent on_event,
              std::function<void(bool)> on_state);
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  void start();
  void stop();  // no callback is called after it
  // Resume from at least this sequence number (a snapshot's) on the next (re)connect.
  void resume_from(std::int64_t seq);
  bool connected() const;

  struct Impl;  // public for the subscriber coroutine in the .cpp only

 private:
  std::shared_ptr<Impl> impl_;  // shared with the subscriber coroutine, which may outlive this
};

}  // namespace hallq::link
