#include "hallq/common/service.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace hallq {

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
  std::uint64_t usec = 0;
  // > 0 only when the watchdog is meant for this very process (WATCHDOG_PID matches).
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_ = std::chrono::microseconds{usec};
}

void ServiceNotifier::send(std::string_view message) {
  if (!active_) return;
  std::string m(message);
  sd_notify(0, m.c_str());
}

void ServiceNotifier::ready(std::string_view status) {
  send("READY=1\nSTATUS=" + std::string(status));
}

void ServiceNotifier::reloading() {
  send("RELOADING=1\nSTATUS=reloading the configuration");
}

void ServiceNotifier::reloaded(std::string_view status) {
  send("READY=1\nSTATUS=" + std::string(status));
}

void ServiceNotifier::stopping() { send("STOPPING=1\nSTATUS=stopping"); }

void ServiceNotifier::status(std::string_view text) { send("STATUS=" + std::string(text)); }

void ServiceNotifier::watchdog_ping() { send("WATCHDOG=1"); }

}  // namespace hallq
