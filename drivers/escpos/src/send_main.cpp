// hallq-print-send: sends an ESC/POS job to a printer the way the kiosk does (status before,
// write with a deadline, status after) and reports the outcome; or only asks its status.
// For installers checking a printer, and for the tests against hallq-printer-sim.
//   hallq-print-send --printer tcp://HOST:PORT|usb:/dev/usb/lp0|serial:DEV[@BAUD]|file:PATH
//                    (FILE.bin | --status) [--write-timeout MS]
// Prints one line: outcome=… before=… after=… took_ms=… [error=…]; exit 0 only if printed
// (or, with --status, if the status is ok or near end).
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "hallq/escpos/printer.hpp"

using namespace hallq::escpos;

int main(int argc, char** argv) {
  std::string spec_text, file;
  bool status_only = false;
  PrinterTimeouts t;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--printer" && i + 1 < argc) spec_text = argv[++i];
    else if (a == "--status") status_only = true;
    else if (a == "--write-timeout" && i + 1 < argc) t.write = Millis{std::atoi(argv[++i])};
    else if (!a.empty() && a[0] != '-' && file.empty()) file = a;
    else {
      std::cerr << "usage: hallq-print-send --printer SPEC (FILE.bin | --status) [--write-timeout MS]\n";
      return 2;
    }
  }
  auto spec = parse_printer_spec(spec_text);
  if (!spec) {
    std::cerr << "hallq-print-send: " << spec.error() << "\n";
    return 2;
  }
  Printer printer(*spec, t);
  if (status_only) {
    auto s = printer.status();
    if (!s) {
      std::cout << "status=failed error=\"" << s.error() << "\"\n";
      return 1;
    }
    std::cout << "status=" << to_string(s->condition()) << "\n";
    auto c = s->condition();
    return c == Condition::Ok || c == Condition::PaperNearEnd ? 0 : 1;
  }
  std::ifstream f(file, std::ios::binary);
  if (!f) {
    std::cerr << "hallq-print-send: " << file << ": cannot open\n";
    return 2;
  }
  std::vector<std::uint8_t> job((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  JobResult r = printer.print(job);
  std::cout << "outcome=" << to_string(r.outcome) << " before=" << to_string(r.before.condition())
            << " after=" << to_string(r.after.condition()) << " took_ms=" << r.took.count();
  if (!r.error.empty()) std::cout << " error=\"" << r.error << "\"";
  std::cout << "\n";
  return r.outcome == JobOutcome::Printed ? 0 : 1;
}
