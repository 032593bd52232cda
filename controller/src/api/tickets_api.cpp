#include "tickets_api.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace hallq::api {
namespace json = boost::json;

namespace {

using Reply = std::optional<Response>;

bool plain_number(const std::string& number) {
  return !number.empty() && number.size() <= 16 && std::all_of(number.begin(), number.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// GET ?number=A012: a citizen asks a kiosk how far today's ticket is (the progress screen).
Reply by_number(Hall& hall, const Request& req, const Principal& p) {
  if (p.kind == Principal::Kind::None)
    return make_error(req, api_error(401, "unauthorized", "a device, clerk or manager credential is required"));
  const std::string number = query_param(req.target(), "number");
  if (!plain_number(number)) return make_error(req, api_error(422, "invalid_value", "number is a ticket number such as A012"));
  auto t = hall.ticket_by_number(number);
  if (!t) return make_error(req, api_error(404, "unknown_ticket", "no ticket with this number today", "今日没有该号码"));
  return make_json(req, http::status::ok, p.is_staff() ? *t : public_ticket_json(*t));
}

// GET ?request_id=: a kiosk whose issue request went unanswered asks what became of it
// (docs/printing.md). Request ids are the issuer's own: a kiosk finds only the tickets it
// issued, staff only those issued at a counter. Only the issuing kiosk gets the rating key.
Reply by_request(Hall& hall, const Request& req, const Principal& p) {
  if (!p.is_staff() && !p.is_kiosk())
    return make_error(req, api_error(401, "unauthorized", "a kiosk, clerk or manager credential is required"));
  const std::string rid = query_param(req.target(), "request_id");
  if (rid.empty() || rid.size() > 64) return make_error(req, api_error(422, "invalid_value", "give request_id (1..64 characters)"));
  auto id = hall.engine().find_request(engine::Engine::issuer_of(p.actor()), rid);
  auto t = id ? hall.ticket(*id) : std::nullopt;
  if (!t) return make_error(req, api_error(404, "unknown_request", "no ticket was issued today for this request id", "今日没有该请求的号码"));
  hall.add_rate_key(*t, p);
  return make_json(req, http::status::ok, *t);
}

asio::awaitable<Response> issue(Hall& hall, const Request& req, const Principal& p) {
  auto fail = [&](const ApiError& e) { return make_error(req, e); };
  if (p.kind == Principal::Kind::None) co_return fail(api_error(401, "unauthorized", "a kiosk or clerk credential is required"));
  if (p.kind == Principal::Kind::Device && !p.is_kiosk()) co_return fail(api_error(403, "forbidden", "only kiosks issue tickets"));
  auto body = body_object(req);
  if (!body) co_return fail(body.error());
  auto service = str_field(*body, "service", true, 64);
  if (!service) co_return fail(service.error());
  auto prio = str_field(*body, "priority", false, 32);
  if (!prio) co_return fail(prio.error());
  auto chan = str_field(*body, "channel", false, 32);
  if (!chan) co_return fail(chan.error());
  auto rid = str_field(*body, "request_id", false, 64);
  if (!rid) co_return fail(rid.error());
  auto priority = engine::parse_priority(prio->empty() ? "normal" : *prio);
  if (!priority) co_return fail(api_error(422, "invalid_value", "priority must be normal, elderly, disabled, pregnant or appointment"));
  const std::string default_channel = p.kind == Principal::Kind::Device ? "kiosk" : "counter";
  auto channel = engine::parse_channel(chan->empty() ? default_channel : *chan);
  if (!channel) co_return fail(api_error(422, "invalid_value", "channel must be kiosk, counter, appointment or phone"));
  const engine::Command cmd = engine::IssueTicket{*service, *priority, *channel, *rid};
  Response res = co_await run_command(hall, req, cmd, p, http::status::created);
  co_return res;
}

// R-EVAL-1: a late rating by whoever holds the ticket, its QR's key the proof: a kiosk that
// scanned the QR, or the phone page (no credential). Clerks and managers never rate. Without a
// credential, each address may try only so often (policy.phone_rating_per_hour).
asio::awaitable<Response> rate(Hall& hall, const Request& req, const Principal& p, const std::int64_t& id,
                               const std::string& peer) {
  auto fail = [&](const ApiError& e) { return make_error(req, e); };
  if (p.kind != Principal::Kind::None && !p.is_kiosk())
    co_return fail(api_error(403, "forbidden", "only the citizen rates a service, at a kiosk or on the ticket's page", "评价只能由群众本人进行"));
  if (p.kind == Principal::Kind::None && !hall.allow_phone_rating(peer))
    co_return fail(api_error(429, "too_many_requests", "too many ratings from this address; try again later", "评价过于频繁，请稍后再试"));
  auto body = body_object(req);
  if (!body) co_return fail(body.error());
  auto level = int_field(*body, "level", true);
  if (!level) co_return fail(level.error());
  if (*level < 1 || *level > 5) co_return fail(api_error(422, "invalid_value", "level must be 1..5", "评价等级应为 1 到 5"));
  auto key = str_field(*body, "key", true, 64);
  if (!key) co_return fail(key.error());
  if (!hall.sealer() || !hall.sealer()->ticket_key_ok(id, *key))
    co_return fail(api_error(403, "wrong_key", "the key does not belong to this ticket", "号票二维码无效"));
  const bool kiosk = p.is_kiosk();
  const engine::Command cmd = engine::RateTicket{id, static_cast<int>(*level), kiosk ? "kiosk" : "phone", kiosk ? p.id : peer};
  const engine::Actor actor = kiosk ? p.actor() : engine::Actor{engine::Actor::Kind::System, "phone"};
  store::CommitItem extra;
  auto r = co_await hall.run(cmd, actor, extra);
  if (!r) co_return fail(r.error());
  co_return make_json(req, http::status::created, *r);
}

asio::awaitable<Response> void_ticket(Hall& hall, const Request& req, const Principal& p, const std::int64_t& id) {
  auto fail = [&](const ApiError& e) { return make_error(req, e); };
  if (!p.is_kiosk()) co_return fail(api_error(401, "unauthorized", "only the kiosk that issued a ticket can void it"));
  auto body = body_object(req);
  if (!body) co_return fail(body.error());
  auto reason = str_field(*body, "reason", true, 32);
  if (!reason) co_return fail(reason.error());
  const engine::Command cmd = engine::VoidTicket{id, *reason};
  const engine::Actor actor = p.actor();
  store::CommitItem extra;
  auto r = co_await hall.run(cmd, actor, extra);
  if (!r && (r.error().code == "unknown_ticket" || r.error().code == "wrong_state")) {
    // A retried void (its answer was lost on the way) is answered like the first one.
    auto t = hall.ticket(id);
    auto* by = t ? t->if_contains("issued_by") : nullptr;
    auto* st = t ? t->if_contains("state") : nullptr;
    if (st && st->is_string() && st->as_string() == "voided" && by && by->is_string() && by->as_string() == p.id)
      co_return make_json(req, http::status::ok, *t);
  }
  if (!r) co_return fail(r.error());
  co_return make_json(req, http::status::ok, *r);
}

asio::awaitable<Response> cancel_or_return(Hall& hall, const Request& req, const Principal& p, const std::int64_t& id,
                                           const bool& cancel) {
  auto fail = [&](const ApiError& e) { return make_error(req, e); };
  if (!p.is_staff() && !p.is_kiosk())
    co_return fail(api_error(401, "unauthorized", "a kiosk, clerk or manager credential is required"));
  auto body = body_object(req);
  if (!body) co_return fail(body.error());
  engine::Command cmd = engine::ReturnNoShow{id};
  if (cancel) {
    auto reason = str_field(*body, "reason", false, 200);
    if (!reason) co_return fail(reason.error());
    cmd = engine::CancelTicket{id, *reason};
  }
  Response res = co_await run_command(hall, req, cmd, p, http::status::ok);
  co_return res;
}

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

asio::awaitable<std::optional<Response>> ticket_routes(Hall& hall, const Request& req, const Principal& p,
                                                       const std::vector<std::string_view>& parts,
                                                       const std::string& peer) {
  if (parts.empty() || parts[0] != "tickets") co_return std::nullopt;
  auto fail = [&](const ApiError& e) { return std::optional<Response>(make_error(req, e)); };
  const auto method = req.method();
  if (parts.size() == 1 && method == http::verb::get)
    co_return query_param(req.target(), "number").empty() ? by_request(hall, req, p) : by_number(hall, req, p);
  if (parts.size() == 1) {
    Response res = co_await issue(hall, req, p);
    co_return res;
  }
  const auto id = to_int(parts[1]);
  if (!id) co_return fail(api_error(404, "unknown_ticket", "no such ticket"));
  if (parts.size() == 2) {
    // Anyone may follow a ticket (the phone page); staff see who served it (R-FIRST-1).
    auto t = hall.ticket(*id);
    if (!t) co_return fail(api_error(404, "unknown_ticket", "no such ticket", "没有该号码"));
    co_return make_json(req, http::status::ok, p.is_staff() ? *t : public_ticket_json(*t));
  }
  const std::string_view action = parts.size() == 3 ? parts[2] : std::string_view{};
  if (action == "rating") {
    Response res = co_await rate(hall, req, p, *id, peer);
    co_return res;
  }
  if (action == "void") {
    Response res = co_await void_ticket(hall, req, p, *id);
    co_return res;
  }
  if (action == "cancel" || action == "return") {
    const bool cancel = action == "cancel";
    Response res = co_await cancel_or_return(hall, req, p, *id, cancel);
    co_return res;
  }
  co_return fail(api_error(404, "not_found", "no such path"));
}

}  // namespace hallq::api
