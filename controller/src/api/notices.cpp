#include "notices.hpp"

#include "hallq/escpos/encoder.hpp"

namespace hallq::api {

namespace {

std::string window_label(const HallConfig& cfg, int window) {
  const WindowConfig* w = cfg.find_window(window);
  return w && !w->name.empty() ? w->name : std::to_string(window) + "号窗口";
}

std::string clerk_label(const HallConfig& cfg, const std::string& id) {
  const ClerkConfig* k = cfg.find_clerk(id);
  return k ? k->name + "（" + id + "）" : id;
}

const ServiceItem* item_of(const HallConfig& cfg, const std::string& service, const std::string& item) {
  if (const ServiceConfig* s = cfg.find_service(service))
    for (const auto& it : s->items)
      if (it.id == item) return &it;
  return nullptr;
}

std::string date_time(TimePoint t, const TimeZone& tz) {
  LocalTime l = tz.to_local(t);
  return chinese_date(l.date) + " " + format_hhmm(l.minute_of_day);
}

}  // namespace

std::string chinese_date(Date d) {
  return std::to_string(static_cast<int>(d.year())) + "年" + std::to_string(static_cast<unsigned>(d.month())) + "月" +
         std::to_string(static_cast<unsigned>(d.day())) + "日";
}

bool valid_notice(const std::string& doc) {
  for (const char* d : {"acceptance", "supplement", "extension", "return", "agency_receipt", "agency_slip"})
    if (doc == d) return true;
  return false;
}

std::optional<std::string> notice_for(const engine::Event& e, const engine::Case& c) {
  using engine::CaseType;
  if (e.type == "CaseRegistered") {
    switch (c.type) {
      case CaseType::Promised:
      case CaseType::Escalated:
      case CaseType::Joint: return "acceptance";
      case CaseType::Supplement: return "supplement";
      case CaseType::Returned: return "return";
      case CaseType::Agency: return "agency_receipt";
      case CaseType::Immediate: return std::nullopt;
    }
  }
  if (e.type == "CaseMaterialsCompleted") return "acceptance";  // now with its deadline
  if (e.type == "CaseSupplementRequested") return "supplement";  // the new one-time notice
  if (e.type == "CaseExtended") return "extension";
  if (e.type == "CaseReturned") return "return";
  if (e.type == "CaseHandlerAssigned") return "agency_slip";
  return std::nullopt;
}

std::optional<escpos::Document> build_notice(const std::string& doc, const engine::Case& c, const NoticeContext& ctx) {
  const HallConfig& cfg = *ctx.config;
  const ServiceItem* item = item_of(cfg, c.service, c.item);
  const std::string phone = item && !item->phone.empty() ? item->phone : cfg.centre.complaint_phone;
  const escpos::LayoutOptions opt{cfg.printing.header, cfg.printing.footer};
  const std::string deadline = c.deadline ? chinese_date(*c.deadline) : std::string();
  const std::string today = chinese_date(ctx.tz->to_local(ctx.now).date);
  if (doc == "acceptance") {
    if (c.state == engine::CaseState::AwaitingMaterials || !c.deadline) return std::nullopt;
    escpos::AcceptanceNoticeData n;
    n.unit = cfg.centre.name;
    n.window = window_label(cfg, c.window);
    n.clerk = clerk_label(cfg, c.clerk);
    n.case_no = c.no;
    n.applicant = ctx.applicant;
    n.received_at = date_time(c.received_at, *ctx.tz);
    n.item = c.item_name;
    n.received = c.received_materials;
    n.deadline = deadline;
    n.time_limit_days = c.time_limit_days;
    n.phone = phone;
    return escpos::acceptance_notice(n, opt);
  }
  if (doc == "supplement") {
    if (c.missing.empty()) return std::nullopt;
    escpos::SupplementNoticeData n;
    n.unit = cfg.centre.name;
    n.window = window_label(cfg, c.window);
    n.clerk = clerk_label(cfg, c.clerk);
    n.date = chinese_date(c.received);
    n.case_no = c.no;
    n.applicant = ctx.applicant;
    n.item = c.item_name;
    n.missing = c.missing;
    n.time_limit_days = c.time_limit_days;
    n.query = phone.empty() ? "请到" + window_label(cfg, c.window) + "查询" : "电话 " + phone + "，或到" + window_label(cfg, c.window) + "查询";
    return escpos::supplement_notice(n, opt);
  }
  escpos::CaseNoticeData n;
  n.unit = cfg.centre.name;
  n.case_no = c.no;
  n.applicant = ctx.applicant;
  n.item = c.item_name;
  n.window = window_label(cfg, c.window);
  n.clerk = clerk_label(cfg, c.clerk);
  n.date = today;
  if (doc == "extension") {
    if (c.extensions.empty()) return std::nullopt;
    const auto& x = c.extensions.back();
    n.title = "延期办理告知书";
    n.copies = {"申请人留存", "窗口留存"};
    n.text = "因" + x.reason + "，您申请的事项不能在原承诺期限内办结，依规延期办理。";
    n.fields = {{"原承诺办结日期", chinese_date(x.from)},
                {"延长期限", std::to_string(x.days) + " 个工作日"},
                {"延期后办结日期", chinese_date(x.to)},
                {"联系电话", phone}};
    return escpos::case_notice(n, opt);
  }
  if (doc == "return") {
    if (c.reason.empty()) return std::nullopt;
    n.title = "退件通知书";
    n.copies = {"申请人留存", "窗口留存"};
    n.fields = {{"收件时间", date_time(c.received_at, *ctx.tz)}};
    n.text = "您申请的事项不予受理（退回），理由如下：" + c.reason;
    n.fields.emplace_back("咨询电话", phone);
    return escpos::case_notice(n, opt);
  }
  if (doc == "agency_receipt") {
    if (c.type != engine::CaseType::Agency) return std::nullopt;
    n.title = "代办受理回执";
    n.fields = {{"收件时间", date_time(c.received_at, *ctx.tz)}, {"承诺办结日期", deadline}, {"联系电话", phone}};
    n.list_title = "已收材料";
    n.list = c.received_materials;
    n.text = "您委托的事项由本中心全程代办，办结后将结果送达并回访。";
    return escpos::case_notice(n, opt);
  }
  if (doc == "agency_slip") {
    if (c.type != engine::CaseType::Agency || c.handler.empty()) return std::nullopt;
    n.title = "代办责任单";
    n.fields = {{"代办人", clerk_label(cfg, c.handler)}, {"承诺办结日期", deadline}};
    n.list_title = "已收材料";
    n.list = c.received_materials;
    n.text = "代办人对本事项全程负责：按期办结，将结果送达申请人，并征求其意见。";
    n.signature = "代办人签字";
    return escpos::case_notice(n, opt);
  }
  return std::nullopt;
}

Expected<std::unique_ptr<WindowPrinters>, std::string> WindowPrinters::open(const HallConfig& config) {
  auto out = std::make_unique<WindowPrinters>();
  for (const auto& w : config.windows) {
    if (w.printer.empty()) continue;
    auto spec = escpos::parse_printer_spec(w.printer);
    if (!spec) return unexpected("window " + std::to_string(w.number) + " printer: " + spec.error());
    Queue q;
    q.profile.paper_dots = w.printer_paper;
    q.profile.cutter = w.printer_cutter;
    q.queue = std::make_unique<escpos::PrintQueue>(*spec);
    out->queues_.emplace(w.number, std::move(q));
  }
  return out;
}

bool WindowPrinters::submit(int window, const escpos::Document& doc, Done done, std::string* error) {
  auto it = queues_.find(window);
  if (it == queues_.end()) {
    if (error) *error = "window " + std::to_string(window) + " has no printer";
    return false;
  }
  auto bytes = escpos::Encoder(it->second.profile).encode(doc);
  if (!bytes) {
    if (error) *error = bytes.error().message;
    return false;
  }
  it->second.queue->submit(std::move(*bytes), std::move(done));
  return true;
}

}  // namespace hallq::api
