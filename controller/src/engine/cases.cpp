// The case register's part of the engine (cases.hpp): registering a case, what clerks do to it
// afterwards, notices printed for it, and the enquiry log. Same contract as the queue: decide
// validates and makes events, apply changes state and is what a replay runs.
#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "hallq/controller/engine.hpp"
#include "errors.hpp"
#include "hallq/common/enum_names.hpp"
#include "rows.hpp"

// The stable names of a case's type and state, in events, rows and the API.
namespace hallq {
template <>
struct EnumNames<engine::CaseType> {
  static constexpr std::array<std::pair<engine::CaseType, std::string_view>, 7> table{{
      {engine::CaseType::Immediate, "immediate"},
      {engine::CaseType::Promised, "promised"},
      {engine::CaseType::Escalated, "escalated"},
      {engine::CaseType::Joint, "joint"},
      {engine::CaseType::Supplement, "supplement"},
      {engine::CaseType::Returned, "returned"},
      {engine::CaseType::Agency, "agency"},
  }};
};
template <>
struct EnumNames<engine::CaseState> {
  static constexpr std::array<std::pair<engine::CaseState, std::string_view>, 5> table{{
      {engine::CaseState::Open, "open"},
      {engine::CaseState::AwaitingMaterials, "awaiting_materials"},
      {engine::CaseState::Suspended, "suspended"},
      {engine::CaseState::Done, "done"},
      {engine::CaseState::Returned, "returned"},
  }};
};
static_assert(enum_names_complete<engine::CaseType>() && enum_names_complete<engine::CaseState>());
}  // namespace hallq

