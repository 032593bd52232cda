// libFuzzer: the controller's HTTP request handling in-process (api::handle_request, exactly
// what a connection runs for a parsed request), against one hall built from the example config
// (fuzz_hall.hpp) that lives on from input to input, so the requests of one input build on the
// tickets, windows, cases and appointments the earlier ones left.
// Input:
//   byte 0  method: GET, POST, DELETE
//   byte 1  a route from kRoutes (every route of docs/api.md, plus the pages)
//   byte 2  the credential: none, garbage, kiosk-1, display-1, the clerk c01 signed in at
//           window 1, the manager m01
//   byte 3  {id} in the route (0..255)
//   byte 4  {n} in the route (0..7; the hall has windows 1..6)
//   rest    the body; for a route with {s}, the text up to the first newline is {s} (the bytes
//           an HTTP parser would refuse in a target left out) and the body follows it.
//   "{key}" anywhere in {s} or the body becomes ticket {id}'s QR key ([printing] ticket_url),
//   "{code}" appointment {id}'s check-in code: secrets the fuzzer could never guess.
// Invariants (abort() when broken):
//   - never crashes; the request never throws out of handle_request, and no input makes it
//     answer 500 (an exception inside: bad input must get a clear error);
//   - a refused request (status >= 400) changed nothing: the hall's published seq is the same;
//   - every JSON answer is JSON (UTF-8 included), and a refusal is {"error":{"code":...}};
//   - kRoutes reaches every route of the controller's table (api::routes()).
// HALLQ_FUZZ_TRACE=1 prints each request with its status; HALLQ_FUZZ_LOG=info shows the hall's log.
// The hall is built afresh every kRebuildEvery inputs (the clock never moves, so daily limits
// fill up) and whenever its own sessions cannot be restored.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "api/routes.hpp"
#include "fuzz_hall.hpp"

using namespace hallq;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr const char* kRoutes[] = {
    "/",
    "/metrics",
    "/board",
    "/counter",
    "/admin",
    "/web/{s}",
    "/t/{id}?{s}",
    "/api/v1/health",
    "/api/v1/hall",
    "/api/v1/services",
    "/api/v1/tickets",
    "/api/v1/tickets?{s}",
    "/api/v1/tickets/{id}",
    "/api/v1/tickets/{id}/rating",
    "/api/v1/tickets/{id}/cancel",
    "/api/v1/tickets/{id}/return",
    "/api/v1/tickets/{id}/void",
    "/api/v1/help-requests",
    "/api/v1/help-requests/{id}/answer",
    "/api/v1/complaints",
    "/api/v1/complaints/{id}/answer",
    "/api/v1/follow-ups",
    "/api/v1/follow-ups/{id}/review",
    "/api/v1/scores/adjustments",
    "/api/v1/leave",
    "/api/v1/alerts",
    "/api/v1/reports/stats?{s}",
    "/api/v1/reports/register?{s}",
    "/api/v1/reports/ledger?{s}",
    "/api/v1/reports/ratings?{s}",
    "/api/v1/accounts/c01/unlock",
    "/api/v1/reports/scores?{s}",
    "/api/v1/reports/scores/summary?{s}",
    "/api/v1/scoring/rulebook",
    "/api/v1/appointments/slots?{s}",
    "/api/v1/appointments",
    "/api/v1/appointments?{s}",
    "/api/v1/appointments/requests",
    "/api/v1/appointments/check-in",
    "/api/v1/appointments/{id}",
    "/api/v1/appointments/{id}/answer",
    "/api/v1/appointments/{id}/cancel",
    "/api/v1/appointments/{id}/qr.svg",
    "/api/v1/devices/kiosk-1/status",
    "/api/v1/devices/display-1/status",
    "/api/v1/windows/{n}/sign-in",
    "/api/v1/windows/{n}/console",
    "/api/v1/windows/{n}/call-next",
    "/api/v1/windows/{n}/recall",
    "/api/v1/windows/{n}/skip",
    "/api/v1/windows/{n}/start",
    "/api/v1/windows/{n}/finish",
    "/api/v1/windows/{n}/hold",
    "/api/v1/windows/{n}/unhold",
    "/api/v1/windows/{n}/transfer",
    "/api/v1/windows/{n}/pause",
    "/api/v1/windows/{n}/resume",
    "/api/v1/windows/{n}/sign-out",
    "/api/v1/windows/{n}/rate",
    "/api/v1/cases",
    "/api/v1/cases?{s}",
    "/api/v1/cases/{id}",
    "/api/v1/cases/{id}/materials-complete",
    "/api/v1/cases/{id}/supplement",
    "/api/v1/cases/{id}/extend",
    "/api/v1/cases/{id}/suspend",
    "/api/v1/cases/{id}/resume",
    "/api/v1/cases/{id}/report",
    "/api/v1/cases/{id}/report-upward",
    "/api/v1/cases/{id}/assign",
    "/api/v1/cases/{id}/complete",
    "/api/v1/cases/{id}/return",
    "/api/v1/cases/{id}/notify",
    "/api/v1/cases/{id}/feedback",
    "/api/v1/cases/{id}/print",
    "/api/v1/cases/{id}/notice?{s}",
    "/api/v1/enquiries",
    "/api/v1/calendar/deadline?{s}",
    "/api/v1/sessions",
    "/api/v1/events?{s}",
    "/api/v1/{s}",
};
constexpr std::size_t kRouteCount = sizeof kRoutes / sizeof kRoutes[0];
constexpr http::verb kMethods[] = {http::verb::get, http::verb::post, http::verb::delete_};
constexpr int kRebuildEvery = 4096;

