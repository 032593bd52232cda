#include "routes.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <array>

#include "hallq/escpos/qr_svg.hpp"
#include "seal.hpp"

namespace hallq::api {
namespace json = boost::json;

namespace {


// Issue 26 (personal data by need): a booking's name and phone in clear, and its check-in code,
// only for whoever serves it: the managers, the clerk who booked it, and the clerks signed in
// at a window that serves its service (where it checks in and is called). Other clerks see it
// masked, without the code.
bool serves_booking(const Hall& hall, const Principal& p, const std::string& service, const std::string& booked_by,
                    const std::string& created_by) {
  if (p.kind == Principal::Kind::Manager || p.kind == Principal::Kind::Admin) return true;
  if (p.kind != Principal::Kind::Clerk) return false;
  if (p.id == booked_by || p.id == created_by) return true;
  const WindowConfig* w = hall.config().find_window(p.window);
  return w && std::find(w->services.begin(), w->services.end(), service) != w->services.end();
}
bool serves_booking(const Hall& hall, const Principal& p, const engine::Appointment& a) {
  return serves_booking(hall, p, a.service, a.booked_by, a.created_by);
}
bool serves_booking(const Hall& hall, const Principal& p, const json::object& o) {
  auto s = [&](const char* k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  return serves_booking(hall, p, s("service"), s("booked_by"), s("created_by"));
}
bool valid_day(const std::string& s) { return s.size() == 10 && parse_date(s).has_value(); }

// 6 random digits; the engine refuses one already in use and the route draws again.
std::string draw_code() {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", static_cast<unsigned>(randombytes_uniform(1000000)));
  return buf;
}

const char* const kWeekdays[] = {"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"};

// Who books: service, item, name, phone (7-15 digits), note; personal fields sealed.
struct Who {
  std::string service, item, channel, note;
  engine::Sealed name, phone;
};
Expected<Who, ApiError> read_who(const Hall& hall, const json::object& body, const std::string& default_channel) {
  Who w;
  auto service = str_field(body, "service", true, 64);
  auto item = str_field(body, "item", false, 64);
  auto channel = str_field(body, "channel", false, 16);
  auto name = str_field(body, "name", true, 64);
  auto phone = str_field(body, "phone", false, 15);
  auto note = str_field(body, "note", false, 500);
  for (auto* f : {&service, &item, &channel, &name, &phone, &note})
    if (!*f) return unexpected(f->error());
  if (!phone->empty() && (phone->size() < 7 || !std::all_of(phone->begin(), phone->end(), [](char c) { return c >= '0' && c <= '9'; })))
    return unexpected(api_error(422, "invalid_value", "phone is 7 to 15 digits", "电话号码应为 7 至 15 位数字"));
  if (name->empty()) return unexpected(api_error(422, "invalid_value", "give the citizen's name", "请填写预约人姓名"));
  auto sealed_name = hall.seal(Personal::Name, *name);
  if (!sealed_name) return unexpected(sealed_name.error());
  auto sealed_phone = hall.seal(Personal::Phone, *phone);
  if (!sealed_phone) return unexpected(sealed_phone.error());
  w.service = *service;
  w.item = *item;
  w.channel = channel->empty() ? default_channel : *channel;
  w.note = *note;
  w.name = std::move(*sealed_name);
  w.phone = std::move(*sealed_phone);
  return w;
}

Expected<engine::SlotChoice, ApiError> read_slot(const json::object& body) {
  auto day = str_field(body, "day", true, 10);
  if (!day) return unexpected(day.error());
  auto slot = str_field(body, "slot", true, 5);
  if (!slot) return unexpected(slot.error());
  auto d = valid_day(*day) ? parse_date(*day) : std::nullopt;
  if (!d) return unexpected(api_error(422, "invalid_value", "day is a date YYYY-MM-DD", "预约日期格式应为 YYYY-MM-DD"));
  auto m = parse_hhmm(*slot);
  if (!m) return unexpected(api_error(422, "invalid_value", "slot is a time HH:MM", "预约时段格式应为 HH:MM"));
  return engine::SlotChoice{*d, *m, {}};
}

// Runs a booking command, drawing a fresh code while the drawn one is taken. References only
// (GCC 12 coroutine parameters, hall.hpp): `choice` lies inside `cmd`.
asio::awaitable<Response> run_booking(Hall& hall, const Request& req, const Principal& p, engine::Command& cmd,
                                      engine::SlotChoice& choice) {
  const engine::Actor actor = p.actor();
  for (int attempt = 0;; ++attempt) {
    choice.code = draw_code();
    store::CommitItem extra;
    auto r = co_await hall.run(cmd, actor, extra);
    if (!r && r.error().code == "code_in_use" && attempt < 8) continue;
    co_return r ? make_json(req, http::status::created, *r) : make_error(req, r.error());
  }
}

// Only in a hall that takes appointments ([appointments] enabled): every route goes through here.
template <Handler H>
asio::awaitable<Response> offered(const Call& c) {
  if (!c.hall.config().appointments.enabled)
    co_return c.fail(api_error(404, "not_offered", "this hall takes no appointments ([appointments] in the config)", "本中心未开通预约服务"));
  Response res = co_await H(c);
  co_return res;
}

// GET ?service=&day=: the day's slots with their free places (no personal data).
asio::awaitable<Response> slots(const Call& c) {
  const engine::Engine& eng = c.hall.engine();
  const std::string service = c.query("service"), day = c.query("day");
  const ServiceConfig* sc = c.hall.config().find_service(service);
  if (!sc) co_return c.fail(api_error(422, "unknown_service", "no service '" + service + "'", "没有该业务"));
  auto d = valid_day(day) ? parse_date(day) : std::nullopt;
  if (!d) co_return c.fail(api_error(422, "invalid_value", "day is a date YYYY-MM-DD", "日期格式应为 YYYY-MM-DD"));
  const LocalTime now = c.hall.timezone().to_local(c.hall.now());
  const auto ahead = std::chrono::sys_days{*d} - std::chrono::sys_days{now.date};
  const bool bookable_day = ahead >= std::chrono::days{0} && ahead <= std::chrono::days{c.hall.config().appointments.book_days_ahead};
  json::array list;
  for (const auto& s : eng.appointment_slots(service, *d)) {
    const bool begun = ahead == std::chrono::days{0} && s.start <= now.minute_of_day;
    list.push_back(json::object{{"start", format_hhmm(s.start)}, {"end", format_hhmm(s.end)}, {"capacity", s.capacity},
                                {"booked", s.booked}, {"free", std::max(0, s.capacity - s.booked)},
                                {"open", bookable_day && !begun && s.booked < s.capacity}});
  }
  co_return c.answer(http::status::ok,
                     json::object{{"service", service}, {"service_name", sc->name}, {"day", day},
                                  {"weekday", kWeekdays[std::chrono::weekday{std::chrono::sys_days{*d}}.c_encoding()]},
                                  {"working_day", c.hall.calendar().is_working_day(*d)},
                                  {"appointments_only", eng.appointments_only(*d)},
                                  {"place", eng.appointment_place(service)}, {"slots", std::move(list)}});
}

// A kiosk (the booking's QR or its typed code) or a clerk checks a booking in: a ticket.
asio::awaitable<Response> check_in(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto code = str_field(*body, "code", true, 32);
  if (!code) co_return c.fail(code.error());
  auto rid = str_field(*body, "request_id", false, 64);
  if (!rid) co_return c.fail(rid.error());
  // A scanned booking QR reads "HQA:123456"; a typed code is the digits.
  std::string digits = *code;
  if (digits.rfind("HQA:", 0) == 0) digits.erase(0, 4);
  const engine::Command cmd = engine::CheckInAppointment{digits, *rid};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

// R-APPT-1: a request by visit, phone, letter, the kiosk or online; answered within a working day.
asio::awaitable<Response> request_appointment(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto who = read_who(c.hall, *body, c.p.is_kiosk() ? "kiosk" : "phone");
  if (!who) co_return c.fail(who.error());
  const engine::Command cmd = engine::RequestAppointment{who->service, who->item, who->channel, who->name, who->phone, who->note};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

// A clerk books directly (a citizen at the counter or on the phone).
asio::awaitable<Response> book(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto who = read_who(c.hall, *body, "counter");
  if (!who) co_return c.fail(who.error());
  auto slot = read_slot(*body);
  if (!slot) co_return c.fail(slot.error());
  engine::BookAppointment b{who->service, who->item, who->channel, who->name, who->phone, who->note, *slot};
  engine::Command cmd = std::move(b);
  engine::SlotChoice& choice = std::get<engine::BookAppointment>(cmd).choice;
  Response res = co_await run_booking(c.hall, c.req, c.p, cmd, choice);
  co_return res;
}

// By day and slot, requests (no day yet) first.
void sort_by_slot(json::array& list) {
  std::stable_sort(list.begin(), list.end(), [](const json::value& x, const json::value& y) {
    auto key = [](const json::value& v) {
      const auto& o = v.as_object();
      return o.contains("day") ? std::string(o.at("day").as_string()) + std::string(o.at("slot").as_string()) : std::string();
    };
    return key(x) < key(y);
  });
}

// ?day=D: the bookings of a day (and requests received that day); none: open requests,
// today's and the bookings to come.
asio::awaitable<Response> list_appointments(const Call& c) {
  const engine::Engine& eng = c.hall.engine();
  const std::string day = c.query("day");
  if (!day.empty() && !valid_day(day)) co_return c.fail(api_error(422, "invalid_value", "day is a date YYYY-MM-DD"));
  const TimePoint now = c.hall.now();
  json::array list;
  if (!day.empty() && day < eng.day()) {
    for (const auto& row : c.hall.appointment_history(day, day))
      if (auto o = eng.appointment_json_from_row(row, false, now)) {
        if (serves_booking(c.hall, c.p, *o)) o = eng.appointment_json_from_row(row, true, now);
        list.push_back(std::move(*o));
      }
  } else {
    for (const auto& [id, a] : eng.appointments()) {
      const std::string filed = a.day ? format_date(*a.day) : format_date(a.received);
      if (day.empty() ? (a.live() || filed >= eng.day()) : filed == day)
        list.push_back(eng.appointment_json(a, serves_booking(c.hall, c.p, a), now));
    }
    sort_by_slot(list);
  }
  co_return c.answer(http::status::ok,
                     json::object{{"appointments", std::move(list)}, {"unanswered", eng.unanswered_appointments(now)}});
}

const engine::Appointment* appointment_of(const Call& c) {
  auto id = c.number();
  return id ? c.hall.engine().find_appointment(*id) : nullptr;
}

asio::awaitable<Response> one_appointment(const Call& c) {
  const engine::Appointment* a = appointment_of(c);
  if (!a) co_return c.fail(api_error(404, "unknown_appointment", "no such appointment (or settled on an earlier day)", "没有该预约"));
  const bool serves = serves_booking(c.hall, c.p, *a);
  json::object o = c.hall.engine().appointment_json(*a, serves, c.hall.now());
  // Staff answering a request call the citizen back: the name and phone in clear here only.
  if (serves && c.hall.sealer()) {
    if (auto v = c.hall.sealer()->open_text(a->name.sealed)) o["name_clear"] = *v;
    if (auto v = c.hall.sealer()->open_text(a->phone.sealed)) o["phone_clear"] = *v;
  }
  co_return c.answer(http::status::ok, std::move(o));
}

// The booking's QR for its slip: HQA:<code>, which a kiosk's scanner checks in (staff only:
// the code is what checks the booking in).
asio::awaitable<Response> booking_qr(const Call& c) {
  const engine::Appointment* a = appointment_of(c);
  if (!a || a->state != engine::AppointmentState::Confirmed)
    co_return c.fail(api_error(404, "unknown_appointment", "no booking to check in with this id", "没有该预约"));
  if (!serves_booking(c.hall, c.p, *a))
    co_return c.fail(api_error(403, "not_your_booking", "this booking is served at another window", "该预约由其他窗口办理"));
  auto svg = escpos::qr_svg("HQA:" + a->code);
  if (!svg) co_return c.fail(api_error(500, "internal", "the QR could not be drawn"));
  co_return httpd::reply(c.req, http::status::ok, std::move(*svg), "image/svg+xml");
}

asio::awaitable<Response> answer_request(const Call& c) {
  const auto id = c.number();
  if (!id) co_return c.fail(api_error(404, "unknown_appointment", "no such appointment", "没有该预约"));
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto* acc = body->if_contains("accept");
  if (!acc || !acc->is_bool()) co_return c.fail(api_error(400, "bad_field", "accept must be true or false"));
  if (acc->as_bool()) {
    auto slot = read_slot(*body);
    if (!slot) co_return c.fail(slot.error());
    engine::Command cmd = engine::AnswerAppointment{*id, true, *slot, {}};
    engine::SlotChoice& choice = std::get<engine::AnswerAppointment>(cmd).choice;
    Response res = co_await run_booking(c.hall, c.req, c.p, cmd, choice);
    co_return res;
  }
  auto reason = str_field(*body, "reason", true, 500);
  if (!reason) co_return c.fail(reason.error());
  const engine::Command cmd = engine::AnswerAppointment{*id, false, {}, *reason};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

asio::awaitable<Response> cancel_appointment(const Call& c) {
  const auto id = c.number();
  if (!id) co_return c.fail(api_error(404, "unknown_appointment", "no such appointment", "没有该预约"));
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto reason = str_field(*body, "reason", true, 500);
  if (!reason) co_return c.fail(reason.error());
  const engine::Command cmd = engine::CancelAppointment{*id, *reason};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

using boost::beast::http::verb;
using enum Access;

const std::array kAppointmentRoutes{
    Route{verb::get, "/api/v1/appointments/slots?service={s}&day={date}", KioskOrStaff, offered<slots>},
    Route{verb::post, "/api/v1/appointments/check-in", KioskOrStaff, offered<check_in>},
    Route{verb::post, "/api/v1/appointments/requests", KioskOrStaff, offered<request_appointment>},
    Route{verb::get, "/api/v1/appointments", Staff, offered<list_appointments>},
    Route{verb::post, "/api/v1/appointments", Staff, offered<book>},
    Route{verb::get, "/api/v1/appointments/{id}", Staff, offered<one_appointment>},
    Route{verb::get, "/api/v1/appointments/{id}/qr.svg", Staff, offered<booking_qr>},
    Route{verb::post, "/api/v1/appointments/{id}/answer", Staff, offered<answer_request>},
    Route{verb::post, "/api/v1/appointments/{id}/cancel", Staff, offered<cancel_appointment>},
};

}  // namespace

std::span<const Route> appointment_routes() { return kAppointmentRoutes; }

}  // namespace hallq::api
