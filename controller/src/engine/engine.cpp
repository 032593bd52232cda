#include "hallq/controller/engine.hpp"
#include "hallq/controller/event_codec.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "errors.hpp"
#include "rows.hpp"

namespace hallq::engine {
namespace json = boost::json;
using namespace std::chrono;

namespace {

constexpr double kDefaultServiceS = 300;  // until the first service of the day is measured

int tier_of(const Ticket& t) {
  switch (t.priority) {
    case Priority::Elderly:
    case Priority::Disabled:
    case Priority::Pregnant: return 0;
    case Priority::Appointment: return 1;
    case Priority::Normal: break;
  }
  return t.front ? 2 : 3;
}

std::string format_number(char prefix, int n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%0*d", prefix, width, n);
  return buf;
}

class PriorityFifo final : public CallStrategy {
 public:
  bool before(const QueueKey& a, int, const QueueKey& b, int) const override { return a < b; }
};

class ServicePreference final : public CallStrategy {
 public:
  bool before(const QueueKey& a, int ia, const QueueKey& b, int ib) const override {
    if (a.tier != b.tier) return a.tier < b.tier;
    if (ia != ib) return ia < ib;
    return a < b;
  }
};

}  // namespace

std::unique_ptr<CallStrategy> make_call_strategy(const std::string& name) {
  if (name == "service_preference") return std::make_unique<ServicePreference>();
  return std::make_unique<PriorityFifo>();
}

const char* to_string(Errc e) {
  switch (e) {
    case Errc::InvalidArgument: return "invalid_argument";
    case Errc::UnknownService: return "unknown_service";
    case Errc::UnknownWindow: return "unknown_window";
    case Errc::UnknownTicket: return "unknown_ticket";
    case Errc::UnknownClerk: return "unknown_clerk";
    case Errc::NotAssigned: return "not_assigned";
    case Errc::NotYourWindow: return "not_your_window";
    case Errc::HallClosed: return "hall_closed";
    case Errc::DailyLimitReached: return "daily_limit_reached";
    case Errc::NumbersExhausted: return "numbers_exhausted";
    case Errc::WindowClosed: return "window_closed";
    case Errc::WindowPaused: return "window_paused";
    case Errc::WindowBusy: return "window_busy";
    case Errc::NoCurrentTicket: return "no_current_ticket";
    case Errc::WrongState: return "wrong_state";
    case Errc::ReturnExpired: return "return_expired";
    case Errc::NotYourTicket: return "not_your_ticket";
    case Errc::UnknownHelp: return "unknown_help_request";
    case Errc::NothingToRate: return "nothing_to_rate";
    case Errc::AlreadyRated: return "already_rated";
    case Errc::RatingClosed: return "rating_closed";
    case Errc::UnknownCase: return "unknown_case";
    case Errc::NotYourCase: return "not_your_case";
    case Errc::UnknownComplaint: return "unknown_complaint";
    case Errc::UnknownFollowUp: return "unknown_follow_up";
    case Errc::NotManager: return "not_manager";
    case Errc::UnknownAppointment: return "unknown_appointment";
    case Errc::NoSuchSlot: return "no_such_slot";
    case Errc::SlotFull: return "slot_full";
    case Errc::CodeInUse: return "code_in_use";
    case Errc::TooEarly: return "too_early";
    case Errc::TooLate: return "too_late";
    case Errc::AppointmentsOnly: return "appointments_only";
  }
  return "error";
}

const char* rating_label(int level) {
  switch (level) {
    case 5: return "非常满意";
    case 4: return "满意";
    case 3: return "基本满意";
    case 2: return "不满意";
    case 1: return "非常不满意";
    default: return "";
  }
}

const char* to_string(Priority p) {
  switch (p) {
    case Priority::Normal: return "normal";
    case Priority::Elderly: return "elderly";
    case Priority::Disabled: return "disabled";
    case Priority::Pregnant: return "pregnant";
    case Priority::Appointment: return "appointment";
  }
  return "normal";
}

const char* to_string(Channel c) {
  switch (c) {
    case Channel::Kiosk: return "kiosk";
    case Channel::Counter: return "counter";
    case Channel::Appointment: return "appointment";
    case Channel::Phone: return "phone";
  }
  return "kiosk";
}

const char* to_string(TicketState s) {
  switch (s) {
    case TicketState::Waiting: return "waiting";
    case TicketState::Called: return "called";
    case TicketState::Serving: return "serving";
    case TicketState::Held: return "held";
    case TicketState::Done: return "done";
    case TicketState::NoShow: return "no_show";
    case TicketState::Cancelled: return "cancelled";
    case TicketState::Closed: return "closed";
    case TicketState::Voided: return "voided";
  }
  return "closed";
}

const char* to_string(WindowState s) {
  switch (s) {
    case WindowState::Closed: return "closed";
    case WindowState::Open: return "open";
    case WindowState::Paused: return "paused";
    case WindowState::Serving: return "serving";
  }
  return "closed";
}

std::optional<Priority> parse_priority(std::string_view s) {
  for (auto p : {Priority::Normal, Priority::Elderly, Priority::Disabled, Priority::Pregnant,
                 Priority::Appointment})
    if (s == to_string(p)) return p;
  return std::nullopt;
}

std::optional<Channel> parse_channel(std::string_view s) {
  for (auto c : {Channel::Kiosk, Channel::Counter, Channel::Appointment, Channel::Phone})
    if (s == to_string(c)) return c;
  return std::nullopt;
}

bool valid_complaint_category(std::string_view s) {
  for (const char* c : {"attitude", "waiting", "efficiency", "materials", "fees", "rules", "other"})
    if (s == c) return true;
  return false;
}

std::string mask_phone(std::string_view phone) {
  if (phone.empty()) return {};
  if (phone.size() >= 11) return std::string(phone.substr(0, 3)) + "****" + std::string(phone.substr(phone.size() - 4));
  if (phone.size() > 4) return std::string(phone.size() - 4, '*') + std::string(phone.substr(phone.size() - 4));
  return std::string(phone.size(), '*');
}

bool valid_void_reason(std::string_view s) {
  return s == "print_failed" || s == "print_unconfirmed" || s == "issue_unconfirmed";
}

bool valid_printer_state(std::string_view s) {
  for (const char* k : {"ok", "near_end", "paper_out", "cover_open", "offline", "error", "unknown", "none"})
    if (s == k) return true;
  return false;
}

WindowState WindowStatus::state() const {
  if (!open) return WindowState::Closed;
  if (current != 0) return WindowState::Serving;
  if (paused) return WindowState::Paused;
  return WindowState::Open;
}

Engine::Engine(const HallConfig& config, TimeZone tz, WorkingCalendar calendar)
    : config_(config),
      tz_(std::move(tz)),
      calendar_(std::move(calendar)),
      strategy_(make_call_strategy(config.policy.call_order)) {
  for (const auto& s : config_.services) services_[s.id];
  for (const auto& w : config_.windows) {
    WindowStatus ws;
    ws.number = w.number;
    windows_.push_back(ws);
  }
}

const Ticket* Engine::find_ticket(TicketId id) const {
  auto it = tickets_.find(id);
  return it == tickets_.end() ? nullptr : &it->second;
}
const DoneService* Engine::find_done(TicketId id) const {
  auto it = done_.find(id);
  return it == done_.end() ? nullptr : &it->second;
}
int rating_days_kept(const PolicyConfig& p) {
  const int kept_minutes = std::max(p.late_rating_hours * 60, p.rating_minutes);
  return (kept_minutes + 24 * 60 - 1) / (24 * 60);
}
std::string Engine::done_cutoff() const {
  auto d = parse_date(day_);
  if (!d) return {};  // before the first day: keep all until its roll-over
  return format_date(Date{sys_days{*d} - days{rating_days_kept(config_.policy)}});
}
bool Engine::keep_done(const std::string& day, TimePoint finished_at, const std::string& cutoff) const {
  return day >= cutoff && format_date(tz_.to_local(finished_at).date) >= cutoff;
}
void Engine::keep_if_rateable(const Ticket& t, const std::string& cutoff) {
  if (t.state != TicketState::Done || !t.finished_at || !keep_done(t.day, *t.finished_at, cutoff)) return;
  done_.insert_or_assign(t.id, DoneService{t.id, t.number, t.service, t.clerk, t.day, t.window, *t.finished_at,
                                           t.case_id, t.rating, t.rating_channel});
}
Ticket* Engine::ticket_mut(TicketId id) {
  auto it = tickets_.find(id);
  return it == tickets_.end() ? nullptr : &it->second;
}
const WindowStatus* Engine::find_window(int number) const {
  for (const auto& w : windows_)
    if (w.number == number) return &w;
  return nullptr;
}
WindowStatus* Engine::window_mut(int number) {
  for (auto& w : windows_)
    if (w.number == number) return &w;
  return nullptr;
}

QueueKey Engine::key_of(const Ticket& t) const { return {tier_of(t), ms(t.queued_at), t.id}; }

void Engine::enqueue(Ticket& t) {
  QueueKey k = key_of(t);
  if (t.target_window != 0) {
    window_queues_[t.target_window].insert(k);
    return;
  }
  auto& s = services_[t.service];
  s.queue.insert(k);
  s.tier_count[static_cast<size_t>(k.tier)]++;
}

void Engine::dequeue(const Ticket& t) {
  QueueKey k = key_of(t);
  if (t.target_window != 0) {
    auto it = window_queues_.find(t.target_window);
    if (it != window_queues_.end()) it->second.erase(k);
    return;
  }
  auto& s = services_[t.service];
  if (s.queue.erase(k)) s.tier_count[static_cast<size_t>(k.tier)]--;
}

int Engine::waiting_count(const std::string& service) const {
  auto it = services_.find(service);
  return it == services_.end() ? 0 : static_cast<int>(it->second.queue.size());
}

int Engine::ahead_of(const Ticket& t) const {
  if (t.state != TicketState::Waiting) return 0;
  QueueKey k = key_of(t);
  const std::set<QueueKey>* q = nullptr;
  if (t.target_window != 0) {
    auto it = window_queues_.find(t.target_window);
    if (it == window_queues_.end()) return 0;
    q = &it->second;
  } else {
    auto it = services_.find(t.service);
    if (it == services_.end()) return 0;
    q = &it->second.queue;
    // The newest ticket of its tier is the common case (just issued): count without a walk.
    auto next = q->upper_bound(k);
    if (next == q->end() || next->tier != k.tier) {
      int n = 0;
      for (int i = 0; i <= k.tier; ++i) n += it->second.tier_count[static_cast<size_t>(i)];
      return n - 1;
    }
  }
  return static_cast<int>(std::distance(q->begin(), q->lower_bound(k)));
}

double Engine::average_service_s(const std::string& service) const {
  auto it = services_.find(service);
  if (it == services_.end() || it->second.avg_service_s <= 0) return kDefaultServiceS;
  return it->second.avg_service_s;
}

int Engine::estimated_wait_s(const Ticket& t, int ahead) const {
  int serving = 0;
  for (const auto& wc : config_.windows) {
    const WindowStatus* w = find_window(wc.number);
    if (!w || !w->open || w->paused) continue;
    if (t.target_window ? wc.number == t.target_window
                        : std::find(wc.services.begin(), wc.services.end(), t.service) !=
                              wc.services.end())
      ++serving;
  }
  return static_cast<int>(std::ceil(ahead * average_service_s(t.service) / std::max(1, serving)));
}

std::optional<Error> Engine::closed_reason(const std::string& service, TimePoint now) const {
  const HoursConfig& h = config_.hours;
  if (h.always_open) return std::nullopt;
  LocalTime l = tz_.to_local(now);
  auto serves = [&](bool WindowConfig::*flag) {
    return std::any_of(config_.windows.begin(), config_.windows.end(), [&](const auto& w) {
      return w.*flag &&
             std::find(w.services.begin(), w.services.end(), service) != w.services.end();
    });
  };
  if (!calendar_.is_working_day(l.date)) {
    if (!h.weekend_service || !serves(&WindowConfig::weekend_service))
      return err(Errc::HallClosed, "the hall is closed today (weekend or public holiday)",
                 "今日为休息日，大厅暂停取号");
    if (l.minute_of_day < h.weekend_open || l.minute_of_day >= h.weekend_close)
      return err(Errc::HallClosed,
                 "weekend service hours are " + format_hhmm(h.weekend_open) + "-" +
                     format_hhmm(h.weekend_close),
                 "周末服务时间为 " + format_hhmm(h.weekend_open) + "-" + format_hhmm(h.weekend_close));
    return std::nullopt;
  }
  if (l.minute_of_day < h.open)
    return err(Errc::HallClosed, "the hall opens at " + format_hhmm(h.open),
               "大厅尚未开始办公，" + format_hhmm(h.open) + " 开始取号");
  if (l.minute_of_day >= h.close)
    return err(Errc::HallClosed, "the hall closed at " + format_hhmm(h.close),
               "今日办公时间已结束（" + format_hhmm(h.close) + "），请明日再来");
  if (l.minute_of_day >= h.lunch_start && l.minute_of_day < h.lunch_end &&
      !serves(&WindowConfig::lunch_service))
    return err(Errc::HallClosed, "lunch break until " + format_hhmm(h.lunch_end),
               "午间休息，" + format_hhmm(h.lunch_end) + " 恢复办理");
  return std::nullopt;
}

std::optional<TicketId> Engine::pick_next(int window) const {
  const WindowConfig* wc = config_.find_window(window);
  if (!wc) return std::nullopt;
  std::optional<QueueKey> best;
  int best_pref = 0;
  auto consider = [&](const QueueKey& k, int pref) {
    if (!best || strategy_->before(k, pref, *best, best_pref)) {
      best = k;
      best_pref = pref;
    }
  };
  // Tickets transferred to this very window rank as preference -1: before its own services.
  if (auto it = window_queues_.find(window); it != window_queues_.end() && !it->second.empty())
    consider(*it->second.begin(), -1);
  for (size_t i = 0; i < wc->services.size(); ++i) {
    auto it = services_.find(wc->services[i]);
    if (it != services_.end() && !it->second.queue.empty())
      consider(*it->second.queue.begin(), static_cast<int>(i));
  }
  if (!best) return std::nullopt;
  return best->id;
}

Event Engine::make_event(const Actor& actor, int window, TimePoint now, const events::Body& body) {
  Event e;
  e.type = std::string(events::type_of(body));
  e.at = now;
  e.actor = actor;
  e.actor.via.clear();
  e.window = window;
  e.data = events::encode(body);
  if (!actor.via.empty()) e.data["via"] = actor.via;
  return e;
}

Expected<WindowStatus*, Error> Engine::clerk_window(int number, const Actor& actor) {
  WindowStatus* w = window_mut(number);
  if (!w) return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(number), "没有该窗口"));
  if (!w->open) return unexpected(err(Errc::WindowClosed, "the window is closed", "窗口未签到"));
  if (actor.kind != Actor::Kind::Clerk || actor.id != w->clerk)
    return unexpected(err(Errc::NotYourWindow, "another clerk is signed in at this window",
                          "该窗口当前由其他工作人员签到"));
  return w;
}

