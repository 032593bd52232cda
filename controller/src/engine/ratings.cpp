// Ratings and complaints (engine.hpp "decide"): one rating per service, at the window's
// evaluator, a kiosk or a phone (R-EVAL-1); complaints from a kiosk, a clerk or a manager,
// answered within 5 working days (R-COMP-1). The manager's answers are in oversight.cpp.
#include <boost/json.hpp>

#include <set>

#include "errors.hpp"
#include "hallq/controller/engine.hpp"

namespace hallq::engine {
namespace json = boost::json;
using namespace std::chrono;

Engine::Decision Engine::decide(const RateService& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  const WindowStatus* w = find_window(c.window);
  if (!w) return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(c.window), "没有该窗口"));
  if (actor.kind != Actor::Kind::Device)
    return unexpected(err(Errc::NotYourWindow, "only the window's evaluator rates a service", "评价只能由群众在评价器上进行"));
  if (!*rating_label(c.level))
    return unexpected(err(Errc::InvalidArgument, "level must be 1..5", "评价等级应为 1 到 5"));
  if (!w->last_finished || now - w->last_finished_at > minutes{config_.policy.rating_minutes})
    return unexpected(err(Errc::NothingToRate, "no service finished at this window to rate", "该窗口暂无可评价的办件"));
  if (w->last_rated)
    return unexpected(err(Errc::AlreadyRated, "this service has been rated already", "本次服务已评价，一次一评"));
  // A phone or kiosk may have rated it first (一次一评).
  const DoneService* done = find_done(w->last_finished);
  if (done && done->rating)
    return unexpected(err(Errc::AlreadyRated, "this service has been rated already", "本次服务已评价，一次一评"));
  // Tied to the case registered for the service, when there is one.
  ev.push_back(make_event(actor, c.window, now,
                          events::ServiceRated{.ticket = w->last_finished, .number = w->last_number,
                                               .service = w->last_service, .clerk = w->last_clerk,
                                               .level = c.level, .label = rating_label(c.level),
                                               .bad = c.level <= 2, .case_ = done ? done->case_id : 0,
                                               .channel = "evaluator"}));
  reply = replies::Rated{w->last_finished, w->last_number, c.window, c.level};
  return ev;
}

Engine::Decision Engine::decide(const RateTicket& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  const bool kiosk = c.channel == "kiosk";
  if (!kiosk && c.channel != "phone")
    return unexpected(err(Errc::InvalidArgument, "channel is kiosk or phone", "评价渠道无效"));
  if (kiosk ? actor.kind != Actor::Kind::Device : actor.kind != Actor::Kind::System)
    return unexpected(err(Errc::NotYourWindow, "only the citizen rates a service, at a kiosk or on the ticket's page",
                          "评价只能由群众本人进行"));
  if (!*rating_label(c.level))
    return unexpected(err(Errc::InvalidArgument, "level must be 1..5", "评价等级应为 1 到 5"));
  const DoneService* t = find_done(c.ticket);
  if (!t) {
    if (const Ticket* live = find_ticket(c.ticket); live && !is_final(live->state))
      return unexpected(err(Errc::WrongState, "the service is not finished yet", "业务尚未办结，办结后再评价"));
    return unexpected(err(Errc::NothingToRate, "no finished service of this ticket can be rated",
                          "该号码没有可评价的服务"));
  }
  if (t->rating)
    return unexpected(err(Errc::AlreadyRated, "this service has been rated already", "本次服务已评价，一次一评"));
  if (now - t->finished_at > hours{config_.policy.late_rating_hours})
    return unexpected(err(Errc::RatingClosed,
                          "ratings close " + std::to_string(config_.policy.late_rating_hours) + " hours after the service",
                          "已超过评价期限（办结后 " + std::to_string(config_.policy.late_rating_hours) + " 小时内）"));
  ev.push_back(make_event(actor, t->window, now,
                          events::ServiceRated{.ticket = t->id, .number = t->number, .service = t->service,
                                               .clerk = t->clerk, .level = c.level, .label = rating_label(c.level),
                                               .bad = c.level <= 2, .case_ = t->case_id, .channel = c.channel,
                                               .from = c.from, .finished_at = format_rfc3339(t->finished_at, tz_)}));
  reply = replies::Rated{t->id, t->number, t->window, c.level};
  return ev;
}

Engine::Decision Engine::decide(const FileComplaint& c, const Actor& actor, TimePoint now, Reply& reply) {
  std::vector<Event> ev;
  if (actor.kind == Actor::Kind::System)
    return unexpected(err(Errc::InvalidArgument, "complaints come from a kiosk, a clerk or a manager", "投诉来源无效"));
  std::set<std::string> seen;
  for (const auto& cat : c.categories)
    if (!valid_complaint_category(cat) || !seen.insert(cat).second)
      return unexpected(err(Errc::InvalidArgument, "categories are attitude, waiting, efficiency, materials, fees, rules or other, each once", "投诉类别无效"));
  if (c.categories.empty() && c.content.empty())
    return unexpected(err(Errc::InvalidArgument, "give the content or at least one category", "请填写投诉内容或选择投诉类别"));
  if (c.content.size() > 2000) return unexpected(err(Errc::InvalidArgument, "the content is longer than 2000 bytes", "投诉内容过长"));
  if (c.name.masked.size() > 256 || c.name.sealed.size() > 512 || c.phone.masked.size() > 15 || c.phone.sealed.size() > 512)
    return unexpected(err(Errc::InvalidArgument, "the name or phone is too long", "姓名或电话过长"));
  if (c.window != 0 && !find_window(c.window))
    return unexpected(err(Errc::UnknownWindow, "no window " + std::to_string(c.window), "没有该窗口"));
  if (!c.clerk.empty() && !config_.find_clerk(c.clerk))
    return unexpected(err(Errc::UnknownClerk, "no clerk '" + c.clerk + "'", "没有该工作人员"));
  // The clerk concerned: named, else the one at the window now, else its last, else its A post.
  std::string concerned = c.clerk;
  if (concerned.empty() && c.window) {
    const WindowStatus* cw = find_window(c.window);
    const WindowConfig* wc = config_.find_window(c.window);
    concerned = cw->open ? cw->clerk : !cw->last_clerk.empty() ? cw->last_clerk : wc ? wc->clerk_a : "";
  }
  const Date received = tz_.to_local(now).date;
  const std::string channel = actor.kind == Actor::Kind::Device ? "kiosk" : actor.kind == Actor::Kind::Clerk ? "counter" : "admin";
  ev.push_back(make_event(actor, c.window, now,
                          events::ComplaintFiled{.complaint = next_complaint_id_,
                                                 .channel = channel,
                                                 .categories = c.categories,
                                                 .content = c.content,
                                                 .name = c.name,
                                                 .phone = c.phone,
                                                 .clerk = concerned,
                                                 .received = received,
                                                 .due = calendar_.add_working_days(received, 5)}));
  reply = replies::ComplaintFiled{next_complaint_id_, received, calendar_.add_working_days(received, 5), c.window,
                                  c.phone.masked};
  return ev;
}

}  // namespace hallq::engine
