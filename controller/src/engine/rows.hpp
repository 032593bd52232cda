#pragma once
// Serialisation of engine state to the JSON rows the store keeps as projections, and back.
// Times are stored as integer milliseconds since the epoch (UTC).
#include <boost/json/object.hpp>

#include <string>

#include "hallq/controller/engine.hpp"

namespace hallq::engine {

boost::json::object ticket_to_row(const Ticket& t);
bool ticket_from_row(const boost::json::object& o, Ticket& t);
boost::json::object window_to_row(const WindowStatus& w);
bool window_from_row(const boost::json::object& o, WindowStatus& w);

}  // namespace hallq::engine
