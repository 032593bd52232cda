// hallq-display: a display node — the LED screens over the windows, the hall screen and the
// Mandarin voice that calls the numbers (issue 6).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <functional>
#include <iostream>
#include <string>

#include "hallq/common/expected.hpp"
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

// The command line.
struct Options {
  std::string config_path, controller, controller_pin, out, check, log_level = "info";
  bool pin_given = false;
};

// The options, or the exit code when the command line asks for nothing more (--version,
// --help) or is wrong.
Expected<Options, int> parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "hallq-display: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") o.config_path = value();
    else if (a == "--controller") o.controller = value();
    else if (a == "--controller-pin") o.controller_pin = value(), o.pin_given = true;
    else if (a == "--out") o.out = value();
    else if (a == "--log-level") o.log_level = value();
    else if (a == "--check-config") o.check = value();
    else if (a == "--version") {
      std::cout << "hallq-display " << HALLQ_VERSION << "\n";
      return unexpected(0);
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return unexpected(0);
    } else {
      return unexpected(usage_error("unknown argument '" + a + "'"));
    }
  }
  return o;
}

// --check-config: loads the file and says what it holds.
int check_config(const std::string& path) {
  auto c = load_display_config(path);
  if (!c) {
    std::cerr << c.error().to_string() << "\n";
    return 1;
  }
  std::cout << path << ": OK (display " << c->id << ", " << c->screens.size() << " screen(s), voice "
            << c->voice.output << (c->keypads ? ", keypads on " + c->keypads->device : std::string())
            << ", " << c->evaluators.size() << " evaluator(s))\n";
  return 0;
}

// The config file with the command line's overrides, or the exit code.
Expected<DisplayConfig, int> load_config(const Options& o) {
  if (o.config_path.empty()) return unexpected(usage_error("--config is required"));
  auto loaded = load_display_config(o.config_path);
  if (!loaded) {
    std::cerr << loaded.error().to_string() << "\n";
    return unexpected(1);
  }
  DisplayConfig config = std::move(*loaded);
  if (!o.controller.empty()) config.controller = o.controller;
  if (o.pin_given) config.controller_pin = o.controller_pin;
  if (!o.controller.empty() || o.pin_given)
    if (auto u = link::parse_controller_url(config.controller, config.controller_pin); !u)
      return unexpected(usage_error(u.error()));
  if (!o.out.empty()) redirect_to_simulators(config, o.out);
  return config;
}

// One sink per screen; an error text if a simulated screen's folder cannot be made.
Expected<std::vector<std::unique_ptr<DisplaySink>>, std::string> make_sinks(const DisplayConfig& config,
                                                                            const escpos::BitmapFont& font,
                                                                            boost::asio::any_io_executor ex) {
  std::vector<std::unique_ptr<DisplaySink>> sinks;
  for (const auto& s : config.screens) {
    if (s.sink.kind == SinkSpec::Kind::Png)
      if (auto e = make_dir(s.sink.target)) return unexpected("screen output " + *e);
    sinks.push_back(make_sink(s, font, ex));
  }
  return sinks;
}

// The voice: null when the node has none; an error text if its clips or output cannot be had.
Expected<std::unique_ptr<Announcer>, std::string> make_voice(const DisplayConfig& config, const char* argv0) {
  if (config.voice.output == "none") return std::unique_ptr<Announcer>();
  const std::string dir = find_clips(config, argv0);
  auto clips = ClipSet::load(dir);
  if (!clips) return unexpected("voice clips " + dir + ": " + clips.error());
  std::unique_ptr<AudioOutput> audio;
  if (config.voice.output == "alsa") {
    audio = make_alsa_output(config.voice.device);
  } else {
    const std::string wav_dir = config.voice.output.substr(4);
    if (auto e = make_dir(wav_dir)) return unexpected("voice output " + *e);
    audio = make_wav_output(wav_dir);
  }
  logger("display")->info("voice: {} ({} clips from {})", audio->describe(), clips->clips().size(), dir);
  return std::make_unique<Announcer>(std::move(*clips), config.voice.options, std::move(audio));
}

// The node with its screens and voice; an error text if one of them cannot be made. The
// screens draw with `font`, which must outlive the node; serial screen buses write on `ex`.
Expected<std::unique_ptr<DisplayNode>, std::string> make_node(DisplayConfig config, const escpos::BitmapFont& font,
                                                              boost::asio::any_io_executor ex, const char* argv0) {
  auto sinks = make_sinks(config, font, ex);
  if (!sinks) return unexpected(sinks.error());
  auto voice = make_voice(config, argv0);
  if (!voice) return unexpected(voice.error());
  return std::make_unique<DisplayNode>(std::move(config), std::move(*sinks), std::move(*voice));
}

// Runs until SIGINT or SIGTERM, telling systemd how the node is doing.
void serve(boost::asio::io_context& io, DisplayNode& node, const std::string& id) {
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
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_args(argc, argv);
  if (!options) return options.error();
  set_log_level(options->log_level);
  if (!options->check.empty()) return check_config(options->check);
  auto config = load_config(*options);
  if (!config) return config.error();
  const std::string id = config->id;
  const size_t screens = config->screens.size();
  auto font = escpos::BitmapFont::load_unifont_hex(config->font);
  if (!font) {
    logger("display")->error("font {}: {}", config->font, font.error());
    return 1;
  }
  boost::asio::io_context io(1);  // the node's inputs are read on it
  auto node = make_node(std::move(*config), *font, io.get_executor(), argv[0]);  // declared after the font and io: destroyed first
  if (!node) {
    logger("display")->error("{}", node.error());
    return 1;
  }
  if (auto err = (*node)->start(io.get_executor())) {
    logger("display")->error("{}", *err);
    return 1;
  }
  std::cout << "hallq-display " << id << " running " << screens << " screen(s)" << std::endl;
  serve(io, **node, id);
  (*node)->stop();
  return 0;
}
