#include "hallq/controller/engine.hpp"
#include "hallq/controller/event_codec.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "errors.hpp"
#include "hallq/common/enum_names.hpp"
#include "rows.hpp"

// The stable names of the engine's enums: error codes in API answers, the rest in events.
namespace hallq {
template <>
struct EnumNames<engine::Errc> {
  static constexpr std::array<std::pair<engine::Errc, std::string_view>, 33> table{{
      {engine::Errc::InvalidArgument, "invalid_argument"},
      {engine::Errc::UnknownService, "unknown_service"},
      {engine::Errc::UnknownWindow, "unknown_window"},
      {engine::Errc::UnknownTicket, "unknown_ticket"},
      {engine::Errc::UnknownClerk, "unknown_clerk"},
      {engine::Errc::NotAssigned, "not_assigned"},
      {engine::Errc::NotYourWindow, "not_your_window"},
      {engine::Errc::HallClosed, "hall_closed"},
      {engine::Errc::DailyLimitReached, "daily_limit_reached"},
      {engine::Errc::NumbersExhausted, "numbers_exhausted"},
      {engine::Errc::WindowClosed, "window_closed"},
      {engine::Errc::WindowPaused, "window_paused"},
      {engine::Errc::WindowBusy, "window_busy"},
      {engine::Errc::NoCurrentTicket, "no_current_ticket"},
      {engine::Errc::WrongState, "wrong_state"},
      {engine::Errc::ReturnExpired, "return_expired"},
      {engine::Errc::NotYourTicket, "not_your_ticket"},
      {engine::Errc::UnknownHelp, "unknown_help_request"},
      {engine::Errc::NothingToRate, "nothing_to_rate"},
      {engine::Errc::AlreadyRated, "already_rated"},
      {engine::Errc::RatingClosed, "rating_closed"},
      {engine::Errc::UnknownCase, "unknown_case"},
      {engine::Errc::NotYourCase, "not_your_case"},
      {engine::Errc::UnknownComplaint, "unknown_complaint"},
      {engine::Errc::UnknownFollowUp, "unknown_follow_up"},
      {engine::Errc::NotManager, "not_manager"},
      {engine::Errc::UnknownAppointment, "unknown_appointment"},
      {engine::Errc::NoSuchSlot, "no_such_slot"},
      {engine::Errc::SlotFull, "slot_full"},
      {engine::Errc::CodeInUse, "code_in_use"},
      {engine::Errc::TooEarly, "too_early"},
      {engine::Errc::TooLate, "too_late"},
      {engine::Errc::AppointmentsOnly, "appointments_only"},
  }};
};
template <>
struct EnumNames<engine::Priority> {
  static constexpr std::array<std::pair<engine::Priority, std::string_view>, 5> table{{
      {engine::Priority::Normal, "normal"},
      {engine::Priority::Elderly, "elderly"},
      {engine::Priority::Disabled, "disabled"},
      {engine::Priority::Pregnant, "pregnant"},
      {engine::Priority::Appointment, "appointment"},
  }};
};
template <>
struct EnumNames<engine::Channel> {
  static constexpr std::array<std::pair<engine::Channel, std::string_view>, 4> table{{
      {engine::Channel::Kiosk, "kiosk"},
      {engine::Channel::Counter, "counter"},
      {engine::Channel::Appointment, "appointment"},
      {engine::Channel::Phone, "phone"},
  }};
};
template <>
struct EnumNames<engine::TicketState> {
  static constexpr std::array<std::pair<engine::TicketState, std::string_view>, 9> table{{
      {engine::TicketState::Waiting, "waiting"},
      {engine::TicketState::Called, "called"},
      {engine::TicketState::Serving, "serving"},
      {engine::TicketState::Held, "held"},
      {engine::TicketState::Done, "done"},
      {engine::TicketState::NoShow, "no_show"},
      {engine::TicketState::Cancelled, "cancelled"},
      {engine::TicketState::Closed, "closed"},
      {engine::TicketState::Voided, "voided"},
  }};
};
template <>
struct EnumNames<engine::WindowState> {
  static constexpr std::array<std::pair<engine::WindowState, std::string_view>, 4> table{{
      {engine::WindowState::Closed, "closed"},
      {engine::WindowState::Open, "open"},
      {engine::WindowState::Paused, "paused"},
      {engine::WindowState::Serving, "serving"},
  }};
};
static_assert(enum_names_complete<engine::Errc>() && enum_names_complete<engine::Priority>() &&
              enum_names_complete<engine::Channel>() && enum_names_complete<engine::TicketState>() &&
              enum_names_complete<engine::WindowState>());
}  // namespace hallq

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

