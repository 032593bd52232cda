// hallq-printer-sim: a LAN thermal printer on a TCP port, for tests and demo halls.
//   hallq-printer-sim --listen HOST:PORT --out DIR [--paper 384|576]
//                     [--fault ok|near-end|paper-out|cover-open|silent|disconnect]
// Each job (bytes up to a cut, a pause of 300 ms, or the connection's end) is decoded and
// written to DIR as job-NNNN.bin, .png and .txt (its text lines and QR data); real-time DLE
// EOT n queries are answered at once, as a printer does, from the fault state. The fault can be changed while running by
// writing its name to DIR/fault (read before every reply and every job); "paper-out-after:N"
// runs out of paper once N bytes have arrived on the connection (the roll holds N bytes'
// worth): paper ending in the middle of a job, or right after one when N is its length.
// GS r 1 (transmit paper status) is answered in order, once everything before it is printed
// — never while the job before it is held. GS a n (n != 0) turns on automatic status back:
// a 4-byte block at once and on every change of state.
//   paper-out, cover-open: status says so; job bytes are held (not printed) and, once 4 KiB
//     are held, no longer read — the sender's writes stall, as with a real printer; the held
//     job prints when the fault is cleared.
//   near-end: status says paper near end; prints.   silent: never answers; prints.
//   disconnect: closes every connection at once.
// One thread per connection; jobs are numbered across connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hallq/common/atomic_file.hpp"
#include "hallq/escpos/render.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

std::string out_dir;
std::string initial_fault = "ok";
int paper = 384;
std::atomic<int> job_counter{0};
std::mutex log_mutex;
const hallq::escpos::BitmapFont* font = nullptr;

// The paper used since the fault last changed, over all connections: the roll does not
// refill when the kiosk reconnects.
std::mutex roll_mutex;
std::string roll_fault;
size_t roll_used = 0;

std::string fault() {
  std::ifstream f(out_dir + "/fault");
  std::string s;
  if (!(f >> s)) s = initial_fault;
  std::lock_guard<std::mutex> lock(roll_mutex);
  if (s != roll_fault) {
    roll_fault = s;
    roll_used = 0;
  }
  return s;
}

void use_paper(size_t n) {
  std::lock_guard<std::mutex> lock(roll_mutex);
  roll_used += n;
}
void use_paper_back(size_t n) {
  std::lock_guard<std::mutex> lock(roll_mutex);
  roll_used -= std::min(n, roll_used);
}

// "paper-out-after:N": the roll ends after N bytes (counted since the fault was set, over
// all connections): the status says paper out from then on, and bytes beyond are held.
struct State {
  std::string status;  // the fault the status replies show
  size_t printable;    // bytes of this connection's stream (`received` so far) that can print
};
State state_at(size_t received) {
  std::string f = fault();
  const std::string prefix = "paper-out-after:";
  if (f.rfind(prefix, 0) == 0) {
    size_t n = std::strtoul(f.c_str() + prefix.size(), nullptr, 10);
    size_t used;
    {
      std::lock_guard<std::mutex> lock(roll_mutex);
      used = roll_used;
    }
    if (used <= n) return {used >= n ? "paper-out" : "ok", SIZE_MAX};
    size_t over = used - n;  // bytes of this stream's tail that found no paper
    return {"paper-out", received > over ? received - over : 0};
  }
  bool blocked = f == "paper-out" || f == "cover-open";
  return {f, blocked ? 0 : SIZE_MAX};
}

// An automatic status block (GS a) for fault state f.
std::array<std::uint8_t, 4> asb_block(const std::string& f) {
  bool out = f == "paper-out", cover = f == "cover-open", near = f == "near-end";
  return {static_cast<std::uint8_t>(0x10 | ((out || cover) ? 0x08 : 0) | (cover ? 0x20 : 0)), 0x00,
          static_cast<std::uint8_t>((near || out ? 0x03 : 0) | (out ? 0x0C : 0)), 0x00};
}

// GS r 1 reply: bits 0-1 near end, bits 2-3 paper end.
std::uint8_t gs_r_reply(const std::string& f) {
  if (f == "paper-out") return 0x0F;
  if (f == "near-end") return 0x03;
  return 0x00;
}

