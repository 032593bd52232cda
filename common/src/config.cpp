#include "hallq/common/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <set>

#include "hallq/common/secret.hpp"
#include "hallq/common/toml_reader.hpp"

namespace hallq {
namespace {

using namespace std::chrono;

bool valid_token_hash(std::string_view s) {
  constexpr std::string_view prefix = "blake2b:";
  if (s.size() != prefix.size() + 64 || s.substr(0, prefix.size()) != prefix) return false;
  return std::all_of(s.begin() + prefix.size(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string_view weekday_name(Date d) {
  static constexpr std::string_view names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                               "Thursday", "Friday", "Saturday"};
  return names[weekday{sys_days{d}}.c_encoding()];
}

// Reads one parsed TOML document into a HallConfig, checking everything on the way.
// Thread-safety: one instance per parse.
class Reader : public TomlReader {
 public:
  explicit Reader(std::string file) : TomlReader(std::move(file)) {}

  HallConfig read(const toml::table& root) {
    HallConfig c;
    check_keys(root, "",
               {"centre", "server", "hours", "calendar", "policy", "printing", "sms", "scoring", "appointments", "services", "windows",
                "clerks", "devices"});
    c.centre = read_centre(require_table(root, "centre", ""));
    if (const auto* t = opt_table(root, "server", "")) c.server = read_server(*t);
    if (const auto* t = opt_table(root, "hours", "")) c.hours = read_hours(*t);
    if (const auto* t = opt_table(root, "calendar", "")) c.calendar = read_calendar(*t);
    if (const auto* t = opt_table(root, "policy", "")) c.policy = read_policy(*t);
    if (const auto* t = opt_table(root, "printing", "")) c.printing = read_printing(*t);
    if (const auto* t = opt_table(root, "sms", "")) c.sms = read_sms(*t);
    if (const auto* t = opt_table(root, "scoring", "")) c.scoring = read_scoring(*t);
    if (const auto* t = opt_table(root, "appointments", "")) c.appointments = read_appointments(*t);
    read_services(root, c);
    read_clerks(root, c);
    read_windows(root, c);
    read_devices(root, c);
    return c;
  }

 private:

  CentreConfig read_centre(const toml::table& t) const {
    const std::string p = "centre";
    check_keys(t, p, {"name", "timezone", "complaint_phone", "notices", "demo"});
    CentreConfig c;
    c.name = req_string(t, "name", p);
    if (const toml::node* n = t.get("timezone")) {
      c.timezone = as_string(*n, "centre.timezone");
      auto tz = TimeZone::load(c.timezone);
      if (!tz) fail(line_of(*n), "centre.timezone", tz.error());
    }
    c.complaint_phone = opt_string(t, "complaint_phone", p, c.complaint_phone);
    c.notices = opt_string_array(t, "notices", p);
    c.demo = opt_bool(t, "demo", p, c.demo);
    return c;
  }

  PrintingConfig read_printing(const toml::table& t) const {
    const std::string p = "printing";
    check_keys(t, p, {"header", "footer", "ticket_url"});
    PrintingConfig c;
    for (const char* key : {"header", "footer"}) {
      auto lines = opt_string_array(t, key, p);
      const toml::node* n = t.get(key);
      if (lines.size() > 8) fail(line_of(*n), p + "." + key, "at most 8 lines");
      for (const auto& l : lines)
        if (l.size() > 200) fail(line_of(*n), p + "." + key, "a line is longer than 200 bytes");
      (std::string_view(key) == "header" ? c.header : c.footer) = std::move(lines);
    }
    c.ticket_url = opt_string(t, "ticket_url", p, {});
    if (!c.ticket_url.empty()) {
      const toml::node* n = t.get("ticket_url");
      if (c.ticket_url.rfind("http://", 0) != 0 && c.ticket_url.rfind("https://", 0) != 0)
        fail(line_of(*n), "printing.ticket_url", "expected an http:// or https:// URL, got \"" + c.ticket_url + "\"");
      if (c.ticket_url.size() > 200) fail(line_of(*n), "printing.ticket_url", "longer than 200 bytes");
      std::string rest = c.ticket_url;
      for (const char* ph : {"{id}", "{number}", "{day}", "{key}"})
        for (size_t at = rest.find(ph); at != std::string::npos; at = rest.find(ph)) rest.erase(at, std::strlen(ph));
      if (rest.find_first_of("{}") != std::string::npos)
        fail(line_of(*n), "printing.ticket_url", "only {id}, {number}, {day} and {key} can be filled in");
    }
    return c;
  }

  SmsConfig read_sms(const toml::table& t) const {
    const std::string p = "sms";
    check_keys(t, p, {"device", "signature"});
    SmsConfig c;
    c.device = opt_string(t, "device", p, {});
    if (!c.device.empty()) {
      std::string path = c.device.rfind("serial:", 0) == 0 ? c.device.substr(7) : c.device;
      const size_t at = path.rfind('@');
      const std::string baud = at == std::string::npos ? "115200" : path.substr(at + 1);
      if (at != std::string::npos) path.resize(at);
      if (path.empty() || path[0] != '/' ||
          (baud != "9600" && baud != "19200" && baud != "38400" && baud != "57600" && baud != "115200"))
        fail(line_of(*t.get("device")), "sms.device",
             "expected serial:/dev/DEVICE[@9600|19200|38400|57600|115200], got \"" + c.device + "\"");
    }
    c.signature = opt_string(t, "signature", p, {});
    if (c.signature.size() > 60) fail(line_of(*t.get("signature")), "sms.signature", "longer than 60 bytes");
    return c;
  }

  AppointmentsConfig read_appointments(const toml::table& t) const {
    const std::string p = "appointments";
    check_keys(t, p, {"enabled", "slot_minutes", "capacity", "early_minutes", "late_minutes", "book_days_ahead", "weekend"});
    AppointmentsConfig a;
    a.enabled = opt_bool(t, "enabled", p, true);
    a.slot_minutes = opt_int(t, "slot_minutes", p, 10, 240, a.slot_minutes);
    a.capacity = opt_int(t, "capacity", p, 1, 100, a.capacity);
    a.early_minutes = opt_int(t, "early_minutes", p, 0, 240, a.early_minutes);
    a.late_minutes = opt_int(t, "late_minutes", p, 0, 240, a.late_minutes);
    a.book_days_ahead = opt_int(t, "book_days_ahead", p, 1, 90, a.book_days_ahead);
    const std::string weekend = opt_string(t, "weekend", p, "open");
    if (weekend != "open" && weekend != "appointments_only")
      fail(line_of(*t.get("weekend")), "appointments.weekend",
           "expected \"open\" or \"appointments_only\", got \"" + weekend + "\"");
    a.weekend_only = weekend == "appointments_only";
    return a;
  }

  ScoringConfig read_scoring(const toml::table& t) const {
    const std::string p = "scoring";
    check_keys(t, p, {"preset", "late_grace_minutes", "points"});
    ScoringConfig c;
    c.preset = opt_string(t, "preset", p, c.preset);
    auto book = preset_rulebook(c.preset);
    if (!book) {
      std::string names;
      for (const auto& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
      fail(line_of(*t.get("preset")), "scoring.preset", "expected one of " + names + ", got \"" + c.preset + "\"");
    }
    c.late_grace_minutes = opt_int(t, "late_grace_minutes", p, 0, 60, c.late_grace_minutes);
    if (const auto* pts = opt_table(t, "points", p)) {
      for (const auto& [k, v] : *pts) {
        const std::string key = "scoring.points." + std::string(k.str());
        const ScoreRule* rule = book->find(k.str());
        if (!rule) fail(line_of(v), key, "the preset " + c.preset + " has no rule '" + std::string(k.str()) + "'");
        c.points.emplace_back(std::string(k.str()), as_int(v, key, -50, 50));
      }
    }
    return c;
  }

  ServerConfig read_server(const toml::table& t) const {
    const std::string p = "server";
    check_keys(t, p, {"listen", "data_dir", "request_timeout_s", "idle_timeout_s", "first_request_timeout_s",
                      "max_connections", "max_connections_per_address", "reserved_connections",
                      "max_anonymous_streams", "max_anonymous_streams_per_address", "stream_idle_s", "tls_listen", "tls_cert", "tls_key"});
    ServerConfig s;
    if (const toml::node* n = t.get("listen")) {
      s.listen = as_string(*n, "server.listen");
      if (!valid_listen(s.listen))
        fail(line_of(*n), "server.listen",
             "expected HOST:PORT with a port from 0 to 65535 (e.g. \"0.0.0.0:8080\"), got \"" +
                 s.listen + "\"");
    }
    if (const toml::node* n = t.get("data_dir")) {
      s.data_dir = as_string(*n, "server.data_dir");
      if (s.data_dir.empty()) fail(line_of(*n), "server.data_dir", "expected a non-empty path");
    }
    s.request_timeout_s = opt_int(t, "request_timeout_s", p, 1, 300, s.request_timeout_s);
    s.idle_timeout_s = opt_int(t, "idle_timeout_s", p, 1, 3600, s.idle_timeout_s);
    s.first_request_timeout_s = opt_int(t, "first_request_timeout_s", p, 1, 300, s.first_request_timeout_s);
    s.max_connections = opt_int(t, "max_connections", p, 8, 10000, s.max_connections);
    s.max_connections_per_address = opt_int(t, "max_connections_per_address", p, 2, 10000, s.max_connections_per_address);
    s.reserved_connections = opt_int(t, "reserved_connections", p, 0, 10000, s.reserved_connections);
    s.max_anonymous_streams = opt_int(t, "max_anonymous_streams", p, 0, 10000, s.max_anonymous_streams);
    s.max_anonymous_streams_per_address =
        opt_int(t, "max_anonymous_streams_per_address", p, 0, 10000, s.max_anonymous_streams_per_address);
    s.stream_idle_s = opt_int(t, "stream_idle_s", p, 4, 3600, s.stream_idle_s);
    // Defaults shrink with a small max_connections; values given must fit it.
    if (const toml::node* n = t.get("max_connections_per_address"); n && s.max_connections_per_address > s.max_connections)
      fail(line_of(*n), "server.max_connections_per_address",
           "expected at most server.max_connections (" + std::to_string(s.max_connections) + "), got " +
               std::to_string(s.max_connections_per_address));
    s.max_connections_per_address = std::min(s.max_connections_per_address, s.max_connections);
    if (const toml::node* n = t.get("reserved_connections"); n && s.reserved_connections > s.max_connections / 2)
      fail(line_of(*n), "server.reserved_connections",
           "expected at most half of server.max_connections (" + std::to_string(s.max_connections / 2) + "), got " +
               std::to_string(s.reserved_connections));
    if (!t.get("reserved_connections")) s.reserved_connections = std::min(s.reserved_connections, s.max_connections / 8);
    if (const toml::node* n = t.get("tls_listen")) {
      s.tls_listen = as_string(*n, "server.tls_listen");
      if (!s.tls_listen.empty() && !valid_listen(s.tls_listen))
        fail(line_of(*n), "server.tls_listen",
             "expected HOST:PORT with a port from 0 to 65535 (e.g. \"0.0.0.0:8443\") or \"\" for no TLS, got \"" +
                 s.tls_listen + "\"");
    }
    for (const char* key : {"tls_cert", "tls_key"}) {
      const toml::node* n = t.get(key);
      if (!n) continue;
      std::string v = as_string(*n, "server." + std::string(key));
      if (!v.empty() && v[0] != '/') fail(line_of(*n), "server." + std::string(key), "expected an absolute path, got \"" + v + "\"");
      (std::string_view(key) == "tls_cert" ? s.tls_cert : s.tls_key) = v;
    }
    if (!s.tls_listen.empty() && (s.tls_cert.empty() || s.tls_key.empty()))
      fail(line_of(t), "server.tls_listen", "TLS needs both server.tls_cert and server.tls_key");
    if (s.tls_listen.empty() && (!s.tls_cert.empty() || !s.tls_key.empty()))
      fail(line_of(t), "server.tls_cert",
           "a certificate is set but server.tls_listen is empty: say where to serve HTTPS (e.g. \"0.0.0.0:8443\")");
    return s;
  }

  HoursConfig read_hours(const toml::table& t) const {
    const std::string p = "hours";
    check_keys(t, p,
               {"open", "lunch_start", "lunch_end", "close", "weekend_service", "weekend_open",
                "weekend_close", "always_open"});
    HoursConfig h;
    h.open = opt_hhmm(t, "open", p, h.open);
    h.lunch_start = opt_hhmm(t, "lunch_start", p, h.lunch_start);
    h.lunch_end = opt_hhmm(t, "lunch_end", p, h.lunch_end);
    h.close = opt_hhmm(t, "close", p, h.close);
    h.weekend_service = opt_bool(t, "weekend_service", p, h.weekend_service);
    h.weekend_open = opt_hhmm(t, "weekend_open", p, h.weekend_open);
    h.weekend_close = opt_hhmm(t, "weekend_close", p, h.weekend_close);
    h.always_open = opt_bool(t, "always_open", p, h.always_open);

    // Report an order error at the later key of the pair when it is written, else the former.
    auto order = [&](std::string_view a, Minutes va, std::string_view b, Minutes vb, bool strict) {
      if (strict ? va < vb : va <= vb) return;
      std::string_view at = t.get(b) ? b : a;
      const toml::node* n = t.get(at);
      fail(n ? line_of(*n) : line_of(t), join_key(p, at),
           std::string(a) + " (" + format_hhmm(va) + ") must be " +
               (strict ? "before " : "at or before ") + std::string(b) + " (" + format_hhmm(vb) +
               ")");
    };
    order("open", h.open, "lunch_start", h.lunch_start, true);
    order("lunch_start", h.lunch_start, "lunch_end", h.lunch_end, false);
    order("lunch_end", h.lunch_end, "close", h.close, true);
    order("weekend_open", h.weekend_open, "weekend_close", h.weekend_close, true);
    return h;
  }

  CalendarConfig read_calendar(const toml::table& t) const {
    const std::string p = "calendar";
    check_keys(t, p, {"holidays", "makeup_workdays"});
    CalendarConfig c;
    c.holidays = opt_date_array(t, "holidays", p);
    c.makeup_workdays = opt_date_array(t, "makeup_workdays", p);
    const toml::array* a = t.get_as<toml::array>("makeup_workdays");
    for (std::size_t i = 0; i < c.makeup_workdays.size(); ++i) {
      Date d = c.makeup_workdays[i];
      std::string k = index_key("calendar.makeup_workdays", i);
      int line = line_of(*a->get(i));
      weekday w{sys_days{d}};
      if (w != Saturday && w != Sunday)
        fail(line, k,
             "make-up working day " + format_date(d) + " is a " + std::string(weekday_name(d)) +
                 "; only a Saturday or Sunday can be a make-up working day (调休)");
      if (std::find(c.holidays.begin(), c.holidays.end(), d) != c.holidays.end())
        fail(line, k, format_date(d) + " is listed both as a holiday and as a make-up working day");
    }
    return c;
  }

  PolicyConfig read_policy(const toml::table& t) const {
    const std::string p = "policy";
    check_keys(t, p,
               {"recall_limit", "carry_over_waiting", "number_width", "widen_numbers",
                "noshow_return_minutes", "rating_minutes", "late_rating_hours", "call_order", "device_rate_per_s", "device_burst",
                "pin_max_failures", "pin_lockout_s", "pin_daily_failures", "phone_rating_per_hour", "phone_rating_burst",
                "session_hours", "device_offline_after_s",
                "case_extension_max_days", "case_return_days", "pause_alert_minutes", "personal_data_days"});
    PolicyConfig c;
    c.recall_limit = opt_int(t, "recall_limit", p, 0, 10, c.recall_limit);
    c.carry_over_waiting = opt_bool(t, "carry_over_waiting", p, c.carry_over_waiting);
    c.number_width = opt_int(t, "number_width", p, 2, 6, c.number_width);
    c.widen_numbers = opt_bool(t, "widen_numbers", p, c.widen_numbers);
    c.noshow_return_minutes =
        opt_int(t, "noshow_return_minutes", p, 0, 24 * 60, c.noshow_return_minutes);
    c.rating_minutes = opt_int(t, "rating_minutes", p, 1, 24 * 60, c.rating_minutes);
    c.late_rating_hours = opt_int(t, "late_rating_hours", p, 0, 30 * 24, c.late_rating_hours);
    c.case_extension_max_days = opt_int(t, "case_extension_max_days", p, 0, 60, c.case_extension_max_days);
    c.case_return_days = opt_int(t, "case_return_days", p, 0, 30, c.case_return_days);
    c.pause_alert_minutes = opt_int(t, "pause_alert_minutes", p, 1, 240, c.pause_alert_minutes);
    if (const toml::node* n = t.get("call_order")) {
      c.call_order = as_string(*n, "policy.call_order");
      if (c.call_order != "priority_fifo" && c.call_order != "service_preference")
        fail(line_of(*n), "policy.call_order",
             "expected \"priority_fifo\" or \"service_preference\", got \"" + c.call_order + "\"");
    }
    constexpr std::int64_t max_rate = 1'000'000'000;
    c.device_rate_per_s = opt_int(t, "device_rate_per_s", p, 1, max_rate, c.device_rate_per_s);
    c.device_burst = opt_int(t, "device_burst", p, 1, max_rate, c.device_burst);
    c.pin_max_failures = opt_int(t, "pin_max_failures", p, 1, 100, c.pin_max_failures);
    c.pin_lockout_s = opt_int(t, "pin_lockout_s", p, 1, 7 * 24 * 3600, c.pin_lockout_s);
    c.pin_daily_failures = opt_int(t, "pin_daily_failures", p, 1, 10000, c.pin_daily_failures);
    c.phone_rating_per_hour = opt_int(t, "phone_rating_per_hour", p, 1, 1000000, c.phone_rating_per_hour);
    c.phone_rating_burst = opt_int(t, "phone_rating_burst", p, 1, 1000000, c.phone_rating_burst);
    c.session_hours = opt_int(t, "session_hours", p, 1, 7 * 24, c.session_hours);
    c.device_offline_after_s =
        opt_int(t, "device_offline_after_s", p, 5, 24 * 3600, c.device_offline_after_s);
    c.personal_data_days = opt_int(t, "personal_data_days", p, 0, 36500, c.personal_data_days);
    if (c.personal_data_days > 0 && c.personal_data_days < 30)
      fail(line_of(*t.get("personal_data_days")), "policy.personal_data_days",
           "expected 0 (kept) or at least 30 days (a case's applicant must stay reachable), got " +
               std::to_string(c.personal_data_days));
    return c;
  }

  // Ids are checked for form and, across `seen`, for uniqueness.
  std::string read_id(const toml::table& t, std::string_view path, std::set<std::string>& seen,
                      std::string_view what) const {
    std::string id = req_string(t, "id", path);
    const toml::node& n = *t.get("id");
    std::string k = join_key(path, "id");
    if (!valid_id(id))
      fail(line_of(n), k,
           "expected 1 to 32 characters of a-z, 0-9, '_' or '-', got \"" + id + "\"");
    if (!seen.insert(id).second)
      fail(line_of(n), k, "duplicate " + std::string(what) + " id '" + id + "'");
    return id;
  }

  ServiceItem read_item(const toml::table& t, const std::string& p,
                        std::set<std::string>& item_ids) const {
    check_keys(t, p,
               {"id", "name", "kind", "materials", "legal_basis", "conditions", "procedure",
                "time_limit_days", "fee", "phone", "guide_url"});
    ServiceItem it;
    it.id = read_id(t, p, item_ids, "service item");
    it.name = req_string(t, "name", p);
    std::string kind = req_string(t, "kind", p);
    if (kind == "immediate") {
      it.kind = ItemKind::Immediate;
    } else if (kind == "promised") {
      it.kind = ItemKind::Promised;
    } else {
      fail(line_of(*t.get("kind")), join_key(p, "kind"),
           "expected \"immediate\" (即办件) or \"promised\" (承诺件), got \"" + kind + "\"");
    }
    it.materials = opt_string_array(t, "materials", p);
    it.legal_basis = opt_string(t, "legal_basis", p, {});
    it.conditions = opt_string(t, "conditions", p, {});
    it.procedure = opt_string(t, "procedure", p, {});
    it.time_limit_days = opt_int(t, "time_limit_days", p, 0, 365, 0);
    if (it.kind == ItemKind::Promised && it.time_limit_days < 1) {
      const toml::node* n = t.get("time_limit_days");
      fail(n ? line_of(*n) : line_of(t), join_key(p, "time_limit_days"),
           "a promised item (承诺件) needs time_limit_days of at least 1");
    }
    it.fee = opt_string(t, "fee", p, {});
    it.phone = opt_string(t, "phone", p, {});
    it.guide_url = opt_string(t, "guide_url", p, {});
    return it;
  }

  void read_services(const toml::table& root, HallConfig& c) const {
    std::set<std::string> ids;
    std::set<std::string> item_ids;
    std::set<char> prefixes;
    for_each_table(root, "services", "", true, [&](const toml::table& t, const std::string& p) {
      check_keys(t, p, {"id", "name", "name_en", "prefix", "daily_limit", "appointment_capacity", "items"});
      ServiceConfig s;
      s.id = read_id(t, p, ids, "service");
      s.name = req_string(t, "name", p);
      s.name_en = opt_string(t, "name_en", p, {});
      std::string prefix = req_string(t, "prefix", p);
      const toml::node& pn = *t.get("prefix");
      if (prefix.size() != 1 || prefix[0] < 'A' || prefix[0] > 'Z')
        fail(line_of(pn), join_key(p, "prefix"),
             "expected one uppercase letter A to Z, got \"" + prefix + "\"");
      if (!prefixes.insert(prefix[0]).second)
        fail(line_of(pn), join_key(p, "prefix"), "duplicate prefix '" + prefix + "'");
      s.prefix = prefix[0];
      s.daily_limit = opt_int(t, "daily_limit", p, 0, 1'000'000, 0);
      s.appointment_capacity = opt_int(t, "appointment_capacity", p, 0, 100, -1);
      for_each_table(t, "items", p, false, [&](const toml::table& it, const std::string& ip) {
        s.items.push_back(read_item(it, ip, item_ids));
      });
      c.services.push_back(std::move(s));
    });
  }

  void read_clerks(const toml::table& root, HallConfig& c) const {
    std::set<std::string> ids;
    for_each_table(root, "clerks", "", false, [&](const toml::table& t, const std::string& p) {
      check_keys(t, p, {"id", "name", "role", "pin_hash"});
      ClerkConfig k;
      k.id = read_id(t, p, ids, "clerk");
      k.name = req_string(t, "name", p);
      if (const toml::node* n = t.get("role")) {
        std::string role = as_string(*n, join_key(p, "role"));
        if (role == "clerk") {
          k.role = Role::Clerk;
        } else if (role == "manager") {
          k.role = Role::Manager;
        } else if (role == "admin") {
          k.role = Role::Admin;
        } else {
          fail(line_of(*n), join_key(p, "role"),
               "expected \"clerk\", \"manager\" or \"admin\", got \"" + role + "\"");
        }
      }
      k.pin_hash = req_string(t, "pin_hash", p);
      if (k.pin_hash.rfind("$argon2id$", 0) != 0)
        fail(line_of(*t.get("pin_hash")), join_key(p, "pin_hash"),
             "expected an argon2id hash starting with \"$argon2id$\" (never the PIN itself)");
      c.clerks.push_back(std::move(k));
    });
  }

  void check_clerk(const HallConfig& c, const toml::table& t, std::string_view key,
                   const std::string& p, const std::string& id) const {
    if (!c.find_clerk(id))
      fail(line_of(*t.get(key)), join_key(p, key), "unknown clerk '" + id + "'");
  }

  void read_windows(const toml::table& root, HallConfig& c) const {
    std::set<int> numbers;
    for_each_table(root, "windows", "", true, [&](const toml::table& t, const std::string& p) {
      check_keys(
          t, p,
          {"number", "name", "services", "clerk_a", "clerk_b", "lunch_service", "weekend_service",
           "printer", "printer_paper", "printer_cutter"});
      WindowConfig w;
      const toml::node& nn = require(t, "number", p);
      w.number = as_int(nn, join_key(p, "number"), 1, 999);
      if (!numbers.insert(w.number).second)
        fail(line_of(nn), join_key(p, "number"),
             "duplicate window number " + std::to_string(w.number));
      w.name = req_string(t, "name", p);

      require(t, "services", p);
      const toml::array& sa = *opt_array(t, "services", p);
      std::string sk = join_key(p, "services");
      if (sa.empty()) fail(line_of(sa), sk, "expected at least one service id");
      w.services = opt_string_array(t, "services", p);
      for (std::size_t i = 0; i < w.services.size(); ++i) {
        const std::string& id = w.services[i];
        int line = line_of(*sa.get(i));
        if (!c.find_service(id)) fail(line, index_key(sk, i), "unknown service '" + id + "'");
        if (std::find(w.services.begin(), w.services.begin() + static_cast<std::ptrdiff_t>(i),
                      id) != w.services.begin() + static_cast<std::ptrdiff_t>(i))
          fail(line, index_key(sk, i), "service '" + id + "' is listed twice");
      }

      w.clerk_a = req_string(t, "clerk_a", p);
      check_clerk(c, t, "clerk_a", p, w.clerk_a);
      w.clerk_b = opt_string(t, "clerk_b", p, {});
      if (t.get("clerk_b")) {
        check_clerk(c, t, "clerk_b", p, w.clerk_b);
        if (w.clerk_b == w.clerk_a)
          fail(line_of(*t.get("clerk_b")), join_key(p, "clerk_b"),
               "the B clerk must differ from the A clerk '" + w.clerk_a + "' (A/B posts, R-AB-1)");
      }
      w.lunch_service = opt_bool(t, "lunch_service", p, w.lunch_service);
      w.weekend_service = opt_bool(t, "weekend_service", p, w.weekend_service);
      if (const toml::node* n = t.get("printer")) {
        w.printer = as_string(*n, join_key(p, "printer"));
        bool known = false;
        for (const char* scheme : {"tcp://", "usb:", "serial:", "file:"})
          known = known || (w.printer.rfind(scheme, 0) == 0 && w.printer.size() > std::strlen(scheme));
        if (!known)
          fail(line_of(*n), join_key(p, "printer"),
               "expected tcp://HOST:PORT, usb:DEVICE, serial:DEVICE[@BAUD] or file:PATH, got \"" + w.printer + "\"");
      }
      w.printer_paper = opt_int(t, "printer_paper", p, 384, 576, w.printer_paper);
      if (w.printer_paper != 384 && w.printer_paper != 576)
        fail(line_of(*t.get("printer_paper")), join_key(p, "printer_paper"), "expected 384 (58 mm) or 576 (80 mm)");
      w.printer_cutter = opt_bool(t, "printer_cutter", p, w.printer_cutter);
      c.windows.push_back(std::move(w));
    });
  }

  void read_devices(const toml::table& root, HallConfig& c) const {
    std::set<std::string> ids;
    for_each_table(root, "devices", "", false, [&](const toml::table& t, const std::string& p) {
      check_keys(t, p, {"id", "kind", "window", "windows", "location", "token_hash"});
      DeviceConfig d;
      d.id = read_id(t, p, ids, "device");
      std::string kind = req_string(t, "kind", p);
      if (kind == "kiosk") {
        d.kind = DeviceKind::Kiosk;
      } else if (kind == "display") {
        d.kind = DeviceKind::Display;
      } else {
        fail(line_of(*t.get("kind")), join_key(p, "kind"),
             "expected \"kiosk\" or \"display\", got \"" + kind + "\"");
      }
      if (const toml::node* n = t.get("window")) {
        d.window = as_int(*n, join_key(p, "window"), 1, 999);
        if (!c.find_window(*d.window))
          fail(line_of(*n), join_key(p, "window"), "unknown window " + std::to_string(*d.window));
      }
      if (const toml::node* n = t.get("windows")) {
        const std::string key = join_key(p, "windows");
        if (d.kind != DeviceKind::Display)
          fail(line_of(*n), key, "only display nodes carry keypads and evaluators");
        const toml::array* a = n->as_array();
        if (!a) fail(line_of(*n), key, "expected an array of window numbers");
        for (const toml::node& x : *a) {
          int w = static_cast<int>(as_int(x, key, 1, 999));
          if (!c.find_window(w)) fail(line_of(x), key, "unknown window " + std::to_string(w));
          if (std::find(d.windows.begin(), d.windows.end(), w) != d.windows.end())
            fail(line_of(x), key, "window " + std::to_string(w) + " listed twice");
          d.windows.push_back(w);
        }
      }
      d.location = opt_string(t, "location", p, "");
      if (d.location.size() > 96)
        fail(line_of(*t.get("location")), join_key(p, "location"), "longer than 96 bytes");
      d.token_hash = req_string(t, "token_hash", p);
      if (!valid_token_hash(d.token_hash))
        fail(line_of(*t.get("token_hash")), join_key(p, "token_hash"),
             "expected \"blake2b:\" and 64 lowercase hex digits (see hallq::token_digest)");
      else if (!c.centre.demo && is_demo_token_digest(d.token_hash, d.id))
        fail(line_of(*t.get("token_hash")), join_key(p, "token_hash"),
             "is the digest of a public demo token: make this device its own (hallq-controller --token-digest) "
             "or, for a demo hall only, set [centre] demo = true");
      c.devices.push_back(std::move(d));
    });
  }

};

}  // namespace

const ServiceConfig* HallConfig::find_service(std::string_view id) const {
  for (const auto& s : services)
    if (s.id == id) return &s;
  return nullptr;
}

const WindowConfig* HallConfig::find_window(int number) const {
  for (const auto& w : windows)
    if (w.number == number) return &w;
  return nullptr;
}

Rulebook ScoringConfig::rulebook() const {
  Rulebook r = preset_rulebook(preset).value_or(Rulebook{});
  r.late_grace_minutes = late_grace_minutes;
  for (const auto& [id, pts] : points)
    for (auto& rule : r.rules)
      if (rule.id == id) rule.points = pts;
  return r;
}

const ClerkConfig* HallConfig::find_clerk(std::string_view id) const {
  for (const auto& k : clerks)
    if (k.id == id) return &k;
  return nullptr;
}

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

Expected<HallConfig, ConfigError> parse_config(std::string_view text, const std::string& source) {
  return read_toml<HallConfig>(text, source, [&](const toml::table& root) { return Reader(source).read(root); });
}

Expected<HallConfig, ConfigError> load_config(const std::string& path) {
  auto text = read_config_file(path);
  if (!text) return unexpected(text.error());
  return parse_config(*text, path);
}

}  // namespace hallq
