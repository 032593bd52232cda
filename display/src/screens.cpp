#include "hallq/display/screens.hpp"

namespace hallq::display {

std::string window_message(const WindowView& w) {
  switch (w.mode) {
    case WindowView::Mode::Calling: return "请" + w.ticket + "号";
    case WindowView::Mode::Serving: return "正在办理" + w.ticket;
    case WindowView::Mode::Paused:
    case WindowView::Mode::Closed: return "暂停服务";  // R-HALL-6
    case WindowView::Mode::Welcome: return "欢迎光临";
  }
  return {};
}

std::string window_title(const WindowView& w) { return std::to_string(w.number) + "号窗口 " + w.name; }

std::string hall_call_text(const HallCall& c) { return "请到" + std::to_string(c.window) + "号窗口"; }

std::string waiting_text(const ServiceWaiting& s) { return s.prefix + ":" + std::to_string(s.waiting); }

std::vector<std::string> screen_text(const WindowView& w) { return {window_title(w), window_message(w)}; }

std::vector<std::string> notice_pages(const HallView& h, int width, const escpos::BitmapFont& font) {
  std::vector<std::string> items = h.notices;
  if (!h.complaint_phone.empty()) items.push_back("投诉电话 " + h.complaint_phone);
  std::vector<std::string> pages;
  for (const auto& item : items) {
    // Cut at character boundaries where the next character would not fit.
    std::string page;
    for (size_t i = 0; i < item.size();) {
      const auto b = static_cast<unsigned char>(item[i]);
      const size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
      const std::string ch = item.substr(i, len);
      if (!page.empty() && text_width(font, page + ch) > width) {
        pages.push_back(page);
        page.clear();
      }
      page += ch;
      i += len;
    }
    if (!page.empty()) pages.push_back(page);
  }
  return pages;
}

namespace {
// Rows of a hall screen: title, calls, (notice), waiting.
struct HallRows {
  int rows, calls, notice;  // notice: -1 when there is no room or nothing to roll
};
HallRows hall_rows(int height, bool has_notices) {
  const int rows = height / 16;
  const bool notice = has_notices && rows >= 4;
  return HallRows{rows, std::max(0, rows - 2 - (notice ? 1 : 0)), notice ? rows - 2 : -1};
}
}  // namespace

std::vector<std::string> screen_text(const HallView& h, int width, int height, const escpos::BitmapFont& font) {
  const auto pages = notice_pages(h, width, font);
  const HallRows r = hall_rows(height, !pages.empty());
  std::vector<std::string> out{"叫号信息"};
  for (const auto& c : h.recent) {
    if (static_cast<int>(out.size()) > r.calls) break;
    out.push_back(c.number + " " + hall_call_text(c));
  }
  if (r.notice >= 0) out.push_back(pages[static_cast<size_t>(h.notice_page) % pages.size()]);
  std::string waiting;
  for (const auto& s : h.waiting) {
    if (!waiting.empty()) waiting += ' ';
    waiting += waiting_text(s);
  }
  out.push_back(waiting);
  return out;
}

Motion motion_at(std::int64_t since_call_ms, int blink_ms, std::int64_t clock_ms, int scroll_dps) {
  Motion m;
  if (since_call_ms >= 0 && since_call_ms < blink_ms) m.call_off = since_call_ms % kBlinkPeriodMs >= 500;
  if (scroll_dps > 0 && clock_ms > 0) m.scroll_px = static_cast<int>(clock_ms * scroll_dps / 1000);
  return m;
}

Frame render_window(const WindowView& w, int width, int height, const escpos::BitmapFont& font, const Motion& m) {
  Frame f(width, height);
  const std::string title = window_title(w);
  const int tw = text_width(font, title);
  if (tw <= width || m.scroll_px == 0) {
    draw_centred(f, font, 0, title, kAmber);
  } else {
    // A marquee: the title moves left and comes round again after a gap.
    const int x = -(m.scroll_px % (tw + kScrollGap));
    draw_text(f, font, x, 0, title, kAmber);
    draw_text(f, font, x + tw + kScrollGap, 0, title, kAmber);
  }
  const Rgb colour = w.mode == WindowView::Mode::Welcome ? kGreen : kRed;
  const bool dark = m.call_off && w.mode == WindowView::Mode::Calling;
  if (height >= 32 && !dark) draw_centred(f, font, 16, window_message(w), colour);
  return f;
}

Frame render_hall(const HallView& h, int width, int height, const escpos::BitmapFont& font, const Motion& m) {
  Frame f(width, height);
  const auto pages = notice_pages(h, width, font);
  const HallRows r = hall_rows(height, !pages.empty());
  draw_centred(f, font, 0, "叫号信息", kAmber);
  int row = 1;
  for (const auto& c : h.recent) {
    if (row > r.calls) break;
    if (row == 1 && m.call_off) {  // the newest call blinks
      ++row;
      continue;
    }
    const int x = draw_text(f, font, 8, 16 * row, c.number, kRed);
    draw_text(f, font, std::max(x + 16, 72), 16 * row, hall_call_text(c), kGreen);
    ++row;
  }
  if (r.notice >= 0) draw_text(f, font, 0, 16 * r.notice, pages[static_cast<size_t>(h.notice_page) % pages.size()], kCyan);
  // The last row: waiting per service (R-HALL-2), as many as fit.
  if (r.rows >= 2) {
    int x = 0;
    for (const auto& s : h.waiting) {
      const std::string text = waiting_text(s) + " ";
      if (x + text_width(font, text) > width) break;
      x = draw_text(f, font, x, 16 * (r.rows - 1), text, kAmber);
    }
  }
  return f;
}

}  // namespace hallq::display
