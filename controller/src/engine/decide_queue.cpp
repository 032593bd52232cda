// The queue's decisions (engine.hpp "decide"): issuing, calling, serving, transferring and
// holding tickets; clerks signing in and out (R-AB-1); pauses (R-HALL-6, R-AB-3); devices and
// help requests. Each validates its command against the state and makes the events; nothing
// changes here (apply_queue.cpp does that, for a decision and a replay alike).
#include <boost/json.hpp>

#include <algorithm>

#include "errors.hpp"
#include "hallq/controller/engine.hpp"
#include "hallq/controller/event_codec.hpp"

namespace hallq::engine {
namespace json = boost::json;
using namespace std::chrono;

// The ticket called or being served at the clerk's own window.
Expected<Ticket*, Error> Engine::current_ticket(int window, const Actor& actor) {
  auto w = clerk_window(window, actor);
  if (!w) return unexpected(w.error());
  Ticket* t = current_of(**w);
  if (!t) return unexpected(err(Errc::NoCurrentTicket, "no ticket is called at this window", "当前没有叫号"));
  return t;
}

Engine::Decision Engine::decide(const IssueTicket& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  const std::string local_day = format_date(tz_.to_local(now).date);
  const ServiceConfig* sc = config_.find_service(c.service);
  if (!sc) return unexpected(err(Errc::UnknownService, "no service '" + c.service + "'", "没有该业务"));
  if (!c.request_id.empty()) {
    if (auto it = by_request_.find(request_key(issuer_of(actor), c.request_id)); it != by_request_.end()) {
      reply = replies::Ticket{it->second};  // the ticket this request made before: a retry, not a new ticket
      return ev;
    }
  }
  if (!day_.empty() && local_day > day_)
    return unexpected(err(Errc::HallClosed, "the day is being closed, try again", "系统正在日结，请稍后再试"));
  if (auto closed = closed_reason(c.service, now)) return unexpected(*closed);
  if (config_.appointments.enabled) {
    // R-HOURS-3: a weekend or holiday open for appointments only takes no walk-ins.
    if (appointments_only(tz_.to_local(now).date) && !config_.hours.always_open)
      return unexpected(err(Errc::AppointmentsOnly, "today only appointments are served; check in with the booking's code",
                            "今日为休息日，仅办理预约业务，请凭预约码签到"));
    // Appointment tickets come from check-ins, so a walk-in cannot jump the queue with one.
    if (c.priority == Priority::Appointment || c.channel == Channel::Appointment)
      return unexpected(err(Errc::InvalidArgument, "appointment tickets are issued by checking in with the booking's code",
                            "预约号请凭预约码签到领取"));
  }
  auto d = issue_data(*sc, c.priority, c.channel, c.request_id, actor, local_day, true);
  if (!d) return unexpected(d.error());
  ev.push_back(make_event(actor, 0, now, std::move(*d)));
  reply = replies::Ticket{next_ticket_id_};
  return ev;
}

Engine::Decision Engine::decide(const VoidTicket& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  Ticket* t = ticket_mut(c.ticket);
  if (!t) return unexpected(err(Errc::UnknownTicket, "no such ticket", "没有该号码"));
  if (!valid_void_reason(c.reason))
    return unexpected(err(Errc::InvalidArgument, "reason must be print_failed, print_unconfirmed or issue_unconfirmed", "作废原因无效"));
  if (actor.kind != Actor::Kind::Device || actor.id != t->issued_by)
    return unexpected(err(Errc::NotYourTicket, "only the kiosk that issued a ticket can void it", "只能作废本机发出的号码"));
  // Once a clerk has called the number someone may be standing at the window: the kiosk's
  // failure is then handled by people, not by voiding.
  if (t->state != TicketState::Waiting)
    return unexpected(err(Errc::WrongState, std::string("a ") + to_string(t->state) + " ticket cannot be voided", "该号码已被叫号，不能作废"));
  ev.push_back(make_event(actor, 0, now,
                          events::TicketVoided{.ticket = t->id, .number = t->number, .service = t->service,
                                               .reason = c.reason}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const ReportDevice& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (actor.kind != Actor::Kind::Device || actor.id.empty())
    return unexpected(err(Errc::InvalidArgument, "only devices report their status", "仅设备可上报状态"));
  if (!valid_printer_state(c.printer))
    return unexpected(err(Errc::InvalidArgument, "printer must be ok, near_end, paper_out, cover_open, offline, error, unknown or none", "打印机状态无效"));
  auto it = devices_.find(actor.id);
  if (it == devices_.end() || it->second.printer != c.printer || it->second.accepting != c.accepting)
    ev.push_back(make_event(actor, 0, now,
                            events::DeviceStatusChanged{.device = actor.id, .printer = c.printer,
                                                        .accepting = c.accepting, .detail = c.detail}));
  reply = replies::None{};
  return ev;
}

Engine::Decision Engine::decide(const RequestHelp& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (actor.kind != Actor::Kind::Device || actor.id.empty())
    return unexpected(err(Errc::InvalidArgument, "help is requested from a kiosk", "仅取号机可呼叫帮办"));
  if (c.kind != "help") return unexpected(err(Errc::InvalidArgument, "kind must be help", "请求类型无效"));
  for (const auto& [id, h] : open_help_)
    if (h.device == actor.id) {  // already on its way: pressing again changes nothing
      reply = replies::Help{id};
      return ev;
    }
  ev.push_back(make_event(actor, 0, now, events::HelpRequested{.help = next_help_id_, .device = actor.id, .kind = c.kind}));
  reply = replies::Help{next_help_id_};
  return ev;
}

Engine::Decision Engine::decide(const AnswerHelp& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (actor.kind != Actor::Kind::Clerk && actor.kind != Actor::Kind::Manager)
    return unexpected(err(Errc::InvalidArgument, "a clerk or manager answers help requests", "仅工作人员可响应帮办请求"));
  auto it = open_help_.find(c.help);
  if (it == open_help_.end()) {
    if (c.help > 0 && c.help < next_help_id_)
      return unexpected(err(Errc::WrongState, "this help request was answered already", "该帮办请求已有人响应"));
    return unexpected(err(Errc::UnknownHelp, "no such help request", "没有该帮办请求"));
  }
  ev.push_back(make_event(actor, 0, now,
                          events::HelpAnswered{.help = c.help, .device = it->second.device, .by = actor.id,
                                               .waited_s = duration_cast<seconds>(now - it->second.at).count()}));
  reply = replies::HelpAnswered{it->second, actor.id};  // no longer open once the event applies
  return ev;
}

Engine::Decision Engine::decide(const CallNext& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto w = clerk_window(c.window, actor);
  if (!w) return unexpected(w.error());
  if ((*w)->current) return unexpected(err(Errc::WindowBusy, "finish, skip or transfer the current ticket first", "请先办结、过号或转办当前号码"));
  if ((*w)->paused) return unexpected(err(Errc::WindowPaused, "the window is paused; resume it first", "窗口暂停服务中，请先恢复"));
  auto next = pick_next(c.window);
  if (!next) { reply = replies::None{}; return ev; }
  // The number and service travel with the call: screens and the voice need nothing else.
  const Ticket* called = find_ticket(*next);
  ev.push_back(make_event(actor, c.window, now,
                          events::TicketCalled{.ticket = *next, .clerk = actor.id,
                                               .number = called ? called->number : std::string(),
                                               .service = called ? called->service : std::string()}));
  reply = replies::Ticket{*next};
  return ev;
}

Engine::Decision Engine::decide(const Recall& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto current = current_ticket(c.window, actor);
  if (!current) return unexpected(current.error());
  Ticket* t = *current;
  if (t->state != TicketState::Called) return unexpected(err(Errc::WrongState, "the ticket is already being served", "该号码已在办理中"));
  if (t->recalls >= config_.policy.recall_limit)
    ev.push_back(make_event(actor, c.window, now, events::TicketNoShow{.ticket = t->id, .reason = "recall_limit"}));
  else
    ev.push_back(make_event(actor, c.window, now,
                            events::TicketRecalled{.ticket = t->id, .recalls = t->recalls + 1, .number = t->number,
                                                   .service = t->service}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const Skip& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto current = current_ticket(c.window, actor);
  if (!current) return unexpected(current.error());
  Ticket* t = *current;
  if (t->state != TicketState::Called) return unexpected(err(Errc::WrongState, "a ticket being served cannot be skipped", "办理中的号码不能过号"));
  ev.push_back(make_event(actor, c.window, now, events::TicketNoShow{.ticket = t->id, .reason = "skipped"}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const StartService& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto current = current_ticket(c.window, actor);
  if (!current) return unexpected(current.error());
  Ticket* t = *current;
  if (t->state != TicketState::Called) return unexpected(err(Errc::WrongState, "the ticket is already being served", "该号码已在办理中"));
  ev.push_back(make_event(actor, c.window, now, events::ServiceStarted{.ticket = t->id}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const Finish& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto current = current_ticket(c.window, actor);
  if (!current) return unexpected(current.error());
  Ticket* t = *current;
  if (c.case_input && c.consultation)
    return unexpected(err(Errc::InvalidArgument, "a consultation has no case", "仅咨询的号码无需登记办件"));
  events::TicketFinished d{.ticket = t->id};
  if (c.consultation) d.consultation = true;
  ev.push_back(make_event(actor, c.window, now, d));
  if (c.case_input) {
    // The case commits with the finish or neither does (R-CASE-8: registered the same day).
    auto reg = register_event(*c.case_input, c.window, t, nullptr, actor, now);
    if (!reg) return unexpected(reg.error());
    ev.push_back(std::move(*reg));
  }
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const CancelTicket& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  Ticket* t = ticket_mut(c.ticket);
  if (!t) return unexpected(err(Errc::UnknownTicket, "no such ticket", "没有该号码"));
  if (actor.kind == Actor::Kind::Device && actor.id != t->issued_by)
    return unexpected(err(Errc::NotYourTicket, "a kiosk can cancel only the tickets it issued", "只能取消本机发出的号码"));
  if (t->state != TicketState::Waiting && t->state != TicketState::Held && t->state != TicketState::Called)
    return unexpected(err(Errc::WrongState, std::string("a ") + to_string(t->state) + " ticket cannot be cancelled", "该号码当前状态不能取消"));
  ev.push_back(make_event(actor, t->state == TicketState::Called ? t->window : 0, now,
                          events::TicketCancelled{.ticket = t->id, .reason = c.reason}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const TransferTicket& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto current = current_ticket(c.window, actor);
  if (!current) return unexpected(current.error());
  Ticket* t = *current;
  if (c.to_service.empty() == (c.to_window == 0))
    return unexpected(err(Errc::InvalidArgument, "give either a service or a window to transfer to", "请选择转往的业务或窗口"));
  if (!c.to_service.empty()) {
    if (!config_.find_service(c.to_service)) return unexpected(err(Errc::UnknownService, "no service '" + c.to_service + "'", "没有该业务"));
    if (c.to_service == t->service) return unexpected(err(Errc::InvalidArgument, "the ticket is already in that service", "该号码已属于此业务"));
  } else {
    if (!config_.find_window(c.to_window)) return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(c.to_window), "没有该窗口"));
    if (c.to_window == c.window) return unexpected(err(Errc::InvalidArgument, "cannot transfer to the same window", "不能转到本窗口"));
    // A ticket sent to a closed window would wait for nobody (R-FIRST-2: hand it to
    // someone who will serve it); send it to the service instead.
    if (!find_window(c.to_window)->open)
      return unexpected(err(Errc::WindowClosed, "window " + std::to_string(c.to_window) + " is closed; transfer to its service instead",
                            std::to_string(c.to_window) + " 号窗口未开放，请转到对应业务"));
  }
  ev.push_back(make_event(actor, c.window, now,
                          events::TicketTransferred{.ticket = t->id, .from_clerk = actor.id,
                                                    .to_service = c.to_service, .to_window = c.to_window}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const HoldTicket& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto current = current_ticket(c.window, actor);
  if (!current) return unexpected(current.error());
  Ticket* t = *current;
  ev.push_back(make_event(actor, c.window, now, events::TicketHeld{.ticket = t->id}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const UnholdTicket& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto w = clerk_window(c.window, actor);
  if (!w) return unexpected(w.error());
  if ((*w)->current) return unexpected(err(Errc::WindowBusy, "finish the current ticket first", "请先办结当前号码"));
  if ((*w)->paused) return unexpected(err(Errc::WindowPaused, "the window is paused; resume it first", "窗口暂停服务中，请先恢复"));
  Ticket* t = ticket_mut(c.ticket);
  if (!t) return unexpected(err(Errc::UnknownTicket, "no such ticket", "没有该号码"));
  if (t->state != TicketState::Held) return unexpected(err(Errc::WrongState, "the ticket is not on hold", "该号码未挂起"));
  ev.push_back(make_event(actor, c.window, now, events::TicketResumed{.ticket = t->id, .clerk = actor.id}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const ReturnNoShow& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  Ticket* t = ticket_mut(c.ticket);
  if (!t) return unexpected(err(Errc::UnknownTicket, "no such ticket", "没有该号码"));
  if (t->state != TicketState::NoShow || !t->noshow_at) return unexpected(err(Errc::WrongState, "the ticket was not missed", "该号码未过号"));
  if (now - *t->noshow_at > minutes{config_.policy.noshow_return_minutes})
    return unexpected(err(Errc::ReturnExpired,
                          "a missed ticket can come back within " + std::to_string(config_.policy.noshow_return_minutes) + " minutes",
                          "过号超过 " + std::to_string(config_.policy.noshow_return_minutes) + " 分钟，请重新取号"));
  ev.push_back(make_event(actor, 0, now, events::TicketReturned{.ticket = t->id}));
  reply = replies::Ticket{t->id};
  return ev;
}

Engine::Decision Engine::decide(const SignIn& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  const WindowConfig* wc = config_.find_window(c.window);
  WindowStatus* w = window_mut(c.window);
  if (!wc || !w) return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(c.window), "没有该窗口"));
  if (actor.kind != Actor::Kind::Clerk || !config_.find_clerk(actor.id))
    return unexpected(err(Errc::UnknownClerk, "unknown clerk", "没有该工作人员"));
  std::optional<Post> post = actor.id == wc->clerk_a ? std::optional(Post::A)
                           : actor.id == wc->clerk_b ? std::optional(Post::B)
                                                     : std::nullopt;
  if (!post) return unexpected(err(Errc::NotAssigned, "the clerk is neither the A nor the B post of this window", "您不是该窗口的 A/B 岗人员"));
  for (const auto& other : windows_)
    if (other.open && other.clerk == actor.id && other.number != c.window)
      return unexpected(err(Errc::WindowBusy, "the clerk is signed in at window " + std::to_string(other.number), "您已在 " + std::to_string(other.number) + " 号窗口签到"));
  reply = replies::Window{c.window};
  if (w->open && w->clerk == actor.id) return ev;  // already signed in: a new session only
  if (w->open) {
    // R-AB-1: the other post takes over the window; the hand-over is recorded.
    if (w->current) return unexpected(err(Errc::WindowBusy, "the window is serving a ticket; hand over after it", "窗口正在办理业务，请办结后再交接"));
    ev.push_back(make_event(actor, c.window, now, events::ClerkSignedOut{.clerk = w->clerk, .reason = "handover"}));
  }
  ev.push_back(make_event(actor, c.window, now,
                          events::ClerkSignedIn{.clerk = actor.id, .post = *post == Post::A ? "A" : "B"}));
  return ev;
}

Engine::Decision Engine::decide(const SignOut& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto w = clerk_window(c.window, actor);
  if (!w) return unexpected(w.error());
  if ((*w)->current) return unexpected(err(Errc::WindowBusy, "finish or transfer the current ticket before signing out", "请先办结或转办当前号码再签退"));
  ev.push_back(make_event(actor, c.window, now, events::ClerkSignedOut{.clerk = actor.id, .reason = "sign_out"}));
  reply = replies::Window{c.window};
  return ev;
}

Engine::Decision Engine::decide(const PauseWindow& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto w = clerk_window(c.window, actor);
  if (!w) return unexpected(w.error());
  if ((*w)->paused) return unexpected(err(Errc::WindowPaused, "the window is already paused", "窗口已暂停服务"));
  if ((*w)->current) return unexpected(err(Errc::WindowBusy, "finish the current ticket before pausing", "请先办结当前号码再暂停"));
  ev.push_back(make_event(actor, c.window, now, events::WindowPaused{.reason = c.reason.empty() ? "暂停服务" : c.reason}));
  reply = replies::Window{c.window};
  return ev;
}

Engine::Decision Engine::decide(const ResumeWindow& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  auto w = clerk_window(c.window, actor);
  if (!w) return unexpected(w.error());
  if (!(*w)->paused) return unexpected(err(Errc::WrongState, "the window is not paused", "窗口未暂停"));
  ev.push_back(make_event(actor, c.window, now, events::WindowResumed{}));
  reply = replies::Window{c.window};
  return ev;
}

Engine::Decision Engine::decide(const FlagPauseOverruns&, const Actor& actor, TimePoint now, Reply&) {
  std::vector<Event> ev;
  const auto limit = minutes{config_.policy.pause_alert_minutes};
  for (const auto& w : windows_)
    if (w.open && w.paused && !w.pause_alerted && now - w.since >= limit)
      ev.push_back(make_event(actor, w.number, now,
                              events::WindowPauseOverrun{.clerk = w.clerk, .reason = w.pause_reason,
                                                         .paused_at = format_rfc3339(w.since, tz_),
                                                         .minutes = config_.policy.pause_alert_minutes}));
  return ev;
}

}  // namespace hallq::engine
