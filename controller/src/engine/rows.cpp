#include "rows.hpp"

#include <boost/json.hpp>

#include "errors.hpp"

namespace hallq::engine {
namespace json = boost::json;
namespace {

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
  if (t.appointment) o["appointment"] = t.appointment;
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
  if (t.consultation) o["consultation"] = true;
  if (t.case_id) o["case"] = t.case_id;
  if (t.rating) {
    o["rating"] = t.rating;
    o["rating_channel"] = t.rating_channel;
  }
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
  if (auto* v = o.if_contains("appointment"); v && v->is_int64()) t.appointment = v->as_int64();
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
  auto* cons = o.if_contains("consultation");
  t.consultation = cons && cons->is_bool() && cons->as_bool();
  if (auto* v = o.if_contains("case"); v && v->is_int64()) t.case_id = v->as_int64();
  if (auto* v = o.if_contains("rating"); v && v->is_int64() && *rating_label(static_cast<int>(v->as_int64()))) {
    t.rating = static_cast<int>(v->as_int64());
    if (auto* ch = o.if_contains("rating_channel"); ch && ch->is_string()) t.rating_channel = std::string(ch->as_string());
  }
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
  o["pause_alerted"] = w.pause_alerted;
  o["session_clerk"] = w.session_clerk;
  o["session_day"] = w.session_day;
  o["session_seq"] = w.session_seq;
  o["handover_clerk"] = w.handover_clerk;
  o["handover_from"] = w.handover_from;
  o["handover_to"] = w.handover_to;
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
  // Rows written before pause alerts and hand-over logs: none pending.
  if (o.contains("session_seq")) {
    w.pause_alerted = r.b("pause_alerted");
    w.session_clerk = r.s("session_clerk");
    w.session_day = r.s("session_day");
    w.session_seq = r.i("session_seq");
    w.handover_clerk = r.s("handover_clerk");
    w.handover_from = r.i("handover_from");
    w.handover_to = r.i("handover_to");
  }
  return r.ok;
}

namespace {

json::value date_or_null(const std::optional<Date>& d) { return d ? json::value(format_date(*d)) : json::value(nullptr); }
json::value time_or_null(const std::optional<TimePoint>& t) { return t ? json::value(ms(*t)) : json::value(nullptr); }

bool sealed_from(const json::object& o, const char* k, Sealed& out) {
  auto* v = o.if_contains(k);
  out = sealed_from_json(v);
  return v && v->is_object();
}
bool strings_from(const json::object& o, const char* k, std::vector<std::string>& out) {
  out.clear();
  auto* v = o.if_contains(k);
  if (!v || !v->is_array()) return false;
  for (const auto& x : v->as_array()) {
    if (!x.is_string()) return false;
    out.emplace_back(x.as_string());
  }
  return true;
}
bool opt_date(const json::object& o, const char* k, std::optional<Date>& out) {
  out.reset();
  auto* v = o.if_contains(k);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) return false;
  out = parse_date(v->as_string());
  return out.has_value();
}
bool opt_time(const json::object& o, const char* k, std::optional<TimePoint>& out) {
  out.reset();
  auto* v = o.if_contains(k);
  if (!v || v->is_null()) return true;
  if (!v->is_int64()) return false;
  out = tp(v->as_int64());
  return true;
}

}  // namespace