namespace hallq::engine {
namespace json = boost::json;

namespace {

json::value date_json(const std::optional<Date>& d) { return d ? json::value(format_date(*d)) : json::value(nullptr); }

bool needs_deadline(CaseType t) {
  return t == CaseType::Promised || t == CaseType::Escalated || t == CaseType::Joint || t == CaseType::Agency ||
         t == CaseType::Supplement;
}

const ServiceItem* find_item(const HallConfig& cfg, const std::string& id, const ServiceConfig** service) {
  for (const auto& s : cfg.services)
    for (const auto& it : s.items)
      if (it.id == id) {
        if (service) *service = &s;
        return &it;
      }
  return nullptr;
}

constexpr size_t kMaxText = 500;

}  // namespace

const char* to_string(CaseType v) { return enum_name(v, "immediate").data(); }

const char* label_zh(CaseType t) {
  switch (t) {
    case CaseType::Immediate: return "即办件";
    case CaseType::Promised: return "承诺件";
    case CaseType::Escalated: return "上报件";
    case CaseType::Joint: return "联办件";
    case CaseType::Supplement: return "补办件";
    case CaseType::Returned: return "退回件";
    case CaseType::Agency: return "委托代办";
  }
  return "";
}

std::optional<CaseState> parse_case_state(std::string_view s) { return parse_enum<CaseState>(s); }

json::object sealed_to_json(const Sealed& s) { return json::object{{"masked", s.masked}, {"sealed", s.sealed}}; }

Sealed sealed_from_json(const json::value* v) {
  Sealed s;
  if (v && v->is_object()) {
    s.masked = get_s(v->as_object(), "masked");
    s.sealed = get_s(v->as_object(), "sealed");
  }
  return s;
}

std::optional<CaseType> parse_case_type(std::string_view s) { return parse_enum<CaseType>(s); }

const char* to_string(CaseState v) { return enum_name(v, "open").data(); }

const char* label_zh(CaseState s) {
  switch (s) {
    case CaseState::Open: return "办理中";
    case CaseState::AwaitingMaterials: return "待补正";
    case CaseState::Suspended: return "挂起";
    case CaseState::Done: return "已办结";
    case CaseState::Returned: return "已退回";
  }
  return "";
}

bool Case::live() const {
  if (state == CaseState::Open || state == CaseState::AwaitingMaterials || state == CaseState::Suspended) return true;
  return state == CaseState::Done && needs_notice() && !notified_at;
}

Case* Engine::case_mut(CaseId id) {
  auto it = cases_.find(id);
  return it == cases_.end() ? nullptr : &it->second;
}

const Case* Engine::find_case(CaseId id) const {
  auto it = cases_.find(id);
  return it == cases_.end() ? nullptr : &it->second;
}

bool Engine::case_clerk(const Case& c, const std::string& clerk) const {
  if (clerk == c.clerk || (!c.handler.empty() && clerk == c.handler)) return true;
  const WindowConfig* wc = config_.find_window(c.window);
  return wc && (clerk == wc->clerk_a || clerk == wc->clerk_b);
}

bool Engine::may_act_on(const Case& c, const Actor& actor) const {
  return actor.kind == Actor::Kind::Manager || (actor.kind == Actor::Kind::Clerk && case_clerk(c, actor.id));
}

Expected<Event, Error> Engine::register_event(const CaseInput& in, int window, const Ticket* ticket,
                                              const Unregistered* done, const Actor& actor, TimePoint now) {
  const ServiceConfig* svc = nullptr;
  const ServiceItem* item = find_item(config_, in.item, &svc);
  if (!item) return unexpected(err(Errc::InvalidArgument, "no service item '" + in.item + "'", "没有该事项"));
  if (in.applicant.masked.empty())
    return unexpected(err(Errc::InvalidArgument, "give the applicant's name", "请填写申请人姓名"));
  auto check_list = [&](const std::vector<std::string>& list, const char* what) -> std::optional<Error> {
    std::set<std::string> seen;
    for (const auto& m : list) {
      if (std::find(item->materials.begin(), item->materials.end(), m) == item->materials.end())
        return err(Errc::InvalidArgument, std::string(what) + ": '" + m + "' is not a material of " + item->name,
                   "材料“" + m + "”不在该事项的材料清单中");
      if (!seen.insert(m).second)
        return err(Errc::InvalidArgument, std::string(what) + ": '" + m + "' is listed twice", "材料“" + m + "”重复");
    }
    return std::nullopt;
  };
  if (auto e = check_list(in.received, "received")) return unexpected(*e);
  if (auto e = check_list(in.missing, "missing")) return unexpected(*e);
  for (const auto& m : in.missing)
    if (std::find(in.received.begin(), in.received.end(), m) != in.received.end())
      return unexpected(err(Errc::InvalidArgument, "'" + m + "' is both received and missing", "材料“" + m + "”不能既已收取又缺少"));
  if (in.type == CaseType::Supplement && in.missing.empty())
    return unexpected(err(Errc::InvalidArgument, "a supplement case lists every missing material (R-ONCE-2)",
                          "补办件须列明全部缺少的材料（一次性告知）"));
  if (in.type != CaseType::Supplement && !in.missing.empty())
    return unexpected(err(Errc::InvalidArgument, "materials are missing: register a supplement case (补办件)",
                          "材料不全，请登记为补办件并出具一次性告知书"));
  if (in.type == CaseType::Returned && in.reason.empty())
    return unexpected(err(Errc::InvalidArgument, "a returned case needs the written reason (R-CASE-5)", "退回件须写明退回理由"));
  if (in.reason.size() > kMaxText || in.note.size() > kMaxText)
    return unexpected(err(Errc::InvalidArgument, "reason and note are at most 500 bytes", "理由或备注过长"));
  if (in.time_limit_days < 0 || in.time_limit_days > 365)
    return unexpected(err(Errc::InvalidArgument, "time_limit_days is 0..365", "承诺时限应为 0 至 365 个工作日"));
  const int limit = in.time_limit_days > 0 ? in.time_limit_days : item->time_limit_days;
  if (needs_deadline(in.type) && in.type != CaseType::Supplement && limit <= 0)
    return unexpected(err(Errc::InvalidArgument, item->name + " is an immediate item: give time_limit_days for a " + label_zh(in.type),
                          item->name + "为即办事项，登记为" + label_zh(in.type) + "须填写承诺时限"));
  std::vector<int> parts;
  if (in.type == CaseType::Joint) {
    if (in.participants.empty())
      return unexpected(err(Errc::InvalidArgument, "a joint case names its participating windows (R-CASE-4)", "联办件须选择协办窗口"));
    std::set<int> seen;
    for (int w : in.participants) {
      if (!config_.find_window(w)) return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(w), "没有该窗口"));
      if (w == window) return unexpected(err(Errc::InvalidArgument, "the lead window is not its own participant", "牵头窗口不能同时为协办窗口"));
      if (!seen.insert(w).second) return unexpected(err(Errc::InvalidArgument, "window " + std::to_string(w) + " is listed twice", "协办窗口重复"));
      parts.push_back(w);
    }
  } else if (!in.participants.empty()) {
    return unexpected(err(Errc::InvalidArgument, "participating windows are for joint cases", "仅联办件可选择协办窗口"));
  }

  const Date today = tz_.to_local(now).date;
  const std::string day = format_date(today);
  const int count = case_day_ == day ? case_day_count_ + 1 : 1;
  char no[40];
  std::snprintf(no, sizeof no, "%04d%02u%02u-%03d", static_cast<int>(today.year()), static_cast<unsigned>(today.month()),
                static_cast<unsigned>(today.day()), count);
  events::CaseRegistered d{.case_ = next_case_id_,
                           .no = no,
                           .seqno = count,
                           .type = to_string(in.type),
                           .service = svc->id,
                           .item = item->id,
                           .item_name = item->name,
                           .ticket = ticket ? ticket->id : done ? done->ticket : 0,
                           .number = ticket ? ticket->number : done ? done->number : std::string(),
                           .clerk = actor.id,
                           .applicant = in.applicant,
                           .phone = in.phone,
                           .id_number = in.id_number,
                           .received = today,
                           .received_materials = in.received,
                           .missing = in.missing,
                           .time_limit_days = in.type == CaseType::Immediate || in.type == CaseType::Returned ? 0 : limit,
                           .participants = std::move(parts),
                           .reason = in.reason,
                           .note = in.note};
  const std::string first = ticket ? ticket->first_clerk : std::string();
  if (!first.empty() && first != actor.id) d.first_clerk = first;
  CaseState state = CaseState::Open;
  if (in.type == CaseType::Immediate) state = CaseState::Done;
  if (in.type == CaseType::Returned) state = CaseState::Returned;
  if (in.type == CaseType::Supplement) state = CaseState::AwaitingMaterials;
  d.state = to_string(state);
  if (state == CaseState::Open) {
    // R-TIME-1: the day of receipt is not counted.
    const Date deadline = deadline_for(today, limit);
    d.clock_start = today;
    d.deadline = deadline;
    d.provisional = !calendar_.covers(today) || !calendar_.covers(deadline);
  }
  return make_event(actor, window, now, std::move(d));
}

