// The event codec (issue 28): every event type round-trips, decoding is strict and names the
// field at fault, and the public view carries only allow-listed fields (R-EVAL-1, R-COMP-1:
// nothing that points at a citizen or a clerk reaches the wall board).
#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>

#include <set>
#include <string>

#include "hallq/common/traits.hpp"
#include "hallq/controller/event_codec.hpp"
#include "hallq_catch.hpp"

using namespace hallq;
using namespace hallq::engine;
namespace json = boost::json;

namespace {

// Every field set to a value other than its default, optionals engaged.
template <class T>
void fill(T& v) {
  if constexpr (std::is_same_v<T, bool>) v = true;
  else if constexpr (std::is_integral_v<T>) v = 7;
  else if constexpr (std::is_same_v<T, std::string>) v = "x";
  else if constexpr (std::is_same_v<T, Date>) v = Date{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{23}};
  else if constexpr (is_optional_v<T>) {
    typename T::value_type x{};
    fill(x);
    v = std::move(x);
  } else if constexpr (is_vector_v<T>) {
    typename T::value_type x{};
    fill(x);
    v = {x};
  } else {
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto D) { fill(v.*D.pointer); });
  }
}

std::vector<events::Body> filled_bodies() {
  std::vector<events::Body> out;
  boost::mp11::mp_for_each<boost::mp11::mp_iota_c<std::variant_size_v<events::Body>>>([&](auto I) {
    std::variant_alternative_t<I, events::Body> b{};
    fill(b);
    out.emplace_back(std::move(b));
  });
  return out;
}

std::set<std::string> keys(const json::object& o) {
  std::set<std::string> k;
  for (const auto& kv : o) k.insert(std::string(kv.key()));
  return k;
}

}  // namespace

TEST_CASE("every event type round-trips through the codec, every field classified", "[codec]") {
  const auto bodies = filled_bodies();
  REQUIRE(bodies.size() == events::all_types().size());
  REQUIRE(bodies.size() == 49);
  for (const auto& b : bodies) {
    const std::string type(events::type_of(b));
    INFO(type);
    const json::object data = events::encode(b);
    auto back = events::decode(type, data);
    REQUIRE(back);
    CHECK(events::encode(*back) == data);
    CHECK(events::type_of(*back) == type);
    // Every field written is public or private, never both.
    std::set<std::string> classified;
    for (auto f : events::public_fields(type)) CHECK(classified.insert(std::string(f)).second);
    for (auto f : events::private_fields(type)) CHECK(classified.insert(std::string(f)).second);
    CHECK(keys(data) == classified);
  }
}

TEST_CASE("decoding is strict and names the field at fault", "[codec]") {
  for (const auto& b : filled_bodies()) {
    const std::string type(events::type_of(b));
    INFO(type);
    const json::object data = events::encode(b);
    for (const auto& kv : data) {
      const std::string field(kv.key());
      INFO(field);
      json::object wrong = data;
      wrong[field] = json::array{json::object{{"?", nullptr}}};  // no field is an array of objects
      auto r = events::decode(type, wrong);
      REQUIRE_FALSE(r);
      CHECK(r.error().find("'" + field + "'") != std::string::npos);
      json::object missing = data;
      missing.erase(field);
      auto m = events::decode(type, missing);
      // Only a field that may be absent (std::optional) decodes without its key.
      if (m) CHECK(events::encode(*m).size() == data.size() - 1);
      else CHECK(m.error() == "missing field '" + field + "'");
    }
    json::object extra = data;
    extra["surprise"] = 1;
    auto x = events::decode(type, extra);
    REQUIRE_FALSE(x);
    CHECK(x.error() == "unknown field 'surprise'");
  }
  auto u = events::decode("TicketTeleported", json::object{});
  REQUIRE_FALSE(u);
  CHECK(u.error() == "unknown event type 'TicketTeleported'");
}

TEST_CASE("decoding checks ranges, dates and nested values", "[codec]") {
  const json::object ok{{"ticket", 5}, {"recalls", 1}, {"number", "A005"}, {"service", "minzheng"}};
  REQUIRE(events::decode("TicketRecalled", ok));
  json::object big = ok;
  big["recalls"] = std::int64_t{1} << 40;  // an int field
  CHECK(events::decode("TicketRecalled", big).error() == "field 'recalls' is not an integer in range");
  json::object real = ok;
  real["ticket"] = 5.0;
  CHECK_FALSE(events::decode("TicketRecalled", real));
  json::object via = ok;
  via["via"] = "keypad-1";  // a clerk acting through a keypad: allowed on every event
  CHECK(events::decode("TicketRecalled", via));
  via["via"] = 3;
  CHECK(events::decode("TicketRecalled", via).error() == "field 'via' is not a string");

  const json::object leave{{"leave", 1}, {"clerk", "c1"}, {"from", "2026-02-30"}, {"to", "2026-03-02"},
                           {"kind", "sick"}, {"reason", ""}};
  CHECK(events::decode("LeaveRecorded", leave).error() == "field 'from' is not a date (YYYY-MM-DD)");
  json::object rolled{{"day", "2026-11-24"},
                      {"unregistered", json::array{json::object{{"ticket", 1}, {"number", "A001"}, {"window", 1}}}}};
  CHECK(events::decode("DayRolledOver", rolled).error() == "field 'unregistered' [0] missing field 'clerk'");
  json::object sealed{{"complaint", 1}, {"channel", "kiosk"}, {"categories", json::array{"waiting"}}, {"content", ""},
                      {"name", json::object{{"masked", "张*"}}}, {"phone", json::object{{"masked", ""}, {"sealed", ""}}},
                      {"clerk", ""}, {"received", "2026-11-23"}, {"due", "2026-11-30"}};
  CHECK(events::decode("ComplaintFiled", sealed).error() == "field 'name' missing field 'sealed'");
}

TEST_CASE("the public view carries allow-listed fields only", "[codec]") {
  // Fields that point at a person or a case: never public, whatever the type (R-EVAL-1,
  // R-COMP-1, R-APPT-1). A new event that makes one public fails here.
  const std::set<std::string> never{"clerk", "from_clerk", "request_id", "case", "by", "name", "phone",
                                    "content", "level", "label", "bad", "from", "caller", "applicant",
                                    "id_number", "code", "answer", "note", "handler", "subject", "finished_at"};
  for (const auto& b : filled_bodies()) {
    const std::string type(events::type_of(b));
    INFO(type);
    json::object data = events::encode(b);
    data["via"] = "keypad-1";
    const json::object pub = events::public_view(type, data);
    std::set<std::string> allowed{"via"};
    for (auto f : events::public_fields(type)) allowed.insert(std::string(f));
    for (const auto& kv : pub) {
      INFO(kv.key());
      CHECK(allowed.contains(std::string(kv.key())));
      CHECK_FALSE(never.contains(std::string(kv.key())));
      CHECK(kv.value() == data.at(kv.key()));
    }
    CHECK(pub.size() == allowed.size());  // every allowed field that was written is kept
  }
  CHECK(events::public_view("NoSuchType", json::object{{"number", "A001"}}).empty());
}
