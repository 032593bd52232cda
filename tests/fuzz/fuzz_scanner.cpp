// libFuzzer: the kiosk's scanner input, from key events to what the flow does with a code.
//   byte 0  the hall's [printing] ticket_url (one of kTicketUrls) and the screen the citizen is
//           on when the code comes (bits 2-4, one of kBefore)
//   byte 1  the decoder's length limit (bit 7 set: 512 as the kiosk has it; else 4..131)
//   byte 2  bit 0: events mode; else text mode
//   events: the rest in threes, one evdev event each: key code, then bits 0-1 the value (up,
//           down, autorepeat, other) and bit 2 a type other than EV_KEY, then the time since the
//           last event in 4 ms steps (the decoder drops a code after a 500 ms pause)
//   text:   the rest is what a scanner reads; it is typed as a scanner types it (scanner_events)
//           in one burst
// Every scan that comes out goes to the parsers (parse_scanned_appointment,
// parse_scanned_ticket) and to a Flow as a "scan" event; a lookup it starts is answered with a
// finished, unrated ticket, and a rating screen is pressed.
// Invariants: never crashes; a scan is printable ASCII within the limit (overlong: empty); text
// typed in one burst comes out as itself (less what the keymap cannot type); what a parser
// accepts is well-formed (6 digits; an id or a valid number; a key of 16 lowercase hex digits,
// which never shows in the flow's view and goes only with the rating of the ticket it came with);
// an event the flow refuses changes nothing.
#include <linux/input.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "hallq/common/time.hpp"
#include "hallq/kiosk/flow.hpp"
#include "hallq/kiosk/scanner.hpp"

using namespace hallq;
using namespace hallq::kiosk;
namespace json = boost::json;