Engine::Decision Engine::decide(const RegisterCase& cmd, const Actor& actor, TimePoint now, Reply& reply) {
  const RegisterCase* c = &cmd;
  auto w = clerk_window(c->window, actor);
  if (!w) return unexpected(w.error());
  const Unregistered* done = nullptr;
  Unregistered second;
  if (c->ticket) {
    auto it = unregistered_.find(c->ticket);
    if (it != unregistered_.end()) {
      if (it->second.window != c->window)
        return unexpected(err(Errc::NotYourTicket, "the ticket was finished at window " + std::to_string(it->second.window),
                              "该号码在 " + std::to_string(it->second.window) + " 号窗口办结"));
      done = &it->second;
    } else if ((*w)->last_finished == c->ticket) {
      // Another matter of the citizen just served: a second case for the same ticket.
      second = Unregistered{c->ticket, (*w)->last_number, (*w)->last_service, (*w)->last_clerk, c->window,
                            (*w)->last_finished_at, day_};
      done = &second;
    } else {
      return unexpected(err(Errc::UnknownTicket, "the ticket is not one finished here today without a case",
                            "该号码不是本窗口今日办结且未登记的号码"));
    }
  }
  auto e = register_event(c->input, c->window, nullptr, done, actor, now);
  if (!e) return unexpected(e.error());
  reply = replies::Case{next_case_id_};
  return std::vector<Event>{std::move(*e)};
}

Engine::Decision Engine::decide(const LogEnquiry& cmd, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  const LogEnquiry* c = &cmd;
  if (actor.kind != Actor::Kind::Clerk && actor.kind != Actor::Kind::Manager)
    return unexpected(err(Errc::InvalidArgument, "a clerk records enquiries", "仅工作人员可登记咨询"));
  if (c->channel != "phone" && c->channel != "walk_in")
    return unexpected(err(Errc::InvalidArgument, "channel is phone or walk_in", "咨询方式应为电话或来访"));
  if (c->subject.empty()) return unexpected(err(Errc::InvalidArgument, "give the subject", "请填写咨询事项"));
  if (c->subject.size() > kMaxText || c->forwarded_to.size() > 200)
    return unexpected(err(Errc::InvalidArgument, "subject or forwarded_to is too long", "咨询事项或转交对象过长"));
  if (c->window && !find_window(c->window)) return unexpected(err(Errc::UnknownWindow, "no window", "没有该窗口"));
  ev.push_back(make_event(actor, c->window, now,
                          events::EnquiryLogged{.enquiry = next_enquiry_id_, .channel = c->channel, .subject = c->subject,
                                                .caller = c->caller, .phone = c->phone,
                                                .forwarded_to = c->forwarded_to, .clerk = actor.id}));
  reply = replies::Enquiry{};
  return ev;
}

Engine::Decision Engine::decide(const RecordPrint& cmd, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  const RecordPrint* c = &cmd;
  const Case* cs = find_case(c->id);
  if (!cs) return unexpected(err(Errc::UnknownCase, "no such case", "没有该办件"));
  ev.push_back(make_event(actor, cs->window, now,
                          events::CaseNoticePrinted{.case_ = cs->id, .no = cs->no, .doc = c->doc, .outcome = c->outcome,
                                                    .detail = c->detail}));
  reply = replies::Case{cs->id};
  return ev;
}

