#include "hallq/escpos/layouts.hpp"

namespace hallq::escpos {
namespace {

const TextStyle kTitle{1, 2, true, Align::Center};
const TextStyle kCentre{1, 1, true, Align::Center};
const TextStyle kCenter{1, 1, false, Align::Center};
const TextStyle kBody{};
const TextStyle kBold{1, 1, true, Align::Left};

void header(Document& d, const std::string& centre, const LayoutOptions& o) {
  d.text(centre, kCentre);
  for (const auto& h : o.header) d.text(h, kCenter);
}

void footer(Document& d, const LayoutOptions& o) {
  for (const auto& f : o.footer) d.text(f, kCenter);
}

void numbered(Document& d, const std::vector<std::string>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    std::string n = std::to_string(i + 1) + ". ";
    d.text(n + items[i], kBody, static_cast<int>(n.size()));
  }
}

void field(Document& d, const std::string& label, const std::string& value) {
  if (!value.empty()) d.text(label + "：" + value, kBody, static_cast<int>(label.size() / 3 * 2 + 2));
}

}  // namespace

Document ticket(const TicketData& t, const LayoutOptions& o) {
  Document d;
  header(d, t.centre, o);
  d.rule('-');
  d.text(t.number, TextStyle{4, 4, true, Align::Center});
  d.text(t.service, TextStyle{2, 2, true, Align::Center});
  if (!t.priority.empty()) d.text("【" + t.priority + "】", kCentre);
  std::string wait = "前面还有 " + std::to_string(t.ahead) + " 人";
  if (t.wait_minutes > 0) wait += "，约等 " + std::to_string(t.wait_minutes) + " 分钟";
  d.text(wait, kCenter);
  d.text("取号时间 " + t.issued_at, kCenter);
  if (!t.status_url.empty()) {
    d.qr(t.status_url, 5, 'M');
    d.text("扫码查看排队进度", kCenter);
  }
  if (!t.item.empty() || !t.materials.empty()) {
    d.rule('-');
    if (!t.item.empty()) d.text("办理事项：" + t.item, kBold, 10);
    if (!t.materials.empty()) {
      d.text("请备齐以下材料（一次性告知）：", kBody);
      numbered(d, t.materials);
    }
    if (!t.guide_url.empty()) {
      d.qr(t.guide_url, 4, 'M');
      d.text("扫码查看办事指南", kCenter);
    }
  }
  d.rule('-');
  footer(d, o);
  if (!t.complaint_phone.empty()) d.text("投诉电话 " + t.complaint_phone, kCenter);
  d.cut(3);
  return d;
}

Document supplement_notice(const SupplementNoticeData& n, const LayoutOptions& o) {
  Document d;
  for (const char* copy : {"申请人留存", "窗口留存"}) {
    header(d, n.unit, o);
    d.text("补正材料一次性告知书", kTitle);
    d.text(std::string("（") + copy + "）", kCenter);
    d.rule('-');
    field(d, "编号", n.case_no);
    field(d, "申请人", n.applicant);
    field(d, "事项", n.item);
    d.text("经审查，您申请的事项材料不齐全，请补齐以下全部材料后再次提交：", kBody);
    numbered(d, n.missing);
    if (n.time_limit_days > 0)
      d.text("材料补齐后，我们将在 " + std::to_string(n.time_limit_days) + " 个工作日内办结（受理当日不计）。", kBody);
    field(d, "查询办理进度", n.query);
    if (!n.query_url.empty()) d.qr(n.query_url, 4, 'M');
    d.rule('-');
    field(d, "经办窗口", n.window);
    field(d, "经办人", n.clerk);
    field(d, "日期", n.date);
    footer(d, o);
    d.cut(3);
  }
  return d;
}

