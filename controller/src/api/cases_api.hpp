#pragma once
// The case register's routes (docs/api.md): /api/v1/cases..., /api/v1/enquiries and
// /api/v1/calendar/deadline, and the reader of a case as a finish request carries it.
// Thread-safety: I/O thread only, like the Hall.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include "http.hpp"

namespace hallq::api {

// The "case" object of a finish or a registration: fields checked, personal data sealed.
Expected<engine::CaseInput, ApiError> parse_case_input(const Hall& hall, const boost::json::object& o);

}  // namespace hallq::api
