#pragma once
// The display node's configuration (deploy/examples/display.toml): which controller, who it is,
// the screens it drives and through which sink, and its voice. Parsed once at start into
// validated plain structs; errors name file, line and key.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "hallq/common/config.hpp"
#include "hallq/common/expected.hpp"
#include "hallq/display/keypad_bus.hpp"
#include "hallq/display/rs485_text.hpp"
#include "hallq/display/voice.hpp"

namespace hallq::display {

// Where a screen's content goes.
struct SinkSpec {
  enum class Kind { Png, FlaschenTaschen, Rs485Text, OnbonBx };
  Kind kind = Kind::Png;
  std::string target;  // png: a directory; ft: HOST:PORT; rs485, bx: a serial device
  int baud = 9600;     // rs485 (default 9600), bx (default 57600)
};
// png:DIR | ft:HOST[:PORT] (UDP, default port 1337) | rs485:DEV[@BAUD] (default 9600) |
// bx:DEV[@BAUD] (Onbon BX font-card screens, default 57600).
Expected<SinkSpec, std::string> parse_sink(const std::string& spec);

struct ScreenConfig {
  enum class Kind { Window, Hall };
  Kind kind = Kind::Window;
  bool all_windows = true;   // kind Window: every window of the hall
  std::vector<int> windows;  // else these
  SinkSpec sink;
  int width = 128, height = 32;  // pixel sinks; the hall screen defaults to 256×128
  // Flaschen-Taschen panels: a new call blinks this long; a window title wider than the
  // panel scrolls at this many dots a second (0: cut instead).
  int blink_ms = 6000;
  int scroll_dps = 24;
  // rs485: the frame template, and window n's screen has bus address n + address_offset.
  TextFrameTemplate frame;
  int address_offset = 0;
  bool shows(int window) const;
};

struct VoiceConfig {
  // "alsa" (the board's audio through ALSA), "wav:DIR" (one WAV file per announcement, for
  // tests and the demo) or "none".
  std::string output = "none";
  std::string device = "default";  // ALSA device
  std::string clips;               // "" = installed next to the binary (share/hallq/voice)
  bool all_windows = true;         // which windows' calls this node says aloud
  std::vector<int> windows;
  VoiceOptions options;
  bool says(int window) const;
};

// The bus of caller keypads (呼叫器), one per window, on an RS-485 serial port.
struct KeypadsConfig {
  std::string device;      // /dev/ttyUSB1
  int baud = 9600;
  int address_offset = 0;  // window n's keypad answers at bus address n + address_offset
  bool all_windows = true;
  std::vector<int> windows;
  KeypadChecksum checksum = KeypadChecksum::Sum8;
  // Where the 转移 key sends the ticket (R-FIRST-2: hand over, never refuse): a service id or
  // a window number; neither: the key is refused with a beep.
  std::string transfer_service;
  int transfer_window = 0;
  std::string pause_reason = "暂停服务";
  bool carries(int window) const;
};

// A window's evaluator (评价器): five keys, 非常满意 .. 非常不满意.
struct EvaluatorConfig {
  int window = 0;
  std::string device;  // evdev: a USB HID keypad, /dev/input/...
  int bus_address = -1;  // else: an evaluator on the [keypads] bus at this address
  // The key of each level, best first (非常满意, 满意, 基本满意, 不满意, 非常不满意): evdev key
  // codes, or the key byte an evaluator on the keypad bus sends.
  std::array<int, 5> keys{};
  // Level 5..1 of a key; 0 for other keys.
  int level_of(int key) const;
};

struct DisplayConfig {
  std::string id;     // the controller's device id (display-1)
  std::string token;  // its device token (secret: the config is 0640 root:hallq)
  std::string controller = "http://127.0.0.1:8080";
  std::string controller_pin;  // with https://: the controller's key pin(s) (docs/security.md "TLS on the LAN")
  std::string font = "/usr/share/unifont/unifont.hex";
  int recent_calls = 5;
  int poll_s = 3;  // snapshot reads while the event stream is down
  int notice_s = 6;  // seconds each page of the rolling notices stays on the hall screen
  // The last event seen, kept across restarts: a node that restarts resumes the event stream
  // there, so calls made while it was down are shown and said (if not older than late_call_s).
  std::string state_file = "/var/lib/hallq/display.seq";
  int late_call_s = 120;  // a call older than this when it reaches the node is shown, not said
  std::vector<ScreenConfig> screens;
  VoiceConfig voice;
  std::optional<KeypadsConfig> keypads;
  std::vector<EvaluatorConfig> evaluators;
};

Expected<DisplayConfig, ConfigError> parse_display_config(std::string_view text, const std::string& source);
Expected<DisplayConfig, ConfigError> load_display_config(const std::string& path);

// --out DIR: every screen writes PNG into DIR and the voice one WAV per announcement into DIR.
void redirect_to_simulators(DisplayConfig& c, const std::string& dir);

}  // namespace hallq::display
