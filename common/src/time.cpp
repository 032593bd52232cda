#include "hallq/common/time.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace hallq {
namespace {

using namespace std::chrono;

std::optional<Minutes> parse_offset(std::string_view s) {
  if (s == "UTC" || s == "Z") return Minutes{0};
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  auto hm = parse_hhmm(s.substr(1));
  if (!hm || *hm > Minutes{14 * 60}) return std::nullopt;
  return s[0] == '-' ? -*hm : *hm;
}

Minutes libc_offset(TimePoint t) {
  // Straight to seconds: system_clock's nanoseconds only reach the years 1678..2262, and a date
  // from a request (a report's month, a deadline's day) may lie anywhere.
  std::time_t tt = static_cast<std::time_t>(duration_cast<seconds>(t.time_since_epoch()).count());
  std::tm tm{};
  localtime_r(&tt, &tm);
  return duration_cast<Minutes>(seconds{tm.tm_gmtoff});
}

}  // namespace

TimeZone TimeZone::fixed(Minutes utc_offset, std::string name) {
  TimeZone z;
  z.offset_ = utc_offset;
  z.name_ = name.empty() ? "UTC" + (utc_offset.count() ? format_hhmm(utc_offset) : "") : name;
  return z;
}

Expected<TimeZone, std::string> TimeZone::load(std::string_view name) {
  if (auto off = parse_offset(name)) return fixed(*off, std::string(name));
  std::string n(name);
  if (n.empty() || n.find("..") != std::string::npos || n[0] == '/' ||
      !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + n))
    return unexpected("unknown time zone '" + n +
                      "' (expected a tz name such as Asia/Shanghai, or an offset such as +08:00)");
  ::setenv("TZ", n.c_str(), 1);
  ::tzset();
  TimeZone z;
  z.name_ = n;
  return z;
}

LocalTime TimeZone::to_local(TimePoint t) const {
  Minutes off = offset_ ? *offset_ : libc_offset(t);
  auto lt = t + off;
  auto day = floor<days>(lt);
  LocalTime out;
  out.date = year_month_day{day};
  out.minute_of_day = duration_cast<Minutes>(lt - day);
  out.weekday = weekday{day};
  return out;
}

TimePoint TimeZone::from_local(Date d, Minutes m) const {
  TimePoint local = time_point_cast<milliseconds>(sys_days{d} + m);
  if (offset_) return local - *offset_;
  // Two passes settle the offset that holds at the result, also across a DST change.
  Minutes off = libc_offset(local);
  off = libc_offset(local - off);
  return local - off;
}

TimePoint TimeZone::next_midnight(TimePoint t) const {
  LocalTime l = to_local(t);
  return from_local(year_month_day{sys_days{l.date} + days{1}}, Minutes{0});
}

TimePoint SystemClock::now() const {
  return time_point_cast<milliseconds>(system_clock::now());
}

OffsetClock::OffsetClock(TimePoint start, double rate) : start_(start), rate_(rate), origin_(steady_clock::now()) {}

TimePoint OffsetClock::now() const {
  return start_ + duration_cast<milliseconds>(duration<double, std::milli>(steady_clock::now() - origin_) * rate_);
}

std::optional<Date> parse_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  y = std::atoi(std::string(s.substr(0, 4)).c_str());
  m = std::atoi(std::string(s.substr(5, 2)).c_str());
  d = std::atoi(std::string(s.substr(8, 2)).c_str());
  Date date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::optional<Minutes> parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return Minutes{h * 60 + m};
}

std::string format_hhmm(Minutes m) {
  long v = m.count() < 0 ? -m.count() : m.count();
  char buf[48];  // room for any long, so GCC's -Wformat-truncation stays quiet
  std::snprintf(buf, sizeof buf, "%02ld:%02ld", v / 60, v % 60);
  return buf;
}

std::string format_rfc3339(TimePoint t, const TimeZone& tz) {
  LocalTime l = tz.to_local(t);
  Minutes off = duration_cast<Minutes>(
      (sys_days{l.date} + l.minute_of_day) - floor<minutes>(t));
  auto ms = (t.time_since_epoch() % 60000).count();
  if (ms < 0) ms += 60000;
  char buf[128];  // room for the widest values GCC's -Wformat-truncation assumes
  long o = off.count() < 0 ? -off.count() : off.count();
  std::snprintf(buf, sizeof buf, "%sT%s:%02lld.%03lld%c%02ld:%02ld", format_date(l.date).c_str(),
                format_hhmm(l.minute_of_day).c_str(), static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000), off.count() < 0 ? '-' : '+', o / 60, o % 60);
  return buf;
}

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.mmm](Z|+HH:MM)
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  auto d = parse_date(s.substr(0, 10));
  auto hm = parse_hhmm(s.substr(11, 5));
  if (!d || !hm || s[17] < '0' || s[17] > '5' || s[18] < '0' || s[18] > '9') return std::nullopt;
  int sec = (s[17] - '0') * 10 + (s[18] - '0');
  size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    if (s.size() < pos + 4) return std::nullopt;
    for (size_t i = pos + 1; i < pos + 4; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      ms = ms * 10 + (s[i] - '0');
    }
    pos += 4;
  }
  auto off = parse_offset(s.substr(pos));
  if (!off) return std::nullopt;
  return time_point_cast<milliseconds>(sys_days{*d} + *hm) + seconds{sec} + milliseconds{ms} -
         *off;
}

}  // namespace hallq
