#include "hallq/common/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

namespace hallq {
namespace {

using namespace std::chrono;

// Validation stops at the first error; an exception carries it out of the nested readers so
// each reader stays a straight line instead of checking a result after every call.
struct ConfigFailure {
  ConfigError error;
};

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::string join_key(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

std::string index_key(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool valid_token_hash(std::string_view s) {
  constexpr std::string_view prefix = "blake2b:";
  if (s.size() != prefix.size() + 64 || s.substr(0, prefix.size()) != prefix) return false;
  return std::all_of(s.begin() + prefix.size(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// HOST:PORT with a non-empty host (an IPv6 host in brackets) and a port 0..65535.
bool valid_listen(std::string_view s) {
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = s.substr(0, colon);
  std::string_view port = s.substr(colon + 1);
  if (host.find(':') != std::string_view::npos &&
      (host.front() != '[' || host.back() != ']' || host.size() < 3))
    return false;
  if (port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  return std::stoi(std::string(port)) <= 65535;
}

std::string_view weekday_name(Date d) {
  static constexpr std::string_view names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                               "Thursday", "Friday", "Saturday"};
  return names[weekday{sys_days{d}}.c_encoding()];
}

// Reads one parsed TOML document into a HallConfig, checking everything on the way.
// Thread-safety: one instance per parse.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  HallConfig read(const toml::table& root) {
    HallConfig c;
    check_keys(root, "",
               {"centre", "server", "hours", "calendar", "policy", "printing", "services", "windows",
                "clerks", "devices"});
    c.centre = read_centre(require_table(root, "centre", ""));
    if (const auto* t = opt_table(root, "server", "")) c.server = read_server(*t);
    if (const auto* t = opt_table(root, "hours", "")) c.hours = read_hours(*t);
    if (const auto* t = opt_table(root, "calendar", "")) c.calendar = read_calendar(*t);
    if (const auto* t = opt_table(root, "policy", "")) c.policy = read_policy(*t);
    if (const auto* t = opt_table(root, "printing", "")) c.printing = read_printing(*t);
    read_services(root, c);
    read_clerks(root, c);
    read_windows(root, c);
    read_devices(root, c);
    return c;
  }

 private:
  [[noreturn]] void fail(int line, std::string key, std::string message) const {
    throw ConfigFailure{ConfigError{file_, line, std::move(key), std::move(message)}};
  }

  [[noreturn]] void fail_type(const toml::node& n, const std::string& key,
                              std::string_view expected) const {
    fail(line_of(n), key,
         "expected " + std::string(expected) + ", got " + std::string(type_name(n.type())));
  }

  void check_keys(const toml::table& t, std::string_view path,
                  std::initializer_list<std::string_view> allowed) const {
    for (auto&& [k, v] : t) {
      std::string_view name = k.str();
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      std::string message = "unknown key '" + std::string(name) + "'";
      std::string_view best;
      std::size_t best_distance = 3;  // suggest only near misses: typos, not other words
      for (std::string_view a : allowed) {
        std::size_t d = edit_distance(name, a);
        if (d < best_distance) {
          best = a;
          best_distance = d;
        }
      }
      if (!best.empty()) message += " (did you mean '" + std::string(best) + "'?)";
      int line = static_cast<int>(k.source().begin.line);
      fail(line ? line : line_of(v), join_key(path, name), message);
    }
  }

  // A key missing from the document's root is not tied to any line.
  static int parent_line(const toml::table& t, std::string_view path) {
    return path.empty() ? 0 : line_of(t);
  }

  const toml::node& require(const toml::table& t, std::string_view key,
                            std::string_view path) const {
    const toml::node* n = t.get(key);
    if (!n)
      fail(parent_line(t, path), join_key(path, key),
           "missing required key '" + std::string(key) + "'");
    return *n;
  }

  const toml::table* opt_table(const toml::table& t, std::string_view key,
                               std::string_view path) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail_type(*n, join_key(path, key), "a table");
    return n->as_table();
  }

  const toml::table& require_table(const toml::table& t, std::string_view key,
                                   std::string_view path) const {
    const toml::node& n = require(t, key, path);
    if (!n.is_table()) fail_type(n, join_key(path, key), "a table");
    return *n.as_table();
  }

  std::string as_string(const toml::node& n, const std::string& key) const {
    if (!n.is_string()) fail_type(n, key, "a string");
    return n.as_string()->get();
  }

  std::string opt_string(const toml::table& t, std::string_view key, std::string_view path,
                         std::string fallback) const {
    const toml::node* n = t.get(key);
    return n ? as_string(*n, join_key(path, key)) : fallback;
  }

  // Required strings are names and ids: an empty one is as good as missing.
  std::string req_string(const toml::table& t, std::string_view key, std::string_view path) const {
    const toml::node& n = require(t, key, path);
    std::string s = as_string(n, join_key(path, key));
    if (s.empty()) fail(line_of(n), join_key(path, key), "expected a non-empty string");
    return s;
  }

  bool opt_bool(const toml::table& t, std::string_view key, std::string_view path,
                bool fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (!n->is_boolean()) fail_type(*n, join_key(path, key), "a boolean (true or false)");
    return n->as_boolean()->get();
  }

  int as_int(const toml::node& n, const std::string& key, std::int64_t lo, std::int64_t hi) const {
    std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!n.is_integer()) fail_type(n, key, range);
    std::int64_t v = n.as_integer()->get();
    if (v < lo || v > hi) fail(line_of(n), key, "expected " + range + ", got " + std::to_string(v));
    return static_cast<int>(v);
  }

  int opt_int(const toml::table& t, std::string_view key, std::string_view path, std::int64_t lo,
              std::int64_t hi, int fallback) const {
    const toml::node* n = t.get(key);
    return n ? as_int(*n, join_key(path, key), lo, hi) : fallback;
  }

  // "HH:MM", or a TOML local time such as 08:30 written without quotes.
  Minutes opt_hhmm(const toml::table& t, std::string_view key, std::string_view path,
                   Minutes fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    std::string k = join_key(path, key);
    if (const auto* tv = n->as_time()) {
      const toml::time& tm = tv->get();
      if (tm.second != 0 || tm.nanosecond != 0)
        fail(line_of(*n), k, "expected a time \"HH:MM\" without seconds");
      return Minutes{tm.hour * 60 + tm.minute};
    }
    if (!n->is_string()) fail_type(*n, k, "a time \"HH:MM\"");
    auto m = parse_hhmm(n->as_string()->get());
    if (!m)
      fail(line_of(*n), k,
           "expected a time \"HH:MM\" (00:00 to 24:00), got \"" + n->as_string()->get() + "\"");
    return *m;
  }

  // "YYYY-MM-DD", or a TOML local date written without quotes.
  Date as_date(const toml::node& n, const std::string& key) const {
    if (const auto* dv = n.as_date()) {
      const toml::date& d = dv->get();
      Date out{year{d.year}, month{d.month}, day{d.day}};
      if (!out.ok()) fail(line_of(n), key, "expected a valid calendar date");
      return out;
    }
    if (!n.is_string()) fail_type(n, key, "a date \"YYYY-MM-DD\"");
    auto d = parse_date(n.as_string()->get());
    if (!d)
      fail(line_of(n), key, "expected a date \"YYYY-MM-DD\", got \"" + n.as_string()->get() + "\"");
    return *d;
  }

  const toml::array* opt_array(const toml::table& t, std::string_view key,
                               std::string_view path) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_array()) fail_type(*n, join_key(path, key), "an array");
    return n->as_array();
  }