Expected<events::TicketIssued, Error> Engine::issue_data(const ServiceConfig& sc, Priority priority, Channel channel,
                                                 const std::string& request_id, const Actor& actor,
                                                 const std::string& local_day, bool limit) const {
  auto it = services_.find(sc.id);
  const int issued = it == services_.end() ? 0 : it->second.issued_today;
  const int next = it == services_.end() ? 1 : it->second.next_number;
  if (limit && sc.daily_limit > 0 && issued >= sc.daily_limit)
    return unexpected(err(Errc::DailyLimitReached,
                          "today's " + std::to_string(sc.daily_limit) + " tickets for this service are all issued",
                          "该业务今日号源已取完（" + std::to_string(sc.daily_limit) + " 个）"));
  int width = config_.policy.number_width;
  long cap = 1;
  for (int i = 0; i < width; ++i) cap *= 10;
  if (next >= cap && !config_.policy.widen_numbers)
    return unexpected(err(Errc::NumbersExhausted, "ticket numbers for today are used up", "今日号码已用完"));
  events::TicketIssued d{.ticket = next_ticket_id_,
                         .number = format_number(sc.prefix, next, width),
                         .seqno = next,
                         .service = sc.id,
                         .priority = to_string(priority),
                         .channel = to_string(channel),
                         .request_id = request_id,
                         .day = day_.empty() ? local_day : day_};
  if (actor.kind == Actor::Kind::Device) d.issued_by = actor.id;
  return d;
}

