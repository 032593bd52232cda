// hallq-kiosk: the ticket kiosk at the hall entrance (touch screen or button panel).
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <filesystem>
#include <iostream>
#include <string>

#include "daemon.hpp"
#include "hallq/common/log.hpp"
#include "hallq/common/web_files.hpp"
#include "hallq/escpos/printer.hpp"
#include "hallq/gpio/lines.hpp"

using namespace hallq;
using namespace hallq::kiosk;

namespace {

constexpr const char* kUsage = R"(Usage: hallq-kiosk --config FILE [--controller URL] [--controller-pin PIN]
                   [--printer tcp://HOST:PORT|usb:/dev/usb/lp0|serial:DEV[@BAUD]|file:PATH]
                   [--listen HOST:PORT] [--log-level LEVEL]
       hallq-kiosk --check-config FILE | --version | --help

Runs one ticket kiosk: the page for Chromium on this board (127.0.0.1), the ticket desk that
issues tickets at the hall controller and prints them so that none is lost, and the link to
the controller. Options override the config file.
)";

int usage_error(const std::string& m) {
  std::cerr << "hallq-kiosk: " << m << "\n" << kUsage;
  return 2;
}

// The page's files: the config's web_dir, else installed next to the binary.
std::string find_web_dir(const KioskConfig& c, const char* argv0) {
  return c.web_dir.empty() ? installed_share_dir("kiosk-web", argv0) : c.web_dir;
}

}  // namespace

int main(int argc, char** argv) {
  ::umask(027);  // the journal holds what citizens asked for: not readable by others
  std::string config_path, controller, controller_pin, printer, listen, check, log_level = "info";
  bool pin_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "hallq-kiosk: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") config_path = value();
    else if (a == "--controller") controller = value();
    else if (a == "--controller-pin") controller_pin = value(), pin_given = true;
    else if (a == "--printer") printer = value();
    else if (a == "--listen") listen = value();
    else if (a == "--log-level") log_level = value();
    else if (a == "--check-config") check = value();
    else if (a == "--version") {
      // The GPIO library differs per Debian release (docs/raspberry-pi.md).
      std::cout << "hallq-kiosk " << HALLQ_VERSION << " (" << gpio::library_version() << ")\n";
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
    auto c = load_kiosk_config(check);
    if (!c) {
      std::cerr << c.error().to_string() << "\n";
      return 1;
    }
    std::cout << check << ": OK (kiosk " << c->id << ", mode " << c->mode << ")\n";
    return 0;
  }
  if (config_path.empty()) return usage_error("--config is required");
  auto loaded = load_kiosk_config(config_path);
  if (!loaded) {
    std::cerr << loaded.error().to_string() << "\n";
    return 1;
  }
  KioskConfig config = std::move(*loaded);
  if (!controller.empty()) config.controller = controller;
  if (pin_given) config.controller_pin = controller_pin;
  if (!controller.empty() || pin_given)
    if (auto u = parse_controller_url(config.controller, config.controller_pin); !u) return usage_error(u.error());
  if (!printer.empty()) {
    if (auto s = escpos::parse_printer_spec(printer); !s) return usage_error(s.error());
    config.printer.device = printer;
  }
  if (!listen.empty()) config.listen = listen;

  boost::asio::io_context io(1);
  Daemon daemon(io, config, find_web_dir(config, argv[0]));
  if (auto err = daemon.start()) {
    logger("kiosk")->error("{}", *err);
    return 1;
  }
  auto ep = daemon.local_endpoint();
  std::cout << "hallq-kiosk " << config.id << " listening on http://" << ep.address().to_string() << ":" << ep.port()
            << "/" << std::endl;
  daemon.notifier().ready("kiosk " + config.id + " on " + config.listen);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    daemon.notifier().stopping();
    daemon.stop();
    io.stop();
  });
  io.run();
  return 0;
}
