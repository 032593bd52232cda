#include "hallq/common/rulebook.hpp"

namespace hallq {
namespace {

// Seed 001 (社溪镇便民服务中心 管理制度, 2022), 考评 (四): base 100 in four sections; deductions
// and additions stop at a section's weight or at 0. The rules the controller can observe, and
// the manual items a manager enters, with the seed's points.
Rulebook shexi_2022() {
  Rulebook r;
  r.preset = "shexi-2022";
  r.source = "seed 001 考评办法 (工作纪律 30, 服务质量 20, 业务管理 40, 服务对象评议 10, 加分项目)";
  r.sections = {
      {"discipline", 30, "工作纪律", "Discipline"},
      {"service", 20, "服务质量", "Service quality"},
      {"business", 40, "业务管理", "Case handling"},
      {"evaluation", 10, "服务对象评议", "Citizen evaluation"},
  };
  r.rules = {
      // (1) ① late / early / away without reason / absent; ⑦ leave without cover.
      {"late", -1, "discipline", "迟到", "Late", false},
      {"late_long", -1, "discipline", "迟到", "Late", false},
      {"early", -1, "discipline", "早退", "Left early", false},
      {"early_long", -1, "discipline", "早退", "Left early", false},
      {"away", -1, "discipline", "上班时间无故离岗", "Away from the window", false},
      {"away_long", -1, "discipline", "上班时间无故离岗", "Away from the window", false},
      {"absent_day", -2, "discipline", "缺勤且无人顶岗", "Absent, window not covered", false},
      // (2) ② verified complaint; ① attitude; ④ media exposure; ⑤ written praise (manual).
      {"complaint", -5, "service", "受到投诉经查实", "Complaint verified", false},
      {"attitude", -5, "service", "服务态度不好或与服务对象发生争吵", "Poor attitude, quarrel", true},
      {"exposure", -20, "service", "被新闻媒体曝光或明察暗访发现违规", "Exposed by media or inspection", true},
      {"praise", 5, "service", "服务对象书面表扬", "Written praise from a citizen", true},
      // (3) ① case handling.
      {"overdue_day", -2, "business", "办件超承诺时限（每件每天）", "Case overdue (per case, per working day)", false},
      {"unregistered", -2, "business", "办件后未及时登记", "Case not registered", false},
      {"once_failure", -3, "business", "未履行一次性告知造成往返跑", "Incomplete one-time notice", false},
      // (5) 加分项目: outside the sections, no cap.
      {"special", 2, "", "特事特办排忧解难", "Special help for a citizen", true},
      {"honour", 2, "", "为中心争得荣誉", "Honour for the centre", true},
      {"media_county", 2, "", "受县级表扬", "Praised at county level", true},
      {"media_city", 3, "", "受市级表扬", "Praised at city level", true},
      {"media_province", 5, "", "受省级表扬", "Praised at province level", true},
      {"other", 0, "", "其他", "Other", true},
  };
  r.satisfaction = {{100, 10}, {90, 9}, {80, 7}, {0, 5}};
  r.satisfaction_section = "evaluation";
  r.absence_excused_by_cover = true;
  return r;
}

// Seed 002 (二坪府〔2023〕87号, 二坪镇便民服务中心工作人员考核制度): monthly deductions from 100.
Rulebook erping_2023() {
  Rulebook r;
  r.preset = "erping-2023";
  r.source = "seed 002 考核制度 三、计分明细 (业务办理, 效能纪律)";
  r.rules = {
      // (一) 业务办理
      {"once_failure", -1, "", "未落实一次性告知制", "One-time notice not kept", false},
      {"overdue_day", -1, "", "办件超过承诺时限（每件每天）", "Case overdue (per case, per working day)", false},
      {"bad_review", -1, "", "被群众差评经核实", "Bad review, verified", false},
      {"complaint", -2, "", "群众投诉经核实", "Complaint verified", false},
      {"rules", -1, "", "未落实行为准则、首问负责等制度", "Service rules not kept", true},
      {"reply_late", -1, "", "网上咨询未及时答复", "Online enquiry not answered", true},
      {"task_late", -1, "", "未按时完成业务工作或报送材料", "Work or reports late", true},
      // (二) 效能纪律
      {"late", -1, "", "迟到", "Late", false},
      {"late_long", -2, "", "迟到超过30分钟", "Late over 30 min", false},
      {"early", -1, "", "早退", "Left early", false},
      {"early_long", -2, "", "早退超过30分钟", "Left early over 30 min", false},
      {"away", -1, "", "无故脱岗30分钟以内", "Away from the post up to 30 min", false},
      {"away_long", -2, "", "无故脱岗1小时以内", "Away from the post up to 1 h", false},
      {"absent_day", -3, "", "旷工1天", "Absent without leave (a day)", false},
      {"conduct", -1, "", "办公区域吸烟、玩游戏等", "Misconduct at work", true},
      {"quarrel", -3, "", "与服务对象争吵经核实", "Quarrel with a citizen", true},
      {"drinking", -4, "", "工作时间饮酒", "Drinking at work", true},
      {"phone_unanswered", -1, "", "咨询电话无人接听引起投诉", "Window phone unanswered", true},
      {"negative_speech", -3, "", "发表负面言论", "Negative remarks in public", true},
      {"inspection_town", -1, "", "被镇主要领导查实违纪", "Violation found by the town", true},
      {"inspection_district", -2, "", "被区级查实或通报批评", "Violation found by the district", true},
      {"inspection_city", -4, "", "被市级查实或通报批评", "Violation found by the city", true},
      {"inspection_province", -6, "", "被省级查实或通报批评", "Violation found by the province", true},
      {"other", 0, "", "其他", "Other", true},
  };
  r.review_complaint_cap = 10;
  r.absence_after_minutes = 60;
  r.absence_excused_by_leave = true;
  return r;
}

}  // namespace

const ScoreRule* Rulebook::find(std::string_view id) const {
  for (const auto& r : rules)
    if (r.id == id) return &r;
  return nullptr;
}

const ScoreSection* Rulebook::find_section(std::string_view id) const {
  for (const auto& s : sections)
    if (s.id == id) return &s;
  return nullptr;
}

std::optional<Rulebook> preset_rulebook(std::string_view name) {
  if (name == "shexi-2022") return shexi_2022();
  if (name == "erping-2023") return erping_2023();
  return std::nullopt;
}

std::vector<std::string> preset_names() { return {"shexi-2022", "erping-2023"}; }

}  // namespace hallq
