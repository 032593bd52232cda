// hallq-load: drives a running hallq-controller and prints what it measured.
// K keep-alive HTTP clients issue tickets (as fast as they can, or at a fixed total rate),
// W windows loop call-next -> start -> finish, N WebSocket subscribers on /api/v1/events
// measure the fan-out delay (receive time - the event's `at`, the command time). Everything
// runs as C++20 coroutines on one io_context thread, so the controller keeps the other core.
// The figures come out one per line as `key: value`, stable for scripts.
//
// Latency in fixed-rate mode is measured from the request's scheduled send time, so a
// stalled controller shows up in the percentiles instead of silently lowering the rate.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/awaitable.hpp"
#include "hallq/common/time.hpp"

namespace hallq::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;


using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr const char* kUsage = R"(Usage: hallq-load --url http://127.0.0.1:PORT [options]
Drives a running hallq-controller and prints the figures as `key: value` lines.
Options:
  --url URL           controller base URL (http://HOST:PORT)
  --clients K         keep-alive HTTP clients issuing tickets (default 4; 0: none)
  --rate R            total issue requests/s over all clients (default 0: as fast as possible)
  --windows W         windows 1..W signed in, each looping call-next -> start -> finish (default 0)
  --subscribers N     WebSocket clients on /api/v1/events measuring fan-out delay (default 0)
  --duration S        seconds of load (default 10)
  --service IDS       comma-separated services to issue for, round robin
                      (default minzheng,laodong,yibao,jisheng,tugui,zixun)
  --clerks IDS        comma-separated clerk per window (default: window n -> c(2n-1), the A
                      posts of bench-hall.toml)
  --pin PIN           clerks' PIN (default 123456)
  --kiosk-token T     kiosk bearer token (default demo-kiosk-1)
  --pid PID           the controller's pid: report its RSS, peak RSS and CPU time
  --label TEXT        printed first as `label:`, to tell runs apart
       hallq-load --fsync-probe DIR [--count N]
Storage baseline instead of a load: N times (default 500) a 4 KiB write plus fdatasync in a
scratch file in DIR, the cost every durable commit pays; prints the latency percentiles.
)";

struct Options {
  std::string url = "http://127.0.0.1:8080";
  std::string host, port;
  int clients = 4;
  double rate = 0;
  int windows = 0;
  int subscribers = 0;
  double duration_s = 10;
  std::vector<std::string> services{"minzheng", "laodong", "yibao", "jisheng", "tugui", "zixun"};
  std::vector<std::string> clerks;
  std::string pin = "123456";
  std::string kiosk_token = "demo-kiosk-1";
  long pid = 0;
  std::string label;
};

struct Subscription {
  explicit Subscription(asio::any_io_executor ex) : ws(ex) {}
  websocket::stream<beast::tcp_stream> ws;
  bool connected = false;
  bool dropped = false;  // the controller closed the stream before the run ended
  long long received = 0;
  long long last_seq = 0;
  long long gaps = 0;
};

struct Stats {
  std::vector<double> issue_ms, call_ms, window_ms, fanout_ms;
  long long issue_ok = 0;      // 201 completed before the deadline
  long long issue_sent = 0;
  long long call_ok = 0, start_ok = 0, finish_ok = 0, call_empty = 0, cleanup_finish = 0;
  std::map<std::string, long long> errors;  // "<op>_<status>" (status 0: connection error)
};

struct Ctx {
  explicit Ctx(asio::io_context& i) : io(i) {}
  asio::io_context& io;
  Options opt;
  tcp::endpoint ep;
  std::string host_header;
  std::string nonce;
  Stats st;
  std::vector<std::string> tokens;  // per window, empty when its sign-in failed
  std::vector<std::shared_ptr<Subscription>> subs;
  int subs_pending = 0;  // subscribers still connecting
  int subs_running = 0;
  int workers_running = 0;
  bool closing = false;  // the run is over: subscribers are being hung up
  Steady::time_point start, deadline;
  std::chrono::system_clock::time_point wall_start;
  std::string metrics_before, metrics_after;
  bool failed = false;
};

