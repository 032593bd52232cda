#include "hallq/kiosk/config.hpp"

#include <set>

#include "hallq/common/toml_reader.hpp"
#include "hallq/escpos/printer.hpp"
#include "hallq/link/controller_client.hpp"

namespace hallq::kiosk {
namespace {

class Reader : public TomlReader {
 public:
  using TomlReader::TomlReader;

  KioskConfig read(const toml::table& root) const {
    check_keys(root, "", {"kiosk", "printer", "screen", "buttons", "scanner"});
    KioskConfig c;
    const toml::table& k = require_table(root, "kiosk", "");
    const std::string p = "kiosk";
    check_keys(k, p, {"id", "token", "controller", "controller_pin", "listen", "mode", "language", "data_dir", "web_dir", "poll_s"});
    c.id = req_string(k, "id", p);
    if (!valid_id(c.id)) fail(line_of(*k.get("id")), "kiosk.id", "expected 1..32 of a-z 0-9 _ -, got \"" + c.id + "\"");
    c.token = req_string(k, "token", p);
    if (c.token.size() < 8) fail(line_of(*k.get("token")), "kiosk.token", "expected the device token (8 characters or more)");
    if (const toml::node* n = k.get("controller")) c.controller = as_string(*n, "kiosk.controller");
    if (const toml::node* n = k.get("controller_pin")) c.controller_pin = as_string(*n, "kiosk.controller_pin");
    if (auto u = link::parse_controller_url(c.controller, c.controller_pin); !u) {
      const toml::node* n = k.get("controller_pin") && !c.controller_pin.empty() ? k.get("controller_pin") : k.get("controller");
      fail(n ? line_of(*n) : line_of(k), "kiosk.controller", u.error());
    }
    if (const toml::node* n = k.get("listen")) {
      c.listen = as_string(*n, "kiosk.listen");
      if (!valid_listen(c.listen))
        fail(line_of(*n), "kiosk.listen", "expected HOST:PORT (e.g. \"127.0.0.1:8090\"), got \"" + c.listen + "\"");
    }
    if (const toml::node* n = k.get("mode")) {
      c.mode = as_string(*n, "kiosk.mode");
      if (c.mode != "touch" && c.mode != "buttons")
        fail(line_of(*n), "kiosk.mode", "expected \"touch\" or \"buttons\", got \"" + c.mode + "\"");
    }
    if (const toml::node* n = k.get("language")) {
      c.language = as_string(*n, "kiosk.language");
      if (c.language != "zh" && c.language != "en")
        fail(line_of(*n), "kiosk.language", "expected \"zh\" or \"en\", got \"" + c.language + "\"");
    }
    c.data_dir = opt_string(k, "data_dir", p, c.data_dir);
    if (c.data_dir.empty()) fail(line_of(*k.get("data_dir")), "kiosk.data_dir", "expected a non-empty path");
    c.web_dir = opt_string(k, "web_dir", p, c.web_dir);
    c.poll_s = opt_int(k, "poll_s", p, 1, 60, c.poll_s);

    if (const toml::table* t = opt_table(root, "printer", "")) {
      const std::string q = "printer";
      check_keys(*t, q, {"device", "paper", "cutter", "native_qr", "reprint_within_s"});
      if (const toml::node* n = t->get("device")) {
        c.printer.device = as_string(*n, "printer.device");
        if (auto s = escpos::parse_printer_spec(c.printer.device); !s) fail(line_of(*n), "printer.device", s.error());
      }
      c.printer.paper = opt_int(*t, "paper", q, 384, 576, c.printer.paper);
      if (c.printer.paper != 384 && c.printer.paper != 576)
        fail(line_of(*t->get("paper")), "printer.paper", "expected 384 (58 mm) or 576 (80 mm)");
      c.printer.cutter = opt_bool(*t, "cutter", q, c.printer.cutter);
      c.printer.native_qr = opt_bool(*t, "native_qr", q, c.printer.native_qr);
      c.printer.reprint_within_s = opt_int(*t, "reprint_within_s", q, 0, 60, c.printer.reprint_within_s);
    }
    if (const toml::table* t = opt_table(root, "screen", "")) {
      const std::string q = "screen";
      check_keys(*t, q, {"idle_after_s", "done_after_s", "error_after_s"});
      c.idle_after_s = opt_int(*t, "idle_after_s", q, 10, 600, c.idle_after_s);
      c.done_after_s = opt_int(*t, "done_after_s", q, 5, 300, c.done_after_s);
      c.error_after_s = opt_int(*t, "error_after_s", q, 5, 300, c.error_after_s);
    }
    if (const toml::table* t = opt_table(root, "buttons", "")) {
      const std::string q = "buttons";
      check_keys(*t, q, {"chip", "debounce_ms", "led_line", "button"});
      c.buttons.chip = opt_string(*t, "chip", q, c.buttons.chip);
      c.buttons.debounce_ms = opt_int(*t, "debounce_ms", q, 5, 1000, c.buttons.debounce_ms);
      if (const toml::node* n = t->get("led_line")) c.buttons.led_line = as_int(*n, "buttons.led_line", 0, 511);
      std::set<int> lines;
      for_each_table(*t, "button", q, false, [&](const toml::table& b, const std::string& key) {
        check_keys(b, key, {"line", "service"});
        ButtonConfig bc;
        bc.line = as_int(require(b, "line", key), key + ".line", 0, 511);
        bc.service = req_string(b, "service", key);
        if (!lines.insert(bc.line).second || (c.buttons.led_line && *c.buttons.led_line == bc.line))
          fail(line_of(*b.get("line")), key + ".line", "GPIO line " + std::to_string(bc.line) + " is used twice");
        c.buttons.buttons.push_back(bc);
      });
    }
    if (c.mode == "buttons" && c.buttons.buttons.empty())
      fail(0, "buttons.button", "mode \"buttons\" needs at least one [[buttons.button]]");
    if (const toml::table* t = opt_table(root, "scanner", "")) {
      check_keys(*t, "scanner", {"device"});
      c.scanner.device = opt_string(*t, "device", "scanner", "");
    }
    return c;
  }
};

}  // namespace

Expected<KioskConfig, ConfigError> parse_kiosk_config(std::string_view text, const std::string& source) {
  return read_toml<KioskConfig>(text, source, [&](const toml::table& root) { return Reader(source).read(root); });
}

Expected<KioskConfig, ConfigError> load_kiosk_config(const std::string& path) {
  auto text = read_config_file(path);
  if (!text) return unexpected(text.error());
  return parse_kiosk_config(*text, path);
}

}  // namespace hallq::kiosk
