#pragma once
// The one place where event data meets JSON (issue 28). Encoding writes a struct's described
// members in order; an std::optional that is empty is left out. Decoding is strict: an unknown
// type, an unknown key, a missing field (unless std::optional or named in kDefaulted) or a
// value of the wrong type or range is an error naming the field, and nothing is decoded.
// Every event may carry "via": the device a clerk acted through (a caller keypad), a string.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/controller/events.hpp"

namespace hallq::engine::events {

std::string_view type_of(const Body& body);
boost::json::object encode(const Body& body);
// The data of an event of `type`; the error names the field ("missing field 'number'").
Expected<Body, std::string> decode(std::string_view type, const boost::json::object& data);

// Every event type, in the order of Body's alternatives.
const std::vector<std::string_view>& all_types();
// The fields of a type the wall board and the unauthenticated stream may see, and those for
// staff only; empty for an unknown type. "via" is public on every type.
std::vector<std::string_view> public_fields(std::string_view type);
std::vector<std::string_view> private_fields(std::string_view type);
// [{"type","public":[...],"private":[...]}] for every type: hallq-controller --list-events,
// from which docs/api.md's event reference is generated.
std::string types_json();
// The public view of an event's data: the allow-listed fields only (nothing of an unknown type).
boost::json::object public_view(std::string_view type, const boost::json::object& data);

}  // namespace hallq::engine::events
