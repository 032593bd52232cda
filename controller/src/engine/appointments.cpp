// Appointments (R-APPT-1, R-HOURS-3; seed 004 预约服务制 and 双休日服务制): requests answered
// within one working day, bookings that fix the day, the slot, the place and the materials, and
// the check-in at a kiosk that turns a booking into a ticket with the appointment priority.
// Same contract as the queue: decide validates and makes events; apply is what a replay runs.
#include <boost/json.hpp>

#include <algorithm>

#include "hallq/controller/engine.hpp"
#include "errors.hpp"
#include "hallq/common/enum_names.hpp"
#include "rows.hpp"

// The stable names of an appointment's states, in events, rows and the API.
namespace hallq {
template <>
struct EnumNames<engine::AppointmentState> {
  static constexpr std::array<std::pair<engine::AppointmentState, std::string_view>, 6> table{{
      {engine::AppointmentState::Requested, "requested"},
      {engine::AppointmentState::Confirmed, "confirmed"},
      {engine::AppointmentState::Declined, "declined"},
      {engine::AppointmentState::Cancelled, "cancelled"},
      {engine::AppointmentState::CheckedIn, "checked_in"},
      {engine::AppointmentState::Missed, "missed"},
  }};
};
static_assert(enum_names_complete<engine::AppointmentState>());
}  // namespace hallq

