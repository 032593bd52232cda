// The engine's projections (engine.hpp "take_changes", "restore"): the rows the store keeps
// after each command or replayed event, and the engine rebuilt from them at start.
#include <boost/json.hpp>

#include <algorithm>

#include "errors.hpp"
#include "hallq/controller/engine.hpp"
#include "rows.hpp"

namespace hallq::engine {
namespace json = boost::json;
using namespace std::chrono;

Changes Engine::take_changes() {
  Changes c;
  const std::string cutoff = touched_tickets_.empty() ? std::string() : done_cutoff();
  for (TicketId id : touched_tickets_) {
    auto it = tickets_.find(id);
    if (it == tickets_.end()) {
      // A finished ticket rated late, or whose case came after it: its row takes the news.
      auto d = done_.find(id);
      if (d == done_.end()) continue;
      json::object patch;
      if (d->second.case_id) patch["case"] = d->second.case_id;
      if (d->second.rating) {
        patch["rating"] = d->second.rating;
        patch["rating_channel"] = d->second.rating_channel;
      }
      if (!patch.empty()) c.ticket_patches.emplace_back(id, json::serialize(patch));
      continue;
    }
    const Ticket& t = it->second;
    c.tickets.push_back(TicketRow{id, t.day, t.number, t.service, to_string(t.state), t.request_id,
                                  json::serialize(ticket_to_row(t))});
    if (!is_final(t.state)) continue;
    // A finished service stays open to its one rating for a while (R-EVAL-1).
    keep_if_rateable(t, cutoff);
    tickets_.erase(it);
  }
  for (int n : touched_windows_)
    if (const WindowStatus* w = find_window(n)) c.windows.emplace_back(n, json::serialize(window_to_row(*w)));
  for (CaseId id : touched_cases_) {
    auto it = cases_.find(id);
    if (it == cases_.end()) continue;
    const Case& k = it->second;
    const std::string day = format_date(k.received);
    // The store's state column drives its live index: a case done and finished with (即办件,
    // or its applicant told, R-TIME-4) is "closed" there, so a start loads only live cases
    // and not years of completed ones. The row keeps the case's own state.
    const std::string column = k.state == CaseState::Done && !k.live() ? "closed" : to_string(k.state);
    c.cases.push_back(CaseRow{id, k.no, day, column, k.clerk, k.window, json::serialize(case_to_row(k))});
    // Today's cases stay for the console's list; older ones only while live.
    if (!k.live() && day != day_) cases_.erase(it);
  }
  for (std::int64_t id : touched_appointments_) {
    auto it = appointments_.find(id);
    if (it == appointments_.end()) continue;
    const Appointment& a = it->second;
    c.appointments.push_back(AppointmentRow{id, appointment_day(a), to_string(a.state), json::serialize(appointment_to_row(a))});
    if (!a.live() && !day_.empty() && appointment_day(a) < day_) appointments_.erase(it);
  }
  touched_appointments_.clear();
  touched_cases_.clear();
  touched_tickets_.clear();
  touched_windows_.clear();
  c.meta = meta_json();
  return c;
}

std::string Engine::meta_json() const {
  json::object m;
  m["seq"] = seq_;
  m["next_ticket_id"] = next_ticket_id_;
  m["day"] = day_;
  json::object svc;
  for (const auto& [id, s] : services_)
    svc[id] = json::object{{"issued_today", s.issued_today}, {"next_number", s.next_number}, {"avg_service_s", s.avg_service_s}};
  m["services"] = std::move(svc);
  json::array rc;
  for (const auto& r : recent_)
    rc.push_back(json::object{{"number", r.number}, {"service", r.service}, {"window", r.window}, {"at", ms(r.at)}});
  m["recent"] = std::move(rc);
  json::object dev;
  for (const auto& [id, d] : devices_)
    dev[id] = json::object{{"printer", d.printer}, {"accepting", d.accepting}, {"detail", d.detail}, {"since", ms(d.since)}};
  m["devices"] = std::move(dev);
  m["voided_today"] = voided_today_;
  json::array help;
  for (const auto& [id, h] : open_help_)
    help.push_back(json::object{{"id", id}, {"device", h.device}, {"kind", h.kind}, {"at", ms(h.at)}});
  m["help"] = std::move(help);
  m["next_help_id"] = next_help_id_;
  m["next_complaint_id"] = next_complaint_id_;
  json::array oc;
  for (const auto& [id, c] : open_complaints_)
    oc.push_back(json::object{{"id", id}, {"filed_seq", c.filed_seq}, {"at", ms(c.at)}, {"received", format_date(c.received)},
                              {"due", format_date(c.due)}, {"window", c.window}, {"clerk", c.clerk}, {"channel", c.channel}});
  m["open_complaints"] = std::move(oc);
  json::array fu;
  for (const auto& [id, f] : follow_ups_)
    fu.push_back(json::object{{"rating", id}, {"at", ms(f.at)}, {"window", f.window}, {"clerk", f.clerk},
                              {"number", f.number}, {"ticket", f.ticket}, {"case", f.case_id}, {"level", f.level}});
  m["follow_ups"] = std::move(fu);
  m["next_adjustment_id"] = next_adjustment_id_;
  m["next_leave_id"] = next_leave_id_;
  m["next_appointment_id"] = next_appointment_id_;
  m["next_case_id"] = next_case_id_;
  m["case_day"] = case_day_;
  m["case_day_count"] = case_day_count_;
  m["next_enquiry_id"] = next_enquiry_id_;
  json::array enq;
  for (const auto& q : enquiries_)
    enq.push_back(json::object{{"id", q.id}, {"at", ms(q.at)}, {"channel", q.channel}, {"subject", q.subject},
                               {"caller", sealed_to_json(q.caller)}, {"phone", sealed_to_json(q.phone)},
                               {"forwarded_to", q.forwarded_to}, {"clerk", q.clerk}, {"window", q.window}});
  m["enquiries"] = std::move(enq);
  // Tickets issued on an earlier day (carried over) and finished today without a case: the
  // rows a restore reads hold only today's tickets, so these few travel in the meta row.
  json::array carried;
  for (const auto& [id, u] : unregistered_)
    if (u.day != day_)
      carried.push_back(json::object{{"ticket", id}, {"number", u.number}, {"service", u.service}, {"clerk", u.clerk},
                                     {"window", u.window}, {"finished_at", ms(u.finished_at)}, {"day", u.day}});
  if (!carried.empty()) m["unregistered_carried"] = std::move(carried);
  json::object cd;
  for (const auto& [id, c] : clerk_day_)
    cd[id] = json::object{{"called", c.called}, {"served", c.served}, {"no_show", c.no_show},
                          {"transferred", c.transferred}, {"held", c.held}, {"consultations", c.consultations},
                          {"service_ms", c.service_ms}, {"measured", c.measured}};
  m["clerk_day"] = std::move(cd);
  return json::serialize(m);
}

bool Engine::restore(const std::string& meta, const std::vector<std::string>& tickets,
                     const std::vector<std::string>& windows, const std::vector<std::string>& cases,
                     std::string* error) {
  return restore(meta, tickets, windows, cases, {}, error);
}

bool Engine::restore(const std::string& meta, const std::vector<std::string>& tickets,
                     const std::vector<std::string>& windows, const std::vector<std::string>& cases,
                     const std::vector<std::string>& appointments, std::string* error) {
  boost::system::error_code ec;
  json::value mv = json::parse(meta, ec);
  std::optional<std::string> bad;
  if (ec || !mv.is_object()) bad = "engine state row is not JSON";
  if (!bad) {
    restore_meta(mv.as_object());
    bad = restore_rows(mv.as_object(), tickets, windows, cases, appointments);
  }
  if (bad && error) *error = *bad;
  return !bad;
}

// The engine-wide state of the meta row (meta_json).
void Engine::restore_meta(const json::object& m) {
  seq_ = get_i(m, "seq");
  next_ticket_id_ = std::max<TicketId>(1, get_i(m, "next_ticket_id"));
  day_ = get_s(m, "day");
  if (auto* s = m.if_contains("services"); s && s->is_object()) {
    for (const auto& [id, v] : s->as_object()) {
      if (!v.is_object() || !services_.contains(std::string(id))) continue;  // a removed service
      auto& ss = services_[std::string(id)];
      ss.issued_today = static_cast<int>(get_i(v.as_object(), "issued_today"));
      ss.next_number = std::max(1, static_cast<int>(get_i(v.as_object(), "next_number")));
      if (auto* a = v.as_object().if_contains("avg_service_s"); a && a->is_number()) ss.avg_service_s = whole_ms(a->to_number<double>());
    }
  }
  recent_.clear();
  if (auto* r = m.if_contains("recent"); r && r->is_array())
    for (const auto& v : r->as_array())
      if (v.is_object())
        recent_.push_back(RecentCall{get_s(v.as_object(), "number"), get_s(v.as_object(), "service"),
                                     static_cast<int>(get_i(v.as_object(), "window")),
                                     TimePoint{milliseconds{get_i(v.as_object(), "at")}}});
  devices_.clear();
  if (auto* dv = m.if_contains("devices"); dv && dv->is_object())
    for (const auto& [id, v] : dv->as_object()) {
      if (!v.is_object()) continue;
      const json::object& o = v.as_object();
      DeviceStatus ds;
      ds.printer = get_s(o, "printer");
      auto* a = o.if_contains("accepting");
      ds.accepting = a && a->is_bool() && a->as_bool();
      ds.detail = get_s(o, "detail");
      ds.since = TimePoint{milliseconds{get_i(o, "since")}};
      devices_[std::string(id)] = std::move(ds);
    }
  voided_today_ = static_cast<std::uint64_t>(std::max<std::int64_t>(0, get_i(m, "voided_today")));
  open_help_.clear();
  if (auto* hv = m.if_contains("help"); hv && hv->is_array())
    for (const auto& v : hv->as_array()) {
      if (!v.is_object()) continue;
      const json::object& o = v.as_object();
      HelpRequest h{get_i(o, "id"), get_s(o, "device"), get_s(o, "kind"), TimePoint{milliseconds{get_i(o, "at")}}};
      open_help_[h.id] = std::move(h);
    }
  next_help_id_ = std::max<std::int64_t>(1, get_i(m, "next_help_id"));
  next_complaint_id_ = std::max<std::int64_t>(1, get_i(m, "next_complaint_id"));
  open_complaints_.clear();
  if (auto* ov = m.if_contains("open_complaints"); ov && ov->is_array())
    for (const auto& v : ov->as_array()) {
      if (!v.is_object()) continue;
      const json::object& o = v.as_object();
      OpenComplaint c{get_i(o, "id"), get_i(o, "filed_seq"), TimePoint{milliseconds{get_i(o, "at")}}, {}, {},
                      static_cast<int>(get_i(o, "window")), get_s(o, "clerk"), get_s(o, "channel")};
      if (auto r = parse_date(get_s(o, "received"))) c.received = *r;
      if (auto r = parse_date(get_s(o, "due"))) c.due = *r;
      open_complaints_[c.id] = std::move(c);
    }
  follow_ups_.clear();
  if (auto* fv = m.if_contains("follow_ups"); fv && fv->is_array())
    for (const auto& v : fv->as_array()) {
      if (!v.is_object()) continue;
      const json::object& o = v.as_object();
      FollowUp f{get_i(o, "rating"), TimePoint{milliseconds{get_i(o, "at")}}, static_cast<int>(get_i(o, "window")),
                 get_s(o, "clerk"), get_s(o, "number"), get_i(o, "ticket"), get_i(o, "case"), static_cast<int>(get_i(o, "level"))};
      follow_ups_[f.rating] = std::move(f);
    }
  next_adjustment_id_ = std::max<std::int64_t>(1, get_i(m, "next_adjustment_id"));
  next_leave_id_ = std::max<std::int64_t>(1, get_i(m, "next_leave_id"));
  for (const auto& [id, h] : open_help_) next_help_id_ = std::max(next_help_id_, id + 1);
  next_case_id_ = std::max<CaseId>(1, get_i(m, "next_case_id"));
  case_day_ = get_s(m, "case_day");
  case_day_count_ = static_cast<int>(get_i(m, "case_day_count"));
  next_enquiry_id_ = std::max<std::int64_t>(1, get_i(m, "next_enquiry_id"));
  enquiries_.clear();
  if (auto* ev = m.if_contains("enquiries"); ev && ev->is_array())
    for (const auto& v : ev->as_array()) {
      if (!v.is_object()) continue;
      const json::object& o = v.as_object();
      Enquiry q;
      q.id = get_i(o, "id");
      q.at = TimePoint{milliseconds{get_i(o, "at")}};
      q.channel = get_s(o, "channel");
      q.subject = get_s(o, "subject");
      q.caller = sealed_from_json(o.if_contains("caller"));
      q.phone = sealed_from_json(o.if_contains("phone"));
      q.forwarded_to = get_s(o, "forwarded_to");
      q.clerk = get_s(o, "clerk");
      q.window = static_cast<int>(get_i(o, "window"));
      enquiries_.push_back(std::move(q));
    }
  clerk_day_.clear();
  if (auto* cd = m.if_contains("clerk_day"); cd && cd->is_object())
    for (const auto& [id, v] : cd->as_object()) {
      if (!v.is_object()) continue;
      const json::object& o = v.as_object();
      auto n = [&](const char* k) { return static_cast<int>(get_i(o, k)); };
      clerk_day_[std::string(id)] = ClerkDay{n("called"), n("served"), n("no_show"), n("transferred"), n("held"),
                                             n("consultations"), get_i(o, "service_ms"), n("measured")};
    }
}

// The live rows: cases, appointments, tickets and windows, with what they imply.
std::optional<std::string> Engine::restore_rows(const json::object& m, const std::vector<std::string>& tickets,
                                                const std::vector<std::string>& windows,
                                                const std::vector<std::string>& cases,
                                                const std::vector<std::string>& appointments) {
  boost::system::error_code ec;
  auto fail = [](std::string why) { return std::optional<std::string>(std::move(why)); };
  cases_.clear();
  std::set<TicketId> with_case;
  for (const auto& row : cases) {
    json::value v = json::parse(row, ec);
    Case k;
    if (ec || !v.is_object() || !case_from_row(v.as_object(), k)) return fail("a case row is damaged: " + row.substr(0, 80));
    next_case_id_ = std::max(next_case_id_, k.id + 1);
    if (format_date(k.received) == day_ && k.ticket) with_case.insert(k.ticket);
    if (k.live() || format_date(k.received) == day_) cases_[k.id] = std::move(k);
  }
  appointments_.clear();
  next_appointment_id_ = std::max<std::int64_t>(1, get_i(m, "next_appointment_id"));
  for (const auto& row : appointments) {
    json::value v = json::parse(row, ec);
    Appointment a;
    if (ec || !v.is_object() || !appointment_from_row(v.as_object(), a))
      return fail("an appointment row is damaged: " + row.substr(0, 80));
    next_appointment_id_ = std::max(next_appointment_id_, a.id + 1);
    if (a.live() || appointment_day(a) >= day_) appointments_[a.id] = std::move(a);
  }
  unregistered_.clear();
  if (auto* uc = m.if_contains("unregistered_carried"); uc && uc->is_array())
    for (const auto& v : uc->as_array()) {
      if (!v.is_object()) continue;
      const json::object& o = v.as_object();
      const TicketId id = get_i(o, "ticket");
      if (!with_case.contains(id))
        unregistered_[id] = Unregistered{id, get_s(o, "number"), get_s(o, "service"), get_s(o, "clerk"),
                                         static_cast<int>(get_i(o, "window")), TimePoint{milliseconds{get_i(o, "finished_at")}},
                                         get_s(o, "day")};
    }
  const std::string cutoff = done_cutoff();
  done_.clear();
  for (const auto& row : tickets) {
    json::value v = json::parse(row, ec);
    Ticket t;
    if (ec || !v.is_object() || !ticket_from_row(v.as_object(), t)) return fail("a ticket row is damaged: " + row.substr(0, 80));
    if (!t.request_id.empty() && t.day == day_) by_request_[request_key(t.issued_by, t.request_id)] = t.id;
    next_ticket_id_ = std::max(next_ticket_id_, t.id + 1);
    if (t.state == TicketState::Done && t.day == day_ && !t.consultation && !with_case.contains(t.id) && t.finished_at)
      unregistered_[t.id] = Unregistered{t.id, t.number, t.service, t.clerk, t.window, *t.finished_at, t.day};
    if (is_final(t.state)) {
      keep_if_rateable(t, cutoff);
      continue;
    }
    // The roll-over forgets the no-shows of earlier days (see DayRolledOver); so does a restore.
    if (t.state == TicketState::NoShow && (!t.noshow_at || format_date(tz_.to_local(*t.noshow_at).date) < day_)) continue;
    if (!services_.contains(t.service)) return fail("ticket " + t.number + " belongs to service '" + t.service + "', which the config no longer has");
    auto [it, ok] = tickets_.emplace(t.id, std::move(t));
    if (it->second.state == TicketState::Waiting) enqueue(it->second);
  }
  for (const auto& row : windows) {
    json::value v = json::parse(row, ec);
    WindowStatus ws;
    if (ec || !v.is_object() || !window_from_row(v.as_object(), ws)) return fail("a window row is damaged: " + row.substr(0, 80));
    if (WindowStatus* w = window_mut(ws.number)) *w = ws;  // a window removed from config is dropped
  }
  touched_tickets_.clear();
  touched_windows_.clear();
  return std::nullopt;
}

}  // namespace hallq::engine
