#pragma once
// Monthly staff scores (R-SCORE-1..3, R-ATT-1) under the centre's rulebook, computed from the
// event log alone: sign-ins against opening hours, pauses past the alert, the overdue cases
// and unregistered tickets each roll-over records, incomplete one-time notices, ratings and
// complaints with the manager's findings, and the manual items a manager entered. Every line
// names its rule, its points and the event it comes from. Pure: no I/O, no clock.
#include <map>
#include <string>
#include <vector>

#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/rulebook.hpp"
#include "hallq/common/time.hpp"
#include "hallq/controller/engine.hpp"

namespace hallq::rules {

struct ScoreLine {
  std::string rule;     // a rulebook rule id; "satisfaction"; "cap" (a section or the 002 cap); "excused"
  std::string section;  // the rule's section ("" outside every section)
  std::string zh, en;   // what the rule is
  int points = 0;
  // Waiting for the manager's finding (a complaint or bad review not yet checked): 0 points
  // until then, listed so the review sees it.
  bool pending = false;
  std::string date;         // YYYY-MM-DD: the day it concerns
  engine::Seq event = 0;    // the event it comes from (0: none, e.g. a day without a sign-in)
  int window = 0;
  std::string ref;          // a case no., complaint no., ticket number
  std::string detail;       // minutes late, the manager's reason, ... (Chinese)
  std::string detail_en;
};

struct ClerkScore {
  std::string clerk, name;
  int score = 0;
  int ratings = 0, satisfied = 0;  // the month's ratings and those at level 3-5
  std::map<std::string, int> sections;  // section id -> points kept (sections with a weight)
  std::vector<ScoreLine> lines;         // by date, then event
};

// The events of the types listed in scoring.cpp: those of the period (plus the roll-over that
// closes its last day) and every manager finding, leave and manual item, in seq order.
struct ScoreInput {
  Date first, last;  // the period, inclusive (a calendar month)
  TimePoint now;     // a day counts for attendance once it is over (or past closing time)
  std::vector<engine::Event> events;
};

// The event types score_period reads, for the store's query.
const std::vector<std::string>& period_event_types();   // read for the period's time range
const std::vector<std::string>& manager_event_types();  // read whenever they happened

// One entry per clerk of role clerk, in config order.
std::vector<ClerkScore> score_period(const HallConfig& config, const Rulebook& book, const WorkingCalendar& calendar,
                                     const TimeZone& tz, const ScoreInput& in);

}  // namespace hallq::rules
