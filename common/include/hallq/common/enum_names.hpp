#pragma once
// One mechanism for the stable names of enums (in events, rows, the API and configs): a table
// of (value, name) pairs per enum, from which both directions come. An enum described with
// BOOST_DESCRIBE_ENUM has its table checked at compile time to name every enumerator once.
//
//   template <> struct EnumNames<Priority> {
//     static constexpr std::array<std::pair<Priority, std::string_view>, 2> table{
//         {{Priority::Normal, "normal"}, {Priority::Elderly, "elderly"}}};
//   };
//   enum_name(Priority::Normal) == "normal"; parse_enum<Priority>("elderly") == Priority::Elderly
#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace hallq {

template <class E>
struct EnumNames;  // specialise with `static constexpr std::array<std::pair<E, std::string_view>, N> table`

// The name of `e`; `fallback` for a value the table lacks (a damaged cast).
template <class E>
constexpr std::string_view enum_name(E e, std::string_view fallback = {}) {
  for (const auto& [v, n] : EnumNames<E>::table)
    if (v == e) return n;
  return fallback;
}

template <class E>
constexpr std::optional<E> parse_enum(std::string_view s) {
  for (const auto& [v, n] : EnumNames<E>::table)
    if (n == s) return v;
  return std::nullopt;
}

// Every enumerator of a described enum is in its table once, and no name twice.
template <class E>
constexpr bool enum_names_complete() {
  const auto& t = EnumNames<E>::table;
  bool ok = t.size() == boost::mp11::mp_size<boost::describe::describe_enumerators<E>>::value;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
    int n = 0;
    for (const auto& [v, name] : t) n += v == D.value;
    ok = ok && n == 1;
  });
  for (size_t i = 0; i < t.size(); ++i)
    for (size_t j = i + 1; j < t.size(); ++j) ok = ok && t[i].second != t[j].second;
  return ok;
}

}  // namespace hallq
