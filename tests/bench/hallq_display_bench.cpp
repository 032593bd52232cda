// hallq-display-bench: call-next acknowledged → window screen frame written → hall screen
// frame written → first voice sample, through the real controller and a real hallq-display
// running with --out DIR (its simulated sinks: PNG files, one WAV per announcement).
//   hallq-display-bench --controller http://HOST:PORT --out DIR [--calls 1000] [--window 1]
//                       [--clerk c01] [--pin 123456] [--service minzheng] [--kiosk-token T]
// Watches DIR with inotify; a frame counts when window-<n>.png (hall.png) is renamed into place
// and the text beside it shows the number just called; the voice counts when its WAV is (the
// WAV output hands the whole announcement over at once, so that is its first sample). Each
// call waits for all three before the next; the window is skipped (no-show) in between.
// Prints `key: value` figures in milliseconds from the acknowledgement (negative: the frame
// was written before the HTTP answer reached the bench). tests/bench/display.sh runs it.
#include <sys/inotify.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "hallq/link/controller_client.hpp"

using namespace hallq;
using Clock = std::chrono::steady_clock;

namespace {

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

void report(const std::string& name, const std::vector<double>& v) {
  std::printf("%s_p50_ms: %.2f\n%s_p99_ms: %.2f\n%s_max_ms: %.2f\n", name.c_str(), pct(v, 0.5), name.c_str(),
              pct(v, 0.99), name.c_str(), *std::max_element(v.begin(), v.end()));
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, out, clerk = "c01", pin = "123456", service = "minzheng", kiosk_token = "demo-kiosk-1";
  int calls = 1000, window = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--controller") url = v;
    else if (a == "--out") out = v;
    else if (a == "--calls") calls = std::atoi(v.c_str());
    else if (a == "--window") window = std::atoi(v.c_str());
    else if (a == "--clerk") clerk = v;
    else if (a == "--pin") pin = v;
    else if (a == "--service") service = v;
    else if (a == "--kiosk-token") kiosk_token = v;
    else {
      std::cerr << "hallq-display-bench: unknown argument " << a << "\n";
      return 2;
    }
  }
  auto curl = link::parse_controller_url(url);
  if (!curl || out.empty() || calls < 1) {
    std::cerr << "usage: hallq-display-bench --controller URL --out DIR [--calls N]\n";
    return 2;
  }
  const std::string win_png = "window-" + std::to_string(window) + ".png";
  const std::string win_txt = out + "/window-" + std::to_string(window) + ".txt";

  link::HttpController kiosk(*curl, "kiosk-1", kiosk_token);
  for (int i = 0; i < calls; ++i) {
    auto r = kiosk.issue(service, "normal", "");
    if (!r.ok()) {
      std::cerr << "hallq-display-bench: issue: " << r.status << " " << r.error << r.message() << "\n";
      return 1;
    }
  }
  link::HttpController anon(*curl, "", "");
  auto s = anon.request("POST", "/api/v1/windows/" + std::to_string(window) + "/sign-in",
                        boost::json::serialize(boost::json::object{{"clerk", clerk}, {"pin", pin}}));
  if (!s.ok() || !s.body.is_object() || !s.body.as_object().contains("token")) {
    std::cerr << "hallq-display-bench: sign-in: " << s.status << " " << s.message() << "\n";
    return 1;
  }
  link::HttpController clerk_api(*curl, "", std::string(s.body.as_object().at("token").as_string()));

  int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (in < 0 || inotify_add_watch(in, out.c_str(), IN_MOVED_TO) < 0) {
    std::perror("inotify");
    return 1;
  }
  std::vector<double> win_ms, hall_ms, voice_ms, ack_ms;
  int frames_before_ack = 0, timeouts = 0;
  char buf[8192];
  const std::string base = "/api/v1/windows/" + std::to_string(window);
  for (int i = 0; i < calls; ++i) {
    if (i) clerk_api.request("POST", base + "/skip", "{}");
    while (read(in, buf, sizeof buf) > 0) {
    }
    const auto t_req = Clock::now();
    auto r = clerk_api.request("POST", base + "/call-next", "{}");
    const auto t_ack = Clock::now();
    if (!r.ok() || !r.body.is_object()) {
      std::cerr << "hallq-display-bench: call-next: " << r.status << " " << r.message() << "\n";
      return 1;
    }
    const std::string number(r.body.as_object().at("number").as_string());
    const std::string call_line = number + " 请到" + std::to_string(window) + "号窗口";
    const std::string voice_suffix = "-" + number + "-w" + std::to_string(window) + ".wav";
    Clock::time_point t_win{}, t_hall{}, t_voice{};
    const auto deadline = t_req + std::chrono::seconds(10);
    while ((t_win == Clock::time_point{} || t_hall == Clock::time_point{} || t_voice == Clock::time_point{}) &&
           Clock::now() < deadline) {
      pollfd p{in, POLLIN, 0};
      poll(&p, 1, 100);
      ssize_t n = read(in, buf, sizeof buf);
      const auto t = Clock::now();
      for (ssize_t off = 0; n > 0 && off < n;) {
        auto* e = reinterpret_cast<inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        const std::string name = e->len ? e->name : "";
        if (name == win_png && t_win == Clock::time_point{} && slurp(win_txt).find("请" + number + "号") != std::string::npos)
          t_win = t;
        else if (name == "hall.png" && t_hall == Clock::time_point{} &&
                 slurp(out + "/hall.txt").find(call_line) != std::string::npos)
          t_hall = t;
        else if (name.starts_with("voice-") && name.ends_with(voice_suffix) && t_voice == Clock::time_point{}) {
          t_voice = t;
          std::filesystem::remove(out + "/" + name);  // 0.45 MB each: keep the folder small
        }
      }
    }
    if (t_win == Clock::time_point{} || t_hall == Clock::time_point{} || t_voice == Clock::time_point{}) {
      ++timeouts;
      continue;
    }
    ack_ms.push_back(ms(t_req, t_ack));
    win_ms.push_back(ms(t_ack, t_win));
    hall_ms.push_back(ms(t_ack, t_hall));
    voice_ms.push_back(ms(t_ack, t_voice));
    if (t_win < t_ack) ++frames_before_ack;
  }
  std::printf("calls: %d\nmeasured: %zu\ntimeouts: %d\nwindow_frame_before_ack: %d\n", calls, win_ms.size(), timeouts,
              frames_before_ack);
  if (win_ms.empty()) return 1;
  report("call_next_ack", ack_ms);
  report("window_frame", win_ms);
  report("hall_frame", hall_ms);
  report("first_voice_sample", voice_ms);
  return timeouts ? 1 : 0;
}
