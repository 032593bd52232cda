#pragma once
// The display node's inputs (issue 6): the window caller keypads (呼叫器) on an RS-485 bus and
// the evaluators (评价器), each turned into a controller request with the node's device
// credential. The controller decides: a keypad acts for the clerk signed in at its window, an
// evaluator rates the service last finished there, once (R-EVAL-1). Nothing is retried later:
// a key pressed while the controller is unreachable is refused on the spot (the keypad beeps)
// rather than done minutes later at the wrong moment.
// Thread-safety: the ports and devices are read on the node's executor (its one io_context);
// each input sends its requests to the controller in turn on a one-thread worker of its own,
// so a slow controller never holds up the node. start() and stop() are called on the executor's
// thread or while its io_context does not run; show() and stats() from any thread.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hallq/common/serial_worker.hpp"
#include "hallq/display/config.hpp"
#include "hallq/display/keypad_bus.hpp"
#include "hallq/display/layout.hpp"
#include "hallq/link/controller_client.hpp"

namespace hallq::input {
class EventSource;
}

namespace hallq::display {

// A controller request from an input: POST path with a JSON body. Each input's worker gets its own.
using PostFn = std::function<link::HttpReply(const std::string& path, const std::string& body)>;
using MakePost = std::function<PostFn()>;
// What a window shows now (from the node's layout), for the keys whose meaning depends on it.
using WindowLookup = std::function<std::optional<WindowView>(int window)>;

// POST /api/v1/windows/N/rate {"level"}: logs the outcome; true when the rating was taken.
bool post_rating(const PostFn& post, int window, int level, const std::string& from);

struct BusPort;  // the keypads' serial port, shared with its reading coroutine (inputs.cpp)

class KeypadBus {
 public:
  // `evaluators`: the ones on this bus (bus_address set).
  KeypadBus(boost::asio::any_io_executor executor, KeypadsConfig config, std::vector<EvaluatorConfig> evaluators,
            MakePost make_post, WindowLookup lookup);
  ~KeypadBus();
  KeypadBus(const KeypadBus&) = delete;
  KeypadBus& operator=(const KeypadBus&) = delete;

  void start();  // the port is opened on the executor, and reopened after errors
  void stop();
  // The keypad of `window` shows the waiting count and the ticket number; sent when it differs
  // from what that keypad was last sent.
  void show(int window, int waiting, const std::string& number);
  bool carries(int window) const { return config_.carries(window); }

  struct Stats {
    std::uint64_t frames = 0, bad = 0, keys = 0, done = 0, refused = 0, ratings = 0;
  };
  Stats stats() const;

 private:
  void on_bytes(std::span<const std::uint8_t> bytes);  // on the executor
  void handle(const KeypadFrame& f);                    // on the executor
  bool act(int window, KeypadKey key);                  // on the worker
  void count(std::uint64_t Stats::*field, std::uint64_t n = 1);

  boost::asio::any_io_executor executor_;
  KeypadsConfig config_;
  std::vector<EvaluatorConfig> evaluators_;
  MakePost make_post_;
  WindowLookup lookup_;
  std::shared_ptr<BusPort> port_;
  KeypadDecoder decoder_;  // the executor's
  mutable std::mutex stats_m_;
  Stats stats_;
  std::atomic<bool> stopping_{false};
  PostFn post_;                       // the worker's
  std::map<int, std::int64_t> held_;  // the worker's: window -> the ticket its keypad put on hold (3+确认 calls it back)
  SerialWorker worker_;               // last: joined first, while what its jobs use is still there
};

// An evaluator that is a USB HID keypad: reads key presses from an evdev device (grabbed, so
// the keys reach nobody else; hallq_input's reader), and rates the window's last service.
class EvdevEvaluator {
 public:
  EvdevEvaluator(boost::asio::any_io_executor executor, EvaluatorConfig config, MakePost make_post);
  ~EvdevEvaluator();
  EvdevEvaluator(const EvdevEvaluator&) = delete;
  EvdevEvaluator& operator=(const EvdevEvaluator&) = delete;
  void start();
  void stop();

 private:
  boost::asio::any_io_executor executor_;
  EvaluatorConfig config_;
  MakePost make_post_;
  std::atomic<bool> stopping_{false};
  PostFn post_;  // the worker's
  SerialWorker worker_;
  std::unique_ptr<input::EventSource> source_;  // destroyed first: no rating is posted after
};

}  // namespace hallq::display
