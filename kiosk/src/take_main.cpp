// hallq-kiosk-take: one kiosk action from the command line, through the same ticket desk the
// kiosk daemon runs — for installers checking a kiosk's printer and controller link, and for
// the no-phantom-ticket tests.
//   hallq-kiosk-take --controller http://HOST:PORT --device ID --token TOKEN
//                    --printer tcp://HOST:PORT|usb:/dev/usb/lp0|serial:DEV[@BAUD]|file:PATH
//                    --journal FILE [--resolve] [--check] [--service ID [--priority P] [--item ID]]
//                    [--status-url TEMPLATE] [--reprint-within MS] [--paper 384|576] [--no-cutter]
// In order: --resolve settles the journal, --check asks the printer and reports it, --service
// takes a ticket. Prints one JSON object per action on stdout. Exit 0 if every action
// succeeded (a ticket printed, the journal emptied, the printer can print), 1 if not, 2 on
// bad arguments.
#include <boost/json.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include "hallq/common/log.hpp"
#include "hallq/escpos/glyphs.hpp"
#include "hallq/kiosk/ticket_desk.hpp"

using namespace hallq;
using namespace hallq::kiosk;
namespace json = boost::json;

namespace {
int usage(const std::string& why) {
  std::cerr << "hallq-kiosk-take: " << why << "\n"
            << "usage: hallq-kiosk-take --controller URL [--controller-pin PIN] --device ID --token TOKEN --printer SPEC\n"
               "                        --journal FILE"
               " [--resolve] [--check] [--service ID [--priority P] [--item ID]]\n"
               "                        [--status-url TEMPLATE] [--reprint-within MS] [--paper 384|576] [--no-cutter]\n";
  return 2;
}

json::object job_json(const escpos::JobResult& r) {
  return json::object{{"outcome", std::string(escpos::to_string(r.outcome))},
                      {"before", std::string(escpos::to_string(r.before.condition()))},
                      {"after", std::string(escpos::to_string(r.after.condition()))},
                      {"confirmed", r.confirmed},
                      {"error", r.error},
                      {"took_ms", r.took.count()}};
}
}  // namespace

int main(int argc, char** argv) {
  std::string url, pin, device, token, printer_spec, journal_path, service, priority = "normal", item;
  bool resolve = false, check = false;
  DeskOptions opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "hallq-kiosk-take: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--controller") url = value();
    else if (a == "--controller-pin") pin = value();
    else if (a == "--device") device = value();
    else if (a == "--token") token = value();
    else if (a == "--printer") printer_spec = value();
    else if (a == "--journal") journal_path = value();
    else if (a == "--resolve") resolve = true;
    else if (a == "--check") check = true;
    else if (a == "--service") service = value();
    else if (a == "--priority") priority = value();
    else if (a == "--item") item = value();
    else if (a == "--status-url") opt.status_url = value();
    else if (a == "--reprint-within") opt.reprint_within = Millis{std::atoi(value().c_str())};
    else if (a == "--paper") opt.paper_dots = std::atoi(value().c_str());
    else if (a == "--no-cutter") opt.cutter = false;
    else if (a == "--log-level") set_log_level(value());
    else return usage("unknown argument '" + a + "'");
  }
  if (url.empty() || device.empty() || token.empty() || printer_spec.empty() || journal_path.empty())
    return usage("--controller, --device, --token, --printer and --journal are required");
  if (!resolve && !check && service.empty()) return usage("nothing to do: give --resolve, --check or --service");
  if (opt.paper_dots != 384 && opt.paper_dots != 576) return usage("--paper is 384 or 576");
  auto curl = parse_controller_url(url, pin);
  if (!curl) return usage(curl.error());
  auto spec = escpos::parse_printer_spec(printer_spec);
  if (!spec) return usage(spec.error());

  opt.device_id = device;
  auto fonts = escpos::FontGlyphs::open(escpos::kGlyphFonts);
  if (fonts) opt.glyphs = fonts->source();
  Journal journal(journal_path);
  if (auto l = journal.load(); !l) {
    std::cerr << "hallq-kiosk-take: " << l.error() << "\n";
    return 1;
  }
  HttpController api(*curl, device, token);
  EscposTicketPrinter printer(*spec, escpos::PrinterTimeouts{});
  TicketDesk desk(opt, api, printer, journal);

  int code = 0;
  if (resolve) {
    size_t before = journal.entries().size();
    size_t left = desk.resolve_pending();
    std::cout << json::serialize(json::object{{"action", "resolve"}, {"pending_before", before}, {"pending", left}}) << std::endl;
    if (left) code = 1;
  }
  if (check) {
    bool ok = desk.check_printer(true);
    std::cout << json::serialize(json::object{{"action", "check"}, {"printer", desk.printer_state()}, {"accepting", ok}})
              << std::endl;
    if (!ok) code = 1;
  }
  if (!service.empty()) {
    desk.refresh_info();
    TakeOutcome o = desk.take(TakeRequest{service, priority, item});
    json::object out{{"action", "take"},
                     {"result", to_string(o.result)},
                     {"ticket", o.ticket},
                     {"code", o.code},
                     {"message_zh", o.message_zh},
                     {"message_en", o.message_en},
                     {"prints", o.prints},
                     {"took_ms", o.took_ms},
                     {"accepting", desk.accepting()},
                     {"printer", desk.printer_state()},
                     {"pending", journal.entries().size()}};
    if (o.prints) out["print"] = job_json(o.print);
    std::cout << json::serialize(out) << std::endl;
    if (!printed(o.result)) code = 1;
  }
  return code;
}
