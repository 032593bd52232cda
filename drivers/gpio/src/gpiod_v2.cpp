// ButtonLines on libgpiod 2 (Debian 13): one request for every line, one fd for all their
// edge events, the LED's line in the same request with its own settings.
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

// libgpiod 2's configuration objects, freed when the request is made or refused.
struct Settings {
  gpiod_line_settings* in = ::gpiod_line_settings_new();
  gpiod_line_settings* out = ::gpiod_line_settings_new();
  gpiod_line_config* lines = ::gpiod_line_config_new();
  gpiod_request_config* request = ::gpiod_request_config_new();
  ~Settings() {
    ::gpiod_request_config_free(request);
    ::gpiod_line_config_free(lines);
    ::gpiod_line_settings_free(out);
    ::gpiod_line_settings_free(in);
  }
  bool valid() const { return in && out && lines && request; }
};

class GpiodV2Lines final : public ButtonLines {
 public:
  ~GpiodV2Lines() override {
    if (request_) {
      if (output_) ::gpiod_line_request_set_value(request_, static_cast<unsigned>(*output_), GPIOD_LINE_VALUE_INACTIVE);
      ::gpiod_line_request_release(request_);
    }
    if (events_) ::gpiod_edge_event_buffer_free(events_);
    if (chip_) ::gpiod_chip_close(chip_);
  }

  Expected<bool, std::string> open(const LinesRequest& r) {
    chip_name_ = r.chip;
    errno = 0;
    chip_ = ::gpiod_chip_open(r.chip.c_str());
    if (!chip_) return unexpected(why(r, "cannot open the GPIO chip"));
    Settings s;
    events_ = ::gpiod_edge_event_buffer_new(64);
    if (!s.valid() || !events_) return unexpected(why(r, "libgpiod"));
    ::gpiod_line_settings_set_direction(s.in, GPIOD_LINE_DIRECTION_INPUT);
    ::gpiod_line_settings_set_edge_detection(s.in, GPIOD_LINE_EDGE_BOTH);
    ::gpiod_line_settings_set_bias(s.in, GPIOD_LINE_BIAS_PULL_UP);
    ::gpiod_line_settings_set_active_low(s.in, true);
    std::vector<unsigned> offsets(r.inputs.begin(), r.inputs.end());
    if (!offsets.empty() && ::gpiod_line_config_add_line_settings(s.lines, offsets.data(), offsets.size(), s.in) != 0)
      return unexpected(why(r, "input lines"));
    if (r.output) {
      ::gpiod_line_settings_set_direction(s.out, GPIOD_LINE_DIRECTION_OUTPUT);
      ::gpiod_line_settings_set_output_value(s.out, GPIOD_LINE_VALUE_INACTIVE);
      unsigned led = static_cast<unsigned>(*r.output);
      if (::gpiod_line_config_add_line_settings(s.lines, &led, 1, s.out) != 0)
        return unexpected(why(r, "LED line " + std::to_string(*r.output)));
      output_ = *r.output;
    }
    ::gpiod_request_config_set_consumer(s.request, r.consumer.c_str());
    request_ = ::gpiod_chip_request_lines(chip_, s.request, s.lines);
    if (!request_) {
      // The kernel refuses the whole request; name the lines it was for.
      std::string what = "lines";
      for (int o : r.inputs) what += " " + std::to_string(o);
      if (r.output) what += " and LED line " + std::to_string(*r.output);
      output_.reset();
      return unexpected(why(r, what));
    }
    return true;
  }

  Expected<std::vector<LineLevel>, std::string> wait(std::chrono::milliseconds timeout) override {
    std::vector<LineLevel> out;
    pollfd p{::gpiod_line_request_get_fd(request_), POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno != EINTR) return unexpected(chip_name_ + ": poll: " + std::strerror(errno));
    if (n <= 0 || !(p.revents & POLLIN)) return out;
    int got = ::gpiod_line_request_read_edge_events(request_, events_, 64);
    if (got < 0) return unexpected(chip_name_ + ": edge events: " + std::strerror(errno));
    for (int i = 0; i < got; ++i) {
      auto* ev = ::gpiod_edge_event_buffer_get_event(events_, static_cast<unsigned long>(i));
      unsigned offset = ::gpiod_edge_event_get_line_offset(ev);
      bool seen = false;
      for (const auto& l : out) seen = seen || l.offset == static_cast<int>(offset);
      if (seen) continue;
      auto v = ::gpiod_line_request_get_value(request_, offset);
      if (v == GPIOD_LINE_VALUE_ERROR)
        return unexpected(chip_name_ + ": line " + std::to_string(offset) + ": " + std::strerror(errno));
      out.push_back(LineLevel{static_cast<int>(offset), v == GPIOD_LINE_VALUE_ACTIVE});
    }
    return out;
  }

  void set_output(bool on) override {
    if (output_)
      ::gpiod_line_request_set_value(request_, static_cast<unsigned>(*output_),
                                     on ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
  }

 private:
  gpiod_chip* chip_ = nullptr;
  gpiod_line_request* request_ = nullptr;
  gpiod_edge_event_buffer* events_ = nullptr;
  std::optional<int> output_;
  std::string chip_name_;
};

}  // namespace

Expected<std::unique_ptr<ButtonLines>, std::string> open_button_lines(const LinesRequest& request) {
  auto lines = std::make_unique<GpiodV2Lines>();
  if (auto ok = lines->open(request); !ok) return unexpected(ok.error());
  return std::unique_ptr<ButtonLines>(std::move(lines));
}

std::string library_version() { return std::string("libgpiod ") + ::gpiod_api_version(); }

}  // namespace hallq::gpio