// The reply byte to DLE EOT n in fault state f; -1: no reply.
int reply(int n, const std::string& f) {
  if (f == "silent") return -1;
  bool out = f == "paper-out", cover = f == "cover-open", near = f == "near-end";
  switch (n) {
    case 1: return 0x12 | ((out || cover) ? 0x08 : 0);
    case 2: return 0x12 | (cover ? 0x04 : 0) | (out ? 0x20 : 0);
    case 3: return 0x12;
    case 4: return 0x12 | (near ? 0x0C : 0) | (out ? 0x60 : 0);
    default: return -1;
  }
}

void write_job(const Bytes& job) {
  if (job.empty()) return;
  int n = ++job_counter;
  char name[64];
  std::snprintf(name, sizeof name, "%s/job-%04d", out_dir.c_str(), n);
  std::string base = name;
  auto decoded = hallq::escpos::decode(job, paper, font);
  auto err = hallq::escpos::write_png(decoded.page, base + ".png");
  // What a person reads off the paper: its text lines, then each QR code's data.
  std::string text;
  for (const auto& l : decoded.lines) text += l + "\n";
  for (const auto& q : decoded.qr) text += "[QR] " + q + "\n";
  (void)hallq::write_file_atomically(base + ".txt", text, 0666);
  // Written last, so a watcher that sees job-NNNN.bin finds its PNG and text too.
  (void)hallq::write_file_atomically(base + ".bin", std::string_view(reinterpret_cast<const char*>(job.data()), job.size()), 0666);
  std::lock_guard<std::mutex> lock(log_mutex);
  std::cout << "job " << n << ": " << job.size() << " bytes, " << decoded.lines.size() << " lines, "
            << decoded.qr.size() << " QR, " << decoded.cuts << " cuts" << (err ? " (png: " + *err + ")" : "")
            << std::endl;
}

// Splits the incoming stream: answers DLE EOT at once, queues GS r answers behind the data
// before them, skips over data payloads (raster, QR) so their bytes are never taken for
// commands, and reports where a job ends (a cut).
class Stream {
 public:
  void feed(const std::uint8_t* p, size_t n, int fd) {
    for (size_t k = 0; k < n; ++k) {
      std::uint8_t b = p[k];
      job_.push_back(b);
      total_++;
      use_paper(1);
      if (skip_ > 0) {
        --skip_;
        continue;
      }
      pending_.push_back(b);
      scan(fd);
    }
  }
  Bytes& job() { return job_; }
  size_t total() const { return total_; }
  // Bytes of the current job that are held (not printable yet).
  bool holding(const State& st) const { return !job_.empty() && total_ > st.printable; }
  bool cut_seen() const { return cut_; }
  bool query_pending() const { return !gs_r_.empty(); }
  void clear() {
    job_.clear();
    cut_ = false;
    written_ = total_;
  }
  // Automatic status back: a block whenever the state differs from the last one sent.
  void send_asb(int fd, const State& st) {
    if (!asb_ || st.status == "silent" || st.status == asb_sent_) return;
    auto b = asb_block(st.status);
    (void)!::send(fd, b.data(), b.size(), MSG_NOSIGNAL);
    asb_sent_ = st.status;
  }
  // Sends the GS r answers whose data has been printed (and its job written out).
  void answer_in_order(int fd, const State& st) {
    while (!gs_r_.empty() && gs_r_.front() <= st.printable && (job_.empty() || gs_r_.front() <= written_)) {
      if (st.status != "silent") {
        std::uint8_t c = gs_r_reply(st.status);
        (void)!::send(fd, &c, 1, MSG_NOSIGNAL);
      }
      gs_r_.erase(gs_r_.begin());
    }
  }

