#include "hallq/common/calendar.hpp"

#include <algorithm>

namespace hallq {
namespace {

using namespace std::chrono;

int day_number(Date d) { return static_cast<int>(sys_days{d}.time_since_epoch().count()); }

Date plus_days(Date d, int n) { return Date{sys_days{d} + days{n}}; }

bool is_weekend(Date d) {
  weekday w{sys_days{d}};
  return w == Saturday || w == Sunday;
}

}  // namespace

WorkingCalendar::WorkingCalendar(const std::vector<Date>& holidays,
                                 const std::vector<Date>& makeup_workdays) {
  for (Date d : holidays) holidays_.insert(day_number(d));
  for (Date d : makeup_workdays) makeup_.insert(day_number(d));
  for (Date d : holidays) {
    const int y = static_cast<int>(d.year());
    if (first_year_ > last_year_) first_year_ = last_year_ = y;
    first_year_ = std::min(first_year_, y);
    last_year_ = std::max(last_year_, y);
  }
}

bool WorkingCalendar::covers(Date d) const {
  const int y = static_cast<int>(d.year());
  return y >= first_year_ && y <= last_year_;
}

bool WorkingCalendar::is_holiday(Date d) const { return holidays_.contains(day_number(d)); }

bool WorkingCalendar::is_working_day(Date d) const {
  // A listed holiday wins over a make-up entry: the State Council never lists one date as both,
  // and if a config did, resting is the choice that cannot make a deadline too early.
  if (is_holiday(d)) return false;
  if (is_weekend(d)) return makeup_.contains(day_number(d));
  return true;
}

Date WorkingCalendar::next_working_day(Date d) const {
  // Terminates: only finitely many dates are listed, and five of every seven are weekdays.
  Date n = plus_days(d, 1);
  while (!is_working_day(n)) n = plus_days(n, 1);
  return n;
}

Date WorkingCalendar::add_working_days(Date received, int days_count) const {
  Date d = received;
  for (int i = 0; i < days_count; ++i) d = next_working_day(d);
  return d;
}

int WorkingCalendar::working_days_between(Date from, Date to) const {
  int count = 0;
  for (Date d = plus_days(from, 1); day_number(d) <= day_number(to); d = plus_days(d, 1))
    if (is_working_day(d)) ++count;
  return count;
}

}  // namespace hallq
