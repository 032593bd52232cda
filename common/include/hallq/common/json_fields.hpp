#pragma once
// Lenient field reads from JSON the nodes receive from the controller: a missing field or one
// of another type reads as empty / 0, so a newer or older controller never crashes a node.
// (Requests the controller itself takes are validated strictly, field by field.)
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

namespace hallq::json_fields {

inline std::string str(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

inline std::int64_t num(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace hallq::json_fields
