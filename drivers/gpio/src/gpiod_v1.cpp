// ButtonLines on libgpiod 1 (Debian 12): one request and one event fd per line.
#include <gpiod.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

#include "hallq/gpio/lines.hpp"

namespace hallq::gpio {
namespace {

std::string why(const LinesRequest& r, const std::string& what) {
  return r.chip + ": " + what + ": " + std::strerror(errno);
}

class GpiodV1Lines final : public ButtonLines {
 public:
  ~GpiodV1Lines() override {
    for (auto* l : inputs_) ::gpiod_line_release(l);
    if (output_) {
      ::gpiod_line_set_value(output_, 0);
      ::gpiod_line_release(output_);
    }
    if (chip_) ::gpiod_chip_close(chip_);
  }

  Expected<bool, std::string> open(const LinesRequest& r) {
    errno = 0;
    chip_ = ::gpiod_chip_open(r.chip.c_str());
    if (!chip_) return unexpected(why(r, "cannot open the GPIO chip"));
    for (int offset : r.inputs) {
      gpiod_line* l = ::gpiod_chip_get_line(chip_, static_cast<unsigned>(offset));
      if (!l) return unexpected(why(r, "no line " + std::to_string(offset)));
      int flags = GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW | GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
      if (::gpiod_line_request_both_edges_events_flags(l, r.consumer.c_str(), flags) != 0)
        return unexpected(why(r, "line " + std::to_string(offset)));
      inputs_.push_back(l);
      offsets_.push_back(offset);
    }
    if (r.output) {
      output_ = ::gpiod_chip_get_line(chip_, static_cast<unsigned>(*r.output));
      if (!output_) return unexpected(why(r, "no LED line " + std::to_string(*r.output)));
      if (::gpiod_line_request_output(output_, r.consumer.c_str(), 0) != 0) {
        output_ = nullptr;
        return unexpected(why(r, "LED line " + std::to_string(*r.output)));
      }
    }
    for (auto* l : inputs_) fds_.push_back(pollfd{::gpiod_line_event_get_fd(l), POLLIN, 0});
    chip_name_ = r.chip;
    return true;
  }

  Expected<std::vector<LineLevel>, std::string> wait(std::chrono::milliseconds timeout) override {
    std::vector<LineLevel> out;
    int n = ::poll(fds_.data(), fds_.size(), static_cast<int>(timeout.count()));
    if (n < 0 && errno != EINTR) return unexpected(chip_name_ + ": poll: " + std::strerror(errno));
    for (size_t i = 0; n > 0 && i < fds_.size(); ++i) {
      if (!(fds_[i].revents & POLLIN)) continue;
      gpiod_line_event ev{};
      if (::gpiod_line_event_read(inputs_[i], &ev) != 0)
        return unexpected(chip_name_ + ": line " + std::to_string(offsets_[i]) + ": " + std::strerror(errno));
      int v = ::gpiod_line_get_value(inputs_[i]);
      if (v < 0) return unexpected(chip_name_ + ": line " + std::to_string(offsets_[i]) + ": " + std::strerror(errno));
      out.push_back(LineLevel{offsets_[i], v == 1});
    }
    return out;
  }

  void set_output(bool on) override {
    if (output_) ::gpiod_line_set_value(output_, on ? 1 : 0);
  }

 private:
  gpiod_chip* chip_ = nullptr;
  gpiod_line* output_ = nullptr;
  std::vector<gpiod_line*> inputs_;
  std::vector<int> offsets_;
  std::vector<pollfd> fds_;
  std::string chip_name_;
};

}  // namespace

Expected<std::unique_ptr<ButtonLines>, std::string> open_button_lines(const LinesRequest& request) {
  auto lines = std::make_unique<GpiodV1Lines>();
  if (auto ok = lines->open(request); !ok) return unexpected(ok.error());
  return std::unique_ptr<ButtonLines>(std::move(lines));
}

std::string library_version() { return std::string("libgpiod ") + ::gpiod_version_string(); }

}  // namespace hallq::gpio