Engine::Decision Engine::decide(const CaseAction& cmd, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  const Date today = tz_.to_local(now).date;
  const CaseAction* a = &cmd;
  const Case* cs = find_case(a->id);
  if (!cs) return unexpected(err(Errc::UnknownCase, "no such open case", "没有该在办件"));
  const std::string& act = a->action;
  // A participating window's clerks report back on a joint case they do not own; the clerks
  // of any other window are refused as for any case not theirs.
  bool participant_clerk = false;
  if (act == "report" && actor.kind == Actor::Kind::Clerk)
    if (const WindowConfig* wc = config_.find_window(a->window))
      participant_clerk = (actor.id == wc->clerk_a || actor.id == wc->clerk_b) &&
                          std::any_of(cs->participants.begin(), cs->participants.end(),
                                      [&](const auto& x) { return x.window == a->window; });
  if (!participant_clerk && !may_act_on(*cs, actor))
    return unexpected(err(Errc::NotYourCase, "the case belongs to window " + std::to_string(cs->window),
                          "该办件属于 " + std::to_string(cs->window) + " 号窗口"));
  if (a->reason.size() > kMaxText || a->note.size() > kMaxText)
    return unexpected(err(Errc::InvalidArgument, "reason and note are at most 500 bytes", "理由或备注过长"));
  auto body = act == "materials-complete" || act == "supplement" || act == "extend" || act == "suspend" || act == "resume"
                  ? clock_action(*a, *cs, today)
                  : progress_action(*a, *cs, today);
  if (!body) return unexpected(body.error());
  ev.push_back(make_event(actor, cs->window, now, *body));
  reply = replies::Case{cs->id};
  return ev;
}

namespace {
Unexpected<Error> wrong(const std::string& en, const std::string& zh) { return unexpected(err(Errc::WrongState, en, zh)); }
// The head every case event carries: the responsible clerk rides on every action, so a score
// line (R-ONCE-4) names who it is.
template <class T>
T case_event(const Case& cs) {
  T t{};
  t.case_ = cs.id;
  t.no = cs.no;
  t.clerk = cs.clerk;
  return t;
}
std::optional<std::string> note_if_any(const std::string& note) { return note.empty() ? std::nullopt : std::optional(note); }
}  // namespace

// The actions that move a case's clock (R-TIME-1..3, R-CASE-6).
Expected<events::Body, Error> Engine::clock_action(const CaseAction& a, const Case& cs, Date today) const {
  const std::string& act = a.action;
  if (act == "materials-complete") {
    if (cs.state != CaseState::AwaitingMaterials) return wrong("the case is not waiting for materials", "该办件不在待补正状态");
    // R-TIME-1: with incomplete materials the count starts the day after they are complete.
    auto d = case_event<events::CaseMaterialsCompleted>(cs);
    d.clock_start = today;
    d.deadline = deadline_for(today, cs.time_limit_days);
    d.provisional = !calendar_.covers(today) || !calendar_.covers(d.deadline);
    d.note = note_if_any(a.note);
    return events::Body(std::move(d));
  }
  if (act == "supplement") {
    // R-CASE-6: materials are still missing (the citizen came back without them all, or the
    // review found a gap): a new one-time notice lists every one, and the clock stops until
    // they are complete. A material the notice before did not ask for means that notice was
    // incomplete and the citizen came back for nothing: an R-ONCE-4 failure, recorded.
    if ((cs.state != CaseState::AwaitingMaterials && cs.state != CaseState::Open) || cs.type == CaseType::Immediate ||
        cs.type == CaseType::Returned)
      return wrong("only a case waiting for materials or in progress asks for more", "该办件当前不能再次补正");
    if (a.missing.empty())
      return unexpected(err(Errc::InvalidArgument, "list every material still missing (R-ONCE-2)", "请列明全部缺少的材料"));
    const ServiceConfig* svc = config_.find_service(cs.service);
    const ServiceItem* item = nullptr;
    if (svc)
      for (const auto& i : svc->items)
        if (i.id == cs.item) item = &i;
    if (!item) return wrong("the case's item is no longer in the catalogue", "该事项已不在办事指南中");
    auto d = case_event<events::CaseSupplementRequested>(cs);
    std::set<std::string> seen;
    for (const auto& m : a.missing) {
      if (std::find(item->materials.begin(), item->materials.end(), m) == item->materials.end())
        return unexpected(err(Errc::InvalidArgument, "missing: '" + m + "' is not a material of " + item->name,
                              "材料“" + m + "”不在该事项的材料清单中"));
      if (!seen.insert(m).second)
        return unexpected(err(Errc::InvalidArgument, "missing: '" + m + "' is listed twice", "材料“" + m + "”重复"));
      d.missing.push_back(m);
      if (std::find(cs.missing.begin(), cs.missing.end(), m) == cs.missing.end()) d.new_items.push_back(m);
    }
    d.once_failure = !d.new_items.empty();
    d.note = note_if_any(a.note);
    return events::Body(std::move(d));
  }
  if (act == "extend") {
    if (cs.state != CaseState::Open || !cs.deadline) return wrong("only an open case with a deadline is extended", "仅办理中的承诺类办件可延期");
    if (a.reason.empty()) return unexpected(err(Errc::InvalidArgument, "an extension needs its reason (R-TIME-3)", "延期须写明理由"));
    int used = 0;
    for (const auto& x : cs.extensions) used += x.days;
    const int max = config_.policy.case_extension_max_days, left = max - used;
    if (a.days < 1 || a.days > left)
      return unexpected(err(Errc::InvalidArgument,
                            "an extension is 1.." + std::to_string(left) + " working days (at most " + std::to_string(max) +
                                " in all, R-TIME-3)",
                            "延期最多还可 " + std::to_string(std::max(0, left)) + " 个工作日（合计不超过 " +
                                std::to_string(max) + " 个工作日）"));
    auto d = case_event<events::CaseExtended>(cs);
    d.days = a.days;
    d.reason = a.reason;
    d.from = *cs.deadline;
    d.to = deadline_for(*cs.deadline, a.days);
    d.provisional = cs.provisional || !calendar_.covers(d.to);
    return events::Body(std::move(d));
  }
  if (act == "suspend") {
    if (cs.state != CaseState::Open) return wrong("only an open case is suspended", "仅办理中的办件可挂起");
    if (a.reason.empty()) return unexpected(err(Errc::InvalidArgument, "give the reason for suspending", "挂起须写明原因"));
    auto d = case_event<events::CaseSuspended>(cs);
    d.reason = a.reason;
    return events::Body(std::move(d));
  }
  // resume
  if (cs.state != CaseState::Suspended || !cs.suspended_at) return wrong("the case is not suspended", "该办件未挂起");
  // The clock stood still: every working day of the suspension moves the deadline.
  auto d = case_event<events::CaseResumed>(cs);
  d.days = calendar_.working_days_between(tz_.to_local(*cs.suspended_at).date, today);
  if (cs.deadline) {
    d.deadline = deadline_for(*cs.deadline, d.days);
    d.provisional = cs.provisional || !calendar_.covers(*d.deadline);
  }
  return events::Body(std::move(d));
}

