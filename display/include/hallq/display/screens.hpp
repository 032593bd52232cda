#pragma once
// How the views look on pixel LED panels (issue 6): a window screen (default 128×32: the
// window's number and name on the first row, the call or 暂停服务 / 欢迎光临 on the second) and
// a hall screen (default 256×128: a title, the last calls with their windows, and the waiting
// counts). Pure: views in, frames out.
#include "hallq/display/frame.hpp"
#include "hallq/display/layout.hpp"

namespace hallq::display {

Frame render_window(const WindowView& w, int width, int height, const escpos::BitmapFont& font);
Frame render_hall(const HallView& h, int width, int height, const escpos::BitmapFont& font);
// The text of a window's second row, as drawn: 请 A012 号, 正在办理 A012, 暂停服务, 欢迎光临.
std::string window_message(const WindowView& w);

}  // namespace hallq::display
