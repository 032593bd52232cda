// hallq-print-send: sends ESC/POS jobs to a printer the way the kiosk does (status before,
// write with a deadline, confirmation by GS r 1 or status after) and reports each outcome;
// or only asks its status. For installers checking a printer, and for the tests against
// hallq-printer-sim.
//   hallq-print-send --printer tcp://HOST:PORT|usb:/dev/usb/lp0|serial:DEV[@BAUD]|file:PATH
//                    (FILE.bin... | --status) [--write-timeout MS] [--complete-timeout MS]
//                    [--no-gs-r]
// Prints one line per job, in order, over one connection: outcome=… before=… after=…
// confirmed=yes|no took_ms=… [error=…]; exit 0 only if every job printed (or, with --status,
// if the status is ok or near end).
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "hallq/escpos/printer.hpp"

using namespace hallq::escpos;

int main(int argc, char** argv) {
  std::string spec_text;
  std::vector<std::string> files;
  bool status_only = false;
  PrinterTimeouts t;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--printer" && i + 1 < argc) spec_text = argv[++i];
    else if (a == "--status") status_only = true;
    else if (a == "--write-timeout" && i + 1 < argc) t.write = Millis{std::atoi(argv[++i])};
    else if (a == "--complete-timeout" && i + 1 < argc) t.complete = Millis{std::atoi(argv[++i])};
    else if (a == "--no-gs-r") t.confirm_in_order = false;
    else if (!a.empty() && a[0] != '-') files.push_back(a);
    else {
      std::cerr << "usage: hallq-print-send --printer SPEC (FILE.bin... | --status) [--write-timeout MS]\n"
                   "                        [--complete-timeout MS] [--no-gs-r]\n";
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
  if (files.empty()) {
    std::cerr << "hallq-print-send: give a job file or --status\n";
    return 2;
  }
  std::vector<std::vector<std::uint8_t>> jobs;
  for (const auto& file : files) {
    std::ifstream f(file, std::ios::binary);
    if (!f) {
      std::cerr << "hallq-print-send: " << file << ": cannot open\n";
      return 2;
    }
    jobs.emplace_back((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
  int code = 0;
  for (const auto& job : jobs) {
    JobResult r = printer.print(job);
    std::cout << "outcome=" << to_string(r.outcome) << " before=" << to_string(r.before.condition())
              << " after=" << to_string(r.after.condition()) << " confirmed=" << (r.confirmed ? "yes" : "no")
              << " took_ms=" << r.took.count();
    if (!r.error.empty()) std::cout << " error=\"" << r.error << "\"";
    std::cout << std::endl;
    if (r.outcome != JobOutcome::Printed) code = 1;
  }
  return code;
}
