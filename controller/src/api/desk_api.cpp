// The front-desk part of the route table (routes.hpp): devices report their printers, kiosks
// call staff (帮办代办) and staff answer, complaints are recorded (R-COMP-1), and managers open
// and close their sessions. The router has checked each route's access.
#include <boost/json.hpp>

#include <algorithm>
#include <array>

#include "routes.hpp"

namespace hallq::api {
namespace json = boost::json;

namespace {

// A device's heartbeat: its printer and whether it takes requests. One that changes nothing
// is answered without a commit.
asio::awaitable<Response> device_status(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto printer = str_field(*body, "printer", true, 32);
  if (!printer) co_return c.fail(printer.error());
  auto detail = str_field(*body, "detail", false, 200);
  if (!detail) co_return c.fail(detail.error());
  auto* a = body->if_contains("accepting");
  if (!a) co_return c.fail(api_error(422, "missing_field", "accepting is required"));
  if (!a->is_bool()) co_return c.fail(api_error(422, "invalid_value", "accepting must be true or false"));
  const bool accepting = a->as_bool();
  auto reply = [&] {
    for (auto& d : c.hall.devices_json())
      if (d.as_object().at("id").as_string() == c.p.id) return c.answer(http::status::ok, d);
    return c.answer(http::status::ok, nullptr);
  };
  const auto& devices = c.hall.engine().devices();
  auto it = devices.find(c.p.id);
  if (it != devices.end() && it->second.printer == *printer && it->second.accepting == accepting &&
      engine::valid_printer_state(*printer))
    co_return reply();
  const engine::Command cmd = engine::ReportDevice{*printer, accepting, *detail};
  const engine::Actor actor = c.p.actor();
  store::CommitItem extra;
  auto r = co_await c.hall.run(cmd, actor, extra);
  if (!r) co_return c.fail(r.error());
  co_return reply();
}

asio::awaitable<Response> help_list(const Call& c) {
  co_return c.answer(http::status::ok, json::object{{"help_requests", c.hall.help_json()}});
}

asio::awaitable<Response> help_request(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto kind = str_field(*body, "kind", false, 16);
  if (!kind) co_return c.fail(kind.error());
  const engine::Command cmd = engine::RequestHelp{kind->empty() ? "help" : *kind};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

asio::awaitable<Response> help_answer(const Call& c) {
  auto id = c.number();
  if (!id) co_return c.fail(api_error(404, "not_found", "no such help request"));
  const engine::Command cmd = engine::AnswerHelp{*id};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

// The complaint's categories: at most 7 strings.
Expected<std::vector<std::string>, ApiError> categories_of(const json::object& body) {
  std::vector<std::string> out;
  auto* cats = body.if_contains("categories");
  if (!cats) return out;
  if (!cats->is_array() || cats->as_array().size() > 7)
    return unexpected(api_error(400, "bad_field", "categories must be an array of at most 7 strings"));
  for (const auto& x : cats->as_array()) {
    if (!x.is_string()) return unexpected(api_error(400, "bad_field", "categories must be an array of strings"));
    out.emplace_back(x.as_string());
  }
  return out;
}

// R-COMP-1: recorded from a kiosk, the counter or the manager (the list and the answers:
// reports_api). Staff may name the clerk complained about; a kiosk names the window only.
asio::awaitable<Response> file_complaint(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  engine::FileComplaint fc;
  auto cats = categories_of(*body);
  if (!cats) co_return c.fail(cats.error());
  fc.categories = std::move(*cats);
  auto content = str_field(*body, "content", false, 2000);
  auto name = str_field(*body, "name", false, 64);
  auto phone = str_field(*body, "phone", false, 15);
  auto clerk = str_field(*body, "clerk", false, 64);
  for (auto* f : {&content, &name, &phone, &clerk})
    if (!*f) co_return c.fail(f->error());
  if (auto* w = body->if_contains("window"); w && !w->is_null()) {
    if (!w->is_int64() || w->as_int64() < 0 || w->as_int64() > 999)
      co_return c.fail(api_error(400, "bad_field", "window must be a window number"));
    fc.window = static_cast<int>(w->as_int64());
  }
  if (!clerk->empty() && c.p.kind == Principal::Kind::Device)
    co_return c.fail(api_error(422, "invalid_value", "a kiosk names the window, not the clerk", "取号机投诉只能选择窗口"));
  if (!phone->empty() && (phone->size() < 7 || !std::all_of(phone->begin(), phone->end(), [](char x) { return x >= '0' && x <= '9'; })))
    co_return c.fail(api_error(422, "invalid_value", "phone is 7 to 15 digits", "电话号码应为 7 至 15 位数字"));
  // The complainant's name and phone are kept for the answer, sealed like an applicant's:
  // masked on every screen and event, purged with their month (seal.hpp).
  auto sealed_name = c.hall.seal(Personal::Name, *name);
  if (!sealed_name) co_return c.fail(sealed_name.error());
  auto sealed_phone = c.hall.seal(Personal::Phone, *phone);
  if (!sealed_phone) co_return c.fail(sealed_phone.error());
  fc.clerk = *clerk;
  fc.content = *content;
  fc.name = std::move(*sealed_name);
  fc.phone = std::move(*sealed_phone);
  const engine::Command cmd = std::move(fc);
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

asio::awaitable<Response> open_session(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto user = str_field(*body, "user", true, 64);
  if (!user) co_return c.fail(user.error());
  auto password = str_field(*body, "password", true, 128);
  if (!password) co_return c.fail(password.error());
  auto r = co_await c.hall.open_session(*user, *password, c.peer);
  co_return r ? c.answer(http::status::created, *r) : c.fail(r.error());
}

asio::awaitable<Response> close_session(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  bool everywhere = false;
  if (auto* e = body->if_contains("everywhere"); e && !e->is_null()) {
    if (!e->is_bool()) co_return c.fail(api_error(400, "bad_field", "field 'everywhere' must be true or false"));
    everywhere = e->as_bool();
  }
  auto r = co_await c.hall.close_session(c.p, everywhere);
  co_return r ? c.answer(http::status::ok, *r) : c.fail(r.error());
}

using boost::beast::http::verb;
using enum Access;

const std::array kDeskRoutes{
    Route{verb::post, "/api/v1/devices/{id}/status", OwnDevice, device_status},
    Route{verb::get, "/api/v1/help-requests", Credential, help_list},
    Route{verb::post, "/api/v1/help-requests", Kiosk, help_request},
    Route{verb::post, "/api/v1/help-requests/{id}/answer", Staff, help_answer},
    Route{verb::post, "/api/v1/complaints", KioskOrStaff, file_complaint},
    Route{verb::post, "/api/v1/sessions", Password, open_session},
    Route{verb::delete_, "/api/v1/sessions", Manager, close_session},
};

}  // namespace

std::span<const Route> desk_routes() { return kDeskRoutes; }

}  // namespace hallq::api
