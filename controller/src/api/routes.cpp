#include "routes.hpp"

#include <boost/json.hpp>

#include <array>

namespace hallq::api {
namespace {

using boost::beast::http::verb;
using enum Access;

// The API. A route missing here is unreachable (404). docs/api.md's route list is generated from
// this table (tests/docs/api_routes.py --write; docs.api_routes fails when they differ), and its
// table of what each route takes and answers is kept in step by hand.
constexpr std::array kRoutes{
    // Pages and public reads.
    Route{verb::get, "/", Anyone},
    Route{verb::get, "/metrics", Anyone},
    Route{verb::get, "/board", Anyone},
    Route{verb::get, "/counter", Anyone},
    Route{verb::get, "/admin", Anyone},
    Route{verb::get, "/web/{file}", Anyone},
    Route{verb::get, "/t/{id}", Anyone},
    Route{verb::post, "/t/{id}", TicketKey},
    Route{verb::get, "/api/v1/health", Anyone},
    Route{verb::get, "/api/v1/hall", Anyone},
    Route{verb::get, "/api/v1/services", Anyone},
    Route{verb::get, "/api/v1/events?since={seq}", Anyone},
    Route{verb::get, "/api/v1/calendar/deadline?received={date}&days={n}", Anyone},
    // Tickets.
    Route{verb::post, "/api/v1/tickets", KioskOrStaff},
    Route{verb::get, "/api/v1/tickets?request_id={rid}", KioskOrStaff},
    Route{verb::get, "/api/v1/tickets?number={number}", Credential},
    Route{verb::get, "/api/v1/tickets/{id}", Anyone},
    Route{verb::post, "/api/v1/tickets/{id}/rating", TicketKey},
    Route{verb::post, "/api/v1/tickets/{id}/void", Kiosk},
    Route{verb::post, "/api/v1/tickets/{id}/cancel", KioskOrStaff},
    Route{verb::post, "/api/v1/tickets/{id}/return", KioskOrStaff},
    // Windows.
    Route{verb::post, "/api/v1/windows/{n}/sign-in", Pin},
    Route{verb::get, "/api/v1/windows/{n}/console", WindowClerk},
    Route{verb::post, "/api/v1/windows/{n}/call-next", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/recall", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/skip", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/start", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/finish", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/transfer", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/hold", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/unhold", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/pause", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/resume", WindowKeypad},
    Route{verb::post, "/api/v1/windows/{n}/sign-out", WindowClerk},
    Route{verb::post, "/api/v1/windows/{n}/rate", WindowEvaluator},
    // Devices and kiosks.
    Route{verb::post, "/api/v1/devices/{id}/status", OwnDevice},
    Route{verb::get, "/api/v1/help-requests", Credential},
    Route{verb::post, "/api/v1/help-requests", Kiosk},
    Route{verb::post, "/api/v1/help-requests/{id}/answer", Staff},
    Route{verb::post, "/api/v1/complaints", KioskOrStaff},
    // Sessions.
    Route{verb::post, "/api/v1/sessions", Password},
    Route{verb::delete_, "/api/v1/sessions", Manager},
    // Cases and enquiries.
    Route{verb::get, "/api/v1/cases", Staff},
    Route{verb::post, "/api/v1/cases", Clerk},
    Route{verb::get, "/api/v1/cases/{id}", Staff},
    Route{verb::get, "/api/v1/cases/{id}/notice?doc={doc}", CaseOwnClerk},
    Route{verb::post, "/api/v1/cases/{id}/print", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/materials-complete", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/supplement", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/complete", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/return", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/extend", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/suspend", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/resume", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/notify", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/feedback", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/assign", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/report", CaseClerk},
    Route{verb::post, "/api/v1/cases/{id}/report-upward", CaseClerk},
    Route{verb::get, "/api/v1/enquiries", Staff},
    Route{verb::post, "/api/v1/enquiries", Staff},
    // Appointments.
    Route{verb::get, "/api/v1/appointments/slots?service={s}&day={date}", KioskOrStaff},
    Route{verb::post, "/api/v1/appointments/check-in", KioskOrStaff},
    Route{verb::post, "/api/v1/appointments/requests", KioskOrStaff},
    Route{verb::get, "/api/v1/appointments", Staff},
    Route{verb::post, "/api/v1/appointments", Staff},
    Route{verb::get, "/api/v1/appointments/{id}", Staff},
    Route{verb::get, "/api/v1/appointments/{id}/qr.svg", Staff},
    Route{verb::post, "/api/v1/appointments/{id}/answer", Staff},
    Route{verb::post, "/api/v1/appointments/{id}/cancel", Staff},
    // Oversight.
    Route{verb::get, "/api/v1/alerts", Manager},
    Route{verb::get, "/api/v1/complaints", Manager},
    Route{verb::post, "/api/v1/complaints/{id}/answer", Manager},
    Route{verb::get, "/api/v1/follow-ups", Manager},
    Route{verb::post, "/api/v1/follow-ups/{id}/review", Manager},
    Route{verb::get, "/api/v1/leave", Manager},
    Route{verb::post, "/api/v1/leave", Manager},
    Route{verb::post, "/api/v1/scores/adjustments", Manager},
    Route{verb::get, "/api/v1/scoring/rulebook", Manager},
    Route{verb::get, "/api/v1/reports/scores?month={month}", Manager},
    Route{verb::get, "/api/v1/reports/scores/summary?quarter={q}", Manager},
    Route{verb::get, "/api/v1/reports/stats?from={date}&to={date}", Manager},
    Route{verb::get, "/api/v1/reports/register?from={date}&to={date}", Manager},
    Route{verb::get, "/api/v1/reports/ledger?from={date}&to={date}", Manager},
    Route{verb::get, "/api/v1/reports/ratings?from={date}&to={date}", Manager},
    Route{verb::post, "/api/v1/accounts/{user}/unlock", Manager},
};

// Whether the route's path (without its documented query) matches `path` segment by segment.
// Empty segments are skipped on both sides, as the router's split_path does.
bool path_matches(std::string_view pattern, std::string_view path) {
  pattern = pattern.substr(0, pattern.find('?'));
  auto next = [](std::string_view& s) {
    while (!s.empty() && s.front() == '/') s.remove_prefix(1);
    const auto n = s.find('/');
    std::string_view seg = s.substr(0, n);
    s = n == std::string_view::npos ? std::string_view{} : s.substr(n);
    return seg;
  };
  for (;;) {
    const std::string_view a = next(pattern);
    const std::string_view b = next(path);
    if (a.empty() || b.empty()) return a.empty() && b.empty();
    if (a.front() == '{') continue;
    if (a != b) return false;
  }
}

}  // namespace

std::span<const Route> routes() { return kRoutes; }

std::string_view access_name(Access a) {
  switch (a) {
    case Anyone: return "anyone";
    case Credential: return "credential";
    case Kiosk: return "kiosk";
    case KioskOrStaff: return "kiosk_or_staff";
    case Staff: return "staff";
    case Clerk: return "clerk";
    case CaseClerk: return "case_clerk";
    case CaseOwnClerk: return "case_own_clerk";
    case Manager: return "manager";
    case WindowClerk: return "window_clerk";
    case WindowKeypad: return "window_keypad";
    case WindowEvaluator: return "window_evaluator";
    case OwnDevice: return "own_device";
    case TicketKey: return "ticket_key";
    case Pin: return "pin";
    case Password: return "password";
  }
  return "?";
}

RouteMatch match_route(verb method, std::string_view path) {
  bool known = false;
  for (const Route& r : kRoutes) {
    if (!path_matches(r.path, path)) continue;
    if (r.method == method) return RouteMatch::Found;
    known = true;
  }
  return known ? RouteMatch::WrongMethod : RouteMatch::UnknownPath;
}

std::string routes_json() {
  boost::json::array a;
  for (const Route& r : kRoutes)
    a.push_back(boost::json::object{{"method", std::string(boost::beast::http::to_string(r.method))},
                                    {"path", r.path},
                                    {"access", access_name(r.access)}});
  return boost::json::serialize(a);
}

}  // namespace hallq::api
