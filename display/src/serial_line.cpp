#include "hallq/display/serial_line.hpp"

#include <unistd.h>

#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>

#include "hallq/display/sinks.hpp"

namespace hallq::display {
namespace asio = boost::asio;

SerialLine::SerialLine(asio::any_io_executor ex, std::string path, int speed)
    : device(std::move(path)), baud(speed), port(std::move(ex)) {}

bool SerialLine::open(bool read_write, std::string& error) {
  const int fd = open_serial(device, baud, read_write);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  boost::system::error_code ec;
  port.assign(fd, ec);  // a plain file too (tests): it never blocks
  if (ec) {
    ::close(fd);
    error = ec.message();
    return false;
  }
  return true;
}

void SerialLine::send(std::vector<std::uint8_t> bytes) {
  if (!port.is_open()) return;
  out_.push_back(std::move(bytes));
  if (!writing_) write_next();
}

void SerialLine::write_next() {
  writing_ = !out_.empty() && port.is_open();
  if (!writing_) return;
  asio::async_write(port, asio::buffer(out_.front()), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
    if (!self->out_.empty()) self->out_.pop_front();
    if (ec && ec != asio::error::operation_aborted) {
      self->failed = ec.message();
      self->close();  // reopened by the owner at its next frame
    }
    if (ec) self->out_.clear();
    self->write_next();
  });
}

void SerialLine::close() {
  boost::system::error_code ignored;
  port.close(ignored);
  out_.clear();
}

}  // namespace hallq::display