// ---- small helpers ----

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

double ms_since(Steady::time_point t0, Steady::time_point t1) {
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

// Nearest-rank percentile of sorted values; 0 when empty.
double pct(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

void add_error(Ctx& c, const char* op, int status) {
  c.st.errors[std::string(op) + "_" + std::to_string(status)]++;
}

// A keep-alive HTTP/1.1 connection that reconnects after a transport error.
class HttpClient {
 public:
  explicit HttpClient(asio::any_io_executor ex) : stream_(std::move(ex)) {}

  // The HTTP status, or 0 on a connection error.
  asio::awaitable<int> request(const tcp::endpoint& ep, Request& req, Response& res) {
    if (!connected_) {
      auto [cec] = co_await stream_.async_connect(ep, use_tuple);
      if (cec) {
        close();
        co_return 0;
      }
      stream_.socket().set_option(tcp::no_delay(true));
      connected_ = true;
    }
    auto [wec, wn] = co_await http::async_write(stream_, req, use_tuple);
    if (wec) {
      close();
      co_return 0;
    }
    res = Response{};
    auto [rec, rn] = co_await http::async_read(stream_, buf_, res, use_tuple);
    if (rec) {
      close();
      co_return 0;
    }
    if (!res.keep_alive()) close();
    co_return res.result_int();
  }

 private:
  void close() {
    boost::system::error_code ignore;
    stream_.socket().close(ignore);
    buf_.clear();
    connected_ = false;
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  bool connected_ = false;
};

Request make_request(const Ctx& c, http::verb verb, const std::string& target, const std::string& bearer) {
  Request req{verb, target, 11};
  req.set(http::field::host, c.host_header);
  req.set(http::field::user_agent, "hallq-load");
  req.set(http::field::content_type, "application/json");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  req.keep_alive(true);
  return req;
}

asio::awaitable<void> sleep_for(Steady::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(use_tuple);
}

// ---- workers ----

asio::awaitable<void> issue_client(Ctx& c, int index) {
  HttpClient cl(co_await asio::this_coro::executor);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  Request req = make_request(c, http::verb::post, "/api/v1/tickets", c.opt.kiosk_token);
  Response res;
  const auto& services = c.opt.services;
  const bool paced = c.opt.rate > 0;
  // Fixed rate: client i sends at start + i/R, then every K/R seconds.
  const auto interval = paced ? std::chrono::duration_cast<Steady::duration>(
                                    std::chrono::duration<double>(c.opt.clients / c.opt.rate))
                              : Steady::duration{0};
  Steady::time_point next = c.start + (paced ? std::chrono::duration_cast<Steady::duration>(
                                                   std::chrono::duration<double>(index / c.opt.rate))
                                             : Steady::duration{0});
  for (long long n = 0;; ++n) {
    if (paced) {
      if (next >= c.deadline) break;
      if (next > Steady::now()) {
        timer.expires_at(next);
        co_await timer.async_wait(use_tuple);
      }
    } else if (Steady::now() >= c.deadline) {
      break;
    }
    const std::string& service = services[static_cast<std::size_t>(index + n) % services.size()];
    req.body() = R"({"service":")" + service + R"(","priority":"normal","channel":"kiosk","request_id":"ld)" +
                 c.nonce + "-" + std::to_string(index) + "-" + std::to_string(n) + "\"}";
    req.prepare_payload();
    Steady::time_point t0 = paced ? next : Steady::now();
    c.st.issue_sent++;
    int status = co_await cl.request(c.ep, req, res);
    Steady::time_point t1 = Steady::now();
    if (status == 201) {
      c.st.issue_ms.push_back(ms_since(t0, t1));
      if (t1 <= c.deadline) c.st.issue_ok++;
    } else {
      add_error(c, "issue", status);
      if (status == 0) co_await sleep_for(10ms);  // the controller is gone or refusing
    }
    next += interval;
  }
}

asio::awaitable<void> window_worker(Ctx& c, int index) {
  const int number = index + 1;
  HttpClient cl(co_await asio::this_coro::executor);
  const std::string base = "/api/v1/windows/" + std::to_string(number) + "/";
  const std::string call = base + "call-next", start = base + "start", finish = base + "finish";
  Request req = make_request(c, http::verb::post, call, c.tokens[static_cast<std::size_t>(index)]);
  req.body() = "{}";
  req.prepare_payload();
  Response res;
  while (Steady::now() < c.deadline) {
    req.target(call);
    Steady::time_point t0 = Steady::now();
    int status = co_await cl.request(c.ep, req, res);
    Steady::time_point t1 = Steady::now();
    if (status == 204) {
      if (t1 <= c.deadline) c.st.call_empty++;
      co_await sleep_for(5ms);  // nobody waiting: look again shortly
      continue;
    }
    if (status == 409) {
      // A ticket is still at the window (an earlier run stopped mid-cycle): finish it.
      add_error(c, "call_next", status);
      req.target(finish);
      int fs = co_await cl.request(c.ep, req, res);
      if (fs == 200) c.st.cleanup_finish++;
      else add_error(c, "finish", fs);
      continue;
    }
    if (status != 200) {
      add_error(c, "call_next", status);
      co_await sleep_for(10ms);
      continue;
    }
    c.st.call_ms.push_back(ms_since(t0, t1));
    c.st.window_ms.push_back(ms_since(t0, t1));
    if (t1 <= c.deadline) c.st.call_ok++;
    // The cycle is always completed, so the window is free when the run ends; only operations
    // that complete before the deadline count towards the rates.
    req.target(start);
    t0 = Steady::now();
    status = co_await cl.request(c.ep, req, res);
    t1 = Steady::now();
    if (status == 200) {
      c.st.window_ms.push_back(ms_since(t0, t1));
      if (t1 <= c.deadline) c.st.start_ok++;
    } else {
      add_error(c, "start", status);
    }
    req.target(finish);
    t0 = Steady::now();
    status = co_await cl.request(c.ep, req, res);
    t1 = Steady::now();
    if (status == 200) {
      c.st.window_ms.push_back(ms_since(t0, t1));
      if (t1 <= c.deadline) c.st.finish_ok++;
    } else {
      add_error(c, "finish", status);
    }
  }
}

// Reads `"key":"value"` or `"key":number` from a flat JSON text without a full parse (the
// subscriber must keep up with tens of thousands of messages a second on one thread).
std::string_view json_field(std::string_view msg, std::string_view quoted_key) {
  auto k = msg.find(quoted_key);
  if (k == std::string_view::npos) return {};
  auto p = k + quoted_key.size();
  if (p >= msg.size()) return {};
  if (msg[p] == '"') {
    auto e = msg.find('"', p + 1);
    return e == std::string_view::npos ? std::string_view{} : msg.substr(p + 1, e - p - 1);
  }
  auto e = msg.find_first_of(",}", p);
  return e == std::string_view::npos ? std::string_view{} : msg.substr(p, e - p);
}

asio::awaitable<void> subscriber(Ctx& c, std::shared_ptr<Subscription> s) {
  auto [cec] = co_await beast::get_lowest_layer(s->ws).async_connect(c.ep, use_tuple);
  if (!cec) {
    beast::get_lowest_layer(s->ws).socket().set_option(tcp::no_delay(true));
    const std::string target = "/api/v1/events";
    auto [hec] = co_await s->ws.async_handshake(c.host_header, target, use_tuple);
    s->connected = !hec;
  }
  c.subs_pending--;
  if (!s->connected) {
    add_error(c, "subscribe", 0);
    c.subs_running--;
    co_return;
  }
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await s->ws.async_read(buf, use_tuple);
    if (ec) {
      s->dropped = !c.closing;
      break;
    }
    auto now = std::chrono::system_clock::now();
    std::string_view msg(static_cast<const char*>(buf.cdata().data()), buf.size());
    if (auto at = parse_rfc3339(json_field(msg, "\"at\":"))) {
      c.st.fanout_ms.push_back(std::chrono::duration<double, std::milli>(now - *at).count());
    }
    std::string_view seq_s = json_field(msg, "\"seq\":");
    long long seq = 0;
    if (std::from_chars(seq_s.data(), seq_s.data() + seq_s.size(), seq).ec == std::errc()) {
      if (s->last_seq != 0 && seq != s->last_seq + 1) s->gaps++;
      s->last_seq = seq;
    }
    s->received++;
    buf.consume(buf.size());
  }
  c.subs_running--;
}

// GET /metrics (Prometheus text) for the controller's own counters; empty on failure.
asio::awaitable<void> fetch_metrics(Ctx& c, std::string& out) {
  HttpClient cl(co_await asio::this_coro::executor);
  Request req = make_request(c, http::verb::get, "/metrics", "");
  Response res;
  int status = co_await cl.request(c.ep, req, res);
  out = status == 200 ? res.body() : std::string();
}

asio::awaitable<void> sign_in_windows(Ctx& c) {
  HttpClient cl(co_await asio::this_coro::executor);
  Response res;
  c.tokens.assign(static_cast<std::size_t>(c.opt.windows), std::string());
  for (int i = 0; i < c.opt.windows; ++i) {
    const std::string target = "/api/v1/windows/" + std::to_string(i + 1) + "/sign-in";
    Request req = make_request(c, http::verb::post, target, "");
    const std::string& clerk = c.opt.clerks[static_cast<std::size_t>(i)];
    req.body() = json::serialize(json::object{{"clerk", clerk}, {"pin", c.opt.pin}});
    req.prepare_payload();
    int status = co_await cl.request(c.ep, req, res);
    boost::system::error_code ec;
    json::value v = status == 200 ? json::parse(res.body(), ec) : json::value();
    const json::value* tok = v.is_object() ? v.as_object().if_contains("token") : nullptr;
    if (!tok || !tok->is_string()) {
      std::fprintf(stderr, "hallq-load: sign-in of %s at window %d failed (HTTP %d): %s\n", clerk.c_str(), i + 1,
                   status, res.body().c_str());
      add_error(c, "sign_in", status);
      c.failed = true;
      continue;
    }
    c.tokens[static_cast<std::size_t>(i)] = std::string(tok->as_string());
  }
}

void on_worker_done(Ctx& c, std::exception_ptr e) {
  c.workers_running--;
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    std::fprintf(stderr, "hallq-load: worker failed: %s\n", x.what());
    c.failed = true;
  }
}

