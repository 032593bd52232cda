// Writes what a keyboard-mode QR scanner sends for TEXT (key events, shift around capitals and
// symbols, Enter last) as struct input_event records on stdout — in this build's layout, so the
// tests feed the simulated scanner ([scanner] device = "sim:FIFO") on any architecture.
//   hallq_scan_sim TEXT > FIFO
#include <unistd.h>

#include <iostream>
#include <string>

#include "hallq/kiosk/scanner.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: hallq_scan_sim TEXT > FIFO\n";
    return 2;
  }
  const auto events = hallq::kiosk::scanner_events(argv[1]);
  const auto* bytes = reinterpret_cast<const char*>(events.data());
  std::size_t left = events.size() * sizeof(input_event);
  while (left > 0) {
    ssize_t n = ::write(1, bytes, left);
    if (n <= 0) return 1;
    bytes += n;
    left -= static_cast<std::size_t>(n);
  }
  return 0;
}
