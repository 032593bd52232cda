#pragma once
// The ticket desk: issuing a ticket and printing it under the no-phantom-ticket contract
// (docs/printing.md). A number exists for a citizen only if it came out of the printer:
//   1. The printer is asked first; out of paper, cover open, offline or in error, no ticket
//      is issued and the kiosk stops offering tickets (and tells the controller).
//   2. The request (with a request id, so retries never make two tickets) is journaled, then
//      sent; a lost answer is retried with the same id.
//   3. The ticket is printed and confirmed (escpos::Printer: GS r 1 / status).
//   4. Not confirmed: one reprint within `reprint_within` if the printer recovers; else the
//      kiosk voids the ticket (TicketVoided) and the citizen is sent to the help desk.
//   5. Whatever could not be finished (no answer to the issue or to the void, a crash while
//      printing) stays in the journal and is resolved with the controller later: a ticket
//      that was never printed and still waits is voided.
// Thread-safety: none; one desk per kiosk, driven from one thread (it blocks on I/O).
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hallq/escpos/encoder.hpp"
#include "hallq/escpos/layouts.hpp"
#include "hallq/escpos/printer.hpp"
#include "hallq/link/controller_client.hpp"
#include "hallq/kiosk/journal.hpp"

namespace hallq::kiosk {

// The controller link is shared with the display node (common/link).
using link::ControllerApi;
using link::ControllerUrl;
using link::HttpController;
using link::HttpReply;
using link::Millis;
using link::parse_controller_url;

// The printer as the desk sees it; EscposTicketPrinter is the real one.
class TicketPrinter {
 public:
  virtual ~TicketPrinter() = default;
  virtual Expected<escpos::Status, std::string> status() = 0;
  virtual escpos::JobResult print(const std::vector<std::uint8_t>& job) = 0;
};

class EscposTicketPrinter final : public TicketPrinter {
 public:
  EscposTicketPrinter(escpos::PrinterSpec spec, escpos::PrinterTimeouts t) : printer_(std::move(spec), t) {}
  Expected<escpos::Status, std::string> status() override { return printer_.status(); }
  escpos::JobResult print(const std::vector<std::uint8_t>& job) override { return printer_.print(job); }

 private:
  escpos::Printer printer_;
};

struct DeskOptions {
  std::string device_id;
  std::string centre;           // shown if the controller's hall snapshot is not at hand
  std::string complaint_phone;  // likewise
  escpos::LayoutOptions layout;
  int paper_dots = 384;
  bool raster_qr = false;
  bool cutter = true;
  escpos::GlyphSource glyphs;   // for characters the printer's font lacks
  // The ticket's progress QR: {id}, {number} and {day} are replaced; "" prints none.
  std::string status_url;
  Millis reprint_within{10000};
  Millis printer_poll{500};
  int issue_attempts = 3;
  Millis issue_retry_gap{700};
  std::function<void(Millis)> sleep;  // default: std::this_thread::sleep_for
  // Appointment check-in (POST /api/v1/appointments/check-in with the booking's code and the
  // request id): answers like an issue. Unset: this desk takes no check-ins.
  std::function<HttpReply(const std::string& code, const std::string& request_id)> check_in;
};

enum class TakeResult {
  Printed,                // the citizen holds the ticket
  Reprinted,              // the first print failed; the reprint came out
  Voided,                 // issued, not printed, voided: the number will never be called
  VoidPending,            // issued, not printed; the void will be sent when the controller answers
  PrintFailedCalled,      // issued, not printed, and already called: the number stands
  PrinterUnavailable,     // nothing issued: the printer cannot print
  ControllerUnreachable,  // nothing issued: the controller did not take the request
  Refused,                // nothing issued: the controller said no (closed, daily limit, ...)
  IssueUnconfirmed,       // the controller may have issued it; resolved (voided) later
  KioskFault,             // nothing issued: the kiosk cannot keep its journal
};
const char* to_string(TakeResult r);
// What a citizen is told while the printer (state as reported: paper_out, cover_open, ...)
// cannot print.
std::string printer_message_zh(const std::string& state);
std::string printer_message_en(const std::string& state);
// Whether the citizen walks away with a printed ticket.
inline bool printed(TakeResult r) { return r == TakeResult::Printed || r == TakeResult::Reprinted; }

struct TakeRequest {
  std::string service;
  std::string priority = "normal";  // normal | elderly | disabled | pregnant | appointment
  std::string item;                 // the chosen item's id, for its materials list; may be ""
  // A booking's 6-digit code: the ticket comes from checking the booking in (service and
  // priority are the controller's), printed and voided like any other.
  std::string appointment;
};

struct TakeOutcome {
  TakeResult result = TakeResult::KioskFault;
  boost::json::object ticket;  // the controller's ticket, when one was issued
  std::string code;            // the controller's error code, or the printer condition
  std::string message_zh;      // what the citizen is told
  std::string message_en;
  escpos::JobResult print;     // the last print attempt
  int prints = 0;              // print attempts
  std::int64_t took_ms = 0;
};

class TicketDesk {
 public:
  TicketDesk(DeskOptions options, ControllerApi& api, TicketPrinter& printer, Journal& journal);

  TakeOutcome take(const TakeRequest& request);
  // Asks the printer and reports to the controller when the state changed (or always, as a
  // heartbeat). Returns whether the kiosk offers tickets.
  bool check_printer(bool heartbeat);
  // Settles what the journal holds; returns how many entries remain (controller unreachable).
  size_t resolve_pending();
  // Fetches the services (materials, guides) and the centre's name; false if unreachable.
  bool refresh_info();
  // The same from what a caller already read (/api/v1/services' list, /api/v1/hall);
  // empty parts are left as they were.
  void set_info(const boost::json::array& services, const boost::json::object& hall);

  bool accepting() const { return accepting_; }
  const std::string& printer_state() const { return printer_state_; }  // ok, near_end, paper_out, ...
  const Journal& journal() const { return journal_; }
  // The document printed for a ticket (the controller's ticket JSON).
  escpos::TicketData ticket_data(const boost::json::object& ticket, const std::string& item) const;

 private:
  void set_printer(const std::string& state, bool can_print, const std::string& detail, bool force_report);
  std::string new_request_id();
  std::vector<std::uint8_t> encode(const escpos::TicketData& t) const;
  TakeOutcome finish(TakeOutcome o, TakeResult r);
  // Steps of take(). The issue request, retried with the same request id; *maybe_sent: an
  // unanswered attempt may have reached the controller.
  HttpReply issue(const TakeRequest& req, const std::string& request_id, bool* maybe_sent);
  // Drops a settled journal entry (an error is logged).
  void forget(const std::string& request_id);
  // The printer's state after a printed ticket.
  void after_print(const escpos::JobResult& jr);
  // One reprint if the printer recovers within reprint_within; true if it printed.
  bool reprint(const std::vector<std::uint8_t>& job, TakeOutcome& o);
  // A ticket that did not print: stop the kiosk, journal and send the void.
  TakeResult void_unprinted(PendingTicket& p, TakeOutcome& o);

  DeskOptions opt_;
  ControllerApi& api_;
  TicketPrinter& printer_;
  Journal& journal_;
  bool accepting_ = false;
  bool reported_ = false;
  bool reported_accepting_ = false;
  std::string reported_state_;
  std::string printer_state_ = "unknown";
  std::string centre_, complaint_phone_;
  escpos::LayoutOptions layout_;  // the kiosk's own, else the centre's [printing]
  std::string status_url_;
  boost::json::array services_;
  std::uint64_t counter_ = 0;
  std::string boot_tag_;
};

}  // namespace hallq::kiosk
