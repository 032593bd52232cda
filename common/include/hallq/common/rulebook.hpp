#pragma once
// The centre's staff-scoring rulebook (R-SCORE-*, R-ATT-1): which observed facts and manual
// items add or take points, grouped into sections with their weights. Two presets are the seed
// documents' own rules: shexi-2022 (seed 001, 社溪镇 考评) and erping-2023 (seed 002, 二坪镇
// 考核制度). A centre picks one in [scoring] and may change the points of single rules.
// Thread-safety: plain values.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hallq {

struct ScoreRule {
  std::string id;
  int points = 0;        // per instance (per case and working day for overdue_day)
  std::string section;   // a section id, or "" for points outside every section
  std::string zh, en;    // what a score line says
  bool manual = false;   // entered by a manager with a reason (praise, media); not observed
};

// A section's lines together never take it below 0 nor above its weight (001: "加、扣分至每小项
// 分数加满封顶或扣完为止"); a cap line in the score says when that happened.
struct ScoreSection {
  std::string id;
  int max = 0;
  std::string zh, en;
};

struct SatisfactionBand {
  int min_percent = 0;  // the band applies from this satisfaction rate up
  int points = 0;
};

struct Rulebook {
  std::string preset;  // shexi-2022 | erping-2023
  std::string source;  // the seed document the rules come from
  int base = 100;
  std::vector<ScoreSection> sections;
  std::vector<ScoreRule> rules;
  // Citizen evaluation (001 (4)): the month's satisfaction rate (levels 3-5 of all ratings)
  // gives the section's points by band, highest band first. Empty: not scored.
  std::vector<SatisfactionBand> satisfaction;
  std::string satisfaction_section;
  // 002 三(一)(5): bad reviews and complaints together take at most this much a month (0: no cap).
  int review_complaint_cap = 0;
  // Attendance (R-ATT-1), in minutes: a first sign-in later than opening + grace is late, and
  // beyond long_minutes "late_long"; an absence from the window (signed out with nobody covering,
  // or paused past the alert) up to long_minutes is "away", longer "away_long".
  int late_grace_minutes = 0;
  int long_minutes = 30;
  // 002: late, early or away for more than this long counts as a day's absence (旷工); 0: never.
  int absence_after_minutes = 0;
  // A day without a sign-in is excused when the window's other post covered it (001 ⑦) or
  // when a manager recorded approved leave (002 (2)).
  bool absence_excused_by_cover = false;
  bool absence_excused_by_leave = false;

  const ScoreRule* find(std::string_view id) const;
  const ScoreSection* find_section(std::string_view id) const;
};

std::optional<Rulebook> preset_rulebook(std::string_view name);
std::vector<std::string> preset_names();

}  // namespace hallq
