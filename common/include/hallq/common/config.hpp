#pragma once
// The hall configuration: one TOML file parsed at start into these validated plain structs.
// Components receive structs and never parse (style 28). Every error names the file, line,
// key and what was expected; a config with any error is refused whole.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/common/rulebook.hpp"
#include "hallq/common/time.hpp"

namespace hallq {

// R-ITEM-2: immediate (即办件) or promised (承诺件).
enum class ItemKind { Immediate, Promised };

// One service item and its guide (办事指南, R-ITEM-1).
struct ServiceItem {
  std::string id;
  std::string name;
  ItemKind kind = ItemKind::Immediate;
  std::vector<std::string> materials;  // the full list of required materials (R-ONCE-1)
  std::string legal_basis;
  std::string conditions;
  std::string procedure;
  int time_limit_days = 0;  // working days (R-TIME-2); 0 for immediate items
  std::string fee;          // "免费" or the fee and its basis
  std::string phone;        // contact phone
  std::string guide_url;    // where the guide's QR points (R-HALL-4); may be empty
};

// A queue: tickets are issued per service and numbered with its prefix letter.
struct ServiceConfig {
  std::string id;      // [a-z0-9_-]{1,32}
  std::string name;    // Chinese name shown to citizens
  std::string name_en; // optional English name
  char prefix = 'A';   // 'A'..'Z', unique across services
  int daily_limit = 0; // 0: no limit
  // R-APPT-1: appointments a slot of this service takes; -1: [appointments] capacity, 0: this
  // service is not booked ahead.
  int appointment_capacity = -1;
  std::vector<ServiceItem> items;
};

struct WindowConfig {
  int number = 0;                     // 1..999, unique
  std::string name;
  std::vector<std::string> services;  // service ids, in preference order
  std::string clerk_a;                // A post (A岗), clerk id
  std::string clerk_b;                // B post (B岗), clerk id; may be empty
  bool lunch_service = false;         // R-HOURS-2: open over lunch
  bool weekend_service = false;       // R-HOURS-3
  // The window's receipt printer for notices (R-ONCE-3, R-CASE-2): an ESC/POS spec as the
  // kiosk takes it (tcp://HOST:PORT, usb:/dev/usb/lp0, serial:DEV[@BAUD], file:PATH); empty:
  // none, the console offers the browser's print dialog instead.
  std::string printer;
  int printer_paper = 576;     // dots: 576 (80 mm) or 384 (58 mm)
  bool printer_cutter = true;
};

enum class Role { Clerk, Manager, Admin };

struct ClerkConfig {
  std::string id;        // e.g. "c01"
  std::string name;
  Role role = Role::Clerk;
  std::string pin_hash;  // argon2id string ($argon2id$...), see hallq::hash_secret
};

enum class DeviceKind { Kiosk, Display };

struct DeviceConfig {
  std::string id;          // e.g. "kiosk-1"
  DeviceKind kind = DeviceKind::Kiosk;
  std::optional<int> window;  // bound window (displays over one window, evaluators)
  // Display nodes: the windows whose caller keypads and evaluators the node carries; the
  // device may act for the clerk signed in at these windows and rate their services.
  std::vector<int> windows;
  bool serves_window(int n) const {
    return (window && *window == n) || std::find(windows.begin(), windows.end(), n) != windows.end();
  }
  std::string location;    // where it stands, for staff answering it ("大厅入口")
  std::string token_hash;  // "blake2b:<hex>", see hallq::token_digest
};

// Opening hours (R-HOURS-*). Minutes since local midnight.
struct HoursConfig {
  Minutes open{8 * 60 + 30};
  Minutes lunch_start{12 * 60};
  Minutes lunch_end{14 * 60};
  Minutes close{17 * 60 + 30};
  bool weekend_service = false;  // R-HOURS-3: weekends and holidays, by appointment mainly
  Minutes weekend_open{9 * 60};
  Minutes weekend_close{17 * 60};
  bool always_open = false;  // demo halls only: issue tickets at any hour
};

struct CalendarConfig {
  std::vector<Date> holidays;         // public holidays (rest days)
  std::vector<Date> makeup_workdays;  // 调休: weekend days that are working days
};

struct PolicyConfig {
  int recall_limit = 2;             // recalls before a called ticket becomes a no-show
  bool carry_over_waiting = false;  // keep waiting tickets over night instead of closing them
  int number_width = 3;             // A001; numbers widen past 999 only if widen_numbers
  bool widen_numbers = false;       // bench halls: A1000 after A999 instead of refusing
  int noshow_return_minutes = 30;   // a no-show may come back within this many minutes
  int rating_minutes = 10;          // the window evaluator rates a finished service this long
  // R-EVAL-1: a citizen who did not rate at the window may still rate the service this many
  // hours after it finished, at a kiosk (scanning the ticket's QR) or on the QR's phone page.
  // 0: ratings at the window only.
  int late_rating_hours = 72;
  // R-TIME-3: extensions of a case, in working days all told (002: 5; 003's preset: 30).
  int case_extension_max_days = 5;
  int case_return_days = 2;         // R-CASE-5: a return is decided within this many working days
  int pause_alert_minutes = 3;      // R-AB-3: a clerk away longer alerts the manager
  std::string call_order = "priority_fifo";  // or "service_preference"
  int device_rate_per_s = 10;       // requests per second per device before 429
  int device_burst = 30;
  // Sign-in guessing (docs/security.md): wrong PINs or passwords of one account from one
  // address before that address is locked out for pin_lockout_s, doubled at each further
  // failure; and wrong tries of one account in a day, from all addresses, after which it signs
  // in only from addresses it used before until a manager unlocks it.
  int pin_max_failures = 5;
  int pin_lockout_s = 300;
  int pin_daily_failures = 20;
  // Ratings without a credential (the phone page of a ticket's QR), per network address.
  int phone_rating_per_hour = 60;
  int phone_rating_burst = 10;
  int session_hours = 12;           // clerk/manager session lifetime
  int device_offline_after_s = 90;  // a device not heard from this long shows as offline
  // Days applicants' personal data (names, phones, ID numbers of cases, bookings, enquiries
  // and complaints) is kept after the end of the month it was taken; then its month key is destroyed.
  // 0: kept. Counts and statistics stay either way.
  int personal_data_days = 0;
};

struct CentreConfig {
  std::string name;
  std::string timezone = "Asia/Shanghai";
  std::string complaint_phone;
  std::vector<std::string> notices;  // rolled on the hall screen (R-HALL-2)
  bool demo = false;                 // demo credentials in use: a warning is logged at start
};

// What every printed ticket and notice carries besides its data (issue 4).
struct PrintingConfig {
  std::vector<std::string> header;  // lines under the centre's name
  std::vector<std::string> footer;  // lines at the bottom, e.g. "过号请重新取号"
  // The QR on each ticket: its progress page; {id}, {number} and {day} are filled in.
  std::string ticket_url;
};

// R-TIME-4: results told by SMS through a GSM modem on a serial port.
struct SmsConfig {
  std::string device;     // serial:/dev/ttyUSB2[@BAUD]; empty: no modem (an SMS notice is only recorded)
  std::string signature;  // the 【…】 every message starts with; empty: the centre's name
};

// R-SCORE-*: the centre's scoring rulebook, a preset from the seeds with the points of single
// rules changed if the centre's own rules differ.
// R-APPT-1, R-HOURS-3: appointments (预约服务制). Slots of slot_minutes run through the opening
// hours of each day a service is served (weekend hours on weekends and holidays when the hall
// opens then); each takes `capacity` bookings per service. A booking checks in at a kiosk from
// early_minutes before its slot to late_minutes after its start.
struct AppointmentsConfig {
  bool enabled = false;
  int slot_minutes = 30;      // 10..240
  int capacity = 2;           // per service per slot, 1..100
  int early_minutes = 30;     // 0..240
  int late_minutes = 15;      // 0..240
  int book_days_ahead = 14;   // the last day that can be booked, counted from today, 1..90
  // "appointments_only": on weekends and holidays only appointments are served (walk-in
  // tickets refused); "open": walk-ins too.
  bool weekend_only = false;
};

struct ScoringConfig {
  std::string preset = "shexi-2022";
  int late_grace_minutes = 0;
  std::vector<std::pair<std::string, int>> points;  // rule id -> points, over the preset's
  Rulebook rulebook() const;  // the preset with the changes
};

struct ServerConfig {
  std::string listen = "0.0.0.0:8080";  // HOST:PORT; port 0 picks a free one
  std::string data_dir = "/var/lib/hallq";
  // A request, once its first byte arrived, must be complete within this (slow senders).
  int request_timeout_s = 10;
  // A kept-alive connection with no request in flight is closed after this.
  int idle_timeout_s = 60;
  // A new connection must deliver its first complete request within this, or it is closed.
  int first_request_timeout_s = 10;
  // Connections served at once; beyond it a new one is answered 503 and closed.
  int max_connections = 512;
  // Connections from one network address at once (one host cannot take them all).
  int max_connections_per_address = 32;
  // Of max_connections, the places only connections that present a credential (devices,
  // signed-in staff) may use once the others have filled the rest.
  int reserved_connections = 64;
  // Event streams without a credential (wall boards) at once, and from one address.
  int max_anonymous_streams = 64;
  int max_anonymous_streams_per_address = 8;
  // An event stream that sends nothing, not even the pong to the controller's ping (sent
  // after half of it), for this long is closed.
  int stream_idle_s = 30;
  // Optional TLS (docs/security.md "TLS on the LAN"): a second listener serving HTTPS and WSS, with a
  // PEM certificate (chain) and private key. Empty tls_listen: none. Both files are read at
  // start and on SIGHUP (a renewed certificate needs no restart).
  std::string tls_listen;
  std::string tls_cert;
  std::string tls_key;
};

struct HallConfig {
  CentreConfig centre;
  ServerConfig server;
  HoursConfig hours;
  CalendarConfig calendar;
  PolicyConfig policy;
  PrintingConfig printing;
  SmsConfig sms;
  ScoringConfig scoring;
  AppointmentsConfig appointments;
  std::vector<ServiceConfig> services;
  std::vector<WindowConfig> windows;
  std::vector<ClerkConfig> clerks;
  std::vector<DeviceConfig> devices;

  const ServiceConfig* find_service(std::string_view id) const;
  const WindowConfig* find_window(int number) const;
  const ClerkConfig* find_clerk(std::string_view id) const;
};

struct ConfigError {
  std::string file;
  int line = 0;       // 0 when not tied to a line
  std::string key;    // dotted path, e.g. "windows[2].services"
  std::string message;
  std::string to_string() const;  // "hall.toml:12: windows[2].services: unknown service 'x'"
};

// Reads and validates a config file.
Expected<HallConfig, ConfigError> load_config(const std::string& path);
// Same, from text (source names the origin in errors).
Expected<HallConfig, ConfigError> parse_config(std::string_view text, const std::string& source);

}  // namespace hallq
