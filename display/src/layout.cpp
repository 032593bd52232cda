#include "hallq/display/layout.hpp"

#include <boost/json.hpp>

#include "hallq/controller/events.hpp"
#include "hallq/common/json_fields.hpp"

namespace hallq::display {
namespace ev = engine::events;  // the event types, as the controller names them
namespace json = boost::json;

const char* to_string(WindowView::Mode m) {
  switch (m) {
    case WindowView::Mode::Closed: return "closed";
    case WindowView::Mode::Welcome: return "welcome";
    case WindowView::Mode::Calling: return "calling";
    case WindowView::Mode::Serving: return "serving";
    case WindowView::Mode::Paused: return "paused";
  }
  return "closed";
}

namespace {
using json_fields::num;
using json_fields::str;
}  // namespace

const WindowView* Layout::window(int number) const {
  auto it = windows_.find(number);
  return it == windows_.end() ? nullptr : &it->second;
}

LayoutChange Layout::load_snapshot(const json::object& hall) {
  std::map<std::string, int> waiting;  // service id -> tickets waiting
  if (auto* ss = hall.if_contains("services"); ss && ss->is_array())
    for (const auto& v : ss->as_array())
      if (v.is_object()) waiting[str(v.as_object(), "id")] = static_cast<int>(num(v.as_object(), "waiting"));
  window_waiting_.clear();
  std::map<int, WindowView> windows;
  if (auto* ws = hall.if_contains("windows"); ws && ws->is_array())
    for (const auto& v : ws->as_array()) {
      if (!v.is_object()) continue;
      const json::object& o = v.as_object();
      WindowView w;
      w.number = static_cast<int>(num(o, "number"));
      if (w.number <= 0) continue;
      w.name = str(o, "name");
      int& at_window = window_waiting_[w.number];
      if (auto* sv = o.if_contains("services"); sv && sv->is_array())
        for (const auto& id : sv->as_array())
          if (id.is_string()) at_window += waiting[std::string(id.as_string())];
      const std::string state = str(o, "state");
      std::string ticket, ticket_state;
      if (auto* c = o.if_contains("current"); c && c->is_object()) {
        ticket = str(c->as_object(), "number");
        ticket_state = str(c->as_object(), "state");
      }
      if (state == "paused") {
        w.mode = WindowView::Mode::Paused;
        w.pause_reason = str(o, "pause_reason");
      } else if (!ticket.empty()) {
        w.mode = ticket_state == "serving" ? WindowView::Mode::Serving : WindowView::Mode::Calling;
        w.ticket = ticket;
      } else if (state == "closed") {
        w.mode = WindowView::Mode::Closed;
      } else {
        w.mode = WindowView::Mode::Welcome;
      }
      windows[w.number] = std::move(w);
    }
  HallView h;
  h.centre = str(hall, "centre");
  h.complaint_phone = str(hall, "complaint_phone");
  if (auto* rc = hall.if_contains("recent_calls"); rc && rc->is_array()) {
    // The snapshot lists calls newest first, as the screen does.
    for (const auto& v : rc->as_array()) {
      if (static_cast<int>(h.recent.size()) >= recent_max_) break;
      if (v.is_object()) h.recent.push_back(HallCall{str(v.as_object(), "number"), static_cast<int>(num(v.as_object(), "window"))});
    }
  }
  if (auto* ss = hall.if_contains("services"); ss && ss->is_array())
    for (const auto& v : ss->as_array())
      if (v.is_object())
        h.waiting.push_back(ServiceWaiting{str(v.as_object(), "name"), str(v.as_object(), "prefix"),
                                           static_cast<int>(num(v.as_object(), "waiting"))});
  if (auto* ns = hall.if_contains("notices"); ns && ns->is_array())
    for (const auto& v : ns->as_array())
      if (v.is_string()) h.notices.emplace_back(v.as_string());

  h.notice_page = hall_.notice_page;  // the roll goes on across snapshots
  LayoutChange change;
  for (const auto& [n, w] : windows) {
    auto old = windows_.find(n);
    if (old == windows_.end() || !(old->second == w)) change.windows.push_back(n);
  }
  change.hall = !(hall_ == h);
  windows_ = std::move(windows);
  hall_ = std::move(h);
  return change;
}

LayoutChange Layout::next_notice_page() {
  LayoutChange change;
  if (hall_.notices.empty() && hall_.complaint_phone.empty()) return change;
  ++hall_.notice_page;
  change.hall = true;
  return change;
}

LayoutChange Layout::apply(const json::object& event) {
  LayoutChange change;
  const std::string type = str(event, "type");
  const int n = static_cast<int>(num(event, "window"));
  auto it = windows_.find(n);
  if (it == windows_.end()) return change;
  WindowView& w = it->second;
  const json::object* data = nullptr;
  if (auto* d = event.if_contains("data"); d && d->is_object()) data = &d->as_object();
  if ((type == ev::TicketCalled::kType || type == ev::TicketRecalled::kType) && data) {
    const std::string number = str(*data, "number");
    if (number.empty()) return change;  // an older controller: the snapshot will tell
    w.mode = WindowView::Mode::Calling;
    w.ticket = number;
    change.windows.push_back(n);
    if (type == ev::TicketCalled::kType) {
      // Idempotent: a snapshot may already hold this call (the controller's snapshot can show a
      // call whose event is still being made durable, under an older seq); a ticket called
      // again at the same window moves to the top.
      const HallCall call{number, n};
      std::erase(hall_.recent, call);
      hall_.recent.insert(hall_.recent.begin(), call);
      if (static_cast<int>(hall_.recent.size()) > recent_max_) hall_.recent.resize(static_cast<size_t>(recent_max_));
      change.hall = true;
    }
    change.announce = Announcement{number, n, type == ev::TicketRecalled::kType};
  } else if (type == ev::ServiceStarted::kType && w.mode == WindowView::Mode::Calling) {
    w.mode = WindowView::Mode::Serving;
    change.windows.push_back(n);
  } else if (type == ev::WindowPaused::kType) {
    w.mode = WindowView::Mode::Paused;
    w.ticket.clear();
    w.pause_reason = data ? str(*data, "reason") : std::string();
    change.windows.push_back(n);
  } else if (type == ev::WindowResumed::kType || type == ev::ClerkSignedIn::kType) {
    w.mode = WindowView::Mode::Welcome;
    w.pause_reason.clear();
    change.windows.push_back(n);
  } else if (type == ev::ClerkSignedOut::kType) {
    w.mode = WindowView::Mode::Closed;
    w.ticket.clear();
    change.windows.push_back(n);
  } else if (type == ev::TicketFinished::kType || type == ev::TicketNoShow::kType || type == ev::TicketTransferred::kType || type == ev::TicketHeld::kType) {
    if (w.mode == WindowView::Mode::Calling || w.mode == WindowView::Mode::Serving) {
      w.mode = WindowView::Mode::Welcome;
      w.ticket.clear();
      change.windows.push_back(n);
    }
  }
  return change;
}

}  // namespace hallq::display
