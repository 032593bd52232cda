// The event codec (event_codec.hpp): a strict JSON mapping of the described event structs.
// Boost.JSON converts described structs too, but Boost 1.81 and 1.83 disagree on absent
// optional members and extra keys, and neither names the field at fault; this is both, in
// one small generic mapping.
#include "hallq/common/traits.hpp"
#include "hallq/controller/event_codec.hpp"

#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <limits>
#include <map>
#include <type_traits>

namespace hallq::engine::events {
namespace json = boost::json;
namespace {

// ---- names ----
// A member named after a keyword ends in '_' ("case_" is "case").
constexpr std::string_view json_name(std::string_view member) {
  return !member.empty() && member.back() == '_' ? member.substr(0, member.size() - 1) : member;
}
constexpr int count_word(std::string_view list, std::string_view word) {
  int n = 0;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && list[i] == ' ') ++i;
    size_t j = i;
    while (j < list.size() && list[j] != ' ') ++j;
    if (j > i && list.substr(i, j - i) == word) ++n;
    i = j;
  }
  return n;
}
constexpr int count_words(std::string_view list) {
  int n = 0;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && list[i] == ' ') ++i;
    if (i < list.size()) ++n;
    while (i < list.size() && list[i] != ' ') ++i;
  }
  return n;
}
template <class T>
using Members = boost::describe::describe_members<T, boost::describe::mod_public>;

// Every field of an event type is public or private, once; the lists name nothing else.
template <class T, template <class...> class L, class... D>
constexpr bool classified(L<D...>) {
  const bool each_once = ((count_word(T::kPublic, json_name(D::name)) + count_word(T::kPrivate, json_name(D::name)) == 1) && ... && true);
  return each_once && count_words(T::kPublic) + count_words(T::kPrivate) == static_cast<int>(sizeof...(D));
}
template <class... T>
constexpr bool all_classified(std::variant<T...>*) {
  return (classified<T>(Members<T>{}) && ...);
}
static_assert(all_classified(static_cast<Body*>(nullptr)),
              "every field of an event is in its kPublic or kPrivate list, once (events.hpp)");

template <class T>
constexpr bool defaulted(std::string_view name) {
  if constexpr (requires { T::kDefaulted; })
    return count_word(T::kDefaulted, name) == 1;
  else
    return false;
}

// ---- values ----

template <class T>
json::value to_json(const T& v);
template <class T>
json::object to_object(const T& v) {
  json::object o;
  boost::mp11::mp_for_each<Members<T>>([&](auto D) {
    const auto& m = v.*D.pointer;
    if constexpr (is_optional_v<std::remove_cvref_t<decltype(m)>>) {
      if (m) o[json_name(D.name)] = to_json(*m);
    } else {
      o[json_name(D.name)] = to_json(m);
    }
  });
  return o;
}
template <class T>
json::value to_json(const T& v) {
  if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T> || std::is_same_v<T, std::string>)
    return json::value(v);
  else if constexpr (std::is_same_v<T, Date>)
    return json::value(format_date(v));
  else if constexpr (is_vector_v<T>) {
    json::array a;
    for (const auto& x : v) a.push_back(to_json(x));
    return a;
  } else
    return to_object(v);
}

// Reads `v` into `out`; false with `err` naming what is wrong (the caller adds the field).
template <class T>
bool from_json(const json::value& v, T& out, std::string& err);
template <class T>
bool from_fields(const json::object& obj, T& out, std::string& err) {
  const json::object* o = &obj;
  bool ok = true;
  size_t known = 0;
  boost::mp11::mp_for_each<Members<T>>([&](auto D) {
    if (!ok) return;
    const std::string_view name = json_name(D.name);
    auto& m = out.*D.pointer;
    const json::value* f = o->if_contains(name);
    if (!f) {
      if (!is_optional_v<std::remove_cvref_t<decltype(m)>> && !defaulted<T>(name))
        ok = false, err = "missing field '" + std::string(name) + "'";
      return;
    }
    ++known;
    std::string why;
    if (!from_json(*f, m, why)) ok = false, err = "field '" + std::string(name) + "' " + why;
  });
  if (ok && known != o->size())
    for (const auto& kv : *o) {
      bool member = false;
      boost::mp11::mp_for_each<Members<T>>([&](auto D) { member = member || json_name(D.name) == kv.key(); });
      if (!member) return err = "unknown field '" + std::string(kv.key()) + "'", false;
    }
  return ok;
}
template <class T>
bool from_json(const json::value& v, T& out, std::string& err) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_bool()) return err = "is not true or false", false;
    out = v.as_bool();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_int64() || v.as_int64() < std::numeric_limits<T>::min() || v.as_int64() > std::numeric_limits<T>::max())
      return err = "is not an integer in range", false;
    out = static_cast<T>(v.as_int64());
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return err = "is not a string", false;
    out = std::string(v.as_string());
  } else if constexpr (std::is_same_v<T, Date>) {
    const auto d = v.is_string() ? parse_date(v.as_string()) : std::nullopt;
    if (!d) return err = "is not a date (YYYY-MM-DD)", false;
    out = *d;
  } else if constexpr (is_optional_v<T>) {
    typename T::value_type x{};
    if (!from_json(v, x, err)) return false;
    out = std::move(x);
  } else if constexpr (is_vector_v<T>) {
    const json::array* a = v.if_array();
    if (!a) return err = "is not an array", false;
    out.clear();
    for (size_t i = 0; i < a->size(); ++i) {
      typename T::value_type x{};
      std::string why;
      if (!from_json((*a)[i], x, why)) return err = "[" + std::to_string(i) + "] " + why, false;
      out.push_back(std::move(x));
    }
  } else {
    const json::object* o = v.if_object();
    if (!o) return err = "is not an object", false;
    return from_fields(*o, out, err);
  }
  return true;
}

