// hallq-display: a display node — the LED screens over the windows, the hall screen and the
// Mandarin voice that calls the numbers (issue 6).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <functional>
#include <iostream>
#include <string>

#include "hallq/common/log.hpp"
#include "hallq/common/service.hpp"
#include "hallq/common/web_files.hpp"
#include "hallq/display/node.hpp"
#include "hallq/escpos/render.hpp"
#include "hallq/link/controller_client.hpp"

using namespace hallq;
using namespace hallq::display;

namespace {

constexpr const char* kUsage = R"(Usage: hallq-display --config FILE [--controller URL] [--controller-pin PIN] [--out DIR]
                     [--log-level LEVEL]
       hallq-display --check-config FILE | --version | --help

Runs one display node: the window and hall screens it drives and its voice, fed by the hall
controller's event stream. --out DIR switches every screen to its simulator and writes into
DIR one PNG per screen (window-<n>.png, hall.png, rewritten on each change) and one WAV per
announcement (voice-<serial>-<number>-w<window>.wav). Options override the config file.
)";

int usage_error(const std::string& m) {
  std::cerr << "hallq-display: " << m << "\n" << kUsage;
  return 2;
}

// The clips: the config's, else installed next to the binary (share/hallq/voice).
std::string find_clips(const DisplayConfig& c, const char* argv0) {
  return c.voice.clips.empty() ? installed_share_dir("voice", argv0) : c.voice.clips;
}

std::optional<std::string> make_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return dir + ": " + ec.message();
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, controller, controller_pin, out, check, log_level = "info";
  bool pin_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "hallq-display: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") config_path = value();
    else if (a == "--controller") controller = value();
    else if (a == "--controller-pin") controller_pin = value(), pin_given = true;
    else if (a == "--out") out = value();
    else if (a == "--log-level") log_level = value();
    else if (a == "--check-config") check = value();
    else if (a == "--version") {
      std::cout << "hallq-display " << HALLQ_VERSION << "\n";
      return 0;
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      return usage_error("unknown argument '" + a + "'");
    }
  }
  set_log_level(log_level);
  if (!check.empty()) {
    auto c = load_display_config(check);
    if (!c) {
      std::cerr << c.error().to_string() << "\n";
      return 1;
    }
    std::cout << check << ": OK (display " << c->id << ", " << c->screens.size() << " screen(s), voice "
              << c->voice.output << (c->keypads ? ", keypads on " + c->keypads->device : std::string())
              << ", " << c->evaluators.size() << " evaluator(s))\n";
    return 0;
  }
  if (config_path.empty()) return usage_error("--config is required");
  auto loaded = load_display_config(config_path);
  if (!loaded) {
    std::cerr << loaded.error().to_string() << "\n";
    return 1;
  }
  DisplayConfig config = std::move(*loaded);
  if (!controller.empty()) config.controller = controller;
  if (pin_given) config.controller_pin = controller_pin;
  if (!controller.empty() || pin_given)
    if (auto u = link::parse_controller_url(config.controller, config.controller_pin); !u) return usage_error(u.error());
  if (!out.empty()) redirect_to_simulators(config, out);
  auto log = logger("display");

  auto font = escpos::BitmapFont::load_unifont_hex(config.font);
  if (!font) {
    log->error("font {}: {}", config.font, font.error());
    return 1;
  }
  std::vector<std::unique_ptr<DisplaySink>> sinks;
  for (const auto& s : config.screens) {
    if (s.sink.kind == SinkSpec::Kind::Png)
      if (auto e = make_dir(s.sink.target)) {
        log->error("screen output {}", *e);
        return 1;
      }
    sinks.push_back(make_sink(s, *font));
  }
  std::unique_ptr<Announcer> voice;
  if (config.voice.output != "none") {
    const std::string dir = find_clips(config, argv[0]);
    auto clips = ClipSet::load(dir);
    if (!clips) {
      log->error("voice clips {}: {}", dir, clips.error());
      return 1;
    }
    std::unique_ptr<AudioOutput> audio;
    if (config.voice.output == "alsa") {
      audio = make_alsa_output(config.voice.device);
    } else {
      const std::string wav_dir = config.voice.output.substr(4);
      if (auto e = make_dir(wav_dir)) {
        log->error("voice output {}", *e);
        return 1;
      }
      audio = make_wav_output(wav_dir);
    }
    log->info("voice: {} ({} clips from {})", audio->describe(), clips->clips().size(), dir);
    voice = std::make_unique<Announcer>(std::move(*clips), config.voice.options, std::move(audio));
  }
  const std::string id = config.id;
  const size_t screens = config.screens.size();
  DisplayNode node(std::move(config), std::move(sinks), std::move(voice));
  if (auto err = node.start()) {
    log->error("{}", *err);
    return 1;
  }
  std::cout << "hallq-display " << id << " running " << screens << " screen(s)" << std::endl;

  boost::asio::io_context io(1);
  ServiceNotifier notifier;
  notifier.ready("display " + id);
  boost::asio::steady_timer watchdog(io);
  std::function<void()> ping = [&] {
    notifier.watchdog_ping();
    std::string status = node.live() ? "live" : node.online() ? "controller reachable, event stream down" : "controller unreachable";
    if (const size_t q = node.voice_queued(); q > 1) status += "; " + std::to_string(q) + " calls queued for the voice";
    if (auto k = node.keypad_stats(); k && k->keys)
      status += "; keypads: " + std::to_string(k->keys) + " keys, " + std::to_string(k->refused) + " refused";
    notifier.status(status);
    watchdog.expires_after(notifier.watchdog_interval() ? *notifier.watchdog_interval() / 2 : std::chrono::seconds(10));
    watchdog.async_wait([&](boost::system::error_code ec) {
      if (!ec) ping();
    });
  };
  ping();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    notifier.stopping();
    watchdog.cancel();
    io.stop();
  });
  io.run();
  node.stop();
  return 0;
}
