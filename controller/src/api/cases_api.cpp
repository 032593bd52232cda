#include "cases_api.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <tuple>

#include "routes.hpp"

namespace hallq::api {
namespace json = boost::json;

namespace {

// "a clerk sees personal data only of their own cases" (Engine::case_clerk).
bool own_case(const Hall& hall, const Principal& p, const engine::Case& c) {
  return p.kind == Principal::Kind::Clerk && hall.engine().case_clerk(c, p.id);
}

// 7 to 15 digits, or empty (not given).
bool valid_phone(const std::string& s) {
  return s.empty() || (s.size() >= 7 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

json::object case_view(Hall& hall, const Principal& p, const engine::Case& c, bool clear) {
  json::object o = hall.engine().case_json(c, hall.now());
  const bool mine = own_case(hall, p, c);
  o["mine"] = mine;
  if (clear && mine && hall.sealer()) {
    // "purged": the retention setting destroyed the key of the month it was sealed in.
    bool purged = false;
    for (auto [key, field] : {std::pair{"applicant", &c.applicant}, std::pair{"phone", &c.phone},
                              std::pair{"id_number", &c.id_number}})
      if (!field->sealed.empty()) {
        if (auto text = hall.sealer()->open_text(field->sealed)) o[key] = *text;
        else purged = true;
      }
    o["personal"] = purged ? "purged" : "clear";
  } else {
    o["personal"] = "masked";
  }
  return o;
}

Expected<std::vector<std::string>, ApiError> string_list(const json::object& o, const char* key, std::size_t max_items) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array() || v->as_array().size() > max_items)
    return unexpected(api_error(400, "bad_field", std::string("field '") + key + "' must be an array of at most " +
                                                      std::to_string(max_items) + " strings"));
  for (const auto& x : v->as_array()) {
    if (!x.is_string() || x.as_string().size() > 200)
      return unexpected(api_error(400, "bad_field", std::string("field '") + key + "' must hold strings of at most 200 bytes"));
    if (!clean_text(x.as_string()))
      return unexpected(api_error(422, "invalid_value", std::string("field '") + key + "' holds control characters",
                                  "输入内容含有不可见的控制字符"));
    out.emplace_back(x.as_string());
  }
  return out;
}

// The result notice by SMS (R-TIME-4): who, what, where to collect it, whom to ask.
std::string result_sms(const HallConfig& cfg, const engine::Case& c, const std::string& name) {
  const std::string sig = cfg.sms.signature.empty() ? cfg.centre.name : cfg.sms.signature;
  std::string phone = cfg.centre.complaint_phone;
  if (const ServiceConfig* s = cfg.find_service(c.service))
    for (const auto& i : s->items)
      if (i.id == c.item && !i.phone.empty()) phone = i.phone;
  std::string t = "【" + sig + "】" + (name.empty() ? std::string("您好") : name + "您好") + "：您申请的“" + c.item_name +
                  "”（办件编号 " + c.no + "）已办结，请携带身份证到" + cfg.centre.name + std::to_string(c.window) +
                  "号窗口领取办理结果。";
  if (!phone.empty()) t += "咨询电话 " + phone + "。";
  return t;
}

bool valid_date_param(const std::string& s) { return s.size() == 10 && parse_date(s).has_value(); }

// A printed document as the browser lays it out: text with its size, weight and alignment,
// rules, feeds, QR codes and cuts (the page ends a copy at a cut).
json::array blocks_json(const escpos::Document& d) {
  const char* aligns[] = {"left", "center", "right"};
  json::array out;
  for (const auto& b : d.blocks) {
    if (auto* t = std::get_if<escpos::Text>(&b))
      out.push_back(json::object{{"text", t->utf8}, {"width", t->style.width}, {"height", t->style.height},
                                 {"bold", t->style.bold}, {"align", aligns[static_cast<int>(t->style.align)]},
                                 {"indent", t->indent}});
    else if (auto* r = std::get_if<escpos::Rule>(&b))
      out.push_back(json::object{{"rule", std::string(1, r->ch)}});
    else if (auto* f = std::get_if<escpos::Feed>(&b))
      out.push_back(json::object{{"feed", f->lines}});
    else if (auto* q = std::get_if<escpos::Qr>(&b))
      out.push_back(json::object{{"qr", q->data}});
    else if (std::holds_alternative<escpos::Cut>(b))
      out.push_back(json::object{{"cut", true}});
  }
  return out;
}

}  // namespace

Expected<engine::CaseInput, ApiError> parse_case_input(const Hall& hall, const json::object& o) {
  engine::CaseInput in;
  auto type = str_field(o, "type", true, 32);
  if (!type) return unexpected(type.error());
  auto t = engine::parse_case_type(*type);
  if (!t)
    return unexpected(api_error(422, "invalid_value", "type must be immediate, promised, escalated, joint, supplement, returned or agency",
                                "办件类型无效"));
  in.type = *t;
  auto item = str_field(o, "item", true, 64);
  if (!item) return unexpected(item.error());
  in.item = *item;
  auto name = str_field(o, "applicant", true, 64);
  if (!name) return unexpected(name.error());
  auto phone = str_field(o, "phone", false, 15);
  if (!phone) return unexpected(phone.error());
  auto id_number = str_field(o, "id_number", false, 18);
  if (!id_number) return unexpected(id_number.error());
  if (!valid_phone(*phone))
    return unexpected(api_error(422, "invalid_value", "phone is 7 to 15 digits", "电话号码应为 7 至 15 位数字"));
  const bool id_ok = std::all_of(id_number->begin(), id_number->end(),
                                 [](char c) { return (c >= '0' && c <= '9') || c == 'X' || c == 'x'; });
  if (!id_number->empty() && (!id_ok || (id_number->size() != 15 && id_number->size() != 18)))
    return unexpected(api_error(422, "invalid_value", "id_number is a 15- or 18-character ID card number", "身份证号码格式不正确"));
  for (auto [field, kind, clear] : {std::tuple{&in.applicant, Personal::Name, &*name}, std::tuple{&in.phone, Personal::Phone, &*phone},
                                    std::tuple{&in.id_number, Personal::IdNumber, &*id_number}}) {
    auto sealed = hall.seal(kind, *clear);
    if (!sealed) return unexpected(sealed.error());
    *field = std::move(*sealed);
  }
  auto received = string_list(o, "received", 64);
  if (!received) return unexpected(received.error());
  in.received = std::move(*received);
  auto missing = string_list(o, "missing", 64);
  if (!missing) return unexpected(missing.error());
  in.missing = std::move(*missing);
  auto limit = int_field(o, "time_limit_days", false);
  if (!limit) return unexpected(limit.error());
  in.time_limit_days = static_cast<int>(std::clamp<std::int64_t>(*limit, -1, 1000));
  if (auto* v = o.if_contains("participants"); v && !v->is_null()) {
    if (!v->is_array() || v->as_array().size() > 32)
      return unexpected(api_error(400, "bad_field", "field 'participants' must be an array of window numbers"));
    for (const auto& w : v->as_array()) {
      if (!w.is_int64() || w.as_int64() < 1 || w.as_int64() > 999)
        return unexpected(api_error(400, "bad_field", "field 'participants' must be an array of window numbers"));
      in.participants.push_back(static_cast<int>(w.as_int64()));
    }
  }
  auto reason = str_field(o, "reason", false, 500);
  if (!reason) return unexpected(reason.error());
  in.reason = *reason;
  auto note = str_field(o, "note", false, 500);
  if (!note) return unexpected(note.error());
  in.note = *note;
  return in;
}

namespace {

const ApiError kUnknownCase = api_error(404, "unknown_case", "no such case", "没有该办件");

// Print and notify act outside the engine, so they refuse another window's clerk here, as the
// engine does for the case commands (Engine::may_act_on).
std::optional<ApiError> not_your_case(const Call& c, const engine::Case& cs) {
  if (c.p.kind != Principal::Kind::Clerk || own_case(c.hall, c.p, cs)) return std::nullopt;
  return api_error(403, "not_your_case", "the case belongs to window " + std::to_string(cs.window),
                   "该办件属于 " + std::to_string(cs.window) + " 号窗口");
}

// The promised-case rule on the centre's calendar (R-TIME-1/2): public, no personal data.
asio::awaitable<Response> deadline(const Call& c) {
  const std::string received = c.query("received");
  const auto days = to_int(c.query("days"));
  const auto date = valid_date_param(received) ? parse_date(received) : std::nullopt;
  if (!date) co_return c.fail(api_error(422, "invalid_value", "received must be a date YYYY-MM-DD", "受理日期格式应为 YYYY-MM-DD"));
  if (!days || *days < 0 || *days > 365) co_return c.fail(api_error(422, "invalid_value", "days must be 0..365", "时限应为 0 至 365 个工作日"));
  const WorkingCalendar& cal = c.hall.calendar();
  const Date due = cal.add_working_days(*date, static_cast<int>(*days));
  if (!cal.covers(*date) || !cal.covers(due)) {
    const std::string years = cal.first_year() <= cal.last_year()
                                  ? std::to_string(cal.first_year()) + "-" + std::to_string(cal.last_year())
                                  : std::string("none");
    co_return c.fail(api_error(422, "outside_calendar",
                               "the range " + received + " .. " + format_date(due) + " leaves the calendar's years (" +
                                   years + "); add that year's holidays to [calendar]",
                               "日期超出已配置的节假日日历年份（" + years + "），请先补充该年度的节假日安排"));
  }
  co_return c.answer(http::status::ok, json::object{{"received", received}, {"days", *days}, {"deadline", format_date(due)}});
}

asio::awaitable<Response> list_enquiries(const Call& c) {
  json::array list;
  for (const auto& q : c.hall.engine().enquiries()) {
    json::object o = c.hall.engine().enquiry_json(q);
    if (c.p.kind == Principal::Kind::Clerk && q.clerk == c.p.id && c.hall.sealer()) {
      if (auto v = c.hall.sealer()->open_text(q.caller.sealed)) o["caller"] = *v;
      if (auto v = c.hall.sealer()->open_text(q.phone.sealed)) o["phone_clear"] = *v;
    }
    list.push_back(std::move(o));
  }
  co_return c.answer(http::status::ok, json::object{{"enquiries", std::move(list)}});
}

asio::awaitable<Response> log_enquiry(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto channel = str_field(*body, "channel", false, 16);
  auto subject = str_field(*body, "subject", true, 500);
  auto caller = str_field(*body, "caller", false, 64);
  auto phone = str_field(*body, "phone", false, 15);
  auto to = str_field(*body, "forwarded_to", false, 200);
  for (auto* f : {&channel, &subject, &caller, &phone, &to})
    if (!*f) co_return c.fail(f->error());
  if (!valid_phone(*phone))
    co_return c.fail(api_error(422, "invalid_value", "phone is 7 to 15 digits", "电话号码应为 7 至 15 位数字"));
  auto sealed_caller = c.hall.seal(Personal::Name, *caller);
  if (!sealed_caller) co_return c.fail(sealed_caller.error());
  auto sealed_phone = c.hall.seal(Personal::Phone, *phone);
  if (!sealed_phone) co_return c.fail(sealed_phone.error());
  engine::LogEnquiry q;
  q.channel = channel->empty() ? "phone" : *channel;
  q.subject = *subject;
  q.caller = std::move(*sealed_caller);
  q.phone = std::move(*sealed_phone);
  q.forwarded_to = *to;
  q.window = c.p.kind == Principal::Kind::Clerk ? c.p.window : 0;
  const engine::Command cmd = std::move(q);
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

// The tickets finished without a case or a word that they were enquiries (R-CASE-8).
json::array unregistered_json(const Hall& hall, std::int64_t window) {
  json::array out;
  for (const auto& [id, u] : hall.engine().unregistered())
    if (window == 0 || u.window == window)
      out.push_back(json::object{{"ticket", id}, {"number", u.number}, {"service", u.service}, {"window", u.window},
                                 {"clerk", u.clerk}, {"finished_at", format_rfc3339(u.finished_at, hall.timezone())}});
  return out;
}

// The case list: live cases and today's, or with from/to a range of the register.
asio::awaitable<Response> list_cases(const Call& c) {
  Hall& hall = c.hall;
  const auto window = to_int(c.query("window")).value_or(0);
  const std::string clerk = c.query("clerk");
  const std::string from = c.query("from"), to = c.query("to");
  json::array list;
  if (!from.empty() || !to.empty()) {
    const auto f = valid_date_param(from) ? parse_date(from) : std::nullopt;
    const auto t = valid_date_param(to) ? parse_date(to) : std::nullopt;
    using std::chrono::sys_days;
    if (!f || !t || sys_days{*t} < sys_days{*f} || sys_days{*t} - sys_days{*f} > std::chrono::days{366})
      co_return c.fail(api_error(422, "invalid_value", "from and to are dates YYYY-MM-DD, from <= to, at most 367 days",
                                 "起止日期无效（最长一年）"));
    for (const auto& cs : hall.case_history(from, to, static_cast<int>(window), clerk, 1000))
      list.push_back(case_view(hall, c.p, cs, false));
  } else {
    for (auto it = hall.engine().cases().rbegin(); it != hall.engine().cases().rend(); ++it) {
      const engine::Case& cs = it->second;
      const bool at_window = window == 0 || cs.window == window ||
                             std::any_of(cs.participants.begin(), cs.participants.end(), [&](const auto& x) { return x.window == window; });
      if (at_window && (clerk.empty() || cs.clerk == clerk)) list.push_back(case_view(hall, c.p, cs, false));
    }
  }
  co_return c.answer(http::status::ok, json::object{{"cases", std::move(list)}, {"unregistered", unregistered_json(hall, window)}});
}

asio::awaitable<Response> register_case(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto ticket = int_field(*body, "ticket", false);
  if (!ticket) co_return c.fail(ticket.error());
  auto in = parse_case_input(c.hall, *body);
  if (!in) co_return c.fail(in.error());
  const engine::Command cmd = engine::RegisterCase{c.p.window, *ticket, std::move(*in)};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

asio::awaitable<Response> one_case(const Call& c) {
  auto id = c.number();
  auto cs = id ? c.hall.find_case(*id) : std::nullopt;
  if (!cs) co_return c.fail(kUnknownCase);
  co_return c.answer(http::status::ok, case_view(c.hall, c.p, *cs, true));
}

// The notice as the printer would print it, for the console's browser print at a window
// without a printer. It carries the applicant's name in clear: the case's clerks only.
asio::awaitable<Response> case_notice(const Call& c) {
  auto id = c.number();
  auto cs = id ? c.hall.find_case(*id) : std::nullopt;
  if (!cs) co_return c.fail(kUnknownCase);
  if (auto e = not_your_case(c, *cs)) co_return c.fail(*e);
  const std::string doc = c.query("doc");
  auto d = c.hall.notice_document(*cs, doc);
  if (!d) co_return c.fail(d.error());
  co_return c.answer(http::status::ok, json::object{{"doc", doc}, {"case", cs->no}, {"blocks", blocks_json(*d)}});
}

// A reprint at the case's window printer (the outcome is recorded against the case).
asio::awaitable<Response> print_case(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto doc = str_field(*body, "doc", true, 32);
  if (!doc) co_return c.fail(doc.error());
  auto id = c.number();
  auto cs = id ? c.hall.find_case(*id) : std::nullopt;
  if (!cs) co_return c.fail(kUnknownCase);
  if (auto e = not_your_case(c, *cs)) co_return c.fail(*e);
  if (auto e = c.hall.print_notice(*id, *doc)) co_return c.fail(*e);
  co_return c.answer(http::status::accepted, json::object{{"queued", true}, {"doc", *doc}, {"window", cs->window}});
}

// The body of a case action: its days, window and texts.
Expected<engine::CaseAction, ApiError> read_case_action(const Call& c, const json::object& body) {
  engine::CaseAction a;
  auto days = int_field(body, "days", false);
  if (!days) return unexpected(days.error());
  auto window = int_field(body, "window", false);
  if (!window) return unexpected(window.error());
  a.days = static_cast<int>(std::clamp<std::int64_t>(*days, -1, 1000));
  a.window = static_cast<int>(std::clamp<std::int64_t>(*window, -1, 1000));
  auto reason = str_field(body, "reason", false, 500);
  auto handler = str_field(body, "handler", false, 64);
  auto channel = str_field(body, "channel", false, 16);
  auto note = str_field(body, "note", false, 500);
  for (auto* f : {&reason, &handler, &channel, &note})
    if (!*f) return unexpected(f->error());
  auto missing = string_list(body, "missing", 64);
  if (!missing) return unexpected(missing.error());
  a.reason = *reason;
  a.handler = *handler;
  a.channel = *channel;
  a.note = *note;
  a.missing = std::move(*missing);
  a.id = c.number().value_or(0);
  return a;
}

// R-TIME-4 by SMS through the hall's modem: recorded only once the network took it. The
// note of the notify action gets the message references; nullopt when it was sent.
asio::awaitable<std::optional<ApiError>> send_result_sms(const Call& c, engine::CaseAction& a) {
  Hall& hall = c.hall;
  auto cs = hall.find_case(a.id);
  if (!cs) co_return kUnknownCase;
  if (auto e = not_your_case(c, *cs)) co_return e;
  if (cs->state != engine::CaseState::Done || !cs->needs_notice() || cs->notified_at)
    co_return api_error(409, "wrong_state", "only a completed case not yet notified is told", "办结且尚未通知的办件方可通知");
  std::string phone, name;
  if (hall.sealer()) {
    if (auto v = hall.sealer()->open_text(cs->phone.sealed)) phone = *v;
    if (auto v = hall.sealer()->open_text(cs->applicant.sealed)) name = *v;
  }
  if (phone.empty())
    co_return api_error(422, "no_phone", "the case has no phone number to send to", "该办件未登记联系电话，无法发送短信");
  if (!hall.begin_sms(a.id))
    co_return api_error(409, "sms_in_progress", "an SMS for this case is being sent", "该办件的短信正在发送");
  const std::string text = result_sms(hall.config(), *cs, name);
  auto sent = co_await hall.send_sms(phone, text);
  hall.end_sms(a.id);
  if (!sent) co_return api_error(502, "sms_failed", "the SMS was not sent: " + sent.error(), "短信发送失败：" + sent.error());
  std::string refs;
  for (int r : *sent) refs += (refs.empty() ? "" : ",") + std::to_string(r);
  a.note = (a.note.empty() ? "" : a.note + "；") + "短信已发送（" + std::to_string(sent->size()) + " 条，编号 " + refs + "）";
  co_return std::nullopt;
}

// An action's name as a template argument: case_action<"complete">.
template <std::size_t N>
struct ActionName {
  char text[N];
  constexpr ActionName(const char (&s)[N]) { std::copy_n(s, N, text); }
};

// A step of the case's life (R-CASE-*, R-TIME-*): the engine checks who may take it.
template <ActionName A>
asio::awaitable<Response> case_action(const Call& c) {
  if (!c.number()) co_return c.fail(kUnknownCase);
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto a = read_case_action(c, *body);
  if (!a) co_return c.fail(a.error());
  a->action = A.text;
  if (a->action == "report" && a->window == 0 && c.p.kind == Principal::Kind::Clerk) a->window = c.p.window;
  if (a->action == "notify" && a->channel == "sms" && c.hall.has_sms()) {
    auto refused = co_await send_result_sms(c, *a);
    if (refused) co_return c.fail(*refused);
  }
  const engine::Command cmd = std::move(*a);
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

using boost::beast::http::verb;
using enum Access;

const std::array kCaseRoutes{
    Route{verb::get, "/api/v1/calendar/deadline?received={date}&days={n}", Anyone, deadline},
    Route{verb::get, "/api/v1/cases", Staff, list_cases},
    Route{verb::post, "/api/v1/cases", Clerk, register_case},
    Route{verb::get, "/api/v1/cases/{id}", Staff, one_case},
    Route{verb::get, "/api/v1/cases/{id}/notice?doc={doc}", CaseOwnClerk, case_notice},
    Route{verb::post, "/api/v1/cases/{id}/print", CaseClerk, print_case},
    Route{verb::post, "/api/v1/cases/{id}/materials-complete", CaseClerk, case_action<"materials-complete">},
    Route{verb::post, "/api/v1/cases/{id}/supplement", CaseClerk, case_action<"supplement">},
    Route{verb::post, "/api/v1/cases/{id}/complete", CaseClerk, case_action<"complete">},
    Route{verb::post, "/api/v1/cases/{id}/return", CaseClerk, case_action<"return">},
    Route{verb::post, "/api/v1/cases/{id}/extend", CaseClerk, case_action<"extend">},
    Route{verb::post, "/api/v1/cases/{id}/suspend", CaseClerk, case_action<"suspend">},
    Route{verb::post, "/api/v1/cases/{id}/resume", CaseClerk, case_action<"resume">},
    Route{verb::post, "/api/v1/cases/{id}/notify", CaseClerk, case_action<"notify">},
    Route{verb::post, "/api/v1/cases/{id}/feedback", CaseClerk, case_action<"feedback">},
    Route{verb::post, "/api/v1/cases/{id}/assign", CaseClerk, case_action<"assign">},
    Route{verb::post, "/api/v1/cases/{id}/report", CaseClerk, case_action<"report">},
    Route{verb::post, "/api/v1/cases/{id}/report-upward", CaseClerk, case_action<"report-upward">},
    Route{verb::get, "/api/v1/enquiries", Staff, list_enquiries},
    Route{verb::post, "/api/v1/enquiries", Staff, log_enquiry},
};

}  // namespace

std::span<const Route> case_routes() { return kCaseRoutes; }

}  // namespace hallq::api
