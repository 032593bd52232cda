#pragma once
// The controller's route table: every method and path it answers, with who may call it. The
// router admits only what the table lists (anything else is 404, or 405 for a known path with
// another method), so the table is complete by construction; `hallq-controller --list-routes`
// prints it, and the credential test walks it (tests/integration/test_security.py).
// Thread-safety: immutable data.
#include <boost/beast/http/verb.hpp>

#include <span>
#include <string>
#include <string_view>

namespace hallq::api {

// Who may call a route. The handlers enforce it; the table says it.
enum class Access {
  Anyone,          // no credential needed (public reads, the pages)
  Credential,      // any device, clerk, manager or admin
  Kiosk,           // a kiosk device (its own tickets and requests)
  KioskOrStaff,    // a kiosk, a signed-in clerk, a manager or admin
  Staff,           // a signed-in clerk, a manager or admin
  Clerk,           // a clerk signed in at a window
  CaseClerk,       // the case's clerks (its window's posts, participants), managers
  CaseOwnClerk,    // the case's clerks only: the applicant in clear
  Manager,         // a manager or admin session
  WindowClerk,     // the clerk signed in at window {n} (console: also managers)
  WindowKeypad,    // the clerk signed in at window {n}, or the display node carrying its keypad
  WindowEvaluator, // only the display node carrying window {n}'s evaluator
  OwnDevice,       // the device {id} itself
  TicketKey,       // the ticket's QR key, from the phone page (no credential) or a kiosk
  Pin,             // a clerk's PIN in the body
  Password,        // a manager's or admin's password in the body
};

struct Route {
  boost::beast::http::verb method;
  std::string_view path;  // segments; "{name}" matches any one segment; "?…" documents the query
  Access access;
};

std::span<const Route> routes();
std::string_view access_name(Access a);

enum class RouteMatch { Found, UnknownPath, WrongMethod };
// Whether the table admits `method` on `path` (the target without its query).
RouteMatch match_route(boost::beast::http::verb method, std::string_view path);

// The table as JSON text, one route per element: [{"method","path","access"}, ...].
std::string routes_json();

}  // namespace hallq::api
