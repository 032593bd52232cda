// Applying events (engine.hpp "apply"): the strict decoding of a logged event and the
// handlers of the queue's events (tickets, windows, devices, help, complaints, the day's end).
// What a handler does is all an event changes, whether it was just decided or is replayed
// (R-HALL-8). The case, appointment and oversight handlers live beside their decisions.
#include <algorithm>

#include "errors.hpp"
#include "hallq/controller/engine.hpp"
#include "hallq/controller/event_codec.hpp"
#include "rows.hpp"

namespace hallq::engine {
using namespace std::chrono;

namespace {
constexpr size_t kRecentCalls = 10;
constexpr double kEwmaWeight = 0.2;
}  // namespace

std::optional<std::string> Engine::apply(const Event& e) {
  auto body = events::decode(e.type, e.data);
  if (!body) return "event " + std::to_string(e.seq) + " (" + e.type + "): " + body.error();
  seq_ = e.seq;
  std::visit([&](const auto& b) { on(e, b); }, *body);
  return std::nullopt;
}

Engine::QueueRefs Engine::refs(const Event& e, TicketId ticket) {
  QueueRefs r{ticket ? ticket_mut(ticket) : nullptr, e.window ? window_mut(e.window) : nullptr};
  if (r.w) touch_window(r.w->number);
  if (r.t) touch_ticket(r.t->id);
  return r;
}

void Engine::push_recent(const Ticket& t, int window, TimePoint at) {
  recent_.push_front(RecentCall{t.number, t.service, window, at});
  if (recent_.size() > kRecentCalls) recent_.pop_back();
}

void Engine::free_window(int number, TimePoint at) {
  if (WindowStatus* fw = window_mut(number)) {
    fw->current = 0;
    fw->since = at;
    touch_window(number);
  }
}

void Engine::on(const Event& e, const events::TicketIssued& d) {
  refs(e, 0);
  Ticket nt;
  nt.id = d.ticket;
  nt.number = d.number;
  nt.service = d.service;
  nt.priority = parse_priority(d.priority).value_or(Priority::Normal);
  nt.channel = parse_channel(d.channel).value_or(Channel::Kiosk);
  nt.request_id = d.request_id;
  nt.issued_by = d.issued_by.value_or("");
  nt.appointment = d.appointment.value_or(0);
  nt.day = d.day;
  nt.issued_at = nt.queued_at = e.at;
  if (day_.empty()) day_ = nt.day;
  auto& ss = services_[nt.service];
  ss.issued_today++;
  ss.next_number = d.seqno + 1;
  next_ticket_id_ = std::max(next_ticket_id_, d.ticket + 1);
  if (!nt.request_id.empty()) by_request_[request_key(nt.issued_by, nt.request_id)] = d.ticket;
  auto [it, ok] = tickets_.emplace(d.ticket, std::move(nt));
  enqueue(it->second);
  touch_ticket(d.ticket);
}

void Engine::on(const Event& e, const events::DeviceStatusChanged& d) {
  refs(e, 0);
  DeviceStatus& ds = devices_[d.device];
  ds.printer = d.printer;
  ds.accepting = d.accepting;
  ds.detail = d.detail;
  ds.since = e.at;
}

void Engine::on(const Event& e, const events::HelpRequested& d) {
  refs(e, 0);
  open_help_[d.help] = HelpRequest{d.help, d.device, d.kind, e.at};
  next_help_id_ = std::max(next_help_id_, d.help + 1);
}

void Engine::on(const Event& e, const events::HelpAnswered& d) {
  refs(e, 0);
  open_help_.erase(d.help);
}

void Engine::on(const Event& e, const events::ComplaintFiled& d) {
  refs(e, 0);
  next_complaint_id_ = std::max(next_complaint_id_, d.complaint + 1);
  open_complaints_[d.complaint] = OpenComplaint{d.complaint, e.seq, e.at, d.received, d.due, e.window, d.clerk, d.channel};
}

void Engine::on(const Event& e, const events::ClerkSignedIn& d) {
  WindowStatus* w = refs(e, 0).w;
  if (!w) return;
  w->open = true;
  w->paused = false;
  w->pause_alerted = false;
  w->pause_reason.clear();
  w->clerk = d.clerk;
  // R-AB-1: a clerk taking the window from another on the same day gets the other's session
  // as the hand-over log; the same clerk coming back has nothing new to read.
  const std::string today = format_date(tz_.to_local(e.at).date);
  if (!w->session_clerk.empty() && w->session_clerk != w->clerk && w->session_day == today) {
    w->handover_clerk = w->session_clerk;
    w->handover_from = w->session_seq;
    w->handover_to = e.seq;
  } else {
    w->handover_clerk.clear();
    w->handover_from = w->handover_to = 0;
  }
  w->session_clerk = w->clerk;
  w->session_day = today;
  w->session_seq = e.seq;
  w->post = d.post == "B" ? Post::B : Post::A;
  w->since = e.at;
}

void Engine::on(const Event& e, const events::ClerkSignedOut&) {
  WindowStatus* w = refs(e, 0).w;
  if (!w) return;
  w->open = false;
  w->paused = false;
  w->pause_alerted = false;
  w->pause_reason.clear();
  w->clerk.clear();
  w->post.reset();
  w->since = e.at;
}

void Engine::on(const Event& e, const events::WindowPaused& d) {
  WindowStatus* w = refs(e, 0).w;
  if (!w) return;
  w->paused = true;
  w->pause_alerted = false;
  w->pause_reason = d.reason;
  w->since = e.at;
}

void Engine::on(const Event& e, const events::WindowPauseOverrun&) {
  if (WindowStatus* w = refs(e, 0).w) w->pause_alerted = true;
}

void Engine::on(const Event& e, const events::WindowResumed&) {
  WindowStatus* w = refs(e, 0).w;
  if (!w) return;
  w->paused = false;
  w->pause_alerted = false;
  w->pause_reason.clear();
  w->since = e.at;
}

void Engine::on(const Event& e, const events::ServiceRated& d) {
  WindowStatus* w = refs(e, d.ticket).w;
  if (w && w->last_finished == d.ticket) w->last_rated = true;
  if (auto it = done_.find(d.ticket); it != done_.end()) {
    it->second.rating = d.level;
    it->second.rating_channel = d.channel.empty() ? "evaluator" : d.channel;
    touch_ticket(d.ticket);
  }
  if (d.level >= 1 && d.level <= 2)  // a bad review: the manager follows it up (R-EVAL-1)
    follow_ups_[e.seq] = FollowUp{e.seq, e.at, e.window, d.clerk, d.number, d.ticket, d.case_, d.level};
}

// Called, or taken back from hold: the ticket is at the window (R-FIRST-1: its first clerk).
void Engine::to_window(const Event& e, TicketId ticket, const std::string& clerk, bool new_call) {
  auto [t, w] = refs(e, ticket);
  if (!t) return;
  if (t->state == TicketState::Waiting) dequeue(*t);
  t->state = TicketState::Called;
  t->window = e.window;
  t->clerk = clerk;
  if (t->first_clerk.empty()) t->first_clerk = t->clerk;
  t->called_at = e.at;
  t->recalls = 0;
  if (new_call && !t->clerk.empty()) clerk_day_[t->clerk].called++;
  if (w) {
    w->current = t->id;
    w->since = e.at;
  }
  push_recent(*t, e.window, e.at);
}

void Engine::on(const Event& e, const events::TicketCalled& d) { to_window(e, d.ticket, d.clerk, true); }
void Engine::on(const Event& e, const events::TicketResumed& d) { to_window(e, d.ticket, d.clerk, false); }

void Engine::on(const Event& e, const events::TicketRecalled& d) {
  Ticket* t = refs(e, d.ticket).t;
  if (!t) return;
  t->recalls = d.recalls;
  push_recent(*t, e.window, e.at);
}

void Engine::on(const Event& e, const events::TicketNoShow& d) {
  Ticket* t = refs(e, d.ticket).t;
  if (!t) return;
  t->state = TicketState::NoShow;
  t->noshow_at = e.at;
  if (!t->clerk.empty()) clerk_day_[t->clerk].no_show++;
  free_window(e.window, e.at);
}

void Engine::on(const Event& e, const events::TicketReturned& d) {
  Ticket* t = refs(e, d.ticket).t;
  if (!t) return;
  t->state = TicketState::Waiting;
  t->front = true;
  t->target_window = 0;
  t->queued_at = e.at;
  enqueue(*t);
}

void Engine::on(const Event& e, const events::ServiceStarted& d) {
  Ticket* t = refs(e, d.ticket).t;
  if (!t) return;
  t->state = TicketState::Serving;
  t->started_at = e.at;
}

void Engine::on(const Event& e, const events::TicketFinished& d) {
  auto [t, w] = refs(e, d.ticket);
  if (!t) return;
  // Only a ticket finished while being served has a service time to measure: started_at of a
  // ticket called again after a transfer or a hold is the earlier start, and the span since
  // then is queueing or waiting on hold, often in another service.
  const bool measured = t->state == TicketState::Serving && t->started_at;
  t->state = TicketState::Done;
  t->finished_at = e.at;
  t->consultation = d.consultation.value_or(false);
  if (!t->clerk.empty()) {
    ClerkDay& cd = clerk_day_[t->clerk];
    cd.served++;
    if (t->consultation) cd.consultations++;
    if (measured) {
      cd.service_ms += duration_cast<milliseconds>(e.at - *t->started_at).count();
      cd.measured++;
    }
  }
  if (!t->consultation)
    unregistered_[t->id] = Unregistered{t->id, t->number, t->service, t->clerk, e.window, e.at, t->day};
  if (w) {
    w->last_finished = t->id;
    w->last_number = t->number;
    w->last_service = t->service;
    w->last_clerk = t->clerk;
    w->last_finished_at = e.at;
    w->last_rated = false;
  }
  if (measured) {
    double s = duration<double>(e.at - *t->started_at).count();
    auto& ss = services_[t->service];
    ss.avg_service_s = whole_ms(ss.avg_service_s <= 0 ? s : (1 - kEwmaWeight) * ss.avg_service_s + kEwmaWeight * s);
  }
  free_window(e.window, e.at);
}

// Cancelled by someone, or closed by the day's end: the ticket leaves its queue or window.
void Engine::end_ticket(const Event& e, TicketId ticket, TicketState state, const std::string& reason) {
  Ticket* t = refs(e, ticket).t;
  if (!t) return;
  if (t->state == TicketState::Waiting) dequeue(*t);
  if (t->state == TicketState::Called || t->state == TicketState::Serving) free_window(t->window, e.at);
  t->state = state;
  t->close_reason = reason;
}

void Engine::on(const Event& e, const events::TicketCancelled& d) { end_ticket(e, d.ticket, TicketState::Cancelled, d.reason); }
void Engine::on(const Event& e, const events::TicketClosed& d) { end_ticket(e, d.ticket, TicketState::Closed, d.reason); }

void Engine::on(const Event& e, const events::TicketVoided& d) {
  Ticket* t = refs(e, d.ticket).t;
  if (!t) return;
  if (t->state == TicketState::Waiting) dequeue(*t);
  t->state = TicketState::Voided;
  t->close_reason = d.reason;
  // The slot goes back to the daily limit; the number itself is never reused.
  auto& ss = services_[t->service];
  if (ss.issued_today > 0) ss.issued_today--;
  voided_today_++;
  // A check-in whose ticket did not print: the booking is open again, so the citizen can
  // check in once more (at this kiosk when it prints again, or another).
  if (t->appointment)
    if (Appointment* a = appointment_mut(t->appointment); a && a->state == AppointmentState::CheckedIn && a->ticket == t->id) {
      a->state = AppointmentState::Confirmed;
      a->ticket = 0;
      a->number.clear();
      a->closed_at.reset();
      touched_appointments_.insert(a->id);
    }
}

void Engine::on(const Event& e, const events::TicketTransferred& d) {
  Ticket* t = refs(e, d.ticket).t;
  if (!t) return;
  Transfer tr{e.at, e.window, d.from_clerk, d.to_service, d.to_window};
  t->transfers.push_back(tr);
  if (!tr.from_clerk.empty()) clerk_day_[tr.from_clerk].transferred++;
  if (!tr.to_service.empty()) t->service = tr.to_service;
  t->target_window = tr.to_window;
  t->front = true;
  t->state = TicketState::Waiting;
  t->queued_at = e.at;
  enqueue(*t);
  free_window(e.window, e.at);
}

void Engine::on(const Event& e, const events::TicketHeld& d) {
  Ticket* t = refs(e, d.ticket).t;
  if (!t) return;
  t->state = TicketState::Held;
  if (!t->clerk.empty()) clerk_day_[t->clerk].held++;
  free_window(e.window, e.at);
}

}  // namespace hallq::engine
