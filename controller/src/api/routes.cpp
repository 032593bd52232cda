#include "routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>

namespace hallq::api {
namespace {

using boost::beast::http::verb;
using enum Access;
using Kind = Principal::Kind;

// The path's segments, empty ones skipped (as split_path does).
std::string_view next_segment(std::string_view& s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  const auto n = s.find('/');
  std::string_view seg = s.substr(0, n);
  s = n == std::string_view::npos ? std::string_view{} : s.substr(n);
  return seg;
}

// Whether the route's path (without its documented query) matches `path` segment by segment;
// the {name} segments go to `params`.
bool path_matches(std::string_view pattern, std::string_view path, std::vector<std::string_view>& params) {
  pattern = pattern.substr(0, pattern.find('?'));
  params.clear();
  for (;;) {
    const std::string_view a = next_segment(pattern);
    const std::string_view b = next_segment(path);
    if (a.empty() || b.empty()) return a.empty() && b.empty();
    if (a.front() == '{') params.push_back(b);
    else if (a != b) return false;
  }
}

// Whether the target's query carries the first key the route documents ("?number={n}").
bool query_selects(std::string_view pattern, std::string_view target) {
  const auto q = pattern.find('?');
  if (q == std::string_view::npos) return false;
  const std::string_view key = pattern.substr(q + 1, pattern.find('=', q) - q - 1);
  return !query_param(target, key).empty();
}

std::vector<Route> whole_table() {
  std::vector<Route> all;
  for (auto part : {page_routes(), ticket_routes(), window_routes(), desk_routes(), case_routes(),
                    appointment_routes(), oversight_routes(), security_routes()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

// The window {n} of a Window* route: 1..999, or nullopt.
std::optional<int> window_of(const Call& c) {
  auto n = c.number(0);
  if (!n || *n < 1 || *n > 999) return std::nullopt;
  return static_cast<int>(*n);
}

// The display node carrying window n's keypad and evaluator.
bool display_of(const Principal& p, int n) {
  return p.kind == Kind::Device && p.device_kind == DeviceKind::Display &&
         std::find(p.windows.begin(), p.windows.end(), n) != p.windows.end();
}

bool manager_session(const Principal& p) { return p.kind == Kind::Manager || p.kind == Kind::Admin; }

// Whether the caller passes `access`: `n` is the window of the Window* classes, and OwnDevice's
// {id} is the first path segment.
bool admits(Access access, const Call& c, int n) {
  const Principal& p = c.p;
  const bool clerk_here = p.kind == Kind::Clerk && p.window == n;
  switch (access) {
    case Anyone: case Pin: case Password: return true;
    case TicketKey: return p.kind == Kind::None || p.is_kiosk();
    case Credential: return p.kind != Kind::None;
    case Kiosk: return p.is_kiosk();
    case KioskOrStaff: return p.is_kiosk() || p.is_staff();
    case Staff: case CaseClerk: return p.is_staff();
    case Clerk: case CaseOwnClerk: return p.kind == Kind::Clerk;
    case Manager: return manager_session(p);
    case WindowClerk: return clerk_here;
    case WindowConsole: return clerk_here || manager_session(p);
    case WindowKeypad: return clerk_here || display_of(p, n);
    case WindowEvaluator: return display_of(p, n);
    case OwnDevice: return p.kind == Kind::Device && !c.params.empty() && c.params[0] == p.id;
  }
  return false;
}

// The access classes' names (in --list-routes and docs/api.md) and what each means.
struct AccessInfo {
  Access access;
  std::string_view name;
  std::string_view meaning;
};
constexpr std::array<AccessInfo, 17> kAccess{{
    {Anyone, "anyone", "no credential needed (public reads, the pages)"},
    {Credential, "credential", "any device, clerk, manager or admin"},
    {Kiosk, "kiosk", "a kiosk device (its own tickets and requests)"},
    {KioskOrStaff, "kiosk_or_staff", "a kiosk, a signed-in clerk, a manager or admin"},
    {Staff, "staff", "a signed-in clerk, a manager or admin"},
    {Clerk, "clerk", "a clerk signed in at a window"},
    {CaseClerk, "case_clerk", "a manager or admin, or the case's clerks (its window's posts, participants)"},
    {CaseOwnClerk, "case_own_clerk", "the case's clerks only: the applicant in clear"},
    {Manager, "manager", "a manager or admin session"},
    {WindowClerk, "window_clerk", "the clerk signed in at window {n}"},
    {WindowConsole, "window_console", "the clerk signed in at window {n}, a manager or admin"},
    {WindowKeypad, "window_keypad", "the clerk signed in at window {n}, or the display node carrying its keypad"},
    {WindowEvaluator, "window_evaluator", "only the display node carrying window {n}'s evaluator"},
    {OwnDevice, "own_device", "the device {id} itself"},
    {TicketKey, "ticket_key", "the ticket's QR key in the body, from the phone page (no credential) or a kiosk"},
    {Pin, "pin", "a clerk's PIN in the body (signs in)"},
    {Password, "password", "a manager's or admin's password in the body (signs in)"},
}};

constexpr bool access_table_complete() {
  for (std::size_t i = 0; i < kAccess.size(); ++i)
    if (kAccess[i].access != static_cast<Access>(i)) return false;
  return kAccess.back().access == Password;
}
static_assert(access_table_complete(), "kAccess lists every Access, in the enum's order");

// Whom the refusal names, for the message a client shows.
std::pair<std::string, std::string> who_may(Access access) {
  switch (access) {
    case TicketKey: return {"only the citizen rates a service, at a kiosk or on the ticket's page", "评价只能由群众本人进行"};
    case Kiosk: return {"a kiosk credential is required", "仅取号机可用"};
    case KioskOrStaff: return {"a kiosk, clerk or manager credential is required", "仅取号机和工作人员可用"};
    case Staff: case CaseClerk: return {"for clerks and managers", "仅工作人员可用"};
    case Clerk: case CaseOwnClerk: return {"a clerk signed in at a window is required", "请在窗口签到后操作"};
    case Manager: return {"for the centre's managers only", "仅中心管理人员可用"};
    case WindowClerk: case WindowConsole: case WindowKeypad:
      return {"this credential is not signed in at the window", "您未在该窗口签到"};
    case WindowEvaluator: return {"only the window's evaluator rates its services", "评价只能由群众在本窗口评价器上进行"};
    case OwnDevice: return {"a device reports only its own status", "设备只能报告自身状态"};
    default: return {"a credential is required", "请先登录"};
  }
}

bool window_access(Access a) {
  return a == WindowClerk || a == WindowConsole || a == WindowKeypad || a == WindowEvaluator;
}

}  // namespace

std::span<const Route> routes() {
  static const std::vector<Route> all = whole_table();
  return all;
}

std::string_view access_name(Access a) { return kAccess.at(static_cast<std::size_t>(a)).name; }
std::string_view access_meaning(Access a) { return kAccess.at(static_cast<std::size_t>(a)).meaning; }

Matched match_route(verb method, std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  Matched m;
  std::vector<std::string_view> params;
  for (const Route& r : routes()) {
    if (!path_matches(r.path, path, params)) continue;
    if (r.method != method) {
      if (m.result == RouteMatch::UnknownPath) m.result = RouteMatch::WrongMethod;
      continue;
    }
    // The first route found stands unless a later one's query key is in the target.
    if (m.route && !query_selects(r.path, target)) continue;
    m.result = RouteMatch::Found;
    m.route = &r;
    m.params = params;
  }
  return m;
}

std::optional<ApiError> authorize(Access access, const Call& c) {
  const Principal& p = c.p;
  int n = 0;
  if (window_access(access)) {
    auto w = window_of(c);
    if (!w) return api_error(404, "unknown_window", "no such window", "没有该窗口");
    n = *w;
  }
  if (admits(access, c, n)) return std::nullopt;
  const auto [en, zh] = who_may(access);
  if (p.kind == Kind::None && access != TicketKey)
    return api_error(401, "unauthorized", en, window_access(access) ? "请先签到" : "请先登录");
  return api_error(403, "forbidden", en, zh);
}

std::string routes_json() {
  boost::json::array a;
  for (const Route& r : routes())
    a.push_back(boost::json::object{{"method", std::string(boost::beast::http::to_string(r.method))},
                                    {"path", r.path},
                                    {"access", access_name(r.access)},
                                    {"meaning", access_meaning(r.access)}});
  return boost::json::serialize(a);
}

}  // namespace hallq::api
