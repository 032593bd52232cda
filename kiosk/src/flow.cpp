#include "hallq/kiosk/flow.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string_view>
#include <utility>

#include "hallq/common/json_fields.hpp"

namespace hallq::kiosk {
namespace json = boost::json;

const char* to_string(Screen s) {
  switch (s) {
    case Screen::Idle: return "idle";
    case Screen::Services: return "services";
    case Screen::Items: return "items";
    case Screen::Materials: return "materials";
    case Screen::Priority: return "priority";
    case Screen::Working: return "working";
    case Screen::Done: return "done";
    case Screen::Error: return "error";
    case Screen::Lookup: return "lookup";
    case Screen::Searching: return "searching";
    case Screen::Progress: return "progress";
    case Screen::Help: return "help";
    case Screen::Complaint: return "complaint";
    case Screen::Sending: return "sending";
    case Screen::Filed: return "filed";
    case Screen::Appointment: return "appointment";
    case Screen::Rating: return "rating";
    case Screen::Rated: return "rated";
  }
  return "idle";
}

namespace {
using json_fields::str;
bool valid_priority(const std::string& p) {
  return p == "normal" || p == "elderly" || p == "disabled" || p == "pregnant";
}
bool all_of(const std::string& s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_number_char(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z'); }
bool is_day_char(char c) { return is_digit(c) || c == '-'; }
bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

// Matches `code` against a ticket_url template, filling {id}, {number}, {day} and {key}.
bool match_template(const std::string& tpl, const std::string& code, std::string* id, std::string* number,
                    std::string* day, std::string* key) {
  size_t ti = 0, ci = 0;
  while (ti < tpl.size()) {
    if (tpl[ti] != '{') {
      if (ci >= code.size() || code[ci] != tpl[ti]) return false;
      ++ti;
      ++ci;
      continue;
    }
    size_t close = tpl.find('}', ti);
    if (close == std::string::npos) return false;
    const std::string name = tpl.substr(ti + 1, close - ti - 1);
    ti = close + 1;
    // The value runs to the next literal character of the template (or the end).
    size_t end = ti < tpl.size() ? code.find(tpl[ti], ci) : code.size();
    if (end == std::string::npos) return false;
    std::string value = code.substr(ci, end - ci);
    ci = end;
    if (name == "id" && all_of(value, is_digit) && value.size() <= 15) *id = value;
    else if (name == "number" && all_of(value, is_number_char)) *number = value;
    else if (name == "day" && all_of(value, is_day_char) && value.size() == 10) *day = value;
    else if (name == "key" && valid_rate_key(value)) *key = value;
    else return false;
  }
  return ci == code.size();
}
// The k parameter of a URL's query ("" if none): a /t/ID URL's rating key.
std::string key_param(const std::string& url) {
  const std::string u = url.substr(0, url.find('#'));
  const size_t q = u.find('?');
  if (q == std::string::npos) return {};
  const std::string qs = u.substr(q + 1);
  for (size_t at = 0; at <= qs.size();) {
    const size_t amp = qs.find('&', at);
    const std::string kv = qs.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    if (kv.rfind("k=", 0) == 0) return kv.substr(2);
    if (amp == std::string::npos) break;
    at = amp + 1;
  }
  return {};
}

// What the citizen reads for a ticket QR of another day that cannot be rated.
json::object other_day_result(const std::string& day) {
  return json::object{{"found", false}, {"code", "other_day"},
                      {"message_zh", "这是 " + day + " 的号票，当日有效，已过期。"},
                      {"message_en", "This ticket was for " + day + "; tickets are valid on their day only."}};
}

// R-EVAL-1: the controller's refusals of a rating, in English (its Chinese comes with them;
// these are the fallback when it does not).
struct RatingRefusal {
  const char* code;
  const char* zh;
  const char* en;
};
constexpr RatingRefusal kRatingRefusals[] = {
    {"wrong_key", "号票二维码无效", "This QR code is not valid for rating this ticket."},
    {"already_rated", "本次服务已评价，一次一评", "This service has already been rated (one rating per service)."},
    {"rating_closed", "已超过评价期限", "The time for rating this service is over."},
    {"wrong_state", "业务尚未办结，办结后再评价", "The service is not finished yet. Please rate it when it is done."},
    {"nothing_to_rate", "该号码没有可评价的服务", "There is no finished service on this ticket to rate."},
};
}  // namespace

bool valid_rate_key(const std::string& key) { return key.size() == 16 && all_of(key, is_lower_hex); }

bool valid_ticket_number(const std::string& n) {
  size_t letters = 0;
  while (letters < n.size() && n[letters] >= 'A' && n[letters] <= 'Z') ++letters;
  const size_t digits = n.size() - letters;
  return letters >= 1 && letters <= 2 && digits >= 1 && digits <= 4 &&
         std::all_of(n.begin() + static_cast<std::ptrdiff_t>(letters), n.end(), is_digit);
}

Expected<ComplaintRequest, std::string> parse_complaint_form(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return unexpected(std::string("the complaint form is a JSON object"));
  const json::object& o = v.as_object();
  for (const auto& [k, x] : o)
    if (k != "categories" && k != "window" && k != "phone") return unexpected("unknown field '" + std::string(k) + "'");
  ComplaintRequest c;
  auto* cats = o.if_contains("categories");
  if (!cats || !cats->is_array() || cats->as_array().empty() || cats->as_array().size() > 7)
    return unexpected(std::string("choose at least one category"));
  for (const auto& x : cats->as_array()) {
    static const char* known[] = {"attitude", "waiting", "efficiency", "materials", "fees", "rules", "other"};
    if (!x.is_string() || std::none_of(std::begin(known), std::end(known), [&](const char* k) { return x.as_string() == k; }))
      return unexpected(std::string("unknown category"));
    if (std::find(c.categories.begin(), c.categories.end(), std::string(x.as_string())) != c.categories.end())
      return unexpected(std::string("a category twice"));
    c.categories.emplace_back(x.as_string());
  }
  if (auto* w = o.if_contains("window")) {
    if (!w->is_int64() || w->as_int64() < 0 || w->as_int64() > 999) return unexpected(std::string("window is a number"));
    c.window = static_cast<int>(w->as_int64());
  }
  if (auto* p = o.if_contains("phone")) {
    if (!p->is_string()) return unexpected(std::string("phone is a string"));
    c.phone = std::string(p->as_string());
    if (!c.phone.empty() && (c.phone.size() < 7 || c.phone.size() > 15 || !all_of(c.phone, is_digit)))
      return unexpected(std::string("phone is 7 to 15 digits"));
  }
  return c;
}

std::optional<ScannedTicket> parse_scanned_ticket(const std::string& code, const std::string& ticket_url) {
  if (code.empty() || code.size() > 512) return std::nullopt;
  ScannedTicket out;
  std::string id, number, day, key;
  if (!ticket_url.empty() && match_template(ticket_url, code, &id, &number, &day, &key) &&
      (!id.empty() || !number.empty())) {
    if (!id.empty()) out.request.id = std::stoll(id);
    else if (valid_ticket_number(number)) out.request.number = number;
    else return std::nullopt;
    out.request.key = key;
    out.day = day;
    return out;
  }
  // Any URL whose path ends in /t/ID: the controller's own progress page, wherever it is.
  if (code.rfind("http://", 0) == 0 || code.rfind("https://", 0) == 0) {
    std::string path = code.substr(0, code.find_first_of("?#"));
    size_t at = path.rfind("/t/");
    if (at == std::string::npos) return std::nullopt;
    std::string tail = path.substr(at + 3);
    if (!all_of(tail, is_digit) || tail.size() > 15) return std::nullopt;
    out.request.id = std::stoll(tail);
    // The rating key of a ticket_url such as …/t/{id}?k={key}, wherever the page is.
    if (std::string k = key_param(code); valid_rate_key(k)) out.request.key = k;
    return out;
  }
  if (valid_ticket_number(code)) {
    out.request.number = code;
    return out;
  }
  return std::nullopt;
}

bool valid_appointment_code(const std::string& code) { return code.size() == 6 && all_of(code, is_digit); }

std::optional<std::string> parse_scanned_appointment(const std::string& code) {
  if (code.rfind("HQA:", 0) != 0 || !valid_appointment_code(code.substr(4))) return std::nullopt;
  return code.substr(4);
}

void Flow::go(Screen s, TimePoint now) {
  screen_ = s;
  since_ = now;
  if (s == Screen::Idle || s == Screen::Services) {
    service_.clear();
    service_name_.clear();
    item_.clear();
    item_name_.clear();
    priority_ = "normal";
    has_items_ = false;
    checking_in_ = false;
    rate_key_.clear();
    scan_day_.clear();
    rate_ticket_ = 0;
    rating_ = false;
    rating_retry_ = false;
    rating_maybe_sent_ = false;
    rating_view_.clear();
  }
  if (s == Screen::Idle) {
    result_.clear();
    elderly_mode_ = false;  // the next citizen starts with the default view
    lang_ = opt_.lang;
  }
}

const json::object* Flow::find_service(const KioskStatus& st, const std::string& id) const {
  for (const auto& v : st.services)
    if (v.is_object() && str(v.as_object(), "id") == id) return &v.as_object();
  return nullptr;
}

std::optional<std::string> Flow::why_not_issuing(const KioskStatus& st, const std::string& service,
                                                 std::string* en) const {
  if (!st.online) {
    *en = "Tickets are not available right now. Please go to the help desk.";
    return "暂停取号，请到咨询台办理。";
  }
  if (!st.accepting) {
    *en = printer_message_en(st.printer);
    return printer_message_zh(st.printer);
  }
  if (const json::object* s = find_service(st, service)) {
    auto* issuing = s->if_contains("issuing");
    if (issuing && issuing->is_bool() && !issuing->as_bool()) {
      std::string zh = str(*s, "closed_reason");
      *en = "This service is not taking tickets now.";
      return zh.empty() ? "该业务暂停取号。" : zh;
    }
  }
  return std::nullopt;
}

// ---- events: one handler per event type, dispatched by Flow::on ----

void Flow::error(const std::string& code, const std::string& zh, const std::string& en, TimePoint now) {
  result_ = json::object{{"code", code}, {"message_zh", zh}, {"message_en", en}};
  go(Screen::Error, now);
}

bool Flow::refuse_unless_issuing(const KioskStatus& st, const std::string& service, bool check_in, TimePoint now) {
  std::string en;
  auto zh = why_not_issuing(st, service, &en);
  if (!zh) return false;
  // A check-in names no service, so only the controller or the printer can stop it.
  const char* code = !st.online ? "controller_unreachable"
                     : check_in || !st.accepting ? "printer_unavailable"
                                                 : "not_issuing";
  error(code, *zh, en, now);
  return true;
}

Expected<bool, std::string> Flow::choose_service(const KioskStatus& st, const std::string& id, TimePoint now) {
  const json::object* s = find_service(st, id);
  if (!s) return unexpected("no service '" + id + "'");
  if (refuse_unless_issuing(st, id, false, now)) return false;
  go(Screen::Services, now);  // clears the earlier selection
  service_ = id;
  service_name_ = str(*s, "name");
  auto* items = s->if_contains("items");
  has_items_ = items && items->is_array() && !items->as_array().empty();
  return true;
}

FlowAction Flow::start_take(const KioskStatus& st, TimePoint now) {
  if (refuse_unless_issuing(st, service_, false, now)) return FlowAction{};
  go(Screen::Working, now);
  return FlowAction{TakeRequest{service_, priority_, item_}, std::nullopt};
}

// R-APPT-1: a booking's code, typed or scanned, becomes its ticket on the desk like any other.
FlowAction Flow::check_in(const KioskStatus& st, const std::string& code, TimePoint now) {
  go(Screen::Services, now);  // clears any choice
  if (refuse_unless_issuing(st, "", true, now)) return FlowAction{};
  checking_in_ = true;
  priority_ = "appointment";
  go(Screen::Working, now);
  return FlowAction{.take = TakeRequest{.priority = "appointment", .appointment = code}};
}

FlowAction Flow::look_up(const KioskStatus& st, const LookupRequest& q, TimePoint now) {
  if (!st.online) {
    error("controller_unreachable", "暂时无法查询，请到咨询台。", "Lookup is not available right now. Please go to the help desk.", now);
    return FlowAction{};
  }
  lookup_day_ = st.day;
  rate_key_ = q.key;  // kept for the rating screen, never in the view
  scan_day_.clear();
  go(Screen::Searching, now);
  FlowAction r;
  r.lookup = q;
  r.lookup->key.clear();  // the lookup itself needs no secret
  return r;
}

Expected<FlowAction, std::string> Flow::on_touch(const FlowEvent&, const KioskStatus&, TimePoint now) {
  if (screen_ == Screen::Idle) go(Screen::Services, now);
  else since_ = now;
  return FlowAction{};
}

Expected<FlowAction, std::string> Flow::on_home(const FlowEvent&, const KioskStatus&, TimePoint now) {
  go(Screen::Idle, now);
  return FlowAction{};
}

Expected<FlowAction, std::string> Flow::on_lang(const FlowEvent& e, const KioskStatus&, TimePoint now) {
  if (e.value != "zh" && e.value != "en") return unexpected(std::string("lang is zh or en"));
  lang_ = e.value;
  since_ = now;
  return FlowAction{};
}

Expected<FlowAction, std::string> Flow::on_elderly(const FlowEvent& e, const KioskStatus&, TimePoint now) {
  if (e.value != "on" && e.value != "off") return unexpected(std::string("elderly is on or off"));
  elderly_mode_ = e.value == "on";
  since_ = now;
  return FlowAction{};
}

Expected<FlowAction, std::string> Flow::on_button(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  // The button panel: one press, one ticket (no screen to choose an item on).
  auto ok = choose_service(st, e.value, now);
  if (!ok) return unexpected(ok.error());
  if (!*ok) return FlowAction{};
  priority_ = "normal";
  return start_take(st, now);
}

Expected<FlowAction, std::string> Flow::on_service(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  if (screen_ != Screen::Services && screen_ != Screen::Idle) return unexpected(std::string("choose a service on the services screen"));
  auto ok = choose_service(st, e.value, now);
  if (!ok) return unexpected(ok.error());
  if (*ok) go(has_items_ ? Screen::Items : Screen::Priority, now);
  return FlowAction{};
}

Expected<FlowAction, std::string> Flow::on_item(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  if (screen_ != Screen::Items) return unexpected(std::string("choose an item on the items screen"));
  if (e.value.empty()) {  // "other matters": no materials list
    item_.clear();
    item_name_.clear();
    go(Screen::Priority, now);
    return FlowAction{};
  }
  const json::object* s = find_service(st, service_);
  auto* items = s ? s->if_contains("items") : nullptr;
  if (items && items->is_array())
    for (const auto& it : items->as_array())
      if (it.is_object() && str(it.as_object(), "id") == e.value) {
        item_ = e.value;
        item_name_ = str(it.as_object(), "name");
        go(Screen::Materials, now);
        return FlowAction{};
      }
  return unexpected("no item '" + e.value + "' in service '" + service_ + "'");
}

Expected<FlowAction, std::string> Flow::on_ok(const FlowEvent&, const KioskStatus&, TimePoint now) {
  if (screen_ != Screen::Materials) return unexpected(std::string("nothing to confirm here"));
  go(Screen::Priority, now);
  return FlowAction{};
}

Expected<FlowAction, std::string> Flow::on_priority(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  if (screen_ != Screen::Priority) return unexpected(std::string("choose the priority on the priority screen"));
  if (!valid_priority(e.value)) return unexpected(std::string("priority is normal, elderly, disabled or pregnant"));
  priority_ = e.value;
  return start_take(st, now);
}

Expected<FlowAction, std::string> Flow::on_open(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  if (e.value != "lookup" && e.value != "complaint" && e.value != "appointment")
    return unexpected(std::string("open lookup, complaint or appointment"));
  if (screen_ != Screen::Idle && screen_ != Screen::Services) return unexpected(std::string("open it from the start screen"));
  go(Screen::Services, now);  // clears any choice
  // Like a service: no code to type while no ticket can be printed.
  if (e.value == "appointment" && refuse_unless_issuing(st, "", true, now)) return FlowAction{};
  go(e.value == "lookup" ? Screen::Lookup : e.value == "complaint" ? Screen::Complaint : Screen::Appointment, now);
  return FlowAction{};
}

Expected<FlowAction, std::string> Flow::on_appointment(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  if (screen_ != Screen::Appointment) return unexpected(std::string("type the code on the appointment screen"));
  if (!valid_appointment_code(e.value)) return unexpected(std::string("a booking code is 6 digits"));
  return check_in(st, e.value, now);
}

Expected<FlowAction, std::string> Flow::on_complaint(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  if (screen_ != Screen::Complaint) return unexpected(std::string("fill in the complaint form first"));
  auto c = parse_complaint_form(e.value);
  if (!c) return unexpected(c.error());
  if (!st.online) {
    error("controller_unreachable", "暂时无法提交投诉，请到咨询台或拨打投诉电话。",
          "Complaints cannot be sent from here right now. Please go to the help desk or call the complaints line.", now);
    return FlowAction{};
  }
  go(Screen::Sending, now);
  FlowAction r;
  r.complaint = std::move(*c);
  return r;
}

Expected<FlowAction, std::string> Flow::on_lookup(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  if (screen_ != Screen::Lookup) return unexpected(std::string("type the number on the lookup screen"));
  if (!valid_ticket_number(e.value)) return unexpected(std::string("a ticket number such as A012"));
  return look_up(st, LookupRequest{0, e.value}, now);
}

Expected<FlowAction, std::string> Flow::on_scan(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  // A scan is an intent of its own: whatever screen the citizen was on, they now ask about it.
  if (auto code = parse_scanned_appointment(e.value)) return check_in(st, *code, now);
  auto q = parse_scanned_ticket(e.value, st.ticket_url);
  go(Screen::Services, now);
  if (!q) {
    error("unknown_code", "无法识别此二维码。请扫描号票上的二维码，或到咨询台咨询。",
          "This code is not recognised. Scan the QR code on your ticket, or ask at the help desk.", now);
    return FlowAction{};
  }
  const bool other_day = !q->day.empty() && !st.day.empty() && q->day != st.day;
  // R-EVAL-1: a QR with its key may rate a service of an earlier day (late ratings mostly
  // come later): it is looked up by id anyway, and unless it turns out rateable (or rated
  // already) the citizen reads the other-day message as before. By number it cannot be:
  // numbers are looked up among today's tickets only.
  if (other_day && (q->request.key.empty() || q->request.id == 0)) {
    result_ = other_day_result(q->day);
    go(Screen::Progress, now);
    return FlowAction{};
  }
  FlowAction r = look_up(st, q->request, now);
  if (other_day && screen_ == Screen::Searching) scan_day_ = q->day;
  return r;
}

Expected<FlowAction, std::string> Flow::on_rate(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  // R-EVAL-1: one level, sent once. The screen moves on to Sending at once, so a double tap
  // (or a second rate event) is refused here and never becomes a second request.
  if (screen_ != Screen::Rating) return unexpected(std::string("rate on the rating screen"));
  if (e.value.size() != 1 || e.value[0] < '1' || e.value[0] > '5') return unexpected(std::string("a level 1 to 5"));
  if (!st.online) {
    rating_error("controller_unreachable", "暂时无法提交评价，请按“返回”再试一次，或到咨询台。",
                 "Your rating cannot be sent right now. Press Back to try again, or go to the help desk.", true, now);
    return FlowAction{};
  }
  go(Screen::Sending, now);
  FlowAction r;
  r.rate = RatingRequest{rate_ticket_, e.value[0] - '0', rate_key_};
  return r;
}

Expected<FlowAction, std::string> Flow::on_help(const FlowEvent&, const KioskStatus& st, TimePoint now) {
  if (!st.online) {
    error("controller_unreachable", "暂时无法呼叫工作人员，请到咨询台。",
          "Staff cannot be called from here right now. Please go to the help desk.", now);
    return FlowAction{};
  }
  if (screen_ == Screen::Help && str(result_, "state") != "failed") {
    since_ = now;  // already called: pressing again changes nothing
    return FlowAction{};
  }
  go(Screen::Services, now);
  go(Screen::Help, now);
  result_ = json::object{{"state", "sending"}};
  FlowAction r;
  r.help = true;
  return r;
}

// Back from an error: the screen the citizen came from when it can be tried again.
void Flow::back_from_error(TimePoint now) {
  if (checking_in_) {
    // A refused check-in (too early, unknown code): the number pad again.
    result_.clear();
    go(Screen::Services, now);
    go(Screen::Appointment, now);
  } else if (rating_ && rating_retry_) {
    // A rating that was not sent or not answered: the five buttons again.
    rating_retry_ = false;
    result_ = rating_view_;
    go(Screen::Rating, now);
  } else if (rating_) {
    go(Screen::Services, now);
  } else {
    go(Screen::Idle, now);
  }
}

Expected<FlowAction, std::string> Flow::on_back(const FlowEvent&, const KioskStatus&, TimePoint now) {
  switch (screen_) {
    case Screen::Services: go(Screen::Idle, now); break;
    case Screen::Items: go(Screen::Services, now); break;
    case Screen::Materials:
      item_.clear();
      item_name_.clear();
      go(Screen::Items, now);
      break;
    case Screen::Priority:
      if (!item_.empty()) go(Screen::Materials, now);
      else if (has_items_) go(Screen::Items, now);
      else go(Screen::Services, now);
      break;
    case Screen::Error: back_from_error(now); break;
    case Screen::Lookup:
    case Screen::Appointment:
    case Screen::Complaint:
    case Screen::Rating:
    case Screen::Rated:
    case Screen::Filed:
    case Screen::Help:
    case Screen::Progress: go(Screen::Services, now); break;
    default: go(Screen::Idle, now); break;
  }
  return FlowAction{};
}

Expected<FlowAction, std::string> Flow::on(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  if (screen_ == Screen::Working) return unexpected(std::string("a ticket is being issued"));
  if (screen_ == Screen::Searching) return unexpected(std::string("a ticket is being looked up"));
  if (screen_ == Screen::Sending) return unexpected(std::string("a complaint is being sent"));
  using Handler = Expected<FlowAction, std::string> (Flow::*)(const FlowEvent&, const KioskStatus&, TimePoint);
  static constexpr std::pair<std::string_view, Handler> handlers[] = {
      {"touch", &Flow::on_touch},       {"home", &Flow::on_home},
      {"lang", &Flow::on_lang},         {"elderly", &Flow::on_elderly},
      {"button", &Flow::on_button},     {"service", &Flow::on_service},
      {"item", &Flow::on_item},         {"ok", &Flow::on_ok},
      {"priority", &Flow::on_priority}, {"open", &Flow::on_open},
      {"appointment", &Flow::on_appointment}, {"complaint", &Flow::on_complaint},
      {"lookup", &Flow::on_lookup},     {"scan", &Flow::on_scan},
      {"rate", &Flow::on_rate},         {"help", &Flow::on_help},
      {"back", &Flow::on_back},
  };
  for (const auto& [type, handler] : handlers)
    if (e.type == type) return (this->*handler)(e, st, now);
  return unexpected("unknown event '" + e.type + "'");
}

void Flow::finish(const TakeOutcome& o, TimePoint now) {
  const std::string number = str(o.ticket, "number");
  result_ = json::object{{"result", to_string(o.result)}, {"code", o.code}, {"message_zh", o.message_zh},
                         {"message_en", o.message_en}};
  if (printed(o.result)) {
    auto num = [&](const char* k) -> std::int64_t {
      auto* v = o.ticket.if_contains(k);
      return v && v->is_int64() ? v->as_int64() : 0;
    };
    result_["number"] = number;
    result_["ahead"] = num("ahead");
    result_["wait_minutes"] = (num("estimated_wait_s") + 59) / 60;
    result_["service_name"] = service_name_.empty() ? str(o.ticket, "service_name") : service_name_;
    result_["item_name"] = item_name_;
    result_["priority"] = priority_;
    go(Screen::Done, now);
  } else {
    go(Screen::Error, now);
  }
}

void Flow::finish_lookup(const LookupOutcome& o, TimePoint now) {
  if (screen_ != Screen::Searching) return;  // the citizen went home meanwhile
  // The QR's key and other day belong to this lookup only; the key stays for a rating.
  const std::string key = std::move(rate_key_);
  const std::string qr_day = std::move(scan_day_);
  rate_key_.clear();
  scan_day_.clear();
  if (o.status == 200) {
    const json::object& t = o.ticket;
    auto num = [&](const char* k) -> std::int64_t {
      auto* v = t.if_contains(k);
      return v && v->is_int64() ? v->as_int64() : 0;
    };
    // R-EVAL-1: a finished service not rated yet, inside its rating period, whatever its day.
    // rating_until is absent when the hall takes no late ratings: then there is nothing to offer.
    const bool done = str(t, "state") == "done";
    auto* rated_v = t.if_contains("rated");
    const bool rated = rated_v && rated_v->is_bool() && rated_v->as_bool();
    const bool unrated = rated_v && rated_v->is_bool() && !rated_v->as_bool();
    const auto until = parse_rfc3339(str(t, "rating_until"));
    const bool open = until && now < *until;
    if (!key.empty() && done && unrated && open && num("id") > 0) {
      rating_ = true;
      rating_retry_ = false;
      rating_maybe_sent_ = false;
      rate_key_ = key;
      rate_ticket_ = num("id");
      rating_view_ = json::object{{"number", str(t, "number")}, {"service", str(t, "service")},
                                  {"service_name", str(t, "service_name")}};
      if (num("window")) rating_view_["window"] = num("window");
      result_ = rating_view_;
      go(Screen::Rating, now);
      return;
    }
    if (!qr_day.empty() && !(!key.empty() && done && rated)) {
      result_ = other_day_result(qr_day);
      go(Screen::Progress, now);
      return;
    }
    result_ = json::object{{"found", true},
                           {"number", str(t, "number")},
                           {"state", str(t, "state")},
                           {"service_name", str(t, "service_name")},
                           {"ahead", num("ahead")},
                           {"wait_minutes", (num("estimated_wait_s") + 59) / 60},
                           {"issued_at", str(t, "issued_at")}};
    if (num("window")) result_["window"] = num("window");
    if (num("target_window")) result_["target_window"] = num("target_window");
    // A ticket of another day is history, whatever its state says.
    std::string issued = str(t, "issued_at");
    result_["today"] = lookup_day_.empty() || issued.substr(0, std::min<size_t>(10, issued.size())) == lookup_day_;
    // To the QR's holder (not to a typed number, which shows progress only): 本次服务已评价,
    // or the rating period is over.
    if (!key.empty() && done) {
      if (rated) result_["rating"] = "rated";
      else if (until && !open) result_["rating"] = "closed";
    }
  } else if (o.status == 404 && !qr_day.empty()) {
    result_ = other_day_result(qr_day);
  } else if (o.status == 404) {
    result_ = json::object{{"found", false}, {"code", "unknown_ticket"},
                           {"message_zh", "今日没有查到该号码，请核对号票。"},
                           {"message_en", "No ticket with this number today. Please check your ticket."}};
  } else {
    result_ = json::object{{"code", o.status == 0 ? "controller_unreachable" : "lookup_failed"},
                           {"message_zh", "暂时无法查询，请到咨询台。"},
                           {"message_en", "Lookup is not available right now. Please go to the help desk."}};
    go(Screen::Error, now);
    return;
  }
  go(Screen::Progress, now);
}

void Flow::finish_help(int status, const json::object& request, TimePoint now) {
  if (screen_ != Screen::Help) return;
  auto* id = request.if_contains("id");
  if (status == 200 && id && id->is_int64()) {
    result_ = json::object{{"state", "open"}, {"id", id->as_int64()}, {"at", str(request, "at")}};
    since_ = now;
    return;
  }
  result_ = json::object{{"code", status == 0 ? "controller_unreachable" : "help_failed"},
                         {"message_zh", "暂时无法呼叫工作人员，请到咨询台。"},
                         {"message_en", "Staff cannot be called from here right now. Please go to the help desk."}};
  go(Screen::Error, now);
}

void Flow::finish_complaint(int status, const json::object& reply, TimePoint now) {
  if (screen_ != Screen::Sending || rating_) return;
  if (status == 201) {
    result_ = json::object{{"id", reply.contains("id") ? reply.at("id") : json::value(nullptr)},
                           {"due", str(reply, "due")},
                           {"phone", str(reply, "phone")}};  // masked by the controller
    go(Screen::Filed, now);
    return;
  }
  result_ = json::object{{"code", status == 0 ? "controller_unreachable" : "complaint_failed"},
                         {"message_zh", "暂时无法提交投诉，请到咨询台或拨打投诉电话。"},
                         {"message_en", "Complaints cannot be sent from here right now. Please go to the help desk or call the complaints line."}};
  go(Screen::Error, now);
}

void Flow::rating_error(const std::string& code, const std::string& zh, const std::string& en, bool retry,
                        TimePoint now) {
  result_ = json::object{{"code", code}, {"message_zh", zh}, {"message_en", en}};
  rating_retry_ = retry;
  if (!retry) rate_key_.clear();  // decided: the key has done its work
  go(Screen::Error, now);
}

void Flow::finish_rating(const RatingOutcome& o, TimePoint now) {
  if (screen_ != Screen::Sending || !rating_) return;
  // Decided: one retry (the daemon's, after no answer, or the citizen's after 返回) that meets
  // already_rated means an earlier attempt of this kiosk was recorded — thanks, not a refusal.
  // (Another channel rating in the same seconds would read the same; either way the service
  // has its one rating, 一次一评.) The level is then not shown: it may not be this press's.
  const bool earlier = o.maybe_sent || rating_maybe_sent_;
  const bool recorded = o.status == 201 || (o.status == 409 && o.code == "already_rated" && earlier);
  if (recorded) {
    result_ = json::object{{"number", rating_view_.contains("number") ? rating_view_.at("number") : json::value("")}};
    if (o.status == 201) {
      if (auto* l = o.reply.if_contains("level"); l && l->is_int64()) result_["level"] = l->as_int64();
      result_["label"] = str(o.reply, "label");
    }
    rate_key_.clear();
    rating_retry_ = false;
    go(Screen::Rated, now);
    return;
  }
  rating_maybe_sent_ = rating_maybe_sent_ || o.maybe_sent;
  // No answer, or the controller could not take it now: nothing was decided; 返回 tries again.
  if (o.status == 0 || o.status >= 500 || o.status == 429) {
    rating_error(o.status == 0 ? "controller_unreachable" : "rating_failed",
                 "暂时无法提交评价，请按“返回”再试一次，或到咨询台。",
                 "Your rating could not be sent. Press Back to try again, or go to the help desk.", true, now);
    return;
  }
  // A refusal: the controller's words (wrong key, already rated, period over, ...).
  std::string zh = o.message_zh, en = "Your rating was not accepted. Please ask at the help desk.";
  for (const auto& r : kRatingRefusals)
    if (o.code == r.code) {
      if (zh.empty()) zh = r.zh;
      en = r.en;
    }
  if (zh.empty()) zh = "评价未被受理，请到咨询台咨询。";
  rating_error(o.code.empty() ? "rating_refused" : o.code, zh, en, false, now);
}

void Flow::help_answered(std::int64_t id) {
  if (screen_ != Screen::Help || str(result_, "state") != "open") return;
  auto* v = result_.if_contains("id");
  if (v && v->is_int64() && v->as_int64() == id) result_["state"] = "answered";
}

bool Flow::tick(TimePoint now) {
  std::chrono::seconds limit{0};
  switch (screen_) {
    case Screen::Idle:
    case Screen::Searching:
    case Screen::Sending:
    case Screen::Working: return false;
    case Screen::Filed:
    case Screen::Progress:
    case Screen::Rated:
    case Screen::Done: limit = opt_.done_after; break;
    case Screen::Error: limit = opt_.error_after; break;
    default: limit = opt_.idle_after; break;
  }
  if (now - since_ < limit) return false;
  go(Screen::Idle, now);
  return true;
}

json::object Flow::to_json(TimePoint now) const {
  json::object o{{"screen", to_string(screen_)}, {"lang", lang_}, {"elderly_mode", elderly_mode_}};
  if (!service_.empty()) o["service"] = json::object{{"id", service_}, {"name", service_name_}};
  if (!item_.empty()) o["item"] = json::object{{"id", item_}, {"name", item_name_}};
  o["priority"] = priority_;
  if (checking_in_) o["check_in"] = true;
  if (rating_) o["rating"] = true;  // R-EVAL-1: the page offers 返回 on a refusal
  if (!result_.empty()) o["result"] = result_;
  std::chrono::seconds limit{0};
  if (screen_ == Screen::Done || screen_ == Screen::Progress || screen_ == Screen::Filed || screen_ == Screen::Rated)
    limit = opt_.done_after;
  else if (screen_ == Screen::Error) limit = opt_.error_after;
  else if (screen_ != Screen::Idle && screen_ != Screen::Working && screen_ != Screen::Searching &&
           screen_ != Screen::Sending)
    limit = opt_.idle_after;
  if (limit.count() > 0)
    o["timeout_s"] = std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(limit - (now - since_)).count());
  return o;
}

}  // namespace hallq::kiosk
