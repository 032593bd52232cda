// hallq-modem-udev: tells ModemManager to leave the hall's SMS modem to hallq-controller.
//   hallq-modem-udev --config /etc/hallq/hall.toml DEVNODE
// Run by udev for every serial port that appears (deploy/udev/70-hallq-modem.rules). When
// DEVNODE, or one of the links udev is making for it (the DEVLINKS environment variable, so
// a config naming /dev/serial/by-id/... matches before the link exists), is the port that
// [sms] device names, prints the udev properties that make ModemManager ignore the port and
// its device, and exits 0. Otherwise exits 1 and prints nothing; a config that does not load
// is reported on stderr (udev logs it) and also exits 1, so udev imports nothing.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "hallq/common/config.hpp"
#include "hallq/sms/modem.hpp"

namespace fs = std::filesystem;

namespace {

// The path as the kernel's node, when it resolves; as written otherwise.
std::string resolved(const std::string& path) {
  std::error_code ec;
  auto r = fs::canonical(path, ec);
  return ec ? path : r.string();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || std::string(argv[1]) != "--config") {
    std::cerr << "usage: hallq-modem-udev --config FILE DEVNODE\n";
    return 2;
  }
  auto config = hallq::load_config(argv[2]);
  if (!config) {
    std::cerr << "hallq-modem-udev: " << config.error().to_string() << "\n";
    return 1;
  }
  if (config->sms.device.empty()) return 1;  // no modem configured
  auto spec = hallq::sms::parse_modem_spec(config->sms.device);
  if (!spec) {
    std::cerr << "hallq-modem-udev: sms.device: " << spec.error() << "\n";
    return 1;
  }
  std::vector<std::string> names{argv[3]};
  if (const char* links = std::getenv("DEVLINKS")) {
    std::istringstream in(links);
    for (std::string l; in >> l;) names.push_back(l);
  }
  const std::string want = resolved(spec->path);
  for (const auto& n : names) {
    if (n == spec->path || resolved(n) == want) {
      // ModemManager: ignore this port, and the whole device it belongs to.
      std::cout << "ID_MM_DEVICE_IGNORE=1\nID_MM_PORT_IGNORE=1\n";
      return 0;
    }
  }
  return 1;
}