// The value of a Prometheus metric in /metrics text (-1 when missing).
double metric_value(const std::string& text, const std::string& name);

asio::awaitable<void> run_all(Ctx& c) {
  auto ex = co_await asio::this_coro::executor;
  if (c.opt.windows > 0) co_await sign_in_windows(c);
  if (c.failed) co_return;

  // Subscribers connect first, so they see every event of the run.
  c.subs_pending = c.subs_running = c.opt.subscribers;
  for (int i = 0; i < c.opt.subscribers; ++i) {
    auto s = std::make_shared<Subscription>(ex);
    c.subs.push_back(s);
    asio::co_spawn(ex, subscriber(c, s), asio::detached);
  }
  for (int waited = 0; c.subs_pending > 0 && waited < 1000; ++waited) co_await sleep_for(10ms);

  co_await fetch_metrics(c, c.metrics_before);
  c.start = Steady::now();
  c.wall_start = std::chrono::system_clock::now();
  c.deadline = c.start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(c.opt.duration_s));
  for (int i = 0; i < c.opt.clients; ++i) {
    c.workers_running++;
    asio::co_spawn(ex, issue_client(c, i), [&c](std::exception_ptr e) { on_worker_done(c, e); });
  }
  for (int i = 0; i < c.opt.windows; ++i) {
    if (c.tokens[static_cast<std::size_t>(i)].empty()) continue;
    c.workers_running++;
    asio::co_spawn(ex, window_worker(c, i), [&c](std::exception_ptr e) { on_worker_done(c, e); });
  }
  // A run without workers (subscribers only) still lasts the whole duration.
  while (c.workers_running > 0 || Steady::now() < c.deadline) co_await sleep_for(5ms);
  co_await fetch_metrics(c, c.metrics_after);

  // Let the last events reach the subscribers, then hang up: until every connected one has
  // as many as the controller made during the run, waiting at least 300 ms and for as long as
  // the fan-out still moves (a busy host, such as CI building beside the test, delays its
  // tail by seconds): it stops after 3 s without a single event arriving, or after 120 s.
  const double made = metric_value(c.metrics_after, "hallq_events_total") - metric_value(c.metrics_before, "hallq_events_total");
  auto behind = [&] {
    for (const auto& sub : c.subs)
      if (sub->connected && !sub->dropped && static_cast<double>(sub->received) < made) return true;
    return false;
  };
  auto arrived = [&] {
    long long n = 0;
    for (const auto& sub : c.subs) n += sub->received;
    return n;
  };
  co_await sleep_for(300ms);
  long long seen = arrived();
  for (int waited = 0, still = 0; behind() && still < 300 && waited < 12000; ++waited) {
    co_await sleep_for(10ms);
    const long long now_seen = arrived();
    still = now_seen == seen ? still + 1 : 0;
    seen = now_seen;
  }
  c.closing = true;
  for (auto& s : c.subs) {
    boost::system::error_code ignore;
    beast::get_lowest_layer(s->ws).socket().close(ignore);
  }
  for (int waited = 0; c.subs_running > 0 && waited < 300; ++waited) co_await sleep_for(10ms);
}

