// hallq-desk-bench: time from "take a ticket" to "printed and confirmed" through the kiosk's
// ticket desk (printer check, journaled issue over HTTP, encode, print, GS r confirmation),
// against a running controller and printer (normally hallq-printer-sim on loopback).
//   hallq-desk-bench --controller http://HOST:PORT --token TOKEN --printer SPEC [--n 50]
//                    [--device kiosk-1] [--service ID] [--journal FILE]
// Prints `key: value` figures; tests/bench/desk_sim.sh starts the processes and runs it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "hallq/kiosk/ticket_desk.hpp"

using namespace hallq;
using namespace hallq::kiosk;

namespace {
double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}
}  // namespace

int main(int argc, char** argv) {
  std::string url, token, printer_spec, device = "kiosk-1", service = "minzheng", journal_path = "/tmp/hallq-desk-bench.json";
  int n = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--controller") url = v;
    else if (a == "--token") token = v;
    else if (a == "--printer") printer_spec = v;
    else if (a == "--n") n = std::atoi(v.c_str());
    else if (a == "--device") device = v;
    else if (a == "--service") service = v;
    else if (a == "--journal") journal_path = v;
    else {
      std::cerr << "hallq-desk-bench: unknown argument " << a << "\n";
      return 2;
    }
  }
  auto curl = parse_controller_url(url);
  auto spec = escpos::parse_printer_spec(printer_spec);
  if (!curl || !spec || token.empty() || n < 1) {
    std::cerr << "usage: hallq-desk-bench --controller URL --token TOKEN --printer SPEC [--n N]\n";
    return 2;
  }
  std::remove(journal_path.c_str());
  Journal journal(journal_path);
  HttpController api(*curl, device, token);
  EscposTicketPrinter printer(*spec, escpos::PrinterTimeouts{});
  DeskOptions opt;
  opt.device_id = device;
  TicketDesk desk(opt, api, printer, journal);
  if (!desk.refresh_info()) {
    std::cerr << "hallq-desk-bench: the controller does not answer\n";
    return 1;
  }
  std::vector<double> total, print_ms;
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    TakeOutcome o = desk.take(TakeRequest{service, "normal", ""});
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (o.result != TakeResult::Printed || !o.print.confirmed) {
      ++bad;
      std::cerr << "take " << i << ": " << to_string(o.result) << " " << o.print.error << "\n";
      continue;
    }
    total.push_back(ms);
    print_ms.push_back(static_cast<double>(o.print.took.count()));
  }
  std::remove(journal_path.c_str());
  if (total.empty()) return 1;
  std::printf("tickets: %d (not printed: %d)\n", n, bad);
  std::printf("take_to_printed_confirmed_ms: p50 %.1f  p95 %.1f  max %.1f\n", pct(total, 0.5), pct(total, 0.95),
              pct(total, 1.0));
  std::printf("print_and_confirm_ms: p50 %.1f  p95 %.1f  max %.1f\n", pct(print_ms, 0.5), pct(print_ms, 0.95),
              pct(print_ms, 1.0));
  return bad ? 1 : 0;
}
