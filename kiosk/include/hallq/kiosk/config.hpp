#pragma once
// The kiosk's own configuration (deploy/examples/kiosk.toml): which controller, who it is,
// its printer, its screen's time-outs and, in button-panel mode, its buttons. Parsed once at
// start into validated plain structs; errors name file, line and key.
#include <optional>
#include <string>
#include <vector>

#include "hallq/common/config.hpp"
#include "hallq/common/expected.hpp"

namespace hallq::kiosk {

struct PrinterConfig {
  std::string device = "tcp://127.0.0.1:9100";  // tcp://HOST:PORT | usb:DEV | serial:DEV[@BAUD] | file:PATH
  int paper = 384;          // dots: 384 (58 mm) or 576 (80 mm)
  bool cutter = true;
  bool native_qr = true;    // false: QR codes sent as raster images
  int reprint_within_s = 10;
};

struct ButtonConfig {
  int line = 0;             // GPIO line offset on the chip
  std::string service;      // the service its press issues
};

struct ButtonsConfig {
  std::string chip = "/dev/gpiochip0";
  int debounce_ms = 50;
  std::optional<int> led_line;  // lit while the kiosk issues tickets, blinking while it cannot
  std::vector<ButtonConfig> buttons;
};

struct ScannerConfig {
  std::string device;       // /dev/input/by-id/...-event-kbd; "" = no scanner
};

struct KioskConfig {
  std::string id;           // the controller's device id (kiosk-1)
  std::string token;        // its device token (secret: the config is 0640 root:hallq)
  std::string controller = "http://127.0.0.1:8080";
  std::string controller_pin;  // with https://: the controller's key pin(s) (docs/security.md "TLS on the LAN")
  std::string listen = "127.0.0.1:8090";  // the page and the local API, for Chromium on this board
  std::string mode = "touch";              // touch | buttons
  std::string language = "zh";             // zh | en: the page's language for each new citizen
  std::string data_dir = "/var/lib/hallq/kiosk";  // the ticket journal
  std::string web_dir;                     // the page's files; "" = installed next to the binary
  int idle_after_s = 60, done_after_s = 20, error_after_s = 15;
  int poll_s = 3;                          // how often the controller's hall snapshot is read
  PrinterConfig printer;
  ButtonsConfig buttons;
  ScannerConfig scanner;
};

Expected<KioskConfig, ConfigError> parse_kiosk_config(std::string_view text, const std::string& source);
Expected<KioskConfig, ConfigError> load_kiosk_config(const std::string& path);

}  // namespace hallq::kiosk
