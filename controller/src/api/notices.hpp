#pragma once
// Written notices of the case register, printed at the window's receipt printer (R-ONCE-3,
// R-CASE-2, R-TIME-3, R-CASE-5, R-CASE-7): which event prints which notice, the notice built
// from the case, and one print queue per window that has a printer. The outcome of each job
// comes back through a callback so the Hall can record it against the case.
// Thread-safety: build() and doc_for() are pure; submit() may be called from the I/O thread,
// the callback runs on the window's printer thread.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "hallq/common/config.hpp"
#include "hallq/controller/engine.hpp"
#include "hallq/escpos/layouts.hpp"
#include "hallq/escpos/printer.hpp"

namespace hallq::api {

// acceptance supplement extension return agency_receipt agency_slip
bool valid_notice(const std::string& doc);
// The notice an event prints at once, if any.
std::optional<std::string> notice_for(const engine::Event& e, const engine::Case& c);

struct NoticeContext {
  const HallConfig* config = nullptr;
  std::string applicant;  // in clear, for the paper only
  TimePoint now;
  const TimeZone* tz = nullptr;
};
// nullopt when the case cannot have that notice (a supplement notice for a promised case).
std::optional<escpos::Document> build_notice(const std::string& doc, const engine::Case& c, const NoticeContext& ctx);
std::string chinese_date(Date d);  // 2026年3月9日

class WindowPrinters {
 public:
  using Done = std::function<void(const escpos::JobResult&)>;
  // Opens a queue for each window with a printer; an unreadable spec is an error.
  static Expected<std::unique_ptr<WindowPrinters>, std::string> open(const HallConfig& config);
  bool has(int window) const { return queues_.contains(window); }
  // Encodes for the window's printer and queues; false (nothing queued) without a printer or
  // when the text cannot be encoded, with the reason in `error`.
  bool submit(int window, const escpos::Document& doc, Done done, std::string* error);

 private:
  struct Queue {
    escpos::PrinterProfile profile;
    std::unique_ptr<escpos::PrintQueue> queue;
  };
  std::map<int, Queue> queues_;
};

}  // namespace hallq::api
