#include "hallq/display/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include <linux/input-event-codes.h>

#include "hallq/common/toml_reader.hpp"
#include "hallq/link/controller_client.hpp"

namespace hallq::display {

bool ScreenConfig::shows(int window) const {
  return kind == Kind::Window &&
         (all_windows || std::find(windows.begin(), windows.end(), window) != windows.end());
}

bool KeypadsConfig::carries(int window) const {
  return all_windows || std::find(windows.begin(), windows.end(), window) != windows.end();
}

int EvaluatorConfig::level_of(int key) const {
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return 5 - static_cast<int>(i);
  return 0;
}

bool VoiceConfig::says(int window) const {
  return all_windows || std::find(windows.begin(), windows.end(), window) != windows.end();
}

Expected<SinkSpec, std::string> parse_sink(const std::string& spec) {
  SinkSpec s;
  auto colon = spec.find(':');
  if (colon == std::string::npos || colon + 1 == spec.size())
    return unexpected("expected png:DIR, ft:HOST[:PORT], rs485:DEV[@BAUD] or bx:DEV[@BAUD], got \"" + spec + "\"");
  const std::string kind = spec.substr(0, colon);
  s.target = spec.substr(colon + 1);
  if (kind == "png") {
    s.kind = SinkSpec::Kind::Png;
  } else if (kind == "ft") {
    s.kind = SinkSpec::Kind::FlaschenTaschen;
    if (s.target.find(':') == std::string::npos) s.target += ":1337";
    if (!valid_listen(s.target)) return unexpected("expected ft:HOST[:PORT], got \"" + spec + "\"");
  } else if (kind == "rs485" || kind == "bx") {
    s.kind = kind == "bx" ? SinkSpec::Kind::OnbonBx : SinkSpec::Kind::Rs485Text;
    if (kind == "bx") s.baud = 57600;
    if (auto at = s.target.rfind('@'); at != std::string::npos) {
      const std::string b = s.target.substr(at + 1);
      s.target.resize(at);
      static const std::set<int> rates{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
      int baud = 0;
      auto [p, ec] = std::from_chars(b.data(), b.data() + b.size(), baud);
      if (ec != std::errc() || p != b.data() + b.size() || !rates.count(baud))
        return unexpected("baud rate must be one of 1200 2400 4800 9600 19200 38400 57600 115200, got \"" + b + "\"");
      s.baud = baud;
    }
    if (s.target.empty() || s.target[0] != '/') return unexpected("expected " + kind + ":/dev/ttyX[@BAUD], got \"" + spec + "\"");
  } else {
    return unexpected("unknown sink \"" + kind + "\": expected png, ft, rs485 or bx");
  }
  return s;
}

namespace {

// "AA", "AA 55", "" → bytes.
std::optional<std::vector<std::uint8_t>> parse_hex_bytes(std::string_view s) {
  std::vector<std::uint8_t> out;
  std::string digits;
  for (char c : s) {
    if (c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += c;
  }
  if (digits.size() % 2) return std::nullopt;
  for (size_t i = 0; i < digits.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

class Reader : public TomlReader {
 public:
  using TomlReader::TomlReader;

  DisplayConfig read(const toml::table& root) const {
    check_keys(root, "", {"display", "voice", "screen", "keypads", "evaluator"});
    DisplayConfig c;
    const toml::table& d = require_table(root, "display", "");
    const std::string p = "display";
    check_keys(d, p, {"id", "token", "controller", "controller_pin", "font", "recent_calls", "poll_s", "notice_s", "state_file",
                      "late_call_s"});
    c.id = req_string(d, "id", p);
    if (!valid_id(c.id)) fail(line_of(*d.get("id")), "display.id", "expected 1..32 of a-z 0-9 _ -, got \"" + c.id + "\"");
    c.token = req_string(d, "token", p);
    if (c.token.size() < 8) fail(line_of(*d.get("token")), "display.token", "expected the device token (8 characters or more)");
    if (const toml::node* n = d.get("controller")) c.controller = as_string(*n, "display.controller");
    if (const toml::node* n = d.get("controller_pin")) c.controller_pin = as_string(*n, "display.controller_pin");
    if (auto u = link::parse_controller_url(c.controller, c.controller_pin); !u) {
      const toml::node* n = d.get("controller_pin") && !c.controller_pin.empty() ? d.get("controller_pin") : d.get("controller");
      fail(n ? line_of(*n) : line_of(d), "display.controller", u.error());
    }
    c.font = opt_string(d, "font", p, c.font);
    c.recent_calls = opt_int(d, "recent_calls", p, 1, 20, c.recent_calls);
    c.poll_s = opt_int(d, "poll_s", p, 1, 60, c.poll_s);
    c.notice_s = opt_int(d, "notice_s", p, 1, 120, c.notice_s);
    c.state_file = opt_string(d, "state_file", p, c.state_file);
    if (!c.state_file.empty() && c.state_file[0] != '/')
      fail(line_of(*d.get("state_file")), "display.state_file", "expected an absolute path, or \"\" to keep no state");
    c.late_call_s = opt_int(d, "late_call_s", p, 0, 3600, c.late_call_s);

    if (const toml::table* v = opt_table(root, "voice", "")) {
      const std::string q = "voice";
      check_keys(*v, q, {"output", "device", "clips", "windows", "volume", "pace", "repeat", "repeat_gap_ms"});
      if (const toml::node* n = v->get("output")) {
        c.voice.output = as_string(*n, "voice.output");
        const std::string& o = c.voice.output;
        if (o != "alsa" && o != "none" && !(o.starts_with("wav:") && o.size() > 4))
          fail(line_of(*n), "voice.output", "expected \"alsa\", \"wav:DIR\" or \"none\", got \"" + o + "\"");
      }
      c.voice.device = opt_string(*v, "device", q, c.voice.device);
      c.voice.clips = opt_string(*v, "clips", q, c.voice.clips);
      read_windows(*v, q, c.voice.all_windows, c.voice.windows);
      c.voice.options.volume = opt_double(*v, "volume", q, 0.1, 4.0, c.voice.options.volume);
      c.voice.options.pace = opt_double(*v, "pace", q, 0.5, 3.0, c.voice.options.pace);
      c.voice.options.repeat = opt_int(*v, "repeat", q, 1, 5, c.voice.options.repeat);
      c.voice.options.repeat_gap_ms = opt_int(*v, "repeat_gap_ms", q, 0, 5000, c.voice.options.repeat_gap_ms);
    }

    for_each_table(root, "screen", "", false, [&](const toml::table& s, const std::string& key) {
      check_keys(s, key, {"kind", "windows", "sink", "width", "height", "address_offset", "frame_prefix",
                          "frame_suffix", "checksum", "charset", "blink_s", "scroll_speed"});
      ScreenConfig sc;
      const std::string kind = req_string(s, "kind", key);
      if (kind == "window") sc.kind = ScreenConfig::Kind::Window;
      else if (kind == "hall") sc.kind = ScreenConfig::Kind::Hall;
      else fail(line_of(*s.get("kind")), key + ".kind", "expected \"window\" or \"hall\", got \"" + kind + "\"");
      if (sc.kind == ScreenConfig::Kind::Hall) {
        if (s.get("windows")) fail(line_of(*s.get("windows")), key + ".windows", "only window screens have windows");
        sc.width = 256;
        sc.height = 128;
      } else {
        read_windows(s, key, sc.all_windows, sc.windows);
      }
      const toml::node& sn = require(s, "sink", key);
      auto sink = parse_sink(as_string(sn, key + ".sink"));
      if (!sink) fail(line_of(sn), key + ".sink", sink.error());
      sc.sink = *sink;
      if (sc.sink.kind == SinkSpec::Kind::FlaschenTaschen && sc.kind == ScreenConfig::Kind::Window &&
          (sc.all_windows || sc.windows.size() != 1))
        fail(line_of(sn), key + ".sink", "a Flaschen-Taschen panel shows one window: give windows = [N]");
      if ((sc.sink.kind == SinkSpec::Kind::Rs485Text || sc.sink.kind == SinkSpec::Kind::OnbonBx) &&
          sc.kind == ScreenConfig::Kind::Hall)
        fail(line_of(sn), key + ".sink", "the hall screen is a pixel panel: png or ft");
      sc.width = opt_int(s, "width", key, 16, 1024, sc.width);
      sc.height = opt_int(s, "height", key, 16, 512, sc.height);
      sc.address_offset = opt_int(s, "address_offset", key, -999, 255, sc.address_offset);
      sc.blink_ms = 1000 * opt_int(s, "blink_s", key, 0, 60, sc.blink_ms / 1000);
      sc.scroll_dps = opt_int(s, "scroll_speed", key, 0, 200, sc.scroll_dps);
      for (const char* k : {"frame_prefix", "frame_suffix"}) {
        if (const toml::node* n = s.get(k)) {
          auto bytes = parse_hex_bytes(as_string(*n, key + "." + k));
          if (!bytes || bytes->size() > 8)
            fail(line_of(*n), key + "." + k, "expected up to 8 bytes in hex, e.g. \"AA\" or \"AA 55\"");
          (std::string_view(k) == "frame_prefix" ? sc.frame.prefix : sc.frame.suffix) = *bytes;
        }
      }
      if (sc.frame.prefix.empty()) fail(line_of(s), key + ".frame_prefix", "a frame needs a prefix to be found on the bus");
      if (const toml::node* n = s.get("checksum")) {
        auto cs = parse_checksum(as_string(*n, key + ".checksum"));
        if (!cs) fail(line_of(*n), key + ".checksum", cs.error());
        sc.frame.checksum = *cs;
      }
      if (const toml::node* n = s.get("charset")) {
        sc.frame.charset = as_string(*n, key + ".charset");
        if (sc.frame.charset != "GB18030" && sc.frame.charset != "GB2312")
          fail(line_of(*n), key + ".charset", "expected \"GB18030\" or \"GB2312\", got \"" + sc.frame.charset + "\"");
      }
      if (sc.sink.kind == SinkSpec::Kind::Rs485Text) {
        for (int w : sc.windows)
          if (w + sc.address_offset < 0 || w + sc.address_offset > 255)
            fail(line_of(s), key + ".address_offset", "window " + std::to_string(w) + " has no bus address 0..255");
      }
      if (sc.sink.kind == SinkSpec::Kind::OnbonBx) {
        for (int w : sc.windows)
          if (w + sc.address_offset < 1)
            fail(line_of(s), key + ".address_offset", "window " + std::to_string(w) + " has no screen address 1..65535");
      }
      c.screens.push_back(std::move(sc));
    });
    if (c.screens.empty()) fail(0, "screen", "a display node drives at least one [[screen]]");
    read_inputs(root, c);
    return c;
  }

 private:
  void read_inputs(const toml::table& root, DisplayConfig& c) const {
    if (const toml::table* k = opt_table(root, "keypads", "")) {
      const std::string p = "keypads";
      check_keys(*k, p, {"device", "baud", "address_offset", "windows", "checksum", "transfer_service",
                         "transfer_window", "pause_reason"});
      KeypadsConfig kc;
      const toml::node& dn = require(*k, "device", p);
      kc.device = as_string(dn, "keypads.device");
      if (kc.device.empty() || kc.device[0] != '/') fail(line_of(dn), "keypads.device", "expected a serial device, /dev/ttyX");
      if (const toml::node* n = k->get("baud")) {
        kc.baud = as_int(*n, "keypads.baud", 1200, 115200);
        static const std::set<int> rates{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
        if (!rates.count(kc.baud)) fail(line_of(*n), "keypads.baud", "expected one of 1200 2400 4800 9600 19200 38400 57600 115200");
      }
      kc.address_offset = opt_int(*k, "address_offset", p, -999, 255, kc.address_offset);
      read_windows(*k, p, kc.all_windows, kc.windows);
      if (const toml::node* n = k->get("checksum")) {
        const std::string cs = as_string(*n, "keypads.checksum");
        if (cs == "sum8") kc.checksum = KeypadChecksum::Sum8;
        else if (cs == "none") kc.checksum = KeypadChecksum::None;
        else fail(line_of(*n), "keypads.checksum", "expected \"sum8\" or \"none\", got \"" + cs + "\"");
      }
      kc.transfer_service = opt_string(*k, "transfer_service", p, "");
      if (!kc.transfer_service.empty() && !valid_id(kc.transfer_service))
        fail(line_of(*k->get("transfer_service")), "keypads.transfer_service", "expected a service id");
      kc.transfer_window = opt_int(*k, "transfer_window", p, 0, 999, 0);
      if (!kc.transfer_service.empty() && kc.transfer_window)
        fail(line_of(*k->get("transfer_window")), "keypads.transfer_window", "give transfer_service or transfer_window, not both");
      kc.pause_reason = opt_string(*k, "pause_reason", p, kc.pause_reason);
      if (kc.pause_reason.empty() || kc.pause_reason.size() > 200)
        fail(line_of(*k), "keypads.pause_reason", "expected 1..200 bytes");
      for (int w : kc.windows)
        if (w + kc.address_offset < 0 || w + kc.address_offset > 255)
          fail(line_of(*k), "keypads.address_offset", "window " + std::to_string(w) + " has no bus address 0..255");
      c.keypads = std::move(kc);
    }
    std::set<int> seen;
    for_each_table(root, "evaluator", "", false, [&](const toml::table& e, const std::string& key) {
      check_keys(e, key, {"window", "device", "bus_address", "keys"});
      EvaluatorConfig ec;
      const toml::node& wn = require(e, "window", key);
      ec.window = as_int(wn, key + ".window", 1, 999);
      if (!seen.insert(ec.window).second) fail(line_of(wn), key + ".window", "one evaluator per window");
      const toml::node* dev = e.get("device");
      const toml::node* addr = e.get("bus_address");
      if (!dev == !addr) fail(line_of(e), key, "give device (evdev) or bus_address (on the [keypads] bus)");
      if (dev) {
        ec.device = as_string(*dev, key + ".device");
        if (ec.device.empty() || ec.device[0] != '/') fail(line_of(*dev), key + ".device", "expected an input device, /dev/input/...");
        ec.keys = {KEY_1, KEY_2, KEY_3, KEY_4, KEY_5};
      } else {
        if (!c.keypads) fail(line_of(*addr), key + ".bus_address", "no [keypads] bus to listen on");
        ec.bus_address = as_int(*addr, key + ".bus_address", 0, 255);
        // With windows = "all" the bus takes an evaluator's address as the evaluator's first.
        const int w = ec.bus_address - c.keypads->address_offset;
        if (!c.keypads->all_windows && c.keypads->carries(w))
          fail(line_of(*addr), key + ".bus_address", "that is the keypad of window " + std::to_string(w));
        ec.keys = {1, 2, 3, 4, 5};
      }
      if (const toml::node* kn = e.get("keys")) {
        const toml::array* a = kn->as_array();
        if (!a || a->size() != 5) fail(line_of(*kn), key + ".keys", "expected 5 keys, 非常满意 first");
        for (std::size_t i = 0; i < 5; ++i) {
          const toml::node& x = *a->get(i);
          int code = -1;
          if (x.is_string()) code = evdev_key(x.as_string()->get());
          else if (x.is_integer()) code = as_int(x, index_key(key + ".keys", i), 0, 767);
          if (code < 0) fail(line_of(x), index_key(key + ".keys", i), "expected a key code or a name such as \"KEY_1\", \"KEY_KP1\", \"KEY_F1\"");
          for (std::size_t j = 0; j < i; ++j)
            if (ec.keys[j] == code) fail(line_of(x), index_key(key + ".keys", i), "key used twice");
          ec.keys[i] = code;
        }
      }
      c.evaluators.push_back(std::move(ec));
    });
  }

  // The evdev names an evaluator's keys usually have.
  static int evdev_key(const std::string& name) {
    static const std::pair<const char*, int> names[] = {
        {"KEY_1", KEY_1},     {"KEY_2", KEY_2},     {"KEY_3", KEY_3},     {"KEY_4", KEY_4},     {"KEY_5", KEY_5},
        {"KEY_KP1", KEY_KP1}, {"KEY_KP2", KEY_KP2}, {"KEY_KP3", KEY_KP3}, {"KEY_KP4", KEY_KP4}, {"KEY_KP5", KEY_KP5},
        {"KEY_F1", KEY_F1},   {"KEY_F2", KEY_F2},   {"KEY_F3", KEY_F3},   {"KEY_F4", KEY_F4},   {"KEY_F5", KEY_F5},
        {"KEY_A", KEY_A},     {"KEY_B", KEY_B},     {"KEY_C", KEY_C},     {"KEY_D", KEY_D},     {"KEY_E", KEY_E}};
    for (const auto& [n, code] : names)
      if (name == n) return code;
    return -1;
  }

  // windows = "all" | [1, 2, 3]
  void read_windows(const toml::table& t, const std::string& path, bool& all, std::vector<int>& out) const {
    const toml::node* n = t.get("windows");
    if (!n) return;
    const std::string k = path + ".windows";
    if (n->is_string()) {
      if (n->as_string()->get() != "all") fail(line_of(*n), k, "expected \"all\" or a list of window numbers");
      all = true;
      return;
    }
    if (!n->is_array()) fail_type(*n, k, "\"all\" or a list of window numbers");
    all = false;
    const toml::array& a = *n->as_array();
    if (a.empty()) fail(line_of(*n), k, "expected at least one window number");
    for (std::size_t i = 0; i < a.size(); ++i) {
      int w = as_int(*a.get(i), index_key(k, i), 1, 999);
      if (std::find(out.begin(), out.end(), w) != out.end()) fail(line_of(*a.get(i)), index_key(k, i), "window listed twice");
      out.push_back(w);
    }
  }

  double opt_double(const toml::table& t, std::string_view key, const std::string& path, double lo, double hi,
                    double def) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    const std::string k = join_key(path, key);
    double v = 0;
    if (n->is_floating_point()) v = n->as_floating_point()->get();
    else if (n->is_integer()) v = static_cast<double>(n->as_integer()->get());
    else fail_type(*n, k, "a number");
    if (!(v >= lo && v <= hi))
      fail(line_of(*n), k, "expected a number from " + std::to_string(lo).substr(0, 4) + " to " + std::to_string(hi).substr(0, 4));
    return v;
  }
};

}  // namespace

Expected<DisplayConfig, ConfigError> parse_display_config(std::string_view text, const std::string& source) {
  return read_toml<DisplayConfig>(text, source, [&](const toml::table& root) { return Reader(source).read(root); });
}

Expected<DisplayConfig, ConfigError> load_display_config(const std::string& path) {
  auto text = read_config_file(path);
  if (!text) return unexpected(text.error());
  return parse_display_config(*text, path);
}

void redirect_to_simulators(DisplayConfig& c, const std::string& dir) {
  for (auto& s : c.screens) {
    s.sink.kind = SinkSpec::Kind::Png;
    s.sink.target = dir;
  }
  c.voice.output = "wav:" + dir;
  c.state_file = dir + "/display.seq";
}

}  // namespace hallq::display