namespace {

const char* const kTicketUrls[] = {
    "http://192.168.1.10:8080/t/{id}?k={key}",  // the example hall's
    "",                                         // no QR template: any /t/ID URL or a number
    "https://hall.example/q/{day}/{number}",
    "{number}|{id}|{key}",
};
// Events that put the flow on a screen before the scan.
const std::vector<FlowEvent> kBefore[] = {
    {},
    {{"touch", ""}},
    {{"touch", ""}, {"open", "lookup"}},
    {{"touch", ""}, {"service", "minzheng"}},
    {{"touch", ""}, {"open", "appointment"}},
    {{"touch", ""}, {"service", "minzheng"}, {"priority", "normal"}},  // Working: scans are refused
    {{"touch", ""}, {"open", "complaint"}},
    {{"touch", ""}, {"help", ""}},
};

KioskStatus hall_status(const std::string& ticket_url) {
  KioskStatus st;
  st.online = true;
  st.accepting = true;
  st.printer = "ok";
  st.centre = "青溪镇便民服务中心";
  st.day = "2026-03-02";
  st.ticket_url = ticket_url;
  st.services = json::array{json::object{{"id", "minzheng"}, {"name", "民政救助"}, {"prefix", "A"},
                                         {"waiting", 3}, {"issuing", true}, {"items", json::array{}}}};
  return st;
}

bool printable(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// A flow event that must either be taken or change nothing.
Expected<FlowAction, std::string> apply(Flow& flow, const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  const std::string before = json::serialize(flow.to_json(now));
  const Screen screen = flow.screen();
  auto r = flow.on(e, st, now);
  if (!r && (flow.screen() != screen || json::serialize(flow.to_json(now)) != before)) std::abort();
  return r;
}

void check_scan(const Scan& scan, std::size_t max, std::uint8_t setup, TimePoint now) {
  if (!printable(scan.text) || scan.text.size() > max) std::abort();
  if (scan.overlong && !scan.text.empty()) std::abort();
  if (scan.unmapped < 0) std::abort();

  if (auto code = parse_scanned_appointment(scan.text)) {
    if (!valid_appointment_code(*code) || scan.text != "HQA:" + *code) std::abort();
  }
  const std::string ticket_url = kTicketUrls[setup % 4];
  const auto ticket = parse_scanned_ticket(scan.text, ticket_url);
  if (ticket) {
    const LookupRequest& q = ticket->request;
    if (q.id < 0 || (!q.number.empty() && !valid_ticket_number(q.number))) std::abort();
    if (!q.key.empty() && !valid_rate_key(q.key)) std::abort();
  }

  const KioskStatus st = hall_status(ticket_url);
  Flow flow;
  for (const FlowEvent& e : kBefore[(setup >> 2) % 8]) (void)apply(flow, e, st, now);
  auto r = apply(flow, FlowEvent{"scan", scan.overlong ? std::string() : scan.text}, st, now);
  if (!r) return;
  const std::string key = ticket ? ticket->request.key : std::string();
  if (!key.empty() && json::serialize(flow.to_json(now)).find(key) != std::string::npos) std::abort();
  if (!r->lookup) return;
  if (flow.screen() != Screen::Searching || !r->lookup->key.empty()) std::abort();  // the lookup goes without it

  // The controller finds it finished and not rated yet, inside its rating period.
  LookupOutcome found;
  found.status = 200;
  const std::int64_t id = r->lookup->id > 0 ? r->lookup->id : 7;
  found.ticket = json::object{{"id", id}, {"number", "A012"}, {"state", "done"}, {"rated", false},
                              {"service", "minzheng"}, {"service_name", "民政救助"}, {"window", 1},
                              {"issued_at", "2026-03-02T09:12:00.000+08:00"},
                              {"rating_until", "2026-03-05T09:30:00.000+08:00"}};
  flow.finish_lookup(found, now);
  if (!key.empty() && json::serialize(flow.to_json(now)).find(key) != std::string::npos) std::abort();
  if (flow.screen() != Screen::Rating) {
    if (!key.empty() && r->lookup->id > 0 && ticket && ticket->day.empty()) std::abort();  // a keyed QR rates
    return;
  }
  if (key.empty()) std::abort();  // a typed number or a QR without its key never rates
  auto rated = apply(flow, FlowEvent{"rate", "4"}, st, now);
  if (!rated || !rated->rate || rated->rate->key != key || rated->rate->ticket != id || rated->rate->level != 4)
    std::abort();
  if (apply(flow, FlowEvent{"rate", "4"}, st, now)) std::abort();  // one press, one rating
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint8_t setup = data[0];
  const std::size_t max = data[1] & 0x80 ? 512 : 4 + (data[1] & 0x7f);
  const bool events_mode = data[2] & 1;
  std::span<const std::uint8_t> in(data + 3, size - 3);
  static const TimePoint now = *parse_rfc3339("2026-03-02T10:00:00+08:00");

  ScanDecoder decoder(max);
  ScanDecoder::Clock::time_point t{std::chrono::seconds{1000}};
  std::vector<Scan> scans;
  if (events_mode) {
    for (std::size_t i = 0; i + 3 <= in.size(); i += 3) {
      input_event e{};
      e.code = in[i];
      e.type = in[i + 1] & 4 ? (in[i + 1] & 8 ? EV_MSC : EV_SYN) : EV_KEY;
      const int value = in[i + 1] & 3;
      e.value = value == 3 ? static_cast<int>(in[i + 1] >> 4) + 3 : value;
      t += std::chrono::milliseconds{4 * in[i + 2]};
      if (auto s = decoder.feed(e, t)) scans.push_back(std::move(*s));
    }
  } else {
    const std::string text(in.begin(), in.end());
    std::string typable;
    for (char c : text)
      if (c == ' ' || (c > 0x20 && c < 0x7f)) typable += c;  // the US keymap types all of printable ASCII
    std::size_t found = 0;
    for (const input_event& e : scanner_events(text)) {
      t += std::chrono::milliseconds{2};
      if (auto s = decoder.feed(e, t)) {
        ++found;
        const bool fits = typable.size() <= max;
        if (s->overlong == fits || (fits && s->text != typable) || s->unmapped != 0) std::abort();
        scans.push_back(std::move(*s));
      }
    }
    if (found != (typable.empty() ? 0u : 1u)) std::abort();  // a lone Enter is no scan
  }
  for (const Scan& s : scans) check_scan(s, max, setup, now);
  return 0;
}