// ---- reporting ----

double metric_value(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::strtod(line.c_str() + name.size() + 1, nullptr);
  }
  return -1;
}

std::optional<long> proc_status_kb(long pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::strtol(line.c_str() + key.size() + 1, nullptr, 10);
  }
  return std::nullopt;
}

// utime + stime of a process in seconds.
std::optional<double> proc_cpu_s(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(all.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  // After the command name: state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::strtod(field.c_str(), nullptr);
    if (i == 15) stime = std::strtod(field.c_str(), nullptr);
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Busy CPU seconds of the whole host (all cores) from /proc/stat; nullopt if unreadable.
std::optional<double> host_busy_s() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  if (cpu != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal
  double v[8] = {};
  for (double& x : v) in >> x;
  if (!in) return std::nullopt;
  double busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  return busy / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double self_cpu_s() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

void print_latency(const char* key, std::vector<double>& v, bool with_p90) {
  std::sort(v.begin(), v.end());
  std::printf("%s_samples: %zu\n", key, v.size());
  std::printf("%s_ms_p50: %.3f\n", key, pct(v, 0.50));
  if (with_p90) std::printf("%s_ms_p90: %.3f\n", key, pct(v, 0.90));
  std::printf("%s_ms_p99: %.3f\n", key, pct(v, 0.99));
  std::printf("%s_ms_max: %.3f\n", key, v.empty() ? 0.0 : v.back());
}

struct CpuUse {
  double load_s = 0;                // this process
  std::optional<double> controller_s;
  std::optional<double> host_s;     // every process on the host
  double wall_s = 0;
};

void report(Ctx& c, const CpuUse& cpu) {
  const Options& o = c.opt;
  Stats& s = c.st;
  const double d = o.duration_s;
  if (!o.label.empty()) std::printf("label: %s\n", o.label.c_str());
  std::printf("url: %s\n", o.url.c_str());
  std::printf("duration_s: %.1f\n", d);
  std::printf("clients: %d\n", o.clients);
  std::printf("rate_target_per_s: %.0f\n", o.rate);
  std::printf("windows: %d\n", o.windows);
  std::printf("subscribers: %d\n", o.subscribers);
  std::printf("issue_ok: %lld\n", s.issue_ok);
  std::printf("issue_ops_per_s: %.1f\n", static_cast<double>(s.issue_ok) / d);
  print_latency("issue_latency", s.issue_ms, true);
  long long window_ops = s.call_ok + s.start_ok + s.finish_ok;
  std::printf("call_next_ok: %lld\n", s.call_ok);
  std::printf("call_next_empty: %lld\n", s.call_empty);
  std::printf("start_ok: %lld\n", s.start_ok);
  std::printf("finish_ok: %lld\n", s.finish_ok);
  std::printf("window_ops_per_s: %.1f\n", static_cast<double>(window_ops) / d);
  print_latency("call_next_latency", s.call_ms, false);
  print_latency("window_op_latency", s.window_ms, false);
  std::printf("durable_ops_per_s: %.1f\n", static_cast<double>(s.issue_ok + window_ops) / d);
  long long errors = 0;
  for (const auto& [k, n] : s.errors) errors += n;
  std::printf("errors_total: %lld\n", errors);
  for (const auto& [k, n] : s.errors) std::printf("errors_%s: %lld\n", k.c_str(), n);
  if (o.subscribers > 0) {
    long long lo = -1, hi = 0, sum = 0, gaps = 0, connected = 0, dropped = 0;
    for (const auto& sub : c.subs) {
      if (!sub->connected) continue;
      connected++;
      dropped += sub->dropped ? 1 : 0;
      lo = lo < 0 ? sub->received : std::min(lo, sub->received);
      hi = std::max(hi, sub->received);
      sum += sub->received;
      gaps += sub->gaps;
    }
    std::printf("subscribers_connected: %lld\n", connected);
    std::printf("subscribers_dropped: %lld\n", dropped);
    print_latency("fanout_delay", s.fanout_ms, false);
    std::printf("events_per_subscriber_min: %lld\n", std::max(0LL, lo));
    std::printf("events_per_subscriber_avg: %.1f\n", connected ? static_cast<double>(sum) / static_cast<double>(connected) : 0.0);
    std::printf("events_per_subscriber_max: %lld\n", hi);
    std::printf("events_seq_gaps: %lld\n", gaps);
  }
  double ev0 = metric_value(c.metrics_before, "hallq_events_total");
  double ev1 = metric_value(c.metrics_after, "hallq_events_total");
  double tx0 = metric_value(c.metrics_before, "hallq_commit_transactions_total");
  double tx1 = metric_value(c.metrics_after, "hallq_commit_transactions_total");
  if (ev0 >= 0 && ev1 >= 0 && tx0 >= 0 && tx1 >= 0) {
    std::printf("controller_events: %.0f\n", ev1 - ev0);
    std::printf("controller_commits: %.0f\n", tx1 - tx0);
    std::printf("controller_commits_per_s: %.1f\n", (tx1 - tx0) / d);
    std::printf("controller_events_per_commit: %.2f\n", tx1 > tx0 ? (ev1 - ev0) / (tx1 - tx0) : 0.0);
  }
  // CPU seconds over the whole run (set-up included); other_cores shows how much of the
  // host's CPU went to processes outside this benchmark (a disturbed measurement).
  std::printf("load_cpu_s: %.2f\n", cpu.load_s);
  if (cpu.controller_s) std::printf("controller_cpu_s: %.2f\n", *cpu.controller_s);
  if (cpu.controller_s && cpu.wall_s > 0)
    std::printf("controller_cpu_cores: %.2f\n", *cpu.controller_s / cpu.wall_s);
  if (cpu.host_s && cpu.wall_s > 0) {
    std::printf("host_cpu_busy_cores: %.2f\n", *cpu.host_s / cpu.wall_s);
    double other = *cpu.host_s - cpu.load_s - cpu.controller_s.value_or(0);
    std::printf("host_cpu_other_cores: %.2f\n", std::max(0.0, other) / cpu.wall_s);
  }
  if (o.pid > 0) {
    auto rss = proc_status_kb(o.pid, "VmRSS");
    auto hwm = proc_status_kb(o.pid, "VmHWM");
    if (rss) std::printf("controller_rss_kb: %ld\n", *rss);
    if (hwm) std::printf("controller_hwm_kb: %ld\n", *hwm);
    if (rss) std::printf("controller_rss_mb: %.1f\n", static_cast<double>(*rss) / 1024.0);
    if (hwm) std::printf("controller_hwm_mb: %.1f\n", static_cast<double>(*hwm) / 1024.0);
    if (!rss) std::printf("controller_rss_kb: unknown (no process %ld)\n", o.pid);
  }
}

int usage_error(const std::string& m) {
  std::fprintf(stderr, "hallq-load: %s\n%s", m.c_str(), kUsage);
  return 2;
}

// The storage's durable-write latency: what one group commit waits for at least.
int fsync_probe(const std::string& dir, int count) {
  const std::string path = dir + "/hallq-fsync-probe.tmp";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::perror(("hallq-load: " + path).c_str());
    return 1;
  }
  std::vector<char> page(4096, 'x');
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(count));
  bool ok = true;
  for (int i = 0; i < count && ok; ++i) {
    // Rewrites within 256 KiB, like a WAL that is recycled after each checkpoint.
    auto offset = static_cast<off_t>(i % 64) * 4096;
    ok = ::pwrite(fd, page.data(), page.size(), offset) == static_cast<ssize_t>(page.size());
    Steady::time_point t0 = Steady::now();
    ok = ok && ::fdatasync(fd) == 0;
    ms.push_back(ms_since(t0, Steady::now()));
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (!ok) {
    std::perror("hallq-load: fsync probe");
    return 1;
  }
  std::sort(ms.begin(), ms.end());
  std::printf("fsync_probe_dir: %s\n", dir.c_str());
  std::printf("fdatasync_samples: %zu\n", ms.size());
  std::printf("fdatasync_ms_p50: %.3f\n", pct(ms, 0.50));
  std::printf("fdatasync_ms_p90: %.3f\n", pct(ms, 0.90));
  std::printf("fdatasync_ms_p99: %.3f\n", pct(ms, 0.99));
  std::printf("fdatasync_ms_max: %.3f\n", ms.back());
  return 0;
}

int run(int argc, char** argv) {
  Options o;
  std::string probe_dir;
  int probe_count = 500;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](double lo, double hi) -> std::optional<double> {
      auto v = value();
      if (!v) return std::nullopt;
      char* end = nullptr;
      double n = std::strtod(v->c_str(), &end);
      if (end == v->c_str() || *end != '\0' || n < lo || n > hi) return std::nullopt;
      return n;
    };
    std::optional<double> n;
    std::optional<std::string> s;
    if (k == "--help" || k == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (k == "--url") {
      if (!(s = value())) return usage_error("--url needs a URL");
      o.url = *s;
    } else if (k == "--clients") {
      if (!(n = number(0, 10000))) return usage_error("--clients needs a number 0..10000");
      o.clients = static_cast<int>(*n);
    } else if (k == "--rate") {
      if (!(n = number(0, 1e7))) return usage_error("--rate needs requests/s");
      o.rate = *n;
    } else if (k == "--windows") {
      if (!(n = number(0, 999))) return usage_error("--windows needs a number 0..999");
      o.windows = static_cast<int>(*n);
    } else if (k == "--subscribers") {
      if (!(n = number(0, 100000))) return usage_error("--subscribers needs a number");
      o.subscribers = static_cast<int>(*n);
    } else if (k == "--duration") {
      if (!(n = number(0.1, 86400))) return usage_error("--duration needs seconds");
      o.duration_s = *n;
    } else if (k == "--service") {
      if (!(s = value()) || split_list(*s).empty()) return usage_error("--service needs service ids");
      o.services = split_list(*s);
    } else if (k == "--clerks") {
      if (!(s = value())) return usage_error("--clerks needs clerk ids");
      o.clerks = split_list(*s);
    } else if (k == "--pin") {
      if (!(s = value())) return usage_error("--pin needs a PIN");
      o.pin = *s;
    } else if (k == "--kiosk-token") {
      if (!(s = value())) return usage_error("--kiosk-token needs a token");
      o.kiosk_token = *s;
    } else if (k == "--pid") {
      if (!(n = number(1, 1e9))) return usage_error("--pid needs a process id");
      o.pid = static_cast<long>(*n);
    } else if (k == "--label") {
      if (!(s = value())) return usage_error("--label needs text");
      o.label = *s;
    } else if (k == "--fsync-probe") {
      if (!(s = value())) return usage_error("--fsync-probe needs a folder");
      probe_dir = *s;
    } else if (k == "--count") {
      if (!(n = number(1, 1e6))) return usage_error("--count needs a number");
      probe_count = static_cast<int>(*n);
    } else {
      return usage_error("unknown option '" + k + "'");
    }
  }
  if (!probe_dir.empty()) return fsync_probe(probe_dir, probe_count);
  // http://HOST:PORT[/]
  constexpr std::string_view kScheme = "http://";
  std::string_view rest(o.url);
  if (rest.substr(0, kScheme.size()) != kScheme) return usage_error("--url must start with http://");
  rest.remove_prefix(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return usage_error("--url needs HOST:PORT");
  o.host = std::string(rest.substr(0, colon));
  o.port = std::string(rest.substr(colon + 1));
  if (o.clerks.empty())
    for (int w = 1; w <= o.windows; ++w) {
      char id[16];
      std::snprintf(id, sizeof id, "c%02d", 2 * w - 1);
      o.clerks.emplace_back(id);
    }
  if (static_cast<int>(o.clerks.size()) < o.windows) return usage_error("--clerks names fewer clerks than --windows");
  if (o.rate > 0 && o.clients == 0) return usage_error("--rate needs at least one client");

  asio::io_context io(1);
  Ctx c(io);
  c.opt = o;
  c.host_header = o.host + ":" + o.port;
  c.nonce = std::to_string(::getpid()) + "x" +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count() % 100000000);
  try {
    tcp::resolver resolver(io);
    auto results = resolver.resolve(o.host, o.port);
    if (results.empty()) return usage_error("cannot resolve " + o.host);
    c.ep = results.begin()->endpoint();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hallq-load: cannot resolve %s:%s: %s\n", o.host.c_str(), o.port.c_str(), e.what());
    return 1;
  }

  std::optional<double> ctl_cpu0 = o.pid > 0 ? proc_cpu_s(o.pid) : std::nullopt;
  std::optional<double> host0 = host_busy_s();
  double cpu0 = self_cpu_s();
  Steady::time_point wall0 = Steady::now();
  std::exception_ptr failure;
  asio::co_spawn(io, run_all(c), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "hallq-load: %s\n", e.what());
      return 1;
    }
  }
  if (c.failed && c.start == Steady::time_point{}) return 1;
  CpuUse cpu;
  cpu.wall_s = std::chrono::duration<double>(Steady::now() - wall0).count();
  cpu.load_s = self_cpu_s() - cpu0;
  std::optional<double> ctl_cpu1 = o.pid > 0 ? proc_cpu_s(o.pid) : std::nullopt;
  if (ctl_cpu0 && ctl_cpu1) cpu.controller_s = *ctl_cpu1 - *ctl_cpu0;
  std::optional<double> host1 = host_busy_s();
  if (host0 && host1) cpu.host_s = *host1 - *host0;
  report(c, cpu);
  return c.failed ? 1 : 0;
}

}  // namespace
}  // namespace hallq::bench

int main(int argc, char** argv) { return hallq::bench::run(argc, argv); }
