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

Frame render_window(const WindowView& w, int width, int height, const escpos::BitmapFont& font) {
  Frame f(width, height);
  const std::string title = std::to_string(w.number) + "号窗口 " + w.name;
  draw_centred(f, font, 0, title, kAmber);
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
    draw_text(f, font, std::max(x + 16, 72), 16 * row, "请到" + std::to_string(c.window) + "号窗口", kGreen);
    ++row;
  }
  // The last row: waiting per service (R-HALL-2), as many as fit.
  if (rows >= 2) {
    int x = 0;
    for (const auto& s : h.waiting) {
      const std::string text = s.prefix + ":" + std::to_string(s.waiting) + " ";
      if (x + text_width(font, text) > width) break;
      x = draw_text(f, font, x, 16 * (rows - 1), text, kAmber);
    }
  }
  return f;
}

}  // namespace hallq::display
