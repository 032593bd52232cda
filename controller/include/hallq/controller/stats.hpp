#pragma once
// Hall statistics (issue 8, hall-rules §9-§10): per day, week or month and per service, window
// or clerk — tickets issued, served, no-show; wait (issue to call) and service (start to
// finish) p50/p90; satisfaction; cases by type, on time or overdue; calls per hour of the week.
// Fed row by row from the store (ticket and case projections, ServiceRated events), so a year
// of history never sits in memory as text. Pure: no I/O, no clock.
#include <boost/json/object.hpp>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/time.hpp"
#include "hallq/controller/engine.hpp"

namespace hallq::engine {
class RowPicker;
}

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
  ~StatsBuilder();
  StatsBuilder(const StatsBuilder&) = delete;
  StatsBuilder& operator=(const StatsBuilder&) = delete;
  void add_ticket(const engine::Ticket& t);  // a ticket issued in the range
  void add_rating(const engine::Event& e);   // a ServiceRated event in the range
  void add_case(const engine::Case& c);      // a case registered in the range
  // The same from the stored text (a ticket or case row, a ServiceRated event's data), read
  // for the few fields the figures need without building the row: a year of rows in seconds.
  // false: the text is damaged (nothing is counted).
  bool add_ticket_row(std::string_view row);
  bool add_case_row(std::string_view row);
  bool add_rating_data(TimePoint at, int window, std::string_view data);
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
  struct TicketFacts {
    std::string_view day, service, clerk;
    int window = 0;
    engine::TicketState state = engine::TicketState::Waiting;
    bool consultation = false;
    TimePoint issued_at;
    std::optional<TimePoint> called_at, started_at, finished_at;
  };
  void add(const TicketFacts& t);
  void add_case_facts(engine::CaseType type, engine::CaseState state, int overdue_days, std::optional<Date> deadline);
  void add_rating_facts(TimePoint at, int window, std::int64_t level, std::string_view service, std::string_view clerk,
                        std::string_view channel);
  std::string period(Date d) const;
  Bucket& bucket(std::string_view day, std::string_view key);

  const HallConfig& config_;
  TimeZone tz_;
  StatsQuery q_;
  std::map<std::pair<std::string, std::string>, Bucket> buckets_;  // (period, key)
  std::map<std::string, CaseCount> cases_;                          // by type
  std::array<std::array<int, 24>, 7> calls_{};                      // weekday (Mon=0) x hour
  std::array<int, 3> rating_channels_{};  // evaluator, kiosk, phone (R-EVAL-1)
  std::size_t tickets_ = 0;
  std::vector<std::pair<std::string, Date>> open_deadlines_;  // open cases: type, deadline
  // Rows come day by day: the day last seen, its period and that period's buckets by key.
  std::string last_day_, last_period_;
  std::vector<std::pair<std::string, Bucket*>> period_buckets_;
  std::unique_ptr<engine::RowPicker> ticket_pick_, case_pick_, rating_pick_;
};

}  // namespace hallq::rules
