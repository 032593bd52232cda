// The manager's side of the engine (issue 8): complaints answered (R-COMP-1), bad reviews
// followed up (R-EVAL-1), manual score items and approved leave (R-SCORE-*, R-ATT-1), and the
// overdue cases each roll-over records. These are the facts the monthly scores are computed
// from (controller/src/rules/scoring): every one is an event, so every score line points at one.
#include <boost/json.hpp>

#include <algorithm>

#include "hallq/controller/engine.hpp"
#include "errors.hpp"
#include "rows.hpp"

namespace hallq::engine {
namespace json = boost::json;
using namespace std::chrono;

namespace {

constexpr size_t kMaxAnswer = 2000;
constexpr size_t kMaxReason = 500;

bool valid_rule_id(std::string_view s) {
  return !s.empty() && s.size() <= 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool valid_month(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return false;
  auto d = parse_date(std::string(s) + "-01");
  return d.has_value();
}

bool valid_leave_kind(std::string_view k) {
  for (const char* v : {"personal", "sick", "annual", "maternity", "official", "other"})
    if (k == v) return true;
  return false;
}

}  // namespace

namespace {
Error not_manager() { return err(Errc::NotManager, "a manager decides this", "仅中心管理人员可操作"); }
}  // namespace

Engine::Decision Engine::decide(const AnswerComplaint& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (actor.kind != Actor::Kind::Manager) return unexpected(not_manager());
  const Date today = tz_.to_local(now).date;
  auto it = open_complaints_.find(c.complaint);
  if (it == open_complaints_.end()) {
    if (c.complaint > 0 && c.complaint < next_complaint_id_)
      return unexpected(err(Errc::WrongState, "this complaint was answered already", "该投诉已答复"));
    return unexpected(err(Errc::UnknownComplaint, "no such complaint", "没有该投诉"));
  }
  if (c.outcome != "verified" && c.outcome != "not_verified")
    return unexpected(err(Errc::InvalidArgument, "outcome is verified or not_verified", "核实结果应为“属实”或“不属实”"));
  if (c.answer.empty()) return unexpected(err(Errc::InvalidArgument, "give the answer given to the complainant", "请填写答复内容"));
  if (c.answer.size() > kMaxAnswer) return unexpected(err(Errc::InvalidArgument, "the answer is longer than 2000 bytes", "答复内容过长"));
  std::string clerk = c.clerk.empty() ? it->second.clerk : c.clerk;
  if (!clerk.empty() && !config_.find_clerk(clerk))
    return unexpected(err(Errc::UnknownClerk, "no clerk '" + clerk + "'", "没有该工作人员"));
  if (c.outcome == "verified" && clerk.empty())
    return unexpected(err(Errc::InvalidArgument, "name the clerk at fault", "请指明被投诉的工作人员"));
  const bool late = sys_days{today} > sys_days{it->second.due};
  ev.push_back(make_event(actor, it->second.window, now,
                          events::ComplaintAnswered{.complaint = c.complaint,
                                                    .outcome = c.outcome,
                                                    .clerk = clerk,
                                                    .answer = c.answer,
                                                    .filed_seq = it->second.filed_seq,
                                                    .received = it->second.received,
                                                    .due = it->second.due,
                                                    .late = late}));
  reply = replies::ComplaintAnswered{c.complaint, c.outcome, clerk, late};
  return ev;
}

Engine::Decision Engine::decide(const ReviewRating& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (actor.kind != Actor::Kind::Manager) return unexpected(not_manager());
  auto it = follow_ups_.find(c.rating);
  if (it == follow_ups_.end())
    return unexpected(err(Errc::UnknownFollowUp, "no open follow-up for that rating", "没有待跟进的该条差评"));
  if (c.outcome != "verified" && c.outcome != "not_verified")
    return unexpected(err(Errc::InvalidArgument, "outcome is verified or not_verified", "核实结果应为“属实”或“不属实”"));
  if (c.note.empty()) return unexpected(err(Errc::InvalidArgument, "say what the follow-up found", "请填写核实情况"));
  if (c.note.size() > kMaxAnswer) return unexpected(err(Errc::InvalidArgument, "the note is longer than 2000 bytes", "核实情况过长"));
  const FollowUp& f = it->second;
  ev.push_back(make_event(actor, f.window, now,
                          events::RatingReviewed{.rating = f.rating, .outcome = c.outcome, .clerk = f.clerk,
                                                 .level = f.level, .note = c.note}));
  reply = replies::RatingReviewed{f.rating, c.outcome, f.clerk};
  return ev;
}

Engine::Decision Engine::decide(const AdjustScore& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (actor.kind != Actor::Kind::Manager) return unexpected(not_manager());
  if (!config_.find_clerk(c.clerk)) return unexpected(err(Errc::UnknownClerk, "no clerk '" + c.clerk + "'", "没有该工作人员"));
  if (!valid_rule_id(c.rule))
    return unexpected(err(Errc::InvalidArgument, "rule is 1-32 of a-z 0-9 _", "考评项目无效"));
  if (c.points == 0 || c.points < -50 || c.points > 50)
    return unexpected(err(Errc::InvalidArgument, "points are -50..50 and not 0", "分值应在 -50 至 50 之间且不为 0"));
  if (!valid_month(c.month)) return unexpected(err(Errc::InvalidArgument, "month is YYYY-MM", "月份格式应为 YYYY-MM"));
  if (c.reason.empty()) return unexpected(err(Errc::InvalidArgument, "give the reason", "请填写加扣分理由"));
  if (c.reason.size() > kMaxReason) return unexpected(err(Errc::InvalidArgument, "the reason is longer than 500 bytes", "理由过长"));
  ev.push_back(make_event(actor, 0, now,
                          events::ScoreAdjusted{.adjustment = next_adjustment_id_, .clerk = c.clerk, .rule = c.rule,
                                                .points = c.points, .month = c.month, .reason = c.reason}));
  reply = replies::ScoreAdjusted{next_adjustment_id_, c.clerk, c.rule, c.points, c.month};
  return ev;
}

Engine::Decision Engine::decide(const RecordLeave& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (actor.kind != Actor::Kind::Manager) return unexpected(not_manager());
  if (!config_.find_clerk(c.clerk)) return unexpected(err(Errc::UnknownClerk, "no clerk '" + c.clerk + "'", "没有该工作人员"));
  if (!c.from.ok() || !c.to.ok() || sys_days{c.to} < sys_days{c.from})
    return unexpected(err(Errc::InvalidArgument, "from and to are dates, from <= to", "请假起止日期无效"));
  if (sys_days{c.to} - sys_days{c.from} > days{366})
    return unexpected(err(Errc::InvalidArgument, "a leave is at most a year; record longer ones in parts", "请假时间过长"));
  if (!valid_leave_kind(c.kind))
    return unexpected(err(Errc::InvalidArgument, "kind is personal, sick, annual, maternity, official or other", "请假类别无效"));
  if (c.reason.size() > kMaxReason) return unexpected(err(Errc::InvalidArgument, "the reason is longer than 500 bytes", "理由过长"));
  ev.push_back(make_event(actor, 0, now,
                          events::LeaveRecorded{.leave = next_leave_id_, .clerk = c.clerk, .from = c.from,
                                                .to = c.to, .kind = c.kind, .reason = c.reason}));
  reply = replies::LeaveRecorded{next_leave_id_, c.clerk, c.from, c.to};
  return ev;
}

void Engine::on(const Event&, const events::ComplaintAnswered& d) { open_complaints_.erase(d.complaint); }
void Engine::on(const Event&, const events::RatingReviewed& d) { follow_ups_.erase(d.rating); }
void Engine::on(const Event&, const events::ScoreAdjusted& d) {
  next_adjustment_id_ = std::max(next_adjustment_id_, d.adjustment + 1);
}
void Engine::on(const Event&, const events::LeaveRecorded& d) { next_leave_id_ = std::max(next_leave_id_, d.leave + 1); }

}  // namespace hallq::engine
