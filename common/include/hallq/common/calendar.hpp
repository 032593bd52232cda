#pragma once
// WorkingCalendar: which dates are working days (R-TIME-2) and how a time limit in working
// days turns into a deadline (R-TIME-1). Weekends are rest days unless listed as make-up
// working days (调休); listed public holidays are rest days even on weekdays.
// Thread-safety: immutable after construction, safe to share.
#include <set>
#include <vector>

#include "hallq/common/time.hpp"

namespace hallq {

class WorkingCalendar {
 public:
  WorkingCalendar() = default;
  WorkingCalendar(const std::vector<Date>& holidays, const std::vector<Date>& makeup_workdays);

  bool is_working_day(Date d) const;
  bool is_holiday(Date d) const;  // a listed public holiday (not a plain weekend)
  // R-TIME-1: the day of receipt is not counted; counting starts the next day, and only
  // working days count. add_working_days(received, 0) == received.
  Date add_working_days(Date received, int days) const;
  // Working days strictly after `from` up to and including `to` (0 if to <= from).
  int working_days_between(Date from, Date to) const;
  Date next_working_day(Date d) const;  // first working day strictly after d
  // The calendar years the config lists holidays for: outside them every weekday counts as a
  // working day, so a deadline there may be too early. Empty calendars cover no year.
  bool covers(Date d) const;
  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }

 private:
  std::set<int> holidays_;  // days since epoch
  std::set<int> makeup_;
  int first_year_ = 0, last_year_ = -1;
};

}  // namespace hallq
