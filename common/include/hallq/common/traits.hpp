#pragma once
// Type traits the described-struct code needs (the event codec and its tests).
#include <optional>
#include <type_traits>
#include <vector>

namespace hallq {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
inline constexpr bool is_optional_v = is_optional<T>::value;

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
inline constexpr bool is_vector_v = is_vector<T>::value;

}  // namespace hallq
