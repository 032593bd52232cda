#include "hallq/kiosk/flow.hpp"

#include <boost/json.hpp>

#include <algorithm>

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

// Matches `code` against a ticket_url template, filling {id}, {number} and {day}.
bool match_template(const std::string& tpl, const std::string& code, std::string* id, std::string* number,
                    std::string* day) {
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
    else return false;
  }
  return ci == code.size();
}
}  // namespace

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
  std::string id, number, day;
  if (!ticket_url.empty() && match_template(ticket_url, code, &id, &number, &day) && (!id.empty() || !number.empty())) {
    if (!id.empty()) out.request.id = std::stoll(id);
    else if (valid_ticket_number(number)) out.request.number = number;
    else return std::nullopt;
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

Expected<FlowAction, std::string> Flow::on(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  using R = FlowAction;
  if (screen_ == Screen::Working) return unexpected(std::string("a ticket is being issued"));
  if (screen_ == Screen::Searching) return unexpected(std::string("a ticket is being looked up"));
  if (screen_ == Screen::Sending) return unexpected(std::string("a complaint is being sent"));
  auto error = [&](const std::string& code, const std::string& zh, const std::string& en) {
    result_ = json::object{{"code", code}, {"message_zh", zh}, {"message_en", en}};
    go(Screen::Error, now);
  };
  auto choose_service = [&](const std::string& id) -> Expected<bool, std::string> {
    const json::object* s = find_service(st, id);
    if (!s) return unexpected("no service '" + id + "'");
    std::string en;
    if (auto zh = why_not_issuing(st, id, &en)) {
      error(!st.online ? "controller_unreachable" : !st.accepting ? "printer_unavailable" : "not_issuing", *zh, en);
      return false;
    }
    go(Screen::Services, now);  // clears the earlier selection
    service_ = id;
    service_name_ = str(*s, "name");
    auto* items = s->if_contains("items");
    has_items_ = items && items->is_array() && !items->as_array().empty();
    return true;
  };
  auto start = [&]() -> R {
    std::string en;
    if (auto zh = why_not_issuing(st, service_, &en)) {
      error(!st.online ? "controller_unreachable" : !st.accepting ? "printer_unavailable" : "not_issuing", *zh, en);
      return R{};
    }
    go(Screen::Working, now);
    return R{TakeRequest{service_, priority_, item_}, std::nullopt};
  };
  // R-APPT-1: a booking's code, typed or scanned, becomes its ticket on the desk like any other.
  auto check_in = [&](const std::string& code) -> R {
    go(Screen::Services, now);  // clears any choice
    std::string en;
    if (auto zh = why_not_issuing(st, "", &en)) {
      error(!st.online ? "controller_unreachable" : "printer_unavailable", *zh, en);
      return R{};
    }
    checking_in_ = true;
    priority_ = "appointment";
    go(Screen::Working, now);
    return R{.take = TakeRequest{.priority = "appointment", .appointment = code}};
  };
  auto look_up = [&](const LookupRequest& q) -> R {
    if (!st.online) {
      error("controller_unreachable", "暂时无法查询，请到咨询台。", "Lookup is not available right now. Please go to the help desk.");
      return R{};
    }
    lookup_day_ = st.day;
    go(Screen::Searching, now);
    return R{std::nullopt, q};
  };

  const std::string& t = e.type;
  if (t == "touch") {
    if (screen_ == Screen::Idle) go(Screen::Services, now);
    else since_ = now;
    return R{};
  }
  if (t == "home") {
    go(Screen::Idle, now);
    return R{};
  }
  if (t == "lang") {
    if (e.value != "zh" && e.value != "en") return unexpected(std::string("lang is zh or en"));
    lang_ = e.value;
    since_ = now;
    return R{};
  }
  if (t == "elderly") {
    if (e.value != "on" && e.value != "off") return unexpected(std::string("elderly is on or off"));
    elderly_mode_ = e.value == "on";
    since_ = now;
    return R{};
  }
  if (t == "button") {
    // The button panel: one press, one ticket (no screen to choose an item on).
    auto ok = choose_service(e.value);
    if (!ok) return unexpected(ok.error());
    if (!*ok) return R{};
    priority_ = "normal";
    return start();
  }
  if (t == "service") {
    if (screen_ != Screen::Services && screen_ != Screen::Idle) return unexpected(std::string("choose a service on the services screen"));
    auto ok = choose_service(e.value);
    if (!ok) return unexpected(ok.error());
    if (*ok) go(has_items_ ? Screen::Items : Screen::Priority, now);
    return R{};
  }
  if (t == "item") {
    if (screen_ != Screen::Items) return unexpected(std::string("choose an item on the items screen"));
    if (e.value.empty()) {  // "other matters": no materials list
      item_.clear();
      item_name_.clear();
      go(Screen::Priority, now);
      return R{};
    }
    const json::object* s = find_service(st, service_);
    auto* items = s ? s->if_contains("items") : nullptr;
    if (items && items->is_array())
      for (const auto& it : items->as_array())
        if (it.is_object() && str(it.as_object(), "id") == e.value) {
          item_ = e.value;
          item_name_ = str(it.as_object(), "name");
          go(Screen::Materials, now);
          return R{};
        }
    return unexpected("no item '" + e.value + "' in service '" + service_ + "'");
  }
  if (t == "ok") {
    if (screen_ != Screen::Materials) return unexpected(std::string("nothing to confirm here"));
    go(Screen::Priority, now);
    return R{};
  }
  if (t == "priority") {
    if (screen_ != Screen::Priority) return unexpected(std::string("choose the priority on the priority screen"));
    if (!valid_priority(e.value)) return unexpected(std::string("priority is normal, elderly, disabled or pregnant"));
    priority_ = e.value;
    return start();
  }
  if (t == "open") {
    if (e.value != "lookup" && e.value != "complaint" && e.value != "appointment")
      return unexpected(std::string("open lookup, complaint or appointment"));
    if (screen_ != Screen::Idle && screen_ != Screen::Services) return unexpected(std::string("open it from the start screen"));
    go(Screen::Services, now);  // clears any choice
    if (e.value == "appointment") {
      // Like a service: no code to type while no ticket can be printed.
      std::string en;
      if (auto zh = why_not_issuing(st, "", &en)) {
        error(!st.online ? "controller_unreachable" : "printer_unavailable", *zh, en);
        return R{};
      }
    }
    go(e.value == "lookup" ? Screen::Lookup : e.value == "complaint" ? Screen::Complaint : Screen::Appointment, now);
    return R{};
  }
  if (t == "appointment") {
    if (screen_ != Screen::Appointment) return unexpected(std::string("type the code on the appointment screen"));
    if (!valid_appointment_code(e.value)) return unexpected(std::string("a booking code is 6 digits"));
    return check_in(e.value);
  }
  if (t == "complaint") {
    if (screen_ != Screen::Complaint) return unexpected(std::string("fill in the complaint form first"));
    auto c = parse_complaint_form(e.value);
    if (!c) return unexpected(c.error());
    if (!st.online) {
      error("controller_unreachable", "暂时无法提交投诉，请到咨询台或拨打投诉电话。",
            "Complaints cannot be sent from here right now. Please go to the help desk or call the complaints line.");
      return R{};
    }
    go(Screen::Sending, now);
    R r;
    r.complaint = std::move(*c);
    return r;
  }
  if (t == "lookup") {
    if (screen_ != Screen::Lookup) return unexpected(std::string("type the number on the lookup screen"));
    if (!valid_ticket_number(e.value)) return unexpected(std::string("a ticket number such as A012"));
    return look_up(LookupRequest{0, e.value});
  }
  if (t == "scan") {
    // A scan is an intent of its own: whatever screen the citizen was on, they now ask about it.
    if (auto code = parse_scanned_appointment(e.value)) return check_in(*code);
    auto q = parse_scanned_ticket(e.value, st.ticket_url);
    go(Screen::Services, now);
    if (!q) {
      error("unknown_code", "无法识别此二维码。请扫描号票上的二维码，或到咨询台咨询。",
            "This code is not recognised. Scan the QR code on your ticket, or ask at the help desk.");
      return R{};
    }
    if (!q->day.empty() && !st.day.empty() && q->day != st.day) {
      result_ = json::object{{"found", false}, {"code", "other_day"},
                             {"message_zh", "这是 " + q->day + " 的号票，当日有效，已过期。"},
                             {"message_en", "This ticket was for " + q->day + "; tickets are valid on their day only."}};
      go(Screen::Progress, now);
      return R{};
    }
    return look_up(q->request);
  }
  if (t == "help") {
    if (!st.online) {
      error("controller_unreachable", "暂时无法呼叫工作人员，请到咨询台。",
            "Staff cannot be called from here right now. Please go to the help desk.");
      return R{};
    }
    if (screen_ == Screen::Help && str(result_, "state") != "failed") {
      since_ = now;  // already called: pressing again changes nothing
      return R{};
    }
    go(Screen::Services, now);
    go(Screen::Help, now);
    result_ = json::object{{"state", "sending"}};
    R r;
    r.help = true;
    return r;
  }
  if (t == "back") {
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
      case Screen::Error:
        // A refused check-in (too early, unknown code): the number pad again.
        if (checking_in_) {
          result_.clear();
          go(Screen::Services, now);
          go(Screen::Appointment, now);
        } else {
          go(Screen::Idle, now);
        }
        break;
      case Screen::Lookup:
      case Screen::Appointment:
      case Screen::Complaint:
      case Screen::Filed:
      case Screen::Help:
      case Screen::Progress: go(Screen::Services, now); break;
      default: go(Screen::Idle, now); break;
    }
    return R{};
  }
  return unexpected("unknown event '" + t + "'");
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
  if (o.status == 200) {
    const json::object& t = o.ticket;
    auto num = [&](const char* k) -> std::int64_t {
      auto* v = t.if_contains(k);
      return v && v->is_int64() ? v->as_int64() : 0;
    };
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
  if (screen_ != Screen::Sending) return;
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
  if (!result_.empty()) o["result"] = result_;
  std::chrono::seconds limit{0};
  if (screen_ == Screen::Done || screen_ == Screen::Progress || screen_ == Screen::Filed) limit = opt_.done_after;
  else if (screen_ == Screen::Error) limit = opt_.error_after;
  else if (screen_ != Screen::Idle && screen_ != Screen::Working && screen_ != Screen::Searching &&
           screen_ != Screen::Sending)
    limit = opt_.idle_after;
  if (limit.count() > 0)
    o["timeout_s"] = std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(limit - (now - since_)).count());
  return o;
}

}  // namespace hallq::kiosk
