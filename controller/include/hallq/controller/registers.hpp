#pragma once
// The registers the county checks (seed 004: "办理事项有登记簿、统计簿，分类汇总成册"):
//  - 办件登记簿 (case book): every case registered in a period, one line each, classified by
//    type or by service item with a subtotal per class;
//  - 统计簿 (ledger): per day or month, the tickets (issued, served, enquiries, no-shows), the
//    cases registered by type, completed (on time or late) and returned, ratings and
//    complaints; with the same per service item.
// Pure: fed rows and event data by the report thread, no I/O, no clock.
#include <boost/json/object.hpp>

#include <map>
#include <memory>
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

// At most this many lines in one case book (a year of a busy hall); more is `truncated`.
constexpr std::size_t kCaseBookLimit = 50000;

class CaseBook {
 public:
  // classify: "type" (办件类型) or "item" (事项).
  CaseBook(const HallConfig& config, const TimeZone& tz, const WorkingCalendar& calendar, Date from, Date to,
           std::string classify);
  void add(const engine::Case& c);  // a case registered in the period
  // now: how overdue the cases still open are today.
  boost::json::object result(TimePoint now) const;

 private:
  boost::json::object line(const engine::Case& c, int overdue, const std::string& result,
                           const std::string& result_en) const;
  const HallConfig& config_;
  TimeZone tz_;
  const WorkingCalendar& calendar_;
  Date from_, to_;
  std::string classify_;
  std::vector<engine::Case> cases_;
  std::size_t seen_ = 0;
};

class Ledger {
 public:
  // by: "day" or "month".
  Ledger(const HallConfig& config, const TimeZone& tz, Date from, Date to, std::string by);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  // false: damaged text (nothing counted).
  bool add_ticket_row(std::string_view row);
  bool add_case_row(std::string_view row);
  // An event of the period: CaseCompleted, CaseReturned, ServiceRated or ComplaintFiled.
  bool add_event(std::string_view type, TimePoint at, std::string_view data);
  static const std::vector<std::string>& event_types();
  boost::json::object result() const;

 private:
  struct Row {
    int issued = 0, served = 0, consultations = 0, no_show = 0, cancelled = 0;
    std::map<std::string, int> registered;  // by case type
    int registered_total = 0, completed = 0, on_time = 0, late = 0, returned = 0;
    int ratings = 0, satisfied = 0, complaints = 0;
  };
  struct ItemRow {
    std::string service;
    std::map<std::string, int> registered;  // by case type
    int registered_total = 0, done = 0, on_time = 0, late = 0, returned = 0, open = 0;
  };
  Row& row(Date day);
  Row& row_of_text(std::string_view day);

  const HallConfig& config_;
  TimeZone tz_;
  Date from_, to_;
  std::string by_;
  std::map<std::string, Row> rows_;  // by period
  std::map<std::string, ItemRow> items_;  // by item id
  std::string last_day_;
  Row* last_row_ = nullptr;
  std::unique_ptr<engine::RowPicker> ticket_pick_, case_pick_, event_pick_;
};

}  // namespace hallq::rules
