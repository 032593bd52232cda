#pragma once
// The display node's inputs (issue 6): the window caller keypads (呼叫器) on an RS-485 bus and
// the evaluators (评价器), each turned into a controller request with the node's device
// credential. The controller decides: a keypad acts for the clerk signed in at its window, an
// evaluator rates the service last finished there, once (R-EVAL-1). Nothing is retried later:
// a key pressed while the controller is unreachable is refused on the spot (the keypad beeps)
// rather than done minutes later at the wrong moment.
// Thread-safety: each input runs its own thread with its own HTTP client; show() may be called
// from any thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hallq/display/config.hpp"
#include "hallq/display/keypad_bus.hpp"
#include "hallq/display/layout.hpp"
#include "hallq/link/controller_client.hpp"

namespace hallq::input {
class EventSource;
}

namespace hallq::display {

// A controller request from an input: POST path with a JSON body. Each thread gets its own.
using PostFn = std::function<link::HttpReply(const std::string& path, const std::string& body)>;
using MakePost = std::function<PostFn()>;
// What a window shows now (from the node's layout), for the keys whose meaning depends on it.
using WindowLookup = std::function<std::optional<WindowView>(int window)>;

// An input's reading thread and the pipe that ends its waits: stop() wakes it and joins.
class InputThread {
 public:
  ~InputThread() { stop(); }
  void start(std::function<void()> body);
  void stop();
  bool stopping() const { return stop_; }
  int wake_fd() const { return wake_[0]; }  // readable once stop() was called; poll it with the device
  bool wait_stop(int ms) const;             // sleeps up to ms; true when stopping

 private:
  std::thread thread_;
  std::atomic<bool> stop_{false};
  int wake_[2] = {-1, -1};
};

// POST /api/v1/windows/N/rate {"level"}: logs the outcome; true when the rating was taken.
bool post_rating(const PostFn& post, int window, int level, const std::string& from);

class KeypadBus {
 public:
  // `evaluators`: the ones on this bus (bus_address set).
  KeypadBus(KeypadsConfig config, std::vector<EvaluatorConfig> evaluators, MakePost make_post, WindowLookup lookup);
  ~KeypadBus();
  KeypadBus(const KeypadBus&) = delete;
  KeypadBus& operator=(const KeypadBus&) = delete;

  void start();  // the port is opened by the bus thread, and reopened after errors
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
  void run();
  void handle(const KeypadFrame& f, const PostFn& post);
  bool act(int window, KeypadKey key, const PostFn& post);
  void send(const KeypadFrame& f);

  KeypadsConfig config_;
  std::vector<EvaluatorConfig> evaluators_;
  MakePost make_post_;
  WindowLookup lookup_;
  InputThread runner_;
  mutable std::mutex m_;    // fd_, shown_, stats_
  int fd_ = -1;
  std::map<int, std::pair<int, std::string>> shown_;  // window -> (waiting, number) last sent
  std::map<int, std::int64_t> held_;  // window -> the ticket its keypad put on hold (3+确认 calls it back)
  Stats stats_;
};

// An evaluator that is a USB HID keypad: reads key presses from an evdev device (grabbed, so
// the keys reach nobody else; hallq_input's reader), and rates the window's last service.
class EvdevEvaluator {
 public:
  EvdevEvaluator(EvaluatorConfig config, MakePost make_post);
  ~EvdevEvaluator();
  EvdevEvaluator(const EvdevEvaluator&) = delete;
  EvdevEvaluator& operator=(const EvdevEvaluator&) = delete;
  void start();
  void stop();

 private:
  EvaluatorConfig config_;
  MakePost make_post_;
  PostFn post_;  // the reader thread's
  std::unique_ptr<input::EventSource> source_;
};

}  // namespace hallq::display
