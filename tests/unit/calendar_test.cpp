#include "hallq/common/calendar.hpp"

#include "hallq_catch.hpp"
#include <string>
#include <vector>

using hallq::Date;
using hallq::WorkingCalendar;

namespace {

Date d(const char* s) {
  auto out = hallq::parse_date(s);
  REQUIRE(out.has_value());
  return *out;
}

std::vector<Date> dates(std::initializer_list<const char*> list) {
  std::vector<Date> out;
  for (const char* s : list) out.push_back(d(s));
  return out;
}

// The 2026 State Council holiday notice, as in deploy/examples/hall.toml.
WorkingCalendar calendar_2026() {
  return WorkingCalendar(
      dates({"2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17",
             "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
             "2026-04-04", "2026-04-05", "2026-04-06", "2026-05-01", "2026-05-02", "2026-05-03",
             "2026-05-04", "2026-05-05", "2026-06-19", "2026-06-20", "2026-06-21", "2026-09-25",
             "2026-09-26", "2026-09-27", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
             "2026-10-05", "2026-10-06", "2026-10-07"}),
      dates({"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}));
}

}  // namespace

TEST_CASE("R-TIME-2: weekends, holidays and make-up days decide working days", "[calendar]") {
  const WorkingCalendar cal = calendar_2026();
  struct Row {
    const char* date;
    bool working;
    bool holiday;
    const char* why;
  };
  const Row rows[] = {
      {"2026-03-02", true, false, "plain Monday"},
      {"2026-03-06", true, false, "plain Friday"},
      {"2026-03-07", false, false, "plain Saturday"},
      {"2026-03-08", false, false, "plain Sunday"},
      {"2026-10-01", false, true, "National Day on a Thursday"},
      {"2026-10-05", false, true, "holiday on a Monday"},
      {"2026-10-03", false, true, "holiday on a Saturday"},
      {"2026-10-10", true, false, "make-up Saturday"},
      {"2026-09-20", true, false, "make-up Sunday"},
      {"2026-10-11", false, false, "Sunday after the make-up Saturday"},
      {"2026-10-08", true, false, "first weekday after the holiday"},
  };
  for (const Row& r : rows) {
    INFO(r.date << " (" << r.why << ")");
    CHECK(cal.is_working_day(d(r.date)) == r.working);
    CHECK(cal.is_holiday(d(r.date)) == r.holiday);
  }
}

TEST_CASE("R-TIME-2: an empty calendar only skips weekends", "[calendar]") {
  const WorkingCalendar cal;
  CHECK(cal.is_working_day(d("2026-10-01")));
  CHECK_FALSE(cal.is_holiday(d("2026-10-01")));
  CHECK_FALSE(cal.is_working_day(d("2026-10-10")));
  CHECK(cal.next_working_day(d("2026-10-09")) == d("2026-10-12"));
}

TEST_CASE("R-TIME-1/R-TIME-2: add_working_days counts from the next day", "[calendar]") {
  const WorkingCalendar cal = calendar_2026();
  struct Row {
    const char* received;
    int days;
    const char* deadline;
    const char* why;
  };
  const Row rows[] = {
      {"2026-03-02", 0, "2026-03-02", "zero days: the day of receipt itself"},
      {"2026-03-02", 1, "2026-03-03", "R-TIME-1: counting starts the next day"},
      {"2026-03-04", 2, "2026-03-06", "Wednesday + 2 = Friday"},
      {"2026-03-05", 2, "2026-03-09", "R-TIME-2: weekend skipped"},
      {"2026-03-07", 1, "2026-03-09", "received on a Saturday: Monday is day 1"},
      {"2026-04-03", 1, "2026-04-07", "R-TIME-2: Qingming holiday Apr 4-6 skipped"},
      {"2026-02-13", 1, "2026-02-14", "R-TIME-2: make-up Saturday Feb 14 counts"},
      {"2026-02-13", 2, "2026-02-24", "Spring Festival Feb 15-23 skipped"},
      {"2026-09-30", 5, "2026-10-13", "5 days across National Day, make-up Oct 10 counts"},
      {"2026-12-31", 1, "2027-01-01", "Jan 1 2027 is not listed: only listed holidays rest"},
  };
  for (const Row& r : rows) {
    INFO(r.received << " + " << r.days << " (" << r.why << ")");
    CHECK(hallq::format_date(cal.add_working_days(d(r.received), r.days)) == r.deadline);
  }
}

TEST_CASE("R-TIME-1/R-TIME-2: a 5-working-day limit across the 2026 National Day holiday",
          "[calendar]") {
  const WorkingCalendar cal = calendar_2026();
  const Date received = d("2026-09-30");
  const Date deadline = cal.add_working_days(received, 5);
  // Oct 1-7 rest, Oct 8 (1), Oct 9 (2), make-up Sat Oct 10 (3), Sun Oct 11 rest, 12 (4), 13 (5).
  CHECK(hallq::format_date(deadline) == "2026-10-13");
  CHECK(cal.working_days_between(received, deadline) == 5);
  // Without the calendar the same limit would end on a holiday: the calendar matters.
  CHECK(hallq::format_date(WorkingCalendar().add_working_days(received, 5)) == "2026-10-07");
}

TEST_CASE("R-TIME-2: next_working_day is strictly after the given day", "[calendar]") {
  const WorkingCalendar cal = calendar_2026();
  struct Row {
    const char* from;
    const char* next;
  };
  const Row rows[] = {
      {"2026-03-02", "2026-03-03"}, {"2026-03-06", "2026-03-09"}, {"2026-09-30", "2026-10-08"},
      {"2026-10-09", "2026-10-10"}, {"2026-10-10", "2026-10-12"}, {"2026-02-14", "2026-02-24"},
  };
  for (const Row& r : rows) {
    INFO(r.from);
    CHECK(hallq::format_date(cal.next_working_day(d(r.from))) == r.next);
  }
}

TEST_CASE("R-TIME-1/R-TIME-2: working_days_between counts (from, to]", "[calendar]") {
  const WorkingCalendar cal = calendar_2026();
  struct Row {
    const char* from;
    const char* to;
    int days;
  };
  const Row rows[] = {
      {"2026-03-02", "2026-03-02", 0},  // same day: the day of receipt is not counted
      {"2026-03-03", "2026-03-02", 0},  // to before from
      {"2026-03-02", "2026-03-03", 1},
      {"2026-03-02", "2026-03-09", 5},  // a week: weekend not counted
      {"2026-09-30", "2026-10-07", 0},  // all holiday
      {"2026-09-30", "2026-10-10", 3},  // Oct 8, 9 and the make-up Saturday
      {"2026-02-13", "2026-02-28", 6},  // Feb 14, 24-27, make-up Feb 28
  };
  for (const Row& r : rows) {
    INFO(r.from << " .. " << r.to);
    CHECK(cal.working_days_between(d(r.from), d(r.to)) == r.days);
  }
  // Consistency: adding n days and counting them back gives n.
  for (int n = 0; n <= 30; ++n) {
    INFO("n = " << n);
    CHECK(cal.working_days_between(d("2026-09-15"), cal.add_working_days(d("2026-09-15"), n)) == n);
  }
}

#include "hallq/common/config.hpp"

TEST_CASE("R-TIME-1/R-TIME-2: the example hall's calendar carries the official 2025 and 2026 schedules",
          "[calendar]") {
  auto config = hallq::load_config(std::string(HALLQ_SOURCE_DIR) + "/deploy/examples/hall.toml");
  REQUIRE(config);
  const WorkingCalendar cal(config->calendar.holidays, config->calendar.makeup_workdays);
  struct Row {
    const char* received;
    int days;
    const char* deadline;
    const char* why;
  };
  const Row rows[] = {
      // 2025 (国办发明电〔2024〕12号)
      {"2024-12-31", 1, "2025-01-02", "New Year's Day 2025 skipped"},
      {"2025-01-24", 1, "2025-01-26", "make-up Sunday Jan 26 before the Spring Festival"},
      {"2025-01-26", 2, "2025-02-05", "Spring Festival Jan 28 - Feb 4 skipped"},
      {"2025-02-07", 1, "2025-02-08", "make-up Saturday Feb 8"},
      {"2025-02-28", 1, "2025-03-03", "month end on a Friday: weekend skipped"},
      {"2025-04-03", 1, "2025-04-07", "Qingming Apr 4-6 skipped"},
      {"2025-04-25", 1, "2025-04-27", "make-up Sunday Apr 27"},
      {"2025-04-29", 2, "2025-05-06", "Labour Day May 1-5 skipped"},
      {"2025-05-30", 1, "2025-06-03", "Dragon Boat May 31 - Jun 2 skipped"},
      {"2025-09-26", 1, "2025-09-28", "make-up Sunday Sep 28"},
      {"2025-09-30", 1, "2025-10-09", "National Day and Mid-Autumn Oct 1-8 skipped"},
      {"2025-09-30", 3, "2025-10-11", "make-up Saturday Oct 11 counts"},
      {"2025-09-30", 4, "2025-10-13", "Sunday Oct 12 rests"},
      // Year end into 2026 (国办发明电〔2025〕7号)
      {"2025-12-31", 1, "2026-01-04", "Jan 1-3 2026 skipped, make-up Sunday Jan 4 counts"},
      {"2025-12-31", 2, "2026-01-05", "then Monday"},
      {"2025-12-26", 5, "2026-01-05", "across the year end: Dec 29-31, Jan 4, Jan 5"},
      {"2026-02-27", 1, "2026-02-28", "make-up Saturday Feb 28 at the month end"},
      {"2026-02-27", 2, "2026-03-02", "into March"},
      {"2026-04-30", 1, "2026-05-06", "Labour Day May 1-5 skipped"},
      {"2026-05-08", 1, "2026-05-09", "make-up Saturday May 9"},
      {"2026-06-18", 1, "2026-06-22", "Dragon Boat Jun 19-21 skipped"},
      {"2026-09-24", 1, "2026-09-28", "Mid-Autumn Sep 25-27 skipped"},
      {"2026-09-18", 1, "2026-09-20", "make-up Sunday Sep 20"},
      {"2026-09-30", 1, "2026-10-08", "National Day Oct 1-7 skipped"},
      {"2026-11-30", 3, "2026-12-03", "month end, plain weekdays"},
      {"2026-03-02", 30, "2026-04-14", "a 30-day limit across Qingming"},
  };
  for (const Row& r : rows) {
    INFO(r.received << " + " << r.days << " (" << r.why << ")");
    CHECK(hallq::format_date(cal.add_working_days(d(r.received), r.days)) == r.deadline);
  }
  // The calendar knows which years it covers; a deadline outside them is not trustworthy.
  CHECK(cal.covers(d("2025-01-01")));
  CHECK(cal.covers(d("2026-12-31")));
  CHECK_FALSE(cal.covers(d("2024-12-31")));
  CHECK_FALSE(cal.covers(d("2027-01-01")));
  CHECK_FALSE(WorkingCalendar().covers(d("2026-03-02")));
}