const char* to_string(Errc e) { return enum_name(e, "error").data(); }
const char* to_string(Priority p) { return enum_name(p, "normal").data(); }
const char* to_string(Channel c) { return enum_name(c, "kiosk").data(); }
const char* to_string(TicketState s) { return enum_name(s, "closed").data(); }
const char* to_string(WindowState s) { return enum_name(s, "closed").data(); }
std::optional<Priority> parse_priority(std::string_view s) { return parse_enum<Priority>(s); }
std::optional<Channel> parse_channel(std::string_view s) { return parse_enum<Channel>(s); }

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
  Reply reply = replies::None{};
  auto events = std::visit([&](const auto& c) { return decide(c, actor, now, reply); }, cmd);
  if (!events) return unexpected(events.error());
  Outcome out;
  for (auto& e : *events) {
    e.seq = seq_ + 1;
    // The engine's own events decode as a replay reads them: a codec that could not read back
    // what it wrote is a bug, found by every test.
    if (auto bad = apply(e)) throw std::logic_error("the engine wrote an event it cannot read: " + *bad);
  }
  // The reply names what the command was about; render it after the events took effect.
  out.reply = render(reply, *events, now);
  out.events = std::move(*events);
  out.changes = take_changes();
  return out;
}

namespace {
template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;
}  // namespace

json::value Engine::render(const Reply& r, const std::vector<Event>& events, TimePoint now) const {
  return std::visit(
      overloaded{
          [](const replies::None&) { return json::value(nullptr); },
          [&](const replies::Ticket& x) {
            const Ticket* t = find_ticket(x.id);
            if (!t) return json::value(x.id);
            json::object o = ticket_json(*t);
            // Finishing with a case: the case registered comes with the ticket.
            for (const auto& e : events)
              if (e.type == events::CaseRegistered::kType)
                if (const Case* c = find_case(e.data.at("case").as_int64())) o["case"] = case_json(*c, now);
            return json::value(std::move(o));
          },
          [&](const replies::Case& x) {
            const Case* c = find_case(x.id);
            return c ? json::value(case_json(*c, now)) : json::value(nullptr);
          },
          [&](const replies::Enquiry&) {
            return enquiries_.empty() ? json::value(nullptr) : json::value(enquiry_json(enquiries_.back()));
          },
          [&](const replies::Appointment& x) {
            const Appointment* a = find_appointment(x.id);
            return a ? json::value(appointment_json(*a, true, now)) : json::value(nullptr);
          },
          [&](const replies::Help& x) {
            auto it = open_help_.find(x.id);
            return it == open_help_.end() ? json::value(nullptr) : json::value(help_json(it->second));
          },
          [&](const replies::Window& x) {
            const WindowStatus* w = find_window(x.number);
            return w ? json::value(window_json(*w, true)) : json::value(nullptr);
          },
          [&](const replies::HelpAnswered& x) {
            json::object o = help_json(x.help);
            o["state"] = "answered";
            o["answered_by"] = x.by;
            return json::value(std::move(o));
          },
          [](const replies::Rated& x) {
            return json::value(json::object{{"ticket", x.ticket}, {"number", x.number}, {"window", x.window},
                               {"level", x.level}, {"label", rating_label(x.level)}});
          },
          [](const replies::ComplaintFiled& x) {
            return json::value(json::object{{"id", x.id}, {"received", format_date(x.received)}, {"due", format_date(x.due)},
                               {"window", x.window}, {"phone", x.phone}});
          },
          [](const replies::ComplaintAnswered& x) {
            return json::value(json::object{{"complaint", x.complaint}, {"outcome", x.outcome}, {"clerk", x.clerk}, {"late", x.late}});
          },
          [](const replies::RatingReviewed& x) {
            return json::value(json::object{{"rating", x.rating}, {"outcome", x.outcome}, {"clerk", x.clerk}});
          },
          [](const replies::ScoreAdjusted& x) {
            return json::value(json::object{{"adjustment", x.adjustment}, {"clerk", x.clerk}, {"rule", x.rule},
                               {"points", x.points}, {"month", x.month}});
          },
          [](const replies::LeaveRecorded& x) {
            return json::value(json::object{{"leave", x.leave}, {"clerk", x.clerk}, {"from", format_date(x.from)}, {"to", format_date(x.to)}});
          },
      },
      r);
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
