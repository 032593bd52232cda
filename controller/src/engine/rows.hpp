#pragma once
// Serialisation of engine state to the JSON rows the store keeps as projections, and back.
// Times are stored as integer milliseconds since the epoch (UTC).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "hallq/controller/engine.hpp"

namespace hallq::engine {

// Event data readers: 0 / "" when the field is missing or of another type.
inline std::int64_t get_i(const boost::json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : 0;
}
inline std::string get_s(const boost::json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// String lists in event data and rows: an array of strings, and back (non-strings skipped).
boost::json::array str_array(const std::vector<std::string>& v);
std::vector<std::string> str_vector(const boost::json::object& d, const char* k);

boost::json::object ticket_to_row(const Ticket& t);
bool ticket_from_row(const boost::json::object& o, Ticket& t);
boost::json::object window_to_row(const WindowStatus& w);
bool window_from_row(const boost::json::object& o, WindowStatus& w);
boost::json::object appointment_to_row(const Appointment& a);
bool appointment_from_row(const boost::json::object& o, Appointment& a);
// The day an appointment's row is filed under: the booked day, or the day its request came.
std::string appointment_day(const Appointment& a);

}  // namespace hallq::engine
