#pragma once
// Hall statistics (issue 8, hall-rules §9-§10): per day, week or month and per service, window
// or clerk — tickets issued, served, no-show; wait (issue to call) and service (start to
// finish) p50/p90; satisfaction; cases by type, on time or overdue; calls per hour of the week.
// Fed row by row from the store (ticket and case projections, ServiceRated events), so a year
// of history never sits in memory as text. Pure: no I/O, no clock.
#include <boost/json/object.hpp>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/time.hpp"
#include "hallq/controller/engine.hpp"

namespace hallq::rules {

struct StatsQuery {
  Date from, to;                 // issue days, inclusive
  std::string by = "day";        // day | week (starting Monday) | month | all
  std::string group = "service"; // service | window | clerk | none
};
bool valid_stats_query(const StatsQuery& q, std::string* why);

class StatsBuilder {
 public:
  StatsBuilder(const HallConfig& config, const TimeZone& tz, StatsQuery q);
  void add_ticket(const engine::Ticket& t);  // a ticket issued in the range
  void add_rating(const engine::Event& e);   // a ServiceRated event in the range
  void add_case(const engine::Case& c);      // a case registered in the range
  // now: what is overdue today among the open cases.
  boost::json::object result(TimePoint now) const;
  std::size_t tickets() const { return tickets_; }

 private:
  struct Bucket {
    int issued = 0, served = 0, consultations = 0, no_show = 0, cancelled = 0, closed = 0, voided = 0;
    int ratings = 0, satisfied = 0;
    std::vector<std::int32_t> waits, services;  // seconds
  };
  struct CaseCount {
    int registered = 0, done = 0, on_time = 0, late = 0, open = 0, open_overdue = 0, returned = 0;
  };
  std::string period(Date d) const;
  Bucket& bucket(Date day, const std::string& key);

  const HallConfig& config_;
  TimeZone tz_;
  StatsQuery q_;
  std::map<std::pair<std::string, std::string>, Bucket> buckets_;  // (period, key)
  std::map<std::string, CaseCount> cases_;                          // by type
  std::array<std::array<int, 24>, 7> calls_{};                      // weekday (Mon=0) x hour
  std::size_t tickets_ = 0;
  std::vector<std::pair<std::string, Date>> open_deadlines_;  // open cases: type, deadline
};

}  // namespace hallq::rules
