#pragma once
// What each screen of a display node shows, independent of how it is drawn (issue 6): the
// window screens (window name + the number called or served, 暂停服务 when paused, 欢迎 when
// open and idle, nothing when closed) and the hall screen (the last calls with their windows,
// waiting per service, rolling notices; R-HALL-2). Built from the controller's public hall
// snapshot; a call event patches it at once (the fast path to the screens and the voice) until
// the next snapshot. Pure; thread-safety: none.
#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hallq::display {

struct WindowView {
  enum class Mode { Closed, Welcome, Calling, Serving, Paused };
  int number = 0;
  std::string name;       // 民政救助
  Mode mode = Mode::Closed;
  std::string ticket;     // A012 while calling or serving
  std::string pause_reason;
  bool operator==(const WindowView&) const = default;
};
const char* to_string(WindowView::Mode m);

struct HallCall {
  std::string number;
  int window = 0;
  bool operator==(const HallCall&) const = default;
};

struct ServiceWaiting {
  std::string name, prefix;
  int waiting = 0;
  bool operator==(const ServiceWaiting&) const = default;
};

struct HallView {
  std::string centre;
  std::vector<HallCall> recent;  // newest first, at most `recent_calls`
  std::vector<ServiceWaiting> waiting;
  std::vector<std::string> notices;
  std::string complaint_phone;
  int notice_page = 0;  // which page of the rolling notices is shown (counts up; the screen wraps it)
  bool operator==(const HallView&) const = default;
};

// A call to say aloud: 请 A012 号到 3 号窗口办理.
struct Announcement {
  std::string number;
  int window = 0;
  bool recall = false;
  bool operator==(const Announcement&) const = default;
};

// What an event changed.
struct LayoutChange {
  std::vector<int> windows;  // window screens to redraw
  bool hall = false;
  std::optional<Announcement> announce;
};

class Layout {
 public:
  explicit Layout(int recent_calls = 5) : recent_max_(recent_calls) {}

  // Replaces everything with the snapshot's view; returns what differs from before.
  LayoutChange load_snapshot(const boost::json::object& hall);
  // Applies one event of the public stream. Calls and recalls change the window and hall views
  // at once and return the announcement; pauses and resumes change the window; everything else
  // waits for the next snapshot (the caller reads one shortly after any event).
  LayoutChange apply(const boost::json::object& event);
  // The next page of the rolling notices (R-HALL-2): the hall screen changes.
  LayoutChange next_notice_page();

  const std::map<int, WindowView>& windows() const { return windows_; }
  const WindowView* window(int number) const;
  // Tickets waiting for the services of this window (a caller keypad's display).
  int waiting_at(int number) const {
    auto it = window_waiting_.find(number);
    return it == window_waiting_.end() ? 0 : it->second;
  }
  const HallView& hall() const { return hall_; }

 private:
  int recent_max_;
  std::map<int, WindowView> windows_;
  std::map<int, int> window_waiting_;
  HallView hall_;
};

}  // namespace hallq::display