// ---- the table of types ----
struct TypeInfo {
  std::string_view name, pub, priv;
  Expected<Body, std::string> (*decode)(const json::object&);
};
template <class T>
Expected<Body, std::string> decode_as(const json::object& data) {
  T out{};
  std::string err;
  json::object rest;
  const json::object* d = &data;
  if (const json::value* via = data.if_contains("via")) {
    if (!via->is_string()) return unexpected(std::string("field 'via' is not a string"));
    rest = data;
    rest.erase("via");
    d = &rest;
  }
  if (!from_fields(*d, out, err)) return unexpected(std::move(err));
  return Body(std::move(out));
}
template <class... T>
std::vector<TypeInfo> make_table(std::variant<T...>*) {
  return {TypeInfo{T::kType, T::kPublic, T::kPrivate, &decode_as<T>}...};
}
const std::vector<TypeInfo>& table() {
  static const std::vector<TypeInfo> t = make_table(static_cast<Body*>(nullptr));
  return t;
}
const TypeInfo* find(std::string_view type) {
  static const std::map<std::string_view, const TypeInfo*> by_name = [] {
    std::map<std::string_view, const TypeInfo*> m;
    for (const auto& i : table()) m.emplace(i.name, &i);
    return m;
  }();
  auto it = by_name.find(type);
  return it == by_name.end() ? nullptr : it->second;
}
std::vector<std::string_view> words(std::string_view list) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && list[i] == ' ') ++i;
    size_t j = i;
    while (j < list.size() && list[j] != ' ') ++j;
    if (j > i) out.push_back(list.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::string_view type_of(const Body& body) {
  return std::visit([](const auto& b) { return std::remove_cvref_t<decltype(b)>::kType; }, body);
}

json::object encode(const Body& body) {
  return std::visit([](const auto& b) { return to_object(b); }, body);
}

Expected<Body, std::string> decode(std::string_view type, const json::object& data) {
  const TypeInfo* info = find(type);
  if (!info) return unexpected("unknown event type '" + std::string(type) + "'");
  return info->decode(data);
}

const std::vector<std::string_view>& all_types() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& i : table()) v.push_back(i.name);
    return v;
  }();
  return names;
}

std::vector<std::string_view> public_fields(std::string_view type) {
  const TypeInfo* info = find(type);
  return info ? words(info->pub) : std::vector<std::string_view>{};
}

std::vector<std::string_view> private_fields(std::string_view type) {
  const TypeInfo* info = find(type);
  return info ? words(info->priv) : std::vector<std::string_view>{};
}

std::string types_json() {
  json::array out;
  for (const auto& i : table()) {
    json::array pub, priv;
    for (auto w : words(i.pub)) pub.emplace_back(w);
    for (auto w : words(i.priv)) priv.emplace_back(w);
    out.push_back(json::object{{"type", i.name}, {"public", std::move(pub)}, {"private", std::move(priv)}});
  }
  return json::serialize(out);
}

json::object public_view(std::string_view type, const json::object& data) {
  json::object out;
  const TypeInfo* info = find(type);
  if (!info) return out;
  for (const auto& kv : data)
    if (kv.key() == "via" || count_word(info->pub, kv.key()) == 1) out.emplace(kv.key(), kv.value());
  return out;
}

}  // namespace hallq::engine::events
