#include "hallq/kiosk/ticket_desk.hpp"

#include <boost/json.hpp>

#include <random>
#include <thread>

#include "hallq/common/json_fields.hpp"
#include "hallq/common/log.hpp"

namespace hallq::kiosk {
namespace json = boost::json;
using escpos::Condition;
using escpos::JobOutcome;
using SteadyClock = std::chrono::steady_clock;

const char* to_string(TakeResult r) {
  switch (r) {
    case TakeResult::Printed: return "printed";
    case TakeResult::Reprinted: return "reprinted";
    case TakeResult::Voided: return "voided";
    case TakeResult::VoidPending: return "void_pending";
    case TakeResult::PrintFailedCalled: return "print_failed_called";
    case TakeResult::PrinterUnavailable: return "printer_unavailable";
    case TakeResult::ControllerUnreachable: return "controller_unreachable";
    case TakeResult::Refused: return "refused";
    case TakeResult::IssueUnconfirmed: return "issue_unconfirmed";
    case TakeResult::KioskFault: return "kiosk_fault";
  }
  return "kiosk_fault";
}

namespace {

using json_fields::num;
using json_fields::str;

// The printer state names the controller takes (POST /api/v1/devices/{id}/status).
// The controller's name for a printer condition (the driver's, but "near_end").
std::string state_name(Condition c) {
  return c == Condition::PaperNearEnd ? "near_end" : std::string(escpos::to_string(c));
}
std::string state_name(const Expected<escpos::Status, std::string>& s) {
  return s ? state_name(s->condition()) : "offline";  // offline: cannot reach it at all
}
// A printer that never answers is trusted to print (hardware.md): only a fault it reports,
// or one we cannot reach at all, stops the kiosk.
bool can_print(const std::string& state) { return state == "ok" || state == "near_end" || state == "unknown"; }

}  // namespace

std::string printer_message_zh(const std::string& state) {
  if (state == "paper_out") return "取号机打印纸已用完，暂停取号，请到咨询台办理。";
  if (state == "cover_open") return "取号机打印机盖未关好，暂停取号，请到咨询台办理。";
  return "取号机打印机故障，暂停取号，请到咨询台办理。";
}
std::string printer_message_en(const std::string& state) {
  if (state == "paper_out") return "The ticket printer is out of paper. Please go to the help desk.";
  if (state == "cover_open") return "The ticket printer's cover is open. Please go to the help desk.";
  return "The ticket printer is not working. Please go to the help desk.";
}

namespace {

std::string priority_mark(const std::string& p) {
  if (p == "elderly") return "老年人优先";
  if (p == "disabled") return "残疾人优先";
  if (p == "pregnant") return "孕妇优先";
  if (p == "appointment") return "预约";
  return "";
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TicketDesk::TicketDesk(DeskOptions options, ControllerApi& api, TicketPrinter& printer, Journal& journal)
    : opt_(std::move(options)), api_(api), printer_(printer), journal_(journal) {
  if (!opt_.sleep) opt_.sleep = [](Millis d) { std::this_thread::sleep_for(d); };
  centre_ = opt_.centre;
  complaint_phone_ = opt_.complaint_phone;
  layout_ = opt_.layout;
  status_url_ = opt_.status_url;
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  boot_tag_ = buf;
}

std::string TicketDesk::new_request_id() {
  // Unique across restarts (a random tag per start) and short enough for the API (64).
  return opt_.device_id.substr(0, 32) + "-" + boot_tag_ + "-" + std::to_string(++counter_);
}

void TicketDesk::set_printer(const std::string& state, bool can, const std::string& detail, bool force_report) {
  printer_state_ = state;
  accepting_ = can;
  if (!force_report && reported_ && reported_state_ == state && reported_accepting_ == can) return;
  HttpReply r = api_.report(state, can, detail);
  if (r.ok()) {
    reported_ = true;
    reported_state_ = state;
    reported_accepting_ = can;
  } else {
    reported_ = false;  // try again with the next check
    logger("kiosk")->warn("could not report printer state {} to the controller: {}", state,
                          r.answered() ? std::to_string(r.status) + " " + r.code() : r.error);
  }
}

bool TicketDesk::check_printer(bool heartbeat) {
  auto st = printer_.status();
  std::string state = state_name(st);
  set_printer(state, can_print(state), st ? "" : st.error(), heartbeat);
  return accepting_;
}

bool TicketDesk::refresh_info() {
  HttpReply s = api_.services();
  HttpReply h = api_.hall();
  json::array services;
  if (s.ok() && s.body.is_object())
    if (auto* arr = s.body.as_object().if_contains("services"); arr && arr->is_array()) services = arr->as_array();
  set_info(services, h.ok() && h.body.is_object() ? h.body.as_object() : json::object{});
  return s.ok() && h.ok();
}

void TicketDesk::set_info(const json::array& services, const json::object& hall) {
  if (!services.empty()) services_ = services;
  if (!hall.empty()) {
    std::string c = str(hall, "centre");
    std::string p = str(hall, "complaint_phone");
    if (!c.empty()) centre_ = c;
    if (!p.empty()) complaint_phone_ = p;
    // The centre's [printing] lines and ticket URL, unless this kiosk has its own.
    if (auto* pr = hall.if_contains("printing"); pr && pr->is_object()) {
      const json::object& po = pr->as_object();
      auto lines = [&](const char* key) {
        std::vector<std::string> out;
        if (auto* a = po.if_contains(key); a && a->is_array())
          for (const auto& l : a->as_array())
            if (l.is_string()) out.emplace_back(l.as_string());
        return out;
      };
      if (opt_.layout.header.empty()) layout_.header = lines("header");
      if (opt_.layout.footer.empty()) layout_.footer = lines("footer");
      if (opt_.status_url.empty()) status_url_ = str(po, "ticket_url");
    }
  }
}

escpos::TicketData TicketDesk::ticket_data(const json::object& t, const std::string& item) const {
  escpos::TicketData d;
  d.centre = centre_;
  d.number = str(t, "number");
  d.service = str(t, "service_name").empty() ? str(t, "service") : str(t, "service_name");
  d.priority = priority_mark(str(t, "priority"));
  d.ahead = static_cast<int>(num(t, "ahead"));
  std::int64_t wait_s = num(t, "estimated_wait_s");
  d.wait_minutes = static_cast<int>((wait_s + 59) / 60);
  std::string at = str(t, "issued_at");  // 2026-03-02T10:00:00+08:00, hall time
  d.issued_at = at.size() >= 16 ? at.substr(0, 10) + " " + at.substr(11, 5) : at;
  if (!status_url_.empty()) {
    std::string u = replace_all(status_url_, "{id}", std::to_string(num(t, "id")));
    u = replace_all(u, "{number}", d.number);
    u = replace_all(u, "{day}", at.substr(0, std::min<size_t>(10, at.size())));
    // The ticket's own secret (the controller's rate_key): its page then takes the rating.
    d.status_url = replace_all(u, "{key}", str(t, "rate_key"));
  }
  d.complaint_phone = complaint_phone_;
  // R-ONCE-1: the chosen item's full materials list, from the service guide.
  const std::string service = str(t, "service");
  for (const auto& sv : services_) {
    if (!sv.is_object() || str(sv.as_object(), "id") != service) continue;
    auto* items = sv.as_object().if_contains("items");
    if (!items || !items->is_array()) break;
    for (const auto& it : items->as_array()) {
      if (!it.is_object() || item.empty() || str(it.as_object(), "id") != item) continue;
      d.item = str(it.as_object(), "name");
      d.guide_url = str(it.as_object(), "guide_url");
      if (auto* m = it.as_object().if_contains("materials"); m && m->is_array())
        for (const auto& x : m->as_array())
          if (x.is_string()) d.materials.emplace_back(x.as_string());
    }
  }
  return d;
}

std::vector<std::uint8_t> TicketDesk::encode(const escpos::TicketData& t) const {
  escpos::PrinterProfile profile;
  profile.paper_dots = opt_.paper_dots;
  profile.cutter = opt_.cutter;
  profile.native_qr = !opt_.raster_qr;
  auto bytes = escpos::Encoder(profile, opt_.glyphs).encode(escpos::ticket(t, layout_));
  if (bytes) return std::move(*bytes);
  // Text that cannot be encoded (invalid UTF-8 from a config) must not cost the citizen the
  // ticket: print the essentials.
  logger("kiosk")->error("ticket layout does not encode ({}); printing the short form", bytes.error().message);
  escpos::TicketData minimal;
  minimal.number = t.number;
  minimal.ahead = t.ahead;
  minimal.issued_at = t.issued_at;
  auto fallback = escpos::Encoder(profile).encode(escpos::ticket(minimal, {}));
  return fallback ? std::move(*fallback) : std::vector<std::uint8_t>{};
}

TakeOutcome TicketDesk::finish(TakeOutcome o, TakeResult r) {
  o.result = r;
  const std::string number = str(o.ticket, "number");
  switch (r) {
    case TakeResult::Printed:
      o.message_zh = "请取走号票。您的号码 " + number + "，前面还有 " + std::to_string(num(o.ticket, "ahead")) + " 人。";
      o.message_en = "Please take your ticket. Your number is " + number + "; " +
                     std::to_string(num(o.ticket, "ahead")) + " ahead of you.";
      break;
    case TakeResult::Reprinted:
      o.message_zh = "号票已重新打印，请取走号票（如有不完整的号票请丢弃）。您的号码 " + number + "。";
      o.message_en = "Your ticket was printed again; please take it and discard any incomplete one. Number " + number + ".";
      break;
    case TakeResult::Voided:
    case TakeResult::VoidPending:
      o.message_zh = "号票打印失败，本次取号已作废，请到咨询台办理。";
      o.message_en = "The ticket could not be printed and has been cancelled. Please go to the help desk.";
      break;
    case TakeResult::PrintFailedCalled:
      o.message_zh = "号票打印失败。您的号码 " + number + " 已在叫号，请直接到窗口办理。";
      o.message_en = "The ticket could not be printed. Your number " + number + " is being called; please go to the window.";
      break;
    case TakeResult::PrinterUnavailable:
      o.message_zh = printer_message_zh(o.code);
      o.message_en = printer_message_en(o.code);
      break;
    case TakeResult::ControllerUnreachable:
      o.message_zh = "暂停取号，请到咨询台办理。";
      o.message_en = "Tickets are not available right now. Please go to the help desk.";
      break;
    case TakeResult::Refused:
      if (o.message_zh.empty()) o.message_zh = "暂时不能取号，请到咨询台办理。";
      if (o.message_en.empty()) o.message_en = "No ticket can be issued now. Please go to the help desk.";
      break;
    case TakeResult::IssueUnconfirmed:
      o.message_zh = "网络故障，未能取号，请到咨询台办理。";
      o.message_en = "Network trouble: no ticket was issued. Please go to the help desk.";
      break;
    case TakeResult::KioskFault:
      o.message_zh = "取号机故障，暂停取号，请到咨询台办理。";
      o.message_en = "This kiosk is out of order. Please go to the help desk.";
      break;
  }
  return o;
}

TakeOutcome TicketDesk::take(const TakeRequest& req) {
  const auto t0 = SteadyClock::now();
  const bool check_in = !req.appointment.empty();
  auto done = [&](TakeOutcome o, TakeResult r) {
    o.took_ms = std::chrono::duration_cast<Millis>(SteadyClock::now() - t0).count();
    // The booking's code is the citizen's to keep: never in the log.
    logger("kiosk")->info("take {}: {} {} ({} prints, {} ms)", check_in ? "check-in" : req.service, to_string(r),
                          str(o.ticket, "number"), o.prints, o.took_ms);
    return finish(std::move(o), r);
  };
  TakeOutcome o;

  // 1. The printer first: no number for a ticket that cannot come out.
  auto st = printer_.status();
  std::string state = state_name(st);
  set_printer(state, can_print(state), st ? "" : st.error(), false);
  if (!accepting_) {
    o.code = state;
    return done(std::move(o), TakeResult::PrinterUnavailable);
  }
  if (services_.empty()) refresh_info();
  if (check_in && !opt_.check_in) return done(std::move(o), TakeResult::KioskFault);

  // 2. Journal, then issue (same request id on every retry).
  PendingTicket p;
  p.stage = PendingTicket::Stage::Issuing;
  p.request_id = new_request_id();
  if (auto j = journal_.put(p); !j) {
    logger("kiosk")->error("{}", j.error());
    return done(std::move(o), TakeResult::KioskFault);
  }
  bool maybe_sent = false;
  HttpReply r = issue(req, p.request_id, &maybe_sent);
  if (!r.answered() || !r.ok()) {
    // The controller said no, or never got the request: nothing exists to settle.
    if (r.answered() || !maybe_sent) forget(p.request_id);
    if (!r.answered()) {
      o.code = "no_answer";
      return done(std::move(o), maybe_sent ? TakeResult::IssueUnconfirmed : TakeResult::ControllerUnreachable);
    }
    o.code = r.code();
    o.message_zh = r.message_zh();
    o.message_en = r.message();
    return done(std::move(o), TakeResult::Refused);
  }
  if (!r.body.is_object() || num(r.body.as_object(), "id") <= 0) {
    // A 2xx without a ticket: treat as unanswered; the journal resolves it by request id.
    o.code = "bad_reply";
    return done(std::move(o), TakeResult::IssueUnconfirmed);
  }
  o.ticket = r.body.as_object();
  p.stage = PendingTicket::Stage::Printing;
  p.ticket = num(o.ticket, "id");
  p.number = str(o.ticket, "number");
  if (auto j = journal_.put(p); !j) logger("kiosk")->error("{}", j.error());  // still in the journal as issuing

  // 3. Print and confirm.
  const std::vector<std::uint8_t> job = encode(ticket_data(o.ticket, req.item));
  o.print = printer_.print(job);
  o.prints = 1;
  if (o.print.outcome == JobOutcome::Printed) {
    after_print(o.print);
    forget(p.request_id);
    return done(std::move(o), TakeResult::Printed);
  }
  logger("kiosk")->warn("ticket {} did not print: {} ({})", p.number, escpos::to_string(o.print.outcome), o.print.error);

  // 4. One reprint, if the printer recovers in time.
  if (reprint(job, o)) {
    forget(p.request_id);
    return done(std::move(o), TakeResult::Reprinted);
  }
  // 5. Not printed: the ticket is voided, and the kiosk stops until the printer is fixed.
  const TakeResult voided = void_unprinted(p, o);
  return done(std::move(o), voided);
}

HttpReply TicketDesk::issue(const TakeRequest& req, const std::string& request_id, bool* maybe_sent) {
  const bool check_in = !req.appointment.empty();
  HttpReply r;
  for (int attempt = 1; attempt <= std::max(1, opt_.issue_attempts); ++attempt) {
    r = check_in ? opt_.check_in(req.appointment, request_id) : api_.issue(req.service, req.priority, request_id);
    if (r.answered()) break;
    *maybe_sent = *maybe_sent || r.sent;
    logger("kiosk")->warn("issue attempt {} for {}: {}", attempt, request_id, r.error);
    if (attempt < opt_.issue_attempts) opt_.sleep(opt_.issue_retry_gap);
  }
  return r;
}

void TicketDesk::forget(const std::string& request_id) {
  if (auto j = journal_.remove(request_id); !j) logger("kiosk")->error("{}", j.error());
}

void TicketDesk::after_print(const escpos::JobResult& jr) {
  // The paper may have ended with this ticket: the next citizen must not be offered one.
  std::string s = state_name(jr.after.condition());
  set_printer(s, can_print(s), "", false);
}

bool TicketDesk::reprint(const std::vector<std::uint8_t>& job, TakeOutcome& o) {
  const auto deadline = SteadyClock::now() + opt_.reprint_within;
  while (SteadyClock::now() < deadline) {
    auto s = printer_.status();
    std::string now_state = state_name(s);
    if (s && can_print(now_state)) {
      o.print = printer_.print(job);
      o.prints++;
      if (o.print.outcome != JobOutcome::Printed) return false;  // one reprint only
      after_print(o.print);
      return true;
    }
    opt_.sleep(opt_.printer_poll);
  }
  return false;
}

TakeResult TicketDesk::void_unprinted(PendingTicket& p, TakeOutcome& o) {
  {
    auto s = printer_.status();
    std::string now_state = state_name(s);
    // Even if the printer now says ok, it just failed a ticket: stop until a check passes.
    set_printer(can_print(now_state) ? "error" : now_state, false, o.print.error, false);
  }
  p.stage = PendingTicket::Stage::VoidPending;
  p.reason = "print_failed";
  if (auto j = journal_.put(p); !j) logger("kiosk")->error("{}", j.error());
  HttpReply v = api_.void_ticket(p.ticket, p.reason);
  if (v.ok()) {
    forget(p.request_id);
    if (v.body.is_object()) o.ticket = v.body.as_object();
    return TakeResult::Voided;
  }
  if (v.answered()) {
    forget(p.request_id);
    o.code = v.code();
    if (o.code != "wrong_state") logger("kiosk")->error("void of {} refused: {} {}", p.number, v.status, o.code);
    return TakeResult::PrintFailedCalled;
  }
  return TakeResult::VoidPending;
}

size_t TicketDesk::resolve_pending() {
  const std::vector<PendingTicket> entries = journal_.entries();
  for (const auto& e : entries) {
    std::int64_t id = e.ticket;
    std::string reason = e.reason;
    if (e.stage == PendingTicket::Stage::Issuing) {
      HttpReply f = api_.find_request(e.request_id);
      if (!f.answered()) continue;  // still cut off
      if (!f.ok() || !f.body.is_object()) {
        // Never issued (or on an earlier day, when the roll-over closed it).
        (void)journal_.remove(e.request_id);
        logger("kiosk")->info("request {} made no ticket", e.request_id);
        continue;
      }
      const json::object& t = f.body.as_object();
      if (str(t, "state") != "waiting") {
        (void)journal_.remove(e.request_id);
        continue;
      }
      id = num(t, "id");
      reason = "issue_unconfirmed";
    } else if (e.stage == PendingTicket::Stage::Printing) {
      reason = "print_unconfirmed";  // the kiosk stopped while printing
    }
    HttpReply v = api_.void_ticket(id, reason.empty() ? "print_failed" : reason);
    if (!v.answered()) continue;
    if (v.ok()) logger("kiosk")->info("voided ticket {} ({}) left from before", id, reason);
    else logger("kiosk")->warn("ticket {} could not be voided: {} {}", id, v.status, v.code());
    (void)journal_.remove(e.request_id);
  }
  return journal_.entries().size();
}

}  // namespace hallq::kiosk