// The actions that take a case to its end: participants, escalation, agency, completion.
Expected<events::Body, Error> Engine::progress_action(const CaseAction& a, const Case& cs, Date today) const {
  const std::string& act = a.action;
  if (act == "report") {
    if (cs.type != CaseType::Joint) return wrong("only joint cases have participants", "仅联办件有协办窗口");
    if (cs.state != CaseState::Open) return wrong("the case is not open", "该办件不在办理中");
    auto it = std::find_if(cs.participants.begin(), cs.participants.end(), [&](const auto& p) { return p.window == a.window; });
    if (it == cs.participants.end())
      return unexpected(err(Errc::InvalidArgument, "window " + std::to_string(a.window) + " is not a participant", "该窗口不是协办窗口"));
    if (it->reported) return wrong("this window has reported already", "该协办窗口已反馈");
    auto d = case_event<events::CaseParticipantReported>(cs);
    d.window = a.window;
    d.note = a.note;
    return events::Body(std::move(d));
  }
  if (act == "report-upward") {
    if (cs.type != CaseType::Escalated) return wrong("only escalated cases are reported upward", "仅上报件需上报");
    if (cs.state != CaseState::Open) return wrong("the case is not open", "该办件不在办理中");
    if (cs.reported_upward_at) return wrong("the case was reported upward already", "该办件已上报");
    auto d = case_event<events::CaseReportedUpward>(cs);
    d.note = a.note;
    return events::Body(std::move(d));
  }
  if (act == "assign") {
    if (cs.type != CaseType::Agency) return wrong("only agency cases get a handler", "仅委托代办件需指定代办人");
    if (cs.state != CaseState::Open) return wrong("the case is not open", "该办件不在办理中");
    if (!config_.find_clerk(a.handler)) return unexpected(err(Errc::UnknownClerk, "unknown staff member '" + a.handler + "'", "没有该工作人员"));
    auto d = case_event<events::CaseHandlerAssigned>(cs);
    d.handler = a.handler;
    d.note = a.note;
    return events::Body(std::move(d));
  }
  if (act == "complete") {
    if (cs.state != CaseState::Open) return wrong("only an open case is completed", "仅办理中的办件可办结");
    if (cs.type == CaseType::Joint)
      for (const auto& p : cs.participants)
        if (!p.reported)
          return wrong("window " + std::to_string(p.window) + " has not reported back (R-CASE-4)",
                       std::to_string(p.window) + " 号协办窗口尚未反馈");
    if (cs.type == CaseType::Escalated && !cs.reported_upward_at) return wrong("report the case upward first (R-CASE-3)", "请先上报");
    if (cs.type == CaseType::Agency && cs.handler.empty()) return wrong("assign a handler first (R-CASE-7)", "请先指定代办人");
    auto d = case_event<events::CaseCompleted>(cs);
    d.overdue_days = cs.deadline && today > *cs.deadline ? calendar_.working_days_between(*cs.deadline, today) : 0;
    d.note = a.note;
    return events::Body(std::move(d));
  }
  if (act == "return") {
    if (cs.state != CaseState::Open && cs.state != CaseState::AwaitingMaterials && cs.state != CaseState::Suspended)
      return wrong("the case is closed", "该办件已结束");
    if (a.reason.empty()) return unexpected(err(Errc::InvalidArgument, "a return needs the written reason (R-CASE-5)", "退回须写明理由"));
    auto d = case_event<events::CaseReturned>(cs);
    d.reason = a.reason;
    d.late = calendar_.working_days_between(cs.received, today) > config_.policy.case_return_days;
    return events::Body(std::move(d));
  }
  if (act == "notify") {
    if (cs.state != CaseState::Done || !cs.needs_notice()) return wrong("only a completed case is notified", "办结后方可通知申请人");
    if (cs.notified_at) return wrong("the applicant was told already", "已通知申请人");
    if (a.channel != "phone" && a.channel != "sms" && a.channel != "in_person" && a.channel != "post")
      return unexpected(err(Errc::InvalidArgument, "channel is phone, sms, in_person or post", "通知方式无效"));
    auto d = case_event<events::CaseNotified>(cs);
    d.channel = a.channel;
    d.note = a.note;
    return events::Body(std::move(d));
  }
  if (act == "feedback") {
    if (cs.type != CaseType::Agency || cs.state != CaseState::Done) return wrong("feedback is for completed agency cases", "仅已办结的代办件可登记回访意见");
    if (a.note.empty()) return unexpected(err(Errc::InvalidArgument, "give the citizen's feedback", "请填写回访意见"));
    auto d = case_event<events::CaseFeedback>(cs);
    d.note = a.note;
    return events::Body(std::move(d));
  }
  return unexpected(err(Errc::InvalidArgument, "unknown case action '" + act + "'", "未知办件操作"));
}

