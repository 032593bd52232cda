#include "tickets_api.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>

#include "routes.hpp"

namespace hallq::api {
namespace json = boost::json;

namespace {

bool plain_number(const std::string& number) {
  return !number.empty() && number.size() <= 16 && std::all_of(number.begin(), number.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// GET ?number=A012: a citizen asks a kiosk how far today's ticket is (the progress screen).
asio::awaitable<Response> by_number(const Call& c) {
  const std::string number = c.query("number");
  if (!plain_number(number)) co_return c.fail(api_error(422, "invalid_value", "number is a ticket number such as A012"));
  auto t = c.hall.ticket_by_number(number);
  if (!t) co_return c.fail(api_error(404, "unknown_ticket", "no ticket with this number today", "今日没有该号码"));
  co_return c.answer(http::status::ok, c.p.is_staff() ? *t : public_ticket_json(*t));
}

// GET ?request_id=: a kiosk whose issue request went unanswered asks what became of it
// (docs/printing.md). Request ids are the issuer's own: a kiosk finds only the tickets it
// issued, staff only those issued at a counter. Only the issuing kiosk gets the rating key.
asio::awaitable<Response> by_request(const Call& c) {
  const std::string rid = c.query("request_id");
  if (rid.empty() || rid.size() > 64) co_return c.fail(api_error(422, "invalid_value", "give request_id (1..64 characters)"));
  auto id = c.hall.engine().find_request(engine::Engine::issuer_of(c.p.actor()), rid);
  auto t = id ? c.hall.ticket(*id) : std::nullopt;
  if (!t) co_return c.fail(api_error(404, "unknown_request", "no ticket was issued today for this request id", "今日没有该请求的号码"));
  c.hall.add_rate_key(*t, c.p);
  co_return c.answer(http::status::ok, *t);
}

asio::awaitable<Response> issue(const Call& c) {
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto service = str_field(*body, "service", true, 64);
  auto prio = str_field(*body, "priority", false, 32);
  auto chan = str_field(*body, "channel", false, 32);
  auto rid = str_field(*body, "request_id", false, 64);
  for (auto* f : {&service, &prio, &chan, &rid})
    if (!*f) co_return c.fail(f->error());
  auto priority = engine::parse_priority(prio->empty() ? "normal" : *prio);
  if (!priority) co_return c.fail(api_error(422, "invalid_value", "priority must be normal, elderly, disabled, pregnant or appointment"));
  const std::string default_channel = c.p.kind == Principal::Kind::Device ? "kiosk" : "counter";
  auto channel = engine::parse_channel(chan->empty() ? default_channel : *chan);
  if (!channel) co_return c.fail(api_error(422, "invalid_value", "channel must be kiosk, counter, appointment or phone"));
  const engine::Command cmd = engine::IssueTicket{*service, *priority, *channel, *rid};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::created);
  co_return res;
}

// Anyone may follow a ticket (the phone page); staff see who served it (R-FIRST-1).
asio::awaitable<Response> one_ticket(const Call& c) {
  auto id = c.number();
  auto t = id ? c.hall.ticket(*id) : std::nullopt;
  if (!t) co_return c.fail(api_error(404, "unknown_ticket", "no such ticket", "没有该号码"));
  co_return c.answer(http::status::ok, c.p.is_staff() ? *t : public_ticket_json(*t));
}

// R-EVAL-1: a late rating by whoever holds the ticket, its QR's key the proof: a kiosk that
// scanned the QR, or the phone page (no credential; the route's access keeps staff and
// displays out). Without a credential, each address may try only so often
// (policy.phone_rating_per_hour).
asio::awaitable<Response> rate(const Call& c) {
  Hall& hall = c.hall;
  const auto id = c.number();
  if (!id) co_return c.fail(api_error(404, "unknown_ticket", "no such ticket"));
  if (c.p.kind == Principal::Kind::None && !hall.allow_phone_rating(c.peer))
    co_return c.fail(api_error(429, "too_many_requests", "too many ratings from this address; try again later", "评价过于频繁，请稍后再试"));
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto level = int_field(*body, "level", true);
  if (!level) co_return c.fail(level.error());
  if (*level < 1 || *level > 5) co_return c.fail(api_error(422, "invalid_value", "level must be 1..5", "评价等级应为 1 到 5"));
  auto key = str_field(*body, "key", true, 64);
  if (!key) co_return c.fail(key.error());
  if (!hall.sealer() || !hall.sealer()->ticket_key_ok(*id, *key))
    co_return c.fail(api_error(403, "wrong_key", "the key does not belong to this ticket", "号票二维码无效"));
  const bool kiosk = c.p.is_kiosk();
  const engine::Command cmd = engine::RateTicket{*id, static_cast<int>(*level), kiosk ? "kiosk" : "phone", kiosk ? c.p.id : c.peer};
  const engine::Actor actor = kiosk ? c.p.actor() : engine::Actor{engine::Actor::Kind::System, "phone"};
  store::CommitItem extra;
  auto r = co_await hall.run(cmd, actor, extra);
  if (!r) co_return c.fail(r.error());
  co_return c.answer(http::status::created, *r);
}

// Only the kiosk that issued a ticket voids it (its print failed): the engine checks the issuer.
asio::awaitable<Response> void_ticket(const Call& c) {
  const auto id = c.number();
  if (!id) co_return c.fail(api_error(404, "unknown_ticket", "no such ticket"));
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto reason = str_field(*body, "reason", true, 32);
  if (!reason) co_return c.fail(reason.error());
  const engine::Command cmd = engine::VoidTicket{*id, *reason};
  const engine::Actor actor = c.p.actor();
  store::CommitItem extra;
  auto r = co_await c.hall.run(cmd, actor, extra);
  if (!r && (r.error().code == "unknown_ticket" || r.error().code == "wrong_state")) {
    // A retried void (its answer was lost on the way) is answered like the first one.
    auto t = c.hall.ticket(*id);
    auto* by = t ? t->if_contains("issued_by") : nullptr;
    auto* st = t ? t->if_contains("state") : nullptr;
    if (st && st->is_string() && st->as_string() == "voided" && by && by->is_string() && by->as_string() == c.p.id)
      co_return c.answer(http::status::ok, *t);
  }
  if (!r) co_return c.fail(r.error());
  co_return c.answer(http::status::ok, *r);
}

asio::awaitable<Response> cancel_ticket(const Call& c) {
  const auto id = c.number();
  if (!id) co_return c.fail(api_error(404, "unknown_ticket", "no such ticket"));
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  auto reason = str_field(*body, "reason", false, 200);
  if (!reason) co_return c.fail(reason.error());
  const engine::Command cmd = engine::CancelTicket{*id, *reason};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

asio::awaitable<Response> return_ticket(const Call& c) {
  const auto id = c.number();
  if (!id) co_return c.fail(api_error(404, "unknown_ticket", "no such ticket"));
  auto body = body_object(c.req);
  if (!body) co_return c.fail(body.error());
  const engine::Command cmd = engine::ReturnNoShow{*id};
  Response res = co_await run_command(c.hall, c.req, cmd, c.p, http::status::ok);
  co_return res;
}

using boost::beast::http::verb;
using enum Access;

const std::array kTicketRoutes{
    Route{verb::post, "/api/v1/tickets", KioskOrStaff, issue},
    Route{verb::get, "/api/v1/tickets?request_id={rid}", KioskOrStaff, by_request},
    Route{verb::get, "/api/v1/tickets?number={number}", Credential, by_number},
    Route{verb::get, "/api/v1/tickets/{id}", Anyone, one_ticket},
    Route{verb::post, "/api/v1/tickets/{id}/rating", TicketKey, rate},
    Route{verb::post, "/api/v1/tickets/{id}/void", Kiosk, void_ticket},
    Route{verb::post, "/api/v1/tickets/{id}/cancel", KioskOrStaff, cancel_ticket},
    Route{verb::post, "/api/v1/tickets/{id}/return", KioskOrStaff, return_ticket},
};

}  // namespace

json::object public_ticket_json(const json::object& t) {
  json::object o;
  for (const char* k : {"id", "number", "service", "service_name", "priority", "channel", "state", "issued_at", "ahead",
                        "estimated_wait_s", "window", "target_window", "called_at", "started_at", "finished_at",
                        "noshow_at", "recalls", "close_reason", "issued_by", "appointment", "rated", "rating_until"})
    if (auto* v = t.if_contains(k)) o[k] = *v;
  json::array transfers;
  if (auto* tr = t.if_contains("transfers"); tr && tr->is_array())
    for (const auto& x : tr->as_array()) {
      if (!x.is_object()) continue;
      json::object j;
      for (const char* k : {"at", "from_window", "to_service", "to_window"})
        if (auto* v = x.as_object().if_contains(k)) j[k] = *v;
      transfers.push_back(std::move(j));
    }
  o["transfers"] = std::move(transfers);
  return o;
}

std::span<const Route> ticket_routes() { return kTicketRoutes; }

}  // namespace hallq::api