namespace hallq::engine {
namespace json = boost::json;
using namespace std::chrono;

namespace {

constexpr size_t kMaxNote = 500;

bool one_of(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool valid_code(std::string_view s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const char* weekday_zh(Date d) {
  static const char* const names[] = {"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"};
  return names[weekday{sys_days{d}}.c_encoding()];
}

}  // namespace

const char* to_string(AppointmentState s) { return enum_name(s, "requested").data(); }

const Appointment* Engine::find_appointment(std::int64_t id) const {
  auto it = appointments_.find(id);
  return it == appointments_.end() ? nullptr : &it->second;
}

Appointment* Engine::appointment_mut(std::int64_t id) {
  auto it = appointments_.find(id);
  return it == appointments_.end() ? nullptr : &it->second;
}

int Engine::slot_capacity(const std::string& service) const {
  if (!config_.appointments.enabled) return 0;
  const ServiceConfig* sc = config_.find_service(service);
  if (!sc) return 0;
  return sc->appointment_capacity >= 0 ? sc->appointment_capacity : config_.appointments.capacity;
}

bool Engine::appointments_only(Date d) const {
  return config_.appointments.enabled && config_.appointments.weekend_only && !calendar_.is_working_day(d);
}

std::vector<AppointmentSlot> Engine::appointment_slots(const std::string& service, Date day) const {
  std::vector<AppointmentSlot> out;
  const int cap = slot_capacity(service);
  if (cap <= 0) return out;
  bool served = false, lunch = false, weekend = false;
  for (const auto& w : config_.windows)
    if (std::find(w.services.begin(), w.services.end(), service) != w.services.end()) {
      served = true;
      lunch = lunch || w.lunch_service;
      weekend = weekend || w.weekend_service;
    }
  if (!served) return out;
  const HoursConfig& h = config_.hours;
  std::vector<std::pair<Minutes, Minutes>> ranges;
  if (calendar_.is_working_day(day)) {
    if (lunch) ranges.emplace_back(h.open, h.close);
    else {
      ranges.emplace_back(h.open, h.lunch_start);
      ranges.emplace_back(h.lunch_end, h.close);
    }
  } else if (h.weekend_service && weekend) {
    ranges.emplace_back(h.weekend_open, h.weekend_close);
  }
  const Minutes step{config_.appointments.slot_minutes};
  for (const auto& [from, to] : ranges)
    for (Minutes m = from; m + step <= to; m += step) out.push_back(AppointmentSlot{m, m + step, cap, 0});
  for (const auto& [id, a] : appointments_) {
    if (!a.holds_slot() || a.service != service || !a.day || *a.day != day) continue;
    for (auto& s : out)
      if (s.start == a.slot) ++s.booked;
  }
  return out;
}

std::string Engine::appointment_place(const std::string& service) const {
  std::string windows;
  for (const auto& w : config_.windows)
    if (std::find(w.services.begin(), w.services.end(), service) != w.services.end())
      windows += (windows.empty() ? "" : "、") + std::to_string(w.number) + "号";
  return config_.centre.name + " " + windows + "窗口";
}

std::optional<Error> Engine::check_slot(const std::string& service, const SlotChoice& c, TimePoint now) const {
  const LocalTime l = tz_.to_local(now);
  const auto ahead = sys_days{c.day} - sys_days{l.date};
  if (ahead < days{0}) return err(Errc::NoSuchSlot, "that day has passed", "预约日期已过");
  if (ahead > days{config_.appointments.book_days_ahead})
    return err(Errc::NoSuchSlot, "bookings open " + std::to_string(config_.appointments.book_days_ahead) + " days ahead",
               "只能预约 " + std::to_string(config_.appointments.book_days_ahead) + " 天内的时段");
  const auto slots = appointment_slots(service, c.day);
  auto it = std::find_if(slots.begin(), slots.end(), [&](const auto& s) { return s.start == c.slot; });
  if (it == slots.end())
    return err(Errc::NoSuchSlot, "no slot at " + format_hhmm(c.slot) + " on " + format_date(c.day) + " for this service",
               format_date(c.day) + " " + format_hhmm(c.slot) + " 不是该业务的预约时段");
  if (ahead == days{0} && c.slot <= l.minute_of_day)
    return err(Errc::NoSuchSlot, "that slot has begun", "该时段已开始，请选择之后的时段");
  if (it->booked >= it->capacity)
    return err(Errc::SlotFull, "the slot is full (" + std::to_string(it->capacity) + " bookings)",
               "该时段预约已满，请选择其他时段");
  if (!valid_code(c.code)) return err(Errc::InvalidArgument, "the booking code is 6 digits", "预约码应为 6 位数字");
  for (const auto& [id, a] : appointments_)
    if (a.state == AppointmentState::Confirmed && a.code == c.code)
      return err(Errc::CodeInUse, "the booking code is in use", "预约码重复");
  return std::nullopt;
}

int Engine::unanswered_appointments(TimePoint now) const {
  const sys_days today{tz_.to_local(now).date};
  int n = 0;
  for (const auto& [id, a] : appointments_)
    if (a.state == AppointmentState::Requested && today > sys_days{a.due}) ++n;
  return n;
}

// An id the engine no longer holds was settled (answered, cancelled, checked in or missed) on
// an earlier day.
Error Engine::unknown_or_settled(std::int64_t id) const {
  if (id > 0 && id < next_appointment_id_)
    return err(Errc::WrongState, "this appointment was settled already", "该预约已处理完毕");
  return err(Errc::UnknownAppointment, "no such appointment", "没有该预约");
}

std::optional<Error> Engine::appointments_closed() const {
  if (!config_.appointments.enabled)
    return err(Errc::InvalidArgument, "this hall takes no appointments", "本中心未开通预约服务");
  return std::nullopt;
}

// What a request and a booking share: the service, its item, who comes and why.
std::optional<Error> Engine::check_booking(const std::string& service, const std::string& item, const Sealed& name,
                                           const std::string& note) const {
  const ServiceConfig* sc = config_.find_service(service);
  if (!sc) return err(Errc::UnknownService, "no service '" + service + "'", "没有该业务");
  if (slot_capacity(service) <= 0)
    return err(Errc::InvalidArgument, "this service is not booked ahead", "该业务不提供预约");
  if (!item.empty() && std::none_of(sc->items.begin(), sc->items.end(), [&](const auto& i) { return i.id == item; }))
    return err(Errc::InvalidArgument, "no item '" + item + "' in this service", "该业务没有此事项");
  if (name.empty()) return err(Errc::InvalidArgument, "give the citizen's name", "请填写预约人姓名");
  if (note.size() > kMaxNote) return err(Errc::InvalidArgument, "the note is longer than 500 bytes", "备注过长");
  return std::nullopt;
}

events::AppointmentConfirmed Engine::booking(std::int64_t id, const std::string& service, const std::string& item,
                                             const SlotChoice& c) const {
  std::vector<std::string> materials;
  if (const ServiceConfig* sc = config_.find_service(service))
    for (const auto& i : sc->items)
      if (i.id == item) materials = i.materials;
  return events::AppointmentConfirmed{.appointment = id,
                                      .service = service,
                                      .item = item,
                                      .code = c.code,
                                      .day = c.day,
                                      .slot = format_hhmm(c.slot),
                                      .slot_minutes = config_.appointments.slot_minutes,
                                      .place = appointment_place(service),
                                      .materials = std::move(materials)};
}

Engine::Decision Engine::decide(const RequestAppointment& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (auto closed = appointments_closed()) return unexpected(*closed);
  const Date today = tz_.to_local(now).date;
  if (actor.kind == Actor::Kind::System) return unexpected(err(Errc::NotManager, "a clerk or the manager does this", "仅工作人员可操作"));
  const bool device = actor.kind == Actor::Kind::Device;
  if (device ? !one_of(c.channel, {"kiosk", "online"}) : !one_of(c.channel, {"visit", "phone", "letter", "online"}))
    return unexpected(err(Errc::InvalidArgument,
                          device ? "a device's requests come by kiosk or online" : "channel is visit, phone, letter or online",
                          "预约方式无效"));
  if (auto e = check_booking(c.service, c.item, c.name, c.note)) return unexpected(*e);
  const std::int64_t id = next_appointment_id_;
  ev.push_back(make_event(actor, 0, now,
                          events::AppointmentRequested{.appointment = id,
                                                       .service = c.service,
                                                       .item = c.item,
                                                       .channel = c.channel,
                                                       .name = c.name,
                                                       .phone = c.phone,
                                                       .note = c.note,
                                                       .received = today,
                                                       .due = calendar_.add_working_days(today, 1)}));
  reply = replies::Appointment{id};
  return ev;
}

Engine::Decision Engine::decide(const AnswerAppointment& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (auto closed = appointments_closed()) return unexpected(*closed);
  const Date today = tz_.to_local(now).date;
  const bool staff = actor.kind == Actor::Kind::Clerk || actor.kind == Actor::Kind::Manager;
  if (!staff) return unexpected(err(Errc::NotManager, "a clerk or the manager does this", "仅工作人员可操作"));
  const Appointment* a = find_appointment(c.appointment);
  if (!a) return unexpected(unknown_or_settled(c.appointment));
  if (a->state != AppointmentState::Requested)
    return unexpected(err(Errc::WrongState, std::string("the request was answered already (") + to_string(a->state) + ")",
                          "该预约申请已答复"));
  const bool late = sys_days{today} > sys_days{a->due};
  if (c.accept) {
    if (auto e = check_slot(a->service, c.choice, now)) return unexpected(*e);
    auto d = booking(a->id, a->service, a->item, c.choice);
    d.late = late;
    ev.push_back(make_event(actor, 0, now, std::move(d)));
  } else {
    if (c.reason.empty()) return unexpected(err(Errc::InvalidArgument, "give the reason for declining", "请填写不予预约的理由"));
    if (c.reason.size() > kMaxNote) return unexpected(err(Errc::InvalidArgument, "the reason is longer than 500 bytes", "理由过长"));
    ev.push_back(make_event(actor, 0, now, events::AppointmentDeclined{.appointment = a->id, .reason = c.reason, .late = late}));
  }
  reply = replies::Appointment{a->id};
  return ev;
}

Engine::Decision Engine::decide(const BookAppointment& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (auto closed = appointments_closed()) return unexpected(*closed);
  const Date today = tz_.to_local(now).date;
  const bool staff = actor.kind == Actor::Kind::Clerk || actor.kind == Actor::Kind::Manager;
  if (!staff) return unexpected(err(Errc::NotManager, "a clerk or the manager does this", "仅工作人员可操作"));
  if (!one_of(c.channel, {"visit", "phone", "letter", "counter"}))
    return unexpected(err(Errc::InvalidArgument, "channel is visit, phone, letter or counter", "预约方式无效"));
  if (auto e = check_booking(c.service, c.item, c.name, c.note)) return unexpected(*e);
  if (auto e = check_slot(c.service, c.choice, now)) return unexpected(*e);
  const std::int64_t id = next_appointment_id_;
  auto d = booking(id, c.service, c.item, c.choice);
  d.booked = true;
  d.channel = c.channel;
  d.name = c.name;
  d.phone = c.phone;
  d.note = c.note;
  d.received = today;
  ev.push_back(make_event(actor, 0, now, std::move(d)));
  reply = replies::Appointment{id};
  return ev;
}

Engine::Decision Engine::decide(const CancelAppointment& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (auto closed = appointments_closed()) return unexpected(*closed);
  const bool staff = actor.kind == Actor::Kind::Clerk || actor.kind == Actor::Kind::Manager;
  if (!staff) return unexpected(err(Errc::NotManager, "a clerk or the manager does this", "仅工作人员可操作"));
  const Appointment* a = find_appointment(c.appointment);
  if (!a) return unexpected(unknown_or_settled(c.appointment));
  if (!a->live())
    return unexpected(err(Errc::WrongState, std::string("a ") + to_string(a->state) + " appointment cannot be cancelled",
                          "该预约已结束，不能取消"));
  if (c.reason.empty()) return unexpected(err(Errc::InvalidArgument, "give the reason", "请填写取消原因"));
  if (c.reason.size() > kMaxNote) return unexpected(err(Errc::InvalidArgument, "the reason is longer than 500 bytes", "原因过长"));
  ev.push_back(make_event(actor, 0, now,
                          events::AppointmentCancelled{.appointment = a->id, .reason = c.reason, .was = to_string(a->state)}));
  reply = replies::Appointment{a->id};
  return ev;
}

Engine::Decision Engine::decide(const CheckInAppointment& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (auto closed = appointments_closed()) return unexpected(*closed);
  const LocalTime local = tz_.to_local(now);
  const Date today = tz_.to_local(now).date;
  if (actor.kind == Actor::Kind::System) return unexpected(err(Errc::NotManager, "a clerk or the manager does this", "仅工作人员可操作"));
  if (!c.request_id.empty())
    if (auto it = by_request_.find(request_key(issuer_of(actor), c.request_id)); it != by_request_.end()) {
      reply = replies::Ticket{it->second};  // a retried check-in: the ticket it made
      return ev;
    }
  if (!valid_code(c.code)) return unexpected(err(Errc::InvalidArgument, "the booking code is 6 digits", "预约码应为 6 位数字"));
  const Appointment* a = nullptr;
  // The live booking with this code; else one that checked in with it today.
  for (const auto& [id, x] : appointments_)
    if (x.code == c.code && (x.state == AppointmentState::Confirmed ||
                              (x.state == AppointmentState::CheckedIn && !a)))
      a = &x;
  if (!a)
    return unexpected(err(Errc::UnknownAppointment, "no booking with this code", "没有该预约码，请核对后重新输入"));
  if (a->state == AppointmentState::CheckedIn)
    return unexpected(err(Errc::WrongState, "this booking has checked in already: ticket " + a->number,
                          "该预约已签到，号码为 " + a->number));
  const Date day = *a->day;
  const std::string when = format_date(day) + " " + format_hhmm(a->slot);
  if (sys_days{day} > sys_days{today})
    return unexpected(err(Errc::TooEarly, "the appointment is on " + when, "您的预约时间为 " + when + "，请当天再来签到"));
  if (sys_days{day} < sys_days{today})
    return unexpected(err(Errc::TooLate, "the appointment was on " + when, "您的预约时间 " + when + " 已过，请重新预约或现场取号"));
  const Minutes from = a->slot - Minutes{config_.appointments.early_minutes};
  const Minutes until = a->slot + Minutes{config_.appointments.late_minutes};
  if (local.minute_of_day < from)
    return unexpected(err(Errc::TooEarly, "check-in opens at " + format_hhmm(from),
                          "您的预约时段为 " + format_hhmm(a->slot) + "，请于 " + format_hhmm(from) + " 后签到"));
  if (local.minute_of_day > until)
    return unexpected(err(Errc::TooLate, "check-in closed at " + format_hhmm(until),
                          "已超过签到时间（" + format_hhmm(until) + "），请现场取号或重新预约"));
  const std::string local_day = format_date(today);
  if (!day_.empty() && local_day > day_)
    return unexpected(err(Errc::HallClosed, "the day is being closed, try again", "系统正在日结，请稍后再试"));
  const ServiceConfig* sc = config_.find_service(a->service);
  if (!sc) return unexpected(err(Errc::UnknownService, "the booking's service is no longer offered", "该预约的业务已停办，请咨询工作人员"));
  // A booking was promised its place: the daily limit of walk-in tickets does not apply.
  auto d = issue_data(*sc, Priority::Appointment, Channel::Appointment, c.request_id, actor, local_day, false);
  if (!d) return unexpected(d.error());
  d->appointment = a->id;
  const TicketId ticket = next_ticket_id_;
  const std::string number = d->number;
  ev.push_back(make_event(actor, 0, now, std::move(*d)));
  ev.push_back(make_event(actor, 0, now,
                          events::AppointmentCheckedIn{.appointment = a->id, .ticket = ticket, .number = number,
                                                       .service = a->service, .day = local_day,
                                                       .slot = format_hhmm(a->slot)}));
  reply = replies::Ticket{ticket};
  return ev;
}

namespace {
// Who comes for what, as a request or a direct booking records it.
void fill(Appointment& a, const Event& e, std::int64_t id, const std::string& service, const std::string& item,
          const std::string& channel, const Sealed& name, const Sealed& phone, const std::string& note) {
  a.id = id;
  a.service = service;
  a.item = item;
  a.channel = channel;
  a.name = name;
  a.phone = phone;
  a.note = note;
  a.created_at = e.at;
  a.created_by = e.actor.id;
}
}  // namespace

void Engine::on(const Event& e, const events::AppointmentRequested& d) {
  Appointment a;
  fill(a, e, d.appointment, d.service, d.item, d.channel, d.name, d.phone, d.note);
  a.state = AppointmentState::Requested;
  a.requested = true;
  a.received = d.received;
  a.due = d.due;
  appointments_[d.appointment] = std::move(a);
  next_appointment_id_ = std::max(next_appointment_id_, d.appointment + 1);
  touched_appointments_.insert(d.appointment);
}

void Engine::on(const Event& e, const events::AppointmentConfirmed& d) {
  auto [it, fresh] = appointments_.try_emplace(d.appointment);
  Appointment& a = it->second;
  if (fresh) {  // booked directly
    fill(a, e, d.appointment, d.service, d.item, d.channel.value_or(""), d.name.value_or(Sealed{}),
         d.phone.value_or(Sealed{}), d.note.value_or(""));
    a.received = a.due = d.received.value_or(tz_.to_local(e.at).date);
  } else {
    a.answered_at = e.at;
    a.answered_late = d.late.value_or(false);
  }
  a.state = AppointmentState::Confirmed;
  a.day = d.day;
  a.slot = parse_hhmm(d.slot).value_or(Minutes{0});
  a.slot_minutes = d.slot_minutes;
  a.code = d.code;
  a.place = d.place;
  a.materials = d.materials;
  a.booked_by = e.actor.id;
  next_appointment_id_ = std::max(next_appointment_id_, d.appointment + 1);
  touched_appointments_.insert(d.appointment);
}

// A settled booking the engine no longer holds (settled long ago) has nothing to change.
Appointment* Engine::appointment_step(std::int64_t id) {
  Appointment* a = appointment_mut(id);
  if (a) touched_appointments_.insert(id);
  return a;
}

void Engine::on(const Event& e, const events::AppointmentDeclined& d) {
  if (Appointment* a = appointment_step(d.appointment)) {
    a->state = AppointmentState::Declined;
    a->reason = d.reason;
    a->answered_at = a->closed_at = e.at;
    a->answered_late = d.late;
  }
}

void Engine::on(const Event& e, const events::AppointmentCancelled& d) {
  if (Appointment* a = appointment_step(d.appointment)) {
    a->state = AppointmentState::Cancelled;
    a->reason = d.reason;
    a->closed_at = e.at;
  }
}

void Engine::on(const Event& e, const events::AppointmentCheckedIn& d) {
  if (Appointment* a = appointment_step(d.appointment)) {
    a->state = AppointmentState::CheckedIn;
    a->ticket = d.ticket;
    a->number = d.number;
    a->closed_at = e.at;
  }
}

void Engine::on(const Event& e, const events::AppointmentMissed& d) {
  if (Appointment* a = appointment_step(d.appointment)) {
    a->state = AppointmentState::Missed;
    a->closed_at = e.at;
  }
}

json::object Engine::appointment_json(const Appointment& a, bool staff, TimePoint now) const {
  const sys_days today{tz_.to_local(now).date};
  json::object o;
  o["id"] = a.id;
  o["state"] = to_string(a.state);
  o["service"] = a.service;
  const ServiceConfig* sc = config_.find_service(a.service);
  o["service_name"] = sc ? sc->name : a.service;
  o["item"] = a.item;
  std::string item_name;
  if (sc)
    for (const auto& i : sc->items)
      if (i.id == a.item) item_name = i.name;
  o["item_name"] = item_name;
  o["channel"] = a.channel;
  o["name"] = a.name.masked;
  o["phone"] = a.phone.masked;
  o["note"] = a.note;
  o["requested"] = a.requested;
  o["created_at"] = format_rfc3339(a.created_at, tz_);
  o["created_by"] = a.created_by;
  o["received"] = format_date(a.received);
  if (a.requested) {
    o["due"] = format_date(a.due);
    o["overdue"] = a.state == AppointmentState::Requested && today > sys_days{a.due};
    o["answered_at"] = a.answered_at ? json::value(format_rfc3339(*a.answered_at, tz_)) : json::value(nullptr);
    o["answered_late"] = a.answered_late;
  }
  if (a.day) {
    o["day"] = format_date(*a.day);
    o["weekday"] = weekday_zh(*a.day);
    o["slot"] = format_hhmm(a.slot);
    o["slot_end"] = format_hhmm(a.slot + Minutes{a.slot_minutes});
    o["checkin_from"] = format_hhmm(a.slot - Minutes{config_.appointments.early_minutes});
    o["checkin_until"] = format_hhmm(a.slot + Minutes{config_.appointments.late_minutes});
    o["place"] = a.place;
    o["materials"] = str_array(a.materials);
    o["booked_by"] = a.booked_by;
    if (staff) o["code"] = a.code;
  }
  if (!a.reason.empty()) o["reason"] = a.reason;
  if (a.ticket) {
    o["ticket"] = a.ticket;
    o["number"] = a.number;
  }
  return o;
}

std::optional<json::object> Engine::appointment_json_from_row(const std::string& row, bool staff, TimePoint now) const {
  boost::system::error_code ec;
  json::value v = json::parse(row, ec);
  Appointment a;
  if (ec || !v.is_object() || !appointment_from_row(v.as_object(), a)) return std::nullopt;
  return appointment_json(a, staff, now);
}

}  // namespace hallq::engine