void Engine::on(const Event& e, const events::EnquiryLogged& d) {
  Enquiry q;
  q.id = d.enquiry;
  q.at = e.at;
  q.channel = d.channel;
  q.subject = d.subject;
  q.caller = d.caller;
  q.phone = d.phone;
  q.forwarded_to = d.forwarded_to;
  q.clerk = d.clerk;
  q.window = e.window;
  next_enquiry_id_ = std::max(next_enquiry_id_, q.id + 1);
  enquiries_.push_back(std::move(q));
}

void Engine::on(const Event& e, const events::CaseRegistered& d) {
  touched_cases_.insert(d.case_);
  Case c;
  c.id = d.case_;
  c.no = d.no;
  c.type = parse_case_type(d.type).value_or(CaseType::Immediate);
  c.state = parse_case_state(d.state).value_or(CaseState::Open);
  c.service = d.service;
  c.item = d.item;
  c.item_name = d.item_name;
  c.ticket = d.ticket;
  c.number = d.number;
  c.window = e.window;
  c.clerk = d.clerk;
  c.first_clerk = d.first_clerk.value_or("");
  c.applicant = d.applicant;
  c.phone = d.phone;
  c.id_number = d.id_number;
  c.received_at = e.at;
  c.received = d.received;
  c.received_materials = d.received_materials;
  c.missing = d.missing;
  c.time_limit_days = d.time_limit_days;
  c.clock_start = d.clock_start;
  c.deadline = d.deadline;
  c.provisional = d.provisional.value_or(false);
  for (int w : d.participants) c.participants.push_back(CaseParticipant{w});
  c.reason = d.reason;
  c.note = d.note;
  if (c.state == CaseState::Done) c.done_at = e.at;
  c.steps.push_back(CaseStep{e.at, "registered", e.actor.id.empty() ? "system" : e.actor.id, c.note});
  next_case_id_ = std::max(next_case_id_, c.id + 1);
  const std::string day = format_date(c.received);
  if (case_day_ != day) case_day_count_ = 0;
  case_day_ = day;
  case_day_count_ = std::max(case_day_count_, d.seqno);
  if (c.ticket) {
    unregistered_.erase(c.ticket);
    // The ticket's one rating is tied to its (newest) case (R-EVAL-1).
    if (Ticket* t = ticket_mut(c.ticket)) {
      t->case_id = c.id;
      touch_ticket(c.ticket);
    } else if (auto it = done_.find(c.ticket); it != done_.end()) {
      it->second.case_id = c.id;
      touch_ticket(c.ticket);
    }
  }
  cases_[c.id] = std::move(c);
}

