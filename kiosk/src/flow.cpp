#include "hallq/kiosk/flow.hpp"

#include <boost/json.hpp>

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
  }
  return "idle";
}

namespace {
std::string str(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
bool valid_priority(const std::string& p) {
  return p == "normal" || p == "elderly" || p == "disabled" || p == "pregnant";
}
}  // namespace

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

Expected<std::optional<TakeRequest>, std::string> Flow::on(const FlowEvent& e, const KioskStatus& st, TimePoint now) {
  using R = std::optional<TakeRequest>;
  if (screen_ == Screen::Working) return unexpected(std::string("a ticket is being issued"));
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
      return std::nullopt;
    }
    go(Screen::Working, now);
    return TakeRequest{service_, priority_, item_};
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
    result_["service_name"] = service_name_;
    result_["item_name"] = item_name_;
    result_["priority"] = priority_;
    go(Screen::Done, now);
  } else {
    go(Screen::Error, now);
  }
}

bool Flow::tick(TimePoint now) {
  std::chrono::seconds limit{0};
  switch (screen_) {
    case Screen::Idle:
    case Screen::Working: return false;
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
  if (!result_.empty()) o["result"] = result_;
  std::chrono::seconds limit{0};
  if (screen_ == Screen::Done) limit = opt_.done_after;
  else if (screen_ == Screen::Error) limit = opt_.error_after;
  else if (screen_ != Screen::Idle && screen_ != Screen::Working) limit = opt_.idle_after;
  if (limit.count() > 0)
    o["timeout_s"] = std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(limit - (now - since_)).count());
  return o;
}

}  // namespace hallq::kiosk
