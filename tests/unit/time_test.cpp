#include "hallq/common/time.hpp"

#include "hallq_catch.hpp"
#include <chrono>
#include <string>

using namespace std::chrono;
using hallq::Minutes;
using hallq::TimePoint;
using hallq::TimeZone;

namespace {

TimePoint utc(int y, unsigned m, unsigned d, int hh, int mm, int ss = 0, int ms = 0) {
  return time_point_cast<milliseconds>(sys_days{year{y} / month{m} / day{d}} + hours{hh} +
                                       minutes{mm} + seconds{ss}) +
         milliseconds{ms};
}

const TimeZone beijing = TimeZone::fixed(Minutes{8 * 60}, "+08:00");

}  // namespace

TEST_CASE("dates parse and format as YYYY-MM-DD", "[time]") {
  auto d = hallq::parse_date("2026-11-22");
  REQUIRE(d.has_value());
  CHECK(d->year() == year{2026});
  CHECK(d->month() == November);
  CHECK(d->day() == day{22});
  CHECK(hallq::format_date(*d) == "2026-11-22");
  CHECK(hallq::format_date(year{2025} / January / 5) == "2025-01-05");
  CHECK(hallq::parse_date("2024-02-29").has_value());  // leap day

  for (const char* bad : {"2026-13-01", "2026-02-30", "2025-02-29", "2026-1-01", "2026/01/01",
                          "20260101", "2026-01-0a", "", "2026-01-011"}) {
    INFO(bad);
    CHECK_FALSE(hallq::parse_date(bad).has_value());
  }
}

TEST_CASE("HH:MM parses to minutes of day and formats back", "[time]") {
  struct Row {
    const char* text;
    int minutes;
  };
  const Row rows[] = {{"00:00", 0},    {"08:30", 510},  {"12:00", 720},
                      {"17:30", 1050}, {"23:59", 1439}, {"24:00", 1440}};
  for (const Row& r : rows) {
    INFO(r.text);
    auto m = hallq::parse_hhmm(r.text);
    REQUIRE(m.has_value());
    CHECK(m->count() == r.minutes);
    CHECK(hallq::format_hhmm(*m) == r.text);
  }
  for (const char* bad : {"8:30", "08:60", "24:01", "25:00", "0830", "08-30", "ab:cd", ""}) {
    INFO(bad);
    CHECK_FALSE(hallq::parse_hhmm(bad).has_value());
  }
}

TEST_CASE("RFC 3339 round-trips with a fixed +08:00 zone", "[time]") {
  const TimePoint t = utc(2026, 11, 22, 1, 30, 5, 123);
  const std::string s = hallq::format_rfc3339(t, beijing);
  CHECK(s == "2026-11-22T09:30:05.123+08:00");
  auto back = hallq::parse_rfc3339(s);
  REQUIRE(back.has_value());
  CHECK(*back == t);

  // Across local midnight: 16:00 UTC is the next day in Beijing.
  CHECK(hallq::format_rfc3339(utc(2026, 12, 31, 16, 0), beijing) ==
        "2027-01-01T00:00:00.000+08:00");
  CHECK(hallq::format_rfc3339(t, TimeZone::fixed(Minutes{0})) == "2026-11-22T01:30:05.123+00:00");

  auto z = hallq::parse_rfc3339("2026-11-22T01:30:05Z");
  REQUIRE(z.has_value());
  CHECK(*z == utc(2026, 11, 22, 1, 30, 5));
  auto neg = hallq::parse_rfc3339("2026-11-21T20:30:05.000-05:00");
  REQUIRE(neg.has_value());
  CHECK(*neg == utc(2026, 11, 22, 1, 30, 5));

  for (const char* bad : {"2026-11-22 09:30:05+08:00", "2026-11-22T09:30:05",
                          "2026-11-22T09:30+08:00", "2026-11-22T09:30:05.12+08:00",
                          "2026-11-22T09:30:05+0800", "2026-11-22T09:30:65+08:00", "garbage"}) {
    INFO(bad);
    CHECK_FALSE(hallq::parse_rfc3339(bad).has_value());
  }
}

TEST_CASE("to_local, from_local and next_midnight at a fixed +08:00 offset", "[time]") {
  const TimePoint t = utc(2026, 10, 9, 23, 15);  // Saturday 2026-10-10 07:15 in Beijing
  const hallq::LocalTime l = beijing.to_local(t);
  CHECK(hallq::format_date(l.date) == "2026-10-10");
  CHECK(l.minute_of_day == Minutes{7 * 60 + 15});
  CHECK(l.weekday == Saturday);

  CHECK(beijing.from_local(l.date, l.minute_of_day) == t);
  CHECK(beijing.from_local(year{2026} / October / 10, Minutes{0}) == utc(2026, 10, 9, 16, 0));

  CHECK(beijing.next_midnight(t) == utc(2026, 10, 10, 16, 0));
  // Exactly at local midnight, the next midnight is a whole day later.
  CHECK(beijing.next_midnight(utc(2026, 10, 9, 16, 0)) == utc(2026, 10, 10, 16, 0));
  // Month and year ends roll over.
  CHECK(beijing.next_midnight(utc(2026, 12, 31, 15, 59)) == utc(2026, 12, 31, 16, 0));
}

TEST_CASE("TimeZone::load accepts offsets and tz names, refuses unknown zones", "[time]") {
  auto fixed = TimeZone::load("+08:00");
  REQUIRE(fixed.has_value());
  CHECK(hallq::format_rfc3339(utc(2026, 1, 1, 0, 0), *fixed) == "2026-01-01T08:00:00.000+08:00");

  auto shanghai = TimeZone::load("Asia/Shanghai");
  REQUIRE(shanghai.has_value());
  CHECK(shanghai->name() == "Asia/Shanghai");
  // China has no DST: UTC+8 in winter and summer alike.
  CHECK(hallq::format_rfc3339(utc(2026, 1, 15, 4, 0), *shanghai) ==
        "2026-01-15T12:00:00.000+08:00");
  CHECK(hallq::format_rfc3339(utc(2026, 7, 15, 4, 0), *shanghai) ==
        "2026-07-15T12:00:00.000+08:00");
  CHECK(shanghai->from_local(year{2026} / July / 15, Minutes{12 * 60}) == utc(2026, 7, 15, 4, 0));

  auto mars = TimeZone::load("Mars/Base");
  REQUIRE_FALSE(mars.has_value());
  CHECK_THAT(mars.error(), HasSubstr("Mars/Base"));
  CHECK_FALSE(TimeZone::load("../etc/passwd").has_value());
  CHECK_FALSE(TimeZone::load("").has_value());
}