Case* Engine::case_step(const Event& e, CaseId id, const std::string& what, std::string note) {
  touched_cases_.insert(id);
  Case* c = case_mut(id);
  // A notice printed for a case no longer in memory: the log keeps it.
  if (c) c->steps.push_back(CaseStep{e.at, what, e.actor.id.empty() ? "system" : e.actor.id, std::move(note)});
  return c;
}

void Engine::on(const Event& e, const events::CaseMaterialsCompleted& d) {
  if (Case* c = case_step(e, d.case_, "materials_complete", d.note.value_or(""))) {
    c->provisional = d.provisional;
    c->state = CaseState::Open;
    c->clock_start = d.clock_start;
    c->deadline = d.deadline;
  }
}

void Engine::on(const Event& e, const events::CaseSupplementRequested& d) {
  std::string note;
  for (const auto& m : d.missing) note += (note.empty() ? "" : "、") + m;
  if (d.once_failure) note += "（一次性告知未尽，R-ONCE-4）";
  if (d.note && !d.note->empty()) note += "；" + *d.note;
  if (Case* c = case_step(e, d.case_, "supplement_requested", note)) {
    c->state = CaseState::AwaitingMaterials;
    c->missing = d.missing;
    c->clock_start.reset();
    c->deadline.reset();
    c->provisional = false;
    if (d.once_failure) c->once_failures++;
  }
}

void Engine::on(const Event& e, const events::CaseExtended& d) {
  if (Case* c = case_step(e, d.case_, "extended", d.reason)) {
    c->provisional = d.provisional;
    c->deadline = d.to;
    c->extensions.push_back(CaseExtension{e.at, e.actor.id, d.reason, d.days, d.from, d.to});
  }
}

void Engine::on(const Event& e, const events::CaseSuspended& d) {
  if (Case* c = case_step(e, d.case_, "suspended", d.reason)) {
    c->state = CaseState::Suspended;
    c->suspended_at = e.at;
    c->suspend_reason = d.reason;
  }
}

void Engine::on(const Event& e, const events::CaseResumed& d) {
  if (Case* c = case_step(e, d.case_, "resumed", "")) {
    if (d.provisional) c->provisional = *d.provisional;
    c->state = CaseState::Open;
    c->suspended_at.reset();
    c->suspended_days += d.days;
    if (d.deadline) c->deadline = d.deadline;
  }
}

void Engine::on(const Event& e, const events::CaseParticipantReported& d) {
  if (Case* c = case_step(e, d.case_, "reported", std::to_string(d.window) + "号窗口: " + d.note))
    for (auto& p : c->participants)
      if (p.window == d.window) {
        p.reported = true;
        p.reported_at = e.at;
        p.by = e.actor.id;
        p.note = d.note;
      }
}

void Engine::on(const Event& e, const events::CaseReportedUpward& d) {
  if (Case* c = case_step(e, d.case_, "reported_upward", d.note)) c->reported_upward_at = e.at;
}

void Engine::on(const Event& e, const events::CaseHandlerAssigned& d) {
  if (Case* c = case_step(e, d.case_, "assigned", d.handler)) c->handler = d.handler;
}

void Engine::on(const Event& e, const events::CaseCompleted& d) {
  if (Case* c = case_step(e, d.case_, "completed", d.note)) {
    c->state = CaseState::Done;
    c->done_at = e.at;
    c->overdue_days = d.overdue_days;
  }
}

void Engine::on(const Event& e, const events::CaseReturned& d) {
  if (Case* c = case_step(e, d.case_, "returned", d.reason)) {
    c->state = CaseState::Returned;
    c->reason = d.reason;
    c->done_at = e.at;
  }
}

void Engine::on(const Event& e, const events::CaseNotified& d) {
  if (Case* c = case_step(e, d.case_, "notified", d.note.empty() ? d.channel : d.channel + ": " + d.note)) {
    c->notified_at = e.at;
    c->notify_channel = d.channel;
  }
}

void Engine::on(const Event& e, const events::CaseFeedback& d) {
  if (Case* c = case_step(e, d.case_, "feedback", d.note)) c->feedback = d.note;
}

void Engine::on(const Event& e, const events::CaseNoticePrinted& d) {
  case_step(e, d.case_, "printed", d.doc + ": " + d.outcome);
}