Expected<Outcome, Error> Engine::execute(const Command& cmd, const Actor& actor, TimePoint now) {
  json::value reply;
  auto events = decide(cmd, actor, now, reply);
  if (!events) return unexpected(events.error());
  Outcome out;
  for (auto& e : *events) {
    e.seq = seq_ + 1;
    // The engine's own events decode as a replay reads them: a codec that could not read back
    // what it wrote is a bug, found by every test.
    if (auto bad = apply(e)) throw std::logic_error("the engine wrote an event it cannot read: " + *bad);
  }
  // The reply names what the command was about; render it after the events took effect.
  if (reply.is_int64()) {
    if (const Ticket* t = find_ticket(reply.as_int64())) reply = ticket_json(*t);
    // Finishing with a case: the case registered comes with the ticket.
    for (const auto& e : *events)
      if (e.type == "CaseRegistered" && reply.is_object())
        if (const Case* c = find_case(get_i(e.data, "case"))) reply.as_object()["case"] = case_json(*c, now);
  } else if (reply.is_object() && reply.as_object().contains("case_id")) {
    const Case* c = find_case(reply.as_object()["case_id"].as_int64());
    reply = c ? json::value(case_json(*c, now)) : json::value(nullptr);
  } else if (reply.is_object() && reply.as_object().contains("enquiry_id")) {
    reply = enquiries_.empty() ? json::value(nullptr) : json::value(enquiry_json(enquiries_.back()));
  } else if (reply.is_object() && reply.as_object().contains("appointment_id")) {
    const Appointment* a = find_appointment(reply.as_object()["appointment_id"].as_int64());
    reply = a ? json::value(appointment_json(*a, true, now)) : json::value(nullptr);
  } else if (reply.is_object() && reply.as_object().contains("help_id")) {
    auto it = open_help_.find(reply.as_object()["help_id"].as_int64());
    reply = it == open_help_.end() ? json::value(nullptr) : json::value(help_json(it->second));
  } else if (reply.is_object() && reply.as_object().contains("window_number")) {
    const WindowStatus* w = find_window(static_cast<int>(reply.as_object()["window_number"].as_int64()));
    reply = w ? json::value(window_json(*w, true)) : json::value(nullptr);
  }
  out.events = std::move(*events);
  out.reply = std::move(reply);
  out.changes = take_changes();
  return out;
}

