#pragma once
// A serial port of the display node (an RS-485 screen bus, the keypad bus) on the node's
// io_context: frames are written one at a time, in order, and never block the node. Held by
// shared_ptr, so a write under way keeps the line alive after its owner has gone.
// Thread-safety: the executor's thread only.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/serial_port.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace hallq::display {

struct SerialLine : std::enable_shared_from_this<SerialLine> {
  SerialLine(boost::asio::any_io_executor ex, std::string device, int baud);

  // Opens the port raw at the baud rate (open_serial); false with `error` set when it cannot.
  bool open(bool read_write, std::string& error);
  // Queues a frame; dropped when the port is closed. A write that fails closes the port and
  // leaves its error in `failed`.
  void send(std::vector<std::uint8_t> bytes);
  void close();  // a read or write under way completes with operation_aborted

  const std::string device;
  const int baud;
  boost::asio::serial_port port;
  std::string failed;  // the last write's error, until the owner takes it

 private:
  void write_next();
  std::deque<std::vector<std::uint8_t>> out_;
  bool writing_ = false;
};

}  // namespace hallq::display