json::object Engine::case_json(const Case& c, TimePoint now) const {
  json::object o;
  o["id"] = c.id;
  o["no"] = c.no;
  o["type"] = to_string(c.type);
  o["type_label"] = label_zh(c.type);
  o["state"] = to_string(c.state);
  o["state_label"] = label_zh(c.state);
  o["service"] = c.service;
  o["item"] = c.item;
  o["item_name"] = c.item_name;
  o["ticket"] = c.ticket ? json::value(c.ticket) : json::value(nullptr);
  o["number"] = c.number;
  o["window"] = c.window;
  o["clerk"] = c.clerk;
  if (const ClerkConfig* k = config_.find_clerk(c.clerk)) o["clerk_name"] = k->name;
  if (!c.first_clerk.empty()) o["first_clerk"] = c.first_clerk;
  o["applicant"] = c.applicant.masked;
  o["phone"] = c.phone.masked;
  o["id_number"] = c.id_number.masked;
  o["received"] = format_date(c.received);
  o["received_at"] = format_rfc3339(c.received_at, tz_);
  o["received_materials"] = str_array(c.received_materials);
  o["missing"] = str_array(c.missing);
  o["time_limit_days"] = c.time_limit_days;
  o["clock_start"] = date_json(c.clock_start);
  o["deadline"] = date_json(c.deadline);
  o["provisional"] = c.provisional;
  const Date today = tz_.to_local(now).date;
  const bool running = c.state == CaseState::Open || c.state == CaseState::Suspended;
  if (running && c.deadline) {
    const int left = today <= *c.deadline ? calendar_.working_days_between(today, *c.deadline)
                                          : -calendar_.working_days_between(*c.deadline, today);
    o["days_left"] = left;
    o["overdue"] = today > *c.deadline;
  } else {
    o["days_left"] = nullptr;
    o["overdue"] = false;
  }
  json::array ext;
  for (const auto& x : c.extensions)
    ext.push_back(json::object{{"at", format_rfc3339(x.at, tz_)}, {"by", x.by}, {"reason", x.reason}, {"days", x.days},
                               {"from", format_date(x.from)}, {"to", format_date(x.to)}});
  o["extensions"] = std::move(ext);
  o["suspended_at"] = c.suspended_at ? json::value(format_rfc3339(*c.suspended_at, tz_)) : json::value(nullptr);
  if (!c.suspend_reason.empty()) o["suspend_reason"] = c.suspend_reason;
  o["suspended_days"] = c.suspended_days;
  json::array parts;
  for (const auto& p : c.participants) {
    json::object j{{"window", p.window}, {"reported", p.reported}};
    if (const WindowConfig* wc = config_.find_window(p.window)) j["name"] = wc->name;
    if (p.reported_at) j["reported_at"] = format_rfc3339(*p.reported_at, tz_);
    if (!p.note.empty()) j["note"] = p.note;
    // R-CASE-4: a participant that has not reported by the deadline is flagged.
    j["overdue"] = !p.reported && running && c.deadline && today > *c.deadline;
    parts.push_back(std::move(j));
  }
  o["participants"] = std::move(parts);
  if (c.reported_upward_at) o["reported_upward_at"] = format_rfc3339(*c.reported_upward_at, tz_);
  if (!c.handler.empty()) o["handler"] = c.handler;
  if (!c.reason.empty()) o["reason"] = c.reason;
  o["done_at"] = c.done_at ? json::value(format_rfc3339(*c.done_at, tz_)) : json::value(nullptr);
  o["overdue_days"] = c.overdue_days;
  o["once_failures"] = c.once_failures;
  o["to_notify"] = c.state == CaseState::Done && c.needs_notice() && !c.notified_at;
  o["notified_at"] = c.notified_at ? json::value(format_rfc3339(*c.notified_at, tz_)) : json::value(nullptr);
  if (!c.notify_channel.empty()) o["notify_channel"] = c.notify_channel;
  if (!c.feedback.empty()) o["feedback"] = c.feedback;
  if (!c.note.empty()) o["note"] = c.note;
  json::array steps;
  for (const auto& s : c.steps)
    steps.push_back(json::object{{"at", format_rfc3339(s.at, tz_)}, {"what", s.what}, {"by", s.by}, {"note", s.note}});
  o["steps"] = std::move(steps);
  return o;
}

std::optional<json::object> Engine::case_json_from_row(const std::string& row, TimePoint now) const {
  boost::system::error_code ec;
  json::value v = json::parse(row, ec);
  Case c;
  if (ec || !v.is_object() || !case_from_row(v.as_object(), c)) return std::nullopt;
  return case_json(c, now);
}

json::object Engine::enquiry_json(const Enquiry& q) const {
  return json::object{{"id", q.id},           {"at", format_rfc3339(q.at, tz_)}, {"channel", q.channel},
                      {"subject", q.subject}, {"caller", q.caller.masked},       {"phone", q.phone.masked},
                      {"forwarded_to", q.forwarded_to}, {"clerk", q.clerk},       {"window", q.window}};
}

}  // namespace hallq::engine
