#pragma once
// Time values and the injectable clock. Nothing in the engine reads a clock: the daemon reads
// a Clock and passes `now` in, and tests pass a FakeClock (ARCHITECTURE: time is injected).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "hallq/common/expected.hpp"

namespace hallq {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Date = std::chrono::year_month_day;
using Minutes = std::chrono::minutes;

// A wall-clock time in the centre's time zone.
struct LocalTime {
  Date date;
  Minutes minute_of_day{0};       // 0 .. 1439
  std::chrono::weekday weekday;   // Sunday .. Saturday
};

// The centre's time zone. Either a fixed UTC offset (tests, "UTC", "+08:00") or a name from
// the system tz database (Asia/Shanghai), resolved through libc.
// Thread-safety: immutable after construction; loading a named zone sets the process TZ once
// and must happen before other threads start.
class TimeZone {
 public:
  static TimeZone fixed(Minutes utc_offset, std::string name = {});
  // Error text when the name is neither an offset nor a zone in /usr/share/zoneinfo.
  static Expected<TimeZone, std::string> load(std::string_view name);

  LocalTime to_local(TimePoint t) const;
  // The instant a local date+time happens (the first one, across a DST change).
  TimePoint from_local(Date d, Minutes minute_of_day) const;
  // Start of the local day after the one `t` falls in.
  TimePoint next_midnight(TimePoint t) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::optional<Minutes> offset_;  // nullopt: ask libc
};

// Interface to the current time; the daemon uses SystemClock, tests FakeClock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// Wall time that starts at a given instant and then runs at the real pace (monotonic).
// The daemon uses it for --clock-start: tests and demos at a fixed date and hour.
class OffsetClock final : public Clock {
 public:
  // `rate`: hall seconds per real second (1: real time; tests of timed rules run faster).
  explicit OffsetClock(TimePoint start, double rate = 1.0);
  TimePoint now() const override;

 private:
  TimePoint start_;
  double rate_;
  std::chrono::steady_clock::time_point origin_;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint t) : now_(t) {}
  TimePoint now() const override { return now_; }
  void set(TimePoint t) { now_ = t; }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  TimePoint now_;
};

// "2026-11-22" <-> Date; "08:30" <-> minutes of day.
std::optional<Date> parse_date(std::string_view s);
std::string format_date(Date d);
std::optional<Minutes> parse_hhmm(std::string_view s);
std::string format_hhmm(Minutes m);
// RFC 3339 with the zone's offset, e.g. "2026-11-22T09:30:00.000+08:00".
std::string format_rfc3339(TimePoint t, const TimeZone& tz);
// Parses what format_rfc3339 writes (and "Z"); nullopt on anything else.
std::optional<TimePoint> parse_rfc3339(std::string_view s);

}  // namespace hallq