Document acceptance_notice(const AcceptanceNoticeData& n, const LayoutOptions& o) {
  Document d;
  header(d, n.unit, o);
  d.text("受理通知书", kTitle);
  d.rule('-');
  field(d, "编号", n.case_no);
  field(d, "申请人", n.applicant);
  field(d, "事项", n.item);
  field(d, "收件时间", n.received_at);
  if (!n.received.empty()) {
    d.text("已收材料：", kBody);
    numbered(d, n.received);
  }
  if (!n.deadline.empty()) {
    std::string limit = n.time_limit_days > 0 ? "（" + std::to_string(n.time_limit_days) + " 个工作日）" : "";
    d.text("承诺办结日期：" + n.deadline + limit, kBold, 14);
  }
  field(d, "联系电话", n.phone);
  if (!n.query_url.empty()) {
    d.qr(n.query_url, 4, 'M');
    d.text("扫码查询办理进度", kCenter);
  }
  d.rule('-');
  field(d, "经办窗口", n.window);
  field(d, "经办人", n.clerk);
  footer(d, o);
  d.cut(3);
  return d;
}

Document case_notice(const CaseNoticeData& n, const LayoutOptions& o) {
  Document d;
  const std::vector<std::string> copies = n.copies.empty() ? std::vector<std::string>{""} : n.copies;
  for (const auto& copy : copies) {
    header(d, n.unit, o);
    d.text(n.title, kTitle);
    if (!copy.empty()) d.text("（" + copy + "）", kCenter);
    d.rule('-');
    field(d, "编号", n.case_no);
    field(d, "申请人", n.applicant);
    field(d, "事项", n.item);
    for (const auto& [label, value] : n.fields) field(d, label, value);
    if (!n.text.empty()) d.text(n.text, kBody);
    if (!n.list.empty()) {
      if (!n.list_title.empty()) d.text(n.list_title + "：", kBody);
      numbered(d, n.list);
    }
    d.rule('-');
    field(d, "经办窗口", n.window);
    field(d, "经办人", n.clerk);
    field(d, "日期", n.date);
    if (!n.signature.empty()) {
      d.feed(1);
      d.text(n.signature + "：________________", kBody);
    }
    footer(d, o);
    d.cut(3);
  }
  return d;
}

TicketData sample_ticket() {
  TicketData t;
  t.centre = "青溪镇便民服务中心";
  t.number = "A012";
  t.service = "民政救助";
  t.priority = "老年人优先";
  t.ahead = 3;
  t.wait_minutes = 15;
  t.issued_at = "2026-03-02 10:00";
  t.status_url = "http://192.168.1.10:8080/t/20260302-A012";
  t.item = "最低生活保障申请";
  t.materials = {"居民身份证原件及复印件", "户口簿原件及复印件", "最低生活保障申请书（本人签字）",
                 "家庭收入及财产状况申报表", "残疾证或病历（如有）"};
  t.guide_url = "http://192.168.1.10:8080/guide/dibao";
  t.complaint_phone = "0571-12345";
  return t;
}

SupplementNoticeData sample_supplement_notice() {
  SupplementNoticeData n;
  n.unit = "青溪镇便民服务中心";
  n.window = "3号窗口";
  n.clerk = "李明（c05）";
  n.date = "2026年3月2日";
  n.case_no = "QX-20260302-0007";
  n.applicant = "张𠮷";
  n.item = "最低生活保障申请";
  n.missing = {"户口簿原件及复印件", "家庭收入及财产状况申报表（全体家庭成员签字）"};
  n.time_limit_days = 10;
  n.query = "电话 0571-12345，或扫描下方二维码";
  n.query_url = "http://192.168.1.10:8080/case/QX-20260302-0007";
  return n;
}

AcceptanceNoticeData sample_acceptance_notice() {
  AcceptanceNoticeData n;
  n.unit = "青溪镇便民服务中心";
  n.window = "3号窗口";
  n.clerk = "李明（c05）";
  n.case_no = "QX-20260302-0008";
  n.applicant = "王秀英";
  n.received_at = "2026年3月2日 10:20";
  n.item = "最低生活保障申请";
  n.received = {"居民身份证复印件", "户口簿复印件", "最低生活保障申请书", "家庭收入及财产状况申报表"};
  n.deadline = "2026年3月16日";
  n.time_limit_days = 10;
  n.phone = "0571-12345";
  n.query_url = "http://192.168.1.10:8080/case/QX-20260302-0008";
  return n;
}

LayoutOptions sample_options() {
  LayoutOptions o;
  o.header = {"一窗受理 · 一次办好"};
  o.footer = {"过号请重新取号", "工作日 8:30-12:00 14:00-17:30"};
  return o;
}

}  // namespace hallq::escpos