Expected<std::vector<Event>, Error> Engine::decide(const Command& command, const Actor& actor,
                                                   TimePoint now, json::value& reply) {
  std::vector<Event> ev;
  auto window_reply = [&](int n) { reply = json::object{{"window_number", n}}; };
  auto current_of = [&](WindowStatus& w) -> Ticket* { return w.current ? ticket_mut(w.current) : nullptr; };
  const std::string local_day = format_date(tz_.to_local(now).date);

  if (std::holds_alternative<RegisterCase>(command) || std::holds_alternative<CaseAction>(command) ||
      std::holds_alternative<RecordPrint>(command) || std::holds_alternative<LogEnquiry>(command))
    return decide_case(command, actor, now, reply);
  if (std::holds_alternative<RequestAppointment>(command) || std::holds_alternative<AnswerAppointment>(command) ||
      std::holds_alternative<BookAppointment>(command) || std::holds_alternative<CancelAppointment>(command) ||
      std::holds_alternative<CheckInAppointment>(command))
    return decide_appointment(command, actor, now, reply);
  if (std::holds_alternative<AnswerComplaint>(command) || std::holds_alternative<ReviewRating>(command) ||
      std::holds_alternative<AdjustScore>(command) || std::holds_alternative<RecordLeave>(command))
    return decide_oversight(command, actor, now, reply);

  if (auto* c = std::get_if<IssueTicket>(&command)) {
    const ServiceConfig* sc = config_.find_service(c->service);
    if (!sc) return unexpected(err(Errc::UnknownService, "no service '" + c->service + "'", "没有该业务"));
    if (!c->request_id.empty()) {
      if (auto it = by_request_.find(request_key(issuer_of(actor), c->request_id)); it != by_request_.end()) {
        reply = it->second;  // the ticket this request made before: a retry, not a new ticket
        return ev;
      }
    }
    if (!day_.empty() && local_day > day_)
      return unexpected(err(Errc::HallClosed, "the day is being closed, try again", "系统正在日结，请稍后再试"));
    if (auto closed = closed_reason(c->service, now)) return unexpected(*closed);
    if (config_.appointments.enabled) {
      // R-HOURS-3: a weekend or holiday open for appointments only takes no walk-ins.
      if (appointments_only(tz_.to_local(now).date) && !config_.hours.always_open)
        return unexpected(err(Errc::AppointmentsOnly, "today only appointments are served; check in with the booking's code",
                              "今日为休息日，仅办理预约业务，请凭预约码签到"));
      // Appointment tickets come from check-ins, so a walk-in cannot jump the queue with one.
      if (c->priority == Priority::Appointment || c->channel == Channel::Appointment)
        return unexpected(err(Errc::InvalidArgument, "appointment tickets are issued by checking in with the booking's code",
                              "预约号请凭预约码签到领取"));
    }
    auto d = issue_data(*sc, c->priority, c->channel, c->request_id, actor, local_day, true);
    if (!d) return unexpected(d.error());
    ev.push_back(make_event(actor, 0, now, std::move(*d)));
    reply = next_ticket_id_;
    return ev;
  }

  if (auto* c = std::get_if<VoidTicket>(&command)) {
    Ticket* t = ticket_mut(c->ticket);
    if (!t) return unexpected(err(Errc::UnknownTicket, "no such ticket", "没有该号码"));
    if (!valid_void_reason(c->reason))
      return unexpected(err(Errc::InvalidArgument, "reason must be print_failed, print_unconfirmed or issue_unconfirmed", "作废原因无效"));
    if (actor.kind != Actor::Kind::Device || actor.id != t->issued_by)
      return unexpected(err(Errc::NotYourTicket, "only the kiosk that issued a ticket can void it", "只能作废本机发出的号码"));
    // Once a clerk has called the number someone may be standing at the window: the kiosk's
    // failure is then handled by people, not by voiding.
    if (t->state != TicketState::Waiting)
      return unexpected(err(Errc::WrongState, std::string("a ") + to_string(t->state) + " ticket cannot be voided", "该号码已被叫号，不能作废"));
    ev.push_back(make_event(actor, 0, now,
                            events::TicketVoided{.ticket = t->id, .number = t->number, .service = t->service,
                                                 .reason = c->reason}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<ReportDevice>(&command)) {
    if (actor.kind != Actor::Kind::Device || actor.id.empty())
      return unexpected(err(Errc::InvalidArgument, "only devices report their status", "仅设备可上报状态"));
    if (!valid_printer_state(c->printer))
      return unexpected(err(Errc::InvalidArgument, "printer must be ok, near_end, paper_out, cover_open, offline, error, unknown or none", "打印机状态无效"));
    auto it = devices_.find(actor.id);
    if (it == devices_.end() || it->second.printer != c->printer || it->second.accepting != c->accepting)
      ev.push_back(make_event(actor, 0, now,
                              events::DeviceStatusChanged{.device = actor.id, .printer = c->printer,
                                                          .accepting = c->accepting, .detail = c->detail}));
    reply = nullptr;
    return ev;
  }

  if (auto* c = std::get_if<RequestHelp>(&command)) {
    if (actor.kind != Actor::Kind::Device || actor.id.empty())
      return unexpected(err(Errc::InvalidArgument, "help is requested from a kiosk", "仅取号机可呼叫帮办"));
    if (c->kind != "help") return unexpected(err(Errc::InvalidArgument, "kind must be help", "请求类型无效"));
    for (const auto& [id, h] : open_help_)
      if (h.device == actor.id) {  // already on its way: pressing again changes nothing
        reply = help_json(h);
        return ev;
      }
    ev.push_back(make_event(actor, 0, now, events::HelpRequested{.help = next_help_id_, .device = actor.id, .kind = c->kind}));
    reply = json::object{{"help_id", next_help_id_}};
    return ev;
  }

  if (auto* c = std::get_if<FileComplaint>(&command)) {
    if (actor.kind == Actor::Kind::System)
      return unexpected(err(Errc::InvalidArgument, "complaints come from a kiosk, a clerk or a manager", "投诉来源无效"));
    std::set<std::string> seen;
    for (const auto& cat : c->categories)
      if (!valid_complaint_category(cat) || !seen.insert(cat).second)
        return unexpected(err(Errc::InvalidArgument, "categories are attitude, waiting, efficiency, materials, fees, rules or other, each once", "投诉类别无效"));
    if (c->categories.empty() && c->content.empty())
      return unexpected(err(Errc::InvalidArgument, "give the content or at least one category", "请填写投诉内容或选择投诉类别"));
    if (c->content.size() > 2000) return unexpected(err(Errc::InvalidArgument, "the content is longer than 2000 bytes", "投诉内容过长"));
    if (c->name.masked.size() > 256 || c->name.sealed.size() > 512 || c->phone.masked.size() > 15 || c->phone.sealed.size() > 512)
      return unexpected(err(Errc::InvalidArgument, "the name or phone is too long", "姓名或电话过长"));
    if (c->window != 0 && !find_window(c->window))
      return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(c->window), "没有该窗口"));
    if (!c->clerk.empty() && !config_.find_clerk(c->clerk))
      return unexpected(err(Errc::UnknownClerk, "no clerk '" + c->clerk + "'", "没有该工作人员"));
    // The clerk concerned: named, else the one at the window now, else its last, else its A post.
    std::string concerned = c->clerk;
    if (concerned.empty() && c->window) {
      const WindowStatus* cw = find_window(c->window);
      const WindowConfig* wc = config_.find_window(c->window);
      concerned = cw->open ? cw->clerk : !cw->last_clerk.empty() ? cw->last_clerk : wc ? wc->clerk_a : "";
    }
    const Date received = tz_.to_local(now).date;
    const std::string channel = actor.kind == Actor::Kind::Device ? "kiosk" : actor.kind == Actor::Kind::Clerk ? "counter" : "admin";
    ev.push_back(make_event(actor, c->window, now,
                            events::ComplaintFiled{.complaint = next_complaint_id_,
                                                   .channel = channel,
                                                   .categories = c->categories,
                                                   .content = c->content,
                                                   .name = c->name,
                                                   .phone = c->phone,
                                                   .clerk = concerned,
                                                   .received = received,
                                                   .due = calendar_.add_working_days(received, 5)}));
    reply = json::object{{"id", next_complaint_id_},
                         {"received", format_date(received)},
                         {"due", format_date(calendar_.add_working_days(received, 5))},
                         {"window", c->window},
                         {"phone", c->phone.masked}};
    return ev;
  }

  if (auto* c = std::get_if<AnswerHelp>(&command)) {
    if (actor.kind != Actor::Kind::Clerk && actor.kind != Actor::Kind::Manager)
      return unexpected(err(Errc::InvalidArgument, "a clerk or manager answers help requests", "仅工作人员可响应帮办请求"));
    auto it = open_help_.find(c->help);
    if (it == open_help_.end()) {
      if (c->help > 0 && c->help < next_help_id_)
        return unexpected(err(Errc::WrongState, "this help request was answered already", "该帮办请求已有人响应"));
      return unexpected(err(Errc::UnknownHelp, "no such help request", "没有该帮办请求"));
    }
    ev.push_back(make_event(actor, 0, now,
                            events::HelpAnswered{.help = c->help, .device = it->second.device, .by = actor.id,
                                                 .waited_s = duration_cast<seconds>(now - it->second.at).count()}));
    json::object r = help_json(it->second);
    r["state"] = "answered";
    r["answered_by"] = actor.id;
    reply = std::move(r);
    return ev;
  }

  if (auto* c = std::get_if<CallNext>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    if ((*w)->current) return unexpected(err(Errc::WindowBusy, "finish, skip or transfer the current ticket first", "请先办结、过号或转办当前号码"));
    if ((*w)->paused) return unexpected(err(Errc::WindowPaused, "the window is paused; resume it first", "窗口暂停服务中，请先恢复"));
    auto next = pick_next(c->window);
    if (!next) { reply = nullptr; return ev; }
    // The number and service travel with the call: screens and the voice need nothing else.
    const Ticket* called = find_ticket(*next);
    ev.push_back(make_event(actor, c->window, now,
                            events::TicketCalled{.ticket = *next, .clerk = actor.id,
                                                 .number = called ? called->number : std::string(),
                                                 .service = called ? called->service : std::string()}));
    reply = *next;
    return ev;
  }

  if (auto* c = std::get_if<Recall>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    Ticket* t = current_of(**w);
    if (!t) return unexpected(err(Errc::NoCurrentTicket, "no ticket is called at this window", "当前没有叫号"));
    if (t->state != TicketState::Called) return unexpected(err(Errc::WrongState, "the ticket is already being served", "该号码已在办理中"));
    if (t->recalls >= config_.policy.recall_limit)
      ev.push_back(make_event(actor, c->window, now, events::TicketNoShow{.ticket = t->id, .reason = "recall_limit"}));
    else
      ev.push_back(make_event(actor, c->window, now,
                              events::TicketRecalled{.ticket = t->id, .recalls = t->recalls + 1, .number = t->number,
                                                     .service = t->service}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<Skip>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    Ticket* t = current_of(**w);
    if (!t) return unexpected(err(Errc::NoCurrentTicket, "no ticket is called at this window", "当前没有叫号"));
    if (t->state != TicketState::Called) return unexpected(err(Errc::WrongState, "a ticket being served cannot be skipped", "办理中的号码不能过号"));
    ev.push_back(make_event(actor, c->window, now, events::TicketNoShow{.ticket = t->id, .reason = "skipped"}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<StartService>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    Ticket* t = current_of(**w);
    if (!t) return unexpected(err(Errc::NoCurrentTicket, "no ticket is called at this window", "当前没有叫号"));
    if (t->state != TicketState::Called) return unexpected(err(Errc::WrongState, "the ticket is already being served", "该号码已在办理中"));
    ev.push_back(make_event(actor, c->window, now, events::ServiceStarted{.ticket = t->id}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<Finish>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    Ticket* t = current_of(**w);
    if (!t) return unexpected(err(Errc::NoCurrentTicket, "no ticket is called at this window", "当前没有叫号"));
    if (c->case_input && c->consultation)
      return unexpected(err(Errc::InvalidArgument, "a consultation has no case", "仅咨询的号码无需登记办件"));
    events::TicketFinished d{.ticket = t->id};
    if (c->consultation) d.consultation = true;
    ev.push_back(make_event(actor, c->window, now, d));
    if (c->case_input) {
      // The case commits with the finish or neither does (R-CASE-8: registered the same day).
      auto reg = register_event(*c->case_input, c->window, t, nullptr, actor, now);
      if (!reg) return unexpected(reg.error());
      ev.push_back(std::move(*reg));
    }
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<CancelTicket>(&command)) {
    Ticket* t = ticket_mut(c->ticket);
    if (!t) return unexpected(err(Errc::UnknownTicket, "no such ticket", "没有该号码"));
    if (actor.kind == Actor::Kind::Device && actor.id != t->issued_by)
      return unexpected(err(Errc::NotYourTicket, "a kiosk can cancel only the tickets it issued", "只能取消本机发出的号码"));
    if (t->state != TicketState::Waiting && t->state != TicketState::Held && t->state != TicketState::Called)
      return unexpected(err(Errc::WrongState, std::string("a ") + to_string(t->state) + " ticket cannot be cancelled", "该号码当前状态不能取消"));
    ev.push_back(make_event(actor, t->state == TicketState::Called ? t->window : 0, now,
                            events::TicketCancelled{.ticket = t->id, .reason = c->reason}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<TransferTicket>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    Ticket* t = current_of(**w);
    if (!t) return unexpected(err(Errc::NoCurrentTicket, "no ticket is called at this window", "当前没有叫号"));
    if (c->to_service.empty() == (c->to_window == 0))
      return unexpected(err(Errc::InvalidArgument, "give either a service or a window to transfer to", "请选择转往的业务或窗口"));
    if (!c->to_service.empty()) {
      if (!config_.find_service(c->to_service)) return unexpected(err(Errc::UnknownService, "no service '" + c->to_service + "'", "没有该业务"));
      if (c->to_service == t->service) return unexpected(err(Errc::InvalidArgument, "the ticket is already in that service", "该号码已属于此业务"));
    } else {
      if (!config_.find_window(c->to_window)) return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(c->to_window), "没有该窗口"));
      if (c->to_window == c->window) return unexpected(err(Errc::InvalidArgument, "cannot transfer to the same window", "不能转到本窗口"));
      // A ticket sent to a closed window would wait for nobody (R-FIRST-2: hand it to
      // someone who will serve it); send it to the service instead.
      if (!find_window(c->to_window)->open)
        return unexpected(err(Errc::WindowClosed, "window " + std::to_string(c->to_window) + " is closed; transfer to its service instead",
                              std::to_string(c->to_window) + " 号窗口未开放，请转到对应业务"));
    }
    ev.push_back(make_event(actor, c->window, now,
                            events::TicketTransferred{.ticket = t->id, .from_clerk = actor.id,
                                                      .to_service = c->to_service, .to_window = c->to_window}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<HoldTicket>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    Ticket* t = current_of(**w);
    if (!t) return unexpected(err(Errc::NoCurrentTicket, "no ticket is called at this window", "当前没有叫号"));
    ev.push_back(make_event(actor, c->window, now, events::TicketHeld{.ticket = t->id}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<UnholdTicket>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    if ((*w)->current) return unexpected(err(Errc::WindowBusy, "finish the current ticket first", "请先办结当前号码"));
    if ((*w)->paused) return unexpected(err(Errc::WindowPaused, "the window is paused; resume it first", "窗口暂停服务中，请先恢复"));
    Ticket* t = ticket_mut(c->ticket);
    if (!t) return unexpected(err(Errc::UnknownTicket, "no such ticket", "没有该号码"));
    if (t->state != TicketState::Held) return unexpected(err(Errc::WrongState, "the ticket is not on hold", "该号码未挂起"));
    ev.push_back(make_event(actor, c->window, now, events::TicketResumed{.ticket = t->id, .clerk = actor.id}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<ReturnNoShow>(&command)) {
    Ticket* t = ticket_mut(c->ticket);
    if (!t) return unexpected(err(Errc::UnknownTicket, "no such ticket", "没有该号码"));
    if (t->state != TicketState::NoShow || !t->noshow_at) return unexpected(err(Errc::WrongState, "the ticket was not missed", "该号码未过号"));
    if (now - *t->noshow_at > minutes{config_.policy.noshow_return_minutes})
      return unexpected(err(Errc::ReturnExpired,
                            "a missed ticket can come back within " + std::to_string(config_.policy.noshow_return_minutes) + " minutes",
                            "过号超过 " + std::to_string(config_.policy.noshow_return_minutes) + " 分钟，请重新取号"));
    ev.push_back(make_event(actor, 0, now, events::TicketReturned{.ticket = t->id}));
    reply = t->id;
    return ev;
  }

  if (auto* c = std::get_if<SignIn>(&command)) {
    const WindowConfig* wc = config_.find_window(c->window);
    WindowStatus* w = window_mut(c->window);
    if (!wc || !w) return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(c->window), "没有该窗口"));
    if (actor.kind != Actor::Kind::Clerk || !config_.find_clerk(actor.id))
      return unexpected(err(Errc::UnknownClerk, "unknown clerk", "没有该工作人员"));
    std::optional<Post> post = actor.id == wc->clerk_a ? std::optional(Post::A)
                             : actor.id == wc->clerk_b ? std::optional(Post::B)
                                                       : std::nullopt;
    if (!post) return unexpected(err(Errc::NotAssigned, "the clerk is neither the A nor the B post of this window", "您不是该窗口的 A/B 岗人员"));
    for (const auto& other : windows_)
      if (other.open && other.clerk == actor.id && other.number != c->window)
        return unexpected(err(Errc::WindowBusy, "the clerk is signed in at window " + std::to_string(other.number), "您已在 " + std::to_string(other.number) + " 号窗口签到"));
    window_reply(c->window);
    if (w->open && w->clerk == actor.id) return ev;  // already signed in: a new session only
    if (w->open) {
      // R-AB-1: the other post takes over the window; the hand-over is recorded.
      if (w->current) return unexpected(err(Errc::WindowBusy, "the window is serving a ticket; hand over after it", "窗口正在办理业务，请办结后再交接"));
      ev.push_back(make_event(actor, c->window, now, events::ClerkSignedOut{.clerk = w->clerk, .reason = "handover"}));
    }
    ev.push_back(make_event(actor, c->window, now,
                            events::ClerkSignedIn{.clerk = actor.id, .post = *post == Post::A ? "A" : "B"}));
    return ev;
  }

  if (auto* c = std::get_if<SignOut>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    if ((*w)->current) return unexpected(err(Errc::WindowBusy, "finish or transfer the current ticket before signing out", "请先办结或转办当前号码再签退"));
    ev.push_back(make_event(actor, c->window, now, events::ClerkSignedOut{.clerk = actor.id, .reason = "sign_out"}));
    window_reply(c->window);
    return ev;
  }

  if (auto* c = std::get_if<PauseWindow>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    if ((*w)->paused) return unexpected(err(Errc::WindowPaused, "the window is already paused", "窗口已暂停服务"));
    if ((*w)->current) return unexpected(err(Errc::WindowBusy, "finish the current ticket before pausing", "请先办结当前号码再暂停"));
    ev.push_back(make_event(actor, c->window, now, events::WindowPaused{.reason = c->reason.empty() ? "暂停服务" : c->reason}));
    window_reply(c->window);
    return ev;
  }

  if (auto* c = std::get_if<RateService>(&command)) {
    const WindowStatus* w = find_window(c->window);
    if (!w) return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(c->window), "没有该窗口"));
    if (actor.kind != Actor::Kind::Device)
      return unexpected(err(Errc::NotYourWindow, "only the window's evaluator rates a service", "评价只能由群众在评价器上进行"));
    if (!*rating_label(c->level))
      return unexpected(err(Errc::InvalidArgument, "level must be 1..5", "评价等级应为 1 到 5"));
    if (!w->last_finished || now - w->last_finished_at > minutes{config_.policy.rating_minutes})
      return unexpected(err(Errc::NothingToRate, "no service finished at this window to rate", "该窗口暂无可评价的办件"));
    if (w->last_rated)
      return unexpected(err(Errc::AlreadyRated, "this service has been rated already", "本次服务已评价，一次一评"));
    // A phone or kiosk may have rated it first (一次一评).
    const DoneService* done = find_done(w->last_finished);
    if (done && done->rating)
      return unexpected(err(Errc::AlreadyRated, "this service has been rated already", "本次服务已评价，一次一评"));
    // Tied to the case registered for the service, when there is one.
    ev.push_back(make_event(actor, c->window, now,
                            events::ServiceRated{.ticket = w->last_finished, .number = w->last_number,
                                                 .service = w->last_service, .clerk = w->last_clerk,
                                                 .level = c->level, .label = rating_label(c->level),
                                                 .bad = c->level <= 2, .case_ = done ? done->case_id : 0,
                                                 .channel = "evaluator"}));
    reply = json::object{{"ticket", w->last_finished}, {"number", w->last_number},
                         {"window", c->window}, {"level", c->level}, {"label", rating_label(c->level)}};
    return ev;
  }

  if (auto* c = std::get_if<RateTicket>(&command)) {
    const bool kiosk = c->channel == "kiosk";
    if (!kiosk && c->channel != "phone")
      return unexpected(err(Errc::InvalidArgument, "channel is kiosk or phone", "评价渠道无效"));
    if (kiosk ? actor.kind != Actor::Kind::Device : actor.kind != Actor::Kind::System)
      return unexpected(err(Errc::NotYourWindow, "only the citizen rates a service, at a kiosk or on the ticket's page",
                            "评价只能由群众本人进行"));
    if (!*rating_label(c->level))
      return unexpected(err(Errc::InvalidArgument, "level must be 1..5", "评价等级应为 1 到 5"));
    const DoneService* t = find_done(c->ticket);
    if (!t) {
      if (const Ticket* live = find_ticket(c->ticket); live && !is_final(live->state))
        return unexpected(err(Errc::WrongState, "the service is not finished yet", "业务尚未办结，办结后再评价"));
      return unexpected(err(Errc::NothingToRate, "no finished service of this ticket can be rated",
                            "该号码没有可评价的服务"));
    }
    if (t->rating)
      return unexpected(err(Errc::AlreadyRated, "this service has been rated already", "本次服务已评价，一次一评"));
    if (now - t->finished_at > hours{config_.policy.late_rating_hours})
      return unexpected(err(Errc::RatingClosed,
                            "ratings close " + std::to_string(config_.policy.late_rating_hours) + " hours after the service",
                            "已超过评价期限（办结后 " + std::to_string(config_.policy.late_rating_hours) + " 小时内）"));
    ev.push_back(make_event(actor, t->window, now,
                            events::ServiceRated{.ticket = t->id, .number = t->number, .service = t->service,
                                                 .clerk = t->clerk, .level = c->level, .label = rating_label(c->level),
                                                 .bad = c->level <= 2, .case_ = t->case_id, .channel = c->channel,
                                                 .from = c->from, .finished_at = format_rfc3339(t->finished_at, tz_)}));
    reply = json::object{{"ticket", t->id}, {"number", t->number}, {"window", t->window},
                         {"level", c->level}, {"label", rating_label(c->level)}};
    return ev;
  }

  if (auto* c = std::get_if<ResumeWindow>(&command)) {
    auto w = clerk_window(c->window, actor);
    if (!w) return unexpected(w.error());
    if (!(*w)->paused) return unexpected(err(Errc::WrongState, "the window is not paused", "窗口未暂停"));
    ev.push_back(make_event(actor, c->window, now, events::WindowResumed{}));
    window_reply(c->window);
    return ev;
  }

  if (std::get_if<FlagPauseOverruns>(&command)) {
    const auto limit = minutes{config_.policy.pause_alert_minutes};
    for (const auto& w : windows_)
      if (w.open && w.paused && !w.pause_alerted && now - w.since >= limit)
        ev.push_back(make_event(actor, w.number, now,
                                events::WindowPauseOverrun{.clerk = w.clerk, .reason = w.pause_reason,
                                                           .paused_at = format_rfc3339(w.since, tz_),
                                                           .minutes = config_.policy.pause_alert_minutes}));
    return ev;
  }

  if (std::get_if<RollOver>(&command)) {
    // ISO dates compare as strings; a clock that went backwards never reopens a closed day.
    if (!day_.empty() && local_day <= day_) return ev;
    if (!day_.empty() && !config_.policy.carry_over_waiting) {
      // Unserved tickets of the closed day end here; tickets at a window are left to finish.
      std::vector<TicketId> ids;
      for (const auto& [id, t] : tickets_)
        if (t.state == TicketState::Waiting || t.state == TicketState::Held) ids.push_back(id);
      std::sort(ids.begin(), ids.end());
      for (TicketId id : ids)
        ev.push_back(make_event(actor, 0, now, events::TicketClosed{.ticket = id, .reason = "day_end"}));
    }
    if (!day_.empty()) {
      // R-ATT-1: a clerk who forgot to sign out is signed out by the system at midnight, so
      // attendance shows it and the new day starts with closed windows. A window still
      // serving someone (R-HOURS-1) stays open.
      for (const auto& w : windows_)
        if (w.open && w.current == 0)
          ev.push_back(make_event(actor, w.number, now, events::ClerkSignedOut{.clerk = w.clerk, .reason = "day_end"}));
    }
    // R-APPT-1: a booking of a closed day that nobody checked in for is missed.
    for (const auto& [id, a] : appointments_)
      if (a.state == AppointmentState::Confirmed && a.day && format_date(*a.day) < local_day)
        ev.push_back(make_event(actor, 0, now,
                                events::AppointmentMissed{.appointment = id, .service = a.service,
                                                          .day = format_date(*a.day), .slot = format_hhmm(a.slot)}));
    // R-CASE-8: the day's tickets finished without a case stay on record as unregistered.
    std::vector<events::Unregistered> unregistered;
    for (const auto& [id, u] : unregistered_)
      unregistered.push_back(events::Unregistered{.ticket = id, .number = u.number, .window = u.window, .clerk = u.clerk});
    events::DayRolledOver rolled{.day = local_day};
    if (!day_.empty()) rolled.closed = day_;  // the business day this roll-over closes
    if (!unregistered.empty()) rolled.unregistered = std::move(unregistered);
    // R-SCORE-2: every case past its deadline on the closed day(s), one entry per case with
    // the working days it was overdue; the scores charge each day to its clerk.
    if (!day_.empty()) {
      const auto f = parse_date(day_);
      const sys_days last_day = sys_days{tz_.to_local(now).date} - days{1};
      if (f && last_day >= sys_days{*f} && last_day - sys_days{*f} < days{366}) {
        const Date first = *f, last{last_day};
        auto overdue = overdue_on(first, last);
        if (!overdue.empty()) rolled.overdue = std::move(overdue);
      }
    }
    ev.push_back(make_event(actor, 0, now, std::move(rolled)));
    return ev;
  }
  return unexpected(err(Errc::InvalidArgument, "unknown command", "未知操作"));
}

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
  auto fail = [&](std::string m) {
    if (error) *error = std::move(m);
    return false;
  };
  boost::system::error_code ec;
  json::value mv = json::parse(meta, ec);
  if (ec || !mv.is_object()) return fail("engine state row is not JSON");
  const json::object& m = mv.as_object();
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
  return true;
}

std::vector<const Ticket*> Engine::held_at(int window) const {
  std::vector<const Ticket*> out;
  for (const auto& [id, t] : tickets_)
    if (t.state == TicketState::Held && t.window == window) out.push_back(&t);
  std::sort(out.begin(), out.end(), [](const Ticket* a, const Ticket* b) { return a->id < b->id; });
  return out;
}

json::object Engine::ticket_json(const Ticket& t) const {
  json::object o;
  o["id"] = t.id;
  o["number"] = t.number;
  o["service"] = t.service;
  if (const ServiceConfig* sc = config_.find_service(t.service)) o["service_name"] = sc->name;
  o["priority"] = to_string(t.priority);
  o["channel"] = to_string(t.channel);
  o["state"] = to_string(t.state);
  o["issued_at"] = format_rfc3339(t.issued_at, tz_);
  if (t.state == TicketState::Waiting) {
    int ahead = ahead_of(t);
    o["ahead"] = ahead;
    o["estimated_wait_s"] = estimated_wait_s(t, ahead);
  } else {
    o["ahead"] = 0;
    o["estimated_wait_s"] = 0;
  }
  if (t.window) o["window"] = t.window;
  if (t.target_window) o["target_window"] = t.target_window;
  if (t.called_at) o["called_at"] = format_rfc3339(*t.called_at, tz_);
  if (t.started_at) o["started_at"] = format_rfc3339(*t.started_at, tz_);
  if (t.finished_at) o["finished_at"] = format_rfc3339(*t.finished_at, tz_);
  if (t.noshow_at) o["noshow_at"] = format_rfc3339(*t.noshow_at, tz_);
  if (t.recalls) o["recalls"] = t.recalls;
  if (!t.close_reason.empty()) o["close_reason"] = t.close_reason;
  if (!t.issued_by.empty()) o["issued_by"] = t.issued_by;
  if (t.appointment) o["appointment"] = t.appointment;
  if (!t.first_clerk.empty()) o["first_clerk"] = t.first_clerk;
  if (t.state == TicketState::Done && t.finished_at) {
    // R-EVAL-1: whether its one rating was given (never which), and until when it may be.
    o["rated"] = t.rating != 0;
    if (config_.policy.late_rating_hours > 0)
      o["rating_until"] = format_rfc3339(*t.finished_at + hours{config_.policy.late_rating_hours}, tz_);
  }
  json::array tr;
  for (const auto& x : t.transfers) {
    json::object j{{"at", format_rfc3339(x.at, tz_)}, {"from_window", x.from_window}, {"from_clerk", x.from_clerk}};
    if (!x.to_service.empty()) j["to_service"] = x.to_service;
    if (x.to_window) j["to_window"] = x.to_window;
    tr.push_back(std::move(j));
  }
  o["transfers"] = std::move(tr);
  return o;
}

std::optional<json::object> Engine::ticket_json_from_row(const std::string& row) const {
  boost::system::error_code ec;
  json::value v = json::parse(row, ec);
  Ticket t;
  if (ec || !v.is_object() || !ticket_from_row(v.as_object(), t)) return std::nullopt;
  return ticket_json(t);
}

json::object Engine::help_json(const HelpRequest& h) const {
  json::object o{{"id", h.id}, {"device", h.device}, {"kind", h.kind}, {"at", format_rfc3339(h.at, tz_)},
                 {"state", "open"}};
  for (const auto& d : config_.devices)
    if (d.id == h.device && !d.location.empty()) o["location"] = d.location;
  return o;
}

json::object Engine::window_json(const WindowStatus& w, bool with_personal) const {
  json::object o;
  o["number"] = w.number;
  if (const WindowConfig* wc = config_.find_window(w.number)) {
    o["name"] = wc->name;
    json::array s;
    for (const auto& id : wc->services) s.push_back(json::value(id));
    o["services"] = std::move(s);
  }
  o["state"] = to_string(w.state());
  o["post"] = w.post ? json::value(*w.post == Post::A ? "A" : "B") : json::value(nullptr);
  if (with_personal) o["clerk"] = w.clerk.empty() ? json::value(nullptr) : json::value(w.clerk);
  if (w.paused) o["pause_reason"] = w.pause_reason;
  if (const Ticket* t = w.current ? find_ticket(w.current) : nullptr)
    o["current"] = json::object{{"id", t->id}, {"number", t->number}, {"service", t->service}, {"state", to_string(t->state)}};
  else
    o["current"] = nullptr;
  return o;
}

}  // namespace hallq::engine
