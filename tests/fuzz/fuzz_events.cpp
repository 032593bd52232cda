// libFuzzer: damaged event rows into the strict event decoder (issue 28), as a replay or
// `--verify-db` reads them from the log. Input: the type, a newline, the data's JSON text.
// Invariants:
//   - never crashes, whatever the row;
//   - what decodes is exactly the row: encoding it again gives the same JSON (no field was
//     dropped, defaulted or converted on the way), so a damaged row never replays into a
//     wrong state;
//   - what does not decode is an error that says what is wrong, and the engine it was applied
//     to is unchanged (no seq taken, no projection row touched).
// Seeds: one event of every type from the fixture database written by 009360b.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hallq/common/config.hpp"
#include "hallq/controller/engine.hpp"
#include "hallq/controller/event_codec.hpp"

using namespace hallq;
namespace json = boost::json;

namespace {

engine::Engine& pristine_engine() {
  static engine::Engine* e = [] {
    auto cfg = load_config(HALLQ_SOURCE_DIR "/deploy/examples/hall.toml");
    if (!cfg) std::abort();
    auto tz = TimeZone::load(cfg->centre.timezone);
    if (!tz) std::abort();
    return new engine::Engine(*cfg, *tz, WorkingCalendar{});
  }();
  return *e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  const std::string_view type = in.substr(0, nl);
  boost::system::error_code ec;
  json::value v = json::parse(in.substr(nl + 1), ec);
  if (ec || !v.is_object()) return 0;
  const json::object& row = v.as_object();

  auto body = engine::events::decode(type, row);
  if (body) {
    json::object again = engine::events::encode(*body);
    json::object expect = row;
    expect.erase("via");  // the envelope's, kept in the row, not in the body
    if (again != expect) std::abort();
    if (engine::events::type_of(*body) != type) std::abort();
    return 0;
  }
  if (body.error().empty()) std::abort();
  engine::Engine& eng = pristine_engine();
  engine::Event e;
  e.seq = 1;
  e.type = std::string(type);
  e.window = 1;
  e.data = row;
  auto bad = eng.apply(e);
  if (!bad || bad->find(body.error()) == std::string::npos) std::abort();
  if (eng.last_seq() != 0) std::abort();
  auto ch = eng.take_changes();
  if (!ch.tickets.empty() || !ch.cases.empty() || !ch.appointments.empty() || !ch.windows.empty()) std::abort();
  return 0;
}
