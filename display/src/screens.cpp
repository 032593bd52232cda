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

std::vector<std::string> screen_text(const HallView& h, int height) {
  std::vector<std::string> out{"叫号信息"};
  const int rows = height / 16;
  for (const auto& c : h.recent) {
    if (static_cast<int>(out.size()) >= rows - 1) break;
    out.push_back(c.number + " " + hall_call_text(c));
  }
  std::string waiting;
  for (const auto& s : h.waiting) {
    if (!waiting.empty()) waiting += ' ';
    waiting += waiting_text(s);
  }
  out.push_back(waiting);
  return out;
}

Frame render_window(const WindowView& w, int width, int height, const escpos::BitmapFont& font) {
  Frame f(width, height);
  draw_centred(f, font, 0, window_title(w), kAmber);
  const Rgb colour = w.mode == WindowView::Mode::Welcome ? kGreen : kRed;
  if (height >= 32) draw_centred(f, font, 16, window_message(w), colour);
  return f;
}

Frame render_hall(const HallView& h, int width, int height, const escpos::BitmapFont& font) {
  Frame f(width, height);
  const int rows = height / 16;
  int row = 0;
  draw_centred(f, font, 16 * row++, "叫号信息", kAmber);
  for (const auto& c : h.recent) {
    if (row >= rows - 1) break;
    const int x = draw_text(f, font, 8, 16 * row, c.number, kRed);
    draw_text(f, font, std::max(x + 16, 72), 16 * row, hall_call_text(c), kGreen);
    ++row;
  }
  // The last row: waiting per service (R-HALL-2), as many as fit.
  if (rows >= 2) {
    int x = 0;
    for (const auto& s : h.waiting) {
      const std::string text = waiting_text(s) + " ";
      if (x + text_width(font, text) > width) break;
      x = draw_text(f, font, x, 16 * (rows - 1), text, kAmber);
    }
  }
  return f;
}

}  // namespace hallq::display
