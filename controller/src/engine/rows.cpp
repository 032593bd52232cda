#include "rows.hpp"

#include <boost/json.hpp>

namespace hallq::engine {
namespace json = boost::json;
namespace {

std::int64_t ms(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint tp(std::int64_t v) { return TimePoint{std::chrono::milliseconds{v}}; }

void put_opt(json::object& o, const char* k, const std::optional<TimePoint>& t) {
  if (t) o[k] = ms(*t);
}

// Readers that report a missing or mistyped field instead of throwing.
struct Reader {
  const json::object& o;
  bool ok = true;
  std::int64_t i(const char* k) {
    auto* v = o.if_contains(k);
    if (!v || !v->is_int64()) { ok = false; return 0; }
    return v->as_int64();
  }
  std::string s(const char* k) {
    auto* v = o.if_contains(k);
    if (!v || !v->is_string()) { ok = false; return {}; }
    return std::string(v->as_string());
  }
  bool b(const char* k) {
    auto* v = o.if_contains(k);
    if (!v || !v->is_bool()) { ok = false; return false; }
    return v->as_bool();
  }
  std::optional<TimePoint> opt_t(const char* k) {
    auto* v = o.if_contains(k);
    if (!v) return std::nullopt;
    if (!v->is_int64()) { ok = false; return std::nullopt; }
    return tp(v->as_int64());
  }
};

template <class E>
E enum_of(std::int64_t v, E last) {
  return v < 0 || v > static_cast<std::int64_t>(last) ? last : static_cast<E>(v);
}

}  // namespace

json::object ticket_to_row(const Ticket& t) {
  json::object o;
  o["id"] = t.id;
  o["number"] = t.number;
  o["service"] = t.service;
  o["priority"] = static_cast<int>(t.priority);
  o["channel"] = static_cast<int>(t.channel);
  o["request_id"] = t.request_id;
  if (!t.issued_by.empty()) o["issued_by"] = t.issued_by;
  o["day"] = t.day;
  o["issued_at"] = ms(t.issued_at);
  o["queued_at"] = ms(t.queued_at);
  o["state"] = static_cast<int>(t.state);
  o["target_window"] = t.target_window;
  o["front"] = t.front;
  o["window"] = t.window;
  o["clerk"] = t.clerk;
  o["first_clerk"] = t.first_clerk;
  o["recalls"] = t.recalls;
  json::array tr;
  for (const auto& x : t.transfers) {
    tr.push_back(json::object{{"at", ms(x.at)},
                              {"from_window", x.from_window},
                              {"from_clerk", x.from_clerk},
                              {"to_service", x.to_service},
                              {"to_window", x.to_window}});
  }
  o["transfers"] = std::move(tr);
  put_opt(o, "called_at", t.called_at);
  put_opt(o, "started_at", t.started_at);
  put_opt(o, "finished_at", t.finished_at);
  put_opt(o, "noshow_at", t.noshow_at);
  o["close_reason"] = t.close_reason;
  if (!t.case_record.is_null()) o["case"] = t.case_record;
  return o;
}

bool ticket_from_row(const json::object& o, Ticket& t) {
  Reader r{o};
  t.id = r.i("id");
  t.number = r.s("number");
  t.service = r.s("service");
  t.priority = enum_of(r.i("priority"), Priority::Appointment);
  t.channel = enum_of(r.i("channel"), Channel::Phone);
  t.request_id = r.s("request_id");
  if (auto* v = o.if_contains("issued_by"); v && v->is_string()) t.issued_by = std::string(v->as_string());
  t.day = r.s("day");
  t.issued_at = tp(r.i("issued_at"));
  t.queued_at = tp(r.i("queued_at"));
  t.state = enum_of(r.i("state"), TicketState::Voided);
  t.target_window = static_cast<int>(r.i("target_window"));
  t.front = r.b("front");
  t.window = static_cast<int>(r.i("window"));
  t.clerk = r.s("clerk");
  t.first_clerk = r.s("first_clerk");
  t.recalls = static_cast<int>(r.i("recalls"));
  t.transfers.clear();
  if (auto* a = o.if_contains("transfers"); a && a->is_array()) {
    for (const auto& v : a->as_array()) {
      if (!v.is_object()) return false;
      Reader x{v.as_object()};
      Transfer tr;
      tr.at = tp(x.i("at"));
      tr.from_window = static_cast<int>(x.i("from_window"));
      tr.from_clerk = x.s("from_clerk");
      tr.to_service = x.s("to_service");
      tr.to_window = static_cast<int>(x.i("to_window"));
      if (!x.ok) return false;
      t.transfers.push_back(std::move(tr));
    }
  } else {
    return false;
  }
  t.called_at = r.opt_t("called_at");
  t.started_at = r.opt_t("started_at");
  t.finished_at = r.opt_t("finished_at");
  t.noshow_at = r.opt_t("noshow_at");
  t.close_reason = r.s("close_reason");
  if (auto* c = o.if_contains("case")) t.case_record = *c;
  else t.case_record = nullptr;
  return r.ok;
}

json::object window_to_row(const WindowStatus& w) {
  json::object o;
  o["number"] = w.number;
  o["open"] = w.open;
  o["paused"] = w.paused;
  o["pause_reason"] = w.pause_reason;
  o["post"] = w.post ? (*w.post == Post::A ? "A" : "B") : "";
  o["clerk"] = w.clerk;
  o["current"] = w.current;
  o["since"] = ms(w.since);
  o["last_finished"] = w.last_finished;
  o["last_number"] = w.last_number;
  o["last_service"] = w.last_service;
  o["last_clerk"] = w.last_clerk;
  o["last_finished_at"] = ms(w.last_finished_at);
  o["last_rated"] = w.last_rated;
  return o;
}

bool window_from_row(const json::object& o, WindowStatus& w) {
  Reader r{o};
  w.number = static_cast<int>(r.i("number"));
  w.open = r.b("open");
  w.paused = r.b("paused");
  w.pause_reason = r.s("pause_reason");
  std::string post = r.s("post");
  w.post = post == "A" ? std::optional(Post::A) : post == "B" ? std::optional(Post::B) : std::nullopt;
  w.clerk = r.s("clerk");
  w.current = r.i("current");
  w.since = tp(r.i("since"));
  // Rows written before ratings existed have no last_* fields: nothing to rate.
  if (o.contains("last_finished")) {
    w.last_finished = r.i("last_finished");
    w.last_number = r.s("last_number");
    w.last_service = r.s("last_service");
    w.last_clerk = r.s("last_clerk");
    w.last_finished_at = tp(r.i("last_finished_at"));
    w.last_rated = r.b("last_rated");
  }
  return r.ok;
}

}  // namespace hallq::engine