  std::vector<std::string> opt_string_array(const toml::table& t, std::string_view key,
                                            std::string_view path) const {
    std::vector<std::string> out;
    const toml::array* a = opt_array(t, key, path);
    if (!a) return out;
    std::string k = join_key(path, key);
    for (std::size_t i = 0; i < a->size(); ++i)
      out.push_back(as_string(*a->get(i), index_key(k, i)));
    return out;
  }

  std::vector<Date> opt_date_array(const toml::table& t, std::string_view key,
                                   std::string_view path) const {
    std::vector<Date> out;
    const toml::array* a = opt_array(t, key, path);
    if (!a) return out;
    std::string k = join_key(path, key);
    std::set<Date> seen;
    for (std::size_t i = 0; i < a->size(); ++i) {
      Date d = as_date(*a->get(i), index_key(k, i));
      if (!seen.insert(d).second)
        fail(line_of(*a->get(i)), index_key(k, i), "date " + format_date(d) + " is listed twice");
      out.push_back(d);
    }
    return out;
  }

  // An array of tables ([[services]]); each entry is handed to `each` with its dotted key.
  template <class F>
  void for_each_table(const toml::table& t, std::string_view key, std::string_view path,
                      bool required, F&& each) const {
    const toml::node* n = t.get(key);
    std::string k = join_key(path, key);
    if (!n) {
      if (required)
        fail(parent_line(t, path), k,
             "missing required key '" + std::string(key) + "' (at least one [[" + k + "]] entry)");
      return;
    }
    if (!n->is_array()) fail_type(*n, k, "an array of tables ([[" + k + "]])");
    const toml::array& a = *n->as_array();
    if (required && a.empty()) fail(line_of(*n), k, "expected at least one entry");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const toml::node& e = *a.get(i);
      if (!e.is_table()) fail_type(e, index_key(k, i), "a table");
      each(*e.as_table(), index_key(k, i));
    }
  }

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
      for (const char* ph : {"{id}", "{number}", "{day}"})
        for (size_t at = rest.find(ph); at != std::string::npos; at = rest.find(ph)) rest.erase(at, std::strlen(ph));
      if (rest.find_first_of("{}") != std::string::npos)
        fail(line_of(*n), "printing.ticket_url", "only {id}, {number} and {day} can be filled in");
    }
    return c;
  }

  ServerConfig read_server(const toml::table& t) const {
    const std::string p = "server";
    check_keys(t, p, {"listen", "data_dir"});
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
                "noshow_return_minutes", "call_order", "device_rate_per_s", "device_burst",
                "pin_max_failures", "pin_lockout_s", "session_hours", "device_offline_after_s"});
    PolicyConfig c;
    c.recall_limit = opt_int(t, "recall_limit", p, 0, 10, c.recall_limit);
    c.carry_over_waiting = opt_bool(t, "carry_over_waiting", p, c.carry_over_waiting);
    c.number_width = opt_int(t, "number_width", p, 2, 6, c.number_width);
    c.widen_numbers = opt_bool(t, "widen_numbers", p, c.widen_numbers);
    c.noshow_return_minutes =
        opt_int(t, "noshow_return_minutes", p, 0, 24 * 60, c.noshow_return_minutes);
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
    c.session_hours = opt_int(t, "session_hours", p, 1, 7 * 24, c.session_hours);
    c.device_offline_after_s =
        opt_int(t, "device_offline_after_s", p, 5, 24 * 3600, c.device_offline_after_s);
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
      check_keys(t, p, {"id", "name", "name_en", "prefix", "daily_limit", "items"});
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
          {"number", "name", "services", "clerk_a", "clerk_b", "lunch_service", "weekend_service"});
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
      c.windows.push_back(std::move(w));
    });
  }

  void read_devices(const toml::table& root, HallConfig& c) const {
    std::set<std::string> ids;
    for_each_table(root, "devices", "", false, [&](const toml::table& t, const std::string& p) {
      check_keys(t, p, {"id", "kind", "window", "token_hash"});
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
      d.token_hash = req_string(t, "token_hash", p);
      if (!valid_token_hash(d.token_hash))
        fail(line_of(*t.get("token_hash")), join_key(p, "token_hash"),
             "expected \"blake2b:\" and 64 lowercase hex digits (see hallq::token_digest)");
      c.devices.push_back(std::move(d));
    });
  }

  std::string file_;
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
  toml::table root;
  try {
    root = toml::parse(text, std::string_view{source});
  } catch (const toml::parse_error& e) {
    return unexpected(ConfigError{source,
                                  static_cast<int>(e.source().begin.line),
                                  {},
                                  "TOML syntax error: " + std::string(e.description())});
  }
  try {
    return Reader(source).read(root);
  } catch (ConfigFailure& f) {
    return unexpected(std::move(f.error));
  }
}

Expected<HallConfig, ConfigError> load_config(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return unexpected(ConfigError{path, 0, {}, "cannot read config: is a directory"});
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return unexpected(
        ConfigError{path, 0, {}, "cannot read config: " + std::string(std::strerror(err))});
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return unexpected(ConfigError{path, 0, {}, "cannot read config: read error"});
  return parse_config(text.str(), path);
}

}  // namespace hallq
