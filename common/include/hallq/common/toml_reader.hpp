#pragma once
// Reading a TOML configuration file into validated structs: the helpers every config reader
// shares (the hall's, the kiosk's, the display's). Validation stops at the first error,
// which names the file, the line and the dotted key (style 28); a reader throws
// ConfigFailure from deep inside and read_toml() turns it into the Expected it returns.
// Thread-safety: one reader per parse.
#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/config.hpp"
#include "hallq/common/expected.hpp"
#include "hallq/common/time.hpp"

namespace hallq {

// Validation stops at the first error; an exception carries it out of the nested readers so
// each reader stays a straight line instead of checking a result after every call.
struct ConfigFailure {
  ConfigError error;
};

int line_of(const toml::node& n);
std::string join_key(std::string_view path, std::string_view key);
std::string index_key(std::string_view path, std::size_t i);
std::string_view type_name(toml::node_type t);
std::size_t edit_distance(std::string_view a, std::string_view b);
// [a-z0-9_-]{1,32}
bool valid_id(std::string_view s);
// HOST:PORT with a non-empty host (an IPv6 host in brackets) and a port 0..65535.
bool valid_listen(std::string_view s);

// Parses `text` (named `source` in errors) and hands the root table to `read`, which returns
// the config struct or throws ConfigFailure.
template <class T, class F>
Expected<T, ConfigError> read_toml(std::string_view text, const std::string& source, F&& read) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view{source});
  } catch (const toml::parse_error& e) {
    return unexpected(ConfigError{source, static_cast<int>(e.source().begin.line), {},
                                  "TOML syntax error: " + std::string(e.description())});
  }
  try {
    return read(root);
  } catch (ConfigFailure& f) {
    return unexpected(std::move(f.error));
  }
}

// The whole text of a config file, or an error naming it.
Expected<std::string, ConfigError> read_config_file(const std::string& path);

class TomlReader {
 public:
  explicit TomlReader(std::string file) : file_(std::move(file)) {}

 protected:
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
      Date out{std::chrono::year{d.year}, std::chrono::month{d.month}, std::chrono::day{d.day}};
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

  std::string file_;
};

}  // namespace hallq