 private:
  void scan(int fd) {
    const Bytes& q = pending_;
    auto need = [&](size_t n) { return q.size() >= n; };
    if (q[0] == 0x10) {
      if (!need(2)) return;
      if (q[1] == 0x04) {
        if (!need(3)) return;
        // Real-time commands are not part of the job, nor of the paper the roll holds.
        total_ -= 3;
        use_paper_back(3);
        job_.resize(job_.size() - 3);
        int r = reply(q[2], state_at(total_).status);
        if (r >= 0) {
          std::uint8_t c = static_cast<std::uint8_t>(r);
          (void)!::send(fd, &c, 1, MSG_NOSIGNAL);
        }
      }
    } else if (q[0] == 0x1D) {
      if (!need(2)) return;
      if (q[1] == 0x61) {  // GS a n: automatic status back, not part of the job
        if (!need(3)) return;
        total_ -= 3;
        use_paper_back(3);
        job_.resize(job_.size() - 3);
        asb_ = (q[2] & 0x0E) != 0;
        asb_sent_.clear();
        send_asb(fd, state_at(total_));
      } else if (q[1] == 0x72) {
        if (!need(3)) return;
        total_ -= 3;
        use_paper_back(3);
        job_.resize(job_.size() - 3);
        if (q[2] == 1) gs_r_.push_back(total_);  // answered once the first total_ bytes are printed
      } else if (q[1] == 0x76) {
        if (!need(8)) return;
        skip_ = static_cast<size_t>(q[4] + q[5] * 256) * static_cast<size_t>(q[6] + q[7] * 256);
      } else if (q[1] == 0x28) {
        if (!need(5)) return;
        skip_ = static_cast<size_t>(q[3] + q[4] * 256);
      } else if (q[1] == 0x56) {
        if (!need(3)) return;
        if (q[2] == 65 || q[2] == 66) {
          if (!need(4)) return;
        }
        cut_ = true;
      }
    }
    pending_.clear();
  }
  Bytes job_, pending_;
  std::vector<size_t> gs_r_;  // stream positions of unanswered GS r 1 queries
  size_t total_ = 0;
  size_t written_ = 0;  // total_ when the last job was written out
  bool asb_ = false;
  std::string asb_sent_;  // the state the last block showed
  size_t skip_ = 0;
  bool cut_ = false;
};

void serve(int fd) {
  Stream s;
  std::uint8_t buf[4096];
  for (;;) {
    State st = state_at(s.total());
    if (st.status == "disconnect") break;
    bool hold = s.holding(st);
    // A cut ends a job; so does a GS r query (the sender waits for it: everything before it
    // must come out now, not after a pause).
    if (!hold && !s.job().empty() && (s.cut_seen() || s.query_pending())) {
      write_job(s.job());
      s.clear();
    }
    s.answer_in_order(fd, st);
    s.send_asb(fd, st);
    // A printer that cannot print stops reading once its buffer is full.
    if (hold && s.job().size() >= 4096) {
      ::usleep(50 * 1000);
      continue;
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 300);
    if (r < 0) break;
    if (r == 0) {  // a pause ends a job
      if (!hold && !s.job().empty()) {
        write_job(s.job());
        s.clear();
      }
      s.answer_in_order(fd, st);
      continue;
    }
    ssize_t n = ::recv(fd, buf, hold ? std::min<size_t>(sizeof buf, 4096 - s.job().size()) : sizeof buf, 0);
    if (n <= 0) break;
    s.feed(buf, static_cast<size_t>(n), fd);
  }
  // The connection ended: whatever arrived is printed once the printer can.
  while (s.holding(state_at(s.total()))) ::usleep(100 * 1000);
  if (fault() != "disconnect") write_job(s.job());
  ::close(fd);
}

int usage(const std::string& why) {
  if (!why.empty()) std::cerr << "hallq-printer-sim: " << why << "\n";
  std::cerr << "usage: hallq-printer-sim --listen HOST:PORT --out DIR [--paper 384|576]\n"
               "                         [--fault ok|near-end|paper-out|cover-open|silent|disconnect]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--listen") listen = value();
    else if (a == "--out") out_dir = value();
    else if (a == "--paper") paper = std::atoi(value().c_str());
    else if (a == "--fault") initial_fault = value();
    else return usage("unknown argument '" + a + "'");
  }
  static const std::vector<std::string> faults = {"ok", "near-end", "paper-out", "cover-open", "silent", "disconnect"};
  if (std::find(faults.begin(), faults.end(), initial_fault) == faults.end()) return usage("unknown fault");
  if (listen.empty() || out_dir.empty()) return usage("--listen and --out are required");
  if (paper != 384 && paper != 576) return usage("--paper is 384 or 576");
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return usage("--listen is HOST:PORT");
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);
  std::signal(SIGPIPE, SIG_IGN);

  auto loaded = hallq::escpos::BitmapFont::load_unifont_hex(hallq::escpos::kUnifontHex);
  if (loaded) font = &*loaded;
  else std::cerr << "hallq-printer-sim: " << loaded.error() << "; text drawn as boxes\n";

  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return usage("bad host '" + host + "'");
  if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s, 8) != 0) {
    std::perror("hallq-printer-sim: listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  std::cout << "hallq-printer-sim listening on " << host << ":" << ntohs(addr.sin_port) << " (fault " << initial_fault
            << ", jobs in " << out_dir << ")" << std::endl;
  for (;;) {
    int c = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    if (fault() == "disconnect") {
      ::close(c);
      continue;
    }
    std::thread(serve, c).detach();
  }
}