json::object case_to_row(const Case& c) {
  json::object o;
  o["id"] = c.id;
  o["no"] = c.no;
  o["type"] = to_string(c.type);
  o["state"] = to_string(c.state);
  o["service"] = c.service;
  o["item"] = c.item;
  o["item_name"] = c.item_name;
  o["ticket"] = c.ticket;
  o["number"] = c.number;
  o["window"] = c.window;
  o["clerk"] = c.clerk;
  o["first_clerk"] = c.first_clerk;
  o["applicant"] = sealed_to_json(c.applicant);
  o["phone"] = sealed_to_json(c.phone);
  o["id_number"] = sealed_to_json(c.id_number);
  o["received_at"] = ms(c.received_at);
  o["received"] = format_date(c.received);
  o["received_materials"] = str_array(c.received_materials);
  o["missing"] = str_array(c.missing);
  o["time_limit_days"] = c.time_limit_days;
  o["clock_start"] = date_or_null(c.clock_start);
  o["deadline"] = date_or_null(c.deadline);
  o["provisional"] = c.provisional;
  json::array ext;
  for (const auto& e : c.extensions)
    ext.push_back(json::object{{"at", ms(e.at)}, {"by", e.by}, {"reason", e.reason}, {"days", e.days},
                               {"from", format_date(e.from)}, {"to", format_date(e.to)}});
  o["extensions"] = std::move(ext);
  o["suspended_at"] = time_or_null(c.suspended_at);
  o["suspend_reason"] = c.suspend_reason;
  o["suspended_days"] = c.suspended_days;
  json::array parts;
  for (const auto& p : c.participants)
    parts.push_back(json::object{{"window", p.window}, {"reported", p.reported}, {"reported_at", time_or_null(p.reported_at)},
                                 {"by", p.by}, {"note", p.note}});
  o["participants"] = std::move(parts);
  o["reported_upward_at"] = time_or_null(c.reported_upward_at);
  o["handler"] = c.handler;
  o["reason"] = c.reason;
  o["done_at"] = time_or_null(c.done_at);
  o["overdue_days"] = c.overdue_days;
  o["once_failures"] = c.once_failures;
  o["notified_at"] = time_or_null(c.notified_at);
  o["notify_channel"] = c.notify_channel;
  o["feedback"] = c.feedback;
  o["note"] = c.note;
  json::array steps;
  for (const auto& st : c.steps)
    steps.push_back(json::object{{"at", ms(st.at)}, {"what", st.what}, {"by", st.by}, {"note", st.note}});
  o["steps"] = std::move(steps);
  return o;
}

bool case_from_row(const json::object& o, Case& c) {
  Reader r{o};
  c = Case{};
  c.id = r.i("id");
  c.no = r.s("no");
  auto type = parse_case_type(r.s("type"));
  if (!type) return false;
  c.type = *type;
  const auto state = parse_case_state(r.s("state"));
  const bool state_ok = state.has_value();
  c.state = state.value_or(CaseState::Open);
  c.service = r.s("service");
  c.item = r.s("item");
  c.item_name = r.s("item_name");
  c.ticket = r.i("ticket");
  c.number = r.s("number");
  c.window = static_cast<int>(r.i("window"));
  c.clerk = r.s("clerk");
  c.first_clerk = r.s("first_clerk");
  bool ok = state_ok && sealed_from(o, "applicant", c.applicant) && sealed_from(o, "phone", c.phone) &&
            sealed_from(o, "id_number", c.id_number);
  c.received_at = tp(r.i("received_at"));
  auto received = parse_date(r.s("received"));
  ok = ok && received.has_value();
  if (received) c.received = *received;
  ok = ok && strings_from(o, "received_materials", c.received_materials) && strings_from(o, "missing", c.missing);
  c.time_limit_days = static_cast<int>(r.i("time_limit_days"));
  ok = ok && opt_date(o, "clock_start", c.clock_start) && opt_date(o, "deadline", c.deadline);
  c.provisional = r.b("provisional");
  if (auto* a = o.if_contains("extensions"); a && a->is_array()) {
    for (const auto& v : a->as_array()) {
      if (!v.is_object()) return false;
      Reader x{v.as_object()};
      CaseExtension e;
      e.at = tp(x.i("at"));
      e.by = x.s("by");
      e.reason = x.s("reason");
      e.days = static_cast<int>(x.i("days"));
      auto from = parse_date(x.s("from")), to = parse_date(x.s("to"));
      if (!x.ok || !from || !to) return false;
      e.from = *from;
      e.to = *to;
      c.extensions.push_back(std::move(e));
    }
  } else {
    return false;
  }
  ok = ok && opt_time(o, "suspended_at", c.suspended_at);
  c.suspend_reason = r.s("suspend_reason");
  c.suspended_days = static_cast<int>(r.i("suspended_days"));
  if (auto* a = o.if_contains("participants"); a && a->is_array()) {
    for (const auto& v : a->as_array()) {
      if (!v.is_object()) return false;
      Reader x{v.as_object()};
      CaseParticipant p;
      p.window = static_cast<int>(x.i("window"));
      p.reported = x.b("reported");
      p.by = x.s("by");
      p.note = x.s("note");
      if (!x.ok || !opt_time(v.as_object(), "reported_at", p.reported_at)) return false;
      c.participants.push_back(std::move(p));
    }
  } else {
    return false;
  }
  ok = ok && opt_time(o, "reported_upward_at", c.reported_upward_at);
  c.handler = r.s("handler");
  c.reason = r.s("reason");
  ok = ok && opt_time(o, "done_at", c.done_at);
  c.overdue_days = static_cast<int>(r.i("overdue_days"));
  if (o.contains("once_failures")) c.once_failures = static_cast<int>(r.i("once_failures"));
  ok = ok && opt_time(o, "notified_at", c.notified_at);
  c.notify_channel = r.s("notify_channel");
  c.feedback = r.s("feedback");
  c.note = r.s("note");
  if (auto* a = o.if_contains("steps"); a && a->is_array()) {
    for (const auto& v : a->as_array()) {
      if (!v.is_object()) return false;
      Reader x{v.as_object()};
      CaseStep st{tp(x.i("at")), x.s("what"), x.s("by"), x.s("note")};
      if (!x.ok) return false;
      c.steps.push_back(std::move(st));
    }
  } else {
    return false;
  }
  return ok && r.ok;
}

