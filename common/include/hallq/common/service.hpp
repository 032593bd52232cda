#pragma once
// Talking to the service manager (systemd, Type=notify): readiness, reloads, status text
// and the watchdog. Every call is a no-op when the daemon was not started by systemd
// (NOTIFY_SOCKET unset), so the same binary runs by hand, in tests and as a unit.
#include <chrono>
#include <optional>
#include <string_view>

namespace hallq {

class ServiceNotifier {
 public:
  // Reads NOTIFY_SOCKET / WATCHDOG_USEC / WATCHDOG_PID of this process.
  ServiceNotifier();

  bool active() const { return active_; }
  void ready(std::string_view status);
  void reloading();
  void reloaded(std::string_view status);
  void stopping();
  void status(std::string_view text);
  // WatchdogSec= of the unit, if set for this process; ping at half of it.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }
  void watchdog_ping();

 private:
  void send(std::string_view message);
  bool active_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace hallq
