#pragma once
// How the views look on pixel LED panels (issue 6): a window screen (default 128×32: the
// window's number and name on the first row, the call or 暂停服务 / 欢迎光临 on the second) and
// a hall screen (default 256×128: a title, the last calls with their windows, and the waiting
// counts). Pure: views in, frames out.
#include <cstdint>
#include <string>
#include <vector>

#include "hallq/display/frame.hpp"
#include "hallq/display/layout.hpp"

namespace hallq::display {

// Motion on pixel panels driven live (Flaschen-Taschen; a PNG shows the still frame): a new
// call blinks for a while after it came, and a window title wider than the panel scrolls left.
struct Motion {
  bool call_off = false;  // the call row is in the dark half of a blink
  int scroll_px = 0;      // how far a too-wide title has moved left
  bool operator==(const Motion&) const = default;
};
constexpr int kBlinkPeriodMs = 800;  // 500 ms lit, 300 ms dark
constexpr int kScrollGap = 32;       // dots between the end of a scrolling title and its start
// The motion `since_call_ms` after the call came (blinking for blink_ms; negative: no call) at
// `clock_ms` (a steady clock) for titles scrolling at scroll_dps dots a second (0: no scroll).
Motion motion_at(std::int64_t since_call_ms, int blink_ms, std::int64_t clock_ms, int scroll_dps);

Frame render_window(const WindowView& w, int width, int height, const escpos::BitmapFont& font,
                    const Motion& m = {});
Frame render_hall(const HallView& h, int width, int height, const escpos::BitmapFont& font,
                  const Motion& m = {});
// The text of a window's second row, as drawn: 请 A012 号, 正在办理 A012, 暂停服务, 欢迎光临.
std::string window_message(const WindowView& w);
std::string window_title(const WindowView& w);  // 3号窗口 民政救助
// What a screen shows as text lines, top to bottom (the simulator writes them next to the PNG):
// a window screen's title and message; the hall screen's title, calls and waiting counts.
std::vector<std::string> screen_text(const WindowView& w);
std::vector<std::string> screen_text(const HallView& h, int width, int height, const escpos::BitmapFont& font);
// The rolling notices cut into pages that fit a row `width` dots wide: each notice, then
// 投诉电话 and the complaint phone (R-HALL-2). The hall screen shows page notice_page % size.
std::vector<std::string> notice_pages(const HallView& h, int width, const escpos::BitmapFont& font);

}  // namespace hallq::display