json::array str_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& x : v) a.push_back(json::value(x));
  return a;
}

std::vector<std::string> str_vector(const json::object& d, const char* k) {
  std::vector<std::string> out;
  if (auto* v = d.if_contains(k); v && v->is_array())
    for (const auto& x : v->as_array())
      if (x.is_string()) out.emplace_back(x.as_string());
  return out;
}

std::string appointment_day(const Appointment& a) { return format_date(a.day ? *a.day : a.received); }

json::object appointment_to_row(const Appointment& a) {
  json::object o;
  o["id"] = a.id;
  o["state"] = to_string(a.state);
  o["service"] = a.service;
  o["item"] = a.item;
  o["channel"] = a.channel;
  o["name"] = sealed_to_json(a.name);
  o["phone"] = sealed_to_json(a.phone);
  o["note"] = a.note;
  o["created_at"] = ms(a.created_at);
  o["created_by"] = a.created_by;
  o["requested"] = a.requested;
  o["received"] = format_date(a.received);
  o["due"] = format_date(a.due);
  o["answered_at"] = time_or_null(a.answered_at);
  o["answered_late"] = a.answered_late;
  o["day"] = date_or_null(a.day);
  o["slot"] = static_cast<std::int64_t>(a.slot.count());
  o["slot_minutes"] = a.slot_minutes;
  o["code"] = a.code;
  o["place"] = a.place;
  o["materials"] = str_array(a.materials);
  o["booked_by"] = a.booked_by;
  o["reason"] = a.reason;
  o["ticket"] = a.ticket;
  o["number"] = a.number;
  o["closed_at"] = time_or_null(a.closed_at);
  return o;
}

bool appointment_from_row(const json::object& o, Appointment& a) {
  Reader r{o};
  a = Appointment{};
  a.id = r.i("id");
  const std::string state = r.s("state");
  bool ok = false;
  for (auto st : {AppointmentState::Requested, AppointmentState::Confirmed, AppointmentState::Declined,
                  AppointmentState::Cancelled, AppointmentState::CheckedIn, AppointmentState::Missed})
    if (state == to_string(st)) {
      a.state = st;
      ok = true;
    }
  a.service = r.s("service");
  a.item = r.s("item");
  a.channel = r.s("channel");
  ok = ok && sealed_from(o, "name", a.name) && sealed_from(o, "phone", a.phone);
  a.note = r.s("note");
  a.created_at = tp(r.i("created_at"));
  a.created_by = r.s("created_by");
  a.requested = r.b("requested");
  auto received = parse_date(r.s("received"));
  auto due = parse_date(r.s("due"));
  ok = ok && received && due;
  if (received) a.received = *received;
  if (due) a.due = *due;
  ok = ok && opt_time(o, "answered_at", a.answered_at);
  a.answered_late = r.b("answered_late");
  ok = ok && opt_date(o, "day", a.day);
  a.slot = Minutes{r.i("slot")};
  a.slot_minutes = static_cast<int>(r.i("slot_minutes"));
  a.code = r.s("code");
  a.place = r.s("place");
  ok = ok && strings_from(o, "materials", a.materials);
  a.booked_by = r.s("booked_by");
  a.reason = r.s("reason");
  a.ticket = r.i("ticket");
  a.number = r.s("number");
  ok = ok && opt_time(o, "closed_at", a.closed_at);
  return ok && r.ok && a.id > 0;
}

}  // namespace hallq::engine
