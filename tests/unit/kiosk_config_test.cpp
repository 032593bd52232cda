// The kiosk's config (deploy/examples/kiosk.toml): the example loads; every mistake names its
// line and key.
#include "hallq/kiosk/config.hpp"

#include "hallq_catch.hpp"

#include <string>

namespace {
using namespace hallq::kiosk;

const std::string kMin = "[kiosk]\nid = \"kiosk-1\"\ntoken = \"demo-kiosk-1\"\n";

void bad(const std::string& text, int line, const std::string& key, const std::string& fragment) {
  auto r = parse_kiosk_config(text, "k.toml");
  INFO(text);
  REQUIRE_FALSE(r);
  INFO(r.error().to_string());
  CHECK(r.error().line == line);
  CHECK(r.error().key == key);
  CHECK_THAT(r.error().message, HasSubstr(fragment));
}
}  // namespace

TEST_CASE("the example kiosk loads with the demo kiosk's settings", "[kiosk_config]") {
  auto c = load_kiosk_config(std::string(HALLQ_SOURCE_DIR) + "/deploy/examples/kiosk.toml");
  INFO((c ? "" : c.error().to_string()));
  REQUIRE(c);
  CHECK(c->id == "kiosk-1");
  CHECK(c->token == "demo-kiosk-1");
  CHECK(c->listen == "127.0.0.1:8090");
  CHECK(c->mode == "touch");
  CHECK(c->printer.device == "tcp://127.0.0.1:9100");
  CHECK(c->printer.paper == 384);
  CHECK(c->printer.reprint_within_s == 10);
  CHECK(c->idle_after_s == 60);
}

TEST_CASE("kiosk config mistakes name their line and key", "[kiosk_config]") {
  auto r = parse_kiosk_config(kMin, "k.toml");
  REQUIRE(r);
  CHECK(r->controller == "http://127.0.0.1:8080");
  bad("[kiosk]\ntoken = \"demo-kiosk-1\"\n", 1, "kiosk.id", "missing required key 'id'");
  bad("[kiosk]\nid = \"Kiosk 1\"\ntoken = \"demo-kiosk-1\"\n", 2, "kiosk.id", "a-z 0-9");
  bad(kMin + "controller = \"ftp://x\"\n", 4, "kiosk.controller", "http://HOST");
  // TLS (docs/security.md "TLS on the LAN"): https needs the controller's key pin, a pin needs https.
  bad(kMin + "controller = \"https://x\"\n", 4, "kiosk.controller", "controller_pin must name");
  bad(kMin + "controller_pin = \"sha256//W5rHj0JIG1iShj3x3/jaIOoKMID4E4rRdmYbjHHXcyA=\"\n", 4, "kiosk.controller",
      "use https://");
  bad(kMin + "controller = \"https://x\"\ncontroller_pin = \"sha256//short=\"\n", 5, "kiosk.controller",
      "is not a key pin");
  bad(kMin + "listen = \"8090\"\n", 4, "kiosk.listen", "HOST:PORT");
  bad(kMin + "mode = \"tuch\"\n", 4, "kiosk.mode", "\"touch\" or \"buttons\"");
  bad(kMin + "languag = \"zh\"\n", 4, "kiosk.languag", "did you mean 'language'");
  bad(kMin + "[printer]\ndevice = \"lp0\"\n", 5, "printer.device", "expected tcp://");
  bad(kMin + "[printer]\npaper = 500\n", 5, "printer.paper", "384 (58 mm) or 576");
  bad(kMin + "[screen]\nidle_after_s = 1\n", 5, "screen.idle_after_s", "from 10 to 600");
  bad(kMin + "mode = \"buttons\"\n", 0, "buttons.button", "at least one");
  bad(kMin + "[buttons]\n[[buttons.button]]\nline = 5\nservice = \"a\"\n[[buttons.button]]\nline = 5\nservice = \"b\"\n", 9,
      "buttons.button[1].line", "used twice");
  bad("[kiosk\n", 1, "", "TOML syntax error");
}
