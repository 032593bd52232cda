#pragma once
// Linux input devices (evdev): a device node such as /dev/input/by-id/...-event-kbd gives
// `struct input_event` records. An EventSource reads them on its owner's Asio executor (the
// node's one io_context) and hands whole records to its owner, however the reads split them. A
// device that is missing or unplugged is opened again and again until it is back (a USB device
// may be plugged in later).
//
// The simulated device is a FIFO that carries the same records (tests and the demo write
// them). It is opened read-write, so it never reports end of file when a writer closes it.
#include <linux/input.h>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "hallq/common/expected.hpp"

namespace hallq::input {

struct SourceOptions {
  enum class Kind {
    Device,  // a device node (or anything opened read-only that gives records)
    Fifo,    // the simulated device: a FIFO, made if missing
  };
  // Whether a device is grabbed (EVIOCGRAB), so its events reach nobody else on the board.
  enum class Grab {
    Required,    // a device that cannot be grabbed is not read: closed and tried again later
    BestEffort,  // read anyway (not_grabbed is told why)
  };
  std::string path;
  Kind kind = Kind::Device;
  Grab grab = Grab::Required;  // a FIFO is never grabbed
  std::chrono::milliseconds retry{2000};       // between attempts to open
  std::chrono::milliseconds after_loss{0};     // before opening again a device that went away
};

// What the reader tells its owner, all on the executor. Each may be empty.
struct SourceHandlers {
  // Open (again). `after_failure`: the attempts before it failed. Records of a partial read
  // before it are gone.
  std::function<void(bool after_failure)> opened;
  // Whole records in the order read, and when they were read.
  std::function<void(std::span<const input_event>, std::chrono::steady_clock::time_point)> events;
  // An attempt to open failed with another error than the previous one (strerror text).
  std::function<void(const std::string& error)> open_failed;
  // An open device went away (unplugged, or a FIFO's writer closed it): strerror text or "gone".
  std::function<void(const std::string& error)> lost;
  // Grab::BestEffort only: the device is read without being grabbed.
  std::function<void(const std::string& error)> not_grabbed;
};

// Thread-safety: start() and stop() are called on the executor's thread, or while its
// io_context does not run.
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Starts reading; the first attempt to open runs on the executor, not in this call.
  virtual void start(SourceHandlers handlers) = 0;
  // Stops at once (also while waiting to open again): the device is released, and no handler
  // runs after this returns.
  virtual void stop() = 0;
};

// The reader for `options` on `executor`. The error is only for a source that can never work
// (the simulated device's FIFO cannot be made); a missing device is waited for.
Expected<std::unique_ptr<EventSource>, std::string> open_event_source(boost::asio::any_io_executor executor,
                                                                      const SourceOptions& options);

}  // namespace hallq::input
