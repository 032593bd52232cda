#pragma once
// What HallQ prints, as Documents (zh-CN): the queue ticket, the one-time notice of missing
// materials (补正材料一次性告知书, two copies) and the acceptance notice (受理通知书). Shared
// by the kiosk (tickets) and the controller (window printers). Pure; thread-safe.
#include <string>
#include <vector>

#include "hallq/escpos/document.hpp"

namespace hallq::escpos {

// Lines the centre configures above and below every document.
struct LayoutOptions {
  std::vector<std::string> header;  // e.g. a slogan under the centre's name
  std::vector<std::string> footer;  // e.g. "过号请重新取号", opening hours
};

struct TicketData {
  std::string centre;          // 青溪镇便民服务中心
  std::string number;          // A012
  std::string service;         // 民政救助
  std::string priority;        // "" or e.g. "老年人优先" (R-HALL-7)
  int ahead = 0;               // people waiting before this ticket
  int wait_minutes = 0;        // estimated wait; 0 = no estimate shown
  std::string issued_at;       // 2026-03-02 10:00 (hall time, already formatted)
  std::string status_url;      // QR: the ticket's progress page
  std::string item;            // the chosen item, if any
  std::vector<std::string> materials;  // the item's full materials list (R-ONCE-1)
  std::string guide_url;       // QR: the item's service guide (R-HALL-4); may be empty
  std::string complaint_phone;
};

struct SupplementNoticeData {
  std::string unit;            // handling unit (受理单位)
  std::string window;          // 3号窗口
  std::string clerk;           // clerk's name and id
  std::string date;            // 2026年3月2日
  std::string case_no;
  std::string applicant;
  std::string item;
  std::vector<std::string> missing;  // every missing material (R-ONCE-2)
  int time_limit_days = 0;     // promised working days once complete (R-TIME-2)
  std::string query;           // how to follow progress: phone / URL
  std::string query_url;       // QR, may be empty
};

struct AcceptanceNoticeData {
  std::string unit;
  std::string window;
  std::string clerk;
  std::string case_no;
  std::string applicant;
  std::string received_at;     // 2026年3月2日 10:20
  std::string item;
  std::vector<std::string> received;  // materials received
  std::string deadline;        // 2026年3月16日 (working-day calendar, R-TIME-1/2)
  int time_limit_days = 0;
  std::string phone;
  std::string query_url;
};

// The other written notices of a case: 延期办理告知书 (R-TIME-3), 退件通知书 (R-CASE-5),
// 代办受理回执 and 代办责任单 (R-CASE-7).
struct CaseNoticeData {
  std::string unit, title, case_no, applicant, item, window, clerk, date;
  std::vector<std::pair<std::string, std::string>> fields;  // label, value (empty values skipped)
  std::string text;                  // a paragraph: the reason, the responsibility
  std::string list_title;
  std::vector<std::string> list;     // e.g. the materials received
  std::vector<std::string> copies;   // one copy per label, cut between; empty: one unlabelled copy
  std::string signature;             // e.g. "代办人签字"; a line to sign on
};

Document ticket(const TicketData& t, const LayoutOptions& o);
// Both copies in one job (申请人留存 / 窗口留存), cut between them (R-ONCE-3).
Document supplement_notice(const SupplementNoticeData& n, const LayoutOptions& o);
Document acceptance_notice(const AcceptanceNoticeData& n, const LayoutOptions& o);
Document case_notice(const CaseNoticeData& n, const LayoutOptions& o);

// Realistic sample data (the example hall) for previews, golden files and benchmarks.
TicketData sample_ticket();
SupplementNoticeData sample_supplement_notice();
AcceptanceNoticeData sample_acceptance_notice();
LayoutOptions sample_options();

}  // namespace hallq::escpos