std::unique_ptr<fuzz::FuzzHall> g_hall;
int g_inputs = 0;

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// The bytes Beast's request parser takes in a request-target: no controls, no space.
std::string target_text(std::string_view s) {
  std::string out;
  for (char c : s)
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7f) out += c;
  return out;
}

[[noreturn]] void finding(const std::string& what, const http::request<http::string_body>& req,
                          const http::response<http::string_body>& res) {
  std::fprintf(stderr, "%s\n  %s %s\n  %s\n  -> %d %s\n", what.c_str(), std::string(req.method_string()).c_str(),
               std::string(req.target()).c_str(), req.body().c_str(), res.result_int(), res.body().c_str());
  std::abort();
}

// Whether `ours` (a kRoutes entry) reaches the table's `path`: segment by segment, a table
// placeholder takes any segment, and our {s} stands only for a placeholder.
bool reaches(std::string_view ours, std::string_view path) {
  ours = ours.substr(0, ours.find('?'));
  path = path.substr(0, path.find('?'));
  auto a = api::split_path(ours), b = api::split_path(path);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool placeholder = b[i].starts_with("{");
    if (a[i] == "{s}" ? !placeholder : !(placeholder || a[i] == b[i])) return false;
  }
  return true;
}

// Every route the controller's table lists is in kRoutes: a route added to the table and not
// to the harness fails here instead of going unfuzzed.
void check_route_coverage() {
  for (const api::Route& r : api::routes()) {
    bool found = false;
    for (const char* ours : kRoutes) found = found || reaches(ours, r.path);
    if (!found) {
      std::fprintf(stderr, "fuzz_http: the route %s is not in kRoutes; add it\n", std::string(r.path).c_str());
      std::abort();
    }
  }
}

fuzz::FuzzHall& hall_for_input() {
  if (g_hall && ++g_inputs % kRebuildEvery != 0 && g_hall->restore_sessions()) return *g_hall;
  const bool first = !g_hall;
  if (first) check_route_coverage();
  g_hall.reset();
  g_hall = std::make_unique<fuzz::FuzzHall>();
  if (first) std::atexit([] { g_hall.reset(); });  // stopped cleanly before the leak check
  return *g_hall;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  fuzz::FuzzHall& h = hall_for_input();
  api::Hall& hall = h.hall();

  const http::verb method = kMethods[data[0] % 3];
  std::string target = kRoutes[data[1] % kRouteCount];
  const int id = data[3];
  const int n = data[4] % 8;
  std::string_view rest(reinterpret_cast<const char*>(data + 5), size - 5);
  std::string body(rest);
  if (target.find("{s}") != std::string::npos) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    body = nl == std::string_view::npos ? std::string() : std::string(rest.substr(nl + 1));
    replace_all(target, "{s}", target_text(line));
  }
  replace_all(target, "{id}", std::to_string(id));
  replace_all(target, "{n}", std::to_string(n));
  const std::string key = hall.sealer() ? hall.sealer()->ticket_key(id) : std::string();
  const engine::Appointment* appointment = hall.engine().find_appointment(id);
  const std::string code = appointment ? appointment->code : "000000";
  for (std::string* s : {&target, &body}) {
    replace_all(*s, "{key}", key);
    replace_all(*s, "{code}", code);
  }

  std::string bearer;
  switch (data[2] % 6) {
    case 0: break;
    case 1: bearer = "0123456789abcdef-not-a-token"; break;
    case 2: bearer = "demo-kiosk-1"; break;
    case 3: bearer = "demo-display-1"; break;
    case 4: bearer = h.clerk_token(); break;
    default: bearer = h.manager_token(); break;
  }
  const auto req = fuzz::make_request(method, target, bearer, body);

  const std::int64_t seq_before = hall.published_seq();
  const auto res = h.run_request(req);
  const int status = res.result_int();
  static const bool trace = std::getenv("HALLQ_FUZZ_TRACE") != nullptr;
  if (trace)
    std::fprintf(stderr, "%s %s -> %d (seq %lld -> %lld)\n", std::string(req.method_string()).c_str(), target.c_str(),
                 status, static_cast<long long>(seq_before), static_cast<long long>(hall.published_seq()));
  if (status == 500) finding("an exception inside the request's handling (500)", req, res);
  if (status >= 400 && hall.published_seq() != seq_before)
    finding("a refused request changed the hall (seq " + std::to_string(seq_before) + " -> " +
                std::to_string(hall.published_seq()) + ")",
            req, res);
  const std::string_view type = res[http::field::content_type];
  if (type.starts_with("application/json") && !res.body().empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(res.body(), ec);  // UTF-8 checked, as RFC 8259 wants it
    if (ec) finding("an answer that is not JSON: " + ec.message(), req, res);
    const json::object* o = v.is_object() ? &v.as_object() : nullptr;
    const json::value* e = o ? o->if_contains("error") : nullptr;
    const json::value* c = e && e->is_object() ? e->as_object().if_contains("code") : nullptr;
    if (status >= 400 && (!c || !c->is_string() || c->as_string().empty()))
      finding("a refusal without an error code", req, res);
  }
  return 0;
}
